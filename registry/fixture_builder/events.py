"""Events from events.csv: kind, dates at their precision, venue, commune, organiser, sources.

The CSV's `facts` are English notes on what the sources report: they become the event's
English description, with no Vietnamese or French version made up for them.
"""

from core.dates import PartialDate
from core.text import slugify_vi
from events.models import Event

from .products import TIMESTAMP, find_commune
from .reading import DataError, check_unique
from .sources import Sources

# The CSV's kinds, by their first term ("festival / hội chợ" is a festival).
KINDS = {
    "hội thi": Event.Kind.CONTEST,
    "festival": Event.Kind.FAIR,
    "hội chợ triển lãm": Event.Kind.FAIR,
    "hội chợ": Event.Kind.FAIR,
    "ngày hội": Event.Kind.FAIR,
    "lễ hội": Event.Kind.FAIR,
    "triển lãm": Event.Kind.EXHIBITION,
    "hội thảo": Event.Kind.SEMINAR,
}


def event_kind(text: str) -> str:
    head = text.split("/")[0].split("(")[0].strip().lower()
    if head not in KINDS:
        raise DataError(f"events.csv: unknown kind {text!r}")
    return KINDS[head].value


def parse_date(text: str, name: str) -> PartialDate | None:
    try:
        return PartialDate.parse(text)
    except ValueError as error:
        raise DataError(f"events.csv: {name!r}: {error}") from None


def build_events(rows: list[dict[str, str]], communes: dict, sources: Sources) -> list[dict]:
    """The Event objects, in the order of the file; their sources are added to `sources`."""
    objects = []
    for row in rows:
        name = row["name"].strip()
        start = parse_date(row["start_date"], name)
        end = parse_date(row["end_date"], name)
        if start and end and end.last_day < start.first_day:
            raise DataError(f"events.csv: {name!r} ends before it starts")
        commune = find_commune(row["commune_vi"].strip(), communes)
        event = Event(starts_on=start and start.first_day, ends_on=end and end.first_day)
        event.starts_on_precision = start.precision if start else "day"
        event.ends_on_precision = end.precision if end else "day"
        event.set_days()
        found = sources.add(row["source"])
        if not found:
            raise DataError(f"events.csv: {name!r} has no source")
        objects.append(
            {
                "model": "events.event",
                "fields": {
                    "kind": event_kind(row["kind"]),
                    "name": name,
                    "slug": slugify_vi(name)[:80],
                    "description_en": row["facts"].strip(),
                    "starts_on": event.starts_on and event.starts_on.isoformat(),
                    "starts_on_precision": str(event.starts_on_precision),
                    "ends_on": event.ends_on and event.ends_on.isoformat(),
                    "ends_on_precision": str(event.ends_on_precision),
                    "first_day": event.first_day and event.first_day.isoformat(),
                    "last_day": event.last_day and event.last_day.isoformat(),
                    "venue": row["venue"].strip(),
                    "commune": [commune["slug"]] if commune else None,
                    "organiser": row["organiser"].strip(),
                    "sources": found,
                    "is_published": True,
                    "created_at": TIMESTAMP,
                    "updated_at": TIMESTAMP,
                },
            }
        )
    check_unique([obj["fields"]["slug"] for obj in objects], "events.csv event slugs")
    return objects
