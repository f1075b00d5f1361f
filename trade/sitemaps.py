"""The sitemap sections of the places to buy and visit, in every language."""

from django.db.models import Max
from django.urls import reverse

from catalogue.sitemaps import SiteSitemap, latest, latest_product_edit

from .models import PointOfSale


def latest_point_edit():
    return PointOfSale.objects.aggregate(latest=Max("updated_at"))["latest"]


class PointOfSaleSitemap(SiteSitemap):
    url_name = "trade:point-detail"

    def items(self):
        return PointOfSale.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, point):
        return point.updated_at

    def get_latest_lastmod(self):
        return latest_point_edit()


class TradePageSitemap(SiteSitemap):
    """Where to buy, visit and the map; lastmod: the last point of sale or product edit."""

    NAMES = ["trade:point-list", "trade:visit", "trade:map"]

    def items(self):
        moment = latest(latest_point_edit(), latest_product_edit())
        return [(name, moment) for name in self.NAMES]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return latest(latest_point_edit(), latest_product_edit())


SITEMAPS = {"points-of-sale": PointOfSaleSitemap, "where-to-buy": TradePageSitemap}
