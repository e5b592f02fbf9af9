"""An import started from the upload page: who sent which file, how far it has got, how it ended.

The import itself is `records.services.records_import_file`, all or nothing. The job is
the bookkeeping around it that lets the person who sent the file watch it and read every
problem found, after the request that uploaded it has long finished
(`records.import_jobs` runs it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from shinealight.records.models import ImportBatch


class ImportJob(models.Model):
    """One uploaded file on its way in: queued, running, then done, rejected or failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        IMPORTING = "importing", "Checking and writing records"
        ANALYSING = "analysing", "Linking and analysing the new records"
        DONE = "done", "Finished"
        REJECTED = "rejected", "Nothing was imported: the file has problems"
        FAILED = "failed", "Nothing was imported: the import did not finish"

    # A random key rather than a counter: the addresses of other people's jobs cannot be
    # guessed, and they never collide with the older `/records/import/<batch number>` pages.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    name = models.CharField(max_length=200, help_text="the uploaded file's name, made safe")
    size = models.BigIntegerField(help_text="bytes uploaded")
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # While the import's transaction is open these lag behind: live figures are in the
    # job's progress file (see `records.import_jobs`), and are copied here when it ends.
    bytes_done = models.BigIntegerField(default=0)
    records_checked = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    batch = models.OneToOneField(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="job"
    )
    # On rejection: every problem as [line, field, reason], in file order, up to
    # `import_jobs.ERRORS_KEPT`; `error_count` is how many were found in all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.IntegerField(default=0)
    bad_lines = models.IntegerField(default=0)
    message = models.TextField(blank=True, help_text="why a failed import stopped")

    RUNNING = (Status.QUEUED, Status.IMPORTING, Status.ANALYSING)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="import_job_by_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def errors_not_kept(self) -> int:
        return max(0, self.error_count - len(self.errors))
