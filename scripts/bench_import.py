"""Time import_ocop on a synthetic 10,000-row register, on SQLite and on PostgreSQL.

    .venv/bin/python scripts/bench_import.py [--rows N] [--postgres URL | --no-postgres]

The register uses the real commune and category names (written the ways people
write them: "Xã Tân Cương", "tan cuong", former names), producer names marked
"[Synthetic]", and a certificate history per product. Each database is new:
a temporary SQLite file, and the PostgreSQL database ocop_bench_import, created
and dropped here. Reported: rows per second for a dry run, the real import, and a
second import of the same file (everything unchanged).
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
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


def commune_spellings() -> list[str]:
    """Commune names as registers write them, and unambiguous former names."""
    sys.path.insert(0, str(BASE_DIR))
    from catalogue.text import fold

    rows = json.loads((BASE_DIR / "fixtures" / "communes.json").read_text())
    communes = [row["fields"] for row in rows if row["model"] == "catalogue.commune"]
    names = [fold(commune["name"]) for commune in communes]
    spellings = []
    for commune in communes:
        name = commune["name"]
        if names.count(fold(name)) > 1:
            spellings.append(commune["slug"])
            continue
        prefix = "Phường" if commune["kind"] == "phuong" else "Xã"
        spellings += [name, f"{prefix} {name}", fold(name), name.upper()]
    aliases = [row["fields"] for row in rows if row["model"] == "catalogue.communealias"]
    alias_names = [alias["name"] for alias in aliases]
    current = set(names)
    spellings += [
        name for name in alias_names if alias_names.count(name) == 1 and fold(name) not in current
    ]
    return spellings


def category_names() -> list[str]:
    rows = json.loads((BASE_DIR / "fixtures" / "categories.json").read_text())
    return [row["fields"]["name"] for row in rows if row["fields"]["level"] == 3]


def build_register(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    communes, categories = commune_spellings(), category_names()
    header = [
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
                lines.append(
                    [
                        product,
                        producer,
                        kind,
                        commune,
                        category,
                        f"{stars} sao",
                        score,
                        number,
                        date,
                        f"Thôn {producer_number % 40 + 1}",
                        phone,
                    ]
                )
                stars = min(stars + 1, 5)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([header, *lines[:rows]])


def child(register: Path) -> None:
    """Runs with DATABASE_URL set: migrate, load the places, time three imports."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from catalogue.importing import import_file

    call_command("migrate", verbosity=0)
    call_command("loaddata", "communes", "categories", verbosity=0)
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
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "localhost",  # production mode refuses to start without it
    }
    process = subprocess.run(
        [sys.executable, __file__, "--child", str(register)],
        env=env,
        capture_output=True,
        text=True,
    )
    if process.returncode:
        sys.exit(process.stderr)
    return json.loads(process.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "register.csv"
        build_register(register, args.rows)
        results = {"SQLite": run_child(register, f"sqlite:///{Path(folder) / 'bench.sqlite3'}")}
        if not args.no_postgres:
            import psycopg

            server = f"{args.postgres}/postgres"
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                connection.execute(f"CREATE DATABASE {PG_DATABASE}")
            try:
                results["PostgreSQL"] = run_child(register, f"{args.postgres}/{PG_DATABASE}")
            finally:
                with psycopg.connect(server, autocommit=True) as connection:
                    connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")

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
