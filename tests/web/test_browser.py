"""Journeys in a real browser, as each role, with axe-core on every page and state."""

from __future__ import annotations

import re
from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

ROLES_AND_NAVIGATION = {
    "practitioner": [
        "Home",
        "Records",
        "Alerts",
        "Search",
        "Share intelligence",
        "Meetings",
        "Actions",
        "Break-glass",
    ],
    "safeguarding_lead": [
        "Home",
        "Records",
        "Alerts",
        "Search",
        "Review matches",
        "Share intelligence",
        "Meetings",
        "Actions",
        "Oversight",
        "Break-glass",
    ],
    "analyst": [
        "Home",
        "Records",
        "Alerts",
        "Search",
        "Import",
        "Review matches",
        "Share intelligence",
        "Meetings",
        "Actions",
        "Oversight",
    ],
    "manager": ["Home", "Oversight", "Break-glass log"],
    "administrator": ["Home", "Break-glass", "Users", "Agencies"],
}


def _navigation(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-service-navigation__link").all_inner_texts()]


def test_sign_in_page_keyboard_and_errors(visit: Any, users: dict[str, Any]) -> None:
    tab = visit()
    page = tab.page
    tab.go("/sign-in")
    tab.check("sign-in")

    # The first Tab reaches the skip link, which shows itself and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
    assert page.locator(".govuk-skip-link").bounding_box()["height"] > 10
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_username"
    # Focus is visible: GOV.UK's yellow focus ring.
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineColor + ' ' +"
        " getComputedStyle(document.activeElement).boxShadow"
    )
    assert "255, 221, 0" in outline

    tab.sign_in("analyst", "not the password")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("sign-in-error")


@pytest.mark.parametrize("role", sorted(ROLES_AND_NAVIGATION))
def test_each_role_signs_in_to_their_inbox(visit: Any, users: dict[str, Any], role: str) -> None:
    tab = visit()
    tab.sign_in(role)
    page = tab.page
    expect(page.locator("h1")).to_have_text("Your inbox")
    assert _navigation(page) == [*ROLES_AND_NAVIGATION[role], "Sign out"]
    tab.check(f"inbox-{role}-empty")
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_analyst_imports_then_reads_records(
    visit: Any,
    agencies: Any,
    users: dict[str, Any],
    spec_examples: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    # Imported inside the upload's request; test_browser_import.py watches the thread.
    settings.SHINEALIGHT_IMPORT_IN_BACKGROUND = False
    settings.HOME = tmp_path
    tab = visit()
    page = tab.page
    tab.sign_in("analyst")
    tab.go("/records/")
    assert "There are no records you can see yet" in page.inner_text("main")
    tab.check("records-empty")

    tab.go("/records/import")
    tab.check("import")
    page.click("button:has-text('Import file')")
    tab.check("import-no-file")

    page.set_input_files("#id_file", str(spec_examples / "invalid.jsonl"))
    page.click("button:has-text('Import file')")
    expect(page.locator("#import-errors")).to_be_visible()
    lines = page.locator("#import-errors + table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted({int(n) for n in lines}) == [2, 3, 4, 5, 6, 7]
    tab.check("import-errors")

    page.click("text=Upload a corrected file")
    page.set_input_files("#id_file", str(spec_examples / "valid.jsonl"))
    page.click("button:has-text('Import file')")
    expect(page.locator("h1")).to_have_text("Import finished")
    assert "New records" in page.inner_text("main")
    tab.check("import-summary")

    page.click("text=See the records")
    # Four records in the file; the sexual-health record and the handling-code-C
    # intelligence are sealed to their own agencies, even from analysts.
    expect(page.locator("tbody tr")).to_have_count(2)
    tab.check("records")
    page.select_option("#id_agency", "rmbc-csc")
    page.click("button:has-text('Apply filters')")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.fill("#id_recorded_from", "31/02/2009")
    page.click("button:has-text('Apply filters')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("records-filter-error")

    tab.go("/records/swy-police/INC-2009-004417")
    main = page.inner_text("main")
    assert "Chloe Marie Smith" in main and "Version history" in main
    tab.check("record")

    tab.go("/")
    assert page.locator("#inbox-latest_records ~ table tbody tr").count() == 2
    tab.check("inbox-analyst")


def test_practitioner_sees_nothing_outside_their_work(
    visit: Any, imported: Any, users: dict[str, Any]
) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("practitioner")
    tab.go("/records/")
    # Their own referral, and the police stop about the child their agency also knows
    # (need-to-know); never another agency's sealed records.
    assert page.locator("tbody tr").count() == 2
    tab.check("records-practitioner")

    response = tab.go("/records/risky-business/RB-0413")
    assert response.status == 404
    assert "RB-0413" not in page.inner_text("main")
    assert "young person" not in page.content()
    tab.problems.clear()  # the 404 itself is reported on the console
    tab.check("not-found")

    response = tab.go("/records/import")
    assert response.status == 403
    tab.problems.clear()
    tab.check("forbidden")

    tab.go("/intelligence/new")
    tab.check("intelligence-form")
    page.click("button:has-text('Send')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    # The summary's links lead to the fields.
    page.click(".govuk-error-summary__list a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "id_what_was_seen"
    tab.check("intelligence-form-errors")


def test_administrator_adds_a_user(visit: Any, users: dict[str, Any]) -> None:
    from tests.conftest import PASSWORD

    tab = visit()
    page = tab.page
    tab.sign_in("administrator")
    tab.go("/administration/users")
    tab.check("users")
    page.click("text=Add a user")
    tab.check("user-new")
    page.click("button:has-text('Add user')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("user-new-errors")

    page.fill("#id_username", "new.worker")
    page.fill("#id_first_name", "Nia")
    page.check("#id_role_0")
    page.select_option("#id_agency", "rmbc-csc")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Add user')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("User new.worker added")
    tab.check("users-added")

    tab.go("/administration/agencies")
    tab.check("agencies")
    page.click("text=Register an agency")
    page.click("button:has-text('Register agency')")
    tab.check("agency-new-errors")
