"""The sitemap: every public page in Vietnamese, English and French, at SITE_URL.

/sitemap.xml is an index of one sitemap per kind of page; a kind with more than
`limit` addresses (50,000, 3 per product) is split into pages (?p=2), and each page
loads only its own rows.
"""

import datetime
from collections.abc import Sequence
from math import ceil
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from places.models import Commune

from .models import Category, Producer, Product

ONE_DAY = datetime.timedelta(days=1)
SLUG_PLACEHOLDER = "slug-placeholder"


def day_start(day: datetime.date | None) -> datetime.datetime | None:
    """Midnight at the start of `day`, in the site's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def latest(*moments) -> datetime.datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


class LanguagePairs(Sequence):
    """(item, language) pairs of `items`, fetched one slice of items at a time."""

    def __init__(self, items, languages: list[str]):
        self.items, self.languages = items, languages
        self._count = None

    def __len__(self) -> int:
        if self._count is None:
            items = self.items
            self._count = items.count() if isinstance(items, QuerySet) else len(items)
        return self._count * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        n = len(self.languages)
        first, last = start // n, ceil(stop / n)
        pairs = [(item, code) for item in self.items[first:last] for code in self.languages]
        return pairs[start - first * n : stop - first * n]


def latest_product_edit() -> datetime.datetime | None:
    return Product.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class SiteSitemap(Sitemap):
    """Addresses at SITE_URL, in every language, with their hreflang alternates.

    `url_name`: the detail page of each item, reversed once per language with a placeholder
    for the slug (reversing each of 1,000s of items took most of a page's time).
    """

    i18n = True
    alternates = True
    x_default = True
    protocol = urlsplit(settings.SITE_URL).scheme or "https"
    # Addresses per sitemap page: 1,000 items in 3 languages, a 2 MB file drawn in about a
    # second, where 50,000 (the protocol's limit) took 45 s and 32 MB.
    limit = 3000
    url_name = ""

    def location(self, item):
        language = get_language()
        patterns = self.__dict__.setdefault("_patterns", {})
        if language not in patterns:
            patterns[language] = reverse(self.url_name, args=[SLUG_PLACEHOLDER])
        return patterns[language].replace(SLUG_PLACEHOLDER, item.slug)

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    @property
    def paginator(self):
        return Paginator(LanguagePairs(self.items(), self._languages()), self.limit)

    def lastmod(self, item):
        return item.lastmod


def certificate_dates(prefix: str = "certificates__") -> dict:
    """The latest day a certificate changed what the page shows: signed, expired or revoked."""
    today = timezone.localdate()
    return {
        "signed_on": Max(
            f"{prefix}decision_date", filter=Q(**{f"{prefix}decision_date__lte": today})
        ),
        "expired_on": Max(f"{prefix}valid_until", filter=Q(**{f"{prefix}valid_until__lt": today})),
        "last_revoked_on": Max(
            f"{prefix}revoked_on", filter=Q(**{f"{prefix}revoked_on__lte": today})
        ),
    }


def product_lastmod(updated_at, signed_on, expired_on, last_revoked_on):
    # A certificate stops counting the day after its last valid day.
    return latest(
        updated_at,
        day_start(signed_on),
        day_start(expired_on and expired_on + ONE_DAY),
        day_start(last_revoked_on),
    )


class ProductSitemap(SiteSitemap):
    """Published products; lastmod: the product's last edit or certificate change."""

    url_name = "catalogue:product-detail"

    def items(self):
        return (
            Product.objects.published()
            .only("slug", "updated_at")
            .annotate(**certificate_dates())
            .order_by("pk")
        )

    def lastmod(self, product):
        return product_lastmod(
            product.updated_at, product.signed_on, product.expired_on, product.last_revoked_on
        )

    def get_latest_lastmod(self):
        figures = Product.objects.published().aggregate(
            updated_at=Max("updated_at"), **certificate_dates()
        )
        return product_lastmod(**figures)


class ProducerSitemap(SiteSitemap):
    """Producers with a published product; lastmod: their products' last edit."""

    url_name = "catalogue:producer-detail"

    def items(self):
        return (
            Producer.objects.only("slug")
            .annotate(lastmod=Max("products__updated_at", filter=Q(products__is_published=True)))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )

    def get_latest_lastmod(self):
        return latest_product_edit()


class CommuneSitemap(SiteSitemap):
    """Communes with a published product (an empty commune's page has nothing to index)."""

    url_name = "catalogue:commune-detail"

    def items(self):
        published = Q(producers__products__is_published=True)
        return (
            Commune.objects.only("slug")
            .annotate(lastmod=Max("producers__products__updated_at", filter=published))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )

    def get_latest_lastmod(self):
        products = Product.objects.published().filter(producer__commune__isnull=False)
        return products.aggregate(latest=Max("updated_at"))["latest"]


class CategorySitemap(SiteSitemap):
    """Categories with a published product in them or below them."""

    url_name = "catalogue:category-detail"

    def items(self):
        categories = list(Category.objects.only("slug", "parent_id").order_by("pk"))
        by_id = {category.pk: category for category in categories}
        direct = (
            Product.objects.published()
            .filter(category__isnull=False)
            .values_list("category")
            .annotate(latest=Max("updated_at"))
        )
        for category in categories:
            category.lastmod = None
        for category_id, moment in direct.order_by():
            node = by_id.get(category_id)
            while node is not None:
                node.lastmod = latest(node.lastmod, moment)
                node = by_id.get(node.parent_id)
        return [category for category in categories if category.lastmod is not None]

    def get_latest_lastmod(self):
        products = Product.objects.published().filter(category__isnull=False)
        return products.aggregate(latest=Max("updated_at"))["latest"]


class StarSitemap(SiteSitemap):
    """The 3, 4 and 5-star listings."""

    def items(self):
        rows = (
            Product.objects.published()
            .certified()
            .order_by()
            .values_list("current_stars")
            .annotate(latest=Max("updated_at"))
        )
        moments = dict(rows)
        return [(stars, moments.get(stars)) for stars in (5, 4, 3)]

    def location(self, item):
        return reverse("catalogue:star-detail", args=[item[0]])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return latest_product_edit()


class PageSitemap(SiteSitemap):
    """The home page, the lists and the statistics; lastmod: the last product edit."""

    NAMES = [
        "catalogue:home",
        "catalogue:product-list",
        "catalogue:producer-list",
        "catalogue:commune-list",
        "catalogue:category-list",
        "catalogue:statistics",
    ]

    def items(self):
        moment = latest_product_edit()
        return [(name, moment) for name in self.NAMES]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return latest_product_edit()


SITEMAPS = {
    "pages": PageSitemap,
    "products": ProductSitemap,
    "producers": ProducerSitemap,
    "communes": CommuneSitemap,
    "categories": CategorySitemap,
    "stars": StarSitemap,
}
