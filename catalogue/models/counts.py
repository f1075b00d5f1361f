"""Counts of certified products for the home page and the statistics page."""

from django.db import models
from django.db.models import Case, F, When
from django.utils.translation import gettext_lazy as _

from .categories import Category
from .producers import Producer
from .stars import StarsQuerySet


def headline_figures(by_stars: dict, by_kind: list, by_commune: list) -> dict[str, int]:
    """The home page's four figures, summed from the statistics' star, kind and commune counts."""
    return {
        "products": sum(by_stars.values()),
        "five_star": by_stars[5],
        "producers": sum(n for _kind, _label, n in by_kind),
        "communes": sum(1 for slug, _name, _n in by_commune if slug),
    }


def label_category_groups(rows: list[dict]) -> list[tuple[str | None, str, int]]:
    """count_by_category_group()'s rows, labelled in the active language."""
    fields = ["slug", "name", "name_en", "name_fr"]
    return [
        (
            row["group_slug"],
            Category(**{f: row[f"group_{f}"] for f in fields}).localized_name
            if row["group_slug"]
            else _("Group not recorded"),
            row["n"],
        )
        for row in rows
    ]


class CountsQuerySet(StarsQuerySet):
    def headline_counts(self, on=None):
        """The home page's figures, from the queries behind the statistics page's charts."""
        return headline_figures(
            self.count_by_stars(on), self.producers_by_kind(on), self.count_by_commune(on)
        )

    # Statistics: each counts the products of this queryset with a certificate in force on `on`.

    def count_by_stars(self, on=None) -> dict[int, int]:
        """Products per current star level, 5 to 3 (0 where there are none)."""
        rows = self.certified(on).order_by().values_list("current_stars")
        counts = dict(rows.annotate(n=models.Count("pk")))
        return {stars: counts.get(stars, 0) for stars in (5, 4, 3)}

    def count_by_category_group(self, on=None) -> list[tuple[str | None, str, int]]:
        """(slug, name, products) per category group (nhóm), most first.

        A product set's products count in its group; the slug is None for products
        filed under a sector only or under no category.
        """
        return label_category_groups(self.category_group_rows(on))

    def category_group_rows(self, on=None) -> list[dict]:
        """count_by_category_group() before its labels: rows that keep in a cache."""
        level = Category.Level
        fields = ["slug", "name", "name_en", "name_fr"]
        group = {
            f"group_{field}": Case(
                When(category__level=level.GROUP, then=F(f"category__{field}")),
                When(category__level=level.PRODUCT_SET, then=F(f"category__parent__{field}")),
            )
            for field in fields
        }
        rows = self.certified(on).order_by().annotate(**group).values(*group)
        rows = rows.annotate(n=models.Count("pk")).order_by("-n", "group_name")
        return list(rows)

    def count_by_commune(self, on=None) -> list[tuple[str | None, str, int]]:
        """(slug, name, products) per commune, most first; the slug is None for "not recorded"."""
        rows = self.certified(on).order_by()
        rows = rows.values_list("producer__commune__slug", "producer__commune__name")
        rows = rows.annotate(n=models.Count("pk")).order_by("-n", "producer__commune__name")
        return [(slug, name or _("Commune not recorded"), n) for slug, name, n in rows]

    def producers_by_kind(self, on=None) -> list[tuple[str, str, int]]:
        """(kind, label, producers) for the producers of these products, most first."""
        rows = self.certified(on).order_by().values_list("producer__kind")
        rows = rows.annotate(n=models.Count("producer", distinct=True)).order_by(
            "-n", "producer__kind"
        )
        return [(kind, Producer.Kind(kind).label, n) for kind, n in rows if kind]
