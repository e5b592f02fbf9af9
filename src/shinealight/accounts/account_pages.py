"""Each person's own account pages, included by the site's URL map under /account/:
the second step of signing in, setting up an authenticator app, recovery codes and
confirming it is still you before an export."""

from django.urls import path

from shinealight.accounts import views

urlpatterns = [
    path("two-factor", views.two_factor_authenticate, name="two-factor"),
    path("two-factor/set-up", views.two_factor_set_up, name="two-factor-enrol"),
    path("recovery-codes", views.recovery_codes, name="recovery-codes"),
    path("reauthenticate", views.reauthenticate, name="reauthenticate"),
]
