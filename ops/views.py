"""Views of the site itself rather than of its content: health, the login lockout, the benchmark."""

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


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
    """200 "ok" when the database answers, 503 otherwise: for load balancers and monitors.

    The body never says why: a probe needs the status, not the database's error text.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def login_locked_out(request, original_response=None, credentials=None):
    """The page django-axes shows instead of the admin login once a username is locked out."""
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "admin/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
