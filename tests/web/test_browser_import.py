"""Importing a file in a real browser: the job page's progress, then every problem or the
summary, with axe-core on each state, with JavaScript and without."""

from __future__ import annotations

import contextlib
import fcntl
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@pytest.fixture
def in_background(settings: Any, tmp_path: Path) -> None:
    settings.SHINEALIGHT_IMPORT_IN_BACKGROUND = True
    settings.HOME = tmp_path / "home"


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """Imports stop after writing their records, before linkage, until the event is set."""
    from shinealight.records.services import AFTER_IMPORT

    release = threading.Event()

    def hold(batch: Any) -> None:
        release.wait(60)

    # Right after the hook that marks the job "analysing", before any other.
    AFTER_IMPORT.insert(1, hold)
    yield release
    release.set()
    AFTER_IMPORT.remove(hold)


@pytest.fixture
def all_agencies(agencies: dict[str, Any]) -> None:
    """Every agency of the spec's valid file registered beforehand. On the tests' shared-cache
    in-memory SQLite a held import's new agency would lock the agency table against every
    page's reads (a WAL database file, as served, lets readers through)."""
    from shinealight.records.models import Agency

    Agency.objects.create(code="rdash-sexual-health", agency_type="health")
    Agency.objects.create(code="risky-business", agency_type="voluntary")


@pytest.fixture
def finished_imports() -> Iterator[None]:
    """The test's database is emptied afterwards: no import thread may still be using it."""
    yield
    from shinealight.records import import_jobs
    from shinealight.records.models import ImportJob

    for pk in ImportJob.objects.values_list("pk", flat=True):
        assert import_jobs.wait_for(pk, timeout=120)


@contextlib.contextmanager
def _import_queue_held() -> Iterator[None]:
    """Hold the lock that queues imports, as a running import would."""
    from shinealight.records.import_jobs import spool_root

    spool_root().mkdir(parents=True, exist_ok=True)
    with (spool_root() / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _bad_file(path: Path, bad: int) -> Path:
    with path.open("w") as out:
        for n in range(bad):
            out.write(
                json.dumps(
                    {
                        "agency": "swy-police",
                        "agency_type": "police",
                        "record_id": f"BAD-{n}",
                        "type": "police_stop",
                    }
                )
                + "\n"
            )
    return path


def _lines(page: Any) -> list[int]:
    cells = page.locator("#import-error-table tbody tr td:nth-child(2)").all_inner_texts()
    return [int(n) for n in cells]


def test_every_problem_is_listed_a_page_at_a_time(
    visit: Any,
    agencies: Any,
    users: dict[str, Any],
    in_background: None,
    finished_imports: None,
    tmp_path: Path,
) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("analyst")
    tab.go("/records/import")
    page.set_input_files("#id_file", str(_bad_file(tmp_path / "extract.jsonl", bad=205)))
    page.click("button:has-text('Import file')")
    # The job page follows the import and shows how it ended.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Nothing was imported: 205 lines have problems.", timeout=60_000
    )
    expect(page.locator("h1")).to_have_text("extract.jsonl was not imported")
    assert _lines(page) == list(range(1, 201))
    tab.check("import-job-rejected")

    page.click(".govuk-pagination__next a")
    expect(page.locator("#import-error-table caption")).to_contain_text("Problems 201 to 205")
    assert _lines(page) == list(range(201, 206))
    tab.check("import-job-rejected-page-2")

    with page.expect_download() as download:
        page.click("text=Download every problem as a spreadsheet (CSV)")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + 205

    tab.go("/records/import")
    expect(page.locator("table caption")).to_have_text("Your recent imports")
    tab.check("import-with-recent-jobs")


def test_progress_reaches_done_and_the_summary_shows(
    visit: Any,
    agencies: Any,
    users: dict[str, Any],
    all_agencies: None,
    in_background: None,
    finished_imports: None,
    held: threading.Event,
    spec_examples: Path,
) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("analyst")
    tab.go("/records/import")
    tab.check("import-upload")
    page.set_input_files("#id_file", str(spec_examples / "valid.jsonl"))
    # Another import holds the queue: this one waits.
    with _import_queue_held():
        page.click("button:has-text('Import file')")
        expect(page.locator("h1")).to_have_text("Importing valid.jsonl")
        status = page.locator("#import-status")
        expect(status).to_have_text("Waiting to start")
        expect(status).to_have_attribute("aria-live", "polite")
        expect(page.locator("#import-progress")).to_have_attribute("value", "0")
        tab.check("import-job-queued")
        page.evaluate("window.stillTheSamePage = true")

    # The records are written and the import waits before linkage: the script has polled
    # the status and shows the file read whole, without reloading the page.
    expect(status).to_have_text("Linking and analysing the new records", timeout=30_000)
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    expect(page.locator("#import-percent")).to_have_text("100%")
    assert page.evaluate("window.stillTheSamePage") is True
    tab.check("import-job-running")

    held.set()
    expect(page.locator("h1")).to_have_text("Import finished", timeout=60_000)
    main = page.inner_text("main")
    assert "New records" in main and "read from valid.jsonl" in main
    tab.check("import-job-done")


def test_without_javascript_the_page_refreshes_until_done(
    visit: Any,
    chromium: Any,
    live_server: Any,
    agencies: Any,
    users: dict[str, Any],
    all_agencies: None,
    in_background: None,
    finished_imports: None,
    held: threading.Event,
    spec_examples: Path,
) -> None:
    from tests.web.conftest import Visit

    visit()  # the audit table's clean-up, as for every browser test
    context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    try:
        tab = Visit(context.new_page(), live_server.url)
        page = tab.page
        tab.sign_in("analyst")
        tab.go("/records/import")
        page.set_input_files("#id_file", str(spec_examples / "valid.jsonl"))
        page.click("button:has-text('Import file')")
        expect(page.locator("h1")).to_have_text("Importing valid.jsonl")
        # Playwright's text selectors skip <noscript>; the page's own text does not.
        assert "This page refreshes itself every 3 seconds" in page.inner_text("main")
        assert page.locator("noscript meta[http-equiv=refresh]").count() == 1

        # "Stop refreshing automatically" leaves a Refresh link and no refresh.
        page.goto(page.url.split("?")[0] + "?refresh=off")
        expect(page.locator("h1")).to_have_text("Importing valid.jsonl")
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert "Refresh automatically" in page.inner_text("main")
        with page.expect_navigation():
            page.click("noscript a[href='?']")
        assert page.locator("noscript meta[http-equiv=refresh]").count() == 1

        held.set()
        expect(page.locator("h1")).to_have_text("Import finished", timeout=60_000)
    finally:
        context.close()
