"""A whole-site backup in one .tar.gz: every table as Django JSON, and every media file.

The archive holds `manifest.json` (format, date, applied migrations, row counts, and each
media file's size and SHA-256), `data.json` (`dumpdata` of every app but sessions and
django-axes, primary keys kept, so content types, permissions, history and admin log entries
stay linked) and `media/...`. A restore checks all of it before it writes anything, then
replaces the database's rows in one transaction.
"""

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .older_backups import OlderArchiveError, restore_older

FORMAT = 1
# Logins and lockouts are short-lived; a restored site starts with none.
EXCLUDED_APPS = ["sessions", "axes"]
# Rows `migrate` itself writes into an empty database: they do not make it "not empty".
CREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "catalogue.codesequence"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the user."""


def backed_up_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.managed
        and not model._meta.proxy
    ]


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    return sorted(
        [app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations()
    )


def media_names(directory: str = "") -> Iterator[str]:
    """Every file in media storage (local folder or object storage), depth first."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from media_names(f"{directory}/{folder}" if directory else folder)


def counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backed_up_models()
        if not model._meta.auto_created
    }


def write_backup(destination: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Writes the archive and returns its manifest. Never overwrites a file."""
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose another name.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data.json"
        # One read transaction, so every table is read as of the same moment.
        with transaction.atomic(using=using):
            if connections[using].vendor == "postgresql":
                with connections[using].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            call_command(
                "dumpdata",
                exclude=EXCLUDED_APPS,
                use_base_manager=True,
                database=using,
                output=str(data),
                verbosity=0,
            )
            manifest = {
                "format": FORMAT,
                "created": timezone.now().isoformat(),
                "django": django.get_version(),
                "migrations": applied_migrations(using),
                "rows": counts(),
                "media": [],
            }
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(data, arcname="data.json")
                for name in media_names():
                    with default_storage.open(name, "rb") as file:
                        content = file.read()
                    manifest["media"].append(
                        {
                            "name": name,
                            "size": len(content),
                            "sha256": hashlib.sha256(content).hexdigest(),
                        }
                    )
                    add_bytes(archive, f"media/{name}", content)
                add_bytes(
                    archive,
                    "manifest.json",
                    json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
                )
            partial.rename(destination)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


def restore_backup(source: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Replaces the database's rows and the media files with the archive's.

    Refuses a database that holds data unless `force`. Everything in the archive is checked
    (readable, complete, checksums, same migrations) before anything is written; the rows are
    replaced in one transaction, so a failure leaves the database as it was.
    """
    with tempfile.TemporaryDirectory() as work:
        manifest = unpack(source, Path(work))
        ours, theirs = applied_migrations(using), manifest["migrations"]
        # Made by an older version: every migration it ran, this database ran too.
        older = ours != theirs and all(pair in ours for pair in theirs)
        if ours != theirs and not older:
            missing = [f"{app}.{name}" for app, name in theirs if [app, name] not in ours]
            extra = [f"{app}.{name}" for app, name in ours if [app, name] not in theirs]
            raise BackupError(
                "The archive was made at another migration state than this database "
                f"(in the archive only: {', '.join(missing[:5]) or 'none'}; here only: "
                f"{', '.join(extra[:5]) or 'none'}). Migrate this database first, or restore "
                "the archive with the code version that made it."
            )
        if not force and (held := data_held()):
            raise BackupError(
                "The database is not empty ("
                + ", ".join(f"{count} {label}" for label, count in held.items())
                + "). Restore into an empty, freshly migrated database, or pass --force to "
                "replace everything in this one."
            )
        if older:
            restore_rows_of_older_version(Path(work) / "data.json", theirs, using)
        try:
            with transaction.atomic(using=using):
                if not older:
                    for model in backed_up_models():
                        model._base_manager.using(using).all()._raw_delete(using)
                    data = str(Path(work) / "data.json")
                    call_command("loaddata", data, database=using, verbosity=0)
                for entry in manifest["media"]:
                    name = entry["name"]
                    if default_storage.exists(name):
                        default_storage.delete(name)
                    with (Path(work) / "media" / name).open("rb") as file:
                        saved = default_storage.save(name, File(file))
                    if saved != name:
                        raise BackupError(f"Media storage saved {name} as {saved}.")
        except (DatabaseError, DeserializationError, CommandError) as error:
            raise BackupError(f"The archive's data could not be loaded: {error}") from error
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()  # pages cached from the old data
    return manifest


def restore_rows_of_older_version(data: Path, theirs: list, using: str) -> None:
    """The archive's rows at its own migrations, then migrated forward (ops/older_backups.py).

    Migrations cannot run inside one transaction with the rows: if anything fails, the
    database is left migrated and empty, as a restore expects to find it, and nothing of
    the archive stays.
    """
    try:
        with transaction.atomic(using=using):
            for model in backed_up_models():
                model._base_manager.using(using).all()._raw_delete(using)
        restore_older(data, {tuple(pair) for pair in theirs}, using)
        emit_post_migrate_signal(verbosity=0, interactive=False, db=using)
    except OlderArchiveError as error:
        raise BackupError(str(error)) from error
    except (DatabaseError, LookupError, FieldDoesNotExist, ValidationError, ValueError) as error:
        executor = MigrationExecutor(connections[using])
        executor.migrate(executor.loader.graph.leaf_nodes())
        call_command("flush", database=using, interactive=False, verbosity=0)
        raise BackupError(
            f"The archive's data could not be brought to this version: {error}"
        ) from error


def data_held() -> dict[str, int]:
    return {
        label: count
        for label, count in counts().items()
        if count and label not in CREATED_BY_MIGRATE
    }


def unpack(source: Path, work: Path) -> dict:
    """Checks every entry, extracts data.json and media/ into `work`; returns the manifest."""
    not_ours = f"{source} is not a backup made by backup_site"
    try:
        archive = tarfile.open(source, "r:gz")
    except FileNotFoundError:
        raise BackupError(f"{source} does not exist.") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{not_ours} (not a readable .tar.gz: {error}).") from None
    try:
        with archive:
            members = {member.name: member for member in archive.getmembers()}
            if "manifest.json" not in members or "data.json" not in members:
                raise BackupError(f"{not_ours} (no manifest.json or data.json).")
            for name, member in members.items():
                path = PurePosixPath(name)
                inside = name in {"manifest.json", "data.json"} or (
                    path.parts[0] == "media" and len(path.parts) > 1 and ".." not in path.parts
                )
                if not member.isfile() or path.is_absolute() or not inside:
                    raise BackupError(f"{not_ours} (unexpected entry {name!r}).")
            try:
                manifest = json.loads(archive.extractfile(members["manifest.json"]).read())
                if manifest.get("format") != FORMAT:
                    raise BackupError(
                        f"{source} has backup format {manifest.get('format')!r}; "
                        f"this version reads format {FORMAT}."
                    )
                listed = {entry["name"]: entry for entry in manifest["media"]}
                manifest["migrations"] = [list(pair) for pair in manifest["migrations"]]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise BackupError(f"{not_ours} (its manifest is damaged).") from None
            stored = {name.removeprefix("media/") for name in members if name.startswith("media/")}
            if stored != set(listed):
                raise BackupError(
                    f"{source} is incomplete: its media files differ from its manifest."
                )
            for name, entry in listed.items():
                target = work / "media" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with (
                    archive.extractfile(members[f"media/{name}"]) as file,
                    target.open("wb") as out,
                ):
                    while chunk := file.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry["sha256"] or target.stat().st_size != entry["size"]:
                    raise BackupError(f"{source} is damaged: media/{name} fails its checksum.")
            with (
                archive.extractfile(members["data.json"]) as file,
                (work / "data.json").open("wb") as out,
            ):
                shutil.copyfileobj(file, out)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{source} is damaged ({error}).") from None
    try:
        with (work / "data.json").open(encoding="utf-8") as file:
            if not isinstance(json.load(file), list):
                raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{source} is damaged: data.json is not Django JSON.") from None
    return manifest
