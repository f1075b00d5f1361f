"""Imports as background jobs: progress, result and errors in the admin; lost workers; retry.

Tasks run at once in tests (conftest.tasks_run_at_once), except in the fault test at the end,
which starts real `manage.py db_worker` processes and kills one midway through an import.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalogue.models import Producer, Product
from certification.models import Certificate
from registry import tasks, uploads
from registry.models import ImportJob

from .spreadsheets import ROW, load_places, write_csv

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:catalogue_product_import")
JOBS_URL = reverse("admin:registry_importjob_changelist")


@pytest.fixture(autouse=True)
def places(tmp_path, settings):
    load_places()
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storage["OPTIONS"] = {"location": tmp_path / "uploads"}
    settings.STORAGES = settings.STORAGES | {"imports": storage}


def job_url(job, view: str = "change") -> str:
    return reverse(f"admin:registry_importjob_{view}", args=[job.pk])


def rows(count: int) -> list[dict]:
    """`count` valid rows: one producer, each row a product with its certificate."""
    return [
        ROW | {"product_name": f"Chè thử {n}", "decision_number": f"{n}/QĐ-UBND"}
        for n in range(1, count + 1)
    ]


def stored_job(path: Path, kind=ImportJob.Kind.IMPORT, **fields) -> ImportJob:
    """A job on `path`, its file waiting in the imports storage, as the admin leaves it."""
    name = uploads.storage().save(f"job-file{path.suffix}", ContentFile(path.read_bytes()))
    return ImportJob.objects.create(kind=kind, file_name=path.name, stored_name=name, **fields)


def upload(client, path):
    with path.open("rb") as file:
        return client.post(IMPORT_URL, {"file": file})


# The admin's flow


def test_a_large_file_is_previewed_by_a_job_then_imported_by_another(
    staff_client, settings, tmp_path
):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2
    response = upload(staff_client, write_csv(tmp_path / "big.csv", rows(3)))

    preview = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(preview)
    assert (preview.kind, preview.status, preview.written) == ("preview", "done", False)
    assert (preview.rows_done, preview.rows_total) == (3, 3)
    assert not Product.objects.exists()
    page = staff_client.get(job_url(preview)).content.decode()
    assert "Chè thử 3" in page  # what the import will change
    assert job_url(preview, "confirm") in page
    assert 'http-equiv="refresh"' not in page  # finished: no reload

    response = staff_client.post(job_url(preview, "confirm"))
    job = ImportJob.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == job_url(job)
    assert (job.kind, job.status, job.written) == ("import", "done", True)
    assert Product.objects.count() == 3
    assert not uploads.storage().exists(job.stored_name)  # written: the file is gone

    # Confirmed twice (a double click, the back button): the one import, shown again.
    assert staff_client.post(job_url(preview, "confirm"))["Location"] == job_url(job)
    assert ImportJob.objects.count() == 2


def test_a_small_file_is_still_previewed_in_the_request(staff_client, tmp_path):
    response = upload(staff_client, write_csv(tmp_path / "r.csv", rows(2)))
    assert response.status_code == 200 and response.context["result"].rows == 2
    assert not ImportJob.objects.exists()


def test_a_running_job_shows_its_progress_and_reloads_itself(staff_client, tmp_path):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)), status="running")
    job.rows_done, job.rows_total, job.heartbeat = 4200, 20000, timezone.now()
    job.save()
    response = staff_client.get(job_url(job))
    content = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in content
    assert '<progress max="20000" value="4200">21%</progress>' in content
    assert "<script" not in content.split("</head>")[1].split('id="content-main"')[1]
    listing = staff_client.get(JOBS_URL).content.decode()
    assert "4200 / 20000" in listing.replace(".", "").replace(",", "")


def test_a_queued_job_says_it_waits_for_a_worker(staff_client, tmp_path):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)))
    content = staff_client.get(job_url(job)).content.decode()
    assert "db_worker" in content and 'http-equiv="refresh"' in content


def test_a_refused_import_offers_to_skip_the_invalid_rows(staff_client, tmp_path):
    bad = rows(2)
    bad[1] |= {"stars": "9"}
    job = stored_job(write_csv(tmp_path / "r.csv", bad))
    tasks.run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    assert (job.status, job.written, job.invalid_rows, job.error_count) == ("done", False, 1, 1)
    content = staff_client.get(job_url(job)).content.decode()
    assert escape(_("OCOP certificates have 3, 4 or 5 stars.")) in content
    assert not Product.objects.exists()

    staff_client.post(job_url(job, "confirm"), {"skip_invalid": "1"})
    assert Product.objects.get().name == "Chè thử 1"
    retry = ImportJob.objects.latest("pk")
    assert (retry.skip_invalid, retry.written, retry.invalid_rows) == (True, True, 1)


def test_an_unreadable_file_fails_the_job_with_the_reason(staff_client, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,price\nx,1\n")
    job = stored_job(path, kind=ImportJob.Kind.PREVIEW)
    tasks.run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert _("Columns missing: %(columns)s.").split("%")[0] in job.message


# Failures: nothing half-written, a clear message, retry


def test_an_error_midway_rolls_everything_back_and_retry_imports(
    staff_client, monkeypatch, tmp_path
):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(250)), user=None)
    real_import = tasks.import_file

    def import_then_crash(path, **options):
        def progress(done, total):
            if done >= 200:
                raise RuntimeError("the worker ran out of memory")

        return real_import(path, **options | {"progress": progress})

    monkeypatch.setattr(tasks, "import_file", import_then_crash)
    tasks.run_import_job.enqueue(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == _(
        "The import stopped on an unexpected error (the server's log has the details). "
        "It runs in one transaction, so nothing was written. Retry it."
    )
    assert not Product.objects.exists() and not Producer.objects.exists()
    assert uploads.storage().exists(job.stored_name)  # kept for the retry

    monkeypatch.setattr(tasks, "import_file", real_import)
    response = staff_client.post(job_url(job, "retry"))
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    assert (job.status, job.written, job.attempts) == ("done", True, 2)
    assert Product.objects.count() == 250 and Certificate.objects.count() == 250


def test_a_job_whose_worker_went_silent_is_marked_failed_when_seen(staff_client, tmp_path):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(3)), status="running")
    job.heartbeat = timezone.now() - datetime.timedelta(hours=2)
    job.save()
    fresh = stored_job(write_csv(tmp_path / "r2.csv", rows(3)), status="running")
    fresh.heartbeat = timezone.now()
    fresh.save()

    content = staff_client.get(job_url(job)).content.decode()

    job.refresh_from_db()
    assert job.status == "failed"
    assert escape(str(ImportJob.LOST_MESSAGE)) in content
    assert job_url(job, "retry") in content
    fresh.refresh_from_db()
    assert fresh.status == "running"  # its worker is alive

    staff_client.post(job_url(job, "retry"))
    job.refresh_from_db()
    assert (job.status, job.written) == ("done", True)
    assert Product.objects.count() == 3


def test_the_silence_allowed_is_a_setting(settings, tmp_path):
    settings.IMPORT_JOB_LOST_SECONDS = 30
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)), status="running")
    job.heartbeat = timezone.now() - datetime.timedelta(seconds=60)
    job.save()
    lost = ImportJob.objects.fail_lost()
    # SQLite cannot send heartbeats while the import writes: there an hour is allowed.
    assert lost == (0 if connection.vendor == "sqlite" else 1)


def test_a_retry_without_the_file_says_to_upload_it_again(staff_client, tmp_path):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)), status="failed")
    uploads.storage().delete(job.stored_name)
    response = staff_client.post(job_url(job, "retry"), follow=True)
    assert _("The uploaded file is no longer kept: upload it again.") in [
        str(message) for message in response.context["messages"]
    ]
    job.refresh_from_db()
    assert job.status == "failed"


def test_the_heartbeat_writes_the_rows_done(tmp_path):
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)), status="running")
    heartbeat = tasks.Heartbeat(job.pk)
    heartbeat.progress(300, 20000)
    heartbeat.beat()
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total) == (300, 20000)
    assert timezone.now() - job.heartbeat < datetime.timedelta(seconds=5)


def test_stale_uploads_go_but_those_of_jobs_to_run_stay(tmp_path):
    queued = stored_job(write_csv(tmp_path / "r.csv", rows(1)))
    done = stored_job(write_csv(tmp_path / "r2.csv", rows(1)), status="done")
    old = time.time() - 2 * uploads.PendingUpload.MAX_AGE
    for job in (queued, done):
        os.utime(uploads.storage().path(job.stored_name), (old, old))
    uploads.PendingUpload.remove_stale()
    assert uploads.storage().exists(queued.stored_name)
    assert not uploads.storage().exists(done.stored_name)


# Who sees which job


def test_staff_see_only_their_own_jobs(client, django_user_model, tmp_path):
    from django.contrib.auth.models import Permission

    from registry.admin import IMPORT_PERMISSIONS

    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    for label in IMPORT_PERMISSIONS:
        app_label, codename = label.split(".")
        editor.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(editor)
    theirs = stored_job(write_csv(tmp_path / "r.csv", rows(1)), user=editor)
    other = stored_job(write_csv(tmp_path / "r2.csv", rows(1)))

    assert client.get(job_url(theirs)).status_code == 200
    assert client.get(job_url(other)).status_code == 404
    assert client.post(job_url(other, "retry")).status_code == 404
    listing = client.get(JOBS_URL)
    assert list(listing.context["cl"].result_list) == [theirs]


def test_staff_without_import_permissions_see_no_jobs(client, django_user_model, tmp_path):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    job = stored_job(write_csv(tmp_path / "r.csv", rows(1)), user=viewer)
    assert client.get(JOBS_URL).status_code == 403
    assert client.get(job_url(job)).status_code in {403, 404}


# A real worker, killed midway


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def start_worker(tmp_path: Path, *arguments: str) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "IMPORTS_ROOT": str(tmp_path / "uploads"),
        "IMPORT_JOB_HEARTBEAT_SECONDS": "0.3",
        "DJANGO_SETTINGS_MODULE": "ocop_site.settings",
    }
    env.pop("TASKS_BACKEND", None)
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.2", *arguments],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float, worker: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped before {what}:\n{worker.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is in memory, out of another process's reach "
    "(CI runs this on PostgreSQL)",
)
def test_a_worker_killed_midway_leaves_nothing_and_the_retry_imports_it_all(
    staff_client, settings, tmp_path
):
    from bench.imports import build_register

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_JOB_LOST_SECONDS = 1
    register = tmp_path / "register.csv"
    build_register(register, 2000)
    job = stored_job(register)
    tasks.run_import_job.enqueue(job.pk)

    worker = start_worker(tmp_path)
    try:
        # Killed once its progress shows rows done, in the middle of the import.
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).rows_done > 0, 120, worker, "rows done")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.status == "running" and 0 < job.rows_done < 2000

    # Nothing of the file: its one transaction died with the worker's connection.
    assert not Product.objects.exists() and not Producer.objects.exists()
    assert not Certificate.objects.exists()

    time.sleep(1.5)  # past IMPORT_JOB_LOST_SECONDS without a heartbeat
    content = staff_client.get(job_url(job)).content.decode()
    job.refresh_from_db()
    assert job.status == "failed"
    assert escape(str(ImportJob.LOST_MESSAGE)) in content

    assert staff_client.post(job_url(job, "retry")).status_code == 302
    worker = start_worker(tmp_path, "--batch")  # runs what is queued, then stops
    try:
        assert worker.wait(timeout=240) == 0, worker.stdout.read()
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert (job.status, job.written, job.rows_done, job.attempts) == ("done", True, 2000, 2)
    assert Product.objects.count() == job.counts["product"]["created"] > 0
    assert Certificate.objects.count() == job.counts["certificate"]["created"]
    assert not uploads.storage().exists(job.stored_name)
