"""The Atom feed of rating changes: new ratings, upgrades, renewals, expiries, revocations."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.caching import cache_public_page

from .changes import rating_changes

FEED_SIZE = 100


class RatingChangesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("OCOP Thái Nguyên: rating changes")
    subtitle = gettext_lazy(
        "New OCOP ratings, upgrades, renewals, expiries and revocations of the register's "
        "products, by the day they take effect."
    )

    def __call__(self, request, *args, **kwargs):
        return cache_public_page(super().__call__)(request, *args, **kwargs)

    def link(self):
        return reverse("opendata:dataset")

    def feed_url(self):
        return reverse("opendata:rating-feed")

    def items(self):
        return rating_changes(limit=FEED_SIZE)

    def item_title(self, change):
        return change.title

    def item_link(self, change):
        return change.certificate.product.get_absolute_url()

    def item_description(self, change):
        certificate = change.certificate
        parts = [
            _("Decision %(number)s") % {"number": certificate.decision_number}
            if certificate.decision_number
            else _("Decision number not on record"),
        ]
        if certificate.decided:
            parts.append(_("dated %(date)s") % {"date": certificate.decided.text()})
        if certificate.issuer:
            parts.append(certificate.issuer)
        if change.kind == "revoked" and certificate.revocation_reason:
            parts.append(certificate.revocation_reason)
        return " · ".join(parts)

    def item_pubdate(self, change):
        return timezone.make_aware(datetime.datetime.combine(change.day, datetime.time()))

    def item_updateddate(self, change):
        return self.item_pubdate(change)

    def item_guid(self, change):
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},2025:rating-{change.certificate.pk}-{change.kind}"

    def item_categories(self, change):
        return [change.kind]
