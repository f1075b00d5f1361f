"""Hostile input: payloads, the public addresses, and what no answer may ever be."""

import hashlib
import re
from collections import Counter

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from catalogue.models import Category, Producer, Product, ProductImage
from certification.models import Certificate
from corrections.models import CorrectionReport
from places.models import Commune, CommuneAlias
from trade.models import Enquiry

# What the run tried, for the summary line at the end of the session (see conftest.py).
TALLY = Counter()

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE catalogue_product; --",
    '" OR 1=1 --',
    "1' UNION SELECT NULL, version() --",
    "%' AND 1=0 --",
    "') OR ('a'='a",
    "1)) OR sleep(5)#",
    "\\",
    "%_%",
]
TEMPLATE = ["{{ 7*7 }}", "{% debug %}", "{{ settings.SECRET_KEY }}", "${7*7}", "{{request.META}}"]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea></title><script>alert(1)</script>",
    '" onmouseover="alert(1)',
]
LONG = ["a" * 10_001, "ệ" * 5_000, "3" * 12_000]
CONTROL = ["a\x00b", "\x00", "\x01\x02\x1b[31m\x7f", "x\r\nSet-Cookie: hacked=1", "\t\n\v\f"]
UNICODE = [
    "\u202etxt.exe",  # right-to-left override
    "che\u200b\u200d",  # zero-width characters
    "４",  # fullwidth digit
    "\ufeffche",
    "ＳＥＬＥＣＴ",
    "🍵" * 50,
    "Ch\u0065\u0300",  # decomposed accent
]
NUMBERS = ["-1", "0", "1e9", str(10**30), "NaN", "inf", "last", "3.0", " 3 ", "0x10", "-0"]
PATHS = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "/etc/passwd", "C:\\Windows\\win.ini"]
PAYLOADS = SQL + TEMPLATE + MARKUP + LONG + CONTROL + UNICODE + NUMBERS + PATHS

# Raw query strings, sent as they are: bad percent-encoding, bytes that are not UTF-8,
# encoded lone surrogates and NUL, repeated parameters.
RAW_QUERIES = [
    "q=%FF%FE",
    "q=%C0%AF",
    "q=%ED%A0%80",  # a lone surrogate, encoded
    "q=%",
    "q=%zz",
    "q=%%%",
    "q=%00",
    "q=a%00b&stars=4%00",
    "stars=3&stars=x&stars=5",
    "page=1&page=2&page=-1",
    "commune=%FF&category=%FE&kind=%00&mark=%C3%28&sort=%E2%82",
    "q",
    "=",
    "&&&",
    "q=a=b=c",
    "q[]=1&q[0]=2",
    "page=" + "9" * 400,
    "%E2%80%AEq=x",
    "q=" + "%41" * 5000,
    "sort=-stars&sort=name&sort=%3Cscript%3E",
]

# A markup payload must never come back as markup: these are the parts that would run.
UNESCAPED = [
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img src=x onerror", re.I),
    re.compile(r"<svg onload", re.I),
    re.compile(r'" onmouseover="', re.I),
    re.compile(r"</textarea></title>", re.I),
    re.compile(r'href="javascript:', re.I),
]
LEAKS = [
    "Traceback",
    "django.db",
    "django.core",
    "Exception Value",
    "OperationalError",
    "ProgrammingError",
    "DataError",
    "IntegrityError",
    "ValueError",
    "TypeError",
    "KeyError",
    "AttributeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "MultiValueDictKeyError",
    "django-insecure",
    "root:x:0:0",
]
# C0 controls other than tab, newline and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXPECTED_STATUSES = {200, 301, 302, 304, 400, 404, 405, 429}


def check(response, *, statuses=EXPECTED_STATUSES, what: str = "") -> None:
    """No server error, no leaked internals, no payload returned as markup."""
    TALLY["cases"] += 1
    if response.status_code >= 500:
        TALLY["server errors"] += 1
    assert response.status_code in statuses, (response.status_code, what)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode("utf-8", "replace")
    else:
        body = response.content.decode("utf-8", "replace")
    for leak in [*LEAKS, settings.SECRET_KEY]:
        assert leak not in body, (leak, what)
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        for pattern in UNESCAPED:
            assert not pattern.search(body), (pattern.pattern, what)
        assert not CONTROL_CHARACTERS.search(body), what
    for name, value in response.items():
        assert "\n" not in value and "\r" not in value, (name, what)
        assert not name.lower().startswith("set-cookie") or "hacked" not in value, what


def public_patterns():
    """(URL name, is under i18n_patterns, pattern) for every public page, from the URL resolver.

    Public: every named pattern outside the admin and outside the media/static file views.
    """
    found = []

    def walk(patterns, namespace, localized):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin" or entry.app_name == "admin":
                    continue
                if entry.namespace == "producers":
                    continue  # the producer portal: private, behind its sign-in (test_producers_*)
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(
                    entry.url_patterns,
                    inner,
                    localized or isinstance(entry.pattern, LocalePrefixPattern),
                )
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((f"{namespace}{entry.name}", localized, entry))

    walk(get_resolver().url_patterns, "", False)
    return found


def public_urls(samples: dict, languages=("vi", "en", "fr")) -> list[tuple[str, str]]:
    """(URL name, path) of every public page in each language, filled with `samples`.

    `samples` maps a URL name to its kwargs; a name it lacks gets an existing product's
    slug for a slug and 4 for a number, so a new page is covered without editing the tests.
    """
    urls = []
    for name, localized, pattern in public_patterns():
        converters = pattern.pattern.converters
        kwargs = samples.get(name)
        if kwargs is None:
            kwargs = {
                key: 4 if type(conv).__name__ == "IntConverter" else samples["slug"]
                for key, conv in converters.items()
            }
        for language in languages if localized else ("vi",):
            with translation.override(language):
                urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


CATALOGUE = [Product, Producer, Certificate, Commune, CommuneAlias, Category, ProductImage]
# An anonymous visitor never gets a session; hostile input never makes a correction report.
WATCHED = [*CATALOGUE, CorrectionReport, Enquiry, Session]


def snapshot(models=WATCHED) -> dict[str, tuple[int, str]]:
    """Row counts and a checksum of every watched table."""
    state = {}
    for model in models:
        rows = list(model.objects.order_by("pk").values_list())
        state[model.__name__] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state
