"""Views of the site itself rather than of its content: health, error pages, the login
lockout, the benchmark."""

import logging
import os
import sys
import time
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache as django_cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .logging import Throttle
from .middleware import database_unavailable

logger = logging.getLogger(__name__)
health_log = Throttle(60)
# Remote media storage (S3) is asked at most this often per process: a probe every few
# seconds must not become a request to the object store every few seconds.
REMOTE_MEDIA_CHECK_SECONDS = 60


@cache
def _prerendered_page() -> bytes:
    return Path(settings.BENCH_PRERENDERED_PATH).read_bytes()


@require_safe
def bench_prerendered(request):
    """A fixed pre-rendered page, for the benchmark's practical limit (bench/pages.py).

    Routed only when BENCH_PRERENDERED_PATH is set, which production never does.
    """
    return HttpResponse(_prerendered_page(), content_type="text/html; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    """Each dependency's state and latency, as JSON, for load balancers and monitors.

    503 "unavailable" when the database does not answer (the site cannot serve); 200
    "degraded" when only the cache or media storage does not (pages are drawn uncached, or
    photos are missing); 200 "ok" otherwise. The body never says why: that goes to the log.
    """
    checks = {
        "database": probe("database", database_answers),
        "cache": probe("cache", cache_answers),
        "media": probe("media", media_answers),
    }
    if checks["database"]["state"] == "down":
        status, code = "unavailable", 503
    elif any(check["state"] == "down" for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, **checks}, status=code)
    # A probe every few seconds: the cause is logged once a minute (probe()), and Django's
    # own line for each 503 would only repeat it.
    response._has_been_logged = True
    return response


def probe(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        up = check()
    except Exception as error:  # a health check answers whatever broke
        up = False
        if health_log.ready(name) is not None:
            logger.warning("Health check: %s is down", name, exc_info=error)
    latency = round((time.perf_counter() - started) * 1000, 1)
    return {"state": "up" if up else "down", "latency_ms": latency}


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_answers() -> bool:
    """A write and a read of this process's own key. A failing-open cache answers a miss."""
    key, token = f"healthz:{os.getpid()}", uuid.uuid4().hex
    django_cache.set(key, token, 30)
    return django_cache.get(key) == token


_remote_media: dict = {"checked": None, "up": True}


def media_answers() -> bool:
    """A local media folder must be writable (or creatable, before the first upload); a bucket
    must answer a lookup."""
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        location = Path(storage.location)
        while not location.exists() and location != location.parent:
            location = location.parent
        return location.is_dir() and os.access(location, os.W_OK | os.X_OK)
    checked = _remote_media["checked"]
    if checked is None or time.monotonic() - checked > REMOTE_MEDIA_CHECK_SECONDS:
        _remote_media["checked"] = time.monotonic()
        try:
            storage.exists("healthz-probe")
            _remote_media["up"] = True
        except Exception:
            _remote_media["up"] = False
            raise
    return _remote_media["up"]


def server_error(request):
    """handler500: the static 503 page when the error is the database being unreachable
    (raised outside a view, e.g. while saving a session), else Django's 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(error)
    return defaults.server_error(request)


def login_locked_out(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the admin login once a username is locked out."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "producers":  # the producer portal's login
        context = {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
        }
        status = settings.AXES_HTTP_RESPONSE_CODE
        return render(request, "producers/lockout.html", context, status=status)
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "admin/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
