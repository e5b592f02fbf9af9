"""The agency-records vocabulary (event types, roles, indicators, grading) loaded from YAML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["Vocabulary", "vocabulary"]


@dataclass(frozen=True)
class Vocabulary:
    """The closed lists a record is checked against, with their plain-English labels."""

    agency_types: tuple[str, ...]
    event_types: tuple[str, ...]
    person_roles: tuple[str, ...]
    genders: tuple[str, ...]
    grading_source: dict[str, str]
    grading_intelligence: dict[str, str]
    grading_handling: dict[str, str]
    risk_indicators: dict[str, str]
    vulnerabilities: dict[str, str]
    summary_max_chars: int
    line_max_bytes: int

    @property
    def indicators(self) -> dict[str, str]:
        """Every catalogued indicator code with its label, risk indicators first."""
        return {**self.risk_indicators, **self.vulnerabilities}


def _tuple_of_str(data: dict[str, Any], key: str) -> tuple[str, ...]:
    values = data[key]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"records.yaml: {key} must be a list of strings")
    return tuple(values)


def _labels(data: dict[str, Any], *path: str) -> dict[str, str]:
    node: Any = data
    for key in path:
        node = node[key]
    if not isinstance(node, dict):
        raise ValueError(f"records.yaml: {'.'.join(path)} must be a mapping")
    return {str(k): str(v) for k, v in node.items()}


@cache
def vocabulary() -> Vocabulary:
    """Load and check the vocabulary once per process."""
    text = resources.files(__package__).joinpath("records.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return Vocabulary(
        agency_types=_tuple_of_str(data, "agency_types"),
        event_types=_tuple_of_str(data, "event_types"),
        person_roles=_tuple_of_str(data, "person_roles"),
        genders=_tuple_of_str(data, "genders"),
        grading_source=_labels(data, "grading", "source"),
        grading_intelligence=_labels(data, "grading", "intelligence"),
        grading_handling=_labels(data, "grading", "handling"),
        risk_indicators=_labels(data, "indicators", "risk"),
        vulnerabilities=_labels(data, "indicators", "vulnerability"),
        summary_max_chars=int(data["limits"]["summary_max_chars"]),
        line_max_bytes=int(data["limits"]["line_max_bytes"]),
    )
