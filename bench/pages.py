"""Benchmark the public pages as served in production: gunicorn, 2 workers, driven by wrk.

    .venv/bin/python -m bench.pages [--sizes 1000,100000] [--databases sqlite,postgres]
        [--duration 2] [--runs 3] [--connections 8] [--redis [URL]] [--no-write]

For each database and size: a fresh database (a temporary SQLite file; the PostgreSQL
database `ocop_bench_pages_<pid>`, dropped at the end), migrated, with the real communes and
categories and `seed_catalogue --products N`. A child process (bench.page_probe) then picks
the URLs from the seeded data and measures, through Django's test client, the queries and
bytes of each page (and, on PostgreSQL, the plans of the listing's queries). Then gunicorn
serves the site with production settings twice, without and with the anonymous page cache,
and wrk drives each URL for --duration seconds, --runs times; the tables give medians. In the
same run wrk drives /bench/prerendered/: the listing's HTML, captured beforehand, returned as
fixed bytes through the same server and middleware. That is the practical limit; each page's
throughput is also given as a fraction of it.

The results are printed and written at the top of bench/results.md, under a dated heading
with the machine and settings; earlier results stay below, so a regression shows.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import databases, servers
from bench.common import (
    BASE_DIR,
    PYTHON,
    clean_environ,
    log,
    manage,
    run,
    settings,
    stop_cleanly_on_signals,
)
from bench.page_report import (
    EARLIER_HEADERS,
    HEADER,
    LIMIT,
    PRERENDERED,
    STATIC,
    result_table,
    section,
)
from bench.report import RESULTS, write_results
from bench.wrk import ensure_wrk, wrk

# One database per run (the process id), so that two runs on one server never share one.
PG_DATABASE = f"ocop_bench_pages_{os.getpid()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages",
        description=__doc__.split("\n\n")[0],
        epilog="Total time at the defaults on 2 cores: 15 to 30 minutes, mostly seeding 100,000 "
        "products twice, and wrk: 2 modes × 10 URLs × runs × duration per database and size.",
    )
    parser.add_argument(
        "--sizes", default="", help="Catalogue sizes (products) on every database; overrides:"
    )
    parser.add_argument(
        "--sqlite-sizes", default="1000,20000", help="SQLite's sizes (default %(default)s)."
    )
    parser.add_argument(
        "--postgres-sizes", default="1000,100000", help="PostgreSQL's (default %(default)s)."
    )
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="Any of sqlite,postgres (comma-separated)."
    )
    parser.add_argument("--duration", type=int, default=2, help="Seconds of wrk per URL per run.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per URL; tables give medians.")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/15",
        help="Cached run with the page cache in Redis (default URL %(const)s) instead of "
        "each worker's local memory.",
    )
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="Send Accept-Encoding: gzip (default: none, so responses are uncompressed).",
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed_catalogue's random seed.")
    parser.add_argument(
        "--no-write", action="store_true", help=f"Print only; leave {RESULTS.name} alone."
    )
    args = parser.parse_args()

    def sizes(text: str) -> list[int]:
        return [int(size.replace("_", "")) for size in text.split(",") if size.strip()]

    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    args.sizes_of = {
        "sqlite": sizes(args.sizes or args.sqlite_sizes),
        "postgres": sizes(args.sizes or args.postgres_sizes),
    }
    every = [size for database in args.databases for size in args.sizes_of.get(database, [])]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown or not every or min(every) < 1 or args.runs < 1 or args.duration <= 0:
        parser.error("sizes must be positive; databases among sqlite,postgres; runs, duration > 0")

    stop_cleanly_on_signals()
    ensure_wrk()
    args.load_before = os.getloadavg()[0]
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="ocop-bench-pages-", dir="/tmp") as folder:
        folder = Path(folder)
        env = server_env(folder)
        log(f"collectstatic into {env['STATIC_ROOT']}")
        manage(env, "collectstatic", "--noinput", "-v0")
        for database in args.databases:
            for size in args.sizes_of[database]:
                try:
                    result = bench_one(database, size, folder, env, args)
                except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
                    log(f"{database}, {size:,} products failed, skipped: {error}")
                    continue
                if result:
                    results.append(result)
                    print("\n" + result_table(result))
    if not results:
        log("nothing measured")
        return 1
    text = section(results, args, time.monotonic() - started)
    print("\n" + text)
    if not args.no_write:
        write_results(HEADER, text, EARLIER_HEADERS)
        log(f"written at the top of {RESULTS.relative_to(BASE_DIR)}")
    return 0


def server_env(folder: Path) -> dict[str, str]:
    """Production settings, plain HTTP on 127.0.0.1 (no TLS in front of this server)."""
    return clean_environ() | settings(
        DJANGO_ENV="production",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="60",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        # Django's per-request JSON log lines stay on, as in production, written to a file.
        PYTHONUNBUFFERED="1",
    )


def bench_one(database: str, size: int, folder: Path, env: dict, args) -> dict | None:
    name = databases.NAMES[database]
    log(f"== {name}, {size:,} products ==")
    db_name = PG_DATABASE if database == "postgres" else f"bench-{size}"

    def measure(url: str) -> dict:
        return bench_database(database, size, folder, env | {"DATABASE_URL": url}, args)

    return databases.on_new_database(database, db_name, folder, measure)


def bench_database(database: str, size: int, folder: Path, env: dict, args) -> dict:
    seed_seconds = databases.prepare(env, size, args.seed)
    log(f"seeded in {seed_seconds:.0f} s; measuring queries and bytes per page")
    probe_file = folder / f"probe-{database}-{size}.json"
    prerendered = folder / f"prerendered-{database}-{size}.html"
    probe_env = env | {
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "PAGE_CACHE_TIMEOUT": "0",
        "BENCH_PRERENDERED_PATH": str(prerendered),
    }
    probe_file.write_text(json.dumps({"explain": database == "postgres"}))
    with (folder / "probe.log").open("ab") as output:  # its per-request log lines
        run([PYTHON, "-m", "bench.page_probe", str(probe_file)], probe_env, stdout=output)
    pages = json.loads(probe_file.read_text())
    result = {
        "database": databases.NAMES[database],
        "vendor": database,
        "size": size,
        "seed_s": seed_seconds,
        "pages": pages["pages"],
        "notes": pages["notes"],
        "plans": pages.get("plans", []),
        "db_version": pages["db_version"],
        "modes": {},
    }
    server = env | {"BENCH_PRERENDERED_PATH": str(prerendered)}
    cache = {"PAGE_CACHE_TIMEOUT": "3600"}
    if args.redis:
        cache["REDIS_URL"] = args.redis
    for mode, extra in [("uncached", {"PAGE_CACHE_TIMEOUT": "0"}), ("cached", cache)]:
        if args.redis and mode == "cached":
            flush_redis(args.redis)
        result["modes"][mode] = serve_and_drive(server | extra, mode, pages["pages"], folder, args)
    return result


def static_file(root: Path) -> str:
    """The address of the site's style sheet as collectstatic named it (hashed, WhiteNoise):
    a file served by the same gunicorn and middleware, the practical limit."""
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    name = manifest.get("css/site.css") or next(n for n in manifest.values() if n.endswith(".css"))
    return f"/static/{name}"


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def serve_and_drive(env: dict, mode: str, pages: list[dict], folder: Path, args) -> dict:
    """Start gunicorn, warm it up, run wrk on every page and the limit; stop it."""
    log_path = folder / "gunicorn.log"
    with servers.gunicorn(env, args.workers, log_path, PRERENDERED) as (base, server):
        targets = [
            *pages,
            {"name": LIMIT, "url": PRERENDERED},
            {"name": STATIC, "url": static_file(Path(env["STATIC_ROOT"]))},
        ]
        for target in targets:  # warm up: templates, connections, and the page cache
            for _ in range(3 * args.workers):
                servers.fetch(base + target["url"])
        runs = {target["name"]: [] for target in targets}
        for number in range(args.runs):
            log(f"{mode}: run {number + 1}/{args.runs}")
            for target in targets:
                figures = wrk(
                    base + target["url"], args.duration, args.connections, args.threads, args.gzip
                )
                runs[target["name"]].append(figures)
                servers.drain(base + PRERENDERED, args.workers)
        return {"runs": runs, **servers.workers_rss(server)}


if __name__ == "__main__":
    sys.exit(main())
