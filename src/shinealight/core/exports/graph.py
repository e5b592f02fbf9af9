"""The graph every export writes: typed nodes, edges with the records behind them, and rows.

Writers read only these types, so what may leave the system is decided once, here and in
`special`, and never by a writer: a field that is not on a node, an edge or a row cannot
reach an i2 chart or a Gephi file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shinealight.core.exports.special import safe_properties

Scalar = str | int | float | bool

# What each kind of node is, in the words an analyst would use; writers map these to the
# consumer's own types (i2 entity types, FollowTheMoney schemata).
NODE_KINDS = ("person", "vehicle", "phone", "online", "location")


@dataclass(frozen=True)
class Provenance:
    """One record behind a node or an edge: whose, which, when and how graded."""

    agency: str
    record_id: str
    date: dt.datetime | dt.date | None = None
    grading: str = ""
    event_type: str = ""

    @property
    def reference(self) -> str:
        """`agency/record_id`, the partnership-wide name of the record."""
        return f"{self.agency}/{self.record_id}"

    @property
    def day(self) -> dt.date | None:
        if isinstance(self.date, dt.datetime):
            return self.date.date()
        return self.date


@dataclass(frozen=True)
class Node:
    """A person, vehicle, phone, online account or place."""

    id: str
    kind: str
    label: str
    properties: Mapping[str, Scalar] = field(default_factory=dict)
    provenance: tuple[Provenance, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {self.kind!r}; expected one of {NODE_KINDS}")
        object.__setattr__(self, "properties", safe_properties(self.properties))


@dataclass(frozen=True)
class Edge:
    """Two nodes joined by the records that mention both (or that record a relation).

    `kind` is the strongest reason: a relation the agency recorded ("boyfriend"), then
    `tied to` (the record ties an object to the person), then `co-mentioned`.
    """

    source: str
    target: str
    kind: str
    provenance: tuple[Provenance, ...] = ()
    label: str = ""
    properties: Mapping[str, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", safe_properties(self.properties))

    @property
    def weight(self) -> int:
        """How many records join the two ends (at least one)."""
        return max(1, len({p.reference for p in self.provenance}))


@dataclass(frozen=True)
class ExportGraph:
    """A network to export: what it is about, its nodes and its edges."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    description: str = ""

    def __post_init__(self) -> None:
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError("node ids must be unique")
        known = set(ids)
        for edge in self.edges:
            if edge.source not in known or edge.target not in known:
                raise ValueError(f"edge {edge.source} – {edge.target} names a missing node")

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def records(self) -> list[str]:
        """Every record reference behind the graph, sorted (for the audit trail)."""
        refs = {p.reference for n in self.nodes for p in n.provenance}
        refs |= {p.reference for e in self.edges for p in e.provenance}
        return sorted(refs)


@dataclass(frozen=True)
class ChronologyRow:
    """One record in a child's chronology, as the chronology CSV writes it."""

    when: dt.datetime
    recorded_at: dt.datetime
    agency: str
    agency_type: str
    record_id: str
    event_type: str
    role: str = ""
    grading: str = ""
    handling_conditions: str = ""
    indicators: tuple[str, ...] = ()
    summary: str = ""


def first_and_last(provenance: Iterable[Provenance]) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest dates among the records (None when none is dated)."""
    days = sorted(d for d in (p.day for p in provenance) if d is not None)
    return (days[0], days[-1]) if days else (None, None)
