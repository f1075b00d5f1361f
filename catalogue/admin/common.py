"""Shared by the catalogue's admin pages and those of the apps that extend them."""

from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

NOT_RECORDED = _("(not recorded)")
# Staff paste shop addresses without a scheme; assume https, as Django 6.0 will.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def thumbnail(image) -> str:
    if not image:
        return "—"
    return format_html(
        # No style attribute: the Content-Security-Policy blocks inline styles.
        '<img src="{}" alt="" width="48">',
        image.url,
    )
