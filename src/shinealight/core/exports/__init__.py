"""Exports for analysts in open formats: i2 ANX, GEXF, GraphML, FollowTheMoney, CSV.

Framework-free. A caller builds an `ExportGraph` (usually with `graph_from_network` over
the records a user may see) or a list of `ChronologyRow`s, and a writer turns it into
bytes. Special-category data (ethnicity, health details) is removed before any writer
sees it (`special`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shinealight.core.exports.anx import to_anx
from shinealight.core.exports.build import graph_from_network, provenance_of
from shinealight.core.exports.ftm import InvalidEntity, to_ftm_jsonl
from shinealight.core.exports.gexf import to_gexf
from shinealight.core.exports.graph import (
    ChronologyRow,
    Edge,
    ExportGraph,
    Node,
    Provenance,
)
from shinealight.core.exports.graphml import to_graphml
from shinealight.core.exports.special import safe_indicators, safe_summary
from shinealight.core.exports.tables import to_chronology_csv, to_csv


@dataclass(frozen=True)
class Format:
    """One export format: its name in URLs and commands, file extension and media type."""

    name: str
    extension: str
    content_type: str
    write: Callable[[ExportGraph], bytes]
    label: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("anx", "anx", "application/xml", to_anx, "i2 Analyst's Notebook chart (ANX)"),
        Format("gexf", "gexf", "application/gexf+xml", to_gexf, "Gephi (GEXF 1.3)"),
        Format("graphml", "graphml", "application/graphml+xml", to_graphml, "GraphML"),
        Format(
            "ftm",
            "ftm.jsonl",
            "application/x-ndjson",
            to_ftm_jsonl,
            "FollowTheMoney entities (JSON Lines)",
        ),
        Format("csv", "csv.zip", "application/zip", to_csv, "CSV: nodes.csv and edges.csv"),
    )
}

__all__ = [
    "FORMATS",
    "ChronologyRow",
    "Edge",
    "ExportGraph",
    "Format",
    "InvalidEntity",
    "Node",
    "Provenance",
    "graph_from_network",
    "provenance_of",
    "safe_indicators",
    "safe_summary",
    "to_anx",
    "to_chronology_csv",
    "to_csv",
    "to_ftm_jsonl",
    "to_gexf",
    "to_graphml",
]
