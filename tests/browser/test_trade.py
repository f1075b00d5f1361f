"""Where to buy, visit and the map in a real browser: the map draws its markers from our own
files and asks nothing of another host (no tile server is set), the list works without
JavaScript, and axe-core finds no serious or critical violation."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from .conftest import DESKTOP, PHONE
from .test_accessibility import BLOCKING, run_axe

PRODUCT = "Chè Đinh Tân Cương"


@pytest.fixture(scope="module")
def places(site, django_db_blocker):
    """The real points of sale, two of them given test coordinates, a producer who welcomes
    visitors and channels on a product; removed at the end."""
    from catalogue.models import Product
    from trade.models import PointOfSale, ProducerPlace, SalesChannel

    with django_db_blocker.unblock():
        call_command("loaddata", "points_of_sale", verbosity=0)
        points = list(PointOfSale.objects.order_by("pk")[:2])
        for point, (lat, lng) in zip(
            points, [("21.59", "105.85"), ("22.15", "105.83")], strict=True
        ):
            point.latitude, point.longitude = Decimal(lat), Decimal(lng)
            point.save()
        product = Product.objects.get(name=PRODUCT)
        ProducerPlace.objects.create(
            producer=product.producer,
            welcomes_visitors=True,
            visit="Tham quan đồi chè và thử trà.",
            latitude=Decimal("21.58"),
            longitude=Decimal("105.77"),
        )
        SalesChannel.objects.create(product=product, kind="online", url="https://shopee.vn/x")
        SalesChannel.objects.create(product=product, kind="point_of_sale", point_of_sale=points[0])
        cache.clear()
    yield {"product": product, "point": points[0], "markers": 3}
    with django_db_blocker.unblock():
        SalesChannel.objects.all().delete()
        ProducerPlace.objects.all().delete()
        PointOfSale.objects.all().delete()
        cache.clear()


def test_the_map_draws_its_markers_without_leaving_the_site(site, places, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site + reverse("trade:map"))
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() == places["markers"]
    assert page.locator("#place-map").is_visible()
    page.locator(".leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content a")
    assert popup.count() == 1 and popup.get_attribute("href").startswith("/")
    outside = [url for url in requests if not url.startswith(site) and not url.startswith("data:")]
    assert outside == []
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in requests)


def test_without_javascript_the_map_is_a_list_with_directions(site, places, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site + reverse("trade:map"))
    assert not page.locator("#place-map").is_visible()
    assert page.locator("a.directions").count() >= places["markers"]
    assert page.locator(f'a[href="{places["point"].get_absolute_url()}"]').count() >= 1


def pages(places) -> dict[str, str]:
    product = places["product"]
    with translation.override("vi"):
        return {
            "where to buy": reverse("trade:point-list"),
            "point": places["point"].get_absolute_url(),
            "visit": reverse("trade:visit"),
            "map": reverse("trade:map"),
            "product with channels": product.get_absolute_url(),
            "enquiry": reverse("trade:enquiry", args=[product.slug]),
            "commune": product.producer.commune.get_absolute_url(),
            "producer who welcomes visitors": product.producer.get_absolute_url(),
            "where to buy, English": "/en" + reverse("trade:point-list"),
            "map, French": "/fr" + reverse("trade:map"),
        }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_no_serious_or_critical_axe_violations(site, places, new_context, axe_path, viewport):
    context = new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, path in pages(places).items():
        page.goto(site + path)
        if name.startswith("map"):
            page.wait_for_selector(".leaflet-marker-icon")
        violations = [v for v in run_axe(page, axe_path) if v["impact"] in BLOCKING]
        if violations:
            found[name] = violations
    assert found == {}


def test_the_enquiry_form_sends_in_the_browser(site, places, page, django_db_blocker):
    from trade.models import Enquiry

    page.goto(site + reverse("trade:enquiry", args=[places["product"].slug]))
    page.fill("#id_name", "Jane Buyer")
    page.fill("#id_email", "jane@example.com")
    page.fill("#id_message", "A quote for 100 boxes, please.")
    page.click(".report__form button[type=submit]")
    page.wait_for_url("**/contact/sent/")
    with django_db_blocker.unblock():
        assert Enquiry.objects.filter(name="Jane Buyer").exists()
        Enquiry.objects.all().delete()
