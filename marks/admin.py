from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.admin.common import HTTPS_URLS

from .models import QualityMark


@admin.register(QualityMark)
class QualityMarkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "number", "issuer", "date", "product_count"]
    list_filter = ["kind"]
    search_fields = ["name", "number", "issuer", "decision"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = HTTPS_URLS
    autocomplete_fields = ["products"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug"]}),
        (_("Registration"), {"fields": ["number", "decision", "date", "issuer", "area"]}),
        (_("Source"), {"fields": ["source_url", "note"]}),
        (_("Products"), {"fields": ["products"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=models.Count("products"))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, mark):
        return mark.product_count
