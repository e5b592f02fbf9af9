"""CSV: a network as `nodes.csv` and `edges.csv` in one zip, and a child's chronology.

The network's column names are the ones Gephi's spreadsheet import and i2's import
wizard recognise (`Id`, `Label`; `Source`, `Target`, `Type`, `Weight`). Files are UTF-8
with a byte-order mark so that spreadsheet programs read names correctly, and a cell
that a spreadsheet would run as a formula is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence

from shinealight.core.exports.graph import ChronologyRow, ExportGraph, Provenance, first_and_last
from shinealight.core.exports.special import safe_indicators, safe_summary

# A fixed timestamp inside the zip: the same graph gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

CHRONOLOGY_COLUMNS = (
    "date",
    "recorded_at",
    "agency",
    "agency_type",
    "record_id",
    "event_type",
    "role",
    "grading",
    "handling_conditions",
    "indicators",
    "summary",
)

# A number with a sign ("+44 7700 900123", "-3") is a value, not a formula.
_SIGNED_NUMBER = re.compile(r"[+-][\d\s().-]*")


def spreadsheet_safe(value: object) -> str:
    """The cell's text, defused when a spreadsheet would read it as a formula.

    `=`, `@`, tab and carriage return always start a formula or a field break; `+` and
    `-` do unless what follows is only a number (OWASP's CSV injection advice).
    """
    text = "" if value is None else str(value)
    if not text:
        return text
    if text[0] in "=@\t\r" or (text[0] in "+-" and not _SIGNED_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(row.get(k, "")) for k in header})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def nodes_csv(graph: ExportGraph) -> bytes:
    """One row a node: Id, Label, Kind, the records behind it, then its properties."""
    extra = sorted({k for n in graph.nodes for k in n.properties})
    header = ["Id", "Label", "Kind", "Records", "Agencies", "First seen", "Last seen", *extra]
    rows = []
    for node in graph.nodes:
        first, last = first_and_last(node.provenance)
        rows.append(
            {
                "Id": node.id,
                "Label": node.label,
                "Kind": node.kind,
                "Records": "; ".join(_refs(node.provenance)),
                "Agencies": "; ".join(sorted({p.agency for p in node.provenance})),
                "First seen": first.isoformat() if first else "",
                "Last seen": last.isoformat() if last else "",
                **{k: _cell(v) for k, v in node.properties.items()},
            }
        )
    return _csv(header, rows)


def edges_csv(graph: ExportGraph) -> bytes:
    """One row an edge: Source, Target, Type, Kind, Label, Weight and its records."""
    extra = sorted({k for e in graph.edges for k in e.properties})
    header = [
        "Source",
        "Target",
        "Type",
        "Kind",
        "Label",
        "Weight",
        "Records",
        "Agencies",
        "Gradings",
        "First seen",
        "Last seen",
        *extra,
    ]
    rows = []
    for edge in graph.edges:
        first, last = first_and_last(edge.provenance)
        rows.append(
            {
                "Source": edge.source,
                "Target": edge.target,
                "Type": "Undirected",
                "Kind": edge.kind,
                "Label": edge.label or edge.kind,
                "Weight": edge.weight,
                "Records": "; ".join(_refs(edge.provenance)),
                "Agencies": "; ".join(sorted({p.agency for p in edge.provenance})),
                "Gradings": "; ".join(sorted({p.grading for p in edge.provenance if p.grading})),
                "First seen": first.isoformat() if first else "",
                "Last seen": last.isoformat() if last else "",
                **{k: _cell(v) for k, v in edge.properties.items()},
            }
        )
    return _csv(header, rows)


def to_csv(graph: ExportGraph) -> bytes:
    """The network as a zip holding `nodes.csv` and `edges.csv`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("nodes.csv", nodes_csv(graph)), ("edges.csv", edges_csv(graph))):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def to_chronology_csv(rows: Iterable[ChronologyRow]) -> bytes:
    """A chronology, oldest first, one record a row, without health details."""
    ordered = sorted(rows, key=lambda r: (r.when, r.recorded_at, r.agency, r.record_id))
    return _csv(
        CHRONOLOGY_COLUMNS,
        (
            {
                "date": r.when.isoformat(timespec="minutes"),
                "recorded_at": r.recorded_at.isoformat(timespec="minutes"),
                "agency": r.agency,
                "agency_type": r.agency_type,
                "record_id": r.record_id,
                "event_type": r.event_type,
                "role": r.role,
                "grading": r.grading,
                "handling_conditions": r.handling_conditions,
                "indicators": "; ".join(safe_indicators(r.indicators)),
                "summary": safe_summary(
                    r.summary, agency_type=r.agency_type, event_type=r.event_type
                ),
            }
            for r in ordered
        ),
    )


def _refs(provenance: tuple[Provenance, ...]) -> list[str]:
    return sorted({p.reference for p in provenance})


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
