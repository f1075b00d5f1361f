"""Writing a row's producer, product, rating and sources, all or nothing; the whole import."""

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product, stars_stored_at_the_end
from certification.models import Certificate
from core.slugs import unique_slug
from core.text import fold
from sources.models import Source
from trade.models import SalesChannel

from .matching import Importer
from .reading import (
    COLUMNS,
    PRODUCER_DETAIL_KEYS,
    RATING_KEYS,
    CellError,
    ImportResult,
    RowError,
    cell_text,
    one_line,
    parse_day,
    parse_evidence,
    parse_kind,
    parse_level,
    parse_partial_date,
    parse_round_year,
    parse_score,
    parse_sources,
    parse_stars,
    read_table,
)

PRODUCER_COLUMNS = {
    "name": "producer_name",
    "kind": "producer_kind",
    "commune": "commune",
    "address": "address",
    "phone": "phone",
}
PRODUCT_COLUMNS = {"name": "product_name", "category": "category", "summary": "description"}
HEADER_NAMES = {column.key: column.vietnamese for column in COLUMNS}
# Rating field -> the column it comes from.
CERTIFICATE_COLUMNS = {
    "stars": "stars",
    "score": "score",
    "decision_number": "decision_number",
    "decision_date": "decision_date",
    "decision_date_precision": "decision_date",
    "issuer_level": "level",
    "issuer": "issuer",
    "round_year": "round_year",
    "batch": "batch",
    "evidence": "evidence",
    "reported_on": "reported_on",
    "reported_on_precision": "reported_on",
    "valid_until": "valid_until",
    "note": "note",
}


class RowImport:
    """One row: parse its cells, find or build its objects, validate, and save if all is well."""

    def __init__(self, importer: Importer, number: int, cells: dict[str, object]):
        self.importer = importer
        self.number = number
        self.cells = cells
        self.errors: list[RowError] = []
        self.values: dict[str, object] = {}
        self.reverts: list[tuple[models.Model, dict[str, object]]] = []

    def error(self, key: str, message: str) -> None:
        value = cell_text(self.cells.get(key))
        # A column the file lacks (a later report's date) is named by its Vietnamese header.
        column = self.importer.headers.get(key) or HEADER_NAMES.get(key, "")
        self.errors.append(RowError(self.number, column, value, str(message)))

    def present(self, key: str) -> bool:
        return bool(cell_text(self.cells.get(key)))

    @property
    def is_rating(self) -> bool:
        return any(self.present(key) for key in RATING_KEYS)

    def parse(self) -> None:
        importer = self.importer
        parsers: dict[str, Callable[[object], object]] = {
            "product_name": cell_text,
            "producer_name": cell_text,
            "producer_kind": parse_kind,
            "commune": importer.find_commune,
            "category": importer.find_category,
            "stars": parse_stars,
            "score": parse_score,
            "decision_number": one_line,
            "decision_date": parse_partial_date,
            "level": parse_level,
            "issuer": one_line,
            "round_year": parse_round_year,
            "batch": one_line,
            "evidence": parse_evidence,
            "reported_on": parse_partial_date,
            "valid_until": parse_day,
            "source": parse_sources,
            "note": cell_text,
            "address": cell_text,
            "phone": cell_text,
            "description": cell_text,
            "where_to_buy": parse_sources,  # web addresses, http and https only
        }
        for key, parse in parsers.items():
            if not self.present(key):
                continue
            try:
                self.values[key] = parse(self.cells[key])
            except CellError as error:
                self.error(key, str(error))
        if not self.present("product_name"):
            self.error("product_name", _("A value is required."))
        if not self.present("producer_name"):
            # A product whose producer no source names: the row says nothing of a producer.
            if any(self.present(key) for key in PRODUCER_DETAIL_KEYS):
                self.error(
                    "producer_name",
                    _(
                        "Write the producer's name, or leave its kind, commune, address and "
                        "phone empty for a product whose producer is not on record."
                    ),
                )
            elif importer.allowed_communes is not None:
                self.error(
                    "producer_name",
                    _(
                        "A product without a producer is in none of your communes: "
                        "write its producer."
                    ),
                )
        if self.present("note") and not self.is_rating:
            self.error(
                "note",
                _("A note belongs to a rating: this row gives none of the rating's columns."),
            )
        commune = self.values.get("commune")
        allowed = importer.allowed_communes
        if commune is not None and allowed is not None and commune.pk not in allowed:
            self.error("commune", _("You can import rows of your own communes only."))

    def run(self) -> None:
        self.parse()
        if self.errors:
            return
        producer, producer_fields = None, []
        if "producer_name" in self.values:
            producer, producer_fields = self.producer()
        product, product_fields = (None, []) if self.errors else self.product(producer)
        certificate, certificate_fields = (None, []) if self.errors else self.rating(product)
        if self.errors:
            for obj, old in self.reverts:
                for name, value in old.items():
                    setattr(obj, name, value)
            return
        product_links, rating_links = self.source_links(product, certificate)
        if product_links:
            product_fields = [*product_fields, "sources"]
        if rating_links:
            certificate_fields = [*certificate_fields, "sources"]
        importer = self.importer
        for obj, changed, links in [
            (producer, producer_fields, []),
            (product, product_fields, product_links),
            (certificate, certificate_fields, rating_links),
        ]:
            if obj is None:
                continue
            created = obj.pk is None
            if created and not isinstance(obj, Certificate):
                taken = importer.slugs[type(obj)]
                obj.slug = unique_slug(obj, obj.name, taken=taken)
                taken.add(obj.slug)
            if obj is product:
                product.producer = producer  # its id, now that the producer is saved
            elif obj is certificate:
                certificate.product = product
            if created or [name for name in changed if name != "sources"]:
                obj.save_without_historical_record()  # write_history() records it, in bulk
            if created or changed:
                importer.saved[type(obj)][obj.pk] = obj
            if links:
                obj.sources.add(*links)
                cited = importer.product_sources if obj is product else importer.rating_sources
                cited.update((obj.pk, source.pk) for source in links)
            if obj is producer and (created or "commune" in changed):
                importer.producers.pop((fold(producer.name), None), None)
                importer._remember_producer(producer)
            elif obj is product and created:
                importer.remember_product(product)
            elif obj is certificate and created:
                importer.remember_rating(certificate)
            action = "created" if created else "updated" if changed else "unchanged"
            importer.record(self.number, obj, action, changed)
        if "where_to_buy" in self.values:
            self.add_online_stores(product)

    def add_online_stores(self, product: Product) -> None:
        """The row's online stores that the product does not list yet (none is removed)."""
        listed = set(
            product.sales_channels.filter(kind=SalesChannel.Kind.ONLINE).values_list(
                "url", flat=True
            )
        )
        for url in self.values["where_to_buy"]:
            if url not in listed:
                channel = SalesChannel(product=product, kind=SalesChannel.Kind.ONLINE, url=url)
                channel.save()
                listed.add(url)
                self.importer.record(self.number, channel, "created", [])

    def source_links(
        self, product: Product, certificate: Certificate | None
    ) -> tuple[list[Source], list[Source]]:
        """The row's sources that its product and its rating do not cite yet, new ones saved.

        A source a rating cites is cited by its product too, when the rating first cites it;
        a row without a rating gives its product's sources.
        """
        importer = self.importer
        product_links: list[Source] = []
        rating_links: list[Source] = []
        urls = self.values.get("source", [])
        reported = self.values.get("reported_on")
        for url in urls:
            source = importer.source(url)
            if source.pk is None:
                if reported and len(urls) == 1:  # the report's date is its source's
                    source.published_on = reported.first_day
                    source.published_precision = reported.precision
                source.save()
                importer.record(self.number, source, "created", [])
            else:
                importer.record(self.number, source, "unchanged", [])
            if certificate is not None:
                if (certificate.pk, source.pk) in importer.rating_sources:
                    continue
                rating_links.append(source)
            if (product.pk, source.pk) not in importer.product_sources:
                product_links.append(source)
        return product_links, rating_links

    def update(self, obj: models.Model, values: dict[str, object]) -> list[str]:
        """Set the values the file gives (not None) that differ; return the changed fields."""
        old = {}
        for name, value in values.items():
            if value is None or value == "":
                continue
            current = getattr(obj, name)
            if current != value:
                old[name] = current
                setattr(obj, name, value)
        if old and obj.pk is not None:
            self.reverts.append((obj, old))
        return list(old)

    def validate(self, obj: models.Model, columns: dict[str, str], changed: list[str]) -> None:
        """full_clean() the fields set from the file, reporting errors against their columns.

        Foreign keys point at objects just loaded, and uniqueness is what the
        importer's lookups ensure, so neither is checked again row by row.
        """
        fields = [f.name for f in obj._meta.fields]
        checked = set(columns) if obj.pk is None else set(changed)
        exclude = [
            name for name in fields if name not in checked or obj._meta.get_field(name).many_to_one
        ]
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = columns.get(name, "") if name != NON_FIELD_ERRORS else ""
                for message in messages:
                    self.error(key, message)

    def producer(self) -> tuple[Producer | None, list[str]]:
        values = self.values
        name, commune = values["producer_name"], values.get("commune")
        try:
            producer = self.importer.find_producer(name, commune)
        except CellError as error:
            self.error("commune", str(error))
            return None, []
        if producer is None and commune is not None and self.importer.allowed_communes is None:
            # The file names the commune of a producer recorded without one.
            producer = self.importer.producers.get((fold(name), None))
        if producer is None:
            if commune is None:
                self.error("commune", _("A new producer needs its commune."))
            if "producer_kind" not in values:
                self.error("producer_kind", _("A new producer needs its kind."))
            if self.errors:
                return None, []
            producer = Producer(name=name, commune=commune)
        changed = self.update(
            producer,
            {
                "commune": commune,
                "kind": values.get("producer_kind"),
                "address": values.get("address"),
                "phone": values.get("phone"),
            },
        )
        self.validate(producer, PRODUCER_COLUMNS, changed)
        return producer, changed

    def product(self, producer: Producer | None) -> tuple[Product | None, list[str]]:
        """The row's product: by name within its producer, or, for a row without a producer,
        the one product of that name whose producer is not on record."""
        values = self.values
        name = values["product_name"]
        product = None
        if producer is None:
            try:
                product = self.importer.find_orphan(name)
            except CellError as error:
                self.error("product_name", str(error))
                return None, []
        elif producer.pk is not None:
            product = self.importer.products.get((fold(name), producer.pk))
        if product is None:
            if "category" not in values:
                self.error("category", _("A new product needs its category."))
                return None, []
            product = Product(name=name, producer=producer)
        changed = self.update(
            product, {"category": values.get("category"), "summary": values.get("description")}
        )
        self.validate(product, PRODUCT_COLUMNS, changed)
        return product, changed

    def rating(self, product: Product) -> tuple[Certificate | None, list[str]]:
        """The rating the row states, found by its decision number or its round, batch,
        evidence and report date, else new; only what the row gives is set."""
        if not self.is_rating:
            return None, []
        values = self.values
        number = values.get("decision_number", "")
        # Without a word on it: a decision number cites the decision; else a report.
        evidence = values.get("evidence") or (
            Certificate.Evidence.DECISION if number else Certificate.Evidence.REPORT
        )
        try:
            certificate = self.importer.find_rating(product, values, evidence)
        except CellError as error:
            self.error("decision_number", str(error))
            return None, []
        if certificate is None:
            certificate = Certificate(product=product, decision_number=number, evidence=evidence)
        decided, reported = values.get("decision_date"), values.get("reported_on")
        changed = self.update(
            certificate,
            {
                "stars": values.get("stars"),
                "score": values.get("score"),
                "decision_date": decided and decided.first_day,
                "decision_date_precision": decided and decided.precision,
                "issuer_level": values.get("level"),
                "issuer": values.get("issuer"),
                "round_year": values.get("round_year"),
                "batch": values.get("batch"),
                "evidence": values.get("evidence"),
                "reported_on": reported and reported.first_day,
                "reported_on_precision": reported and reported.precision,
                "valid_until": values.get("valid_until"),
                "note": values.get("note"),
            },
        )
        self.validate(certificate, CERTIFICATE_COLUMNS, changed)
        return certificate, changed


def import_file(
    path: Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    communes: frozenset[int] | None = None,
    user=None,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 500,
) -> ImportResult:
    """Import the register in `path` in one transaction.

    Nothing is written on a dry run, nor when a row is invalid unless
    `skip_invalid`. `communes` limits the rows to those communes (for commune
    editors). The history of every object written records `user` (None: nobody,
    as from a command) and the reason "import <file_name>" (default: the path's
    name). Raises ImportFileError when the file as a whole cannot be read.
    """
    table = read_table(Path(path))
    reason = f"import {file_name or Path(path).name}"[:100]  # the history's column size
    with transaction.atomic():
        importer = Importer(table.headers, communes, user=user, reason=reason)
        total = len(table.rows)
        with stars_stored_at_the_end():
            for done, (number, cells) in enumerate(table.rows, start=1):
                row = RowImport(importer, number, cells)
                row.run()
                importer.result.rows += 1
                importer.result.errors.extend(row.errors)
                if progress and (done % progress_every == 0 or done == total):
                    progress(done, total)
        result = importer.result
        result.written = not dry_run and (skip_invalid or not result.errors)
        if result.written:
            importer.write_history()
        else:
            transaction.set_rollback(True)
    return result
