"""This app's routes under /api/v1/."""

from django.urls import URLPattern, path

from shinealight.retention import apis

urlpatterns: list[URLPattern] = [
    path("legal-holds", apis.LegalHoldCollectionApi.as_view(), name="api-legal-holds"),
    path("legal-holds/<int:pk>", apis.LegalHoldDetailApi.as_view(), name="api-legal-hold"),
    path(
        "legal-holds/<int:pk>/release",
        apis.LegalHoldReleaseApi.as_view(),
        name="api-legal-hold-release",
    ),
    path("subject-access", apis.SubjectAccessApi.as_view(), name="api-subject-access"),
]
