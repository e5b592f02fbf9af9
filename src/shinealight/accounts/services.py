"""Creating users, issuing API tokens and managing second factors, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from shinealight.accounts import two_factor
from shinealight.accounts.models import User
from shinealight.accounts.roles import Role
from shinealight.audit.services import audit_log
from shinealight.records.models import Agency


@transaction.atomic
def user_create(
    *,
    acting_user: Any,
    username: str,
    password: str,
    role: str,
    agency_code: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
) -> User:
    """Create a user in an agency with one role. The password must pass the validators."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    agency = None
    if agency_code:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise ValueError(f"no agency with code {agency_code!r}; register it first")
    user = User(
        username=username,
        role=role,
        agency=agency,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_log(
        acting_user=acting_user,
        action="user.create",
        object_type="user",
        object_ids=[user.pk],
        detail={"username": username, "role": role, "agency": agency_code},
    )
    return user


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """Give the user an API token (the same one until it is revoked).

    Call it only once the password and code have been checked. The token keeps its key, but
    its `created` time moves to now: it records when the password and code were last given
    for it, which is what `accounts.permissions.RecentlyAuthenticated` asks of exports.
    """
    token, created = Token.objects.get_or_create(user=user)
    if not created:
        token.created = timezone.now()
        Token.objects.filter(pk=token.pk).update(created=token.created)
    audit_log(
        acting_user=user,
        action="token.issue" if created else "token.reissue",
        object_type="user",
        object_ids=[user.pk],
    )
    return token


@transaction.atomic
def two_factor_enrol(*, acting_user: User, secret: str, step: int | None = None) -> list[str]:
    """Keep the user's authenticator key and give them recovery codes; returns the codes.

    `step` is the time step of the code that proved the app holds the key: it cannot be
    used again to sign in.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    Authenticator.objects.filter(user_id=acting_user.pk).delete()
    totp = TOTP.activate(acting_user, secret).instance
    if step is not None:
        totp.data["last_step"] = step
        totp.save(update_fields=["data"])
    codes = RecoveryCodes.activate(acting_user).generate_codes()
    audit_log(
        acting_user=acting_user,
        action="two_factor.enrol",
        object_type="user",
        object_ids=[acting_user.pk],
    )
    return codes


@transaction.atomic
def two_factor_reset(*, acting_user: Any, user: User) -> int:
    """Remove a user's authenticator and recovery codes (a lost phone): they set up a new
    app at their next sign-in. Returns how many were removed."""
    from allauth.mfa.models import Authenticator

    removed, _ = Authenticator.objects.filter(user_id=user.pk).delete()
    audit_log(
        acting_user=acting_user,
        action="two_factor.reset",
        object_type="user",
        object_ids=[user.pk],
        detail={"username": user.username, "removed": removed},
    )
    return removed


@transaction.atomic
def recovery_codes_regenerate(*, acting_user: User) -> list[str]:
    """Replace the user's recovery codes with a new set; the old ones stop working."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    if not two_factor.has_totp(acting_user):
        raise ValueError("set up an authenticator app first")
    Authenticator.objects.filter(
        user_id=acting_user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).delete()
    codes = RecoveryCodes.activate(acting_user).generate_codes()
    audit_log(
        acting_user=acting_user,
        action="two_factor.recovery_codes_regenerate",
        object_type="user",
        object_ids=[acting_user.pk],
    )
    return codes


@transaction.atomic
def recovery_code_used(*, acting_user: User, left: int) -> None:
    """Record that a recovery code stood in for the authenticator app."""
    audit_log(
        acting_user=acting_user,
        action="two_factor.recovery_code_used",
        object_type="user",
        object_ids=[acting_user.pk],
        detail={"left": left},
    )
