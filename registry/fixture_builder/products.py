"""Producers and products from thai_nguyen_ocop_products.csv, their ratings from ratings.csv."""

from collections import Counter
from collections.abc import Callable

from catalogue.models import Producer, public_code
from core.text import slugify_vi

from .categories import find_category
from .communes import COMMUNE_KINDS
from .images import IMAGE_QUOTAS
from .marks import build_quality_marks
from .ratings import rating_fields, unique_keys
from .reading import DataError, check_unique
from .sources import Sources

TIMESTAMP = "2026-01-01T00:00:00Z"
PRODUCER_KINDS = {
    "HTX": Producer.Kind.COOPERATIVE,
    "Doanh nghiệp": Producer.Kind.ENTERPRISE,
    "Hộ kinh doanh": Producer.Kind.HOUSEHOLD,
    "Tổ hợp tác": Producer.Kind.COOPERATIVE_GROUP,
    "Khác": Producer.Kind.OTHER,
    "": Producer.Kind.OTHER,
}


def find_commune(text: str, communes: dict) -> dict | None:
    """'xã Tân Cương' -> that commune; '' -> None (the sources name no commune)."""
    if not text:
        return None
    kind, _space, name = text.partition(" ")
    commune = communes.get((COMMUNE_KINDS[kind].value, name)) if kind in COMMUNE_KINDS else None
    if commune is None:
        raise DataError(f"{text!r} is not one of the 92 communes")
    return commune


def product_key(row: dict[str, str]) -> tuple[str, str]:
    return (row["product_name_vi"].strip(), row["producer_name_vi"].strip())


def build_register(
    rows: list[dict[str, str]],
    rating_rows: list[dict[str, str]],
    communes: dict,
    categories: dict,
    sources: Sources,
    warn: Callable[[str], None],
) -> tuple[list[dict], list]:
    """Producers, products and ratings; also the products chosen for illustrations.

    `warn` receives each row whose producer differs from its first appearance.
    """
    producers: dict[str, dict] = {}
    product_rows = []
    for n, row in enumerate(rows, start=1):
        if row["producer_type"] not in PRODUCER_KINDS:
            raise DataError(f"unknown producer type {row['producer_type']!r} (row {n})")
        commune = find_commune(row["commune_vi"], communes)
        name = row["producer_name_vi"].strip()
        producer = producers.get(name) if name else None
        if name and producer is None:
            producer = producers[name] = {
                "name": name,
                "slug": slugify_vi(name),
                "kind": PRODUCER_KINDS[row["producer_type"]].value,
                "commune": commune,
                "former_address": row["former_address"],
                "sources": [],
            }
        elif producer and producer["commune"] != commune:
            warn(f"warning: {name!r} appears with another commune in row {n}; keeping the first")
        if producer:
            producer["sources"] += [
                key for key in sources.add(row["source"]) if key not in producer["sources"]
            ]
        category = find_category(row["product_group"], categories) if row["product_group"] else None
        product_rows.append((n, row, producer, category))

    check_unique([p["slug"] for p in producers.values()], "producer slugs")
    name_counts = Counter(row["product_name_vi"] for _, row, *_ in product_rows)
    products, by_key, chosen = [], {}, []
    quotas = dict(IMAGE_QUOTAS)
    for n, row, producer, category in product_rows:
        if product_key(row) in by_key:
            raise DataError(f"product {product_key(row)} appears twice (row {n})")
        slug = slugify_vi(row["product_name_vi"])
        if name_counts[row["product_name_vi"]] > 1:
            slug = f"{slug}-{producer['slug'] if producer else 'chu-the-chua-ro'}"
        product = {
            "name": row["product_name_vi"],
            "slug": slug,
            "producer": [producer["slug"]] if producer else None,
            "category": [category["slug"]] if category else None,
            "summary": "",
            "is_published": True,
            # In the source's row order, so a rebuild gives every product the same code.
            "public_code": public_code(n),
            "sources": sources.add(row["source"]),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
        products.append(product)
        by_key[product_key(row)] = product
        if category and quotas.get(category["slug"], 0) > 0:
            quotas[category["slug"]] -= 1
            chosen.append((product, category["slug"]))

    ratings = []
    for n, row in enumerate(rating_rows, start=1):
        product = by_key.get(product_key(row))
        if product is None:
            raise DataError(f"ratings.csv row {n}: no product {product_key(row)}")
        ratings.append(rating_fields(n, row, product["slug"], sources))
    unique_keys(ratings)

    check_unique([p["slug"] for p in products], "product slugs")
    for value in [*producers.values(), *products]:
        if len(value["slug"]) > 100:
            raise DataError(f"slug longer than 100 characters: {value['slug']}")

    objects = [
        {
            "model": "catalogue.producer",
            "fields": {
                "name": p["name"],
                "slug": p["slug"],
                "kind": p["kind"],
                "commune": [p["commune"]["slug"]] if p["commune"] else None,
                "former_address": p["former_address"],
                "sources": p["sources"],
            },
        }
        for p in sorted(producers.values(), key=lambda p: p["slug"])
    ]
    objects += [
        {"model": "catalogue.product", "fields": p}
        for p in sorted(products, key=lambda p: p["slug"])
    ]
    objects += [
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
    objects += [{"model": "certification.certificate", "fields": r} for r in ratings]
    objects += build_quality_marks(products, producers)
    # New products continue after the register's codes.
    objects.append(
        {"model": "catalogue.codesequence", "fields": {"name": "product", "last_value": len(rows)}}
    )
    return objects, chosen
