"""The page benchmark's child process, inside Django on the seeded database (bench.pages).

    python -m bench.page_probe FILE

FILE holds JSON options ({"explain": true} for the plans, on PostgreSQL). Picks the URLs
from the seeded data, measures each page's queries, bytes and time alone through the test
client, writes the listing's HTML to BENCH_PRERENDERED_PATH, and the result back into FILE.
"""

import contextlib
import gzip
import json
import sys
from pathlib import Path

from bench.common import setup_django, time_get

# Search terms from the synthetic catalogue's names; the one matching closest to 1% is used.
SEARCH_TERMS = ["mật ong rừng", "giò bê", "lạp sườn", "miến dong", "trà hoa vàng", "chả cá"]


def probe(path: Path) -> int:
    """Pick the URLs, count each page's queries and bytes, capture the listing's HTML."""
    options = json.loads(path.read_text())
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages, notes = pick_pages()
    client = Client()
    listing_sql = []
    from catalogue.caching import forget_pages

    for page in pages:
        client.get(page["url"])  # first request: templates, translations, content types
        # Cold: the first request after a change to the catalogue (a new version), whose
        # aggregates (facet counts, home and statistics figures) are drawn afresh; its queries
        # are the page's. Then warm: the aggregates of this version are kept.
        forget_pages()
        with CaptureQueriesContext(connection) as queries:
            times, response = time_get(client, page["url"])
        page["cold_ms"] = times[0]
        page["queries"] = len(queries)  # before the next request resets the query log
        if page["name"] == "listing":
            listing_sql = [q["sql"] for q in queries.captured_queries]
        page["ms"] = min(time_get(client, page["url"], repeat=3)[0])
        if response.status_code != 200:
            raise RuntimeError(f"{page['url']} answered {response.status_code}")
        page["bytes"] = len(response.content)
        page["gzip_bytes"] = len(gzip.compress(response.content, 6))
        if page["name"] == "listing":
            Path(settings.BENCH_PRERENDERED_PATH).write_bytes(response.content)
    result = {"pages": pages, "notes": notes, "db_version": db_version()}
    if options.get("explain"):
        result["plans"] = explain_listing(listing_sql)
    path.write_text(json.dumps(result))
    return 0


def pick_pages() -> tuple[list[dict], list[str]]:
    from django.db.models import Count
    from django.http import QueryDict

    from catalogue.filters import ProductFilter
    from catalogue.models import Product
    from catalogue.views import PAGE_SIZE

    listing = Product.objects.for_listing()
    total = listing.count()
    first = listing.order_by("pk").first()

    def commonest(products, field: str) -> str | None:
        row = products.values(field).annotate(n=Count("pk")).order_by("-n").first()
        return row[field] if row else None

    commune = commonest(listing.exclude(producer__commune=None), "producer__commune__slug")
    # The commune's commonest category at 4 stars; at any level if it has none at 4 stars, as
    # can happen in a catalogue of a few hundred products.
    in_commune = listing.filter(producer__commune__slug=commune)
    category = commonest(in_commune.filter(current_stars=4), "category__slug") or commonest(
        in_commune, "category__slug"
    )

    def matches(term: str) -> int:
        return ProductFilter(
            QueryDict(f"q={term}"), queryset=Product.objects.for_listing()
        ).qs.count()

    counts = {term: matches(term) for term in SEARCH_TERMS}
    term = min(counts, key=lambda t: abs(counts[t] - total / 100))
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(200, last_page)
    notes = [
        f"{total:,} products listed; search `{term}` matches {counts[term]:,} "
        f"({100 * counts[term] / max(total, 1):.1f}%)",
    ]
    if page < 200:
        notes.append(
            f"the listing has {last_page} pages: page {page} (the last) stands for page 200"
        )
    query = QueryDict(mutable=True)
    query.update({"q": term})
    pages = [
        ("home", "/"),
        ("listing", "/products/"),
        ("commune", f"/communes/{commune}/"),
        ("stars=5", "/stars/5/"),
        ("combined filter", f"/products/?commune={commune}&stars=4&category={category}"),
        (f"listing page {page}", f"/products/?page={page}"),
        ("search", f"/products/?{query.urlencode()}"),
        ("statistics", "/statistics/"),
        ("product detail", first.get_absolute_url()),
        ("producer", first.producer.get_absolute_url()),
    ]
    return [{"name": name, "url": url} for name, url in pages], notes


def db_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def explain_listing(statements: list[str]) -> list[dict]:
    """EXPLAIN ANALYZE of the listing page's queries on products, as the page sent them."""
    from django.core.management import get_commands
    from django.db import connection

    if "explain_listing" in get_commands():
        import io

        from django.core.management import call_command

        output = io.StringIO()
        with contextlib.suppress(Exception):
            call_command("explain_listing", analyze=True, stdout=output)
            if output.getvalue().strip():
                command = "python manage.py explain_listing --analyze"
                return [{"command": command, "plan": output.getvalue()}]
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT") or "catalogue_product" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append({"sql": sql, "plan": "\n".join(row[0] for row in cursor.fetchall())})
    return plans


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(probe(Path(sys.argv[1])))
