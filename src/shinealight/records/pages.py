"""This app's pages (not the API), included by the site's URL map at the root."""

from django.urls import path

from shinealight.records import views

urlpatterns = [
    path("records/", views.records_list, name="records-list"),
    path("records/import", views.records_import, name="records-import"),
    path(
        "records/import/<int:batch_id>", views.records_import_result, name="records-import-result"
    ),
    path("records/<str:agency>/<str:record_id>", views.record_detail, name="records-detail"),
    path("administration/agencies", views.agencies_list, name="admin-agencies"),
    path("administration/agencies/new", views.agency_new, name="admin-agency-new"),
]
