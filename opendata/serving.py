"""How every address under /api/v1/ is served: CORS, the per-client rate limit, HEAD, and
answers validated and cached by the catalogue version.

An answer depends only on the catalogue's rows and the day (ratings expire at midnight), never
on who asks. So its ETag is made of the catalogue version (catalogue/caching.py), the site's
date and the address, known before any query: a client that sends it back gets a 304 at the
cost of one cache read. Answers are stored in the cache beside the pages, stamped with the
version, and only for addresses whose every parameter the API reads (no search text), so
made-up parameters cannot fill the cache.
"""

import functools
import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag

from catalogue.caching import VERSION_KEY, current_version
from catalogue.filters import ProductFilter
from core.clients import rate_limit_key

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Every operation's query parameters: an address with others is drawn, never stored.
PARAMETERS = frozenset(
    [*(name for name in ProductFilter.base_filters if name != "sort")]
    + ["cursor", "limit", "changed_since", "product"]
)
# Headers a page on another site may read from a cross-origin answer.
EXPOSED = "ETag, Last-Modified, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"


def cors(response: HttpResponse) -> HttpResponse:
    """Any site may read the API (GET only; no cookies are sent or read)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED
    return response


def preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = "GET, HEAD, OPTIONS"
    return cors(response)


def json_response(status: int, body: dict) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def count_request(request) -> tuple[int, int, int] | None:
    """(requests counted, limit, seconds left in the window) for this client, or None when
    the limit is off or the cache does not answer.

    A fixed window per client (IPv4 address or IPv6 /64 behind TRUSTED_PROXIES). The API
    only reads, so an unreachable cache lets requests through rather than refusing them all.
    """
    limit, window = settings.OPENDATA_API_RATE_LIMIT, settings.OPENDATA_API_RATE_WINDOW
    if not limit:
        return None
    now = time.time()
    slot = int(now // window)
    client = hashlib.sha256(rate_limit_key(request).encode()).hexdigest()[:32]
    key = f"opendata-rate:{slot}:{client}"
    try:
        try:
            count = cache.incr(key)  # one round trip, but for the window's first request
        except ValueError:  # not there yet (or expired just now)
            count = 1 if cache.add(key, 1, window + 1) else cache.incr(key)
    except Exception as error:  # any backend's connection error
        logger.warning("API rate limit unavailable: %s", type(error).__name__)
        return None
    if count is None:  # a cache that fails open (ops/cache.py)
        return None
    return count, limit, max(1, math.ceil((slot + 1) * window - now))


def too_many(limit: int, wait: int) -> HttpResponse:
    response = json_response(
        429,
        {
            "detail": f"Too many requests: {limit} per {settings.OPENDATA_API_RATE_WINDOW} "
            f"seconds from one address. Try again in {wait} seconds, or download the whole "
            "register from /open-data/.",
            "errors": [],
        },
    )
    response["Retry-After"] = str(wait)
    return response


# {version: when first served}, so that a cached answer costs no extra cache round trip.
SEEN_AT: dict[int, float] = {}


def version_seen_at(version: int) -> float:
    """When this site first served catalogue `version` (its Last-Modified)."""
    if version not in SEEN_AT:
        key = f"opendata-version-time:{version}"
        cache.add(key, time.time(), None)
        SEEN_AT.clear()  # only the current version matters
        SEEN_AT[version] = cache.get(key) or time.time()
    return SEEN_AT[version]


def last_modified(version: int) -> float:
    # Ratings change state at midnight (Asia/Ho_Chi_Minh) without a new version.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return max(version_seen_at(version), midnight.timestamp())


def worth_caching(request, parameters: frozenset[str]) -> bool:
    return not request.GET.get("q") and all(
        name in parameters and len(request.GET.getlist(name)) == 1 for name in request.GET
    )


def finish(request, response: HttpResponse, counted, head: bool) -> HttpResponse:
    if counted:
        response["X-RateLimit-Limit"] = str(counted[1])
        response["X-RateLimit-Remaining"] = str(max(0, counted[1] - counted[0]))
    if head:
        response.content = b""
    return cors(response)


class ApiMiddleware:
    """Answer what needs no view before the middleware the API has no use for (sessions,
    locale, CSRF, authentication, messages, axes, history), as the page cache does
    (catalogue.caching.PageCacheMiddleware): preflights, the rate limit's 429, 304s and
    stored answers. Anything else goes on to the view, wrapped by served()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return preflight()
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        counted = request.opendata_counted = count_request(request)
        if counted and counted[0] > counted[1]:
            return cors(too_many(counted[1], counted[2]))
        response, _lookup = look_up(request, storing(request, PARAMETERS))
        if response is not None:
            return finish(request, response, counted, request.method == "HEAD")
        return self.get_response(request)


def storing(request, parameters) -> bool:
    return bool(settings.PAGE_CACHE_TIMEOUT) and worth_caching(request, parameters)


def served(view, *, cacheable: bool, parameters: frozenset[str] = frozenset()):
    """Wrap one of the API's URL views; `cacheable` answers follow the catalogue version."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return preflight()
        head = request.method == "HEAD"
        if head:  # the operations are declared for GET; HEAD is the same without the body
            request.method = "GET"
        if request.method != "GET":  # the API only reads
            return cors(HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"]))
        if hasattr(request, "opendata_counted"):  # by ApiMiddleware
            counted = request.opendata_counted
        else:
            counted = count_request(request)
            if counted and counted[0] > counted[1]:
                return cors(too_many(counted[1], counted[2]))
        with translation.override("en"):  # the API's messages are in English
            response = answer(request, view, args, kwargs, cacheable, parameters)
        if head:
            request.method = "HEAD"
        return finish(request, response, counted, head)

    return wrapper


@dataclass
class Lookup:
    version: int
    key: str
    etag: str
    modified: float
    store: bool


def look_up(request, store: bool) -> tuple[HttpResponse | None, Lookup | None]:
    """(the answer when it needs no view: a 304 or the stored one, else None; what to
    validate and store a drawn answer with, or None when the cache is unreachable)."""
    url = request.build_absolute_uri()
    day = timezone.localdate().isoformat()
    key = f"api:{day}:{hashlib.sha256(url.encode()).hexdigest()}"
    # The version and the stored answer in one round trip; only the version to revalidate.
    revalidating = "If-None-Match" in request.headers
    found = cache.get_many([VERSION_KEY, key] if store and not revalidating else [VERSION_KEY])
    version = found.get(VERSION_KEY)
    if version is None:
        version = current_version()
    if version is None:  # the cache is unreachable: drawn, neither validated nor stored
        return None, None
    digest = hashlib.sha256(f"{version}:{day}:{url}".encode()).hexdigest()[:32]
    lookup = Lookup(version, key, quote_etag(digest), last_modified(version), store)
    if lookup.etag in request.headers.get("If-None-Match", ""):
        return validated(HttpResponse(status=304), lookup), lookup
    stored = found.get(key) if key in found else (cache.get(key) if store else None)
    if stored is not None and stored[0] == version:
        _version, content, content_type, link = stored
        response = HttpResponse(content, content_type=content_type)
        if link:
            response["Link"] = link
        return validated(response, lookup), lookup
    return None, lookup


def answer(request, view, args, kwargs, cacheable, parameters) -> HttpResponse:
    if not cacheable:
        return view(request, *args, **kwargs)
    response, lookup = look_up(request, storing(request, parameters))
    if response is not None:
        return response
    response = view(request, *args, **kwargs)
    if lookup is None or response.status_code != 200:
        return response
    if lookup.store and not response.streaming:
        entry = (lookup.version, response.content, response["Content-Type"], response.get("Link"))
        cache.set(lookup.key, entry, settings.PAGE_CACHE_TIMEOUT)
    return validated(response, lookup)


def validated(response: HttpResponse, lookup: Lookup) -> HttpResponse:
    response["ETag"] = lookup.etag
    response["Last-Modified"] = http_date(lookup.modified)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
