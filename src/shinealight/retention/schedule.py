"""The retention schedule: classes of record, how long each is kept, checked at load.

A record's review date comes from its class: a number of years after it was recorded,
or the birthday at which the youngest child it is about reaches an age. Dates of birth
are often partial ("1994", "1994-11") or missing; the latest date they allow is used, so
that uncertainty keeps a record longer, never shorter.
"""

from __future__ import annotations

import calendar
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from shinealight.core.schema import vocabulary

# Children are the people a record is "about" for an age-based class.
CHILD_ROLES = ("subject", "victim")


class RetentionScheduleError(ValueError):
    """The retention file is not usable; the message says where and why."""


@dataclass(frozen=True)
class Keep:
    """How long a record is kept: `years` after it was recorded, or `until_age`."""

    years: int | None = None
    until_age: int | None = None
    fallback_years: int | None = None

    def describe(self) -> str:
        if self.years is not None:
            return f"{self.years} years after it was recorded"
        return (
            f"until the youngest child it is about turns {self.until_age} "
            f"({self.fallback_years} years after recording if no age is known)"
        )


@dataclass(frozen=True)
class RetentionClass:
    """One class of record in the schedule."""

    code: str
    label: str
    keep: Keep
    review_every_years: int


@dataclass(frozen=True)
class AssignRule:
    """Which records fall in a class by default; an empty set matches anything."""

    agency_types: frozenset[str]
    event_types: frozenset[str]
    indicators_any: frozenset[str]
    class_code: str

    def matches(self, agency_type: str, event_type: str, indicators: Iterable[str]) -> bool:
        if self.agency_types and agency_type not in self.agency_types:
            return False
        if self.event_types and event_type not in self.event_types:
            return False
        return not self.indicators_any or bool(self.indicators_any & set(indicators))


@dataclass(frozen=True)
class Schedule:
    """The schedule in force: classes and default assignment rules."""

    classes: dict[str, RetentionClass]
    rules: tuple[AssignRule, ...]
    source: str
    digest: str

    def default_class(
        self, agency_type: str, event_type: str, indicators: Iterable[str]
    ) -> RetentionClass:
        codes = list(indicators)
        for rule in self.rules:
            if rule.matches(agency_type, event_type, codes):
                return self.classes[rule.class_code]
        raise AssertionError("the last assignment rule matches everything")  # checked at load


def _positive(value: Any, where: str, *, upper: int = 150) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise RetentionScheduleError(f"{where}: expected a whole number from 1 to {upper}")
    return value


def parse_keep(value: Any, where: str) -> Keep:
    """Check a `keep:` mapping."""
    if not isinstance(value, dict) or set(value) - {"years", "until_age", "fallback_years"}:
        raise RetentionScheduleError(
            f"{where}: expected {{years: N}} or {{until_age: N, fallback_years: N}}"
        )
    if ("years" in value) == ("until_age" in value):
        raise RetentionScheduleError(f"{where}: give either years or until_age, not both")
    if "years" in value:
        if "fallback_years" in value:
            raise RetentionScheduleError(f"{where}: fallback_years goes with until_age")
        return Keep(years=_positive(value["years"], f"{where}.years"))
    if "fallback_years" not in value:
        raise RetentionScheduleError(
            f"{where}: until_age needs fallback_years for records with no known age"
        )
    return Keep(
        until_age=_positive(value["until_age"], f"{where}.until_age"),
        fallback_years=_positive(value["fallback_years"], f"{where}.fallback_years"),
    )


def _names(value: Any, where: str, allowed: Iterable[str]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not value:
        raise RetentionScheduleError(f"{where}: expected a list")
    known = set(allowed)
    unknown = sorted(str(v) for v in value if v not in known)
    if unknown:
        raise RetentionScheduleError(f"{where}: unknown {', '.join(unknown)}")
    return frozenset(str(v) for v in value)


def parse_schedule(data: Any, *, source: str = "", digest: str = "") -> Schedule:
    """Check a retention mapping and turn it into a typed schedule."""
    where = source or "retention schedule"
    if not isinstance(data, dict) or set(data) != {"classes", "assign"}:
        raise RetentionScheduleError(f"{where}: expected exactly `classes` and `assign`")
    if not isinstance(data["classes"], dict) or not data["classes"]:
        raise RetentionScheduleError(f"{where}: classes: define at least one class")
    classes: dict[str, RetentionClass] = {}
    for code, spec in data["classes"].items():
        at = f"classes.{code}"
        if not isinstance(spec, dict) or set(spec) != {"label", "keep", "review_every"}:
            raise RetentionScheduleError(f"{at}: expected label, keep and review_every")
        review = spec["review_every"]
        if not isinstance(review, dict) or set(review) != {"years"}:
            raise RetentionScheduleError(f"{at}.review_every: expected {{years: N}}")
        classes[str(code)] = RetentionClass(
            code=str(code),
            label=str(spec["label"]),
            keep=parse_keep(spec["keep"], f"{at}.keep"),
            review_every_years=_positive(review["years"], f"{at}.review_every.years"),
        )
    words = vocabulary()
    rules = []
    if not isinstance(data["assign"], list) or not data["assign"]:
        raise RetentionScheduleError(f"{where}: assign: list at least one rule")
    for n, spec in enumerate(data["assign"], 1):
        at = f"assign rule {n}"
        allowed = {"agency_types", "event_types", "indicators_any", "class"}
        if not isinstance(spec, dict) or "class" not in spec or set(spec) - allowed:
            raise RetentionScheduleError(f"{at}: expected class and optional {sorted(allowed)}")
        if spec["class"] not in classes:
            raise RetentionScheduleError(f"{at}: no class {spec['class']!r}")
        rules.append(
            AssignRule(
                agency_types=_names(spec.get("agency_types"), at, words.agency_types),
                event_types=_names(spec.get("event_types"), at, words.event_types),
                indicators_any=_names(spec.get("indicators_any"), at, words.indicators),
                class_code=str(spec["class"]),
            )
        )
    last = rules[-1]
    if last.agency_types or last.event_types or last.indicators_any:
        raise RetentionScheduleError(f"{where}: the last assign rule must match every record")
    return Schedule(classes=classes, rules=tuple(rules), source=where, digest=digest)


@cache
def _load(path: str | None) -> Schedule:
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files(__package__).joinpath("schedule.yaml").read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return parse_schedule(
        yaml.safe_load(text), source=path or "retention/schedule.yaml", digest=digest
    )


def schedule() -> Schedule:
    """The schedule in force: SHINEALIGHT_RETENTION_FILE if set, else the shipped defaults."""
    from django.conf import settings

    path = getattr(settings, "SHINEALIGHT_RETENTION_FILE", None) or os.environ.get(
        "SHINEALIGHT_RETENTION_FILE"
    )
    return _load(str(path) if path else None)


# ---------------------------------------------------------------- dates


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_birth_date(
    *,
    year: int | None,
    month: int | None,
    day: int | None,
    age_estimate: int | None,
    recorded: date,
) -> date | None:
    """The latest birth date a partial date of birth or an estimated age allows."""
    if year:
        if month and day:
            try:
                return date(year, month, day)
            except ValueError:
                pass
        if month and 1 <= month <= 12:
            return date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 12, 31)
    if age_estimate is not None:
        return date(recorded.year - age_estimate, 12, 31)
    return None


@dataclass(frozen=True)
class Due:
    """A record's review date and how it was worked out, in words."""

    review_due: date
    basis: str


def effective_class(
    base: RetentionClass, override: Mapping[str, Any] | None
) -> tuple[RetentionClass, str]:
    """The class with an agency's own period laid over it; and where the rule came from."""
    if not override:
        return base, "partnership default"
    keep = base.keep
    if override.get("keep_years"):
        keep = Keep(years=int(override["keep_years"]))
    elif override.get("until_age"):
        keep = Keep(
            until_age=int(override["until_age"]),
            fallback_years=int(
                override.get("fallback_years") or keep.fallback_years or keep.years or 1
            ),
        )
    review = int(override.get("review_every_years") or base.review_every_years)
    return replace(base, keep=keep, review_every_years=review), "set by the agency"


def review_due(klass: RetentionClass, *, recorded: date, births: Iterable[date]) -> Due:
    """When a record of this class falls due for review (and, unless kept, deletion)."""
    keep = klass.keep
    if keep.years is not None:
        return Due(add_years(recorded, keep.years), f"{keep.years} years after recording")
    assert keep.until_age is not None and keep.fallback_years is not None
    known = [b for b in births if b is not None]
    if known:
        born = max(known)  # the youngest child keeps the record longest
        return Due(
            add_years(born, keep.until_age),
            f"the {_ordinal(keep.until_age)} birthday of the youngest child it is about",
        )
    return Due(
        add_years(recorded, keep.fallback_years),
        f"{keep.fallback_years} years after recording (no age recorded)",
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
