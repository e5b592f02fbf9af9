"""The partnership's workflow settings (risk levels, timers, escalation), checked at load."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from shinealight.cases.workdays import Timer, WorkingCalendar

ROLES = ("practitioner", "safeguarding_lead", "analyst", "manager", "administrator")
SEVERITIES = ("low", "medium", "high")
TIMER_NAMES = (
    "triage",
    "strategy_discussion",
    "mace_panel",
    "strategy_follow_up",
    "child_protection_conference",
    "action",
)


class WorkflowConfigError(ValueError):
    """The workflow file is not usable; the message says where and why."""


@dataclass(frozen=True)
class RiskLevel:
    code: str
    label: str
    rank: int


@dataclass(frozen=True)
class WorkflowConfig:
    """One partnership's workflow policy."""

    partnership: str
    risk_levels: tuple[RiskLevel, ...]
    downgrade_agreement_roles: frozenset[str]
    calendar: WorkingCalendar
    acknowledge: dict[str, Timer]
    timers: dict[str, Timer]
    unowned_role: str
    to_oversight_after: Timer
    oversight_role: str
    repeat_missing_threshold: int
    lawful_bases: tuple[str, ...]
    source: str

    def level(self, code: str) -> RiskLevel:
        for level in self.risk_levels:
            if level.code == code:
                return level
        raise KeyError(code)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.risk_levels)


def _timer(value: Any, where: str) -> Timer:
    if not isinstance(value, dict) or set(value) - {"hours", "working_days"}:
        raise WorkflowConfigError(f"{where}: expected {{hours: N}} or {{working_days: N}}")
    try:
        return Timer(**{k: int(v) for k, v in value.items()})
    except (TypeError, ValueError) as exc:
        raise WorkflowConfigError(f"{where}: {exc}") from None


def _role(value: Any, where: str) -> str:
    if value not in ROLES:
        raise WorkflowConfigError(f"{where}: {value!r} is not a role ({', '.join(ROLES)})")
    return str(value)


def _lawful_bases(value: Any) -> tuple[str, ...]:
    where = "disclosure_lawful_bases"
    if not isinstance(value, list) or not value:
        raise WorkflowConfigError(f"{where}: list at least one lawful basis for sharing")
    bases = tuple(str(item).strip() for item in value)
    if not all(bases) or len(set(bases)) != len(bases):
        raise WorkflowConfigError(f"{where}: each basis must be written out once")
    return bases


def parse_workflow(data: dict[str, Any], *, source: str = "") -> WorkflowConfig:
    """Check a workflow mapping and turn it into typed settings."""
    try:
        levels = data["risk_levels"]
        if not isinstance(levels, list) or len(levels) < 2:
            raise WorkflowConfigError("risk_levels: list at least two levels, lowest first")
        risk_levels = tuple(
            RiskLevel(code=str(item["code"]), label=str(item.get("label", item["code"])), rank=i)
            for i, item in enumerate(levels)
        )
        if len({level.code for level in risk_levels}) != len(risk_levels):
            raise WorkflowConfigError("risk_levels: codes must be unique")
        holidays_spec = data.get("bank_holidays", {})
        hour, minute = (int(p) for p in str(data.get("day_ends_at", "17:00")).split(":"))
        calendar = WorkingCalendar(
            country=str(holidays_spec.get("country", "GB")),
            subdivision=holidays_spec.get("subdivision", "ENG"),
            day_ends_at=time(hour, minute),
        )
        timers_data = data["timers"]
        acknowledge = {
            sev: _timer(timers_data["acknowledge"][sev], f"timers.acknowledge.{sev}")
            for sev in SEVERITIES
        }
        timers = {name: _timer(timers_data[name], f"timers.{name}") for name in TIMER_NAMES}
        escalation = data["escalation"]
        return WorkflowConfig(
            partnership=str(data.get("partnership", "")),
            risk_levels=risk_levels,
            downgrade_agreement_roles=frozenset(
                _role(r, "downgrade_agreement_roles") for r in data["downgrade_agreement_roles"]
            ),
            calendar=calendar,
            acknowledge=acknowledge,
            timers=timers,
            unowned_role=_role(escalation["unowned_role"], "escalation.unowned_role"),
            to_oversight_after=_timer(
                escalation["to_oversight_after"], "escalation.to_oversight_after"
            ),
            oversight_role=_role(escalation["oversight_role"], "escalation.oversight_role"),
            repeat_missing_threshold=int(data.get("repeat_missing_threshold", 3)),
            lawful_bases=_lawful_bases(data["disclosure_lawful_bases"]),
            source=source,
        )
    except KeyError as exc:
        raise WorkflowConfigError(f"{source or 'workflow'}: missing {exc.args[0]!r}") from None
    except (NotImplementedError, ValueError) as exc:
        if isinstance(exc, WorkflowConfigError):
            raise
        raise WorkflowConfigError(f"{source or 'workflow'}: {exc}") from None


@cache
def _load(path: str | None) -> WorkflowConfig:
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files(__package__).joinpath("workflow.yaml").read_text(encoding="utf-8")
    return parse_workflow(yaml.safe_load(text), source=path or "cases/workflow.yaml")


def workflow() -> WorkflowConfig:
    """The workflow in force: SHINEALIGHT_WORKFLOW_FILE if set, else the shipped defaults."""
    from django.conf import settings

    path = getattr(settings, "SHINEALIGHT_WORKFLOW_FILE", None) or os.environ.get(
        "SHINEALIGHT_WORKFLOW_FILE"
    )
    return _load(str(path) if path else None)
