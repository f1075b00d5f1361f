"""Production settings, security headers, Content-Security-Policy, admin path and lockout."""

import importlib
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import translation

import ocop_site.urls

from .factories import make_category, make_certified_product, make_image, make_link

BASE_DIR = Path(settings.BASE_DIR)
# What any production environment variable could change; each test starts without them.
OUR_VARIABLES = ("DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ADMIN_PATH", "DATABASE_URL")
OUR_PREFIXES = ("SECURE_", "SESSION_", "AXES_", "CSRF_", "CSP_")
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k7#Qz9vR2mX!pL4wT8yB1nC6sD3fG5hJ0aE-uI_oP+ZxVbNmQw",  # 50 characters
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs manage.py in a fresh interpreter, with only `env` of our variables set."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in OUR_VARIABLES and not key.startswith(OUR_PREFIXES)
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "mode", [{"DJANGO_ENV": "production"}, {"DEBUG": "0"}], ids=["DJANGO_ENV", "DEBUG=0"]
)
def test_check_deploy_finds_nothing_in_production(mode):
    """`manage.py check --deploy` reports no warning at all with the production defaults."""
    env = {**PRODUCTION_ENV, **mode}
    if "DEBUG" in mode:
        del env["DJANGO_ENV"]
    result = manage("check", "--deploy", env=env)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, output
    assert "WARNING" not in output, output


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(variable):
    """Production mode stops at once, naming the missing variable and how to set it."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != variable}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} is not set" in result.stderr
    assert f"needs the {variable} environment variable" in result.stderr


def test_development_needs_no_variables():
    """With none of our variables set, the site runs in development mode with DEBUG on."""
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env={}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="example.org")
secure = client.get("/healthz", secure=True)
print(json.dumps({
    "headers": dict(secure.headers),
    "plain_page": [client.get("/").status_code, client.get("/").get("Location")],
    "plain_healthz": client.get("/healthz").status_code,
    "settings": {name: getattr(settings, name) for name in [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    ]},
}))
"""


def test_production_headers_and_https():
    """In production every response carries the security headers and plain HTTP goes to HTTPS."""
    result = manage("shell", "-c", PROBE, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert directives(headers["Content-Security-Policy"]) == EXPECTED_CSP
    assert len(headers["X-Request-ID"]) == 32
    assert probe["plain_page"] == [301, "https://example.org/"]
    assert probe["plain_healthz"] == 200  # load balancers probe over HTTP
    assert probe["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }


def test_production_settings_follow_the_environment():
    """HSTS, the HTTPS redirect, the proxy header and the session length come from variables."""
    env = {
        **PRODUCTION_ENV,
        "SECURE_HSTS_SECONDS": "600",
        "SECURE_HSTS_PRELOAD": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "SESSION_COOKIE_AGE": "3600",
        "MEDIA_URL": "https://media.example.org/ocop/",
    }
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_AGE,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "600 False False ('HTTP_X_FORWARDED_PROTO', 'https') 3600 "
        "[\"'self'\", 'data:', 'https://media.example.org']"
    )


# Content-Security-Policy


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


EXPECTED_CSP = directives(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block in a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if attributes.get("type") != "application/ld+json":
                self.found.append(self.get_starttag_text())
        if tag == "style":
            self.found.append("<style>")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(self.get_starttag_text())
        for name in ("href", "src", "action"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(self.get_starttag_text())


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_inline_code_finder_finds_what_csp_blocks():
    """The scanner below can fail: it catches every kind of inline code, and only those."""
    html = """
        <script>alert(1)</script><script type="application/ld+json">{"a": 1}</script>
        <script src="/static/x.js"></script><p style="color: red">x</p><style>p{}</style>
        <a href="javascript:alert(1)">x</a><img src="/a.png" onerror="alert(1)">
        <a href="/about/">stylesheet onclick</a>
    """
    assert len(inline_code(html)) == 5


@pytest.fixture
def catalogue(db):
    product = make_certified_product(stars=5, category=make_category(), is_published=True)
    make_image(product=product)
    make_link(product=product)
    return product


@pytest.mark.parametrize("prefix", ["", "/en", "/fr"])
def test_public_pages_have_no_inline_code(client, catalogue, prefix):
    """No public page has inline scripts (JSON-LD aside), styles or event handlers."""
    product = catalogue
    pages = [
        "/",
        "/products/",
        "/products/?q=che&stars=5",
        product.get_absolute_url().removeprefix("/en").removeprefix("/fr"),
        f"/products/{product.slug}/label/",
        f"/products/{product.slug}/label/?layout=sheet",
        f"/certificates/verify/?q={product.public_code}",
        "/certificates/verify/?q=nothing",
        "/producers/",
        product.producer.get_absolute_url(),
        "/communes/",
        "/categories/",
        product.category.get_absolute_url(),
        "/stars/5/",
        "/statistics/",
        "/no-such-page/",
    ]
    for page in pages:
        response = client.get(prefix + page)
        assert response.status_code in (200, 404), page
        assert inline_code(response.content.decode()) == [], page
        assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_every_response_has_the_policy(staff_client):
    """Pages, errors, the admin and the health check all carry the same strict policy."""
    for url in ["/", "/no-such-page/", "/healthz", reverse("admin:login")]:
        policy = directives(Client().get(url)["Content-Security-Policy"])
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in str(policy)
    policy = staff_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert directives(policy) == EXPECTED_CSP


def test_admin_pages_have_no_inline_code(staff_client, catalogue):
    """The admin works under the strict policy: its pages carry no inline script or style."""
    product = catalogue
    pages = [
        reverse("admin:index"),
        reverse("admin:catalogue_product_changelist"),
        reverse("admin:catalogue_product_add"),
        reverse("admin:catalogue_product_change", args=[product.pk]),
        reverse("admin:catalogue_producer_changelist"),
        reverse("admin:catalogue_producer_change", args=[product.producer.pk]),
        reverse("admin:certification_certificate_changelist"),
        reverse("admin:certification_certificate_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:password_change"),
    ]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        assert inline_code(response.content.decode()) == [], page


# The health check


def test_healthz_reports_each_dependency_when_all_answer(client, db):
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    for dependency in ("database", "cache", "media"):
        assert body[dependency]["state"] == "up"
        assert 0 <= body[dependency]["latency_ms"] < 1000
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_healthz_says_503_and_nothing_more_when_the_database_fails(client, db, monkeypatch, caplog):
    from django.db import OperationalError, connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError('could not connect to server "db-secret.internal", database ocop')

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    monkeypatch.undo()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["state"] == "down"
    assert "db-secret" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Once a minute by the health check itself, not once per probe by Django as well.
    assert not [record for record in caplog.records if record.name == "django.request"]


def test_healthz_runs_no_heavy_query(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # SELECT 1
        assert client.get("/healthz").status_code == 200


def test_a_refused_next_after_signing_in_lands_on_the_admin(client, db):
    """Django refuses a `next` on another site; the fallback must be a page that exists."""
    get_user_model().objects.create_superuser("staff", "staff@example.invalid", "right-pw")
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "staff", "password": "right-pw", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


# The admin's address


@pytest.fixture
def admin_path(settings):
    """Moves the admin to another path, as ADMIN_PATH does, and back after the test."""
    original = settings.ADMIN_PATH

    def move(path: str) -> None:
        settings.ADMIN_PATH = path
        importlib.reload(ocop_site.urls)
        clear_url_caches()

    yield move
    move(original)


def test_admin_moves_to_admin_path(client, db, admin_path):
    """With ADMIN_PATH set the admin answers there only, and links follow it."""
    admin_path("back-office-7q/")
    assert reverse("admin:index") == "/back-office-7q/"
    assert client.get("/back-office-7q/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404
    assert client.get("/admin/").status_code == 404


def test_admin_is_at_admin_by_default(client, db):
    assert settings.ADMIN_PATH == "admin/"
    assert client.get("/admin/login/").status_code == 200


def test_templates_and_code_never_spell_the_admin_path():
    """Links to the admin go through reverse() and {% url %}, so ADMIN_PATH moves them all."""
    offenders = []
    for folder in (
        "templates",
        "core",
        "places",
        "editors",
        "catalogue",
        "certification",
        "marks",
        "registry",
        "ops",
        "ocop_site",
    ):
        for path in (BASE_DIR / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and "/admin/" in path.read_text():
                offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []


# Admin login lockout (django-axes)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("staff", "staff@example.invalid", "right-pw")


def log_in(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(
        reverse("admin:login"), {"username": username, "password": password}
    )


def lockout_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.ngettext(
            "Sign-in is locked after too many failed attempts. Try again in %(minutes)s "
            "minute, or ask an administrator to unlock your account.",
            "Sign-in is locked after too many failed attempts. Try again in %(minutes)s "
            "minutes, or ask an administrator to unlock your account.",
            settings.AXES_COOLOFF_MINUTES,
        ) % {"minutes": settings.AXES_COOLOFF_MINUTES}


def test_failed_logins_lock_the_username_at_that_address(staff, caplog):
    """After AXES_FAILURE_LIMIT failures even the right password is refused, with a message."""
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in("staff", "wrong", "203.0.113.7").status_code == 200  # the form again
    locked = log_in("staff", "wrong", "203.0.113.7")
    assert locked.status_code == 429
    right_password = log_in("staff", "right-pw", "203.0.113.7")
    assert right_password.status_code == 429
    assert lockout_message() in right_password.content.decode()
    assert "_auth_user_id" not in right_password.wsgi_request.session
    assert any(
        record.name.startswith("axes") and "Locking out" in record.getMessage()
        for record in caplog.records
    )


def test_lockout_is_per_username_and_address(staff, django_user_model):
    """Another address, or another user at the same address, can still sign in."""
    django_user_model.objects.create_superuser("other", "other@example.invalid", "other-pw")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("staff", "wrong", "203.0.113.7")
    assert log_in("staff", "right-pw", "203.0.113.7").status_code == 429
    assert log_in("staff", "right-pw", "198.51.100.2").status_code == 302
    assert log_in("other", "other-pw", "203.0.113.7").status_code == 302


def test_axes_reset_unlocks(staff):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("staff", "wrong", "203.0.113.7")
    assert log_in("staff", "right-pw", "203.0.113.7").status_code == 429
    call_command("axes_reset", verbosity=0)
    assert log_in("staff", "right-pw", "203.0.113.7").status_code == 302


def test_admin_refuses_a_weak_password(staff_client, django_user_model):
    """Staff passwords go through Django's validators: a common one is refused."""
    response = staff_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newstaff",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert not django_user_model.objects.filter(username="newstaff").exists()
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext("This password is too common.") in response.content.decode()


def test_demo_staff_password_passes_the_validators(db, settings):
    """`create_demo_staff` (DEBUG only) uses a password the validators accept."""
    from django.contrib.auth.password_validation import validate_password

    from editors.management.commands.create_demo_staff import PASSWORD, USERNAME

    validate_password(PASSWORD, get_user_model()(username=USERNAME, email="admin@example.invalid"))


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_username_too_long_for_any_account_is_a_wrong_username(staff, length):
    """No account can have it: the form says so, nothing reaches the lockout tables (whose
    255-character columns PostgreSQL enforces), and the right password still works after."""
    response = log_in("s" * length, "wrong", "203.0.113.7")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session
    assert response.context["form"].errors
    assert log_in("staff", "right-pw", "203.0.113.7").status_code == 302
