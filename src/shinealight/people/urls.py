"""This app's routes under /api/v1/."""

from django.urls import path

from shinealight.people.apis import (
    EntityCollectionApi,
    EntityDetailApi,
    LinkageModelApi,
    ReviewDecisionApi,
    ReviewQueueApi,
    ReviewRevokeApi,
)

urlpatterns = [
    path("entities", EntityCollectionApi.as_view(), name="api-entities"),
    path("entities/<str:entity_id>", EntityDetailApi.as_view(), name="api-entity"),
    path("review/items", ReviewQueueApi.as_view(), name="api-review-items"),
    path(
        "review/items/<int:item_id>/decision",
        ReviewDecisionApi.as_view(),
        name="api-review-decision",
    ),
    path(
        "review/decisions/<int:decision_id>/revoke",
        ReviewRevokeApi.as_view(),
        name="api-review-revoke",
    ),
    path("linkage/model", LinkageModelApi.as_view(), name="api-linkage-model"),
]
