"""Settings for the OCOP Thái Nguyên catalogue, read from the environment.

Local development needs no variables at all: DEBUG is on, the database is an
SQLite file beside manage.py and media lives in ./media. Production sets
DJANGO_ENV=production (or DEBUG=0), SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import ipaddress
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


# Security: production mode. DJANGO_ENV=production (or DEBUG=0) turns DEBUG off and makes
# SECRET_KEY and ALLOWED_HOSTS required; with neither, the site runs in development mode.
PRODUCTION = os.environ.get("DJANGO_ENV", "").strip().lower() == "production" or not env_bool(
    "DEBUG", True
)
if PRODUCTION and env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG=1 contradicts DJANGO_ENV=production: unset DEBUG.")
DEBUG = not PRODUCTION
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DJANGO_ENV=production or DEBUG=0) needs the "
            "SECRET_KEY environment variable: a random string of 50 characters or more, e.g. "
            "the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-local-development-only"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Production mode (DJANGO_ENV=production or DEBUG=0) needs the "
        "ALLOWED_HOSTS environment variable: the site's host names, comma-separated, e.g. "
        "ALLOWED_HOSTS=ocop.example.vn,www.ocop.example.vn"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml (catalogue/sitemaps.py)
    "django.contrib.postgres",  # trigram lookups; inert on SQLite
    "django_filters",
    "csp",  # Content-Security-Policy header (django-csp)
    "axes",  # admin login lockout (django-axes)
    "simple_history",  # field-level history of products and certificates
    "django_tasks",  # background tasks: the API of Django 6.0's django.tasks (backport)
    "django_tasks_db",  # their queue in the database: manage.py db_worker runs them
    "ninja",  # the open-data API's docs page, served from its own static files (opendata/)
    # The project's apps, lowest layer first (docs/architecture.md).
    "sources",
    "places",
    "editors",
    "catalogue",
    "certification",
    "marks",
    "corrections",
    "trade",
    "events",
    "registry",
    "opendata",
    "producers",
    "ops",
]

MIDDLEWARE = [
    # The database unreachable: a static 503 page, whatever failed below (ops/middleware.py).
    "ops.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",  # HTML; static files come precompressed
    "django.middleware.http.ConditionalGetMiddleware",  # ETag, 304 Not Modified
    "csp.middleware.CSPMiddleware",
    # The open-data API's preflights, 429s, 304s and stored answers (opendata/serving.py).
    "opendata.serving.ApiMiddleware",
    # A cached anonymous page, served before sessions, locale, CSRF, auth, messages, axes and
    # history (catalogue/caching.py); the middleware above still handles it.
    "catalogue.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # keep last: history_user
]

ROOT_URLCONF = "ocop_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "ocop_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese at unprefixed addresses (/products/), English and French under
# /en/ and /fr/; the admin, outside i18n_patterns, is always Vietnamese.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ocop_site.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's vi locale sets no grouping, so intcomma would print 350000: group by 3 (350.000).
NUMBER_GROUPING = 3

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# How many months an OCOP certificate stays valid after its decision is signed
# (shared/data/ocop_scheme.md, section 5).
OCOP_CERTIFICATE_VALIDITY_MONTHS = 36

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The public address of the site: QR codes and printed labels point here (Vietnamese pages,
# no language prefix), whatever host a staff member printed them from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Mail (enquiries to producers, producer invitations): printed on the console in development;
# a server sets EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS)
# to send through SMTP (README, "Running in production"). STAFF_EMAILS: who is told of
# enquiries, comma-separated.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10  # seconds: a slow mail server does not hold a worker for minutes
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OCOP Thái Nguyên <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_EMAILS = env_list("STAFF_EMAILS", "")

# The map (/map/, trade): MAP_TILE_URL is a tile server's template, e.g.
# https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty, the default, draws no basemap and the
# pages make no request outside the site. The CSP allows its host in img-src, and nothing else.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors" if MAP_TILE_URL else ""
)
# "Directions" links: a maps search for an address, or a point for coordinates (no key needed).
MAP_SEARCH_URL = os.environ.get(
    "MAP_SEARCH_URL", "https://www.openstreetmap.org/search?query={query}"
)
MAP_POINT_URL = os.environ.get(
    "MAP_POINT_URL",
    "https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}",
)

# The proxies (load balancers) whose X-Forwarded-For names the client: addresses or networks,
# comma-separated; empty, the default, trusts none (core/clients.py; README, "Running in
# production").
TRUSTED_PROXIES = [entry.strip() for entry in os.environ.get("TRUSTED_PROXIES", "").split(",")]
TRUSTED_PROXIES = [entry for entry in TRUSTED_PROXIES if entry]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network (10.0.0.0/8)."
        ) from None

# Certificate checks per client (core/clients.py) before a 429 page: LOOKUPS per SECONDS.
VERIFY_RATE_LIMIT_LOOKUPS = int(os.environ.get("VERIFY_RATE_LIMIT_LOOKUPS", "30"))
VERIFY_RATE_LIMIT_SECONDS = int(os.environ.get("VERIFY_RATE_LIMIT_SECONDS", "600"))
# Open-data API requests per client (same rule) per WINDOW seconds before a 429; 0: no limit.
OPENDATA_API_RATE_LIMIT = int(os.environ.get("OPENDATA_API_RATE_LIMIT", "300"))
OPENDATA_API_RATE_WINDOW = int(os.environ.get("OPENDATA_API_RATE_WINDOW", "60"))

# Caching: anonymous pages, QR codes and the verification rate limit live in Django's cache
# (catalogue/caching.py; README, "Caching"). Local memory by default, one per process; set
# REDIS_URL (redis://127.0.0.1:6379/0) so several app servers share one cache.
if REDIS_URL := os.environ.get("REDIS_URL", ""):
    CACHES = {
        "default": {
            # django-redis, failing open (ops/cache.py): a Redis that is down or hung makes
            # every call a quick miss, never an error, and pages are drawn uncached.
            "BACKEND": "ops.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ocop"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,  # seconds
                "SOCKET_TIMEOUT": 0.5,
                "RETRY_SECONDS": 5,  # after a failure, leave Redis alone this long
                "ON_RECOVERY": "catalogue.caching.forget_pages",
                "COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
# Seconds an anonymous page may stay cached; changes invalidate it sooner. 0: no page cache.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "3600"))
# Sessions (staff only: visitors never get one) stay in the database, which every app server
# shares; "cached_db" over per-process local memory would keep a signed-out session alive
# in the other processes.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Scale-out: several app servers behind a load balancer share PostgreSQL, Redis and object
# storage, and keep nothing on local disk (README, "Running in production").
if not DEBUG and "CONN_MAX_AGE" not in os.environ:
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # seconds a worker keeps its connection
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server is given up after 5 s (a 503 page), not the system's 2 minutes;
    # ?connect_timeout=N in DATABASE_URL overrides it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if AWS_STORAGE_BUCKET_NAME := os.environ.get("AWS_STORAGE_BUCKET_NAME", ""):
    # Public media on S3-compatible storage (django-storages): plain URLs, no signatures.
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_QUERYSTRING_AUTH = False
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": os.environ.get("AWS_LOCATION", "media")},
    }
# Spreadsheets between an import's preview and its confirmation (registry/admin.py,
# PendingUpload): never public. In the bucket, under private/ (outside the public media
# prefix), which every app server reaches; without one, a local folder (IMPORTS_ROOT), which
# several app servers must then share.
STORAGES["imports"] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "location": "private/imports",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
    if AWS_STORAGE_BUCKET_NAME
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("IMPORTS_ROOT")
            or Path(tempfile.gettempdir()) / "ocop-imports",
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
)
# Photos producers propose (producers app), private until staff approve them: in the bucket
# under private/proposals, or a local folder (PROPOSALS_ROOT) outside MEDIA_ROOT.
STORAGES["proposals"] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "location": "private/proposals",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
    if AWS_STORAGE_BUCKET_NAME
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("PROPOSALS_ROOT") or BASE_DIR / "private" / "proposals",
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
)
# The producer portal (/producer/): a session lasts this many seconds; an invitation's link
# is valid for PASSWORD_RESET_TIMEOUT seconds (Django's token machinery).
PRODUCER_SESSION_AGE = env_int("PRODUCER_SESSION_AGE", 2 * 60 * 60)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 60 * 60)

# Background tasks (django-tasks): large imports and their previews run in a worker,
# `manage.py db_worker` (make worker), queued in the database; the admin shows their
# progress (registry/tasks.py). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs them inside the request instead, as the tests do.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A file of more rows than this is previewed by a background job too, not in the request.
IMPORT_PREVIEW_IN_REQUEST_ROWS = env_int("IMPORT_PREVIEW_IN_REQUEST_ROWS", 1000)
# A running import sends a heartbeat every IMPORT_JOB_HEARTBEAT_SECONDS; one silent for
# IMPORT_JOB_LOST_SECONDS lost its worker and is marked failed (registry/models.py).
IMPORT_JOB_HEARTBEAT_SECONDS = float(os.environ.get("IMPORT_JOB_HEARTBEAT_SECONDS", "5"))
IMPORT_JOB_LOST_SECONDS = env_int("IMPORT_JOB_LOST_SECONDS", 120)

# Benchmark only (bench/pages.py): a fixed page served at /bench/prerendered/.
BENCH_PRERENDERED_PATH = os.environ.get("BENCH_PRERENDERED_PATH", "")

# Security: HTTPS, cookies, headers, Content-Security-Policy, admin lockout, logging.
# Production defaults are strict; every value below can be tuned by its environment variable.
# README, "Security", lists the resulting headers.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    # e.g. "HTTP_X_FORWARDED_PROTO,https" behind a load balancer that terminates TLS and
    # always sets (never forwards) that header.
    header, _sep, value = proxy_ssl_header.partition(",")
    if not header.strip() or not value.strip():
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (header.strip(), value.strip())
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # a working day, in seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Images may also come from the media host when media is elsewhere (S3, a CDN).
MEDIA_ORIGINS = [
    origin
    for origin in (
        _origin(MEDIA_URL),
        f"https://{AWS_S3_CUSTOM_DOMAIN}"
        if AWS_STORAGE_BUCKET_NAME and AWS_S3_CUSTOM_DOMAIN
        else "",
        _origin(AWS_S3_ENDPOINT_URL or "") if AWS_STORAGE_BUCKET_NAME else "",
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
        if AWS_STORAGE_BUCKET_NAME and not (AWS_S3_CUSTOM_DOMAIN or AWS_S3_ENDPOINT_URL)
        else "",
        *env_list("CSP_EXTRA_IMG_SRC", ""),
        # Map tiles: "{s}" in the template stands for subdomains a, b, c.
        *(
            _origin(MAP_TILE_URL.replace("{s}", sub))
            for sub in (["a", "b", "c"] if "{s}" in MAP_TILE_URL else [""])
        ),
    )
    if origin
]
# No inline script or style anywhere, no third-party host: templates link static files only.
# JSON-LD blocks (<script type="application/ld+json">) are data and need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *dict.fromkeys(MEDIA_ORIGINS)],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Where the admin lives: ADMIN_PATH=some-less-guessable-path/ moves it (no leading slash).
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip().strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("ADMIN_PATH cannot be empty; the default is admin/")

# Admin login lockout (django-axes): AXES_FAILURE_LIMIT failed logins for one username from
# one address lock that pair out for AXES_COOLOFF_MINUTES, even with the right password.
# `python manage.py axes_reset` unlocks everyone before then.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 60)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"  # behind TRUSTED_PROXIES too
AXES_LOCKOUT_CALLABLE = "ops.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# After signing in with a `next` that is refused (another site), the admin's index, not the
# default /accounts/profile/, which does not exist.
LOGIN_REDIRECT_URL = "admin:index"

# Logging: one JSON line per request and per error on stdout in production (ops/logging.py,
# ops/middleware.py); short readable lines on the console in development.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logging.JsonFormatter"},
        "console": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if PRODUCTION else "console",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO" if PRODUCTION else "WARNING"},
    "loggers": {
        "django": {"level": "INFO" if PRODUCTION else "WARNING"},
        # Runserver prints its own request lines in development.
        "ocop.request": {"level": "INFO" if PRODUCTION else "WARNING"},
        "axes": {"level": "INFO" if PRODUCTION else "WARNING"},  # failed logins, lockouts
        "axes.apps": {"level": "WARNING"},  # not its start-up banner: it would pollute dumpdata
    },
}
