from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "shinealight.alerts"
    label = "alerts"
    verbose_name = "Alerts"
