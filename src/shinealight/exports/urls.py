"""This app's routes under /api/v1/."""

from django.urls import URLPattern, path

from shinealight.exports.apis import AlertExportApi, ChronologyExportApi, NetworkExportApi

urlpatterns: list[URLPattern] = [
    path("exports/alerts/<int:pk>.<str:fmt>", AlertExportApi.as_view(), name="api-export-alert"),
    path(
        "exports/people/<str:entity_id>/network.<str:fmt>",
        NetworkExportApi.as_view(),
        name="api-export-network",
    ),
    path(
        "exports/people/<str:entity_id>/chronology.csv",
        ChronologyExportApi.as_view(),
        name="api-export-chronology",
    ),
]
