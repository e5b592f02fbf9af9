"""From network facts to an export graph: nodes, edge kinds, dates and what is left out."""

from __future__ import annotations

from datetime import date

import pytest

from shinealight.core.exports import Edge, ExportGraph, Node, Provenance


def test_every_entity_in_the_records_is_a_node(graph: ExportGraph) -> None:
    kinds = {n.id: n.kind for n in graph.nodes}
    assert kinds == {
        "P-AMY": "person",
        "P-ASH": "person",
        "P-FORMULA": "person",
        "vrm:KX55ABC": "vehicle",
        "tel:+447700900456": "phone",
        "online:snapchat:ash_k": "online",
        "place:S65 1EQ": "location",
    }
    amy = graph.node("P-AMY")
    assert amy.label == "Amy Hill"
    assert amy.properties["focus"] is True
    assert graph.node("P-ASH").properties["alert_role"] == "adult"
    assert [p.reference for p in graph.node("P-ASH").provenance] == [
        "swy-police/S1",
        "risky-business/RB-1",
    ]


def test_edges_say_why_two_things_are_joined(graph: ExportGraph) -> None:
    edges = {(e.source, e.target): e for e in graph.edges}
    boyfriend = edges[("P-AMY", "P-ASH")]
    assert boyfriend.kind == "boyfriend"
    assert boyfriend.properties["relations"] == "boyfriend"
    (record,) = boyfriend.provenance
    assert (record.agency, record.record_id, record.grading) == ("swy-police", "S1", "2B")
    assert record.day == date(2020, 6, 1)
    # The record ties the car to Ash (the driver); Amy was only in the same record.
    assert edges[("P-ASH", "vrm:KX55ABC")].kind == "tied to"
    assert edges[("P-AMY", "vrm:KX55ABC")].kind == "co-mentioned"
    assert all(e.weight == 1 for e in graph.edges)


def test_records_lists_every_record_behind_the_graph(graph: ExportGraph) -> None:
    assert graph.records() == ["risky-business/RB-1", "swy-police/S1"]


def test_special_category_properties_never_reach_a_node() -> None:
    node = Node(
        id="P-1",
        kind="person",
        label="Amy",
        properties={"ethnicity": "White British", "Health": "asthma", "roles": "subject"},
    )
    assert dict(node.properties) == {"roles": "subject"}


def test_an_edge_to_a_missing_node_is_refused() -> None:
    amy = Node(id="P-1", kind="person", label="Amy")
    with pytest.raises(ValueError, match="missing node"):
        ExportGraph(title="t", nodes=(amy,), edges=(Edge(source="P-1", target="P-2", kind="x"),))
    with pytest.raises(ValueError, match="unique"):
        ExportGraph(title="t", nodes=(amy, amy), edges=())
    with pytest.raises(ValueError, match="unknown node kind"):
        Node(id="X", kind="record", label="x")


def test_weight_counts_distinct_records() -> None:
    p = Provenance(agency="a", record_id="1")
    edge = Edge(source="A", target="B", kind="co-mentioned", provenance=(p, p))
    assert edge.weight == 1
