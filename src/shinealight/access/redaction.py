"""What an alert may show someone who can see only part of its evidence.

An alert is visible when it cites at least one record the user may see. Its stored title
and explanation were written for someone who sees everything: they name every child and
cite every record. For anyone else the explanation is rebuilt from the evidence they may
open, and every person they may not see is taken out of the opening sentence, so that
neither a record nor a child outside their view is named (not even that the child exists
beyond "another child").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from shinealight.alerts.entities import UNRESOLVED_PREFIX
from shinealight.core.alerts.explain import compose
from shinealight.core.alerts.findings import Evidence

NOT_SHOWN = "[not shown]"
MORE_EVIDENCE = (
    "Further evidence is held in records you cannot open; the partnership analyst or the "
    "owning agency can tell you whether it may be shared."
)


@dataclass
class AlertShown:
    """An alert as one user may see it."""

    title: str
    opening: str
    explanation: str
    subjects: list[Any] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)
    hidden_evidence: int = 0
    hidden_subjects: int = 0

    @property
    def complete(self) -> bool:
        return not (self.hidden_evidence or self.hidden_subjects)


def visible_person_subject_ids(user: Any, subjects: list[Any]) -> set[str]:
    """Which of these person subjects (entity ids or `M:<mention id>`) the user may see."""
    from shinealight.people.models import ResolvedEntity
    from shinealight.records.models import PersonMention

    persons = [s.entity_id for s in subjects if s.kind == "person"]
    resolved = [e for e in persons if not e.startswith(UNRESOLVED_PREFIX)]
    mentions = [e[len(UNRESOLVED_PREFIX) :] for e in persons if e.startswith(UNRESOLVED_PREFIX)]
    seen = set(
        ResolvedEntity.objects.visible_to(user)
        .filter(entity_id__in=resolved)
        .values_list("entity_id", flat=True)
    )
    seen |= {
        UNRESOLVED_PREFIX + m
        for m in PersonMention.objects.visible_to(user)
        .filter(mention_id__in=mentions)
        .values_list("mention_id", flat=True)
    }
    return seen


def redact_people(text: str, hidden: list[Any]) -> str:
    """Take the people in `hidden` out of a sentence: "Name (P-1, about 14; …)" and any
    other mention of their id or name."""
    for subject in hidden:
        stands_for = "another child" if subject.role == "child" else "another person"
        # Not followed by a digit: P-0000001 must not match inside P-00000012.
        entity = re.escape(subject.entity_id) + r"(?!\d)"
        label = (subject.label or "").strip()
        if label:
            text = re.sub(re.escape(label) + r"\s*\(" + entity + r"[^)]*\)", stands_for, text)
        text = re.sub(r"\(?" + entity + r"[^)]*\)?", stands_for, text)
        if len(label) >= 3 and label.lower() not in ("unnamed person", "unnamed"):
            text = re.sub(r"\b" + re.escape(label) + r"\b", NOT_SHOWN, text)
    return text


def _as_evidence(row: Any) -> Evidence:
    r = row.record
    return Evidence(
        record=f"{r.agency.code}/{r.record_id}",
        agency=r.agency.code,
        record_id=r.record_id,
        event_type=r.event_type,
        at=r.occurred_at or r.recorded_at,
        recorded_at=r.recorded_at,
        grading=f"{r.grading_source}{r.grading_intelligence}",
        note=row.note,
    )


def alert_shown_to(alert: Any, user: Any) -> AlertShown:
    """The alert narrowed to what `user` may see (the caller has checked the alert itself
    is visible to them)."""
    from shinealight.records.models import Record

    subjects = list(alert.subjects.all())
    evidence = list(alert.evidence.all())
    open_records = set(
        Record.objects.visible_to(user)
        .filter(pk__in=[e.record_id for e in evidence])
        .values_list("pk", flat=True)
    )
    shown_evidence = [e for e in evidence if e.record_id in open_records]
    seen_people = visible_person_subject_ids(user, subjects)
    hidden = [s for s in subjects if s.kind == "person" and s.entity_id not in seen_people]
    shown_subjects = [s for s in subjects if s not in hidden]
    shown = AlertShown(
        title=alert.title,
        opening=alert.opening,
        explanation=alert.explanation,
        subjects=shown_subjects,
        evidence=shown_evidence,
        hidden_evidence=len(evidence) - len(shown_evidence),
        hidden_subjects=len(hidden),
    )
    if shown.complete:
        return shown
    shown.title = redact_people(alert.title, hidden)
    shown.opening = redact_people(alert.opening or alert.title, hidden)
    explanation = compose(shown.opening, [_as_evidence(e) for e in shown_evidence], ())
    if shown.hidden_evidence:
        explanation += " " + MORE_EVIDENCE
    shown.explanation = explanation
    return shown
