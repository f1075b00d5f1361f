"""The printable label page of a product."""

import datetime

import pytest
from django.utils import timezone

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db


def test_the_label_shows_what_a_buyer_needs_to_check_the_product(client):
    certificate = make_certificate(stars=4, decision_number="321/QĐ-UBND")
    product = certificate.product
    response = client.get(f"/en/products/{product.slug}/label/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [product.name, product.producer.name, "321/QĐ-UBND", product.public_code]:
        assert text in html
    assert "4 stars" in html and "OCOP" in html
    assert f"/products/{product.slug}/qr.svg" in html
    assert "css/label.css" in html
    assert "style=" not in html and "<script" not in html
    assert html.count('class="sticker"') == 1


def test_the_sheet_layout_prints_24_stickers(client):
    product = make_certificate().product
    response = client.get(f"/products/{product.slug}/label/", {"layout": "sheet"})
    assert response.content.decode().count('class="sticker"') == 24


def test_a_product_without_a_certificate_in_force_is_labelled_not_certified(client):
    today = timezone.localdate()
    product = make_product()
    make_certificate(
        product=product,
        decision_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=1),
    )
    html = client.get(f"/en/products/{product.slug}/label/").content.decode()
    assert "Not certified" in html
    assert "★" not in html


def test_unpublished_products_have_no_label(client):
    product = make_product(is_published=False)
    assert client.get(f"/products/{product.slug}/label/").status_code == 404
