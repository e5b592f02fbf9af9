"""From the partnership network to an export graph: nodes, edges and their records.

The caller decides which records the network holds (for a user, only those they may see);
everything here is drawn from those records alone, so nothing from a record outside the
user's view can reach a node label, an edge or a date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from shinealight.core.exports.graph import Edge, ExportGraph, Node, Provenance, Scalar
from shinealight.core.network import NetworkGraph, RecordFact

CO_MENTIONED = "co-mentioned"
TIED_TO = "tied to"


def provenance_of(record: RecordFact) -> Provenance:
    """The record as exports cite it: agency, id, when it happened, grading, event type."""
    return Provenance(
        agency=record.agency,
        record_id=record.record_id,
        date=record.occurred_at or record.recorded_at,
        grading=record.grading,
        event_type=record.event_type,
    )


@dataclass
class _Pair:
    records: list[RecordFact] = field(default_factory=list)
    relations: set[str] = field(default_factory=set)
    tied: bool = False
    direction: tuple[str, str] | None = None


def graph_from_network(
    network: NetworkGraph,
    *,
    title: str,
    description: str = "",
    focus: Iterable[str] = (),
    roles: Mapping[str, str] | None = None,
) -> ExportGraph:
    """Every entity in the network's records as a node, every co-mention as an edge.

    `focus` names the nodes the export is about (the child; an alert's subjects);
    `roles` gives a node the role an alert names it in (child, adult, object).
    """
    focus_ids = set(focus)
    roles = roles or {}
    nodes: list[Node] = []
    for entity in network.person_entities():
        mentions = network.person_mentions[entity]
        props: dict[str, Scalar] = {
            "roles": ", ".join(sorted({m.role for m in mentions if m.role}))
        }
        born = network.birth_estimate(entity)
        if born is not None:
            props["birth_year_estimate"] = int(born)
        nodes.append(_node(entity, "person", network.label(entity), props, focus_ids, roles))
        nodes[-1] = _with_provenance(nodes[-1], network.records_of(entity))
    for kind, key in network.object_entities():
        found = network.object_mentions[kind + "|" + key]
        labels = Counter(m.label for m in found if m.label)
        label = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if labels else key
        props = {}
        if kind == "vehicle":
            props["partial"] = any(m.partial for m in found)
        if kind == "location":
            place_kinds = sorted({m.place_kind for m in found if m.place_kind})
            if place_kinds:
                props["place_kind"] = ", ".join(place_kinds)
        # Found only in free text: an analyst weighs it below a structured field.
        props["from_free_text_only"] = all(m.extracted for m in found)
        node = _node(key, kind, label, props, focus_ids, roles)
        nodes.append(_with_provenance(node, network.object_records(kind, key)))

    pairs: dict[tuple[str, str], _Pair] = defaultdict(_Pair)
    for record in network.sorted_records():
        people = network.persons_in.get(record.key, [])
        objects = network.objects_in.get(record.key, [])
        present: dict[str, set[str]] = defaultdict(set)  # node id -> owners (objects)
        for p in people:
            present.setdefault(p.entity, set())
        for o in objects:
            present[o.entity] |= set(o.owners)
        for a, b in combinations(sorted(present), 2):
            pair = pairs[(a, b)]
            pair.records.append(record)
            if a in present[b] or b in present[a]:
                pair.tied = True
        for link in network.links_in.get(record.key, []):
            if link.source == link.target:
                continue
            pair = pairs[tuple(sorted((link.source, link.target)))]  # type: ignore[index]
            pair.relations.add(link.kind)
            if pair.direction is None:
                pair.direction = (link.source, link.target)

    known = {n.id for n in nodes}
    edges: list[Edge] = []
    for (a, b), pair in sorted(pairs.items()):
        if a not in known or b not in known:
            continue
        if pair.relations:
            kind = sorted(pair.relations)[0]
        elif pair.tied:
            kind = TIED_TO
        else:
            kind = CO_MENTIONED
        source, target = pair.direction or (a, b)
        edge_props: dict[str, Scalar] = {}
        if pair.relations:
            edge_props["relations"] = "; ".join(sorted(pair.relations))
        label = str(edge_props.get("relations", kind))
        edges.append(
            Edge(
                source=source,
                target=target,
                kind=kind,
                label=str(label),
                provenance=tuple(provenance_of(r) for r in pair.records),
                properties=edge_props,
            )
        )
    return ExportGraph(title=title, description=description, nodes=tuple(nodes), edges=tuple(edges))


def _node(
    node_id: str,
    kind: str,
    label: str,
    props: dict[str, Scalar],
    focus: set[str],
    roles: Mapping[str, str],
) -> Node:
    if node_id in focus:
        props["focus"] = True
    if node_id in roles:
        props["alert_role"] = roles[node_id]
    return Node(id=node_id, kind=kind, label=label, properties=props)


def _with_provenance(node: Node, records: Iterable[RecordFact]) -> Node:
    return Node(
        id=node.id,
        kind=node.kind,
        label=node.label,
        properties=node.properties,
        provenance=tuple(provenance_of(r) for r in records),
    )
