"""The official totals of totals.csv and the leads of leads.csv, for the sources fixture.

A total's scope ("huyện Đồng Hỷ (cũ)", "Thái Nguyên (cũ) – sản phẩm mới năm 2024") says what
area it counts and what: every certified product of the area, a rating round's new products,
a part of them (tea), points of sale or the country's. Its date is kept as printed, with the
date it names at its precision ("end-2024 (reported 17/01/2025)" is the year 2024).
"""

import re

from core.dates import PartialDate
from sources.models import OfficialFigure

from .communes import parse_former_units
from .reading import DataError, check_unique
from .sources import Sources

Kind = OfficialFigure.Kind

MERGED = "Thái Nguyên (hợp nhất)"
NATIONAL = "Việt Nam"
FORMER_PROVINCE = re.compile(r"(Thái Nguyên|Bắc Kạn) \(cũ\)")
FORMER_DISTRICT = re.compile(r"((?:huyện|TP|thị xã) [^()]+) \(cũ\)")
# What a scope's tail counts, tried in this order: "lượt sản phẩm chứng nhận" is the area's
# total counted in certifications; a round's new products are "mới", "đánh giá" or "năm 2018".
TAILS = [
    (re.compile(r"điểm"), Kind.POINTS_OF_SALE),
    (re.compile(r"lượt sản phẩm chứng nhận"), None),
    (re.compile(r"\bchè\b"), Kind.PART),
    (re.compile(r"\bmới\b|đánh giá|năm \d{4}"), Kind.ROUND),
]
# "02/02/2026", "04/2025", "2025 (after merger)", "end-2024 (reported 17/01/2025)", "mid-2020".
DATE = re.compile(r"(?:(?:end|early|mid|late)[- ])?(\d{1,2}/\d{1,2}/\d{4}|\d{1,2}/\d{4}|\d{4})\b")
TOTAL = re.compile(r"(\d+)(\+?)")
STARS = {"", "3", "4", "5"}


def districts_by_name(commune_rows: list[dict[str, str]]) -> dict[str, str]:
    """Former district -> its former province, from the merger's list of units."""
    return {
        unit["district"]: unit["province"]
        for row in commune_rows
        for unit in parse_former_units(row["former_unit"])
    }


def scope_kind_and_area(scope: str, districts: dict[str, str]) -> tuple[str, str]:
    head, _dash, tail = (part.strip() for part in scope.partition(" – "))
    if head == NATIONAL:
        return Kind.NATIONAL, ""
    if head == MERGED:
        kind, area = Kind.PROVINCE, ""
    elif match := FORMER_PROVINCE.fullmatch(head):
        kind, area = Kind.FORMER_PROVINCE, f"tỉnh {match[1]}"
    elif match := FORMER_DISTRICT.fullmatch(head):
        district = match[1]
        if district not in districts:
            raise DataError(f"totals.csv: {district!r} is not a former district of the merger")
        kind, area = Kind.FORMER_DISTRICT, f"{district}, {districts[district]}"
    else:
        raise DataError(f"totals.csv: cannot tell the area of the scope {scope!r}")
    if not tail:
        return kind, area
    for pattern, tail_kind in TAILS:
        if pattern.search(tail):
            return tail_kind or kind, area
    raise DataError(f"totals.csv: cannot tell what the scope {scope!r} counts")


def parse_as_of(text: str) -> PartialDate | None:
    """The date a total's date cell names, at its precision; None for an empty cell."""
    if not text.strip():
        return None
    match = DATE.match(text.strip())
    if not match:
        raise DataError(f"totals.csv: cannot read the date {text!r}")
    return PartialDate.parse(match[1])


def count(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise DataError(f"totals.csv: {what} {text!r} is not a number")
    return int(text)


def figure_fields(row: dict[str, str], districts: dict[str, str], sources: Sources) -> dict:
    kind, area = scope_kind_and_area(row["scope"], districts)
    as_of = parse_as_of(row["date"])
    total = TOTAL.fullmatch(row["total"].strip()) if row["total"].strip() else None
    if row["total"].strip() and not total:
        raise DataError(f"totals.csv: total {row['total']!r} is not a number")
    source, *further = sources.add(row["source"]) or [None]
    if source is None:
        raise DataError(f"totals.csv: {row['scope']!r} has no source")
    return {
        "scope": row["scope"].strip(),
        "kind": kind.value,
        "area": area,
        "as_of": as_of.first_day.isoformat() if as_of else None,
        "as_of_precision": str(as_of.precision) if as_of else "day",
        "as_of_text": row["date"].strip(),
        "total": int(total[1]) if total else None,
        "total_at_least": bool(total and total[2]),
        "stars5": count(row["stars5"], "5-star count"),
        "stars4": count(row["stars4"], "4-star count"),
        "stars3": count(row["stars3"], "3-star count"),
        "other": row["other"].strip(),
        "source": source,
        "further_sources": further,
        "note": row["note"].strip(),
    }


def lead_fields(row: dict[str, str], sources: Sources) -> dict:
    stars = row["stars"].strip()
    if stars not in STARS:
        raise DataError(f"leads.csv: stars {stars!r} for {row['product_name_vi']!r}")
    source, *_others = sources.add(row["source"]) or [None]
    if source is None:
        raise DataError(f"leads.csv: {row['product_name_vi']!r} has no source")
    return {
        "name": row["product_name_vi"].strip(),
        "producer_name": row["producer_name_vi"].strip(),
        "former_address": row["former_address"].strip(),
        "product_group": row["product_group"].strip(),
        "stars": stars,
        "source": source,
        "status": "to_verify",
        "note": row["note"].strip(),
    }


def build_totals(
    total_rows: list[dict[str, str]],
    lead_rows: list[dict[str, str]],
    commune_rows: list[dict[str, str]],
    sources: Sources,
) -> list[dict]:
    """The OfficialFigure and Lead objects, in the order of their files; their sources are
    added to `sources`, whose objects must come first in the fixture."""
    districts = districts_by_name(commune_rows)
    figures = [figure_fields(row, districts, sources) for row in total_rows]
    check_unique([f"{f['scope']} @ {f['as_of_text']}" for f in figures], "totals.csv scope + date")
    leads = [lead_fields(row, sources) for row in lead_rows]
    check_unique([f"{lead['name']} / {lead['producer_name']}" for lead in leads], "leads.csv")
    return [
        *({"model": "sources.officialfigure", "fields": fields} for fields in figures),
        *({"model": "sources.lead", "fields": fields} for fields in leads),
    ]
