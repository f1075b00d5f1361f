"""Approving or rejecting a proposal: applied in one transaction, recorded in the history
with the producer as author and the staff member as approver; a rejection is mailed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product, ProductImage
from trade.models import ProducerPlace, SalesChannel

from . import audit
from .models import SALES_CHANNEL, AuditEvent, Proposal


class ProposalConflict(Exception):
    """The proposal cannot be applied as it stands; nothing was changed."""


def approval_note(proposal, staff) -> str:
    return f"proposal #{proposal.pk} approved by {staff.get_username()}"


def validated(obj, exclude: list[str], full: bool = False):
    try:
        if full:
            obj.full_clean(exclude=exclude)
        else:
            obj.clean_fields(exclude=exclude)
    except ValidationError as error:
        raise ProposalConflict("; ".join(error.messages)) from error
    return obj


def recorded(obj, author, note: str):
    """`obj`, whose next save is recorded in its history as by `author`, with `note`."""
    obj._history_user = author
    obj._change_reason = note
    return obj


def approve(proposal: Proposal, staff, request=None) -> None:
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Proposal.Status.PENDING:
            raise ProposalConflict(_("This proposal was already decided."))
        model = Product if proposal.product_id else Producer
        target = model.objects.select_for_update().get(
            pk=proposal.product_id or proposal.producer_id
        )
        if proposal.product_id:
            proposal.product = target
        else:
            proposal.producer = target
        unknown = set(proposal.changes) - set(proposal.allowed_fields)
        if unknown:  # never written by the portal's forms; a row edited by hand
            raise ProposalConflict(_("This proposal changes fields producers may not change."))
        stale = proposal.stale_fields()
        if stale:
            raise ProposalConflict(
                _(
                    "Staff changed %(fields)s since this proposal was made: it was not "
                    "applied. Reject it, or ask the producer to propose again."
                )
                % {"fields": ", ".join(stale)}
            )
        note = approval_note(proposal, staff)
        own = {k: v for k, v in proposal.changes.items() if "." not in k and k != SALES_CHANNEL}
        if own:
            for name, change in own.items():
                setattr(target, name, change["new"])
            others = [f.name for f in model._meta.fields if f.name not in own]
            validated(target, others)
            recorded(target, proposal.author, note).save()
        place = {
            k.removeprefix("place."): v["new"]
            for k, v in proposal.changes.items()
            if k.startswith("place.")
        }
        if place:
            try:
                record = target.place
            except ProducerPlace.DoesNotExist:
                record = ProducerPlace(producer=target)
            for name, value in place.items():
                setattr(record, name, value)
            validated(record, [f.name for f in ProducerPlace._meta.fields if f.name not in place])
            recorded(record, proposal.author, note).save()
        if channel := proposal.changes.get(SALES_CHANNEL):
            record = SalesChannel(product=target, **channel["new"])
            validated(record, ["producer"], full=True)
            recorded(record, proposal.author, note).save()
        if proposal.product_id:
            position = target.images.count()
            for photo in proposal.photos.filter(product_image__isnull=True):
                try:
                    file = photo.image.open("rb")
                except OSError as error:
                    raise ProposalConflict(
                        _("A proposed photo cannot be read from storage: nothing was applied.")
                    ) from error
                with file:
                    image = ProductImage(
                        product=target,
                        image=File(file, name=photo.image.name.rsplit("/", 1)[-1]),
                        alt_text=photo.alt_text,
                        position=position,
                    )
                    recorded(image, proposal.author, note).save()  # checked, re-encoded
                position += 1
                photo.product_image = image
                photo.save(update_fields=["product_image"])
        proposal.status = Proposal.Status.APPROVED
        proposal.decided_by, proposal.decided_at = staff, timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(AuditEvent.Action.APPROVED, staff, proposal.producer, str(proposal), request)


def reject(proposal: Proposal, staff, reason: str, request=None) -> None:
    if not reason.strip():
        raise ProposalConflict(_("Give the producer a reason for the rejection."))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("author").get(pk=proposal.pk)
        if proposal.status != Proposal.Status.PENDING:
            raise ProposalConflict(_("This proposal was already decided."))
        proposal.status = Proposal.Status.REJECTED
        proposal.reason = reason.strip()
        proposal.decided_by, proposal.decided_at = staff, timezone.now()
        proposal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record(AuditEvent.Action.REJECTED, staff, proposal.producer, str(proposal), request)
        transaction.on_commit(lambda: send_rejection(proposal))


def send_rejection(proposal: Proposal) -> None:
    if not proposal.author.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("producers:proposal", args=[proposal.pk])
        context = {"proposal": proposal, "link": settings.SITE_URL.rstrip("/") + path}
        subject = render_to_string("producers/mail/rejected_subject.txt", context).strip()
        body = render_to_string("producers/mail/rejected.txt", context)
    send_mail(subject, body, None, [proposal.author.email])
