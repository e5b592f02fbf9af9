"""Alert rules that turn network facts into explained, de-duplicated alerts.

Rules are data (`rules/*.yaml`, checked by `load_rules`); `detect` runs them over a
`NetworkGraph` and returns `Finding`s, each with its de-duplication key, the entities it
names, the records it cites and a plain-English explanation. `evaluate_detection`
scores alerts against a simulated world's ground truth.
"""

from __future__ import annotations

from collections.abc import Collection

from shinealight.core.alerts.config import Definitions, Rule, RuleSet, load_rules
from shinealight.core.alerts.context import Context
from shinealight.core.alerts.dedup import OVERLAP_RULES, alert_key, assign_keys
from shinealight.core.alerts.detect import Detector, first_time_with
from shinealight.core.alerts.evaluate import DetectionScores, evaluate_detection
from shinealight.core.alerts.export import export_row
from shinealight.core.alerts.findings import Evidence, Finding, LawfulNote, Subject
from shinealight.core.alerts.offline import findings_from_records, siloed_findings
from shinealight.core.alerts.reach import (
    adults_to_follow,
    children_to_follow,
    on_whole_histories,
    people_in,
)
from shinealight.core.network import NetworkGraph

__all__ = [
    "OVERLAP_RULES",
    "Context",
    "Definitions",
    "DetectionScores",
    "Evidence",
    "Finding",
    "LawfulNote",
    "Rule",
    "RuleSet",
    "Subject",
    "adults_to_follow",
    "alert_key",
    "assign_keys",
    "children_to_follow",
    "detect",
    "evaluate_detection",
    "export_row",
    "findings_from_records",
    "first_time_with",
    "load_rules",
    "on_whole_histories",
    "siloed_findings",
]


def detect(
    graph: NetworkGraph,
    rules: RuleSet | None = None,
    *,
    whole: Collection[str] | None = None,
    new_records: Collection[str] | None = None,
) -> list[Finding]:
    """Run every enabled rule over the network; findings oldest first.

    Around new records (analysis after an import) the graph holds only part of the store:
    `whole` names the people it holds every record of, and findings that would rest on
    anyone else are left out (`reach.on_whole_histories`); with `new_records` (record
    keys), the rules about one child's history look only at the children those records
    name, the only histories they change.
    """
    ruleset = rules or load_rules()
    context = Context(graph, ruleset.definitions)
    per_child = None if new_records is None else people_in(graph, new_records)
    findings = Detector(context, per_child).run(ruleset.rules)
    if whole is None:
        return findings
    return on_whole_histories(findings, {r.id: r.kind for r in ruleset.rules}, whole)
