"""Writing a row's producer, product and certificate, all or nothing; the whole import."""

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product, stars_stored_at_the_end
from certification.models import Certificate, default_valid_until
from core.slugs import unique_slug
from core.text import fold

from .matching import Importer
from .reading import (
    CERTIFICATE_KEYS,
    CellError,
    ImportResult,
    RowError,
    cell_text,
    decision_key,
    likely_issuer_level,
    parse_date,
    parse_kind,
    parse_score,
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
CERTIFICATE_COLUMNS = {key: key for key in CERTIFICATE_KEYS}


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
        column = self.importer.headers.get(key, "")
        self.errors.append(RowError(self.number, column, value, str(message)))

    def present(self, key: str) -> bool:
        return bool(cell_text(self.cells.get(key)))

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
            "decision_number": lambda value: " ".join(cell_text(value).split()),
            "decision_date": parse_date,
            "valid_until": parse_date,
            "address": cell_text,
            "phone": cell_text,
            "description": cell_text,
        }
        for key, parse in parsers.items():
            if not self.present(key):
                continue
            try:
                self.values[key] = parse(self.cells[key])
            except CellError as error:
                self.error(key, str(error))
        for key in ("product_name", "producer_name"):
            if not self.present(key):
                self.error(key, _("A value is required."))
        if any(self.present(key) for key in CERTIFICATE_KEYS):
            for key in ("stars", "decision_number", "decision_date"):
                if not self.present(key):
                    self.error(key, _("A value is required for a certificate."))
        commune = self.values.get("commune")
        allowed = importer.allowed_communes
        if commune is not None and allowed is not None and commune.pk not in allowed:
            self.error("commune", _("You can import rows of your own communes only."))

    def run(self) -> None:
        self.parse()
        if self.errors:
            return
        producer, producer_fields = self.producer()
        product, product_fields = self.product(producer) if producer else (None, None)
        certificate, certificate_fields = self.certificate(product) if product else (None, None)
        if self.errors:
            for obj, old in self.reverts:
                for name, value in old.items():
                    setattr(obj, name, value)
            return
        importer = self.importer
        for obj, changed in [
            (producer, producer_fields),
            (product, product_fields),
            (certificate, certificate_fields),
        ]:
            if obj is None:
                continue
            created = obj.pk is None
            if created and not isinstance(obj, Certificate):
                taken = importer.slugs[type(obj)]
                obj.slug = unique_slug(obj, obj.name, taken=taken)
                taken.add(obj.slug)
            if created or changed:
                obj.save_without_historical_record()  # write_history() records it, in bulk
                importer.saved[type(obj)][obj.pk] = obj
            if obj is producer and (created or "commune" in changed):
                importer.producers.pop((fold(producer.name), None), None)
                importer._remember_producer(producer)
            elif obj is product and created:
                importer.products[fold(product.name), producer.pk] = product
            elif obj is certificate and created:
                key = (decision_key(certificate.decision_number), product.pk)
                importer.certificates[key] = certificate
            action = "created" if created else "updated" if changed else "unchanged"
            importer.record(self.number, obj, action, changed)

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

    def product(self, producer: Producer) -> tuple[Product | None, list[str]]:
        values = self.values
        name = values["product_name"]
        product = None
        if producer.pk is not None:
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

    def certificate(self, product: Product) -> tuple[Certificate | None, list[str]]:
        values = self.values
        if "decision_number" not in values:
            return None, []
        certificate = None
        if product.pk is not None:
            key = (decision_key(values["decision_number"]), product.pk)
            certificate = self.importer.certificates.get(key)
        if certificate is None:
            certificate = Certificate(
                product=product,
                decision_number=values["decision_number"],
                issuer_level=likely_issuer_level(values["stars"], values["decision_date"]),
                commune=product.producer.commune,
            )
        old_date, old_valid_until = certificate.decision_date, certificate.valid_until
        changed = self.update(
            certificate,
            {key: values.get(key) for key in ["stars", "score", "decision_date", "valid_until"]},
        )
        if (
            certificate.pk is not None
            and "decision_date" in changed
            and "valid_until" not in values
            and old_valid_until == default_valid_until(old_date)
        ):
            # The old validity was the default one: it follows the corrected date.
            certificate.valid_until = default_valid_until(certificate.decision_date)
            self.reverts[-1][1]["valid_until"] = old_valid_until
            changed.append("valid_until")
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
