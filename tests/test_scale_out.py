"""Two app servers sharing PostgreSQL and Redis: a change made on one is seen on the other."""

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalogue.models import Product

from .adminforms import form_data
from .factories import make_certified_product

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 0
BASE_DIR = Path(settings.BASE_DIR)
STARTUP_SECONDS = 30


def redis_client():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2)


def redis_reachable() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def free_port() -> int:
    for _ in range(100):
        port = random.randint(20000, 29999)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port between 20000 and 29999.")


def request(port: int, method: str, path: str, cookies: dict | None = None, form=None):
    """One HTTP request to 127.0.0.1:port: (status, headers, body as text)."""
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def take_cookies(headers, cookies: dict) -> None:
    for line in headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(line).items():
            cookies[name] = morsel.value


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two gunicorn servers on the test database and one Redis, under a key prefix of their own.

    transactional_db: rows made by the test are committed, so the servers see them.
    """
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: two servers cannot share SQLite's in-memory test database.")
    if not redis_reachable():
        pytest.skip(f"Needs Redis at {REDIS_HOST}:{REDIS_PORT}: none answered.")
    prefix = f"ocop-test-{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ENV", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    } | {
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",  # no connection left open when the test database is dropped
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE_TIMEOUT": "3600",
        "SECRET_KEY": settings.SECRET_KEY,  # sessions made here must be valid there
        "MEDIA_ROOT": str(tmp_path / "media"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = (tmp_path / f"server-{name}.log").open("w")
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "ocop_site.wsgi"],
                cwd=BASE_DIR,
                env=env | {"BIND": f"127.0.0.1:{port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append((process, port, log))
        for process, port, log in servers:
            wait_until_up(process, port, log)
        yield [port for _, port, _ in servers], prefix
    finally:
        for process, _, _log in servers:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process, _, log in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()
        client = redis_client()
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def wait_until_up(process, port: int, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.flush()
            pytest.fail(f"gunicorn exited: {Path(log.name).read_text()[-2000:]}")
        try:
            request(port, "GET", reverse("catalogue:home"))
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer on port {port} within {STARTUP_SECONDS} s.")


def test_a_product_changed_on_one_server_shows_on_the_other_at_once(two_servers, django_user_model):
    (port_a, port_b), prefix = two_servers
    product = make_certified_product(name="Chè búp Hảo Đạt")
    url = product.get_absolute_url()

    listing = reverse("catalogue:product-list")
    status, _, page = request(port_b, "GET", url)
    assert status == 200 and "Chè búp Hảo Đạt" in page
    assert "Chè búp Hảo Đạt" in request(port_b, "GET", listing)[2]
    cached = [key for key in redis_client().scan_iter(match=f"{prefix}:*page:*")]
    assert cached, "server B stored the page in the shared cache"
    assert "Chè búp Hảo Đạt" in request(port_b, "GET", url)[2]  # from the cache

    # A staff member signs in (a session in the shared database) and renames it on server A.
    staff = django_user_model.objects.create_superuser("scale", "scale@example.invalid", "pw")
    signed_in = Client()
    signed_in.force_login(staff)
    cookies = {settings.SESSION_COOKIE_NAME: signed_in.cookies[settings.SESSION_COOKIE_NAME].value}
    change = reverse("admin:catalogue_product_change", args=[product.pk])
    status, headers, form = request(port_a, "GET", change, cookies)
    assert status == 200, form[:500]
    take_cookies(headers, cookies)
    data = form_data(form, "product_form") | {"name": "Chè Thái Hảo Hạng"}
    status, headers, body = request(port_a, "POST", change, cookies, data)
    assert status == 302, body[:2000]
    assert Product.objects.get(pk=product.pk).name == "Chè Thái Hảo Hạng"

    status, _, page = request(port_b, "GET", url)
    assert status == 200
    assert "Chè Thái Hảo Hạng" in page and "Chè búp Hảo Đạt" not in page
    page = request(port_b, "GET", listing)[2]
    assert "Chè Thái Hảo Hạng" in page and "Chè búp Hảo Đạt" not in page
