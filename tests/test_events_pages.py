"""The events and news pages: upcoming and past by the site's date, filters, entrants grouped
by award then category, the seminar programme, JSON-LD, and the sections on other pages."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event

from .factories import make_category, make_commune, make_producer, make_product, make_source
from .factories_events import make_entrant, make_event, make_news, make_session

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(response) -> list[dict]:
    return [json.loads(block) for block in JSON_LD.findall(response.content.decode())]


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


# Upcoming and past, either side of the dates


def test_timing_either_side_of_an_event_with_both_dates():
    event = make_event(starts_on=datetime.date(2025, 11, 28), ends_on=datetime.date(2025, 11, 30))
    assert event.timing(on=datetime.date(2025, 11, 27)) == "upcoming"
    assert event.timing(on=datetime.date(2025, 11, 28)) == "ongoing"
    assert event.timing(on=datetime.date(2025, 11, 30)) == "ongoing"
    assert event.timing(on=datetime.date(2025, 12, 1)) == "past"
    events = Event.objects.filter(pk=event.pk)
    assert events.upcoming(on=datetime.date(2025, 11, 30)).exists()
    assert not events.past(on=datetime.date(2025, 11, 30)).exists()
    assert events.past(on=datetime.date(2025, 12, 1)).exists()
    assert not events.upcoming(on=datetime.date(2025, 12, 1)).exists()


def test_an_event_with_only_a_start_day_is_past_the_day_after():
    event = make_event(starts_on=datetime.date(2025, 12, 24), ends_on=None)
    assert event.timing(on=datetime.date(2025, 12, 23)) == "upcoming"
    assert event.timing(on=datetime.date(2025, 12, 24)) == "ongoing"
    assert event.timing(on=datetime.date(2025, 12, 25)) == "past"


def test_an_event_known_to_the_month_is_on_until_the_month_ends():
    event = make_event(
        starts_on=datetime.date(2025, 11, 1), starts_on_precision="month", ends_on=None
    )
    assert event.timing(on=datetime.date(2025, 10, 31)) == "upcoming"
    assert event.timing(on=datetime.date(2025, 11, 30)) == "ongoing"
    assert event.timing(on=datetime.date(2025, 12, 1)) == "past"


def test_an_undated_event_is_neither_upcoming_nor_past():
    event = make_event(starts_on=None, ends_on=None)
    assert event.timing() == "undated"
    assert not Event.objects.upcoming().exists() and not Event.objects.past().exists()
    assert list(Event.objects.undated()) == [event]


def test_the_list_puts_events_by_the_date_in_ho_chi_minh_city(client):
    today = timezone.localdate()
    ended_yesterday = make_event(
        name="Hội chợ hôm qua", starts_on=today - 3 * ONE_DAY, ends_on=today - ONE_DAY
    )
    ends_today = make_event(name="Hội thi hôm nay", starts_on=today - ONE_DAY, ends_on=today)
    starts_tomorrow = make_event(name="Ngày hội ngày mai", starts_on=today + ONE_DAY)
    undated = make_event(name="Ngày hội chưa rõ ngày", starts_on=None, ends_on=None)
    make_event(name="Sự kiện ẩn", is_published=False)
    html = client.get(reverse("events:event-list")).content.decode()
    upcoming, past = section(html, "upcoming-title"), section(html, "past-title")
    assert ends_today.name in upcoming and starts_tomorrow.name in upcoming
    assert ended_yesterday.name in past and ended_yesterday.name not in upcoming
    assert undated.name in section(html, "undated-title")
    assert "Sự kiện ẩn" not in html
    # On now first, then the soonest.
    assert upcoming.index(ends_today.name) < upcoming.index(starts_tomorrow.name)


def test_filters_by_kind_and_year(client):
    contest = make_event(
        name="Hội thi 2025",
        kind="contest",
        starts_on=datetime.date(2025, 11, 28),
        ends_on=datetime.date(2025, 11, 30),
    )
    fair = make_event(
        name="Hội chợ 2024",
        kind="fair",
        starts_on=datetime.date(2024, 4, 26),
        ends_on=datetime.date(2024, 5, 1),
    )
    html = client.get(reverse("events:event-list"), {"kind": "fair"}).content.decode()
    assert fair.name in html and contest.name not in html
    html = client.get(reverse("events:event-list"), {"year": "2025"}).content.decode()
    assert contest.name in html and fair.name not in html
    assert '<option value="2024">2024</option>' in html


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "party"},
        {"year": "abc"},
        {"year": "-1"},
        {"year": "99999999999999999999"},
        {"kind": "<script>alert(1)</script>", "year": "2025x"},
    ],
)
def test_bad_filter_values_get_a_message_and_are_ignored(client, query):
    event = make_event(name="Hội thi còn hiện")
    with translation.override("en"):
        response = client.get(reverse("events:event-list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "this filter was ignored" in html
    assert event.name in html
    assert "<script>alert(1)" not in html


# The event page


def test_event_page_shows_facts_and_not_on_record(client):
    source = make_source(url="https://vietnamnet.vn/thai-nguyen-ocop")
    commune = make_commune(name="Vạn Xuân", slug="van-xuan")
    event = make_event(
        name="Festival nông sản",
        starts_on=datetime.date(2025, 12, 24),
        ends_on=None,
        venue="Quảng trường Vạn Xuân",
        commune=commune,
        organiser="",
        description_en="Opened on the evening of 24/12/2025.",
    )
    event.sources.add(source)
    with translation.override("en"):
        response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert "Quảng trường Vạn Xuân" in html
    assert "end date not on record" in html
    assert "Not on record" in html  # the organiser
    assert source.url in html
    assert "Opened on the evening of 24/12/2025." in html
    assert commune.get_absolute_url() in html


def test_unknown_and_unpublished_events_are_not_found(client):
    hidden = make_event(is_published=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:event-detail", args=["khong-co"])).status_code == 404


def test_entrants_are_grouped_by_award_then_category(client):
    event = make_event()
    tea, honey = make_category(name="Chè"), make_category(name="Mật ong")
    first = make_entrant(
        event=event,
        product=make_product(name="Chè Đinh", category=tea),
        award="Giải Nhất",
        rank=1,
        score=Decimal("92.50"),
        booth="A1",
        product_story="Ba thế hệ làm chè.",
    )
    second = make_entrant(
        event=event,
        product=make_product(name="Mật ong bạc hà", category=honey),
        award="Giải Nhì",
        rank=2,
    )
    also_second = make_entrant(
        event=event, product=make_product(name="Chè búp", category=tea), award="Giải Nhì", rank=2
    )
    plain = make_entrant(event=event, product=make_product(name="Miến dong", category=None))
    producer_only = make_entrant(event=event, producer=make_producer(name="HTX Thái Minh"))
    with translation.override("en"):
        html = client.get(event.get_absolute_url()).content.decode()
    html = section(html, "entrants-title")
    order = [
        html.index(text)
        for text in ("Giải Nhất", "Chè Đinh", "Giải Nhì", "Chè búp", "Mật ong bạc hà", "Miến dong")
    ]
    assert order == sorted(order)
    assert "92.50" in html and "A1" in html and "Ba thế hệ làm chè." in html
    assert "HTX Thái Minh" in html
    assert "5 entrants on record" in html
    for entrant in (first, second, also_second, plain, producer_only):
        assert entrant.producer.name in html


def test_the_seminar_programme_by_day(client):
    event = make_event(starts_on=datetime.date(2025, 11, 28), ends_on=datetime.date(2025, 11, 30))
    make_session(
        event=event,
        title="Kết nối thị trường",
        day=datetime.date(2025, 11, 29),
        starts_at=datetime.time(9),
        room="Phòng 2",
        speakers=[("Nguyễn Mỹ Hải", "Sở Nông nghiệp và Môi trường")],
    )
    make_session(
        event=event,
        title="Câu chuyện sản phẩm",
        day=datetime.date(2025, 11, 28),
        starts_at=datetime.time(14),
    )
    with translation.override("en"):
        html = client.get(event.get_absolute_url()).content.decode()
    programme = section(html, "programme-title")
    assert programme.index("Câu chuyện sản phẩm") < programme.index("Kết nối thị trường")
    assert '<time datetime="2025-11-28">' in programme
    assert "Nguyễn Mỹ Hải" in programme and "Sở Nông nghiệp và Môi trường" in programme
    assert "Phòng 2" in programme and "09:00" in programme


def test_event_json_ld_has_the_required_event_fields(client):
    event = make_event(
        starts_on=datetime.date(2025, 11, 28),
        ends_on=datetime.date(2025, 11, 30),
        venue="Nhà hát Ca múa nhạc dân gian Việt Bắc",
        organiser="Sở NN&MT",
    )
    data = next(d for d in json_ld(client.get(event.get_absolute_url())) if d["@type"] == "Event")
    assert data["@context"] == "https://schema.org"
    assert data["name"] == event.name
    assert data["startDate"] == "2025-11-28" and data["endDate"] == "2025-11-30"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["name"] == "Nhà hát Ca múa nhạc dân gian Việt Bắc"
    assert data["location"]["address"]["addressCountry"] == "VN"
    assert data["organizer"] == {"@type": "Organization", "name": "Sở NN&MT"}


def test_event_json_ld_invents_nothing(client):
    event = make_event(
        starts_on=datetime.date(2023, 11, 1),
        starts_on_precision="month",
        ends_on=None,
        venue="tỉnh Bắc Kạn",
        organiser="",
        status="cancelled",
    )
    data = next(d for d in json_ld(client.get(event.get_absolute_url())) if d["@type"] == "Event")
    assert data["startDate"] == "2023-11"
    assert "endDate" not in data and "organizer" not in data
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


@pytest.mark.parametrize(
    "unknown", [{"starts_on": None, "ends_on": None}, {"venue": ""}], ids=["date", "place"]
)
def test_no_event_json_ld_without_a_start_date_or_a_place(client, unknown):
    event = make_event(**unknown)
    types = [d["@type"] for d in json_ld(client.get(event.get_absolute_url()))]
    assert types == ["BreadcrumbList"]


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_event_pages_in_each_language(client, language):
    event = make_event(name="Hội thi OCOP", name_en="OCOP contest", name_fr="Concours OCOP")
    news = make_news(title="Tin", title_en="News item", title_fr="Nouvelle")
    with translation.override(language):
        pages = [
            reverse("events:event-list"),
            event.get_absolute_url(),
            reverse("events:news-list"),
            news.get_absolute_url(),
        ]
    expected = {"vi": "Hội thi OCOP", "en": "OCOP contest", "fr": "Concours OCOP"}[language]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.content.decode()
    assert expected in client.get(pages[1]).content.decode()


# The sections on the catalogue's pages


def test_product_and_producer_pages_show_events_and_awards(client):
    product = make_product(name="Chè Đinh Tân Cương")
    event = make_event(name="Hội thi OCOP Thái Nguyên 2025")
    make_entrant(event=event, product=product, award="Giải Nhất")
    hidden = make_event(name="Hội chợ chưa công bố", is_published=False)
    make_entrant(event=hidden, product=product)
    for page in (product.get_absolute_url(), product.producer.get_absolute_url()):
        html = client.get(page).content.decode()
        events = section(html, "event-entries-title")
        assert event.name in events and "Giải Nhất" in events
        assert event.get_absolute_url() in events
        assert hidden.name not in html


def test_a_product_without_events_has_no_events_section(client):
    product = make_product()
    assert "event-entries-title" not in client.get(product.get_absolute_url()).content.decode()


def test_home_shows_the_next_event_and_the_latest_news(client):
    today = timezone.localdate()
    make_event(name="Hội chợ đã qua", starts_on=today - 9 * ONE_DAY, ends_on=today - 8 * ONE_DAY)
    make_event(name="Hội thi sau", starts_on=today + 20 * ONE_DAY)
    make_event(name="Hội thi sắp tới", starts_on=today + 2 * ONE_DAY)
    make_news(title="Kết quả đánh giá đợt 3", published_on=today)
    make_news(title="Tin ngày mai", published_on=today + ONE_DAY)  # not yet published
    html = client.get(reverse("catalogue:home")).content.decode()
    assert "Hội thi sắp tới" in section(html, "next-event-title")
    assert "Hội thi sau" not in html and "Hội chợ đã qua" not in html
    assert "Kết quả đánh giá đợt 3" in section(html, "latest-news-title")
    assert "Tin ngày mai" not in html


# News


def test_news_item_page_with_paragraphs_links_and_related(client):
    event = make_event(name="Hội thi OCOP 2025")
    product = make_product(name="Chè Đinh")
    item = make_news(title="Kết quả hội thi", body="Đoạn một.\n\nXem https://example.org/ket-qua")
    item.events.add(event)
    item.products.add(product)
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<p>Đoạn một.</p>" in html
    assert '<a href="https://example.org/ket-qua"' in html
    assert event.get_absolute_url() in html and product.get_absolute_url() in html


def test_news_body_markup_is_escaped(client):
    item = make_news(body="<script>alert(1)</script>")
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_news_list_pages_and_bad_page_numbers(client):
    for _ in range(25):
        make_news()
    assert client.get(reverse("events:news-list")).status_code == 200
    for page in ("2", "abc", "999", "-1"):
        assert client.get(reverse("events:news-list"), {"page": page}).status_code == 200


# Cache and sitemap


def test_cached_event_page_changes_when_an_entrant_is_added(client):
    event = make_event()
    product = make_product(name="Mật ong bạc hà Mèo Vạc")
    assert product.name not in client.get(event.get_absolute_url()).content.decode()
    assert product.name not in client.get(event.get_absolute_url()).content.decode()  # cached
    make_entrant(event=event, product=product)
    assert product.name in client.get(event.get_absolute_url()).content.decode()


def test_cached_product_page_changes_when_an_award_is_given(client):
    entrant = make_entrant()
    url = entrant.product.get_absolute_url()
    assert "Giải Ba" not in client.get(url).content.decode()
    entrant.award = "Giải Ba"
    entrant.save()
    assert "Giải Ba" in client.get(url).content.decode()


def test_sitemap_lists_events_and_news_in_three_languages(client):
    event = make_event()
    news = make_news()
    make_event(slug="an-di", is_published=False)
    events = client.get("/sitemap-events.xml").content.decode()
    assert events.count(f"<loc>{settings.SITE_URL}{event.get_absolute_url()}</loc>") == 1
    assert 'hreflang="fr"' in events and "/en" + event.get_absolute_url() in events
    assert "an-di" not in events
    assert news.get_absolute_url() in client.get("/sitemap-news.xml").content.decode()
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-events.xml" in index and "sitemap-news.xml" in index


def test_the_news_list_links_its_feed_and_the_rating_changes_feed(client):
    html = client.get(reverse("events:news-list")).content.decode()
    feed = reverse("events:news-feed")
    assert '<link rel="alternate" type="application/atom+xml"' in html and feed in html
    assert f'href="{reverse("opendata:rating-feed")}"' in html


def test_an_unpublished_product_is_not_listed_among_the_entrants(client):
    event = make_event()
    hidden = make_product(name="Sản phẩm đã rút", is_published=False)
    make_entrant(event=event, product=hidden)
    make_entrant(event=event, product=make_product(producer=hidden.producer, name="Chè còn bán"))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Chè còn bán" in html and "Sản phẩm đã rút" not in html
    producer_page = client.get(hidden.producer.get_absolute_url()).content.decode()
    assert "Sản phẩm đã rút" not in producer_page
