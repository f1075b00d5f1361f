import datetime

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalogue import search
from catalogue.models import Product
from catalogue.roles import CommuneScopedAdminMixin

from .models import Certificate, in_force_condition

EXPIRY_WARNINGS = [30, 90]  # days


def status_conditions(on: datetime.date) -> dict[str, Q]:
    """What each status of the changelist filter and summary means on day `on`."""
    revoked = Q(revoked_on__lte=on)
    in_force = in_force_condition(on)
    expiring = {
        f"expiring_{days}": in_force & Q(valid_until__lte=on + datetime.timedelta(days=days))
        for days in EXPIRY_WARNINGS
    }
    return {
        "in_force": in_force,
        **expiring,
        "expired": Q(valid_until__lt=on) & ~revoked,
        "revoked": revoked,
        "pending": Q(decision_date__gt=on) & ~revoked,
    }


def status_labels() -> dict[str, str]:
    expiring = {
        f"expiring_{days}": _("expires within %(days)s days") % {"days": days}
        for days in EXPIRY_WARNINGS
    }
    return {
        "in_force": _("in force"),
        **expiring,
        "expired": _("expired"),
        "revoked": _("revoked"),
        "pending": _("not yet in force"),
    }


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(status_labels().items())

    def queryset(self, request, queryset):
        # "expiring" is the 90-day filter's name in links made before the 30-day one.
        value = "expiring_90" if self.value() == "expiring" else self.value()
        condition = status_conditions(timezone.localdate()).get(value)
        return queryset if condition is None else queryset.filter(condition)


class DecisionYearFilter(admin.SimpleListFilter):
    title = _("evaluation year")
    parameter_name = "decision_year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("decision_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(decision_date__year=int(self.value()))
        return queryset


class CertificateInline(admin.StackedInline):
    model = Certificate
    extra = 0
    show_change_link = True
    ordering = ["-decision_date", "-pk"]
    fields = [
        ("stars", "score", "status"),
        ("decision_number", "decision_date"),
        ("issuer", "issuer_level"),
        ("valid_until", "is_demo"),
        ("revoked_on", "revocation_reason"),
    ]
    readonly_fields = ["status"]

    @admin.display(description=_("status today"))
    def status(self, certificate):
        if not certificate.pk:
            return "—"
        return certificate.get_status_display()


@admin.register(Certificate)
class CertificateAdmin(CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "product__producer__commune"
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
    list_filter = [StatusFilter, DecisionYearFilter, "stars", "issuer_level", "is_demo"]
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
        (
            _("Revocation"),
            {
                "description": _("A revoked certificate needs the reason."),
                "fields": ["revoked_on", "revocation_reason"],
            },
        ),
        (_("Source"), {"fields": ["source_url", "source_checked_on", "note"]}),
    ]
    summary_statuses = ["in_force", "expiring_30", "expiring_90", "expired", "revoked"]

    def get_search_results(self, request, queryset, search_term):
        # Accent-free through the certificates' products: "tra shan tuyet".
        matching = Certificate.objects.filter(product__in=Product.objects.search(search_term))
        return search.accent_free_admin_search(super(), request, queryset, search_term, matching)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"status_summary": self.status_summary(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def status_summary(self, request) -> dict:
        """Counts per status, in all and per evaluation (decision) year, linked to the list."""
        conditions = status_conditions(timezone.localdate())
        counts = {
            status: Count("pk", filter=conditions[status]) for status in self.summary_statuses
        }
        queryset = self.get_queryset(request).order_by()
        by_year = (
            queryset.annotate(year=ExtractYear("decision_date"))
            .values("year")
            .annotate(**counts)
            .order_by("-year")
        )

        def cells(row, **filters):
            return [
                (row[status], "?" + urlencode({**filters, "status": status}))
                for status in self.summary_statuses
            ]

        labels = status_labels()
        return {
            "headers": [labels[status] for status in self.summary_statuses],
            "rows": [
                (_("All years"), cells(queryset.aggregate(**counts))),
                *((row["year"], cells(row, decision_year=row["year"])) for row in by_year),
            ],
        }

    @admin.display(description=_("status"))
    def status(self, certificate):
        return certificate.get_status_display()
