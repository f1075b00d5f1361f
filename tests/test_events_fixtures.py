"""fixtures/events.json: the real events of events.csv, at the precision and with the sources
the data gives; loaded by load_demo; twice changes nothing."""

import csv
import datetime
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from events.models import Event

FIXTURES = ["communes", "categories", "sources", "register", "events"]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "events.csv"
SOURCE_URL = re.compile(r"https?://[^\s;]+")
CONTEST = "Hội thi OCOP Thái Nguyên năm 2025 “Chắt lọc tinh hoa – Lan tỏa bản sắc”"


@pytest.fixture
def rows() -> list[dict[str, str]]:
    if not DATA.exists():
        pytest.skip(f"{DATA} is not available")
    with DATA.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def day(text: str):
    return datetime.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def test_the_fixture_uses_natural_keys_only():
    objects = json.loads((Path(settings.FIXTURE_DIRS[0]) / "events.json").read_text("utf-8"))
    assert objects and all("pk" not in obj for obj in objects)


def test_every_event_of_the_data_is_loaded_as_the_data_states_it(loaded, rows):
    assert Event.objects.count() == len(rows) == 9
    for row in rows:
        event = Event.objects.get(name=row["name"])
        assert event.starts_on == day(row["start_date"]), event.name
        assert event.ends_on == day(row["end_date"]), event.name
        assert event.venue == row["venue"]
        assert event.organiser == row["organiser"]
        assert event.description_en == row["facts"]
        assert event.description == event.name_en == ""  # no translation made up
        if row["commune_vi"]:
            kind, name = row["commune_vi"].split(" ", 1)
            assert (event.commune.kind, event.commune.name) == (
                "xa" if kind == "xã" else "phuong",
                name,
            )
        else:
            assert event.commune is None
        urls = set(SOURCE_URL.findall(row["source"]))
        assert set(event.sources.values_list("url", flat=True)) == urls
        event.full_clean()


def test_loading_twice_changes_nothing(loaded):
    before = list(Event.objects.order_by("pk").values())
    call_command("loaddata", "events", verbosity=0)
    assert list(Event.objects.order_by("pk").values()) == before


def test_the_2025_contest_on_the_events_page(loaded, client):
    with translation.override("en"):
        html = client.get(reverse("events:event-list")).content.decode()
    assert CONTEST in html
    contest = Event.objects.get(name=CONTEST)
    assert contest.kind == Event.Kind.CONTEST
    with translation.override("en"):
        page = client.get(contest.get_absolute_url()).content.decode()
    assert "Nhà hát Ca múa nhạc dân gian Việt Bắc" in page
    assert '<time datetime="2025-11-28">' in page and '<time datetime="2025-11-30">' in page
    assert "vietnamnet.vn" in page


def test_past_and_upcoming_either_side_of_the_contest(loaded):
    contest = Event.objects.filter(name=CONTEST)
    assert contest.upcoming(on=datetime.date(2025, 11, 27)).exists()
    assert contest.upcoming(on=datetime.date(2025, 11, 30)).exists()
    assert contest.past(on=datetime.date(2025, 12, 1)).exists()
    assert not contest.past(on=datetime.date(2025, 11, 30)).exists()


def test_the_calendar_holds_every_dated_event_of_the_data(loaded, client, rows):
    cal = Calendar.from_ical(client.get(reverse("events:events-ics")).content)
    summaries = {str(vevent["SUMMARY"]) for vevent in cal.walk("VEVENT")}
    dated = {row["name"] for row in rows if row["start_date"]}
    assert summaries == dated and len(dated) == 7


def test_load_demo_loads_the_events(db):
    call_command("load_demo", verbosity=0)
    assert Event.objects.filter(name=CONTEST).exists()
