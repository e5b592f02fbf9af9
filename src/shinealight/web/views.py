"""Site-wide pages: the home inbox, the accessibility statement and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from shinealight.accounts.roles import ROLE_PURPOSE
from shinealight.web.inbox import inbox_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's inbox: what needs them, and the latest records they may see."""
    sections = inbox_for(request.user)
    for section in sections:
        # Each section's template is rendered on its own, with only its own context.
        section["html"] = (
            render_to_string(section["template"], section["context"], request=request)
            if section["template"]
            else ""
        )
    return render(
        request,
        "home.html",
        {
            "sections": sections,
            "purpose": ROLE_PURPOSE.get(request.user.role, ""),  # type: ignore[union-attr]
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement; open to everyone, signed in or not."""
    return render(request, "accessibility.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
