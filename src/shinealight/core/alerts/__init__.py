"""Alert rules that turn network facts into explained, de-duplicated alerts.

Rules are data (`rules/*.yaml`, checked by `load_rules`); `detect` runs them over a
`NetworkGraph` and returns `Finding`s, each with its de-duplication key, the entities it
names, the records it cites and a plain-English explanation. `evaluate_detection`
scores alerts against a simulated world's ground truth.
"""

from __future__ import annotations

from shinealight.core.alerts.config import Definitions, Rule, RuleSet, load_rules
from shinealight.core.alerts.context import Context
from shinealight.core.alerts.dedup import OVERLAP_RULES, alert_key, assign_keys
from shinealight.core.alerts.detect import Detector, first_time_with
from shinealight.core.alerts.evaluate import DetectionScores, evaluate_detection
from shinealight.core.alerts.export import export_row
from shinealight.core.alerts.findings import Evidence, Finding, LawfulNote, Subject
from shinealight.core.alerts.offline import findings_from_records, siloed_findings
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
    "alert_key",
    "assign_keys",
    "detect",
    "evaluate_detection",
    "export_row",
    "findings_from_records",
    "first_time_with",
    "load_rules",
    "siloed_findings",
]


def detect(graph: NetworkGraph, rules: RuleSet | None = None) -> list[Finding]:
    """Run every enabled rule over the network; findings oldest first."""
    ruleset = rules or load_rules()
    context = Context(graph, ruleset.definitions)
    return Detector(context).run(ruleset.rules)
