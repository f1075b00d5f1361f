"""Staff moderate proposals in the admin: a diff, photos side by side, approve (one
transaction, history with both people) or reject with a mailed reason; stale proposals are
flagged and not applied; commune editors see only their communes' producers."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import Product
from editors.models import CommuneEditor
from editors.roles import COMMUNE_EDITORS
from producers.models import AuditEvent, Invitation, Proposal, ProposedPhoto
from tests.factories import make_certificate, make_commune, make_producer, make_product, tiny_png
from tests.factories_producers import make_member, make_proposal, make_staff, private_proposals  # noqa: F401

pytestmark = pytest.mark.django_db


def change_url(proposal):
    return reverse("admin:producers_proposal_change", args=[proposal.pk])


def decide(client, proposal, decision, reason=""):
    return client.post(change_url(proposal), {"decision": decision, "reason": reason})


@pytest.fixture
def staff(client):
    user = make_staff("moderator")
    client.force_login(user)
    return user


@pytest.fixture
def proposal():
    product = make_product(name="Chè búp Tân Cương", story="Câu chuyện cũ")
    make_certificate(product=product, stars=4)
    author = make_member(product.producer, email="htx@example.invalid")
    proposal = make_proposal(
        product=product,
        author=author,
        changes={
            "story": {"old": "Câu chuyện cũ", "new": "Câu chuyện mới"},
            "price_vnd": {"old": None, "new": 150000},
        },
    )
    from django.core.files.base import ContentFile

    ProposedPhoto.objects.create(
        proposal=proposal, image=ContentFile(tiny_png().read(), name="p.png"), alt_text="Hộp chè"
    )
    return proposal


def test_the_queue_lists_pending_proposals_with_their_fields(client, staff, proposal):
    response = client.get(reverse("admin:producers_proposal_changelist") + "?status=pending")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chè búp Tân Cương" in page
    assert "htx@example.invalid" in page  # who proposed it
    response = client.get(reverse("admin:producers_proposal_changelist") + "?status=approved")
    assert "Chè búp Tân Cương" not in response.content.decode()


def test_the_change_page_shows_the_diff_and_the_photos_side_by_side(client, staff, proposal):
    page = client.get(change_url(proposal)).content.decode()
    assert "Câu chuyện cũ" in page and "Câu chuyện mới" in page and "150000" in page
    photo = proposal.photos.get()
    photo_url = reverse("admin:producers_proposal_photo", args=[photo.pk])
    assert photo_url in page
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_approval_applies_in_one_go_with_both_people_in_the_history(client, staff, proposal):
    response = decide(client, proposal, "approve")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == staff
    product = Product.objects.get(pk=proposal.product_id)
    assert product.story == "Câu chuyện mới" and product.price_vnd == 150000
    record = product.history.latest()
    assert record.history_user == proposal.author
    assert record.history_change_reason == f"proposal #{proposal.pk} approved by moderator"
    image = product.images.get()
    assert image.alt_text == "Hộp chè" and image.renditions  # through the normal pipeline
    assert image.history.latest().history_user == proposal.author
    assert proposal.photos.get().product_image == image
    assert product.certificates.get().stars == 4
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Câu chuyện mới" in page
    assert AuditEvent.objects.filter(action="approved", user=staff).exists()


def test_rejection_needs_a_reason_mails_it_and_the_portal_shows_it(
    client, staff, proposal, django_capture_on_commit_callbacks
):
    response = decide(client, proposal, "reject", "")
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, proposal, "reject", "Ảnh bị mờ, xin gửi ảnh rõ hơn.")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["htx@example.invalid"]
    assert "Ảnh bị mờ, xin gửi ảnh rõ hơn." in mail.outbox[0].body
    assert reverse("producers:proposal", args=[proposal.pk]) in mail.outbox[0].body
    product = Product.objects.get(pk=proposal.product_id)
    assert product.story == "Câu chuyện cũ" and not product.images.exists()
    client.force_login(proposal.author)
    page = client.get(reverse("producers:proposal", args=[proposal.pk])).content.decode()
    assert "Ảnh bị mờ, xin gửi ảnh rõ hơn." in page


def test_a_proposal_made_stale_by_a_staff_edit_is_flagged_not_applied(client, staff, proposal):
    product = Product.objects.get(pk=proposal.product_id)
    product.story = "Sửa bởi cán bộ"
    product.save()
    page = client.get(reverse("admin:producers_proposal_changelist")).content.decode()
    assert 'alt="True"' in page  # the stale column
    assert "Sửa bởi cán bộ" in client.get(change_url(proposal)).content.decode()
    response = decide(client, proposal, "approve")
    assert response.status_code == 200
    assert (
        "since this proposal was made" in response.content.decode()
        or "kể từ" in response.content.decode()
    )
    product.refresh_from_db()
    assert product.story == "Sửa bởi cán bộ" and product.price_vnd is None
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_decided_proposal_cannot_be_decided_again(client, staff, proposal):
    decide(client, proposal, "approve")
    assert client.get(change_url(proposal)).status_code == 200  # shown, read-only
    response = decide(client, proposal, "reject", "late")
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.reason == ""


def test_a_row_naming_a_forbidden_field_is_never_applied(client, staff):
    product = make_product(is_published=True)
    bad = make_proposal(product=product, changes={"is_published": {"old": True, "new": False}})
    response = decide(client, bad, "approve")
    product.refresh_from_db()
    assert product.is_published is True
    bad.refresh_from_db()
    assert bad.status == "pending"
    assert response.status_code == 302  # back to the page, with the error message


def test_producer_profile_proposals_are_applied_too(client, staff):
    producer = make_producer(story="")
    proposal = Proposal.objects.create(
        producer=producer,
        author=make_member(producer),
        changes={"story": {"old": "", "new": "Từ năm 1980"}},
    )
    assert decide(client, proposal, "approve").status_code == 302
    producer.refresh_from_db()
    assert producer.story == "Từ năm 1980"
    assert producer.history.latest().history_user == proposal.author


def test_commune_editors_moderate_only_their_communes(client, proposal):
    call_command("setup_roles", verbosity=0)
    own = make_commune()
    mine = make_proposal(product=make_product(producer=make_producer(commune=own)))
    editor = make_staff("ward", superuser=False)
    editor.groups.add(Group.objects.get(name=COMMUNE_EDITORS))
    CommuneEditor.objects.create(user=editor).communes.set([own])
    client.force_login(editor)
    response = client.get(reverse("admin:producers_proposal_changelist"))
    assert list(response.context["cl"].result_list) == [mine]
    assert client.get(change_url(proposal)).status_code == 302  # as if missing
    photo = proposal.photos.get()
    assert client.get(reverse("admin:producers_proposal_photo", args=[photo.pk])).status_code == 404
    decide(client, proposal, "approve")
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert decide(client, mine, "approve").status_code == 302
    mine.refresh_from_db()
    assert mine.status == "approved"


def test_staff_cannot_add_or_delete_proposals(client, staff, proposal):
    assert client.get(reverse("admin:producers_proposal_add")).status_code == 403
    assert (
        client.get(reverse("admin:producers_proposal_delete", args=[proposal.pk])).status_code
        == 403
    )


def test_commune_editors_invite_only_to_their_communes_producers(client):
    call_command("setup_roles", verbosity=0)
    own = make_commune()
    ours, theirs = make_producer(commune=own), make_producer()
    editor = make_staff("ward", superuser=False)
    editor.groups.add(Group.objects.get(name=COMMUNE_EDITORS))
    CommuneEditor.objects.create(user=editor).communes.set([own])
    client.force_login(editor)
    add = reverse("admin:producers_invitation_add")
    refused = client.post(
        add, {"producer": theirs.pk, "email": "x@example.invalid", "role": "editor"}
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.has_error("producer")
    accepted = client.post(
        add, {"producer": ours.pk, "email": "y@example.invalid", "role": "editor"}
    )
    assert accepted.status_code == 302
    assert [i.producer for i in Invitation.objects.all()] == [ours]


def test_a_photo_missing_from_storage_stops_the_approval(
    client,
    staff,
    proposal,
    private_proposals,  # noqa: F811
):
    photo = proposal.photos.get()
    (private_proposals / photo.image.name).unlink()
    response = decide(client, proposal, "approve")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert Product.objects.get(pk=proposal.product_id).story == "Câu chuyện cũ"  # all or nothing
