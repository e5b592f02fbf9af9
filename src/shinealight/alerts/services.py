"""Raising and growing alerts. Every write is audited in its own transaction."""

from __future__ import annotations

from collections.abc import Callable

from shinealight.alerts.models import Alert

# Called inside the transaction whenever an alert is raised (created=True) or grows with
# new evidence (created=False). The cases app registers here to open or reopen its work.
ALERT_CHANGED: list[Callable[[Alert, bool], None]] = []


def on_alert_changed(hook: Callable[[Alert, bool], None]) -> Callable[[Alert, bool], None]:
    """Register a function called with (alert, created) when an alert is raised or grows."""
    ALERT_CHANGED.append(hook)
    return hook
