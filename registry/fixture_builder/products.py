"""Producers, products and certificates from thai_nguyen_ocop_products.csv."""

import re
from collections import Counter
from collections.abc import Callable

from catalogue.models import Producer, public_code
from core.text import slugify_vi

from .categories import find_category
from .certificates import certificate_fields
from .communes import COMMUNE_KINDS
from .images import IMAGE_QUOTAS
from .marks import build_quality_marks
from .reading import DataError, check_unique

TIMESTAMP = "2026-01-01T00:00:00Z"
PRODUCER_KINDS = {
    "HTX": Producer.Kind.COOPERATIVE,
    "Doanh nghiệp": Producer.Kind.ENTERPRISE,
    "Hộ kinh doanh": Producer.Kind.HOUSEHOLD,
    "Tổ hợp tác": Producer.Kind.COOPERATIVE_GROUP,
    "": Producer.Kind.OTHER,
}
UNKNOWN_PRODUCER = "Chủ thể chưa được ghi nhận – {product}"

PLACE = re.compile(r"(?:(xã|phường) ([^()]+?) )?\(([^()]+)\)")
UNKNOWN_COMMUNE = "chưa rõ xã; "
BEFORE_MERGER = "trước 7/2025: "


def parse_place(text: str, communes: dict) -> tuple[dict | None, str]:
    """'xã Tân Cương (trước 7/2025: xã Thịnh Đức, ...)' -> (commune, 'xã Thịnh Đức, ...')."""
    match = PLACE.fullmatch(text)
    if not match:
        raise DataError(f"cannot read the commune {text!r}")
    kind, name, inner = match.groups()
    if name is None:
        if not inner.startswith(UNKNOWN_COMMUNE):
            raise DataError(f"no commune and no 'chưa rõ xã' in {text!r}")
        return None, inner.removeprefix(UNKNOWN_COMMUNE).removeprefix(BEFORE_MERGER)
    if not inner.startswith(BEFORE_MERGER):
        raise DataError(f"cannot read the former address in {text!r}")
    commune = communes.get((COMMUNE_KINDS[kind].value, name))
    if commune is None:
        raise DataError(f"{kind} {name} is not one of the 92 communes ({text!r})")
    return commune, inner.removeprefix(BEFORE_MERGER)


def build_summary(row: dict[str, str], producer_named: bool, commune, former: str) -> str:
    """One factual line from the CSV: stars, year, producer, place. Nothing else."""
    if row["stars"]:
        text = f"Sản phẩm OCOP {row['stars']} sao"
        if row["year_certified"]:
            text += f" (công nhận năm {row['year_certified']})"
    else:
        text = "Sản phẩm OCOP, hạng sao chưa xác định (các nguồn không thống nhất)"
    if producer_named:
        text += f" của {row['producer_name_vi']}"
    place = f"{'xã' if commune['kind'] == 'xa' else 'phường'} {commune['name']}" if commune else ""
    text += f", {place}" if place else f", chưa rõ xã ({former})"
    if not producer_named:
        text += "; nguồn không ghi tên chủ thể"
    return text + "."


def build_demo(
    rows: list[dict[str, str]], communes: dict, categories: dict, warn: Callable[[str], None]
) -> tuple:
    """Producers, products and certificates; also the rows chosen for images.

    `warn` receives each row whose producer differs from its first appearance.
    """
    producers: dict[str, dict] = {}
    product_rows = []
    for n, row in enumerate(rows, start=1):
        commune, former = parse_place(row["commune_vi"], communes)
        if row["producer_type"] not in PRODUCER_KINDS:
            raise DataError(f"unknown producer type {row['producer_type']!r} (row {n})")
        named = bool(row["producer_name_vi"].strip())
        name = row["producer_name_vi"] or UNKNOWN_PRODUCER.format(product=row["product_name_vi"])
        producer = producers.get(name)
        if producer is None:
            producer = producers[name] = {
                "name": name,
                "slug": slugify_vi(name),
                "kind": PRODUCER_KINDS[row["producer_type"]].value,
                "commune": commune,
                "former_address": former,
            }
        elif (producer["commune"], producer["former_address"]) != (commune, former):
            warn(f"warning: {name!r} appears with another commune in row {n}; keeping the first")
        elif producer["kind"] != PRODUCER_KINDS[row["producer_type"]]:
            warn(f"warning: {name!r} has another type in row {n}")
        category = find_category(row["product_group"], categories)
        product_rows.append((n, row, producer, category, named))

    check_unique([p["slug"] for p in producers.values()], "producer slugs")
    name_counts = Counter(row["product_name_vi"] for _, row, *_ in product_rows)
    products, certificates, chosen = [], [], []
    quotas = dict(IMAGE_QUOTAS)
    for n, row, producer, category, named in product_rows:
        slug = slugify_vi(row["product_name_vi"])
        if name_counts[row["product_name_vi"]] > 1:
            slug = f"{slug}-{producer['slug']}"
        commune = producer["commune"]
        product = {
            "name": row["product_name_vi"],
            "slug": slug,
            "producer": [producer["slug"]],
            "category": [category["slug"]] if category else None,
            "summary": build_summary(row, named, commune, producer["former_address"]),
            "is_published": True,
            # In the source's row order, so a rebuild gives every product the same code.
            "public_code": public_code(n),
        }
        product["created_at"] = product["updated_at"] = TIMESTAMP
        products.append(product)
        if row["stars"]:
            certificates.append(certificate_fields(n, row, slug, commune))
        if category and quotas.get(category["slug"], 0) > 0:
            quotas[category["slug"]] -= 1
            chosen.append((product, category["slug"]))

    check_unique([p["slug"] for p in products], "product slugs")
    for value in [*producers.values(), *products]:
        if len(value["slug"]) > 100:
            raise DataError(f"slug longer than 100 characters: {value['slug']}")
    for product in products:
        if len(product["summary"]) > 300:
            raise DataError(f"summary longer than 300 characters: {product['summary']}")

    objects = [
        {
            "model": "catalogue.producer",
            "fields": {
                "name": p["name"],
                "slug": p["slug"],
                "kind": p["kind"],
                "commune": [p["commune"]["slug"]] if p["commune"] else None,
                "former_address": p["former_address"],
            },
        }
        for p in sorted(producers.values(), key=lambda p: p["slug"])
    ]
    objects += [
        {"model": "catalogue.product", "fields": p}
        for p in sorted(products, key=lambda p: p["slug"])
    ]
    images = [
        {
            "model": "catalogue.productimage",
            "fields": {
                "product": [product["slug"]],
                "image": f"products/{product['slug']}-1.webp",
                "alt_text": f"Hình minh hoạ (không phải ảnh thật) – {product['name']}",
                "position": 0,
            },
        }
        for product, _ in sorted(chosen, key=lambda item: item[0]["slug"])
    ]
    objects += images
    objects += [{"model": "certification.certificate", "fields": c} for c in certificates]
    objects += build_quality_marks(products, producers)
    # New products continue after the demo codes.
    objects.append(
        {
            "model": "catalogue.codesequence",
            "fields": {"name": "product", "last_value": len(product_rows)},
        }
    )
    return objects, chosen
