import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Score bands of Decision 148/QĐ-TTg: "from X to under Y", 5 stars up to 100.
SCORE_BANDS = {
    3: (Decimal("50"), Decimal("70")),
    4: (Decimal("70"), Decimal("90")),
    5: (Decimal("90"), Decimal("100")),
}


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise ValueError(day)


def default_valid_until(decision_date: datetime.date) -> datetime.date:
    """The last day in force: the validity period from signing, less one day."""
    months = settings.OCOP_CERTIFICATE_VALIDITY_MONTHS
    return add_months(decision_date, months) - datetime.timedelta(days=1)


def in_force_condition(on: datetime.date) -> Q:
    """In force on `on`: signed, not past its last valid day, not revoked."""
    return Q(decision_date__lte=on, valid_until__gte=on) & ~Q(revoked_on__lte=on)


def store_stars_of(product_ids) -> None:
    product_model = apps.get_model("catalogue", "Product")
    product_model.objects.filter(pk__in=product_ids).store_current_stars()


class CertificateQuerySet(models.QuerySet):
    # Writes that send no post_save: they store their products' current stars themselves
    # (see catalogue.models.store_certified_product_stars).

    def update(self, **kwargs):
        before = list(self.values_list("pk", "product"))
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            ids = [pk for pk, _product in before]
            after = self.model.objects.filter(pk__in=ids).values_list("product", flat=True)
            store_stars_of({product for _pk, product in before} | set(after))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            store_stars_of({certificate.product_id for certificate in created})
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
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
        return self.in_force(on).filter(valid_until__lte=on + datetime.timedelta(days=days))

    def of_published_products(self):
        return self.filter(product__is_published=True)

    def per_year(self) -> dict[int, int]:
        """Certificates by the year their decision was signed, oldest first."""
        rows = self.order_by().annotate(year=ExtractYear("decision_date")).values_list("year")
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
            .filter(pk__in=current, valid_until__lt=end)
            .order_by()
            .annotate(year=ExtractYear("valid_until"), quarter=ExtractQuarter("valid_until"))
            .values_list("year", "quarter")
            .annotate(n=models.Count("pk"))
        )
        counts = {(year, quarter): n for year, quarter, n in rows}
        return {key: counts.get(key, 0) for key in keys}


class CertificateManager(models.Manager):
    def get_by_natural_key(self, product_slug, decision_number):
        return self.get(product__slug=product_slug, decision_number=decision_number)


def score_band_condition():
    bands = Q(score__isnull=True)
    for stars, (low, high) in SCORE_BANDS.items():
        upper = Q(score__lte=high) if stars == 5 else Q(score__lt=high)
        bands |= Q(stars=stars, score__gte=low) & upper
    return bands


class Certificate(models.Model):
    """An OCOP rating decision for one product. A product keeps every one it had."""

    class Stars(models.IntegerChoices):
        THREE = 3, _("3 stars")
        FOUR = 4, _("4 stars")
        FIVE = 5, _("5 stars")

    class IssuerLevel(models.TextChoices):
        DISTRICT = "district", _("district (before July 2025)")
        PROVINCE = "province", _("province")
        CENTRAL = "central", _("ministry (national)")

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("product"),
    )
    stars = models.PositiveSmallIntegerField(_("stars"), choices=Stars.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    decision_number = models.CharField(
        _("decision number"), max_length=100, help_text=_("For example 1234/QĐ-UBND.")
    )
    decision_date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    issuer_level = models.CharField(_("issuing level"), max_length=10, choices=IssuerLevel.choices)
    valid_until = models.DateField(
        _("valid until"),
        blank=True,
        help_text=_("Last day in force. Empty: the decision date plus 36 months."),
    )
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("commune at certification"),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_checked_on = models.DateField(_("source last checked"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    is_demo = models.BooleanField(
        _("demo record"),
        default=False,
        help_text=_("The decision number and date are placeholders, not official values."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = CertificateManager.from_queryset(CertificateQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decision_date", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=3, stars__lte=5), name="certificate_stars_valid"
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
                fields=["product", "decision_number"], name="certificate_unique_per_decision"
            ),
        ]
        indexes = [models.Index(fields=["product", "decision_date", "valid_until"])]

    def __str__(self):
        return f"{self.decision_number} ({self.stars}★)"

    def save(self, *args, **kwargs):
        if self.valid_until is None and self.decision_date is not None:
            self.valid_until = default_valid_until(self.decision_date)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.product.slug, self.decision_number)

    natural_key.dependencies = ["catalogue.product"]

    def clean(self):
        if self.valid_until is None and self.decision_date is not None:
            self.valid_until = default_valid_until(self.decision_date)
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
        if self.decision_date and self.valid_until and self.valid_until <= self.decision_date:
            errors["valid_until"] = _("The certificate must be valid after its decision date.")
        if self.revoked_on and self.decision_date and self.revoked_on < self.decision_date:
            errors["revoked_on"] = _("A certificate cannot be revoked before its decision date.")
        if self.revoked_on and not self.revocation_reason:
            errors["revocation_reason"] = _("Give the reason for the revocation.")
        if errors:
            raise ValidationError(errors)

    def status(self, on=None) -> str:
        on = on or timezone.localdate()
        if self.revoked_on and self.revoked_on <= on:
            return "revoked"
        if self.decision_date > on:
            return "pending"
        if self.valid_until < on:
            return "expired"
        return "in_force"

    def get_status_display(self, on=None):
        return {
            "revoked": _("revoked"),
            "pending": _("not yet in force"),
            "expired": _("expired"),
            "in_force": _("in force"),
        }[self.status(on)]
