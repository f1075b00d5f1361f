"""Import the OCOP register from a spreadsheet: producers, products, ratings and sources.

One row is one rating of one product (or a product with no rating), as its source states
it: every rating column is optional, a date may be known to the day, the month or the year,
and nothing the row does not say is filled in. Forgiving where people are: headers in
English or Vietnamese, names with or without accents, former commune names, "4 sao",
"75,5", "HTX", "tỉnh", 1/3/2025 or 03/2025. Strict where data matters: a bad row is reported
with its row, column and value, and by default a file with any bad row writes nothing. The
import runs in one transaction, so a dry run does exactly what a real run would and rolls back.
"""

from .reading import (
    COLUMNS,
    KIND_NAMES,
    ImportFileError,
    ImportResult,
    RowError,
    cell_text,
    read_table,
)
from .writing import import_file

__all__ = [
    "COLUMNS",
    "KIND_NAMES",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "cell_text",
    "import_file",
    "read_table",
]
