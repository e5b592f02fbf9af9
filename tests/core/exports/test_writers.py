"""Each export opens in its consumer's parser, with the structure that consumer expects."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

import networkx as nx
from followthemoney import model
from tests.core.exports.conftest import AWKWARD, FORMULA

from shinealight.core.exports import (
    FORMATS,
    ChronologyRow,
    ExportGraph,
    to_anx,
    to_chronology_csv,
    to_csv,
    to_ftm_jsonl,
    to_gexf,
    to_graphml,
)

# What XML can carry of the awkward name: the bell character is not allowed in XML 1.0.
AWKWARD_IN_XML = AWKWARD.replace("\x07", "\ufffd")


# i2 ANX -------------------------------------------------------------------------------


def test_anx_is_a_chart_whose_items_reference_declared_types(graph: ExportGraph) -> None:
    data = to_anx(graph, created=datetime(2024, 1, 2, 3, 4, 5))
    assert b"<script>" not in data  # markup in a name is escaped, never live
    root = ET.fromstring(data)
    assert root.tag == "Chart"
    order = [child.tag for child in root]
    assert order == [
        "ApplicationVersion",
        "StrengthCollection",
        "GradeOne",
        "GradeTwo",
        "AttributeClassCollection",
        "EntityTypeCollection",
        "LinkTypeCollection",
        "Summary",
        "ChartItemCollection",
    ]
    entity_types = {t.get("Id"): t.get("Name") for t in root.iter("EntityType")}
    link_types = {t.get("Id"): t.get("Name") for t in root.iter("LinkType")}
    classes = {c.get("Id"): c.get("Name") for c in root.iter("AttributeClass")}
    strengths = {s.get("Name") for s in root.iter("Strength")}
    items = root.find("ChartItemCollection")
    assert items is not None
    entities = [i for i in items if i.find("End/Entity") is not None]
    links = [i for i in items if i.find("Link") is not None]
    assert len(entities) == len(graph.nodes)
    # One link per record behind each edge, so i2's timeline shows every contact.
    assert len(links) == sum(len(e.provenance) for e in graph.edges)

    entity_ids = {}
    for item in entities:
        entity = item.find("End/Entity")
        style = item.find("End/Entity/Icon/IconStyle")
        assert entity is not None and style is not None
        assert entity_types[style.get("EntityTypeReference")] == style.get("Type")
        entity_ids[entity.get("EntityId")] = entity.get("Identity")
        for attribute in item.iter("Attribute"):
            assert classes[attribute.get("AttributeClassReference")] == attribute.get(
                "AttributeClass"
            )
    assert sorted(entity_ids.values()) == sorted(n.id for n in graph.nodes)
    labels = {e.find("End/Entity").get("Identity"): e.get("Label") for e in entities}  # type: ignore[union-attr]
    assert labels["P-ASH"] == AWKWARD_IN_XML

    for item in links:
        link = item.find("Link")
        style = item.find("Link/LinkStyle")
        assert link is not None and style is not None
        assert link.get("End1Id") in entity_ids and link.get("End2Id") in entity_ids
        assert link_types[style.get("LinkTypeReference")] == style.get("Type")
        assert style.get("Strength") in strengths
        assert item.get("DateSet") == "true" and item.get("DateTime", "").startswith("2020-")
        assert item.get("SourceReference") in graph.records()
    graded = [i for i in links if i.get("SourceReference") == "swy-police/S1"]
    # Source grade 2 is index 1 of GradeOne; intelligence grade B is index 1 of GradeTwo.
    assert {(i.get("GradeOneIndex"), i.get("GradeTwoIndex")) for i in graded} == {("1", "1")}

    marking = root.find("Summary/CustomPropertyCollection/CustomProperty")
    assert marking is not None and marking.get("Value") == "OFFICIAL-SENSITIVE"
    title = root.find("Summary/FieldCollection/Field")
    assert title is not None and title.get("Field") == "Network of Amy Hill"


# GEXF -----------------------------------------------------------------------------------


def test_gexf_opens_in_networkx_with_attributes_and_dates(graph: ExportGraph) -> None:
    data = to_gexf(graph)
    root = ET.fromstring(data)
    ns = {"g": "http://gexf.net/1.3"}
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    element = root.find("g:graph", ns)
    assert element is not None
    assert element.get("mode") == "dynamic" and element.get("timeformat") == "date"
    assert {a.get("class") for a in element.findall("g:attributes", ns)} == {"node", "edge"}

    g = nx.read_gexf(io.BytesIO(data))
    assert set(g.nodes) == {n.id for n in graph.nodes}
    assert g.number_of_edges() == len(graph.edges)
    assert g.nodes["P-ASH"]["label"] == AWKWARD_IN_XML
    assert g.nodes["vrm:KX55ABC"]["kind"] == "vehicle"
    assert g.nodes["vrm:KX55ABC"]["partial"] is False
    assert g.nodes["P-AMY"]["records"] == 1
    edge = g.edges["P-AMY", "P-ASH"]
    assert edge["kind"] == "boyfriend"
    assert edge["start"] == "2020-06-01"
    assert edge["record_refs"] == "swy-police/S1"
    assert edge["gradings"] == "2B"


# GraphML --------------------------------------------------------------------------------


def test_graphml_opens_in_networkx(graph: ExportGraph) -> None:
    data = to_graphml(graph)
    root = ET.fromstring(data)
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    g = nx.read_graphml(io.BytesIO(data))
    assert set(g.nodes) == {n.id for n in graph.nodes}
    assert g.number_of_edges() == len(graph.edges)
    assert g.nodes["P-ASH"]["label"] == AWKWARD_IN_XML
    assert g.nodes["tel:+447700900456"]["kind"] == "phone"
    edge = g.edges["P-ASH", "P-FORMULA"]
    assert edge["record_refs"] == "risky-business/RB-1"
    assert edge["first_seen"] == "2020-07-02"
    assert edge["weight"] == 1


# FollowTheMoney -------------------------------------------------------------------------


def test_every_ftm_entity_is_valid_for_its_schema(graph: ExportGraph) -> None:
    lines = to_ftm_jsonl(graph).decode("utf-8").splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    ids = {p.id for p in proxies}
    assert len(ids) == len(proxies)
    for proxy, line in zip(proxies, lines, strict=True):
        data = json.loads(line)
        assert proxy.schema.validate(data) is None
        assert all(data["properties"].get(p) for p in proxy.schema.required), data
        # Edges point at entities in the same file.
        for prop in proxy.schema.properties.values():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids, (proxy.schema.name, prop.name)
    by_schema: dict[str, list] = {}  # type: ignore[type-arg]
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    # FollowTheMoney's own cleaning drops the control character; the markup stays as text.
    names = {p.first("name") for p in by_schema["Person"]}
    assert names == {"Amy Hill", AWKWARD.replace("\x07", ""), FORMULA}
    assert by_schema["Vehicle"][0].first("registrationNumber") == "KX55ABC"
    accounts = {p.first("service"): p.first("username") for p in by_schema["UserAccount"]}
    assert accounts == {"Telephone": "+447700900456", "snapchat": "ash_k"}
    assert by_schema["Address"][0].first("postalCode") == "S65 1EQ"
    (boyfriend,) = by_schema["Associate"]
    assert boyfriend.first("relationship") == "boyfriend"
    assert boyfriend.first("recordId") == "swy-police/S1"
    assert boyfriend.first("date") == "2020-06-01"
    assert boyfriend.first("publisher") == "swy-police"
    assert len(by_schema["UnknownLink"]) == len(graph.edges) - 1


# CSV ------------------------------------------------------------------------------------


def _read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_zip_round_trips_and_defuses_formulas(graph: ExportGraph) -> None:
    archive = zipfile.ZipFile(io.BytesIO(to_csv(graph)))
    assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
    nodes = {row["Id"]: row for row in _read(archive.read("nodes.csv"))}
    edges = _read(archive.read("edges.csv"))
    assert set(nodes) == {n.id for n in graph.nodes}
    assert nodes["P-ASH"]["Label"] == AWKWARD  # CSV carries any text, quoted
    assert nodes["P-FORMULA"]["Label"] == "'" + FORMULA  # a spreadsheet will not run it
    # A phone number with a plus sign is a value, not a formula: left as it is.
    assert nodes["tel:+447700900456"]["Label"] == "07700 900456"
    assert nodes["P-AMY"]["Records"] == "swy-police/S1"
    assert len(edges) == len(graph.edges)
    assert {e["Type"] for e in edges} == {"Undirected"}
    boyfriend = next(e for e in edges if e["Kind"] == "boyfriend")
    assert (boyfriend["Source"], boyfriend["Target"]) == ("P-AMY", "P-ASH")
    assert boyfriend["First seen"] == "2020-06-01" and boyfriend["Gradings"] == "2B"
    assert to_csv(graph) == to_csv(graph)  # the same graph gives the same file


def test_chronology_csv_is_in_order_and_leaves_out_health_details() -> None:
    def at(day: int) -> datetime:
        return datetime(2020, 6, day, 10, 0, tzinfo=UTC)

    rows = [
        ChronologyRow(
            when=at(9),
            recorded_at=at(9),
            agency="rdash-sexual-health",
            agency_type="health",
            record_id="SH-1",
            event_type="sexual_health",
            role="subject",
            indicators=("repeat_sexual_health_attendance", "older_boyfriend"),
            summary="Third attendance this year.",
        ),
        ChronologyRow(
            when=at(2),
            recorded_at=at(3),
            agency="swy-police",
            agency_type="police",
            record_id="S1",
            event_type="police_stop",
            role="subject",
            grading="2B P",
            handling_conditions="Do not disclose to the family",
            indicators=("in_car_with_unknown_adults",),
            summary='Found in a car; said "Ash" is her boyfriend.\nReturned home.',
        ),
    ]
    out = _read(to_chronology_csv(rows))
    assert [r["record_id"] for r in out] == ["S1", "SH-1"]
    police, health = out
    assert police["summary"] == 'Found in a car; said "Ash" is her boyfriend.\nReturned home.'
    assert police["handling_conditions"] == "Do not disclose to the family"
    assert police["date"] == "2020-06-02T10:00+00:00"
    assert health["event_type"] == "sexual_health"  # the contact and its date stay
    assert "Third attendance" not in health["summary"]
    assert health["summary"].startswith("[withheld")
    assert health["indicators"] == "older_boyfriend"


def test_formats_name_their_writer_extension_and_media_type(graph: ExportGraph) -> None:
    assert set(FORMATS) == {"anx", "gexf", "graphml", "ftm", "csv"}
    for fmt in FORMATS.values():
        assert fmt.write(graph)
        assert fmt.content_type and fmt.extension
