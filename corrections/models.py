"""What the public reports as wrong or missing in the catalogue, and what staff did about it."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_MESSAGE_LENGTH = 2000
WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class CorrectionReportQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=CorrectionReport.Status.NEW)

    def handle(self, status: str, user) -> int:
        """Mark these reports accepted or rejected by `user`, now; how many changed."""
        return self.exclude(status=status).update(
            status=status, handled_by=user, handled_at=timezone.now()
        )


class CorrectionReport(models.Model):
    """One report from a visitor: what is wrong about a product, or a product that is missing."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        verbose_name=_("product"),
    )
    product_name = models.CharField(
        _("product name"),
        max_length=200,
        blank=True,
        help_text=_("As the visitor typed it, or the product's name when the report was sent."),
    )
    message = models.TextField(_("what is wrong"), max_length=MAX_MESSAGE_LENGTH)
    source_url = models.URLField(
        _("source address"), max_length=500, blank=True, validators=[WEB_ADDRESS]
    )
    email = models.EmailField(
        _("reporter's email"), blank=True, help_text=_("Never shown on the public site.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    client_hash = models.CharField(
        _("client fingerprint"),
        max_length=64,
        blank=True,
        help_text=_(
            "A keyed hash of the sender's address, never the address itself: reports with the "
            "same fingerprint came from the same address."
        ),
    )

    objects = CorrectionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "accepted", "rejected"]),
                name="correctionreport_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(message="")
                & Q(LessThanOrEqual(Length("message"), MAX_MESSAGE_LENGTH)),
                name="correctionreport_message_length",
            ),
            models.CheckConstraint(
                condition=Q(source_url="")
                | Q(source_url__istartswith="http://")
                | Q(source_url__istartswith="https://"),
                name="correctionreport_source_is_web_address",
            ),
            models.CheckConstraint(
                condition=Q(status="new", handled_at__isnull=True)
                | (~Q(status="new") & Q(handled_at__isnull=False)),
                name="correctionreport_handled_when_decided",
            ),
        ]

    def __str__(self):
        subject = self.product.name if self.product_id else self.product_name
        return subject or str(_("(no product named)"))
