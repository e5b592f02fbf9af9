"""The alert journey in a real browser: queue, alert, acknowledge, triage, network view.

axe-core runs on each page in its empty, populated and error states.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.alerts.pages_scenario import import_alert

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def _click_on_diagram(page: Any, where: str) -> None:
    """Click the canvas where the diagram drew an element (`where`: JS giving {x, y})."""
    canvas = page.locator("#network-canvas")
    canvas.scroll_into_view_if_needed()
    # cytoscape learns of the scroll from its event on the next frame: wait for it, or the
    # click is mapped with the old offset.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    box = canvas.bounding_box()
    diagram = "document.getElementById('network').networkDiagram"
    point = page.evaluate(f"() => {{ const cy = {diagram}; return {where}; }}")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_lead_takes_an_alert_from_the_queue_to_its_network(
    visit: Any, users: dict[str, Any], tmp_path: Path
) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("safeguarding_lead")
    tab.go("/alerts")
    expect(page.locator("main")).to_contain_text("There are no alerts you can see yet")
    tab.check("alerts-empty")

    alert = import_alert(tmp_path)
    ash = alert.subjects.get(label="Ash Khan").entity_id
    tab.go("/alerts")
    rows = page.locator("#alert-queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Amy Hill")
    expect(rows.first).to_contain_text("New")
    tab.check("alerts")
    page.select_option("#id_severity", "high")
    page.click("button:has-text('Apply filters')")
    expect(page.locator("main")).to_contain_text("No alerts match these filters")
    tab.go("/alerts?status=nonsense")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("alerts-filter-error")

    tab.go("/alerts")
    page.click(f"#alert-queue a:has-text('{alert.title}')")
    expect(page.locator("h1")).to_have_text(alert.title)
    expect(page.locator("#lawful-contacts")).to_contain_text("a professional acting in role")
    expect(page.locator("#alert-evidence tbody tr")).to_have_count(2)
    tab.check("alert-new")

    page.fill("#id_acknowledge-note", "Taking this on for the police")
    page.click("button:has-text('Acknowledge')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Alert acknowledged")
    expect(page.locator("#case-status")).to_have_text("Acknowledged")
    tab.check("alert-acknowledged")

    page.check("input[name='triage-decision'][value='no_further_action']")
    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("needs a reason")
    page.click(".govuk-error-summary__list a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "id_triage-reason"
    tab.check("alert-triage-error")

    page.check("input[name='triage-decision'][value='strategy_discussion']")
    page.fill("#id_triage-reason", "Two children and one adult across two stops")
    page.click("button:has-text('Record decision')")
    expect(page.locator("#case-status")).to_have_text("Triaged")
    expect(page.locator("a:has-text('Hold a strategy discussion')")).to_have_attribute(
        "href", re.compile(r"\?case=\d+$")
    )
    tab.check("alert-triaged")

    page.click("text=See how they are connected")
    network = page.locator("#network")
    expect(network).to_have_attribute("data-rendered", "true")
    assert page.locator("#network-canvas canvas").count() > 0
    assert network.get_attribute("data-visible-nodes") == "7"
    expect(page.locator("#network-count")).to_contain_text("Showing 7 of 7 people and objects")
    # The hostile name is drawn as text: its markup never ran.
    assert page.title() != "1"
    tab.check("network")

    # Back to the end of February 2020: the second stop, its child, adult and phone go.
    page.focus("#network-time")
    page.keyboard.press("Home")
    expect(page.locator("#network-time-value")).to_have_text("February 2020")
    assert network.get_attribute("data-visible-nodes") == "4"
    expect(page.locator("#network-count")).to_contain_text("Showing 4 of 7")
    page.keyboard.press("End")
    assert network.get_attribute("data-visible-nodes") == "7"

    _click_on_diagram(page, f"cy.getElementById('person|{ash}').renderedPosition()")
    expect(page.locator("#network-details h2")).to_have_text("Ash Khan")
    expect(page.locator("#network-details")).to_contain_text("Adult: suspect")
    car = "vehicle|vrm:KX55ABC"
    _click_on_diagram(
        page,
        f"cy.edges().filter(e => e.target().id() === '{car}' || e.source().id() === '{car}')"
        ".first().renderedMidpoint()",
    )
    expect(page.locator("#network-details h2")).to_contain_text("KX55 ABC")
    expect(page.locator("#network-details a")).to_have_attribute("href", "/records/swy-police/S1")
    tab.check("network-selected")

    tab.go(f"/network/person/{ash}")
    expect(network).to_have_attribute("data-rendered", "true")
    expect(page.locator("h1")).to_have_text("Network of Ash Khan")
    tab.check("network-person")


def test_without_javascript_the_network_is_tables(
    chromium: Any, visit: Any, users: dict[str, Any], tmp_path: Path, live_server: Any
) -> None:
    from tests.web.conftest import Visit

    alert = import_alert(tmp_path)
    context = chromium.new_context(java_script_enabled=False)
    try:
        tab = Visit(context.new_page(), live_server.url)
        tab.sign_in("analyst")
        tab.go(f"/alerts/{alert.pk}/network")
        page = tab.page
        assert not page.locator("[data-network-js]").is_visible()
        assert page.locator("#network-nodes tbody tr").count() == 7
        assert page.locator("#network-edges a[href='/records/swy-police/S2']").count() > 0
    finally:
        context.close()


def test_a_practitioner_without_access_sees_nothing(
    visit: Any, make_user: Any, tmp_path: Path
) -> None:
    make_user("practitioner", "partnership-cse", username="outsider")
    alert = import_alert(tmp_path)
    ash = alert.subjects.get(label="Ash Khan").entity_id
    tab = visit()
    page = tab.page
    tab.sign_in("outsider")
    tab.go("/alerts")
    expect(page.locator("main")).to_contain_text("There are no alerts you can see yet")
    for url in (f"/alerts/{alert.pk}", f"/alerts/{alert.pk}/network", f"/network/person/{ash}"):
        response = tab.go(url)
        assert response.status == 404
        assert "Ash Khan" not in page.content() and "Amy Hill" not in page.content()
    tab.problems.clear()  # the 404 itself is reported on the console
    tab.check("alert-not-found")
