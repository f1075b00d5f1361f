"""Slugs from Vietnamese names, and the natural key by slug that fixtures load with."""

from collections.abc import Container

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import slugify_vi


def unique_slug(instance: models.Model, text: str, taken: Container[str] | None = None) -> str:
    """A slug for `text` that no other row of the instance's model uses yet.

    `taken`: the slugs in use, when the caller has them all (an import), to spare
    a query per try.
    """
    base = slugify_vi(text)[:80] or "item"
    others = type(instance)._default_manager.exclude(pk=instance.pk)

    def is_taken(slug: str) -> bool:
        return slug in taken if taken is not None else others.filter(slug=slug).exists()

    slug, n = base, 2
    while is_taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


class SlugManager(models.Manager):
    """Natural key by slug, so fixtures load twice without duplicates."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


def slug_field() -> models.SlugField:
    """The address part of a page: unique, made from the name by save() when left empty."""
    return models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Empty: made from the name."),
    )
