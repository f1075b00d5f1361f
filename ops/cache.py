"""The cache in Redis (django-redis), failing open: a Redis that is down or hung slows no page.

django-redis with IGNORE_EXCEPTIONS answers a failed read as a miss and drops a failed write,
and short socket timeouts bound each attempt. A page makes several cache calls, though, and
against a hung Redis each would wait its timeout: so after a failure this process leaves Redis
alone for RETRY_SECONDS (every call answers "miss" at once), then tries again. Failures are
logged once a minute per process, not once per request.

When Redis answers again after an outage this process saw, the ON_RECOVERY function (a dotted
path, called with no argument) runs: the page cache bumps its catalogue version there, since a
save made during the outage could not.
"""

import functools
import logging
import time
from urllib.parse import urlsplit

from django.utils.module_loading import import_string
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

from .logging import Throttle

logger = logging.getLogger("ocop.cache")

LOG_EVERY_SECONDS = 60

# django-redis's backend forwards each call that talks to Redis to the client method of the
# same name, inside its omit_exception decorator (which sets __wrapped__); `get` goes
# through `_get`. `close` only closes.
TALKS_TO_REDIS = (
    frozenset(
        name for name, member in vars(DjangoRedisCache).items() if hasattr(member, "__wrapped__")
    )
    - {"_get", "close"}
) | {"get"}


class Outage:
    """What one process knows of one Redis server's failures."""

    def __init__(self):
        self.since: float | None = None  # monotonic time of the first failure, None: up
        self.retry_at = 0.0
        self.skipped = 0
        self.log = Throttle(LOG_EVERY_SECONDS)


# Per process and per server: Django makes one backend object per thread.
OUTAGES: dict[str, Outage] = {}


class RedisCache(DjangoRedisCache):
    """django-redis's backend with a circuit breaker and throttled failure logs.

    Extra OPTIONS: RETRY_SECONDS (default 5), ON_RECOVERY (dotted path, optional).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self.on_recovery = options.pop("ON_RECOVERY", None)
        super().__init__(server, {**params, "OPTIONS": options})
        address = urlsplit(str(server).split(",")[0])
        # Host and port only: the URL may carry a password.
        self.address = f"{address.hostname}:{address.port or 6379}"
        self.outage = OUTAGES.setdefault(str(server), Outage())

    @property
    def client(self):
        return _Guarded(super().client, self)

    @property
    def is_down(self) -> bool:
        """Whether this process is leaving Redis alone after a failure."""
        return self.outage.since is not None and time.monotonic() < self.outage.retry_at

    def call(self, method, args, kwargs):
        outage = self.outage
        if self.is_down:
            outage.skipped += 1
            skipped = ConnectionInterrupted(connection=None)
            skipped.__cause__ = RedisConnectionError(
                f"not tried: Redis at {self.address} failed less than {self.retry_seconds:g} s ago"
            )
            raise skipped
        try:
            result = method(*args, **kwargs)
        except ConnectionInterrupted as error:
            self.failed(error)
            raise
        if outage.since is not None:
            self.recovered()
        return result

    def failed(self, error: ConnectionInterrupted) -> None:
        outage = self.outage
        now = time.monotonic()
        if outage.since is None:
            outage.since = now
        outage.retry_at = now + self.retry_seconds
        unsaid = outage.log.ready("down")
        if unsaid is not None:
            logger.warning(
                "Cache unavailable: Redis at %s failed (%s: %s). Pages are drawn uncached and "
                "the certificate check counts per process; Redis is tried again every %g s. "
                "%d failed and %d skipped calls since the last report.",
                self.address,
                type(error.__cause__).__name__,
                error.__cause__,
                self.retry_seconds,
                unsaid,
                outage.skipped,
                extra={"cache": self.address, "event": "cache_down"},
            )
            outage.skipped = 0

    def recovered(self) -> None:
        outage = self.outage
        seconds = time.monotonic() - outage.since
        outage.since, outage.skipped = None, 0
        outage.log.forget("down")
        logger.warning(
            "Cache available again: Redis at %s answers, after %.1f s of failures.",
            self.address,
            seconds,
            extra={"cache": self.address, "event": "cache_up"},
        )
        if self.on_recovery:
            try:
                import_string(self.on_recovery)()
            except Exception:
                logger.exception("Cache: %s failed after Redis came back", self.on_recovery)


class _Guarded:
    """The django-redis client, with each call to Redis going through the breaker."""

    def __init__(self, client, cache: RedisCache):
        self._client = client
        self._cache = cache

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name not in TALKS_TO_REDIS:
            return attribute

        @functools.wraps(attribute)
        def guarded(*args, **kwargs):
            return self._cache.call(attribute, args, kwargs)

        return guarded
