"""Two-factor sign-in in a real browser: setting up an app, the code step, confirming it is
you. axe-core runs on every page and state."""

from __future__ import annotations

import re
from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _password(tab: Any, username: str) -> None:
    from tests.conftest import PASSWORD

    tab.go("/sign-in")
    tab.page.fill("#id_username", username)
    tab.page.fill("#id_password", PASSWORD)
    with tab.page.expect_navigation():
        tab.page.click("button:has-text('Sign in')")


def test_first_sign_in_sets_up_an_authenticator_app(visit: Any, make_user: Any) -> None:
    from shinealight.accounts import two_factor

    make_user("practitioner", two_factor=False)
    tab = visit()
    page = tab.page
    _password(tab, "practitioner")
    expect(page).to_have_url(re.compile(r"/account/two-factor/set-up\?next=%2F$"))
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    qr = page.locator(".app-qr-code svg[role=img]")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100
    tab.check("two-factor-set-up")

    key = page.inner_text("#totp-key").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    code = two_factor.code_for(key)
    page.fill("#id_code", _wrong(code))
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.click(".govuk-error-summary__list a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "id_code"
    tab.check("two-factor-set-up-error")

    page.fill("#id_code", code)
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Your authenticator app is set up")
    expect(page.locator("code.app-recovery-code")).to_have_count(10)
    tab.check("recovery-codes")
    page.click("text=I have kept my recovery codes")
    expect(page.locator("h1")).to_have_text("Your inbox")


def test_sign_in_asks_for_the_code(visit: Any, users: dict[str, Any]) -> None:
    from tests.conftest import totp_code

    tab = visit()
    page = tab.page
    _password(tab, "analyst")
    expect(page).to_have_url(re.compile(r"/account/two-factor\?next=%2F$"))
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    assert page.get_attribute("#id_code", "autocomplete") == "one-time-code"
    tab.check("two-factor")
    # Any other page sends the half-signed-in person back here.
    tab.go("/records/")
    expect(page).to_have_url(re.compile(r"/account/two-factor\?next=%2Frecords%2F$"))

    code = totp_code(users["analyst"])
    page.fill("#id_code", _wrong(code))
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("two-factor-error")
    page.fill("#id_code", code)
    page.click("button:has-text('Continue')")
    expect(page).to_have_url(re.compile(r"/records/$"))

    tab.go("/account/reauthenticate?next=/records/")
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    tab.check("reauthenticate")
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("reauthenticate-errors")


def test_the_sign_in_helper_still_signs_everyone_in(visit: Any, users: dict[str, Any]) -> None:
    tab = visit()
    tab.sign_in("administrator")
    expect(tab.page.locator("h1")).to_have_text("Your inbox")
    # A second sign-in within the same 30 seconds still works (the next code is used).
    other = visit()
    other.sign_in("administrator")
    expect(other.page.locator("h1")).to_have_text("Your inbox")
