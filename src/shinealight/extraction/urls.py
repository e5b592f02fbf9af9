"""This app's routes under /api/v1/."""

from django.urls import path

from shinealight.extraction.apis import (
    ExtractedListApi,
    ExtractedReviewApi,
    IntelligenceActedOnApi,
    IntelligenceMineApi,
    IntelligenceQueueApi,
    IntelligenceSubmitApi,
)

urlpatterns = [
    path("extracted-mentions", ExtractedListApi.as_view(), name="api-extracted-mentions"),
    path(
        "extracted-mentions/<int:pk>/review",
        ExtractedReviewApi.as_view(),
        name="api-extracted-mention-review",
    ),
    path("intelligence", IntelligenceSubmitApi.as_view(), name="api-intelligence-submit"),
    path("intelligence/mine", IntelligenceMineApi.as_view(), name="api-intelligence-mine"),
    path("intelligence/queue", IntelligenceQueueApi.as_view(), name="api-intelligence-queue"),
    path(
        "intelligence/<int:pk>/acted-on",
        IntelligenceActedOnApi.as_view(),
        name="api-intelligence-acted-on",
    ),
]
