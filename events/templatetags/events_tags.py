"""The events' sections on the catalogue's pages (product, producer, home), and event JSON-LD.

Each inclusion tag runs one query (two on the home page), whatever the number of entries.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.templatetags.seo_tags import json_ld

from .. import structured_data
from ..models import Entrant, Event, NewsItem

register = template.Library()

HOME_NEWS = 3


def entries(queryset) -> list:
    return list(
        queryset.select_related("event", "product").order_by(
            "-event__first_day", "event__name", "pk"
        )
    )


@register.inclusion_tag("events/includes/entries.html")
def product_events(product):
    """The events a product took part in, and its awards."""
    return {"entries": entries(Entrant.objects.of_product(product)), "show_product": False}


@register.inclusion_tag("events/includes/entries.html")
def producer_events(producer):
    """The events a producer took part in (itself or through its products), and its awards."""
    return {"entries": entries(Entrant.objects.of_producer(producer)), "show_product": True}


@register.inclusion_tag("events/includes/home_section.html")
def home_events_and_news():
    """The next event (or the one on now) and the latest news."""
    upcoming = Event.objects.published().upcoming().select_related("commune").soonest_first()
    return {
        "next_event": upcoming.first(),
        "news": list(NewsItem.objects.published()[:HOME_NEWS]),
    }


@register.simple_tag
def event_json_ld(event) -> str:
    """The Event, only when what search engines require of one (a start date and a place) is
    on record; the breadcrumbs always."""
    crumbs = structured_data.breadcrumbs(event, _("Events"), reverse("events:event-list"))
    data = structured_data.event(event)
    if "startDate" not in data or "location" not in data:
        return json_ld(crumbs)
    return json_ld(data, crumbs)


@register.inclusion_tag("events/includes/when.html")
def event_when(event):
    return {"event": event}
