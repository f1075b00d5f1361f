"""The printable label page of a product."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

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
    # No validity is stated: the last day of the 36 months from the decision.
    with translation.override("en"):
        until = date_format(certificate.ends_on, "SHORT_DATE_FORMAT")
    assert f"Valid until {until}" in html
    assert f"/products/{product.slug}/qr.svg" in html
    assert "css/label.css" in html
    assert "style=" not in html and "<script" not in html
    assert html.count('class="sticker"') == 1


def test_the_sheet_layout_prints_24_stickers(client):
    product = make_certificate().product
    response = client.get(f"/products/{product.slug}/label/", {"layout": "sheet"})
    assert response.content.decode().count('class="sticker"') == 24


NOT_HELD = {
    "expired": lambda today: {
        "decision_date": today - datetime.timedelta(days=1200),
        "valid_until": today - datetime.timedelta(days=1),
    },
    "undated": lambda today: {"decision_number": "", "decision_date": None},
    "revoked": lambda today: {
        "revoked_on": today - datetime.timedelta(days=1),
        "revocation_reason": "Vi phạm",
    },
}


@pytest.mark.parametrize("rating", NOT_HELD.values(), ids=NOT_HELD.keys())
def test_a_product_without_a_rating_in_force_is_labelled_so_without_stars(client, rating):
    """Its latest level stays on record, but a label never prints stars the record does not
    show held today."""
    product = make_product()
    make_certificate(product=product, stars=4, **rating(timezone.localdate()))
    html = client.get(f"/en/products/{product.slug}/label/").content.decode()
    assert "No certificate in force" in html
    assert "★" not in html and "4 stars" not in html


def test_a_product_without_any_rating_is_labelled_not_certified(client):
    product = make_product()
    html = client.get(f"/en/products/{product.slug}/label/").content.decode()
    assert "Not certified" in html
    assert "★" not in html


def test_a_reported_rating_is_labelled_with_its_stars_and_no_invented_decision(client):
    """A later report of the level (its renewal's decision not on record): the stars, and no
    decision number, since none is on record."""
    product = make_product()
    reported_on = timezone.localdate() - datetime.timedelta(days=10)
    make_certificate(
        product=product,
        stars=5,
        decision_number="",
        decision_date=None,
        evidence="later_report",
        reported_on=reported_on,
    )
    html = client.get(f"/en/products/{product.slug}/label/").content.decode()
    assert "5 stars" in html and "★★★★★" in html
    assert "Decision" not in html


def test_unpublished_products_have_no_label(client):
    product = make_product(is_published=False)
    assert client.get(f"/products/{product.slug}/label/").status_code == 404
