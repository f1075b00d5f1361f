"""Visits tied to production (/visit/), directions, coordinates and the map (/map/)."""

import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import Product

from .adminforms import form_data
from .factories import make_category, make_commune, make_producer, make_product
from .factories_trade import make_place, make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def tourism():
    return make_category(name="Du lịch cộng đồng", slug="du-lich-thu", is_service=True)


def test_visit_lists_the_tourism_products_of_the_fixtures(client):
    call_command("loaddata", "communes", "categories", "sources", "register", verbosity=0)
    services = Product.objects.published().filter(category__is_service=True)
    assert services.count() == 3
    response = client.get(reverse("trade:visit"))
    html = response.content.decode()
    for product in services:
        assert f'href="{product.get_absolute_url()}"' in html
    # The fixtures record no visiting address: said so, never made up.
    assert html.count("Địa chỉ tham quan") == 3
    assert "chưa ghi nhận" in html


def test_visit_shows_the_visiting_information_and_hosts_with_their_products(client, tourism):
    commune = make_commune(name="Ba Bể")
    homestay = make_product(
        name="Homestay Pác Ngòi",
        category=tourism,
        producer=make_producer(commune=commune),
        visiting_address="bản Pác Ngòi",
        opening_hours="cả ngày",
        visiting_contact="0912 000 111",
    )
    farm = make_producer(name="HTX Chè Khuôn Gà", commune=commune, address="xóm Khuôn Gà")
    tea = make_product(name="Chè Khuôn Gà", producer=farm)
    hidden = make_product(name="Chè ẩn", producer=farm, is_published=False)
    make_place(
        farm,
        visit="Hái chè và sao chè cùng nhà vườn.",
        visit_en="Pick and roast tea with the growers.",
        visiting_hours="8:00–16:00",
        latitude=Decimal("22.41"),
        longitude=Decimal("105.62"),
    )
    not_welcoming = make_producer(name="HTX không đón khách", commune=commune)
    make_product(producer=not_welcoming)
    make_place(not_welcoming, welcomes_visitors=False)
    html = client.get(reverse("trade:visit")).content.decode()
    assert homestay.get_absolute_url() in html
    assert "bản Pác Ngòi" in html and "cả ngày" in html and "0912 000 111" in html
    assert "Hái chè và sao chè cùng nhà vườn." in html and "8:00–16:00" in html
    assert tea.get_absolute_url() in html and hidden.get_absolute_url() not in html
    assert "HTX không đón khách" not in html
    assert "https://www.openstreetmap.org/?mlat=22.410000&amp;mlon=105.620000" in html
    english = client.get("/en/visit/").content.decode()
    assert '<p lang="en">Pick and roast tea with the growers.</p>' in english or (
        "Pick and roast tea with the growers." in english
    )
    data = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    items = [
        entry["item"]
        for block in data
        if block.get("@type") == "ItemList"
        for entry in block["itemListElement"]
    ]
    assert {item["@type"] for item in items} == {"TouristAttraction", "LocalBusiness"}
    business = next(item for item in items if item["@type"] == "LocalBusiness")
    assert business["geo"]["latitude"] == 22.41


def test_the_commune_page_has_a_visit_section(client, tourism):
    commune = make_commune(name="Ba Bể", slug="ba-be")
    homestay = make_product(category=tourism, producer=make_producer(commune=commune))
    elsewhere = make_product(category=tourism)
    html = client.get(reverse("catalogue:commune-detail", args=["ba-be"])).content.decode()
    assert 'id="commune-visit-title">Tham quan</h2>' in html
    assert homestay.get_absolute_url() in html
    assert elsewhere.get_absolute_url() not in html.split('id="results-title"')[0]


def test_the_commune_page_shows_a_bounded_number_of_visits(client, tourism):
    """However many tourism services a commune has, its page shows twelve and links /visit/."""
    from trade.templatetags.trade_tags import COMMUNE_PAGE_PLACES

    commune = make_commune(name="Ba Bể", slug="ba-be")
    producer = make_producer(commune=commune)
    for n in range(COMMUNE_PAGE_PLACES):
        make_product(category=tourism, producer=producer, name=f"Homestay {n:02}")
    url = reverse("catalogue:commune-detail", args=["ba-be"])
    visits = client.get(url).content.decode().split('id="commune-visit-title"')[1]
    assert visits.count('class="trade__place"') == COMMUNE_PAGE_PLACES
    assert reverse("trade:visit") not in visits.split('id="results-title"')[0]

    make_product(category=tourism, producer=producer, name="Homestay 99")
    visits = client.get(url).content.decode().split('id="commune-visit-title"')[1]
    section = visits.split('id="results-title"')[0]
    assert section.count('class="trade__place"') == COMMUNE_PAGE_PLACES
    assert reverse("trade:visit") in section


# Coordinates


@pytest.mark.parametrize(
    ("latitude", "longitude", "ok"),
    [
        ("21.5942", "105.8482", True),  # Thái Nguyên city
        ("22.1470", "105.8348", True),  # Bắc Kạn (merged)
        ("105.8482", "21.5942", False),  # swapped
        ("21.0278", "105.8342", False),  # Hà Nội
        ("21.5942", "", False),  # half
    ],
)
def test_the_admin_checks_coordinates_fall_inside_the_province(
    staff_client, latitude, longitude, ok
):
    point = make_point()
    url = reverse("admin:trade_pointofsale_change", args=[point.pk])
    data = form_data(staff_client.get(url).content, "pointofsale_form")
    data.update({"latitude": latitude, "longitude": longitude})
    response = staff_client.post(url, data)
    point.refresh_from_db()
    if ok:
        assert response.status_code == 302
        assert point.latitude == Decimal(latitude)
    else:
        assert response.status_code == 200
        html = response.content.decode()
        assert "nằm ngoài tỉnh Thái Nguyên" in html or "Nhập cả vĩ độ và kinh độ" in html
        assert point.latitude is None


def test_the_producer_admin_edits_the_place_and_its_channels(staff_client):
    producer = make_producer()
    url = reverse("admin:catalogue_producer_change", args=[producer.pk])
    page = staff_client.get(url).content.decode()
    assert "place-TOTAL_FORMS" in page and "sales_channels-TOTAL_FORMS" in page
    data = form_data(page, "producer_form")
    data.update(
        {
            "place-TOTAL_FORMS": "1",
            "place-0-welcomes_visitors": "on",
            "place-0-visit": "Xem làm bánh.",
            "place-0-latitude": "30.0",
            "place-0-longitude": "105.8",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200 and "nằm ngoài tỉnh Thái Nguyên" in response.content.decode()
    data["place-0-latitude"] = "21.6"
    assert staff_client.post(url, data).status_code == 302
    assert producer.place.welcomes_visitors and producer.place.latitude == Decimal("21.6")


# The map


def markers(response) -> list[dict]:
    html = response.content.decode()
    return json.loads(
        re.search(
            r'<script id="map-places" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )


def test_the_map_has_a_marker_for_every_place_with_coordinates(client, tourism):
    with_coordinates = make_point(
        name="Điểm có tọa độ", latitude=Decimal("21.6"), longitude=Decimal("105.8")
    )
    without = make_point(name="Điểm chưa có tọa độ")
    farm = make_producer(name="HTX có tọa độ")
    make_product(producer=farm)
    make_place(farm, welcomes_visitors=False, latitude=Decimal("22.0"), longitude=Decimal("105.9"))
    response = client.get(reverse("trade:map"))
    found = {(m["name"], m["lat"], m["lng"], m["url"]) for m in markers(response)}
    assert found == {
        ("Điểm có tọa độ", 21.6, 105.8, with_coordinates.get_absolute_url()),
        ("HTX có tọa độ", 22.0, 105.9, farm.get_absolute_url()),
    }
    html = response.content.decode()
    # Without JavaScript: every place in the list, with directions.
    assert without.get_absolute_url() in html and with_coordinates.get_absolute_url() in html
    assert html.count('class="directions"') >= 2
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html and 'src="/static/js/map.js"' in html
    assert 'data-tiles=""' in html  # no tile server unless set


def test_a_name_with_markup_stays_data(client):
    make_point(
        name="</script><script>alert(1)</script>",
        latitude=Decimal("21.6"),
        longitude=Decimal("105.8"),
    )
    response = client.get(reverse("trade:map"))
    assert "</script><script>alert(1)" not in response.content.decode()
    assert markers(response)[0]["name"] == "</script><script>alert(1)</script>"


def test_the_csp_allows_the_tile_host_only_when_set(client):
    """The CSP is built from the environment at start: checked here through the settings."""
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ocop_site.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    env = {**os.environ, "MAP_TILE_URL": "https://tile.example.org/{z}/{x}/{y}.png"}
    with_tiles = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "'https://tile.example.org'" in with_tiles.stdout
    env.pop("MAP_TILE_URL")
    without = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "tile" not in without.stdout
    header = client.get(reverse("trade:map"))["Content-Security-Policy"]
    assert "img-src 'self' data:" in header and "tile" not in header


def test_the_map_in_english_and_french(client):
    make_point(latitude=Decimal("21.6"), longitude=Decimal("105.8"))
    assert "<h1>Map of OCOP places</h1>" in client.get("/en/map/").content.decode()
    assert "<h1>Carte des lieux OCOP</h1>" in client.get("/fr/map/").content.decode()


def test_the_producer_page_has_directions_and_its_visits(client):
    farm = make_producer(name="HTX Chè Khuôn Gà", address="xóm Khuôn Gà")
    make_product(producer=farm)
    html = client.get(farm.get_absolute_url()).content.decode()
    assert "https://www.openstreetmap.org/search?query=x%C3%B3m%20Kh" in html
    assert "Đón khách tham quan" not in html
    make_place(farm, visit="Hái chè cùng nhà vườn.", visiting_hours="8:00–16:00")
    html = client.get(farm.get_absolute_url()).content.decode()
    assert "Đón khách tham quan" in html and "Hái chè cùng nhà vườn." in html
    assert "8:00–16:00" in html and reverse("trade:visit") in html
