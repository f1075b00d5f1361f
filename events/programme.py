"""An event page's entrants grouped by award then category, and its seminar programme by day."""

from dataclasses import dataclass, field
from itertools import groupby


@dataclass
class CategoryGroup:
    category: object  # a catalogue Category, or None
    entrants: list = field(default_factory=list)


@dataclass
class AwardGroup:
    award: str  # "" for the entrants without an award
    rank: int | None
    categories: list[CategoryGroup] = field(default_factory=list)


def award_groups(entrants) -> list[AwardGroup]:
    """Awards by rank (unranked awards after, then the entrants with none), each by category."""

    def award_key(entrant):
        rank = entrant.rank if entrant.rank is not None else 10**6
        return (not entrant.award, rank if entrant.award else 0, entrant.award)

    def category_key(entrant):
        category = entrant.product.category if entrant.product else None
        return (category is None, category.name if category else "")

    def name_key(entrant):
        return str(entrant).casefold()

    groups = []
    for (_none, _rank, award), in_award in groupby(sorted(entrants, key=award_key), award_key):
        in_award = list(in_award)
        group = AwardGroup(award=award, rank=in_award[0].rank if award else None)
        for _key, in_category in groupby(sorted(in_award, key=category_key), category_key):
            in_category = sorted(in_category, key=lambda e: (e.rank or 10**6, name_key(e)))
            category = in_category[0].product.category if in_category[0].product else None
            group.categories.append(CategoryGroup(category, in_category))
        groups.append(group)
    return groups


@dataclass
class Day:
    day: object  # a date, or None when the sessions' day is not on record
    sessions: list


def days_of(sessions) -> list[Day]:
    """The sessions by day, in the order of the event's programme."""
    return [Day(day, list(group)) for day, group in groupby(sessions, lambda s: s.day)]
