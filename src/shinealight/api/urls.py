"""The /api/v1/ URL map."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shinealight.accounts.apis import MeApi, TokenApi, UserCollectionApi
from shinealight.accounts.roles import Role
from shinealight.api.permissions import RoleAllowed
from shinealight.audit.apis import AuditEventListApi
from shinealight.records.apis import (
    AgencyCollectionApi,
    PersonMentionSearchApi,
    RecordCollectionApi,
    RecordDetailApi,
    RecordVersionsApi,
    StatisticsApi,
)


class SchemaApi(SpectacularAPIView):
    # drf-spectacular serves its views to anyone unless told otherwise.
    permission_classes = [RoleAllowed]
    read_roles = tuple(Role)
    # JSON first, so that errors here have the same body as everywhere else.
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


class DocsApi(SpectacularSwaggerSplitView):
    permission_classes = [RoleAllowed]
    read_roles = tuple(Role)


urlpatterns = [
    path("auth/token", TokenApi.as_view(), name="api-token"),
    path("me", MeApi.as_view(), name="api-me"),
    path("users", UserCollectionApi.as_view(), name="api-users"),
    path("agencies", AgencyCollectionApi.as_view(), name="api-agencies"),
    path("records", RecordCollectionApi.as_view(), name="api-records"),
    path("records/<str:agency>/<str:record_id>", RecordDetailApi.as_view(), name="api-record"),
    path(
        "records/<str:agency>/<str:record_id>/versions",
        RecordVersionsApi.as_view(),
        name="api-record-versions",
    ),
    path("mentions/persons", PersonMentionSearchApi.as_view(), name="api-person-mentions"),
    path("statistics", StatisticsApi.as_view(), name="api-statistics"),
    path("audit/events", AuditEventListApi.as_view(), name="api-audit-events"),
    path("", include("shinealight.people.urls")),
    path("", include("shinealight.extraction.urls")),
    path("", include("shinealight.alerts.urls")),
    path("", include("shinealight.cases.urls")),
    path("", include("shinealight.access.urls")),
    path("", include("shinealight.retention.urls")),
    path("", include("shinealight.exports.urls")),
    path("schema/", SchemaApi.as_view(), name="api-schema"),
    # A page for people in browsers: signing in is a redirect, not a JSON error.
    path("docs/", login_required(DocsApi.as_view(url_name="api-schema")), name="api-docs"),
]
