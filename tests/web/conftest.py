"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core injected from node_modules.

The browser is never one Playwright downloads: the tests launch /usr/bin/chromium, which
`make test` installs from Debian's packages when it is missing and the run is root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SHINEALIGHT_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("SHINEALIGHT_TEST_ARTEFACTS", ROOT / "test-artefacts"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# axe-core rule sets: WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _chromium_missing() -> str:
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package when "
            "run as root; otherwise `apt-get install chromium`"
        )
    return ""


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole run; each test gets its own context."""
    if reason := _chromium_missing():
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci) first")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # where a loop is running unless told that this test thread may.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no browser to test with
        playwright.stop()
        pytest.skip(f"Chromium at {CHROMIUM} would not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


class Visit:
    """A browser tab on the live server that checks every page it is asked to."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text}")
                if message.type == "error"
                else None
            ),
        )

    def go(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str = "") -> None:
        """Sign in as a person would: password, then the code their authenticator app shows.

        Test users have the known key `TOTP_SECRET`; someone without an app yet is taken
        through setting one up, with the key read from the page.
        """
        from tests.conftest import PASSWORD

        self.go("/sign-in")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password or PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button.govuk-button")
        if "/account/two-factor" in self.page.url:
            self.enter_code(username)

    def enter_code(self, username: str) -> None:
        """On the code page (or the set-up page), type the code the user's app shows now."""
        from shinealight.accounts.models import User
        from tests.conftest import totp_code

        page = self.page
        user = User.objects.get(username=username)
        if "/account/two-factor/set-up" in page.url:
            secret = page.inner_text("#totp-key").replace(" ", "")
            code = totp_code(secret=secret)
        else:
            code = totp_code(user)
        page.fill("#id_code", code)
        with page.expect_navigation():
            page.click("button:has-text('Continue')")
        if page.locator("text=I have kept my recovery codes").count():
            with page.expect_navigation():
                page.click("text=I have kept my recovery codes")

    def check(self, name: str) -> None:
        """Screenshot the page, run axe-core on it, and fail on any violation or page error."""
        page = self.page
        page.wait_for_load_state("load")
        folder = ARTEFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {name} ({page.url}):\n" + "\n".join(violations)
        # A blocked script or style (CSP), a missing asset or a script error shows here.
        assert not self.problems, f"on {name} ({page.url}): " + "; ".join(self.problems)
        assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")


def _audit_triggers(enable: bool) -> None:
    """Put the audit table's append-only triggers back, or lift them; both may be repeated."""
    from importlib import import_module

    from django.db import connection

    migration = import_module("shinealight.audit.migrations.0002_forbid_update_and_delete")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if enable else "DISABLE"
            cursor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER audit_event_append_only")
        elif enable:
            for statement in migration.SQLITE:
                cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
        else:
            for statement in migration.SQLITE_REVERSE:
                cursor.execute(statement)


@pytest.fixture(scope="session")
def _audit_locked_at_end(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """After the last browser test's clean-up, the audit table is append-only again."""
    yield
    with django_db_blocker.unblock():
        _audit_triggers(enable=True)


@pytest.fixture
def visit(
    _audit_locked_at_end: None, chromium: Any, live_server: Any, transactional_db: Any
) -> Iterator[Any]:
    """Open a fresh browser context (no cookies) on the live server.

    A live server needs committed data, so these tests cannot run in a rolled-back
    transaction, and emptying the database afterwards meets the audit table's refusal to
    delete. The triggers are lifted at the end of each browser test for that clean-up and
    put back at the start of the next (and after the last).
    """
    _audit_triggers(enable=True)
    contexts = []

    def open_tab() -> Visit:
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        # An init script runs outside the page's Content-Security-Policy, so axe-core can be
        # injected from node_modules without loosening the policy under test.
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        return Visit(context.new_page(), live_server.url)

    yield open_tab
    for context in contexts:
        context.close()
    _audit_triggers(enable=False)
