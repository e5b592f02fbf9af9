"""Alert pages: the queue, one alert with its case and lifecycle forms, and the network view
of an alert or a person (a page with tables, and the JSON its diagram draws).

Every read starts from what the user may see and is audited as the API's reads are; every
change goes through a `cases` service with the signed-in user, which writes its own audit
entry. An alert or person outside the user's view answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from shinealight.accounts.decorators import role_required
from shinealight.accounts.roles import CASE_ROLES
from shinealight.alerts import network_view, page_selectors, selectors
from shinealight.alerts.forms import (
    STATUS_NAMES,
    AcknowledgeForm,
    AlertFilterForm,
    AssignForm,
    CloseForm,
    TriageForm,
)
from shinealight.alerts.models import Alert
from shinealight.audit.services import audit_log
from shinealight.cases import services as case_services
from shinealight.cases.models import AlertCase, Deadline
from shinealight.core.alerts import load_rules

PAGE_SIZE = 25

SEVERITY_TAGS = {
    Alert.Severity.HIGH: "govuk-tag--red",
    Alert.Severity.MEDIUM: "govuk-tag--orange",
    Alert.Severity.LOW: "govuk-tag--grey",
}
STATUS_TAGS = {
    AlertCase.Status.NEW: "govuk-tag--red",
    AlertCase.Status.ACKNOWLEDGED: "govuk-tag--yellow",
    AlertCase.Status.TRIAGED: "govuk-tag--blue",
    AlertCase.Status.CLOSED: "govuk-tag--grey",
}


def _purpose(request: HttpRequest) -> str:
    return (request.GET.get("purpose") or "")[:500]


def _rule_choices() -> list[tuple[str, str]]:
    return [(rule.id, rule.title) for rule in load_rules().rules]


def _status(case: AlertCase | None) -> dict[str, str]:
    if case is None:
        return {"name": "Not opened", "tag": "govuk-tag--grey", "description": ""}
    return {
        "name": STATUS_NAMES.get(case.status, case.status),
        "tag": STATUS_TAGS.get(case.status, "govuk-tag--grey"),
        "description": case.get_status_display(),
    }


# ---------------------------------------------------------------- the queue


@role_required(CASE_ROLES)
def alert_queue(request: HttpRequest) -> HttpResponse:
    """Alerts the user may see, newest evidence first, narrowed by rule, severity, status, area."""
    rules = _rule_choices()
    form = AlertFilterForm(
        data=request.GET or None,
        rules=rules,
        areas=page_selectors.alert_areas(user=request.user),
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = form.selector_filters()
    invalid = form.is_bound and not form.is_valid()
    page = None
    rows = []
    if not invalid:
        alerts = page_selectors.alert_queue(user=request.user, **filters)
        page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
        titles = dict(rules)
        shown = page_selectors.queue_rows_shown(user=request.user, alerts=list(page))
        for alert in page:
            case = page_selectors.alert_case_of(alert)
            rows.append(
                {
                    "alert": alert,
                    "title": shown[alert.pk]["title"],
                    "children": shown[alert.pk]["children"],
                    "rule": titles.get(alert.rule, alert.rule.replace("_", " ")),
                    "severity_tag": SEVERITY_TAGS.get(alert.severity, "govuk-tag--grey"),
                    "status": _status(case),
                    "needs_attention": bool(case and case.needs_attention),
                }
            )
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="alerts.list",
                object_type="alert",
                object_ids=[a.pk for a in page],
                purpose=_purpose(request),
                detail={"page": "alerts", "filters": {k: v for k, v in filters.items() if v}},
            )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


# ---------------------------------------------------------------- one alert


def _alert_or_404(request: HttpRequest, pk: int) -> Alert:
    alert = selectors.alert_get(user=request.user, pk=pk)
    if alert is None:
        raise Http404
    return alert


def _meeting_href(case: AlertCase) -> str:
    try:
        base = reverse("cases:meeting_new")
    except NoReverseMatch:  # the meetings pages are not installed yet: the path they will have
        base = "/cases/meetings/new"
    return f"{base}?case={case.pk}"


def _deadline_rows(deadlines: list[Deadline]) -> list[dict[str, Any]]:
    from django.utils import timezone

    now = timezone.now()
    rows = []
    for d in deadlines:
        if d.met_at:
            state, tag = "Done", "govuk-tag--green"
        elif d.cancelled_at:
            state, tag = "Cancelled", "govuk-tag--grey"
        elif d.due_at < now:
            state, tag = "Overdue", "govuk-tag--red"
        else:
            state, tag = "Running", "govuk-tag--blue"
        rows.append({"deadline": d, "state": state, "tag": tag})
    return rows


def _render_alert(
    request: HttpRequest,
    alert: Alert,
    *,
    forms: dict[str, Any] | None = None,
    problems: list[str] | None = None,
) -> HttpResponse:
    """The alert page, its read audited; `forms` holds a submitted form shown with its errors."""
    with transaction.atomic():
        access = page_selectors.alert_case_access(user=request.user, alert=alert)
        # Title, explanation, subjects and evidence narrowed to what this user may see.
        shown = alert.shown_to(request.user)
        audit_log(
            acting_user=request.user,
            action="alert.read",
            object_type="alert",
            object_ids=[alert.pk],
            purpose=_purpose(request),
            detail={"page": "alert"},
        )
        if access is not None and access.involved:
            audit_log(
                acting_user=request.user,
                action="alert_case.read",
                object_type="alert_case",
                object_ids=[access.case.pk],
                purpose=_purpose(request),
                detail={"page": "alert"},
            )
    forms = forms or {}
    step_forms = {
        "acknowledge": forms.get("acknowledge") or AcknowledgeForm(),
        "assign": forms.get("assign") or AssignForm(),
        "triage": forms.get("triage") or TriageForm(),
        "close": forms.get("close") or CloseForm(),
    }
    submitted = next(iter(forms.values()), None)
    subjects = sorted(
        shown.subjects, key=lambda s: (s.role != "child", s.kind != "person", s.label)
    )
    case = access.case if access else None
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "rule": dict(_rule_choices()).get(alert.rule, alert.rule.replace("_", " ")),
            "severity_tag": SEVERITY_TAGS.get(alert.severity, "govuk-tag--grey"),
            "title": shown.title,
            "explanation": page_selectors.explanation_parts(shown),
            "subjects": [
                {
                    "subject": s,
                    "href": network_view.person_href(s.entity_id) if s.kind == "person" else "",
                    "network_href": (
                        network_view.person_network_href(s.entity_id) if s.kind == "person" else ""
                    ),
                    "kind": network_view.OBJECT_KINDS.get(s.kind, "Person"),
                    "role": network_view.ALERT_ROLES.get(s.role, s.role.replace("_", " ")),
                }
                for s in subjects
            ],
            "evidence": [
                {"item": e, "date": page_selectors.evidence_date(e)} for e in shown.evidence
            ],
            # Whether, never how many: the count would hint at other agencies' work.
            "hidden_evidence": bool(shown.hidden_evidence),
            "hidden_subjects": bool(shown.hidden_subjects),
            "access": access,
            "case": case,
            "status": _status(case),
            "deadlines": _deadline_rows(access.deadlines) if access else [],
            "forms": step_forms,
            "submitted": submitted,
            "problems": problems or [],
            "meeting_href": _meeting_href(case) if case else "",
        },
    )


@role_required(CASE_ROLES)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: its explanation, who it names, the records it cites and its case."""
    return _render_alert(request, _alert_or_404(request, pk))


def _lifecycle(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[Any],
    allowed: str,
    operation: Any,
    done: str,
) -> HttpResponse:
    """Run one step of the case through its service; a refusal is shown on the form."""
    alert = _alert_or_404(request, pk)
    access = page_selectors.alert_case_access(user=request.user, alert=alert)
    if access is None or not getattr(access, allowed):
        # Not the user's case to act on (or not in a state for this step): it looks the same
        # as a case that does not exist, as in the API.
        raise Http404
    form = form_class(data=request.POST)
    if form.is_valid():
        try:
            operation(case=access.case, acting_user=request.user, **form.service_args())
        except case_services.WorkflowRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        else:
            messages.success(request, done)
            return redirect("alerts-detail", pk=alert.pk)
    return _render_alert(request, alert, forms={form.prefix: form})


@require_POST
@role_required(CASE_ROLES)
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        form_class=AcknowledgeForm,
        allowed="may_acknowledge",
        operation=case_services.alert_case_acknowledge,
        done="Alert acknowledged",
    )


@require_POST
@role_required(CASE_ROLES)
def alert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        form_class=AssignForm,
        allowed="may_assign",
        operation=case_services.alert_case_assign,
        done="Case handed over",
    )


@require_POST
@role_required(CASE_ROLES)
def alert_triage(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        form_class=TriageForm,
        allowed="may_triage",
        operation=case_services.alert_case_triage,
        done="Triage decision recorded",
    )


@require_POST
@role_required(CASE_ROLES)
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        form_class=CloseForm,
        allowed="may_close",
        operation=case_services.alert_case_close,
        done="Case closed",
    )


# ---------------------------------------------------------------- network view


def _audit_network(
    request: HttpRequest, object_type: str, object_id: Any, shown: network_view.Network, how: str
) -> None:
    audit_log(
        acting_user=request.user,
        action="network.read",
        object_type=object_type,
        object_ids=[object_id],
        purpose=_purpose(request),
        detail={"page": how, "records": shown.records_shown, "nodes": len(shown.nodes)},
    )


def _network_page(
    request: HttpRequest, network: network_view.Network, *, heading: str, data_url: str, back: str
) -> HttpResponse:
    return render(
        request,
        "alerts/network.html",
        {"network": network, "heading": heading, "data_url": data_url, "back": back},
    )


@role_required(CASE_ROLES)
def alert_network(request: HttpRequest, pk: int) -> HttpResponse:
    """The people and objects the alert's records join, as a diagram and as tables."""
    with transaction.atomic():
        alert = _alert_or_404(request, pk)
        network = network_view.alert_network(user=request.user, alert=alert)
        _audit_network(request, "alert", alert.pk, network, "network")
    return _network_page(
        request,
        network,
        heading=f"Network for alert {alert.pk}",
        data_url=reverse("alerts-network-data", kwargs={"pk": alert.pk}),
        back=reverse("alerts-detail", kwargs={"pk": alert.pk}),
    )


@role_required(CASE_ROLES)
def alert_network_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The alert's network as JSON for the diagram: the same records, the same audit."""
    with transaction.atomic():
        alert = _alert_or_404(request, pk)
        network = network_view.alert_network(user=request.user, alert=alert)
        _audit_network(request, "alert", alert.pk, network, "network.json")
    return JsonResponse(network.as_json())


def _person_network_or_404(request: HttpRequest, entity_id: str) -> network_view.Network:
    network = network_view.person_network(user=request.user, entity_id=entity_id)
    if network is None:
        raise Http404
    return network


@role_required(CASE_ROLES)
def person_network(request: HttpRequest, entity_id: str) -> HttpResponse:
    """A person's network: everyone and everything in their records the user may see."""
    with transaction.atomic():
        network = _person_network_or_404(request, entity_id)
        _audit_network(request, "person", entity_id, network, "network")
    return _network_page(
        request,
        network,
        heading=f"Network of {network.title}",
        data_url=reverse("person-network-data", kwargs={"entity_id": entity_id}),
        back=network_view.person_href(entity_id),
    )


@role_required(CASE_ROLES)
def person_network_data(request: HttpRequest, entity_id: str) -> JsonResponse:
    """A person's network as JSON for the diagram: the same records, the same audit."""
    with transaction.atomic():
        network = _person_network_or_404(request, entity_id)
        _audit_network(request, "person", entity_id, network, "network.json")
    return JsonResponse(network.as_json())
