"""Import the OCOP register from a spreadsheet: producers, products and certificates.

One row is one certificate of one product (or a product with no certificate).
Forgiving where people are: headers in English or Vietnamese, names with or
without accents, former commune names, "4 sao", "75,5", "HTX", 1/3/2025.
Strict where data matters: a bad row is reported with its row, column and value,
and by default a file with any bad row writes nothing. The import runs in one
transaction, so a dry run does exactly what a real run would and rolls back.
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
