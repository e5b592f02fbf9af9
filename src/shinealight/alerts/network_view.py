"""The network a user may see, for an alert or for a person, built only from records they
may see.

`network.graph_for_records` builds the core graph over whatever records it is handed; here
it is handed only records from `Record.objects.visible_to(user)`, so every node, link and
label on the page comes from a record the viewer could open themselves. The same
structure feeds the page's tables and the JSON the diagram draws.

Ethnicity never reaches it: the graph reads person mentions through their analytical
fields only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from shinealight.alerts import selectors
from shinealight.alerts.entities import UNRESOLVED_PREFIX, resolver
from shinealight.alerts.models import Alert
from shinealight.alerts.network import graph_for_records
from shinealight.core.alerts import load_rules
from shinealight.core.network import NetworkGraph, RecordFact
from shinealight.records.models import PersonMention, Record

# A person in hundreds of records (a youth worker, a children's home) would make a diagram
# nobody can read; the newest records are drawn and the page says how many were left out.
MAX_RECORDS = 400
CHUNK = 900

OBJECT_KINDS = {
    "vehicle": "Vehicle",
    "phone": "Phone",
    "online": "Online account",
    "location": "Place",
}
# How an alert names its people, in words for the page.
ALERT_ROLES = {
    "child": "Child at risk",
    "suspect": "Adult: suspect",
    "associate": "Adult: associate",
    "driver": "Adult: driver",
}
PERSON_CATEGORIES = {
    "child": "Child",
    "adult": "Adult",
    "person": "Person, age not known",
}


@dataclass
class Network:
    """Nodes, links with their provenance, and the months the time slider steps through."""

    title: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, str]] = field(default_factory=list)
    records_shown: int = 0
    records_left_out: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "months": self.months,
            "nodes": self.nodes,
            "edges": self.edges,
            "records_shown": self.records_shown,
            "records_left_out": self.records_left_out,
        }


def person_href(entity_id: str) -> str:
    """The person's profile page (entities linkage has not placed yet have none)."""
    if entity_id.startswith(UNRESOLVED_PREFIX):
        return ""
    return "/people/" + quote(entity_id, safe="")


def person_network_href(entity_id: str) -> str:
    return reverse("person-network", kwargs={"entity_id": entity_id})


def alert_network(*, user: Any, alert: Alert) -> Network:
    """The records the alert cites that the user may see, and who and what they join."""
    visible = selectors.alert_visible_record_ids(user=user, alert=alert)
    pks, left_out = _newest(visible)
    roles = {
        _node_id(s.kind, s.entity_id): ALERT_ROLES.get(s.role, s.role.replace("_", " "))
        for s in alert.subjects.all()
    }
    graph = graph_for_records(pks, resolver())
    network = _build(graph, alert_roles=roles, focus=set(roles))
    network.title = alert.shown_to(user).title
    network.records_left_out = left_out
    return network


def person_record_ids(*, user: Any, entity_id: str) -> set[int]:
    """The records naming the person that the user may see."""
    mentions = resolver().mentions_of([entity_id]).get(entity_id, [])
    visible = Record.objects.visible_to(user).values("pk")
    found: set[int] = set()
    for start in range(0, len(mentions), CHUNK):
        found |= set(
            PersonMention.objects.filter(
                mention_id__in=mentions[start : start + CHUNK], record__in=visible
            ).values_list("record_id", flat=True)
        )
    return found


def person_network(*, user: Any, entity_id: str) -> Network | None:
    """The person's records the user may see, and everyone and everything in them.

    None when the user may see no record of the person: to them the person does not exist.
    """
    visible = person_record_ids(user=user, entity_id=entity_id)
    if not visible:
        return None
    pks, left_out = _newest(visible)
    graph = graph_for_records(pks, resolver())
    focus = _node_id("person", entity_id)
    network = _build(graph, alert_roles={}, focus={focus})
    network.title = graph.label(entity_id)
    network.records_left_out = left_out
    return network


def _newest(pks: Iterable[int]) -> tuple[list[int], int]:
    ids = list(pks)
    if len(ids) <= MAX_RECORDS:
        return ids, 0
    newest = list(
        Record.objects.filter(pk__in=ids)
        .order_by("-recorded_at", "-pk")
        .values_list("pk", flat=True)[:MAX_RECORDS]
    )
    return newest, len(ids) - len(newest)


def _node_id(kind: str, entity: str) -> str:
    return f"{kind}|{entity}"


def _when(record: RecordFact) -> datetime:
    return timezone.localtime(record.occurred_at or record.recorded_at)


def _provenance(record: RecordFact, relation: str) -> dict[str, str]:
    when = _when(record)
    return {
        "record": record.key,
        "agency": record.agency,
        "record_id": record.record_id,
        "type": record.event_type.replace("_", " "),
        "date": when.date().isoformat(),
        "date_label": f"{when.day} {when:%b %Y}",
        "grading": record.grading,
        "relation": relation,
        "href": reverse(
            "records-detail", kwargs={"agency": record.agency, "record_id": record.record_id}
        ),
    }


def _role(role: str) -> str:
    return role.replace("_", " ") if role else "role not given"


def _build(graph: NetworkGraph, *, alert_roles: dict[str, str], focus: set[str]) -> Network:
    definitions = load_rules().definitions
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    person_roles: dict[str, set[str]] = {}
    last_seen: dict[str, datetime] = {}

    def touch(node_id: str, record: RecordFact, **data: Any) -> None:
        when = _when(record)
        node = nodes.get(node_id)
        if node is None:
            node = nodes[node_id] = {"id": node_id, "first": when, "records": set(), **data}
        node["first"] = min(node["first"], when)
        node["records"].add(record.key)

    def link(a: str, b: str, record: RecordFact, relation: str) -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = {"source": key[0], "target": key[1], "provenance": {}}
        # One line per record: a second relation the same record gives is added to it.
        seen = edge["provenance"].get(record.key)
        if seen is None:
            edge["provenance"][record.key] = _provenance(record, relation)
        elif relation not in seen["relation"]:
            seen["relation"] += "; " + relation

    for record in graph.sorted_records():
        people = graph.persons_in.get(record.key, [])
        for person in people:
            node_id = _node_id("person", person.entity)
            touch(node_id, record, kind="person", entity_id=person.entity)
            person_roles.setdefault(person.entity, set()).add(person.role)
            last_seen[person.entity] = max(
                last_seen.get(person.entity, record.recorded_at), record.recorded_at
            )
        for i, left in enumerate(people):
            for right in people[i + 1 :]:
                link(
                    _node_id("person", left.entity),
                    _node_id("person", right.entity),
                    record,
                    f"named together: {graph.label(left.entity)} ({_role(left.role)}), "
                    f"{graph.label(right.entity)} ({_role(right.role)})",
                )
        for recorded in graph.links_in.get(record.key, []):
            link(
                _node_id("person", recorded.source),
                _node_id("person", recorded.target),
                record,
                f"recorded relationship: {recorded.kind.replace('_', ' ')}",
            )
        for thing in graph.objects_in.get(record.key, []):
            node_id = _node_id(thing.kind, thing.entity)
            touch(node_id, record, kind=thing.kind, entity_id=thing.entity, label=thing.label)
            if thing.owners:
                owners = thing.owners
                relation = f"{OBJECT_KINDS[thing.kind].lower()} tied to them in the record"
            else:
                owners = tuple(p.entity for p in people)
                relation = f"{OBJECT_KINDS[thing.kind].lower()} in the same record"
            if thing.extracted:
                relation += " (found in the summary)"
            for owner in owners:
                link(_node_id("person", owner), node_id, record, relation)

    out_nodes = []
    for node_id, node in sorted(nodes.items(), key=lambda kv: (kv[1]["first"], kv[0])):
        kind = node["kind"]
        entity = node["entity_id"]
        item: dict[str, Any] = {
            "id": node_id,
            "kind": kind,
            "entity_id": entity,
            "focus": node_id in focus,
            "first": node["first"].date().isoformat(),
            "month": node["first"].strftime("%Y-%m"),
            "records": len(node["records"]),
        }
        if kind == "person":
            category = _person_category(
                graph, entity, person_roles.get(entity, set()), last_seen[entity], definitions
            )
            recorded = sorted(_role(r) for r in person_roles.get(entity, set()))
            item.update(
                label=graph.label(entity),
                category=category,
                type_label=alert_roles.get(node_id) or PERSON_CATEGORIES[category],
                detail="recorded as " + ", ".join(recorded),
                href=person_href(entity),
                network_href=person_network_href(entity),
            )
            if alert_roles.get(node_id, "").startswith("Adult"):
                item["category"] = "adult"
            elif alert_roles.get(node_id) == ALERT_ROLES["child"]:
                item["category"] = "child"
        else:
            item.update(
                label=node.get("label") or entity,
                category=kind,
                type_label=OBJECT_KINDS[kind],
                detail="",
                href="",
                network_href="",
            )
        out_nodes.append(item)

    out_edges = []
    labels = {n["id"]: n["label"] for n in out_nodes}
    ordered = sorted(
        edges.values(),
        key=lambda e: (min(p["date"] for p in e["provenance"].values()), e["source"]),
    )
    for number, edge in enumerate(ordered, start=1):
        provenance = sorted(edge["provenance"].values(), key=lambda p: (p["date"], p["record"]))
        first = provenance[0]["date"]
        out_edges.append(
            {
                "id": f"e{number}",
                "source": edge["source"],
                "target": edge["target"],
                "source_label": labels[edge["source"]],
                "target_label": labels[edge["target"]],
                "first": first,
                "month": first[:7],
                "records": len(provenance),
                "provenance": provenance,
            }
        )
    return Network(
        title="",
        nodes=out_nodes,
        edges=out_edges,
        months=_months([n["month"] for n in out_nodes]),
        records_shown=len(graph.records),
    )


def _person_category(
    graph: NetworkGraph, entity: str, roles: set[str], last: datetime, definitions: Any
) -> str:
    """Child or adult by age at their latest record, else by the roles records give them."""
    age = graph.age_of(entity, last)
    if age is not None:
        return "child" if age < definitions.adult_age else "adult"
    if roles & set(definitions.child_roles):
        return "child"
    if roles & set(definitions.suspect_roles_without_age_are_adults):
        return "adult"
    return "person"


def _months(values: list[str]) -> list[dict[str, str]]:
    """Every month from the first to the last, so the slider moves in even steps."""
    if not values:
        return []
    first, last = min(values), max(values)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        label = datetime(year, month, 1).strftime("%B %Y")
        out.append({"value": f"{year:04d}-{month:02d}", "label": label})
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out
