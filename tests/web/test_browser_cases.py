"""Meetings, actions and oversight in a real browser, with axe-core on every page and state."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def _d(day: Any) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _case_for_discussion(users: dict[str, Any]) -> Any:
    """An alert raised as the engine would, taken on by the lead and triaged for discussion."""
    from django.db import transaction
    from django.utils import timezone

    from shinealight.alerts.models import Alert, AlertSubject
    from shinealight.alerts.services import ALERT_CHANGED
    from shinealight.cases import services
    from shinealight.cases.models import AlertCase

    now = timezone.now()
    alert = Alert.objects.create(
        rule="repeat_missing_with_adult",
        key="browser-meeting",
        severity="high",
        title="Child A missing three times, seen with the same adult",
        explanation="Three missing episodes; the same man named each time.",
        first_data_time=now,
        last_data_time=now,
    )
    AlertSubject.objects.create(
        alert=alert, kind="person", entity_id="P000001", role="child", label="Child A"
    )
    with transaction.atomic():
        for hook in ALERT_CHANGED:
            hook(alert, True)
    case = AlertCase.objects.get(alert=alert)
    lead = users["safeguarding_lead"]
    services.alert_case_acknowledge(case=case, acting_user=lead)
    return services.alert_case_triage(case=case, decision="strategy_discussion", acting_user=lead)


def _places(tmp_path: Path) -> None:
    """Recent records with indicators naming places in two simulated postcode areas."""
    from django.utils import timezone

    from shinealight.records.services import records_import_file

    recorded = (timezone.now() - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [
        {
            "agency": "swy-police",
            "agency_type": "police",
            "record_id": f"MAP-{n}",
            "type": "police_stop",
            "recorded_at": recorded,
            "summary": "Girl seen at a takeaway late at night.",
            "persons": [{"ref": "p1", "role": "subject", "name": f"Test Child {n}"}],
            "locations": [{"ref": "l1", "name": "Takeaway", "postcode": postcode}],
            "indicators": ["older_boyfriend"],
        }
        for n, postcode in enumerate(["KF3 4AB", "KF4 1CD", "RX2 3EF"])
    ]
    path = tmp_path / "places.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    records_import_file(path=path)


def test_strategy_discussion_action_and_oversight(
    visit: Any, users: dict[str, Any], agencies: dict[str, Any], tmp_path: Path
) -> None:
    from django.utils import timezone

    from shinealight.cases.models import Action, Meeting

    case = _case_for_discussion(users)
    practitioner = users["practitioner"]

    lead_tab = visit()
    page = lead_tab.page
    lead_tab.sign_in("safeguarding_lead")
    lead_tab.go("/cases/meetings")
    assert "There are no meetings you can see yet" in page.inner_text("main")
    lead_tab.check("meetings-empty")
    lead_tab.go("/cases/actions")
    assert "No actions to show that you own" in page.inner_text("main")
    lead_tab.check("actions-empty")

    # The alert page links here with the case; the form starts from it.
    lead_tab.go(f"/cases/meetings/new?case={case.pk}")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Child A missing three times")
    assert page.is_checked("#id_kind_0")
    lead_tab.check("meeting-new")
    page.fill("#id_held_on", "")
    page.uncheck(f"input[name=attendees][value='{users['safeguarding_lead'].pk}']")
    page.fill("#id_action_1_description", "Return home interview")
    page.click("button:has-text('Record the meeting')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    summary = page.locator(".govuk-error-summary__list").inner_text()
    assert "Enter the date the meeting was held" in summary
    assert "Choose who owns action 1" in summary
    lead_tab.check("meeting-new-errors")
    page.click(".govuk-error-summary__list a:has-text('Enter the date')")
    assert page.evaluate("document.activeElement.id") == "id_held_on"

    yesterday = timezone.localdate() - timedelta(days=1)
    page.fill("#id_held_on", _d(yesterday))
    page.fill("#id_held_time", "14:30")
    page.fill("#id_agenda", "Introductions\nWhat each agency knows\nPlan")
    page.check(f"input[name=attendees][value='{users['safeguarding_lead'].pk}']")
    page.check(f"input[name=attendees][value='{practitioner.pk}']")
    page.select_option("#id_chair", str(users["safeguarding_lead"].pk))
    page.fill("#id_decisions", "Section 47 enquiry; consider a CAWN")
    page.select_option("#id_action_1_owner", str(practitioner.pk))
    page.fill("#id_action_1_due", _d(timezone.localdate() + timedelta(days=10)))
    page.click("button:has-text('Record the meeting')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Strategy discussion recorded"
    )
    main = page.inner_text("main")
    for text in ("What each agency knows", "Section 47 enquiry", "Return home interview"):
        assert text in main
    assert Meeting.objects.get().alert_case_id == case.pk
    lead_tab.check("meeting")
    lead_tab.go("/cases/meetings")
    expect(page.locator("tbody tr")).to_have_count(1)
    lead_tab.check("meetings")

    # The practitioner finds the action given to them and completes it.
    action = Action.objects.get()
    worker_tab = visit()
    page = worker_tab.page
    worker_tab.sign_in("practitioner")
    worker_tab.go("/cases/actions")
    expect(page.locator("tbody tr")).to_have_count(1)
    worker_tab.check("actions")
    page.click("text=Return home interview")
    expect(page).to_have_url(re.compile(rf"/cases/actions/{action.pk}$"))
    worker_tab.check("action")
    page.click("button:has-text('Mark as done')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what was done")
    worker_tab.check("action-errors")
    page.fill("#id_complete-note", "Seen at home with her mother; nothing new disclosed.")
    page.click("button:has-text('Mark as done')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action marked as done")
    expect(page.locator("main .govuk-tag")).to_have_text("Done")
    worker_tab.check("action-done")
    action.refresh_from_db()
    assert action.status == "done" and action.completed_by == practitioner

    # The manager reads the partnership's figures: aggregates only, with a map and tables.
    manager_tab = visit()
    page = manager_tab.page
    manager_tab.sign_in("manager")
    manager_tab.go("/cases/oversight")
    expect(page.locator("h1")).to_have_text("Partnership oversight")
    assert "No records with indicators or alerts name a place" in page.inner_text("main")
    assert page.locator("#hotspot-map").count() == 0
    manager_tab.check("oversight-no-hotspots")
    _places(tmp_path)
    manager_tab.go("/cases/oversight")
    main = page.inner_text("main")
    assert "Child A" not in main and "Return home interview" not in main
    # Leaflet drew a circle for each postcode area with a known centre, on no tiles.
    expect(page.locator("#hotspot-map.leaflet-container")).to_be_visible()
    expect(page.locator("#hotspot-map path.leaflet-interactive")).to_have_count(2)
    assert page.locator("#hotspot-map img.leaflet-tile").count() == 0
    expect(page.locator("#hotspot-map .leaflet-tooltip").first).to_have_text("KF: 2")
    manager_tab.check("oversight")
    page.fill("#id_start", "31/12/2025")
    page.fill("#id_end", "1/1/2025")
    page.click("button:has-text('Show figures')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("To must be the same as")
    manager_tab.check("oversight-errors")
