"""Making an export file and writing its audit entry in the same transaction.

An export is data leaving the system, so its audit entry names exactly what left: the
alert or entity, the format, every record the file draws on, who it was made for and why.
The API and the `shinealight export` commands both come through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.exports import FORMATS, ExportGraph, to_anx, to_chronology_csv, to_gexf
from shinealight.exports import selectors

CHRONOLOGY_CONTENT_TYPE = "text/csv; charset=utf-8"


class UnknownFormat(ValueError):
    """A format name that is not one of `core.exports.FORMATS`."""


@dataclass(frozen=True)
class ExportFile:
    """A file to hand over: its name, media type and bytes, and the records it draws on."""

    filename: str
    content_type: str
    content: bytes
    records: tuple[str, ...]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UnknownFormat(f"format is one of {', '.join(FORMATS)}")


def _safe_name(text: str) -> str:
    # Entity ids are safe today; a filename must stay so whatever an id becomes.
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "export"


def _write(graph: ExportGraph, fmt: str, now: datetime) -> bytes:
    if fmt == "anx":
        return to_anx(graph, created=now)
    if fmt == "gexf":
        return to_gexf(graph, modified=now.date())
    return FORMATS[fmt].write(graph)


def _graph_detail(
    acting_user: Any, graph: ExportGraph, fmt: str, filename: str, **extra: Any
) -> dict[str, Any]:
    return {
        "format": fmt,
        "filename": filename,
        "exported_for": getattr(acting_user, "username", "") or "system",
        "records": graph.records(),
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        **extra,
    }


def export_alert(*, acting_user: Any, pk: int, fmt: str, purpose: str = "") -> ExportFile | None:
    """An alert's network as a file; None when the alert is not the user's to see."""
    _check_format(fmt)
    with transaction.atomic():
        found = selectors.alert_export_graph(user=acting_user, pk=pk)
        if found is None:
            return None
        filename = f"alert-{found.alert.pk}.{FORMATS[fmt].extension}"
        content = _write(found.graph, fmt, timezone.now())
        audit_log(
            acting_user=acting_user,
            action="alert.export",
            object_type="alert",
            object_ids=[found.alert.pk],
            purpose=purpose,
            detail=_graph_detail(acting_user, found.graph, fmt, filename),
        )
    return ExportFile(
        filename=filename,
        content_type=FORMATS[fmt].content_type,
        content=content,
        records=tuple(found.graph.records()),
    )


def export_network(
    *, acting_user: Any, entity_id: str, fmt: str, depth: int = 1, purpose: str = ""
) -> ExportFile | None:
    """An entity's network to `depth` (1 or 2) as a file; None when not the user's to see."""
    _check_format(fmt)
    with transaction.atomic():
        found = selectors.entity_export_graph(user=acting_user, entity_id=entity_id, depth=depth)
        if found is None:
            return None
        name = _safe_name(found.entity.entity_id)
        filename = f"network-{name}-depth{depth}.{FORMATS[fmt].extension}"
        content = _write(found.graph, fmt, timezone.now())
        audit_log(
            acting_user=acting_user,
            action="entity.network_export",
            object_type="entity",
            object_ids=[found.entity.entity_id],
            purpose=purpose,
            detail=_graph_detail(acting_user, found.graph, fmt, filename, depth=depth),
        )
    return ExportFile(
        filename=filename,
        content_type=FORMATS[fmt].content_type,
        content=content,
        records=tuple(found.graph.records()),
    )


def export_chronology(*, acting_user: Any, entity_id: str, purpose: str = "") -> ExportFile | None:
    """A child's chronology as CSV; None when the entity is not the user's to see."""
    with transaction.atomic():
        found = selectors.chronology_rows(user=acting_user, entity_id=entity_id)
        if found is None:
            return None
        entity, rows = found
        filename = f"chronology-{_safe_name(entity.entity_id)}.csv"
        records = tuple(f"{r.agency}/{r.record_id}" for r in rows)
        content = to_chronology_csv(rows)
        audit_log(
            acting_user=acting_user,
            action="entity.chronology_export",
            object_type="entity",
            object_ids=[entity.entity_id],
            purpose=purpose,
            detail={
                "format": "csv",
                "filename": filename,
                "exported_for": getattr(acting_user, "username", "") or "system",
                "records": list(records),
            },
        )
    return ExportFile(
        filename=filename,
        content_type=CHRONOLOGY_CONTENT_TYPE,
        content=content,
        records=records,
    )
