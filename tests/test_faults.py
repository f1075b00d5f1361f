"""The site under failure: Redis down or hung, the database unreachable.

The cache settings are those production reads from REDIS_URL (read in a fresh interpreter),
pointed at a closed port, at a server that accepts connections and never answers, or at a
Redis of our own that we pause. Tests that need a real Redis skip without one, unless CI is
set: then they fail.
"""

import copy
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

import ops.cache
from catalogue.models import Category, Producer, Product
from places.models import Commune

from .adminforms import form_data

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "test-only-" + "x" * 50,
    "ALLOWED_HOSTS": "example.org",
}
# Far below the 5 s a page used to wait for a hung Redis, far above a page's own time.
PAGE_SECONDS = 3.0
STACK_TRACE_SIGNS = ("Traceback", "OperationalError", "ConnectionError", "psycopg", 'File "')


def fresh_env(**env) -> dict:
    """This environment without our production variables, plus `env`."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "AWS_", "CONN_", "REDIS_", "SECURE_"))
        and name not in {"DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT"}
    }
    return clean | {"DJANGO_SETTINGS_MODULE": "ocop_site.settings"} | env


def run_python(code: str, **env) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=fresh_env(**env),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require(condition: bool, why: str) -> None:
    """Skip without `condition` on a development machine; fail in CI, which has Redis."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI is set: this test is required)", pytrace=False)
    pytest.skip(why)


def redis_answers(port: int = 6379) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def production_caches() -> dict:
    """settings.CACHES as production builds it from REDIS_URL."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES))"
    )
    return json.loads(run_python(code, **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0"))


@pytest.fixture
def use_redis(settings, production_caches):
    """Point the cache at `location`, with production's options (and `options` on top)."""

    def point(location: str, **options) -> None:
        caches = copy.deepcopy(production_caches)
        caches["default"]["LOCATION"] = location
        caches["default"]["KEY_PREFIX"] = f"ocop-test-{os.getpid()}"
        caches["default"]["OPTIONS"].update(options)
        settings.CACHES = caches

    return point


@pytest.fixture(autouse=True)
def no_outage_known():
    """Each test starts knowing of no Redis failure (the breaker is per process)."""
    ops.cache.OUTAGES.clear()
    yield
    ops.cache.OUTAGES.clear()


@pytest.fixture
def closed_port_redis(use_redis):
    use_redis(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def hung_redis(use_redis):
    """A server that accepts connections and never answers, as a stopped Redis does."""
    server = socket.create_server(("127.0.0.1", 0), backlog=128)
    server.settimeout(0.1)
    held, stop = [], threading.Event()

    def accept_and_ignore():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept_and_ignore, daemon=True)
    thread.start()
    use_redis(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    yield
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.fixture
def own_redis(use_redis):
    """A Redis of our own on a free port (never the shared one), stopped and killed by us."""
    binary = shutil.which("redis-server")
    require(binary is not None, "Needs redis-server to start a Redis of our own.")
    started = []

    def start(*args: str) -> subprocess.Popen:
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        for _ in range(100):
            if redis_answers(port):
                break
            time.sleep(0.05)
        process.port = port
        return process

    yield start
    for process in started:
        process.send_signal(signal.SIGCONT)  # in case a test left it paused
        process.kill()
        process.wait()


def public_urls() -> list[str]:
    """Every kind of public page, and every product page, of the demo catalogue."""
    product = Product.objects.published().first()
    products = reverse("catalogue:product-list")
    return [
        reverse("catalogue:home"),
        "/en/",
        "/fr/",
        products,
        f"{products}?q=che+tan+cuong",
        f"{products}?stars=4&sort=name",
        *(p.get_absolute_url() for p in Product.objects.published()),
        reverse("catalogue:product-label", args=[product.slug]),
        reverse("catalogue:product-qr-svg", args=[product.slug]),
        reverse("catalogue:statistics-csv", args=["stars"]),
        reverse("catalogue:producer-list"),
        Producer.objects.with_published_products().first().get_absolute_url(),
        reverse("catalogue:commune-list"),
        Commune.objects.filter(producers__isnull=False).first().get_absolute_url(),
        reverse("catalogue:category-list"),
        Category.objects.sectors().first().get_absolute_url(),
        *(reverse("catalogue:star-detail", args=[n]) for n in (3, 4, 5)),
        reverse("catalogue:statistics"),
        reverse("certification:verify"),
        reverse("certification:verify") + f"?q={product.public_code}",
        "/sitemap.xml",
        "/robots.txt",
    ]


def assert_every_page_answers(client: Client) -> dict[str, float]:
    """Every public page is 200, in well under PAGE_SECONDS, with no stack trace."""
    timings = {}
    for url in public_urls():
        started = time.perf_counter()
        response = client.get(url)
        timings[url] = time.perf_counter() - started
        assert response.status_code == 200, url
        body = response.content.decode(errors="replace")
        assert not [sign for sign in STACK_TRACE_SIGNS if sign in body], url
    slowest = max(timings, key=timings.get)
    assert timings[slowest] < PAGE_SECONDS, (slowest, timings[slowest])
    return timings


def rename_in_admin(staff: Client, product: Product, name: str) -> None:
    url = reverse("admin:catalogue_product_change", args=[product.pk])
    data = form_data(staff.get(url).content, "product_form")
    response = staff.post(url, data | {"name": name})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("staff", "staff@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    return client


def health(client: Client | None = None):
    response = (client or Client()).get("/healthz")
    return response.status_code, json.loads(response.content)


# Production's cache settings


def test_production_cache_fails_open_with_short_timeouts_and_compression(production_caches):
    cache_settings = production_caches["default"]
    assert cache_settings["BACKEND"] == "ops.cache.RedisCache"
    options = cache_settings["OPTIONS"]
    assert options["IGNORE_EXCEPTIONS"] is True
    assert options["SOCKET_CONNECT_TIMEOUT"] <= 0.25
    assert options["SOCKET_TIMEOUT"] <= 0.5
    assert options["COMPRESSOR"] == "django_redis.compressors.zlib.ZlibCompressor"
    assert options["ON_RECOVERY"] == "catalogue.caching.forget_pages"


# Redis down: a closed port


@pytest.mark.usefixtures("real_catalogue", "closed_port_redis")
def test_with_redis_down_every_public_page_answers(db):
    timings = assert_every_page_answers(Client())
    assert_every_page_answers(Client())  # nothing was stored: drawn again, still fine
    print(f"\nRedis down: slowest page {max(timings.values()) * 1000:.0f} ms")


@pytest.mark.usefixtures("closed_port_redis")
def test_with_redis_down_healthz_says_degraded_and_the_cache_down(db):
    code, body = health()
    assert code == 200
    assert body["status"] == "degraded"
    assert body["cache"]["state"] == "down"
    assert body["database"]["state"] == "up"
    assert body["media"]["state"] == "up"


@pytest.mark.usefixtures("closed_port_redis")
def test_with_redis_down_an_admin_save_works_and_shows(db, staff):
    product = Product.objects.create(
        name="Chè búp", producer=Producer.objects.create(name="HTX Chè")
    )
    anonymous = Client()
    assert anonymous.get(product.get_absolute_url()).status_code == 200
    rename_in_admin(staff, product, "Chè búp đặc biệt")
    assert "Chè búp đặc biệt" in anonymous.get(product.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("closed_port_redis")
def test_with_redis_down_the_certificate_check_still_limits(db, settings):
    """The cache cannot count: each process counts by itself. Never unlimited, never a 500."""
    from certification import verification

    verification.LOCAL_COUNTS.clear()
    settings.VERIFY_RATE_LIMIT_LOOKUPS = 3
    url = reverse("certification:verify")
    statuses = [
        Client().get(url, {"q": "TN-OCOP-0001"}, REMOTE_ADDR="203.0.113.7").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert Client().get(url, {"q": "x"}, REMOTE_ADDR="198.51.100.2").status_code == 200


@pytest.mark.usefixtures("closed_port_redis")
def test_a_redis_outage_is_logged_once_not_per_request(db, caplog):
    caplog.set_level(logging.INFO, logger="ocop.cache")
    client = Client()
    for _ in range(20):
        assert client.get(reverse("catalogue:home")).status_code == 200
    warnings = [record for record in caplog.records if record.name == "ocop.cache"]
    assert len(warnings) == 1
    assert "Cache unavailable" in warnings[0].getMessage()


# Redis hung: accepts connections, never answers


@pytest.mark.usefixtures("real_catalogue", "hung_redis")
def test_with_redis_hung_every_public_page_answers_quickly(db, settings):
    options = settings.CACHES["default"]["OPTIONS"]
    assert options["SOCKET_TIMEOUT"] <= 0.5 and options["SOCKET_CONNECT_TIMEOUT"] <= 0.25
    started = time.perf_counter()
    timings = assert_every_page_answers(Client())
    # After one call times out, the breaker answers "miss" at once: most pages never wait.
    assert sorted(timings.values())[len(timings) // 2] < options["SOCKET_TIMEOUT"]
    print(
        f"\nRedis hung: first page {timings[reverse('catalogue:home')] * 1000:.0f} ms, "
        f"slowest {max(timings.values()) * 1000:.0f} ms, "
        f"{len(timings)} pages in {time.perf_counter() - started:.1f} s"
    )


@pytest.mark.usefixtures("hung_redis")
def test_with_redis_hung_healthz_answers_within_the_socket_timeout(db):
    started = time.perf_counter()
    code, body = health()
    assert time.perf_counter() - started < 2
    assert (code, body["status"], body["cache"]["state"]) == (200, "degraded", "down")


@pytest.mark.usefixtures("hung_redis")
def test_with_redis_hung_an_admin_save_works(db, staff):
    product = Product.objects.create(name="Mật ong", producer=Producer.objects.create(name="HKD"))
    started = time.perf_counter()
    rename_in_admin(staff, product, "Mật ong rừng")
    assert time.perf_counter() - started < 2 * PAGE_SECONDS
    product.refresh_from_db()
    assert product.name == "Mật ong rừng"


# A real Redis, paused and resumed


def test_a_save_made_while_redis_was_paused_shows_once_it_resumes(db, staff, own_redis, use_redis):
    """The lost version bump is made up for when Redis answers again: no stale page."""
    redis_process = own_redis()
    use_redis(f"redis://127.0.0.1:{redis_process.port}/0", RETRY_SECONDS=0.2)
    product = Product.objects.create(name="Miến dong", producer=Producer.objects.create(name="HTX"))
    anonymous = Client()
    assert "Miến dong" in anonymous.get(product.get_absolute_url()).content.decode()  # stored
    redis_process.send_signal(signal.SIGSTOP)
    try:
        rename_in_admin(staff, product, "Miến dong Bình Liêu")
        paused = anonymous.get(product.get_absolute_url()).content.decode()
        assert "Miến dong Bình Liêu" in paused  # drawn uncached
    finally:
        redis_process.send_signal(signal.SIGCONT)
    time.sleep(0.3)  # past RETRY_SECONDS: the next call tries Redis again
    for _ in range(3):
        assert "Miến dong Bình Liêu" in anonymous.get(product.get_absolute_url()).content.decode()


def test_pages_are_stored_compressed_in_redis(db, own_redis, use_redis):
    import redis

    redis_process = own_redis()
    use_redis(f"redis://127.0.0.1:{redis_process.port}/0")
    Product.objects.create(name="Chè Tân Cương", producer=Producer.objects.create(name="HTX"))
    page = Client().get(reverse("catalogue:product-list"))
    assert page.status_code == 200
    server = redis.Redis(port=redis_process.port)
    [key] = [key for key in server.keys("*") if b":page:" in key]
    stored = server.get(key)
    assert stored[:1] == b"\x78"  # a zlib stream
    assert len(stored) < len(page.content) / 2


# Random search text cannot fill the cache


def count_page_keys() -> int:
    backend = cache._cache if hasattr(cache, "_cache") else None
    if isinstance(backend, dict):  # local memory
        return sum(":page:" in key for key in backend)
    client = cache.client.get_client()
    return sum(1 for _ in client.scan_iter(match=f"{cache.key_prefix}:*:page:*"))


def random_queries_add_no_keys(requests: int = 50) -> tuple[int, int]:
    Product.objects.create(name="Chè Tân Cương", producer=Producer.objects.create(name="HTX"))
    client = Client()
    url = reverse("catalogue:product-list")
    assert client.get(url).status_code == 200  # the plain list is stored
    before = count_page_keys()
    for n in range(requests):
        assert client.get(url, {"q": os.urandom(8).hex()}).status_code == 200
        assert client.get(url, {"commune": f"xa-{n}"}).status_code == 200  # refused value
        assert client.get(url, {"page": str(1000 + n)}).status_code == 200  # past the end
        assert client.get(reverse("catalogue:home"), {"page": str(n)}).status_code == 200
    return before, count_page_keys()


def test_random_queries_add_no_pages_to_the_cache(db):
    before, after = random_queries_add_no_keys()
    assert before >= 1
    assert after == before


def test_random_queries_add_no_keys_to_redis(db):
    require(redis_answers(), "Needs Redis at 127.0.0.1:6379.")
    from django.test import override_settings

    caches = {
        "default": {
            "BACKEND": "ops.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"ocop-test-keys-{os.getpid()}-{time.time_ns()}",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    with override_settings(CACHES=caches):
        try:
            before, after = random_queries_add_no_keys()
            assert after == before >= 1
        finally:
            client = cache.client.get_client()
            for key in client.scan_iter(match=f"{caches['default']['KEY_PREFIX']}:*"):
                client.delete(key)


# The deploy check on Redis's memory settings


def deploy_warnings(settings, url: str) -> dict[str, str]:
    from ops.checks import redis_memory_limit

    settings.REDIS_URL = url
    return {warning.id: warning.msg for warning in redis_memory_limit()}


def test_the_deploy_check_warns_of_a_redis_without_a_memory_limit(settings, own_redis):
    unlimited = own_redis()
    found = deploy_warnings(settings, f"redis://127.0.0.1:{unlimited.port}/0")
    assert set(found) == {"ops.W001", "ops.W002"}
    assert "noeviction" in found["ops.W002"]
    limited = own_redis("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru")
    assert deploy_warnings(settings, f"redis://127.0.0.1:{limited.port}/0") == {}


def test_the_deploy_check_says_when_it_cannot_read_the_settings(settings, own_redis):
    renamed = own_redis("--rename-command", "CONFIG", "")
    found = deploy_warnings(settings, f"redis://127.0.0.1:{renamed.port}/0")
    assert list(found) == ["ops.W003"]
    assert "refused" in found["ops.W003"]
    assert list(deploy_warnings(settings, f"redis://127.0.0.1:{free_port()}/0")) == ["ops.W004"]
    assert deploy_warnings(settings, "") == {}


# The database unreachable


def test_a_database_error_in_a_view_answers_the_static_503_page(db, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5) failed')

    monkeypatch.setattr("catalogue.views.render", unreachable)
    caplog.set_level(logging.ERROR, logger="ocop.database")
    for _ in range(3):
        response = Client().get(reverse("catalogue:home"))
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        body = response.content.decode()
        assert 'class="error-page"' in body
        assert not [sign for sign in STACK_TRACE_SIGNS if sign in body]
        assert "db.internal" not in body
    logged = [record for record in caplog.records if record.name == "ocop.database"]
    assert len(logged) <= 1  # once a minute at most (an earlier test may have logged it)
    assert not [record for record in caplog.records if record.name == "django.request"]


def test_a_database_error_outside_a_view_answers_the_503_page_too(db, settings, monkeypatch):
    """Saving the session after the view fails: handler500 turns it into the same page."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    settings.DEBUG = False
    monkeypatch.setattr(SessionMiddleware, "process_response", unreachable)
    response = Client(raise_request_exception=False).get(reverse("catalogue:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert 'class="error-page"' in response.content.decode()


def test_the_503_page_needs_no_request_and_no_database():
    """No django_db mark: any query would raise here."""
    from ops.unavailable import unavailable_response

    response = unavailable_response()
    assert response.status_code == 503
    assert "<script" not in response.content.decode()


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory) -> Path:
    """Production serves hashed static files: collect them once, as `make serve` does."""
    root = tmp_path_factory.mktemp("static")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=fresh_env(**PRODUCTION, STATIC_ROOT=str(root)),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return root


DATABASE_DOWN = """
import json, time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="example.org")
found = {}
for url in ["/", "/products/", "/products/che-tom-non/", "/en/statistics/",
            "/certificates/verify/?q=TN-OCOP-0001", "/healthz"]:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    found[url] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "type": response["Content-Type"],
        "body": response.content.decode(),
        "ms": round((time.perf_counter() - started) * 1000),
    }
print(json.dumps(found))
"""


def test_with_the_database_unreachable_pages_answer_503_and_healthz_503(collected_static):
    """Production settings, PostgreSQL at a closed port, in a fresh interpreter."""
    found = json.loads(
        run_python(
            DATABASE_DOWN,
            **PRODUCTION,
            STATIC_ROOT=str(collected_static),
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/ocop",
        )
    )
    health = found.pop("/healthz")
    assert health["status"] == 503
    body = json.loads(health["body"])
    assert body["status"] == "unavailable" and body["database"]["state"] == "down"
    for url, page in found.items():
        assert page["status"] == 503, url
        assert page["retry_after"] == "30", url
        assert page["type"].startswith("text/html"), url
        assert 'class="error-page"' in page["body"], url
        assert not [sign for sign in STACK_TRACE_SIGNS if sign in page["body"]], url
        assert page["ms"] < PAGE_SECONDS * 1000, url
