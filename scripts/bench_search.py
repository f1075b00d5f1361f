"""Benchmark search on a large synthetic catalogue, on SQLite and on PostgreSQL.

    .venv/bin/python scripts/bench_search.py [--products 100000] [--repeat 5]

For each database: migrate an empty one (a temporary SQLite file; the PostgreSQL
database `ocop_bench`, created and dropped here), seed it with seed_catalogue,
then time 20 realistic searches twice: the full listing page through the test
client (search, count, page, facets and template), and the listing's queryset
alone (count and first page). Prints markdown tables and the query plan of one
search, to show whether the trigram index is used.

Each database runs in a child process (Django reads DATABASE_URL once), with a
time limit, so the whole run stays bounded.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "ocop_bench"

# (label, query string of /products/). Vietnamese with and without marks, synonyms,
# former commune names, two-word queries, a typo, with a filter or two.
QUERIES = [
    ("Vietnamese", {"q": "chè tân cương"}),
    ("no diacritics", {"q": "che tan cuong"}),
    ("one word", {"q": "mật ong"}),
    ("no diacritics, 3 words", {"q": "mat ong rung"}),
    ("two words + stars", {"q": "miến dong", "stars": "4"}),
    ("no diacritics + stars", {"q": "mien dong", "stars": "5"}),
    ("synonym trà → chè", {"q": "trà xanh"}),
    ("synonym (English)", {"q": "tea"}),
    ("synonym + kind", {"q": "honey", "kind": "cooperative"}),
    ("former commune", {"q": "thinh duc"}),
    ("former commune + stars", {"q": "Thịnh Đức", "stars": "3"}),
    ("three words", {"q": "rượu men lá"}),
    ("two words + commune", {"q": "gạo nếp", "commune": "dinh-hoa"}),
    ("sector + search", {"q": "banh chung", "category": "thuc-pham"}),
    ("group + search + stars", {"q": "moc cau", "category": "che", "stars": "4"}),
    ("commune name + kind", {"q": "đồng hỷ", "kind": "household"}),
    ("sorted by name", {"q": "hop qua", "sort": "name"}),
    ("category words", {"q": "du lich cong dong"}),
    ("rare word, 5 stars", {"q": "giò bê", "stars": "5"}),
    ("typo (close matches on PG)", {"q": "tan cung"}),
]
# The query plans printed: a search with a filter, and the typo that falls back to trigrams.
EXPLAINED = [{"q": "che tan cuong", "stars": "4"}, {"q": "tan cung"}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--timeout", type=int, default=900, help="Seconds allowed per database (default 900)."
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="Run one database only.")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    results = {}
    with tempfile.TemporaryDirectory(prefix="ocop-bench-", dir="/tmp") as folder:
        env = worker_env(Path(folder) / "static")
        # With DEBUG off, pages need the hashed static files that collectstatic lists.
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, env=env, cwd=BASE_DIR, check=True)
        if args.only in (None, "sqlite"):
            url = f"sqlite:///{folder}/bench.sqlite3"
            results["SQLite"] = run_worker(env | {"DATABASE_URL": url}, args)
        if args.only in (None, "postgresql"):
            if problem := create_pg_database():
                print(f"\nPostgreSQL skipped: {problem}\n", file=sys.stderr)
            else:
                try:
                    url = f"{PG_SERVER}/{PG_DATABASE}"
                    results["PostgreSQL"] = run_worker(env | {"DATABASE_URL": url}, args)
                finally:
                    drop_pg_database()
    report(results, args)
    return 0 if results and all("error" not in r for r in results.values()) else 1


def worker_env(static_root: Path) -> dict[str, str]:
    """Production-like settings: DEBUG off (no query log), hashed static files."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "ocop_site.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",  # the test client speaks plain HTTP
        "CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(static_root),
    }


def run_worker(env: dict[str, str], args) -> dict:
    """Run this script with --worker in `env`; its last line on stdout is the JSON result."""
    command = [sys.executable, __file__, "--worker"]
    command += ["--products", str(args.products), "--repeat", str(args.repeat)]
    command += ["--seed", str(args.seed)]
    name = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\n== {name}: {args.products:,} products ==", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            command, env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"error": f"worker failed with exit code {done.returncode}"}
    return json.loads(lines[-1])


def pg_connect(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/{dbname}", autocommit=True, connect_timeout=5)


def create_pg_database() -> str | None:
    """Create an empty `ocop_bench`; a reason when PostgreSQL cannot be reached."""
    try:
        with pg_connect() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    except Exception as error:  # any connection problem means: no PostgreSQL here
        return f"cannot reach {PG_SERVER} ({error.__class__.__name__}: {error})".strip()
    return None


def drop_pg_database() -> None:
    with pg_connect() as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


# The worker: one database, inside Django


def worker(args) -> int:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    log = sys.stderr
    print("migrating…", file=log, flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_catalogue", products=args.products, seed=args.seed, verbosity=1, stdout=log)
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would give

    from django.test import Client

    client = Client()
    client.get("/products/")  # warm the template and URL caches
    rows = []
    for label, params in QUERIES:
        page_times, page_count = time_page(client, params, args.repeat)
        queryset_times, queryset_count = time_queryset(params, args.repeat)
        rows.append(
            {
                "label": label,
                "params": params,
                "page_ms": page_times,
                "queryset_ms": queryset_times,
                "results": page_count,
                "queryset_results": queryset_count,
            }
        )
        print(
            f"{label:<32} page {statistics.median(page_times):8.1f} ms   "
            f"queryset {statistics.median(queryset_times):8.1f} ms   {page_count:>6} results",
            file=log,
            flush=True,
        )
    plans = [explain(params) for params in EXPLAINED]
    result = {
        "vendor": connection.vendor,
        "products": args.products,
        "seed_s": seed_seconds,
        "rows": rows,
        "plans": plans,
        "trigram_index_used": ["_trgm" in plan for plan in plans],
    }
    print(json.dumps(result))
    return 0


def time_page(client, params: dict, repeat: int) -> tuple[list[float], int]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get("/products/", params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times, listing(params)[1].count


def listing(params: dict):
    """The listing's filter set and first page, as the view builds them."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from catalogue.filters import ProductFilter
    from catalogue.models import Product
    from catalogue.views import PAGE_SIZE

    data = QueryDict(mutable=True)
    data.update(params)
    filterset = ProductFilter(data, queryset=Product.objects.for_listing())
    return filterset, Paginator(filterset.qs, PAGE_SIZE)


def time_queryset(params: dict, repeat: int) -> tuple[list[float], int]:
    """The search and filters alone: count and first page, no facets, no template."""
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        _, paginator = listing(params)
        page = paginator.get_page(1)
        list(page.object_list)
        count = paginator.count
        times.append((time.perf_counter() - started) * 1000)
    return times, count


def explain(params: dict) -> str:
    from django.db import connection

    filterset, paginator = listing(params)
    queryset = filterset.qs[: paginator.per_page]
    if connection.vendor == "postgresql":
        return queryset.explain(analyze=True, buffers=True)
    return queryset.explain()


# The report


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of all at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def report(results: dict, args) -> None:
    ok = {name: r for name, r in results.items() if "error" not in r}
    for name, r in results.items():
        if "error" in r:
            print(f"\n{name}: {r['error']}")
    if not ok:
        return
    print(f"\n## Search benchmark: {args.products:,} synthetic products, {args.repeat} runs each\n")
    print("Median ms per query: *page* = GET /products/?… through the test client (search, count,")
    print(
        "page, 4 facet counts, template); *qs* = the listing queryset alone (count + first page).\n"
    )
    header = "| # | query | filters |"
    rule = "|--:|---|---|"
    for name in ok:
        header += f" {name} page | {name} qs | {name} results |"
        rule += "--:|--:|--:|"
    print(header)
    print(rule)
    for i, (label, params) in enumerate(QUERIES):
        filters = ", ".join(f"{k}={v}" for k, v in params.items() if k != "q") or "–"
        line = f"| {i + 1} | `{params['q']}` ({label}) | {filters} |"
        for r in ok.values():
            row = r["rows"][i]
            page = statistics.median(row["page_ms"])
            qs = statistics.median(row["queryset_ms"])
            line += f" {page:.0f} | {qs:.0f} | {row['results']:,} |"
        print(line)

    print(
        "\n| database | products | seed (s) | page median | page p95 | qs median | qs p95 "
        "| slowest page (median) | trigram index used |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|---|---|")
    for name, r in ok.items():
        pages = [t for row in r["rows"] for t in row["page_ms"]]
        querysets = [t for row in r["rows"] for t in row["queryset_ms"]]
        slowest = max(r["rows"], key=lambda row: statistics.median(row["page_ms"]))
        used = ", ".join(
            f"`{params['q']}`: {'yes' if used else 'no'}"
            for params, used in zip(EXPLAINED, r["trigram_index_used"], strict=True)
        )
        if r["vendor"] != "postgresql":
            used = "n/a (no trigram index)"
        print(
            f"| {name} | {r['products']:,} | {r['seed_s']:.1f} "
            f"| {statistics.median(pages):.0f} ms | {percentile(pages, 0.95):.0f} ms "
            f"| {statistics.median(querysets):.0f} ms | {percentile(querysets, 0.95):.0f} ms "
            f"| `{slowest['params']['q']}` {statistics.median(slowest['page_ms']):.0f} ms "
            f"| {used} |"
        )
    for name, r in ok.items():
        what = "EXPLAIN ANALYZE" if r["vendor"] == "postgresql" else "EXPLAIN QUERY PLAN"
        for params, plan in zip(EXPLAINED, r["plans"], strict=True):
            query = "&".join(f"{k}={v}" for k, v in params.items())
            print(f"\n### {name}: {what} of the listing's first page for `?{query}`\n")
            print("```")
            print(plan)
            print("```")


if __name__ == "__main__":
    sys.exit(main())
