"""Certificate lifecycle in the admin: status and year filters, the summary, revocation, history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalogue.admin.common import VERSION_FIELD, latest_version
from certification.models import Certificate

from .factories import make_certificate, make_product

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:certification_certificate_changelist")


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def results(response) -> set:
    return set(response.context["cl"].result_list)


@pytest.fixture
def lifecycle():
    """One certificate in each state, signed in two different years."""
    today = timezone.localdate()
    return {
        "in_force": make_certificate(decision_date=ago(30)),
        "expiring_30": make_certificate(
            decision_date=ago(400), valid_until=today + datetime.timedelta(days=20)
        ),
        "expiring_90": make_certificate(
            decision_date=ago(400), valid_until=today + datetime.timedelta(days=60)
        ),
        "expired": make_certificate(decision_date=ago(1200), valid_until=ago(1)),
        "revoked": make_certificate(
            decision_date=ago(200), revoked_on=ago(2), revocation_reason="Vi phạm ATTP"
        ),
        "pending": make_certificate(decision_date=today + datetime.timedelta(days=5)),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("in_force", {"in_force", "expiring_30", "expiring_90"}),
        ("expiring_30", {"expiring_30"}),
        ("expiring_90", {"expiring_30", "expiring_90"}),
        ("expiring", {"expiring_30", "expiring_90"}),  # links made before the 30-day filter
        ("expired", {"expired"}),
        ("revoked", {"revoked"}),
        ("pending", {"pending"}),
    ],
)
def test_status_filter(staff_client, lifecycle, status, expected):
    response = staff_client.get(CHANGELIST, {"status": status})
    assert results(response) == {lifecycle[key] for key in expected}


def test_evaluation_year_filter(staff_client):
    old = make_certificate(decision_date=datetime.date(2022, 6, 1))
    new = make_certificate(decision_date=datetime.date(2024, 6, 1))
    response = staff_client.get(CHANGELIST)
    [year_filter] = [
        f for f in response.context["cl"].filter_specs if f.title == gettext("evaluation year")
    ]
    assert [choice for choice, _ in year_filter.lookup_choices] == ["2024", "2022"]
    assert results(staff_client.get(CHANGELIST, {"decision_year": "2022"})) == {old}
    assert results(staff_client.get(CHANGELIST, {"decision_year": "2024"})) == {new}
    assert results(staff_client.get(CHANGELIST, {"decision_year": "abc"})) == {old, new}


def expected_counts(queryset) -> list[int]:
    """The summary's columns, counted from each rating's own status()."""
    today = timezone.localdate()
    ratings = list(queryset)
    statuses = [rating.status(today) for rating in ratings]

    def expiring(days):
        end = today + datetime.timedelta(days=days)
        return sum(
            s == "in_force" and r.ends_on <= end for r, s in zip(ratings, statuses, strict=True)
        )

    return [
        statuses.count("in_force"),
        expiring(30),
        expiring(90),
        statuses.count("reported"),
        statuses.count("may_have_expired"),
        statuses.count("expired"),
        statuses.count("undated"),
        statuses.count("revoked"),
    ]


def test_summary_counts_match_the_database_in_all_and_per_year(staff_client, lifecycle):
    make_certificate(decision_date=datetime.date(2021, 5, 5))
    response = staff_client.get(CHANGELIST)
    summary = response.context["status_summary"]
    assert len(summary["headers"]) == 8
    rows = {label: [count for count, _ in cells] for label, cells in summary["rows"]}
    assert rows.pop(gettext("All years")) == expected_counts(Certificate.objects.all())
    years = Certificate.objects.dates("starts_on", "year")
    assert set(rows) == {day.year for day in years}
    for year, counts in rows.items():
        assert counts == expected_counts(Certificate.objects.filter(starts_on__year=year))


def test_summary_links_open_the_filtered_list_with_the_same_count(staff_client, lifecycle):
    response = staff_client.get(CHANGELIST)
    for _, cells in response.context["status_summary"]["rows"]:
        for count, query in cells:
            listed = staff_client.get(CHANGELIST + query).context["cl"].result_count
            assert listed == count, query


def test_summary_is_shown_above_the_list(staff_client, lifecycle):
    response = staff_client.get(CHANGELIST)
    content = response.content.decode()
    assert 'id="certificate-status-summary"' in content
    assert content.index("certificate-status-summary") < content.index('id="changelist"')
    assert 'href="?status=revoked"' in content


def test_revoking_without_a_reason_is_refused_with_a_message(staff_client):
    certificate = make_certificate()
    url = reverse("admin:certification_certificate_change", args=[certificate.pk])
    data = {
        "product": certificate.product.pk,
        "stars": certificate.stars,
        "decision_number": certificate.decision_number,
        "decision_date": certificate.decision_date.isoformat(),
        "decision_date_precision": "day",
        "evidence": "decision",
        "reported_on_precision": "day",
        "issuer": certificate.issuer,
        "issuer_level": certificate.issuer_level,
        "valid_until": "",
        "revoked_on": timezone.localdate().isoformat(),
        "revocation_reason": "",
        # The version the form was opened at (concurrent edits are refused).
        VERSION_FIELD: latest_version(certificate).history_id,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["revocation_reason"]
    certificate.refresh_from_db()
    assert certificate.revoked_on is None
    response = staff_client.post(url, data | {"revocation_reason": "Không tái đánh giá"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status() == "revoked"


def test_product_page_shows_the_certificate_history_newest_first_with_status(staff_client):
    product = make_product()
    old = make_certificate(product=product, stars=3, decision_date=ago(1500), valid_until=ago(400))
    new = make_certificate(product=product, stars=4, decision_date=ago(100))
    revoked = make_certificate(
        product=product,
        stars=5,
        score=95,
        decision_date=ago(50),
        revoked_on=ago(10),
        revocation_reason="Sai nhãn",
    )
    response = staff_client.get(reverse("admin:catalogue_product_change", args=[product.pk]))
    [inline] = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "certificates"
    ]
    assert [form.instance for form in inline.formset.forms] == [revoked, new, old]
    content = response.content.decode()
    timeline = content[content.index("<ol>") : content.index("</ol>")]
    positions = [timeline.index(c.decision_number) for c in (revoked, new, old)]
    assert positions == sorted(positions)
    assert "Sai nhãn" in timeline
    with translation.override(response["Content-Language"]):
        statuses = [str(c.get_status_display()) for c in (revoked, new, old)]
    assert len(set(statuses)) == 3  # revoked, in force, expired
    assert all(f"<strong>{status}</strong>" in timeline for status in statuses)
