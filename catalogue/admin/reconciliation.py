"""The staff reconciliation report, on the admin's page of official figures.

The sources app owns the official figures and the leads and lies below the catalogue, so it
cannot count products: the catalogue extends its OfficialFigureAdmin with the report, as the
certification app extends the catalogue's product page.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext

from editors.roles import editable_commune_ids
from sources import admin as sources_admin
from sources.models import OfficialFigure

from ..reconciliation import Reconciliation

admin.site.unregister(OfficialFigure)


@admin.register(OfficialFigure)
class OfficialFigureAdmin(sources_admin.OfficialFigureAdmin):
    change_list_template = "admin/sources/officialfigure/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "reconciliation/",
                view(self.reconciliation_view),
                name="sources_officialfigure_reconciliation",
            ),
            *super().get_urls(),
        ]

    def has_reconciliation_permission(self, request) -> bool:
        """Provincial staff: the totals are counted per province and district, so a commune
        editor, who sees only some communes' products, would be shown false gaps."""
        return (
            self.has_view_permission(request)
            and request.user.has_perm("catalogue.view_product")
            and editable_commune_ids(request.user) is None
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_reconcile": self.has_reconciliation_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def reconciliation_view(self, request):
        if not self.has_reconciliation_permission(request):
            raise PermissionDenied
        reconciliation = Reconciliation()
        worklists = reconciliation.worklists  # counts each area's leads and products first
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Reconciliation with the official register"),
            "areas": reconciliation.areas,
            "worklists": worklists,
            "not_placed": reconciliation.not_placed,
        }
        return TemplateResponse(
            request, "admin/sources/officialfigure/reconciliation.html", context
        )
