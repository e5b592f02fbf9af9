"""Extraction and intelligence API views: one operation each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.api.pagination import Pagination
from shinealight.audit.services import audit_log
from shinealight.extraction import selectors
from shinealight.extraction.forms import IntelligenceForm
from shinealight.extraction.models import ExtractedMention, IntelligenceSubmission
from shinealight.extraction.services import (
    ExtractionError,
    extraction_review,
    intelligence_mark_acted_on,
    intelligence_submit,
)


class ExtractedOut(serializers.ModelSerializer[ExtractedMention]):
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")

    class Meta:
        model = ExtractedMention
        fields = [
            "id",
            "mention_id",
            "agency",
            "record_id",
            "record_version",
            "kind",
            "text",
            "normalised",
            "start",
            "end",
            "partial",
            "platform",
            "rule",
            "extracted",
            "status",
        ]


class _ListParams(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ExtractedMention.Kind.choices, required=False)
    status = serializers.ChoiceField(
        choices=["unreviewed", "confirmed", "rejected"], required=False
    )
    agency = serializers.CharField(required=False)
    record_id = serializers.CharField(required=False)


class ExtractedListApi(APIView):
    """Mentions found in the summaries of records you may see. Audited."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="extracted_mentions_list",
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
            OpenApiParameter("agency", str),
            OpenApiParameter("record_id", str),
        ],
        responses=ExtractedOut(many=True),
    )
    def get(self, request: Request) -> Response:
        params = _ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.extracted_list(user=request.user, **params.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="extracted_mentions.list",
                object_type="extracted_mention",
                object_ids=[m.mention_id for m in page],
                detail={"filters": dict(request.query_params)},
            )
        return paginator.get_paginated_response(ExtractedOut(page, many=True).data)


class ReviewIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["confirmed", "rejected"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExtractedReviewApi(APIView):
    """Confirm or reject one extracted mention; the decision sticks across re-extraction."""

    allowed_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="extracted_mentions_review", request=ReviewIn, responses=ExtractedOut
    )
    def post(self, request: Request, pk: int) -> Response:
        mention = selectors.extracted_get(user=request.user, pk=pk)
        if mention is None:
            raise Http404
        if not selectors.may_review_extracted(request.user, mention):
            raise PermissionDenied(
                "Only the agency that wrote the note, or an analyst, may decide."
            )
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        extraction_review(acting_user=request.user, mention=mention, **data.validated_data)
        mention.refresh_from_db()
        return Response(ExtractedOut(mention).data)


class IntelligenceIn(serializers.Serializer[Any]):
    """The form's fields (see IntelligenceForm): lists are text, one item a line."""

    what_was_seen = serializers.CharField()
    occurred_on = serializers.DateField(required=False)
    names = serializers.CharField(required=False, allow_blank=True)
    descriptions = serializers.CharField(required=False, allow_blank=True)
    vehicles = serializers.CharField(required=False, allow_blank=True)
    phones = serializers.CharField(required=False, allow_blank=True)
    handles = serializers.CharField(required=False, allow_blank=True)
    places = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField()
    intelligence = serializers.CharField()
    handling = serializers.CharField()
    handling_conditions = serializers.CharField(required=False, allow_blank=True)


class AcknowledgementOut(serializers.ModelSerializer[IntelligenceSubmission]):
    """What the sender may know: that it arrived and whether it was acted on. Never findings."""

    reference = serializers.CharField(source="record.record_id")

    class Meta:
        model = IntelligenceSubmission
        fields = ["id", "reference", "submitted_at", "state", "acted_on_at"]


ANY_ROLE = tuple(Role)


class IntelligenceSubmitApi(APIView):
    """Send partnership intelligence (any signed-in user with an agency)."""

    allowed_roles = ANY_ROLE

    @extend_schema(
        operation_id="intelligence_submit",
        request=IntelligenceIn,
        responses={201: AcknowledgementOut},
    )
    def post(self, request: Request) -> Response:
        # The serializer checks the JSON's shape (text where text belongs); the form holds
        # the rules the page and the API share.
        shape = IntelligenceIn(data=request.data)
        shape.is_valid(raise_exception=True)
        form = IntelligenceForm(data=shape.validated_data)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        try:
            submission = intelligence_submit(acting_user=request.user, report=form.cleaned_data)
        except ExtractionError as exc:
            raise serializers.ValidationError({"agency": [str(exc)]}) from None
        return Response(AcknowledgementOut(submission).data, status=201)


class IntelligenceMineApi(APIView):
    """The intelligence you have sent, each with "received" or "acted on"."""

    read_roles = ANY_ROLE

    @extend_schema(operation_id="intelligence_mine", responses=AcknowledgementOut(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.intelligence_mine(user=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(AcknowledgementOut(page, many=True).data)


class QueueOut(serializers.ModelSerializer[IntelligenceSubmission]):
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")
    grading = serializers.CharField(source="record.grading")

    class Meta:
        model = IntelligenceSubmission
        fields = ["id", "agency", "record_id", "grading", "submitted_at", "state", "acted_on_at"]


def _queue_worker(request: Request) -> None:
    if not selectors.may_work_intelligence_queue(request.user):
        raise PermissionDenied()


class IntelligenceQueueApi(APIView):
    """Intelligence waiting for analysts and police safeguarding leads. Audited."""

    read_roles = (Role.ANALYST, Role.SAFEGUARDING_LEAD)

    @extend_schema(operation_id="intelligence_queue", responses=QueueOut(many=True))
    def get(self, request: Request) -> Response:
        _queue_worker(request)
        rows = selectors.intelligence_queue(user=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="intelligence.queue",
                object_type="intelligence_submission",
                object_ids=[s.pk for s in page],
            )
        return paginator.get_paginated_response(QueueOut(page, many=True).data)


class IntelligenceActedOnApi(APIView):
    """Mark intelligence as acted on: the sender then sees "acted on", nothing more."""

    allowed_roles = (Role.ANALYST, Role.SAFEGUARDING_LEAD)

    @extend_schema(operation_id="intelligence_acted_on", request=None, responses=QueueOut)
    def post(self, request: Request, pk: int) -> Response:
        _queue_worker(request)
        submission = selectors.intelligence_queue(user=request.user).filter(pk=pk).first()
        if submission is None:
            raise Http404
        intelligence_mark_acted_on(acting_user=request.user, submission=submission)
        return Response(QueueOut(submission).data)
