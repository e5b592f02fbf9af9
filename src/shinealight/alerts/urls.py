"""This app's routes under /api/v1/."""

from django.urls import URLPattern, path

from shinealight.alerts.apis import AlertCountsApi, AlertDetailApi, AlertListApi

urlpatterns: list[URLPattern] = [
    path("alerts", AlertListApi.as_view(), name="api-alerts"),
    path("alerts/counts", AlertCountsApi.as_view(), name="api-alert-counts"),
    path("alerts/<int:pk>", AlertDetailApi.as_view(), name="api-alert"),
]
