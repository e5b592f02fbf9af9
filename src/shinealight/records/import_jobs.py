"""Imports started from the upload page: spooled to disk, run in a background thread, watched.

The upload is written to `SHINEALIGHT_HOME/spool/imports/<job>/` and an `ImportJob` row
is created; a daemon thread in the web process then runs `records_import_file` on it (or
the request does, when `SHINEALIGHT_IMPORT_IN_BACKGROUND` is off) and writes how it ended.

Live progress is not written to the database. The import holds one transaction from its
first record to its last hook, and on SQLite that transaction holds the database's only
write lock: a progress UPDATE from the import's own callback would wait on itself, and
from another connection would wait for the import to finish. So the import's progress
callback only sets figures in memory, and a watcher thread writes them to
`<job>/progress.json` at most every `PROGRESS_EVERY` seconds and at least every
`HEARTBEAT_EVERY` (its age is the job's heartbeat, readable from every server process).
The job's row changes at the start and at the end, outside the import's transaction.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.records.jobs import ImportJob
from shinealight.records.models import ImportBatch
from shinealight.records.services import (
    AFTER_IMPORT,
    BATCH_SIZE,
    ImportRejected,
    records_import_file,
)

log = logging.getLogger(__name__)

# Problems kept with a rejected job. A file can break on every line; beyond this the job
# keeps the count of the rest (the CLI `shinealight import` still lists them all).
ERRORS_KEPT = 100_000
PROGRESS_EVERY = 0.5  # seconds between progress writes while figures change
HEARTBEAT_EVERY = 10.0  # seconds between progress writes while nothing changes
# A running job whose heartbeat is older than this has no thread behind it any more: the
# server stopped (or was restarted) during the import, whose transaction then rolled back.
STALE_AFTER = timedelta(minutes=5)

STOPPED_MESSAGE = (
    "The server stopped during the import. Nothing was imported – the import is all or "
    "nothing. Please upload the file again."
)
CRASHED_MESSAGE = (
    "The import stopped with an unexpected error. Nothing was imported – the import is all "
    "or nothing. Please upload the file again; if this happens again, tell the service's "
    "administrators the time of the upload."
)

# Jobs whose thread runs in this process.
_threads: dict[uuid.UUID, threading.Thread] = {}
_threads_lock = threading.Lock()
# The progress of the job the current thread is importing, for the after-import hook.
_current = threading.local()


@dataclass
class JobProgress:
    """How far one import has got, as its callback reports it (in memory, one thread writes)."""

    stage: str = ImportJob.Status.QUEUED
    bytes_done: int = 0
    records_checked: int = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        # `records_import_rows` calls this every BATCH_SIZE records it has checked, and
        # once more after it commits (when the final figures replace these).
        self.bytes_done = done
        self.records_checked += BATCH_SIZE

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": str(self.stage),
            "bytes_done": self.bytes_done,
            "records_checked": self.records_checked,
        }


def _mark_analysing(batch: ImportBatch) -> None:
    """First of the after-import hooks: from here on the job is linking and analysing."""
    progress = getattr(_current, "progress", None)
    if progress is not None:
        progress.stage = ImportJob.Status.ANALYSING


# First, so the stage changes before linkage, extraction and alerts start their work.
if _mark_analysing not in AFTER_IMPORT:
    AFTER_IMPORT.insert(0, _mark_analysing)


# --- the spool folder ---------------------------------------------------------------------


def spool_root() -> Path:
    """Where uploads wait and run: under SHINEALIGHT_HOME, like the database."""
    return Path(settings.HOME) / "spool" / "imports"


def job_folder(job_id: uuid.UUID) -> Path:
    return spool_root() / str(job_id)


def safe_name(name: str) -> str:
    """The uploaded file's name without any folder, reduced to characters safe on disk."""
    base = Path(name).name or "upload.jsonl"
    return re.sub(r"[^A-Za-z0-9._-]", "_", base)[-200:]


def _write_progress(job_id: uuid.UUID, progress: JobProgress) -> None:
    folder = job_folder(job_id)
    partial = folder / "progress.json.partial"
    # Written whole and renamed, so a reader never sees half a file.
    with contextlib.suppress(FileNotFoundError):
        partial.write_text(json.dumps(progress.as_dict()))
        os.replace(partial, folder / "progress.json")


def read_progress(job: ImportJob) -> tuple[dict[str, Any], float | None]:
    """A running job's latest figures from its progress file, and the file's age in seconds."""
    path = job_folder(job.pk) / "progress.json"
    try:
        age = time.time() - path.stat().st_mtime
        return json.loads(path.read_text()), age
    except (OSError, ValueError):
        return {}, None


@contextlib.contextmanager
def _one_import_at_a_time() -> Iterator[None]:
    # SQLite has one writer: a second import would wait 30 seconds for the first one's
    # lock and then fail. A lock file queues imports across every server process instead.
    spool_root().mkdir(parents=True, exist_ok=True, mode=0o700)
    with (spool_root() / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- starting and running -------------------------------------------------------------------


def import_job_start(*, upload: Any, acting_user: Any) -> ImportJob:
    """Spool an uploaded file, record the job, and start importing it.

    With `SHINEALIGHT_IMPORT_IN_BACKGROUND` (the default) the import runs in a daemon
    thread once the job's row is committed and this returns at once; otherwise it runs
    here and the job comes back finished.
    """
    job_id = uuid.uuid4()
    name = safe_name(upload.name)
    folder = job_folder(job_id)
    folder.mkdir(parents=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    try:
        with (folder / name).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        with transaction.atomic():
            job = ImportJob.objects.create(
                id=job_id, started_by=acting_user, name=name, size=size, sha256=digest.hexdigest()
            )
            audit_log(
                acting_user=acting_user,
                action="import_job.start",
                object_type="import_job",
                object_ids=[job.pk],
                detail={"name": name, "size": size, "sha256": job.sha256},
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _write_progress(job.pk, JobProgress())
    if getattr(settings, "SHINEALIGHT_IMPORT_IN_BACKGROUND", True):
        # The thread has its own connection: it can only see the job once it is committed.
        transaction.on_commit(lambda: _start_thread(job.pk))
    else:
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def _start_thread(job_id: uuid.UUID) -> None:
    progress = JobProgress()
    worker = threading.Thread(
        target=_run_in_thread, args=(job_id, progress), name=f"import-{job_id}", daemon=True
    )
    watcher = threading.Thread(
        target=_watch, args=(job_id, worker, progress), name=f"import-{job_id}-watch", daemon=True
    )
    with _threads_lock:
        _threads[job_id] = worker
    worker.start()
    watcher.start()


def _run_in_thread(job_id: uuid.UUID, progress: JobProgress) -> None:
    try:
        import_job_run(job_id=job_id, progress=progress)
    except Exception:  # noqa: BLE001 - a thread's exception would otherwise vanish
        log.exception("import job %s: could not record how it ended", job_id)
    finally:
        # django.db.connection is per thread: this thread's must not be left open.
        connections.close_all()
        with _threads_lock:
            _threads.pop(job_id, None)


def _watch(job_id: uuid.UUID, worker: threading.Thread, progress: JobProgress) -> None:
    """Write the worker's progress to its file while it runs: on change, and as a heartbeat."""
    written: dict[str, Any] = {}
    last = 0.0
    while worker.is_alive():
        now = time.monotonic()
        figures = progress.as_dict()
        if figures != written or now - last >= HEARTBEAT_EVERY:
            _write_progress(job_id, progress)
            written, last = figures, now
        worker.join(PROGRESS_EVERY)


def import_job_run(*, job_id: uuid.UUID, progress: JobProgress | None = None) -> None:
    """Import a queued job's file whole or not at all, and record how it ended."""
    progress = progress or JobProgress()
    job = ImportJob.objects.select_related("started_by").get(pk=job_id)
    folder = job_folder(job.pk)
    # Known to this process's sweeps as running, whether in a thread or in a request.
    with _threads_lock:
        _threads[job.pk] = threading.current_thread()
    try:
        with _one_import_at_a_time():
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.IMPORTING, started_at=timezone.now()
            )
            progress.stage = ImportJob.Status.IMPORTING
            _current.progress = progress
            try:
                summary = records_import_file(
                    path=folder / job.name, acting_user=job.started_by, progress=progress
                )
            finally:
                _current.progress = None
    except ImportRejected as rejected:
        errors = rejected.errors
        # The file column is always this job's file; the spool path is the server's business.
        kept = [[e.line, e.field, e.reason] for e in errors[:ERRORS_KEPT]]
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.REJECTED,
            errors=kept,
            error_count=len(errors),
            bad_lines=len({e.line for e in errors}),
            bytes_done=job.size,
            records_checked=progress.records_checked,
            finished_at=timezone.now(),
        )
    except Exception:
        log.exception("import job %s (%s) failed", job.pk, job.name)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=CRASHED_MESSAGE,
            bytes_done=progress.bytes_done,
            records_checked=progress.records_checked,
            finished_at=timezone.now(),
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            batch_id=summary.batch_id,
            bytes_done=job.size,
            records_checked=summary.lines,
            finished_at=timezone.now(),
        )
    finally:
        # The file holds case records: it goes as soon as the import has ended either way.
        shutil.rmtree(folder, ignore_errors=True)
        with _threads_lock:
            _threads.pop(job.pk, None)


# --- watching -------------------------------------------------------------------------------


def import_job_live_status(job: ImportJob) -> dict[str, Any]:
    """What the job page and its status endpoint show: status, bytes, records, percentage."""
    status = job.status
    bytes_done, records = job.bytes_done, job.records_checked
    if job.running:
        figures, _ = read_progress(job)
        # The row cannot say "analysing": that stage runs inside the import's transaction.
        if job.status == ImportJob.Status.IMPORTING and figures.get("stage") == "analysing":
            status = ImportJob.Status.ANALYSING
        bytes_done = max(bytes_done, int(figures.get("bytes_done") or 0))
        records = max(records, int(figures.get("records_checked") or 0))
    if status == ImportJob.Status.ANALYSING or not job.running:
        bytes_done = job.size
    percent = 100 if not job.size else min(100, bytes_done * 100 // job.size)
    return {
        "status": str(status),
        "status_text": ImportJob.Status(status).label,
        "finished": not job.running,
        "bytes_done": bytes_done,
        "size": job.size,
        "percent": percent,
        "records_checked": records,
    }


def _stale(job: ImportJob) -> bool:
    with _threads_lock:
        thread = _threads.get(job.pk)
    if thread is not None and thread.is_alive():
        return False
    _, age = read_progress(job)
    if age is None:
        since = job.started_at or job.created_at
        age = (timezone.now() - since).total_seconds()
    return age > STALE_AFTER.total_seconds()


def import_jobs_sweep(*, user: Any = None) -> int:
    """Mark failed the running jobs that no thread is running any more; how many.

    A server restart kills an import's thread mid-way: its transaction rolls back, and
    the job would say "importing" for ever. Called when the import pages are viewed;
    with `user`, only that person's jobs are looked at.
    """
    jobs = ImportJob.objects.filter(status__in=ImportJob.RUNNING).defer("errors")
    if user is not None:
        jobs = jobs.filter(started_by=user)
    stopped = [job for job in jobs if _stale(job)]
    for job in stopped:
        # Only if it is still running: a thread finishing just now has the last word.
        ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.RUNNING).update(
            status=ImportJob.Status.FAILED, message=STOPPED_MESSAGE, finished_at=timezone.now()
        )
        shutil.rmtree(job_folder(job.pk), ignore_errors=True)
    return len(stopped)


def wait_for(job_id: uuid.UUID, timeout: float | None = None) -> bool:
    """Wait for this process's thread importing the job, if any; whether it has ended."""
    with _threads_lock:
        thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True
