"""Print the query plan of every SQL query a listing page runs."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

DEFAULT_PAGES = [
    "",
    "?stars=5",
    "?page=200",
    "?commune=tan-cuong&stars=4&kind=cooperative&sort=name",
    "?q=chè tân cương",
]
# A full read of the product table, in PostgreSQL's and in SQLite's words.
FULL_SCAN = {
    "postgresql": re.compile(r"Seq Scan on catalogue_product\b"),
    "sqlite": re.compile(r"\bSCAN catalogue_product\b(?! USING)"),
}


class Command(BaseCommand):
    help = (
        "Request listing pages (the page cache off) and print EXPLAIN for each read they "
        "run, then whether any reads the whole product table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "pages",
            nargs="*",
            help="Listing URLs or query strings of /products/ (e.g. '?stars=5'). "
            "Default: the listing, stars=5, page 200, a combined filter and a search.",
        )
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="PostgreSQL: run each query (EXPLAIN ANALYZE, BUFFERS) for real timings.",
        )

    def handle(self, *args, pages=(), analyze=False, **options):
        vendor = connection.vendor
        if vendor not in FULL_SCAN:
            raise CommandError(f"No EXPLAIN support for {vendor}.")
        client = Client()
        products = reverse("catalogue:product-list")
        scans = []
        with override_settings(ALLOWED_HOSTS=["testserver"], PAGE_CACHE_TIMEOUT=0):
            for page in pages or DEFAULT_PAGES:
                url = page if page.startswith("/") else products + page
                client.get(url, secure=True)  # the day's stored-stars check, template caches
                with CaptureQueriesContext(connection) as context:
                    response = client.get(url, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}.")
                self.stdout.write(self.style.MIGRATE_HEADING(f"\n# {url}"))
                self.stdout.write(f"{len(context.captured_queries)} queries")
                for number, query in enumerate(context.captured_queries, start=1):
                    sql = query["sql"]
                    self.stdout.write(self.style.MIGRATE_LABEL(f"\n## Query {number}"))
                    self.stdout.write(sql)
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        self.stdout.write("(not a SELECT: not explained)")
                        continue
                    plan = self.explain(sql, vendor, analyze)
                    self.stdout.write(plan)
                    if FULL_SCAN[vendor].search(plan):
                        scans.append(f"{url} query {number}")
        if scans:
            self.stdout.write(
                self.style.WARNING("\nFull scans of catalogue_product: " + ", ".join(scans))
            )
        else:
            self.stdout.write(self.style.SUCCESS("\nNo query reads the whole product table."))

    @staticmethod
    def explain(sql: str, vendor: str, analyze: bool) -> str:
        prefix = {
            "postgresql": "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ",
            "sqlite": "EXPLAIN QUERY PLAN ",
        }[vendor]
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            rows = cursor.fetchall()
        if vendor == "sqlite":  # (id, parent, notused, detail)
            return "\n".join(row[-1] for row in rows)
        return "\n".join(row[0] for row in rows)
