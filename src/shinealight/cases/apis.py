"""Cases API: one view per operation, each naming the roles that may use it.

Case content (alerts, judgements, meetings, actions, disruption) is for the people
involved and partnership analysts; managers get escalations sent to them and the
oversight figures, which carry no case content; administrators set reporting lines.
Every read of case content is audited like a record read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any, TypeVar

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.models import User
from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.api.pagination import Pagination
from shinealight.audit.services import audit_log
from shinealight.cases import selectors, services
from shinealight.cases.config import workflow
from shinealight.cases.models import (
    Action,
    AlertCase,
    AlertCaseTransition,
    Deadline,
    Disclosure,
    Disruption,
    Escalation,
    Meeting,
    Notification,
    ReportingLine,
    RiskJudgement,
)
from shinealight.records.models import Agency, Record

CASE = tuple(CASE_ROLES)
T = TypeVar("T")


class Refused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That cannot be done now."
    default_code = "refused"


def _run(operation: Callable[..., T], **kwargs: Any) -> T:
    """Call a service, turning its refusal into the API's one error body."""
    try:
        return operation(**kwargs)
    except services.WorkflowRefused as exc:
        if exc.field:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        raise Refused(str(exc)) from None


def _purpose(request: Request) -> str:
    return (request.query_params.get("purpose") or request.headers.get("X-Purpose") or "")[:500]


def _audit_read(request: Request, action: str, object_type: str, ids: list[Any]) -> None:
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action=action,
            object_type=object_type,
            object_ids=ids,
            purpose=_purpose(request),
            detail={"query": dict(request.query_params)} if request.query_params else {},
        )


def _or_404(found: T | None) -> T:
    # Not found and not allowed look the same, so the answer leaks nothing.
    if found is None:
        raise Http404
    return found


class UserField(serializers.SlugRelatedField[User]):
    """A colleague by username (active accounts only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs
        )


def _username(user: User | None) -> str | None:
    return user.username if user else None


# ---------------------------------------------------------------- output shapes


class DeadlineOut(serializers.ModelSerializer[Deadline]):
    owner = serializers.CharField(source="owner.username", default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "kind",
            "started_at",
            "due_at",
            "rule",
            "owner",
            "met_at",
            "cancelled_at",
            "cancel_reason",
            "overdue",
        ]

    def get_overdue(self, deadline: Deadline) -> bool:
        return deadline.is_open and deadline.due_at < timezone.now()


class AlertCaseOut(serializers.ModelSerializer[AlertCase]):
    alert = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", default=None)

    class Meta:
        model = AlertCase
        fields = [
            "id",
            "alert",
            "status",
            "owner",
            "opened_at",
            "acknowledged_at",
            "decision",
            "decision_reason",
            "triaged_at",
            "outcome",
            "closed_at",
            "needs_attention",
            "times_reopened",
        ]

    def get_alert(self, case: AlertCase) -> dict[str, Any]:
        a = case.alert
        return {
            "id": a.pk,
            "rule": a.rule,
            "severity": a.severity,
            "title": a.title,
            "explanation": a.explanation,
            "area": a.area,
            "raised_at": a.raised_at,
        }


class TransitionOut(serializers.ModelSerializer[AlertCaseTransition]):
    by = serializers.CharField(source="by_name")

    class Meta:
        model = AlertCaseTransition
        fields = ["from_status", "to_status", "at", "by", "note", "detail"]


class SubjectOut(serializers.Serializer[Any]):
    kind = serializers.CharField()
    entity_id = serializers.CharField()
    role = serializers.CharField()
    label = serializers.CharField()


class EvidenceOut(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")


class RiskJudgementOut(serializers.ModelSerializer[RiskJudgement]):
    recorded_by = serializers.CharField(source="recorded_by.username")
    agreed_by = serializers.CharField(source="agreed_by.username", default=None)
    evidence = EvidenceOut(many=True)

    class Meta:
        model = RiskJudgement
        fields = [
            "id",
            "child_entity_id",
            "child_label",
            "level",
            "previous_level",
            "is_downgrade",
            "status",
            "rationale",
            "indicators",
            "evidence",
            "recorded_by",
            "recorded_at",
            "effective_at",
            "agreed_by",
            "agreed_at",
            "agreement_note",
            "alert_case",
        ]


class AttendeeOut(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency.code")
    user = serializers.CharField(source="user.username", default=None)
    name = serializers.CharField()


class ActionOut(serializers.ModelSerializer[Action]):
    owner = serializers.CharField(source="owner.username")
    owner_agency = serializers.CharField(source="owner_agency.code")
    completed_by = serializers.CharField(source="completed_by.username", default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "meeting",
            "alert_case",
            "description",
            "owner",
            "owner_agency",
            "due_at",
            "status",
            "completed_at",
            "completed_by",
            "completion_note",
            "overdue",
        ]

    def get_overdue(self, action: Action) -> bool:
        return action.status == Action.Status.OPEN and action.due_at < timezone.now()


class MeetingOut(serializers.ModelSerializer[Meeting]):
    chair = serializers.CharField(source="chair.username", default=None)
    attendees = AttendeeOut(many=True)
    subjects = SubjectOut(many=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "held_at",
            "title",
            "agenda",
            "alert_case",
            "follow_up_of",
            "chair",
            "decisions",
            "conference_needed",
            "attendees",
            "subjects",
        ]


class MeetingDetailOut(MeetingOut):
    actions = ActionOut(many=True)
    deadlines = DeadlineOut(many=True)

    class Meta(MeetingOut.Meta):
        fields = [*MeetingOut.Meta.fields, "actions", "deadlines"]


class EscalationOut(serializers.ModelSerializer[Escalation]):
    """What is late, whose it is and who has been told: no case content."""

    to_user = serializers.CharField(source="to_user.username", default=None)
    seen_by = serializers.CharField(source="seen_by.username", default=None)
    work = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "level",
            "to_user",
            "to_role",
            "raised_at",
            "reason",
            "seen_by",
            "seen_at",
            "seen_note",
            "resolved_at",
            "resolution",
            "work",
        ]

    def get_work(self, escalation: Escalation) -> dict[str, Any]:
        d = escalation.deadline
        return {
            "kind": d.kind,
            "due_at": d.due_at,
            "rule": d.rule,
            "owner": _username(d.owner),
            "owner_agency": d.owner.agency.code if d.owner and d.owner.agency else None,
            "alert_case": d.alert_case_id,
            "meeting": d.meeting_id,
            "action": d.action_id,
        }


class DisruptionOut(serializers.ModelSerializer[Disruption]):
    owner = serializers.CharField(source="owner.username")
    lead_agency = serializers.CharField(source="lead_agency.code")

    class Meta:
        model = Disruption
        fields = [
            "id",
            "tactic",
            "target_role",
            "target_kind",
            "target_entity_id",
            "target_label",
            "lead_agency",
            "owner",
            "status",
            "started_on",
            "ends_on",
            "outcome",
            "outcome_on",
            "alert_case",
            "meeting",
            "recorded_at",
        ]


class DisruptionUpdateOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.username")
    changes = serializers.JSONField()
    note = serializers.CharField()


class DisruptionDetailOut(DisruptionOut):
    updates = DisruptionUpdateOut(many=True)

    class Meta(DisruptionOut.Meta):
        fields = [*DisruptionOut.Meta.fields, "updates"]


# ---------------------------------------------------------------- workflow settings


class WorkflowApi(APIView):
    """The partnership's risk levels, timers and escalation policy."""

    read_roles = tuple(Role)

    @extend_schema(operation_id="workflow_read", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        config = workflow()
        return Response(
            {
                "partnership": config.partnership,
                "risk_levels": [{"code": lv.code, "label": lv.label} for lv in config.risk_levels],
                "downgrade_agreement_roles": sorted(config.downgrade_agreement_roles),
                "acknowledge": {sev: t.describe() for sev, t in config.acknowledge.items()},
                "timers": {name: t.describe() for name, t in config.timers.items()},
                "escalation": {
                    "unowned_role": config.unowned_role,
                    "to_oversight_after": config.to_oversight_after.describe(),
                    "oversight_role": config.oversight_role,
                },
                "disclosure_lawful_bases": list(config.lawful_bases),
            }
        )


# ---------------------------------------------------------------- alert cases


class AlertCaseListApi(APIView):
    """Alert cases you are involved in (analysts: all), newest first. Audited."""

    read_roles = CASE

    @extend_schema(
        operation_id="alert_cases_list",
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("mine", bool),
            OpenApiParameter("needs_attention", bool),
        ],
        responses=AlertCaseOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        flag = q.get("needs_attention")
        cases = selectors.alert_case_list(
            user=request.user,
            status=q.get("status"),
            mine=q.get("mine") in ("1", "true"),
            needs_attention=None if flag is None else flag in ("1", "true"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        _audit_read(request, "alert_case.list", "alert_case", [c.pk for c in page])
        return paginator.get_paginated_response(AlertCaseOut(page, many=True).data)


class AlertCaseDetailApi(APIView):
    """One alert case: the alert, its history of transitions, its timers. Audited."""

    read_roles = CASE

    @extend_schema(operation_id="alert_cases_read", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        case = _or_404(selectors.alert_case_get(user=request.user, pk=pk))
        detail = selectors.alert_case_detail(case=case)
        _audit_read(request, "alert_case.read", "alert_case", [case.pk])
        return Response(
            {
                **AlertCaseOut(case).data,
                "subjects": SubjectOut(detail["subjects"], many=True).data,
                "transitions": TransitionOut(detail["transitions"], many=True).data,
                "deadlines": DeadlineOut(detail["deadlines"], many=True).data,
            }
        )


class AcknowledgeIn(serializers.Serializer[Any]):
    owner = UserField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AlertCaseAcknowledgeApi(APIView):
    """Take an alert on, for yourself or naming its owner."""

    allowed_roles = CASE

    @extend_schema(
        operation_id="alert_cases_acknowledge", request=AcknowledgeIn, responses=AlertCaseOut
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _or_404(selectors.alert_case_get(user=request.user, pk=pk))
        data = AcknowledgeIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = _run(
            services.alert_case_acknowledge,
            case=case,
            acting_user=request.user,
            **data.validated_data,
        )
        return Response(AlertCaseOut(case).data)


class AssignIn(serializers.Serializer[Any]):
    owner = UserField()
    reason = serializers.CharField()


class AlertCaseAssignApi(APIView):
    """Hand a case to another owner, saying why."""

    allowed_roles = CASE

    @extend_schema(operation_id="alert_cases_assign", request=AssignIn, responses=AlertCaseOut)
    def post(self, request: Request, pk: int) -> Response:
        case = _or_404(selectors.alert_case_get(user=request.user, pk=pk))
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = _run(
            services.alert_case_assign, case=case, acting_user=request.user, **data.validated_data
        )
        return Response(AlertCaseOut(case).data)


class TriageIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=AlertCase.Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AlertCaseTriageApi(APIView):
    """Decide: no further action (with a reason), single-agency, strategy discussion or MACE."""

    allowed_roles = CASE

    @extend_schema(operation_id="alert_cases_triage", request=TriageIn, responses=AlertCaseOut)
    def post(self, request: Request, pk: int) -> Response:
        case = _or_404(selectors.alert_case_get(user=request.user, pk=pk))
        data = TriageIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = _run(
            services.alert_case_triage, case=case, acting_user=request.user, **data.validated_data
        )
        return Response(AlertCaseOut(case).data)


class CloseIn(serializers.Serializer[Any]):
    outcome = serializers.CharField()


class AlertCaseCloseApi(APIView):
    """Close a triaged case with its outcome."""

    allowed_roles = CASE

    @extend_schema(operation_id="alert_cases_close", request=CloseIn, responses=AlertCaseOut)
    def post(self, request: Request, pk: int) -> Response:
        case = _or_404(selectors.alert_case_get(user=request.user, pk=pk))
        data = CloseIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = _run(
            services.alert_case_close, case=case, acting_user=request.user, **data.validated_data
        )
        return Response(AlertCaseOut(case).data)


# ---------------------------------------------------------------- risk judgements


class RecordRefIn(serializers.Serializer[Any]):
    agency = serializers.CharField()
    record_id = serializers.CharField()


class IndicatorIn(serializers.Serializer[Any]):
    code = serializers.CharField()
    evidence = RecordRefIn(many=True, required=False, default=list)


class RiskJudgementIn(serializers.Serializer[Any]):
    level = serializers.CharField()
    rationale = serializers.CharField()
    indicators = IndicatorIn(many=True, required=False, default=list)
    child_label = serializers.CharField(required=False, allow_blank=True, default="")
    alert_case = serializers.IntegerField(required=False, allow_null=True, default=None)


class ChildRiskApi(APIView):
    """A child's risk judgements, every one kept (GET); record a new judgement (POST).

    The level is the practitioner's; indicator counts are shown as context only.
    """

    read_roles = allowed_roles = CASE

    @extend_schema(operation_id="child_risk_read", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, entity_id: str) -> Response:
        judgements = selectors.risk_history(user=request.user, child_entity_id=entity_id)
        if not judgements:
            raise Http404
        in_force = [j for j in judgements if j.status == RiskJudgement.Status.IN_FORCE]
        current = max(in_force, key=lambda j: (j.effective_at, j.pk)) if in_force else None
        _audit_read(request, "risk_judgement.read", "child", [entity_id])
        return Response(
            {
                "child_entity_id": entity_id,
                "current_level": current.level if current else None,
                "awaiting_agreement": [
                    j.pk for j in judgements if j.status == RiskJudgement.Status.AWAITING_AGREEMENT
                ],
                "indicator_counts_context_only": selectors.risk_indicator_context(
                    judgements=judgements
                ),
                "judgements": RiskJudgementOut(judgements, many=True).data,
            }
        )

    @extend_schema(
        operation_id="child_risk_record", request=RiskJudgementIn, responses={201: RiskJudgementOut}
    )
    def post(self, request: Request, entity_id: str) -> Response:
        from shinealight.people.selectors import entity_get

        # A judgement about a child the user may not see would tell them the level another
        # agency recorded (and supersede its pending downgrades): such a child is not there.
        if entity_get(request.user, entity_id) is None and not selectors.risk_history(
            user=request.user, child_entity_id=entity_id
        ):
            raise Http404
        data = RiskJudgementIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        visible = Record.objects.visible_to(request.user)
        indicators = []
        for item in v["indicators"]:
            records = []
            for ref in item["evidence"]:
                record = visible.filter(
                    agency__code=ref["agency"], record_id=ref["record_id"]
                ).first()
                if record is None:
                    raise serializers.ValidationError(
                        {"indicators": [f"No record {ref['agency']}/{ref['record_id']}."]}
                    )
                records.append(record)
            indicators.append(services.IndicatorSeen(code=item["code"], records=records))
        case = None
        if v["alert_case"] is not None:
            case = selectors.alert_case_get(user=request.user, pk=v["alert_case"])
            if case is None:
                raise serializers.ValidationError({"alert_case": ["No such case."]})
        judgement = _run(
            services.risk_judgement_record,
            child_entity_id=entity_id,
            level=v["level"],
            rationale=v["rationale"],
            indicators=indicators,
            acting_user=request.user,
            child_label=v["child_label"],
            alert_case=case,
        )
        return Response(RiskJudgementOut(judgement).data, status=201)


class DowngradesAwaitingApi(APIView):
    """Downgrades proposed by others that you may agree or decline."""

    read_roles = CASE

    @extend_schema(operation_id="risk_downgrades_awaiting", responses=RiskJudgementOut(many=True))
    def get(self, request: Request) -> Response:
        judgements = selectors.downgrades_awaiting(user=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(judgements, request, view=self)
        _audit_read(request, "risk_judgement.list_awaiting", "risk_judgement", [j.pk for j in page])
        return paginator.get_paginated_response(RiskJudgementOut(page, many=True).data)


class NoteIn(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField()


class RiskJudgementAgreeApi(APIView):
    """Agree a downgrade someone else proposed; it then takes effect."""

    allowed_roles = CASE

    @extend_schema(operation_id="risk_judgements_agree", request=NoteIn, responses=RiskJudgementOut)
    def post(self, request: Request, pk: int) -> Response:
        judgement = _or_404(selectors.risk_judgement_get(user=request.user, pk=pk))
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        judgement = _run(
            services.risk_judgement_agree,
            judgement=judgement,
            acting_user=request.user,
            **data.validated_data,
        )
        return Response(RiskJudgementOut(judgement).data)


class RiskJudgementDeclineApi(APIView):
    """Do not agree a proposed downgrade (or withdraw your own); the earlier level stands."""

    allowed_roles = CASE

    @extend_schema(
        operation_id="risk_judgements_decline", request=ReasonIn, responses=RiskJudgementOut
    )
    def post(self, request: Request, pk: int) -> Response:
        judgement = _or_404(selectors.risk_judgement_get(user=request.user, pk=pk))
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        judgement = _run(
            services.risk_judgement_decline,
            judgement=judgement,
            acting_user=request.user,
            **data.validated_data,
        )
        return Response(RiskJudgementOut(judgement).data)


# ---------------------------------------------------------------- meetings and actions


class AttendeeIn(serializers.Serializer[Any]):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    user = UserField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SubjectIn(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=16)
    entity_id = serializers.CharField(max_length=64)
    role = serializers.ChoiceField(choices=["child", "adult", "vehicle", "place"])
    label = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ActionIn(serializers.Serializer[Any]):
    description = serializers.CharField()
    owner = UserField()
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    held_at = serializers.DateTimeField()
    title = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField(required=False, allow_blank=True, default="")
    chair = UserField(required=False, allow_null=True, default=None)
    alert_case = serializers.IntegerField(required=False, allow_null=True, default=None)
    follow_up_of = serializers.IntegerField(required=False, allow_null=True, default=None)
    conference_needed = serializers.BooleanField(required=False, default=False)
    attendees = AttendeeIn(many=True)
    subjects = SubjectIn(many=True, required=False, default=list)
    actions = ActionIn(many=True, required=False, default=list)


class MeetingCollectionApi(APIView):
    """Meetings you were at or whose actions you own (GET, audited); record one held (POST)."""

    read_roles = allowed_roles = CASE

    @extend_schema(
        operation_id="meetings_list",
        parameters=[OpenApiParameter("kind", str)],
        responses=MeetingOut(many=True),
    )
    def get(self, request: Request) -> Response:
        meetings = selectors.meeting_list(user=request.user, kind=request.query_params.get("kind"))
        paginator = Pagination()
        page = paginator.paginate_queryset(meetings, request, view=self)
        _audit_read(request, "meeting.list", "meeting", [m.pk for m in page])
        return paginator.get_paginated_response(MeetingOut(page, many=True).data)

    @extend_schema(
        operation_id="meetings_record", request=MeetingIn, responses={201: MeetingDetailOut}
    )
    def post(self, request: Request) -> Response:
        data = MeetingIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = follow_up_of = None
        if v["alert_case"] is not None:
            case = selectors.alert_case_get(user=request.user, pk=v["alert_case"])
            if case is None:
                raise serializers.ValidationError({"alert_case": ["No such case."]})
        if v["follow_up_of"] is not None:
            follow_up_of = selectors.meeting_get(user=request.user, pk=v["follow_up_of"])
            if follow_up_of is None:
                raise serializers.ValidationError({"follow_up_of": ["No such meeting."]})
        meeting = _run(
            services.meeting_record,
            kind=v["kind"],
            held_at=v["held_at"],
            acting_user=request.user,
            attendees=[services.AttendeeIn(**a) for a in v["attendees"]],
            subjects=[services.SubjectIn(**s) for s in v["subjects"]],
            actions=[services.ActionIn(**a) for a in v["actions"]],
            title=v["title"],
            agenda=v["agenda"],
            decisions=v["decisions"],
            chair=v["chair"],
            alert_case=case,
            follow_up_of=follow_up_of,
            conference_needed=v["conference_needed"],
        )
        return Response(MeetingDetailOut(meeting).data, status=201)


class MeetingDetailApi(APIView):
    """One meeting with its actions and timers. Audited."""

    read_roles = CASE

    @extend_schema(operation_id="meetings_read", responses=MeetingDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        meeting = _or_404(selectors.meeting_get(user=request.user, pk=pk))
        _audit_read(request, "meeting.read", "meeting", [meeting.pk])
        return Response(MeetingDetailOut(meeting).data)


class ActionCreateIn(ActionIn):
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    alert_case = serializers.IntegerField(required=False, allow_null=True, default=None)


class ActionCollectionApi(APIView):
    """Actions you can see, filterable (GET, audited); give someone an action (POST)."""

    read_roles = allowed_roles = CASE

    @extend_schema(
        operation_id="actions_list",
        parameters=[
            OpenApiParameter("mine", bool),
            OpenApiParameter("status", str),
            OpenApiParameter("overdue", bool),
        ],
        responses=ActionOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        actions = selectors.action_list(
            user=request.user,
            mine=q.get("mine") in ("1", "true"),
            status=q.get("status"),
            overdue=q.get("overdue") in ("1", "true"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(actions, request, view=self)
        _audit_read(request, "action.list", "action", [a.pk for a in page])
        return paginator.get_paginated_response(ActionOut(page, many=True).data)

    @extend_schema(
        operation_id="actions_create", request=ActionCreateIn, responses={201: ActionOut}
    )
    def post(self, request: Request) -> Response:
        data = ActionCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting = case = None
        if v["meeting"] is not None:
            meeting = selectors.meeting_get(user=request.user, pk=v["meeting"])
            if meeting is None:
                raise serializers.ValidationError({"meeting": ["No such meeting."]})
        if v["alert_case"] is not None:
            case = selectors.alert_case_get(user=request.user, pk=v["alert_case"])
            if case is None:
                raise serializers.ValidationError({"alert_case": ["No such case."]})
        action = _run(
            services.action_create,
            description=v["description"],
            owner=v["owner"],
            due_on=v["due_on"],
            meeting=meeting,
            alert_case=case,
            acting_user=request.user,
        )
        return Response(ActionOut(action).data, status=201)


class CompleteIn(serializers.Serializer[Any]):
    note = serializers.CharField()


class ActionCompleteApi(APIView):
    """Mark an action done, saying what was done."""

    allowed_roles = CASE

    @extend_schema(operation_id="actions_complete", request=CompleteIn, responses=ActionOut)
    def post(self, request: Request, pk: int) -> Response:
        action = _or_404(selectors.action_get(user=request.user, pk=pk))
        data = CompleteIn(data=request.data)
        data.is_valid(raise_exception=True)
        action = _run(
            services.action_complete, action=action, acting_user=request.user, **data.validated_data
        )
        return Response(ActionOut(action).data)


class ActionCancelApi(APIView):
    """Cancel an action no longer needed, saying why."""

    allowed_roles = CASE

    @extend_schema(operation_id="actions_cancel", request=ReasonIn, responses=ActionOut)
    def post(self, request: Request, pk: int) -> Response:
        action = _or_404(selectors.action_get(user=request.user, pk=pk))
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        action = _run(
            services.action_cancel, action=action, acting_user=request.user, **data.validated_data
        )
        return Response(ActionOut(action).data)


# ---------------------------------------------------------------- escalations


ESCALATION_ROLES = (*CASE, Role.MANAGER)


class EscalationListApi(APIView):
    """Escalations sent to you or your role, or about work you own (analysts: all)."""

    read_roles = ESCALATION_ROLES

    @extend_schema(
        operation_id="escalations_list",
        parameters=[OpenApiParameter("open", bool)],
        responses=EscalationOut(many=True),
    )
    def get(self, request: Request) -> Response:
        escalations = selectors.escalation_list(
            user=request.user, open_only=request.query_params.get("open") in ("1", "true")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(escalations, request, view=self)
        _audit_read(request, "escalation.list", "escalation", [e.pk for e in page])
        return paginator.get_paginated_response(EscalationOut(page, many=True).data)


class EscalationAcknowledgeApi(APIView):
    """Say you have seen an escalation sent to you and what you are doing. It stays open."""

    allowed_roles = ESCALATION_ROLES

    @extend_schema(
        operation_id="escalations_acknowledge", request=CompleteIn, responses=EscalationOut
    )
    def post(self, request: Request, pk: int) -> Response:
        escalation = _or_404(selectors.escalation_get(user=request.user, pk=pk))
        data = CompleteIn(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = _run(
            services.escalation_acknowledge,
            escalation=escalation,
            acting_user=request.user,
            **data.validated_data,
        )
        return Response(EscalationOut(escalation).data)


# ---------------------------------------------------------------- disruption


class DisruptionIn(serializers.Serializer[Any]):
    tactic = serializers.ChoiceField(choices=Disruption.Tactic.choices)
    target_role = serializers.ChoiceField(choices=Disruption.TargetRole.choices)
    target_kind = serializers.CharField(max_length=16)
    target_entity_id = serializers.CharField(max_length=64)
    target_label = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    owner = UserField(required=False)
    status = serializers.ChoiceField(choices=Disruption.Status.choices)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    alert_case = serializers.IntegerField(required=False, allow_null=True, default=None)
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)


class DisruptionCollectionApi(APIView):
    """Disruption tactics you can see (GET, audited); record one (POST)."""

    read_roles = allowed_roles = CASE

    @extend_schema(
        operation_id="disruptions_list",
        parameters=[
            OpenApiParameter("target", str),
            OpenApiParameter("tactic", str),
            OpenApiParameter("status", str),
        ],
        responses=DisruptionOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        disruptions = selectors.disruption_list(
            user=request.user,
            target_entity_id=q.get("target"),
            tactic=q.get("tactic"),
            status=q.get("status"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(disruptions, request, view=self)
        _audit_read(request, "disruption.list", "disruption", [d.pk for d in page])
        return paginator.get_paginated_response(DisruptionOut(page, many=True).data)

    @extend_schema(
        operation_id="disruptions_record", request=DisruptionIn, responses={201: DisruptionOut}
    )
    def post(self, request: Request) -> Response:
        data = DisruptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if v["alert_case"] is not None:
            v["alert_case"] = selectors.alert_case_get(user=request.user, pk=v["alert_case"])
            if v["alert_case"] is None:
                raise serializers.ValidationError({"alert_case": ["No such case."]})
        if v["meeting"] is not None:
            v["meeting"] = selectors.meeting_get(user=request.user, pk=v["meeting"])
            if v["meeting"] is None:
                raise serializers.ValidationError({"meeting": ["No such meeting."]})
        v.setdefault("owner", request.user)
        disruption = _run(services.disruption_record, acting_user=request.user, **v)
        return Response(DisruptionOut(disruption).data, status=201)


class DisruptionDetailApi(APIView):
    """One disruption with every change made to it. Audited."""

    read_roles = CASE

    @extend_schema(operation_id="disruptions_read", responses=DisruptionDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        disruption = _or_404(selectors.disruption_get(user=request.user, pk=pk))
        _audit_read(request, "disruption.read", "disruption", [disruption.pk])
        return Response(DisruptionDetailOut(disruption).data)


class DisruptionUpdateIn(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Disruption.Status.choices, required=False)
    started_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    outcome_on = serializers.DateField(required=False, allow_null=True)
    owner = UserField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DisruptionUpdateApi(APIView):
    """Change a disruption's status, dates, outcome or owner; the change is kept."""

    allowed_roles = CASE

    @extend_schema(
        operation_id="disruptions_update", request=DisruptionUpdateIn, responses=DisruptionDetailOut
    )
    def post(self, request: Request, pk: int) -> Response:
        disruption = _or_404(selectors.disruption_get(user=request.user, pk=pk))
        data = DisruptionUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        disruption = _run(
            services.disruption_update,
            disruption=disruption,
            acting_user=request.user,
            **data.validated_data,
        )
        return Response(DisruptionDetailOut(disruption).data)


# ---------------------------------------------------------------- oversight and reporting lines


class FiguresIn(serializers.Serializer[Any]):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False, help_text="Exclusive")


def _period(request: Request) -> tuple[datetime, datetime]:
    """The ?start=&end= dates (end exclusive) as local midnights; default the last year."""
    params = FiguresIn(data=request.query_params)
    params.is_valid(raise_exception=True)
    start, end = selectors.default_period()
    tz = timezone.get_current_timezone()
    if "start" in params.validated_data:
        start = datetime.combine(params.validated_data["start"], time(0), tzinfo=tz)
    if "end" in params.validated_data:
        end = datetime.combine(params.validated_data["end"], time(0), tzinfo=tz)
    if end <= start:
        raise serializers.ValidationError({"end": ["The end must be after the start."]})
    return start, end


class OversightFiguresApi(APIView):
    """The partnership's accountability figures: aggregates only, no case content."""

    read_roles = (Role.MANAGER, Role.ANALYST, Role.SAFEGUARDING_LEAD)

    @extend_schema(
        operation_id="oversight_figures",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Exclusive"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        start, end = _period(request)
        return Response(selectors.oversight_figures(start=start, end=end))


class ReportingLineOut(serializers.ModelSerializer[ReportingLine]):
    user = serializers.CharField(source="user.username")
    manager = serializers.CharField(source="manager.username")

    class Meta:
        model = ReportingLine
        fields = ["user", "manager", "set_by", "set_at"]


class ReportingLineIn(serializers.Serializer[Any]):
    user = UserField()
    manager = UserField()


class ReportingLineCollectionApi(APIView):
    """Who reports to whom: where overdue work escalates first. For administrators."""

    read_roles = allowed_roles = (Role.ADMINISTRATOR,)

    @extend_schema(operation_id="reporting_lines_list", responses=ReportingLineOut(many=True))
    def get(self, request: Request) -> Response:
        lines = ReportingLine.objects.select_related("user", "manager").order_by("user__username")
        paginator = Pagination()
        page = paginator.paginate_queryset(lines, request, view=self)
        return paginator.get_paginated_response(ReportingLineOut(page, many=True).data)

    @extend_schema(
        operation_id="reporting_lines_set",
        request=ReportingLineIn,
        responses={201: ReportingLineOut},
    )
    def post(self, request: Request) -> Response:
        data = ReportingLineIn(data=request.data)
        data.is_valid(raise_exception=True)
        line = _run(services.reporting_line_set, acting_user=request.user, **data.validated_data)
        return Response(ReportingLineOut(line).data, status=201)


# ---------------------------------------------------------------- disclosure log


class DisclosureOut(serializers.ModelSerializer[Disclosure]):
    disclosing_agency = serializers.CharField(source="disclosing_agency.code")
    recipient_agency = serializers.CharField(source="recipient_agency.code", default=None)
    recipient_user = serializers.CharField(source="recipient_user.username", default=None)
    decided_by = serializers.CharField(source="decided_by.username")
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "disclosing_agency",
            "recipient_agency",
            "recipient_user",
            "recipient_name",
            "lawful_basis",
            "purpose",
            "what_was_shared",
            "shared_at",
            "decided_by",
            "recorded_by",
            "recorded_at",
            "alert_case",
        ]


class DisclosureDetailOut(DisclosureOut):
    records = serializers.SerializerMethodField()

    class Meta(DisclosureOut.Meta):
        fields = [*DisclosureOut.Meta.fields, "records"]

    def get_records(self, disclosure: Disclosure) -> list[dict[str, str]]:
        return [
            {"agency": d.record.agency.code, "record_id": d.record.record_id}
            for d in disclosure.records.all()
        ]


class DisclosureIn(serializers.Serializer[Any]):
    lawful_basis = serializers.CharField(max_length=300)
    purpose = serializers.CharField()
    recipient_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    recipient_user = UserField(required=False, allow_null=True)
    recipient_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    what_was_shared = serializers.CharField()
    records = RecordRefIn(many=True, required=False, default=list)
    decided_by = UserField(required=False, allow_null=True)
    shared_at = serializers.DateTimeField(required=False, allow_null=True)
    alert_case = serializers.IntegerField(required=False, allow_null=True, default=None)


class DisclosureCollectionApi(APIView):
    """Disclosures your agency made or received (GET, audited); record one (POST)."""

    read_roles = allowed_roles = CASE

    @extend_schema(
        operation_id="disclosures_list",
        parameters=[
            OpenApiParameter("lawful_basis", str),
            OpenApiParameter("agency", str, description="Disclosing or receiving agency code"),
            OpenApiParameter("alert_case", int),
        ],
        responses=DisclosureOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        case = q.get("alert_case")
        disclosures = selectors.disclosure_list(
            user=request.user,
            lawful_basis=q.get("lawful_basis"),
            agency=q.get("agency"),
            alert_case=int(case) if case and case.isdigit() else None,
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(disclosures, request, view=self)
        _audit_read(request, "disclosure.list", "disclosure", [d.pk for d in page])
        return paginator.get_paginated_response(DisclosureOut(page, many=True).data)

    @extend_schema(
        operation_id="disclosures_record", request=DisclosureIn, responses={201: DisclosureOut}
    )
    def post(self, request: Request) -> Response:
        data = DisclosureIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        # Only records the recorder may see can be listed: naming one is itself a disclosure.
        visible = Record.objects.visible_to(request.user)
        records = []
        for ref in v["records"]:
            record = (
                visible.filter(agency__code=ref["agency"], record_id=ref["record_id"])
                .select_related("agency")
                .first()
            )
            if record is None:
                raise serializers.ValidationError(
                    {"records": [f"No record {ref['agency']}/{ref['record_id']}."]}
                )
            records.append(record)
        case = None
        if v["alert_case"] is not None:
            case = selectors.alert_case_get(user=request.user, pk=v["alert_case"])
            if case is None:
                raise serializers.ValidationError({"alert_case": ["No such case."]})
        disclosure = _run(
            services.disclosure_record,
            acting_user=request.user,
            lawful_basis=v["lawful_basis"],
            purpose=v["purpose"],
            recipient=services.Recipient(
                agency=v.get("recipient_agency"),
                user=v.get("recipient_user"),
                name=v["recipient_name"],
            ),
            what_was_shared=v["what_was_shared"],
            records=records,
            decided_by=v.get("decided_by"),
            shared_at=v.get("shared_at"),
            alert_case=case,
        )
        return Response(DisclosureOut(disclosure).data, status=201)


class DisclosureDetailApi(APIView):
    """One disclosure with the records it included. Audited."""

    read_roles = CASE

    @extend_schema(operation_id="disclosures_read", responses=DisclosureDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        disclosure = _or_404(selectors.disclosure_get(user=request.user, pk=pk))
        _audit_read(request, "disclosure.read", "disclosure", [disclosure.pk])
        return Response(DisclosureDetailOut(disclosure).data)


class DisclosureCountsApi(APIView):
    """How many disclosures were made, by lawful basis and agency: counts only."""

    read_roles = (Role.MANAGER, Role.ANALYST)

    @extend_schema(
        operation_id="disclosures_counts",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Exclusive"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        start, end = _period(request)
        return Response(selectors.disclosure_counts(start=start, end=end))


# ---------------------------------------------------------------- notifications


class NotificationOut(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at"]


class NotificationListApi(APIView):
    """Your inbox, newest first (`?unread=1` for unread only). Everyone has one."""

    read_roles = tuple(Role)

    @extend_schema(
        operation_id="notifications_list",
        parameters=[OpenApiParameter("unread", bool)],
        responses=NotificationOut(many=True),
    )
    def get(self, request: Request) -> Response:
        notifications = selectors.notification_list(
            user=request.user, unread_only=request.query_params.get("unread") in ("1", "true")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationReadApi(APIView):
    """Mark one of your notifications read."""

    allowed_roles = tuple(Role)

    @extend_schema(operation_id="notifications_read", request=None, responses=NotificationOut)
    def post(self, request: Request, pk: int) -> Response:
        notification = _or_404(selectors.notification_get(user=request.user, pk=pk))
        notification = _run(
            services.notification_mark_read, notification=notification, acting_user=request.user
        )
        return Response(NotificationOut(notification).data)
