"""Public product codes (TN-OCOP-0001): given once, printed on labels and QR codes, never reused."""

import re

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

PUBLIC_CODE_PREFIX = "TN-OCOP-"
PUBLIC_CODE_PATTERN = re.compile(r"^TN[_-]*OCOP[_-]*0*(\d{1,9})$", re.ASCII)


def public_code(number: int) -> str:
    return f"{PUBLIC_CODE_PREFIX}{number:04d}"


class CodeSequenceManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def take(self, name: str, count: int = 1) -> list[int]:
        """The next `count` numbers of the sequence; a number once taken is never given again."""
        with transaction.atomic():
            sequence, _ = self.select_for_update().get_or_create(name=name)
            first = sequence.last_value + 1
            sequence.last_value += count
            sequence.save(update_fields=["last_value"])
        return list(range(first, first + count))


class CodeSequence(models.Model):
    """The last number handed out for public codes; only ever goes up, so codes are never reused."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    objects = CodeSequenceManager()

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self):
        return f"{self.name}: {self.last_value}"

    def natural_key(self):
        return (self.name,)
