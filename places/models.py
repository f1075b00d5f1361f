"""The communes of Thái Nguyên since the merger of 1 July 2025, and the units merged into them.

Places know nothing of products: the catalogue counts a commune's products across the
`producers` relation it declares, and refreshes its search texts when a commune changes.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import search
from core.slugs import SlugManager, slug_field, unique_slug
from core.text import slugify_vi


class CommuneQuerySet(models.QuerySet):
    def with_product_count(self):
        return self.annotate(
            product_count=models.Count(
                "producers__products",
                filter=Q(producers__products__is_published=True),
            )
        )

    def search(self, query: str):
        """Communes whose name or a former unit's name holds every word, accents ignored."""
        words = search.plain_words(query[: search.MAX_QUERY_LENGTH])
        matching = [
            commune.pk
            for commune in self.prefetch_related("aliases")
            if all(
                search.pattern(word) in search.document(*commune.search_names()) for word in words
            )
        ]
        return self.filter(pk__in=matching)

    def by_slug_or_alias(self, slug: str):
        """Communes with this slug, or that a former unit with this slug merged into."""
        return self.filter(Q(slug=slug) | Q(aliases__slug=slug)).distinct()


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "xa", _("commune (xã)")
        WARD = "phuong", _("ward (phường)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slug = slug_field()
    former_units = models.TextField(
        _("former units"), blank=True, help_text=_("The units merged into it on 1 July 2025.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    sources = models.ManyToManyField(
        "sources.Source", blank=True, related_name="communes", verbose_name=_("sources")
    )

    objects = SlugManager.from_queryset(CommuneQuerySet)()

    class Meta:
        db_table = "catalogue_commune"  # made by the catalogue app, before places existed
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalogue:commune-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def search_names(self) -> list[str]:
        """Its name and the names of the units merged into it, which people still use."""
        return [self.name, *(alias.name for alias in self.aliases.all())]


class CommuneAliasManager(models.Manager):
    def get_by_natural_key(self, commune_slug, name, former_district):
        return self.get(commune__slug=commune_slug, name=name, former_district=former_district)


class CommuneAlias(models.Model):
    """A pre-merger unit, still printed on older packaging and certificates."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("commune")
    )
    name = models.CharField(_("former name"), max_length=100)
    former_kind = models.CharField(_("former kind"), max_length=20, blank=True)
    former_district = models.CharField(_("former district"), max_length=100, blank=True)
    former_province = models.CharField(_("former province"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100)

    objects = CommuneAliasManager()

    class Meta:
        db_table = "catalogue_communealias"
        ordering = ["name"]
        verbose_name = _("former unit")
        verbose_name_plural = _("former units")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name", "former_district"], name="commune_alias_unique"
            )
        ]
        indexes = [models.Index(fields=["slug"])]

    def __str__(self):
        place = ", ".join(part for part in [self.former_district, self.former_province] if part)
        return f"{self.former_kind} {self.name} ({place})".strip()

    def save(self, *args, **kwargs):
        self.slug = slugify_vi(self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.commune.slug, self.name, self.former_district)

    natural_key.dependencies = ["places.commune"]
