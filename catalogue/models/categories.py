"""The OCOP taxonomy: sector (ngành) › group (nhóm) › product set."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.slugs import SlugManager, slug_field, unique_slug
from core.translation import LocalizedText, TranslatedFieldsMixin

from .groupings import CategorySourcesQuerySet


def product_model():
    return apps.get_model("catalogue", "Product")


class CategoryQuerySet(CategorySourcesQuerySet):
    def sectors(self):
        return self.filter(parent__isnull=True)

    def tree_with_counts(self):
        """Sectors, each with `.nodes` below it; `.product_count` includes descendants."""
        categories = list(self.order_by("level", "position", "name"))
        direct = dict(
            product_model()
            .objects.published()
            .filter(category__isnull=False)
            .values_list("category")
            .annotate(n=models.Count("pk"))
        )
        by_id = {category.pk: category for category in categories}
        for category in categories:
            category.product_count = 0
            category.nodes = []
        for category in categories:
            node = category
            while node is not None:
                node.product_count += direct.get(category.pk, 0)
                node = by_id.get(node.parent_id)
            if category.parent_id:
                by_id[category.parent_id].nodes.append(category)
        return [category for category in categories if category.parent_id is None]


class Category(TranslatedFieldsMixin, models.Model):
    """One node of the OCOP taxonomy: sector (ngành) › group (nhóm) › product set."""

    class Level(models.IntegerChoices):
        SECTOR = 1, _("sector")
        GROUP = 2, _("group")
        PRODUCT_SET = 3, _("product set")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    slug = slug_field()
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_service = models.BooleanField(
        _("is a service"),
        default=False,
        help_text=_("Tourism services show visiting information instead of pack details."),
    )

    objects = SlugManager.from_queryset(CategoryQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True)
                | Q(level__in=[2, 3], parent__isnull=False),
                name="category_level_matches_parent",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)
        product_model().objects.in_category_tree(self).refresh_search_text()

    def get_absolute_url(self):
        return reverse("catalogue:category-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        expected = self.parent.level + 1 if self.parent else self.Level.SECTOR
        if self.level != expected:
            raise ValidationError(
                {"level": _("A category's level must be one below its parent's.")}
            )

    @property
    def localized_name(self) -> LocalizedText:
        return self.localized("name")

    def ancestors(self) -> list["Category"]:
        """From the sector down to this category's parent."""
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain
