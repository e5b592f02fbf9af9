"""Pages. The full web front (chronology, network, queues) grows on these."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shinealight.accounts.roles import ROLE_PURPOSE
from shinealight.audit.services import audit_log
from shinealight.records.selectors import record_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: who they are and the latest records they may see."""
    user = request.user
    records = []
    if user.sees_case_content:  # type: ignore[union-attr]
        with transaction.atomic():
            records = list(record_list(user=user)[:20])
            audit_log(
                acting_user=user,
                action="records.list",
                object_type="record",
                object_ids=[f"{r.agency.code}/{r.record_id}" for r in records],
                detail={"page": "home"},
            )
    return render(
        request,
        "home.html",
        {
            "records": records,
            "purpose": ROLE_PURPOSE.get(user.role, ""),  # type: ignore[union-attr]
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
