"""This catalogue beside the official register: per area, the newest official total
(sources.OfficialFigure), the published products here by the state of their rating, and the
difference; for staff, the leads to verify and the products whose rating to confirm.

Official totals were counted per former province and district, before the merger of 1 July
2025. A product is placed in them by its producer's former address ("xã Hóa Trung, huyện Đồng
Hỷ, tỉnh Thái Nguyên"); the merged province holds every product, placed or not.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.text import slugify_vi
from sources.areas import FormerArea
from sources.models import Lead, OfficialFigure

from .models import Product, RatingState

NO_RATING = ""  # a product without any rating on record has no state
# The product list's value of its state filter for "no rating on record" (catalogue.filters).
NO_RATING_FILTER = "not-recorded"
# States whose rating staff should confirm: the record shows no rating in force.
TO_CONFIRM = (RatingState.MAY_HAVE_EXPIRED, RatingState.EXPIRED, RatingState.UNDATED, NO_RATING)
WHOLE_PROVINCE = FormerArea()


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    products: int

    @property
    def url(self) -> str:
        """The product list with this state's filter."""
        state = self.state or NO_RATING_FILTER
        return f"{reverse('catalogue:product-list')}?{urlencode({'state': state})}"


@dataclass
class Tally:
    """Products by the state of their rating; and those whose latest level on record is 5★."""

    by_state: Counter = field(default_factory=Counter)
    five_star: int = 0

    def add(self, state: str, stars: int | None, products: int) -> None:
        self.by_state[state] += products
        if stars == 5:
            self.five_star += products

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def certified(self) -> int:
        """In force, or reported in force: what the record shows held today."""
        return self.by_state[RatingState.IN_FORCE] + self.by_state[RatingState.REPORTED]

    @property
    def every_state(self) -> list[StateCount]:
        """Every state in order, then "no rating on record"."""
        return [
            *(
                StateCount(value, label, self.by_state[value])
                for value, label in RatingState.choices
            ),
            StateCount(NO_RATING, _("no rating on record"), self.by_state[NO_RATING]),
        ]

    @property
    def states(self) -> list[StateCount]:
        """Every state, and "no rating on record" only where some products have none."""
        return [count for count in self.every_state if count.state or count.products]


@dataclass
class AreaComparison:
    """One area: its newest official total, the products here and the difference."""

    area: FormerArea
    figure: OfficialFigure | None
    ours: Tally = field(default_factory=Tally)
    # Filled for the staff report (Reconciliation.worklists): how many to verify or confirm.
    leads: int = 0
    to_confirm: int = 0

    @property
    def level(self) -> int:
        """0 the merged province, 1 a former province, 2 a former district."""
        return 0 if not self.area else 2 if self.area.district else 1

    @property
    def label(self) -> str:
        if not self.area:
            return _("Thái Nguyên province (merged)")
        name = self.area.district or self.area.province
        return _("%(area)s (former)") % {"area": name}

    @property
    def difference(self) -> int | None:
        """The official total less the products here: at most that many products are missing."""
        if self.figure is None or self.figure.total is None:
            return None
        return self.figure.total - self.ours.total

    @property
    def five_star_difference(self) -> int | None:
        if self.figure is None or self.figure.stars5 is None:
            return None
        return self.figure.stars5 - self.ours.five_star


@dataclass
class Worklist:
    """The leads and products of one former district (or province, or neither) to look at."""

    area: FormerArea
    leads: list[Lead] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.area) or _("Former area not on record")

    @property
    def anchor(self) -> str:
        return f"area-{slugify_vi(str(self.area)) or 'not-on-record'}"

    @property
    def sort_key(self) -> tuple:
        province, district = self.area.key
        return (not province, province, district)


def area_of(product: Product) -> FormerArea:
    return FormerArea.parse(product.producer.former_address if product.producer else "")


class Reconciliation:
    """The comparison on day `on` (today); each query runs once, when first needed."""

    def __init__(self, on: datetime.date | None = None):
        self.on = on
        self.products = Product.objects.published()

    @cached_property
    def counts(self) -> list[tuple[str, str, int | None, int]]:
        """(former address, state, latest stars, products), in one GROUP BY."""
        rows = self.products.with_current_stars(self.on).order_by()
        rows = rows.values_list("producer__former_address", "rating_state", "current_stars")
        return list(rows.annotate(n=Count("pk")))

    @cached_property
    def figures(self) -> dict[tuple[str, str], OfficialFigure]:
        """The newest official total of each area."""
        figures = (
            OfficialFigure.objects.comparable()
            .newest_first()
            .select_related("source")
            .prefetch_related("further_sources")
        )
        newest = {}
        for figure in figures:
            newest.setdefault(figure.former_area.key, figure)
        return newest

    @cached_property
    def areas(self) -> list[AreaComparison]:
        """The merged province, then each former province followed by its districts: those
        with an official total, and the provinces of those districts."""
        areas = {WHOLE_PROVINCE.key: WHOLE_PROVINCE}
        for figure in self.figures.values():
            area = figure.former_area
            areas.setdefault(FormerArea(province=area.province).key, FormerArea(area.province))
            areas.setdefault(area.key, area)
        comparisons = [
            AreaComparison(area, self.figures.get(key))
            for key, area in sorted(
                areas.items(), key=lambda item: (bool(item[1]), item[0][0], item[0][1])
            )
        ]
        parsed: dict[str, FormerArea] = {}
        for address, state, stars, n in self.counts:
            place = parsed.setdefault(address or "", FormerArea.parse(address or ""))
            for comparison in comparisons:
                if comparison.area.contains(place):
                    comparison.ours.add(state or NO_RATING, stars, n)
        return comparisons

    @property
    def province(self) -> AreaComparison:
        return self.areas[0]

    @cached_property
    def not_placed(self) -> Tally:
        """Products whose former province is not on record: counted in the merged province only."""
        tally = Tally()
        for address, state, stars, n in self.counts:
            if not FormerArea.parse(address or "").province:
                tally.add(state or NO_RATING, stars, n)
        return tally

    @cached_property
    def worklists(self) -> list[Worklist]:
        """For staff: the leads to verify and the products whose rating to confirm (may have
        expired, expired, undated or none), by former district; each area counts those inside
        it."""
        lists: dict[tuple[str, str], Worklist] = {}
        for lead in Lead.objects.to_verify().select_related("source"):
            area = lead.former_area
            lists.setdefault(area.key, Worklist(area)).leads.append(lead)
        products = (
            self.products.with_current_stars(self.on)
            .filter(rating_state__in=TO_CONFIRM)
            .select_related("producer")
            .order_by("name", "pk")
        )
        for product in products:
            area = area_of(product)
            lists.setdefault(area.key, Worklist(area)).products.append(product)
        for comparison in self.areas:
            inside = [w for w in lists.values() if comparison.area.contains(w.area)]
            comparison.leads = sum(len(w.leads) for w in inside)
            comparison.to_confirm = sum(len(w.products) for w in inside)
        return sorted(lists.values(), key=lambda worklist: worklist.sort_key)
