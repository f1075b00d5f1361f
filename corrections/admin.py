from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editors.roles import CommuneScopedAdminMixin, editable_commune_ids

from .models import CorrectionReport


@admin.register(CorrectionReport)
class CorrectionReportAdmin(CommuneScopedAdminMixin, admin.ModelAdmin):
    # A report without a product has no commune: the mixin leaves it out of a commune
    # editor's queue (get_queryset's join drops it, in_scope() is False); provincial editors
    # and superusers see every report.
    commune_path = "product__producer__commune"
    list_display = ["created_at", "subject", "excerpt", "status", "handled_by", "handled_at"]
    list_display_links = ["created_at", "subject"]
    list_filter = ["status", "created_at", "handled_at"]
    list_select_related = ["product", "handled_by"]
    search_fields = ["message", "product_name", "product__name", "email"]
    autocomplete_fields = ["product"]
    actions = ["accept", "reject"]
    readonly_fields = [
        "product_name",
        "message",
        "source_link",
        "email",
        "handled_by",
        "handled_at",
        "created_at",
        "client_hash",
    ]
    fieldsets = [
        (None, {"fields": ["product", "product_name", "message", "source_link", "email"]}),
        (_("Handling"), {"fields": ["status", "handled_by", "handled_at"]}),
        (_("Received"), {"fields": ["created_at", "client_hash"]}),
    ]

    def has_add_permission(self, request):
        return False  # reports come from the public form only

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A commune editor may re-attach a report to another of their products, never to
        # none: it would leave their queue.
        if db_field.name == "product" and editable_commune_ids(request.user) is not None:
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            decided = obj.status != CorrectionReport.Status.NEW
            obj.handled_by = request.user if decided else None
            obj.handled_at = timezone.now() if decided else None
        super().save_model(request, obj, form, change)

    @admin.display(description=_("about"), ordering="product_name")
    def subject(self, report):
        return str(report)

    @admin.display(description=_("what is wrong"))
    def excerpt(self, report):
        return Truncator(report.message).chars(80)

    @admin.display(description=_("source address"))
    def source_link(self, report):
        if not report.source_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
            report.source_url,
            report.source_url,
        )

    @admin.action(description=_("Accept the selected reports"), permissions=["change"])
    def accept(self, request, queryset):
        changed = self.handle(request, queryset, CorrectionReport.Status.ACCEPTED)
        message = ngettext("%d report was accepted.", "%d reports were accepted.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Reject the selected reports"), permissions=["change"])
    def reject(self, request, queryset):
        changed = self.handle(request, queryset, CorrectionReport.Status.REJECTED)
        message = ngettext("%d report was rejected.", "%d reports were rejected.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    def handle(self, request, queryset, status: str) -> int:
        """Record who decided and when, in the reports and in the admin log."""
        reports = list(queryset.exclude(status=status))
        changed = CorrectionReport.objects.filter(pk__in=[r.pk for r in reports]).handle(
            status, request.user
        )
        field = capfirst(CorrectionReport._meta.get_field("status").verbose_name)
        for report in reports:
            self.log_change(request, report, [{"changed": {"fields": [str(field)]}}])
        return changed
