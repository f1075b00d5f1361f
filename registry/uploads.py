"""Uploaded spreadsheets waiting in the private "imports" storage for their preview,
confirmation and import job."""

import contextlib
import datetime
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from django.core.files.storage import storages
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import ImportJob

SUFFIXES = {".csv", ".xlsx"}


def storage():
    return storages["imports"]


@contextlib.contextmanager
def local_path(stored_name: str):
    """The stored file as a local path: itself on local disk, a temporary copy otherwise (S3)."""
    try:
        path = Path(storage().path(stored_name))
    except NotImplementedError:  # object storage has no local path
        path = None
    if path and path.is_file():
        yield path
        return
    with (
        tempfile.NamedTemporaryFile(suffix=Path(stored_name).suffix) as copy,
        storage().open(stored_name) as source,
    ):
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def count_rows(path: Path) -> int:
    """About how many data rows the file has, without reading its cells."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True)
        except Exception:  # unreadable: the import says why
            return 0
        try:
            if not workbook.worksheets:
                return 0
            sheet = workbook.worksheets[0]
            rows = sheet.max_row  # from the sheet's dimension, when the file records it
            if rows is None:
                rows = sum(1 for _ in sheet.iter_rows(values_only=True))
            return max(0, rows - 1)
        finally:
            workbook.close()
    with path.open("rb") as file:
        return max(0, sum(1 for _ in file) - 1)


class PendingUpload:
    """An uploaded file between its preview and its confirmation.

    It waits in the "imports" storage (settings.STORAGES: a private folder, or a private
    prefix of the media bucket, which every app server and worker reaches) under a random
    name; the session holds the name, so the confirm form sends back only the token, never
    a path. Once confirmed, the import job owns the file until the import has written it.
    """

    SESSION_KEY = "catalogue_import"
    TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
    MAX_AGE = 24 * 3600  # seconds

    def __init__(self, token: str, suffix: str, name: str):
        self.token, self.suffix, self.name = token, suffix, name
        self.stored_name = f"{token}{suffix}"

    @staticmethod
    def storage():
        return storage()

    @classmethod
    def save(cls, request, file) -> "PendingUpload":
        cls.remove_stale()
        if previous := cls.from_session(request):
            previous.discard(request)
        upload = cls(secrets.token_urlsafe(24), Path(file.name).suffix.lower(), file.name)
        storage().save(upload.stored_name, file)
        request.session[cls.SESSION_KEY] = {
            "token": upload.token,
            "suffix": upload.suffix,
            "name": upload.name,
        }
        return upload

    @classmethod
    def remove_stale(cls) -> None:
        """Delete the uploads nobody confirmed within MAX_AGE, except those of jobs to run."""
        try:
            names = storage().listdir("")[1]
        except FileNotFoundError:  # nothing uploaded yet
            return
        cutoff = timezone.now() - datetime.timedelta(seconds=cls.MAX_AGE)
        kept = set(ImportJob.objects.unfinished().values_list("stored_name", flat=True))
        for name in names:
            if name not in kept and storage().get_modified_time(name) < cutoff:
                storage().delete(name)

    @classmethod
    def from_session(cls, request) -> "PendingUpload | None":
        stored = request.session.get(cls.SESSION_KEY)
        token = request.POST.get("token", stored and stored["token"])
        if not stored or not cls.TOKEN.match(token or ""):
            return None
        if not constant_time_compare(token, stored["token"]):
            return None
        if stored["suffix"] not in SUFFIXES:
            return None
        upload = cls(stored["token"], stored["suffix"], stored["name"])
        return upload if storage().exists(upload.stored_name) else None

    def local_path(self):
        return local_path(self.stored_name)

    def hand_over(self, request) -> None:
        """The file now belongs to an import job: the session forgets it, storage keeps it."""
        request.session.pop(self.SESSION_KEY, None)

    def discard(self, request) -> None:
        storage().delete(self.stored_name)
        request.session.pop(self.SESSION_KEY, None)
