"""Top-level URL map: pages, sign-in and the API."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from shinealight.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sign-in", auth_views.LoginView.as_view(), name="login"),
    path("sign-out", auth_views.LogoutView.as_view(), name="logout"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("intelligence/", include("shinealight.extraction.pages")),
    path("", include("shinealight.records.pages")),
    path("", include("shinealight.alerts.pages")),
    path("", include("shinealight.people.pages")),
    path("administration/", include("shinealight.accounts.pages")),
    path("account/", include("shinealight.accounts.account_pages")),
    path("cases/", include("shinealight.cases.pages")),
    path("access/", include("shinealight.access.pages")),
    path("api/v1/", include("shinealight.api.urls")),
]
