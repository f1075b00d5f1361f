from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import search

from .models import Commune, CommuneAlias


class CommuneAliasInline(admin.TabularInline):
    model = CommuneAlias
    fields = ["name", "former_kind", "former_district", "former_province"]
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "product_count"]
    list_filter = ["kind"]
    ordering = ["name"]  # the product count's GROUP BY drops the model's ordering
    search_fields = ["name", "slug", "aliases__name"]
    inlines = [CommuneAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

    def get_search_results(self, request, queryset, search_term):
        return search.accent_free_admin_search(
            super(), request, queryset, search_term, Commune.objects.search(search_term)
        )

    @admin.display(description=_("published products"), ordering="product_count")
    def product_count(self, commune):
        return commune.product_count
