"""Two-factor sign-in: setting up an app, the code step, lockout, recovery codes, API tokens,
and asking for the password and code again before exports."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView
from tests.conftest import PASSWORD, TOTP_SECRET, totp_code

from shinealight.accounts import two_factor
from shinealight.accounts.decorators import reauthentication_required
from shinealight.accounts.permissions import RecentlyAuthenticated
from shinealight.accounts.roles import Role
from shinealight.api.permissions import RoleAllowed
from shinealight.web.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[Any]:
    from shinealight.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _password_only(username: str, password: str = PASSWORD) -> Client:
    """A browser that has given the right password and nothing more."""
    browser = Client()
    response = browser.post("/sign-in", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return browser


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- Setting up an authenticator app at the first sign-in -------------------------------


def test_first_sign_in_sets_up_an_app_then_signs_in(make_user: Any) -> None:
    from allauth.mfa.models import Authenticator

    user = make_user("analyst", "partnership-cse", two_factor=False)
    browser = _password_only("analyst")
    # Every page waits for the second factor; the code page sends a newcomer to set up.
    assert browser.get("/records/")["Location"] == "/account/two-factor?next=%2Frecords%2F"
    step = browser.get("/account/two-factor?next=%2Frecords%2F")
    assert step["Location"] == "/account/two-factor/set-up?next=%2Frecords%2F"

    page = browser.get(step["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is drawn here, inline: no image fetched from anywhere.
    assert re.search(r'<svg role="img" aria-label="QR code[^"]*"', html)
    assert "<img" not in html and "chart.googleapis" not in html
    secret = browser.session[two_factor.PENDING_SECRET]
    shown = re.search(r'id="totp-key">([A-Z2-7 ]+)<', html)
    assert shown is not None and shown.group(1).replace(" ", "") == secret
    # Reloading shows the same key (the app may already hold it).
    assert secret in browser.get(step["Location"]).content.decode().replace(" ", "")

    right = two_factor.code_for(secret)
    wrong = browser.post(step["Location"], {"code": _wrong(right), "next": "/records/"})
    assert wrong.status_code == 200 and b"The code is not right" in wrong.content
    assert not Authenticator.objects.filter(user=user).exists()

    done = browser.post(step["Location"], {"code": right, "next": "/records/"})
    assert done.status_code == 200
    codes = re.findall(r'<code class="app-recovery-code">(\d{8})</code>', done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert b'href="/records/"' in done.content
    kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert kinds == {"totp", "recovery_codes"}
    assert [e.actor_username for e in _events("two_factor.enrol")] == ["analyst"]
    assert browser.get("/records/").status_code == 200
    assert two_factor.PENDING_SECRET not in browser.session

    # The code that set the app up cannot sign in a second time.
    again = _password_only("analyst")
    refused = again.post("/account/two-factor", {"code": right})
    assert refused.status_code == 200 and b"The code is not right" in refused.content


def test_someone_with_an_app_cannot_set_up_another(users: dict[str, Any]) -> None:
    browser = _password_only("practitioner")
    response = browser.get("/account/two-factor/set-up")
    assert response["Location"].startswith("/account/two-factor?")
    assert two_factor.PENDING_SECRET not in browser.session


# --- The code step ----------------------------------------------------------------------


def test_a_password_alone_reaches_nothing(users: dict[str, Any]) -> None:
    browser = _password_only("analyst")
    for url in ("/", "/records/", "/administration/users", "/account/reauthenticate"):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/two-factor?next="), url
    api = browser.get("/api/v1/me")
    assert api.status_code == 401
    assert set(api.json()) == {"message", "extra"} and "code" in api.json()["message"]
    # Still open: the code page, the health check, the accessibility statement, static
    # files and signing out.
    assert browser.get("/account/two-factor").status_code == 200
    assert browser.get("/healthz").status_code == 200
    assert browser.get("/accessibility").status_code == 200
    assert browser.get("/static/shinealight/app.js").status_code == 200
    assert browser.post("/sign-out")["Location"] == "/sign-in"
    assert browser.get("/")["Location"].startswith("/sign-in")


def test_the_right_code_signs_in_and_goes_where_asked(users: dict[str, Any]) -> None:
    browser = _password_only("safeguarding_lead")
    response = browser.post(
        "/account/two-factor", {"code": totp_code(users["safeguarding_lead"]), "next": "/records/"}
    )
    assert response.status_code == 302 and response["Location"] == "/records/"
    assert browser.get("/records/").status_code == 200
    assert browser.get("/api/v1/me").json()["username"] == "safeguarding_lead"
    # A signed-in person who opens the code page again is just sent on.
    assert browser.get("/account/two-factor")["Location"] == "/"


def test_next_never_leaves_the_site(users: dict[str, Any]) -> None:
    browser = _password_only("manager")
    response = browser.post(
        "/account/two-factor",
        {"code": totp_code(users["manager"]), "next": "https://evil.example/steal"},
    )
    assert response["Location"] == "/"


def test_a_code_is_accepted_once(users: dict[str, Any]) -> None:
    code = totp_code(users["analyst"])
    first = _password_only("analyst")
    assert first.post("/account/two-factor", {"code": code}).status_code == 302
    second = _password_only("analyst")
    replay = second.post("/account/two-factor", {"code": code})
    assert replay.status_code == 200 and b"The code is not right" in replay.content
    assert second.get("/")["Location"].startswith("/account/two-factor")


def test_codes_from_other_keys_and_other_times_are_refused(users: dict[str, Any]) -> None:
    user = users["analyst"]
    now = two_factor.current_step()
    assert two_factor.verify(user, two_factor.code_for("A" * 32, now)) is None
    assert two_factor.verify(user, two_factor.code_for(TOTP_SECRET, now - 5)) is None
    assert two_factor.verify(user, two_factor.code_for(TOTP_SECRET, now + 5)) is None
    assert two_factor.verify(user, "") is None
    assert two_factor.verify(user, "abcdef") is None
    # One step of clock drift either way is allowed.
    assert two_factor.verify(user, two_factor.code_for(TOTP_SECRET, now - 1)) is not None


def test_signing_in_again_with_the_password_needs_the_code_again(users: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(users["analyst"])
    assert browser.get("/").status_code == 200
    browser.post("/sign-in", {"username": "analyst", "password": PASSWORD})
    assert browser.get("/")["Location"].startswith("/account/two-factor")


# --- Lockout ------------------------------------------------------------------------------


def test_wrong_codes_lock_the_account_like_wrong_passwords(users: dict[str, Any]) -> None:
    browser = _password_only("manager")
    good = totp_code(users["manager"])
    for _ in range(4):
        response = browser.post("/account/two-factor", {"code": _wrong(good)})
        assert response.status_code == 200
    locked = browser.post("/account/two-factor", {"code": _wrong(good)})
    assert locked.status_code == 429 and b"Account locked" in locked.content
    # The half-signed-in session is over, and the right password and code do not help now.
    assert browser.get("/")["Location"].startswith("/sign-in")
    again = Client().post("/sign-in", {"username": "manager", "password": PASSWORD})
    assert again.status_code == 429
    # Someone else is not locked out by it.
    assert _password_only("analyst").get("/")["Location"].startswith("/account/two-factor")


def test_a_right_password_does_not_clear_wrong_codes(users: dict[str, Any]) -> None:
    good = totp_code(users["analyst"])
    for _ in range(3):
        _password_only("analyst").post("/account/two-factor", {"code": _wrong(good)})
    browser = _password_only("analyst")
    assert browser.post("/account/two-factor", {"code": _wrong(good)}).status_code == 200
    assert browser.post("/account/two-factor", {"code": _wrong(good)}).status_code == 429


def test_both_factors_clear_earlier_failures(users: dict[str, Any]) -> None:
    for _ in range(4):
        Client().post("/sign-in", {"username": "analyst", "password": "guess"})
    browser = _password_only("analyst")
    assert (
        browser.post("/account/two-factor", {"code": totp_code(users["analyst"])}).status_code
        == 302
    )
    for _ in range(4):
        Client().post("/sign-in", {"username": "analyst", "password": "guess"})
    assert _password_only("analyst").get("/").status_code == 302  # not locked: 4 < 5


def test_a_locked_account_cannot_try_codes(users: dict[str, Any]) -> None:
    browser = _password_only("analyst")
    for _ in range(5):
        Client().post("/sign-in", {"username": "analyst", "password": "guess"})
    response = browser.post("/account/two-factor", {"code": totp_code(users["analyst"])})
    assert response.status_code == 429
    assert browser.get("/")["Location"].startswith("/sign-in")


# --- Recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(users: dict[str, Any]) -> None:
    from shinealight.accounts.services import two_factor_enrol

    user = users["practitioner"]
    codes = two_factor_enrol(acting_user=user, secret=TOTP_SECRET)
    browser = _password_only("practitioner")
    response = browser.post("/account/two-factor", {"code": codes[3], "next": "/"})
    assert response.status_code == 302
    home = browser.get("/")
    assert b"You used a recovery code. You have 9 left" in home.content
    assert _events("two_factor.recovery_code_used")[-1].detail == {"left": 9}
    assert codes[3] not in two_factor.recovery_codes(user)
    again = _password_only("practitioner").post("/account/two-factor", {"code": codes[3]})
    assert again.status_code == 200 and b"The code is not right" in again.content


def test_recovery_codes_page_shows_and_replaces_codes_after_confirming(
    users: dict[str, Any],
) -> None:
    from shinealight.accounts.services import two_factor_enrol

    user = users["analyst"]
    old = two_factor_enrol(acting_user=user, secret=TOTP_SECRET)
    browser = Client()
    browser.force_login(user)
    page = browser.get("/account/recovery-codes")
    assert page.status_code == 200 and old[0].encode() in page.content
    made = browser.post("/account/recovery-codes")
    new = re.findall(r'<code class="app-recovery-code">(\d{8})</code>', made.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.verify(user, old[0]) is None
    assert _events("two_factor.recovery_codes_regenerate")
    # Long after signing in, seeing the codes needs the password and code again.
    _age_session(browser, minutes=6)
    assert browser.get("/account/recovery-codes")["Location"].startswith(
        "/account/reauthenticate?next="
    )


def test_an_administrator_reset_sends_the_user_back_to_set_up(users: dict[str, Any]) -> None:
    from shinealight.accounts.services import two_factor_reset

    user = users["analyst"]
    assert two_factor_reset(acting_user=users["administrator"], user=user) == 1
    assert not two_factor.has_totp(user)
    assert _events("two_factor.reset")[-1].actor_username == "administrator"
    browser = _password_only("analyst")
    assert browser.get("/account/two-factor")["Location"].startswith("/account/two-factor/set-up")


# --- The API token ----------------------------------------------------------------------------


def _token(client: APIClient, username: str, code: str | None, password: str = PASSWORD) -> Any:
    body = {"username": username, "password": password}
    if code is not None:
        body["code"] = code
    return client.post("/api/v1/auth/token", body, format="json")


def test_api_token_needs_the_code(users: dict[str, Any]) -> None:
    client = APIClient()
    missing = _token(client, "analyst", None)
    assert missing.status_code == 400 and "code" in missing.json()["extra"]["fields"]
    good = totp_code(users["analyst"])
    wrong = _token(client, "analyst", _wrong(good))
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "Username, password or code is not right."
    ok = _token(client, "analyst", good)
    assert ok.status_code == 200 and ok.json()["token"]
    replay = _token(client, "analyst", good)
    assert replay.status_code == 401


def test_api_token_accepts_a_recovery_code(users: dict[str, Any]) -> None:
    from shinealight.accounts.services import two_factor_enrol

    codes = two_factor_enrol(acting_user=users["analyst"], secret=TOTP_SECRET)
    assert _token(APIClient(), "analyst", codes[0]).status_code == 200
    assert _token(APIClient(), "analyst", codes[0]).status_code == 401


def test_api_token_wrong_codes_lock_the_account(users: dict[str, Any]) -> None:
    client = APIClient()
    good = totp_code(users["manager"])
    statuses = [_token(client, "manager", _wrong(good)).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = _token(client, "manager", totp_code(users["manager"]))
    assert locked.status_code == 429 and "locked" in locked.json()["message"]


def test_api_token_before_setting_up_an_app(make_user: Any) -> None:
    make_user("analyst", "partnership-cse", two_factor=False)
    response = _token(APIClient(), "analyst", "123456")
    assert response.status_code == 403
    assert "sign in to the website" in response.json()["message"]


# --- Switched off ---------------------------------------------------------------------------


def test_codes_can_be_switched_off_for_development(users: dict[str, Any], settings: Any) -> None:
    settings.SHINEALIGHT_MFA_REQUIRED = False
    browser = _password_only("analyst")
    assert browser.get("/").status_code == 200
    assert _token(APIClient(), "analyst", None).status_code == 200


def test_codes_are_required_by_default() -> None:
    from django.conf import settings

    assert settings.SHINEALIGHT_MFA_REQUIRED is True
    assert settings.SHINEALIGHT_REAUTHENTICATE_AFTER == timedelta(minutes=5)
    assert settings.AXES_RESET_ON_SUCCESS is False


# --- Re-authentication before exports -------------------------------------------------------


@reauthentication_required
def _export_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the export")


@reauthentication_required(max_age=timedelta(seconds=30))
def _strict_export_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the strict export")


class _ExportApi(APIView):
    permission_classes = [RoleAllowed, RecentlyAuthenticated]
    read_roles = (Role.ANALYST,)

    def get(self, request: Any) -> Response:
        return Response({"rows": 1})


urlpatterns = [
    path("test-export", _export_page),
    path("test-export-strict", _strict_export_page),
    path("api/v1/test-export", _ExportApi.as_view()),
    *site_urlpatterns,
]


def _age_session(browser: Client, minutes: float) -> None:
    session = browser.session
    session[two_factor.AUTHENTICATED_AT] = time.time() - minutes * 60
    session.save()


@pytest.mark.urls(__name__)
def test_export_page_asks_for_password_and_code_again(users: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(users["analyst"])
    # Just signed in (both factors): recent enough.
    assert browser.get("/test-export").content == b"the export"
    _age_session(browser, minutes=6)
    response = browser.get("/test-export?format=csv")
    assert response.status_code == 302
    assert response["Location"] == "/account/reauthenticate?next=%2Ftest-export%3Fformat%3Dcsv"

    form = browser.get(response["Location"])
    assert form.status_code == 200 and b"Confirm it is you" in form.content
    good = totp_code(users["analyst"])
    wrong_password = browser.post(
        "/account/reauthenticate",
        {"password": "guess", "code": good, "next": "/test-export?format=csv"},
    )
    assert (
        wrong_password.status_code == 200
        and b"Your password is not right" in wrong_password.content
    )
    wrong_code = browser.post(
        "/account/reauthenticate",
        {"password": PASSWORD, "code": _wrong(good), "next": "/test-export?format=csv"},
    )
    assert wrong_code.status_code == 200 and b"The code is not right" in wrong_code.content
    assert browser.get("/test-export").status_code == 302
    done = browser.post(
        "/account/reauthenticate",
        {"password": PASSWORD, "code": good, "next": "/test-export?format=csv"},
    )
    assert done.status_code == 302 and done["Location"] == "/test-export?format=csv"
    assert browser.get("/test-export?format=csv").content == b"the export"


@pytest.mark.urls(__name__)
def test_export_page_max_age_and_anonymous(users: dict[str, Any]) -> None:
    assert Client().get("/test-export")["Location"].startswith("/sign-in")
    browser = Client()
    browser.force_login(users["analyst"])
    _age_session(browser, minutes=1)
    assert browser.get("/test-export").status_code == 200
    assert browser.get("/test-export-strict").status_code == 302


@pytest.mark.urls(__name__)
def test_reauthentication_failures_count_towards_lockout(users: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(users["analyst"])
    good = totp_code(users["analyst"])
    for _ in range(2):
        browser.post("/account/reauthenticate", {"password": "guess", "code": good})
    for _ in range(2):
        browser.post("/account/reauthenticate", {"password": PASSWORD, "code": _wrong(good)})
    locked = browser.post("/account/reauthenticate", {"password": PASSWORD, "code": _wrong(good)})
    assert locked.status_code == 429
    assert browser.get("/")["Location"].startswith("/sign-in")


@pytest.mark.urls(__name__)
def test_export_api_needs_a_recent_token(users: dict[str, Any], client_for: Any) -> None:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    client = client_for("analyst")
    # A token just issued counts as a sign-in with password and code.
    assert client.get("/api/v1/test-export").status_code == 200
    token = Token.objects.get(user=users["analyst"])
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(minutes=6))
    stale = client.get("/api/v1/test-export")
    assert stale.status_code == 403
    assert "POST /api/v1/auth/token" in stale.json()["message"]
    # Signing in again for a token (password and code) keeps the key and makes it recent.
    again = _token(APIClient(), "analyst", totp_code(users["analyst"]))
    assert again.json()["token"] == token.key
    assert client.get("/api/v1/test-export").status_code == 200
    # The role check still comes first.
    assert client_for("manager").get("/api/v1/test-export").status_code == 403
    assert client_for(None).get("/api/v1/test-export").status_code == 401


@pytest.mark.urls(__name__)
def test_export_api_in_a_browser_session(users: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(users["analyst"])
    assert browser.get("/api/v1/test-export").status_code == 200
    _age_session(browser, minutes=6)
    assert browser.get("/api/v1/test-export").status_code == 403


# --- Commands -------------------------------------------------------------------------------


def test_command_prints_the_code_for_a_key() -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    result = CliRunner().invoke(
        app, ["two-factor", "code", "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"]
    )
    assert result.exit_code == 0, result.output
    now = two_factor.current_step()
    assert result.output.strip() in {two_factor.code_for(TOTP_SECRET, s) for s in (now - 1, now)}
    bad = CliRunner().invoke(app, ["two-factor", "code", "not a key!"])
    assert bad.exit_code == 1


def test_command_resets_a_users_second_factor(users: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    result = CliRunner().invoke(app, ["two-factor", "reset", "analyst", "--as", "administrator"])
    assert result.exit_code == 0, result.output
    assert "set up an authenticator app at their next sign-in" in " ".join(result.output.split())
    assert not two_factor.has_totp(users["analyst"])
    assert _events("two_factor.reset")[-1].actor_username == "administrator"
    missing = CliRunner().invoke(app, ["two-factor", "reset", "nobody"])
    assert missing.exit_code == 1
