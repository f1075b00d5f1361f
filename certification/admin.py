import datetime

from django.contrib import admin
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalogue.admin import products as catalogue_products
from catalogue.admin.common import EditConflictAdminMixin
from catalogue.models import Product, RatingState
from core import search
from editors.roles import CommuneScopedAdminMixin

from .models import STATUS_LABELS, Certificate, in_force_condition

EXPIRY_WARNINGS = [30, 90]  # days


def status_conditions(on: datetime.date) -> dict[str, Q]:
    """What each status of the changelist filter and summary means on day `on`."""
    revoked = Q(revoked_on__lte=on)
    in_force = in_force_condition(on)
    expiring = {
        f"expiring_{days}": in_force & Q(ends_on__lte=on + datetime.timedelta(days=days))
        for days in EXPIRY_WARNINGS
    }
    later_report = Q(evidence=Certificate.Evidence.LATER_REPORT)
    return {
        "in_force": in_force,
        **expiring,
        "reported": later_report & Q(starts_on__lte=on, ends_on__gte=on) & ~revoked,
        "may_have_expired": Q(ends_on__lt=on, ends_by__gte=on) & ~revoked,
        "expired": Q(ends_by__lt=on) & ~revoked,
        "undated": Q(starts_on__isnull=True),
        "revoked": revoked,
        "pending": Q(starts_on__gt=on) & ~revoked,
    }


def status_labels() -> dict[str, str]:
    expiring = {
        f"expiring_{days}": _("expires within %(days)s days") % {"days": days}
        for days in EXPIRY_WARNINGS
    }
    after = ["reported", "may_have_expired", "expired", "undated", "revoked", "pending"]
    return {
        "in_force": STATUS_LABELS["in_force"],
        **expiring,
        **{status: STATUS_LABELS[status] for status in after},
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
        dated = model_admin.get_queryset(request).filter(starts_on__gt=datetime.date.min)
        years = dated.dates("starts_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit() and len(self.value()) == 4:
            return queryset.filter(starts_on__year=int(self.value()))
        return queryset


class CertificateInline(admin.StackedInline):
    model = Certificate
    extra = 0
    show_change_link = True
    ordering = [F("starts_on").desc(nulls_last=True), "-pk"]
    fields = [
        ("stars", "score", "status"),
        ("evidence", "round_year", "batch"),
        ("decision_number", "decision_date", "decision_date_precision"),
        ("issuer", "issuer_level"),
        ("valid_until", "reported_on", "reported_on_precision"),
        "sources",
        ("revoked_on", "revocation_reason"),
    ]
    autocomplete_fields = ["sources"]
    readonly_fields = ["status"]

    @admin.display(description=_("status today"))
    def status(self, certificate):
        if not certificate.pk:
            return "—"
        return certificate.get_status_display()


@admin.register(Certificate)
class CertificateAdmin(EditConflictAdminMixin, CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "product__producer__commune"
    list_display = [
        "product",
        "stars",
        "score",
        "decision_number",
        "decision_date",
        "round_year",
        "evidence",
        "status",
    ]
    list_filter = [StatusFilter, DecisionYearFilter, "stars", "issuer_level", "evidence"]
    list_select_related = ["product"]
    search_fields = ["decision_number", "product__name", "issuer"]
    autocomplete_fields = ["product", "commune", "sources"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "product",
                    ("stars", "score"),
                    ("evidence", "round_year", "batch"),
                    ("decision_number", "decision_date", "decision_date_precision"),
                    ("issuer", "issuer_level"),
                    "valid_until",
                    ("reported_on", "reported_on_precision"),
                    "commune",
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
        (_("Sources"), {"fields": ["sources", "note"]}),
    ]
    summary_statuses = [
        "in_force",
        "expiring_30",
        "expiring_90",
        "reported",
        "may_have_expired",
        "expired",
        "undated",
        "revoked",
    ]

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
        # Undated ratings count in "All years" only.
        by_year = (
            queryset.filter(starts_on__gt=datetime.date.min)
            .annotate(year=ExtractYear("starts_on"))
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


class CurrentStarsFilter(admin.SimpleListFilter):
    title = _("current stars")
    parameter_name = "current_stars"

    def lookups(self, request, model_admin):
        return [*reversed(Certificate.Stars.choices), ("none", _("no certificate in force"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(current_stars__isnull=True)
        if self.value() in {str(stars) for stars in Certificate.Stars.values}:
            return queryset.filter(current_stars=self.value())
        return queryset


class CertificateStatusFilter(admin.SimpleListFilter):
    title = _("certificate")
    parameter_name = "certificate"

    def lookups(self, request, model_admin):
        # The product's rating state today (a revoked rating counts as expired): the stars
        # stay those of the latest rating on record, whatever its state.
        return [*RatingState.choices, ("never", _("never certified"))]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.exclude(pk__in=Certificate.objects.values("product"))
        if self.value() in RatingState.values:
            return queryset.filter(rating_state=self.value())
        return queryset


admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(catalogue_products.ProductAdmin):
    """The catalogue's product page, with the product's certificates and current stars."""

    base = catalogue_products.ProductAdmin
    list_display = [*base.list_display[:-1], "current_stars", base.list_display[-1]]
    list_filter = [
        *base.list_filter[:2],
        CurrentStarsFilter,
        base.list_filter[2],
        CertificateStatusFilter,
    ]
    readonly_fields = [*base.readonly_fields, "certificate_timeline"]
    inlines = [*base.inlines, CertificateInline]
    fieldsets = [
        base.fieldsets[0],
        (_("Certificate history"), {"fields": ["certificate_timeline"]}),
        *base.fieldsets[1:],
    ]

    @admin.display(
        description=_("current stars"), ordering="current_stars", empty_value=_("not certified")
    )
    def current_stars(self, product):
        return product.current_stars and Certificate.Stars(product.current_stars).label

    @admin.display(description=_("certificates, newest first"))
    def certificate_timeline(self, product):
        certificates = product.certificates.all() if product.pk else []
        if not certificates:
            return gettext("No rating yet.")
        unknown = gettext("not on record")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} · {}★ · {} · {} {} · <strong>{}</strong>{}</li>",
                (
                    (
                        certificate.when or unknown,
                        certificate.stars or "?",
                        certificate.decision_number or unknown,
                        gettext("valid until"),
                        formats.date_format(certificate.ends_on, "SHORT_DATE_FORMAT")
                        if certificate.ends_on
                        else unknown,
                        certificate.get_status_display(),
                        f" ({certificate.revocation_reason})" if certificate.revoked_on else "",
                    )
                    for certificate in certificates
                ),
            ),
        )
