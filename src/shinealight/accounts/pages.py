"""This app's pages (not the API), included by the site's URL map under /administration/."""

from django.urls import path

from shinealight.accounts import views

urlpatterns = [
    path("users", views.users_list, name="admin-users"),
    path("users/new", views.user_new, name="admin-user-new"),
]
