"""The Atom feed of programme news (Django's syndication framework)."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, linebreaks, urlize
from django.utils.translation import gettext_lazy as _

from .calendar import host
from .models import NewsItem

FEED_SIZE = 50


class NewsFeed(Feed):
    feed_type = Atom1Feed
    title = _("OCOP Thái Nguyên: programme news")
    subtitle = _("New rating rounds, contests, fairs and their results.")
    description_template = None

    def link(self):
        return reverse("events:news-list")

    def feed_url(self):
        return reverse("events:news-feed")

    def items(self):
        return NewsItem.objects.published()[:FEED_SIZE]

    def item_title(self, item):
        return str(item.localized_title)

    def item_description(self, item):
        summary = format_html("<p>{}</p>", item.localized_summary)
        body = item.localized_body
        if not body:
            return summary
        return summary + linebreaks(urlize(body, nofollow=True, autoescape=True))

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.published_on, datetime.time()))

    def item_updateddate(self, item):
        return max(item.updated_at, self.item_pubdate(item))

    def item_guid(self, item):
        # A tag URI (RFC 4151): the entry keeps its id if its title and address change.
        return f"tag:{host()},{item.created_at:%Y-%m-%d}:news-{item.pk}"
