"""Page access by role (the same deny-by-default rule the API applies, `api.permissions`),
and asking for the password and code again before an export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

View = Callable[..., HttpResponse]


def role_required(
    roles: Iterable[str], *, or_if: Callable[[Any], bool] | None = None
) -> Callable[[View], View]:
    """Open a page only to signed-in, active users whose role is listed; others get 403.

    `or_if(user)` may admit an active user of another role (an administrator holding a
    break-glass grant, say). Anonymous visitors are sent to sign in first. The 403 page
    says nothing about what the page holds.
    """
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            active = getattr(user, "is_active", False)
            if not (
                active
                and (getattr(user, "role", None) in allowed or (or_if is not None and or_if(user)))
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(check)

    return decorate


def reauthentication_required(view: View | None = None, *, max_age: timedelta | None = None) -> Any:
    """Open a page only to a session that entered its password and code recently.

    Otherwise send the person to `/account/reauthenticate?next=<this page>`, which brings
    them back here once they have. `max_age` defaults to `SHINEALIGHT_REAUTHENTICATE_AFTER`
    (5 minutes). Use it under `role_required`, on the view that serves the download::

        @role_required((Role.ANALYST,))
        @reauthentication_required
        def export_download(request): ...

    A POST is sent back as a GET of the same address, so put it on the page that starts the
    export (or on a GET download), not only on the form's POST.
    """

    def decorate(inner: View) -> View:
        from shinealight.accounts import two_factor

        @wraps(inner)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not two_factor.authenticated_recently(request, max_age):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('reauthenticate')}?{query}")
            return inner(request, *args, **kwargs)

        return login_required(check)

    return decorate(view) if view is not None else decorate
