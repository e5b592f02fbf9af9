"""Every read in the cases app, each starting from the model's `visible_to(user)`."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from shinealight.cases.config import workflow
from shinealight.cases.models import (
    Action,
    AlertCase,
    AlertCaseTransition,
    Deadline,
    Disclosure,
    Disruption,
    Escalation,
    Meeting,
    Notification,
    RiskJudgement,
    RiskJudgementEvidence,
)
from shinealight.records.models import PersonMention, Record

# ---------------------------------------------------------------- alert cases


def alert_case_list(
    *, user: Any, status: str | None = None, mine: bool = False, needs_attention: bool | None = None
) -> QuerySet[AlertCase]:
    cases = AlertCase.objects.visible_to(user).select_related("alert", "owner")
    if status:
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(owner=user)
    if needs_attention is not None:
        cases = cases.filter(needs_attention=needs_attention)
    return cases


def alert_case_get(*, user: Any, pk: int) -> AlertCase | None:
    return AlertCase.objects.visible_to(user).select_related("alert", "owner").filter(pk=pk).first()


def alert_case_detail(*, case: AlertCase) -> dict[str, Any]:
    """A case's history and timers, for someone already allowed to see it."""
    return {
        "transitions": list(case.transitions.select_related("by").order_by("at", "id")),
        "deadlines": list(case.deadlines.filter(action__isnull=True).order_by("due_at", "id")),
        "subjects": list(case.alert.subjects.all()),
    }


# ---------------------------------------------------------------- risk judgements


def risk_history(*, user: Any, child_entity_id: str) -> list[RiskJudgement]:
    """Every judgement about the child the user may see, oldest first."""
    return list(
        RiskJudgement.objects.visible_to(user)
        .filter(child_entity_id=child_entity_id)
        .select_related("recorded_by", "agreed_by")
        .prefetch_related("evidence__record__agency")
        .order_by("recorded_at", "id")
    )


def risk_indicator_context(*, judgements: list[RiskJudgement]) -> dict[str, int]:
    """How often each indicator has been recorded for the child: context, never a level."""
    counts: Counter[str] = Counter()
    for judgement in judgements:
        counts.update(judgement.indicators)
    return dict(counts.most_common())


def risk_judgement_get(*, user: Any, pk: int) -> RiskJudgement | None:
    return RiskJudgement.objects.visible_to(user).filter(pk=pk).first()


def downgrades_awaiting(*, user: Any) -> QuerySet[RiskJudgement]:
    """Downgrades the user may agree: proposed by someone else, visible to them."""
    if user.role not in workflow().downgrade_agreement_roles:
        return RiskJudgement.objects.none()
    return (
        RiskJudgement.objects.visible_to(user)
        .filter(status=RiskJudgement.Status.AWAITING_AGREEMENT)
        .exclude(recorded_by=user)
        .select_related("recorded_by")
        .order_by("recorded_at")
    )


# ---------------------------------------------------------------- meetings and actions


def meeting_list(*, user: Any, kind: str | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.visible_to(user)
    if kind:
        meetings = meetings.filter(kind=kind)
    return meetings.prefetch_related("attendees__agency", "subjects")


def meeting_get(*, user: Any, pk: int) -> Meeting | None:
    return (
        Meeting.objects.visible_to(user)
        .prefetch_related("attendees__agency", "subjects", "actions", "deadlines")
        .filter(pk=pk)
        .first()
    )


def action_list(
    *, user: Any, mine: bool = False, status: str | None = None, overdue: bool = False
) -> QuerySet[Action]:
    actions = Action.objects.visible_to(user).select_related("owner", "owner_agency")
    if mine:
        actions = actions.filter(owner=user)
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.filter(status=Action.Status.OPEN, due_at__lt=timezone.now())
    return actions


def action_get(*, user: Any, pk: int) -> Action | None:
    return Action.objects.visible_to(user).filter(pk=pk).first()


# ---------------------------------------------------------------- escalations and disruption


def escalation_list(*, user: Any, open_only: bool = False) -> QuerySet[Escalation]:
    escalations = Escalation.objects.visible_to(user).select_related(
        "deadline__owner__agency", "to_user", "seen_by"
    )
    if open_only:
        escalations = escalations.filter(resolved_at__isnull=True)
    return escalations


def escalation_get(*, user: Any, pk: int) -> Escalation | None:
    return Escalation.objects.visible_to(user).filter(pk=pk).first()


def disruption_list(
    *,
    user: Any,
    target_entity_id: str | None = None,
    tactic: str | None = None,
    status: str | None = None,
) -> QuerySet[Disruption]:
    disruptions = Disruption.objects.visible_to(user).select_related("owner", "lead_agency")
    if target_entity_id:
        disruptions = disruptions.filter(target_entity_id=target_entity_id)
    if tactic:
        disruptions = disruptions.filter(tactic=tactic)
    if status:
        disruptions = disruptions.filter(status=status)
    return disruptions


def disruption_get(*, user: Any, pk: int) -> Disruption | None:
    return Disruption.objects.visible_to(user).prefetch_related("updates").filter(pk=pk).first()


# ---------------------------------------------------------------- disclosure log


def disclosure_list(
    *,
    user: Any,
    lawful_basis: str | None = None,
    agency: str | None = None,
    alert_case: int | None = None,
) -> QuerySet[Disclosure]:
    disclosures = Disclosure.objects.visible_to(user).select_related(
        "disclosing_agency", "recipient_agency", "recipient_user", "decided_by", "recorded_by"
    )
    if lawful_basis:
        disclosures = disclosures.filter(lawful_basis=lawful_basis)
    if agency:
        disclosures = disclosures.filter(
            Q(disclosing_agency__code=agency) | Q(recipient_agency__code=agency)
        )
    if alert_case is not None:
        disclosures = disclosures.filter(alert_case_id=alert_case)
    return disclosures


def disclosure_get(*, user: Any, pk: int) -> Disclosure | None:
    return (
        disclosure_list(user=user).prefetch_related("records__record__agency").filter(pk=pk).first()
    )


def disclosure_counts(*, start: datetime, end: datetime) -> dict[str, Any]:
    """Disclosures made in [start, end), counted: for oversight, with no content."""
    made = Disclosure.objects.filter(shared_at__gte=start, shared_at__lt=end)

    def by(field: str) -> dict[str, int]:
        rows = made.values(field).annotate(n=Count("id")).order_by(field)
        return {(row[field] or "none"): row["n"] for row in rows}

    return {
        "start": start,
        "end": end,
        "total": made.count(),
        "by_lawful_basis": by("lawful_basis"),
        "by_disclosing_agency": by("disclosing_agency__code"),
        "by_recipient_agency": by("recipient_agency__code"),
    }


# ---------------------------------------------------------------- notifications


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.visible_to(user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def notification_get(*, user: Any, pk: int) -> Notification | None:
    return Notification.objects.visible_to(user).filter(pk=pk).first()


# ---------------------------------------------------------------- oversight figures


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def summarise(values: list[float]) -> dict[str, Any]:
    """Count, median and 90th percentile (nearest rank: a value someone actually waited)."""
    if not values:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"count": len(ordered), "median": statistics.median(ordered), "p90": p90}


def _month_ends(start: datetime, end: datetime) -> list[datetime]:
    """The first instant of each month after `start` up to `end`, and `end` itself."""
    tz = timezone.get_current_timezone()
    local = start.astimezone(tz)
    points = []
    year, month = local.year, local.month
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        point = datetime(year, month, 1, tzinfo=tz)
        if point >= end:
            break
        points.append(point)
    points.append(end)
    return points


def _repeat_missing(start: datetime, end: datetime, threshold: int) -> dict[str, Any]:
    episodes = Record.objects.filter(
        event_type="missing_episode", recorded_at__gte=start, recorded_at__lt=end
    )
    figures: dict[str, Any] = {"threshold": threshold, "episodes": episodes.count()}
    try:
        membership = apps.get_model("people", "EntityMembership")
    except LookupError:  # the people app is not installed: no resolved children to count
        figures.update(children_missing=None, repeat_missing_children=None)
        return figures
    per_child = (
        membership.objects.filter(kind="person", record__in=episodes.values("pk"))
        .filter(
            mention_id__in=PersonMention.objects.filter(
                record__in=episodes.values("pk"), role="subject"
            ).values("mention_id")
        )
        .values("entity_id")
        .annotate(n=Count("record", distinct=True))
    )
    counts = [row["n"] for row in per_child]
    figures.update(
        children_missing=len(counts),
        repeat_missing_children=sum(1 for n in counts if n >= threshold),
    )
    return figures


def oversight_figures(*, start: datetime, end: datetime) -> dict[str, Any]:
    """The partnership's accountability figures for [start, end): aggregates only.

    Alerts are counted as a cohort (raised in the period, followed to now), so that
    "acknowledged" and "actioned" are shares of the same alerts.
    """
    now = timezone.now()
    config = workflow()
    cases = AlertCase.objects.filter(opened_at__gte=start, opened_at__lt=end)
    first_ack = dict(
        AlertCaseTransition.objects.filter(case__in=cases, to_status=AlertCase.Status.ACKNOWLEDGED)
        .exclude(from_status=AlertCase.Status.ACKNOWLEDGED)
        .values("case")
        .annotate(at=Min("at"))
        .values_list("case", "at")
    )
    first_strategy = dict(
        Meeting.objects.filter(alert_case__in=cases, kind=Meeting.Kind.STRATEGY_DISCUSSION)
        .values("alert_case")
        .annotate(at=Min("held_at"))
        .values_list("alert_case", "at")
    )
    decisions = dict(
        AlertCaseTransition.objects.filter(case__in=cases, to_status=AlertCase.Status.TRIAGED)
        .exclude(detail__decision=AlertCase.Decision.NO_FURTHER_ACTION)
        .values("case")
        .annotate(n=Count("id"))
        .values_list("case", "n")
    )
    opened = dict(cases.values_list("pk", "opened_at"))
    to_ack = [_hours(at - opened[pk]) for pk, at in first_ack.items()]
    to_strategy = [_hours(at - opened[pk]) for pk, at in first_strategy.items()]

    overdue_actions = (
        Action.objects.filter(status=Action.Status.OPEN, due_at__lt=now)
        .values("owner_agency__code")
        .annotate(n=Count("id"))
        .order_by("owner_agency__code")
    )
    escalations = Escalation.objects.all()
    raised_in_period = escalations.filter(raised_at__gte=start, raised_at__lt=end)
    overdue_now = (
        Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now)
        .values("kind")
        .annotate(n=Count("id"))
    )

    # Children by risk level: the level in force for each child at each month's turn.
    in_force = list(
        RiskJudgement.objects.filter(status=RiskJudgement.Status.IN_FORCE, effective_at__lt=end)
        .order_by("effective_at", "id")
        .values_list("child_entity_id", "level", "effective_at")
    )
    by_level_over_time = []
    for point in _month_ends(start, end):
        latest: dict[str, str] = {}
        for child, level, effective_at in in_force:
            if effective_at < point:
                latest[child] = level
        counts = Counter(latest.values())
        by_level_over_time.append(
            {"at": point, "levels": {code: counts.get(code, 0) for code in config.level_codes}}
        )

    disruptions = Disruption.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    by_tactic: dict[str, dict[str, int]] = defaultdict(dict)
    for row in disruptions.values("tactic", "status").annotate(n=Count("id")):
        by_tactic[row["tactic"]][row["status"]] = row["n"]

    records = Record.objects.all()
    persons = PersonMention.objects.all()
    judgements = RiskJudgement.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    evidenced = set(
        RiskJudgementEvidence.objects.filter(judgement__in=judgements).values_list(
            "judgement_id", "indicator"
        )
    )
    indicator_pairs = [
        (pk, code) for pk, codes in judgements.values_list("pk", "indicators") for code in codes
    ]

    return {
        "period": {"start": start, "end": end, "as_of": now},
        "alerts": {
            "raised": cases.count(),
            "acknowledged": len(first_ack),
            "actioned": len(decisions),
            "closed": cases.filter(status=AlertCase.Status.CLOSED).count(),
            "reopened": cases.filter(times_reopened__gt=0).count(),
            "awaiting_acknowledgement": cases.filter(status=AlertCase.Status.NEW).count(),
        },
        "hours_to_acknowledge": summarise(to_ack),
        "hours_to_strategy_discussion": summarise(to_strategy),
        "overdue_actions_by_agency": {r["owner_agency__code"]: r["n"] for r in overdue_actions},
        "overdue_now_by_kind": {r["kind"]: r["n"] for r in overdue_now},
        "escalations": {
            "raised": raised_in_period.count(),
            "raised_by_level": {
                str(level): raised_in_period.filter(level=level).count()
                for level in Escalation.Level.values
            },
            "open_now": escalations.filter(resolved_at__isnull=True).count(),
            "open_not_acknowledged": escalations.filter(
                resolved_at__isnull=True, seen_at__isnull=True
            ).count(),
        },
        "children_by_risk_level": by_level_over_time,
        "repeat_missing": _repeat_missing(start, end, config.repeat_missing_threshold),
        "disruption": {
            "recorded": disruptions.count(),
            "by_tactic": dict(sorted(by_tactic.items())),
            "in_force_now": Disruption.objects.filter(status=Disruption.Status.IN_FORCE).count(),
        },
        "data_quality": {
            "records": records.count(),
            "records_without_grading": records.filter(
                grading_source="", grading_intelligence="", grading_handling=""
            ).count(),
            "person_mentions": persons.count(),
            "person_mentions_without_date_of_birth": persons.filter(
                Q(dob="") & Q(dob_year__isnull=True)
            ).count(),
            "judgement_indicators": len(indicator_pairs),
            "judgement_indicators_without_evidence": sum(
                1 for pair in indicator_pairs if pair not in evidenced
            ),
        },
    }


def default_period() -> tuple[datetime, datetime]:
    """The last twelve months to now, when no period is asked for."""
    end = timezone.now()
    return end - timedelta(days=365), end
