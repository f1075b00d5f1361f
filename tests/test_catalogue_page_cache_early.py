"""A cached anonymous page is served by PageCacheMiddleware (catalogue/caching.py), before
sessions, locale, CSRF, authentication, messages, axes and history, with every header the
page had when it was drawn."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_category, make_certificate, make_image, make_producer, make_product

pytestmark = pytest.mark.django_db

# Headers that vary per request by design.
PER_REQUEST = {"X-Request-ID", "Date"}


@pytest.fixture
def product():
    product = make_product(
        name="Chè búp Tân Cương", producer=make_producer(), category=make_category()
    )
    make_certificate(product=product, stars=4)
    make_image(product=product)
    return product


def urls(product) -> list[str]:
    return [
        reverse("catalogue:home"),
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?stars=4",
        product.get_absolute_url(),
        "/en" + product.get_absolute_url(),
        "/fr" + reverse("catalogue:product-list"),
        product.producer.get_absolute_url(),
        product.producer.commune.get_absolute_url(),
        reverse("catalogue:statistics"),
    ]


def headers(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name not in PER_REQUEST}


def test_a_cached_page_skips_the_session_and_authentication_and_keeps_its_headers(product):
    client = Client()
    for url in urls(product):
        drawn = client.get(url)
        with CaptureQueriesContext(connection) as context:
            served = client.get(url)
        assert served.status_code == drawn.status_code == 200, url
        assert len(context.captured_queries) == 0, url
        assert not hasattr(served.wsgi_request, "session"), url  # served before sessions
        assert not hasattr(served.wsgi_request, "user"), url
        assert served.content == drawn.content, url
        assert headers(served) == headers(drawn), url
        for name in ["Content-Security-Policy", "Content-Language", "Vary", "Cache-Control"]:
            assert served.has_header(name), (url, name)
        assert "Cookie" in served["Vary"], url


def test_each_language_is_served_its_own_page(product):
    client = Client()
    english, vietnamese = "/en" + product.get_absolute_url(), product.get_absolute_url()
    for url in [english, vietnamese, english, vietnamese]:
        client.get(url)
    assert client.get(english)["Content-Language"] == "en"
    assert client.get(vietnamese)["Content-Language"] == "vi"
    assert client.get(english).content != client.get(vietnamese).content


def test_a_signed_in_visitor_and_a_search_are_never_served_early(product, django_user_model):
    url = product.get_absolute_url()
    Client().get(url)  # cached
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("editor", password="x"))
    response = staff.get(url)
    assert hasattr(response.wsgi_request, "user")
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    search = reverse("catalogue:product-list") + "?q=che"
    anonymous = Client()
    anonymous.get(search)
    assert hasattr(anonymous.get(search).wsgi_request, "session")


def test_a_change_is_shown_at_once(product):
    client = Client()
    url = product.get_absolute_url()
    client.get(url)
    product.name = "Chè móc câu Tân Cương"
    product.save()
    assert "Chè móc câu Tân Cương" in client.get(url).content.decode()
