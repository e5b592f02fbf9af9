"""Page-number pagination with a bounded page size, and audited pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def audited_page(
    request: Any,
    view: Any,
    queryset: Any,
    serializer: Any,
    *,
    action: str,
    object_type: str,
    object_id: Callable[[Any], str],
    detail: dict[str, Any] | None = None,
) -> Response:
    """One page of a list the user may see, with its read written to the audit trail.

    The audit event names exactly the objects on the page, with the purpose the caller
    gave (`?purpose=` or an `X-Purpose` header).
    """
    from shinealight.audit.services import audit_log

    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view) or []
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action=action,
            object_type=object_type,
            object_ids=[object_id(item) for item in page],
            purpose=request_purpose(request),
            detail=detail or {},
        )
    return paginator.get_paginated_response(serializer(page, many=True).data)


def request_purpose(request: Any) -> str:
    """The reason the user gave for looking, kept in the audit trail."""
    purpose = request.query_params.get("purpose") or request.headers.get("X-Purpose") or ""
    return str(purpose)[:500]
