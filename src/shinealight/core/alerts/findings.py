"""What a rule finds: the people and objects it names, the records it cites, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Subject:
    """An entity an alert names: a child, a suspect or associate, or an object."""

    kind: str  # person, vehicle, phone, online, location
    entity: str
    role: str  # child, suspect, associate, object
    label: str
    # Data time from which the alert names this entity (later for those who joined it).
    since: datetime | None = None


@dataclass(frozen=True)
class Evidence:
    """A record an alert cites, with what it contributed."""

    record: str  # agency/record_id
    agency: str
    record_id: str
    event_type: str
    at: datetime  # when it happened if known, else when it was recorded
    recorded_at: datetime
    grading: str
    note: str = ""


@dataclass(frozen=True)
class LawfulNote:
    """A person near the children who was not treated as a suspect, and why."""

    entity: str
    label: str
    reason: str


@dataclass
class Finding:
    """One alert as the rules see it: de-duplicated by `key`, explained in `explanation`."""

    rule: str
    key: str
    severity: str
    title: str
    area: str
    subjects: tuple[Subject, ...]
    evidence: tuple[Evidence, ...]
    first_data_time: datetime
    last_data_time: datetime
    lawful: tuple[LawfulNote, ...] = ()
    opening: str = ""  # the explanation's first sentence, before the evidence
    explanation: str = ""
    facts: dict[str, str] = field(default_factory=dict)

    def people(self, *roles: str) -> list[Subject]:
        return [s for s in self.subjects if s.kind == "person" and (not roles or s.role in roles)]
