"""Benchmark the open-data API's products endpoint beside the HTML listing it mirrors.

    .venv/bin/python -m bench.api [--extra 20000] [--duration 2] [--runs 3] [--no-write]

Two SQLite databases in one run: the real register (the fixtures), and the fixtures plus
`seed_catalogue --products N`. On each, gunicorn (production settings, 2 sync workers)
serves the site without and then with the page cache, and wrk drives each URL for --duration
seconds, --runs times; the tables give medians. The API answers the same page size as the
listing (24), with its rate limit on (set high enough never to refuse, so its counting is
measured). "API, 304" sends the ETag of the answer back: what a client polling an unchanged
catalogue costs. Results are printed and written to bench/results.md, in its own section at
the end (replaced by the next run); the page benchmark's sections above are left alone.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import databases, servers
from bench.common import BASE_DIR, log, manage, run_json, stop_cleanly_on_signals
from bench.pages import server_env
from bench.report import RESULTS, heading, machine, versions
from bench.wrk import ensure_wrk, parse_wrk

SECTION = "# Open-data API benchmark (bench/api.py)"
END = "<!-- end of the open-data API benchmark -->"
TARGETS = [
    ("listing, stars=5", "/products/?stars=5"),
    ("API, stars=5", "/api/v1/products?stars=5"),
    ("listing", "/products/"),
    ("API", "/api/v1/products"),
    ("listing, commune", "/products/?commune={commune}"),
    ("API, commune", "/api/v1/products?commune={commune}"),
]
ETAG_TARGET = ("API, 304 (If-None-Match)", "/api/v1/products?stars=5")


def probe() -> None:
    """In one process, through Django's test client: each URL's time per request, the
    listing's and the API's interleaved so that other load on the machine falls on both.
    Prints one JSON line {name: median ms} for the uncached and the cached mode."""
    from django.conf import settings as django_settings
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    commune = json.loads(client.get("/api/v1/products?limit=50").content)["results"]
    commune = next(p["commune"]["slug"] for p in commune if p["commune"])
    targets = [(name, path.format(commune=commune)) for name, path in TARGETS]
    result = {}
    for mode, timeout, repeat in [("uncached", 0, 7), ("cached", 3600, 300)]:
        django_settings.PAGE_CACHE_TIMEOUT = timeout
        cache.clear()
        times = {name: [] for name, _path in [*targets, ETAG_TARGET]}
        etag = client.get(ETAG_TARGET[1])["ETag"]
        for _ in range(repeat):
            for name, path in targets:
                started = time.perf_counter()
                assert client.get(path).status_code == 200, path
                times[name].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get(ETAG_TARGET[1], headers={"If-None-Match": etag})
            assert response.status_code == 304, (response.status_code, etag, response.get("ETag"))
            times[ETAG_TARGET[0]].append((time.perf_counter() - started) * 1000)
        result[mode] = {name: statistics.median(values) for name, values in times.items()}
    print(json.dumps(result))


def main() -> int:
    if sys.argv[1:] == ["--probe"]:
        from bench.common import setup_django

        setup_django()
        probe()
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench.api", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--extra", type=int, default=20000, help="Products seeded on top.")
    parser.add_argument("--duration", type=int, default=2, help="Seconds of wrk per URL per run.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="The cache both workers share (%(default)s; keys under a prefix of this run, "
        "deleted at the end). 'none': each worker's local memory, where the catalogue "
        "version, hence the ETag, differs between workers.",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    stop_cleanly_on_signals()
    ensure_wrk()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix="ocop-bench-api-", dir="/tmp") as folder:
        folder = Path(folder)
        env = server_env(folder) | {"OPENDATA_API_RATE_LIMIT": str(10**9)}
        prefix = f"ocop-bench-api-{os.getpid()}"
        if args.redis != "none":
            env |= {"REDIS_URL": args.redis, "CACHE_KEY_PREFIX": prefix}
        # Leaflet (only the map page) is left out: its vendored copy names a missing .map.
        manage(env, "collectstatic", "--noinput", "-v0", "-i", "leaflet*")
        for extra in [0, args.extra]:
            label = "fixtures" if not extra else f"fixtures + {extra:,} products"
            with databases.temporary_database("sqlite", f"api-{extra}", folder) as url:
                db_env = env | {"DATABASE_URL": url}
                log(f"== {label} ==")
                databases.prepare(db_env)
                manage(db_env, "loaddata", "sources", "register", "-v0")
                if extra:
                    manage(
                        db_env,
                        "seed_catalogue",
                        "--products",
                        str(extra),
                        "--seed",
                        "2025",
                        stdout=subprocess.DEVNULL,
                    )
                log("timing each URL alone, in one process")
                alone = run_json(
                    "bench.api",
                    ["--probe"],
                    db_env | {"ALLOWED_HOSTS": "127.0.0.1,testserver", "REDIS_URL": ""},
                )
                try:
                    results.append((label, measure(db_env, folder, args) | {"alone": alone}))
                finally:
                    forget_keys(args.redis, prefix)
    text = report(results, args, time.monotonic() - started, load_before)
    print("\n" + text)
    if not args.no_write:
        write(text)
        log(f"written at the end of {RESULTS.relative_to(BASE_DIR)}")
    return 0


def measure(env: dict, folder: Path, args) -> dict:
    modes = {}
    for mode, timeout in [("uncached", "0"), ("cached", "3600")]:
        mode_env = env | {"PAGE_CACHE_TIMEOUT": timeout}
        with servers.gunicorn(mode_env, args.workers, folder / "gunicorn.log") as (base, _s):
            commune = first_commune(base)
            targets = [(name, path.format(commune=commune)) for name, path in TARGETS]
            for _name, path in [*targets, ETAG_TARGET]:
                for _ in range(3 * args.workers):  # warm up
                    servers.fetch(base + path)
            etag = header(base + ETAG_TARGET[1], "ETag")
            runs = {name: [] for name, _path in [*targets, ETAG_TARGET]}
            for number in range(args.runs):
                log(f"{mode}: run {number + 1}/{args.runs}")
                for name, path in targets:
                    runs[name].append(drive(base + path, args))
                    servers.drain(base + "/healthz", args.workers)
                runs[ETAG_TARGET[0]].append(
                    drive(base + ETAG_TARGET[1], args, headers={"If-None-Match": etag})
                )
                servers.drain(base + "/healthz", args.workers)
            modes[mode] = {
                name: {
                    key: statistics.median(run[key] for run in figures)
                    for key in ("rps", "p50", "p99", "non_2xx")
                }
                for name, figures in runs.items()
            }
            modes[mode]["count"] = count(base)
    return modes


def forget_keys(url: str, prefix: str) -> None:
    if url == "none":
        return
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def drive(url: str, args, headers: dict | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def header(url: str, name: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.headers[name]


def first_commune(base: str) -> str:
    with urllib.request.urlopen(base + "/api/v1/products?limit=50") as response:
        products = json.load(response)["results"]
    return next(p["commune"]["slug"] for p in products if p["commune"])


def count(base: str) -> int:
    with urllib.request.urlopen(base + "/api/v1/products?limit=1") as response:
        return json.load(response)["count"]


def report(results, args, seconds: float, load_before: float) -> str:
    lines = [
        SECTION,
        "",
        heading(),
        "",
        f"- Machine: {machine()}. Software: {versions()}; SQLite.",
        f"- gunicorn -w {args.workers} (sync), production settings, DEBUG=0; wrk "
        f"{args.connections} connections, {args.duration} s per URL, {args.runs} runs, medians, "
        "no Accept-Encoding. Uncached: PAGE_CACHE_TIMEOUT=0; cached: 3600. Cache: "
        + (
            f"Redis ({args.redis}), shared by the workers"
            if args.redis != "none"
            else "local memory per worker"
        )
        + ". The API answers 24 products a page, like the listing; its rate limit counts "
        "every request.",
        f"- Whole run {seconds / 60:.1f} min; load average (1 min) at the start and the end: "
        f"{load_before:.1f} and {os.getloadavg()[0]:.1f}.",
    ]
    for label, modes in results:
        lines += ["", f"### {label} ({modes['uncached']['count']:,} published products)", ""]
        lines += [
            "| URL | alone ms, uncached | alone ms, cached | uncached rps | p50 ms | p99 ms "
            "| cached rps | p50 ms | p99 ms |"
        ]
        lines += ["|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
        alone = modes["alone"]
        for name in [name for name, _p in TARGETS] + [ETAG_TARGET[0]]:
            u, c = modes["uncached"][name], modes["cached"][name]
            lines.append(
                f"| {name} | {alone['uncached'][name]:.1f} | {alone['cached'][name]:.2f} "
                f"| {u['rps']:,.0f} | {u['p50']:.1f} | {u['p99']:.1f} "
                f"| {c['rps']:,.0f} | {c['p50']:.1f} | {c['p99']:.1f} |"
            )
        lines.append("")
        for html_name, api_name in [("listing, stars=5", "API, stars=5"), ("listing", "API")]:
            u, c = alone["uncached"], alone["cached"]
            html_rps, api_rps = (modes["cached"][n]["rps"] for n in (html_name, api_name))
            lines.append(
                f"- {api_name}: alone, uncached {u[api_name] / u[html_name]:.2f}× the listing's "
                f"time, cached {c[api_name] / c[html_name]:.2f}×; under wrk, cached "
                f"{api_rps / html_rps:.0%} of the listing's requests/s."
            )
    lines += ["", END]
    return "\n".join(lines)


def write(text: str) -> None:
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    if SECTION in previous:
        before, _, rest = previous.partition(SECTION)
        _old, _, after = rest.partition(END)
        previous = before.rstrip("\n") + after
    RESULTS.write_text(previous.rstrip("\n") + "\n\n" + text + "\n")


if __name__ == "__main__":
    sys.exit(main())
