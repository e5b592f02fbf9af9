"""FollowTheMoney entities as JSON Lines, for Aleph and the `ftm` tools.

Nodes become Person, Vehicle, UserAccount (online accounts, and phones: FollowTheMoney
has no phone schema, so a line is an account with `service` "Telephone", its number as
`username` and, where the number is a real one, `phone`) and Address. Each record joining
two nodes becomes one interval entity (Family or Associate for a relation the agency
recorded between two people, UnknownLink otherwise) dated, referenced (`recordId`) and
attributed (`publisher`) to that record. Every entity is checked against its schema
before it is written.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from shinealight.core.exports.graph import Edge, ExportGraph, Node, Provenance

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

ID_NAMESPACE = "shinealight"

FAMILY_RELATIONS = frozenset(
    {
        "parent",
        "mother",
        "father",
        "stepmother",
        "stepfather",
        "sibling",
        "brother",
        "sister",
        "half-brother",
        "half-sister",
        "son",
        "daughter",
        "child",
        "grandparent",
        "grandmother",
        "grandfather",
        "aunt",
        "uncle",
        "cousin",
    }
)


class InvalidEntity(ValueError):
    """An entity that FollowTheMoney's model refuses (a bug here, never the user's data)."""


def to_ftm_jsonl(graph: ExportGraph) -> bytes:
    """The graph as FollowTheMoney entities, one JSON object a line (UTF-8)."""
    lines: list[str] = []
    ids: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for node in graph.nodes:
        proxy = _node_entity(node)
        ids[node.id] = str(proxy.id)
        kinds[node.id] = node.kind
        lines.append(_line(proxy))
    for edge in graph.edges:
        for provenance in edge.provenance or (None,):
            proxy = _edge_entity(edge, provenance, ids, kinds)
            lines.append(_line(proxy))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _node_entity(node: Node) -> EntityProxy:
    # Imported here: loading FollowTheMoney's model takes seconds, and only this writer uses it.
    from followthemoney import model

    key = node.id.split(":", 1)[1] if ":" in node.id else node.id
    # An over-long key is stored as a digest (core.linkage.object_key): nothing to show.
    hashed = key.startswith("sha256:")
    if node.kind == "person":
        proxy = model.make_entity("Person")
        proxy.add("name", node.label)
        roles = node.properties.get("roles")
        if roles:
            proxy.add("description", f"Roles in agency records: {roles}")
    elif node.kind == "vehicle":
        proxy = model.make_entity("Vehicle")
        proxy.add("name", node.label)
        proxy.add("registrationNumber", key)
        if node.properties.get("partial"):
            proxy.add("description", "Partial registration mark")
    elif node.kind == "phone":
        proxy = model.make_entity("UserAccount")
        proxy.add("username", key)
        proxy.add("service", "Telephone")
        proxy.add("phone", key)  # dropped by the model when not a real number
    elif node.kind == "online":
        proxy = model.make_entity("UserAccount")
        platform, _, handle = ("", "", "") if hashed else key.rpartition(":")
        proxy.add("username", handle or node.label)
        proxy.add("service", platform or "Online account")
        proxy.add("name", node.label)
    else:
        proxy = model.make_entity("Address")
        proxy.add("full", node.label)
        if node.id.startswith("place:") and not node.id.startswith("place:?") and not hashed:
            proxy.add("postalCode", key)
    proxy.make_id(ID_NAMESPACE, node.id)
    return proxy


def _edge_entity(
    edge: Edge, provenance: Provenance | None, ids: dict[str, str], kinds: dict[str, str]
) -> EntityProxy:
    from followthemoney import model

    relations = str(edge.properties.get("relations") or "")
    people = kinds[edge.source] == "person" and kinds[edge.target] == "person"
    if people and relations:
        family = any(r.strip().lower() in FAMILY_RELATIONS for r in relations.split(";"))
        proxy = model.make_entity("Family" if family else "Associate")
        proxy.add("person", ids[edge.source])
        proxy.add("relative" if family else "associate", ids[edge.target])
        proxy.add("relationship", relations)
    else:
        proxy = model.make_entity("UnknownLink")
        proxy.add("subject", ids[edge.source])
        proxy.add("object", ids[edge.target])
        proxy.add("role", edge.kind)
    if provenance is not None:
        if provenance.day is not None:
            proxy.add("date", provenance.day.isoformat())
        proxy.add("recordId", provenance.reference)
        proxy.add("publisher", provenance.agency)
        summary = provenance.event_type.replace("_", " ")
        if provenance.grading:
            summary += f" (graded {provenance.grading})"
        if summary:
            proxy.add("summary", summary)
    proxy.make_id(
        ID_NAMESPACE,
        edge.source,
        edge.target,
        provenance.reference if provenance else edge.kind,
    )
    return proxy


def _line(proxy: EntityProxy) -> str:
    data: dict[str, Any] = proxy.to_dict()
    schema = proxy.schema
    try:
        schema.validate(cast(Any, data))
    except Exception as exc:  # followthemoney raises InvalidData with per-field errors
        raise InvalidEntity(f"{schema.name} {proxy.id}: {exc}") from exc
    missing = [p for p in schema.required if not data["properties"].get(p)]
    if missing:
        raise InvalidEntity(f"{schema.name} {proxy.id} lacks {', '.join(missing)}")
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
