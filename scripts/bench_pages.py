"""Benchmark the public pages as served in production: gunicorn, 2 workers, driven by wrk.

    .venv/bin/python scripts/bench_pages.py [--sizes 1000,100000] [--databases sqlite,postgres]
        [--duration 2] [--runs 3] [--connections 8] [--redis [URL]] [--no-write]

For each database and size: a fresh database (a temporary SQLite file; the PostgreSQL
database `ocop_bench_pages_<pid>`, dropped at the end), migrated, with the real communes and
categories and `seed_catalogue --products N`. A child process then picks the URLs from the
seeded data and measures, through Django's test client, the queries and bytes of each page
(and, on PostgreSQL, the plans of the listing's queries). Then gunicorn serves the site with
production settings twice, without and with the anonymous page cache, and wrk drives each
URL for --duration seconds, --runs times; the tables give medians. In the same run wrk
drives /bench/prerendered/: the listing's HTML, captured beforehand, returned as fixed
bytes through the same server and middleware. That is the practical limit; each page's
throughput is also given as a fraction of it.

The results are printed and written at the top of bench/results.md, under a dated heading
with the machine and settings; earlier results stay below, so a regression shows.
"""

import argparse
import contextlib
import gzip
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# One database per run (the process id), so that two runs on one server never share one.
PG_DATABASE = f"ocop_bench_pages_{os.getpid()}"
RESULTS = BASE_DIR / "bench" / "results.md"
PRERENDERED = "/bench/prerendered/"
LIMIT = "pre-rendered limit"
# Search terms from the synthetic catalogue's names; the one matching closest to 1% is used.
SEARCH_TERMS = ["mật ong rừng", "giò bê", "lạp sườn", "miến dong", "trà hoa vàng", "chả cá"]
# The peer: django-oscar 4.2.1, same machine class (2 cores, gunicorn 2 sync workers, wrk 8
# connections, SQLite), as given in issue #6.
PEER = {
    "listing_queries": 124,
    "listing_rps_1000": 14,
    "listing_rps_10000": 5,
    "detail_rps": 110,
    "detail_queries": 17,
    "prerendered_rps": 4900,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Total time at the defaults on 2 cores: 15 to 30 minutes, mostly seeding 100,000 "
        "products twice, and wrk: 2 modes × 10 URLs × runs × duration per database and size.",
    )
    parser.add_argument("--sizes", default="1000,100000", help="Catalogue sizes (products).")
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
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # the child process: a JSON file
    args = parser.parse_args()
    if args.probe:
        return probe(Path(args.probe))
    args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown or not args.sizes or min(args.sizes) < 1 or args.runs < 1 or args.duration <= 0:
        parser.error("sizes must be positive; databases among sqlite,postgres; runs, duration > 0")

    # Stopped by a signal, still stop the servers and drop the database (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ensure_wrk()
    args.load_before = os.getloadavg()[0]
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="ocop-bench-pages-", dir="/tmp") as folder:
        folder = Path(folder)
        env = server_env(folder)
        log(f"collectstatic into {env['STATIC_ROOT']}")
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        for database in args.databases:
            for size in args.sizes:
                try:
                    result = bench_one(database, size, folder, env, args)
                except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
                    log(f"{database}, {size:,} products failed, skipped: {error}")
                    continue
                if result:
                    results.append(result)
                    print_tables([result], args)
    if not results:
        log("nothing measured")
        return 1
    section = report(results, args, time.monotonic() - started)
    print("\n" + section)
    if not args.no_write:
        write_results(section)
        log(f"written at the top of {RESULTS.relative_to(BASE_DIR)}")
    return 0


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=BASE_DIR, check=True, **kwargs)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    log("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)


def server_env(folder: Path) -> dict[str, str]:
    """Production settings, plain HTTP on 127.0.0.1 (no TLS in front of this server)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PAGE_CACHE", "REDIS_", "AWS_"))
        and name not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CONN_MAX_AGE"}
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "ocop_site.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # wrk speaks plain HTTP to 127.0.0.1
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        # Django's per-request JSON log lines stay on, as in production, written to a file.
        "PYTHONUNBUFFERED": "1",
    }


# One database and size


def bench_one(database: str, size: int, folder: Path, env: dict, args) -> dict | None:
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]
    log(f"== {name}, {size:,} products ==")
    if database == "sqlite":
        path = folder / f"bench-{size}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        if problem := create_pg_database():
            log(f"PostgreSQL skipped: {problem}")
            return None
        url = f"{PG_SERVER}/{PG_DATABASE}"
    env = env | {"DATABASE_URL": url}
    try:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PYTHON, "manage.py", "loaddata", "communes", "categories", "-v0"], env)
        seeding = time.monotonic()
        seed = ["seed_catalogue", "--products", str(size), "--seed", str(args.seed)]
        run([PYTHON, "manage.py", *seed], env, stdout=subprocess.DEVNULL)
        seed_seconds = time.monotonic() - seeding
        if database == "postgres":
            psql(PG_DATABASE, "VACUUM ANALYZE")  # as autovacuum would, before the first visitor
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
            run([PYTHON, __file__, "--probe", str(probe_file)], probe_env, stdout=output)
        pages = json.loads(probe_file.read_text())
        result = {
            "database": name,
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
            result["modes"][mode] = serve_and_drive(server | extra, pages["pages"], folder, args)
        return result
    finally:
        if database == "postgres":
            drop_pg_database()


def psql(database: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as connection:
        connection.execute(sql)


def create_pg_database() -> str | None:
    try:
        psql("postgres", f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        psql("postgres", f"CREATE DATABASE {PG_DATABASE}")
    except Exception as error:  # any connection problem means: no PostgreSQL here
        return f"cannot reach {PG_SERVER} ({error.__class__.__name__}: {error})"
    return None


def drop_pg_database() -> None:
    with contextlib.suppress(Exception):
        psql("postgres", f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# gunicorn and wrk


def free_port() -> int:
    for _ in range(100):
        port = random.randint(20000, 29999)
        with socket.socket() as probe_socket:
            try:
                probe_socket.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-29999")


def serve_and_drive(env: dict, pages: list[dict], folder: Path, args) -> dict:
    """Start gunicorn, warm it up, run wrk on every page and the limit; stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [GUNICORN, "ocop_site.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
    command += ["--max-requests", "0", "--no-control-socket"]  # RSS shows any growth
    if (BASE_DIR / "gunicorn.conf.py").exists():
        command += ["-c", str(BASE_DIR / "gunicorn.conf.py")]
    with (folder / "gunicorn.log").open("ab") as errors:
        server = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=errors, stderr=errors)
    mode = "cached" if env.get("PAGE_CACHE_TIMEOUT") != "0" else "uncached"
    try:
        wait_until_up(base + PRERENDERED, server)
        targets = [*pages, {"name": LIMIT, "url": PRERENDERED}]
        for target in targets:  # warm up: templates, connections, and the page cache
            for _ in range(3 * args.workers):
                fetch(base + target["url"])
        runs = {target["name"]: [] for target in targets}
        for number in range(args.runs):
            log(f"{mode}: run {number + 1}/{args.runs}")
            for target in targets:
                runs[target["name"]].append(wrk(base + target["url"], args))
                drain(base + PRERENDERED, args)
        workers = worker_pids(server.pid)
        rss = [rss_mb(pid) for pid in workers]
        return {"runs": runs, "rss_max_mb": max(rss, default=0), "rss_sum_mb": sum(rss)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def drain(url: str, args) -> None:
    """Wait until the workers have finished what wrk left behind.

    A sync worker answers every request it accepted, even after wrk hung up: without this,
    the requests queued at the end of a slow page would be timed with the next URL.
    """
    started = time.monotonic()
    for _ in range(args.workers):
        fetch(url, timeout=300)
    if (waited := time.monotonic() - started) > 1:
        log(f"waited {waited:.0f} s for requests left over by the previous URL")


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        with contextlib.suppress(OSError):
            if fetch(url) == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def fetch(url: str, timeout: float = 60) -> int:
    with contextlib.suppress(urllib.error.HTTPError):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    return 0


def wrk(url: str, args) -> dict:
    command = ["wrk", f"-t{min(args.threads, args.connections)}", f"-c{args.connections}"]
    command += [f"-d{args.duration}s", "--timeout", "10s", "--latency"]
    if args.gzip:
        command += ["-H", "Accept-Encoding: gzip"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 (ms) and errors from `wrk --latency` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS[match[2]] if match else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    return {
        "rps": float(rps[1]) if rps else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": int(requests[1]) if requests else 0,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        # Read errors are gunicorn's sync workers closing idle keep-alive connections.
        "errors": sum(int(n) for n in socket_errors.group(1, 3, 4)) if socket_errors else 0,
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    with contextlib.suppress(OSError):
        return [int(pid) for pid in children.read_text().split()]
    return []


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# The probe: a child process inside Django, on the seeded database


def probe(path: Path) -> int:
    """Pick the URLs, count each page's queries and bytes, capture the listing's HTML."""
    options = json.loads(path.read_text())
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages, notes = pick_pages()
    client = Client()
    for page in pages:
        client.get(page["url"])  # first request: templates, translations, content types
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(page["url"])
            page["ms"] = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{page['url']} answered {response.status_code}")
        page["queries"] = len(queries)
        page["bytes"] = len(response.content)
        page["gzip_bytes"] = len(gzip.compress(response.content, 6))
        if page["name"] == "listing":
            Path(settings.BENCH_PRERENDERED_PATH).write_bytes(response.content)
            listing_sql = [q["sql"] for q in queries.captured_queries]
    result = {"pages": pages, "notes": notes, "db_version": db_version()}
    if options.get("explain"):
        result["plans"] = explain_listing(listing_sql)
    path.write_text(json.dumps(result))
    return 0


def pick_pages() -> tuple[list[dict], list[str]]:
    from django.db.models import Count
    from django.http import QueryDict

    from catalogue.filters import ProductFilter
    from catalogue.models import Product
    from catalogue.views import PAGE_SIZE

    listing = Product.objects.for_listing()
    total = listing.count()
    first = listing.order_by("pk").first()
    commune = (
        listing.exclude(producer__commune=None)
        .values("producer__commune__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["producer__commune__slug"]
    )
    category = (
        listing.filter(producer__commune__slug=commune, current_stars=4)
        .values("category__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["category__slug"]
    )

    def matches(term: str) -> int:
        return ProductFilter(
            QueryDict(f"q={term}"), queryset=Product.objects.for_listing()
        ).qs.count()

    counts = {term: matches(term) for term in SEARCH_TERMS}
    term = min(counts, key=lambda t: abs(counts[t] - total / 100))
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(200, last_page)
    notes = [
        f"{total:,} products listed; search `{term}` matches {counts[term]:,} "
        f"({100 * counts[term] / max(total, 1):.1f}%)",
    ]
    if page < 200:
        notes.append(
            f"the listing has {last_page} pages: page {page} (the last) stands for page 200"
        )
    query = QueryDict(mutable=True)
    query.update({"q": term})
    pages = [
        ("home", "/"),
        ("listing", "/products/"),
        ("commune", f"/communes/{commune}/"),
        ("stars=5", "/stars/5/"),
        ("combined filter", f"/products/?commune={commune}&stars=4&category={category}"),
        (f"listing page {page}", f"/products/?page={page}"),
        ("search", f"/products/?{query.urlencode()}"),
        ("product detail", first.get_absolute_url()),
        ("producer", first.producer.get_absolute_url()),
    ]
    return [{"name": name, "url": url} for name, url in pages], notes


def db_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def explain_listing(statements: list[str]) -> list[dict]:
    """EXPLAIN ANALYZE of the listing page's queries on products, as the page sent them."""
    from django.core.management import get_commands
    from django.db import connection

    if "explain_listing" in get_commands():
        import io

        from django.core.management import call_command

        output = io.StringIO()
        with contextlib.suppress(Exception):
            call_command("explain_listing", analyze=True, stdout=output)
            if output.getvalue().strip():
                command = "python manage.py explain_listing --analyze"
                return [{"command": command, "plan": output.getvalue()}]
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT") or "catalogue_product" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append({"sql": sql, "plan": "\n".join(row[0] for row in cursor.fetchall())})
    return plans


# The report


def medians(runs: list[dict]) -> dict:
    return {
        key: statistics.median(run[key] for run in runs)
        for key in ["rps", "p50", "p99", "requests", "non_2xx", "errors"]
    }


def summary(result: dict) -> dict:
    """Per mode and page: median rps, p50, p99, and throughput as a fraction of the limit."""
    table = {}
    for mode, measured in result["modes"].items():
        limit_runs = measured["runs"][LIMIT]
        rows = {}
        for name, runs in measured["runs"].items():
            row = medians(runs)
            fractions = [
                run["rps"] / lim["rps"]
                for run, lim in zip(runs, limit_runs, strict=True)
                if lim["rps"]
            ]
            row["fraction"] = statistics.median(fractions) if fractions else 0.0
            rows[name] = row
        table[mode] = rows
    return table


def print_tables(results: list[dict], args) -> None:
    for result in results:
        print("\n" + result_table(result))


def result_table(result: dict) -> str:
    table = summary(result)
    lines = [
        f"### {result['database']}, {result['size']:,} products "
        f"(seeded in {result['seed_s']:.0f} s; {result['db_version']})",
        "",
        "| page | queries | bytes | gzip | alone ms | uncached rps | p50 ms | p99 ms | × limit "
        "| cached rps | p50 ms | p99 ms | × limit |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    pages = [*result["pages"], {"name": LIMIT, "url": PRERENDERED}]
    listing_bytes = next(p["bytes"] for p in result["pages"] if p["name"] == "listing")
    for page in pages:
        limit = page["name"] == LIMIT
        queries = 0 if limit else page["queries"]
        size = listing_bytes if limit else page["bytes"]
        gz = "" if limit else f"{page['gzip_bytes']:,}"
        alone = "" if limit or "ms" not in page else f"{page['ms']:.0f}"
        line = f"| {page['name']} | {queries} | {size:,} | {gz} | {alone} |"
        for mode in ["uncached", "cached"]:
            row = table[mode][page["name"]]
            if not row["requests"]:
                line += " none in time | | | |"
                continue
            flag = " ⚠" if row["non_2xx"] or row["errors"] else ""
            line += (
                f" {row['rps']:,.0f}{flag} | {row['p50']:.1f} | {row['p99']:.1f} "
                f"| {row['fraction']:.0%} |"
            )
        lines.append(line)
    modes = result["modes"]
    lines += [
        "",
        "Worker RSS after the run (largest worker / all workers): "
        f"uncached {modes['uncached']['rss_max_mb']:.0f} / {modes['uncached']['rss_sum_mb']:.0f} "
        f"MB, cached {modes['cached']['rss_max_mb']:.0f} / {modes['cached']['rss_sum_mb']:.0f} MB.",
        "",
        "URLs: " + ", ".join(f"{p['name']} `{p['url']}`" for p in result["pages"]) + ".",
        "",
        *(f"Note: {note}." for note in result["notes"]),
    ]
    return "\n".join(lines)


def find(results: list[dict], vendor: str, size: int | None = None) -> dict | None:
    matching = [r for r in results if r["vendor"] == vendor and (size is None or r["size"] == size)]
    return max(matching, key=lambda r: r["size"]) if matching else None


def targets(results: list[dict]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for issue #6's targets; None when not measured."""
    rows = []
    pg = find(results, "postgres")
    big = pg["size"] if pg else 0
    if pg:
        table = summary(pg)
        uncached, cached = table["uncached"], table["cached"]
        where = f"PostgreSQL {big:,}"
        for name, limit in [("listing", 250), ("search", 250), ("product detail", 100)]:
            p99 = uncached[name]["p99"]
            rows.append(
                (f"{name} p99 < {limit} ms ({where}, uncached)", f"{p99:.0f} ms", p99 < limit)
            )
        small = find([r for r in results if r["size"] < big], "postgres")
        if small:
            base = summary(small)["uncached"]["listing"]["p50"]
            slow = uncached["listing"]["p50"] / base
            rows.append(
                (
                    f"listing at {big:,} within 2× of {small['size']:,} (uncached p50 latency)",
                    f"{slow:.2f}× ({uncached['listing']['p50']:.0f} vs {base:.0f} ms)",
                    slow <= 2,
                )
            )
        rps = uncached["listing"]["rps"]
        rows.append((f"uncached listing ≥ 100 rps ({where})", f"{rps:.0f} rps", rps >= 100))
        for name in ["listing", "product detail"]:
            fraction = cached[name]["fraction"]
            rows.append(
                (
                    f"cached {name} ≥ 50% of the pre-rendered limit ({where})",
                    f"{fraction:.0%}",
                    fraction >= 0.5,
                )
            )
    biggest = max(results, key=lambda r: r["size"])
    rss = max(
        mode["rss_max_mb"]
        for r in results
        if r["size"] == biggest["size"]
        for mode in r["modes"].values()
    )
    rows.append((f"worker RSS < 150 MB at {biggest['size']:,}", f"{rss:.0f} MB", rss < 150))
    listing = next(p for p in biggest["pages"] if p["name"] == "listing")["bytes"]
    rows.append(
        ("listing HTML < 60 KB before compression", f"{listing / 1024:.1f} KB", listing < 60 * 1024)
    )
    return rows


def peer_table(results: list[dict]) -> list[str]:
    sqlite = sorted((r for r in results if r["vendor"] == "sqlite"), key=lambda r: r["size"])
    if not sqlite:
        return []
    lines = [
        "| SQLite, uncached | django-oscar 4.2.1 | this site |",
        "|---|--:|--:|",
    ]
    small, big = sqlite[0], sqlite[-1]
    pages = {p["name"]: p for p in small["pages"]}
    lines.append(f"| listing queries | {PEER['listing_queries']} | {pages['listing']['queries']} |")
    for r, peer_size, peer_rps in [
        (small, 1000, "listing_rps_1000"),
        (big, 10000, "listing_rps_10000"),
    ]:
        row = summary(r)["uncached"]["listing"]
        lines.append(
            f"| listing rps (oscar {peer_size:,} / here {r['size']:,} products) "
            f"| ~{PEER[peer_rps]} | {row['rps']:,.0f} (p50 {row['p50']:.0f} ms) |"
        )
    row = summary(big)["uncached"]["product detail"]
    lines.append(
        f"| product page rps / queries | ~{PEER['detail_rps']} / {PEER['detail_queries']} "
        f"| {row['rps']:,.0f} / {pages['product detail']['queries']} |"
    )
    limit = summary(big)["uncached"][LIMIT]["rps"]
    lines.append(f"| pre-rendered page rps | ~{PEER['prerendered_rps']:,} | {limit:,.0f} |")
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    import django
    import gunicorn

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__}, wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}"
    )


def git_commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def report(results: list[dict], args, seconds: float) -> str:
    cache = f"Redis ({args.redis})" if args.redis else "local memory, per worker"
    encoding = "Accept-Encoding: gzip" if args.gzip else "no Accept-Encoding (uncompressed)"
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git_commit()}",
        "",
        f"- Machine: {machine()}.",
        f"- Software: {versions()}; " + ", ".join(sorted({r["db_version"] for r in results})) + ".",
        f"- Server: `gunicorn ocop_site.wsgi -w {args.workers}` on 127.0.0.1 (sync workers), "
        "DJANGO_ENV=production, DEBUG=0, CONN_MAX_AGE=60, plain HTTP (SECURE_SSL_REDIRECT=0), "
        "Django's per-request JSON log written to a file, as in production.",
        f"- Load: wrk, {args.connections} connections, {args.threads} threads, "
        f"{args.duration:g} s per URL per run, {args.runs} runs, medians; {encoding}. "
        f"Uncached: PAGE_CACHE_TIMEOUT=0. Cached: PAGE_CACHE_TIMEOUT=3600, cache in {cache}.",
        "- Queries, bytes and *alone ms*: one request through Django's test client on the same "
        "database, nothing else running on the server; gzip: the bytes gzip -6 leaves. "
        "× limit: requests/s as a fraction of the pre-rendered page's in the same run.",
        f"- Whole run: {seconds / 60:.1f} min. Load average (1 min) at the start and the end: "
        f"{args.load_before:.1f} and {os.getloadavg()[0]:.1f}; above the core count, other "
        "processes were competing for the CPU and the figures are low.",
        "",
    ]
    for result in results:
        lines += [result_table(result), ""]
    lines += ["### Targets (issue #6)", "", "| target | measured | met? |", "|---|--:|:-:|"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    if peer := peer_table(results):
        lines += ["", "### The peer", "", *peer]
    pg = find(results, "postgres")
    if pg and pg["plans"]:
        lines += [
            "",
            f"### Query plans of the listing page, PostgreSQL, {pg['size']:,} products",
            "",
            "<details><summary>EXPLAIN (ANALYZE, BUFFERS) of each query</summary>",
            "",
        ]
        for plan in pg["plans"]:
            if "command" in plan:
                lines += [f"`{plan['command']}`:", ""]
            else:
                lines += ["```sql", plan["sql"], "```"]
            lines += ["```", plan["plan"].strip(), "```", ""]
        lines.append("</details>")
    return "\n".join(lines).rstrip() + "\n"


HEADER = """# Page benchmark results

Written by `make bench` (scripts/bench_pages.py). The newest run comes first; earlier runs
stay below it so that a regression shows.
"""


def write_results(section: str) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    previous = previous.removeprefix(HEADER).lstrip("\n")
    RESULTS.write_text(HEADER + "\n" + section + ("\n" + previous if previous else ""))


if __name__ == "__main__":
    sys.exit(main())
