"""The events, news and feed pages, and the catalogue pages' events sections, run a fixed number
of queries however many events, entrants, sessions and news items they show."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .factories import make_category, make_commune, make_product, make_source
from .factories_events import make_entrant, make_event, make_news, make_session

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
ONE_DAY = datetime.timedelta(days=1)


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def full_event(n: int, **overrides):
    today = timezone.localdate()
    event = make_event(
        commune=make_commune(),
        starts_on=today + (n - 10) * ONE_DAY,
        ends_on=today + (n - 9) * ONE_DAY,
        **overrides,
    )
    event.sources.add(make_source())
    return event


def events_build(state, n):
    for i in range(n):
        full_event(i)
    state["url"] = reverse("events:event-list")


def detail_build(state, n):
    event = state.setdefault("event", full_event(0))
    for i in range(n):
        make_entrant(
            event=event,
            product=make_product(category=make_category()),
            award=f"Giải {i % 3}",
            rank=i % 3 + 1,
        )
        make_session(event=event, day=event.starts_on, speakers=[("A", "B"), ("C", "D")])
        event.sources.add(make_source())
    state["url"] = event.get_absolute_url()


def product_build(state, n):
    product = state.setdefault("product", make_product())
    for i in range(n):
        make_entrant(event=full_event(i), product=product, award="Giải Nhất")
    state["url"] = product.get_absolute_url()


def producer_build(state, n):
    product = state.setdefault("product", make_product())
    for i in range(n):
        make_entrant(event=full_event(i), product=product)
        make_entrant(event=full_event(i), producer=product.producer)
    state["url"] = product.producer.get_absolute_url()


def home_build(state, n):
    for i in range(n):
        full_event(i)
        make_news()
    state["url"] = reverse("catalogue:home")


def news_build(state, n):
    for _ in range(n):
        make_news()
    state["url"] = reverse("events:news-list")


def news_detail_build(state, n):
    item = state.setdefault("item", make_news())
    for i in range(n):
        item.events.add(full_event(i))
        item.products.add(make_product())
        item.sources.add(make_source())
    state["url"] = item.get_absolute_url()


def calendar_build(state, n):
    for i in range(n):
        event = full_event(i)
        make_session(
            event=event, day=event.starts_on, starts_at=datetime.time(9), speakers=[("A", "B")]
        )
    state["url"] = reverse("events:events-ics")


def feed_build(state, n):
    for _ in range(n):
        make_news()
    state["url"] = reverse("events:news-feed")


SCENARIOS = {
    "event-list": events_build,
    "event-detail": detail_build,
    "product-detail": product_build,
    "producer-detail": producer_build,
    "home": home_build,
    "news-list": news_build,
    "news-detail": news_detail_build,
    "events-ics": calendar_build,
    "news-feed": feed_build,
}


@pytest.mark.parametrize("build", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_page_query_count_does_not_grow_with_items(client, build):
    state = {}
    build(state, SMALL)
    small = count_queries(client, state["url"])
    build(state, LARGE - SMALL)
    large = count_queries(client, state["url"])
    assert small == large, f"{state['url']}: {small} queries for {SMALL}, {large} for {LARGE}"


def test_the_events_section_runs_the_same_queries_with_or_without_entries(client):
    product = make_product()
    without = count_queries(client, product.get_absolute_url())
    make_entrant(product=product)
    assert count_queries(client, product.get_absolute_url()) == without
