"""Accountable work on alerts and children: who owns what, by when, and what was decided.

An alert's lifecycle lives here, keyed one-to-one on `alerts.Alert`, so that the alerts
app only raises and grows alerts. Children, adults, vehicles and places are the `people`
app's resolved entities, referred to by (kind, entity_id) strings: entity ids are stable
across merges, and a judgement must outlive any re-run of linkage.

Nothing here is deleted or overwritten: every transition, judgement, deadline and
escalation is a row with who and when, and each is written with its audit event.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from shinealight.alerts.models import Alert
from shinealight.records.models import Agency, Record

USER = settings.AUTH_USER_MODEL


class ReportingLine(models.Model):
    """Who a user's manager is: where their overdue work escalates first."""

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="reporting_line")
    manager = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="reports")
    set_by = models.CharField(max_length=150)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} reports to {self.manager_id}"


def _sees_cases(user: Any) -> bool:
    """Managers see aggregates only and administrators no case content."""
    return user is not None and getattr(user, "is_active", False) and user.sees_case_content


def _children_shown_to(user: Any, named: Any) -> list[str]:
    """Of the child ids in `named` (public ids), those whose work the user may see.

    Work on a child is shown only to someone who may see the child's records
    (`access.visibility`), so that no meeting or judgement tells anyone else the child
    exists. An id the people app does not hold names no one's records. The ids are read
    into lists (children with meetings or judgements are few): nesting the record rule
    here made queries too deep for SQLite's parser.
    """
    from shinealight.access.visibility import visible_entity_public_ids
    from shinealight.people.models import ResolvedEntity

    ids = set(named)
    held = set(ResolvedEntity.objects.filter(entity_id__in=ids).values_list("entity_id", flat=True))
    seen = set(
        visible_entity_public_ids(user)
        .filter(entity_id__in=held)
        .values_list("entity_id", flat=True)
    )
    return sorted((ids - held) | seen)


def _alert_shown_to(user: Any) -> Q:
    """Cases whose alert the user may see (it cites a record they may see), or that they
    are allocated to (owner of the case or of one of its actions)."""
    from shinealight.alerts.models import AlertEvidence

    visible_alerts = Alert.objects.visible_to(user).values("pk")
    # An alert with no evidence cites no one's records (the cases tests raise such alerts).
    no_evidence = ~Q(alert_id__in=AlertEvidence.objects.values("alert_id"))
    return Q(alert_id__in=visible_alerts) | no_evidence | Q(owner=user) | Q(actions__owner=user)


class AlertCaseQuerySet(models.QuerySet["AlertCase"]):
    def visible_to(self, user: Any) -> AlertCaseQuerySet:
        """Cases the user is involved in: the owner, agencies at its meetings or owning its
        actions; partnership analysts see every case; managers and administrators none.

        A new case nobody has taken on yet is open to everyone who may see its alert, so
        that someone can take it on (the inbox counts these as waiting)."""
        if not _sees_cases(user):
            return self.none()
        shown = AlertCase.objects.filter(_alert_shown_to(user)).values("pk")
        if user.sees_whole_partnership:
            return self.filter(pk__in=shown)
        waiting = Q(owner__isnull=True, status=AlertCase.Status.NEW)
        q = Q(owner=user) | (waiting & Q(alert_id__in=Alert.objects.visible_to(user).values("pk")))
        if user.agency_id is not None:
            q |= Q(meetings__attendees__agency_id=user.agency_id)
            q |= Q(actions__owner_agency_id=user.agency_id)
        return self.filter(pk__in=AlertCase.objects.filter(q).values("pk")).filter(pk__in=shown)


class AlertCase(models.Model):
    """The work on one alert: new → acknowledged → triaged → closed, reopened by new evidence."""

    class Status(models.TextChoices):
        NEW = "new", "New: waiting for a named person to acknowledge it"
        ACKNOWLEDGED = "acknowledged", "Acknowledged: waiting for a triage decision"
        TRIAGED = "triaged", "Triaged: decision made, work under way"
        CLOSED = "closed", "Closed with an outcome"

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action (with a reason)"
        SINGLE_AGENCY = "single_agency", "Single-agency action"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        MACE = "mace", "MACE panel"

    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="case")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True)
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    triaged_at = models.DateTimeField(null=True)
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True)
    # New evidence arrived since someone last looked (on an open case) or after closure.
    needs_attention = models.BooleanField(default=False)
    times_reopened = models.PositiveIntegerField(default=0)

    objects = AlertCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "opened_at"], name="alert_case_status")]

    def __str__(self) -> str:
        return f"case for alert {self.alert_id} ({self.status})"


class AlertCaseTransition(models.Model):
    """One step in a case's life, kept for ever: from, to, who, when and why."""

    case = models.ForeignKey(AlertCase, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # The system (alert engine, escalation run) acts with no user; its name is kept here.
    by_name = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '∅'} → {self.to_status}"


class RiskJudgementQuerySet(models.QuerySet["RiskJudgement"]):
    def visible_to(self, user: Any) -> RiskJudgementQuerySet:
        """Judgements seen by analysts, the recording and agreeing people's agencies, and
        agencies that attended a meeting about the child."""
        if not _sees_cases(user):
            return self.none()
        # Only about a child whose records the user may see (or no child the app holds).
        named = RiskJudgement.objects.values_list("child_entity_id", flat=True).distinct()
        judgements = self.filter(child_entity_id__in=_children_shown_to(user, named))
        if user.sees_whole_partnership:
            return judgements
        q = Q(recorded_by=user) | Q(agreed_by=user)
        if user.agency_id is not None:
            q |= Q(recorded_by__agency_id=user.agency_id)
            children = MeetingSubject.objects.filter(
                kind="person", meeting__attendees__agency_id=user.agency_id
            ).values("entity_id")
            q |= Q(child_entity_id__in=children)
        return judgements.filter(q)


class RiskJudgement(models.Model):
    """A practitioner's professional judgement of a child's risk, with rationale and evidence.

    Levels come from the partnership's workflow file; nothing computes one. A downgrade
    waits for a second person's agreement and until then the earlier level stays in force.
    """

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        AWAITING_AGREEMENT = "awaiting_agreement", "Downgrade awaiting a second person"
        NOT_AGREED = "not_agreed", "Downgrade not agreed"
        SUPERSEDED = "superseded", "Superseded before agreement"

    child_entity_id = models.CharField(max_length=64)
    child_label = models.CharField(max_length=300, blank=True)
    level = models.CharField(max_length=32)
    previous_level = models.CharField(max_length=32, blank=True)
    is_downgrade = models.BooleanField(default=False)
    rationale = models.TextField()
    indicators = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # When it took effect: at recording, or at agreement for a downgrade.
    effective_at = models.DateTimeField(null=True)
    agreed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    agreed_at = models.DateTimeField(null=True)
    agreement_note = models.TextField(blank=True)
    alert_case = models.ForeignKey(
        AlertCase, on_delete=models.PROTECT, null=True, related_name="judgements"
    )

    objects = RiskJudgementQuerySet.as_manager()

    class Meta:
        ordering = ["child_entity_id", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["child_entity_id", "status"], name="judgement_child_status")
        ]

    def __str__(self) -> str:
        return f"{self.child_entity_id}: {self.level} ({self.status})"


class RiskJudgementEvidence(models.Model):
    """A record the practitioner cites for an indicator they see."""

    judgement = models.ForeignKey(RiskJudgement, on_delete=models.PROTECT, related_name="evidence")
    indicator = models.CharField(max_length=64)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["judgement", "indicator", "record"], name="judgement_evidence_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: record {self.record_id}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        """Meetings seen by analysts, the chair and recorder, attending agencies, action owners."""
        if not _sees_cases(user):
            return self.none()
        # A meeting about children is shown to someone who may see at least one of them
        # (an invited attendee may: the invitation opens the child's records).
        about_children = MeetingSubject.objects.filter(kind="person", role="child")
        named = about_children.values_list("entity_id", flat=True).distinct()
        seen = about_children.filter(entity_id__in=_children_shown_to(user, named))
        shown = Meeting.objects.filter(
            ~Q(pk__in=about_children.values("meeting_id")) | Q(pk__in=seen.values("meeting_id"))
        ).values("pk")
        if user.sees_whole_partnership:
            return self.filter(pk__in=shown)
        q = Q(chair=user) | Q(recorded_by=user) | Q(actions__owner=user)
        if user.agency_id is not None:
            q |= Q(attendees__agency_id=user.agency_id)
        return self.filter(pk__in=Meeting.objects.filter(q).values("pk")).filter(pk__in=shown)


class Meeting(models.Model):
    """A strategy discussion, its follow-up, a child protection conference or a MACE panel."""

    class Kind(models.TextChoices):
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        STRATEGY_FOLLOW_UP = "strategy_follow_up", "Strategy discussion follow-up"
        CHILD_PROTECTION_CONFERENCE = "child_protection_conference", "Child protection conference"
        MACE = "mace", "MACE panel"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    held_at = models.DateTimeField()
    title = models.CharField(max_length=300, blank=True)
    agenda = models.TextField(blank=True)
    alert_case = models.ForeignKey(
        AlertCase, on_delete=models.PROTECT, null=True, related_name="meetings"
    )
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="follow_ups"
    )
    chair = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    decisions = models.TextField(blank=True)
    conference_needed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class MeetingAttendee(models.Model):
    """An agency at the table, and the person who came for it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name or self.user_id} for {self.agency_id}"


class MeetingSubject(models.Model):
    """A child, adult, vehicle or place discussed, by its resolved entity id."""

    class Role(models.TextChoices):
        CHILD = "child", "Child"
        ADULT = "adult", "Adult of concern"
        VEHICLE = "vehicle", "Vehicle"
        PLACE = "place", "Place"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=16)  # the people app's entity kind
    entity_id = models.CharField(max_length=64)
    role = models.CharField(max_length=16, choices=Role.choices)
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "entity_id"], name="meeting_subject_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "entity_id"], name="meeting_subject_entity")]

    def __str__(self) -> str:
        return f"{self.role} {self.kind}:{self.entity_id}"


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user: Any) -> ActionQuerySet:
        """Actions seen by analysts, their owner, the owning agency and the meeting's agencies."""
        if not _sees_cases(user):
            return self.none()
        # Someone else's action is shown with its meeting or case, never without them.
        shown = Action.objects.filter(
            Q(owner=user)
            | (
                (Q(meeting__isnull=True) | Q(meeting__in=Meeting.objects.visible_to(user)))
                & (
                    Q(alert_case__isnull=True)
                    | Q(alert_case__in=AlertCase.objects.visible_to(user))
                )
            )
        ).values("pk")
        if user.sees_whole_partnership:
            return self.filter(pk__in=shown)
        q = Q(owner=user) | Q(created_by=user)
        if user.agency_id is not None:
            q |= Q(owner_agency_id=user.agency_id)
            q |= Q(meeting__attendees__agency_id=user.agency_id)
        return self.filter(pk__in=Action.objects.filter(q).values("pk")).filter(pk__in=shown)


class Action(models.Model):
    """A piece of work someone in an agency owns, due by a time, closed with a note."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled (with a reason)"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, related_name="actions"
    )
    alert_case = models.ForeignKey(
        AlertCase, on_delete=models.PROTECT, null=True, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True)
    completed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    completion_note = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="action_status_due")]

    def __str__(self) -> str:
        return f"action {self.pk} ({self.status}) due {self.due_at:%Y-%m-%d}"


class Deadline(models.Model):
    """A timer running on a case, meeting or action: met, cancelled with a reason, or late.

    The rule in force when it started is written beside it, so a later change of the
    workflow file never rewrites when something was due.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledge the alert"
        TRIAGE = "triage", "Decide on the alert"
        STRATEGY_DISCUSSION = "strategy_discussion", "Hold the strategy discussion"
        MACE_PANEL = "mace_panel", "Hear the case at a MACE panel"
        STRATEGY_FOLLOW_UP = "strategy_follow_up", "Hold the strategy follow-up"
        CHILD_PROTECTION_CONFERENCE = "child_protection_conference", "Hold the conference"
        ACTION = "action", "Complete the action"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    alert_case = models.ForeignKey(
        AlertCase, on_delete=models.PROTECT, null=True, related_name="deadlines"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, related_name="deadlines"
    )
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, related_name="deadlines"
    )
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    rule = models.CharField(max_length=100)
    met_at = models.DateTimeField(null=True)
    cancelled_at = models.DateTimeField(null=True)
    cancel_reason = models.TextField(blank=True)
    closed_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["met_at", "cancelled_at", "due_at"], name="deadline_open")]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def visible_to(self, user: Any) -> EscalationQuerySet:
        """Escalations sent to the user or their role, or about work they own; analysts see all.

        An escalation carries no case content (kind, times, owner, agency), so the oversight
        role (managers) may see the ones sent to it.
        """
        if user is None or not getattr(user, "is_active", False):
            return self.none()
        if user.sees_whole_partnership:
            return self.all()
        return self.filter(Q(to_user=user) | Q(to_role=user.role) | Q(deadline__owner=user))


class Escalation(models.Model):
    """Overdue work sent up: first to the owner's manager, then to the oversight role.

    An escalation stays open until the work is done or its timer is cancelled with a
    reason; it never lapses because time has passed.
    """

    class Level(models.IntegerChoices):
        MANAGER = 1, "Owner's manager"
        OVERSIGHT = 2, "Partnership oversight"

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    to_role = models.CharField(max_length=32, blank=True)
    raised_at = models.DateTimeField()
    reason = models.TextField()
    seen_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    seen_at = models.DateTimeField(null=True)
    seen_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True)
    resolution = models.TextField(blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"escalation L{self.level} of deadline {self.deadline_id}"


class DisruptionQuerySet(models.QuerySet["Disruption"]):
    def visible_to(self, user: Any) -> DisruptionQuerySet:
        """Disruption seen by analysts, its owner and the lead agency's case workers."""
        if not _sees_cases(user):
            return self.none()
        if user.sees_whole_partnership:
            return self.all()
        q = Q(owner=user) | Q(recorded_by=user)
        if user.agency_id is not None:
            q |= Q(lead_agency_id=user.agency_id)
        return self.filter(q)


class Disruption(models.Model):
    """A disruption tactic against an adult, vehicle or place, with dates, owner and outcome.

    Child Abduction Warning Notices are recorded nowhere centrally otherwise (domain.md §5).
    """

    class Tactic(models.TextChoices):
        CAWN = "cawn", "Child Abduction Warning Notice"
        SRO = "sexual_risk_order", "Sexual Risk Order"
        SHPO = "sexual_harm_prevention_order", "Sexual Harm Prevention Order"
        LICENSING = "licensing_action", "Licensing action (taxi firm, takeaway, premises)"
        HOTEL_NOTICE = "hotel_notice", "Hotel notice / request for guest information"
        CLOSURE = "premises_closure", "Premises closure"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_FORCE = "in_force", "In force"
        BREACHED = "breached", "Breached"
        ENDED = "ended", "Ended"
        REFUSED = "refused", "Refused or not obtained"

    class TargetRole(models.TextChoices):
        ADULT = "adult", "Adult"
        VEHICLE = "vehicle", "Vehicle"
        PLACE = "place", "Place"

    tactic = models.CharField(max_length=32, choices=Tactic.choices)
    target_role = models.CharField(max_length=16, choices=TargetRole.choices)
    target_kind = models.CharField(max_length=16)
    target_entity_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    started_on = models.DateField(null=True)
    ends_on = models.DateField(null=True)
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True)
    alert_case = models.ForeignKey(AlertCase, on_delete=models.PROTECT, null=True, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = DisruptionQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["target_kind", "target_entity_id"], name="disruption_target")
        ]

    def __str__(self) -> str:
        return f"{self.tactic} against {self.target_kind}:{self.target_entity_id}"


class DisruptionUpdate(models.Model):
    """Every change to a disruption: status, dates or outcome, with who and when."""

    disruption = models.ForeignKey(Disruption, on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"update to disruption {self.disruption_id}"


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def visible_to(self, user: Any) -> DisclosureQuerySet:
        """Disclosures seen by the disclosing agency, the recipient agency, the people who
        decided, recorded or received them, and analysts; managers get counts only."""
        if not _sees_cases(user):
            return self.none()
        if user.sees_whole_partnership:
            return self.all()
        q = Q(decided_by=user) | Q(recorded_by=user) | Q(recipient_user=user)
        if user.agency_id is not None:
            q |= Q(disclosing_agency_id=user.agency_id) | Q(recipient_agency_id=user.agency_id)
        return self.filter(q)


class Disclosure(models.Model):
    """A share of information beyond the agency that holds it: on what basis, why, to whom,
    what, and who decided.

    The lawful basis is copied as worded in the workflow file at the time, so a later
    change of the list never rewrites the reason given for a past share.
    """

    disclosing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recipient_user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # A person outside the platform (a head teacher, a hotel manager), as named at the time.
    recipient_name = models.CharField(max_length=300, blank=True)
    lawful_basis = models.CharField(max_length=300)
    purpose = models.TextField()
    what_was_shared = models.TextField()
    shared_at = models.DateTimeField()
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    alert_case = models.ForeignKey(AlertCase, on_delete=models.PROTECT, null=True, related_name="+")

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at", "-id"]

    def __str__(self) -> str:
        return f"disclosure {self.pk} by {self.disclosing_agency_id}"


class DisclosedRecord(models.Model):
    """A record that was part of a disclosure."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="records")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "record"], name="disclosed_record_once")
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} in disclosure {self.disclosure_id}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        """A person's inbox is theirs alone, whatever their role."""
        if user is None or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """Something a person needs to know about: in their inbox, and by e-mail.

    The text names the kind of work and its id, never a child or an adult, because the
    same words may go out by e-mail.
    """

    class Kind(models.TextChoices):
        CASE_ASSIGNED = "case_assigned", "An alert case is yours"
        CASE_REOPENED = "case_reopened", "A case of yours was reopened"
        ACTION_ASSIGNED = "action_assigned", "An action is yours"
        WORK_OVERDUE = "work_overdue", "Work of yours is overdue"
        ESCALATION = "escalation", "Overdue work escalated to you"
        DISCLOSURE = "disclosure", "Information shared with you"
        BREAK_GLASS = "break_glass", "Someone used break-glass access"
        RELEASE_REQUEST = "release_request", "A sealed record's release is asked for"

    recipient = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True)
    emailed_at = models.DateTimeField(null=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Task(models.Model):
    """Background work in the database: no broker, the same on SQLite and PostgreSQL.

    A task is claimed by one worker at a time, retried with growing waits when it fails,
    and given up (kept, with its last error) after `max_attempts`. A `key` makes enqueueing
    idempotent: the same key is queued once.
    """

    name = models.CharField(max_length=100)
    # Work queued under a key is queued once (unkeyed work is left blank).
    key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    run_after = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    locked_at = models.DateTimeField(null=True)
    locked_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["run_after", "id"]
        indexes = [models.Index(fields=["done_at", "failed_at", "run_after"], name="task_due")]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="task_key_once")
        ]

    def __str__(self) -> str:
        return f"task {self.pk} {self.name}"
