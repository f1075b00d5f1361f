"""Spreadsheet files (.csv for Excel, .xlsx) safe to open: cells that a spreadsheet would run
as a formula are written as text."""

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

Cell = str | int | Decimal | datetime.date | None
# Exports prefix these with a quote against spreadsheet formula injection; imports remove it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Cell) -> Cell:
    """Text that starts like a formula gets a leading quote, so spreadsheets show it as text.

    Spaces first do not make it safe: some spreadsheets trim them before reading a formula.
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS)
    ):
        return f"'{value}"
    return value


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_csv(file, header: list[str], rows: Iterable[list[Cell]]) -> None:
    """UTF-8 with a byte order mark, which Excel needs to show Vietnamese letters."""
    file.write("\ufeff")
    writer = csv.writer(file)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(csv_text(cell)) for cell in row])


def xlsx_bytes(header: list[str], rows: Iterable[list[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "OCOP"
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_file(path: Path, header: list[str], rows: Iterable[list[Cell]]) -> None:
    """Write `rows` to a .csv or .xlsx file, by its suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(header, rows))
    elif path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as file:
            write_csv(file, header, rows)
    else:
        raise ValueError(path.suffix)
