"""Public product codes and the QR codes of product pages."""

import io
import re

import pytest
import segno
import zxingcpp
from django.core.cache import cache
from django.core.management import call_command
from PIL import Image

from catalogue import qrcodes
from catalogue.models import CodeSequence, Product

from .factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://ocop.thainguyen.example"
    return settings.SITE_URL


def test_a_new_product_gets_the_next_public_code():
    """Codes are TN-OCOP- and a number of at least four digits, one after another."""
    first, second = make_product(), make_product()
    number = int(first.public_code.removeprefix("TN-OCOP-"))
    assert first.public_code == f"TN-OCOP-{number:04d}"
    assert second.public_code == f"TN-OCOP-{number + 1:04d}"


def test_a_public_code_never_changes_when_the_product_is_saved_again():
    product = make_product()
    code = product.public_code
    product.name = "Tên mới"
    product.save()
    product.refresh_from_db()
    assert product.public_code == code


def test_a_deleted_products_code_is_never_given_again():
    product = make_product()
    code = product.public_code
    product.delete()
    assert make_product().public_code != code


def test_a_code_loaded_raw_from_a_fixture_is_skipped(db):
    """A row stored without save() past the sequence does not make the next code collide."""
    sequence, _ = CodeSequence.objects.get_or_create(name="product")
    taken = f"TN-OCOP-{sequence.last_value + 1:04d}"
    product = make_product()
    Product.objects.filter(pk=product.pk).update(public_code=taken)
    assert make_product().public_code not in {taken, product.public_code}


def test_public_code_lookup_forgives_case_spaces_dashes_and_zeros():
    product = make_product()
    number = int(product.public_code.removeprefix("TN-OCOP-"))
    for text in [
        product.public_code,
        f" tn-ocop-{number} ",
        f"TNOCOP{number:06d}",
        f"tn ocop {number}",
    ]:
        assert list(Product.objects.with_public_code(text)) == [product], text
    for text in ["", "TN-OCOP-", "OCOP-1", "TN-OCOP-1x", "TN-OCOP-１２"]:
        assert not Product.objects.with_public_code(text).exists(), text


def test_the_product_page_shows_its_public_code(client):
    product = make_product()
    response = client.get(product.get_absolute_url())
    assert product.public_code in response.content.decode()


def test_the_public_url_is_the_vietnamese_page_without_language_prefix(site_url):
    from django.utils import translation

    product = make_product(slug="che-thu")
    with translation.override("en"):
        assert product.public_url == f"{site_url}/products/che-thu/"


def test_every_fixture_product_has_a_unique_public_code(db):
    call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
    codes = list(Product.objects.values_list("public_code", flat=True))
    assert len(codes) == 101 and len(set(codes)) == 101
    assert all(code.startswith("TN-OCOP-") for code in codes)
    assert CodeSequence.objects.get(name="product").last_value == 101
    assert make_product().public_code == "TN-OCOP-0102"


def decode_png(data: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(results) == 1
    return results[0].text


def test_the_png_qr_code_decodes_to_the_canonical_url(client, site_url):
    product = make_product(slug="mat-ong")
    response = client.get(f"/en/products/{product.slug}/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert decode_png(response.content) == f"{site_url}/products/mat-ong/"


def test_the_svg_qr_code_has_the_matrix_of_the_canonical_url(client, site_url):
    """Drawn back from its SVG rectangles, the code's modules are those of the URL's code."""
    product = make_product(slug="mat-ong")
    response = client.get(f"/products/{product.slug}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert matrix_of(svg) == matrix_of(svg_of(f"{site_url}/products/mat-ong/"))
    assert matrix_of(svg) != matrix_of(svg_of(f"{site_url}/products/mat-ong-2/"))


def svg_of(url: str) -> str:
    buffer = io.BytesIO()
    code = segno.make(url, error="m", boost_error=False)
    code.save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
    return buffer.getvalue().decode()


def matrix_of(svg: str) -> str:
    """The path data that draws the dark modules: the matrix, whatever the title."""
    return re.search(r' d="([^"]+)"', svg)[1]


def test_qr_codes_are_cached_by_url(client, site_url, monkeypatch):
    """The same URL is drawn once, whatever the language of the request."""
    drawn = []
    monkeypatch.setattr(qrcodes, "make", lambda url: drawn.append(url) or segno.make(url))
    product = make_product(slug="mat-ong")
    first = client.get(f"/products/{product.slug}/qr.png").content
    assert client.get(f"/fr/products/{product.slug}/qr.png").content == first
    assert drawn == [f"{site_url}/products/mat-ong/"]


def test_the_qr_code_follows_the_site_url_setting(client, settings):
    product = make_product(slug="mat-ong")
    settings.SITE_URL = "https://a.example"
    assert decode_png(client.get("/products/mat-ong/qr.png").content).startswith("https://a.")
    settings.SITE_URL = "https://b.example/"
    assert decode_png(client.get("/products/mat-ong/qr.png").content) == (
        "https://b.example/products/mat-ong/"
    )
    assert product.public_code


def test_unpublished_or_unknown_products_have_no_qr_code(client):
    make_product(slug="an", is_published=False)
    assert client.get("/products/an/qr.svg").status_code == 404
    assert client.get("/products/khong-co/qr.png").status_code == 404
