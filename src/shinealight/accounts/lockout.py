"""What a locked-out person sees: the API's error body, or a plain page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

MESSAGE = "Too many failed sign-in attempts: this account is locked for 30 minutes."


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Refuse with 429 Too Many Requests, in JSON for the API and HTML for pages."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": MESSAGE, "extra": {}}, status=429)
    page = render_to_string("registration/locked.html", {"message": MESSAGE}, request=request)
    return HttpResponse(page, status=429)
