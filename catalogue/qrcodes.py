"""QR codes for product pages, drawn by segno and kept in Django's cache."""

import hashlib
import io

import segno
from django.core.cache import cache

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
# Medium error correction survives a scuffed or partly covered sticker.
ERROR_LEVEL = "m"
CACHE_SECONDS = 60 * 60 * 24 * 30


def make(url: str):
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def render(url: str, kind: str) -> bytes:
    """The QR code of `url` as an SVG or PNG file, from the cache when it was drawn before."""
    key = f"qr:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"
    data = cache.get(key)
    if data is None:
        buffer = io.BytesIO()
        if kind == "svg":
            make(url).save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title=url)
        else:
            make(url).save(buffer, kind="png", scale=10, border=4)
        data = buffer.getvalue()
        cache.set(key, data, CACHE_SECONDS)
    return data
