"""Reading the register's file: its columns, its rows, and each cell's value."""

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalogue.models import Producer
from certification.models import Certificate
from core.spreadsheets import FORMULA_TRIGGERS
from core.text import fold


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
