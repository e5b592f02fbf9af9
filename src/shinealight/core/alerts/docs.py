"""The rules' reference, generated from the same YAML files the product runs."""

from __future__ import annotations

from shinealight.core.alerts.config import RuleSet, load_rules

_SKIP = {"id", "kind", "title", "reason", "blind_spots", "enabled", "severity"}


def rules_markdown(rules: RuleSet | None = None) -> str:
    """One section per rule: title, parameters, domain reason and blind spots."""
    ruleset = rules or load_rules()
    parts = []
    for rule in ruleset.rules:
        data = rule.model_dump()
        params = ", ".join(
            f"`{k}`: {v if not isinstance(v, (list, tuple)) else ', '.join(map(str, v))}"
            for k, v in data.items()
            if k not in _SKIP and v is not None
        )
        lines = [
            f"### `{rule.id}` — {rule.title}",
            "",
            f"- Kind: `{rule.kind}`; severity {rule.severity}; {params}.",
            f"- Why: {rule.reason}",
        ]
        lines += [f"- Blind spot: {b}" for b in rule.blind_spots]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
