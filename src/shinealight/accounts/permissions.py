"""API permission for exports: the password and code were given within the last few minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from shinealight.accounts import two_factor


class RecentlyAuthenticated(BasePermission):
    """Grant access only when the password and code were entered within `max_age`.

    With a token: the token was issued (POST /api/v1/auth/token with password and code)
    that recently. With a browser session: the session signed in or re-authenticated
    (/account/reauthenticate) that recently. Otherwise 403, saying how to confirm.
    Combine it with the role check, role first::

        permission_classes = [RoleAllowed, RecentlyAuthenticated]

    `max_age` defaults to `SHINEALIGHT_REAUTHENTICATE_AFTER` (5 minutes); a view may set
    `reauthenticate_after = timedelta(...)` to ask for less.
    """

    message = (
        "Confirm it is you before exporting: get a new token with your password and code "
        "(POST /api/v1/auth/token), or in a browser re-enter them at /account/reauthenticate."
    )
    code = "reauthentication_required"

    def has_permission(self, request: Any, view: Any) -> bool:
        max_age: timedelta = getattr(view, "reauthenticate_after", None) or (
            two_factor.reauthenticate_after()
        )
        auth = getattr(request, "auth", None)
        if isinstance(auth, Token):
            return timezone.now() - auth.created <= max_age
        if auth is None and getattr(request, "user", None) is not None:
            return two_factor.authenticated_recently(request._request, max_age)
        return False
