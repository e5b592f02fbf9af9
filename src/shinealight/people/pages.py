"""This app's pages (not the API), included by the site's URL map at the root."""

from django.urls import path

from shinealight.people import views

urlpatterns = [
    path("search", views.people_search, name="people-search"),
    path("people/<str:entity_id>", views.entity_profile, name="people-profile"),
    path(
        "people/<str:entity_id>/chronology.pdf", views.chronology_pdf, name="people-chronology-pdf"
    ),
    path("review", views.review_list, name="people-review"),
    path("review/<int:pk>", views.review_item, name="people-review-item"),
    path("review/decisions/<int:decision_id>/undo", views.review_undo, name="people-review-undo"),
]
