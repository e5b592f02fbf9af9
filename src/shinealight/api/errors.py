"""One error body for the whole API: `{"message": …, "extra": {…}}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shinealight.records.services import ImportRejected


def _line_errors(exc: ImportRejected) -> list[dict[str, Any]]:
    return [{"index": e.line, "field": e.field, "reason": e.reason} for e in exc.errors]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map every failure to the one error shape, never echoing stored data back."""
    if isinstance(exc, ImportRejected):
        return Response(
            {
                "message": "Nothing was stored: some records break the input contract.",
                "extra": {"errors": _line_errors(exc)},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = "The request is not valid."
        extra: dict[str, Any] = {"fields": response.data}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        message = str(detail) or "The request failed."
        extra = {}
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # Browsers and tools expect 401 for "who are you?", and 403 for "not you".
        response.status_code = status.HTTP_401_UNAUTHORIZED
    response.data = {"message": message, "extra": extra}
    return response
