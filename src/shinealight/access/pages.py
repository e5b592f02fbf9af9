"""This app's pages (not the API), included by the site's URL map under /access/."""

from django.urls import path

from shinealight.access import views

urlpatterns = [
    path("break-glass", views.break_glass, name="access-break-glass"),
    path("break-glass/<int:pk>/end", views.break_glass_end, name="access-break-glass-end"),
    path("break-glass/log", views.break_glass_log, name="access-break-glass-log"),
    path("children/<str:entity_id>/accessed", views.who_accessed, name="access-who-accessed"),
]
