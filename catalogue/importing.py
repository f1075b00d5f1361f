"""Import the OCOP register from a spreadsheet: producers, products and certificates.

One row is one certificate of one product (or a product with no certificate).
Forgiving where people are: headers in English or Vietnamese, names with or
without accents, former commune names, "4 sao", "75,5", "HTX", 1/3/2025.
Strict where data matters: a bad row is reported with its row, column and value,
and by default a file with any bad row writes nothing. The import runs in one
transaction, so a dry run does exactly what a real run would and rolls back.
"""

import csv
import datetime
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from certification.models import Certificate, default_valid_until

from .models import Category, Commune, Producer, Product, stars_stored_at_the_end, unique_slug
from .text import fold


@dataclass(frozen=True)
class Column:
    key: str
    vietnamese: str
    required: bool = True


COLUMNS = [
    Column("product_name", "Tên sản phẩm"),
    Column("producer_name", "Chủ thể"),
    Column("producer_kind", "Loại hình"),
    Column("commune", "Xã/Phường"),
    Column("category", "Nhóm sản phẩm"),
    Column("stars", "Số sao"),
    Column("score", "Điểm"),
    Column("decision_number", "Số quyết định"),
    Column("decision_date", "Ngày quyết định"),
    Column("valid_until", "Hiệu lực đến", required=False),
    Column("address", "Địa chỉ", required=False),
    Column("phone", "Điện thoại", required=False),
    Column("description", "Mô tả", required=False),
]
CERTIFICATE_KEYS = ["stars", "score", "decision_number", "decision_date", "valid_until"]

# Producer kinds as people write them, accent-free and lower-case.
KIND_WORDS = {
    Producer.Kind.COOPERATIVE: ["hop tac xa", "htx", "cooperative", "cooperative (htx)"],
    Producer.Kind.ENTERPRISE: ["doanh nghiep", "dn", "cong ty", "cty", "ctcp", "enterprise"],
    Producer.Kind.HOUSEHOLD: [
        "ho kinh doanh",
        "hkd",
        "ho san xuat",
        "co so san xuat",
        "household",
        "household business",
    ],
    Producer.Kind.COOPERATIVE_GROUP: [
        "to hop tac",
        "tht",
        "cooperative group",
        "cooperative_group",
    ],
    Producer.Kind.OTHER: ["khac", "other"],
}
KINDS = {word: kind for kind, words in KIND_WORDS.items() for word in words}
# What an export writes, and what people most often write.
KIND_NAMES = {
    Producer.Kind.COOPERATIVE: "Hợp tác xã",
    Producer.Kind.ENTERPRISE: "Doanh nghiệp",
    Producer.Kind.HOUSEHOLD: "Hộ kinh doanh",
    Producer.Kind.COOPERATIVE_GROUP: "Tổ hợp tác",
    Producer.Kind.OTHER: "Khác",
}

COMMUNE_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt\.?|p\.)\s+")
STARS = re.compile(r"^(\d+)\s*(?:sao|\*|★|stars?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
# Exports prefix these with a quote against spreadsheet formula injection; imports remove it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Who certified, from the stars and the date (shared/data/ocop_scheme.md, section 4):
# 3-star decisions came from the district between Decision 148 and Decision 1489.
DISTRICT_THREE_STARS = (datetime.date(2023, 2, 24), datetime.date(2025, 7, 5))


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, not UTF-8, missing columns."""


class CellError(Exception):
    """One value cannot be used; the message says why."""


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class Change:
    row: int
    model: str
    action: str
    label: str
    fields: list[str]


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # model name -> {object pk: "created" | "updated" | "unchanged"}
    outcomes: dict[str, dict[int, str]] = field(
        default_factory=lambda: {"producer": {}, "product": {}, "certificate": {}}
    )
    written: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({error.row for error in self.errors})

    def counts(self) -> dict[str, Counter]:
        """Per model: how many objects were created, updated and left unchanged."""
        return {model: Counter(outcomes.values()) for model, outcomes in self.outcomes.items()}


@dataclass
class Table:
    headers: dict[str, str]  # column key -> the header as written in the file
    rows: list[tuple[int, dict[str, object]]]  # (row number as the spreadsheet shows it, cells)


def header_key(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", fold(str(text)).replace("_", " ")).strip()


HEADERS = {
    header_key(name): column.key for column in COLUMNS for name in (column.key, column.vietnamese)
}


def read_table(path: Path) -> Table:
    """The rows of a .csv (UTF-8, comma or semicolon) or .xlsx file, cells keyed by column."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _csv_rows(path)
    elif suffix == ".xlsx":
        raw = _xlsx_rows(path)
    else:
        raise ImportFileError(_("Use a .csv or .xlsx file."))
    if not raw:
        raise ImportFileError(_("The file is empty."))
    headers, positions = {}, {}
    for position, cell in enumerate(raw[0]):
        written = "" if cell is None else str(cell).strip()
        key = HEADERS.get(header_key(written))
        if key is None:
            continue
        if key in headers:
            raise ImportFileError(
                _("The columns “%(first)s” and “%(second)s” are the same column.")
                % {"first": headers[key], "second": written}
            )
        headers[key], positions[key] = written, position
    missing = [column for column in COLUMNS if column.required and column.key not in headers]
    if missing:
        names = ", ".join(f"{column.key} / {column.vietnamese}" for column in missing)
        raise ImportFileError(_("Columns missing: %(columns)s.") % {"columns": names})
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        if any(cell_text(value) for value in values.values()):
            rows.append((number, values))
    return Table(headers, rows)


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(path: Path) -> list[list[object]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


# Cells


def cell_text(value: object) -> str:
    """A cell as trimmed text, without the quote an export put before a formula character."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    quoted = text[1:2] in FORMULA_TRIGGERS or text[1:].lstrip()[:1] in FORMULA_TRIGGERS
    if text[:1] == "'" and quoted and len(text) > 1:
        text = text[1:].strip()
    return text


def parse_stars(value: object) -> int:
    text = cell_text(value)
    if text and set(text) == {"★"}:
        stars = len(text)
    elif match := STARS.match(fold(text)):
        stars = int(match[1])
    else:
        raise CellError(_("Not a star rating: write 3, 4 or 5."))
    if stars not in Certificate.Stars.values:
        raise CellError(_("OCOP certificates have 3, 4 or 5 stars."))
    return stars


def parse_score(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        text = cell_text(value).replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    if not score.is_finite():
        raise CellError(_("Not a number."))
    return score


def parse_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if match := DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise CellError(_("Not a date: write it as dd/mm/yyyy."))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("This date does not exist.")) from None


def parse_kind(value: object) -> str:
    text = fold(cell_text(value))
    kind = KINDS.get(text) or (Producer.Kind.ENTERPRISE if text.startswith("cong ty ") else None)
    if kind is None:
        raise CellError(
            _("Unknown producer kind: write %(kinds)s.")
            % {"kinds": ", ".join(f"{name}" for name in KIND_NAMES.values())}
        )
    return kind


def likely_issuer_level(stars: int, decision_date: datetime.date) -> str:
    if stars == 5:
        return Certificate.IssuerLevel.CENTRAL
    first, last = DISTRICT_THREE_STARS
    if stars == 3 and first <= decision_date <= last:
        return Certificate.IssuerLevel.DISTRICT
    return Certificate.IssuerLevel.PROVINCE


def decision_key(number: str) -> str:
    return "".join(fold(number).split())


# Which file column each model field comes from, to report full_clean() errors.
PRODUCER_COLUMNS = {
    "name": "producer_name",
    "kind": "producer_kind",
    "commune": "commune",
    "address": "address",
    "phone": "phone",
}
PRODUCT_COLUMNS = {"name": "product_name", "category": "category", "summary": "description"}
CERTIFICATE_COLUMNS = {key: key for key in CERTIFICATE_KEYS}


class Importer:
    """Imports rows one at a time against lookups loaded once from the database."""

    def __init__(
        self,
        headers: dict[str, str],
        communes: frozenset[int] | None = None,
        user=None,
        reason: str = "",
    ):
        self.headers = headers
        self.allowed_communes = communes
        # What the history of every saved object records: who imported, and which file.
        self.history_user, self.change_reason = user, reason
        self.saved: dict[type[models.Model], dict[int, models.Model]] = defaultdict(dict)
        self.result = ImportResult()
        self._load()

    def _load(self) -> None:
        communes = list(Commune.objects.prefetch_related("aliases"))
        # Folded name -> [(name as spelt, commune)], for current and for former names.
        self.communes_by_name: dict[str, list[tuple[str, Commune]]] = defaultdict(list)
        self.communes_by_alias: dict[str, list[tuple[str, Commune]]] = defaultdict(list)
        self.communes_by_slug = {commune.slug: commune for commune in communes}
        for commune in communes:
            self.communes_by_name[fold(commune.name)].append((commune.name, commune))
            for alias in commune.aliases.all():
                self.communes_by_alias[fold(alias.name)].append((alias.name, commune))
        communes_by_id = {commune.pk: commune for commune in communes}

        categories = {category.pk: category for category in Category.objects.all()}
        self.categories: dict[str, dict[int, Category]] = defaultdict(dict)
        for category in categories.values():
            category.parent = categories.get(category.parent_id)
            for key in (fold(category.name), fold(category.name_en), category.slug):
                if key:
                    self.categories[key][category.pk] = category

        producers = {producer.pk: producer for producer in Producer.objects.all()}
        self.producers: dict[tuple[str, int | None], Producer] = {}
        self.producers_by_name: dict[str, list[Producer]] = defaultdict(list)
        for producer in producers.values():
            producer.commune = communes_by_id.get(producer.commune_id)
            self._remember_producer(producer)

        products = {product.pk: product for product in Product.objects.all()}
        self.products: dict[tuple[str, int], Product] = {}
        for product in products.values():
            product.producer = producers[product.producer_id]
            product.category = categories.get(product.category_id)
            self.products[fold(product.name), product.producer_id] = product

        self.slugs = {
            Producer: {producer.slug for producer in producers.values()},
            Product: {product.slug for product in products.values()},
        }
        self.certificates: dict[tuple[str, int], Certificate] = {}
        for certificate in Certificate.objects.all():
            certificate.product = products[certificate.product_id]
            key = (decision_key(certificate.decision_number), certificate.product_id)
            self.certificates[key] = certificate

    def _remember_producer(self, producer: Producer) -> None:
        self.producers[fold(producer.name), producer.commune_id] = producer
        namesakes = self.producers_by_name[fold(producer.name)]
        if not any(other is producer for other in namesakes):
            namesakes.append(producer)

    # Lookups

    def find_commune(self, value: object) -> Commune:
        text = " ".join(cell_text(value).split())
        folded = fold(text)
        # As written, and without "Xã"/"Phường"; current names before former ones.
        keys = [folded, COMMUNE_PREFIX.sub("", folded)]
        written = {text.lower(), *text.lower().split(maxsplit=1)[1:]}
        for key in keys:
            if named := self.communes_by_name.get(key):
                message = _("Several communes have this name: %(candidates)s. Write the slug.")
                return only_one(named, written, message)
        if commune := self.communes_by_slug.get(text.lower()):
            return commune
        for key in keys:
            if named := self.communes_by_alias.get(key):
                message = _("This former name merged into several communes: %(candidates)s.")
                return only_one(named, written, message)
        raise CellError(_("Unknown commune."))

    def find_category(self, value: object) -> Category:
        text = cell_text(value)
        found = self.categories.get(fold(text)) or self.categories.get(text.lower()) or {}
        candidates = sorted(found.values(), key=lambda category: category.level)
        if not candidates:
            raise CellError(_("Unknown category."))
        deepest = candidates[-1]
        # A sector and its only group may share a name: the name means the deeper one.
        if all(category in deepest.ancestors() for category in candidates[:-1]):
            return deepest
        raise CellError(
            _("Several categories have this name: %(candidates)s. Write the slug.")
            % {"candidates": describe(candidates, slug=True)}
        )

    def find_producer(self, name: str, commune: Commune | None) -> Producer | None:
        """The producer of this name in `commune`; with no commune, the only one of the name."""
        if commune is not None:
            return self.producers.get((fold(name), commune.pk))
        if self.allowed_communes is None and (producer := self.producers.get((fold(name), None))):
            return producer
        candidates = [
            producer
            for producer in self.producers_by_name.get(fold(name), [])
            if self.allowed_communes is None or producer.commune_id in self.allowed_communes
        ]
        if len(candidates) > 1:
            communes = [producer.commune or _("(not recorded)") for producer in candidates]
            raise CellError(
                _("Producers of this name are in several communes (%(communes)s): write one.")
                % {"communes": ", ".join(str(commune) for commune in communes)}
            )
        return candidates[0] if candidates else None

    # Rows

    def import_row(self, number: int, cells: dict[str, object]) -> None:
        row = RowImport(self, number, cells)
        row.run()
        self.result.rows += 1
        if row.errors:
            self.result.errors.extend(row.errors)

    def write_history(self) -> None:
        """One historical row per object the import saved, in its final state: created or changed.

        In bulk at the end (simple-history's bulk_history_create), which keeps the import
        about as fast as without history; a row per save would cost an INSERT each.
        """
        for model, objects in self.saved.items():
            outcomes = self.result.outcomes[model._meta.model_name]
            for action in ("created", "updated"):
                chosen = [obj for pk, obj in objects.items() if outcomes[pk] == action]
                if chosen:
                    model.history.bulk_history_create(
                        chosen,
                        batch_size=500,
                        update=action == "updated",
                        default_user=self.history_user,
                        default_change_reason=self.change_reason,
                    )

    def record(self, number: int, obj: models.Model, action: str, fields: list[str]) -> None:
        rank = {"unchanged": 0, "updated": 1, "created": 2}
        outcomes = self.result.outcomes[obj._meta.model_name]
        previous = outcomes.get(obj.pk)
        if previous is None or rank[action] > rank[previous]:
            outcomes[obj.pk] = action
        if action != "unchanged":
            label = str(obj) if not isinstance(obj, Certificate) else f"{obj.product} – {obj}"
            model = str(obj._meta.verbose_name)
            if action == "created":
                fields = []
            names = [str(obj._meta.get_field(name).verbose_name) for name in fields]
            self.result.changes.append(Change(number, model, action, label, names))


def only_one(named: list[tuple[str, Commune]], written: set[str], message: str) -> Commune:
    """The one commune of `named`, telling apart by accents names that fold alike."""
    communes = list({commune.pk: commune for name, commune in named}.values())
    if len(communes) == 1:
        return communes[0]
    # Văn Lang and Văn Lăng fold alike: the accents as written decide.
    exact = {commune.pk: commune for name, commune in named if name.lower() in written}
    if len(exact) == 1:
        return next(iter(exact.values()))
    raise CellError(message % {"candidates": describe(communes, slug=True)})


def describe(objects, slug: bool = False) -> str:
    return ", ".join(f"{obj.name} ({obj.slug})" if slug else obj.name for obj in objects)


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
                importer.import_row(number, cells)
                if progress and (done % progress_every == 0 or done == total):
                    progress(done, total)
        result = importer.result
        result.written = not dry_run and (skip_invalid or not result.errors)
        if result.written:
            importer.write_history()
        else:
            transaction.set_rollback(True)
    return result
