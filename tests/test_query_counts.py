"""Every public page runs a fixed number of queries, however many items it shows."""

import datetime
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Producer, Product
from sources.models import OfficialFigure

from .factories import (
    make_category,
    make_certificate,
    make_commune,
    make_image,
    make_link,
    make_official_figure,
    make_producer,
    make_product,
    make_source,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
SMALL, LARGE = 3, 30


def make_full_product(stars: int = 4, expired: bool = False, **overrides) -> Product:
    """A published product with a photo, a certificate (in force unless `expired`) and a shop
    link."""
    product = make_product(**overrides)
    make_image(product=product)
    days = 1200 if expired else 100
    make_certificate(
        product=product, stars=stars, decision_date=timezone.localdate() - days * ONE_DAY
    )
    make_link(product=product)
    return product


def make_full_producer(**overrides) -> Producer:
    """A producer in its own commune, with one full product in its own category."""
    producer = make_producer(**overrides)
    make_full_product(producer=producer, category=make_category())
    return producer


def count_queries(client, url: str):
    """The number of queries the page runs, and its response."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


# Each scenario: build(state, n) adds n items to what the page shows; url(state) is the page.


def products_build(state, n):
    for _ in range(n):
        make_full_producer()


def stars_build(state, n):
    for _ in range(n):
        make_full_product(stars=4, category=make_category())


def commune_build(state, n):
    state.setdefault("commune", make_commune(name="Tân Cương"))
    for _ in range(n):
        make_full_product(producer=make_producer(commune=state["commune"]))


def category_build(state, n):
    if "sector" not in state:
        state["sector"] = make_category(name="Thực phẩm")
        state["group"] = make_category(name="Chè", parent=state["sector"])
        state["set"] = make_category(name="Chè xanh", parent=state["group"])
    for i in range(n):
        category = state[("sector", "group", "set")[i % 3]]
        make_full_product(category=category)


def producer_build(state, n):
    state.setdefault("producer", make_producer(name="HTX Chè Hảo Đạt"))
    for _ in range(n):
        make_full_product(producer=state["producer"], category=make_category())


def detail_build(state, n):
    """The product gets n more photos, links, sources and past certificates (each with its
    sources), and n related products."""
    if "product" not in state:
        state["category"] = make_category()
        state["product"] = make_product(name="Chè Tân Cương", category=state["category"])
    product = state["product"]
    today = timezone.localdate()
    for _ in range(n):
        start = state.setdefault("next_position", 0)
        state["next_position"] = start + 1
        make_image(product=product, position=start)
        make_link(product=product)
        product.sources.add(make_source())
        certificate = make_certificate(
            product=product,
            stars=3 + start % 3,
            decision_date=today - (40 + start) * ONE_DAY,
            commune=make_commune(),
        )
        certificate.sources.set([make_source(), make_source()])
        make_full_product(category=state["category"])


def communes_build(state, n):
    for _ in range(n):
        make_full_producer()
        make_commune()


def categories_build(state, n):
    for _ in range(n):
        sector = make_category()
        group = make_category(parent=sector)
        make_full_product(category=make_category(parent=group))


def home_build(state, n):
    for _ in range(n):
        make_full_product(stars=5, category=make_category())
        make_category()


def statistics_build(state, n):
    """n products, each in its own commune, category group and former district, certified in
    its own year; each district with an official total reported by two sources."""
    sector = state.setdefault("sector", make_category(name="Thực phẩm"))
    today = timezone.localdate()
    for _ in range(n):
        i = state["made"] = state.get("made", 0) + 1
        district = f"huyện Thử {i}, tỉnh Thái Nguyên"
        producer = make_producer(former_address=f"xã Một, {district}")
        product = make_product(category=make_category(parent=sector), producer=producer)
        make_certificate(product=product, decision_date=today - 365 * i * ONE_DAY)
        make_certificate(product=product, decision_date=today - (i % 700) * ONE_DAY)
        make_official_figure(
            scope=f"huyện Thử {i} (cũ)",
            kind=OfficialFigure.Kind.FORMER_DISTRICT,
            area=district,
            total=10 + i,
            further_sources=[make_source()],
        )


def listed(response) -> int:
    return response.context["page"].paginator.count


SCENARIOS: dict[str, tuple[Callable, Callable, Callable]] = {
    "product-list": (products_build, lambda s: reverse("catalogue:product-list"), listed),
    "product-list-filtered": (
        commune_build,
        lambda s: (
            reverse("catalogue:product-list")
            + f"?commune={s['commune'].slug}&stars=4&kind=cooperative&q=htx&sort=name"
        ),
        listed,
    ),
    "star-detail": (stars_build, lambda s: reverse("catalogue:star-detail", args=[4]), listed),
    "commune-detail": (commune_build, lambda s: s["commune"].get_absolute_url(), listed),
    "category-detail": (category_build, lambda s: s["sector"].get_absolute_url(), listed),
    "producer-detail": (
        producer_build,
        lambda s: s["producer"].get_absolute_url(),
        lambda r: len(r.context["products"]),
    ),
    "product-detail": (
        detail_build,
        lambda s: s["product"].get_absolute_url(),
        lambda r: len(r.context["product"].certificates.all()),
    ),
    "producer-list": (products_build, lambda s: reverse("catalogue:producer-list"), listed),
    "commune-list": (
        communes_build,
        lambda s: reverse("catalogue:commune-list"),
        lambda r: len(r.context["communes"]),
    ),
    "category-list": (
        categories_build,
        lambda s: reverse("catalogue:category-list"),
        lambda r: len(r.context["sectors"]),
    ),
    "home": (
        home_build,
        lambda s: reverse("catalogue:home"),
        lambda r: len(r.context["featured"]) + len(r.context["communes"]),
    ),
    "statistics": (
        statistics_build,
        lambda s: reverse("catalogue:statistics"),
        lambda r: (
            sum(len(chart.rows) for chart in r.context["charts"]) + len(r.context["comparisons"])
        ),
    ),
}

# Measured on SQLite and PostgreSQL alike; anonymous requests touch no session table.
# A rise means an N+1 or an extra query crept in; a fall deserves a look at the page too.
EXPECTED = {
    # the facet counts (stars, rating state, category group, commune, producer kind) with the
    # total, in one query; page, cover images
    "product-list": 3,
    # + the commune filter's lookup of its slug (the facets' total tells whether the search
    # has exact matches: no query before falling back to close matches)
    "product-list-filtered": 4,
    # the stars facet is left out where stars are fixed by the URL
    "star-detail": 3,
    # commune or alias, fixed commune lookup, facets, page, images
    # + trade (trade_tags.commune_places): its points of sale, tourism products, hosts
    "commune-detail": 5 + 3,
    # category, fixed category lookup, facets, page, images, subcategories
    "category-detail": 6,
    # producer, products, cover images
    # + events (events_tags.producer_events): its events and awards
    # + trade (trade_tags.producer_place): the producer's place (directions, visits)
    "producer-detail": 3 + 1 + 1,
    # product, images, links, quality marks, sources, certificates, their sources, related
    # products, their images
    # + trade (trade_tags.where_to_buy): the sales channels of the product and its producer
    # + events (events_tags.product_events): its events and awards
    "product-detail": 9 + 1 + 1,
    "producer-list": 2,
    # communes with counts, products without a commune
    "commune-list": 2,
    # categories, product counts per category
    "category-list": 2,
    # featured, their images, sectors, communes with counts, and the headline figures from
    # the statistics queries: products by stars, producers by kind, products by commune
    # + events (events_tags.home_events_and_news): the next event, the latest news
    "home": 7 + 2,
    # products by stars, by category group, by commune, producers by kind,
    # certificates per year, certificates expiring per quarter; beside the official totals:
    # products by former address and rating state, the totals, their further sources
    "statistics": 9,
}


@pytest.mark.parametrize("page", list(SCENARIOS))
def test_page_query_count_does_not_grow_with_items(client, page):
    """The page runs the same, known number of queries for 3 items as for 30."""
    build, url, shown = SCENARIOS[page]
    state = {}
    build(state, SMALL)
    small, small_response = count_queries(client, url(state))
    build(state, LARGE - SMALL)
    large, large_response = count_queries(client, url(state))
    assert shown(small_response) < shown(large_response)
    assert small == large == EXPECTED[page]


@pytest.mark.parametrize("page", list(SCENARIOS))
def test_cached_page_runs_no_query_for_3_or_30_items(client, page):
    """A visitor's second request is served from the page cache (catalogue/caching.py).

    Except a search: any text makes a new address, so searches are drawn every time.
    """
    build, url, _shown = SCENARIOS[page]
    state = {}
    for n in (SMALL, LARGE - SMALL):
        build(state, n)
        uncached, _response = count_queries(client, url(state))
        cached, response = count_queries(client, url(state))
        assert uncached == EXPECTED[page]
        if "q=" in url(state):
            assert cached == EXPECTED[page]
            continue
        assert cached == 0
        assert response.context is None  # nothing was rendered


# Facets: one query each, however many communes, categories, star levels and kinds they list


def spread_build(state, n):
    """n 'Chè Tân Cương' products, each with its own commune and its own group or product set.

    Stars cycle through 3, 4 and 5, producer kinds through every kind; every fourth rating
    has expired.
    """
    sector = state.setdefault("sector", make_category(name="Thực phẩm"))
    kinds = Producer.Kind.values
    for _ in range(n):
        i = state["made"] = state.get("made", 0) + 1
        group = make_category(parent=sector)
        producer = make_producer(kind=kinds[i % len(kinds)])
        make_full_product(
            stars=3 + i % 3,
            expired=i % 4 == 0,
            name=f"Chè Tân Cương {i}",
            producer=producer,
            category=make_category(parent=group) if i % 2 else group,
        )


def spread_urls(state) -> list[str]:
    products = reverse("catalogue:product-list")
    urls = [
        products,
        f"{products}?q=che+tan+cuong",
        f"{products}?q=tra&stars=4&kind=enterprise",  # the first product is one
        f"{products}?category={state['sector'].slug}&q=che",
        reverse("catalogue:star-detail", args=[5]) + "?q=tan+cuong",
    ]
    if connection.vendor == "postgresql":
        urls.append(f"{products}?q=tan+cung")  # no exact match: the close-match fallback
    return urls


def test_facet_queries_do_not_grow_with_communes_categories_stars_and_kinds(client):
    """Searches and filters over 3 or 30 products in as many communes and categories.

    The same number of queries, of which exactly one groups: it counts every facet shown.
    """
    state = {}
    spread_build(state, SMALL)
    small = {url: count_queries_and_groupings(client, url) for url in spread_urls(state)}
    spread_build(state, LARGE - SMALL)
    for url in spread_urls(state):
        small_total, small_grouped, small_response = small[url]
        large_total, large_grouped, large_response = count_queries_and_groupings(client, url)
        assert small_response.context["page"].object_list, url
        assert small_total == large_total, url
        # A typo: the search's own count finds nothing, then the close matches are counted.
        groupings = 2 if url.endswith("?q=tan+cung") else 1
        assert small_grouped == large_grouped == groupings, url
        assert facet_rows(small_response) < facet_rows(large_response), url
    cache.clear()  # rendered again, not served from the page cache: its context is needed
    _, _, response = count_queries_and_groupings(client, reverse("catalogue:product-list"))
    sizes = {group.name: len(group.facets) for group in response.context["facets"]}
    assert sizes == {
        "stars": 3,
        "state": 2,  # in force, expired
        "category": LARGE,
        "commune": LARGE,
        "kind": len(Producer.Kind),
        "sold": 1,  # online: every product has a shop link (ProductLink)
    }


def count_queries_and_groupings(client, url: str):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    grouped = [query for query in context.captured_queries if "GROUP BY" in query["sql"]]
    return len(context.captured_queries), len(grouped), response


def facet_rows(response) -> int:
    return sum(len(group.facets) for group in response.context["facets"])
