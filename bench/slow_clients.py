"""Slow clients: can a few connections that trickle their requests stop everyone else?

    .venv/bin/python -m bench.slow_clients [--clients 20] [--seconds 20] [--workers 2]

Serves the site with production settings (a temporary SQLite database with the communes,
categories and 200 synthetic products) from gunicorn with --workers sync workers, then opens
--clients connections that send a request's headers one byte a second and never finish them
(reconnecting when the server hangs up), and meanwhile asks for a normal page (/products/)
once a second, each with a 30 s timeout. First straight at gunicorn, then through nginx with
deploy/nginx.conf (its port and paths rewritten for a temporary server). Everything binds
127.0.0.1 only and is stopped at the end; nginx is Debian's package, installed when missing.
Prints the normal request's latencies without and under the slow clients, for each setup.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import databases, servers
from bench.common import BASE_DIR, clean_environ, log, manage, settings, stop_cleanly_on_signals

PAGE = "/products/"
# A request that never ends: its headers are sent one byte at a time.
TRICKLE = b"GET /products/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow" + b"w" * 4000


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.slow_clients", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=20, help="Slow connections (max 100).")
    parser.add_argument("--seconds", type=int, default=20, help="How long they trickle.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    args = parser.parse_args()
    if not (0 < args.clients <= 100 and 0 < args.seconds <= 120 and 0 < args.workers <= 8):
        parser.error("clients 1-100, seconds 1-120, workers 1-8")
    stop_cleanly_on_signals()
    ensure_nginx()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ocop-bench-slow-", dir="/tmp") as folder:
        folder = Path(folder)
        env = clean_environ() | settings(
            DJANGO_ENV="production",
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(folder / "static"),
            MEDIA_ROOT=str(folder / "media"),
            TRUSTED_PROXIES="127.0.0.1",
            PYTHONUNBUFFERED="1",
        )
        with databases.temporary_database("sqlite", "slow", folder) as url:
            env["DATABASE_URL"] = url
            log("migrating, loading communes and categories, seeding 200 products")
            databases.prepare(env, products=200)
            manage(env, "collectstatic", "--noinput", "-v0")
            log_path = folder / "gunicorn.log"
            with servers.gunicorn(env, args.workers, log_path, ready_path=PAGE) as (base, _):
                port = int(base.rsplit(":", 1)[1])
                results["gunicorn"] = measure(port, args)
                with nginx(folder, port) as front:
                    results["nginx + gunicorn"] = measure(front, args)
    print(report(results, args))
    print(json.dumps(results))
    return 0


def measure(port: int, args) -> dict:
    """A normal request's latencies, alone and under slow clients, on 127.0.0.1:port."""
    url = f"http://127.0.0.1:{port}{PAGE}"
    alone = probe(url, seconds=5)
    stop = threading.Event()
    reconnects = [0]
    trickling = [
        threading.Thread(target=trickle, args=(port, stop, reconnects), daemon=True)
        for _ in range(args.clients)
    ]
    for thread in trickling:
        thread.start()
    time.sleep(1)  # the slow clients connect first, as an attacker's would
    try:
        attacked = probe(url, seconds=args.seconds)
    finally:
        stop.set()
        for thread in trickling:
            thread.join()
    after = probe(url, seconds=3, timeout=60)  # gunicorn recovers (or not) once they leave
    log(f"port {port}: alone {summary(alone)}; under attack {summary(attacked)}")
    return {
        "alone": alone,
        "attacked": attacked,
        "after": after,
        "slow_reconnects": reconnects[0],
    }


def probe(url: str, seconds: float, timeout: float = 30) -> list[float | None]:
    """GET `url` about once a second for `seconds`: each latency in ms, None for a failure."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
                ok = response.status == 200
        except (OSError, urllib.error.URLError):
            ok = False
        elapsed = time.perf_counter() - started
        latencies.append(round(elapsed * 1000, 1) if ok else None)
        time.sleep(max(0.0, 1 - elapsed))
    return latencies


def trickle(port: int, stop: threading.Event, reconnects: list[int]) -> None:
    """One slow client: a byte of headers a second, reconnecting when dropped."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                for byte in TRICKLE:
                    if stop.wait(1):
                        return
                    connection.sendall(bytes([byte]))
        except OSError:
            reconnects[0] += 1
            stop.wait(0.5)


def summary(latencies: list[float | None]) -> str:
    done = [value for value in latencies if value is not None]
    failed = len(latencies) - len(done)
    if not done:
        return f"{len(latencies)} requests, all failed or timed out"
    return (
        f"{len(latencies)} requests, median {statistics.median(done):.0f} ms, "
        f"max {max(done):.0f} ms, {failed} failed or timed out"
    )


def report(results: dict, args) -> str:
    lines = [
        f"{args.clients} slow clients (a header byte a second) for {args.seconds} s, "
        f"gunicorn with {args.workers} sync workers; GET {PAGE} once a second meanwhile:",
        "",
        "| setup | alone | under slow clients | just after |",
        "|---|---|---|---|",
    ]
    for setup, result in results.items():
        lines.append(
            f"| {setup} | {summary(result['alone'])} | {summary(result['attacked'])} "
            f"| {summary(result['after'])} |"
        )
    return "\n".join(lines)


def ensure_nginx() -> None:
    if shutil.which("nginx"):
        return
    log("nginx is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "nginx"], check=True)


@contextlib.contextmanager
def nginx(folder: Path, upstream: int):
    """nginx with deploy/nginx.conf on a free port of 127.0.0.1, in front of `upstream`."""
    home = folder / "nginx"
    for name in ("", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / name).mkdir(mode=0o777, exist_ok=True)
        (home / name).chmod(0o777)  # nginx's workers may run as another user
    folder.chmod(0o755)
    port = servers.free_port()
    site = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("alias /srv/ocop/media/;", f"alias {folder}/media/;"),
    ]:
        if site.count(old) != 1:
            raise RuntimeError(f"deploy/nginx.conf no longer has {old!r} once")
        site = site.replace(old, new)
    (home / "ocop.conf").write_text(site)
    (home / "nginx.conf").write_text(
        f"worker_processes 1;\npid {home}/nginx.pid;\nerror_log {home}/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  access_log off;\n"
        f"  client_body_temp_path {home}/body;\n  proxy_temp_path {home}/proxy;\n"
        f"  fastcgi_temp_path {home}/fastcgi;\n  uwsgi_temp_path {home}/uwsgi;\n"
        f"  scgi_temp_path {home}/scgi;\n  include {home}/ocop.conf;\n}}\n"
    )
    command = ["nginx", "-e", str(home / "error.log"), "-c", str(home / "nginx.conf")]
    server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        servers.wait_until_up(f"http://127.0.0.1:{port}{PAGE}", server, timeout=20)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    raise SystemExit(main())
