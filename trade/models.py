"""Where to buy and where to visit: sales channels, OCOP points of sale, producers' places,
enquiries to producers."""

from decimal import Decimal
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.slugs import SlugManager, slug_field, unique_slug
from core.translation import LocalizedText, TranslatedFieldsMixin

WEB_ADDRESS = URLValidator(schemes=["http", "https"])
MAX_MESSAGE_LENGTH = 2000

# The merged province (Thái Nguyên and the former Bắc Kạn, since 1 July 2025): the extents of
# the two former provinces, about 21°19′–22°44′ N and 105°25′–106°15′ E, with a small margin.
PROVINCE_BOUNDS = {
    "south": Decimal("21.30"),
    "north": Decimal("22.75"),
    "west": Decimal("105.40"),
    "east": Decimal("106.27"),
}


def check_in_province(latitude, longitude) -> None:
    """Both coordinates or neither, and inside the province's bounding box."""
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise ValidationError(
            _("Enter both the latitude and the longitude, or leave both empty."), code="half"
        )
    bounds = PROVINCE_BOUNDS
    inside = bounds["south"] <= latitude <= bounds["north"]
    inside = inside and bounds["west"] <= longitude <= bounds["east"]
    if not inside:
        raise ValidationError(
            _(
                "%(latitude)s, %(longitude)s is outside Thái Nguyên province (latitude "
                "%(south)s to %(north)s north, longitude %(west)s to %(east)s east). Check that "
                "latitude and longitude are not swapped and that both are in decimal degrees."
            ),
            code="outside",
            params={"latitude": latitude, "longitude": longitude, **bounds},
        )


def coordinate_fields():
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Decimal degrees north, e.g. 21.5942. Leave empty when not known."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Decimal degrees east, e.g. 105.8482."),
    )
    return latitude, longitude


def directions_url(address: str, latitude=None, longitude=None) -> str:
    """A maps search for the place (OpenStreetMap unless settings say otherwise)."""
    if latitude is not None and longitude is not None:
        return settings.MAP_POINT_URL.format(latitude=latitude, longitude=longitude)
    if not address:
        return ""
    return settings.MAP_SEARCH_URL.format(query=quote(address))


class PlaceMixin:
    """A place on the map: its address, commune and optional coordinates."""

    @property
    def full_address(self) -> str:
        parts = [self.address]
        commune = self.commune
        if commune and commune.name not in self.address:
            parts.append(str(commune))
        if parts != [""]:
            parts.append("Thái Nguyên")
        return ", ".join(part for part in parts if part)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def directions_url(self) -> str:
        return directions_url(self.full_address, self.latitude, self.longitude)


class PointOfSaleQuerySet(models.QuerySet):
    def for_listing(self):
        return (
            self.select_related("commune")
            .prefetch_related("sources")
            .order_by(models.F("commune__name").asc(nulls_last=True), "name")
        )

    def carrying(self, products):
        """Points with a channel to one of `products`, or to their producer."""
        return self.filter(
            Q(channels__product__in=products) | Q(channels__producer__products__in=products)
        ).distinct()


class PointOfSale(PlaceMixin, models.Model):
    """An OCOP point of sale (điểm giới thiệu và bán sản phẩm OCOP)."""

    class Kind(models.TextChoices):
        PROVINCIAL_CENTRE = "provincial_centre", _("provincial centre")
        DISTRICT_POINT = "district_point", _("district or city point")
        COMMUNE_POINT = "commune_point", _("commune or ward point")
        MODEL_POINT = "model_point", _("model point of the new rural programme")
        PRODUCER_SHOP = "producer_shop", _("producer's own shop")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    slug = slug_field()
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    kind_detail = models.CharField(
        _("kind, as the source says"),
        max_length=200,
        blank=True,
        help_text=_("The source's own words, e.g. “điểm cấp xã/phường”."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    former_address = models.CharField(
        _("former address"),
        max_length=300,
        blank=True,
        help_text=_("The address before the 1 July 2025 merger, as the source gives it."),
    )
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_of_sale",
        verbose_name=_("commune"),
        help_text=_("Leave empty when the source does not name the commune."),
    )
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    recognised_year = models.PositiveSmallIntegerField(
        _("year recognised"),
        null=True,
        blank=True,
        help_text=_("The year the source says the point was registered or recognised."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("What the sources leave unclear or missing.")
    )
    latitude, longitude = coordinate_fields()
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="points_of_sale", verbose_name=_("sources")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager.from_queryset(PointOfSaleQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("OCOP point of sale")
        verbose_name_plural = _("OCOP points of sale")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="point_of_sale_both_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(recognised_year__isnull=True)
                | Q(recognised_year__gte=2018, recognised_year__lte=2100),
                name="point_of_sale_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("trade:point-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        try:
            check_in_province(self.latitude, self.longitude)
        except ValidationError as error:
            raise ValidationError({"latitude": error}) from error


class SalesChannel(models.Model):
    """Where a product (or every product of a producer) is sold."""

    class Kind(models.TextChoices):
        FARM_GATE = "farm_gate", _("producer's shop or farm gate")
        POINT_OF_SALE = "point_of_sale", _("OCOP point of sale")
        SHOP = "shop", _("supermarket or shop")
        ONLINE = "online", _("online store")

    class Platform(models.TextChoices):
        SHOPEE = "shopee", "Shopee"
        LAZADA = "lazada", "Lazada"
        TIKTOK = "tiktok", "TikTok Shop"
        TIKI = "tiki", "Tiki"
        POSTMART = "postmart", "Postmart"
        FACEBOOK = "facebook", "Facebook"
        ZALO = "zalo", "Zalo"
        PHONE = "phone", _("phone orders")
        WEBSITE = "website", _("the producer's website")

    # Hosts of the platforms (and their subdomains), for the platform of a link.
    HOSTS = {
        "shopee.vn": Platform.SHOPEE,
        "shp.ee": Platform.SHOPEE,
        "lazada.vn": Platform.LAZADA,
        "tiktok.com": Platform.TIKTOK,
        "tiki.vn": Platform.TIKI,
        "postmart.vn": Platform.POSTMART,
        "facebook.com": Platform.FACEBOOK,
        "fb.com": Platform.FACEBOOK,
        "zalo.me": Platform.ZALO,
    }

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_channels",
        verbose_name=_("product"),
    )
    producer = models.ForeignKey(
        "catalogue.Producer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_channels",
        verbose_name=_("producer"),
        help_text=_("A channel of the producer is shown on every one of its products."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    platform = models.CharField(
        _("platform"),
        max_length=20,
        choices=Platform.choices,
        blank=True,
        help_text=_("Found from the link's address when left empty."),
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("The shop's or store's name.")
    )
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[WEB_ADDRESS])
    point_of_sale = models.ForeignKey(
        PointOfSale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("OCOP point of sale"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("sales channel")
        verbose_name_plural = _("where to buy")
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True, producer__isnull=False)
                | Q(product__isnull=False, producer__isnull=True),
                name="sales_channel_product_or_producer",
            ),
            models.CheckConstraint(
                condition=~Q(kind="online") | ~Q(url=""),
                name="sales_channel_online_has_link",
            ),
            models.CheckConstraint(
                condition=~Q(kind="point_of_sale") | Q(point_of_sale__isnull=False),
                name="sales_channel_point_named",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if not self.platform and self.url:
            self.platform = self.platform_of(self.url)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (self.product_id is None) == (self.producer_id is None):
            raise ValidationError(_("A sales channel belongs to a product or to a producer."))
        if self.kind == self.Kind.ONLINE and not self.url:
            raise ValidationError({"url": _("An online store needs its link.")})
        if self.kind == self.Kind.POINT_OF_SALE and not self.point_of_sale_id:
            raise ValidationError({"point_of_sale": _("Choose the OCOP point of sale.")})
        if self.kind != self.Kind.POINT_OF_SALE and self.point_of_sale_id:
            raise ValidationError(
                {"point_of_sale": _("Only a channel of the kind “OCOP point of sale” names one.")}
            )
        if self.kind in (self.Kind.FARM_GATE, self.Kind.SHOP) and not (
            self.name or self.address or self.url or self.phone
        ):
            raise ValidationError(_("Give the shop's name, address, phone or link."))

    @classmethod
    def platform_of(cls, url: str) -> str:
        host = (urlsplit(url).hostname or "").lower()
        for known, platform in cls.HOSTS.items():
            if host == known or host.endswith("." + known):
                return platform
        return cls.Platform.WEBSITE if host else ""

    @property
    def label(self) -> str:
        """What a visitor reads: the store's name, the point's name, or the platform's."""
        if self.kind == self.Kind.POINT_OF_SALE and self.point_of_sale:
            return self.point_of_sale.name
        if self.name:
            return self.name
        if self.platform:
            return str(self.get_platform_display())
        return str(self.get_kind_display())

    @property
    def is_online(self) -> bool:
        return self.kind == self.Kind.ONLINE

    @property
    def directions_url(self) -> str:
        if self.kind == self.Kind.POINT_OF_SALE and self.point_of_sale:
            return self.point_of_sale.directions_url
        return directions_url(self.address)


class ProducerPlace(TranslatedFieldsMixin, models.Model):
    """Where a producer is on the map, and whether it welcomes visitors."""

    producer = models.OneToOneField(
        "catalogue.Producer",
        on_delete=models.CASCADE,
        related_name="place",
        verbose_name=_("producer"),
    )
    welcomes_visitors = models.BooleanField(
        _("welcomes visitors"),
        default=False,
        help_text=_("Farm visits, tasting, craft demonstrations: listed on the Visit page."),
    )
    visit = models.TextField(
        _("what visitors can do"), blank=True, validators=[MaxLengthValidator(600)]
    )
    visit_en = models.TextField(
        _("what visitors can do (English)"), blank=True, validators=[MaxLengthValidator(600)]
    )
    visit_fr = models.TextField(
        _("what visitors can do (French)"), blank=True, validators=[MaxLengthValidator(600)]
    )
    visiting_hours = models.CharField(_("visiting hours"), max_length=200, blank=True)
    latitude, longitude = coordinate_fields()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("producer's place and visits")
        verbose_name_plural = _("producers' places and visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="producer_place_both_coordinates",
            ),
        ]

    def __str__(self):
        return str(self.producer)

    def clean(self):
        super().clean()
        try:
            check_in_province(self.latitude, self.longitude)
        except ValidationError as error:
            raise ValidationError({"latitude": error}) from error

    @property
    def localized_visit(self) -> LocalizedText:
        return self.localized("visit")

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class EnquiryQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=Enquiry.Status.NEW)


class Enquiry(models.Model):
    """A buyer's or importer's message to the producer of a product."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        SPAM = "spam", _("spam")

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.SET_NULL,
        null=True,
        related_name="enquiries",
        verbose_name=_("product"),
    )
    product_name = models.CharField(
        _("product name"), max_length=200, help_text=_("The product's name when it was sent.")
    )
    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    email = models.EmailField(_("email"), help_text=_("Never shown on the public site."))
    quantity = models.CharField(_("quantity wanted"), max_length=120, blank=True)
    message = models.TextField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    emailed_to = models.TextField(
        _("emailed to"), blank=True, help_text=_("Who was told by email, one address a line.")
    )
    email_failed = models.BooleanField(_("email failed"), default=False)
    client_hash = models.CharField(_("client"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")

    def __str__(self):
        return f"{self.name} — {self.product_name}"
