"""The OCOP points of sale: /where-to-buy/, a page per point, the commune page's section, and
the points of points_of_sale.csv in the fixtures."""

import csv
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from trade.models import PointOfSale

from .factories import make_category, make_commune, make_producer, make_product
from .factories_trade import make_channel, make_point

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "points_of_sale.csv"
FIXTURES = ["communes", "categories", "sources", "register", "points_of_sale"]


@pytest.fixture
def csv_rows():
    if not DATA.exists():
        pytest.skip(f"{DATA} is not available")
    with DATA.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def test_every_point_of_the_data_is_in_the_fixtures_with_its_sources(loaded, csv_rows):
    assert PointOfSale.objects.count() == len(csv_rows) == 6
    for row in csv_rows:
        point = PointOfSale.objects.get(name=row["name"])
        assert point.operator == row["operator"]
        assert point.address == row["address"]
        assert point.former_address == row["former_address"]
        assert point.kind_detail == row["kind"]
        assert point.note == row["note"]
        # Each fact at the source's precision: no year, no commune, no coordinates invented.
        assert point.recognised_year == (
            int(row["recognised_year"]) if row["recognised_year"] else None
        )
        commune = point.commune
        assert (f"{commune.get_kind_display()} {commune.name}" if commune else "") == row[
            "commune_vi"
        ]
        assert point.latitude is None and point.longitude is None
        assert point.opening_hours == point.phone == ""
        urls = set(re.findall(r"https?://[^\s;]+", row["source"]))
        assert {source.url for source in point.sources.all()} == urls


def test_the_fixture_loads_twice_without_change(loaded):
    before = list(PointOfSale.objects.order_by("pk").values())
    call_command("loaddata", "points_of_sale", verbosity=0)
    assert list(PointOfSale.objects.order_by("pk").values()) == before


def test_the_fixture_file_uses_natural_keys_only():
    objects = json.loads(
        (Path(settings.FIXTURE_DIRS[0]) / "points_of_sale.json").read_text(encoding="utf-8")
    )
    assert objects and all("pk" not in obj for obj in objects)


def test_where_to_buy_lists_every_point_with_its_source(loaded, client):
    response = client.get(reverse("trade:point-list"))
    assert response.status_code == 200
    html = response.content.decode()
    for point in PointOfSale.objects.prefetch_related("sources"):
        assert f'href="{point.get_absolute_url()}"' in html
        for source in point.sources.all():
            assert f'href="{source.url.replace("&", "&amp;")}"' in html
    assert "Ghi nhận 6 điểm bán." in html
    # Grouped by commune; the points of no recorded commune last.
    headings = re.findall(r'<h2 id="commune-\d+">(?:<a [^>]*>)?([^<]*)', html)
    assert headings[-1] == "Chưa ghi nhận xã/phường"
    assert headings[:-1] == sorted(headings[:-1])


def test_where_to_buy_filters_by_commune(loaded, client):
    response = client.get(reverse("trade:point-list"), {"commune": "duc-xuan"})
    assert [p.commune.slug for g in response.context["groups"] for p in g.points] == ["duc-xuan"]


def test_where_to_buy_filters_by_the_category_of_the_products_carried(client, db):
    tea, honey = make_category(), make_category()
    tea_set = make_category(parent=tea)
    tea_point, honey_point, empty_point = make_point(), make_point(), make_point()
    make_channel(
        product=make_product(category=tea_set),
        kind="point_of_sale",
        url="",
        point_of_sale=tea_point,
    )
    honey_producer = make_producer()
    make_product(producer=honey_producer, category=honey)
    make_channel(producer=honey_producer, kind="point_of_sale", url="", point_of_sale=honey_point)
    for category, expected in ((tea, tea_point), (honey, honey_point)):
        response = client.get(reverse("trade:point-list"), {"category": category.slug})
        assert [p for g in response.context["groups"] for p in g.points] == [expected]
    assert empty_point  # carries nothing: in no category's list


@pytest.mark.parametrize(
    "query", [{"commune": "<script>"}, {"category": "x" * 500}, {"commune": "khong-co-xa-nay"}]
)
def test_unknown_filter_values_are_ignored_with_a_message(client, db, query):
    make_point()
    response = client.get(reverse("trade:point-list"), query)
    assert response.status_code == 200
    assert "bộ lọc này đã được bỏ qua" in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_a_points_page_lists_its_products_and_how_to_get_there(client, db):
    commune = make_commune(name="Tân Cương")
    point = make_point(
        name="Điểm bán OCOP Tân Cương",
        commune=commune,
        address="chợ Tân Cương",
        opening_hours="7:00–18:00",
        phone="0912 345 678",
        recognised_year=2022,
        latitude="21.59",
        longitude="105.76",
    )
    own = make_product(name="Chè búp Tân Cương")
    make_channel(product=own, kind="point_of_sale", url="", point_of_sale=point)
    producer = make_producer()
    by_producer = make_product(name="Mật ong bạc hà", producer=producer)
    make_channel(producer=producer, kind="point_of_sale", url="", point_of_sale=point)
    other = make_product(name="Miến dong")
    unpublished = make_product(name="Sản phẩm ẩn", is_published=False)
    make_channel(product=unpublished, kind="point_of_sale", url="", point_of_sale=point)
    response = client.get(point.get_absolute_url())
    assert set(response.context["products"]) == {own, by_producer}
    assert other not in response.context["products"]
    html = response.content.decode()
    assert "chợ Tân Cương" in html and "7:00–18:00" in html and 'href="tel:0912345678"' in html
    # Directions by its coordinates.
    assert "https://www.openstreetmap.org/?mlat=21.590000&amp;mlon=105.760000" in html
    data = json_ld(html)
    assert data["@type"] == "Store"
    assert data["address"]["streetAddress"] == "chợ Tân Cương"
    assert data["address"]["addressLocality"] == "Tân Cương"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 21.59, "longitude": 105.76}


def test_a_point_with_unknown_facts_says_not_on_record_and_has_no_geo(client, db):
    point = make_point(commune=None)
    html = client.get(point.get_absolute_url()).content.decode()
    assert html.count("chưa ghi nhận") >= 4
    assert "Chưa ghi nhận số nhà, đường" in html
    data = json_ld(html)
    assert "geo" not in data and "streetAddress" not in data["address"]
    assert "Directions" not in html and "Chỉ đường" not in html  # nothing to search for


def test_the_commune_page_shows_its_points(client, db):
    commune = make_commune(name="Đức Xuân", slug="duc-xuan")
    here = make_point(commune=commune, name="Điểm giới thiệu OCOP Đức Xuân")
    elsewhere = make_point(name="Điểm ở xã khác")
    make_product(producer=make_producer(commune=commune))
    html = client.get(reverse("catalogue:commune-detail", args=["duc-xuan"])).content.decode()
    assert "Điểm bán sản phẩm OCOP tại đây" in html
    assert here.get_absolute_url() in html and elsewhere.get_absolute_url() not in html


def test_the_pages_are_in_english_and_french(client, db):
    point = make_point()
    for prefix, title in (
        ("/en", "Where to buy: OCOP points of sale"),
        ("/fr", "Où acheter : les points de vente OCOP"),
    ):
        html = client.get(f"{prefix}/where-to-buy/").content.decode()
        assert f"<h1>{title}</h1>" in html
        assert client.get(f"{prefix}/where-to-buy/{point.slug}/").status_code == 200


def test_the_new_pages_are_in_the_sitemap(client, db):
    point = make_point()
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-points-of-sale.xml" in index and "sitemap-where-to-buy.xml" in index
    points = client.get("/sitemap-points-of-sale.xml").content.decode()
    assert point.get_absolute_url() in points and f"/en{point.get_absolute_url()}" in points
    pages = client.get("/sitemap-where-to-buy.xml").content.decode()
    for name in ("trade:point-list", "trade:visit", "trade:map"):
        assert f"{reverse(name)}</loc>" in pages


def test_the_navigation_links_the_new_pages(client, db):
    html = client.get("/").content.decode()
    for name in ("trade:point-list", "trade:visit", "trade:map"):
        assert f'href="{reverse(name)}"' in html


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return next(data for data in map(json.loads, blocks) if data.get("@type") != "BreadcrumbList")
