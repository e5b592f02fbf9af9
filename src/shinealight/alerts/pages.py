"""This app's pages (not the API), included by the site's URL map at the root."""

from django.urls import path

from shinealight.alerts import views

urlpatterns = [
    path("alerts", views.alert_queue, name="alerts-list"),
    path("alerts/<int:pk>", views.alert_detail, name="alerts-detail"),
    path("alerts/<int:pk>/acknowledge", views.alert_acknowledge, name="alerts-acknowledge"),
    path("alerts/<int:pk>/assign", views.alert_assign, name="alerts-assign"),
    path("alerts/<int:pk>/triage", views.alert_triage, name="alerts-triage"),
    path("alerts/<int:pk>/close", views.alert_close, name="alerts-close"),
    path("alerts/<int:pk>/network", views.alert_network, name="alerts-network"),
    path("alerts/<int:pk>/network.json", views.alert_network_data, name="alerts-network-data"),
    # Entity ids of people linkage has not placed yet hold a mention id, slashes and all.
    path(
        "network/person/<path:entity_id>.json",
        views.person_network_data,
        name="person-network-data",
    ),
    path("network/person/<path:entity_id>", views.person_network, name="person-network"),
]
