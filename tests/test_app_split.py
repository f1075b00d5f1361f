"""The move of communes, editors and quality marks out of the catalogue app keeps every row.

A database at the migrations from before the move, holding the fixtures and staff edits
(a renamed product, a former unit, a quality mark, a commune editor with group rights, an
admin log entry), is migrated to today's: every count, and every product's name, slug, public
code and stars, are the same, and the rights and log entries follow the moved models. A backup
archive made by the code from before the move restores today.
"""

import hashlib
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from catalogue.models import Product, fulltext
from certification.models import Certificate
from editors.models import CommuneEditor
from marks.models import QualityMark
from ops.backup import restore_backup
from ops.older_backups import write_rows
from places.models import Commune

DATA = Path(__file__).parent / "data"
# Apps that came later stay as they are: their migrations that depend on these go back.
BEFORE = [("catalogue", "0013_stored_certificate_index"), ("certification", "0002_history")]
MOVED = {
    "commune": "places",
    "communealias": "places",
    "communeeditor": "editors",
    "qualitymark": "marks",
}
# Table -> the model that owns it before and after the move (same table, other app).
TABLES = [
    "catalogue_commune",
    "catalogue_communealias",
    "catalogue_communeeditor",
    "catalogue_communeeditor_communes",
    "catalogue_qualitymark",
    "catalogue_qualitymark_products",
    "catalogue_producer",
    "catalogue_product",
    "catalogue_productimage",
    "catalogue_category",
    "catalogue_historicalproduct",
    "certification_certificate",
    "django_admin_log",
    "auth_permission",
    "auth_group_permissions",
    "django_content_type",
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    fulltext.ensure_index()  # as the migrate command does after migrating (SQLite's search)
    ContentType.objects.clear_cache()
    applied = MigrationRecorder(connection).applied_migrations()
    return MigrationExecutor(connection).loader.project_state(list(applied)).apps


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def products_checksum(product_model) -> str:
    rows = product_model.objects.order_by("pk").values_list(
        "pk", "name", "slug", "public_code", "stored_stars", "producer__commune__slug"
    )
    return hashlib.sha256(json.dumps(list(rows)).encode()).hexdigest()


def communes_checksum(commune_model) -> str:
    rows = commune_model.objects.order_by("pk").values_list("pk", "name", "slug")
    aliases = commune_model.objects.order_by("aliases__pk").values_list("aliases__slug", "slug")
    return hashlib.sha256(json.dumps([list(rows), list(aliases)]).encode()).hexdigest()


def group_permissions(group_model, name) -> set[str]:
    group = group_model.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def moved_label(permission: str) -> str:
    """catalogue.view_commune -> places.view_commune; the others stay."""
    app, codename = permission.split(".")
    model = codename.split("_", 1)[1]
    return f"{MOVED[model]}.{codename}" if app == "catalogue" and model in MOVED else permission


@pytest.fixture
def before_the_move(transactional_db):
    """The test database taken back to the migrations from before the move; forward after."""
    old = migrate(BEFORE)
    yield old
    migrate(leaf_nodes())


# The move itself (places, editors and marks 0001 stayed applied: nothing took them back).
SPLIT = [("catalogue", "0014_models_moved_out"), ("certification", "0004_commune_in_places")]


def archive_rows() -> list[dict]:
    """The rows of the archive made before the move: the fixtures and staff edits of then
    (tests/data/README.md)."""
    with tarfile.open(DATA / "backup-before-app-split.tar.gz") as archive:
        return json.load(archive.extractfile("data.json"))


def test_the_move_keeps_every_row(before_the_move):
    """A database of before the move, with the fixtures and staff edits of then (a renamed
    product, a former unit, a quality mark, a commune editor with group rights, admin log
    entries, a deleted product), migrated across the move."""
    old = before_the_move
    with connection.constraint_checks_disabled():
        for model in old.get_models(include_auto_created=True):
            model._base_manager.all()._raw_delete(connection.alias)
    write_rows(archive_rows(), old, connection.alias)
    facts = json.loads((DATA / "backup-before-app-split.json").read_text())
    counts = table_counts()
    products = products_checksum(old.get_model("catalogue", "Product"))
    communes = communes_checksum(old.get_model("catalogue", "Commune"))
    assert counts["catalogue_product"] == facts["rows"]["catalogue.product"]

    new = migrate(SPLIT)

    assert table_counts() == counts
    assert products_checksum(new.get_model("catalogue", "Product")) == products
    assert communes_checksum(new.get_model("places", "Commune")) == communes
    content_types = new.get_model("contenttypes", "ContentType").objects
    for model, content_type in facts["content_types"].items():
        moved = content_types.get(pk=content_type["id"])
        assert (moved.app_label, moved.model) == (MOVED[model], model)
        assert not content_types.filter(app_label="catalogue", model=model).exists()
    group = new.get_model("auth", "Group")
    for name, permissions in facts["group_permissions"].items():
        assert group_permissions(group, name) == {moved_label(label) for label in permissions}
    entries = new.get_model("admin", "LogEntry").objects.filter(content_type__model="commune")
    assert {entry.content_type.app_label for entry in entries} <= {"places"}
    editor = new.get_model("editors", "CommuneEditor").objects.get()
    assert (
        sorted(editor.communes.values_list("slug", flat=True))
        == facts["commune_editor"]["communes"]
    )
    mark = new.get_model("marks", "QualityMark").objects.get(slug=facts["quality_mark"]["slug"])
    assert sorted(mark.products.values_list("slug", flat=True)) == facts["quality_mark"]["products"]


def test_the_move_can_be_undone(before_the_move):
    """Migrating back gives the catalogue app its models' content types again."""
    migrate(leaf_nodes())
    migrate(BEFORE)
    assert set(ContentType.objects.filter(model__in=MOVED).values_list("app_label", flat=True)) == {
        "catalogue"
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_before_the_move_restores(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    facts = json.loads((DATA / "backup-before-app-split.json").read_text())
    manifest = restore_backup(DATA / "backup-before-app-split.tar.gz", force=True)

    # Made before places existed: restored at its migrations, then migrated forward.
    assert ["places", "0001_initial"] not in manifest["migrations"]

    assert [[p.slug, p.name, p.public_code] for p in Product.objects.order_by("slug")] == [
        [slug, name, code] for slug, name, code, _stars in facts["products"]
    ]
    # The invented certificates of then (DEMO-…) are gone: a migration since removed them.
    assert not Certificate.objects.filter(decision_number__startswith="DEMO").exists()
    assert sorted(Commune.objects.values_list("slug", flat=True)) == facts["communes"]
    editor = CommuneEditor.objects.get()
    assert editor.user.username == facts["commune_editor"]["username"]
    assert (
        sorted(editor.communes.values_list("slug", flat=True))
        == facts["commune_editor"]["communes"]
    )
    for name, permissions in facts["group_permissions"].items():
        assert group_permissions(Group, name) == {moved_label(label) for label in permissions}
    for model, content_type in facts["content_types"].items():
        assert ContentType.objects.get(pk=content_type["id"]).app_label == MOVED[model]
    mark = QualityMark.objects.get(slug=facts["quality_mark"]["slug"])
    assert sorted(mark.products.values_list("slug", flat=True)) == facts["quality_mark"]["products"]
