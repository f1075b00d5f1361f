"""The programme's news: short items, with their photos."""

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.slugs import SlugManager, slug_field, unique_slug
from core.translation import LocalizedText, TranslatedFieldsMixin

from .pictures import Picture, delete_picture_files, localized_or_any


class NewsQuerySet(models.QuerySet):
    def published(self, on=None):
        on = on or timezone.localdate()
        return self.filter(is_published=True, published_on__lte=on)

    def for_listing(self):
        return self.prefetch_related(
            models.Prefetch("images", queryset=NewsImage.objects.order_by("position", "pk"))
        )


class NewsItem(TranslatedFieldsMixin, models.Model):
    """A short item of programme news: a new rating round, a contest's results."""

    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    slug = slug_field()
    published_on = models.DateField(_("date"), default=timezone.localdate)
    summary = models.CharField(_("summary"), max_length=500)
    summary_en = models.CharField(_("summary (English)"), max_length=500, blank=True)
    summary_fr = models.CharField(_("summary (French)"), max_length=500, blank=True)
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("Paragraphs separated by an empty line; web addresses become links."),
    )
    body_en = models.TextField(_("body (English)"), blank=True)
    body_fr = models.TextField(_("body (French)"), blank=True)
    products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="news_items", verbose_name=_("products")
    )
    events = models.ManyToManyField(
        "events.Event", blank=True, related_name="news_items", verbose_name=_("events")
    )
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="news_items", verbose_name=_("sources")
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager.from_queryset(NewsQuerySet)()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:news-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def localized_title(self) -> LocalizedText:
        return self.localized("title")

    @property
    def localized_summary(self) -> LocalizedText:
        return self.localized("summary")

    @property
    def localized_body(self) -> LocalizedText:
        return self.localized("body") if self.body else localized_or_any(self, "body")

    @property
    def cover_image(self):
        pictures = self.images.all()
        return pictures[0] if pictures else None


class NewsImage(Picture):
    news_item = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="images", verbose_name=_("news item")
    )

    class Meta(Picture.Meta):
        verbose_name = _("news photo")
        verbose_name_plural = _("news photos")

    def stem(self) -> str:
        return self.news_item.slug


receiver(post_delete, sender=NewsImage)(delete_picture_files)
