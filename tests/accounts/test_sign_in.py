"""Signing in: Argon2 hashes, tokens for the API, lockout after repeated failures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(users: dict[str, Any]) -> None:
    assert users["practitioner"].password.startswith("argon2")


def test_token_sign_in_then_api_use(users: dict[str, Any]) -> None:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "analyst", "password": PASSWORD, "code": totp_code(users["analyst"])},
        format="json",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me").json()
    assert (me["username"], me["role"], me["agency"]) == ("analyst", "analyst", "partnership-cse")


def test_wrong_password_is_refused_plainly(users: dict[str, Any]) -> None:
    response = APIClient().post(
        "/api/v1/auth/token",
        {"username": "analyst", "password": "nope", "code": totp_code(users["analyst"])},
        format="json",
    )
    assert response.status_code == 401
    assert response.json() == {"message": "Username, password or code is not right.", "extra": {}}


def test_lockout_after_repeated_failures_even_with_the_right_password(
    users: dict[str, Any],
) -> None:
    client = APIClient()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "manager", "password": "guess", "code": "123456"},
            format="json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "manager", "password": PASSWORD, "code": totp_code(users["manager"])},
        format="json",
    )
    assert response.status_code == 429
    assert "locked" in response.json()["message"]
    # Someone else is not locked out by it.
    ok = client.post(
        "/api/v1/auth/token",
        {"username": "analyst", "password": PASSWORD, "code": totp_code(users["analyst"])},
        format="json",
    )
    assert ok.status_code == 200


def test_page_sign_in_and_lockout(users: dict[str, Any]) -> None:
    browser = Client()
    assert browser.get("/").status_code == 302
    response = browser.post("/sign-in", {"username": "practitioner", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    # The password alone is half a sign-in: the code comes next.
    assert browser.get("/")["Location"] == "/account/two-factor?next=%2F"
    code = totp_code(users["practitioner"])
    done = browser.post("/account/two-factor", {"code": code, "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    home = browser.get("/")
    assert b"Signed in as" in home.content
    for _ in range(5):
        Client().post("/sign-in", {"username": "administrator", "password": "guess"})
    locked = Client().post("/sign-in", {"username": "administrator", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Account locked" in locked.content


def test_pages_carry_a_strict_content_security_policy(users: dict[str, Any]) -> None:
    response = Client().get("/sign-in")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_stylesheet_is_served_from_this_server(users: dict[str, Any]) -> None:
    page = Client().get("/sign-in").content.decode()
    # Built from GOV.UK Frontend by `make assets`; served by this server, never a CDN.
    assert 'href="/static/shinealight/frontend/app.css"' in page
    from django.contrib.staticfiles import finders

    assert finders.find("shinealight/frontend/app.css")
    assert finders.find("shinealight/app.js")


def test_security_headers_on_every_response(users: dict[str, Any]) -> None:
    for path in ("/sign-in", "/api/v1/me", "/healthz"):
        response = Client().get(path)
        assert "camera=()" in response["Permissions-Policy"], path
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_api_floods_are_refused_with_429(users: dict[str, Any], client_for: Any) -> None:
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**original, "user": "3/minute"}
    try:
        client = client_for("analyst")
        codes = [client.get("/api/v1/me").status_code for _ in range(5)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes == [200, 200, 200, 429, 429]
