"""Reading the CSV files of shared/data, and the error for anything the build cannot read."""

import csv
from collections import Counter
from pathlib import Path


class DataError(Exception):
    """The CSV holds something this script does not know how to read."""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def check_unique(values: list[str], what: str) -> None:
    repeated = [value for value, n in Counter(values).items() if n > 1]
    if repeated:
        raise DataError(f"{what} not unique: {repeated}")
