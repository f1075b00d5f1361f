"""The stored copy of the current rating never disagrees with the ratings.

Listings sort and filter on Product.stored_stars through an index; with_current_stars()
reads it for today. These tests move "today" and write certificates every way the site
does, and compare what pages read with the certificates' own answer (test_current_stars.py
pins that answer down).
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Product
from catalogue.models.stars import rating_columns
from certification.models import Certificate

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def today(monkeypatch):
    """Set the site's date: `today.set(day)`; pages and querysets read it, nothing else runs."""

    class Today:
        day = timezone.localdate()

        def set(self, day):
            self.day = day

    clock = Today()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock.day)
    return clock


def read(product) -> tuple[int | None, int | None, str]:
    """(stars, rating id, state) as pages read them today: the stored copy."""
    row = Product.objects.with_current_stars().get(pk=product.pk)
    return row.current_stars, row.current_certificate_id, row.rating_state


def from_certificates(product, on) -> tuple[int | None, int | None, str]:
    """(stars, rating id, state) on `on`, computed afresh from the ratings."""
    rating = rating_columns(Certificate, on)
    row = (
        Product.objects.filter(pk=product.pk)
        .annotate(
            expected_stars=rating["stars"],
            expected_id=rating["certificate_id"],
            expected_state=rating["state"],
        )
        .get()
    )
    return row.expected_stars, row.expected_id, row.expected_state


def test_stored_stars_follow_every_change_of_day_with_no_command_run(today):
    """Signed, superseded, revoked in advance, expired: each day reads what the certificates say."""
    start = D(2024, 1, 1)
    today.set(start)
    product = make_product()
    make_certificate(product=product, stars=3, decision_date=D(2023, 2, 1))  # ends 2026-01-31
    upgrade = make_certificate(product=product, stars=5, decision_date=D(2024, 1, 20))  # pending
    upgrade.revoked_on, upgrade.revocation_reason = D(2024, 3, 5), "Không đạt khi kiểm tra"
    upgrade.save()
    make_certificate(
        product=product, stars=4, decision_date=D(2024, 2, 10), valid_until=D(2024, 4, 1)
    )
    seen = set()
    for day in (start + n * ONE_DAY for n in range(0, 900, 3)):
        today.set(day)
        assert read(product) == from_certificates(product, day), day
        seen.add(read(product)[::2])
    assert seen >= {(3, "in_force"), (4, "in_force"), (5, "in_force"), (4, "expired")}


def test_a_rating_expiring_at_midnight_leaves_the_in_force_list_the_next_day(client, today):
    """On its last valid day the product is on the 4-star page kept to ratings in force; the
    next day it is not, and the 4-star page lists it as expired."""
    certificate = make_certificate(stars=4, decision_date=D(2022, 5, 20))
    page = reverse("catalogue:star-detail", args=[4])
    today.set(certificate.ends_on)
    assert certificate.product in client.get(page + "?state=in_force").context["page"].object_list
    today.set(certificate.ends_on + ONE_DAY)
    assert (
        certificate.product not in client.get(page + "?state=in_force").context["page"].object_list
    )
    listed = client.get(page + "?state=expired").context["page"].object_list
    assert [product.rating_state for product in listed] == ["expired"]


def test_writes_to_certificates_and_products_keep_the_copy_right(today):
    """Revocation, deletion, a certificate moved to another product, a product saved from an
    instance loaded before its certificate: each is read right at once."""
    product, other = make_product(), make_product()
    stale_instance = Product.objects.get(pk=product.pk)
    certificate = make_certificate(product=product, stars=5)
    assert read(product) == (5, certificate.pk, "in_force")

    stale_instance.summary = "Chè búp"
    stale_instance.save()
    assert read(product) == (5, certificate.pk, "in_force")

    certificate.product = other
    certificate.save()
    assert read(product) == (None, None, "")
    assert read(other) == (5, certificate.pk, "in_force")

    certificate.revoked_on, certificate.revocation_reason = today.day, "Thu hồi"
    certificate.save()
    assert read(other) == (5, certificate.pk, "expired")

    kept = make_certificate(product=other, stars=3)
    assert read(other) == (3, kept.pk, "in_force")
    Certificate.objects.filter(pk=kept.pk).delete()
    assert read(other) == from_certificates(other, today.day) == (5, certificate.pk, "expired")


def test_bulk_writes_to_certificates_keep_the_copy_right(today):
    """update(), bulk_create() and bulk_update() send no post_save, and are read right too."""
    product, other = make_product(), make_product()
    (created,) = Certificate.objects.bulk_create(
        [
            Certificate(
                product=product,
                stars=4,
                decision_number="1/QĐ-UBND",
                decision_date=today.day - 10 * ONE_DAY,
                valid_until=today.day + 10 * ONE_DAY,
                issuer_level=Certificate.IssuerLevel.PROVINCE,
            )
        ]
    )
    assert read(product) == (4, created.pk, "in_force")
    Certificate.objects.filter(pk=created.pk).update(valid_until=today.day - ONE_DAY)
    assert read(product) == (4, created.pk, "expired")
    Certificate.objects.filter(pk=created.pk).update(valid_until=today.day, stars=5)
    assert read(product) == (5, created.pk, "in_force")
    created.product = other
    Certificate.objects.bulk_update([created], ["product"])
    assert read(product) == (None, None, "")
    assert read(other) == (5, created.pk, "in_force")
    created.valid_until = today.day - ONE_DAY
    Certificate.objects.bulk_update([created], ["valid_until"])
    assert read(other) == (5, created.pk, "expired")


def test_seeded_products_store_their_current_stars(today):
    """seed_catalogue writes certificates in bulk, without save(): the copy is right anyway."""
    call_command("seed_catalogue", products=40, verbosity=0)
    products = Product.objects.all()
    assert {read(product)[0] for product in products} >= {3}
    for product in products:
        assert read(product) == from_certificates(product, today.day)


DAYS = st.integers(min_value=0, max_value=1500).map(lambda n: D(2022, 1, 1) + n * ONE_DAY)
CERTIFICATES = st.lists(
    st.tuples(
        st.sampled_from([3, 4, 5]),
        DAYS,  # decision date
        st.integers(min_value=1, max_value=1100),  # days in force
        st.one_of(st.none(), st.integers(min_value=0, max_value=1200)),  # revoked after
    ),
    min_size=0,
    max_size=4,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(certificates=CERTIFICATES, days=st.lists(DAYS, min_size=1, max_size=6))
def test_any_certificates_any_days_read_as_the_certificates_say(today, certificates, days):
    """Whatever the certificates and however the date moves (even backwards)."""
    today.set(D(2022, 1, 1))
    product = make_product()
    for stars, decided, length, revoked_after in certificates:
        make_certificate(
            product=product,
            stars=stars,
            decision_date=decided,
            valid_until=decided + length * ONE_DAY,
            revoked_on=None if revoked_after is None else decided + revoked_after * ONE_DAY,
            revocation_reason="" if revoked_after is None else "Thu hồi",
        )
    for day in days:
        today.set(day)
        assert read(product) == from_certificates(product, day), day


def test_an_import_stores_the_stars_of_every_product_it_wrote_once_at_the_end(tmp_path, today):
    from .spreadsheets import ROW, load_places, write_csv

    load_places()
    rerated = ROW | {"stars": "5", "score": "92", "decision_number": "40/QĐ-UBND"}
    rerated["decision_date"] = "01/06/2025"
    other = ROW | {"product_name": "Chè móc câu", "stars": "3", "score": "60"}
    other["decision_number"] = "13/QĐ-UBND"
    call_command("import_ocop", write_csv(tmp_path / "first.csv", [ROW, other]), verbosity=0)
    first, second = Product.objects.order_by("name")
    assert read(first) == from_certificates(first, today.day) and read(first)[0] == 4
    assert read(second) == from_certificates(second, today.day) and read(second)[0] == 3

    call_command("import_ocop", write_csv(tmp_path / "again.csv", [rerated]), verbosity=0)
    assert read(first) == from_certificates(first, today.day) and read(first)[0] == 5
    assert read(second)[0] == 3
