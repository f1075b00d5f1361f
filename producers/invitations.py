"""Inviting a person to a producer's portal, accepting, and revoking access."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import audit
from .models import AuditEvent, Invitation
from .tokens import invitation_tokens


def check_email(email: str) -> None:
    """Refuse an address that belongs to a staff account (see account_for)."""
    user_model = get_user_model()
    staff = user_model.objects.filter(is_staff=True) | user_model.objects.filter(is_superuser=True)
    if (
        staff.filter(email__iexact=email.strip()).exists()
        or staff.filter(username__iexact=email.strip()).exists()
    ):
        raise ValidationError(
            _("This address belongs to a staff account: staff cannot be producer accounts."),
            code="staff",
        )


def account_for(email: str):
    """The account of `email` (made, without a password, when there is none).

    Staff accounts are refused: producers never reach the admin, and staff never use the
    portal with their staff powers.
    """
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email).strip()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        user = user_model.objects.filter(username__iexact=email).first()
    if user is None:
        user = user_model(username=email.lower(), email=email, is_staff=False)
        user.set_unusable_password()
        user.save()
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _("This address belongs to a staff account: staff cannot be producer accounts."),
            code="staff",
        )
    return user


def invitation_link(invitation) -> str:
    uid = urlsafe_base64_encode(force_bytes(invitation.pk))
    token = invitation_tokens.make_token(invitation)
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("producers:accept", args=[uid, token])
    return settings.SITE_URL.rstrip("/") + path


def send_invitation(invitation, request=None) -> None:
    context = {
        "invitation": invitation,
        "link": invitation_link(invitation),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    subject = render_to_string("producers/mail/invitation_subject.txt", context).strip()
    body = render_to_string("producers/mail/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invite(invitation: Invitation, request=None) -> Invitation:
    """Save `invitation` (producer, email, role, invited_by) with its account; the mail
    leaves once the transaction commits."""
    with transaction.atomic():
        invitation.user = account_for(invitation.email)
        invitation.save()
        detail = f"{invitation.email} ({invitation.role})"
        audit.record(
            AuditEvent.Action.INVITED, invitation.invited_by, invitation.producer, detail, request
        )
        transaction.on_commit(lambda: send_invitation(invitation, request))
    return invitation


def from_link(uidb64: str, token: str) -> Invitation | None:
    """The pending invitation of a link, or None when the link is wrong, used or expired."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
        invitation = Invitation.objects.select_related("user", "producer").get(pk=pk)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, Invitation.DoesNotExist):
        return None
    user = invitation.user
    if invitation.accepted_at or invitation.revoked_at or not user.is_active:
        return None
    if user.is_staff or user.is_superuser:  # made staff since: never a reset through the portal
        return None
    if not invitation_tokens.check_token(invitation, token):
        return None
    return invitation


def accept(invitation, request=None) -> None:
    """The person set their password: every pending invitation of theirs is accepted."""
    now = timezone.now()
    pending = Invitation.objects.pending().filter(user=invitation.user)
    for each in pending.select_related("producer"):
        audit.record(AuditEvent.Action.ACCEPTED, invitation.user, each.producer, "", request)
    pending.update(accepted_at=now)


def revoke(invitations, by, request=None) -> int:
    """End these invitations and the access they gave; the person's sessions end with it
    when no access is left (the portal checks access on every request)."""
    now = timezone.now()
    count = 0
    for invitation in invitations.filter(revoked_at__isnull=True).select_related("producer"):
        invitation.revoked_at, invitation.revoked_by = now, by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(AuditEvent.Action.REVOKED, by, invitation.producer, invitation.email, request)
        count += 1
    return count
