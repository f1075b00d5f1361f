"""Photos of events and news items, through the catalogue's image checks and renditions."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from catalogue import images
from core.translation import LocalizedText


def localized_or_any(instance, field: str) -> LocalizedText:
    """The field in the active language, else Vietnamese, else whichever language has it."""
    text = instance.localized(field)
    if text:
        return text
    for language in ("en", "fr"):
        value = getattr(instance, f"{field}_{language}", "")
        if value:
            return LocalizedText(value, language)
    return text


class Picture(models.Model):
    """A photo through the catalogue's image pipeline (catalogue/images.py): checked by
    content, re-encoded without metadata, cut into renditions."""

    image = models.ImageField(_("image"), upload_to="events/", validators=[images.validate_image])
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"), max_length=200, blank=True, help_text=_("What the photo shows.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first; the first is the cover.")
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self):
        return self.alt_text or str(self.image)

    def save(self, *args, **kwargs):
        if self.image and not self.image._committed:
            content, decoded = images.store_original(self.image, self.stem())
            old = None
            if self.pk:
                old = type(self).objects.filter(pk=self.pk).values("image", "renditions").first()
            images.save_field_file(self.image, content.name, content)
            storage = self.image.storage
            self.width, self.height = decoded.size
            self.renditions = images.make_renditions(decoded, self.image.name, storage)
            if old and old["image"] != self.image.name:
                transaction.on_commit(
                    lambda: images.delete_files(storage, old["image"], old["renditions"])
                )
        super().save(*args, **kwargs)

    def stem(self) -> str:
        raise NotImplementedError

    def srcset(self, kind: str) -> str:
        storage, seen, parts = self.image.storage, set(), []
        for entry in self.renditions.values():
            if entry["width"] not in seen:
                seen.add(entry["width"])
                parts.append(f"{storage.url(entry[kind])} {entry['width']}w")
        return ", ".join(parts)

    @property
    def picture(self) -> dict:
        """What templates/includes/picture.html needs, as ProductImage gives it."""
        if not self.renditions:
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


def delete_picture_files(sender, instance, **kwargs):
    """A deleted photo takes its files with it, once the delete is committed."""
    if instance.image:
        storage, name, renditions = instance.image.storage, instance.image.name, instance.renditions
        transaction.on_commit(lambda: images.delete_files(storage, name, renditions))
