"""points_of_sale.json: the OCOP points of sale of points_of_sale.csv, with their sources."""

import re

from core.text import slugify_vi

from .products import find_commune
from .reading import DataError, check_unique
from .sources import Sources

# The source's words for the kind of point -> the model's kind (the words are kept too).
KINDS = {
    "cửa hàng OCOP của chủ thể (doanh nghiệp)": "producer_shop",
    "cửa hàng của chủ thể (HTX)": "producer_shop",
    "điểm bán mô hình (hỗ trợ theo Chương trình MTQG xây dựng NTM)": "model_point",
    "điểm cấp huyện/thành phố": "district_point",
    "điểm cấp xã/phường": "commune_point",
    "điểm trung tâm cấp tỉnh": "provincial_centre",
    "điểm của hiệp hội doanh nghiệp": "other",
}
YEAR = re.compile(r"\d{4}")


def build_points_of_sale(rows: list[dict], communes: dict, sources: Sources) -> list[dict]:
    check_unique([row["name"] for row in rows], "point of sale names")
    objects = []
    for n, row in enumerate(rows, start=2):
        kind = KINDS.get(row["kind"])
        if kind is None:
            raise DataError(f"points_of_sale.csv row {n}: unknown kind {row['kind']!r}")
        year = row["recognised_year"].strip()
        if year and not YEAR.fullmatch(year):
            raise DataError(f"points_of_sale.csv row {n}: year {year!r} is not a year")
        commune = find_commune(row["commune_vi"], communes)
        found = sources.add(row["source"])
        if not found:
            raise DataError(f"points_of_sale.csv row {n}: no source")
        objects.append(
            {
                "model": "trade.pointofsale",
                "fields": {
                    "name": row["name"],
                    "slug": slugify_vi(row["name"])[:80].rstrip("-"),
                    "operator": row["operator"],
                    "kind": kind,
                    "kind_detail": row["kind"],
                    "address": row["address"],
                    "former_address": row["former_address"],
                    "commune": [commune["slug"]] if commune else None,
                    "recognised_year": int(year) if year else None,
                    "note": row["note"],
                    "sources": found,
                    "updated_at": "2026-01-01T00:00:00Z",
                },
            }
        )
    check_unique([obj["fields"]["slug"] for obj in objects], "point of sale slugs")
    return objects
