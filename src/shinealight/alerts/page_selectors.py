"""Reads for the alert pages: the queue with each alert's case, and what a viewer may do.

Every read starts from an alert the user may see (`selectors.alert_list` / `alert_get`,
which start from `Alert.objects.visible_to`). The case beside it comes from the `cases`
app: its history and notes only through `cases.selectors.alert_case_get`, which answers for
the people involved in the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from shinealight.alerts import selectors
from shinealight.alerts.models import Alert, AlertEvidence
from shinealight.cases import selectors as case_selectors
from shinealight.cases.models import AlertCase, AlertCaseTransition, Deadline


def alert_queue(
    *,
    user: Any,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    area: str | None = None,
) -> QuerySet[Alert]:
    """The alerts the user may see, newest evidence first, each with its case in one query."""
    alerts = selectors.alert_list(user=user, rule=rule, severity=severity, area=area)
    alerts = alerts.select_related("case", "case__owner")
    if status:
        alerts = alerts.filter(case__status=status)
    return alerts


def alert_areas(*, user: Any) -> list[str]:
    """The areas of the alerts the user may see, for the queue's filter."""
    areas = (
        Alert.objects.visible_to(user)
        .exclude(area="")
        .order_by("area")
        .values_list("area", flat=True)
        .distinct()
    )
    return list(areas)


def alert_case_of(alert: Alert) -> AlertCase | None:
    """The case kept beside an alert (None until the cases app has opened it)."""
    try:
        return alert.case
    except AlertCase.DoesNotExist:
        return None


@dataclass
class CaseAccess:
    """What one viewer of an alert may see and do with its case."""

    case: AlertCase
    # Involved in the case (owner, an agency at its meetings or owning its actions) or a
    # partnership analyst: sees its history and timers and may act on it.
    involved: bool
    # Anyone who may see the alert may take on a new alert nobody owns yet: that is how a
    # named person comes to own it. Owning it then makes them involved.
    may_take_on: bool
    deadlines: list[Deadline] = field(default_factory=list)
    transitions: list[AlertCaseTransition] = field(default_factory=list)

    @property
    def may_acknowledge(self) -> bool:
        return self.case.status == AlertCase.Status.NEW and (self.involved or self.may_take_on)

    @property
    def may_assign(self) -> bool:
        return self.involved and self.case.status != AlertCase.Status.CLOSED

    @property
    def may_triage(self) -> bool:
        return self.involved and self.case.status == AlertCase.Status.ACKNOWLEDGED

    @property
    def may_close(self) -> bool:
        return self.involved and self.case.status == AlertCase.Status.TRIAGED


def alert_case_access(*, user: Any, alert: Alert) -> CaseAccess | None:
    """The case of an alert the user may already see, with what they may see and do of it."""
    found = alert_case_of(alert)
    if found is None:
        return None
    case = case_selectors.alert_case_get(user=user, pk=found.pk)
    if case is not None:
        detail = case_selectors.alert_case_detail(case=case)
        return CaseAccess(
            case=case,
            involved=True,
            may_take_on=False,
            deadlines=detail["deadlines"],
            transitions=detail["transitions"],
        )
    unowned_new = found.status == AlertCase.Status.NEW and found.owner_id is None
    # Someone not involved sees the state and the running timers, never the history's notes.
    running = list(
        found.deadlines.filter(
            action__isnull=True, met_at__isnull=True, cancelled_at__isnull=True
        ).order_by("due_at", "id")
    )
    return CaseAccess(case=found, involved=False, may_take_on=unowned_new, deadlines=running)


def queue_rows_shown(*, user: Any, alerts: list[Alert]) -> dict[int, dict[str, Any]]:
    """Each listed alert's title and children as the user may see them, for a whole page.

    The same narrowing as `Alert.shown_to` (`access.redaction`), asked once for the page
    rather than once per alert, so the queue's queries do not grow with its rows: a child
    outside the user's view is neither listed nor named in a title.
    """
    from shinealight.access.redaction import redact_people, visible_person_subject_ids

    subjects = {a.pk: list(a.subjects.all()) for a in alerts}
    seen = visible_person_subject_ids(user, [s for group in subjects.values() for s in group])
    out: dict[int, dict[str, Any]] = {}
    for alert in alerts:
        hidden = [s for s in subjects[alert.pk] if s.kind == "person" and s.entity_id not in seen]
        out[alert.pk] = {
            "title": redact_people(alert.title, hidden) if hidden else alert.title,
            "children": [s for s in subjects[alert.pk] if s.role == "child" and s not in hidden],
        }
    return out


def evidence_date(item: AlertEvidence) -> datetime:
    """When what a record describes happened, if known, else when it was recorded."""
    record = item.record
    return record.occurred_at or record.recorded_at


LAWFUL_MARK = " Not treated as suspects: "
EVIDENCE_MARK = " Evidence: "


def explanation_parts(shown: Any) -> dict[str, Any]:
    """The explanation's opening sentence and its notes on lawful contacts, apart.

    `shown` is the alert as the user may see it (`Alert.shown_to`). The explanation is one
    paragraph (`core.alerts.explain.compose`): the opening, every cited record, then who
    was not treated as a suspect and why. The page lists the cited records the viewer may
    open in a table instead of the middle part.
    """
    text = shown.explanation or ""
    opening = shown.opening or text.split(EVIDENCE_MARK, 1)[0]
    lawful: list[str] = []
    if LAWFUL_MARK in text:
        notes = text.split(LAWFUL_MARK, 1)[1].strip()
        notes = notes[:-1] if notes.endswith(".") else notes
        lawful = [n.strip() for n in notes.split("; ") if n.strip()]
    opening = opening.strip()
    if opening and not opening.endswith("."):
        opening += "."
    return {"opening": opening, "lawful": lawful}
