"""Who is a child, who is at risk and since when, and which contacts are lawful."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from shinealight.core.alerts.config import Definitions
from shinealight.core.network import NetworkGraph, ObjectFact, PersonFact, RecordFact
from shinealight.core.schema import vocabulary


@dataclass(frozen=True)
class ChildContact:
    """An adult and a child in one record, and whether the adult was there lawfully."""

    record: RecordFact
    adult: PersonFact
    child: PersonFact
    lawful: str | None  # the reason, when lawful
    linked_as: str = ""  # a relation the record gives ('boyfriend')


@dataclass(frozen=True)
class ObjectContact:
    """An object in a record about a child, and whether it was there lawfully."""

    record: RecordFact
    obj: ObjectFact
    child: PersonFact
    lawful: str | None


class Context:
    """Facts every rule needs, computed once per analysis from the graph and definitions."""

    def __init__(self, graph: NetworkGraph, definitions: Definitions) -> None:
        self.graph = graph
        self.d = definitions
        self.risk_codes = set(vocabulary().risk_indicators)
        self.category_of = {
            code: name for name, codes in definitions.indicator_categories.items() for code in codes
        }
        self._contracted = self._contracted_pairs()
        self.at_risk_since: dict[str, datetime] = {}
        self.risk_signs: dict[str, list[str]] = defaultdict(list)
        self._compute_risk()
        self.child_contacts: list[ChildContact] = []
        self.object_contacts: list[ObjectContact] = []
        self._compute_contacts()

    # Ages and roles ---------------------------------------------------------------------

    def _age(self, person: PersonFact, at: datetime) -> float | None:
        age = self.graph.age_of(person.entity, at)
        return age if age is not None else person.age

    def is_child(self, person: PersonFact, record: RecordFact) -> bool:
        age = self._age(person, record.recorded_at)
        if age is None:
            return person.role in self.d.child_roles
        return age < self.d.adult_age

    def is_adult(self, person: PersonFact, record: RecordFact) -> bool:
        age = self._age(person, record.recorded_at)
        if age is None:
            return person.role in self.d.suspect_roles_without_age_are_adults
        return age >= self.d.adult_age

    def age_phrase(self, entity: str, at: datetime) -> str:
        age = self.graph.age_of(entity, at)
        return f"about {int(age)}" if age is not None else "age not recorded"

    # Risk ---------------------------------------------------------------------------------

    def _compute_risk(self) -> None:
        """A child is at risk from the record that makes their risk indicators reach the bar."""
        window = timedelta(days=self.d.at_risk.window_days)
        strong = set(self.d.at_risk.strong_indicators)
        signs: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        for record in self.graph.sorted_records():
            codes = [c for c in record.indicators if c in self.risk_codes]
            if not codes:
                continue
            for child in self.graph.subjects_of(record.key):
                if not self.is_child(child, record):
                    continue
                history = signs[child.entity]
                history.extend((record.recorded_at, c) for c in codes)
                for c in codes:
                    if c not in self.risk_signs[child.entity]:
                        self.risk_signs[child.entity].append(c)
                if child.entity in self.at_risk_since:
                    continue
                recent = {c for t, c in history if t >= record.recorded_at - window}
                if strong & set(codes) or len(recent) >= self.d.at_risk.min_distinct_indicators:
                    self.at_risk_since[child.entity] = record.recorded_at

    def at_risk_by(self, entity: str, at: datetime) -> datetime | None:
        """When the child became at risk, if they ever did; None if never."""
        return self.at_risk_since.get(entity)

    # Lawful contacts ----------------------------------------------------------------------

    def _contracted_pairs(self) -> set[tuple[str, str]]:
        """(driver, child) pairs for which the commissioning agency recorded transport."""
        transport = self.d.lawful_contacts.contracted_transport
        pairs: set[tuple[str, str]] = set()
        for key, record in self.graph.records.items():
            if record.agency_type not in transport.agency_types:
                continue
            people = self.graph.persons_in.get(key, ())
            drivers = [p.entity for p in people if p.role in transport.roles]
            for child in people:
                if child.role in self.d.child_roles:
                    pairs.update((d, child.entity) for d in drivers)
        return pairs

    def lawful_reason(self, adult: PersonFact, child: PersonFact, record: RecordFact) -> str | None:
        """Why this adult was with this child lawfully in this record, or None."""
        lawful = self.d.lawful_contacts
        if adult.role in lawful.professional_roles:
            return "a professional acting in role"
        if adult.role in lawful.carer_roles:
            return "recorded as the child's carer"
        if adult.role in lawful.relative_roles:
            return f"recorded as the child's {adult.role}"
        transport = lawful.contracted_transport
        if adult.role in transport.roles:
            text = record.summary.lower()
            if any(phrase in text for phrase in transport.phrases):
                return "contracted transport, recorded as such in this record"
            if (adult.entity, child.entity) in self._contracted:
                return "contracted transport arranged for this child by the council"
        if lawful.relatives_at_same_address:
            shared = self.graph.postcodes(adult.entity) & self.graph.postcodes(child.entity)
            if shared:
                return f"lives at the child's address (postcode {min(shared)})"
        return None

    def _compute_contacts(self) -> None:
        for key, people in self.graph.persons_in.items():
            record = self.graph.records[key]
            children = [p for p in people if self.is_child(p, record)]
            if not children:
                continue
            relation = {
                (link.source, link.target): link.kind for link in self.graph.links_in.get(key, ())
            }
            # An adult with no name and no identifier cannot be told apart from anyone else:
            # he stays in the explanation as written, never as a suspect entity.
            adults = [
                p
                for p in people
                if p not in children
                and p.label != "unnamed"
                and self.is_adult(p, record)
                and (p.role in self.d.adult_roles or self._lawful_role(p.role))
            ]
            for adult in adults:
                for child in children:
                    linked = relation.get((child.entity, adult.entity)) or relation.get(
                        (adult.entity, child.entity), ""
                    )
                    self.child_contacts.append(
                        ChildContact(
                            record, adult, child, self.lawful_reason(adult, child, record), linked
                        )
                    )
            owners = {p.entity: p for p in people}
            for obj in self.graph.objects_in.get(key, ()):
                for child in children:
                    if obj.owners and child.entity in obj.owners and len(obj.owners) == 1:
                        continue  # the child's own phone or account
                    reason = None
                    for owner in obj.owners:
                        mention = owners.get(owner)
                        if mention is not None and mention.entity != child.entity:
                            reason = self.lawful_reason(mention, child, record)
                            if reason:
                                reason = f"belongs to {mention.label}, {reason}"
                                break
                    self.object_contacts.append(ObjectContact(record, obj, child, reason))

    def _lawful_role(self, role: str) -> bool:
        lawful = self.d.lawful_contacts
        return role in (
            *lawful.professional_roles,
            *lawful.carer_roles,
            *lawful.relative_roles,
        )
