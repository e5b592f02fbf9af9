"""Reading alerts: every query starts from `Alert.objects.visible_to(user)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncMonth

from shinealight.accounts.roles import Role
from shinealight.alerts.models import Alert, AlertEvidence
from shinealight.records.models import Record


def alert_list(
    *,
    user: Any,
    rule: str | None = None,
    severity: str | None = None,
    area: str | None = None,
    entity_id: str | None = None,
    data_from: datetime | None = None,
) -> QuerySet[Alert]:
    """Alerts the user may see, newest evidence first, filtered as asked."""
    if entity_id:
        alerts = _naming_visible_to(user, entity_id)
    else:
        alerts = Alert.objects.visible_to(user)
    alerts = alerts.prefetch_related("subjects")
    if rule:
        alerts = alerts.filter(rule=rule)
    if severity:
        alerts = alerts.filter(severity=severity)
    if area:
        alerts = alerts.filter(area=area)
    if data_from:
        alerts = alerts.filter(last_data_time__gte=data_from)
    return alerts.order_by("-last_data_time", "-id")


def _naming_visible_to(user: Any, entity_id: str) -> QuerySet[Alert]:
    """`Alert.objects.visible_to(user)` for the alerts naming one entity.

    The same rule (an alert citing a record the user may see), asked of those alerts'
    evidence only instead of every record in the partnership.
    """
    if user is None or not getattr(user, "is_active", False):
        return Alert.objects.none()
    naming = Alert.objects.filter(subjects__entity_id=entity_id).values("pk")
    cited = AlertEvidence.objects.filter(alert_id__in=naming)
    seen = Record.objects.visible_to(user).filter(pk__in=cited.values("record_id"))
    return Alert.objects.filter(
        pk__in=cited.filter(record_id__in=seen.values("pk")).values("alert_id")
    )


def alert_get(*, user: Any, pk: int) -> Alert | None:
    """One alert with its subjects and evidence; None when absent or not the user's to see."""
    evidence = AlertEvidence.objects.select_related("record", "record__agency").order_by(
        "record__recorded_at", "record_id"
    )
    return (
        Alert.objects.visible_to(user)
        .prefetch_related("subjects", Prefetch("evidence", queryset=evidence))
        .filter(pk=pk)
        .first()
    )


def alert_visible_record_ids(*, user: Any, alert: Alert) -> set[int]:
    """Which of the alert's evidence records the user may open themselves."""
    ids = [e.record_id for e in alert.evidence.all()]
    return set(Record.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def alert_counts(*, user: Any) -> dict[str, Any]:
    """Alert counts by rule, severity and month: aggregates for oversight, no case content."""
    if not getattr(user, "is_active", False) or user.role not in (
        Role.MANAGER,
        Role.ANALYST,
        Role.SAFEGUARDING_LEAD,
    ):
        return {"total": 0, "by_rule": {}, "by_severity": {}, "by_month": {}}
    alerts = Alert.objects.all()
    by_month = (
        alerts.annotate(month=TruncMonth("first_data_time"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return {
        "total": alerts.count(),
        "by_rule": dict(alerts.values_list("rule").annotate(n=Count("id")).order_by("rule")),
        "by_severity": dict(
            alerts.values_list("severity").annotate(n=Count("id")).order_by("severity")
        ),
        "by_month": {row["month"].strftime("%Y-%m"): row["n"] for row in by_month},
    }
