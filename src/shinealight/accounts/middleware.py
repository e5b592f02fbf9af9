"""Half a sign-in reaches nothing: a session with a password but no code yet is held back."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from shinealight.accounts import two_factor

MESSAGE = "Finish signing in first: enter the code from your authenticator app."


class SecondFactorMiddleware:
    """Send a signed-in session that has not passed the second factor to the code page.

    Open to it: the second-factor pages, sign-in, sign-out, the health check, the
    accessibility statement and static files. The API answers 401 in its usual body. API
    token requests carry no session and pass through: tokens are only issued for a password
    and a code (`accounts.apis.TokenApi`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _open(self, path: str) -> bool:
        if path.startswith(reverse("two-factor")):
            return True
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return path in {
            reverse("login"),
            reverse("logout"),
            reverse("healthz"),
            reverse("accessibility"),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not two_factor.session_verified(request)
            and not self._open(request.path)
        ):
            if request.path.startswith("/api/") and not request.path.startswith(
                reverse("api-docs")
            ):
                return JsonResponse({"message": MESSAGE, "extra": {}}, status=401)
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('two-factor')}?{query}")
        return self.get_response(request)
