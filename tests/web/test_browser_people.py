"""Search, a child's profile and chronology, its printed PDF and the review queue, in a real
browser, with axe-core on every page in its empty, populated and error states."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


@pytest.fixture
def world(users: dict[str, Any]) -> dict[str, Any]:
    from tests.people.pages_data import entity_of, extra_katie_records, partnership_records, submit

    submit(users["analyst"], partnership_records() + extra_katie_records(12))
    return {"katie": entity_of("rmbc-csc/REF-1/p1").entity_id}


def test_analyst_searches_opens_the_chronology_and_prints_it(
    visit: Any, users: dict[str, Any], world: dict[str, Any]
) -> None:
    pypdf = pytest.importorskip("pypdf")
    tab = visit()
    page = tab.page
    tab.sign_in("analyst")
    page.click(".govuk-service-navigation__link:has-text('Search')")
    expect(page.locator("h1")).to_have_text("Search")
    tab.check("search-empty")

    page.fill("#id_q", "k")
    page.click("button:has-text('Search')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("search-error")

    page.fill("#id_q", "Nobody Atall")
    page.click("button:has-text('Search')")
    expect(page.locator("main")).to_contain_text("Nothing you may see matches")
    tab.check("search-nothing")

    page.fill("#id_q", "Katy Smiht")
    page.click("button:has-text('Search')")
    expect(page.locator("#results-person tbody tr")).to_have_count(1)
    tab.check("search-results")

    page.click("#results-person a")
    expect(page.locator("h1")).to_have_text("Katie Smith")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Child")
    expect(page.locator(".moj-timeline__item")).to_have_count(15)
    tab.check("child-profile")

    page.select_option("#id_agency", "swy-police")
    page.click("button:has-text('Apply filters')")
    expect(page.locator(".moj-timeline__item")).to_have_count(2)
    tab.check("child-profile-filtered")

    page.fill("#id_recorded_from", "01/01/2030")
    page.click("button:has-text('Apply filters')")
    expect(page.locator("#chronology-count")).to_have_text("No entries match these filters.")
    tab.check("child-profile-filtered-empty")

    page.fill("#id_recorded_from", "31/02/2023")
    page.click("button:has-text('Apply filters')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("child-profile-filter-error")

    # The print link carries the filters; the browser's session downloads the PDF.
    tab.go(f"/people/{world['katie']}?agency=swy-police")
    href = page.locator("a:has-text('Print for strategy meeting')").get_attribute("href")
    assert href.endswith("chronology.pdf?agency=swy-police")
    response = page.request.get(tab.base_url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body()))
    assert len(reader.pages) >= 1
    text = reader.pages[0].extract_text()
    assert "OFFICIAL-SENSITIVE" in text and f"Page 1 of {len(reader.pages)}" in text

    # A linked adult's profile, from the chronology's links.
    page.click("#links a:has-text('Ashley Khan')")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Adult")
    tab.check("adult-profile")
    page.click("#links a:has-text('KX55ABC')")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Vehicle")
    tab.check("vehicle-profile")


def test_reviewer_decides_a_match_and_undoes_it(
    visit: Any, users: dict[str, Any], world: dict[str, Any]
) -> None:
    from tests.people.pages_data import make_review_item

    tab = visit()
    page = tab.page
    tab.sign_in("analyst")
    tab.go("/review")
    expect(page.locator("main")).to_contain_text("No pair you may see is waiting")
    tab.check("review-empty")

    make_review_item("swy-police/INC-1/p2", "rmbc-csc/REF-1/p1")
    page.reload()
    expect(page.locator("#review-items tbody tr")).to_have_count(1)
    tab.check("review-queue")

    page.click("#review-items a")
    expect(page.locator("h1")).to_have_text("Are these the same person?")
    expect(page.locator("#contributions tbody tr")).to_have_count(3)
    tab.check("review-item")

    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.problems.clear()  # the 400 answer is reported on the console
    tab.check("review-item-errors")

    page.check("#id_decision_1")
    page.fill("#id_reason", "Dates of birth eighteen years apart")
    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(page.locator("#history")).to_contain_text("Dates of birth eighteen years apart")
    tab.check("review-item-decided")

    page.click("#history button:has-text('Undo')")
    expect(page.locator("#history")).to_contain_text("Withdrawn by")
    expect(page).to_have_url(re.compile(r"/review/\d+$"))
    tab.go("/review?state=decided")
    tab.check("review-decided-empty")
