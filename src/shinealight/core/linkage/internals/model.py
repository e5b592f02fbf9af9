"""The person model's parameters: how much each level of each comparison is worth.

A model is a prior (how likely two random mentions are the same person) and, for
each comparison level, m (how often true matches fall in it) and u (how often
non-matches do). The match weight of a pair is log2 of the prior odds plus the sum of
log2(m/u) over its levels — Fellegi-Sunter, as Splink computes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shinealight.core.linkage.internals.comparisons import (
    BLOCKING_KEYS,
    PERSON_COMPARISONS,
    Comparison,
    Dialect,
    Row,
)

MODEL_FORMAT = 1

# Hand-set starting values, used until `shinealight link` has estimated parameters
# from the partnership's own data. Rows follow the levels of each comparison, the null
# level included (as None).
_DEFAULT_M_U: dict[str, list[tuple[float, float] | None]] = {
    "first_name": [
        None,
        (0.75, 0.01),
        (0.12, 0.004),
        (0.05, 0.005),
        (0.02, 0.01),
        (0.02, 0.02),
        (0.04, 0.95),
    ],
    "surname": [None, (0.85, 0.005), (0.03, 0.001), (0.04, 0.003), (0.01, 0.004), (0.07, 0.987)],
    "date_of_birth": [
        None,
        (0.85, 0.0005),
        (0.02, 0.00002),
        (0.04, 0.002),
        (0.03, 0.08),
        (0.05, 0.2),
        (0.01, 0.7175),
    ],
    "postcode": [None, (0.7, 0.002), (0.15, 0.1), (0.15, 0.898)],
    "phone": [None, (0.8, 0.0005), (0.2, 0.9995)],
    "nhs_number": [None, (0.995, 0.00001), (0.005, 0.99999)],
    "upn": [None, (0.995, 0.00001), (0.005, 0.99999)],
    "pnc_id": [None, (0.995, 0.00001), (0.005, 0.99999)],
    "local_id": [None, (0.95, 0.00005), (0.05, 0.99995)],
    "gender": [None, (0.98, 0.5), (0.02, 0.5)],
}

# Estimates are kept away from 0 and 1: one unseen level must not make a weight infinite.
_FLOOR = 1e-6


def _clamp(p: float) -> float:
    return min(max(p, _FLOOR), 1 - _FLOOR)


@dataclass(frozen=True)
class Thresholds:
    """Match weights that decide a pair: link at or above `link`, review in between."""

    # Chosen on the default simulated world with estimated parameters (docs/linkage.md).
    link: float = 4.0
    review: float = 2.0

    def decide(self, weight: float) -> str:
        """Return "link", "review" or "no_link" for a pair's match weight."""
        if weight >= self.link:
            return "link"
        if weight >= self.review:
            return "review"
        return "no_link"


@dataclass(frozen=True)
class Contribution:
    """What one comparison added to a pair's match weight, and why."""

    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class PersonModel:
    """Trained (or default) parameters of the person model, with its decision thresholds."""

    prior: float
    m_u: Mapping[str, Sequence[tuple[float, float] | None]]
    thresholds: Thresholds = field(default_factory=Thresholds)
    trained_on: int = 0
    source: str = "default"
    notes: tuple[str, ...] = ()

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds that two random mentions are one person."""
        return math.log2(self.prior / (1 - self.prior))

    def level_weight(self, comparison: str, level: int) -> float:
        """Return log2(m/u) of one level; 0 for the null level."""
        pair = self.m_u[comparison][level]
        if pair is None:
            return 0.0
        m, u = pair
        return math.log2(_clamp(m) / _clamp(u))

    def score_levels(self, levels: Sequence[int]) -> float:
        """Return the match weight of a pair whose comparisons fell in these levels."""
        weight = self.prior_weight
        for comparison, level in zip(PERSON_COMPARISONS, levels, strict=True):
            weight += self.level_weight(comparison.name, level)
        return weight

    def explain(self, levels: Sequence[int]) -> list[Contribution]:
        """Return each comparison's level and weight for a pair, in comparison order."""
        return [
            Contribution(c.name, c.levels[level].label, round(self.level_weight(c.name, level), 4))
            for c, level in zip(PERSON_COMPARISONS, levels, strict=True)
        ]

    def with_thresholds(self, *, link: float, review: float) -> PersonModel:
        """Return the same parameters with other decision thresholds."""
        return replace(self, thresholds=Thresholds(link=link, review=review))

    def as_dict(self) -> dict[str, Any]:
        """Return the model as plain JSON-ready data (stored, versioned, reported)."""
        return {
            "format": MODEL_FORMAT,
            "prior": self.prior,
            "thresholds": {"link": self.thresholds.link, "review": self.thresholds.review},
            "trained_on": self.trained_on,
            "source": self.source,
            "notes": list(self.notes),
            "comparisons": [
                {
                    "name": c.name,
                    "description": c.description,
                    "levels": [
                        {
                            "label": level.label,
                            "is_null": level.is_null,
                            "m": None if pair is None else pair[0],
                            "u": None if pair is None else pair[1],
                            "weight": round(self.level_weight(c.name, i), 4),
                        }
                        for i, (level, pair) in enumerate(
                            zip(c.levels, self.m_u[c.name], strict=True)
                        )
                    ],
                }
                for c in PERSON_COMPARISONS
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PersonModel:
        """Read a model written by `as_dict` (raises ValueError if it does not fit)."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown person model format {data.get('format')!r}")
        m_u: dict[str, list[tuple[float, float] | None]] = {}
        by_name = {c["name"]: c for c in data["comparisons"]}
        for comparison in PERSON_COMPARISONS:
            stored = by_name.get(comparison.name)
            if stored is None or len(stored["levels"]) != len(comparison.levels):
                raise ValueError(f"stored model does not fit comparison {comparison.name!r}")
            m_u[comparison.name] = [
                None if lv["m"] is None else (float(lv["m"]), float(lv["u"]))
                for lv in stored["levels"]
            ]
        thresholds = data.get("thresholds") or {}
        return cls(
            prior=float(data["prior"]),
            m_u=m_u,
            thresholds=Thresholds(**thresholds),
            trained_on=int(data.get("trained_on", 0)),
            source=str(data.get("source", "stored")),
            notes=tuple(data.get("notes", ())),
        )


DEFAULT_PERSON_MODEL = PersonModel(prior=1e-4, m_u=_DEFAULT_M_U)


def comparison_levels(left: Row, right: Row) -> list[int]:
    """Return the level each comparison gives a pair of feature rows."""
    return [c.level_of(left, right) for c in PERSON_COMPARISONS]


def splink_comparison(
    comparison: Comparison, dialect: Dialect, m_u: Sequence[tuple[float, float] | None] | None
) -> dict[str, Any]:
    """Render one comparison as a Splink comparison dictionary."""
    levels = []
    for index, level in enumerate(comparison.levels):
        entry: dict[str, Any] = {
            "sql_condition": level.render(dialect),
            "label_for_charts": level.label,
        }
        if level.is_null:
            entry["is_null_level"] = True
        elif m_u is not None and m_u[index] is not None:
            m, u = m_u[index]  # type: ignore[misc]
            entry["m_probability"] = _clamp(m)
            entry["u_probability"] = _clamp(u)
        levels.append(entry)
    return {
        "output_column_name": comparison.name,
        "comparison_description": comparison.description,
        "comparison_levels": levels,
    }


def splink_settings(model: PersonModel | None, dialect: Dialect) -> dict[str, Any]:
    """Return Splink settings for the person model, with its parameters when given."""
    settings: dict[str, Any] = {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": [
            splink_comparison(c, dialect, model.m_u[c.name] if model else None)
            for c in PERSON_COMPARISONS
        ],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": f"l.{name} = r.{name}"} for name, _ in BLOCKING_KEYS
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
    }
    if model is not None:
        settings["probability_two_random_records_match"] = model.prior
    return settings


def model_from_splink(
    settings: Mapping[str, Any], *, base: PersonModel, trained_on: int, notes: Sequence[str]
) -> PersonModel:
    """Read estimated m and u back from Splink's settings, falling back to `base` per level."""
    m_u: dict[str, list[tuple[float, float] | None]] = {}
    by_name = {c["output_column_name"]: c for c in settings["comparisons"]}
    filled: list[str] = list(notes)
    for comparison in PERSON_COMPARISONS:
        levels = by_name[comparison.name]["comparison_levels"]
        rows: list[tuple[float, float] | None] = []
        for index, level in enumerate(levels):
            if level.get("is_null_level"):
                rows.append(None)
                continue
            fallback = base.m_u[comparison.name][index]
            m = level.get("m_probability")
            u = level.get("u_probability")
            if not isinstance(m, float | int) or not isinstance(u, float | int) or m <= 0 or u <= 0:
                # A level the data never showed keeps its starting value, and says so.
                filled.append(
                    f"{comparison.name}: '{comparison.levels[index].label}' not estimated"
                )
                rows.append(fallback)
                continue
            rows.append((float(m), float(u)))
        m_u[comparison.name] = rows
    prior = float(settings.get("probability_two_random_records_match") or base.prior)
    return PersonModel(
        prior=prior,
        m_u=m_u,
        thresholds=base.thresholds,
        trained_on=trained_on,
        source="estimated",
        notes=tuple(filled),
    )
