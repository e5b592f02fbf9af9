"""Small helpers for the cases tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """A London wall-clock time, e.g. at("2025-04-17 16:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def audit_actions(object_type: str | None = None) -> list[str]:
    """The audit trail's actions, oldest first."""
    from shinealight.audit.models import AuditEvent

    events = AuditEvent.objects.order_by("seq")
    if object_type:
        events = events.filter(object_type=object_type)
    return list(events.values_list("action", flat=True))
