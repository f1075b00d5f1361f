"""Small helpers that build valid events, entrants, sessions and news items."""

import datetime
import itertools

from django.utils import timezone

from events.models import Entrant, Event, NewsItem, Session, Speaker

from .factories import make_product

_sequence = itertools.count(1)


def make_event(**overrides) -> Event:
    n = next(_sequence)
    today = timezone.localdate()
    fields = {
        "kind": Event.Kind.CONTEST,
        "name": f"Hội thi OCOP thử {n}",
        "starts_on": today + datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=12),
        "venue": "Nhà hát Ca múa nhạc dân gian Việt Bắc",
        "organiser": "Sở Nông nghiệp và Môi trường",
    }
    if "starts_on" in overrides and "ends_on" not in overrides:
        fields["ends_on"] = None
    return Event.objects.create(**(fields | overrides))


def make_entrant(**overrides) -> Entrant:
    fields = {}
    if "event" not in overrides:
        fields["event"] = make_event()
    if "product" not in overrides and "producer" not in overrides:
        fields["product"] = make_product()
    return Entrant.objects.create(**(fields | overrides))


def make_session(speakers=(), **overrides) -> Session:
    n = next(_sequence)
    fields = {"title": f"Hội thảo thử {n}"}
    if "event" not in overrides:
        fields["event"] = make_event()
    session = Session.objects.create(**(fields | overrides))
    for position, (name, organisation) in enumerate(speakers):
        Speaker.objects.create(
            session=session, name=name, organisation=organisation, position=position
        )
    return session


def make_news(**overrides) -> NewsItem:
    n = next(_sequence)
    fields = {
        "title": f"Tin thử {n}",
        "summary": f"Tóm tắt {n}",
        "published_on": timezone.localdate() - datetime.timedelta(days=n % 30),
    }
    return NewsItem.objects.create(**(fields | overrides))
