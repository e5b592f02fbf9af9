"""Creating users and issuing API tokens, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

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
    """Give the user an API token (the same one until it is revoked)."""
    token, created = Token.objects.get_or_create(user=user)
    audit_log(
        acting_user=user,
        action="token.issue" if created else "token.reissue",
        object_type="user",
        object_ids=[user.pk],
    )
    return token
