"""The iCalendar feeds (RFC 5545, parsed back with icalendar) and the Atom feed of news."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from .factories_events import make_event, make_news, make_session

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def calendar_of(client, path) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    # RFC 5545 3.1: lines of at most 75 octets, folded.
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    return Calendar.from_ical(body)


def test_the_calendar_holds_every_published_dated_event_as_all_day(client):
    contest = make_event(
        name="Hội thi OCOP 2025",
        starts_on=datetime.date(2025, 11, 28),
        ends_on=datetime.date(2025, 11, 30),
        venue="Nhà hát Việt Bắc",
    )
    festival = make_event(name="Festival 2025", starts_on=datetime.date(2025, 12, 24))
    make_event(name="Ẩn", is_published=False)
    with translation.override("en"):
        cal = calendar_of(client, reverse("events:events-ics"))
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert cal["X-WR-TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    events = {str(event["SUMMARY"]): event for event in cal.walk("VEVENT")}
    assert set(events) == {contest.name, festival.name}
    vevent = events[contest.name]
    assert vevent["DTSTART"].params.get("VALUE") == "DATE"
    assert vevent.decoded("DTSTART") == datetime.date(2025, 11, 28)
    assert vevent.decoded("DTEND") == datetime.date(2025, 12, 1)  # exclusive
    assert "Nhà hát Việt Bắc" in str(vevent["LOCATION"])
    assert str(vevent["URL"]).endswith(contest.get_absolute_url())
    assert vevent["UID"] and vevent["DTSTAMP"]
    one_day = events[festival.name]
    assert one_day.decoded("DTEND") == datetime.date(2025, 12, 25)
    assert "End date not on record" in str(one_day["DESCRIPTION"])
    assert len({str(event["UID"]) for event in cal.walk("VEVENT")}) == 2


def test_events_without_a_start_day_stay_out_of_the_calendar(client):
    make_event(name="Chưa rõ ngày", starts_on=None, ends_on=None)
    make_event(
        name="Chỉ biết tháng", starts_on=datetime.date(2023, 11, 1), starts_on_precision="month"
    )
    cal = calendar_of(client, reverse("events:events-ics"))
    assert cal.walk("VEVENT") == []


def test_one_event_calendar_with_its_timed_sessions_in_ho_chi_minh_time(client):
    event = make_event(starts_on=datetime.date(2025, 11, 28), ends_on=datetime.date(2025, 11, 30))
    make_session(
        event=event,
        title="Kết nối thị trường",
        day=datetime.date(2025, 11, 29),
        starts_at=datetime.time(9),
        ends_at=datetime.time(11),
        room="Phòng 2",
        speakers=[("Nguyễn Văn A", "HTX Chè")],
    )
    other = make_event(starts_on=datetime.date(2025, 1, 1))
    cal = calendar_of(client, reverse("events:event-ics", args=[event.slug]))
    summaries = [str(vevent["SUMMARY"]) for vevent in cal.walk("VEVENT")]
    assert len(summaries) == 2 and other.name not in " ".join(summaries)
    session = next(v for v in cal.walk("VEVENT") if "Kết nối thị trường" in str(v["SUMMARY"]))
    assert session["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    start = session.decoded("DTSTART")
    assert start.utcoffset() == datetime.timedelta(hours=7)
    assert (start.hour, session.decoded("DTEND").hour) == (9, 11)
    assert "Nguyễn Văn A (HTX Chè)" in str(session["DESCRIPTION"])
    assert "Phòng 2" in str(session["LOCATION"])


def test_an_unknown_event_calendar_is_not_found(client):
    assert client.get(reverse("events:event-ics", args=["khong-co"])).status_code == 404


def test_the_atom_feed_has_one_entry_per_published_news_item(client):
    today = timezone.localdate()
    items = [
        make_news(title=f"Tin {n}", body=f"Đoạn {n}.\n\nhttps://example.org/{n}") for n in range(4)
    ]
    make_news(title="Chưa đăng", is_published=False)
    make_news(title="Ngày mai", published_on=today + datetime.timedelta(days=1))
    response = client.get(reverse("events:news-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text
    entries = feed.findall(f"{ATOM}entry")
    assert sorted(e.find(f"{ATOM}title").text for e in entries) == sorted(i.title for i in items)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 4 and all(i.startswith("tag:") for i in ids)
    for entry in entries:
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert "<p>" in entry.find(f"{ATOM}summary").text


def test_feed_markup_in_news_is_escaped(client):
    make_news(title="<b>x</b>", summary="<script>alert(1)</script>", body="<img src=x>")
    summary = (
        ET.fromstring(client.get(reverse("events:news-feed")).content)
        .find(f"{ATOM}entry/{ATOM}summary")
        .text
    )
    assert "<script>" not in summary and "<img" not in summary
