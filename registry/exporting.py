"""Write the OCOP register as .xlsx or .csv in the columns that importing/ reads.

The register has one row per certificate, and one row with empty certificate
columns for a product without any, so that an export imports back with no
change. Text cells that a spreadsheet would run as a formula are neutralised.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from catalogue.models import Category, Product
from certification.models import Certificate
from core.spreadsheets import Cell
from core.text import fold
from places.models import Commune

from .importing import COLUMNS, KIND_NAMES, RowError


def headers(english: bool = False) -> list[str]:
    return [column.key if english else column.vietnamese for column in COLUMNS]


class RowWriter:
    """Turns a product and one of its certificates into a row of the register."""

    def __init__(self, english: bool = False):
        self.english = english
        # A name that several communes or categories share is written as the slug.
        self.shared_commune_names = shared(Commune.objects.values_list("name", flat=True))
        names = Category.objects.values_list("name", flat=True)
        self.shared_category_names = shared(names)

    def row(self, product: Product, certificate: Certificate | None) -> list[Cell]:
        producer, category = product.producer, product.category
        commune = producer.commune
        values = {
            "product_name": product.name,
            "producer_name": producer.name,
            "producer_kind": producer.kind if self.english else KIND_NAMES[producer.kind],
            "commune": commune and self.name_or_slug(commune, self.shared_commune_names),
            "category": category and self.name_or_slug(category, self.shared_category_names),
            "address": producer.address,
            "phone": producer.phone,
            "description": product.summary,
        }
        if certificate is not None:
            values |= {
                "stars": certificate.stars,
                "score": certificate.score,
                "decision_number": certificate.decision_number,
                "decision_date": certificate.decision_date,
                "valid_until": certificate.valid_until,
            }
        return [values.get(column.key) for column in COLUMNS]

    @staticmethod
    def name_or_slug(obj: Commune | Category, shared_names: set[str]) -> str:
        return obj.slug if fold(obj.name) in shared_names else obj.name


def shared(names: Iterable[str]) -> set[str]:
    counts = Counter(fold(name) for name in names)
    return {name for name, count in counts.items() if count > 1}


def register_rows(products: QuerySet, english: bool = False) -> Iterator[list[Cell]]:
    """Every certificate of `products`, oldest first, and products without one."""
    writer = RowWriter(english)
    products = (
        products.select_related("producer__commune", "category")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("decision_date", "pk"))
        )
        .order_by("name", "pk")
    )
    for product in products:
        for certificate in product.certificates.all() or [None]:
            yield writer.row(product, certificate)


def current_rows(products: QuerySet, url: Callable[[str], str]) -> Iterator[list[Cell]]:
    """One row per product of a listing (from for_listing()), with its certificate in force.

    The last cell is the product's public address, made absolute by `url`.
    """
    writer = RowWriter(english=True)
    products = list(products)
    ids = [product.current_certificate_id for product in products]
    certificates = Certificate.objects.in_bulk([pk for pk in ids if pk])
    for product in products:
        certificate = certificates.get(product.current_certificate_id)
        yield [*writer.row(product, certificate), url(product.get_absolute_url())]


def error_rows(errors: list[RowError]) -> Iterator[list[Cell]]:
    for error in errors:
        yield [error.row, error.column, error.value, error.message]


ERROR_HEADERS = ["row", "column", "value", "error"]
