"""Account pages: the administrator's user pages, and each person's second factor.

The second-factor pages (`account_pages.py`, under /account/) finish a sign-in that the
password started, and confirm it is still you before an export.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shinealight.accounts import two_factor
from shinealight.accounts.decorators import reauthentication_required, role_required
from shinealight.accounts.forms import CodeForm, EnrolForm, ReauthenticateForm, UserForm
from shinealight.accounts.lockout import lockout_response
from shinealight.accounts.roles import Role
from shinealight.accounts.selectors import user_list
from shinealight.accounts.services import (
    recovery_code_used,
    recovery_codes_regenerate,
    two_factor_enrol,
    user_create,
)


@role_required((Role.ADMINISTRATOR,))
def users_list(request: HttpRequest) -> HttpResponse:
    """Everyone with an account, their role and agency."""
    return render(request, "accounts/users.html", {"users": user_list()})


@role_required((Role.ADMINISTRATOR,))
def user_new(request: HttpRequest) -> HttpResponse:
    """Add a user; the service checks the password and writes the audit entry."""
    form = UserForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user = user_create(
                acting_user=request.user, agency_code=data.pop("agency") or None, **data
            )
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        except ValueError as exc:
            form.add_error("agency", str(exc))
        else:
            messages.success(request, f"User {user.username} added")
            return redirect("admin-users")
    return render(request, "accounts/user_new.html", {"form": form})


# --- The second factor ----------------------------------------------------------------

WRONG_CODE = "The code is not right, or it has been used already. Enter the code your app shows now"


def _next_url(request: HttpRequest) -> str:
    """Where to go afterwards: `next` if it is a path on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _locked(request: HttpRequest) -> HttpResponse:
    """Sign the half-signed-in session out and show the lockout page."""
    logout(request)
    return lockout_response(request)


def _signed_in(request: HttpRequest, verified: two_factor.Verified) -> None:
    """Both factors passed: clear earlier failures and say so if a recovery code was used."""
    user: Any = request.user
    two_factor.clear_failures(user)
    if verified.kind == "recovery_code":
        left = verified.recovery_codes_left or 0
        recovery_code_used(acting_user=user, left=left)
        messages.warning(
            request,
            f"You used a recovery code. You have {left} left: "
            "make new ones from your recovery codes page if you are running out",
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_authenticate(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the app (or a recovery code)."""
    user: Any = request.user
    next_url = _next_url(request)
    if two_factor.session_verified(request):
        return redirect(next_url)
    if not two_factor.has_totp(user):
        return redirect(f"{reverse('two-factor-enrol')}?{urlencode({'next': next_url})}")
    if two_factor.locked_out(request, user):
        return _locked(request)
    form = CodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = two_factor.verify(user, form.cleaned_data["code"])
        if verified is not None:
            two_factor.mark_verified(request)
            _signed_in(request, verified)
            return redirect(next_url)
        if two_factor.record_failure(request, user):
            return _locked(request)
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """First sign-in: add Shine a Light to an authenticator app, then prove it with a code."""
    user: Any = request.user
    next_url = _next_url(request)
    if two_factor.has_totp(user):
        # Changing an app that is already set up is for an administrator's reset.
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': next_url})}")
    if two_factor.locked_out(request, user):
        return _locked(request)
    secret = request.session.get(two_factor.PENDING_SECRET)
    if not isinstance(secret, str) or not secret:
        secret = request.session[two_factor.PENDING_SECRET] = two_factor.new_secret()
    form = EnrolForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = two_factor.matching_step(secret, form.cleaned_data["code"])
        if step is not None:
            codes = two_factor_enrol(acting_user=user, secret=secret, step=step)
            request.session.pop(two_factor.PENDING_SECRET, None)
            two_factor.mark_verified(request)
            two_factor.clear_failures(user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": next_url, "just_enrolled": True},
            )
        if two_factor.record_failure(request, user):
            return _locked(request)
        form.add_error("code", WRONG_CODE)
    url, svg = two_factor.provisioning(user, secret)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": svg,
            "otpauth_url": url,
        },
    )


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Your unused recovery codes, and making a new set (after confirming it is you)."""
    user: Any = request.user
    if not two_factor.has_totp(user):
        return redirect("two-factor-enrol")
    if request.method == "POST":
        codes = recovery_codes_regenerate(acting_user=user)
        messages.success(request, "New recovery codes made: the old ones no longer work")
    else:
        codes = two_factor.recovery_codes(user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("home"), "just_enrolled": False},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirm it is still you: the password and a fresh code, before an export."""
    user: Any = request.user
    next_url = _next_url(request)
    needs_code = two_factor.required()
    if two_factor.locked_out(request, user):
        return _locked(request)
    form = ReauthenticateForm(data=request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        # Through the authentication backends, so django-axes counts a wrong password.
        checked = authenticate(
            request, username=user.get_username(), password=form.cleaned_data["password"]
        )
        if checked is None or checked.pk != user.pk:
            if getattr(request, "axes_locked_out", False) or two_factor.locked_out(request, user):
                return _locked(request)
            form.add_error("password", "Your password is not right")
        elif needs_code:
            verified = two_factor.verify(user, form.cleaned_data["code"])
            if verified is None:
                if two_factor.record_failure(request, user):
                    return _locked(request)
                form.add_error("code", WRONG_CODE)
            else:
                two_factor.mark_authenticated(request)
                _signed_in(request, verified)
                return redirect(next_url)
        else:
            two_factor.mark_authenticated(request)
            two_factor.clear_failures(user)
            return redirect(next_url)
    return render(
        request,
        "accounts/reauthenticate.html",
        {
            "form": form,
            "next": next_url,
            "needs_code": needs_code,
            "minutes": int(two_factor.reauthenticate_after().total_seconds() // 60),
        },
    )
