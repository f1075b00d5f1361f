from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Trigram (pg_trgm) GIN indexes let PostgreSQL answer search()'s LIKE '% word%'
# and the typo fallback from an index. SQLite has no equivalent: it scans.
INDEXES = {
    "catalogue_product_search_name_trgm": "search_name",
    "catalogue_product_search_text_trgm": "search_text",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON catalogue_product "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_translations_and_search_name")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
