"""The communes of thai_nguyen_communes.csv and the former units merged into each."""

import re
from collections import Counter

from core.text import slugify_vi
from places.models import Commune

from .reading import DataError, check_unique

COMMUNE_KINDS = {"xã": Commune.Kind.COMMUNE, "phường": Commune.Kind.WARD}

GROUP_HEAD = re.compile(r"((?:huyện|TP|thị xã) [^,:;]+), (tỉnh [^,:;]+)")
FORMER_UNIT = re.compile(
    r"(xã|phường|thị trấn) ([^\W\d_]+(?: [^\W\d_]+)*)"
    # Two remarks occur: a unit split between two new communes, and a unit kept as is.
    r"(?: \((?:một phần|giữ nguyên, không sắp xếp)\))?"
)


def parse_former_units(text: str) -> list[dict[str, str]]:
    """'TP Bắc Kạn, tỉnh Bắc Kạn: phường A, xã B; huyện C, tỉnh D: xã E' -> one dict a unit."""
    units = []
    for group in text.split(";"):
        head, colon, listing = group.partition(":")
        head_match = GROUP_HEAD.fullmatch(head.strip())
        if not colon or not head_match:
            raise DataError(f"cannot read the district and province in {group!r}")
        district, province = head_match.groups()
        # Split on commas outside brackets: '(giữ nguyên, không sắp xếp)' holds one.
        for unit in re.split(r",(?![^()]*\))", listing):
            unit_match = FORMER_UNIT.fullmatch(unit.strip())
            if not unit_match:
                raise DataError(f"cannot read the former unit {unit.strip()!r} in {text!r}")
            kind, name = unit_match.groups()
            units.append(
                {"name": name, "former_kind": kind, "district": district, "province": province}
            )
    return units


def build_communes(rows: list[dict[str, str]]) -> tuple[list[dict], dict[tuple[str, str], dict]]:
    """The commune and alias fixture rows, and the communes by (kind, name)."""
    communes = {}
    for row in rows:
        if row["type"] not in COMMUNE_KINDS:
            raise DataError(f"unknown commune type {row['type']!r} for {row['name_vi']!r}")
        commune = {
            "name": row["name_vi"],
            "kind": COMMUNE_KINDS[row["type"]].value,
            "slug": slugify_vi(row["name_vi"]),
            "former_units": row["former_unit"],
            "source": row["source"],
        }
        commune["aliases"] = parse_former_units(row["former_unit"])
        communes[(commune["kind"], commune["name"])] = commune
    if len(communes) != len(rows):
        raise DataError("two communes share a kind and name")
    # Names that differ only by accents (Văn Lang, Văn Lăng) fold to one slug: each
    # of them then takes the former district it lies in as a suffix.
    slug_counts = Counter(commune["slug"] for commune in communes.values())
    for commune in communes.values():
        if slug_counts[commune["slug"]] > 1:
            district = commune["aliases"][0]["district"].split(" ", 1)[1]
            commune["slug"] = f"{commune['slug']}-{slugify_vi(district)}"
    check_unique([commune["slug"] for commune in communes.values()], "commune slugs")

    objects, aliases = [], []
    for commune in sorted(communes.values(), key=lambda c: c["slug"]):
        fields = {key: commune[key] for key in ("name", "kind", "slug", "former_units", "source")}
        objects.append({"model": "places.commune", "fields": fields})
        for unit in commune["aliases"]:
            aliases.append(
                {
                    "model": "places.communealias",
                    "fields": {
                        "commune": [commune["slug"]],
                        "name": unit["name"],
                        "former_kind": unit["former_kind"],
                        "former_district": unit["district"],
                        "former_province": unit["province"],
                        "slug": slugify_vi(unit["name"]),
                    },
                }
            )
    alias_keys = [
        "|".join([a["fields"]["commune"][0], a["fields"]["name"], a["fields"]["former_district"]])
        for a in aliases
    ]
    check_unique(alias_keys, "commune alias natural keys")
    aliases.sort(key=lambda a: (a["fields"]["commune"], a["fields"]["slug"], a["fields"]["name"]))
    return objects + aliases, communes
