from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Lead, OfficialFigure, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "kind", "published_on", "checked_on"]
    list_filter = ["kind", "publisher"]
    search_fields = ["url", "title", "publisher"]
    date_hierarchy = "checked_on"


@admin.register(OfficialFigure)
class OfficialFigureAdmin(admin.ModelAdmin):
    list_display = ["scope", "kind", "area", "as_of_text", "total", "stars5", "source"]
    list_filter = ["kind", "area"]
    list_select_related = ["source"]
    search_fields = ["scope", "area", "note", "source__url"]
    autocomplete_fields = ["source", "further_sources"]
    fieldsets = [
        (None, {"fields": ["scope", "kind", "area"]}),
        (_("Date"), {"fields": ["as_of", "as_of_precision", "as_of_text"]}),
        (
            _("Figures"),
            {"fields": ["total", "total_at_least", "stars5", "stars4", "stars3", "other"]},
        ),
        (_("Source"), {"fields": ["source", "further_sources", "note"]}),
    ]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["name", "producer_name", "former_address", "stars", "status", "source"]
    list_filter = ["status", "stars"]
    list_select_related = ["source"]
    search_fields = ["name", "producer_name", "former_address", "note"]
    autocomplete_fields = ["source"]
    fields = [
        "name",
        "producer_name",
        "former_address",
        "product_group",
        "stars",
        "source",
        "status",
        "note",
    ]
