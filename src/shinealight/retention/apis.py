"""Retention API: legal holds (managers and administrators) and subject access exports.

Holds carry no case content, only a scope and the inquiry's reasons; every list and read
is audited all the same. A subject access export is everything about one person, for
the partnership's managers and analysts answering a request under data protection law.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.roles import Role
from shinealight.api.pagination import audited_page, request_purpose
from shinealight.audit.services import audit_log
from shinealight.people.models import ResolvedEntity
from shinealight.records.models import Agency
from shinealight.retention import selectors, services
from shinealight.retention.models import LegalHold
from shinealight.retention.subject_access import SAR_ROLES, subject_access_export

HOLD_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)
T = TypeVar("T")


class Refused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That cannot be done now."
    default_code = "refused"


def _run(operation: Callable[..., T], **kwargs: Any) -> T:
    """Call a service, turning its refusal into the API's one error body."""
    try:
        return operation(**kwargs)
    except services.RetentionRefused as exc:
        if exc.field:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        raise Refused(str(exc)) from None


class LegalHoldOut(serializers.ModelSerializer[LegalHold]):
    agency = serializers.CharField(source="agency.code", default=None, allow_null=True)
    created_by = serializers.CharField(source="created_by.username")
    released_by = serializers.CharField(
        source="released_by.username", default=None, allow_null=True
    )
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "name",
            "reason",
            "active",
            "whole_partnership",
            "agency",
            "area",
            "entity_ids",
            "recorded_from",
            "recorded_to",
            "created_by",
            "created_at",
            "released_at",
            "released_by",
            "release_reason",
        ]


class LegalHoldIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    whole_partnership = serializers.BooleanField(default=False)
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    area = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    entity_ids = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=500
    )
    recorded_from = serializers.DateField(required=False, allow_null=True)
    recorded_to = serializers.DateField(required=False, allow_null=True)


class ReleaseIn(serializers.Serializer[Any]):
    reason = serializers.CharField()


class LegalHoldCollectionApi(APIView):
    """Legal holds, newest first (GET, audited); place one (POST)."""

    read_roles = allowed_roles = HOLD_ROLES

    @extend_schema(operation_id="legal_holds_list", responses=LegalHoldOut(many=True))
    def get(self, request: Request) -> Response:
        return audited_page(
            request,
            self,
            selectors.holds_for(request.user),
            LegalHoldOut,
            action="retention.hold_list",
            object_type="legal_hold",
            object_id=lambda h: h.pk,
        )

    @extend_schema(
        operation_id="legal_holds_create", request=LegalHoldIn, responses={201: LegalHoldOut}
    )
    def post(self, request: Request) -> Response:
        data = LegalHoldIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hold = _run(
            services.legal_hold_create,
            acting_user=request.user,
            name=v["name"],
            reason=v["reason"],
            whole_partnership=v["whole_partnership"],
            agency=v.get("agency"),
            area=v["area"],
            entity_ids=v["entity_ids"],
            recorded_from=v.get("recorded_from"),
            recorded_to=v.get("recorded_to"),
        )
        return Response(LegalHoldOut(hold).data, status=status.HTTP_201_CREATED)


def _hold_or_404(request: Request, pk: int) -> LegalHold:
    hold = selectors.hold_get(request.user, pk)
    if hold is None:
        raise Http404
    return hold


class LegalHoldDetailApi(APIView):
    """One legal hold. Audited."""

    read_roles = HOLD_ROLES

    @extend_schema(operation_id="legal_holds_read", responses=LegalHoldOut)
    def get(self, request: Request, pk: int) -> Response:
        hold = _hold_or_404(request, pk)
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="retention.hold_read",
                object_type="legal_hold",
                object_ids=[hold.pk],
                purpose=request_purpose(request),
            )
        return Response(LegalHoldOut(hold).data)


class LegalHoldReleaseApi(APIView):
    """Release a hold, with the reason: records in its scope may be deleted again when due."""

    allowed_roles = HOLD_ROLES

    @extend_schema(operation_id="legal_holds_release", request=ReleaseIn, responses=LegalHoldOut)
    def post(self, request: Request, pk: int) -> Response:
        hold = _hold_or_404(request, pk)
        data = ReleaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        hold = _run(
            services.legal_hold_release,
            hold=hold,
            reason=data.validated_data["reason"],
            acting_user=request.user,
        )
        return Response(LegalHoldOut(hold).data)


class SubjectAccessIn(serializers.Serializer[Any]):
    entity_id = serializers.CharField(max_length=20)
    reference = serializers.CharField(max_length=200, help_text="The request's reference")


class SubjectAccessApi(APIView):
    """Everything held about one person as a zip (JSON and a readable page), third parties
    redacted and sealed or handling-C records withheld for review. Audited with the reference.
    """

    allowed_roles = tuple(Role(r) for r in SAR_ROLES)

    @extend_schema(
        operation_id="subject_access_export",
        request=SubjectAccessIn,
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="zip"),
            404: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request: Request) -> HttpResponse:
        data = SubjectAccessIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not ResolvedEntity.objects.filter(entity_id=v["entity_id"], kind="person").exists():
            raise Http404
        export = _run(
            subject_access_export,
            entity_id=v["entity_id"],
            acting_user=request.user,
            reference=v["reference"],
        )
        response = HttpResponse(export.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
