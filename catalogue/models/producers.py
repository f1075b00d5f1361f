"""Producers: the cooperatives, businesses and households behind products."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.slugs import SlugManager, slug_field, unique_slug
from core.translation import LocalizedText, TranslatedFieldsMixin

from .. import images
from .groupings import ProducerSourcesQuerySet


class ProducerQuerySet(ProducerSourcesQuerySet):
    def with_published_products(self):
        return self.filter(products__is_published=True).distinct()

    def with_product_count(self):
        return self.annotate(
            product_count=models.Count("products", filter=Q(products__is_published=True))
        )


class Producer(TranslatedFieldsMixin, models.Model):
    """A "chủ thể OCOP": the cooperative, business or household behind products."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("cooperative (HTX)")
        ENTERPRISE = "enterprise", _("enterprise")
        HOUSEHOLD = "household", _("household business")
        COOPERATIVE_GROUP = "cooperative_group", _("cooperative group")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = slug_field()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="producers",
        verbose_name=_("commune"),
        help_text=_("Leave empty when the source does not name the commune."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    former_address = models.CharField(
        _("former address"),
        max_length=300,
        blank=True,
        help_text=_("The pre-merger address as printed on older certificates."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    story = models.TextField(_("story"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    story_fr = models.TextField(_("story (French)"), blank=True)
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="producers", verbose_name=_("sources")
    )
    logo = models.ImageField(
        _("logo"), upload_to="producers/", blank=True, validators=[images.validate_image]
    )

    objects = SlugManager.from_queryset(ProducerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        if self.logo and not self.logo._committed:
            content, _image = images.store_original(self.logo, self.slug)
            images.save_field_file(self.logo, content.name, content)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # a new producer has no products yet
            self.products.refresh_search_text()

    def get_absolute_url(self):
        return reverse("catalogue:producer-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def localized_story(self) -> LocalizedText:
        return self.localized("story")
