import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalogue.models.stars import RatingState
from core.dates import PartialDate, Precision, add_months, partial
from core.text import slugify_vi

# Score bands of Decision 148/QĐ-TTg: "from X to under Y", 5 stars up to 100.
SCORE_BANDS = {
    3: (Decimal("50"), Decimal("70")),
    4: (Decimal("70"), Decimal("90")),
    5: (Decimal("90"), Decimal("100")),
}


def default_valid_until(decision_date: datetime.date) -> datetime.date:
    """The last day in force: the validity period from signing, less one day."""
    months = settings.OCOP_CERTIFICATE_VALIDITY_MONTHS
    return add_months(decision_date, months) - datetime.timedelta(days=1)


def in_force_condition(on: datetime.date) -> Q:
    """In force on `on`: a dated rating (not a later report) whose validity covers the day.

    A rating's validity runs from the first day its date can be (starts_on) to the earliest
    day it can end (ends_on): a stated valid_until, or 36 months from the decision date, at the
    date's precision; a revocation ends it the day before.
    """
    return (
        Q(starts_on__lte=on, ends_on__gte=on)
        & ~Q(evidence=Certificate.Evidence.LATER_REPORT)
        & ~Q(revoked_on__lte=on)
    )


# A product's states (catalogue's RatingState), and two that only a single rating has.
STATUS_LABELS = {
    **dict(RatingState.choices),
    "revoked": _("revoked"),
    "pending": _("not yet in force"),
}


def store_stars_of(product_ids) -> None:
    product_model = apps.get_model("catalogue", "Product")
    product_model.objects.filter(pk__in=product_ids).store_current_stars()


# The fields set_validity() reads, and those it computes from them.
VALIDITY_FIELDS = {
    "decision_date",
    "decision_date_precision",
    "round_year",
    "valid_until",
    "evidence",
    "reported_on",
    "reported_on_precision",
    "revoked_on",
}
COMPUTED_FIELDS = ["starts_on", "ends_on", "ends_by"]


class CertificateQuerySet(models.QuerySet):
    # Writes that send no post_save: they compute the ratings' validity and store their
    # products' current stars themselves (see catalogue.models.store_certified_product_stars).

    def update(self, **kwargs):
        before = list(self.values_list("pk", "product"))
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            ids = [pk for pk, _product in before]
            if VALIDITY_FIELDS & kwargs.keys():
                changed = list(self.model.objects.filter(pk__in=ids))
                for certificate in changed:
                    certificate.set_validity()
                super().bulk_update(changed, COMPUTED_FIELDS)
            after = self.model.objects.filter(pk__in=ids).values_list("product", flat=True)
            store_stars_of({product for _pk, product in before} | set(after))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        for certificate in objs:
            certificate.set_validity()
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            store_stars_of({certificate.product_id for certificate in created})
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        if VALIDITY_FIELDS & set(fields):
            for certificate in objs:
                certificate.set_validity()
            fields = [*fields, *COMPUTED_FIELDS]
        before = self.model.objects.filter(pk__in=[certificate.pk for certificate in objs])
        products = set(before.values_list("product", flat=True))
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            store_stars_of(products | {certificate.product_id for certificate in objs})
        return count

    def in_force(self, on=None):
        return self.filter(in_force_condition(on or timezone.localdate()))

    def expiring_within(self, days: int, on=None):
        on = on or timezone.localdate()
        return self.in_force(on).filter(ends_on__lte=on + datetime.timedelta(days=days))

    def of_published_products(self):
        return self.filter(product__is_published=True)

    def per_year(self) -> dict[int, int]:
        """Ratings by the year of their date (decision, else round), oldest first; undated
        ones are left out."""
        dated = self.filter(starts_on__gt=datetime.date.min)
        rows = dated.order_by().annotate(year=ExtractYear("starts_on")).values_list("year")
        return dict(rows.annotate(n=models.Count("pk")).order_by("year"))

    def expiring_per_quarter(self, on=None, quarters: int = 8) -> dict[tuple[int, int], int]:
        """{(year, quarter): n} for the products' current certificates (the ones that give
        their stars on `on`) whose last valid day falls in this quarter or the next ones.
        """
        on = on or timezone.localdate()
        first = (on.year, (on.month - 1) // 3 + 1)
        keys = [
            (first[0] + (first[1] - 1 + i) // 4, (first[1] - 1 + i) % 4 + 1)
            for i in range(quarters)
        ]
        last_year, last_quarter = keys[-1]
        end = add_months(datetime.date(last_year, 3 * last_quarter - 2, 1), 3)
        product_model = apps.get_model("catalogue", "Product")
        current = (
            product_model.objects.filter(pk__in=self.values("product"))
            .with_current_stars(on)
            .values("current_certificate_id")
        )
        rows = (
            self.in_force(on)
            .filter(pk__in=current, ends_on__lt=end)
            .order_by()
            .annotate(year=ExtractYear("ends_on"), quarter=ExtractQuarter("ends_on"))
            .values_list("year", "quarter")
            .annotate(n=models.Count("pk"))
        )
        counts = {(year, quarter): n for year, quarter, n in rows}
        return {key: counts.get(key, 0) for key in keys}


class CertificateManager(models.Manager):
    def get_by_natural_key(self, product_slug, record_key):
        return self.get(product__slug=product_slug, record_key=record_key)


def score_band_condition():
    bands = Q(score__isnull=True)
    for stars, (low, high) in SCORE_BANDS.items():
        upper = Q(score__lte=high) if stars == 5 else Q(score__lt=high)
        bands |= Q(stars=stars, score__gte=low) & upper
    return bands


class Certificate(models.Model):
    """One rating of one product, as a source states it. A product keeps every one it had.

    Only what the source says is recorded: the decision's number, date, score and validity
    are optional, and a date may be known to the day, the month or only the year.
    """

    class Stars(models.IntegerChoices):
        THREE = 3, _("3 stars")
        FOUR = 4, _("4 stars")
        FIVE = 5, _("5 stars")

    class IssuerLevel(models.TextChoices):
        DISTRICT = "district", _("district (before July 2025)")
        PROVINCE = "province", _("province")
        CENTRAL = "central", _("ministry (national)")

    class Evidence(models.TextChoices):
        DECISION = "decision", _("the official decision")
        REPORT = "report", _("a report of the rating")
        LATER_REPORT = "later_report", _("a later report")

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("product"),
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"),
        choices=Stars.choices,
        null=True,
        blank=True,
        help_text=_("Empty when the source does not give the level, or sources disagree."),
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    decision_number = models.CharField(
        _("decision number"),
        max_length=100,
        blank=True,
        help_text=_("For example 1234/QĐ-UBND. Empty when no source prints it."),
    )
    decision_date = models.DateField(
        _("decision date"),
        null=True,
        blank=True,
        help_text=_("For a month or a year only, its first day, with the precision below."),
    )
    decision_date_precision = models.CharField(
        _("decision date known to the"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    round_year = models.PositiveSmallIntegerField(
        _("rating round"),
        null=True,
        blank=True,
        help_text=_(
            "The year of the rating round: the rating's date when the decision's is missing."
        ),
    )
    batch = models.CharField(
        _("batch"), max_length=50, blank=True, help_text=_("For example đợt 3.")
    )
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    issuer_level = models.CharField(
        _("issuing level"), max_length=10, choices=IssuerLevel.choices, blank=True
    )
    valid_until = models.DateField(
        _("valid until (stated)"),
        null=True,
        blank=True,
        help_text=_("Only where a source states it. Empty: the decision date plus 36 months."),
    )
    evidence = models.CharField(
        _("evidence"),
        max_length=20,
        choices=Evidence.choices,
        default=Evidence.DECISION,
        help_text=_(
            "A later report says the product still held the level: its renewal's decision is "
            "not on record."
        ),
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    reported_on_precision = models.CharField(
        _("report date known to the"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("commune at certification"),
    )
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="certificates", verbose_name=_("sources")
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Computed by save() from the dates above (set_validity): what queries filter on.
    record_key = models.SlugField(_("record key"), max_length=120, default="", editable=False)
    starts_on = models.DateField(_("in force from"), null=True, editable=False)
    ends_on = models.DateField(_("in force until (at the earliest)"), null=True, editable=False)
    ends_by = models.DateField(_("in force until (at the latest)"), null=True, editable=False)

    objects = CertificateManager.from_queryset(CertificateQuerySet)()
    history = HistoricalRecords(excluded_fields=["starts_on", "ends_on", "ends_by"])

    class Meta:
        ordering = [F("starts_on").desc(nulls_last=True), "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=3, stars__lte=5),
                name="certificate_stars_valid",
            ),
            models.CheckConstraint(
                condition=score_band_condition(), name="certificate_score_in_band"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("decision_date")),
                name="certificate_valid_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=models.F("decision_date")),
                name="certificate_revoked_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_reason=""),
                name="certificate_revocation_has_reason",
            ),
            models.UniqueConstraint(
                fields=["product", "decision_number"],
                condition=~Q(decision_number=""),
                name="certificate_unique_per_decision",
            ),
            models.UniqueConstraint(
                fields=["product", "record_key"], name="certificate_unique_record_key"
            ),
        ]
        indexes = [models.Index(fields=["product", "starts_on", "ends_on"])]

    def __str__(self):
        stars = f"{self.stars}★" if self.stars else "?★"
        return f"{self.decision_number or self.when or _('undated')} ({stars})"

    def save(self, *args, **kwargs):
        self.set_validity()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.product.slug, self.record_key)

    natural_key.dependencies = ["catalogue.product"]

    @property
    def decided(self) -> PartialDate | None:
        return partial(self.decision_date, self.decision_date_precision)

    @property
    def reported(self) -> PartialDate | None:
        return partial(self.reported_on, self.reported_on_precision)

    @property
    def when(self) -> PartialDate | None:
        """The rating's date: the decision's, else its round's year; a later report's date."""
        if self.evidence == self.Evidence.LATER_REPORT:
            return self.reported
        if self.decision_date:
            return self.decided
        if self.round_year:
            return PartialDate(datetime.date(self.round_year, 1, 1), Precision.YEAR)
        return None

    def set_validity(self) -> None:
        """starts_on, ends_on and ends_by from the dates on record; the record key."""
        when = self.when
        months = settings.OCOP_CERTIFICATE_VALIDITY_MONTHS
        one_day = datetime.timedelta(days=1)
        stated = self.valid_until if self.evidence != self.Evidence.LATER_REPORT else None
        if when is None and stated is None:
            self.starts_on = self.ends_on = self.ends_by = None
        else:
            self.starts_on = when.first_day if when else datetime.date.min
            if stated:
                self.ends_on = self.ends_by = stated
            else:
                self.ends_on = add_months(when.first_day, months) - one_day
                self.ends_by = add_months(when.last_day, months) - one_day
            if self.revoked_on:
                self.ends_on = min(self.ends_on, self.revoked_on - one_day)
                self.ends_by = min(self.ends_by, self.revoked_on - one_day)
        if not self.record_key:
            self.record_key = self.make_record_key()

    def make_record_key(self) -> str:
        """Tells a product's ratings apart in fixtures: the decision, else round and evidence."""
        parts = [self.decision_number] if self.decision_number else []
        if not parts:
            parts = [str(self.round_year or ""), self.batch, self.evidence]
            if self.reported_on:
                parts.append(self.reported.text())
        base = slugify_vi(" ".join(part for part in parts if part))[:100] or "rating"
        others = type(self)._default_manager.filter(product_id=self.product_id).exclude(pk=self.pk)
        key, n = base, 2
        while others.filter(record_key=key).exists():
            key, n = f"{base}-{n}", n + 1
        return key

    def clean(self):
        errors = {}
        if self.score is not None and self.stars in SCORE_BANDS:
            low, high = SCORE_BANDS[self.stars]
            if not (low <= self.score < high or (self.stars == 5 and self.score == high)):
                message = (
                    _("A %(stars)s-star score must be from %(low)s to %(high)s.")
                    if self.stars == 5
                    else _("A %(stars)s-star score must be from %(low)s to under %(high)s.")
                )
                errors["score"] = message % {"stars": self.stars, "low": low, "high": high}
        if self.score is not None and self.stars is None:
            errors["score"] = _("A score needs the star level it was given for.")
        if self.decision_date and self.valid_until and self.valid_until <= self.decision_date:
            errors["valid_until"] = _("The certificate must be valid after its decision date.")
        if self.revoked_on and self.decision_date and self.revoked_on < self.decision_date:
            errors["revoked_on"] = _("A certificate cannot be revoked before its decision date.")
        if self.revoked_on and not self.revocation_reason:
            errors["revocation_reason"] = _("Give the reason for the revocation.")
        if self.evidence == self.Evidence.LATER_REPORT and not self.reported_on:
            errors["reported_on"] = _("A later report needs the date of the report.")
        if errors:
            raise ValidationError(errors)

    def status(self, on=None) -> str:
        """On day `on`: revoked, pending, undated, in_force (reported, for a later report),
        may_have_expired (the end falls inside the period the date is known to) or expired."""
        on = on or timezone.localdate()
        if self.revoked_on and self.revoked_on <= on:
            return "revoked"
        if self.starts_on is None:
            return "undated"
        if self.starts_on > on:
            return "pending"
        if self.ends_on >= on:
            return "reported" if self.evidence == self.Evidence.LATER_REPORT else "in_force"
        if self.ends_by >= on:
            return "may_have_expired"
        return "expired"

    def get_status_display(self, on=None):
        return STATUS_LABELS[self.status(on)]
