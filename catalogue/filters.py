import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import Category, Commune, Producer

NOT_RECORDED = "not-recorded"


class ProductFilter(django_filters.FilterSet):
    """The one filter set behind every product listing.

    Unknown values make the form invalid for that field only: django-filter then
    leaves that filter out, and the page shows the form's error.
    """

    SORTS = {
        "name": ("name", "pk"),
        "-stars": (F("current_stars").desc(nulls_last=True), "name", "pk"),
        "newest": ("-created_at", "-pk"),
    }

    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.SearchInput)
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"),
        empty_label=_("All communes"),
        field_name="producer__commune",
        queryset=Commune.objects.all(),
        to_field_name="slug",
        null_label=_("Commune not recorded"),
        null_value=NOT_RECORDED,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        empty_label=_("All categories"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="in_category",
    )
    stars = django_filters.ChoiceFilter(
        label=_("Stars"),
        empty_label=_("Any rating"),
        field_name="current_stars",
        choices=[(3, _("3 stars")), (4, _("4 stars")), (5, _("5 stars"))],
    )
    kind = django_filters.ChoiceFilter(
        label=_("Producer kind"),
        field_name="producer__kind",
        choices=Producer.Kind.choices,
        empty_label=_("Any kind"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("-stars", _("Stars")), ("name", _("Name")), ("newest", _("Newest"))],
        method="sort_by",
        empty_label=None,
    )

    def search(self, queryset, name, value):
        return queryset.search(value)

    def in_category(self, queryset, name, value):
        return queryset.in_category(value)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS.get(value, self.SORTS["-stars"]))

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            queryset = queryset.order_by(*self.SORTS["-stars"])
        return queryset
