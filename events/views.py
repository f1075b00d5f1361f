from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalogue.caching import cache_public_page, one_off
from catalogue.models import Product
from catalogue.views import shows_page_asked

from . import calendar
from .feeds import NewsFeed
from .forms import EventFilterForm
from .models import Entrant, Event, NewsItem, Session
from .programme import award_groups, days_of

NEWS_PAGE_SIZE = 20


@require_safe
@cache_public_page(parameters=("kind", "year"))
def event_list(request):
    form = EventFilterForm(request.GET)
    events = form.filter(Event.objects.published().for_listing())
    today = timezone.localdate()
    timings = {"upcoming": [], "ongoing": [], "past": [], "undated": []}
    for event in events.latest_first():
        timings[event.timing(today)].append(event)
    years = (
        Event.objects.published()
        .filter(first_day__isnull=False)
        .annotate(year=ExtractYear("first_day"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    response = render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "current": timings["ongoing"][::-1] + timings["upcoming"][::-1],
            "past": timings["past"],
            "undated": timings["undated"],
            "years": list(years),
            "filtered": bool(form.cleaned_data.get("kind") or form.cleaned_data.get("year")),
        },
    )
    return one_off(response) if form.errors else response


def published_event(slug):
    sessions = Session.objects.prefetch_related("speakers")
    return get_object_or_404(
        Event.objects.published()
        .for_listing()
        .prefetch_related("sources", Prefetch("sessions", queryset=sessions)),
        slug=slug,
    )


@require_safe
@cache_public_page
def event_detail(request, slug):
    event = published_event(slug)
    entrants = list(Entrant.objects.filter(event=event).for_event_page())
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "timing": event.timing(),
            "award_groups": award_groups(entrants),
            "entrant_count": len(entrants),
            "programme": days_of(event.sessions.all()),
        },
    )


@require_safe
@cache_public_page
def event_ics(request, slug):
    return calendar.response([published_event(slug)], f"{slug}.ics")


@require_safe
@cache_public_page
def events_ics(request):
    events = (
        Event.objects.published().select_related("commune").prefetch_related("sessions__speakers")
    )
    return calendar.response(events.soonest_first(), "ocop-thai-nguyen-events.ics")


@require_safe
@cache_public_page(parameters=("page",))
def news_list(request):
    items = NewsItem.objects.published().for_listing()
    page = Paginator(items, NEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "events/news_list.html", {"page": page})
    return response if shows_page_asked(request, page) else one_off(response)


@require_safe
@cache_public_page
def news_detail(request, slug):
    item = get_object_or_404(
        NewsItem.objects.published()
        .for_listing()
        .prefetch_related(
            "sources",
            Prefetch("events", queryset=Event.objects.published().select_related("commune")),
            Prefetch(
                "products",
                queryset=Product.objects.published().select_related("producer"),
            ),
        ),
        slug=slug,
    )
    return render(request, "events/news_detail.html", {"item": item})


news_feed = require_safe(cache_public_page(NewsFeed()))
