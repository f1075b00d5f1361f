"""Answering "is this OCOP rating genuine?" for a public product code or a decision number."""

import datetime
import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from catalogue.models import Product
from core.text import fold, printable

from .models import Certificate

MAX_QUERY_LENGTH = 100
_NOT_KEY = re.compile(r"[^0-9a-z]", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)


@dataclass
class Verdict:
    """What the register says about one product or rating today.

    `status`: "in_force", "reported" (a later report, the renewal's decision not on record),
    "may_have_expired", "expired", "undated", "revoked", "pending", "uncertified" (no rating
    on record) or "not_found".
    """

    status: str
    product: Product | None = None
    certificate: Certificate | None = None

    @classmethod
    def for_product(cls, product: Product, on: datetime.date | None = None) -> "Verdict":
        """From the product's ratings: one in force, else a later report of one, else the
        latest on record (the rule of catalogue.models.stars.rating_columns)."""
        on = on or timezone.localdate()
        ratings = sorted(product.certificates.all(), key=newest_first)
        for status in ("in_force", "reported"):
            found = [rating for rating in ratings if rating.status(on) == status]
            if found:
                return cls(status, product, found[0])
        started = [rating for rating in ratings if rating.status(on) != "pending"]
        if started:
            return cls(started[0].status(on), product, started[0])
        if ratings:
            return cls("pending", product, ratings[0])
        return cls("uncertified", product)

    @property
    def expired_since(self) -> datetime.date | None:
        """The first day the rating was no longer in force, at the latest."""
        if self.status != "expired" or self.certificate.ends_by is None:
            return None
        return self.certificate.ends_by + datetime.timedelta(days=1)


def newest_first(rating) -> tuple:
    """Dated ratings newest first, undated ones last; the higher level first on a tie."""
    return (
        rating.starts_on is None,
        -(rating.starts_on or datetime.date.min).toordinal(),
        -(rating.stars or 0),
        -rating.pk,
    )


def decision_key(text: str) -> str:
    """A decision number without accents, case, spaces or punctuation (1234/QĐ-UBND: 1234qdubnd)."""
    return _NOT_KEY.sub("", fold(text))


def clean_query(text: str) -> str:
    return " ".join(printable(text).split())[:MAX_QUERY_LENGTH]


def lookup(query: str, on: datetime.date | None = None) -> list[Verdict]:
    """The verdicts for a public product code or a decision number; [not found] when neither."""
    on = on or timezone.localdate()
    query = clean_query(query)
    product = (
        Product.objects.published()
        .with_public_code(query)
        .select_related("producer")
        .prefetch_related("certificates")
        .first()
    )
    if product is not None:
        return [Verdict.for_product(product, on)]
    certificates = matching_certificates(query)
    if certificates:
        return [Verdict(c.status(on), c.product, c) for c in certificates]
    return [Verdict("not_found")]


def matching_certificates(query: str) -> list[Certificate]:
    """Certificates of published products whose decision number is `query`, loosely written."""
    key = decision_key(query)
    digits = max(_DIGITS.findall(key), key=len, default="")
    if not digits:
        return []
    candidates = (
        Certificate.objects.filter(product__is_published=True, decision_number__contains=digits)
        .select_related("product__producer")
        .order_by("product__name", F("starts_on").desc(nulls_last=True), "pk")[:200]
    )
    return [c for c in candidates if decision_key(c.decision_number) == key]


def over_limit(client: str) -> bool:
    """Count one lookup for this client (core.clients.rate_limit_key); True past the limit.

    The count lives in the cache, shared by every process. When the cache cannot count (Redis
    down: ops/cache.py answers None), this process counts by itself: a client then gets the
    limit once per worker process at most, never unlimited lookups, and never an error.
    """
    key = "verify-rate:" + hashlib.sha256(client.encode()).hexdigest()
    seconds = settings.VERIFY_RATE_LIMIT_SECONDS
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, seconds)
        count = 1
    if count is None:
        count = count_locally(key, seconds)
    return count > settings.VERIFY_RATE_LIMIT_LOOKUPS


# The fallback counts of this process: key -> [end of its window (monotonic), lookups].
LOCAL_COUNTS: dict[str, list] = {}
LOCAL_COUNTS_MAX = 10_000


def count_locally(key: str, seconds: int) -> int:
    now = time.monotonic()
    entry = LOCAL_COUNTS.get(key)
    if entry is None or entry[0] <= now:
        LOCAL_COUNTS.pop(key, None)
        if len(LOCAL_COUNTS) >= LOCAL_COUNTS_MAX:
            for old in [old for old, (end, _count) in LOCAL_COUNTS.items() if end <= now]:
                del LOCAL_COUNTS[old]
        while len(LOCAL_COUNTS) >= LOCAL_COUNTS_MAX:  # the oldest windows go first
            del LOCAL_COUNTS[next(iter(LOCAL_COUNTS))]
        entry = LOCAL_COUNTS[key] = [now + seconds, 0]
    entry[1] += 1
    return entry[1]
