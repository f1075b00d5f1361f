"""Import jobs: a spreadsheet import (or its preview) run by a background worker."""

import datetime

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A job whose worker sends no heartbeat for this long is lost (killed, its server gone).
LOST_AFTER_SECONDS = 120
# SQLite lets one connection write at a time: the worker cannot send heartbeats while its
# import's transaction writes, so there a job is only taken for lost after an hour.
LOST_AFTER_SECONDS_SQLITE = 3600


def lost_after() -> datetime.timedelta:
    seconds = getattr(settings, "IMPORT_JOB_LOST_SECONDS", LOST_AFTER_SECONDS)
    if connection.vendor == "sqlite":
        seconds = max(seconds, LOST_AFTER_SECONDS_SQLITE)
    return datetime.timedelta(seconds=seconds)


class ImportJobQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])

    def lost(self, now: datetime.datetime | None = None):
        """Running jobs whose worker has been silent longer than lost_after()."""
        cutoff = (now or timezone.now()) - lost_after()
        return self.filter(status=ImportJob.Status.RUNNING, heartbeat__lt=cutoff)

    def fail_lost(self) -> int:
        """Mark the lost jobs failed. Their import's transaction died with the worker's
        database connection, so nothing of theirs was written."""
        return self.lost().update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=ImportJob.LOST_MESSAGE,
        )

    def visible_to(self, user):
        return self if user.is_superuser else self.filter(user=user)


class ImportJob(models.Model):
    """One run of the import on an uploaded file, and what it did, for the admin to show."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("preview (dry run)")
        IMPORT = "import", _("import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    # Its name in the private "imports" storage, kept until an import writes it.
    stored_name = models.CharField(max_length=100, editable=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    # The commune ids a commune editor may import; null: every commune.
    communes = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    written = models.BooleanField(_("written"), default=False)
    # {"producer": {"created": 1, "updated": 0, "unchanged": 2}, "product": …, "certificate": …}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # [{"row": 3, "column": "Số sao", "value": "9", "message": "…"}, …], the first MAX_ERRORS
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    invalid_rows = models.PositiveIntegerField(_("invalid rows"), default=0)
    # A preview's first changes: [{"row", "model", "action", "label", "fields"}, …]
    changes = models.JSONField(_("changes"), default=list, blank=True)
    change_count = models.PositiveIntegerField(_("changes"), default=0)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("last heard from its worker"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_total__isnull=True)
                | models.Q(rows_done__lte=models.F("rows_total")),
                name="import_job_rows_done_within_total",
            )
        ]

    LOST_MESSAGE = _(
        "The worker running this job stopped before it finished (it was killed or its server "
        "restarted). The import runs in one transaction, so nothing was written. Retry it."
    )
    MAX_ERRORS = 1000
    MAX_CHANGES = 500

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
