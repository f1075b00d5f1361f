"""Spreadsheets written the way people write them, and a snapshot of what an import touches."""

import csv
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook

from catalogue.models import Category, Producer, Product
from certification.models import Certificate
from places.models import Commune, CommuneAlias
from registry.importing import COLUMNS
from sources.models import Source

ENGLISH = {column.key: column.key for column in COLUMNS}
VIETNAMESE = {column.key: column.vietnamese for column in COLUMNS}

# One rating row in the register, as staff type it.
ROW = {
    "product_name": "Chè búp Tân Cương",
    "producer_name": "HTX Chè Thử Nghiệm",
    "producer_kind": "HTX",
    "commune": "Xã Tân Cương",
    "category": "Chè",
    "stars": "4 sao",
    "score": "75,5",
    "decision_number": "12/QĐ-UBND",
    "decision_date": "01/03/2025",
}


_places: dict = {}


def load_places() -> None:
    """The real communes (with their former units) and the OCOP category tree.

    loaddata takes half a second, so later tests copy the rows it wrote the first time.
    """
    models = [Commune, CommuneAlias, Category]
    if not _places:
        call_command("loaddata", "communes", "categories", verbosity=0)
        _places.update({model: list(model.objects.order_by("pk")) for model in models})
        return
    for model in models:
        model.objects.bulk_create(_places[model])


def table(rows: list[dict], headers: dict[str, str]) -> list[list]:
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return [[headers[key] for key in keys], *[[row.get(key, "") for key in keys] for row in rows]]


def write_csv(
    path: Path, rows: list[dict], headers=VIETNAMESE, delimiter: str = ",", bom: bool = True
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(table(rows, headers))
    return path


def write_xlsx(
    path: Path, rows: list[dict], headers=VIETNAMESE, formats: dict[str, str] | None = None
) -> Path:
    """`formats`: a number format by column key, as Excel gives a date typed as 06/2021."""
    workbook = Workbook()
    sheet = workbook.active
    lines = table(rows, headers)
    for line in lines:
        sheet.append(line)
    keys = {headers[key]: key for key in headers}
    for column, header in enumerate(lines[0], start=1):
        if number_format := (formats or {}).get(keys[header]):
            for row in range(2, len(lines) + 1):
                sheet.cell(row, column).number_format = number_format
    workbook.save(path)
    return path


def snapshot() -> dict:
    """Every field of every producer, product, rating and source, updated_at included, and
    which sources each producer, product and rating cites."""
    links = [model.sources.through for model in (Producer, Product, Certificate)]
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in (Producer, Product, Certificate, Source, *links)
    }
