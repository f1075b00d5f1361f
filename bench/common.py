"""Helpers shared by the benchmarks: paths, logging, subprocesses and Django settings."""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Settings the benchmarks choose themselves; a value in the caller's environment would leak in.
OWN_SETTINGS = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CONN_MAX_AGE"}


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=BASE_DIR, check=True, **kwargs)


def manage(env: dict, *arguments: str, **kwargs) -> subprocess.CompletedProcess:
    """`python manage.py <arguments>` in the checkout, with `env`."""
    return run([PYTHON, "manage.py", *arguments], env, **kwargs)


def run_json(module: str, arguments: list[str], env: dict, **kwargs) -> dict:
    """Run `python -m <module> <arguments>`; its last line on stdout is a JSON result.

    Raises CalledProcessError (or TimeoutExpired, given a timeout) when it fails.
    """
    done = run([PYTHON, "-m", module, *arguments], env, stdout=subprocess.PIPE, text=True, **kwargs)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{module} printed no result")
    return json.loads(lines[-1])


def settings(**extra: str) -> dict[str, str]:
    """The site's settings for a benchmark: DEBUG off, a throwaway key, plain HTTP."""
    return {
        "DJANGO_SETTINGS_MODULE": "ocop_site.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",  # the test client and wrk speak plain HTTP
    } | extra


def clean_environ() -> dict[str, str]:
    """This process's environment without the site's settings, so that none leaks in."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PAGE_CACHE", "REDIS_", "AWS_"))
        and name not in OWN_SETTINGS
    }


def stop_cleanly_on_signals() -> None:
    """Stopped by a signal, still stop the servers and drop the databases (finally blocks)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)


# Inside Django: the child processes


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_site.settings")
    import django

    django.setup()


def time_get(client, url: str, repeat: int = 1, data: dict | None = None):
    """(milliseconds of each of `repeat` GETs, the last response) through the test client."""
    times, response = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, data)
        times.append((time.perf_counter() - started) * 1000)
    return times, response
