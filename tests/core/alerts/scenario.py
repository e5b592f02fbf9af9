"""Hand-built scenarios for the alert rules: a few records each, names as identities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shinealight.core.alerts import Finding, findings_from_records
from shinealight.core.records import AgencyRecord, parse_record

AGENCY_TYPES = {
    "police": "police",
    "csc": "social_care",
    "clinic": "health",
    "school": "education",
    "youth": "youth_service",
    "project": "voluntary",
}


def child(
    ref: str, name: str, *, role: str = "subject", dob: str = "2008-03-01", **extra: Any
) -> dict[str, Any]:
    return {"ref": ref, "role": role, "name": name, "dob": dob, "gender": "female", **extra}


def adult(
    ref: str, name: str, *, role: str = "suspect", dob: str = "1990-05-05", **extra: Any
) -> dict[str, Any]:
    return {"ref": ref, "role": role, "name": name, "dob": dob, "gender": "male", **extra}


def record(
    rid: str,
    when: str,
    persons: list[dict[str, Any]],
    *,
    agency: str = "police",
    type: str = "police_stop",
    area: str = "northtown",
    indicators: Iterable[str] = (),
    summary: str = "",
    grading: dict[str, str] | None = None,
    **lists: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "agency": agency,
        "agency_type": AGENCY_TYPES[agency],
        "record_id": rid,
        "type": type,
        "recorded_at": f"{when}T12:00:00Z",
        "area": area,
        "summary": summary,
        "persons": persons,
        "indicators": list(indicators),
        **lists,
    }
    if grading:
        payload["grading"] = grading
    return payload


def concern(
    rid: str, when: str, name: str, *indicators: str, agency: str = "csc", **kw: Any
) -> dict[str, Any]:
    """A record about one child that ticks indicators (makes her at risk)."""
    kw.setdefault("type", "referral")
    return record(rid, when, [child("p1", name)], agency=agency, indicators=indicators, **kw)


def by_name(records: list[AgencyRecord]) -> dict[str, str]:
    """Same written name, same entity: perfect identity for hand-built scenarios."""
    return {
        f"{r.agency}/{r.record_id}/{p.ref}": f"E:{p.name}"
        for r in records
        for p in r.persons
        if p.name
    }


def run(payloads: list[dict[str, Any]], rule: str | None = None) -> list[Finding]:
    records = [parse_record(p) for p in payloads]
    mapping = by_name(records)
    findings = findings_from_records(records, lambda m: mapping.get(m, "M:" + m))
    return [f for f in findings if rule is None or f.rule == rule]


def suspects(findings: list[Finding]) -> set[str]:
    return {
        s.entity
        for f in findings
        for s in f.subjects
        if s.kind == "person" and s.role in ("suspect", "associate")
    }
