"""Build communes.json, categories.json, sources.json, register.json, points_of_sale.json
and the illustrations
from shared/data. sources.json also holds the official totals and the leads to verify.

Every row uses natural keys and no "pk", so `manage.py loaddata communes categories sources
register` can run any number of times; the same data gives the same output on every run. Anything
in the data the parser does not understand stops the build with a DataError.
"""

from collections.abc import Callable
from pathlib import Path

from .categories import build_categories
from .communes import build_communes
from .events import build_events
from .images import write_images
from .points_of_sale import build_points_of_sale
from .products import build_register
from .reading import DataError, read_csv
from .search_fields import add_search_fields
from .sources import Sources
from .totals import build_totals
from .writing import shown, write_json

__all__ = ["DataError", "build"]


def build(
    data: Path, output: Path, report: Callable[[str], None], warn: Callable[[str], None]
) -> None:
    """Read the CSV files in `data` and write the fixtures and images into `output`."""
    commune_rows = read_csv(data / "thai_nguyen_communes.csv")
    product_rows = read_csv(data / "thai_nguyen_ocop_products.csv")
    rating_rows = read_csv(data / "ratings.csv")
    total_rows = read_csv(data / "totals.csv")
    lead_rows = read_csv(data / "leads.csv")
    point_rows = read_csv(data / "points_of_sale.csv")
    event_rows = read_csv(data / "events.csv")

    commune_objects, communes = build_communes(commune_rows)
    category_objects, categories = build_categories()
    sources = Sources()
    register, chosen = build_register(
        product_rows, rating_rows, communes, categories, sources, warn
    )
    totals = build_totals(total_rows, lead_rows, commune_rows, sources)
    points = build_points_of_sale(point_rows, communes, sources)
    events = build_events(event_rows, communes, sources)

    fixtures = {
        "communes": commune_objects,
        "categories": category_objects,
        "sources": sources.objects() + totals,  # the sources first: the totals point to them
        "register": register,
        "points_of_sale": points,
        "events": events,
    }
    add_search_fields(fixtures)
    output.mkdir(parents=True, exist_ok=True)
    for name, objects in fixtures.items():
        write_json(output / f"{name}.json", objects)
        report(f"wrote {shown(output / f'{name}.json')}: {len(objects)} objects")
    folder = output / "media" / "products"
    write_images(chosen, folder)
    report(f"wrote {len(chosen)} images in {shown(folder)}")
