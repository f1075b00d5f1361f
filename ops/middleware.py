"""Request logging (an id per request, one log line when it is answered) and the static
503 page when the database is unreachable."""

import logging
import re
import time
import uuid

from django.db import InterfaceError, OperationalError

from core.clients import client_address

from .logging import Throttle, request_id
from .unavailable import unavailable_response

logger = logging.getLogger("ocop.request")
database_logger = logging.getLogger("ocop.database")
database_log = Throttle(60)

# An id from a proxy or a client is kept only if it is short and plain, so it cannot forge
# log lines or carry markup; anything else is replaced by a fresh one.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestLogMiddleware:
    """Logs method, path, status and duration of each request, with its X-Request-ID.

    The id comes from the X-Request-ID header when it is sane, else a new uuid4 hex; it is
    sent back in the response's X-Request-ID and stamped on every log line of the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = rid
            logger.log(
                logging.ERROR if response.status_code >= 500 else logging.INFO,
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "client": client_address(request),
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers the static 503 page, not a 500.

    OperationalError and InterfaceError are the database being unreachable, restarting or
    refusing connections (also a lock or statement timeout): worth trying again shortly, so
    the page says so and sends Retry-After. Errors raised outside views reach the same page
    through handler500 (ops.views.server_error). The error is logged once a minute, with
    its traceback, not once per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return database_unavailable(exception)
        return None


def database_unavailable(exception):
    unsaid = database_log.ready("down")
    if unsaid is not None:
        database_logger.error(
            "Database unavailable: pages answer 503 (%d more failures since the last report)",
            unsaid,
            exc_info=exception,
            extra={"event": "database_down"},
        )
    return unavailable_response()
