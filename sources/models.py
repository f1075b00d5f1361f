"""Where each fact comes from: the official decision, a government portal, a newspaper.

Products, producers, communes and ratings link to the sources that state them, so a reader
can check any fact against its source, and staff know what to re-check. Beside them: the
official totals the sources report (OfficialFigure), which the statistics page and the staff
reconciliation compare with this catalogue, and the products reported as OCOP that are too
unclear to publish (Lead), for staff to verify.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.dates import PartialDate, Precision, partial

from .areas import FormerArea

# Hosts of legal-text databases that publish the decisions themselves.
DECISION_HOSTS = ("luatvietnam.vn", "thuvienphapluat.vn", "vbpl.vn", "congbao.chinhphu.vn")


class SourceManager(models.Manager):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class Source(models.Model):
    class Kind(models.TextChoices):
        DECISION = "decision", _("official decision")
        GOVERNMENT = "government", _("government portal")
        PRESS = "press", _("press")
        PRODUCER = "producer", _("producer-supplied")

    url = models.URLField(_("address"), max_length=500, unique=True)
    publisher = models.CharField(
        _("publisher"), max_length=200, blank=True, help_text=_("Empty: the site's name.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    published_on = models.DateField(_("published"), null=True, blank=True)
    published_precision = models.CharField(
        _("published date known to the"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    checked_on = models.DateField(_("last checked"), null=True, blank=True)

    objects = SourceManager()

    class Meta:
        ordering = ["publisher", "url"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title or self.site

    def save(self, *args, **kwargs):
        if not self.publisher:
            self.publisher = self.site
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.url,)

    @property
    def site(self) -> str:
        return urlsplit(self.url).hostname.removeprefix("www.") if self.url else ""

    @property
    def published(self) -> PartialDate | None:
        return partial(self.published_on, self.published_precision)

    @classmethod
    def kind_of(cls, url: str) -> str:
        """The likely kind of a source from its address; staff correct it in the admin."""
        host = urlsplit(url).hostname or ""
        if host.endswith(DECISION_HOSTS):
            return cls.Kind.DECISION
        if host.endswith(".gov.vn"):
            return cls.Kind.GOVERNMENT
        return cls.Kind.PRESS


def is_plain_date(text: str) -> bool:
    try:
        return PartialDate.parse(text) is not None
    except ValueError:
        return False


class OfficialFigureQuerySet(models.QuerySet):
    def comparable(self):
        """Totals of certified products of an area, which this catalogue can be compared with."""
        return self.filter(kind__in=OfficialFigure.AREA_TOTALS, total__isnull=False)

    def newest_first(self):
        return self.order_by(models.F("as_of").desc(nulls_last=True), "scope", "pk")


class OfficialFigureManager(models.Manager.from_queryset(OfficialFigureQuerySet)):
    def get_by_natural_key(self, scope, as_of_text):
        return self.get(scope=scope, as_of_text=as_of_text)


class OfficialFigure(models.Model):
    """An official count of OCOP products, as a source reports it on a date.

    Kept as the source gives it, disagreements included: the statistics page and the staff
    reconciliation compare the newest total of each area with the products of this catalogue.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province (merged)")
        FORMER_PROVINCE = "former_province", _("former province")
        FORMER_DISTRICT = "former_district", _("former district")
        ROUND = "round", _("rating round")
        PART = "part", _("part of the products")
        POINTS_OF_SALE = "points_of_sale", _("points of sale")
        NATIONAL = "national", _("national")

    # The kinds that count every certified product of their area.
    AREA_TOTALS = (Kind.PROVINCE, Kind.FORMER_PROVINCE, Kind.FORMER_DISTRICT)

    scope = models.CharField(
        _("scope"), max_length=300, help_text=_("What is counted, in the source's words.")
    )
    kind = models.CharField(_("kind of figure"), max_length=20, choices=Kind.choices)
    area = models.CharField(
        _("former area"),
        max_length=200,
        blank=True,
        help_text=_(
            "For a former province or district, as addresses write it: “tỉnh Bắc Kạn”, "
            "“huyện Đồng Hỷ, tỉnh Thái Nguyên”. Empty: the whole merged province, or the country."
        ),
    )
    as_of = models.DateField(
        _("as of"),
        null=True,
        blank=True,
        help_text=_("For a month or a year only, its first day, with the precision below."),
    )
    as_of_precision = models.CharField(
        _("date known to the"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    as_of_text = models.CharField(
        _("date as the source gives it"),
        max_length=100,
        blank=True,
        help_text=_("For example “end-2024 (reported 17/01/2025)”. Empty: the date above."),
    )
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    total_at_least = models.BooleanField(
        _("at least"), default=False, help_text=_("The source says “more than” the total.")
    )
    stars5 = models.PositiveIntegerField(_("5 stars"), null=True, blank=True)
    stars4 = models.PositiveIntegerField(_("4 stars"), null=True, blank=True)
    stars3 = models.PositiveIntegerField(_("3 stars"), null=True, blank=True)
    other = models.CharField(_("other figures"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="official_figures",
        verbose_name=_("source"),
    )
    further_sources = models.ManyToManyField(
        Source, blank=True, related_name="+", verbose_name=_("also reported by")
    )
    note = models.TextField(_("note"), blank=True)

    objects = OfficialFigureManager()

    class Meta:
        ordering = [models.F("as_of").desc(nulls_last=True), "scope"]
        verbose_name = _("official figure")
        verbose_name_plural = _("official figures")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "as_of_text"], name="officialfigure_unique_scope_date"
            ),
        ]

    def __str__(self):
        return f"{self.scope} ({self.as_of_text or _('date not on record')})"

    def save(self, *args, **kwargs):
        # A text that is only a date follows the date fields, which staff edit.
        if self.counted_on and (not self.as_of_text or is_plain_date(self.as_of_text)):
            self.as_of_text = self.counted_on.text()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.scope, self.as_of_text)

    natural_key.dependencies = ["sources.source"]

    @property
    def counted_on(self) -> PartialDate | None:
        return partial(self.as_of, self.as_of_precision)

    @property
    def as_of_remark(self) -> str:
        """What the source says of the date beyond the date itself ("reported 17/01/2025")."""
        on = self.counted_on
        return "" if on and self.as_of_text == on.text() else self.as_of_text

    @property
    def former_area(self) -> FormerArea:
        return FormerArea.parse(self.area)

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        total = number_format(self.total, force_grouping=True)
        return f"{total}+" if self.total_at_least else total

    def clean(self):
        area, kind = self.former_area, self.Kind
        message = None
        if self.kind == kind.FORMER_PROVINCE and (area.district or not area.province):
            message = _("Name the former province: “tỉnh Bắc Kạn”.")
        elif self.kind == kind.FORMER_DISTRICT and not (area.province and area.district):
            message = _("Name the district and its province: “huyện Đồng Hỷ, tỉnh Thái Nguyên”.")
        elif self.kind in (kind.PROVINCE, kind.NATIONAL) and self.area:
            message = _("Leave empty for the merged province or the country.")
        if message:
            raise ValidationError({"area": message})


class LeadQuerySet(models.QuerySet):
    def to_verify(self):
        return self.filter(status=Lead.Status.TO_VERIFY)


class LeadManager(models.Manager.from_queryset(LeadQuerySet)):
    def get_by_natural_key(self, name, producer_name):
        return self.get(name=name, producer_name=producer_name)


class Lead(models.Model):
    """A product a source reports as OCOP, too unclear to publish: for staff to verify.

    Never shown on the public site. Once verified, staff add the product itself (with its
    rating and source) and mark the lead confirmed, or mark it rejected.
    """

    class Status(models.TextChoices):
        TO_VERIFY = "to_verify", _("to verify")
        CONFIRMED = "confirmed", _("confirmed: added as a product")
        REJECTED = "rejected", _("rejected")

    name = models.CharField(_("product name"), max_length=200)
    producer_name = models.CharField(_("producer"), max_length=200, blank=True)
    former_address = models.CharField(
        _("former address"),
        max_length=300,
        blank=True,
        help_text=_("The pre-merger address the source gives: “huyện Phú Bình, tỉnh Thái Nguyên”."),
    )
    product_group = models.CharField(_("product group"), max_length=200, blank=True)
    stars = models.CharField(
        _("stars"),
        max_length=20,
        blank=True,
        help_text=_("As the source gives them; empty if not."),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="leads", verbose_name=_("source")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TO_VERIFY
    )
    note = models.TextField(_("note"), blank=True)

    objects = LeadManager()

    class Meta:
        ordering = ["former_address", "name"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(fields=["name", "producer_name"], name="lead_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.producer_name})" if self.producer_name else self.name

    def natural_key(self):
        return (self.name, self.producer_name)

    natural_key.dependencies = ["sources.source"]

    @property
    def former_area(self) -> FormerArea:
        return FormerArea.parse(self.former_address)
