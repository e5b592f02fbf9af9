"""The alerts export format (JSON Lines), shared by `export alerts`, replay and evaluation."""

from __future__ import annotations

from typing import Any

from shinealight.core.alerts.findings import Finding

EXPORT_ROLES = ("child", "suspect", "associate")


def export_row(finding: Finding, alert_id: str) -> dict[str, Any]:
    """One line of `alerts.jsonl`: who it names (entity ids), what it cites, why."""
    return {
        "alert_id": alert_id,
        "rule": finding.rule,
        "raised_at": finding.first_data_time.isoformat(),
        "severity": finding.severity,
        "persons": [
            {
                "entity_id": s.entity,
                "role": s.role,
                "since": (s.since or finding.first_data_time).isoformat(),
            }
            for s in finding.subjects
            if s.kind == "person" and s.role in EXPORT_ROLES
        ],
        "objects": [
            {"kind": s.kind, "key": s.entity} for s in finding.subjects if s.kind != "person"
        ],
        "evidence": [e.record for e in finding.evidence],
        "explanation": finding.explanation,
    }
