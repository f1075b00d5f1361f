"""Producer accounts: invited by staff from the admin, a one-time link to set a password,
sign-in through django-axes, revocation, and never the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from producers.models import AuditEvent, Invitation
from tests.factories import make_producer
from tests.factories_producers import PASSWORD, make_member, make_staff, private_proposals  # noqa: F401

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Tea-from-Tan-Cuong-2026"


def invite(client, producer, email="chu.hop.tac@example.invalid", role="owner"):
    client.force_login(make_staff())
    return client.post(
        reverse("admin:producers_invitation_add"),
        {"producer": producer.pk, "email": email, "role": role},
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+/producer/invitation/\S+/", message.body)[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def accept(client, url, password=NEW_PASSWORD):
    response = client.get(path_of(url))
    assert response.status_code == 302
    form_url = response["Location"]
    assert "set-password" in form_url  # the token left the address for the session
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_staff_invite_sends_a_one_time_link_that_sets_a_password(
    client, django_capture_on_commit_callbacks
):
    producer = make_producer(name="HTX Chè Tân Cương")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, producer)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.invited_by.username == "inviter"
    assert invitation.accepted_at is None
    user = invitation.user
    assert not user.has_usable_password() and not user.is_staff
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chu.hop.tac@example.invalid"]
    assert "HTX Chè Tân Cương" in mail.outbox[0].body
    url = link_in(mail.outbox[0])

    client.logout()
    response = accept(client, url)
    assert response.status_code == 302 and response["Location"] == reverse("producers:home")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get(reverse("producers:home")).status_code == 200
    # One time: the same link no longer works.
    client.logout()
    assert client.get(path_of(url)).status_code == 404
    # The password signs in through the portal's login.
    response = client.post(
        reverse("producers:login"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invited", "accepted", "signed_in"} <= actions


def test_weak_passwords_are_refused_by_the_validators(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, make_producer())
    client.logout()
    response = accept(client, link_in(mail.outbox[0]), password="123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Invitation.objects.get().user.has_usable_password()


def test_an_expired_link_is_refused(client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, make_producer())
    client.logout()
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(path_of(link_in(mail.outbox[0])))
    assert response.status_code == 404
    assert "Không thể dùng liên kết mời này" in response.content.decode()


def test_a_tampered_or_garbage_link_is_refused(client):
    for path in [
        "/producer/invitation/MQ/abc-def/",
        "/producer/invitation/!!/x/",
        "/producer/invitation/MQ/set-password/",
    ]:
        assert client.get(path).status_code == 404


def test_a_revoked_invitation_link_is_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, make_producer())
    invitation = Invitation.objects.get()
    client.post(
        reverse("admin:producers_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.get(path_of(link_in(mail.outbox[0]))).status_code == 404


def test_revoking_access_ends_the_portal_at_the_next_request(client):
    user = make_member()
    client.force_login(user)
    assert client.get(reverse("producers:home")).status_code == 200
    staff = make_staff("revoker")
    client.force_login(staff)
    response = client.post(
        reverse("admin:producers_invitation_changelist"),
        {
            "action": "revoke",
            "_selected_action": list(Invitation.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    client.force_login(user)
    response = client.get(reverse("producers:home"))
    assert response.status_code == 302 and response["Location"] == reverse("producers:login")
    assert AuditEvent.objects.filter(action="revoked", user=staff).exists()


def test_staff_accounts_cannot_be_invited(client):
    make_staff("editor", superuser=False)
    response = invite(client, make_producer(), email="editor@example.invalid")
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("email", "staff")
    assert not Invitation.objects.exists()


def test_one_person_may_belong_to_several_producers(client):
    first, second = make_producer(name="HTX Một"), make_producer(name="HTX Hai")
    user = make_member(first, email="both@example.invalid")
    make_member(second, email="both@example.invalid")
    client.force_login(user)
    page = client.get(reverse("producers:home")).content.decode()
    assert "HTX Một" in page and "HTX Hai" in page


def test_producers_never_reach_the_admin(client):
    user = make_member()
    assert not user.is_staff
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.logout()
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_staff_cannot_use_the_portal(client):
    make_staff("boss")
    response = client.post(reverse("producers:login"), {"username": "boss", "password": "pw"})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "no_access")


def test_portal_sign_in_sets_the_portal_session_age(client, settings):
    settings.PRODUCER_SESSION_AGE = 1234
    user = make_member()
    response = client.post(
        reverse("producers:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 1234


def test_portal_sign_in_locks_out_per_username_and_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_member()
    for _attempt in range(3):
        response = client.post(
            reverse("producers:login"), {"username": user.username, "password": "wrong"}
        )
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "Sign-in locked" in response.content.decode() or "khóa" in response.content.decode()
    # Locked even with the right password, from the same address...
    response = client.post(
        reverse("producers:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    # ...but not from another address.
    response = client.post(
        reverse("producers:login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302


def test_login_and_forms_need_csrf(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    user = make_member()
    response = strict.post(
        reverse("producers:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 403


def test_portal_pages_are_never_cached(client):
    client.force_login(make_member())
    response = client.get(reverse("producers:home"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_invited_account_is_made_once_per_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, make_producer(), email="Same@Example.invalid")
        invite(client, make_producer(), email="same@example.invalid")
    assert get_user_model().objects.filter(email__iexact="same@example.invalid").count() == 1
    assert Invitation.objects.count() == 2


def test_an_account_made_staff_since_cannot_use_its_invitation(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, make_producer())
    client.logout()
    user = Invitation.objects.get().user
    user.is_staff = True
    user.save()
    assert client.get(path_of(link_in(mail.outbox[0]))).status_code == 404
