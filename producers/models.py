"""Producer accounts (by invitation), proposed edits of their pages, and what happened to them.

A producer proposes, staff approve: nothing here changes a product or producer until a
proposal is approved, and no proposal can name a rating, a category, a commune, the
published flag or a code (PRODUCT_FIELDS and PRODUCER_FIELDS are all a proposal may hold).
"""

import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from trade.models import ProducerPlace

# What a producer may propose to change, and nothing else.
PRODUCER_FIELDS = [
    "story",
    "story_en",
    "story_fr",
    "representative",
    "phone",
    "email",
    "website",
]
PRODUCT_FIELDS = [
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
    "price_vnd",
    "visiting_address",
    "opening_hours",
    "visiting_contact",
]

# The producer's visiting information (trade.ProducerPlace), proposed as "place.<field>".
PLACE_FIELDS = ["welcomes_visitors", "visit", "visit_en", "visit_fr", "visiting_hours"]
# A new place to buy a product (trade.SalesChannel), proposed as "sales_channel".
SALES_CHANNEL = "sales_channel"
SALES_CHANNEL_FIELDS = ["kind", "name", "url", "address", "opening_hours", "phone"]
PRODUCER_KEYS = [*PRODUCER_FIELDS, *(f"place.{name}" for name in PLACE_FIELDS)]
PRODUCT_KEYS = [*PRODUCT_FIELDS, SALES_CHANNEL]

# A certificate ending within this many days: "apply for re-evaluation before ...".
RENEWAL_WARNING_DAYS = 90


class ProposalStorage(LazyObject):
    """settings.STORAGES["proposals"]: never served at MEDIA_URL, read through the portal
    and the admin only."""

    def _setup(self):
        self._wrapped = storages["proposals"]


proposal_storage = ProposalStorage()


def get_proposal_storage():
    return proposal_storage


@receiver(setting_changed)
def reset_proposal_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        proposal_storage._wrapped = empty


class Role(models.TextChoices):
    OWNER = "owner", _("owner")
    EDITOR = "editor", _("editor")


class InvitationQuerySet(models.QuerySet):
    def active(self):
        """Accepted and not revoked: the access a person has to a producer."""
        return self.filter(accepted_at__isnull=False, revoked_at__isnull=True)

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A person invited by staff to a producer's portal; once accepted, their access to it."""

    producer = models.ForeignKey(
        "catalogue.Producer",
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("producer"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="producer_invitations",
        verbose_name=_("account"),
        editable=False,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
        editable=False,
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
        editable=False,
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at", "-pk"]
        verbose_name = _("producer account")
        verbose_name_plural = _("producer accounts")

    def __str__(self):
        return f"{self.email} → {self.producer}"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return _("revoked")
        if self.accepted_at:
            return _("active")
        return _("invited, not yet accepted")


class ProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Proposal.Status.PENDING)


class Proposal(models.Model):
    """Changes a producer proposes to its profile (product empty) or to one of its products.

    `changes` holds, for each field it changes, the value it replaces and the new one:
    {"story": {"old": "...", "new": "..."}}.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    producer = models.ForeignKey(
        "catalogue.Producer",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("producer"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("product"),
        help_text=_("Empty: a change to the producer's own profile."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="producer_proposals",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(
        _("reason for rejection"),
        blank=True,
        help_text=_("Sent to the producer by email and shown in their portal."),
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reason=""),
                name="proposal_rejection_has_reason",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.target}"

    @property
    def target(self):
        return self.product if self.product_id else self.producer

    @property
    def allowed_fields(self) -> list[str]:
        return PRODUCT_KEYS if self.product_id else PRODUCER_KEYS

    def stale_fields(self) -> list[str]:
        """Fields changed by someone else since the proposal was made (their value is no
        longer the one it replaces, nor the one it proposes)."""
        target = self.target
        stale = []
        for name, change in self.changes.items():
            if name not in self.allowed_fields:
                continue  # never applied (moderation.approve refuses it)
            current = current_value(target, name)
            if current != change["old"] and current != change["new"]:
                stale.append(name)
        return stale


def field_value(obj, name: str):
    """The value of a proposable field as a proposal stores it (JSON)."""
    value = getattr(obj, name)
    return value if value is None or isinstance(value, int) else str(value)


def key_label(target, key: str) -> str:
    """What a proposal key is called: the verbose name of the field it changes."""
    if key == SALES_CHANNEL:
        return capfirst(_("new place to buy"))
    model, name = type(target), key
    if key.startswith("place."):
        model, name = ProducerPlace, key.removeprefix("place.")
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a key no form writes: shown as it is
        return key


def shown_value(value) -> str:
    """A proposed or replaced value as text (a new sales channel: its non-empty parts)."""
    if isinstance(value, dict):
        return "; ".join(f"{name}: {part}" for name, part in value.items() if part)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "" if value is None else str(value)


def current_value(target, key: str):
    """The current value of what `key` names on a product or producer ("place.visit": of the
    producer's place, its default when it has none; a new sales channel: None)."""
    if key == SALES_CHANNEL:
        return None
    if key.startswith("place."):
        name = key.removeprefix("place.")
        try:
            return field_value(target.place, name)
        except ProducerPlace.DoesNotExist:
            return ProducerPlace._meta.get_field(name).get_default()
    return field_value(target, key)


class ProposedPhoto(models.Model):
    """A photo proposed for a product: private (proposal storage) until approved."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="photos", verbose_name=_("proposal")
    )
    image = models.FileField(
        _("photo"), upload_to="proposals/%Y/%m/", storage=get_proposal_storage, max_length=200
    )
    alt_text = models.CharField(_("alt text"), max_length=200, blank=True)
    product_image = models.ForeignKey(
        "catalogue.ProductImage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published as"),
        editable=False,
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("proposed photo")
        verbose_name_plural = _("proposed photos")

    def __str__(self):
        return self.alt_text or self.image.name


class AuditEvent(models.Model):
    """One thing done in or about the producer portal: who, when, from where."""

    class Action(models.TextChoices):
        INVITED = "invited", _("invited")
        ACCEPTED = "accepted", _("invitation accepted, password set")
        REVOKED = "revoked", _("access revoked")
        SIGNED_IN = "signed_in", _("signed in")
        SIGNED_OUT = "signed_out", _("signed out")
        PROPOSED = "proposed", _("change proposed")
        APPROVED = "approved", _("change approved")
        REJECTED = "rejected", _("change rejected")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    producer = models.ForeignKey(
        "catalogue.Producer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producer"),
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("portal audit event")
        verbose_name_plural = _("portal audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


def renewal_due(certificate, today: datetime.date) -> datetime.date | None:
    """The day to apply for re-evaluation before, from RENEWAL_WARNING_DAYS before the rating's
    end of validity as the product page shows it (ends_on), or None."""
    if certificate is None or certificate.ends_on is None:
        return None
    if today >= certificate.ends_on - datetime.timedelta(days=RENEWAL_WARNING_DAYS):
        return certificate.ends_on
    return None
