"""This app's pages (not the API), included by the site's URL map at the root."""

from django.urls import path

from shinealight.records import views

urlpatterns = [
    path("records/", views.records_list, name="records-list"),
    path("records/import", views.records_import, name="records-import"),
    # An import's job page and what its script polls; a job's key is a UUID, so the older
    # result pages by batch number keep their addresses.
    path("records/import/<uuid:job_id>", views.import_job, name="records-import-job"),
    path(
        "records/import/<uuid:job_id>/status",
        views.import_job_status,
        name="records-import-job-status",
    ),
    path(
        "records/import/<uuid:job_id>/problems.csv",
        views.import_job_errors_csv,
        name="records-import-job-errors",
    ),
    path(
        "records/import/<int:batch_id>", views.records_import_result, name="records-import-result"
    ),
    path("records/<str:agency>/<str:record_id>", views.record_detail, name="records-detail"),
    path("administration/agencies", views.agencies_list, name="admin-agencies"),
    path("administration/agencies/new", views.agency_new, name="admin-agency-new"),
]
