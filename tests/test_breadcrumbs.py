"""Breadcrumbs: Home › Commune › Product, and the like on the other detail pages."""

import re

import pytest
from django.urls import reverse

from .factories import make_category, make_commune, make_producer, make_product

pytestmark = pytest.mark.django_db


def trail(response) -> list[str]:
    """The breadcrumb items' texts, the current page last and marked aria-current."""
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', response.content.decode(), re.S)
    assert nav, "no breadcrumbs"
    items = re.findall(r"<li>(.*?)</li>", nav.group(0), re.S)
    assert 'aria-current="page"' in items[-1]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_a_product_sits_under_its_commune(client):
    commune = make_commune(name="Tân Cương")
    product = make_product(name="Chè búp", producer=make_producer(commune=commune))
    assert trail(client.get(product.get_absolute_url())) == ["Trang chủ", "Tân Cương", "Chè búp"]


def test_a_product_without_a_commune_sits_under_products(client):
    product = make_product(name="Chè búp", producer=make_producer(commune=None))
    assert trail(client.get(product.get_absolute_url())) == ["Trang chủ", "Sản phẩm", "Chè búp"]


def test_a_category_sits_under_its_ancestors(client):
    sector = make_category(name="Thực phẩm")
    group = make_category(name="Chè", parent=sector)
    assert trail(client.get(group.get_absolute_url())) == [
        "Trang chủ",
        "Nhóm sản phẩm",
        "Thực phẩm",
        "Chè",
    ]


def test_producer_commune_and_star_pages(client):
    commune = make_commune(name="Tân Cương")
    producer = make_producer(name="HTX Chè", commune=commune)
    make_product(producer=producer)
    assert trail(client.get(producer.get_absolute_url())) == ["Trang chủ", "Chủ thể", "HTX Chè"]
    assert trail(client.get(commune.get_absolute_url())) == [
        "Trang chủ",
        "Xã, phường",
        "Tân Cương",
    ]
    assert trail(client.get(reverse("catalogue:star-detail", args=[4]))) == [
        "Trang chủ",
        "Sản phẩm",
        "4 sao",
    ]
    assert trail(client.get("/en" + producer.get_absolute_url()))[0] == "Home"
