"""A product's rating state on a given day, on both sides of each boundary.

In force while a dated rating's validity covers the day (a stated valid_until, or the date
plus 36 months, at the earliest end its precision allows); reported in force after that while
a later report is under 36 months old; may have expired while the end falls inside the month
or year the date is known to; expired after; dates not on record when there are none.
"""

import datetime

import pytest

from catalogue.models import Product, RatingState
from certification.models import Certificate
from certification.verification import Verdict

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

D = datetime.date


def state_on(product, day):
    rated = Product.objects.with_current_stars(day).get(pk=product.pk)
    return rated.rating_state, rated.current_stars


def stored_state_on(product, day):
    Product.objects.filter(pk=product.pk).store_current_stars(day)
    stored = Product.objects.get(pk=product.pk)
    return stored.stored_state, stored.stored_stars


def verdict_on(product, day):
    return Verdict.for_product(Product.objects.get(pk=product.pk), day).status


@pytest.fixture(params=["annotated", "stored"])
def rating_on(request):
    """Both ways of reading a state: computed for any day, and the copy stored for a day."""
    return state_on if request.param == "annotated" else stored_state_on


def test_a_dated_decision_is_in_force_for_36_months_then_expired(rating_on):
    product = make_product()
    make_certificate(product=product, stars=5, decision_date=D(2021, 6, 30))
    assert rating_on(product, D(2021, 6, 29)) == ("", None)  # before it: no rating yet
    assert rating_on(product, D(2021, 6, 30)) == (RatingState.IN_FORCE, 5)
    assert rating_on(product, D(2024, 6, 29)) == (RatingState.IN_FORCE, 5)
    assert rating_on(product, D(2024, 6, 30)) == (RatingState.EXPIRED, 5)
    assert verdict_on(product, D(2024, 6, 29)) == "in_force"
    assert verdict_on(product, D(2024, 6, 30)) == "expired"


def test_a_stated_validity_is_the_end(rating_on):
    product = make_product()
    make_certificate(product=product, decision_date=D(2019, 7, 17), valid_until=D(2023, 1, 10))
    assert rating_on(product, D(2023, 1, 10)) == (RatingState.IN_FORCE, 4)
    assert rating_on(product, D(2023, 1, 11)) == (RatingState.EXPIRED, 4)


def test_a_date_known_to_the_year_may_have_expired_inside_its_last_year(rating_on):
    product = make_product()
    make_certificate(
        product=product,
        stars=3,
        decision_number="",
        decision_date=None,
        round_year=2021,
        evidence=Certificate.Evidence.REPORT,
    )
    # The earliest end: 1 January 2021 + 36 months - 1 day; the latest: 31 December + 36 months.
    assert rating_on(product, D(2023, 12, 31)) == (RatingState.IN_FORCE, 3)
    assert rating_on(product, D(2024, 1, 1)) == (RatingState.MAY_HAVE_EXPIRED, 3)
    assert rating_on(product, D(2024, 12, 30)) == (RatingState.MAY_HAVE_EXPIRED, 3)
    assert rating_on(product, D(2024, 12, 31)) == (RatingState.EXPIRED, 3)


def test_a_date_known_to_the_month(rating_on):
    product = make_product()
    make_certificate(product=product, decision_date=D(2022, 11, 1), decision_date_precision="month")
    assert rating_on(product, D(2025, 10, 31)) == (RatingState.IN_FORCE, 4)
    assert rating_on(product, D(2025, 11, 1)) == (RatingState.MAY_HAVE_EXPIRED, 4)
    assert rating_on(product, D(2025, 11, 29)) == (RatingState.MAY_HAVE_EXPIRED, 4)
    assert rating_on(product, D(2025, 11, 30)) == (RatingState.EXPIRED, 4)


def test_a_later_report_carries_the_level_for_36_months(rating_on):
    product = make_product()
    make_certificate(product=product, stars=5, decision_date=D(2021, 6, 30))
    make_certificate(
        product=product,
        stars=5,
        decision_number="",
        decision_date=None,
        evidence=Certificate.Evidence.LATER_REPORT,
        reported_on=D(2025, 4, 1),
        reported_on_precision="month",
    )
    assert rating_on(product, D(2024, 6, 29)) == (RatingState.IN_FORCE, 5)
    # The decision ended; a report of April 2025 says the level is still held.
    assert rating_on(product, D(2024, 6, 30)) == (RatingState.EXPIRED, 5)
    assert rating_on(product, D(2025, 4, 1)) == (RatingState.REPORTED, 5)
    assert rating_on(product, D(2028, 3, 31)) == (RatingState.REPORTED, 5)
    assert rating_on(product, D(2028, 4, 1)) == (RatingState.MAY_HAVE_EXPIRED, 5)
    assert rating_on(product, D(2028, 4, 30)) == (RatingState.EXPIRED, 5)
    assert verdict_on(product, D(2026, 12, 6)) == "reported"


def test_a_rating_without_any_date_is_undated_and_never_in_force(rating_on):
    product = make_product()
    make_certificate(
        product=product,
        stars=3,
        decision_number="",
        decision_date=None,
        evidence=Certificate.Evidence.REPORT,
    )
    assert rating_on(product, D(2000, 1, 1)) == (RatingState.UNDATED, 3)
    assert rating_on(product, D(2030, 1, 1)) == (RatingState.UNDATED, 3)
    assert verdict_on(product, D(2030, 1, 1)) == "undated"


def test_an_unknown_level_is_kept_unknown(rating_on):
    product = make_product()
    make_certificate(product=product, stars=None, decision_date=D(2021, 12, 29))
    assert rating_on(product, D(2022, 1, 1)) == (RatingState.IN_FORCE, None)
    assert not Product.objects.certified(D(2022, 1, 1)).filter(pk=product.pk).exists()


def test_a_newer_rating_in_force_wins_over_an_older_one(rating_on):
    product = make_product()
    make_certificate(product=product, stars=3, decision_date=D(2020, 1, 10))
    make_certificate(product=product, stars=4, decision_date=D(2022, 3, 1))
    assert rating_on(product, D(2021, 1, 1)) == (RatingState.IN_FORCE, 3)
    assert rating_on(product, D(2022, 3, 1)) == (RatingState.IN_FORCE, 4)
    assert rating_on(product, D(2025, 3, 1)) == (RatingState.EXPIRED, 4)


def test_a_revocation_ends_the_rating_the_day_before(rating_on):
    product = make_product()
    make_certificate(
        product=product,
        decision_date=D(2022, 1, 1),
        revoked_on=D(2023, 5, 1),
        revocation_reason="Không đạt khi đánh giá lại",
    )
    assert rating_on(product, D(2023, 4, 30)) == (RatingState.IN_FORCE, 4)
    assert rating_on(product, D(2023, 5, 1)) == (RatingState.EXPIRED, 4)
    assert verdict_on(product, D(2023, 5, 1)) == "revoked"


def test_the_stored_state_is_refreshed_when_the_day_moves(settings, monkeypatch):
    from catalogue.models import stars

    product = make_product()
    make_certificate(product=product, decision_date=D(2021, 6, 30))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2024, 6, 29))
    stars.STORED_STARS_CHECKED[:] = [None, 0.0]
    assert Product.objects.with_current_stars().get(pk=product.pk).rating_state == "in_force"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2024, 6, 30))
    stars.STORED_STARS_CHECKED[:] = [None, 0.0]
    assert Product.objects.with_current_stars().get(pk=product.pk).rating_state == "expired"
