"""Write the OCOP register as .xlsx or .csv in the columns that importing/ reads.

The register has one row per rating, and one row with empty rating columns for a product
without any, so that an export imports back with no change. Dates are written at the
precision they are known to (30/06/2021, 06/2021, 2021), sources as their addresses joined
by " ; ". Text cells that a spreadsheet would run as a formula are neutralised.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db.models import F, Prefetch, QuerySet

from catalogue.models import Category, Product
from certification.models import Certificate
from core.spreadsheets import Cell
from core.text import fold
from places.models import Commune

from .importing import COLUMNS, KIND_NAMES, RowError
from .importing.reading import EVIDENCE_NAMES, LEVEL_NAMES

# The words of the data files (ratings.csv), which English headers go with.
LEVEL_KEYS = {
    Certificate.IssuerLevel.CENTRAL: "national",
    Certificate.IssuerLevel.PROVINCE: "provincial",
    Certificate.IssuerLevel.DISTRICT: "district",
}
EVIDENCE_KEYS = {
    Certificate.Evidence.DECISION: "decision",
    Certificate.Evidence.REPORT: "report",
    Certificate.Evidence.LATER_REPORT: "later report",
}
SOURCE_SEPARATOR = " ; "
# After the register's columns, the public CSV's: the rating state (RatingState) and the page.
CURRENT_EXTRA_HEADERS = ["rating_state", "url"]


def headers(english: bool = False) -> list[str]:
    return [column.key if english else column.vietnamese for column in COLUMNS]


class RowWriter:
    """Turns a product and one of its ratings into a row of the register."""

    def __init__(self, english: bool = False):
        self.english = english
        # A name that several communes or categories share is written as the slug.
        self.shared_commune_names = shared(Commune.objects.values_list("name", flat=True))
        names = Category.objects.values_list("name", flat=True)
        self.shared_category_names = shared(names)

    def row(self, product: Product, certificate: Certificate | None) -> list[Cell]:
        producer, category = product.producer, product.category
        values = {
            "product_name": product.name,
            "category": category and self.name_or_slug(category, self.shared_category_names),
            "description": product.summary,
            "where_to_buy": "\n".join(
                channel.url
                for channel in product.sales_channels.all()
                if channel.kind == "online" and channel.url
            ),
        }
        if producer is not None:  # else no source names it: its columns stay empty
            commune = producer.commune
            values |= {
                "producer_name": producer.name,
                "producer_kind": producer.kind if self.english else KIND_NAMES[producer.kind],
                "commune": commune and self.name_or_slug(commune, self.shared_commune_names),
                "address": producer.address,
                "phone": producer.phone,
            }
        if certificate is None:
            values["source"] = sources_text(product.sources.all())
        else:
            values |= self.rating(certificate)
        return [values.get(column.key) for column in COLUMNS]

    def rating(self, certificate: Certificate) -> dict[str, Cell]:
        level, evidence = certificate.issuer_level, certificate.evidence
        decided, reported = certificate.decided, certificate.reported
        return {
            "stars": certificate.stars,
            "score": certificate.score,
            "decision_number": certificate.decision_number,
            "decision_date": decided and decided.text(),
            "level": level and (LEVEL_KEYS if self.english else LEVEL_NAMES)[level],
            "issuer": certificate.issuer,
            "round_year": certificate.round_year,
            "batch": certificate.batch,
            "evidence": (EVIDENCE_KEYS if self.english else EVIDENCE_NAMES)[evidence],
            "reported_on": reported and reported.text(),
            "valid_until": certificate.valid_until and f"{certificate.valid_until:%d/%m/%Y}",
            "source": sources_text(certificate.sources.all()),
            "note": certificate.note,
        }

    @staticmethod
    def name_or_slug(obj: Commune | Category, shared_names: set[str]) -> str:
        return obj.slug if fold(obj.name) in shared_names else obj.name


def sources_text(sources: Iterable) -> str:
    return SOURCE_SEPARATOR.join(source.url for source in sources)


def shared(names: Iterable[str]) -> set[str]:
    counts = Counter(fold(name) for name in names)
    return {name for name, count in counts.items() if count > 1}


def register_rows(products: QuerySet, english: bool = False) -> Iterator[list[Cell]]:
    """Every rating of `products`, oldest first (undated ones last), and products without."""
    writer = RowWriter(english)
    ratings = Certificate.objects.prefetch_related("sources").order_by(
        F("starts_on").asc(nulls_last=True), "pk"
    )
    products = (
        products.select_related("producer__commune", "category")
        .prefetch_related("sources", "sales_channels", Prefetch("certificates", queryset=ratings))
        .order_by("name", "pk")
    )
    for product in products:
        for certificate in product.certificates.all() or [None]:
            yield writer.row(product, certificate)


def current_rows(products: QuerySet, url: Callable[[str], str]) -> Iterator[list[Cell]]:
    """One row per product of a listing (from for_listing()), with the rating that shows its
    state on the day (RatingState, empty without ratings).

    The last two cells are that state and the product's public address, made absolute by `url`.
    """
    writer = RowWriter(english=True)
    products = list(products.prefetch_related("sources", "sales_channels"))
    ids = [product.current_certificate_id for product in products]
    ratings = Certificate.objects.prefetch_related("sources")
    certificates = ratings.in_bulk([pk for pk in ids if pk])
    for product in products:
        certificate = certificates.get(product.current_certificate_id)
        row = writer.row(product, certificate)
        yield [*row, product.rating_state, url(product.get_absolute_url())]


def error_rows(errors: list[RowError]) -> Iterator[list[Cell]]:
    for error in errors:
        yield [error.row, error.column, error.value, error.message]


ERROR_HEADERS = ["row", "column", "value", "error"]
