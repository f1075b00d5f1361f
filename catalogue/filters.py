import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.text import printable
from places.models import Commune

from . import caching
from .models import Category, Producer, Product, ProductLink, RatingState

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


def quality_marks():
    """The marks app's QualityMark, reached through the relation it declares on products."""
    return Product._meta.get_field("quality_marks").related_model.objects.all()


# The listing's "where to buy" filter: its values, and the trade app's kinds of sales channel.
ONLINE, AT_POINT_OF_SALE = "online", "point-of-sale"
SALES_CHANNEL_KINDS = {ONLINE: "online", AT_POINT_OF_SALE: "point_of_sale"}


def sold_through(kind: str) -> Q:
    """The product, or its producer, has a sales channel of `kind`; online, the product's
    shop links (ProductLink, shown with its channels) count too.

    trade.SalesChannel lies above the catalogue: read through apps.get_model, never imported.
    """
    channels = apps.get_model("trade", "SalesChannel").objects.filter(kind=kind)
    found = Q(Exists(channels.filter(product=OuterRef("pk")))) | Q(
        Exists(channels.filter(producer=OuterRef("producer_id")))
    )
    if kind == "online":
        found |= Q(Exists(ProductLink.objects.filter(product=OuterRef("pk"))))
    return found


def sold_channel():
    """Where a product is sold, as one value to count by: online, point-of-sale, both or ""."""
    online, at_point = sold_through("online"), sold_through("point_of_sale")
    return Case(
        When(online & at_point, then=Value("both")),
        When(online, then=Value(ONLINE)),
        When(at_point, then=Value(AT_POINT_OF_SALE)),
        default=Value(""),
    )


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
        method="in_commune",
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
    state = django_filters.ChoiceFilter(
        label=_("Rating"),
        field_name="rating_state",
        choices=[*RatingState.choices, (NOT_RECORDED, _("no rating on record"))],
        method="in_state",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Producer kind"), field_name="stored_kind", choices=Producer.Kind.choices
    )
    mark = django_filters.ModelChoiceFilter(
        label=_("Quality mark"),
        field_name="quality_marks",
        queryset=lambda request: quality_marks(),
        to_field_name="slug",
    )
    sold = django_filters.ChoiceFilter(
        label=_("Where to buy"),
        choices=[(ONLINE, _("sold online")), (AT_POINT_OF_SALE, _("in an OCOP point of sale"))],
        method="sold_through",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("-stars", _("Stars")), ("name", _("Name")), ("newest", _("Newest"))],
        method="sort_by",
        empty_label=_("Best match"),
    )

    close_matches = False
    # Whether a search falls back to close matches: None until facets() decides it from the
    # total it counts anyway (without facets(), search() asks the database first).
    fallback = None

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # Control characters are never meant, and the page shows the values back.
            data = data.copy()
            for name in list(data):
                data.setlist(name, [printable(value) for value in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        if self.fallback:
            return queryset.similar_to(value)
        matches = queryset.search(value)
        if self.fallback is None and connection.vendor == "postgresql" and not matches.exists():
            close = queryset.similar_to(value)
            self.close_matches = close.exists()
            return close
        return matches

    def falls_back(self) -> bool:
        """Whether a search that found nothing (with the other filters) finds nothing alone,
        so that close matches are shown instead (PostgreSQL only: trigrams)."""
        query = self.cleaned("q")
        if connection.vendor != "postgresql" or not query:
            return False
        others = [name for name in self.form.cleaned_data if name not in ("q", "sort")]
        if not any(self.cleaned(name) not in (None, "") for name in others):
            return True  # the search was alone: the total was its own
        return not self.queryset.search(query).exists()

    def in_commune(self, queryset, name, value):
        """Through the product's copy of its producer's commune (models/groupings.py)."""
        return queryset.filter(stored_commune_id=None if value == NOT_RECORDED else value.pk)

    def sold_through(self, queryset, name, value):
        return queryset.filter(sold_through(SALES_CHANNEL_KINDS[value]))

    def in_state(self, queryset, name, value):
        return queryset.filter(rating_state="" if value == NOT_RECORDED else value)

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

    def refused(self) -> list[tuple[str, str]]:
        """(label, value) of each filter whose value the form refused."""
        return [(str(self.form[name].label), str(self.form[name].value())) for name in self.errors]

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

    def urls_of(self, name: str):
        """url(name=value) as a function of value, from one query string encoded once: a
        facet group's links (a hundred communes) are each one concatenation."""
        base = self.url(**{name: None})
        joined = base if base == "?" else f"{base}&"

        def url(value) -> str:
            return base if value is None else joined + urlencode({name: value})

        return url

    def active(self, fixed=()) -> list[Chip]:
        """The valid filters in use that the visitor can remove (not those fixed by the URL)."""
        labels = {
            "q": lambda value: f"“{value}”",
            "commune": lambda value: (
                str(value) if value != NOT_RECORDED else _("Commune not recorded")
            ),
            "category": lambda value: value.localized_name,
            "stars": lambda value: _("%(stars)s stars") % {"stars": value},
            "state": lambda value: dict(self.filters["state"].extra["choices"])[value],
            "kind": lambda value: Producer.Kind(value).label,
            "mark": lambda value: value.name,
            "sold": lambda value: dict(self.filters["sold"].extra["choices"])[value],
        }
        return [
            Chip(self.filters[name].label, label(value), self.url(**{name: None}))
            for name, label in labels.items()
            if name not in fixed and (value := self.cleaned(name)) not in (None, "")
        ]

    def facets(self, fixed=()) -> list[FacetGroup]:
        """Counts of the current results by stars, category group, commune and producer kind.

        One query for all of them, which also counts the results (`total`); a filter fixed
        by the URL has no facet.
        """
        names = [name for name in FACET_COLUMNS if name not in fixed]
        if self.fallback is None:
            self.fallback = False
        rows, self.total = remembered_count_by_facet(self.qs, names, self.cleaned("q"))
        if not self.total and self.falls_back():
            self.fallback = True
            del self._qs  # filtered again, with close matches
            rows, self.total = count_by_facet(self.qs, names)
            self.close_matches = self.total > 0
        labels = {
            "stars": self.star_counts,
            "state": self.state_counts,
            "category": self.group_counts,
            "commune": self.commune_counts,
            "kind": self.kind_counts,
            "sold": self.sold_counts,
        }
        return [self.facet_group(name, labels[name](rows[name])) for name in names]

    def facet_group(self, name, counts) -> FacetGroup:
        selected = self.selected_values(name)
        url = self.urls_of(name)
        facets = [
            Facet(label, count, value in selected, url(None if value in selected else value))
            for value, label, count in counts
        ]
        if name == "sold" and selected:
            # A product sold both ways counts under both: beside the selected way, the other's
            # count would be of products sold both ways, while its link lists all sold that way.
            facets = [facet for facet in facets if facet.selected]
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
    def star_counts(rows):
        rows = sorted((row for row in rows if row[0] is not None), reverse=True)
        return [(str(stars), _("%(stars)s stars") % {"stars": stars}, n) for stars, n in rows]

    @staticmethod
    def state_counts(rows):
        """In the order of the record's strength: in force first, no rating last."""
        order = [*RatingState.values, ""]
        rows = sorted(rows, key=lambda row: order.index(row[0] or ""))
        labels = dict(RatingState.choices)
        return [
            (state or NOT_RECORDED, labels.get(state, _("no rating on record")), n)
            for state, n in rows
        ]

    @staticmethod
    def group_counts(rows):
        """By category group (nhóm): products of a product set count in its group."""
        rows = sorted((row for row in rows if row[0] is not None), key=lambda r: (-r[-1], r[1]))
        return [
            (slug, Category(name=name, name_en=name_en, name_fr=name_fr).localized_name, n)
            for slug, name, name_en, name_fr, n in rows
        ]

    @staticmethod
    def commune_counts(rows):
        rows = sorted(rows, key=lambda row: (-row[-1], row[1] is None, row[1] or ""))
        return [
            (slug or NOT_RECORDED, name or _("Commune not recorded"), n) for slug, name, n in rows
        ]

    @staticmethod
    def sold_counts(rows):
        """Products sold online and in a point of sale count under both."""
        counts = dict(rows)
        both = counts.get("both", 0)
        found = [
            (ONLINE, _("sold online"), counts.get(ONLINE, 0) + both),
            (
                AT_POINT_OF_SALE,
                _("in an OCOP point of sale"),
                counts.get(AT_POINT_OF_SALE, 0) + both,
            ),
        ]
        return [facet for facet in found if facet[-1]]

    @staticmethod
    def kind_counts(rows):
        rows = sorted((row for row in rows if row[0]), key=lambda row: (-row[-1], row[0]))
        return [(kind, Producer.Kind(kind).label, n) for kind, n in rows]


# What each facet counts by, in count_by_facet().
FACET_KEYS = {
    "stars": "current_stars",
    "state": "rating_state",
    "category": "category_id",
    "commune": "commune_id",
    "kind": "producer_kind",
    "sold": "sold_channel",
}
# The columns of count_by_facet()'s rows for each facet: its value first, then its labels.
FACET_COLUMNS = {
    "stars": ["current_stars"],
    "state": ["rating_state"],
    "category": ["group_slug", "group_name", "group_name_en", "group_name_fr"],
    "commune": ["commune_slug", "commune_name"],
    "kind": ["producer_kind"],
    "sold": ["sold_channel"],
}
# The labels of the counted ids: a product set's products count in its group (nhóm).
LABELS = f"""
    SELECT counts.facet, counts.current_stars, counts.rating_state,
        CASE c.level WHEN {Category.Level.GROUP} THEN c.slug
            WHEN {Category.Level.PRODUCT_SET} THEN parent.slug END AS group_slug,
        CASE c.level WHEN {Category.Level.GROUP} THEN c.name
            WHEN {Category.Level.PRODUCT_SET} THEN parent.name END AS group_name,
        CASE c.level WHEN {Category.Level.GROUP} THEN c.name_en
            WHEN {Category.Level.PRODUCT_SET} THEN parent.name_en END AS group_name_en,
        CASE c.level WHEN {Category.Level.GROUP} THEN c.name_fr
            WHEN {Category.Level.PRODUCT_SET} THEN parent.name_fr END AS group_name_fr,
        commune.slug AS commune_slug, commune.name AS commune_name, counts.producer_kind,
        counts.sold_channel, counts.n
    FROM counts
    LEFT JOIN {Category._meta.db_table} c ON c.id = counts.category_id
    LEFT JOIN {Category._meta.db_table} parent ON parent.id = c.parent_id
    LEFT JOIN {Commune._meta.db_table} commune ON commune.id = counts.commune_id
"""
ROW_COLUMNS = ["current_stars", "rating_state"]
ROW_COLUMNS += [*FACET_COLUMNS["category"], *FACET_COLUMNS["commune"]]
ROW_COLUMNS += ["producer_kind", "sold_channel"]


def remembered_count_by_facet(products, names: list[str], query: str = ""):
    """count_by_facet(), drawn once per catalogue version and day for each filter combination.

    Not for searches: any text makes a new combination, so they are counted every time.
    """
    if query:
        return count_by_facet(products, names)
    try:
        sql, params = products.order_by().query.sql_with_params()
    except EmptyResultSet:
        return count_by_facet(products, names)
    key = hashlib.sha256(repr((sql, params, names)).encode()).hexdigest()
    return caching.remember(f"facets:{key}", lambda: count_by_facet(products, names))


def count_by_facet(products, names: list[str]) -> tuple[dict[str, list[tuple]], int]:
    """({facet name: [(*FACET_COLUMNS[name], count)]}, total) for `products`, in one query.

    The facets are grouping sets of one pass over the results' ids (on SQLite, a UNION
    ALL over them, materialised once); only the few counted ids are then joined to their
    labels. Four GROUP BY queries and a COUNT took five passes, each joining every result.
    """
    # The copies of the producer's commune and kind: no join (models/groupings.py).
    results = products.order_by().annotate(
        sold_channel=sold_channel(),
        commune_id=F("stored_commune_id"),
        producer_kind=F("stored_kind"),
    )
    try:
        sql, params = results.values(*FACET_KEYS.values()).query.sql_with_params()
    except EmptyResultSet:  # none(): a search of punctuation only
        return {name: [] for name in names}, 0
    keys = [FACET_KEYS[name] for name in names]
    if connection.vendor == "postgresql":
        # GROUPING(keys): bit i (from the left) is 0 in the rows grouped by key i.
        grouping = f"GROUPING({', '.join(keys)})" if keys else "0"
        types = {
            "current_stars": "integer",
            "rating_state": "text",
            "producer_kind": "text",
            "sold_channel": "text",
        }
        selected = ", ".join(
            key if key in keys else f"NULL::{types.get(key, 'bigint')} AS {key}"
            for key in FACET_KEYS.values()
        )
        counts = (
            f"SELECT {grouping} AS facet, {selected}, COUNT(*) AS n "
            f"FROM ({sql}) results GROUP BY GROUPING SETS ({''.join(f'({k}), ' for k in keys)}())"
        )
        query = f"WITH counts AS ({counts}) {LABELS}"

        def which(facet):  # the facet's index, or None for the total
            bits = [(facet >> (len(keys) - 1 - i)) & 1 for i in range(len(keys))]
            return bits.index(0) if 0 in bits else None

    else:
        selects = [
            "SELECT {} AS facet, {}, COUNT(*) AS n FROM results{}".format(
                i,
                ", ".join(k if k == key else f"NULL AS {k}" for k in FACET_KEYS.values()),
                f" GROUP BY {key}" if key else "",
            )
            for i, key in [*enumerate(keys), (-1, None)]
        ]
        query = (
            f"WITH results AS MATERIALIZED ({sql}), "
            f"counts AS ({' UNION ALL '.join(selects)}) {LABELS}"
        )

        def which(facet):
            return facet if facet >= 0 else None

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        found = cursor.fetchall()
    rows, total = {name: {} for name in names}, 0
    for facet, *values, n in found:
        i = which(facet)
        if i is None:
            total = n
            continue
        name = names[i]
        row = dict(zip(ROW_COLUMNS, values, strict=True))
        value = tuple(row[column] for column in FACET_COLUMNS[name])
        # Several product sets of one group: one row each, one count for the group.
        rows[name][value] = rows[name].get(value, 0) + n
    return {name: [(*value, n) for value, n in rows[name].items()] for name in names}, total
