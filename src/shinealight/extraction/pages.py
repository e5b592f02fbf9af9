"""This app's pages (not the API), included by the site's URL map under /intelligence/."""

from django.urls import path

from shinealight.extraction import views

urlpatterns = [
    path("new", views.intelligence_new, name="intelligence-new"),
    path("sent", views.intelligence_sent, name="intelligence-sent"),
]
