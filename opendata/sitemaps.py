"""The open-data page's sitemap section, in every language."""

from django.urls import reverse

from catalogue.sitemaps import SiteSitemap, latest_product_edit


class OpenDataSitemap(SiteSitemap):
    """/open-data/; lastmod: the last product edit (its files follow the register)."""

    def items(self):
        return ["opendata:dataset"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return latest_product_edit()


SITEMAPS = {"open-data": OpenDataSitemap}
