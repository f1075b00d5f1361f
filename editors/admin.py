from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from places import admin as places_admin
from places.models import Commune

from .models import CommuneEditor
from .roles import editable_commune_ids


class CommuneEditorInline(admin.StackedInline):
    model = CommuneEditor
    autocomplete_fields = ["communes"]
    verbose_name = _("commune editor assignment")
    verbose_name_plural = _("communes this user edits (commune editors only)")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, CommuneEditorInline]


admin.site.unregister(Commune)


@admin.register(Commune)
class CommuneAdmin(places_admin.CommuneAdmin):
    """Commune editors may view every commune, but choose only among their own."""

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        communes = editable_commune_ids(request.user)
        match = request.resolver_match
        if communes is not None and match and match.url_name == "autocomplete":
            queryset = queryset.filter(pk__in=communes)
        return queryset, may_have_duplicates
