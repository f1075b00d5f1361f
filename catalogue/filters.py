from dataclasses import dataclass

import django_filters
from django import forms
from django.db import connection
from django.db.models import Case, Count, F, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import Category, Commune, Producer, QualityMark

NOT_RECORDED = "not-recorded"


@dataclass
class Facet:
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Chip:
    filter_label: str
    label: str
    url: str


@dataclass
class FacetGroup:
    name: str
    label: str
    facets: list[Facet]


class ProductFilter(django_filters.FilterSet):
    """The one filter set behind every product listing.

    Unknown values make the form invalid for that field only: django-filter then
    leaves that filter out, and the page shows the form's error.
    """

    SORTS = {
        "-stars": (F("current_stars").desc(nulls_last=True), "name", "pk"),
        "name": ("name", "pk"),
        "newest": ("-created_at", "-pk"),
    }

    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.SearchInput)
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"),
        field_name="producer__commune",
        queryset=Commune.objects.all(),
        to_field_name="slug",
        null_label=_("Commune not recorded"),
        null_value=NOT_RECORDED,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="in_category",
    )
    stars = django_filters.ChoiceFilter(
        label=_("Stars"),
        field_name="current_stars",
        choices=[(3, _("3 stars")), (4, _("4 stars")), (5, _("5 stars"))],
    )
    kind = django_filters.ChoiceFilter(
        label=_("Producer kind"), field_name="producer__kind", choices=Producer.Kind.choices
    )
    mark = django_filters.ModelChoiceFilter(
        label=_("Quality mark"),
        field_name="quality_marks",
        queryset=QualityMark.objects.all(),
        to_field_name="slug",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("-stars", _("Stars")), ("name", _("Name")), ("newest", _("Newest"))],
        method="sort_by",
        empty_label=_("Best match"),
    )

    close_matches = False

    def search(self, queryset, name, value):
        matches = queryset.search(value)
        if connection.vendor == "postgresql" and not matches.exists():
            close = queryset.similar_to(value)
            self.close_matches = close.exists()
            return close
        return matches

    def in_category(self, queryset, name, value):
        return queryset.in_category(value)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value])

    @property
    def qs(self):
        queryset = super().qs
        if self.cleaned("sort"):
            return queryset
        relevance = ["-similarity"] if self.close_matches else ["-name_match"]
        if not self.cleaned("q"):
            relevance = []
        return queryset.order_by(*relevance, *self.SORTS["-stars"])

    def cleaned(self, name):
        return getattr(self.form, "cleaned_data", {}).get(name)

    def url(self, **changes) -> str:
        """This listing's query string with `changes` (None removes), back to page 1."""
        query = self.request.GET.copy() if self.request else QueryDict(mutable=True)
        query.pop("page", None)
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        return f"?{query.urlencode()}" if query else "?"

    def active(self, fixed=()) -> list[Chip]:
        """The valid filters in use that the visitor can remove (not those fixed by the URL)."""
        labels = {
            "q": lambda value: f"“{value}”",
            "commune": lambda value: (
                str(value) if value != NOT_RECORDED else _("Commune not recorded")
            ),
            "category": lambda value: value.localized_name,
            "stars": lambda value: _("%(stars)s stars") % {"stars": value},
            "kind": lambda value: Producer.Kind(value).label,
            "mark": lambda value: value.name,
        }
        return [
            Chip(self.filters[name].label, label(value), self.url(**{name: None}))
            for name, label in labels.items()
            if name not in fixed and (value := self.cleaned(name)) not in (None, "")
        ]

    def facets(self, fixed=()) -> list[FacetGroup]:
        """Counts of the current results by stars, category group, commune and producer kind.

        One query per facet; a filter fixed by the URL has no facet.
        """
        results = self.qs.order_by()
        counts = {
            "stars": self.star_counts,
            "category": self.group_counts,
            "commune": self.commune_counts,
            "kind": self.kind_counts,
        }
        return [
            self.facet_group(name, count(results))
            for name, count in counts.items()
            if name not in fixed
        ]

    def facet_group(self, name, counts) -> FacetGroup:
        selected = self.selected_values(name)
        facets = [
            Facet(
                label,
                count,
                value in selected,
                self.url(**{name: None if value in selected else value}),
            )
            for value, label, count in counts
        ]
        return FacetGroup(name, self.filters[name].label, facets)

    def selected_values(self, name) -> set[str]:
        """Facet values that the filter in use covers; following one removes the filter.

        A product set is counted under its group, so the group's facet is the selected one.
        """
        value = self.cleaned(name)
        if value in (None, ""):
            return set()
        if name == "category" and value.level == Category.Level.PRODUCT_SET:
            return {value.slug, value.parent.slug}
        return {self.data.get(name)}

    @staticmethod
    def star_counts(results):
        rows = results.filter(current_stars__isnull=False).values_list("current_stars")
        rows = rows.annotate(count=Count("pk")).order_by("-current_stars")
        return [(str(stars), _("%(stars)s stars") % {"stars": stars}, n) for stars, n in rows]

    @staticmethod
    def group_counts(results):
        """By category group (nhóm): products of a product set count in its group."""
        level = Category.Level
        fields = ["slug", "name", "name_en", "name_fr"]
        group = {
            f"group_{field}": Case(
                When(category__level=level.GROUP, then=F(f"category__{field}")),
                When(category__level=level.PRODUCT_SET, then=F(f"category__parent__{field}")),
            )
            for field in fields
        }
        rows = results.annotate(**group).exclude(group_slug=None).values(*group)
        rows = rows.annotate(count=Count("pk")).order_by("-count", "group_name")
        return [
            (
                row["group_slug"],
                Category(**{f: row[f"group_{f}"] for f in fields}).localized_name,
                row["count"],
            )
            for row in rows
        ]

    @staticmethod
    def commune_counts(results):
        rows = results.values_list("producer__commune__slug", "producer__commune__name")
        rows = rows.annotate(count=Count("pk")).order_by("-count", "producer__commune__name")
        return [
            (slug or NOT_RECORDED, name or _("Commune not recorded"), n) for slug, name, n in rows
        ]

    @staticmethod
    def kind_counts(results):
        rows = results.values_list("producer__kind").annotate(count=Count("pk")).order_by("-count")
        return [(kind, Producer.Kind(kind).label, n) for kind, n in rows]
