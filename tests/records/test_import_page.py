"""The import page: upload, the job's progress, what it did, and every problem it found."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.web.conftest import _audit_triggers

from shinealight.records import import_jobs
from shinealight.records.models import ImportBatch, ImportJob, Record

SECRET = "Girl seen with a man in a grey Astra outside the chip shop"


def _record(record_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "agency": "swy-police",
        "agency_type": "police",
        "record_id": record_id,
        "type": "police_stop",
        "recorded_at": "2009-03-14T23:40:00Z",
        **extra,
    }


def _bad_file(path: Path, bad: int, good: int = 3) -> Path:
    """A file whose first `good` lines are right and whose next `bad` lines lack a date."""
    with path.open("w") as out:
        for n in range(good):
            out.write(json.dumps(_record(f"GOOD-{n}")) + "\n")
        for n in range(bad):
            line = _record(f"BAD-{n}")
            del line["recorded_at"]
            out.write(json.dumps(line) + "\n")
    return path


@pytest.fixture
def spool(settings: Any, tmp_path: Path) -> Path:
    settings.HOME = tmp_path
    return tmp_path / "spool" / "imports"


@pytest.fixture
def inline(settings: Any, spool: Path) -> None:
    settings.SHINEALIGHT_IMPORT_IN_BACKGROUND = False


@pytest.fixture
def page_for(users: dict[str, Any]) -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def _upload(client: Client, path: Path) -> Any:
    with path.open("rb") as upload:
        return client.post("/records/import", {"file": upload})


def _job_url(response: Any) -> str:
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith("/records/import/")
    return location


@pytest.mark.django_db
def test_a_good_file_is_imported_and_its_page_says_what_it_did(
    inline: None,
    spool: Path,
    agencies: Any,
    users: dict[str, Any],
    page_for: Any,
    spec_examples: Path,
) -> None:
    client = page_for(users["analyst"])
    url = _job_url(_upload(client, spec_examples / "valid.jsonl"))
    job = ImportJob.objects.get()
    assert url == f"/records/import/{job.pk}"
    assert job.status == ImportJob.Status.DONE and job.started_by == users["analyst"]
    assert job.name == "valid.jsonl" and job.size == (spec_examples / "valid.jsonl").stat().st_size
    assert job.batch == ImportBatch.objects.get() and job.records_checked == 5
    assert Record.objects.count() == 4

    page = client.get(url).content.decode()
    assert "Import finished" in page and "5 records read from valid.jsonl" in page
    new_records = '<dt class="govuk-summary-list__key">New records</dt>'
    assert new_records + '<dd class="govuk-summary-list__value">4</dd>' in page
    assert "<progress" not in page and "http-equiv" not in page
    # The uploaded file does not outlive its import.
    assert list(spool.iterdir()) == [] or not any(p.is_dir() for p in spool.iterdir())

    from shinealight.audit.models import AuditEvent

    started = AuditEvent.objects.get(action="import_job.start")
    assert started.object_ids == [str(job.pk)] and started.detail["sha256"] == job.sha256
    # The older result address still works.
    assert "Import finished" in client.get(f"/records/import/{job.batch.pk}").content.decode()
    # And the import page lists the job.
    assert url in client.get("/records/import").content.decode()


@pytest.mark.django_db
def test_rejection_lists_every_problem_a_page_at_a_time(
    inline: None, agencies: Any, users: dict[str, Any], page_for: Any, tmp_path: Path
) -> None:
    client = page_for(users["analyst"])
    url = _job_url(_upload(client, _bad_file(tmp_path / "extract.jsonl", bad=450)))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    assert job.error_count == 450 and job.bad_lines == 450 and len(job.errors) == 450
    assert Record.objects.count() == 0 and ImportBatch.objects.count() == 0

    first = client.get(url).content.decode()
    assert "Nothing was imported: 450 lines have problems." in first
    assert "Problems 1 to 200 of 450, by line" in first
    seen: list[int] = []
    for number in (1, 2, 3):
        page = client.get(url, {"page": number}).content.decode()
        rows = page.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
        lines = [
            int(cell.split("</td>")[0]) for cell in rows.split('govuk-table__cell--numeric">')[1:]
        ]
        assert len(lines) == (200 if number < 3 else 50)
        assert rows.count("extract.jsonl") == len(lines)  # the file column
        assert "recorded_at" in rows
        seen += lines
    # Every bad line, once, in order; no good line.
    assert seen == list(range(4, 454))
    assert 'aria-current="page">3<' in page and 'rel="next"' not in page


@pytest.mark.django_db
def test_one_bad_line_is_spoken_of_in_the_singular(
    inline: None, agencies: Any, users: dict[str, Any], page_for: Any, tmp_path: Path
) -> None:
    client = page_for(users["analyst"])
    page = client.get(_job_url(_upload(client, _bad_file(tmp_path / "one.jsonl", bad=1))))
    assert "Nothing was imported: 1 line has problems." in page.content.decode()
    assert "govuk-pagination" not in page.content.decode()


@pytest.mark.django_db
def test_every_problem_downloads_as_csv(
    inline: None, agencies: Any, users: dict[str, Any], page_for: Any, tmp_path: Path
) -> None:
    client = page_for(users["analyst"])
    url = _job_url(_upload(client, _bad_file(tmp_path / "extract.jsonl", bad=250)))
    response = client.get(url + "/problems.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="extract-problems.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["file", "line", "field", "problem"]
    assert [int(r[1]) for r in rows[1:]] == list(range(4, 254))
    assert {r[0] for r in rows[1:]} == {"extract.jsonl"}
    assert all(r[2] == "recorded_at" and r[3] for r in rows[1:])


@pytest.mark.django_db
def test_problems_beyond_the_cap_are_counted(
    inline: None,
    agencies: Any,
    users: dict[str, Any],
    page_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_jobs, "ERRORS_KEPT", 10)
    client = page_for(users["analyst"])
    url = _job_url(_upload(client, _bad_file(tmp_path / "many.jsonl", bad=25)))
    job = ImportJob.objects.get()
    assert (len(job.errors), job.error_count, job.errors_not_kept) == (10, 25, 15)
    page = client.get(url).content.decode()
    assert "Nothing was imported: 25 lines have problems." in page
    assert "15 more were found" in page
    rows = list(csv.reader(io.StringIO(client.get(url + "/problems.csv").content.decode())))
    assert len(rows) == 12 and "15 more problems were not kept" in rows[-1][3]


@pytest.mark.django_db
def test_problems_never_quote_records_already_held(
    inline: None, agencies: Any, users: dict[str, Any], page_for: Any, tmp_path: Path
) -> None:
    from shinealight.records.services import records_submit

    records_submit(payloads=[_record("HELD-1", summary=SECRET)], acting_user=users["analyst"])
    resend = _record("HELD-1", summary="changed")
    resend["recorded_at"] = "not a date"
    path = tmp_path / "resend.jsonl"
    path.write_text(json.dumps(resend) + "\n")
    client = page_for(users["analyst"])
    url = _job_url(_upload(client, path))
    assert ImportJob.objects.get().status == ImportJob.Status.REJECTED
    for response in (client.get(url), client.get(url + "/problems.csv")):
        assert SECRET not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_only_the_person_who_started_a_job_sees_it(
    inline: None,
    agencies: Any,
    users: dict[str, Any],
    make_user: Any,
    page_for: Any,
    tmp_path: Path,
) -> None:
    url = _job_url(_upload(page_for(users["analyst"]), _bad_file(tmp_path / "x.jsonl", bad=2)))
    colleague = page_for(make_user("analyst", "partnership-cse", username="analyst2"))
    for suffix in ("", "/status", "/problems.csv"):
        response = colleague.get(url + suffix)
        assert response.status_code == 404
        assert b"x.jsonl" not in response.content and b"recorded_at" not in response.content
    for role in ("administrator", "practitioner", "manager"):
        assert page_for(users[role]).get(url).status_code == 403
    assert page_for(users["analyst"]).get(f"/records/import/{uuid.uuid4()}").status_code == 404
    # A finished import has no problems to download.
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_record("OK-1")) + "\n")
    done = _job_url(_upload(page_for(users["analyst"]), good))
    assert page_for(users["analyst"]).get(done + "/problems.csv").status_code == 404


def _queued_job(user: Any, spool: Path, **fields: Any) -> ImportJob:
    job = ImportJob.objects.create(started_by=user, name="big.jsonl", size=1000, sha256="0" * 64)
    (spool / str(job.pk)).mkdir(parents=True)
    if fields:
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def _progress_file(job: ImportJob, spool: Path, **figures: Any) -> None:
    (spool / str(job.pk) / "progress.json").write_text(json.dumps(figures))


@pytest.mark.django_db
def test_status_json_follows_the_progress_file(
    spool: Path, agencies: Any, users: dict[str, Any], page_for: Any
) -> None:
    client = page_for(users["analyst"])
    job = _queued_job(users["analyst"], spool)
    status = client.get(f"/records/import/{job.pk}/status")
    assert status["Content-Type"] == "application/json"
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {
        "status": "queued",
        "status_text": "Waiting to start",
        "finished": False,
        "bytes_done": 0,
        "size": 1000,
        "percent": 0,
        "records_checked": 0,
    }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=timezone.now()
    )
    _progress_file(job, spool, stage="importing", bytes_done=420, records_checked=3000)
    got = client.get(f"/records/import/{job.pk}/status").json()
    assert (got["status"], got["percent"], got["records_checked"]) == ("importing", 42, 3000)
    _progress_file(job, spool, stage="analysing", bytes_done=990, records_checked=7000)
    got = client.get(f"/records/import/{job.pk}/status").json()
    assert (got["status"], got["percent"], got["finished"]) == ("analysing", 100, False)
    assert got["status_text"] == "Linking and analysing the new records"

    page = client.get(f"/records/import/{job.pk}").content.decode()
    assert '<progress class="app-progress" id="import-progress" max="100" value="100">' in page
    assert 'aria-live="polite"' in page and "Linking and analysing the new records" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "shinealight/import-progress.js" in page and "<script>" not in page
    assert " style=" not in page
    stopped = client.get(f"/records/import/{job.pk}", {"refresh": "off"}).content.decode()
    assert "http-equiv" not in stopped and "Refresh automatically" in stopped

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    got = client.get(f"/records/import/{job.pk}/status").json()
    assert (got["status"], got["finished"], got["percent"]) == ("done", True, 100)


@pytest.mark.django_db
def test_polling_does_not_keep_the_session_alive(
    spool: Path, agencies: Any, users: dict[str, Any], page_for: Any
) -> None:
    from django.contrib.sessions.models import Session

    client = page_for(users["analyst"])
    job = _queued_job(users["analyst"], spool)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=2)
    )
    before = Session.objects.get(session_key=key).expire_date
    assert client.get(f"/records/import/{job.pk}/status").status_code == 200
    assert client.get(f"/records/import/{job.pk}").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before
    # Any other page still renews it.
    client.get("/records/import")
    assert Session.objects.get(session_key=key).expire_date > before


@pytest.mark.django_db
def test_a_job_left_running_by_a_stopped_server_is_marked_failed(
    spool: Path, agencies: Any, users: dict[str, Any], page_for: Any
) -> None:
    client = page_for(users["analyst"])
    long_ago = timezone.now() - timedelta(minutes=30)
    stopped = _queued_job(
        users["analyst"], spool, status=ImportJob.Status.IMPORTING, started_at=long_ago
    )
    # Another job whose heartbeat is fresh: some server process is still running it.
    alive = _queued_job(
        users["analyst"], spool, status=ImportJob.Status.IMPORTING, started_at=long_ago
    )
    _progress_file(alive, spool, stage="importing", bytes_done=1, records_checked=0)
    # A queued job whose thread never started (the server stopped first).
    never = _queued_job(users["analyst"], spool, created_at=long_ago)

    page = client.get(f"/records/import/{stopped.pk}").content.decode()
    assert "big.jsonl was not imported" in page
    assert "The server stopped during the import. Nothing was imported" in page
    assert "Upload the file again" in page
    stopped.refresh_from_db()
    assert stopped.status == ImportJob.Status.FAILED and stopped.finished_at is not None
    assert not (spool / str(stopped.pk)).exists()
    assert ImportJob.objects.get(pk=never.pk).status == ImportJob.Status.FAILED
    assert ImportJob.objects.get(pk=alive.pk).status == ImportJob.Status.IMPORTING
    assert client.get(f"/records/import/{alive.pk}/status").json()["finished"] is False


@pytest.fixture(scope="module")
def _audit_relocked_after_module(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _audit_triggers(enable=True)


@pytest.fixture
def audit_flushable(_audit_relocked_after_module: None, transactional_db: Any) -> Iterator[None]:
    """A transactional test's database is emptied afterwards, which the audit table refuses:
    its triggers are lifted for that, and put back once this module is done."""
    _audit_triggers(enable=True)
    yield
    _audit_triggers(enable=False)


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_imports_while_the_page_polls(
    audit_flushable: None,
    settings: Any,
    spool: Path,
    agencies: Any,
    users: dict[str, Any],
    page_for: Any,
    spec_examples: Path,
) -> None:
    settings.SHINEALIGHT_IMPORT_IN_BACKGROUND = True
    client = page_for(users["analyst"])
    seen: list[str] = []
    deadline = time.monotonic() + 120
    try:
        url = _job_url(_upload(client, spec_examples / "valid.jsonl"))
        while True:
            got = client.get(url + "/status").json()
            seen.append(got["status"])
            if got["finished"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        # The database is emptied after the test: the thread must be done with it.
        for pk in ImportJob.objects.values_list("pk", flat=True):
            assert import_jobs.wait_for(pk, timeout=120)
    job_id = uuid.UUID(url.rsplit("/", 1)[1])
    assert seen[-1] == "done", seen
    assert set(seen) <= {"queued", "importing", "analysing", "done"}
    page = client.get(url).content.decode()
    assert "Import finished" in page and "valid.jsonl" in page
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == ImportJob.Status.DONE and job.batch is not None
    assert Record.objects.count() == 4
    assert not (spool / str(job_id)).exists()
