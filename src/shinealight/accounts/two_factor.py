"""The second factor: TOTP codes from an authenticator app, and one-use recovery codes.

Sign-in is two steps. Django's `LoginView` checks the password and signs the session in;
until `mark_verified` records that a code passed, `SecondFactorMiddleware` lets that
session reach nothing but the second-factor pages and sign-out. The codes and their table
are django-allauth's (`allauth.mfa`): its TOTP arithmetic, its `Authenticator` rows and its
recovery codes, behind our own pages (docs/adr/0004-two-factor-with-allauth-primitives.md).

Wrong codes are failed sign-ins to django-axes, exactly like wrong passwords, so the same
limit locks the account; failures are cleared only when both factors have passed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

# Session keys. VERIFIED: both factors passed in this session. AUTHENTICATED_AT: when the
# password and code were last entered (sign-in or re-authentication), as a Unix time.
VERIFIED = "shinealight.two_factor_verified"
AUTHENTICATED_AT = "shinealight.authenticated_at"
# An enrolment's secret lives in the session until a code from it proves the app has it.
PENDING_SECRET = "shinealight.two_factor_secret"


def required() -> bool:
    """Whether every sign-in needs a code (`SHINEALIGHT_MFA_REQUIRED`, on by default)."""
    return bool(getattr(settings, "SHINEALIGHT_MFA_REQUIRED", True))


def reauthenticate_after() -> timedelta:
    """How long a sign-in or re-authentication counts as recent for exports."""
    value = getattr(settings, "SHINEALIGHT_REAUTHENTICATE_AFTER", timedelta(minutes=5))
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


# --- Authenticators -------------------------------------------------------------------


def totp_authenticator(user: Any) -> Authenticator | None:
    """The user's authenticator app, if they have set one up."""
    if not getattr(user, "pk", None):
        return None
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()


def has_totp(user: Any) -> bool:
    return totp_authenticator(user) is not None


def new_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32), as authenticator apps expect."""
    return generate_totp_secret()


def secret_of(authenticator: Authenticator) -> str:
    return get_adapter().decrypt(authenticator.data["secret"])


def current_step(at: float | None = None) -> int:
    """The 30-second time step a code belongs to."""
    return int(at if at is not None else time.time()) // mfa_settings.TOTP_PERIOD


def code_for(secret: str, step: int | None = None) -> str:
    """The code an authenticator app shows for `secret` now (or at a given time step)."""
    return format_hotp_value(hotp_value(secret, current_step() if step is None else step))


def matching_step(secret: str, code: str) -> int | None:
    """The time step near now whose code is `code`, or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != mfa_settings.TOTP_DIGITS:
        return None
    now = current_step()
    tolerance = mfa_settings.TOTP_TOLERANCE
    for step in range(now - tolerance, now + tolerance + 1):
        if compare_user_code(actual=code, expected=code_for(secret, step)):
            return step
    return None


def provisioning(user: Any, secret: str) -> tuple[str, str]:
    """The otpauth:// address and its QR code as inline SVG (made here, never fetched)."""
    adapter = get_adapter()
    url = adapter.build_totp_url(user, secret)
    svg = adapter.build_totp_svg(url)
    # Drop the XML prolog so the SVG can sit inside the page; give it a text alternative.
    svg = svg[svg.index("<svg") :]
    svg = svg.replace(
        "<svg",
        '<svg role="img" aria-label="QR code holding your authenticator key"',
        1,
    )
    return url, svg


@dataclass(frozen=True)
class Verified:
    """A code that passed: from the authenticator app, or one of the recovery codes."""

    kind: str  # "totp" or "recovery_code"
    recovery_codes_left: int | None = None


@transaction.atomic
def verify(user: Any, code: str) -> Verified | None:
    """Check a code from the user's app, or a recovery code; each is accepted once.

    A TOTP code whose time step is not later than the last one accepted is refused, so a
    code seen over someone's shoulder cannot be replayed (kept in the database, so this
    holds across every server process).
    """
    code = (code or "").strip()
    if not code:
        return None
    totp = (
        Authenticator.objects.select_for_update()
        .filter(user_id=user.pk, type=Authenticator.Type.TOTP)
        .first()
    )
    if totp is not None:
        step = matching_step(secret_of(totp), code)
        if step is not None and step > int(totp.data.get("last_step", -1)):
            totp.data["last_step"] = step
            totp.last_used_at = timezone.now()
            totp.save(update_fields=["data", "last_used_at"])
            return Verified("totp")
        if step is not None:
            return None  # already used
    recovery = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    if recovery is not None:
        codes = RecoveryCodes(recovery)
        if codes.validate_code(code.replace(" ", "").replace("-", "")):
            codes.instance.record_usage()
            return Verified("recovery_code", len(codes.get_unused_codes()))
    return None


def recovery_codes(user: Any) -> list[str]:
    """The user's unused recovery codes (none before they set up their app)."""
    instance = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return RecoveryCodes(instance).get_unused_codes() if instance else []


# --- The session ----------------------------------------------------------------------


def session_verified(request: HttpRequest) -> bool:
    """Whether this signed-in session has passed the second factor (or needs none)."""
    return not required() or bool(request.session.get(VERIFIED))


def mark_verified(request: HttpRequest) -> None:
    """Both factors passed: the session is fully signed in, and counts as recent."""
    request.session.cycle_key()
    request.session[VERIFIED] = True
    mark_authenticated(request)


def mark_authenticated(request: HttpRequest) -> None:
    """The password (and code) were entered just now."""
    request.session[AUTHENTICATED_AT] = time.time()


def authenticated_recently(request: HttpRequest, max_age: timedelta | None = None) -> bool:
    """Whether this session entered its password and code within `max_age`."""
    if not session_verified(request):
        return False
    at = request.session.get(AUTHENTICATED_AT)
    if not isinstance(at, (int, float)):
        return False
    age = max_age if max_age is not None else reauthenticate_after()
    return 0 <= time.time() - at <= age.total_seconds()


# --- Lockout (django-axes) ------------------------------------------------------------


def _credentials(user: Any) -> dict[str, Any]:
    return {"username": user.get_username()}


def locked_out(request: HttpRequest, user: Any) -> bool:
    """Whether repeated failures have locked this account."""
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def record_failure(request: HttpRequest, user: Any) -> bool:
    """Count a wrong code as a failed sign-in; return whether the account is now locked."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False)) or locked_out(request, user)


def clear_failures(user: Any) -> None:
    """Both factors passed: earlier failures no longer count towards a lockout."""
    AxesProxyHandler.reset_attempts(username=user.get_username())


def on_password_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A password sign-in is the whole sign-in only when codes are switched off."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(VERIFIED, None)
    request.session.pop(AUTHENTICATED_AT, None)
    if not required():
        request.session[VERIFIED] = True
        mark_authenticated(request)
        clear_failures(user)


def connect_signals() -> None:
    user_logged_in.connect(on_password_sign_in, dispatch_uid="shinealight.two_factor.sign_in")
