"""Page access by role: the same deny-by-default rule the API applies (`api.permissions`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Open a page only to signed-in, active users whose role is listed; others get 403.

    Anonymous visitors are sent to sign in first. The 403 page says nothing about what the
    page holds.
    """
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (getattr(user, "is_active", False) and getattr(user, "role", None) in allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(check)

    return decorate
