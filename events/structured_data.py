"""schema.org `Event` JSON-LD of an event page, from what the record holds, nothing more.

Dates are given at their precision (ISO 8601 allows 2025-11 and 2025); a date, a venue or an
organiser that no source gives is left out, never guessed.
"""

from catalogue.structured_data import SCHEMA, absolute, image_url
from core.dates import Precision

STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "postponed": "https://schema.org/EventPostponed",
    "rescheduled": "https://schema.org/EventRescheduled",
    "cancelled": "https://schema.org/EventCancelled",
}


def iso(partial_date) -> str:
    if partial_date.precision == Precision.YEAR:
        return f"{partial_date.first_day:%Y}"
    if partial_date.precision == Precision.MONTH:
        return f"{partial_date.first_day:%Y-%m}"
    return partial_date.first_day.isoformat()


def place(event) -> dict | None:
    if not (event.venue or event.address or event.commune_id):
        return None
    address = {"@type": "PostalAddress", "addressRegion": "Thái Nguyên", "addressCountry": "VN"}
    if event.address:
        address["streetAddress"] = event.address
    if event.commune_id:
        address["addressLocality"] = event.commune.name
    return {
        "@type": "Place",
        "name": event.venue or event.address or event.commune.name,
        "address": address,
    }


def event(event) -> dict:
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "@id": absolute(event.get_absolute_url()) + "#event",
        "name": str(event.localized_name),
        "url": absolute(event.get_absolute_url()),
        "eventStatus": STATUS[event.status],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }
    if event.start:
        data["startDate"] = iso(event.start)
    if event.end:
        data["endDate"] = iso(event.end)
    description = event.localized_description
    if description:
        data["description"] = str(description)[:500]
    location = place(event)
    if location:
        data["location"] = location
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser}
    if event.website:
        data["sameAs"] = [event.website]
    pictures = event.images.all()
    if pictures:
        data["image"] = [image_url(picture) for picture in pictures]
    return data


def breadcrumbs(event, list_name: str, list_url: str) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "name": str(list_name),
                "item": absolute(list_url),
            },
            {
                "@type": "ListItem",
                "position": 2,
                "name": str(event.localized_name),
                "item": absolute(event.get_absolute_url()),
            },
        ],
    }
