"""GEXF 1.3 for Gephi: nodes and edges with typed attributes, dated where records are.

An edge starts on the date of the first record that joins its two ends, and a node on the
first record that mentions it, so Gephi's timeline replays how the network came to be
known. Colours follow the node kind.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import date

from shinealight.core.exports.graph import ExportGraph, Provenance, Scalar, first_and_last
from shinealight.core.exports.xmltext import xml_bytes, xml_text

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

COLOURS = {
    "person": (212, 53, 28),
    "vehicle": (29, 112, 184),
    "phone": (0, 112, 60),
    "online": (76, 44, 146),
    "location": (244, 119, 56),
}

NODE_FIELDS = {"kind": "string", "records": "integer", "agencies": "string"}
NODE_FIELDS |= {"first_seen": "string", "last_seen": "string"}
EDGE_FIELDS = {"kind": "string", "records": "integer", "record_refs": "string"}
EDGE_FIELDS |= {"agencies": "string", "gradings": "string"}
EDGE_FIELDS |= {"first_seen": "string", "last_seen": "string"}


def to_gexf(graph: ExportGraph, *, modified: date | None = None) -> bytes:
    """The graph as GEXF 1.3 (UTF-8 XML); dynamic when any record is dated."""
    ET.register_namespace("", NS)
    ET.register_namespace("viz", VIZ)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{NS}}}gexf",
        {f"{{{XSI}}}schemaLocation": f"{NS} {NS}/gexf.xsd", "version": "1.3"},
    )
    meta = ET.SubElement(root, f"{{{NS}}}meta")
    if modified is not None:
        meta.set("lastmodifieddate", modified.isoformat())
    ET.SubElement(meta, f"{{{NS}}}creator").text = "Shine a Light"
    ET.SubElement(meta, f"{{{NS}}}description").text = xml_text(
        f"{graph.title}. {graph.description}".strip(". ") if graph.description else graph.title
    )
    dated = any(p.day for n in graph.nodes for p in n.provenance) or any(
        p.day for e in graph.edges for p in e.provenance
    )
    attrs = {"defaultedgetype": "undirected", "mode": "dynamic" if dated else "static"}
    if dated:
        attrs["timeformat"] = "date"
    element = ET.SubElement(root, f"{{{NS}}}graph", attrs)

    node_fields = _fields(NODE_FIELDS, (n.properties for n in graph.nodes))
    edge_fields = _fields(EDGE_FIELDS, (e.properties for e in graph.edges))
    _declare(element, "node", node_fields)
    _declare(element, "edge", edge_fields)

    nodes = ET.SubElement(element, f"{{{NS}}}nodes")
    for node in graph.nodes:
        first, last = first_and_last(node.provenance)
        item = ET.SubElement(
            nodes, f"{{{NS}}}node", id=xml_text(node.id), label=xml_text(node.label)
        )
        if first is not None:
            item.set("start", first.isoformat())
        values: dict[str, Scalar] = {
            "kind": node.kind,
            "records": _count(node.provenance),
            "agencies": _agencies(node.provenance),
            "first_seen": first.isoformat() if first else "",
            "last_seen": last.isoformat() if last else "",
        }
        values |= {k: v for k, v in node.properties.items() if k not in NODE_FIELDS}
        _values(item, node_fields, values)
        red, green, blue = COLOURS[node.kind]
        ET.SubElement(item, f"{{{VIZ}}}color", r=str(red), g=str(green), b=str(blue))

    edges = ET.SubElement(element, f"{{{NS}}}edges")
    for i, edge in enumerate(graph.edges):
        first, last = first_and_last(edge.provenance)
        item = ET.SubElement(
            edges,
            f"{{{NS}}}edge",
            id=str(i),
            source=xml_text(edge.source),
            target=xml_text(edge.target),
            label=xml_text(edge.label or edge.kind),
            weight=str(edge.weight),
        )
        if first is not None:
            item.set("start", first.isoformat())
        values = {
            "kind": edge.kind,
            "records": _count(edge.provenance),
            "record_refs": "; ".join(sorted({p.reference for p in edge.provenance})),
            "agencies": _agencies(edge.provenance),
            "gradings": "; ".join(sorted({p.grading for p in edge.provenance if p.grading})),
            "first_seen": first.isoformat() if first else "",
            "last_seen": last.isoformat() if last else "",
        }
        values |= {k: v for k, v in edge.properties.items() if k not in EDGE_FIELDS}
        _values(item, edge_fields, values)
    return xml_bytes(root)


def _fields(fixed: Mapping[str, str], properties: Iterable[Mapping[str, Scalar]]) -> dict[str, str]:
    out = dict(fixed)
    for props in properties:
        for key, value in props.items():
            out.setdefault(key, _type(value))
    return out


def _declare(graph: ET.Element, cls: str, fields: Mapping[str, str]) -> None:
    block = ET.SubElement(graph, f"{{{NS}}}attributes", {"class": cls, "mode": "static"})
    for i, (name, kind) in enumerate(fields.items()):
        ET.SubElement(
            block, f"{{{NS}}}attribute", id=f"{cls[0]}{i}", title=xml_text(name), type=kind
        )


def _values(item: ET.Element, fields: Mapping[str, str], values: Mapping[str, Scalar]) -> None:
    block = ET.SubElement(item, f"{{{NS}}}attvalues")
    prefix = "n" if item.tag.endswith("node") else "e"
    for i, name in enumerate(fields):
        if name not in values or values[name] == "":
            continue
        value = values[name]
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        ET.SubElement(block, f"{{{NS}}}attvalue", {"for": f"{prefix}{i}", "value": xml_text(text)})


def _type(value: Scalar) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    return "string"


def _count(provenance: tuple[Provenance, ...]) -> int:
    return len({p.reference for p in provenance})


def _agencies(provenance: tuple[Provenance, ...]) -> str:
    return "; ".join(sorted({p.agency for p in provenance}))
