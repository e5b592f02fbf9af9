"""Alert API views: list, read one, and counts for oversight. Every read is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.alerts import selectors
from shinealight.alerts.models import Alert, AlertSubject
from shinealight.api.pagination import audited_page, request_purpose
from shinealight.audit.services import audit_log

PURPOSE = OpenApiParameter(
    "purpose", str, description="Why you are looking (kept in the audit trail).", required=False
)


class SubjectOut(serializers.ModelSerializer[AlertSubject]):
    class Meta:
        model = AlertSubject
        fields = ["kind", "entity_id", "role", "label", "since"]


class AlertOut(serializers.ModelSerializer[Alert]):
    subjects = SubjectOut(many=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "severity",
            "title",
            "area",
            "first_data_time",
            "last_data_time",
            "raised_at",
            "updated_at",
            "subjects",
        ]


class EvidenceOut(serializers.Serializer[Any]):
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")
    type = serializers.CharField(source="record.event_type")
    recorded_at = serializers.DateTimeField(source="record.recorded_at")
    occurred_at = serializers.DateTimeField(source="record.occurred_at")
    grading = serializers.CharField(source="record.grading")
    # Handling code C: the originator's conditions travel with every mention of the record.
    handling_conditions = serializers.CharField(source="record.handling_conditions")
    note = serializers.CharField()
    you_may_open = serializers.BooleanField()


def _shown(alert: Alert, user: Any) -> Any:
    # Title, explanation, subjects and evidence narrowed to what the user may see: a
    # practitioner who sees part of an alert's evidence is never told of the rest's
    # records or children (access.redaction).
    shown = getattr(alert, "_shown", None)
    if shown is None:
        shown = alert._shown = alert.shown_to(user)  # type: ignore[attr-defined]
    return shown


def _alert_out_for(user: Any) -> type[AlertOut]:
    """`AlertOut` as one user may see each alert on a list page."""

    class AlertShownOut(AlertOut):
        def to_representation(self, alert: Alert) -> dict[str, Any]:
            data = super().to_representation(alert)
            shown = _shown(alert, user)
            data["title"] = shown.title
            data["subjects"] = SubjectOut(shown.subjects, many=True).data
            return data

    return AlertShownOut


class AlertDetailOut(AlertOut):
    evidence = serializers.SerializerMethodField()
    evidence_not_shown = serializers.SerializerMethodField()

    class Meta(AlertOut.Meta):
        fields = [*AlertOut.Meta.fields, "explanation", "evidence", "evidence_not_shown"]

    def to_representation(self, alert: Alert) -> dict[str, Any]:
        data = super().to_representation(alert)
        shown = _shown(alert, self.context["user"])
        data["title"] = shown.title
        data["explanation"] = shown.explanation
        data["subjects"] = SubjectOut(shown.subjects, many=True).data
        return data

    def get_evidence(self, alert: Alert) -> list[dict[str, Any]]:
        items = []
        for item in _shown(alert, self.context["user"]).evidence:
            item.you_may_open = True  # only records the user may open are listed
            items.append(EvidenceOut(item).data)
        return items

    def get_evidence_not_shown(self, alert: Alert) -> bool:
        """True when the alert cites records the user may not open (not how many)."""
        return bool(_shown(alert, self.context["user"]).hidden_evidence)


class _ListParams(serializers.Serializer[Any]):
    rule = serializers.CharField(required=False)
    severity = serializers.ChoiceField(choices=Alert.Severity.choices, required=False)
    area = serializers.CharField(required=False)
    entity_id = serializers.CharField(required=False)
    data_from = serializers.DateTimeField(required=False)


class AlertListApi(APIView):
    """Alerts citing a record you may see; analysts see every alert."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="alerts_list",
        parameters=[
            OpenApiParameter("rule", str),
            OpenApiParameter("severity", str),
            OpenApiParameter("area", str),
            OpenApiParameter("entity_id", str),
            OpenApiParameter("data_from", OpenApiTypes.DATETIME),
            PURPOSE,
        ],
        responses=AlertOut(many=True),
    )
    def get(self, request: Request) -> Response:
        params = _ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        alerts = selectors.alert_list(user=request.user, **params.validated_data)
        return audited_page(
            request,
            self,
            alerts,
            _alert_out_for(request.user),
            action="alerts.list",
            object_type="alert",
            object_id=lambda a: str(a.pk),
            detail={"filters": dict(request.query_params)},
        )


class AlertDetailApi(APIView):
    """One alert: who it names, the records it cites and its explanation."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(operation_id="alerts_read", parameters=[PURPOSE], responses=AlertDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            alert = selectors.alert_get(user=request.user, pk=pk)
            if alert is None:
                raise Http404
            audit_log(
                acting_user=request.user,
                action="alert.read",
                object_type="alert",
                object_ids=[alert.pk],
                purpose=request_purpose(request),
            )
            data = AlertDetailOut(alert, context={"user": request.user}).data
        return Response(data)


class CountsOut(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    by_rule = serializers.DictField(child=serializers.IntegerField())
    by_severity = serializers.DictField(child=serializers.IntegerField())
    by_month = serializers.DictField(child=serializers.IntegerField())


class AlertCountsApi(APIView):
    """How many alerts, by rule, severity and month: oversight figures, no case content."""

    read_roles = (Role.MANAGER, Role.SAFEGUARDING_LEAD, Role.ANALYST)

    @extend_schema(operation_id="alerts_counts", parameters=[PURPOSE], responses=CountsOut)
    def get(self, request: Request) -> Response:
        with transaction.atomic():
            counts = selectors.alert_counts(user=request.user)
            audit_log(
                acting_user=request.user,
                action="alerts.counts",
                object_type="alert",
                purpose=request_purpose(request),
            )
        return Response(CountsOut(counts).data)
