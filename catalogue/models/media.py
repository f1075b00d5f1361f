"""A product's photos (with their renditions) and its links to where it is sold."""

from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import images


class ProductImageManager(models.Manager):
    def get_by_natural_key(self, product_slug, image):
        return self.get(product__slug=product_slug, image=image)


class ProductImage(models.Model):
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("product"),
    )
    image = models.ImageField(_("image"), upload_to="products/", validators=[images.validate_image])
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"), max_length=200, blank=True, help_text=_("Empty: the product name is used.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first; the first is the cover.")
    )

    objects = ProductImageManager()
    history = HistoricalRecords(excluded_fields=["width", "height", "renditions"])

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self):
        return self.alt or str(self.image)

    def save(self, *args, **kwargs):
        if self.image and not self.image._committed:
            content, decoded = images.store_original(self.image, self.product.slug)
            old = None
            if self.pk:
                old = type(self).objects.filter(pk=self.pk).values("image", "renditions").first()
            images.save_field_file(self.image, content.name, content)
            # The old renditions go with the old original, once the transaction commits.
            self.set_renditions(decoded, replacing=False)
            if old and old["image"] != self.image.name:
                storage = self.image.storage
                transaction.on_commit(
                    lambda: images.delete_files(storage, old["image"], old["renditions"])
                )
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.product.slug, self.image.name)

    natural_key.dependencies = ["catalogue.product"]

    @property
    def alt(self) -> str:
        return self.alt_text or self.product.name

    def set_renditions(self, decoded=None, replacing: bool = True) -> None:
        """Cut the renditions from the stored original (or its decoded image)."""
        if decoded is None:
            with self.image.open("rb") as file:
                decoded = images.open_checked(file).image
        storage = self.image.storage
        if replacing:
            images.delete_files(storage, "", self.renditions)
        self.width, self.height = decoded.size
        self.renditions = images.make_renditions(decoded, self.image.name, storage)

    def srcset(self, kind: str) -> str:
        storage, seen, parts = self.image.storage, set(), []
        for entry in self.renditions.values():
            if entry["width"] not in seen:
                seen.add(entry["width"])
                parts.append(f"{storage.url(entry[kind])} {entry['width']}w")
        return ", ".join(parts)

    @property
    def picture(self) -> dict:
        """What templates need for <picture>: srcsets, and a fallback of each size."""
        if not self.renditions:  # loaded raw from a fixture, before rebuild_renditions
            url = self.image.url
            return {
                "src": url,
                "zoom": url,
                "width": self.width,
                "height": self.height,
                "webp": "",
                "jpeg": "",
            }
        medium = self.renditions.get("medium") or next(iter(self.renditions.values()))
        return {
            "src": self.image.storage.url(medium["jpeg"]),
            "zoom": self.image.storage.url(self.renditions.get("large", medium)["jpeg"]),
            "width": medium["width"],
            "height": medium["height"],
            "webp": self.srcset("webp"),
            "jpeg": self.srcset("jpeg"),
        }


@receiver(post_delete, sender=ProductImage)
def delete_image_files(sender, instance, **kwargs):
    """A deleted image (alone or with its product) takes its files with it."""
    if instance.image:
        storage, name, renditions = instance.image.storage, instance.image.name, instance.renditions
        # After the commit: a rolled-back delete keeps its files.
        transaction.on_commit(lambda: images.delete_files(storage, name, renditions))


class ProductLinkManager(models.Manager):
    def get_by_natural_key(self, product_slug, url):
        return self.get(product__slug=product_slug, url=url)


class ProductLink(models.Model):
    """A place to buy the product or book the service."""

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("product"),
    )
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("address"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ProductLinkManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("where to buy")
        verbose_name_plural = _("where to buy")
        constraints = [
            models.UniqueConstraint(fields=["product", "url"], name="product_link_unique")
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.product.slug, self.url)

    natural_key.dependencies = ["catalogue.product"]
