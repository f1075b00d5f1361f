"""The public certificate check: genuine, expired, revoked, not found; rate limited."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import formats, timezone

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

URL = "/certificates/verify/"
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def check(client, query, **extra):
    return client.get(URL, {"q": query}, **extra)


def test_the_page_explains_that_a_qr_sticker_proves_nothing(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "proves nothing by itself" in client.get("/en" + URL).content.decode()
    assert 'method="get"' in response.content.decode()


def test_a_product_code_with_a_certificate_in_force_is_genuine(client):
    certificate = make_certificate(stars=5, score=95, decision_number="12/QĐ-UBND")
    product = certificate.product
    response = client.get("/en" + URL, {"q": product.public_code})
    assert response.status_code == 200
    html = response.content.decode()
    assert "verdict--in_force" in html
    assert "Genuine" in html
    assert product.name in html and product.producer.name in html
    assert "5 stars" in html
    assert certificate.valid_until is None  # none stated: 36 months from the decision
    assert formats.date_format(certificate.ends_on, "SHORT_DATE_FORMAT") in html


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"decision_date": None, "decision_number": ""}, "undated", "dates are not on record"),
        (
            {
                "decision_date": None,
                "decision_number": "",
                "evidence": "later_report",
                "reported_on": datetime.date(2026, 1, 1),
            },
            "reported",
            "renewal",
        ),
    ],
    ids=["undated", "later-report"],
)
def test_a_rating_the_record_cannot_prove_is_never_called_genuine(client, fields, status, says):
    """Without a dated decision or round in force, the check and the product page say what is
    and is not on record, never "genuine"."""
    product = make_certificate(**fields).product
    page = "/en" + product.get_absolute_url()
    for response in [client.get("/en" + URL, {"q": product.public_code}), client.get(page)]:
        html = response.content.decode()
        assert f"verdict--{status}" in html
        assert says in html
        assert "Genuine" not in html
        assert "Not on record" in html


def test_a_decision_number_is_found_whatever_its_spelling(client):
    certificate = make_certificate(decision_number="1234/QĐ-UBND")
    for text in ["1234/QĐ-UBND", " 1234/qđ-ubnd ", "1234/QD-UBND", "1234 QD UBND", "1234/Qd-Ubnd"]:
        response = check(client, text)
        assert "verdict--in_force" in response.content.decode(), text
        assert certificate.product.name in response.content.decode()
    assert "verdict--not_found" in check(client, "12345/QĐ-UBND").content.decode()


def test_one_decision_for_several_products_lists_them_all(client):
    first = make_certificate(decision_number="77/QĐ-UBND")
    second = make_certificate(decision_number="77/QĐ-UBND")
    html = check(client, "77/QĐ-UBND").content.decode()
    assert first.product.name in html and second.product.name in html


def test_an_expired_certificate_says_since_when(client):
    today = timezone.localdate()
    certificate = make_certificate(
        decision_date=today - 1200 * DAY, valid_until=today - 10 * DAY, decision_number="5/QĐ"
    )
    html = client.get("/en" + URL, {"q": certificate.product.public_code}).content.decode()
    assert "verdict--expired" in html
    assert "Expired since" in html
    assert (today - 9 * DAY).strftime("%Y-%m-%d") in html
    assert "Genuine" not in html


def test_a_revoked_certificate_says_when_and_why(client):
    today = timezone.localdate()
    certificate = make_certificate(
        revoked_on=today - 3 * DAY, revocation_reason="Vi phạm an toàn thực phẩm"
    )
    html = client.get("/en" + URL, {"q": certificate.decision_number}).content.decode()
    assert "verdict--revoked" in html
    assert "Vi phạm an toàn thực phẩm" in html
    assert (today - 3 * DAY).strftime("%Y-%m-%d") in html


def test_a_product_with_a_newer_certificate_in_force_is_genuine(client):
    today = timezone.localdate()
    product = make_product()
    make_certificate(product=product, decision_date=today - 1200 * DAY)
    make_certificate(product=product, decision_date=today - 5 * DAY)
    assert "verdict--in_force" in check(client, product.public_code).content.decode()


def test_a_product_never_certified_says_so(client):
    product = make_product()
    assert "verdict--uncertified" in check(client, product.public_code).content.decode()


def test_an_unpublished_product_is_not_found(client):
    certificate = make_certificate(product=make_product(is_published=False))
    assert "verdict--not_found" in check(client, certificate.product.public_code).content.decode()
    assert "verdict--not_found" in check(client, certificate.decision_number).content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "TN-OCOP-9999",
        "xyz",
        "'; DROP TABLE catalogue_product; --",
        "<script>alert(1)</script>",
        "\x00\x01 1234",
        "%" * 50,
        "_",
        "1" * 5000,
        "Chè Tân Cương ★★★★★",
        "١٢٣",
        "\u202e1234",
    ],
)
def test_any_input_is_not_found_never_an_error(client, text):
    make_certificate(decision_number="1234/QĐ-UBND")
    response = check(client, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "verdict--not_found" in html
    assert "<script>alert(1)</script>" not in html


def test_the_query_is_cut_to_its_maximum_length(client):
    response = check(client, "TN-OCOP-" + "1" * 500)
    assert response.context["query"] == "TN-OCOP-" + "1" * 92


def test_an_empty_query_shows_only_the_form(client):
    response = check(client, "   ")
    assert response.status_code == 200
    assert "verdict--" not in response.content.decode()


def test_lookups_are_rate_limited_per_client_address(client, settings):
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 3
    for _ in range(3):
        assert check(client, "1/QĐ", REMOTE_ADDR="203.0.113.7").status_code == 200
    response = client.get("/en" + URL, {"q": "1/QĐ"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "Please wait 10 minutes" in response.content.decode()
    assert check(client, "1/QĐ", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_the_empty_form_is_not_counted(client, settings):
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 1
    for _ in range(5):
        assert client.get(URL).status_code == 200
    assert check(client, "1/QĐ").status_code == 200


def test_the_product_page_shows_its_status_at_the_top(client):
    today = timezone.localdate()
    product = make_product()
    make_certificate(product=product, decision_date=today - 1200 * DAY, valid_until=today - DAY)
    html = client.get("/en" + product.get_absolute_url()).content.decode()
    assert html.index("verdict--expired") < html.index("product__name")
    assert "proves nothing by itself" in html
