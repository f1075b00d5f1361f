"""Time and profile the public pages, uncached, on the database of DATABASE_URL.

    DATABASE_URL=postgres://…/ocop_speed .venv/bin/python -m bench.profile [--repeat 9]
        [--only listing,search] [--profile DIR]

Seed the database first (`manage.py seed_catalogue --products 100000`). Each page
is fetched through the test client with DEBUG off: once to warm the caches, then
`--repeat` times. Prints a markdown table of the median and worst time, the number
of SQL queries and the HTML size; with --profile, writes one pyinstrument text
profile per page to DIR. Unlike the other benchmarks, this one runs inside Django
itself (the settings below are defaults: the environment's own values win).
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

from bench.common import settings, setup_django, time_get


def pages() -> dict[str, str]:
    """Label -> URL of each page worth timing, on whatever catalogue is loaded."""
    from django.db.models import Count
    from django.urls import reverse

    from catalogue.models import Producer, Product

    # The commune model, wherever its app is: the one producers point to.
    commune_model = Producer._meta.get_field("commune").related_model
    products = reverse("catalogue:product-list")
    commune = commune_model.objects.with_product_count().order_by("-product_count").first()
    producer = (
        Producer.objects.annotate(n=Count("products")).filter(n__gte=3).order_by("-n", "pk").first()
        or Producer.objects.order_by("pk").first()
    )
    count = Product.objects.count()
    product = Product.objects.order_by("pk")[count // 2 : count // 2 + 1].get()
    return {
        "home": reverse("catalogue:home"),
        "listing": products,
        "commune": commune.get_absolute_url(),
        "stars=5": reverse("catalogue:star-detail", args=[5]),
        "combined": f"{products}?commune={commune.slug}&stars=4&kind=cooperative&sort=name",
        "page 200": f"{products}?page=200",
        "search": f"{products}?q=ch%C3%A8+t%C3%A2n+c%C6%B0%C6%A1ng",
        "search+stars": f"{products}?q=mat+ong&stars=4",
        "typo": f"{products}?q=tan+cung",
        "detail": product.get_absolute_url(),
        "producer": producer.get_absolute_url(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--only", help="Comma-separated page labels.")
    parser.add_argument("--profile", type=Path, help="Write pyinstrument profiles here.")
    args = parser.parse_args()

    defaults = settings(ALLOWED_HOSTS="testserver", PAGE_CACHE_TIMEOUT="0")
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    setup_django()
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    # Hashed static file names need collectstatic; plain storage keeps the script standalone.
    storage = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={**django.conf.settings.STORAGES, **storage}):
        targets = pages()
        if args.only:
            wanted = args.only.split(",")
            targets = {label: url for label, url in targets.items() if label in wanted}
        print(f"{connection.vendor}, DEBUG={django.conf.settings.DEBUG}\n")
        print("| page | median ms | max ms | queries | HTML KB | URL |")
        print("|---|--:|--:|--:|--:|---|")
        for label, url in targets.items():
            queries = []
            with connection.execute_wrapper(
                lambda execute, sql, *rest, log=queries: log.append(sql) or execute(sql, *rest)
            ):
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times, _ = time_get(client, url, args.repeat)
            print(
                f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} "
                f"| {len(queries)} | {len(response.content) / 1024:.1f} | `{url}` |",
                flush=True,
            )
            if args.profile:
                profile(client, url, args.profile / f"{label.replace(' ', '_')}.txt")
    return 0


def profile(client, url: str, path: Path) -> None:
    from pyinstrument import Profiler

    path.parent.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(5):
            client.get(url)
    path.write_text(profiler.output_text(unicode=True, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
