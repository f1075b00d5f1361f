"""How many enquiries one client may send, counted in Django's cache (as corrections/limits.py
does for reports; the two apps are siblings and share no code)."""

import hashlib
import logging

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core.clients import client_address, rate_limit_key

ENQUIRIES_PER_CLIENT = 5
WINDOW_SECONDS = 3600

logger = logging.getLogger(__name__)


class CounterUnavailable(Exception):
    """The cache that counts enquiries did not answer: refuse rather than count nothing."""


def over_limit(request) -> bool:
    """Count one enquiry from this client; True once it sent more than the limit."""
    key = "trade-enquiry-rate:" + hashlib.sha256(rate_limit_key(request).encode()).hexdigest()
    try:
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
    except Exception as error:  # any backend's connection or protocol error
        logger.warning("enquiry rate limit unavailable: %s", type(error).__name__)
        raise CounterUnavailable from error
    if count is None:  # a cache that fails open answers None
        raise CounterUnavailable
    return count > ENQUIRIES_PER_CLIENT


def client_hash(request) -> str:
    """A keyed SHA-256 of the client's address: equal for one address, useless without the key."""
    return salted_hmac("trade.enquiry", client_address(request), algorithm="sha256").hexdigest()
