"""Request logging: an id per request and one log line when it is answered."""

import logging
import re
import time
import uuid

from .logging import request_id

logger = logging.getLogger("ocop.request")

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
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)
