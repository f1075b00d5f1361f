"""Quality marks a product carries besides OCOP: geographical indications, collective trademarks.

A mark points to the products it covers; the catalogue shows and filters them through the
`quality_marks` relation this declares on Product.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.slugs import SlugManager, slug_field, unique_slug


class QualityMark(models.Model):
    """A quality mark besides OCOP: geographical indication, collective trademark, VietGAP..."""

    class Kind(models.TextChoices):
        GEOGRAPHICAL_INDICATION = "gi", _("geographical indication")
        COLLECTIVE_TRADEMARK = "collective_trademark", _("collective trademark")
        VIETGAP = "vietgap", _("VietGAP")
        ORGANIC = "organic", _("organic")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = slug_field()
    number = models.CharField(
        _("number"), max_length=100, blank=True, help_text=_("Certificate or registration number.")
    )
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    area = models.CharField(_("area covered"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="quality_marks", verbose_name=_("products")
    )

    objects = SlugManager()

    class Meta:
        db_table = "catalogue_qualitymark"  # made by the catalogue app, before marks existed
        ordering = ["kind", "name"]
        verbose_name = _("quality mark")
        verbose_name_plural = _("quality marks")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, f"{self.kind} {self.name}")
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)
