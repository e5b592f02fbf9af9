"""Export downloads: an alert's or an entity's network in five formats, a chronology as CSV.

The format is the path's extension (`/exports/alerts/12.anx`); an unknown one is 404,
like an alert or entity the user may not see. A file comes back as an attachment with its
media type; errors keep the API's one JSON error body whatever the client accepts. As for
every export, the token or session must be fresh (`accounts.permissions.RecentlyAuthenticated`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from shinealight.accounts.permissions import RecentlyAuthenticated
from shinealight.accounts.roles import Role
from shinealight.api.pagination import request_purpose
from shinealight.api.permissions import RoleAllowed
from shinealight.core.exports import FORMATS
from shinealight.exports import services

EXPORT_ROLES = (Role.ANALYST, Role.SAFEGUARDING_LEAD)
CHRONOLOGY_ROLES = (Role.ANALYST, Role.SAFEGUARDING_LEAD, Role.PRACTITIONER)

PURPOSE = OpenApiParameter(
    "purpose", str, description="Why you are exporting (kept in the audit trail).", required=False
)
FORMAT = OpenApiParameter(
    "fmt",
    str,
    OpenApiParameter.PATH,
    enum=list(FORMATS),
    description="; ".join(f"{f.name}: {f.label}" for f in FORMATS.values()),
)
DEPTH = OpenApiParameter(
    "depth", int, enum=[1, 2], description="Steps out from the entity (default 1).", required=False
)
ATTACHMENT = "The file, as an attachment (`Content-Disposition` names it)."
GRAPH_FILES = {
    (200, f.content_type): OpenApiResponse(OpenApiTypes.BINARY, description=ATTACHMENT)
    for f in FORMATS.values()
}


class FileNegotiation(BaseContentNegotiation):
    """Errors are JSON and files are what they are, whatever `Accept` asks for."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None


def _download(found: services.ExportFile | None) -> HttpResponse:
    if found is None:
        raise Http404
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _ExportApi(APIView):
    # Data leaving the system: the password and code must have been given in the last few
    # minutes (docs/security-accounts.md), after the role check.
    permission_classes = [RoleAllowed, RecentlyAuthenticated]
    content_negotiation_class = FileNegotiation


class AlertExportApi(_ExportApi):
    """An alert's network: its evidence records you may export, and who and what they mention."""

    read_roles = EXPORT_ROLES

    @extend_schema(
        operation_id="exports_alert", parameters=[FORMAT, PURPOSE], responses=GRAPH_FILES
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        if fmt not in FORMATS:
            raise Http404
        return _download(
            services.export_alert(
                acting_user=request.user, pk=pk, fmt=fmt, purpose=request_purpose(request)
            )
        )


class NetworkExportApi(_ExportApi):
    """An entity's network to depth 1 or 2, over the records you may export."""

    read_roles = EXPORT_ROLES

    @extend_schema(
        operation_id="exports_network",
        parameters=[FORMAT, DEPTH, PURPOSE],
        responses=GRAPH_FILES,
    )
    def get(self, request: Request, entity_id: str, fmt: str) -> HttpResponse:
        depth = request.query_params.get("depth", "1")
        if fmt not in FORMATS or depth not in ("1", "2"):
            raise Http404
        return _download(
            services.export_network(
                acting_user=request.user,
                entity_id=entity_id,
                fmt=fmt,
                depth=int(depth),
                purpose=request_purpose(request),
            )
        )


class ChronologyExportApi(_ExportApi):
    """A child's chronology as CSV: one row per record you may export, oldest first."""

    read_roles = CHRONOLOGY_ROLES

    @extend_schema(
        operation_id="exports_chronology",
        parameters=[PURPOSE],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description=ATTACHMENT)},
    )
    def get(self, request: Request, entity_id: str) -> HttpResponse:
        return _download(
            services.export_chronology(
                acting_user=request.user, entity_id=entity_id, purpose=request_purpose(request)
            )
        )
