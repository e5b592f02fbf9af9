"""Who else a new record can change findings for: the people whose other records the
rules must see when a few records arrive (analysis after an import).

A new record changes the findings about the people and objects it mentions. Around them,
the rules join a child to an adult who is with them not lawfully, and an adult to the
other children he is with, or children to each other through an object. So the people
whose other records matter are:

- adults with a child of the new records, not lawfully, or in the new records themselves
  (is this adult now with two children at risk?);
- the children those adults are with, not lawfully, and the children around an object of
  the new records (is each of them at risk, which only their own records say? So these
  are read in their own records alone: the record and the child in it).

Children who are only each other's friends, and professionals, carers and relatives in
role, are not followed: no rule joins children through them. `shinealight analyse`
sees everything; this bounds the work after one import to what the import can change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from shinealight.core.alerts.config import Definitions
from shinealight.core.alerts.context import Context
from shinealight.core.alerts.findings import Finding
from shinealight.core.network import NetworkGraph


def people_in(graph: NetworkGraph, records: Collection[str]) -> set[str]:
    """The person entities the records mention."""
    return {p.entity for key in records for p in graph.persons_in.get(key, ())}


def adults_to_follow(
    graph: NetworkGraph, definitions: Definitions, new_records: Collection[str]
) -> set[str]:
    """Adults whose other contacts with children the new records' findings depend on."""
    ctx = Context(graph, definitions)
    named = people_in(graph, new_records)
    return {
        c.adult.entity
        for c in ctx.child_contacts
        if c.lawful is None and (c.child.entity in named or c.adult.entity in named)
    }


def children_to_follow(
    graph: NetworkGraph,
    definitions: Definitions,
    new_records: Collection[str],
    adults: Collection[str],
) -> set[str]:
    """Children whose own records (are they at risk, and since when?) those findings
    depend on: those with a followed adult not lawfully, and those around an object
    of the new records."""
    ctx = Context(graph, definitions)
    followed = set(adults)
    objects = {(o.kind, o.entity) for key in new_records for o in graph.objects_in.get(key, ())}
    out = {
        c.child.entity
        for c in ctx.child_contacts
        if c.lawful is None and c.adult.entity in followed
    }
    out |= {c.child.entity for c in ctx.object_contacts if (c.obj.kind, c.obj.entity) in objects}
    return out


# Rules about one child's own history: they must see all of it.
PER_CHILD_KINDS = ("jigsaw", "escalation")


def on_whole_histories(
    findings: Iterable[Finding], kinds: Mapping[str, str], whole: Collection[str]
) -> list[Finding]:
    """The findings that rest only on people whose every record the graph holds.

    Around new records the graph holds some people only in part: a friend of the child,
    seen in the records they share. A finding about such a person can be wrong, not only
    late: the jigsaw rule needs a strategy discussion to be absent, and an adult is a
    relative at the child's address, or contracted transport, by records elsewhere.
    So a finding is kept when the people it names as suspects or associates (and, for a
    rule about one child's history, the child) are held whole. `kinds` maps rule ids to
    kinds. What is left out waits for the next full `analyse`.
    """
    held = set(whole)

    def rests_on_whole(finding: Finding) -> bool:
        per_child = kinds.get(finding.rule) in PER_CHILD_KINDS
        return all(s.entity in held for s in finding.people() if per_child or s.role != "child")

    return [f for f in findings if rests_on_whole(f)]
