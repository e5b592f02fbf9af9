from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "shinealight.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # Registers the after-import hook that analyses the neighbourhood of new records.
        from shinealight.alerts import services  # noqa: F401
