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

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalogue.models import Producer
from certification.models import Certificate
from core.dates import PARTIAL_DATE, PartialDate, Precision
from core.spreadsheets import FORMULA_TRIGGERS
from core.text import fold


@dataclass(frozen=True)
class Column:
    key: str
    vietnamese: str
    required: bool = False
    # Other headers people write for this column (matched like the others).
    aliases: tuple[str, ...] = ()


COLUMNS = [
    Column("product_name", "Tên sản phẩm", required=True),
    Column("producer_name", "Chủ thể", required=True),
    Column("producer_kind", "Loại hình", required=True),
    Column("commune", "Xã/Phường", required=True),
    Column("category", "Nhóm sản phẩm", required=True),
    Column("stars", "Số sao"),
    Column("score", "Điểm"),
    Column("decision_number", "Số quyết định"),
    Column("decision_date", "Ngày quyết định"),
    Column("level", "Cấp công nhận", aliases=("cấp", "cấp đánh giá", "issuer level")),
    Column("issuer", "Cơ quan công nhận", aliases=("cơ quan cấp", "cơ quan ban hành")),
    Column("round_year", "Năm đánh giá", aliases=("round", "năm xét chọn")),
    Column("batch", "Đợt", aliases=("đợt đánh giá",)),
    Column("evidence", "Căn cứ"),
    Column("reported_on", "Ngày đưa tin", aliases=("ngày báo cáo", "ngày đăng")),
    Column("valid_until", "Hiệu lực đến"),
    Column("source", "Nguồn", aliases=("sources", "nguồn tin")),
    Column("note", "Ghi chú", aliases=("notes",)),
    Column("address", "Địa chỉ"),
    Column("phone", "Điện thoại"),
    Column("description", "Mô tả"),
    # Online stores of the product (trade.SalesChannel): links separated by new lines or ";".
    Column("where_to_buy", "Nơi mua trực tuyến", aliases=("where to buy", "mua trực tuyến")),
]
# A row with any of these cells is a rating of its product; without any, the product alone.
RATING_KEYS = [
    "stars",
    "score",
    "decision_number",
    "decision_date",
    "level",
    "issuer",
    "round_year",
    "batch",
    "evidence",
    "reported_on",
    "valid_until",
]
# The producer's cells: without the producer's name, a row may not give any of them.
PRODUCER_DETAIL_KEYS = ["producer_kind", "commune", "address", "phone"]

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

# Who rated: the words of the data files (national, provincial, district), Vietnamese ones,
# and the admin's values. An export writes the first of each list.
Level = Certificate.IssuerLevel
LEVEL_WORDS = {
    Level.CENTRAL: ["national", "trung uong", "quoc gia", "cap quoc gia", "cap trung uong"]
    + ["central", "ministry"],
    Level.PROVINCE: ["provincial", "tinh", "cap tinh", "province"],
    Level.DISTRICT: ["district", "huyen", "cap huyen"],
}
LEVELS = {word: level for level, words in LEVEL_WORDS.items() for word in words}
LEVEL_NAMES = {Level.CENTRAL: "Trung ương", Level.PROVINCE: "Tỉnh", Level.DISTRICT: "Huyện"}

# What the rating rests on: the decision itself, a report of it, or a later report that the
# product still holds the level.
Evidence = Certificate.Evidence
EVIDENCE_WORDS = {
    Evidence.DECISION: ["decision", "quyet dinh", "qd"],
    Evidence.REPORT: ["report", "bao cao", "dua tin", "bai bao", "tin bao"],
    Evidence.LATER_REPORT: ["later report", "later_report", "bao cao sau", "dua tin sau"]
    + ["bao cao sau nay", "tin sau"],
}
EVIDENCES = {word: evidence for evidence, words in EVIDENCE_WORDS.items() for word in words}
EVIDENCE_NAMES = {
    Evidence.DECISION: "Quyết định",
    Evidence.REPORT: "Báo cáo",
    Evidence.LATER_REPORT: "Báo cáo sau",
}

COMMUNE_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt\.?|p\.)\s+")
STARS = re.compile(r"^(\d+)\s*(?:sao|\*|★|stars?)?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T][\d:.]+)?$")
ROUND_YEAR = re.compile(r"^(?:nam\s+)?(\d{4})$")
# The years a rating round can name: OCOP started in 2018 (Quảng Ninh in 2013).
ROUND_YEARS = (2010, 2100)
SOURCE_SEPARATORS = re.compile(r"[;\s]+")
SOURCE_URL = URLValidator(schemes=["http", "https"])
SOURCE_URL_LENGTH = 500  # sources.Source.url


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
        default_factory=lambda: {"producer": {}, "product": {}, "certificate": {}, "source": {}}
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
    header_key(name): column.key
    for column in COLUMNS
    for name in (column.key, column.vietnamese, *column.aliases)
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
        return [[_xlsx_value(cell) for cell in row] for row in workbook.worksheets[0].iter_rows()]
    finally:
        workbook.close()


def _xlsx_value(cell) -> object:
    """A cell's value; a date cell formatted as a month or a year, at that precision.

    A person who types 06/2021 into Excel gets a date cell of 1 June 2021 shown as
    "06/2021": the format, not the value, keeps what they knew.
    """
    value = cell.value
    if not isinstance(value, datetime.date):
        return value
    day = value.date() if isinstance(value, datetime.datetime) else value
    # Quoted text and [colour]/[$-locale] sections are not date parts.
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]', "", str(cell.number_format or "")).lower()
    if "d" in shown or "y" not in shown:
        return day
    if "m" in shown:
        return PartialDate(day.replace(day=1), Precision.MONTH)
    return PartialDate(day.replace(month=1, day=1), Precision.YEAR)


# Cells


def cell_text(value: object) -> str:
    """A cell as trimmed text, without the quote an export put before a formula character."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.text()
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


def parse_partial_date(value: object) -> PartialDate:
    """A date at the precision written: 30/06/2021, 06/2021 or 2021; ISO; a date cell."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, datetime.datetime):
        return PartialDate(value.date(), Precision.DAY)
    if isinstance(value, datetime.date):
        return PartialDate(value, Precision.DAY)
    text = cell_text(value)
    try:
        if match := ISO_DATE.match(text):
            year, month, day = match.groups()
            if day is None:
                return PartialDate(datetime.date(int(year), int(month), 1), Precision.MONTH)
            return PartialDate(datetime.date(int(year), int(month), int(day)), Precision.DAY)
        if PARTIAL_DATE.match(text):
            return PartialDate.parse(text)
    except ValueError:
        raise CellError(_("This date does not exist.")) from None
    raise CellError(_("Not a date: write it as dd/mm/yyyy, mm/yyyy or yyyy."))


def parse_day(value: object) -> datetime.date:
    """A date known to the day (a stated validity ends on a day)."""
    date = parse_partial_date(value)
    if date.precision != Precision.DAY:
        raise CellError(_("Write the whole date: dd/mm/yyyy."))
    return date.first_day


def parse_kind(value: object) -> str:
    text = fold(cell_text(value))
    kind = KINDS.get(text) or (Producer.Kind.ENTERPRISE if text.startswith("cong ty ") else None)
    if kind is None:
        raise CellError(
            _("Unknown producer kind: write %(kinds)s.")
            % {"kinds": ", ".join(f"{name}" for name in KIND_NAMES.values())}
        )
    return kind


def parse_level(value: object) -> str:
    level = LEVELS.get(fold(cell_text(value)))
    if level is None:
        raise CellError(
            _("Unknown level: write national, provincial or district (trung ương, tỉnh, huyện).")
        )
    return level


def parse_evidence(value: object) -> str:
    evidence = EVIDENCES.get(fold(cell_text(value)).replace("_", " "))
    if evidence is None:
        raise CellError(
            _(
                "Unknown evidence: write decision, report or later report "
                "(quyết định, báo cáo, báo cáo sau)."
            )
        )
    return evidence


def parse_round_year(value: object) -> int:
    match = ROUND_YEAR.match(fold(cell_text(value)))
    if not match or not ROUND_YEARS[0] <= int(match[1]) <= ROUND_YEARS[1]:
        raise CellError(_("Not the year of a rating round: write it as yyyy, for example 2024."))
    return int(match[1])


def parse_sources(value: object) -> list[str]:
    """The web addresses of a cell, separated by ";" or spaces, in order, without repeats."""
    addresses = [part for part in SOURCE_SEPARATORS.split(cell_text(value)) if part]
    for address in addresses:
        try:
            if len(address) > SOURCE_URL_LENGTH:
                raise ValidationError("too long")
            SOURCE_URL(address)
        except ValidationError:
            raise CellError(
                _("Not a web address starting with http:// or https://: %(address)s")
                % {"address": address[:100]}
            ) from None
    return list(dict.fromkeys(addresses))


def one_line(value: object) -> str:
    return " ".join(cell_text(value).split())


def decision_key(number: str) -> str:
    return "".join(fold(number).split())
