"""This app's routes under /api/v1/."""

from django.urls import URLPattern, path

from shinealight.access import apis

urlpatterns: list[URLPattern] = [
    path("break-glass", apis.BreakGlassCollectionApi.as_view(), name="api-break-glass"),
    path(
        "break-glass/<int:pk>/close",
        apis.BreakGlassCloseApi.as_view(),
        name="api-break-glass-close",
    ),
    path("sealed-records", apis.SealedRecordListApi.as_view(), name="api-sealed-records"),
    path(
        "sealed-records/<int:pk>/release-requests",
        apis.ReleaseRequestOpenApi.as_view(),
        name="api-release-request-open",
    ),
    path("release-requests", apis.ReleaseRequestListApi.as_view(), name="api-release-requests"),
    path(
        "release-requests/<int:pk>/decision",
        apis.ReleaseRequestDecideApi.as_view(),
        name="api-release-request-decide",
    ),
    path("access-policy", apis.AccessPolicyApi.as_view(), name="api-access-policy"),
    path(
        "children/<str:entity_id>/accessed",
        apis.WhoAccessedApi.as_view(),
        name="api-child-accessed",
    ),
]
