"""Accountable multi-agency work: risk judgements, alert lifecycle, meetings, actions."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shinealight.cases"
    label = "cases"
    verbose_name = "Cases and workflow"

    def ready(self) -> None:
        # Every alert raised opens a case, and new evidence flags or reopens it, inside the
        # alert engine's transaction: an alert can never exist without someone's work on it.
        from shinealight.alerts.services import ALERT_CHANGED, on_alert_changed
        from shinealight.cases.services import alert_changed

        if alert_changed not in ALERT_CHANGED:
            on_alert_changed(alert_changed)
        # Fills the home inbox's sections for alerts, actions, overdue work, notifications.
        import shinealight.cases.inbox  # noqa: F401
