"""Which communes a commune editor edits; editors/roles.py says what that lets them do."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommuneEditor(models.Model):
    """A commune editor's communes: in the admin they see and edit only what belongs to these."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="commune_editor",
        verbose_name=_("user"),
    )
    communes = models.ManyToManyField(
        "places.Commune", blank=True, related_name="editors", verbose_name=_("communes")
    )

    class Meta:
        db_table = "catalogue_communeeditor"  # made by the catalogue app, before editors existed
        verbose_name = _("commune editor")
        verbose_name_plural = _("commune editors")

    def __str__(self):
        return str(self.user)
