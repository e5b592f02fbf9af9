"""Every write in the cases app. Each runs in one transaction with its audit entry.

A refused operation raises `WorkflowRefused` with a reason a practitioner can act on;
the API turns it into the one error body.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shinealight.accounts.models import User
from shinealight.alerts.models import Alert
from shinealight.audit.services import audit_log
from shinealight.cases.config import workflow
from shinealight.cases.models import (
    Action,
    AlertCase,
    AlertCaseTransition,
    Deadline,
    DisclosedRecord,
    Disclosure,
    Disruption,
    DisruptionUpdate,
    Escalation,
    Meeting,
    MeetingAttendee,
    MeetingSubject,
    Notification,
    ReportingLine,
    RiskJudgement,
    RiskJudgementEvidence,
    Task,
)
from shinealight.cases.workdays import Timer
from shinealight.core.schema import vocabulary
from shinealight.records.models import Agency, Record


class WorkflowRefused(Exception):
    """The operation is not allowed now; the message says why and what to do instead."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own (the alert engine, the escalation run), for the trail."""

    username: str
    pk: None = None


ALERT_ENGINE = SystemActor("system:alerts")
ESCALATION_RUN = SystemActor("system:escalation")
DIGEST_RUN = SystemActor("system:digest")
TASK_WORKER = SystemActor("system:worker")


def _actor(acting_user: Any) -> tuple[User | None, str]:
    user = acting_user if isinstance(acting_user, User) else None
    return user, getattr(acting_user, "username", "") or "system"


def _required(text: str, name: str, why: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowRefused(why, field=name)
    return text


# ---------------------------------------------------------------- reporting lines


@transaction.atomic
def reporting_line_set(*, user: User, manager: User, acting_user: Any) -> ReportingLine:
    """Say who a user's manager is: the first person their overdue work escalates to."""
    if user.pk == manager.pk:
        raise WorkflowRefused("Someone cannot be their own manager.", field="manager")
    if not manager.is_active:
        raise WorkflowRefused("The manager's account is not active.", field="manager")
    previous = ReportingLine.objects.filter(user=user).values_list("manager__username", flat=True)
    before = next(iter(previous), None)
    line, _ = ReportingLine.objects.update_or_create(
        user=user,
        defaults={"manager": manager, "set_by": _actor(acting_user)[1], "set_at": timezone.now()},
    )
    audit_log(
        acting_user=acting_user,
        action="reporting_line.set",
        object_type="user",
        object_ids=[user.pk],
        detail={"user": user.username, "manager": manager.username, "previous_manager": before},
    )
    return line


# ---------------------------------------------------------------- deadlines


def _deadline_start(
    *,
    kind: str,
    start: datetime,
    timer: Timer | None = None,
    due_at: datetime | None = None,
    owner: User | None,
    alert_case: AlertCase | None = None,
    meeting: Meeting | None = None,
    action: Action | None = None,
) -> Deadline:
    calendar = workflow().calendar
    if due_at is None:
        assert timer is not None
        due_at = calendar.due(start, timer)
        rule = timer.describe()
    else:
        rule = "date set"
    return Deadline.objects.create(
        kind=kind,
        started_at=start,
        due_at=due_at,
        rule=rule,
        owner=owner,
        alert_case=alert_case,
        meeting=meeting,
        action=action,
    )


def _deadlines_close(
    deadlines: QuerySet[Deadline], *, acting_user: Any, met: bool, reason: str = ""
) -> list[int]:
    """Meet (or cancel, with a reason) open deadlines, and resolve their escalations."""
    now = timezone.now()
    name = _actor(acting_user)[1]
    closed = []
    for deadline in deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True):
        if met:
            deadline.met_at = now
        else:
            deadline.cancelled_at = now
            deadline.cancel_reason = reason
        deadline.closed_by_name = name
        deadline.save(update_fields=["met_at", "cancelled_at", "cancel_reason", "closed_by_name"])
        resolution = f"{'done' if met else 'cancelled'} by {name}" + (
            f": {reason}" if reason else ""
        )
        deadline.escalations.filter(resolved_at__isnull=True).update(
            resolved_at=now, resolution=resolution
        )
        closed.append(deadline.pk)
    return closed


# ---------------------------------------------------------------- alert lifecycle


def _transition(
    case: AlertCase,
    to_status: str,
    *,
    acting_user: Any,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> AlertCaseTransition:
    user, name = _actor(acting_user)
    row = AlertCaseTransition.objects.create(
        case=case,
        from_status=case.status,
        to_status=to_status,
        at=timezone.now(),
        by=user,
        by_name=name,
        note=note,
        detail=detail or {},
    )
    case.status = to_status
    return row


def _acknowledge_timer(alert: Alert) -> Timer:
    return workflow().acknowledge.get(alert.severity, workflow().acknowledge["high"])


@transaction.atomic
def alert_case_open(*, alert: Alert, acting_user: Any = ALERT_ENGINE) -> AlertCase:
    """Open the case for a newly raised alert, with its acknowledgement timer running."""
    existing = AlertCase.objects.select_for_update().filter(alert=alert).first()
    if existing is not None:
        return alert_case_evidence_added(alert=alert, acting_user=acting_user)
    now = timezone.now()
    case = AlertCase(alert=alert, status="", opened_at=now)
    case.save()
    _transition(case, AlertCase.Status.NEW, acting_user=acting_user, note="alert raised")
    case.save(update_fields=["status"])
    deadline = _deadline_start(
        kind=Deadline.Kind.ACKNOWLEDGE,
        start=now,
        timer=_acknowledge_timer(alert),
        owner=None,
        alert_case=case,
    )
    audit_log(
        acting_user=acting_user,
        action="alert_case.open",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"alert": alert.pk, "rule": alert.rule, "acknowledge_by": deadline.due_at},
    )
    return case


@transaction.atomic
def alert_case_evidence_added(*, alert: Alert, acting_user: Any = ALERT_ENGINE) -> AlertCase:
    """New evidence on an alert: flag an open case, reopen a closed one for attention."""
    case = AlertCase.objects.select_for_update().filter(alert=alert).first()
    if case is None:
        return alert_case_open(alert=alert, acting_user=acting_user)
    now = timezone.now()
    case.needs_attention = True
    reopened = case.status == AlertCase.Status.CLOSED
    if reopened:
        # Closed work is reopened, not silently updated: someone must look again, and the
        # last owner is the natural person to do it (their manager hears if they do not).
        _transition(
            case,
            AlertCase.Status.NEW,
            acting_user=acting_user,
            note="new evidence on a closed alert",
            detail={"previous_outcome": case.outcome, "previous_decision": case.decision},
        )
        case.times_reopened += 1
        case.acknowledged_at = case.triaged_at = case.closed_at = None
        case.decision = case.decision_reason = case.outcome = ""
        reopened_deadline = _deadline_start(
            kind=Deadline.Kind.ACKNOWLEDGE,
            start=now,
            timer=_acknowledge_timer(alert),
            owner=case.owner,
            alert_case=case,
        )
        if case.owner is not None:
            _notify(
                case.owner,
                Notification.Kind.CASE_REOPENED,
                f"Alert case {case.pk}, closed earlier, has new evidence and is open again; "
                f"acknowledge it by {_when(reopened_deadline.due_at)}.",
                f"/api/v1/alert-cases/{case.pk}",
            )
    else:
        _transition(case, case.status, acting_user=acting_user, note="new evidence")
    case.save()
    audit_log(
        acting_user=acting_user,
        action="alert_case.reopen" if reopened else "alert_case.evidence",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"alert": alert.pk},
    )
    return case


def _case_owner(user: Any) -> User:
    if not isinstance(user, User) or not user.is_active or not user.sees_case_content:
        raise WorkflowRefused(
            "The owner must be an active practitioner, safeguarding lead or analyst.",
            field="owner",
        )
    return user


def _expect_status(case: AlertCase, *allowed: str, doing: str) -> None:
    if case.status not in allowed:
        raise WorkflowRefused(
            f"Cannot {doing} a case that is {case.status}; it must be {' or '.join(allowed)}."
        )


@transaction.atomic
def alert_case_acknowledge(
    *, case: AlertCase, acting_user: User, owner: User | None = None, note: str = ""
) -> AlertCase:
    """A named person takes the alert on (for themselves, or naming its owner)."""
    case = AlertCase.objects.select_for_update().get(pk=case.pk)
    _expect_status(case, AlertCase.Status.NEW, doing="acknowledge")
    owner = _case_owner(owner or acting_user)
    now = timezone.now()
    _transition(
        case,
        AlertCase.Status.ACKNOWLEDGED,
        acting_user=acting_user,
        note=note,
        detail={"owner": owner.username},
    )
    case.owner = owner
    case.acknowledged_at = now
    case.needs_attention = False
    case.save()
    met = _deadlines_close(
        case.deadlines.filter(kind=Deadline.Kind.ACKNOWLEDGE), acting_user=acting_user, met=True
    )
    triage = _deadline_start(
        kind=Deadline.Kind.TRIAGE,
        start=now,
        timer=workflow().timers["triage"],
        owner=owner,
        alert_case=case,
    )
    if owner.pk != acting_user.pk:
        _notify(
            owner,
            Notification.Kind.CASE_ASSIGNED,
            f"Alert case {case.pk} is yours, acknowledged for you by {acting_user.username}; "
            f"decide on it by {_when(triage.due_at)}.",
            f"/api/v1/alert-cases/{case.pk}",
        )
    audit_log(
        acting_user=acting_user,
        action="alert_case.acknowledge",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"owner": owner.username, "deadlines_met": met, "decide_by": triage.due_at},
    )
    return case


@transaction.atomic
def alert_case_assign(*, case: AlertCase, owner: User, acting_user: User, reason: str) -> AlertCase:
    """Hand a case to another owner; its running timers follow them."""
    case = AlertCase.objects.select_for_update().get(pk=case.pk)
    if case.status == AlertCase.Status.CLOSED:
        raise WorkflowRefused("A closed case has no owner to change.")
    reason = _required(reason, "reason", "Say why the case changes hands.")
    owner = _case_owner(owner)
    before = case.owner.username if case.owner else None
    _transition(
        case,
        case.status,
        acting_user=acting_user,
        note=reason,
        detail={"owner_from": before, "owner_to": owner.username},
    )
    case.owner = owner
    case.save()
    case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).update(owner=owner)
    if owner.pk != acting_user.pk:
        _notify(
            owner,
            Notification.Kind.CASE_ASSIGNED,
            f"Alert case {case.pk} has been handed to you by {acting_user.username}.",
            f"/api/v1/alert-cases/{case.pk}",
        )
    audit_log(
        acting_user=acting_user,
        action="alert_case.assign",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"owner_from": before, "owner_to": owner.username, "reason": reason},
    )
    return case


@transaction.atomic
def alert_case_triage(
    *, case: AlertCase, decision: str, reason: str = "", acting_user: User
) -> AlertCase:
    """Record the triage decision; a strategy discussion or MACE starts its own timer."""
    case = AlertCase.objects.select_for_update().get(pk=case.pk)
    _expect_status(case, AlertCase.Status.ACKNOWLEDGED, doing="triage")
    if decision not in AlertCase.Decision.values:
        raise WorkflowRefused(f"Unknown decision {decision!r}.", field="decision")
    if decision == AlertCase.Decision.NO_FURTHER_ACTION:
        reason = _required(reason, "reason", "No further action needs a reason on the record.")
    now = timezone.now()
    _transition(
        case,
        AlertCase.Status.TRIAGED,
        acting_user=acting_user,
        note=reason,
        detail={"decision": decision},
    )
    case.decision = decision
    case.decision_reason = reason.strip()
    case.triaged_at = now
    case.needs_attention = False
    case.save()
    met = _deadlines_close(
        case.deadlines.filter(kind=Deadline.Kind.TRIAGE), acting_user=acting_user, met=True
    )
    started = None
    next_step = {
        AlertCase.Decision.STRATEGY_DISCUSSION: Deadline.Kind.STRATEGY_DISCUSSION,
        AlertCase.Decision.MACE: Deadline.Kind.MACE_PANEL,
    }.get(decision)
    if next_step:
        started = _deadline_start(
            kind=next_step,
            start=now,
            timer=workflow().timers[next_step],
            owner=case.owner,
            alert_case=case,
        ).due_at
    audit_log(
        acting_user=acting_user,
        action="alert_case.triage",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"decision": decision, "reason": reason, "deadlines_met": met, "next_due": started},
    )
    return case


@transaction.atomic
def alert_case_close(*, case: AlertCase, outcome: str, acting_user: User) -> AlertCase:
    """Close a triaged case with its outcome. Open actions must be finished or cancelled first."""
    case = AlertCase.objects.select_for_update().get(pk=case.pk)
    _expect_status(case, AlertCase.Status.TRIAGED, doing="close")
    outcome = _required(outcome, "outcome", "Say what the outcome was.")
    open_actions = case.actions.filter(status=Action.Status.OPEN).count()
    if open_actions:
        raise WorkflowRefused(
            f"{open_actions} action(s) on this case are still open: complete or cancel them "
            "(with a reason) before closing."
        )
    _transition(case, AlertCase.Status.CLOSED, acting_user=acting_user, note=outcome)
    case.outcome = outcome
    case.closed_at = timezone.now()
    case.needs_attention = False
    case.save()
    # Timers still running (a discussion never held) are cancelled on the record, by name.
    cancelled = _deadlines_close(
        case.deadlines.all(),
        acting_user=acting_user,
        met=False,
        reason=f"case closed: {outcome}",
    )
    audit_log(
        acting_user=acting_user,
        action="alert_case.close",
        object_type="alert_case",
        object_ids=[case.pk],
        detail={"outcome": outcome, "deadlines_cancelled": cancelled},
    )
    return case


# ---------------------------------------------------------------- risk judgements


@dataclass(frozen=True)
class IndicatorSeen:
    """An indicator a practitioner sees, with the records that show it."""

    code: str
    records: Sequence[Record] = field(default_factory=tuple)


def risk_level_in_force(child_entity_id: str) -> RiskJudgement | None:
    """The judgement whose level stands for this child now (None before any)."""
    return (
        RiskJudgement.objects.filter(
            child_entity_id=child_entity_id, status=RiskJudgement.Status.IN_FORCE
        )
        .order_by("-effective_at", "-id")
        .first()
    )


@transaction.atomic
def risk_judgement_record(
    *,
    child_entity_id: str,
    level: str,
    rationale: str,
    indicators: Iterable[IndicatorSeen] = (),
    acting_user: User,
    child_label: str = "",
    alert_case: AlertCase | None = None,
) -> RiskJudgement:
    """Record a professional risk level with its rationale; a downgrade waits for agreement."""
    config = workflow()
    if level not in config.level_codes:
        raise WorkflowRefused(
            f"Unknown risk level {level!r}; this partnership uses {', '.join(config.level_codes)}.",
            field="level",
        )
    rationale = _required(rationale, "rationale", "A risk judgement needs a rationale.")
    indicators = list(indicators)
    catalogue = vocabulary().indicators
    unknown = sorted({i.code for i in indicators} - set(catalogue))
    if unknown:
        raise WorkflowRefused(f"Unknown indicator(s): {', '.join(unknown)}.", field="indicators")
    # Lock the child's judgements so that two people recording at once queue, and each
    # compares against the level the other left in force.
    list(
        RiskJudgement.objects.select_for_update()
        .filter(child_entity_id=child_entity_id)
        .values_list("pk", flat=True)
    )
    current = risk_level_in_force(child_entity_id)
    previous = current.level if current else ""
    is_downgrade = bool(
        previous
        and previous in config.level_codes
        and config.level(level).rank < config.level(previous).rank
    )
    superseded = list(
        RiskJudgement.objects.filter(
            child_entity_id=child_entity_id, status=RiskJudgement.Status.AWAITING_AGREEMENT
        ).values_list("pk", flat=True)
    )
    RiskJudgement.objects.filter(pk__in=superseded).update(status=RiskJudgement.Status.SUPERSEDED)
    now = timezone.now()
    judgement = RiskJudgement.objects.create(
        child_entity_id=child_entity_id,
        child_label=child_label,
        level=level,
        previous_level=previous,
        is_downgrade=is_downgrade,
        rationale=rationale,
        indicators=list(dict.fromkeys(i.code for i in indicators)),
        status=(
            RiskJudgement.Status.AWAITING_AGREEMENT
            if is_downgrade
            else RiskJudgement.Status.IN_FORCE
        ),
        recorded_by=acting_user,
        recorded_at=now,
        effective_at=None if is_downgrade else now,
        alert_case=alert_case,
    )
    RiskJudgementEvidence.objects.bulk_create(
        [
            RiskJudgementEvidence(judgement=judgement, indicator=i.code, record=record)
            for i in indicators
            for record in dict.fromkeys(i.records)
        ]
    )
    audit_log(
        acting_user=acting_user,
        action="risk_judgement.propose_downgrade" if is_downgrade else "risk_judgement.record",
        object_type="risk_judgement",
        object_ids=[judgement.pk],
        detail={
            "child": child_entity_id,
            "level": level,
            "previous_level": previous,
            "indicators": judgement.indicators,
            "evidence_records": [r.pk for i in indicators for r in i.records],
            "superseded_proposals": superseded,
        },
    )
    return judgement


@transaction.atomic
def risk_judgement_agree(
    *, judgement: RiskJudgement, acting_user: User, note: str = ""
) -> RiskJudgement:
    """A second person agrees a proposed downgrade, which then takes effect."""
    judgement = RiskJudgement.objects.select_for_update().get(pk=judgement.pk)
    if judgement.status != RiskJudgement.Status.AWAITING_AGREEMENT:
        raise WorkflowRefused(f"This judgement is {judgement.status}, not awaiting agreement.")
    if judgement.recorded_by_id == acting_user.pk:
        raise WorkflowRefused(
            "A downgrade needs a second person's agreement: the person who proposed it "
            "cannot agree it."
        )
    roles = workflow().downgrade_agreement_roles
    if acting_user.role not in roles:
        raise WorkflowRefused(
            f"Only a {' or '.join(sorted(roles))} may agree a downgrade in this partnership."
        )
    current = risk_level_in_force(judgement.child_entity_id)
    if (current.level if current else "") != judgement.previous_level:
        raise WorkflowRefused(
            "The child's level has changed since this downgrade was proposed; propose it again."
        )
    now = timezone.now()
    judgement.status = RiskJudgement.Status.IN_FORCE
    judgement.effective_at = now
    judgement.agreed_by = acting_user
    judgement.agreed_at = now
    judgement.agreement_note = note.strip()
    judgement.save()
    audit_log(
        acting_user=acting_user,
        action="risk_judgement.agree_downgrade",
        object_type="risk_judgement",
        object_ids=[judgement.pk],
        detail={
            "child": judgement.child_entity_id,
            "level": judgement.level,
            "previous_level": judgement.previous_level,
            "proposed_by": judgement.recorded_by.username,
            "note": judgement.agreement_note,
        },
    )
    return judgement


@transaction.atomic
def risk_judgement_decline(
    *, judgement: RiskJudgement, acting_user: User, reason: str
) -> RiskJudgement:
    """A second person does not agree a downgrade (or its proposer withdraws it)."""
    judgement = RiskJudgement.objects.select_for_update().get(pk=judgement.pk)
    if judgement.status != RiskJudgement.Status.AWAITING_AGREEMENT:
        raise WorkflowRefused(f"This judgement is {judgement.status}, not awaiting agreement.")
    reason = _required(reason, "reason", "Say why the downgrade is not agreed.")
    if (
        judgement.recorded_by_id != acting_user.pk
        and acting_user.role not in workflow().downgrade_agreement_roles
    ):
        raise WorkflowRefused("Only the proposer or a person who may agree downgrades may do this.")
    judgement.status = RiskJudgement.Status.NOT_AGREED
    judgement.agreed_by = acting_user
    judgement.agreed_at = timezone.now()
    judgement.agreement_note = reason
    judgement.save()
    audit_log(
        acting_user=acting_user,
        action="risk_judgement.decline_downgrade",
        object_type="risk_judgement",
        object_ids=[judgement.pk],
        detail={"child": judgement.child_entity_id, "level": judgement.level, "reason": reason},
    )
    return judgement


# ---------------------------------------------------------------- meetings and actions


@dataclass(frozen=True)
class AttendeeIn:
    agency: Agency
    user: User | None = None
    name: str = ""


@dataclass(frozen=True)
class SubjectIn:
    kind: str
    entity_id: str
    role: str
    label: str = ""


@dataclass(frozen=True)
class ActionIn:
    description: str
    owner: User
    due_on: date | None = None


def _action_create(
    *,
    description: str,
    owner: User,
    due_on: date | None,
    acting_user: User,
    meeting: Meeting | None,
    alert_case: AlertCase | None,
) -> Action:
    description = _required(description, "description", "Say what the action is.")
    owner = _case_owner(owner)
    if owner.agency_id is None:
        raise WorkflowRefused("An action's owner must belong to an agency.", field="owner")
    now = timezone.now()
    config = workflow()
    due_at = (
        config.calendar.close_of(due_on)
        if due_on
        else config.calendar.due(now, config.timers["action"])
    )
    action = Action.objects.create(
        meeting=meeting,
        alert_case=alert_case,
        description=description,
        owner=owner,
        owner_agency_id=owner.agency_id,
        due_at=due_at,
        created_by=acting_user,
        created_at=now,
    )
    _deadline_start(
        kind=Deadline.Kind.ACTION,
        start=now,
        due_at=due_at if due_on else None,
        timer=None if due_on else config.timers["action"],
        owner=owner,
        action=action,
        alert_case=alert_case,
        meeting=meeting,
    )
    if owner.pk != acting_user.pk:
        _notify(
            owner,
            Notification.Kind.ACTION_ASSIGNED,
            f"Action {action.pk} is yours, given by {acting_user.username}; due {_when(due_at)}.",
            f"/cases/actions/{action.pk}",
        )
    return action


@transaction.atomic
def action_create(
    *,
    description: str,
    owner: User,
    acting_user: User,
    due_on: date | None = None,
    meeting: Meeting | None = None,
    alert_case: AlertCase | None = None,
) -> Action:
    """Give someone an action, due on a date or within the partnership's default time."""
    if meeting is None and alert_case is None:
        raise WorkflowRefused("An action belongs to a meeting or an alert case.")
    action = _action_create(
        description=description,
        owner=owner,
        due_on=due_on,
        acting_user=acting_user,
        meeting=meeting,
        alert_case=alert_case or (meeting.alert_case if meeting else None),
    )
    audit_log(
        acting_user=acting_user,
        action="action.create",
        object_type="action",
        object_ids=[action.pk],
        detail={
            "owner": owner.username,
            "due_at": action.due_at,
            "meeting": action.meeting_id,
            "alert_case": action.alert_case_id,
        },
    )
    return action


def _may_close_action(action: Action, user: User) -> bool:
    return (
        action.owner_id == user.pk
        or user.sees_whole_partnership
        or (user.agency_id == action.owner_agency_id and user.role == "safeguarding_lead")
    )


@transaction.atomic
def action_complete(*, action: Action, note: str, acting_user: User) -> Action:
    """Mark an action done with a note of what was done."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.OPEN:
        raise WorkflowRefused(f"This action is already {action.status}.")
    if not _may_close_action(action, acting_user):
        raise WorkflowRefused("Only the owner, their agency's lead or an analyst may do this.")
    note = _required(note, "note", "Say what was done.")
    action.status = Action.Status.DONE
    action.completed_at = timezone.now()
    action.completed_by = acting_user
    action.completion_note = note
    action.save()
    met = _deadlines_close(action.deadlines.all(), acting_user=acting_user, met=True)
    audit_log(
        acting_user=acting_user,
        action="action.complete",
        object_type="action",
        object_ids=[action.pk],
        detail={"note": note, "late": action.completed_at > action.due_at, "deadlines_met": met},
    )
    return action


@transaction.atomic
def action_cancel(*, action: Action, reason: str, acting_user: User) -> Action:
    """Cancel an action that is no longer needed, saying why."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.OPEN:
        raise WorkflowRefused(f"This action is already {action.status}.")
    if not _may_close_action(action, acting_user):
        raise WorkflowRefused("Only the owner, their agency's lead or an analyst may do this.")
    reason = _required(reason, "reason", "Say why the action is no longer needed.")
    action.status = Action.Status.CANCELLED
    action.completed_at = timezone.now()
    action.completed_by = acting_user
    action.completion_note = reason
    action.save()
    cancelled = _deadlines_close(
        action.deadlines.all(), acting_user=acting_user, met=False, reason=reason
    )
    audit_log(
        acting_user=acting_user,
        action="action.cancel",
        object_type="action",
        object_ids=[action.pk],
        detail={"reason": reason, "deadlines_cancelled": cancelled},
    )
    return action


# Working Together 2023: a strategy discussion involves at least these agency types.
STRATEGY_DISCUSSION_AGENCIES = ("social_care", "health", "police")


@transaction.atomic
def meeting_record(
    *,
    kind: str,
    held_at: datetime,
    acting_user: User,
    attendees: Sequence[AttendeeIn],
    subjects: Sequence[SubjectIn] = (),
    actions: Sequence[ActionIn] = (),
    title: str = "",
    agenda: str = "",
    decisions: str = "",
    chair: User | None = None,
    alert_case: AlertCase | None = None,
    follow_up_of: Meeting | None = None,
    conference_needed: bool = False,
) -> Meeting:
    """Record a meeting held: who came, who was discussed, what was decided, who does what.

    Holding it meets the timers waiting for it and starts those it sets off (a strategy
    discussion's follow-up and, when called for, the child protection conference).
    """
    if kind not in Meeting.Kind.values:
        raise WorkflowRefused(f"Unknown kind of meeting {kind!r}.", field="kind")
    if not attendees:
        raise WorkflowRefused("Record at least one agency at the meeting.", field="attendees")
    if kind in (Meeting.Kind.STRATEGY_FOLLOW_UP, Meeting.Kind.CHILD_PROTECTION_CONFERENCE) and (
        follow_up_of is None or follow_up_of.kind != Meeting.Kind.STRATEGY_DISCUSSION
    ):
        raise WorkflowRefused(
            "A follow-up or conference must name the strategy discussion it follows.",
            field="follow_up_of",
        )
    if held_at > timezone.now():
        raise WorkflowRefused("Record a meeting once it has been held.", field="held_at")
    if alert_case is None and follow_up_of is not None:
        alert_case = follow_up_of.alert_case
    meeting = Meeting.objects.create(
        kind=kind,
        held_at=held_at,
        title=title,
        agenda=agenda,
        alert_case=alert_case,
        follow_up_of=follow_up_of,
        chair=chair,
        decisions=decisions,
        conference_needed=conference_needed,
        recorded_by=acting_user,
        recorded_at=timezone.now(),
    )
    MeetingAttendee.objects.bulk_create(
        [
            MeetingAttendee(meeting=meeting, agency=a.agency, user=a.user, name=a.name)
            for a in attendees
        ]
    )
    roles = MeetingSubject.Role.values
    for s in subjects:
        if s.role not in roles:
            raise WorkflowRefused(f"Unknown subject role {s.role!r}.", field="subjects")
    MeetingSubject.objects.bulk_create(
        [
            MeetingSubject(
                meeting=meeting, kind=s.kind, entity_id=s.entity_id, role=s.role, label=s.label
            )
            for s in dict((s.kind + s.entity_id, s) for s in subjects).values()
        ]
    )
    met: list[int] = []
    waiting = {
        Meeting.Kind.STRATEGY_DISCUSSION: Deadline.Kind.STRATEGY_DISCUSSION,
        Meeting.Kind.MACE: Deadline.Kind.MACE_PANEL,
    }
    if alert_case is not None and kind in waiting:
        met += _deadlines_close(
            alert_case.deadlines.filter(kind=waiting[kind]), acting_user=acting_user, met=True
        )
    if follow_up_of is not None and kind in (
        Meeting.Kind.STRATEGY_FOLLOW_UP,
        Meeting.Kind.CHILD_PROTECTION_CONFERENCE,
    ):
        met += _deadlines_close(
            follow_up_of.deadlines.filter(kind=kind), acting_user=acting_user, met=True
        )
    started = []
    owner = chair or acting_user
    if kind == Meeting.Kind.STRATEGY_DISCUSSION:
        timers = workflow().timers
        for next_kind in (Deadline.Kind.STRATEGY_FOLLOW_UP,) + (
            (Deadline.Kind.CHILD_PROTECTION_CONFERENCE,) if conference_needed else ()
        ):
            started.append(
                _deadline_start(
                    kind=next_kind,
                    start=held_at,
                    timer=timers[next_kind],
                    owner=owner,
                    meeting=meeting,
                    alert_case=alert_case,
                )
            )
    created = [
        _action_create(
            description=a.description,
            owner=a.owner,
            due_on=a.due_on,
            acting_user=acting_user,
            meeting=meeting,
            alert_case=alert_case,
        )
        for a in actions
    ]
    present = {a.agency.agency_type for a in attendees}
    audit_log(
        acting_user=acting_user,
        action="meeting.record",
        object_type="meeting",
        object_ids=[meeting.pk],
        detail={
            "kind": kind,
            "held_at": held_at,
            "alert_case": alert_case.pk if alert_case else None,
            "agencies": sorted(a.agency.code for a in attendees),
            "subjects": [f"{s.kind}:{s.entity_id}" for s in subjects],
            "actions": [a.pk for a in created],
            "deadlines_met": met,
            "deadlines_started": {d.kind: d.due_at for d in started},
            "statutory_agencies_missing": (
                sorted(set(STRATEGY_DISCUSSION_AGENCIES) - present)
                if kind == Meeting.Kind.STRATEGY_DISCUSSION
                else []
            ),
        },
    )
    return meeting


# ---------------------------------------------------------------- escalation


def _escalation_target(deadline: Deadline) -> tuple[User | None, str, str]:
    config = workflow()
    if deadline.owner is None:
        return None, config.unowned_role, f"nobody owns it yet: sent to the {config.unowned_role}s"
    line = ReportingLine.objects.filter(user=deadline.owner).select_related("manager").first()
    if line is None or not line.manager.is_active:
        return (
            None,
            config.unowned_role,
            f"no active manager on record for {deadline.owner.username}: "
            f"sent to the {config.unowned_role}s",
        )
    return line.manager, "", f"sent to {deadline.owner.username}'s manager"


@dataclass
class EscalationRun:
    """What one escalation run did."""

    checked: int = 0
    to_manager: list[int] = field(default_factory=list)
    to_oversight: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overdue_checked": self.checked,
            "escalated_to_manager": len(self.to_manager),
            "escalated_to_oversight": len(self.to_oversight),
        }


def escalations_process(
    *, acting_user: Any = ESCALATION_RUN, now: datetime | None = None
) -> EscalationRun:
    """Escalate every overdue timer one step, as far as it is due. Safe to run again.

    Each escalation is raised in its own transaction with its audit entry, and a
    (deadline, level) pair can exist once only, so two overlapping runs cannot double one.
    """
    config = workflow()
    now = now or timezone.now()
    run = EscalationRun()
    overdue = Deadline.objects.filter(
        met_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
    ).select_related("owner")
    for deadline in overdue.iterator():
        run.checked += 1
        with transaction.atomic():
            levels = {
                e.level: e for e in Escalation.objects.select_for_update().filter(deadline=deadline)
            }
            if Escalation.Level.MANAGER not in levels:
                to_user, to_role, why = _escalation_target(deadline)
                level = Escalation.Level.MANAGER
            elif Escalation.Level.OVERSIGHT not in levels and now >= config.calendar.due(
                levels[Escalation.Level.MANAGER].raised_at, config.to_oversight_after
            ):
                to_user, to_role = None, config.oversight_role
                why = (
                    f"still overdue {config.to_oversight_after.describe()} after going to "
                    f"the manager: sent to the partnership's {config.oversight_role}s"
                )
                level = Escalation.Level.OVERSIGHT
            else:
                continue
            local_due = timezone.localtime(deadline.due_at)
            reason = (
                f"{deadline.get_kind_display()} was due {local_due:%a %d %b %Y %H:%M} "
                f"({deadline.rule}); {why}."
            )
            escalation = Escalation.objects.create(
                deadline=deadline,
                level=level,
                to_user=to_user,
                to_role=to_role,
                raised_at=now,
                reason=reason,
            )
            audit_log(
                acting_user=acting_user,
                action="escalation.raise",
                object_type="escalation",
                object_ids=[escalation.pk],
                detail={
                    "deadline": deadline.pk,
                    "kind": deadline.kind,
                    "level": level,
                    "to_user": to_user.username if to_user else None,
                    "to_role": to_role,
                    "owner": deadline.owner.username if deadline.owner else None,
                    "due_at": deadline.due_at,
                },
            )
            _escalation_notify(escalation, deadline, reason)
            (run.to_manager if level == Escalation.Level.MANAGER else run.to_oversight).append(
                escalation.pk
            )
    return run


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, acting_user: User, note: str) -> Escalation:
    """The person escalated to says they have seen it and what they are doing.

    Seeing it does not resolve it: it stays open until the overdue work is done.
    """
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    addressed = escalation.to_user_id == acting_user.pk or (
        escalation.to_role and escalation.to_role == acting_user.role
    )
    if not addressed:
        raise WorkflowRefused("Only the person or role it was sent to can acknowledge it.")
    if escalation.seen_at is not None:
        raise WorkflowRefused("This escalation has already been acknowledged.")
    note = _required(note, "note", "Say what you are doing about it.")
    escalation.seen_by = acting_user
    escalation.seen_at = timezone.now()
    escalation.seen_note = note
    escalation.save()
    audit_log(
        acting_user=acting_user,
        action="escalation.acknowledge",
        object_type="escalation",
        object_ids=[escalation.pk],
        detail={"note": note},
    )
    return escalation


# ---------------------------------------------------------------- disruption


def _shown(value: Any) -> Any:
    """A value as the change history keeps it (JSON): usernames and ISO dates."""
    if isinstance(value, User):
        return value.username
    if isinstance(value, date):
        return value.isoformat()
    return value


DISRUPTION_FIELDS = ("status", "started_on", "ends_on", "outcome", "outcome_on", "owner")


@transaction.atomic
def disruption_record(
    *,
    tactic: str,
    target_role: str,
    target_kind: str,
    target_entity_id: str,
    owner: User,
    status: str,
    acting_user: User,
    target_label: str = "",
    started_on: date | None = None,
    ends_on: date | None = None,
    outcome: str = "",
    outcome_on: date | None = None,
    alert_case: AlertCase | None = None,
    meeting: Meeting | None = None,
) -> Disruption:
    """Record a disruption tactic against an adult, vehicle or place."""
    if tactic not in Disruption.Tactic.values:
        raise WorkflowRefused(f"Unknown tactic {tactic!r}.", field="tactic")
    if status not in Disruption.Status.values:
        raise WorkflowRefused(f"Unknown status {status!r}.", field="status")
    if target_role not in Disruption.TargetRole.values:
        raise WorkflowRefused(
            "A disruption targets an adult, a vehicle or a place.", field="target_role"
        )
    owner = _case_owner(owner)
    if owner.agency_id is None:
        raise WorkflowRefused("The owner must belong to an agency.", field="owner")
    if ends_on and started_on and ends_on < started_on:
        raise WorkflowRefused("It cannot end before it starts.", field="ends_on")
    now = timezone.now()
    disruption = Disruption.objects.create(
        tactic=tactic,
        target_role=target_role,
        target_kind=target_kind,
        target_entity_id=target_entity_id,
        target_label=target_label,
        lead_agency_id=owner.agency_id,
        owner=owner,
        status=status,
        started_on=started_on,
        ends_on=ends_on,
        outcome=outcome,
        outcome_on=outcome_on,
        alert_case=alert_case,
        meeting=meeting,
        recorded_by=acting_user,
        recorded_at=now,
    )
    initial = {
        "status": status,
        "started_on": started_on,
        "ends_on": ends_on,
        "outcome": outcome,
        "outcome_on": outcome_on,
        "owner": owner.username,
    }
    DisruptionUpdate.objects.create(
        disruption=disruption,
        at=now,
        by=acting_user,
        changes={k: [None, _shown(v)] for k, v in initial.items() if v not in (None, "")},
        note="recorded",
    )
    audit_log(
        acting_user=acting_user,
        action="disruption.record",
        object_type="disruption",
        object_ids=[disruption.pk],
        detail={"tactic": tactic, "target": f"{target_kind}:{target_entity_id}", **initial},
    )
    return disruption


@transaction.atomic
def disruption_update(
    *, disruption: Disruption, acting_user: User, note: str = "", **changes: Any
) -> Disruption:
    """Change a disruption's status, dates, outcome or owner; the change is kept."""
    disruption = Disruption.objects.select_for_update().get(pk=disruption.pk)
    unknown = set(changes) - set(DISRUPTION_FIELDS)
    if unknown:
        raise WorkflowRefused(f"Cannot change {', '.join(sorted(unknown))}.")
    if "status" in changes and changes["status"] not in Disruption.Status.values:
        raise WorkflowRefused(f"Unknown status {changes['status']!r}.", field="status")
    if "owner" in changes:
        changes["owner"] = _case_owner(changes["owner"])
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = getattr(disruption, name)
        if old != value:
            diff[name] = [_shown(old), _shown(value)]
            setattr(disruption, name, value)
    if not diff and not note.strip():
        raise WorkflowRefused("Nothing to change.")
    if "owner" in diff:
        disruption.lead_agency_id = disruption.owner.agency_id
    if disruption.ends_on and disruption.started_on and disruption.ends_on < disruption.started_on:
        raise WorkflowRefused("It cannot end before it starts.", field="ends_on")
    disruption.save()
    DisruptionUpdate.objects.create(
        disruption=disruption, at=timezone.now(), by=acting_user, changes=diff, note=note.strip()
    )
    audit_log(
        acting_user=acting_user,
        action="disruption.update",
        object_type="disruption",
        object_ids=[disruption.pk],
        detail={"changes": diff, "note": note.strip()},
    )
    return disruption


# ---------------------------------------------------------------- disclosure log


@dataclass(frozen=True)
class Recipient:
    """Who information went to: an agency, a person on the platform, a person outside it."""

    agency: Agency | None = None
    user: User | None = None
    name: str = ""


@transaction.atomic
def disclosure_record(
    *,
    acting_user: User,
    lawful_basis: str,
    purpose: str,
    recipient: Recipient,
    what_was_shared: str,
    records: Sequence[Record] = (),
    decided_by: User | None = None,
    shared_at: datetime | None = None,
    alert_case: AlertCase | None = None,
) -> Disclosure:
    """Record a share of information beyond the agency that holds it.

    The disclosing agency is the recorder's own; the recipient must lie outside it, or it
    is not a disclosure. The records are checked by the caller against what the recorder
    may see.
    """
    if acting_user.agency_id is None:
        raise WorkflowRefused("Only someone in an agency can record its disclosures.")
    bases = workflow().lawful_bases
    if lawful_basis not in bases:
        raise WorkflowRefused(
            "Name one of the partnership's lawful bases for sharing (see /api/v1/workflow).",
            field="lawful_basis",
        )
    purpose = _required(purpose, "purpose", "Say why the information was shared.")
    what_was_shared = _required(
        what_was_shared, "what_was_shared", "Say what was shared, even when records are listed."
    )
    name = (recipient.name or "").strip()
    if recipient.agency is None and recipient.user is None and not name:
        raise WorkflowRefused("Name the agency or person it went to.", field="recipient")
    recipient_agency = recipient.agency
    if recipient_agency is None and recipient.user is not None:
        recipient_agency = recipient.user.agency
    if recipient_agency is not None and recipient_agency.pk == acting_user.agency_id:
        raise WorkflowRefused(
            "Sharing within your own agency is not a disclosure beyond it.", field="recipient"
        )
    decided_by = decided_by or acting_user
    if not decided_by.is_active:
        raise WorkflowRefused("The decision-maker's account is not active.", field="decided_by")
    now = timezone.now()
    shared_at = shared_at or now
    if shared_at > now:
        raise WorkflowRefused("Record a disclosure once it has been made.", field="shared_at")
    disclosure = Disclosure.objects.create(
        disclosing_agency_id=acting_user.agency_id,
        recipient_agency=recipient_agency,
        recipient_user=recipient.user,
        recipient_name=name,
        lawful_basis=lawful_basis,
        purpose=purpose,
        what_was_shared=what_was_shared,
        shared_at=shared_at,
        decided_by=decided_by,
        recorded_by=acting_user,
        recorded_at=now,
        alert_case=alert_case,
    )
    unique_records = list({r.pk: r for r in records}.values())
    DisclosedRecord.objects.bulk_create(
        [DisclosedRecord(disclosure=disclosure, record=r) for r in unique_records]
    )
    if recipient.user is not None and recipient.user.is_active:
        _notify(
            recipient.user,
            Notification.Kind.DISCLOSURE,
            f"Information was shared with you (disclosure {disclosure.pk}) by "
            f"{acting_user.username}.",
            f"/api/v1/disclosures/{disclosure.pk}",
        )
    audit_log(
        acting_user=acting_user,
        action="disclosure.record",
        object_type="disclosure",
        object_ids=[disclosure.pk],
        detail={
            "lawful_basis": lawful_basis,
            "purpose": purpose,
            "recipient_agency": recipient_agency.code if recipient_agency else None,
            "recipient_user": recipient.user.username if recipient.user else None,
            "recipient_name": name,
            "records": [f"{r.agency.code}/{r.record_id}" for r in unique_records],
            "decided_by": decided_by.username,
            "shared_at": shared_at,
            "alert_case": alert_case.pk if alert_case else None,
        },
    )
    return disclosure


# ---------------------------------------------------------------- notifications


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b %Y %H:%M}"


def _notify(recipient: User, kind: str, text: str, link: str = "") -> Notification:
    """Put a notification in someone's inbox and queue its e-mail, inside the caller's
    transaction, so that a rolled-back action leaves no notification and no e-mail behind."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, text=text, link=link, created_at=timezone.now()
    )
    if recipient.email:
        task_enqueue(
            name=EMAIL_NOTIFICATION,
            payload={"notification": notification.pk},
            key=f"{EMAIL_NOTIFICATION}:{notification.pk}",
        )
    return notification


def _escalation_notify(escalation: Escalation, deadline: Deadline, reason: str) -> None:
    """Tell the person or role an escalation went to, and (the first time) the owner."""
    if escalation.to_user is not None:
        to: Iterable[User] = [escalation.to_user]
    else:
        to = User.objects.filter(role=escalation.to_role, is_active=True).order_by("pk")
    for user in to:
        _notify(
            user,
            Notification.Kind.ESCALATION,
            f"Escalation {escalation.pk} (level {escalation.level}): {reason}",
            "/api/v1/escalations?open=1",
        )
    owner = deadline.owner
    if escalation.level == Escalation.Level.MANAGER and owner is not None and owner.is_active:
        _notify(
            owner,
            Notification.Kind.WORK_OVERDUE,
            f"{deadline.get_kind_display()} was due {_when(deadline.due_at)} and is overdue; "
            "it has been escalated.",
            "/api/v1/escalations?open=1",
        )


@transaction.atomic
def notification_mark_read(*, notification: Notification, acting_user: User) -> Notification:
    """Mark one of your notifications read. Marking it again changes nothing."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.recipient_id != acting_user.pk:
        raise WorkflowRefused("Only its recipient can mark a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_log(
            acting_user=acting_user,
            action="notification.read",
            object_type="notification",
            object_ids=[notification.pk],
        )
    return notification


def _overdue_work(user: User, now: datetime) -> dict[str, int]:
    """Open timers of the user's that are past due, counted by kind."""
    counts: dict[str, int] = {}
    overdue = Deadline.objects.filter(
        owner=user, met_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
    )
    for kind in overdue.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@dataclass
class DigestRun:
    """What one digest run queued."""

    queued: list[int] = field(default_factory=list)
    already_queued: int = 0


def notifications_digest(
    *, acting_user: Any = DIGEST_RUN, now: datetime | None = None
) -> DigestRun:
    """Queue each person's daily summary of unread notifications and overdue work.

    One digest per person per day: a second run the same day queues nothing new.
    """
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    run = DigestRun()
    unread = Notification.objects.filter(read_at__isnull=True).values("recipient")
    overdue = Deadline.objects.filter(
        met_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
    ).values("owner")
    people = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=unread) | Q(pk__in=overdue))
        .order_by("pk")
    )
    for user in people:
        with transaction.atomic():
            task, created = task_enqueue(
                name=EMAIL_DIGEST,
                payload={"user": user.pk, "day": day},
                key=f"{EMAIL_DIGEST}:{user.pk}:{day}",
            )
            if not created:
                run.already_queued += 1
                continue
            audit_log(
                acting_user=acting_user,
                action="notification.digest",
                object_type="user",
                object_ids=[user.pk],
                detail={"day": day, "task": task.pk},
            )
            run.queued.append(user.pk)
    return run


def _site_link(link: str) -> str:
    """A link as an e-mail needs it: the site's address (SHINEALIGHT_BASE_URL) in front."""
    base = getattr(settings, "SHINEALIGHT_BASE_URL", None) or os.environ.get(
        "SHINEALIGHT_BASE_URL", ""
    )
    return f"{base.rstrip('/')}{link}"


def _email_notification(payload: dict[str, Any]) -> None:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=payload["notification"])
            .first()
        )
        # Already sent (a retried or doubled task), read in the app, or gone: nothing to do.
        if notification is None or notification.emailed_at or notification.read_at:
            return
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            return
        # E-mail leaves the partnership's systems, so it says what kind of thing is waiting
        # and where, never the case itself.
        send_mail(
            subject=f"Shine a Light: {notification.get_kind_display()}",
            message=(
                f"{notification.get_kind_display()}.\n\n"
                f"Sign in to read it: {_site_link(notification.link or '/')}\n"
            ),
            from_email=None,
            recipient_list=[recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        audit_log(
            acting_user=TASK_WORKER,
            action="notification.email",
            object_type="notification",
            object_ids=[notification.pk],
            detail={"to": recipient.username},
        )


def _email_digest(payload: dict[str, Any]) -> None:
    user = User.objects.filter(pk=payload["user"], is_active=True).exclude(email="").first()
    if user is None:
        return
    now = timezone.now()
    unread: dict[str, int] = {}
    for kind in Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
        "kind", flat=True
    ):
        unread[kind] = unread.get(kind, 0) + 1
    overdue = _overdue_work(user, now)
    if not unread and not overdue:
        return
    kinds = dict(Notification.Kind.choices)
    deadline_kinds = dict(Deadline.Kind.choices)
    lines = [f"Your Shine a Light summary for {payload['day']}.", ""]
    if unread:
        lines.append(f"Unread notifications: {sum(unread.values())}")
        lines += [f"  {n} × {kinds.get(k, k)}" for k, n in sorted(unread.items())]
        lines.append("")
    if overdue:
        lines.append(f"Overdue work of yours: {sum(overdue.values())}")
        lines += [f"  {n} × {deadline_kinds.get(k, k)}" for k, n in sorted(overdue.items())]
        lines.append("")
    lines.append(f"Sign in to see them: {_site_link('/')}")
    with transaction.atomic():
        send_mail(
            subject=f"Shine a Light: your summary for {payload['day']}",
            message="\n".join(lines),
            from_email=None,
            recipient_list=[user.email],
        )
        audit_log(
            acting_user=TASK_WORKER,
            action="notification.digest_email",
            object_type="user",
            object_ids=[user.pk],
            detail={"day": payload["day"], "unread": unread, "overdue": overdue},
        )


# ---------------------------------------------------------------- task queue


EMAIL_NOTIFICATION = "email.notification"
EMAIL_DIGEST = "email.digest"
TASK_HANDLERS: dict[str, Any] = {
    EMAIL_NOTIFICATION: _email_notification,
    EMAIL_DIGEST: _email_digest,
}
# A worker that died mid-task leaves its lock; after this long another may take the task.
TASK_LOCK_TIMEOUT = timedelta(minutes=10)
TASK_RETRY_BASE = timedelta(seconds=30)
TASK_RETRY_MAX = timedelta(hours=1)


def task_enqueue(
    *,
    name: str,
    payload: dict[str, Any],
    key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 5,
) -> tuple[Task, bool]:
    """Queue background work, in the caller's transaction; with a key, at most once.

    Returns the task and whether it is new.
    """
    if name not in TASK_HANDLERS:
        raise ValueError(f"no handler for task {name!r}")
    now = timezone.now()
    fields = {
        "name": name,
        "payload": payload,
        "run_after": run_after or now,
        "max_attempts": max_attempts,
        "created_at": now,
    }
    if not key:
        return Task.objects.create(**fields), True
    return Task.objects.get_or_create(key=key, defaults=fields)


def task_backoff(attempts: int) -> timedelta:
    """How long to wait before trying a failed task again: doubling, capped at an hour."""
    return min(TASK_RETRY_BASE * (2 ** max(attempts - 1, 0)), TASK_RETRY_MAX)


def task_claim(*, worker: str, now: datetime | None = None) -> Task | None:
    """Take the next task that is due and not held by a live worker, or None.

    On PostgreSQL the row lock skips tasks another worker is claiming; on SQLite the
    transaction takes the write lock at its start, so claimers queue. Either way the
    update only lands if the lock is still as read, so a task goes to one worker.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = Task.objects.filter(
            Q(locked_at__isnull=True) | Q(locked_at__lt=now - TASK_LOCK_TIMEOUT),
            done_at__isnull=True,
            failed_at__isnull=True,
            run_after__lte=now,
        ).order_by("run_after", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        task = due.first()
        if task is None:
            return None
        taken = Task.objects.filter(pk=task.pk, locked_at=task.locked_at).update(
            locked_at=now, locked_by=worker, attempts=task.attempts + 1
        )
        if not taken:
            return None
    task.refresh_from_db()
    return task


def task_run(*, task: Task, worker: str) -> bool:
    """Run a claimed task: done on success; on failure, retried later or given up."""
    try:
        TASK_HANDLERS[task.name](task.payload)
    except Exception as exc:  # noqa: BLE001 - any failure is kept on the task and retried
        now = timezone.now()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        update: dict[str, Any] = {"locked_at": None, "locked_by": "", "last_error": error}
        if task.attempts >= task.max_attempts:
            update["failed_at"] = now
        else:
            update["run_after"] = now + task_backoff(task.attempts)
        Task.objects.filter(pk=task.pk, locked_by=worker).update(**update)
        return False
    Task.objects.filter(pk=task.pk, locked_by=worker).update(
        done_at=timezone.now(), locked_at=None, last_error=""
    )
    return True


@dataclass
class WorkerRun:
    """What one pass of the worker did."""

    done: int = 0
    failed: int = 0


def tasks_work(*, worker: str, limit: int | None = None) -> WorkerRun:
    """Claim and run due tasks one at a time until none is due (or `limit` are run)."""
    run = WorkerRun()
    while limit is None or run.done + run.failed < limit:
        task = task_claim(worker=worker)
        if task is None:
            break
        if task_run(task=task, worker=worker):
            run.done += 1
        else:
            run.failed += 1
    return run


def alert_changed(alert: Alert, created: bool) -> None:
    """The alerts app's hook: open a case for a new alert, flag or reopen one that grew."""
    if created:
        alert_case_open(alert=alert)
    else:
        alert_case_evidence_added(alert=alert)
