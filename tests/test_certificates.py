"""Certificate rules: what the database refuses, what clean() explains, dates and status."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from certification.models import Certificate, add_months, default_valid_until

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_refused(constraint: str | None = None, **fields):
    """Saving a certificate with `fields` raises IntegrityError (naming `constraint`)."""
    product = make_product()
    before = Certificate.objects.count()
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        make_certificate(product=product, **fields)
    if constraint:
        assert constraint in str(caught.value)
    assert Certificate.objects.count() == before


# Database constraints


@pytest.mark.parametrize("stars", [0, 1, 2, 6, 9])
def test_database_refuses_stars_outside_3_to_5(stars):
    """Only 3, 4 and 5 stars exist: the database refuses other ratings."""
    assert_refused("certificate_stars_valid", stars=stars)


@pytest.mark.parametrize(
    ("stars", "score"),
    [
        (3, "49.99"),
        (3, "70"),
        (3, "70.00"),
        (4, "69.99"),
        (4, "90"),
        (5, "89.9"),
        (5, "89.99"),
        (5, "100.01"),
        (5, "0"),
    ],
)
def test_database_refuses_a_score_outside_the_band_of_its_stars(stars, score):
    """A score must fall in its star band: 3★ 50–<70, 4★ 70–<90, 5★ 90–100."""
    assert_refused("certificate_score_in_band", stars=stars, score=Decimal(score))


@pytest.mark.parametrize(
    ("stars", "score"),
    [(3, "50"), (3, "69.99"), (4, "70"), (4, "89.99"), (5, "90"), (5, "100")],
)
def test_database_accepts_band_boundaries(stars, score):
    """The lower bound of each band, and 100 for five stars, are accepted."""
    certificate = make_certificate(stars=stars, score=Decimal(score))
    certificate.refresh_from_db()
    assert certificate.score == Decimal(score)


def test_database_accepts_a_certificate_without_a_score():
    """The score is optional: older decisions do not publish it."""
    certificate = make_certificate(stars=3, score=None)
    assert Certificate.objects.filter(pk=certificate.pk, score__isnull=True).exists()


@pytest.mark.parametrize("days_after", [0, -1, -400])
def test_database_refuses_valid_until_on_or_before_the_decision_date(days_after):
    """A certificate must stay valid for at least the day after its decision."""
    decision = D(2024, 5, 10)
    assert_refused(
        "certificate_valid_after_decision",
        decision_date=decision,
        valid_until=decision + datetime.timedelta(days=days_after),
    )


def test_database_accepts_valid_until_the_day_after_the_decision():
    """valid_until one day after the decision date is the shortest accepted validity."""
    certificate = make_certificate(decision_date=D(2024, 5, 10), valid_until=D(2024, 5, 11))
    assert certificate.pk is not None


def test_database_refuses_revocation_before_the_decision_date():
    """A certificate cannot be revoked before it was decided."""
    assert_refused(
        "certificate_revoked_after_decision",
        decision_date=D(2024, 5, 10),
        revoked_on=D(2024, 5, 9),
        revocation_reason="Sai sót hồ sơ",
    )


def test_database_accepts_revocation_on_the_decision_date():
    """Revocation on the decision date itself is allowed."""
    certificate = make_certificate(
        decision_date=D(2024, 5, 10), revoked_on=D(2024, 5, 10), revocation_reason="Nhầm lẫn"
    )
    assert certificate.pk is not None


def test_database_refuses_revocation_without_a_reason():
    """A revocation must say why."""
    assert_refused(
        "certificate_revocation_has_reason",
        decision_date=D(2024, 5, 10),
        revoked_on=D(2025, 1, 1),
        revocation_reason="",
    )


def test_database_refuses_the_same_decision_number_twice_for_one_product():
    """One decision rates a product once: a duplicate number for it is refused."""
    certificate = make_certificate(decision_number="12/QĐ-UBND")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_certificate(
            product=certificate.product, decision_number="12/QĐ-UBND", stars=5, score=None
        )
    assert certificate.product.certificates.count() == 1


def test_the_same_decision_number_may_rate_several_products():
    """One decision usually rates many products, so the number repeats across products."""
    make_certificate(decision_number="12/QĐ-UBND")
    make_certificate(decision_number="12/QĐ-UBND")
    assert Certificate.objects.filter(decision_number="12/QĐ-UBND").count() == 2


# Friendly validation


def build(**fields) -> Certificate:
    values = {
        "product": make_product(),
        "stars": 4,
        "decision_number": "1/QĐ-UBND",
        "decision_date": D(2024, 5, 10),
        "issuer_level": Certificate.IssuerLevel.PROVINCE,
    }
    return Certificate(**(values | fields))


@pytest.mark.parametrize(
    ("stars", "score", "low", "high"),
    [
        (3, "70", "50", "70"),
        (3, "49.5", "50", "70"),
        (4, "69.99", "70", "90"),
        (4, "90", "70", "90"),
        (5, "89.9", "90", "100"),
        (5, "100.01", "90", "100"),
    ],
)
def test_full_clean_explains_the_score_band_on_the_score_field(stars, score, low, high):
    """full_clean() puts a message naming the band on the score field, not a bare constraint."""
    certificate = build(stars=stars, score=Decimal(score))
    with pytest.raises(ValidationError) as caught:
        certificate.full_clean()
    errors = caught.value.message_dict
    assert list(errors) == ["score"]
    (message,) = errors["score"]
    assert low in message and high in message
    assert "certificate_score_in_band" not in message


@pytest.mark.parametrize(("stars", "score"), [(3, "50"), (4, "70"), (5, "90"), (5, "100")])
def test_full_clean_accepts_band_boundaries(stars, score):
    """full_clean() accepts the same boundary scores as the database."""
    build(stars=stars, score=Decimal(score)).full_clean()


def test_full_clean_explains_dates_and_revocation_on_their_fields():
    """Bad dates and a reasonless revocation are reported on their own fields."""
    certificate = build(
        decision_date=D(2024, 5, 10), valid_until=D(2024, 5, 10), revoked_on=D(2024, 5, 1)
    )
    with pytest.raises(ValidationError) as caught:
        certificate.full_clean()
    assert set(caught.value.message_dict) == {"valid_until", "revoked_on", "revocation_reason"}


def test_a_rating_without_a_stated_validity_stays_without_one():
    """A form left without valid_until validates; nothing is invented in its place."""
    certificate = build(decision_date=D(2023, 12, 31), valid_until=None)
    certificate.full_clean()
    assert certificate.valid_until is None


# Validity dates


@pytest.mark.parametrize(
    ("decision", "last_day"),
    [
        (D(2023, 12, 31), D(2026, 12, 30)),
        (D(2024, 1, 1), D(2026, 12, 31)),
        (D(2024, 1, 31), D(2027, 1, 30)),
        (D(2024, 3, 1), D(2027, 2, 28)),
        (D(2024, 2, 28), D(2027, 2, 27)),
        # 29 Feb 2027 does not exist: 36 months land on 28 Feb, so the last day is the 27th,
        # never a day in March (beyond the 36 months).
        (D(2024, 2, 29), D(2027, 2, 27)),
    ],
)
def test_validity_ends_36_months_less_one_day_after_the_decision(decision, last_day):
    """Without a stated valid_until, the rating ends the decision date plus 36 months, less
    one day; the stated field stays empty."""
    certificate = make_certificate(decision_date=decision)
    certificate.refresh_from_db()
    assert certificate.valid_until is None
    assert (certificate.ends_on, certificate.ends_by) == (last_day, last_day)
    assert default_valid_until(decision) == last_day


def test_an_explicit_valid_until_is_kept():
    """A valid_until typed from the decision is not replaced by the default."""
    certificate = make_certificate(decision_date=D(2023, 6, 1), valid_until=D(2025, 6, 1))
    certificate.refresh_from_db()
    assert certificate.valid_until == D(2025, 6, 1)


def test_validity_period_follows_the_setting(settings):
    """The validity period in months comes from OCOP_CERTIFICATE_VALIDITY_MONTHS."""
    settings.OCOP_CERTIFICATE_VALIDITY_MONTHS = 24
    assert default_valid_until(D(2023, 12, 31)) == D(2025, 12, 30)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 36, D(2027, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),
        (D(2023, 11, 15), 2, D(2024, 1, 15)),
        (D(2023, 12, 31), 36, D(2026, 12, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month(day, months, expected):
    """add_months() clamps to the month's last day instead of spilling into the next month."""
    assert add_months(day, months) == expected


# Status


def certificate_for_status(**fields) -> Certificate:
    values = {"stars": 4, "decision_date": D(2024, 1, 10), "valid_until": D(2027, 1, 9)}
    certificate = Certificate(record_key="status", **(values | fields))
    certificate.set_validity()  # what save() does
    return certificate


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (D(2024, 1, 9), "pending"),
        (D(2024, 1, 10), "in_force"),
        (D(2025, 6, 1), "in_force"),
        (D(2027, 1, 9), "in_force"),
        (D(2027, 1, 10), "expired"),
    ],
)
def test_status_follows_the_decision_and_end_dates(on, status):
    """A certificate is pending before its decision, in force to valid_until, then expired."""
    assert certificate_for_status().status(on=on) == status


@pytest.mark.parametrize(
    ("on", "status"),
    [(D(2025, 3, 31), "in_force"), (D(2025, 4, 1), "revoked"), (D(2028, 1, 1), "revoked")],
)
def test_status_is_revoked_from_the_revocation_date(on, status):
    """A revoked certificate is revoked from revoked_on on, even after it would have expired."""
    certificate = certificate_for_status(revoked_on=D(2025, 4, 1), revocation_reason="Vi phạm")
    assert certificate.status(on=on) == status


def test_status_display_names_the_status():
    """get_status_display() gives a distinct label for each status."""
    certificate = certificate_for_status(revoked_on=D(2025, 4, 1), revocation_reason="Vi phạm")
    labels = {
        str(certificate.get_status_display(on=day))
        for day in [D(2024, 1, 1), D(2024, 6, 1), D(2025, 4, 1)]
    }
    labels.add(str(certificate_for_status().get_status_display(on=D(2030, 1, 1))))
    labels.add(
        str(certificate_for_status(decision_date=None, valid_until=None).get_status_display())
    )
    assert len(labels) == 5
