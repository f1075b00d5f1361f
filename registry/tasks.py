"""Background tasks (django-tasks, the API of Django 6.0's django.tasks): imports off the request.

`manage.py db_worker` (make worker) runs them from the database queue; tests run them at once
(the immediate backend). A job is an ImportJob row, which the admin shows.
"""

import logging
import threading
from dataclasses import asdict

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_tasks import task

from . import uploads
from .importing import ImportFileError, ImportResult, import_file
from .models import ImportJob

logger = logging.getLogger("ocop.imports")

PROGRESS_EVERY = 100  # rows between two progress reports from the import


@task()
def run_import_job(job_id: int) -> None:
    """Run the queued ImportJob `job_id`: its preview (a dry run) or its import."""
    ImportJob.objects.fail_lost()
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING,
        started_at=now,
        finished_at=None,
        heartbeat=now,
        attempts=F("attempts") + 1,
        rows_done=0,
        rows_total=None,
        message="",
    )
    if not claimed:  # run already, or retried and claimed by another worker
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        run(job)


def run(job: ImportJob) -> None:
    communes = frozenset(job.communes) if job.communes is not None else None
    try:
        with uploads.local_path(job.stored_name) as path, Heartbeat(job.pk) as heartbeat:
            result = import_file(
                path,
                dry_run=job.kind == ImportJob.Kind.PREVIEW,
                skip_invalid=job.skip_invalid,
                communes=communes,
                user=job.user,
                file_name=job.file_name,
                progress=heartbeat.progress,
                progress_every=PROGRESS_EVERY,
            )
    except FileNotFoundError:
        fail(job, gettext("The uploaded file is no longer kept: upload it again."))
    except ImportFileError as error:
        fail(job, str(error))
    except Exception:
        logger.exception("Import job %s (%s) failed", job.pk, job.file_name)
        fail(
            job,
            gettext(
                "The import stopped on an unexpected error (the server's log has the details). "
                "It runs in one transaction, so nothing was written. Retry it."
            ),
        )
        raise
    else:
        finish(job, result)
        if result.written:
            uploads.storage().delete(job.stored_name)


def fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=message
    )


def finish(job: ImportJob, result: ImportResult) -> None:
    counts = {model: dict(counter) for model, counter in result.counts().items()}
    changes = [
        {**asdict(change), "model": str(change.model), "label": str(change.label)}
        for change in result.changes[: ImportJob.MAX_CHANGES]
    ]
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        rows_done=result.rows,
        rows_total=result.rows,
        written=result.written,
        counts=counts,
        errors=[asdict(error) for error in result.errors[: ImportJob.MAX_ERRORS]],
        error_count=len(result.errors),
        invalid_rows=result.invalid_rows,
        changes=changes if job.kind == ImportJob.Kind.PREVIEW else [],
        change_count=len(result.changes),
        message=summary(job, result, counts),
    )


def summary(job: ImportJob, result: ImportResult, counts: dict) -> str:
    created = sum(count.get("created", 0) for count in counts.values())
    updated = sum(count.get("updated", 0) for count in counts.values())
    if job.kind == ImportJob.Kind.PREVIEW:
        message = gettext(
            "Preview: %(created)s records would be created, %(updated)s changed. "
            "Nothing has been written yet."
        )
    elif result.written:
        message = gettext("Imported: %(created)s records created, %(updated)s updated.")
    else:
        message = gettext("The file has invalid rows: nothing was imported.")
    message %= {"created": created, "updated": updated}
    if result.errors:
        message += " " + ngettext(
            "%(rows)s row is invalid.", "%(rows)s rows are invalid.", result.invalid_rows
        ) % {"rows": result.invalid_rows}
    return message


class Heartbeat:
    """The rows done, and a sign of life from the worker, every IMPORT_JOB_HEARTBEAT_SECONDS.

    The import writes in one transaction that no one sees until it commits, so the
    heartbeat goes through a connection of its own (a thread's). SQLite lets one connection
    write at a time: there none is sent while the import runs (models.lost_after()).
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.state: tuple[int, int | None] = (0, None)  # (rows done, rows in all)
        self.interval = getattr(settings, "IMPORT_JOB_HEARTBEAT_SECONDS", 5)
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def progress(self, done: int, total: int) -> None:
        self.state = (done, total)

    def __enter__(self) -> "Heartbeat":
        # Inside a transaction (the immediate backend in a test) nobody could see the beats.
        if connection.vendor != "sqlite" and not connection.in_atomic_block:
            self.thread = threading.Thread(
                target=self.run, name=f"import-job-{self.job_id}-heartbeat", daemon=True
            )
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connection

    def beat(self) -> None:
        done, total = self.state
        try:
            ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                rows_done=done, rows_total=total, heartbeat=timezone.now()
            )
        except DatabaseError:
            logger.warning("Import job %s: heartbeat not written", self.job_id, exc_info=True)
