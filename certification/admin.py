from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Certificate

EXPIRY_WARNING_DAYS = 90


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("in_force", _("in force")),
            ("expiring", _("expires within %(days)s days") % {"days": EXPIRY_WARNING_DAYS}),
            ("expired", _("expired")),
            ("revoked", _("revoked")),
            ("pending", _("not yet in force")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "in_force":
                return queryset.in_force(today)
            case "expiring":
                return queryset.expiring_within(EXPIRY_WARNING_DAYS, today)
            case "expired":
                return queryset.filter(valid_until__lt=today).exclude(revoked_on__lte=today)
            case "revoked":
                return queryset.filter(revoked_on__lte=today)
            case "pending":
                return queryset.filter(decision_date__gt=today).exclude(revoked_on__lte=today)
        return queryset


class CertificateInline(admin.StackedInline):
    model = Certificate
    extra = 0
    show_change_link = True
    fields = [
        ("stars", "score"),
        ("decision_number", "decision_date"),
        ("issuer", "issuer_level"),
        ("valid_until", "is_demo"),
        ("revoked_on", "revocation_reason"),
    ]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "stars",
        "score",
        "decision_number",
        "decision_date",
        "valid_until",
        "status",
        "is_demo",
    ]
    list_filter = [StatusFilter, "stars", "issuer_level", "is_demo"]
    list_select_related = ["product"]
    search_fields = ["decision_number", "product__name", "issuer"]
    autocomplete_fields = ["product", "commune"]
    date_hierarchy = "decision_date"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "product",
                    ("stars", "score"),
                    ("decision_number", "decision_date"),
                    ("issuer", "issuer_level"),
                    "valid_until",
                    "commune",
                    "is_demo",
                ]
            },
        ),
        (_("Revocation"), {"fields": ["revoked_on", "revocation_reason"]}),
        (_("Source"), {"fields": ["source_url", "source_checked_on", "note"]}),
    ]

    @admin.display(description=_("status"))
    def status(self, certificate):
        return certificate.get_status_display()
