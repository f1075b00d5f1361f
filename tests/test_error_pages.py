"""The 404 and 500 pages in the site's style."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings


@pytest.mark.django_db
def test_the_404_page_has_the_site_header_and_a_way_on(client):
    """An unknown address answers 404 with the site's header, a search form and links onwards."""
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert 'class="error-page"' in page
    assert 'name="q"' in page


def test_the_500_page_renders_with_no_request_and_no_database():
    """Django renders 500.html with an empty context; it must not need a request or the database.

    No django_db mark: any query would raise here.
    """
    page = render_to_string("500.html", {})
    assert 'class="site-header"' in page
    assert "css/site.css" in page
    assert "<script" not in page


@pytest.mark.django_db
@override_settings(DEBUG=False, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_error_in_a_view_shows_the_500_page(monkeypatch):
    """A view that raises answers 500 with the styled page, not a blank or debug page."""
    from catalogue import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.Paginator, "get_page", broken)
    response = Client(raise_request_exception=False).get("/producers/")
    assert response.status_code == 500
    assert 'class="error-page"' in response.content.decode()
