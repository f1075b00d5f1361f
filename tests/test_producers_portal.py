"""The producer portal: one's own products with their stars and validity, the renewal
warning, QR codes, proposals that change nothing public, and nothing of anyone else's."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Product
from producers.models import RENEWAL_WARNING_DAYS, Proposal, ProposedPhoto, renewal_due
from tests.factories import make_category, make_certificate, make_commune, make_product, tiny_png
from tests.factories_producers import make_member, make_proposal, private_proposals  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(client):
    product = make_product(name="Chè Tân Cương đặc biệt", story="Câu chuyện cũ")
    make_certificate(product=product, stars=4)
    user = make_member(product.producer)
    client.force_login(user)
    return product


@pytest.fixture
def theirs():
    product = make_product(name="Miến dong Bằng Vân", story="Của người khác")
    proposal = make_proposal(product=product)
    photo = ProposedPhoto.objects.create(proposal=proposal, image=_stored_png(), alt_text="x")
    return product, proposal, photo


def _stored_png():
    from django.core.files.base import ContentFile

    return ContentFile(tiny_png().read(), name="their.png")


def test_home_lists_own_products_with_stars_and_validity(client, mine, theirs):
    response = client.get(reverse("producers:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chè Tân Cương đặc biệt" in page
    assert "4 sao" in page or "4 stars" in page
    assert mine.public_code in page
    assert "Miến dong Bằng Vân" not in page
    assert reverse("producers:product-edit", args=[mine.pk]) in page
    assert reverse("producers:qr-svg", args=[mine.pk]) in page
    assert reverse("catalogue:product-label", args=[mine.slug]) in page


def test_portal_requires_sign_in(client):
    response = client.get(reverse("producers:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("producers:login"))


@pytest.mark.parametrize(
    ("days_left", "warned"),
    [(RENEWAL_WARNING_DAYS + 1, False), (RENEWAL_WARNING_DAYS, True), (10, True)],
)
def test_renewal_warning_from_90_days_before_the_end_of_validity(client, days_left, warned):
    today = timezone.localdate()
    product = make_product()
    make_certificate(
        product=product,
        decision_date=today - datetime.timedelta(days=400),
        valid_until=today + datetime.timedelta(days=days_left),
    )
    client.force_login(make_member(product.producer))
    page = client.get(reverse("producers:home")).content.decode()
    assert ("Apply for re-evaluation" in page or "Nộp hồ sơ đánh giá lại" in page) is warned


def test_renewal_due_follows_the_day_passed_in():
    today = datetime.date(2026, 12, 6)
    certificate = make_certificate(
        decision_date=datetime.date(2024, 1, 10), valid_until=datetime.date(2027, 3, 6)
    )
    assert renewal_due(certificate, today) == datetime.date(2027, 3, 6)  # 90 days before
    assert renewal_due(certificate, today - datetime.timedelta(days=1)) is None
    # 36 months from its date when no validity is stated: the end the product page shows.
    undated_end = make_certificate(decision_date=datetime.date(2024, 3, 1))
    assert undated_end.ends_on == datetime.date(2027, 2, 28)
    assert renewal_due(undated_end, datetime.date(2026, 11, 30)) == datetime.date(2027, 2, 28)
    assert renewal_due(undated_end, datetime.date(2026, 11, 29)) is None
    assert renewal_due(None, today) is None


def count_home_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("producers:home"))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_home_runs_the_same_queries_for_3_or_30_products(client):
    product = make_product()
    client.force_login(make_member(product.producer))
    for n in range(2):
        other = make_product(producer=product.producer, name=f"Thêm {n}")
        make_certificate(product=other)
        make_proposal(product=other, author=None)
    count_home_queries(client)
    few = count_home_queries(client)
    for n in range(27):
        other = make_product(producer=product.producer, name=f"Nữa {n}")
        make_certificate(product=other)
        make_proposal(product=other)
    many = count_home_queries(client)
    assert few == many, (few, many)
    assert few <= 12


def portal_urls(product, proposal, photo) -> list[str]:
    return [
        reverse("producers:producer-edit", args=[product.producer_id]),
        reverse("producers:product-edit", args=[product.pk]),
        reverse("producers:qr-svg", args=[product.pk]),
        reverse("producers:qr-png", args=[product.pk]),
        reverse("producers:proposal", args=[proposal.pk]),
        reverse("producers:photo", args=[photo.pk]),
    ]


def test_every_portal_url_with_another_producers_ids_answers_404(client, mine, theirs):
    product, proposal, photo = theirs
    for url in portal_urls(*theirs):
        for prefix in ("", "/en", "/fr"):
            assert client.get(prefix + url).status_code == 404, url
        assert client.post(url, {"story": "hacked"}).status_code in (404, 405), url
    product.refresh_from_db()
    assert product.story == "Của người khác"
    assert Proposal.objects.filter(product=product).count() == 1  # theirs, unchanged


def test_unknown_ids_answer_404(client, mine):
    for url in [
        "/producer/producers/999999/edit/",
        "/producer/products/999999/edit/",
        "/producer/proposals/999999/",
        "/producer/photos/999999/",
        "/producer/products/999999/qr.svg",
    ]:
        assert client.get(url).status_code == 404


def test_own_pages_answer(client, mine):
    proposal = make_proposal(product=mine)
    photo = ProposedPhoto.objects.create(proposal=proposal, image=_stored_png())
    for url in portal_urls(mine, proposal, photo):
        assert client.get(url).status_code == 200, url
    svg = client.get(reverse("producers:qr-svg", args=[mine.pk]))
    assert svg["Content-Type"].startswith("image/svg")
    assert "attachment" in svg["Content-Disposition"]


def product_post(product, **extra):
    data = {
        name: getattr(product, name) or ""
        for name in [
            "summary",
            "summary_en",
            "summary_fr",
            "story",
            "story_en",
            "story_fr",
            "ingredients",
            "net_weight",
            "packaging",
            "shelf_life",
            "visiting_address",
            "opening_hours",
            "visiting_contact",
        ]
    }
    data["price_vnd"] = product.price_vnd or ""
    return data | extra


def test_a_proposal_stores_old_and_new_and_changes_nothing_public(client, mine):
    public_before = client.get(mine.get_absolute_url()).content.decode()
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]),
        product_post(mine, story="Câu chuyện mới của hợp tác xã", price_vnd="120000"),
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(product=mine)
    assert proposal.status == "pending"
    assert proposal.changes == {
        "story": {"old": "Câu chuyện cũ", "new": "Câu chuyện mới của hợp tác xã"},
        "price_vnd": {"old": None, "new": 120000},
    }
    mine.refresh_from_db()
    assert mine.story == "Câu chuyện cũ" and mine.price_vnd is None
    public_after = client.get(mine.get_absolute_url()).content.decode()
    assert "Câu chuyện mới" not in public_after
    assert ("Câu chuyện cũ" in public_before) == ("Câu chuyện cũ" in public_after)


@pytest.mark.parametrize(
    "field",
    [
        "stored_stars",
        "stars",
        "category",
        "commune",
        "is_published",
        "public_code",
        "slug",
        "producer",
        "name",
        "current_stars",
    ],
)
def test_crafted_fields_are_refused_and_change_nothing(client, mine, field):
    other_category, other_commune = make_category(), make_commune()
    values = {
        "category": other_category.pk,
        "commune": other_commune.pk,
        "producer": 1,
        "is_published": "",
        "stored_stars": 5,
        "stars": 5,
        "current_stars": 5,
    }
    before = Product.objects.values().get(pk=mine.pk)
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]),
        product_post(mine, story="Mới", **{field: values.get(field, "TN-OCOP-0001")}),
    )
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Proposal.objects.exists()
    assert Product.objects.values().get(pk=mine.pk) == before
    assert mine.certificates.get().stars == 4


def test_crafted_fields_on_the_producer_form_are_refused(client, mine):
    response = client.post(
        reverse("producers:producer-edit", args=[mine.producer_id]),
        {"story": "Mới", "commune": make_commune().pk, "name": "Đổi tên"},
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_a_producer_profile_proposal(client, mine):
    response = client.post(
        reverse("producers:producer-edit", args=[mine.producer_id]),
        {
            "story": "Chúng tôi trồng chè từ 1980.",
            "story_en": "We grow tea since 1980.",
            "website": "htx.example.invalid",
            "phone": "",
            "email": "",
            "representative": "",
            "story_fr": "",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.product is None and proposal.producer == mine.producer
    assert proposal.changes["website"]["new"] == "https://htx.example.invalid"
    assert set(proposal.changes) == {"story", "story_en", "website"}


def test_an_unchanged_form_proposes_nothing(client, mine):
    response = client.post(reverse("producers:product-edit", args=[mine.pk]), product_post(mine))
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_a_photo_is_checked_and_stays_private(client, mine, media_root, private_proposals):  # noqa: F811
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]),
        product_post(mine, photo=tiny_png("goi-che.png"), photo_alt="Gói chè 200 g"),
    )
    assert response.status_code == 302
    photo = ProposedPhoto.objects.get()
    assert (private_proposals / photo.image.name).exists()
    assert not list(media_root.rglob("*.png")) if media_root.exists() else True
    assert not mine.images.exists()
    served = client.get(reverse("producers:photo", args=[photo.pk]))
    assert served.status_code == 200 and "no-store" in served["Cache-Control"]
    # Not a public address: signed out, the portal sends to the login page.
    client.logout()
    assert client.get(reverse("producers:photo", args=[photo.pk])).status_code == 302


def test_a_file_that_is_not_an_image_is_refused(client, mine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]), product_post(mine, photo=fake)
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists() and not ProposedPhoto.objects.exists()


def test_bad_numbers_get_a_message_not_a_500(client, mine):
    response = client.post(
        reverse("producers:product-edit", args=[mine.pk]), product_post(mine, price_vnd="-5abc")
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Cổng thông tin"), ("/en", "Your producer portal"), ("/fr", "Votre espace producteur")],
)
def test_the_portal_speaks_vietnamese_english_and_french(client, mine, prefix, heading):
    response = client.get(prefix + reverse("producers:home"))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_the_portal_lists_proposals_with_the_reason_of_a_rejection(client, mine):
    make_proposal(product=mine, status="rejected", reason="Ảnh không rõ nét")
    page = client.get(reverse("producers:home")).content.decode()
    assert "Ảnh không rõ nét" in page
