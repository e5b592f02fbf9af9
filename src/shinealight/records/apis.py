"""Record API views: list, submit, read one, its versions, person search, statistics, agencies."""

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
from shinealight.api.pagination import Pagination, audited_page, request_purpose
from shinealight.audit.services import audit_log
from shinealight.records import selectors
from shinealight.records.models import (
    Agency,
    LocationMention,
    OnlineMention,
    PersonMention,
    PhoneMention,
    Record,
    RecordLink,
    VehicleMention,
)
from shinealight.records.services import ImportBatch, agency_create, records_submit

ALL_ROLES = tuple(Role)
PURPOSE = OpenApiParameter(
    "purpose", str, description="Why you are looking (kept in the audit trail).", required=False
)


_purpose = request_purpose


class RecordOut(serializers.ModelSerializer[Record]):
    agency = serializers.CharField(source="agency.code")
    type = serializers.CharField(source="event_type")
    grading = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = [
            "agency",
            "record_id",
            "type",
            "recorded_at",
            "occurred_at",
            "area",
            "summary",
            "grading",
            "indicators",
            "unknown_indicators",
            "version",
            "last_changed_at",
        ]

    def get_grading(self, record: Record) -> dict[str, str] | None:
        if not (record.grading_source or record.grading_intelligence or record.grading_handling):
            return None
        grading = {
            "source": record.grading_source,
            "intelligence": record.grading_intelligence,
            "handling": record.grading_handling,
        }
        if record.handling_conditions:
            grading["handling_conditions"] = record.handling_conditions
        return grading


def _mention_serializer(model: type[Any], fields: list[str]) -> type[serializers.Serializer[Any]]:
    """A read-only serializer for one mention table: its ids and the fields named."""
    meta = type("Meta", (), {"model": model, "fields": ["mention_id", "ref", *fields]})
    return type(f"{model.__name__}Out", (serializers.ModelSerializer,), {"Meta": meta})


PersonMentionOut = _mention_serializer(
    PersonMention,
    [
        "role",
        "name",
        "aliases",
        "dob",
        "age_estimate",
        "gender",
        "ethnicity",
        "address",
        "postcode",
        "postcode_normalised",
        "phones",
        "phones_e164",
        "identifiers",
        "nhs_number_valid",
        "description",
    ],
)
VehicleMentionOut = _mention_serializer(
    VehicleMention,
    [
        "vrm",
        "vrm_normalised",
        "partial",
        "make",
        "model",
        "colour",
        "person_refs",
    ],
)
PhoneMentionOut = _mention_serializer(PhoneMention, ["number", "e164", "person_refs"])
OnlineMentionOut = _mention_serializer(
    OnlineMention,
    [
        "platform",
        "handle",
        "handle_normalised",
        "person_refs",
    ],
)
LocationMentionOut = _mention_serializer(
    LocationMention,
    [
        "name",
        "kind",
        "address",
        "postcode",
        "postcode_normalised",
        "lat",
        "lon",
    ],
)


class LinkOut(serializers.ModelSerializer[RecordLink]):
    class Meta:
        model = RecordLink
        fields = ["from_ref", "to_ref", "kind"]


class RecordDetailOut(RecordOut):
    persons = PersonMentionOut(many=True)
    vehicles = VehicleMentionOut(many=True)
    phones = PhoneMentionOut(many=True)
    online = OnlineMentionOut(many=True)
    locations = LocationMentionOut(many=True)
    links = LinkOut(many=True)

    class Meta(RecordOut.Meta):
        fields = [
            *RecordOut.Meta.fields,
            "persons",
            "vehicles",
            "phones",
            "online",
            "locations",
            "links",
        ]


MENTION_SERIALIZERS: dict[str, type[serializers.Serializer[Any]]] = {
    "persons": PersonMentionOut,
    "vehicles": VehicleMentionOut,
    "phones": PhoneMentionOut,
    "online": OnlineMentionOut,
    "locations": LocationMentionOut,
    "links": LinkOut,
}


class VersionOut(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    content_hash = serializers.CharField()
    source = serializers.CharField(source="batch.source")
    payload = serializers.JSONField()


class SubmitSummaryOut(serializers.Serializer[Any]):
    batch_id = serializers.IntegerField()
    records = serializers.IntegerField()
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    versions_added = serializers.IntegerField()
    mentions = serializers.DictField(child=serializers.IntegerField())
    unknown_indicators = serializers.DictField(child=serializers.IntegerField())
    new_agencies = serializers.ListField(child=serializers.CharField())


def _may_submit(user: Any) -> Any:
    def check(record: Any) -> bool:
        if user.sees_whole_partnership:
            return True
        return user.agency is not None and record.agency == user.agency.code

    return check


class RecordCollectionApi(APIView):
    """List the records you may see (GET), or submit one record or a batch (POST)."""

    read_roles = allowed_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="records_list",
        parameters=[
            OpenApiParameter("agency", str),
            OpenApiParameter("type", str),
            OpenApiParameter("area", str),
            OpenApiParameter("recorded_from", OpenApiTypes.DATETIME),
            OpenApiParameter("recorded_to", OpenApiTypes.DATETIME),
            PURPOSE,
        ],
        responses=RecordOut(many=True),
    )
    def get(self, request: Request) -> Response:
        params = _ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        records = selectors.record_list(user=request.user, **params.validated_data)
        return audited_page(
            request,
            self,
            records,
            RecordOut,
            action="records.list",
            object_type="record",
            object_id=lambda r: f"{r.agency.code}/{r.record_id}",
            detail={"filters": dict(request.query_params)},
        )

    @extend_schema(
        operation_id="records_submit",
        request=OpenApiTypes.OBJECT,
        description=(
            "Send one agency record (a JSON object in the agency-records format), a JSON "
            'array of them, or {"records": [...]}. All or nothing: one bad record and '
            "nothing is stored; the error lists every fault with its index and field. "
            "Re-sending an identical record changes nothing; a changed one becomes a new version."
        ),
        responses={201: SubmitSummaryOut, 200: SubmitSummaryOut},
    )
    def post(self, request: Request) -> Response:
        body = request.data
        if isinstance(body, dict) and isinstance(body.get("records"), list):
            payloads = body["records"]
        elif isinstance(body, list):
            payloads = body
        else:
            payloads = [body]
        summary = records_submit(
            payloads=payloads,
            acting_user=request.user,
            source=ImportBatch.Source.API,
            may_submit=_may_submit(request.user),
        )
        changed = summary.new or summary.updated
        return Response(SubmitSummaryOut(summary.as_dict()).data, status=201 if changed else 200)


class _ListParams(serializers.Serializer[Any]):
    agency = serializers.CharField(required=False)
    type = serializers.CharField(required=False, source="event_type")
    area = serializers.CharField(required=False)
    recorded_from = serializers.DateTimeField(required=False)
    recorded_to = serializers.DateTimeField(required=False)


def _record_or_404(request: Request, agency: str, record_id: str) -> Record:
    record = selectors.record_get(user=request.user, agency=agency, record_id=record_id)
    # visible_to() found it; the object rule must agree (defence in depth: two independent
    # statements of the same policy, tested to match).
    if record is None or not request.user.has_perm("records.view_record", record):
        # Not found and not allowed look the same, so the answer leaks nothing.
        raise Http404
    return record


class RecordDetailApi(APIView):
    """One record's current version with everything it mentions. Every read is audited."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(operation_id="records_read", parameters=[PURPOSE], responses=RecordDetailOut)
    def get(self, request: Request, agency: str, record_id: str) -> Response:
        with transaction.atomic():
            record = _record_or_404(request, agency, record_id)
            audit_log(
                acting_user=request.user,
                action="record.read",
                object_type="record",
                object_ids=[f"{agency}/{record_id}"],
                purpose=_purpose(request),
            )
            mentions = selectors.record_mentions(record=record)
            data = {
                **RecordOut(record).data,
                **{
                    kind: MENTION_SERIALIZERS[kind](items, many=True).data
                    for kind, items in mentions.items()
                },
            }
        return Response(data)


class RecordVersionsApi(APIView):
    """Every version of one record exactly as the agency sent it, oldest first. Audited."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="records_versions", parameters=[PURPOSE], responses=VersionOut(many=True)
    )
    def get(self, request: Request, agency: str, record_id: str) -> Response:
        with transaction.atomic():
            record = _record_or_404(request, agency, record_id)
            audit_log(
                acting_user=request.user,
                action="record.read_versions",
                object_type="record",
                object_ids=[f"{agency}/{record_id}"],
                purpose=_purpose(request),
            )
            data = VersionOut(selectors.record_versions(record=record), many=True).data
        return Response(data)


class PersonSearchOut(PersonMentionOut):  # type: ignore[valid-type,misc]
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")
    recorded_at = serializers.DateTimeField(source="record.recorded_at")

    class Meta(PersonMentionOut.Meta):  # type: ignore[name-defined]
        fields = [*PersonMentionOut.Meta.fields, "agency", "record_id", "recorded_at"]


class PersonMentionSearchApi(APIView):
    """Find people as records mention them, by name, alias or NHS number. Audited."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="person_mentions_search",
        parameters=[OpenApiParameter("q", str, required=True), PURPOSE],
        responses=PersonSearchOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        if not q.strip():
            raise serializers.ValidationError({"q": ["Say what to search for."]})
        mentions = selectors.person_mention_search(user=request.user, q=q)
        return audited_page(
            request,
            self,
            mentions,
            PersonSearchOut,
            action="person_mention.search",
            object_type="person_mention",
            object_id=lambda m: m.mention_id,
            detail={"q": q},
        )


class StatisticsApi(APIView):
    """Aggregate counts of records by agency, type and month. No case content."""

    read_roles = (Role.MANAGER, Role.SAFEGUARDING_LEAD, Role.ANALYST)

    @extend_schema(operation_id="statistics", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(selectors.statistics(user=request.user))


class AgencyOut(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["code", "agency_type", "name", "area"]


class AgencyIn(serializers.Serializer[Any]):
    code = serializers.RegexField(r"^[a-z0-9-]{2,40}$")
    agency_type = serializers.ChoiceField(choices=[])
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    area = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from shinealight.core.schema import vocabulary

        super().__init__(*args, **kwargs)
        self.fields["agency_type"].choices = vocabulary().agency_types

    def validate_code(self, code: str) -> str:
        if Agency.objects.filter(code=code).exists():
            raise serializers.ValidationError("An agency with this code is already registered.")
        return code


class AgencyCollectionApi(APIView):
    """The partnership's agencies (any signed-in user); registering one is for administrators."""

    read_roles = ALL_ROLES
    allowed_roles = (Role.ADMINISTRATOR,)

    @extend_schema(operation_id="agencies_list", responses=AgencyOut(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(Agency.objects.order_by("code"), request, view=self)
        return paginator.get_paginated_response(AgencyOut(page or [], many=True).data)

    @extend_schema(operation_id="agencies_create", request=AgencyIn, responses={201: AgencyOut})
    def post(self, request: Request) -> Response:
        data = AgencyIn(data=request.data)
        data.is_valid(raise_exception=True)
        agency = agency_create(acting_user=request.user, **data.validated_data)
        return Response(AgencyOut(agency).data, status=201)
