"""Current stars: the newest rating in force on a given day, else the latest on record,
computed in SQL; with the rating's state (tests/test_rating_states.py has every boundary)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Product

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def stars_on(product: Product, on: datetime.date) -> int | None:
    return Product.objects.with_current_stars(on=on).get(pk=product.pk).current_stars


def state_on(product: Product, on: datetime.date) -> tuple[int | None, str]:
    rated = Product.objects.with_current_stars(on=on).get(pk=product.pk)
    return rated.current_stars, rated.rating_state


def certificate_on(product: Product, on: datetime.date) -> int | None:
    return Product.objects.with_current_stars(on=on).get(pk=product.pk).current_certificate_id


def test_a_product_without_certificates_has_no_stars():
    """No certificate at all: current_stars is None."""
    product = make_product()
    assert stars_on(product, D(2025, 1, 1)) is None
    assert certificate_on(product, D(2025, 1, 1)) is None


def test_a_recertified_product_has_the_stars_of_its_newest_certificate():
    """Re-certified from 3 to 4 stars while the 3-star one still runs: 4 stars count."""
    product = make_product()
    old = make_certificate(product=product, stars=3, decision_date=D(2021, 3, 1))
    new = make_certificate(product=product, stars=4, decision_date=D(2023, 9, 15))
    assert stars_on(product, D(2023, 9, 14)) == 3
    assert certificate_on(product, D(2023, 9, 14)) == old.pk
    assert stars_on(product, D(2023, 9, 15)) == 4
    assert certificate_on(product, D(2023, 9, 15)) == new.pk


def test_an_upgrade_to_five_stars_wins_over_an_older_four_star_certificate():
    """Upgraded 4→5 by a newer decision: 5 stars count while both are in force."""
    product = make_product()
    make_certificate(product=product, stars=4, decision_date=D(2022, 1, 10))
    make_certificate(product=product, stars=5, decision_date=D(2024, 2, 1))
    assert stars_on(product, D(2024, 6, 1)) == 5


def test_the_newest_certificate_wins_even_with_fewer_stars():
    """A newer re-rating down to 3 stars replaces an older 4-star rating."""
    product = make_product()
    make_certificate(product=product, stars=4, decision_date=D(2022, 1, 10))
    make_certificate(product=product, stars=3, decision_date=D(2024, 2, 1))
    assert stars_on(product, D(2024, 6, 1)) == 3


def test_two_decisions_on_the_same_day_count_the_higher_rating():
    """Two certificates decided the same day: the higher star count is current."""
    product = make_product()
    make_certificate(product=product, stars=5, decision_date=D(2024, 2, 1))
    make_certificate(product=product, stars=3, decision_date=D(2024, 2, 1))
    assert stars_on(product, D(2024, 6, 1)) == 5


def test_stars_are_in_force_through_the_36_months_and_expired_the_day_after():
    """On its last day the rating is in force; the next day its level stays, expired."""
    product = make_product()
    certificate = make_certificate(product=product, stars=4, decision_date=D(2022, 5, 20))
    assert certificate.valid_until is None  # no validity stated: 36 months from the decision
    assert (certificate.ends_on, certificate.ends_by) == (D(2025, 5, 19), D(2025, 5, 19))
    assert state_on(product, D(2025, 5, 19)) == (4, "in_force")
    assert state_on(product, D(2025, 5, 20)) == (4, "expired")


def test_a_revoked_certificate_stops_counting_from_its_revocation_date():
    """Revoked on a day: stars count the day before, not on that day or later."""
    product = make_product()
    make_certificate(
        product=product,
        stars=4,
        decision_date=D(2023, 1, 5),
        revoked_on=D(2024, 7, 1),
        revocation_reason="Không duy trì chất lượng",
    )
    assert state_on(product, D(2024, 6, 30)) == (4, "in_force")
    assert state_on(product, D(2024, 7, 1)) == (4, "expired")
    assert state_on(product, D(2024, 12, 1)) == (4, "expired")


def test_a_certificate_does_not_count_before_its_decision_date():
    """A future-dated certificate counts from its decision date, not before."""
    product = make_product()
    make_certificate(product=product, stars=5, decision_date=D(2025, 3, 1))
    assert stars_on(product, D(2025, 2, 28)) is None
    assert stars_on(product, D(2025, 3, 1)) == 5


def test_a_future_certificate_does_not_replace_the_one_in_force():
    """An upgrade decided for a later day leaves today's stars alone until that day."""
    product = make_product()
    make_certificate(product=product, stars=3, decision_date=D(2023, 1, 1))
    make_certificate(product=product, stars=5, decision_date=D(2025, 3, 1))
    assert stars_on(product, D(2025, 2, 28)) == 3
    assert stars_on(product, D(2025, 3, 1)) == 5


def test_an_older_certificate_counts_again_when_the_newest_expires():
    """The newest ends early while an older one still runs: the older one counts."""
    product = make_product()
    older = make_certificate(
        product=product, stars=3, decision_date=D(2022, 1, 1), valid_until=D(2024, 12, 31)
    )
    make_certificate(
        product=product, stars=4, decision_date=D(2023, 1, 1), valid_until=D(2023, 12, 31)
    )
    assert stars_on(product, D(2023, 12, 31)) == 4
    assert stars_on(product, D(2024, 1, 1)) == 3
    assert certificate_on(product, D(2024, 1, 1)) == older.pk
    # Both ended: the latest on record gives the level, expired.
    assert state_on(product, D(2025, 1, 1)) == (4, "expired")


def test_an_older_certificate_counts_when_the_newest_is_revoked():
    """Revoking the newest certificate falls back to an older one still in force."""
    product = make_product()
    make_certificate(product=product, stars=3, decision_date=D(2022, 1, 1))
    make_certificate(
        product=product,
        stars=5,
        decision_date=D(2023, 1, 1),
        revoked_on=D(2023, 6, 1),
        revocation_reason="Sai sót hồ sơ",
    )
    assert stars_on(product, D(2023, 5, 31)) == 5
    assert stars_on(product, D(2023, 6, 1)) == 3


def test_each_product_gets_its_own_certificates():
    """The subquery is correlated: one product's certificate never rates another."""
    rated, unrated = make_product(), make_product()
    make_certificate(product=rated, stars=5, decision_date=D(2024, 1, 1))
    rows = dict(
        Product.objects.with_current_stars(on=D(2024, 6, 1))
        .filter(pk__in=[rated.pk, unrated.pk])
        .values_list("pk", "current_stars")
    )
    assert rows == {rated.pk: 5, unrated.pk: None}


def test_certified_keeps_only_products_with_a_certificate_in_force():
    """certified(on) drops products whose certificates are absent, expired, revoked or future."""
    in_force, expired, revoked, future, none = (make_product() for _ in range(5))
    make_certificate(product=in_force, stars=4, decision_date=D(2024, 1, 1))
    make_certificate(
        product=expired, stars=4, decision_date=D(2020, 1, 1), valid_until=D(2024, 5, 31)
    )
    make_certificate(
        product=revoked,
        stars=4,
        decision_date=D(2024, 1, 1),
        revoked_on=D(2024, 5, 1),
        revocation_reason="Vi phạm",
    )
    make_certificate(product=future, stars=4, decision_date=D(2024, 7, 1))
    certified = Product.objects.certified(on=D(2024, 6, 1))
    assert list(certified) == [in_force]
    assert none not in certified


def test_stars_can_be_filtered_and_sorted_in_sql():
    """current_stars is an annotation: the database filters and orders on it."""
    three, five, none = make_product(name="A"), make_product(name="B"), make_product(name="C")
    make_certificate(product=three, stars=3, decision_date=D(2024, 1, 1))
    make_certificate(product=five, stars=5, decision_date=D(2024, 1, 1))
    products = Product.objects.with_current_stars(on=D(2024, 6, 1)).filter(
        pk__in=[three.pk, five.pk, none.pk]
    )
    assert list(products.filter(current_stars=5)) == [five]
    assert list(products.by_stars_then_name()) == [five, three, none]


def test_without_a_date_stars_are_computed_for_the_local_today():
    """with_current_stars() with no date uses the site's local date (Asia/Ho_Chi_Minh)."""
    today = timezone.localdate()
    ends_today, ended_yesterday = make_product(), make_product()
    make_certificate(
        product=ends_today, stars=4, decision_date=today - 3 * ONE_DAY, valid_until=today
    )
    make_certificate(
        product=ended_yesterday,
        stars=4,
        decision_date=today - 3 * ONE_DAY,
        valid_until=today - ONE_DAY,
    )
    rows = Product.objects.with_current_stars().values_list("pk", "current_stars", "rating_state")
    assert {pk: (stars, state) for pk, stars, state in rows} == {
        ends_today.pk: (4, "in_force"),
        ended_yesterday.pk: (4, "expired"),
    }


# The same rules seen through the pages, which always use the local "today".


def listed(client, url: str) -> list[Product]:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_star_page_keeps_only_ratings_in_force_when_asked(client):
    """/stars/4/ lists both, each with its state; ?state=in_force keeps the one ending today."""
    today = timezone.localdate()
    ends_today = make_product(name="Chè hết hạn hôm nay")
    ended_yesterday = make_product(name="Chè hết hạn hôm qua")
    for product, last_day in [(ends_today, today), (ended_yesterday, today - ONE_DAY)]:
        make_certificate(
            product=product, stars=4, decision_date=today - 400 * ONE_DAY, valid_until=last_day
        )
    url = reverse("catalogue:star-detail", args=[4])
    assert set(listed(client, url)) == {ends_today, ended_yesterday}
    assert listed(client, url + "?state=in_force") == [ends_today]
    assert listed(client, url + "?state=expired") == [ended_yesterday]


def test_star_page_in_force_drops_a_product_revoked_today_and_waits_for_a_future_one(client):
    """A rating revoked today is listed as expired; one decided tomorrow not at all."""
    today = timezone.localdate()
    revoked, future, current = make_product(), make_product(), make_product()
    make_certificate(
        product=revoked,
        stars=5,
        decision_date=today - 30 * ONE_DAY,
        revoked_on=today,
        revocation_reason="Vi phạm",
    )
    make_certificate(product=future, stars=5, decision_date=today + ONE_DAY)
    make_certificate(product=current, stars=5, decision_date=today)
    url = reverse("catalogue:star-detail", args=[5])
    assert set(listed(client, url)) == {current, revoked}
    assert listed(client, url + "?state=in_force") == [current]


def test_product_page_shows_the_newest_certificate_in_force(client):
    """The detail page's product carries the stars and certificate current today."""
    today = timezone.localdate()
    product = make_product()
    make_certificate(product=product, stars=3, decision_date=today - 800 * ONE_DAY)
    newest = make_certificate(product=product, stars=5, decision_date=today - 10 * ONE_DAY)
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    shown = response.context["product"]
    assert shown.current_stars == 5
    assert shown.current_certificate == newest
