"""The figures of the statistics page, its charts and the official totals shown beside them.

Every product figure counts published products with an OCOP certificate in force on the
day (`Product.objects.published().certified(on)`); certifications count every certificate
of a published product by the year of its decision. The home page's headline figures are
summed from the same queries (`headline_figures`). The official totals, per area, and this
catalogue's products by the state of their rating come from `reconciliation.py`.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import charts
from .caching import remember
from .models import Product, headline_figures
from .models.counts import label_category_groups
from .reconciliation import AreaComparison, Reconciliation

TOP_COMMUNES = 15


def certificates():
    """The certification app's certificates (that app builds on this one: no import)."""
    return apps.get_model("certification", "Certificate").objects


@dataclass
class Row:
    label: str
    value: int
    url: str = ""
    share: float | None = None  # percent of the chart's total, for shares

    @property
    def value_text(self) -> str:
        text = number_format(self.value, force_grouping=True)
        if self.share is not None:
            text += f" ({number_format(self.share, 1)} %)"
        return text


@dataclass
class Chart:
    slug: str
    title: str
    note: str
    label_header: str
    value_header: str
    rows: list[Row]
    shown: list[Row] = field(default_factory=list)  # in the drawing; all rows when empty
    with_share: bool = False

    def __post_init__(self):
        self.shown = self.shown or self.rows

    @property
    def total(self) -> int:
        return sum(row.value for row in self.rows)

    @property
    def summary(self) -> str:
        if not self.total:
            return _("Nothing to count yet.")
        largest = max(self.rows, key=lambda row: row.value)
        return _("Total %(total)s. Largest: %(label)s, %(value)s.") % {
            "total": number_format(self.total, force_grouping=True),
            "label": largest.label,
            "value": largest.value_text,
        }

    @cached_property
    def svg(self) -> charts.BarChart:
        return charts.bar_chart([(row.label, row.value, row.value_text) for row in self.shown])

    @property
    def is_partial(self) -> bool:
        return len(self.shown) < len(self.rows)

    @property
    def csv_header(self) -> list[str]:
        header = [self.label_header, self.value_header]
        return [*header, _("Share (%)")] if self.with_share else header

    @property
    def csv_rows(self) -> list[list]:
        if self.with_share:
            return [[row.label, row.value, row.share] for row in self.rows]
        return [[row.label, row.value] for row in self.rows]

    @property
    def csv_url(self) -> str:
        return reverse("catalogue:statistics-csv", args=[self.slug])


class Figures:
    """The statistics of the catalogue on one day; each query runs once, when first needed."""

    def __init__(self, on: datetime.date | None = None):
        self.on = on or timezone.localdate()
        self.products = Product.objects.published()

    def remember(self, name: str, compute):
        """Each count runs over the whole catalogue: once per catalogue version and day."""
        return remember(f"statistics:{self.on.isoformat()}:{name}", compute)

    @cached_property
    def by_stars(self) -> dict[int, int]:
        return self.remember("by-stars", lambda: self.products.count_by_stars(self.on))

    @cached_property
    def by_group(self):
        rows = self.remember("by-group", lambda: self.products.category_group_rows(self.on))
        return label_category_groups(rows)

    @cached_property
    def by_commune(self):
        return self.remember("by-commune", lambda: self.products.count_by_commune(self.on))

    @cached_property
    def by_kind(self):
        return self.remember("by-kind", lambda: self.products.producers_by_kind(self.on))

    @cached_property
    def per_year(self) -> dict[int, int]:
        return self.remember("per-year", lambda: certificates().of_published_products().per_year())

    @cached_property
    def expiring(self) -> dict[tuple[int, int], int]:
        return self.remember(
            "expiring",
            lambda: certificates().of_published_products().expiring_per_quarter(self.on),
        )

    @cached_property
    def headline(self) -> dict[str, int]:
        return headline_figures(self.by_stars, self.by_kind, self.by_commune)

    @cached_property
    def reconciliation(self) -> Reconciliation:
        reconciliation = Reconciliation(self.on)
        reconciliation.counts = self.remember("by-area", lambda: reconciliation.counts)
        return reconciliation

    def comparisons(self) -> list[AreaComparison]:
        """The merged province, the former provinces and districts: official beside ours."""
        return self.reconciliation.areas

    def charts(self) -> list[Chart]:
        return [build(self) for build in CHARTS.values()]

    def chart(self, slug: str) -> Chart | None:
        build = CHARTS.get(slug)
        return build(self) if build else None


def stars_chart(figures: Figures) -> Chart:
    return Chart(
        "stars",
        _("Products by star level"),
        _("Published products by the stars of their certificate in force today."),
        _("Stars"),
        _("Products"),
        [
            Row(
                _("%(stars)s stars") % {"stars": stars},
                n,
                reverse("catalogue:star-detail", args=[stars]),
            )
            for stars, n in figures.by_stars.items()
        ],
    )


def group_chart(figures: Figures) -> Chart:
    return Chart(
        "category-groups",
        _("Products by category group"),
        _(
            "Products with a certificate in force today, by OCOP product group; a product set "
            "counts in its group."
        ),
        _("Category group"),
        _("Products"),
        [
            Row(name, n, reverse("catalogue:category-detail", args=[slug]) if slug else "")
            for slug, name, n in figures.by_group
        ],
    )


def commune_chart(figures: Figures) -> Chart:
    rows = [
        Row(name, n, reverse("catalogue:commune-detail", args=[slug]) if slug else "")
        for slug, name, n in figures.by_commune
    ]
    return Chart(
        "communes",
        _("Products by commune"),
        _(
            "Products with a certificate in force today, by the commune or ward of their "
            "producer. The drawing shows the %(top)s communes with the most; the table under "
            "it and the CSV file list them all."
        )
        % {"top": TOP_COMMUNES},
        _("Commune or ward"),
        _("Products"),
        rows,
        shown=rows[:TOP_COMMUNES],
    )


def year_chart(figures: Figures) -> Chart:
    return Chart(
        "certifications-per-year",
        _("Certifications per year"),
        _(
            "Every certificate on record for a published product, by the year its decision "
            "was signed, whether it is still in force, expired or revoked."
        ),
        _("Year"),
        _("Certificates"),
        [Row(str(year), n) for year, n in figures.per_year.items()],
    )


def expiring_chart(figures: Figures) -> Chart:
    return Chart(
        "expiring-per-quarter",
        _("Certificates expiring per quarter"),
        _(
            "Certificates that give a product its stars today, by the quarter of their last "
            "valid day, over the next two years: the products to rate again."
        ),
        _("Quarter"),
        _("Certificates"),
        [
            Row(_("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}, n)
            for (year, quarter), n in figures.expiring.items()
        ],
    )


def kind_chart(figures: Figures) -> Chart:
    total = sum(n for _kind, _label, n in figures.by_kind)
    return Chart(
        "producer-kinds",
        _("Producers by kind"),
        _("Producers with at least one product with a certificate in force today."),
        _("Producer kind"),
        _("Producers"),
        [
            Row(str(label), n, share=round(100 * n / total, 1))
            for _kind, label, n in figures.by_kind
        ],
        with_share=True,
    )


CHARTS = {
    "stars": stars_chart,
    "category-groups": group_chart,
    "communes": commune_chart,
    "certifications-per-year": year_chart,
    "expiring-per-quarter": expiring_chart,
    "producer-kinds": kind_chart,
}
