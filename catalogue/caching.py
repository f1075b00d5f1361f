"""The anonymous page cache, and the catalogue version that invalidates it.

Every public page is stored whole in Django's cache, under a key made of its absolute URL,
its language and the site's date (Asia/Ho_Chi_Minh), and stamped with the catalogue version:
one integer that any change to what the pages show bumps. A page stamped with an older
version is never served, so no change waits for a timeout, and a certificate that expires at
midnight loses its stars on the first request of the next day.
"""

import functools
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

VERSION_KEY = "catalogue-version"
# Seconds an aggregate (remember()) may stay cached; a new version or day replaces it sooner.
AGGREGATE_TIMEOUT = 60 * 60 * 24


def _start_version() -> int | None:
    """The version now; None when the cache is unreachable (pages are then drawn, not stored)."""
    # Random, never 1: after the key is evicted, pages stamped before can't match again.
    cache.add(VERSION_KEY, secrets.randbelow(2**62), timeout=None)
    return cache.get(VERSION_KEY)


def current_version() -> int | None:
    """The catalogue version now (None when the cache is unreachable), for other answers
    validated by it: the open-data API's ETags and downloads."""
    return _start_version()


def _bump() -> None:
    # An unreachable cache (ops/cache.py) answers None here and the bump is lost: the cache
    # calls forget_pages() when it is reachable again.
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing (evicted, flushed): any new value invalidates
        _start_version()


def forget_pages() -> None:
    """Make every cached page stale at once, e.g. when the cache is back after an outage."""
    _bump()


def bump_version(**kwargs) -> None:
    """Invalidate every cached page: now, and again when the current transaction commits.

    Now, so the next request in this transaction sees the change; after the commit, because
    another process may have cached the old rows under the new version meanwhile. A rolled-back
    transaction bumps once, harmlessly. Usable as a signal receiver.
    """
    _bump()
    connection = transaction.get_connection()
    # One bump per transaction is enough at commit, however many rows an import saves.
    if not any(entry[1] is _bump for entry in connection.run_on_commit):
        transaction.on_commit(_bump)


def watch(*models) -> None:
    """Bump the version whenever one of `models` is saved or deleted, or its relations change."""
    for model in models:
        post_save.connect(bump_version, sender=model, dispatch_uid=f"page-cache-save-{model}")
        post_delete.connect(bump_version, sender=model, dispatch_uid=f"page-cache-del-{model}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                bump_version,
                sender=field.remote_field.through,
                dispatch_uid=f"page-cache-m2m-{model}-{field.name}",
            )


def _may_be_signed_in(request) -> bool:
    # Only a session cookie can make a user; without one, no query is needed to know.
    # Pending flash messages ride in a cookie (or the session) and must be shown, not cached.
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _worth_caching(request, parameters: frozenset[str]) -> bool:
    # Each address is a page of its own, so whatever a visitor can vary at will must not make
    # one: search text (q) is drawn every time, and so is any parameter the view does not read
    # (fbclid, utm_*, made-up ones) or repeats. Values the view refuses, or a page number it
    # does not show, are marked by the view (one_off).
    return not request.GET.get("q") and all(
        name in parameters and len(request.GET.getlist(name)) == 1 for name in request.GET
    )


def one_off(response):
    """Mark a page drawn for an address that shows another's content (a refused filter value,
    a page number past the end): it is not stored, so made-up values cannot fill the cache."""
    response.page_cache_one_off = True
    return response


def _page_key(request, language: str | None = None) -> str:
    url = request.build_absolute_uri()  # host and scheme too: pages print absolute URLs
    digest = hashlib.sha256(url.encode()).hexdigest()
    language = language or translation.get_language()
    return f"page:{timezone.localdate().isoformat()}:{language}:{digest}"


def _cacheable(request, response) -> bool:
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and "private" not in response.get("Cache-Control", "")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a CSRF token
        and not (messages is not None and messages.used)
        and not (session is not None and session.modified)
        and not getattr(response, "page_cache_one_off", False)
    )


def cache_public_page(view=None, *, parameters=()):
    """Serve anonymous visitors from the page cache; signed-in staff always get a fresh page.

    `parameters`: the query parameters the view reads; an address with any other is drawn
    every time. Anonymous pages may be kept by browsers but are revalidated each time (ETag,
    304); staff pages are never stored anywhere.
    """
    if view is None:
        return functools.partial(cache_public_page, parameters=parameters)
    parameters = frozenset(parameters)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if _may_be_signed_in(request):
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        timeout = settings.PAGE_CACHE_TIMEOUT
        if timeout and _worth_caching(request, parameters):
            # The date is read before rendering: a page drawn across midnight is stored
            # under the earlier day, never served to the next one.
            key = _page_key(request)
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            if version is None:
                version = _start_version()
            stored = found.get(key)
            if version is not None and stored is not None and stored[0] == version:
                response = stored[1]
            else:
                response = view(request, *args, **kwargs)
                if version is not None and _cacheable(request, response):
                    if getattr(request, "page_cache_early", False):
                        # Stored by PageCacheMiddleware with the headers of the middleware
                        # between it and here, and served from there next time.
                        response.page_cache_entry = (key, version, timeout)
                    else:
                        cache.set(key, (version, response), timeout)
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        # Signed-in staff get other headers for the same address.
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def remember(name: str, compute, timeout: int | None = None):
    """compute(), kept in the cache until the catalogue version or the site's date changes.

    For aggregates over the whole catalogue (the home page's figures, the statistics, a
    listing's facet counts): drawn once per version and day, whatever the page cache does.
    The value must pickle (raw rows, lazy strings; not LocalizedText).
    """
    key = f"aggregate:{timezone.localdate().isoformat()}:{name}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = _start_version()
    stored = found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    if version is not None:
        cache.set(key, (version, value), AGGREGATE_TIMEOUT if timeout is None else timeout)
    return value


class PageCacheMiddleware:
    """Serve a cached anonymous page before the middleware a stored page has no use for:
    sessions, locale, CSRF, authentication, messages, axes and history.

    It sits right after the CSP middleware: the middleware above it (security, request log,
    WhiteNoise, gzip, ETag, CSP) still handles every response; the headers of those below it
    (Content-Language, Vary, X-Frame-Options) are stored with the page, which
    cache_public_page drew and marked (page_cache_entry) on its way out. The key is the one
    cache_public_page uses: the language comes from the path as LocaleMiddleware reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = (
            request.method in ("GET", "HEAD")
            and settings.PAGE_CACHE_TIMEOUT
            and not _may_be_signed_in(request)
            and not request.GET.get("q")
        )
        if early:
            language = (
                translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
            )
            key = _page_key(request, language)
            found = cache.get_many([VERSION_KEY, key])
            stored, version = found.get(key), found.get(VERSION_KEY)
            if version is not None and stored is not None and stored[0] == version:
                return stored[1]
            request.page_cache_early = True
        response = self.get_response(request)
        entry = getattr(response, "page_cache_entry", None)
        if entry is not None:
            del response.page_cache_entry
            key, version, timeout = entry
            if not response.cookies:  # set below this middleware (CSRF, session, language)
                cache.set(key, (version, response), timeout)
        return response
