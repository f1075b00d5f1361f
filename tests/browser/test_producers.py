"""The producer portal in a real browser: staff invite a producer, who sets a password from
the mail, signs in and proposes a new story and a photo; the public page changes only once
staff approve; the history names both people. axe-core finds nothing on the portal's pages."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from catalogue.models import Product, ProductImage
from producers.models import AuditEvent, Invitation, Proposal
from tests.factories_producers import private_proposals  # noqa: F401

from .conftest import PHONE
from .test_accessibility import run_axe

TAN_CUONG_TEA = "Chè Đinh Tân Cương"
NEW_STORY = "Đồi chè của gia đình chúng tôi được trồng từ năm 1985, hái tay mỗi sáng."
PASSWORD = "Tra-xanh-Tan-Cuong-2026"


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tea(site):
    """The tea of the demo register; put back as it was, and the portal's rows removed."""
    product = Product.objects.select_related("producer").get(name=TAN_CUONG_TEA)
    story, image_ids = product.story, set(product.images.values_list("pk", flat=True))
    yield product
    ProductImage.objects.filter(product=product).exclude(pk__in=image_ids).delete()
    product.refresh_from_db()
    product.story = story
    product.save()
    Proposal.objects.all().delete()  # with their photos' rows
    Invitation.objects.all().delete()
    AuditEvent.objects.all().delete()


def sign_in_to_admin(page, site, url, username, password):
    page.goto(site + url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit], button[type=submit]").first.click()


def test_invite_propose_approve_and_see_both_people_in_the_history(site, new_context, tea):
    get_user_model().objects.create_superuser("moderator", "m@example.invalid", "s3cret-pw")
    mail.outbox = []
    staff = new_context().new_page()
    add = reverse("admin:producers_invitation_add") + f"?producer={tea.producer_id}"
    sign_in_to_admin(staff, site, add, "moderator", "s3cret-pw")
    staff.locator("#id_email").fill("htx.tancuong@example.invalid")
    staff.locator("#id_role").select_option("owner")
    staff.locator("input[name=_save]").click()
    expect(staff.locator(".messagelist .success")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/producer/invitation/\S+/", mail.outbox[0].body)[0]
    producer = new_context(viewport=PHONE).new_page()
    producer.goto(link)
    producer.locator("#id_new_password1").fill(PASSWORD)
    producer.locator("#id_new_password2").fill(PASSWORD)
    producer.locator(".portal-form button[type=submit]").click()
    expect(producer.locator("h1")).to_have_text("Cổng thông tin chủ thể của bạn")

    # Signed out and in again, through the portal's own sign-in.
    producer.locator(".portal-nav button[type=submit]").click()
    producer.locator("#id_username").fill("htx.tancuong@example.invalid")
    producer.locator("#id_password").fill(PASSWORD)
    producer.locator(".portal-form button[type=submit]").click()
    expect(producer.locator("h1")).to_have_text("Cổng thông tin chủ thể của bạn")

    producer.locator(f"a[href='{reverse('producers:product-edit', args=[tea.pk])}']").click()
    producer.locator("#id_story").fill(NEW_STORY)
    producer.locator("#id_photo").set_input_files(
        {"name": "doi-che.png", "mimeType": "image/png", "buffer": photo_bytes()}
    )
    producer.locator("#id_photo_alt").fill("Đồi chè buổi sáng")
    producer.locator(".portal-form button[type=submit]").click()
    expect(producer.locator(".notice--success, .notice--info").first).to_be_visible()
    proposal = Proposal.objects.get()
    assert proposal.status == "pending" and proposal.photos.count() == 1

    visitor = new_context().new_page()
    visitor.goto(site + tea.get_absolute_url())
    expect(visitor.locator("h1")).to_have_text(TAN_CUONG_TEA)
    assert NEW_STORY not in visitor.content()

    staff.goto(site + reverse("admin:producers_proposal_change", args=[proposal.pk]))
    expect(staff.locator("body")).to_contain_text(NEW_STORY)
    expect(staff.locator("img[alt='Đồi chè buổi sáng']")).to_be_visible()
    staff.locator("input[name=decision][value=approve]").check()
    staff.locator("input[name=_save]").click()
    expect(staff.locator(".messagelist .success")).to_be_visible()

    visitor.goto(site + tea.get_absolute_url())
    expect(visitor.locator("body")).to_contain_text(NEW_STORY)
    assert visitor.locator("img[alt='Đồi chè buổi sáng']").count() >= 1

    staff.goto(site + reverse("admin:catalogue_product_history", args=[tea.pk]))
    history = staff.locator("body")
    expect(history).to_contain_text("htx.tancuong@example.invalid")
    expect(history).to_contain_text(f"proposal #{proposal.pk} approved by moderator")

    # The producer sees the decision.
    producer.goto(site + reverse("producers:home"))
    expect(producer.locator("body")).to_contain_text("đã duyệt")


def test_the_portal_pages_have_no_axe_violations(site, new_context, axe_path, tea):
    """axe-core finds no violation at all on the portal's pages, on a phone, in 3 languages."""
    user = get_user_model().objects.create_user(
        "htx@example.invalid", "htx@example.invalid", PASSWORD
    )
    admin = get_user_model().objects.create_superuser("inviter", "i@example.invalid", "pw")
    Invitation.objects.create(
        producer=tea.producer,
        email=user.email,
        user=user,
        invited_by=admin,
        accepted_at="2026-01-01T00:00:00Z",
    )
    proposal = Proposal.objects.create(
        producer=tea.producer,
        product=tea,
        author=user,
        changes={"story": {"old": tea.story, "new": NEW_STORY}},
        status="rejected",
        reason="Xin bổ sung nguồn.",
    )
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    page.goto(site + reverse("producers:login"))
    report = {"login": run_axe(page, axe_path)}
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".portal-form button[type=submit]").click()
    for prefix in ("", "/en", "/fr"):
        for name, url in {
            "home": reverse("producers:home"),
            "product": reverse("producers:product-edit", args=[tea.pk]),
            "producer": reverse("producers:producer-edit", args=[tea.producer_id]),
            "proposal": reverse("producers:proposal", args=[proposal.pk]),
        }.items():
            page.goto(site + prefix + url)
            report[f"{name} {prefix or '/vi'}"] = run_axe(page, axe_path)
    violations = {name: [v["id"] for v in found] for name, found in report.items() if found}
    assert not violations, violations
