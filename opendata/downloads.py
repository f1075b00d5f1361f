"""The whole register as files (CSV, JSON, XLSX), made once per catalogue version and day.

The files live in the default storage under opendata/<day>-<version>/. The first request
after a change (or after midnight, when ratings may have changed state) makes the file it
asks for, holding a lock in the cache so that two processes do not make it twice; a request
that finds the lock taken waits for that file, and after WAIT_SECONDS takes the newest older
one. Older folders are deleted once a newer file is made.
"""

import datetime
import io
import json
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django_tasks import task

from catalogue.caching import current_version
from catalogue.models import Product
from core.spreadsheets import write_csv, xlsx_bytes
from registry import exporting

from . import records

FOLDER = "opendata"
BASENAME = "ocop-thai-nguyen"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LOCK_SECONDS = 600
WAIT_SECONDS = 30
CHUNK = 1000  # products serialised at a time for the JSON file


@dataclass
class DatasetFile:
    format: str
    name: str  # in the storage
    size: int
    modified: datetime.datetime

    @property
    def filename(self) -> str:
        return f"{BASENAME}-{timezone.localtime(self.modified):%Y-%m-%d}.{self.format}"

    @property
    def content_type(self) -> str:
        return FORMATS[self.format]


def headers() -> list[str]:
    return [*exporting.headers(english=True), *exporting.CURRENT_EXTRA_HEADERS]


def products():
    return Product.objects.for_listing().order_by("pk")


def csv_content() -> bytes:
    text = io.StringIO()
    write_csv(text, headers(), exporting.current_rows(products(), url=records.absolute))
    return text.getvalue().encode("utf-8")


def xlsx_content() -> bytes:
    return xlsx_bytes(headers(), exporting.current_rows(products(), url=records.absolute))


def json_content() -> bytes:
    ids = list(products().values_list("pk", flat=True))
    items = []
    for start in range(0, len(ids), CHUNK):
        chunk = records.products_for_api(products().filter(pk__in=ids[start : start + CHUNK]))
        items += records.products(list(chunk))
    document = {
        "dataset": records.absolute("/open-data/"),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "generated_at": timezone.now(),
        "count": len(items),
        "products": items,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


MAKERS = {"csv": csv_content, "json": json_content, "xlsx": xlsx_content}


def stamp(version: int | None) -> str:
    return f"{timezone.localdate().isoformat()}-{version if version is not None else 'x'}"


def describe(fmt: str, name: str) -> DatasetFile:
    return DatasetFile(
        fmt, name, default_storage.size(name), default_storage.get_modified_time(name)
    )


def older_files(fmt: str, keep: str) -> list[str]:
    """Names of this format's files in other folders, newest folder first."""
    try:
        folders, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    names = [f"{FOLDER}/{folder}/{BASENAME}.{fmt}" for folder in folders]
    names = [name for name in names if name != keep and default_storage.exists(name)]
    return sorted(names, key=default_storage.get_modified_time, reverse=True)


def make(fmt: str, name: str) -> None:
    content = MAKERS[fmt]()
    if default_storage.exists(name):  # another process made it meanwhile
        return
    default_storage.save(name, ContentFile(content))
    for old in older_files(fmt, keep=name):
        default_storage.delete(old)


def current_file(fmt: str) -> DatasetFile:
    """This format's file for the catalogue as it is today, made if needed."""
    version = current_version()
    name = f"{FOLDER}/{stamp(version)}/{BASENAME}.{fmt}"
    if default_storage.exists(name):
        return describe(fmt, name)
    if version is None:  # the cache is unreachable: no lock either; made for the day
        make(fmt, name)
        return describe(fmt, name)
    lock = f"opendata-making:{name}"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            make(fmt, name)
        finally:
            cache.delete(lock)
        return describe(fmt, name)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if default_storage.exists(name):
            return describe(fmt, name)
    older = older_files(fmt, keep=name)
    if older:
        return describe(fmt, older[0])
    make(fmt, name)
    return describe(fmt, name)


def current_files() -> list[DatasetFile]:
    return [current_file(fmt) for fmt in FORMATS]


def available_file(fmt: str) -> DatasetFile | None:
    """This format's file for today's catalogue if made, else the newest older one."""
    name = f"{FOLDER}/{stamp(current_version())}/{BASENAME}.{fmt}"
    if default_storage.exists(name):
        return describe(fmt, name)
    older = older_files(fmt, keep=name)
    return describe(fmt, older[0]) if older else None


def files_for_page() -> list[DatasetFile]:
    """The files to describe on /open-data/ without making the visitor wait for them: those
    made for today's catalogue, else the newest older ones while a background task makes
    the new ones; the very first time, made here."""
    found = {fmt: available_file(fmt) for fmt in FORMATS}
    if any(file is None for file in found.values()):
        return current_files()
    if any(
        not file.name.startswith(f"{FOLDER}/{stamp(current_version())}/") for file in found.values()
    ):
        make_files.enqueue()
    return list(found.values())


@task()
def make_files() -> None:
    """Make today's file of every format that is missing (a background task)."""
    current_files()
