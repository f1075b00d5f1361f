"""Quality marks other than OCOP: badges, the listing filter, the fixture's GI."""

import datetime

import pytest
from django.core.management import call_command

from catalogue.models import Product
from marks.models import QualityMark

from .factories import make_product

pytestmark = pytest.mark.django_db


def make_mark(**overrides) -> QualityMark:
    fields = {
        "kind": QualityMark.Kind.GEOGRAPHICAL_INDICATION,
        "name": "Chè Thử",
        "number": "00099",
        "issuer": "Cục Sở hữu trí tuệ",
        "date": datetime.date(2007, 9, 20),
    }
    return QualityMark.objects.create(**(fields | overrides))


def test_a_mark_gets_a_slug_from_its_kind_and_name():
    assert make_mark(name="Chè Thử").slug == "gi-che-thu"


def test_the_product_page_shows_its_marks_with_number_and_issuer(client):
    product = make_product()
    make_mark().products.add(product)
    html = client.get("/en" + product.get_absolute_url()).content.decode()
    assert "geographical indication" in html
    assert "No. 00099" in html and "Cục Sở hữu trí tuệ" in html


def test_a_product_without_marks_shows_no_marks_panel(client):
    product = make_product()
    assert "quality-marks" not in client.get(product.get_absolute_url()).content.decode()


def test_the_listing_filters_by_mark_and_shows_a_chip(client):
    marked, other = make_product(name="Chè có dấu"), make_product(name="Mật ong")
    mark = make_mark()
    mark.products.add(marked)
    response = client.get("/products/", {"mark": mark.slug})
    products = list(response.context["page"].object_list)
    assert products == [marked]
    assert [chip.label for chip in response.context["chips"]] == [mark.name]
    assert other not in products


def test_an_unknown_mark_is_ignored_with_a_message(client):
    make_product()
    response = client.get("/products/", {"mark": "khong-co"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_the_fixture_gi_covers_only_tan_cuong_tea(db):
    call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
    gi = QualityMark.objects.get(kind=QualityMark.Kind.GEOGRAPHICAL_INDICATION)
    assert (gi.name, gi.number, gi.decision, gi.date) == (
        "Chè Tân Cương",
        "00013",
        "1144/QĐ-SHTT",
        datetime.date(2007, 9, 20),
    )
    linked = list(gi.products.all())
    assert linked
    for product in linked:
        assert product.producer.commune.slug == "tan-cuong"
        assert product.category.slug == "che"
    tan_cuong_tea = Product.objects.filter(
        producer__commune__slug="tan-cuong", category__slug="che"
    )
    assert set(linked) == set(tan_cuong_tea)
    trademarks = QualityMark.objects.filter(kind=QualityMark.Kind.COLLECTIVE_TRADEMARK)
    assert sorted(trademarks.values_list("name", flat=True)) == sorted(
        ["Chè Thái Nguyên", "La Bằng", "Trại Cài", "Vô Tranh", "Phổ Yên"]
    )
    assert all(mark.source_url for mark in QualityMark.objects.all())


def test_marks_are_managed_in_the_admin(staff_client):
    mark = make_mark()
    assert staff_client.get("/admin/marks/qualitymark/").status_code == 200
    assert staff_client.get(f"/admin/marks/qualitymark/{mark.pk}/change/").status_code == 200


def test_the_admin_pages_from_before_marks_had_their_app_redirect(staff_client):
    mark = make_mark()
    response = staff_client.get(f"/admin/catalogue/qualitymark/{mark.pk}/change/?_popup=1")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/marks/qualitymark/{mark.pk}/change/?_popup=1"
    response = staff_client.get("/admin/catalogue/commune/?kind=xa")
    assert (response.status_code, response["Location"]) == (302, "/admin/places/commune/?kind=xa")


def test_the_mark_filter_runs_as_many_queries_for_3_as_for_30_products(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mark = make_mark()

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/products/", {"mark": mark.slug}).status_code == 200
        return len(context.captured_queries)

    mark.products.add(*[make_product() for _ in range(3)])
    small = count()
    mark.products.add(*[make_product() for _ in range(27)])
    assert count() == small
