from django.contrib import admin

from ..models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "name_fr", "level", "parent", "position", "is_service"]
    list_filter = ["level", "is_service"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_en", "name_fr", "slug"]
    autocomplete_fields = ["parent"]
