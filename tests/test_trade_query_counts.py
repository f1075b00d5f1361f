"""The trade pages, and the trade sections of the product and commune pages, run a fixed
number of queries however many places they show; a second visit is served from the cache."""

from decimal import Decimal

import pytest
from django.urls import reverse

from .factories import make_category, make_commune, make_image, make_producer, make_product
from .factories_trade import make_channel, make_place, make_point
from .test_query_counts import count_queries

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30


def tourism(state):
    if "tourism" not in state:
        state["tourism"] = make_category(name="Du lịch", slug="du-lich-thu", is_service=True)
    return state["tourism"]


def places_build(state, n):
    """n points of sale (with a source and a product), n tourism products and n hosts with
    coordinates, each in its own commune, or all in one when state has a commune."""
    from .factories import make_source

    for _ in range(n):
        commune = state.get("commune") or make_commune()
        point = make_point(commune=commune, latitude=Decimal("21.6"), longitude=Decimal("105.8"))
        point.sources.add(make_source())
        product = make_product(producer=make_producer(commune=commune))
        make_image(product=product)
        make_channel(product=product, kind="point_of_sale", url="", point_of_sale=point)
        service = make_product(category=tourism(state), producer=make_producer(commune=commune))
        make_image(product=service)
        make_place(service.producer, latitude=Decimal("22.0"), longitude=Decimal("105.9"))
        host = make_producer(commune=commune)
        make_product(producer=host)
        make_place(host, latitude=Decimal("21.9"), longitude=Decimal("105.7"))


def point_build(state, n):
    if "point" not in state:
        state["point"] = make_point()
    for _ in range(n):
        producer = make_producer()
        make_image(product=make_product(producer=producer))
        make_channel(producer=producer, kind="point_of_sale", url="", point_of_sale=state["point"])
        product = make_product()
        make_image(product=product)
        make_channel(product=product, kind="point_of_sale", url="", point_of_sale=state["point"])


def product_build(state, n):
    if "product" not in state:
        state["product"] = make_product()
    product = state["product"]
    for _ in range(n):
        make_channel(product=product)
        make_channel(producer=product.producer)
        make_channel(product=product, kind="point_of_sale", url="", point_of_sale=make_point())


def commune_build(state, n):
    state.setdefault("commune", make_commune(name="Ba Bể"))
    places_build(state, n)


SCENARIOS = {
    # the filters' choices (communes, categories), points with their communes, their sources
    "point-list": (places_build, lambda s: reverse("trade:point-list"), 4),
    # point, its sources, products, their images
    "point-detail": (point_build, lambda s: s["point"].get_absolute_url(), 4),
    # tourism products, their images, hosts, their products
    "visit": (places_build, lambda s: reverse("trade:visit"), 4),
    # points, their sources, tourism products, their images, hosts, their products; markers:
    # points, producers
    "map": (places_build, lambda s: reverse("trade:map"), 8),
    # the catalogue's product page (tests/test_query_counts.py) with its channels
    "product-detail": (product_build, lambda s: s["product"].get_absolute_url(), None),
    # the catalogue's commune page with its points and visits: + their prefetches (sources,
    # images, hosts' products)
    "commune-detail": (commune_build, lambda s: s["commune"].get_absolute_url(), None),
}


@pytest.mark.parametrize("page", list(SCENARIOS))
def test_trade_pages_run_a_fixed_number_of_queries(client, page):
    build, url, expected = SCENARIOS[page]
    state = {}
    build(state, SMALL)
    small, small_response = count_queries(client, url(state))
    build(state, LARGE - SMALL)
    large, large_response = count_queries(client, url(state))
    assert len(large_response.content) > len(small_response.content)
    assert small == large
    if expected is not None:
        assert small == expected
    cached, response = count_queries(client, url(state))
    assert cached == 0 and response.context is None
