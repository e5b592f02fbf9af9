"""This app's pages (not the API): meetings, actions and the oversight dashboard.

Included by the site's URL map under `cases/` with the namespace "cases".
"""

from django.urls import path

from shinealight.cases import views

app_name = "cases"

urlpatterns = [
    path("meetings", views.meetings_list, name="meetings"),
    path("meetings/new", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/actions", views.meeting_action_new, name="meeting_action_new"),
    path("actions", views.actions_list, name="actions"),
    path("actions/<int:pk>", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/complete", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/cancel", views.action_cancel, name="action_cancel"),
    path("oversight", views.oversight, name="oversight"),
]
