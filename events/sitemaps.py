"""The events' and news' sitemap sections, in every language with hreflang alternates."""

from django.db.models import Max
from django.urls import reverse

from catalogue.sitemaps import SiteSitemap, latest

from .models import Event, NewsItem


class EventSitemap(SiteSitemap):
    url_name = "events:event-detail"

    def items(self):
        return Event.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, event):
        return event.updated_at

    def get_latest_lastmod(self):
        return Event.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class NewsSitemap(SiteSitemap):
    url_name = "events:news-detail"

    def items(self):
        return NewsItem.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return NewsItem.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class EventPageSitemap(SiteSitemap):
    """The events and news lists."""

    NAMES = ["events:event-list", "events:news-list"]

    def items(self):
        moment = latest(
            Event.objects.published().aggregate(latest=Max("updated_at"))["latest"],
            NewsItem.objects.published().aggregate(latest=Max("updated_at"))["latest"],
        )
        return [(name, moment) for name in self.NAMES]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return self.items()[0][1]


SITEMAPS = {
    "event-pages": EventPageSitemap,
    "events": EventSitemap,
    "news": NewsSitemap,
}
