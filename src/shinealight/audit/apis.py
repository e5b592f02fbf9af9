"""Audit API: the oversight role reads the trail; nobody can change it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shinealight.accounts.roles import Role
from shinealight.api.pagination import Pagination
from shinealight.audit.models import AuditEvent


class AuditEventOut(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "at",
            "actor_username",
            "action",
            "object_type",
            "object_ids",
            "purpose",
            "detail",
            "prev_hash",
            "hash",
        ]


class AuditEventListApi(APIView):
    """The audit trail, newest first, filterable by user and action."""

    read_roles = (Role.MANAGER,)

    @extend_schema(
        operation_id="audit_events_list",
        parameters=[OpenApiParameter("username", str), OpenApiParameter("action", str)],
        responses=AuditEventOut(many=True),
    )
    def get(self, request: Request) -> Response:
        events: Any = AuditEvent.objects.order_by("-seq")
        if username := request.query_params.get("username"):
            events = events.filter(actor_username=username)
        if action := request.query_params.get("action"):
            events = events.filter(action=action)
        paginator = Pagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventOut(page, many=True).data)
