"""Access API: break-glass grants and their oversight log, sealed records a user may know
of, release requests and the owning agency's decision, and the agency's sealed policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.access import selectors, services
from shinealight.access.models import AgencyAccessPolicy, BreakGlassGrant, ReleaseRequest
from shinealight.access.visibility import BREAK_GLASS_ROLES
from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.api.pagination import Pagination, audited_page, request_purpose
from shinealight.audit.services import audit_log

T = TypeVar("T")
PURPOSE = OpenApiParameter(
    "purpose", str, description="Why you are looking (kept in the audit trail).", required=False
)


class Refused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That cannot be done now."
    default_code = "refused"


def _run(operation: Callable[..., T], **kwargs: Any) -> T:
    try:
        return operation(**kwargs)
    except services.AccessRefused as exc:
        if exc.field:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        raise Refused(str(exc)) from None


def _or_404(found: T | None) -> T:
    if found is None:
        raise Http404
    return found


# ---------------------------------------------------------------- break-glass


class GrantOut(serializers.ModelSerializer[BreakGlassGrant]):
    user = serializers.CharField(source="user.username")
    ended_by = serializers.CharField(source="ended_by.username", default=None)
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = BreakGlassGrant
        fields = [
            "id",
            "user",
            "child_entity_id",
            "purpose",
            "started_at",
            "expires_at",
            "ended_at",
            "ended_by",
            "active",
        ]


class GrantIn(serializers.Serializer[Any]):
    child_entity_id = serializers.CharField(max_length=64)
    purpose = serializers.CharField()


class BreakGlassCollectionApi(APIView):
    """Your break-glass grants (oversight: every grant), or open one (POST)."""

    read_roles = (*BREAK_GLASS_ROLES, Role.MANAGER)
    allowed_roles = tuple(BREAK_GLASS_ROLES)

    @extend_schema(operation_id="break_glass_list", responses=GrantOut(many=True))
    def get(self, request: Request) -> Response:
        return audited_page(
            request,
            self,
            selectors.break_glass_log(user=request.user),
            GrantOut,
            action="break_glass.list",
            object_type="break_glass_grant",
            object_id=lambda g: str(g.pk),
        )

    @extend_schema(operation_id="break_glass_open", request=GrantIn, responses={201: GrantOut})
    def post(self, request: Request) -> Response:
        data = GrantIn(data=request.data)
        data.is_valid(raise_exception=True)
        grant = _run(services.break_glass_open, acting_user=request.user, **data.validated_data)
        return Response(GrantOut(grant).data, status=201)


class BreakGlassCloseApi(APIView):
    """End a grant before it expires (its holder or oversight)."""

    allowed_roles = (*BREAK_GLASS_ROLES, Role.MANAGER)

    @extend_schema(operation_id="break_glass_close", request=None, responses=GrantOut)
    def post(self, request: Request, pk: int) -> Response:
        grant = _or_404(selectors.break_glass_get(user=request.user, pk=pk))
        grant = _run(services.break_glass_close, acting_user=request.user, grant=grant)
        return Response(GrantOut(grant).data)


# ---------------------------------------------------------------- sealed records


class SealedRecordOut(serializers.Serializer[Any]):
    """That a sealed record exists: the agency, the day, "sealed". Nothing else."""

    id = serializers.IntegerField(source="pk")
    agency = serializers.CharField(source="agency.code")
    recorded_on = serializers.SerializerMethodField()
    sealed = serializers.SerializerMethodField()

    def get_recorded_on(self, record: Any) -> str:
        return record.recorded_at.date().isoformat()

    def get_sealed(self, record: Any) -> bool:
        return True


class SealedRecordListApi(APIView):
    """Sealed records you may know exist (their agency allows it), to ask for release."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="sealed_records_list",
        parameters=[OpenApiParameter("entity_id", str), PURPOSE],
        responses=SealedRecordOut(many=True),
    )
    def get(self, request: Request) -> Response:
        entity_id = request.query_params.get("entity_id") or None
        return audited_page(
            request,
            self,
            selectors.sealed_records_known_to(user=request.user, entity_id=entity_id),
            SealedRecordOut,
            action="sealed_records.list",
            object_type="sealed_record",
            object_id=lambda r: str(r.pk),
            detail={"entity_id": entity_id} if entity_id else {},
        )


class ReleaseRequestOut(serializers.ModelSerializer[ReleaseRequest]):
    sealed_record = serializers.IntegerField(source="record_id")
    owning_agency = serializers.CharField(source="record.agency.code")
    requesting_agency = serializers.CharField(source="requesting_agency.code")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ReleaseRequest
        fields = [
            "id",
            "sealed_record",
            "owning_agency",
            "requesting_agency",
            "requested_by",
            "reason",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "disclosure_id",
        ]


class ReleaseRequestIn(serializers.Serializer[Any]):
    reason = serializers.CharField()


class ReleaseRequestOpenApi(APIView):
    """Ask the owning agency to release a sealed record you may know exists."""

    allowed_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="release_requests_open",
        request=ReleaseRequestIn,
        responses={201: ReleaseRequestOut},
    )
    def post(self, request: Request, pk: int) -> Response:
        record = _or_404(selectors.sealed_records_known_to(user=request.user).filter(pk=pk).first())
        data = ReleaseRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        made = _run(
            services.release_request_open,
            acting_user=request.user,
            record=record,
            reason=data.validated_data["reason"],
        )
        return Response(ReleaseRequestOut(made).data, status=201)


class ReleaseRequestListApi(APIView):
    """Requests your agency made, and requests for your agency's sealed records."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(operation_id="release_requests_list", responses=ReleaseRequestOut(many=True))
    def get(self, request: Request) -> Response:
        return audited_page(
            request,
            self,
            selectors.release_requests_visible_to(user=request.user),
            ReleaseRequestOut,
            action="release_requests.list",
            object_type="release_request",
            object_id=lambda r: str(r.pk),
        )


class ReleaseDecisionIn(serializers.Serializer[Any]):
    release = serializers.BooleanField()
    note = serializers.CharField()
    lawful_basis = serializers.CharField(required=False, allow_blank=True, default="")


class ReleaseRequestDecideApi(APIView):
    """The owning agency's safeguarding lead releases (a recorded disclosure) or refuses."""

    allowed_roles = (Role.SAFEGUARDING_LEAD,)

    @extend_schema(
        operation_id="release_requests_decide",
        request=ReleaseDecisionIn,
        responses=ReleaseRequestOut,
    )
    def post(self, request: Request, pk: int) -> Response:
        found = _or_404(selectors.release_request_get(user=request.user, pk=pk))
        data = ReleaseDecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        decided = _run(
            services.release_request_decide,
            acting_user=request.user,
            request=found,
            **data.validated_data,
        )
        return Response(ReleaseRequestOut(decided).data)


class PolicyOut(serializers.ModelSerializer[AgencyAccessPolicy]):
    agency = serializers.CharField(source="agency.code")
    set_by = serializers.CharField(source="set_by.username")

    class Meta:
        model = AgencyAccessPolicy
        fields = ["agency", "show_sealed_existence", "set_by", "set_at"]


class PolicyIn(serializers.Serializer[Any]):
    show_sealed_existence = serializers.BooleanField()


class AccessPolicyApi(APIView):
    """Your agency's choice: may others see that its sealed records exist? (GET, POST)"""

    read_roles = allowed_roles = (Role.SAFEGUARDING_LEAD,)

    @extend_schema(operation_id="access_policy_read", responses=PolicyOut)
    def get(self, request: Request) -> Response:
        policy = _or_404(selectors.access_policy_for(agency_id=request.user.agency_id))
        return Response(PolicyOut(policy).data)

    @extend_schema(operation_id="access_policy_set", request=PolicyIn, responses=PolicyOut)
    def post(self, request: Request) -> Response:
        data = PolicyIn(data=request.data)
        data.is_valid(raise_exception=True)
        policy = _run(services.access_policy_set, acting_user=request.user, **data.validated_data)
        return Response(PolicyOut(policy).data)


# ---------------------------------------------------------------- who accessed a child


class AccessEventOut(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor_username = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    purpose = serializers.CharField()
    break_glass = serializers.SerializerMethodField()

    def get_break_glass(self, event: Any) -> bool:
        return bool((event.detail or {}).get("break_glass"))


class WhoAccessedApi(APIView):
    """Who read or changed anything about this child (its records, mentions, alerts), when
    and why: for the agencies' safeguarding leads who know the child, analysts, managers."""

    read_roles = (Role.SAFEGUARDING_LEAD, Role.ANALYST, Role.MANAGER)

    @extend_schema(
        operation_id="child_accessed_list",
        parameters=[PURPOSE],
        responses=AccessEventOut(many=True),
    )
    def get(self, request: Request, entity_id: str) -> Response:
        from shinealight.audit import selectors as audit_selectors

        entity = audit_selectors.person_entity_for_report(entity_id)
        if not audit_selectors.may_see_who_accessed(request.user, entity):
            raise Http404
        paginator = Pagination()
        events = audit_selectors.child_accessed_events(entity=entity)
        page = paginator.paginate_queryset(events, request, view=self) or []
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="audit.accessed_report",
                object_type="entity",
                object_ids=[entity.entity_id],
                purpose=request_purpose(request),
                detail={"events_shown": [e.seq for e in page]},
            )
        return paginator.get_paginated_response(AccessEventOut(page, many=True).data)
