"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Everything comes from this origin: the product runs on closed networks and must never
# load a script, style or font from anywhere else. No inline script or eval either.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


# Nothing here needs the camera, microphone, location or payment APIs; say so.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


class ContentSecurityPolicyMiddleware:
    """Add a strict Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivateResponseMiddleware:
    """What a signed-in user is shown is theirs alone, and a refusal leaves a trace.

    - Every response to a signed-in user is `Cache-Control: no-store` (unless the view set
      its own), so a shared office browser keeps no copy of case content for the next
      person to find in its history (ASVS 5.0 14.3.2).
    - A signed-in request answered 403 or 404 is written to the audit trail as
      `access.refused` with the path and status: someone probing ids that are not theirs
      shows up in the trail (issue #9, ASVS 5.0 16.3.2). Only the path is kept: a refusal
      says nothing about whether the object exists.
    """

    IGNORED = ("/static/", "/favicon.ico", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.IGNORED):
            return response
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        if response.status_code in (403, 404):
            from django.db import transaction

            from shinealight.audit.services import audit_log

            with transaction.atomic():
                audit_log(
                    acting_user=user,
                    action="access.refused",
                    object_type="request",
                    object_ids=[request.path[:500]],
                    detail={"status": response.status_code, "method": request.method},
                )
        return response


class RefuseNulMiddleware:
    """A query string carrying U+0000 is refused with a 400: PostgreSQL cannot compare or
    store it, and a filter passing it on would fail as a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            from django.http import JsonResponse

            return JsonResponse(
                {"message": "Text may not contain the NUL character (U+0000).", "extra": {}},
                status=400,
            )
        return self.get_response(request)
