"""Alert rules as data: `rules/*.yaml` validated into typed objects when loaded.

`rules/_definitions.yaml` says who counts as a child, what makes a child "at risk", how
indicators fall into categories and which contacts are lawful; every other file is one
rule. A typo in a file is an error at load, never a rule that silently does nothing.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shinealight.core.schema import vocabulary


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AtRisk(_Strict):
    """When a child's own records make them a child at risk."""

    window_days: int = Field(gt=0)
    min_distinct_indicators: int = Field(ge=1)
    # Any one of these is enough: each is a grooming sign in the local screening tools.
    strong_indicators: tuple[str, ...]


class ContractedTransport(_Strict):
    roles: tuple[str, ...]
    agency_types: tuple[str, ...]
    phrases: tuple[str, ...]


class LawfulContacts(_Strict):
    """Adults with a lawful reason to be with a child, who are never counted as suspects."""

    professional_roles: tuple[str, ...]
    carer_roles: tuple[str, ...]
    relative_roles: tuple[str, ...]
    relatives_at_same_address: bool
    contracted_transport: ContractedTransport


class Definitions(_Strict):
    adult_age: int = Field(ge=16, le=21)
    child_roles: tuple[str, ...]
    adult_roles: tuple[str, ...]
    # A suspect whose age no record gives is counted as an adult (see docs/alerts.md).
    suspect_roles_without_age_are_adults: tuple[str, ...]
    at_risk: AtRisk
    indicator_categories: dict[str, tuple[str, ...]]
    lawful_contacts: LawfulContacts
    public_place_kinds: tuple[str, ...]
    # A place joins children only through records that show a grooming sign there.
    place_needs_grooming_sign: bool
    max_evidence: int = Field(ge=2)

    @model_validator(mode="after")
    def _known_codes(self) -> Definitions:
        known = set(vocabulary().indicators)
        codes = set(self.at_risk.strong_indicators)
        for values in self.indicator_categories.values():
            codes |= set(values)
        unknown = sorted(codes - known)
        if unknown:
            raise ValueError(f"unknown indicator codes: {', '.join(unknown)}")
        roles = set(vocabulary().person_roles) | {""}
        lawful = self.lawful_contacts
        for group in (
            self.child_roles,
            self.adult_roles,
            lawful.professional_roles,
            lawful.carer_roles,
            lawful.relative_roles,
            lawful.contracted_transport.roles,
        ):
            bad = sorted(set(group) - roles)
            if bad:
                raise ValueError(f"unknown person roles: {', '.join(bad)}")
        return self


Severity = Literal["low", "medium", "high"]


class _RuleBase(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")
    title: str
    severity: Severity
    high_from_children: int | None = None
    reason: str  # the domain reason, citing shared/domain.md
    blind_spots: tuple[str, ...] = ()
    enabled: bool = True


class SharedAdultRule(_RuleBase):
    kind: Literal["shared_adult"]
    window_days: int = Field(gt=0)
    min_children: int = Field(ge=2)


class SharedObjectRule(_RuleBase):
    kind: Literal["shared_object"]
    object_kind: Literal["vehicle", "phone", "online", "location"]
    window_days: int = Field(gt=0)
    min_children: int = Field(ge=2)
    include_partial: bool = False


class JigsawRule(_RuleBase):
    kind: Literal["jigsaw"]
    window_days: int = Field(gt=0)
    min_agencies: int = Field(ge=2)
    strategy_event_types: tuple[str, ...]
    # Concerns must include at least this many grooming-category signs (0: any concern).
    min_grooming_signs: int = Field(ge=0)


class EscalationRule(_RuleBase):
    kind: Literal["escalation"]
    missing_event_types: tuple[str, ...]
    missing_count: int = Field(ge=2)
    missing_window_days: int = Field(gt=0)
    spread_categories: int = Field(ge=2)
    spread_window_days: int = Field(gt=0)


class EmergingNetworkRule(_RuleBase):
    kind: Literal["emerging_network"]
    min_children: int = Field(ge=2)
    min_adults: int = Field(ge=1)
    connect_through: tuple[Literal["vehicle", "phone", "online", "location"], ...]


class CrossAreaRule(_RuleBase):
    kind: Literal["cross_area"]
    entity_kinds: tuple[Literal["person", "vehicle", "phone"], ...]
    min_areas: int = Field(ge=2)


Rule = Annotated[
    SharedAdultRule
    | SharedObjectRule
    | JigsawRule
    | EscalationRule
    | EmergingNetworkRule
    | CrossAreaRule,
    Field(discriminator="kind"),
]


class _RuleFile(_Strict):
    rule: Rule


class RuleSet(_Strict):
    """The definitions and every enabled rule, in a stable order."""

    definitions: Definitions
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _parse(directory: Path | None) -> RuleSet:
    if directory is None:
        root = resources.files(__package__).joinpath("rules")
        files = sorted((f.name, f.read_text(encoding="utf-8")) for f in root.iterdir())
    else:
        files = sorted((f.name, f.read_text(encoding="utf-8")) for f in directory.iterdir())
    definitions: Definitions | None = None
    rules: list[Rule] = []
    for name, text in files:
        if not name.endswith(".yaml"):
            continue
        data = yaml.safe_load(text)
        try:
            if name == "_definitions.yaml":
                definitions = Definitions.model_validate(data)
            else:
                rules.append(_RuleFile.model_validate(data).rule)
        except ValueError as exc:
            raise ValueError(f"alert rules: {name}: {exc}") from exc
    if definitions is None:
        raise ValueError("alert rules: _definitions.yaml is missing")
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("alert rules: two rules share an id")
    return RuleSet(definitions=definitions, rules=tuple(r for r in rules if r.enabled))


@cache
def load_rules(directory: Path | None = None) -> RuleSet:
    """Load and check the rule files once per process (`directory` for tests and tuning)."""
    return _parse(directory)
