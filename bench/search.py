"""Benchmark search on a large synthetic catalogue, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.search [--products 100000] [--repeat 5]

For each database: migrate an empty one (a temporary SQLite file; the PostgreSQL
database `ocop_bench`, created and dropped here), seed it with seed_catalogue,
then time 20 realistic searches twice: the full listing page through the test
client (search, count, page, facets and template), and the listing's queryset
alone (count and first page). Prints markdown tables and the query plan of one
search, to show whether the trigram index is used.

Each database is measured in a child process (Django reads DATABASE_URL once), and
the whole of each database's run has a time limit, so that it stays bounded.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from bench import databases
from bench.common import (
    clean_environ,
    manage,
    run_json,
    settings,
    setup_django,
    stop_cleanly_on_signals,
    time_get,
)
from bench.report import percentile

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
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n\n")[0]
    )
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

    stop_cleanly_on_signals()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ocop-bench-", dir="/tmp") as folder:
        env = worker_env(Path(folder) / "static")
        # With DEBUG off, pages need the hashed static files that collectstatic lists.
        manage(env, "collectstatic", "--noinput", "-v0")
        for vendor, only in [("sqlite", "sqlite"), ("postgres", "postgresql")]:
            if args.only and args.only != only:
                continue
            name = PG_DATABASE if vendor == "postgres" else "bench"
            measure = partial(run_database, env, args)
            result = databases.on_new_database(vendor, name, Path(folder), measure)
            if result is not None:
                results[databases.NAMES[vendor]] = result
    report(results, args)
    return 0 if results and all("error" not in r for r in results.values()) else 1


def worker_env(static_root: Path) -> dict[str, str]:
    """Production-like settings: DEBUG off (no query log), hashed static files."""
    return clean_environ() | settings(
        ALLOWED_HOSTS="testserver", CONN_MAX_AGE="0", STATIC_ROOT=str(static_root)
    )


def run_database(env: dict[str, str], args, url: str) -> dict:
    """Migrate and seed the database at `url`, then measure it with this module's --worker."""
    env = env | {"DATABASE_URL": url}
    name = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\n== {name}: {args.products:,} products ==", file=sys.stderr, flush=True)
    deadline = time.monotonic() + args.timeout
    try:
        print("migrating…", file=sys.stderr, flush=True)
        seed_s = databases.prepare(env, args.products, args.seed, quiet=False, deadline=deadline)
        arguments = ["--worker", "--repeat", str(args.repeat)]
        remaining = max(1.0, deadline - time.monotonic())
        result = run_json("bench.search", arguments, env, timeout=remaining)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    except subprocess.CalledProcessError as error:
        step = "worker" if "--worker" in error.cmd else " ".join(error.cmd[1:3])
        return {"error": f"{step} failed with exit code {error.returncode}"}
    return result | {"products": args.products, "seed_s": seed_s}


# The worker: one seeded database, inside Django


def worker(args) -> int:
    setup_django()
    from django.db import connection
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
            file=sys.stderr,
            flush=True,
        )
    plans = [explain(params) for params in EXPLAINED]
    result = {
        "vendor": connection.vendor,
        "rows": rows,
        "plans": plans,
        "trigram_index_used": ["_trgm" in plan for plan in plans],
    }
    print(json.dumps(result))
    return 0


def time_page(client, params: dict, repeat: int) -> tuple[list[float], int]:
    times, response = time_get(client, "/products/", repeat, params)
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
