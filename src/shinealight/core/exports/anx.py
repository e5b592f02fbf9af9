"""i2 Analyst's Notebook exchange format (ANX): a chart i2 opens with File > Open.

Layout of the file, in the order Analyst's Notebook reads it: the application version,
strengths, the 3x5x2 grading scales (GradeOne: source, GradeTwo: intelligence), attribute
classes, entity and link types, a summary carrying the protective marking, then the chart
items: one per entity (an icon placed on a circle around the nodes the export is about)
and one per link and record, dated and referenced, so i2's timeline and source columns
work. Links name their ends by `EntityId`.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date, datetime

from shinealight.core.exports.graph import (
    Edge,
    ExportGraph,
    Node,
    Provenance,
    Scalar,
    first_and_last,
)
from shinealight.core.exports.xmltext import xml_bytes, xml_text

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"

# Our node kind -> (i2 entity type name, icon file). Types are declared in the chart
# itself, so the chart opens on any installation whatever its standard type library.
ENTITY_TYPES = {
    "person": ("Person", "Person"),
    "vehicle": ("Vehicle", "Car"),
    "phone": ("Telephone", "Mobile Phone"),
    "online": ("Online account", "Internet"),
    "location": ("Location", "Address"),
}

SOURCE_GRADES = ("1", "2", "3")
INTELLIGENCE_GRADES = ("A", "B", "C", "D", "E")


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"ID{self.n}"


def to_anx(graph: ExportGraph, *, created: datetime | None = None) -> bytes:
    """The graph as an ANX chart (UTF-8 XML)."""
    ids = _Ids()
    root = ET.Element("Chart")
    ET.SubElement(root, "ApplicationVersion", Major="9", Minor="0", Point="0", Build="0")
    strengths = ET.SubElement(root, "StrengthCollection")
    ET.SubElement(strengths, "Strength", Id=ids.next(), Name="Default", DotStyle="DotStyleSolid")
    for tag, grades in (("GradeOne", SOURCE_GRADES), ("GradeTwo", INTELLIGENCE_GRADES)):
        strings = ET.SubElement(ET.SubElement(root, tag), "StringCollection")
        for text in grades:
            ET.SubElement(strings, "String", Id=ids.next(), Text=text)

    attribute_classes = _attribute_classes(graph)
    classes = ET.SubElement(root, "AttributeClassCollection")
    class_ids: dict[str, str] = {}
    for name, att_type in attribute_classes.items():
        class_ids[name] = ids.next()
        ET.SubElement(
            classes,
            "AttributeClass",
            Id=class_ids[name],
            Name=xml_text(name),
            Type=att_type,
            IsUser="true",
            UserCanAdd="true",
            UserCanRemove="true",
        )

    entity_types = ET.SubElement(root, "EntityTypeCollection")
    type_ids: dict[str, str] = {}
    for kind in sorted({n.kind for n in graph.nodes}):
        name, icon = ENTITY_TYPES[kind]
        type_ids[kind] = ids.next()
        ET.SubElement(
            entity_types,
            "EntityType",
            Id=type_ids[kind],
            Name=name,
            IconFile=icon,
            PreferredRepresentation="RepresentAsIcon",
        )
    link_types = ET.SubElement(root, "LinkTypeCollection")
    link_type_ids: dict[str, str] = {}
    for kind in sorted({e.kind for e in graph.edges}):
        link_type_ids[kind] = ids.next()
        ET.SubElement(
            link_types, "LinkType", Id=link_type_ids[kind], Name=xml_text(kind), Colour="0"
        )

    _summary(root, graph, created)

    items = ET.SubElement(root, "ChartItemCollection")
    entity_ids: dict[str, str] = {}
    for node, (x, y) in zip(graph.nodes, _layout(graph), strict=True):
        entity_ids[node.id] = str(len(entity_ids) + 1)
        _entity_item(items, ids, node, entity_ids[node.id], x, y, type_ids, class_ids)
    for edge in graph.edges:
        for provenance in edge.provenance or (None,):
            _link_item(items, ids, edge, provenance, entity_ids, link_type_ids, class_ids)
    return xml_bytes(root)


def _attribute_classes(graph: ExportGraph) -> dict[str, str]:
    out = {"Entity ID": "AttText", "Kind": "AttText", "Records": "AttNumber"}
    out |= {"First seen": "AttTime", "Last seen": "AttTime"}
    for node in graph.nodes:
        for key, value in node.properties.items():
            out.setdefault(_title(key), _att_type(value))
    out |= {"Record": "AttText", "Agency": "AttText", "Grading": "AttText"}
    out |= {"Event type": "AttText"}
    for edge in graph.edges:
        for key, value in edge.properties.items():
            out.setdefault(_title(key), _att_type(value))
    return out


def _summary(root: ET.Element, graph: ExportGraph, created: datetime | None) -> None:
    summary = ET.SubElement(root, "Summary")
    fields = ET.SubElement(summary, "FieldCollection")
    ET.SubElement(fields, "Field", Type="SummaryFieldTitle", Field=xml_text(graph.title))
    if graph.description:
        ET.SubElement(
            fields, "Field", Type="SummaryFieldComments", Field=xml_text(graph.description)
        )
    properties = ET.SubElement(summary, "CustomPropertyCollection")
    ET.SubElement(
        properties,
        "CustomProperty",
        Name="Protective marking",
        Type="String",
        Value=PROTECTIVE_MARKING,
    )
    if created is not None:
        ET.SubElement(
            summary,
            "Origin",
            CreatedDate=created.strftime("%Y-%m-%dT%H:%M:%S"),
            EditTime="0",
            RevisionNumber="1",
        )


def _entity_item(
    items: ET.Element,
    ids: _Ids,
    node: Node,
    entity_id: str,
    x: int,
    y: int,
    type_ids: dict[str, str],
    class_ids: dict[str, str],
) -> None:
    item = ET.SubElement(
        items,
        "ChartItem",
        Id=ids.next(),
        Label=xml_text(node.label),
        Description=xml_text(_describe_node(node)),
        XPosition=str(x),
    )
    end = ET.SubElement(item, "End", X=str(x), Y=str(y), Z="0")
    entity = ET.SubElement(
        end,
        "Entity",
        EntityId=entity_id,
        Identity=xml_text(node.id),
        LabelIsIdentity="true" if node.label == node.id else "false",
    )
    icon = ET.SubElement(entity, "Icon")
    ET.SubElement(
        icon,
        "IconStyle",
        Type=ENTITY_TYPES[node.kind][0],
        EntityTypeReference=type_ids[node.kind],
    )
    first, last = first_and_last(node.provenance)
    values: list[tuple[str, str]] = [
        ("Entity ID", node.id),
        ("Kind", node.kind),
        ("Records", str(len({p.reference for p in node.provenance}))),
    ]
    if first is not None and last is not None:
        values += [("First seen", _when(first)), ("Last seen", _when(last))]
    values += [(_title(k), _value(v)) for k, v in node.properties.items()]
    _attributes(item, values, class_ids)


def _link_item(
    items: ET.Element,
    ids: _Ids,
    edge: Edge,
    provenance: Provenance | None,
    entity_ids: dict[str, str],
    link_type_ids: dict[str, str],
    class_ids: dict[str, str],
) -> None:
    attrs = {"Id": ids.next(), "Label": xml_text(edge.label or edge.kind)}
    values: list[tuple[str, str]] = []
    if provenance is not None:
        attrs["Description"] = xml_text(_describe_record(provenance))
        attrs["SourceReference"] = xml_text(provenance.reference)
        attrs["SourceType"] = xml_text(provenance.agency)
        if provenance.date is not None:
            attrs["DateSet"] = "true"
            attrs["DateTime"] = _when(provenance.date)
            if isinstance(provenance.date, datetime):
                attrs["TimeSet"] = "true"
        source_grade, intelligence_grade = _grades(provenance.grading)
        if source_grade is not None:
            attrs["GradeOneIndex"] = str(source_grade)
        if intelligence_grade is not None:
            attrs["GradeTwoIndex"] = str(intelligence_grade)
        values += [
            ("Record", provenance.reference),
            ("Agency", provenance.agency),
            ("Grading", provenance.grading),
            ("Event type", provenance.event_type),
        ]
    item = ET.SubElement(items, "ChartItem", attrs)
    link = ET.SubElement(
        item, "Link", End1Id=entity_ids[edge.source], End2Id=entity_ids[edge.target]
    )
    ET.SubElement(
        link,
        "LinkStyle",
        Strength="Default",
        Type=xml_text(edge.kind),
        LinkTypeReference=link_type_ids[edge.kind],
    )
    values += [(_title(k), _value(v)) for k, v in edge.properties.items()]
    _attributes(item, values, class_ids)


def _attributes(item: ET.Element, values: list[tuple[str, str]], class_ids: dict[str, str]) -> None:
    present = [(name, value) for name, value in values if value != ""]
    if not present:
        return
    collection = ET.SubElement(item, "AttributeCollection")
    for name, value in present:
        ET.SubElement(
            collection,
            "Attribute",
            AttributeClass=xml_text(name),
            AttributeClassReference=class_ids[name],
            Value=xml_text(value),
        )


def _layout(graph: ExportGraph) -> list[tuple[int, int]]:
    """The nodes the export is about at the centre, everything else on a circle round them."""
    centre = [n for n in graph.nodes if n.properties.get("focus")]
    ring = [n for n in graph.nodes if not n.properties.get("focus")]
    spots: dict[str, tuple[int, int]] = {}
    for i, node in enumerate(centre):
        spots[node.id] = (i * 300, 0)
    radius = max(600, 120 * len(ring))
    for i, node in enumerate(ring):
        angle = 2 * math.pi * i / max(1, len(ring))
        spots[node.id] = (round(radius * math.cos(angle)), round(radius * math.sin(angle)))
    return [spots[n.id] for n in graph.nodes]


def _grades(grading: str) -> tuple[int | None, int | None]:
    source = grading[:1]
    intelligence = grading[1:2]
    return (
        SOURCE_GRADES.index(source) if source in SOURCE_GRADES else None,
        INTELLIGENCE_GRADES.index(intelligence) if intelligence in INTELLIGENCE_GRADES else None,
    )


def _describe_node(node: Node) -> str:
    roles = node.properties.get("roles")
    return f"{node.kind}; roles in records: {roles}" if roles else node.kind


def _describe_record(p: Provenance) -> str:
    parts = [p.event_type.replace("_", " ") or "record", p.reference]
    if p.grading:
        parts.append(f"graded {p.grading}")
    return ", ".join(parts)


def _when(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT00:00:00")


def _title(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _att_type(value: Scalar) -> str:
    if isinstance(value, bool):
        return "AttFlag"
    if isinstance(value, int | float):
        return "AttNumber"
    return "AttText"


def _value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
