"""Access pages: break-glass (open, end, the oversight log) and who accessed a child."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shinealight.access import selectors, services
from shinealight.access.forms import BreakGlassForm
from shinealight.access.services import break_glass_hours
from shinealight.access.visibility import BREAK_GLASS_ROLES
from shinealight.accounts.decorators import role_required
from shinealight.accounts.roles import Role
from shinealight.audit import selectors as audit_selectors
from shinealight.audit.services import audit_log

PAGE_SIZE = 50


def _purpose(request: HttpRequest) -> str:
    return (request.GET.get("purpose") or "")[:500]


@role_required(BREAK_GLASS_ROLES)
def break_glass(request: HttpRequest) -> HttpResponse:
    """The break-glass form, and the user's own grants."""
    form = BreakGlassForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(acting_user=request.user, **form.cleaned_data)
        except services.AccessRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(
                request,
                f"Access to {grant.child_entity_id} is open until "
                f"{grant.expires_at:%H:%M on %d %B %Y}. Oversight has been told.",
            )
            return redirect("access-break-glass")
    grants = list(selectors.break_glass_mine(user=request.user)[:PAGE_SIZE])
    return render(
        request,
        "access/break_glass.html",
        {"form": form, "grants": grants, "hours": break_glass_hours()},
    )


@role_required((*BREAK_GLASS_ROLES, Role.MANAGER))
def break_glass_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a grant before it expires (POST only)."""
    if request.method != "POST":
        raise Http404
    grant = selectors.break_glass_get(user=request.user, pk=pk)
    if grant is None:
        raise Http404
    try:
        services.break_glass_close(acting_user=request.user, grant=grant)
    except services.AccessRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Break-glass access {grant.pk} has ended.")
    if request.user.role == Role.MANAGER:
        return redirect("access-break-glass-log")
    return redirect("access-break-glass")


@role_required((Role.MANAGER,))
def break_glass_log(request: HttpRequest) -> HttpResponse:
    """Oversight's log of every break-glass grant, newest first. Audited."""
    page = Paginator(selectors.break_glass_log(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action="break_glass.list",
            object_type="break_glass_grant",
            object_ids=[g.pk for g in page],
            purpose=_purpose(request),
            detail={"page": "break-glass log"},
        )
    return render(request, "access/break_glass_log.html", {"page": page})


@role_required((Role.SAFEGUARDING_LEAD, Role.ANALYST, Role.MANAGER))
def who_accessed(request: HttpRequest, entity_id: str) -> HttpResponse:
    """Who read or changed anything about this child, when and why. Audited."""
    entity = audit_selectors.person_entity_for_report(entity_id)
    if not audit_selectors.may_see_who_accessed(request.user, entity):
        raise Http404
    page = Paginator(audit_selectors.child_accessed_events(entity=entity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action="audit.accessed_report",
            object_type="entity",
            object_ids=[entity.entity_id],
            purpose=_purpose(request),
            detail={"page": "who accessed", "events_shown": [e.seq for e in page]},
        )
    return render(request, "access/who_accessed.html", {"entity": entity, "page": page})
