"""GraphML for Gephi, yEd, Cytoscape and networkx, written by networkx's own writer.

GraphML values are scalars, so an edge's records are written as one `record_refs` text
(`agency/record_id; …`) beside their count, first and last dates.
"""

from __future__ import annotations

import io
from typing import Any

from shinealight.core.exports.graph import ExportGraph, Provenance, Scalar, first_and_last
from shinealight.core.exports.xmltext import xml_text


def to_graphml(graph: ExportGraph) -> bytes:
    """The graph as GraphML (UTF-8 XML), one key per attribute."""
    import networkx as nx  # imported here: only this writer needs it
    from networkx.readwrite.graphml import write_graphml_xml

    g: Any = nx.Graph(name=xml_text(graph.title), description=xml_text(graph.description))
    for node in graph.nodes:
        first, last = first_and_last(node.provenance)
        data: dict[str, Scalar] = {
            "label": node.label,
            "kind": node.kind,
            "records": _count(node.provenance),
            "agencies": _agencies(node.provenance),
        }
        if first is not None and last is not None:
            data |= {"first_seen": first.isoformat(), "last_seen": last.isoformat()}
        data |= {k: v for k, v in node.properties.items() if k not in data}
        g.add_node(xml_text(node.id), **_clean(data))
    for edge in graph.edges:
        first, last = first_and_last(edge.provenance)
        data = {
            "label": edge.label or edge.kind,
            "kind": edge.kind,
            "weight": edge.weight,
            "records": _count(edge.provenance),
            "record_refs": "; ".join(sorted({p.reference for p in edge.provenance})),
            "agencies": _agencies(edge.provenance),
            "gradings": "; ".join(sorted({p.grading for p in edge.provenance if p.grading})),
        }
        if first is not None and last is not None:
            data |= {"first_seen": first.isoformat(), "last_seen": last.isoformat()}
        data |= {k: v for k, v in edge.properties.items() if k not in data}
        g.add_edge(xml_text(edge.source), xml_text(edge.target), **_clean(data))
    out = io.BytesIO()
    write_graphml_xml(g, out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


def _clean(data: dict[str, Scalar]) -> dict[str, Scalar]:
    return {k: xml_text(v) if isinstance(v, str) else v for k, v in data.items()}


def _count(provenance: tuple[Provenance, ...]) -> int:
    return len({p.reference for p in provenance})


def _agencies(provenance: tuple[Provenance, ...]) -> str:
    return "; ".join(sorted({p.agency for p in provenance}))
