"""The events and news pages in a real browser: axe-core finds no serious or critical
violation, on a phone and a desktop, and the pages need no JavaScript."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_accessibility import BLOCKING, run_axe

CONTEST = "Hội thi OCOP Thái Nguyên năm 2025 “Chắt lọc tinh hoa – Lan tỏa bản sắc”"


@pytest.fixture(scope="module")
def events(site, django_db_blocker):
    """The real events, an entrant with an award, a seminar session and a news item; removed
    at the end, as the other browser tests expect the data they found."""
    from catalogue.models import Product
    from events.models import Entrant, Event, NewsItem, Session, Speaker

    with django_db_blocker.unblock():
        call_command("loaddata", "events", verbosity=0)
        contest = Event.objects.get(name=CONTEST)
        product = Product.objects.get(name="Chè Đinh Tân Cương")
        Entrant.objects.create(
            event=contest,
            product=product,
            award="Giải Nhất",
            booth="12",
            product_story="Câu chuyện sản phẩm chè Đinh.",
        )
        session = Session.objects.create(
            event=contest,
            title="Kết nối thị trường",
            day=datetime.date(2025, 11, 29),
            starts_at=datetime.time(9),
            room="Hội trường",
        )
        Speaker.objects.create(session=session, name="Diễn giả", organisation="Sở NN&MT")
        news = NewsItem.objects.create(
            title="Khai mạc hội thi OCOP 2025",
            summary="Tóm tắt.",
            body="Đoạn một.\n\nĐoạn hai.",
            published_on=datetime.date(2025, 11, 28),
        )
        news.events.add(contest)
        cache.clear()
    yield {"contest": contest, "product": product, "news": news}
    with django_db_blocker.unblock():
        NewsItem.objects.all().delete()
        Entrant.objects.all().delete()
        Event.objects.all().delete()
        cache.clear()


def pages(events) -> dict[str, str]:
    contest, news = events["contest"], events["news"]
    with translation.override("en"):
        english = contest.get_absolute_url()
    return {
        "events": reverse("events:event-list"),
        "events, filtered": reverse("events:event-list") + "?kind=contest&year=2025",
        "events, bad filter": reverse("events:event-list") + "?kind=party&year=abc",
        "event": contest.get_absolute_url(),
        "event, English": english,
        "news": reverse("events:news-list"),
        "news item": news.get_absolute_url(),
        "product with an award": events["product"].get_absolute_url(),
        "home": reverse("catalogue:home"),
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_events_pages_have_no_serious_axe_violation(site, events, new_context, axe_path, viewport):
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    report = {}
    for name, path in pages(events).items():
        response = page.goto(site + path)
        assert response.status == 200, path
        report[name] = [
            (v["id"], v["nodes"][:3]) for v in run_axe(page, axe_path) if v["impact"] in BLOCKING
        ]
    assert {name: found for name, found in report.items() if found} == {}


def test_the_event_page_works_without_javascript(site, events, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site + events["contest"].get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Hội thi OCOP Thái Nguyên năm 2025")
    expect(page.locator("#entrants-title")).to_be_visible()
    expect(page.get_by_text("Giải Nhất").first).to_be_visible()
    page.goto(site + reverse("events:event-list") + "?kind=fair")
    expect(page.get_by_text(CONTEST)).to_have_count(0)
