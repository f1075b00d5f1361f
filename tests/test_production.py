"""Production serving: settings that let several app servers share one site, gunicorn's
configuration, and the page benchmark's script (never run here: it takes minutes)."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

BASE_DIR = Path(__file__).resolve().parent.parent

# Settings read in a fresh interpreter, since they are read from the environment once.
READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
media, imports = storages["default"], storages["imports"]
print(json.dumps({
    "default": settings.STORAGES["default"]["BACKEND"],
    "imports": settings.STORAGES["imports"]["BACKEND"],
    "media_url": media.url("products/tea.jpg"),
    "imports_location": str(imports.location),
    "imports_acl": getattr(imports, "default_acl", None),
    "imports_signed": getattr(imports, "querystring_auth", None),
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
}))
"""
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "test-only-" + "x" * 50,
    "ALLOWED_HOSTS": "ocop.example.vn",
}


def read_settings(**env) -> dict:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "DJANGO_", "CONN_")) and name != "DEBUG"
    }
    clean["DJANGO_SETTINGS_MODULE"] = "ocop_site.settings"
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        env=clean | env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_media_go_to_s3_when_a_bucket_is_set():
    found = read_settings(
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="ocop-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.vn",
        AWS_S3_CUSTOM_DOMAIN="media.example.vn",
    )
    assert found["default"] == "storages.backends.s3.S3Storage"
    # Public media: plain addresses on the media host, no expiring signature.
    assert found["media_url"] == "https://media.example.vn/media/products/tea.jpg"
    # Pending imports share the bucket, so every app server finds them, but stay private.
    assert found["imports"] == "storages.backends.s3.S3Storage"
    assert found["imports_location"] == "private/imports"
    assert found["imports_acl"] == "private" and found["imports_signed"] is True


def test_media_stay_on_local_disk_without_a_bucket():
    found = read_settings(**PRODUCTION)
    assert found["default"] == "django.core.files.storage.FileSystemStorage"
    assert found["imports"] == "django.core.files.storage.FileSystemStorage"
    assert found["media_url"] == "/media/products/tea.jpg"


def test_production_keeps_database_connections_and_checks_them():
    assert read_settings(**PRODUCTION)["conn_max_age"] == 60
    assert read_settings(**PRODUCTION, CONN_MAX_AGE="0")["conn_max_age"] == 0
    assert read_settings()["conn_max_age"] == 0  # development: one connection per request
    assert read_settings(**PRODUCTION)["health_checks"] is True
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_gunicorn_config_reads_workers_and_address_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("BIND", "0.0.0.0:9000")
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["workers"] == 3 and config["bind"] == "0.0.0.0:9000"
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("BIND")
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert config["bind"] == "127.0.0.1:8000"
    assert config["accesslog"] is None  # Django logs each request itself


def test_the_benchmark_page_is_not_routed_in_normal_running():
    assert not settings.BENCH_PRERENDERED_PATH
    with pytest.raises(NoReverseMatch):
        reverse("bench-prerendered")


def test_the_benchmark_page_serves_the_captured_file_when_asked(tmp_path):
    page = tmp_path / "listing.html"
    page.write_bytes("<!doctype html><title>Sản phẩm</title>".encode())
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/bench/prerendered/', HTTP_HOST='127.0.0.1')\n"
        "print(response.status_code, response['Content-Type'])\n"
        "print(response.content.decode())\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ocop_site.settings",
        "BENCH_PRERENDERED_PATH": str(page),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [
        "200 text/html; charset=utf-8",
        "<!doctype html><title>Sản phẩm</title>",
    ]


def test_the_page_benchmark_explains_its_options():
    done = subprocess.run(
        [sys.executable, "-m", "bench.pages", "--help"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for option in ["--sizes", "--databases", "--duration", "--runs", "--connections", "--redis"]:
        assert option in done.stdout


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:24001/products/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.20ms   12.01ms 180.33ms   80.00%
    Req/Sec    65.10     10.20    90.00     70.00%
  Latency Distribution
     50%   58.91ms
     75%   66.02ms
     90%   75.50ms
     99%    1.20s
  262 requests in 2.01s, 15.40MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:    130.35
Transfer/sec:      7.66MB
"""


def test_the_page_benchmark_reads_wrk_output():
    from bench.wrk import parse_wrk

    parsed = parse_wrk(WRK_OUTPUT)
    assert parsed == {
        "rps": 130.35,
        "p50": pytest.approx(58.91),
        "p99": pytest.approx(1200.0),
        "max": pytest.approx(180.33),  # the "Latency" line's maximum
        "requests": 262,
        "non_2xx": 2,
        "errors": 1,  # read errors are sync workers closing keep-alive connections
    }
