"""De-duplication: new evidence grows an open alert instead of raising the same one again.

Most rules have a natural anchor — the adult, the object, the child — and their key is
`rule:anchor`, stable for as long as the entity is. An emerging network has no single
anchor: it grows and two groups can merge, so its finding takes the key of an existing
alert of the same rule that names any of the same children.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from shinealight.core.alerts.findings import Finding

# Rules whose findings are matched to existing alerts by the children they share.
OVERLAP_RULES = frozenset({"emerging_network"})


def alert_key(rule: str, *anchor: str) -> str:
    """The de-duplication key of an anchored alert."""
    return ":".join((rule, *anchor))


def assign_keys(
    findings: Iterable[Finding], existing: Mapping[str, frozenset[str]]
) -> list[Finding]:
    """Give each finding the key of the existing alert it continues, if any.

    `existing` maps the key of each stored alert of an overlap rule to the entity ids of
    the children it names. Keys already stored are kept; a finding sharing a child with a
    stored alert takes that alert's key (the oldest key when it touches several).
    """
    out: list[Finding] = []
    taken: set[str] = set()
    for finding in findings:
        if finding.rule not in OVERLAP_RULES or finding.key in existing:
            out.append(finding)
            taken.add(finding.key)
            continue
        children = {s.entity for s in finding.people("child")}
        matches = sorted(
            key
            for key, entities in existing.items()
            if key.startswith(finding.rule + ":") and entities & children and key not in taken
        )
        if matches:
            finding = replace(finding, key=matches[0])
        taken.add(finding.key)
        out.append(finding)
    return out
