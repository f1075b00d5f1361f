"""Answering "is this OCOP rating genuine?" for a public product code or a decision number."""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from catalogue.models import Product
from core.text import fold, printable

from .models import Certificate

MAX_QUERY_LENGTH = 100
_NOT_KEY = re.compile(r"[^0-9a-z]", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)


@dataclass
class Verdict:
    """What the register says about one product or certificate today.

    `status`: "in_force", "expired", "revoked", "pending", "uncertified" or "not_found".
    """

    status: str
    product: Product | None = None
    certificate: Certificate | None = None

    @classmethod
    def for_product(cls, product: Product, on: datetime.date | None = None) -> "Verdict":
        """From the product's certificates, newest first: the one in force, else the newest."""
        certificates = sorted(
            product.certificates.all(), key=lambda c: (c.decision_date, c.pk), reverse=True
        )
        in_force = [c for c in certificates if c.status(on) == "in_force"]
        if in_force:
            return cls("in_force", product, in_force[0])
        if certificates:
            return cls(certificates[0].status(on), product, certificates[0])
        return cls("uncertified", product)

    @property
    def expired_since(self) -> datetime.date | None:
        """The first day the certificate was no longer in force."""
        if self.status != "expired":
            return None
        return self.certificate.valid_until + datetime.timedelta(days=1)


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
        .order_by("product__name", "-decision_date", "pk")[:200]
    )
    return [c for c in candidates if decision_key(c.decision_number) == key]


def over_limit(address: str) -> bool:
    """Count one lookup for this client address; True once it made more than the limit."""
    key = "verify-rate:" + hashlib.sha256(address.encode()).hexdigest()
    seconds = settings.VERIFY_RATE_LIMIT_SECONDS
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, seconds)
        count = 1
    return count > settings.VERIFY_RATE_LIMIT_LOOKUPS
