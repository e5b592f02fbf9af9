"""Resolved-entity API: people and objects, why mentions were joined, and the review queue.

Who may review: analysts (who see the whole partnership) and agency safeguarding
leads (for pairs whose two records are both their agency's). Practitioners read
entities but do not decide who is who; managers and administrators see no case content.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.api.pagination import Pagination
from shinealight.audit.services import audit_log
from shinealight.people import selectors, services
from shinealight.people.models import EntityKind, ReviewDecision, ReviewItem

REVIEW_ROLES = (Role.ANALYST, Role.SAFEGUARDING_LEAD)
MODEL_ROLES = (Role.ANALYST, Role.MANAGER)


class EntityOut(serializers.Serializer[Any]):
    entity_id = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    key = serializers.CharField()


class MentionOut(serializers.Serializer[Any]):
    mention_id = serializers.CharField()
    agency = serializers.CharField(source="record.agency.code")
    record_id = serializers.CharField(source="record.record_id")
    recorded_at = serializers.DateTimeField(source="record.recorded_at")


class ContributionOut(serializers.Serializer[Any]):
    comparison = serializers.CharField()
    level = serializers.CharField()
    weight = serializers.FloatField(required=False)


class LinkOut(serializers.Serializer[Any]):
    mention_left = serializers.CharField()
    mention_right = serializers.CharField()
    status = serializers.CharField()
    match_weight = serializers.FloatField(allow_null=True)
    match_probability = serializers.FloatField(allow_null=True)
    contributions = ContributionOut(many=True)
    model_version = serializers.IntegerField(source="model.version", allow_null=True)


class EntityDetailOut(EntityOut):
    mentions = MentionOut(many=True)
    links = LinkOut(many=True)


class EntityCollectionApi(APIView):
    """List the resolved entities you may see, optionally of one kind."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(
        operation_id="entities_list",
        parameters=[OpenApiParameter("kind", str, enum=EntityKind.values)],
        responses=EntityOut(many=True),
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind")
        if kind and kind not in EntityKind.values:
            raise exceptions.ValidationError({"kind": [f"expected one of {EntityKind.values}"]})
        entities = selectors.entities_visible_to(request.user, kind=kind)
        paginator = Pagination()
        page = paginator.paginate_queryset(entities, request, view=self)
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="entities.list",
                object_type="entity",
                object_ids=[e.entity_id for e in page],
            )
        return paginator.get_paginated_response(EntityOut(page, many=True).data)


class EntityDetailApi(APIView):
    """One entity: its mentions you may see and each link's match weight and reasons."""

    read_roles = tuple(CASE_ROLES)

    @extend_schema(operation_id="entities_read", responses=EntityDetailOut)
    def get(self, request: Request, entity_id: str) -> Response:
        entity = selectors.entity_get(request.user, entity_id)
        if entity is None:
            raise Http404
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="entity.read",
                object_type="entity",
                object_ids=[entity.entity_id],
            )
        data = {
            **EntityOut(entity).data,
            "mentions": MentionOut(selectors.entity_mentions(request.user, entity), many=True).data,
            "links": LinkOut(
                selectors.entity_links(request.user, entity).select_related("model"), many=True
            ).data,
        }
        return Response(data)


class ReviewItemOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    mention_left = serializers.CharField()
    mention_right = serializers.CharField()
    match_weight = serializers.FloatField()
    contributions = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()

    def get_contributions(self, item: ReviewItem) -> list[dict[str, Any]]:
        return list(item.link.contributions) if item.link else []


class ReviewQueueApi(APIView):
    """The pairs waiting for a reviewer, most likely first."""

    read_roles = REVIEW_ROLES

    @extend_schema(operation_id="review_queue", responses=ReviewItemOut(many=True))
    def get(self, request: Request) -> Response:
        items = selectors.review_items_visible_to(request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ReviewItemOut(page, many=True).data)


class DecisionIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=ReviewDecision.Decision.values)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DecisionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    mention_left = serializers.CharField()
    mention_right = serializers.CharField()
    decision = serializers.CharField()
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


def _item_or_404(request: Request, item_id: int) -> ReviewItem:
    item = (
        selectors.review_items_visible_to(request.user, open_only=False).filter(pk=item_id).first()
    )
    if item is None:
        raise Http404
    return item


class ReviewDecisionApi(APIView):
    """Decide a queued pair: 'same' or 'not_same'. Overrides the model in every later run."""

    allowed_roles = REVIEW_ROLES

    @extend_schema(operation_id="review_decide", request=DecisionIn, responses={201: DecisionOut})
    def post(self, request: Request, item_id: int) -> Response:
        item = _item_or_404(request, item_id)
        body = DecisionIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decision = services.review_decide(
                acting_user=request.user,
                item=item,
                decision=body.validated_data["decision"],
                reason=body.validated_data.get("reason", ""),
            )
        except services.ReviewError as exc:
            raise exceptions.ValidationError({"decision": [str(exc)]}) from None
        return Response(DecisionOut(decision).data, status=201)


class ReviewRevokeApi(APIView):
    """Withdraw a decision; the pair returns to the queue."""

    allowed_roles = REVIEW_ROLES

    @extend_schema(operation_id="review_revoke", request=None, responses=DecisionOut)
    def post(self, request: Request, decision_id: int) -> Response:
        decision = ReviewDecision.objects.filter(pk=decision_id).first()
        if decision is None or decision.item_id is None:
            raise Http404
        _item_or_404(request, decision.item_id)
        try:
            decision = services.review_decision_revoke(acting_user=request.user, decision=decision)
        except services.ReviewError as exc:
            raise exceptions.ValidationError({"decision": [str(exc)]}) from None
        return Response(DecisionOut(decision).data)


class LinkageModelApi(APIView):
    """The person model in use: its version, prior, thresholds and every m, u and weight."""

    read_roles = MODEL_ROLES

    @extend_schema(operation_id="linkage_model", responses=dict)
    def get(self, request: Request) -> Response:
        stored, model = services.current_model()
        return Response({"version": stored.version if stored else None, **model.as_dict()})
