"""The cases app's sections of the home inbox: my alerts, my actions, overdue, notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shinealight.audit.services import audit_log
from shinealight.cases import selectors
from shinealight.cases.models import AlertCase
from shinealight.web.inbox import inbox_section

LIMIT = 20


@inbox_section("my_alerts")
def my_alerts(user: Any) -> dict[str, Any]:
    """Open alert cases the user owns, and how many new ones nobody has taken on yet."""
    with transaction.atomic():
        cases = list(
            selectors.alert_case_list(user=user, mine=True)
            .exclude(status=AlertCase.Status.CLOSED)
            .order_by("-alert__last_data_time")[:LIMIT]
        )
        unowned = (
            selectors.alert_case_list(user=user, status=AlertCase.Status.NEW)
            .filter(owner__isnull=True)
            .count()
        )
        # Alert titles name children and adults: the read is on the record.
        audit_log(
            acting_user=user,
            action="alert_cases.list",
            object_type="alert_case",
            object_ids=[c.pk for c in cases],
            detail={"page": "home"},
        )
    return {"cases": cases, "unowned": unowned}


@inbox_section("my_actions")
def my_actions(user: Any) -> dict[str, Any]:
    """Open actions the user owns, soonest due first."""
    with transaction.atomic():
        actions = list(
            selectors.action_list(user=user, mine=True, status="open").order_by("due_at")[:LIMIT]
        )
        audit_log(
            acting_user=user,
            action="actions.list",
            object_type="action",
            object_ids=[a.pk for a in actions],
            detail={"page": "home"},
        )
    return {"actions": actions}


@inbox_section("overdue")
def overdue(user: Any) -> dict[str, Any]:
    """How much of the user's own work is past due, and escalations waiting for them."""
    return {
        "overdue_actions": selectors.action_list(user=user, mine=True, overdue=True).count(),
        "open_escalations": selectors.escalation_list(user=user, open_only=True).count(),
    }


@inbox_section("notifications")
def notifications(user: Any) -> dict[str, Any]:
    """Unread notifications (they carry kinds, ids and times, never a child's details)."""
    unread = selectors.notification_list(user=user, unread_only=True)
    return {"notifications": list(unread.order_by("-created_at")[:LIMIT]), "unread": unread.count()}
