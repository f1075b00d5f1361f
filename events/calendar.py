"""iCalendar (RFC 5545) feeds of the events, with icalendar.

An event whose start is known to the day is an all-day event (VALUE=DATE; DTEND is the day
after its last day); a seminar session with its time is a timed event in Asia/Ho_Chi_Minh,
whose VTIMEZONE the calendar carries. An event whose start is not known to the day has no
place in a calendar without inventing a date: it is left out (its page still lists it).
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from core.dates import Precision

ONE_DAY = datetime.timedelta(days=1)
CALENDAR_STATUS = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "ocop.invalid"


def in_calendar(event) -> bool:
    return bool(event.starts_on and event.starts_on_precision == Precision.DAY)


def where(event) -> str:
    parts = [event.venue, event.address, event.commune.name if event.commune_id else ""]
    return ", ".join(part for part in parts if part)


def event_component(event) -> VEvent:
    component = VEvent()
    component.add("uid", f"event-{event.slug}@{host()}")
    component.add("dtstamp", event.updated_at)
    component.add("last-modified", event.updated_at)
    component.add("summary", str(event.localized_name))
    component.add("dtstart", event.starts_on)
    end = event.end
    last = end.last_day if end else event.starts_on
    component.add("dtend", last + ONE_DAY)
    notes = []
    if end is None:
        notes.append(_("End date not on record."))
    elif end.precision != Precision.DAY:
        notes.append(
            _("End date known only to the %(precision)s.") % {"precision": end.precision_label}
        )
    if event.organiser:
        notes.append(_("Organiser: %(organiser)s") % {"organiser": event.organiser})
    description = str(event.localized_description)
    component.add("description", "\n\n".join([*notes, description] if description else notes))
    if where(event):
        component.add("location", where(event))
    component.add("url", absolute(event.get_absolute_url()))
    component.add("categories", [str(event.get_kind_display())])
    component.add("status", CALENDAR_STATUS.get(event.status, "CONFIRMED"))
    component.add("transp", "TRANSPARENT")
    return component


def session_component(event, session) -> VEvent:
    component = VEvent()
    component.add("uid", f"session-{session.pk}@{host()}")
    component.add("dtstamp", event.updated_at)
    component.add("summary", f"{session.localized_title} · {event.localized_name}")
    starts, ends = session.starts(), session.ends()
    if starts:
        component.add("dtstart", starts)
        component.add("dtend", ends or starts + datetime.timedelta(hours=1))
    else:
        component.add("dtstart", session.day)
        component.add("dtend", session.day + ONE_DAY)
    speakers = [
        f"{speaker.name} ({speaker.organisation})" if speaker.organisation else speaker.name
        for speaker in session.speakers.all()
    ]
    lines = [session.topic] if session.topic else []
    if speakers:
        lines.append(_("Speakers: %(speakers)s") % {"speakers": "; ".join(speakers)})
    if lines:
        component.add("description", "\n".join(lines))
    location = ", ".join(part for part in [session.room, where(event)] if part)
    if location:
        component.add("location", location)
    component.add("url", absolute(event.get_absolute_url()))
    component.add("related-to", f"event-{event.slug}@{host()}")
    return component


def build(events) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//OCOP Thái Nguyên//{host()}//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("OCOP Thái Nguyên events"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        if in_calendar(event):
            cal.add_component(event_component(event))
        for session in event.sessions.all():
            if session.day:
                cal.add_component(session_component(event, session))
    cal.add_missing_timezones()
    if not cal.walk("VTIMEZONE"):
        cal.add_component(Calendar.from_ical(vtimezone_text()).walk("VTIMEZONE")[0])
    return cal


def vtimezone_text() -> str:
    """Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving since 1975."""
    return (
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Ho_Chi_Minh\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19750613T000000\r\nTZOFFSETFROM:+0800\r\n"
        "TZOFFSETTO:+0700\r\nTZNAME:+07\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
    )


def response(events, filename: str) -> HttpResponse:
    result = HttpResponse(build(events).to_ical(), content_type="text/calendar; charset=utf-8")
    result["Content-Disposition"] = f'inline; filename="{filename}"'
    return result
