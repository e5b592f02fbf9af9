"""The network graph: entities as nodes, records as the edges that join them."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from shinealight.core.network.facts import LinkFact, ObjectFact, PersonFact, RecordFact

N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True)
class Contact:
    """Two people, or a person and an object, in one record: one edge of the network."""

    record: RecordFact
    left: str
    right: str
    left_role: str
    right_role: str


class NetworkGraph:
    """Indexes network facts by record and by entity.

    Nodes are resolved entities (people by the linkage's entity id, objects by their
    normalised key). Two entities are joined by every record that mentions both, with
    the record's agency, time, grading and each side's role as the record gave it.
    """

    def __init__(
        self,
        records: Iterable[RecordFact],
        persons: Iterable[PersonFact],
        objects: Iterable[ObjectFact] = (),
        links: Iterable[LinkFact] = (),
    ) -> None:
        self.records: dict[str, RecordFact] = {r.key: r for r in records}
        self.persons_in: dict[str, list[PersonFact]] = defaultdict(list)
        self.objects_in: dict[str, list[ObjectFact]] = defaultdict(list)
        self.links_in: dict[str, list[LinkFact]] = defaultdict(list)
        self.person_mentions: dict[str, list[PersonFact]] = defaultdict(list)
        self.object_mentions: dict[str, list[ObjectFact]] = defaultdict(list)
        for p in persons:
            if p.record in self.records:
                self.persons_in[p.record].append(p)
                self.person_mentions[p.entity].append(p)
        for o in objects:
            if o.record in self.records:
                self.objects_in[o.record].append(o)
                self.object_mentions[o.kind + "|" + o.entity].append(o)
        for link in links:
            if link.record in self.records:
                self.links_in[link.record].append(link)
        self._birth: dict[str, float | None] = {}
        self._labels: dict[str, str] = {}
        self._postcodes: dict[str, frozenset[str]] = {}

    # People -----------------------------------------------------------------------------

    def birth_estimate(self, entity: str) -> float | None:
        """The entity's year of birth as its records imply it (median over mentions)."""
        if entity not in self._birth:
            years = [
                _year_fraction(self.records[m.record].recorded_at) - m.age
                for m in self.person_mentions.get(entity, ())
                if m.age is not None
            ]
            self._birth[entity] = statistics.median(years) if years else None
        return self._birth[entity]

    def age_of(self, entity: str, at: datetime) -> float | None:
        """The entity's age at `at`, or None when no record gives a birth date or an age."""
        born = self.birth_estimate(entity)
        return None if born is None else _year_fraction(at) - born

    def label(self, entity: str) -> str:
        """The name most records use for the entity (the fullest among the most common)."""
        if entity not in self._labels:
            names = Counter(
                m.label for m in self.person_mentions.get(entity, ()) if m.label != "unnamed"
            )
            best = sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
            self._labels[entity] = best[0][0] if best else "unnamed person"
        return self._labels[entity]

    def postcodes(self, entity: str) -> frozenset[str]:
        """Every postcode any record gives for the person (worked out once per person: a
        children's home manager in thousands of records is asked about for each child)."""
        if entity not in self._postcodes:
            self._postcodes[entity] = frozenset(
                m.postcode for m in self.person_mentions.get(entity, ()) if m.postcode
            )
        return self._postcodes[entity]

    def records_of(self, entity: str) -> list[RecordFact]:
        """The records that mention a person entity, oldest first."""
        keys = {m.record for m in self.person_mentions.get(entity, ())}
        return sorted((self.records[k] for k in keys), key=_record_order)

    def object_records(self, kind: str, entity: str) -> list[RecordFact]:
        """The records that mention an object entity, oldest first."""
        keys = {m.record for m in self.object_mentions.get(kind + "|" + entity, ())}
        return sorted((self.records[k] for k in keys), key=_record_order)

    def person_entities(self) -> list[str]:
        return sorted(self.person_mentions)

    def object_entities(self) -> list[tuple[str, str]]:
        """Every object as (kind, entity key)."""
        return sorted(tuple(k.split("|", 1)) for k in self.object_mentions)  # type: ignore[misc]

    def subjects_of(self, record: str) -> list[PersonFact]:
        """The children a record is about: its subjects and victims."""
        return [p for p in self.persons_in.get(record, ()) if p.role in ("subject", "victim")]

    def people_contacts(self, entity: str) -> list[Contact]:
        """Every co-mention of the person with another person, oldest first."""
        out: list[Contact] = []
        for mention in self.person_mentions.get(entity, ()):
            record = self.records[mention.record]
            for other in self.persons_in[mention.record]:
                if other.entity != entity:
                    out.append(Contact(record, entity, other.entity, mention.role, other.role))
        out.sort(key=lambda c: (_record_order(c.record), c.right))
        return out

    def sorted_records(self) -> list[RecordFact]:
        return sorted(self.records.values(), key=_record_order)


def connected_groups(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[set[N]]:
    """The connected components of an undirected graph (union-find, no dependencies)."""
    parent: dict[N, N] = {n: n for n in nodes}

    def find(n: N) -> N:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[N, set[N]] = defaultdict(set)
    for n in list(parent):
        groups[find(n)].add(n)
    return list(groups.values())


def _year_fraction(at: datetime) -> float:
    return at.year + (at.timetuple().tm_yday - 1) / 365.25


def _record_order(record: RecordFact) -> tuple[datetime, str]:
    return (record.recorded_at, record.key)


def sorted_unique(values: Sequence[str]) -> list[str]:
    return sorted(set(values))
