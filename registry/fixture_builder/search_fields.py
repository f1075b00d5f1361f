"""The products' search fields, computed by the models in a scratch database."""

import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from catalogue.models import Product

from .writing import write_json


@contextmanager
def scratch_database():
    """Make the default database an empty in-memory SQLite one for the block.

    The models compute the search fields through the default database, which must not be
    the site's own: the fixtures are loaded here only to be read back.
    """
    settings_dict = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )[DEFAULT_DB_ALIAS]
    scratch = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    site = connections[DEFAULT_DB_ALIAS]
    ContentType.objects.clear_cache()
    connections[DEFAULT_DB_ALIAS] = scratch
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = site
        ContentType.objects.clear_cache()
        # close() leaves an in-memory database open on purpose; this one is done with.
        if scratch.connection is not None:
            scratch.connection.close()


def add_search_fields(fixtures: dict[str, list[dict]]) -> None:
    """Fill each product's search fields as Product.save() would.

    loaddata stores rows raw, without save(), so the fixture must carry them. They
    depend on the producer, the commune's former units and the category tree, so
    the fixtures are loaded into the scratch database and the models compute them.
    """
    with scratch_database():
        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory() as folder:
            for name, objects in fixtures.items():
                write_json(Path(folder) / f"{name}.json", objects)
            call_command(
                "loaddata", *(Path(folder) / f"{name}.json" for name in fixtures), verbosity=0
            )
        Product.objects.all().refresh_search_text()
        fields = {
            slug: (search_name, search_text)
            for slug, search_name, search_text in Product.objects.values_list(
                "slug", "search_name", "search_text"
            )
        }
    for obj in fixtures["register"]:
        if obj["model"] == "catalogue.product":
            product = obj["fields"]
            product["search_name"], product["search_text"] = fields[product["slug"]]
