"""The API and the HTML listing count the same products, for every combination of filters
tried, over the real register."""

import itertools

import pytest
from django.urls import reverse

from catalogue.models import Product

from .test_opendata_api import PRODUCTS, every_page, get_json

pytestmark = pytest.mark.django_db


def listing_slugs(client, params: dict) -> tuple[int, list[str]]:
    """The HTML listing's count and every product on its pages."""
    response = client.get(reverse("catalogue:product-list"), params)
    assert response.status_code == 200
    page = response.context["page"]
    slugs = [p.slug for p in page.object_list]
    while page.has_next():
        response = client.get(reverse("catalogue:product-list"), params | {"page": page.number + 1})
        page = response.context["page"]
        slugs += [p.slug for p in page.object_list]
    return page.paginator.count, slugs


@pytest.mark.usefixtures("real_catalogue")
class TestTheListingAndTheApiAgree:
    def test_five_stars_are_the_same_products(self, client, settings):
        settings.OPENDATA_API_RATE_LIMIT = 0
        count, slugs = listing_slugs(client, {"stars": "5"})
        items = every_page(client, PRODUCTS, {"stars": "5", "limit": "3"})
        assert count == len(items) == len({i["slug"] for i in items}) > 0
        assert sorted(slugs) == sorted(i["slug"] for i in items)
        assert {i["rating"]["stars"] for i in items} == {5}

    def test_counts_agree_for_facet_combinations(self, client, settings):
        settings.OPENDATA_API_RATE_LIMIT = 0
        product = Product.objects.for_listing().exclude(producer__commune=None).first()
        values = {
            "stars": ["", "3", "4", "5"],
            "state": ["", "in_force", "expired", "not-recorded"],
            "commune": ["", product.producer.commune.slug, "not-recorded"],
            "category": ["", product.category.slug if product.category else ""],
            "q": ["", "chè"],
            "kind": ["", "cooperative"],
        }
        tried = 0
        for combination in itertools.product(*values.values()):
            params = {k: v for k, v in zip(values, combination, strict=True) if v}
            html = client.get(reverse("catalogue:product-list"), params)
            _response, page = get_json(client, PRODUCTS, params | {"limit": "1"})
            assert page["count"] == html.context["page"].paginator.count, params
            tried += 1
        assert tried == 4 * 4 * 3 * 2 * 2 * 2

    def test_a_value_the_listing_refuses_is_a_400_naming_it(self, client):
        for name, value in [("stars", "abc"), ("commune", "no-such"), ("state", "x")]:
            _r, body = get_json(client, PRODUCTS, {name: value}, status=400)
            assert [e["parameter"] for e in body["errors"]] == [name]
            assert name in body["detail"]
