"""The sources the data files name: one Source a web address, with its kind and publisher."""

import re

from core.dates import PartialDate
from sources.models import Source

from .reading import DataError

URL = re.compile(r"https?://[^\s;]+")


def urls(text: str) -> list[str]:
    """The addresses of a source cell ('https://a ; https://b'), in order, without repeats."""
    found = list(dict.fromkeys(URL.findall(text)))
    if text.strip() and not found:
        raise DataError(f"no web address in source {text!r}")
    return found


class Sources:
    """Collects every source address once; the date a row gives its single source is kept."""

    def __init__(self):
        self.published: dict[str, PartialDate | None] = {}

    def add(self, text: str, published: PartialDate | None = None) -> list[list[str]]:
        """Record the addresses of `text`; return them as natural keys."""
        found = urls(text)
        for url in found:
            if len(url) > 500:
                raise DataError(f"source address longer than 500 characters: {url}")
            self.published.setdefault(url, None)
        # Only where one address is given is the row's report date that address's date.
        if published and len(found) == 1:
            known = self.published[found[0]]
            if known is None:
                self.published[found[0]] = published
        return [[url] for url in found]

    def objects(self) -> list[dict]:
        objects = []
        for url in sorted(self.published):
            published = self.published[url]
            source = Source(url=url)
            objects.append(
                {
                    "model": "sources.source",
                    "fields": {
                        "url": url,
                        "publisher": source.site,
                        "title": "",
                        "kind": Source.kind_of(url),
                        "published_on": published.first_day.isoformat() if published else None,
                        "published_precision": published.precision if published else "day",
                        "checked_on": None,
                    },
                }
            )
        return objects
