"""The static page for when the site cannot serve: no database, no request context needed."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

RETRY_AFTER_SECONDS = 30


def unavailable_response() -> HttpResponse:
    """503 with Retry-After and the standalone 503.html (rendered with no request, so no
    context processor runs and nothing reads the database)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # The caller logs the cause once a minute; Django would log every such response.
    response._has_been_logged = True
    return response
