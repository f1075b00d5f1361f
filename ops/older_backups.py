"""Restoring an archive made by an older version of the site.

Its rows fit the models as they were then, not as they are now. So the database is taken
back to the archive's migrations, the rows are written through the models of that state
(Django's migration state, not today's classes), and the database is migrated forward
again: the migrations that came since convert the rows exactly as they convert a live
site's (models moved between apps, invented certificates removed, new columns filled).
"""

import json
from pathlib import Path

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from catalogue.models import fulltext


class OlderArchiveError(Exception):
    """The archive's migrations cannot be reached from this version's."""


def targets(theirs: set[tuple[str, str]], executor: MigrationExecutor) -> list[tuple]:
    """For each app of the archive, its last migration there.

    Apps that came later are left as they are: migrating back the archive's apps takes back
    whatever of theirs depends on them, and their other tables stay, empty.
    """
    graph = executor.loader.graph
    unknown = theirs - set(graph.nodes)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in sorted(unknown)[:5])
        raise OlderArchiveError(
            f"The archive was made by a newer version of the site ({names} are unknown here): "
            "restore it with that version."
        )
    chosen = []
    for app in sorted({app for app, _name in theirs}):
        theirs_in_app = [node for node in theirs if node[0] == app]
        # Within an app the migrations form a line: the last is the one no other follows.
        last = [
            node
            for node in theirs_in_app
            if not any(child in theirs_in_app for child in graph.node_map[node].children)
        ]
        chosen.append(last[0])
    return chosen


def restore_older(data: Path, theirs: set[tuple[str, str]], using: str = DEFAULT_DB_ALIAS):
    """Write the rows of `data` (dumpdata JSON) at the archive's migrations, then migrate
    forward. The database must hold no rows the archive does not replace."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    back = targets(theirs, executor)
    executor.migrate(back)
    executor.loader.build_graph()
    applied = MigrationRecorder(connection).applied_migrations()
    state = executor.loader.project_state(list(applied))
    with data.open(encoding="utf-8") as file:
        objects = json.load(file)
    models = write_rows(objects, state.apps, using)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # The migrate command's post_migrate work that the executor alone does not do: SQLite's
    # search index, whose triggers went with any table the migrations rebuilt.
    fulltext.ensure_index(using)


def write_rows(objects: list, apps, using: str) -> list:
    """Save each object as it was dumped (primary keys kept), with the models of `apps`."""
    connection = connections[using]
    models, links = {}, []
    # Rows come in the dump's order (admin log entries before content types): foreign keys
    # are checked once all are written, at the end of the transaction (PostgreSQL's deferred
    # constraints) or by check_constraints() (SQLite).
    with transaction.atomic(using=using), connection.constraint_checks_disabled():
        for obj in objects:
            model = apps.get_model(obj["model"])
            models[model._meta.label_lower] = model
            values = {}
            for name, value in obj.get("fields", {}).items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    links.append((model, obj["pk"], field, value))
                elif field.is_relation:
                    values[field.attname] = value
                else:
                    values[field.attname] = field.to_python(value)
            model(pk=obj["pk"], **values).save_base(raw=True, using=using)
        for _model, pk, field, values in links:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            through._default_manager.using(using).bulk_create(
                [through(**{f"{source}_id": pk, f"{target}_id": value}) for value in values]
            )
        connection.check_constraints(table_names=[m._meta.db_table for m in models.values()])
    return list(models.values())
