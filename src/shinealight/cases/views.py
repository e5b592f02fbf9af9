"""Pages for meetings, actions and the partnership's oversight dashboard.

Meetings and actions are case content: every list and page read is audited as the API's
are, and anything outside the user's `visible_to` answers 404. The oversight dashboard is
aggregates only (counts, times, agency codes, postcode areas), so managers may read it;
reading it is audited too.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from shinealight.accounts.decorators import role_required
from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.audit.services import audit_log
from shinealight.cases import selectors, services
from shinealight.cases.charts import bar_chart, column_chart, number
from shinealight.cases.config import workflow
from shinealight.cases.forms import (
    ActionFilterForm,
    ActionForm,
    CancelActionForm,
    CompleteActionForm,
    MeetingForm,
    PeriodForm,
    colleagues,
)
from shinealight.cases.hotspots import alerts_by_month, hotspots
from shinealight.cases.models import Action, AlertCase, Deadline, Disruption, Escalation, Meeting
from shinealight.records.selectors import agency_list
from shinealight.web.middleware import CONTENT_SECURITY_POLICY

PAGE_SIZE = 50
OVERSIGHT_ROLES = (Role.MANAGER, Role.SAFEGUARDING_LEAD, Role.ANALYST)
# As the API: disclosure counts are for managers and analysts.
DISCLOSURE_COUNT_ROLES = (Role.MANAGER, Role.ANALYST)


def _purpose(request: HttpRequest) -> str:
    return (request.GET.get("purpose") or "")[:500]


def _audit_read(
    request: HttpRequest, action: str, object_type: str, ids: list[Any], **detail: Any
) -> None:
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action=action,
            object_type=object_type,
            object_ids=ids,
            purpose=_purpose(request),
            detail=detail,
        )


def _error_items(form: Any, *, problem: str = "") -> list[dict[str, str]]:
    """The error summary's entries for a form, each linking to its field."""
    items = [{"text": problem, "href": ""}] if problem else []
    items += [{"text": str(e), "href": ""} for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            target = field.auto_id
            if field.widget_type in ("radioselect", "checkboxselectmultiple"):
                target = f"{field.auto_id}_0"
            items.append({"text": str(error), "href": f"#{target}"})
    return items


def _refused(form: Any, exc: services.WorkflowRefused, fields: dict[str, str]) -> None:
    """Put a service's refusal on the form field it is about, or above the form."""
    form.add_error(fields.get(exc.field or "", None), str(exc))


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ---------------------------------------------------------------- meetings


@role_required(CASE_ROLES)
def meetings_list(request: HttpRequest) -> HttpResponse:
    """Meetings the user may see, latest first, with the agencies at each and open actions."""
    kind = request.GET.get("kind", "")
    if kind not in Meeting.Kind.values:
        kind = ""
    meetings = (
        selectors.meeting_list(user=request.user, kind=kind or None)
        .select_related("alert_case")
        .order_by("-held_at", "-id")
    )
    page = _page(request, meetings)
    # One query for the whole page's action counts, however many meetings it shows.
    counts = {
        row["meeting_id"]: row
        for row in Action.objects.filter(meeting_id__in=[m.pk for m in page])
        .values("meeting_id")
        .annotate(
            open=Count("id", filter=Q(status=Action.Status.OPEN)),
            all=Count("id"),
        )
        .order_by()
    }
    for meeting in page:
        meeting.agency_codes = sorted({a.agency.code for a in meeting.attendees.all()})
        row = counts.get(meeting.pk, {})
        meeting.open_actions = row.get("open", 0)
        meeting.all_actions = row.get("all", 0)
    _audit_read(
        request, "meeting.list", "meeting", [m.pk for m in page], page="meetings", kind=kind
    )
    return render(
        request,
        "cases/meetings.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "query": _query_without_page(request),
        },
    )


def _case_from_query(request: HttpRequest) -> AlertCase | None:
    raw = request.GET.get("case", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    case = selectors.alert_case_get(user=request.user, pk=int(raw))
    if case is None:
        raise Http404
    return case


def _case_subjects(case: AlertCase | None) -> list[services.SubjectIn]:
    """Who and what the case's alert names, as the meeting's subjects."""
    if case is None:
        return []
    subjects = []
    for s in case.alert.subjects.all():
        if s.kind == "person":
            role = "child" if s.role == "child" else "adult"
        elif s.kind in ("vehicle", "location"):
            role = "vehicle" if s.kind == "vehicle" else "place"
        else:
            continue
        # Mentions no entity holds yet have long provisional ids; they are not subjects yet.
        if len(s.entity_id) <= 64:
            subjects.append(services.SubjectIn(s.kind, s.entity_id, role, s.label[:300]))
    return subjects


@role_required(CASE_ROLES)
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Record a strategy discussion or MACE panel held, optionally for an alert case."""
    case = _case_from_query(request)
    if case is not None:
        # The case's alert title names people: showing it is a read of the case.
        _audit_read(request, "alert_case.read", "alert_case", [case.pk], page="meeting_new")
    people = colleagues()
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if case is not None and case.decision in (Meeting.Kind.STRATEGY_DISCUSSION, Meeting.Kind.MACE):
        initial["kind"] = case.decision
    if any(u.pk == request.user.pk for u in people):
        initial["attendees"] = [str(request.user.pk)]
    form = MeetingForm(
        data=request.POST or None,
        initial=initial,
        people=people,
        agencies=list(agency_list()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attendees = [services.AttendeeIn(u.agency, u) for u in form.attendee_users()]
        attendees += [services.AttendeeIn(a) for a in form.attendee_agencies()]
        try:
            meeting = services.meeting_record(
                kind=data["kind"],
                held_at=data["held_at"],
                acting_user=request.user,
                attendees=attendees,
                subjects=_case_subjects(case),
                actions=[services.ActionIn(d, owner, due) for d, owner, due in data["actions"]],
                title=data["title"],
                agenda=data["agenda"],
                decisions=data["decisions"],
                chair=form.chair_user(),
                alert_case=case,
                conference_needed=data["conference_needed"],
            )
        except services.WorkflowRefused as exc:
            _refused(form, exc, {"kind": "kind", "held_at": "held_on", "attendees": "attendees"})
        else:
            messages.success(request, f"{meeting.get_kind_display()} recorded")
            return redirect("cases:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "cases/meeting_new.html",
        {"form": form, "case": case, "errors": _error_items(form) if form.errors else []},
    )


def _meeting_page(request: HttpRequest, meeting: Meeting, action_form: ActionForm) -> HttpResponse:
    attendees = list(meeting.attendees.select_related("agency", "user").order_by("agency__code"))
    actions = list(
        selectors.action_list(user=request.user)
        .filter(meeting=meeting)
        .select_related("completed_by")
        .order_by("due_at", "id")
    )
    now = timezone.now()
    for action in actions:
        action.overdue = action.status == Action.Status.OPEN and action.due_at < now
    return render(
        request,
        "cases/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "subjects": list(meeting.subjects.all()),
            "actions": actions,
            # Each action's own timer shows with the action; these are the meeting's.
            "deadlines": [d for d in meeting.deadlines.all() if d.action_id is None],
            "agenda": [line for line in meeting.agenda.splitlines() if line.strip()],
            "action_form": action_form,
            "errors": _error_items(action_form) if action_form.errors else [],
            "now": now,
        },
    )


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    return meeting


@role_required(CASE_ROLES)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: agenda, who came, who was discussed, decisions, and its actions."""
    meeting = _meeting_or_404(request, pk)
    _audit_read(request, "meeting.read", "meeting", [meeting.pk], page="meeting")
    return _meeting_page(request, meeting, ActionForm(people=colleagues()))


@require_POST
@role_required(CASE_ROLES)
def meeting_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Give someone an action arising from the meeting."""
    meeting = _meeting_or_404(request, pk)
    form = ActionForm(data=request.POST, people=colleagues())
    if form.is_valid():
        try:
            action = services.action_create(
                description=form.cleaned_data["description"],
                owner=form.owner_user(),
                due_on=form.cleaned_data["due_on"],
                meeting=meeting,
                acting_user=request.user,
            )
        except services.WorkflowRefused as exc:
            _refused(form, exc, {"description": "description", "owner": "owner"})
        else:
            messages.success(
                request, f"Action given to {action.owner.get_full_name() or action.owner.username}"
            )
            return redirect("cases:meeting_detail", pk=meeting.pk)
    _audit_read(request, "meeting.read", "meeting", [meeting.pk], page="meeting")
    return _meeting_page(request, meeting, form)


# ---------------------------------------------------------------- actions


@role_required(CASE_ROLES)
def actions_list(request: HttpRequest) -> HttpResponse:
    """Actions: mine, my agency's or all I can see, by status; overdue ones tagged."""
    form = ActionFilterForm(data=request.GET)
    form.is_valid()
    show = form.cleaned_data.get("show") or "mine"
    status = form.cleaned_data.get("status") or "open"
    actions = selectors.action_list(
        user=request.user,
        mine=show == "mine",
        status=status if status in Action.Status.values else None,
        overdue=status == "overdue",
    )
    if show == "team":
        actions = actions.filter(owner_agency_id=request.user.agency_id)
    actions = actions.order_by("due_at", "id")
    page = _page(request, actions)
    now = timezone.now()
    for action in page:
        action.overdue = action.status == Action.Status.OPEN and action.due_at < now
    _audit_read(
        request,
        "action.list",
        "action",
        [a.pk for a in page],
        page="actions",
        show=show,
        status=status,
    )
    scopes = [
        {"value": value, "label": label, "current": value == show}
        for value, label in form.fields["show"].choices
    ]
    return render(
        request,
        "cases/actions.html",
        {
            "page": page,
            "form": form,
            "show": show,
            "status": status,
            "scopes": scopes,
            "query": _query_without_page(request),
        },
    )


def _action_or_404(request: HttpRequest, pk: int) -> Action:
    action = selectors.action_get(user=request.user, pk=pk)
    if action is None:
        raise Http404
    return action


def _action_page(
    request: HttpRequest,
    action: Action,
    complete_form: CompleteActionForm,
    cancel_form: CancelActionForm,
) -> HttpResponse:
    action.overdue = action.status == Action.Status.OPEN and action.due_at < timezone.now()
    errors = []
    for form in (complete_form, cancel_form):
        if form.errors:
            errors += _error_items(form)
    may_close = action.status == Action.Status.OPEN and services._may_close_action(
        action,
        request.user,
    )
    return render(
        request,
        "cases/action_detail.html",
        {
            "action": action,
            "may_close": may_close,
            "complete_form": complete_form,
            "cancel_form": cancel_form,
            "errors": errors,
        },
    )


@role_required(CASE_ROLES)
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: what, who, by when, where it came from, and how it ended."""
    action = _action_or_404(request, pk)
    _audit_read(request, "action.read", "action", [action.pk], page="action")
    return _action_page(
        request,
        action,
        CompleteActionForm(prefix="complete"),
        CancelActionForm(prefix="cancel"),
    )


@require_POST
@role_required(CASE_ROLES)
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an action done with a note of what was done."""
    action = _action_or_404(request, pk)
    form = CompleteActionForm(data=request.POST, prefix="complete")
    if form.is_valid():
        try:
            services.action_complete(
                action=action,
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except services.WorkflowRefused as exc:
            _refused(form, exc, {"note": "note"})
        else:
            messages.success(request, "Action marked as done")
            return redirect("cases:action_detail", pk=action.pk)
    _audit_read(request, "action.read", "action", [action.pk], page="action")
    return _action_page(request, action, form, CancelActionForm(prefix="cancel"))


@require_POST
@role_required(CASE_ROLES)
def action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an action no longer needed, with the reason."""
    action = _action_or_404(request, pk)
    form = CancelActionForm(data=request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.action_cancel(
                action=action,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except services.WorkflowRefused as exc:
            _refused(form, exc, {"reason": "reason"})
        else:
            messages.success(request, "Action cancelled")
            return redirect("cases:action_detail", pk=action.pk)
    _audit_read(request, "action.read", "action", [action.pk], page="action")
    return _action_page(request, action, CompleteActionForm(prefix="complete"), form)


# ---------------------------------------------------------------- oversight


def map_tiles() -> tuple[str, str]:
    """The map tile URL template (SHINEALIGHT_MAP_TILES) and the origin CSP must allow.

    Empty means no tiles: the map draws its markers on a plain background. A template on
    this site ("/tiles/{z}/{x}/{y}.png") needs no change to the policy; one elsewhere adds
    exactly its origin ({s} sub-domains become a wildcard) to img-src, and nothing else.
    """
    template = getattr(settings, "SHINEALIGHT_MAP_TILES", None)
    if template is None:
        template = os.environ.get("SHINEALIGHT_MAP_TILES", "")
    template = (template or "").strip()
    if not template:
        return "", ""
    if template.startswith("/") and not template.startswith("//"):
        return template, ""
    parts = urlsplit(template)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("https", "http") or not host or "{" in host or "@" in host:
        return "", ""  # not a tile server address: better no tiles than a loosened policy
    return template, f"{parts.scheme}://{host}"


def map_attribution() -> str:
    value = getattr(settings, "SHINEALIGHT_MAP_ATTRIBUTION", None)
    if value is None:
        value = os.environ.get("SHINEALIGHT_MAP_ATTRIBUTION", "")
    return str(value or "")[:300]


def _local(moment: datetime, fmt: str) -> str:
    return dateformat.format(timezone.localtime(moment), fmt)


def _label(choices: Any, code: str) -> str:
    return str(dict(choices).get(code, code.replace("_", " ")))


def _oversight_context(
    figures: dict[str, Any], months: list[dict[str, Any]], disclosures: dict[str, Any] | None
) -> dict[str, Any]:
    """Charts and tables from the oversight figures: the same numbers in both."""
    config = workflow()
    alerts = figures["alerts"]
    alert_rows = [
        ("Raised", alerts["raised"]),
        ("Acknowledged", alerts["acknowledged"]),
        ("Actioned (decision other than no further action)", alerts["actioned"]),
        ("Closed", alerts["closed"]),
        ("Reopened by new evidence", alerts["reopened"]),
        ("Still waiting to be acknowledged", alerts["awaiting_acknowledgement"]),
    ]
    month_labels = [dateformat.format(datetime(m["year"], m["month"], 1), "M Y") for m in months]
    times = [
        ("To acknowledge", figures["hours_to_acknowledge"]),
        ("To the strategy discussion", figures["hours_to_strategy_discussion"]),
    ]
    time_rows = []
    for name, summary in times:
        time_rows += [
            (f"{name}: median", summary["median"]),
            (f"{name}: 90th percentile", summary["p90"]),
        ]
    overdue_actions = sorted(figures["overdue_actions_by_agency"].items())
    overdue_kinds = [
        (_label(Deadline.Kind.choices, kind), n)
        for kind, n in sorted(figures["overdue_now_by_kind"].items())
    ]
    escalations = figures["escalations"]
    escalation_levels = [(str(value), label) for value, label in Escalation.Level.choices]
    escalation_rows = [
        ("Raised in the period", escalations["raised"]),
        *(
            (f"Raised to level {level}: {_label(escalation_levels, level)}", n)
            for level, n in sorted(escalations["raised_by_level"].items())
        ),
        ("Open now", escalations["open_now"]),
        ("Open and not yet acknowledged", escalations["open_not_acknowledged"]),
    ]
    levels = [(level.code, level.label) for level in config.risk_levels]
    risk_points = [
        {
            "at": _local(point["at"], "j M Y"),
            "levels": [point["levels"].get(c, 0) for c, _ in levels],
        }
        for point in figures["children_by_risk_level"]
    ]
    missing = figures["repeat_missing"]
    missing_rows = [
        ("Missing episodes recorded", missing["episodes"]),
        ("Children missing at least once", missing["children_missing"]),
        (
            f"Children missing {missing['threshold']} times or more",
            missing["repeat_missing_children"],
        ),
    ]
    disruption = figures["disruption"]
    statuses = list(Disruption.Status.choices)
    tactic_rows = [
        {
            "tactic": _label(Disruption.Tactic.choices, tactic),
            "by_status": [by_status.get(code, 0) for code, _ in statuses],
            "total": sum(by_status.values()),
        }
        for tactic, by_status in disruption["by_tactic"].items()
    ]
    quality = figures["data_quality"]
    quality_rows = [
        ("Records", quality["records"], quality["records_without_grading"], "without a grading"),
        (
            "People named in records",
            quality["person_mentions"],
            quality["person_mentions_without_date_of_birth"],
            "without a date of birth",
        ),
        (
            "Indicators cited in risk judgements",
            quality["judgement_indicators"],
            quality["judgement_indicators_without_evidence"],
            "without a record as evidence",
        ),
    ]
    context: dict[str, Any] = {
        "alert_rows": [(n, number(v)) for n, v in alert_rows],
        "alert_chart": bar_chart("Alerts raised in the period and what became of them", alert_rows),
        "month_rows": list(zip(month_labels, (m["alerts"] for m in months), strict=True)),
        "month_chart": column_chart(
            "Alert cases opened each month",
            month_labels,
            [("Alerts", [m["alerts"] for m in months])],
        ),
        "times": [
            {
                "name": name,
                "count": summary["count"],
                "median": number(summary["median"]),
                "p90": number(summary["p90"]),
            }
            for name, summary in times
        ],
        "time_chart": bar_chart("Hours taken, median and 90th percentile", time_rows),
        "overdue_actions": overdue_actions,
        "overdue_actions_chart": bar_chart("Overdue open actions by agency", overdue_actions),
        "overdue_kinds": overdue_kinds,
        "overdue_kinds_chart": bar_chart("Overdue work now, by kind", overdue_kinds),
        "escalation_rows": escalation_rows,
        "escalation_chart": bar_chart("Escalations", escalation_rows),
        "levels": [label for _, label in levels],
        "risk_points": risk_points,
        "risk_chart": column_chart(
            "Children by the risk level in force on each date",
            [p["at"] for p in risk_points],
            [(label, [p["levels"][i] for p in risk_points]) for i, (_, label) in enumerate(levels)],
        ),
        "missing_rows": [(n, number(v)) for n, v in missing_rows],
        "missing_chart": bar_chart("Missing episodes and repeat missing children", missing_rows),
        "disruption": disruption,
        "disruption_statuses": [label for _, label in statuses],
        "tactic_rows": tactic_rows,
        "tactic_chart": bar_chart(
            "Disruption recorded in the period, by tactic",
            [(r["tactic"], r["total"]) for r in tactic_rows],
        ),
        "quality_rows": [
            {
                "name": name,
                "total": number(total),
                "missing": number(missing_n),
                "what": what,
                "share": f"{100 * missing_n / total:.0f}%" if total else "–",
            }
            for name, total, missing_n, what in quality_rows
        ],
    }
    if disclosures is not None:
        context["disclosures"] = {
            "total": disclosures["total"],
            "by_basis": sorted(disclosures["by_lawful_basis"].items()),
            "basis_chart": bar_chart(
                "Disclosures by lawful basis", sorted(disclosures["by_lawful_basis"].items())
            ),
            "by_disclosing": sorted(disclosures["by_disclosing_agency"].items()),
            "by_recipient": sorted(disclosures["by_recipient_agency"].items()),
        }
    return context


@role_required(OVERSIGHT_ROLES)
def oversight(request: HttpRequest) -> HttpResponse:
    """The partnership's accountability figures and hotspots: aggregates only, no names."""
    form = PeriodForm(data=request.GET or None)
    context: dict[str, Any] = {"form": form, "errors": []}
    if form.is_bound and not form.is_valid():
        context["errors"] = _error_items(form)
        return render(request, "cases/oversight.html", context)
    start, end = form.period(selectors.default_period())
    figures = selectors.oversight_figures(start=start, end=end)
    months = alerts_by_month(start=start, end=end)
    disclosures = (
        selectors.disclosure_counts(start=start, end=end)
        if request.user.role in DISCLOSURE_COUNT_ROLES
        else None
    )
    areas = hotspots(start=start, end=end)
    tiles, tile_origin = map_tiles()
    _audit_read(
        request,
        "oversight.read",
        "oversight",
        [],
        page="oversight",
        start=start.isoformat(),
        end=end.isoformat(),
    )
    context.update(_oversight_context(figures, months, disclosures))
    context.update(
        {
            "figures": True,
            "start": start,
            "last_day": end - timedelta(microseconds=1),
            "as_of": figures["period"]["as_of"],
            "areas": areas,
            "map_data": {
                "tiles": tiles,
                "attribution": map_attribution(),
                "areas": [
                    {
                        "area": a["area"],
                        "name": a["name"],
                        "lat": a["lat"],
                        "lon": a["lon"],
                        "records": a["records_with_indicators"],
                        "alerts": a["alerts"],
                    }
                    for a in areas
                    if a["lat"] is not None
                ],
            },
            "unplaced": [a["area"] for a in areas if a["lat"] is None],
            "tiles": bool(tiles),
        }
    )
    response = render(request, "cases/oversight.html", context)
    if tile_origin:
        # Tiles come from the configured server and nowhere else; everything else as ever.
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {tile_origin}"
        )
    return response
