"""Time import_ocop on a synthetic 10,000-row register, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.imports [--rows N] [--postgres URL | --no-postgres]

The register uses the real commune and category names (written the ways people
write them: "Xã Tân Cương", "tan cuong", former names), producer names marked
"[Synthetic]", and a certificate history per product. Each database is new:
a temporary SQLite file, and the PostgreSQL database ocop_bench_import, created
and dropped here. Reported: rows per second for a dry run, the real import, and a
second import of the same file (everything unchanged).
"""

import argparse
import csv
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from functools import partial
from pathlib import Path

from bench import databases
from bench.common import (
    BASE_DIR,
    clean_environ,
    run_json,
    settings,
    setup_django,
    stop_cleanly_on_signals,
)

PG_DATABASE = "ocop_bench_import"

PRODUCTS = [
    "Chè búp",
    "Chè xanh",
    "Trà tôm nõn",
    "Mật ong rừng",
    "Miến dong",
    "Gạo nếp vải",
    "Măng khô",
    "Rượu men lá",
    "Bánh chưng",
    "Nấm hương",
    "Tinh bột nghệ",
    "Thịt trâu gác bếp",
]
KINDS = ["HTX", "Hợp tác xã", "Hộ kinh doanh", "HKD", "Công ty TNHH", "DN", "Tổ hợp tác"]
BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 99)}
HEADER = [
    "Tên sản phẩm",
    "Chủ thể",
    "Loại hình",
    "Xã/Phường",
    "Nhóm sản phẩm",
    "Số sao",
    "Điểm",
    "Số quyết định",
    "Ngày quyết định",
    "Địa chỉ",
    "Điện thoại",
]


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, as the site folds names: 'Đinh' -> 'dinh'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(str.maketrans("đĐ", "dD")))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


def fixture(name: str, model: str) -> list[dict]:
    """The fields of the `model` rows (any app label) of fixtures/<name>.json."""
    rows = json.loads((BASE_DIR / "fixtures" / f"{name}.json").read_text())
    return [row["fields"] for row in rows if row["model"].endswith(f".{model}")]


def commune_spellings() -> list[str]:
    """Commune names as registers write them, and unambiguous former names."""
    communes = fixture("communes", "commune")
    names = [fold(commune["name"]) for commune in communes]
    spellings = []
    for commune in communes:
        name = commune["name"]
        if names.count(fold(name)) > 1:
            spellings.append(commune["slug"])
            continue
        prefix = "Phường" if commune["kind"] == "phuong" else "Xã"
        spellings += [name, f"{prefix} {name}", fold(name), name.upper()]
    alias_names = [alias["name"] for alias in fixture("communes", "communealias")]
    current = set(names)
    spellings += [
        name for name in alias_names if alias_names.count(name) == 1 and fold(name) not in current
    ]
    return spellings


def build_register(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    communes = commune_spellings()
    categories = [row["name"] for row in fixture("categories", "category") if row["level"] == 3]
    lines, producer_number, decision = [], 0, 0
    while len(lines) < rows:
        producer_number += 1
        kind = rng.choice(KINDS)
        producer = f"[Synthetic] {kind} Sản xuất {producer_number:05d}"
        commune = rng.choice(communes)
        phone = f"0208 {rng.randint(3000000, 3999999)}"
        for product_number in range(rng.randint(1, 4)):
            product = f"{rng.choice(PRODUCTS)} {commune.split()[-1]} {product_number + 1}"
            category = rng.choice(categories)
            stars = rng.choice([3, 3, 3, 4, 4, 5])
            year = rng.randint(2019, 2022)
            for step in range(rng.randint(1, 3)):
                decision += 1
                low, high = BANDS[stars]
                score = f"{rng.randint(low, high)},{rng.randint(0, 99):02d}"
                date = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{year + 3 * step}"
                number = f"{decision}/QĐ-UBND"
                address = f"Thôn {producer_number % 40 + 1}"
                lines.append(
                    [product, producer, kind, commune, category, f"{stars} sao", score]
                    + [number, date, address, phone]
                )
                stars = min(stars + 1, 5)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([HEADER, *lines[:rows]])


def child(register: Path) -> None:
    """Runs inside Django on the migrated database of DATABASE_URL: times three imports."""
    setup_django()
    from django.core.management import get_commands

    # import_file lives beside the import_ocop command, in whichever app holds it.
    import_file = importlib.import_module(f"{get_commands()['import_ocop']}.importing").import_file
    timings = {}
    for name, options in [("dry run", {"dry_run": True}), ("import", {}), ("re-import", {})]:
        start = time.perf_counter()
        result = import_file(register, **options)
        seconds = time.perf_counter() - start
        assert not result.errors, result.errors[:5]
        timings[name] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(result.rows / seconds),
            "counts": {model: dict(counts) for model, counts in result.counts().items()},
        }
    print(json.dumps(timings))


def run_child(register: Path, database_url: str) -> dict:
    """Migrate the database and load the places (manage.py), then time the imports."""
    # Production mode refuses to start without ALLOWED_HOSTS.
    env = clean_environ() | settings(DATABASE_URL=database_url, ALLOWED_HOSTS="localhost")
    try:
        databases.prepare(env)
        return run_json("bench.imports", ["--child", str(register)], env, stderr=subprocess.PIPE)
    except subprocess.CalledProcessError as error:
        sys.exit(error.stderr or f"{' '.join(error.cmd[1:3])} failed")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", default=databases.PG_SERVER)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    stop_cleanly_on_signals()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "register.csv"
        build_register(register, args.rows)
        for vendor in ["sqlite"] if args.no_postgres else ["sqlite", "postgres"]:
            name = PG_DATABASE if vendor == "postgres" else "bench"
            measure = partial(run_child, register)
            result = databases.on_new_database(vendor, name, folder, measure, args.postgres)
            if result is not None:
                results[databases.NAMES[vendor]] = result

    print(f"import_ocop on {args.rows} synthetic rows (rows per second)")
    print(f"{'':<12}{'dry run':>10}{'import':>10}{'re-import':>11}")
    for database, timings in results.items():
        cells = "".join(
            f"{timings[name]['rows_per_second']:>{width}}"
            for name, width in [("dry run", 10), ("import", 10), ("re-import", 11)]
        )
        print(f"{database:<12}{cells}")
    first = next(iter(results.values()))
    print("created by the import:", first["import"]["counts"])
    print("re-import:", first["re-import"]["counts"])


if __name__ == "__main__":
    main()
