"""The person model's parameters: how much each level of each comparison is worth.

A model is a prior (how likely two random mentions are the same person) and, for
each comparison level, m (how often true matches fall in it) and u (how often
non-matches do). The match weight of a pair is log2 of the prior odds plus the sum of
log2(m/u) over its levels — Fellegi-Sunter, as Splink computes it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from shinealight.core.linkage.internals.comparisons import (
    PERSON_COMPARISONS,
    Comparison,
    Dialect,
    Row,
    splink_blocking_rules,
)
from shinealight.core.linkage.internals.features import first_name_family

# Format 2: address comparison, more name and date levels, term-frequency tables.
MODEL_FORMAT = 2

# Term frequencies: how common each first name, surname and postcode is among the
# mentions the model was estimated on. A table keeps values seen at least twice (a
# value seen once made no exact match in that data), the commonest first, up to this
# many per column; a value not in the table gets no adjustment (the level's average).
TF_MAX_VALUES = 20_000
# How much of the adjustment is applied (Splink's tf_adjustment_weight; 1 = all of it).
TF_WEIGHT = 1.0
# A value rarer than this counts as this rare, which caps the bonus of a unique name.
TF_MINIMUM_U = 1e-5

# Hand-set starting values, used until `shinealight link` has estimated parameters
# from the partnership's own data. Rows follow the levels of each comparison, the null
# level included (as None).
_DEFAULT_M_U: dict[str, list[tuple[float, float] | None]] = {
    "first_name": [
        None,
        (0.72, 0.01),
        (0.12, 0.004),
        (0.03, 0.002),
        (0.02, 0.004),
        (0.02, 0.005),
        (0.02, 0.01),
        (0.005, 0.0005),
        (0.02, 0.02),
        (0.045, 0.9445),
    ],
    "surname": [
        None,
        (0.85, 0.005),
        (0.03, 0.001),
        (0.04, 0.001),
        (0.01, 0.003),
        (0.005, 0.004),
        (0.005, 0.0005),
        (0.06, 0.9855),
    ],
    "date_of_birth": [
        None,
        (0.85, 0.0005),
        (0.02, 0.00002),
        (0.02, 0.0004),
        (0.04, 0.002),
        (0.06, 0.02),
        (0.001, 0.5),
        (0.009, 0.47708),
    ],
    "age": [None, (0.6, 0.08), (0.2, 0.04), (0.17, 0.15), (0.0298, 0.23), (0.0002, 0.5)],
    "home": [
        None,
        (0.55, 0.0005),
        (0.2, 0.002),
        (0.02, 0.0002),
        (0.02, 0.001),
        (0.03, 0.005),
        (0.05, 0.1),
        (0.03, 0.4),
        (0.1, 0.4913),
    ],
    "area": [None, (0.9, 0.5), (0.1, 0.5)],
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

    # Chosen on the default simulated world with estimated parameters, and checked on
    # FEBRL4, which was not used to choose (docs/linkage.md).
    link: float = 3.0
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
    term_frequencies: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Column -> value -> share of the mentions (with that column) holding the value."""

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

    def tf_adjustment(self, comparison: Comparison, level: int, value: Any) -> float:
        """Return the term-frequency adjustment of one comparison (0 where none applies).

        As Splink computes it: log2(u of the exact level) - log2(the value's frequency),
        so a shared value rarer than the average exact match adds weight and a common
        one takes it away.
        """
        if value is None or comparison.tf_column is None or level != comparison.tf_level:
            return 0.0
        frequency = self.term_frequencies.get(comparison.tf_column, {}).get(value)
        pair = self.m_u[comparison.name][level]
        if frequency is None or pair is None:
            return 0.0
        return TF_WEIGHT * (math.log2(_clamp(pair[1])) - math.log2(max(frequency, TF_MINIMUM_U)))

    def adjustments(self, levels: Sequence[int], left: Row) -> tuple[float, ...]:
        """Return each comparison's term-frequency adjustment for a pair.

        Only exact-match levels are adjusted, so the left row's value is the shared one.
        """
        return tuple(
            self.tf_adjustment(c, level, left.get(c.tf_column) if c.tf_column else None)
            for c, level in zip(PERSON_COMPARISONS, levels, strict=True)
        )

    def score_levels(self, levels: Sequence[int], adjustments: Sequence[float] = ()) -> float:
        """Return the match weight of a pair whose comparisons fell in these levels."""
        weight = self.prior_weight
        for comparison, level in zip(PERSON_COMPARISONS, levels, strict=True):
            weight += self.level_weight(comparison.name, level)
        return weight + sum(adjustments)

    def score_pair(self, left: Row, right: Row) -> tuple[tuple[int, ...], tuple[float, ...], float]:
        """Return a pair's levels, term-frequency adjustments and match weight."""
        levels = tuple(comparison_levels(left, right))
        adjustments = self.adjustments(levels, left) if self.term_frequencies else ()
        return levels, adjustments, self.score_levels(levels, adjustments)

    def explain(
        self, levels: Sequence[int], adjustments: Sequence[float] = ()
    ) -> list[Contribution]:
        """Return each comparison's level and weight for a pair, in comparison order.

        A term-frequency adjustment is part of its comparison's weight, and its label
        says so ("exact (common value)" or "exact (rare value)").
        """
        extra = list(adjustments) or [0.0] * len(PERSON_COMPARISONS)
        result = []
        for c, level, adjustment in zip(PERSON_COMPARISONS, levels, extra, strict=True):
            label = c.levels[level].label
            if adjustment:
                label += " (rare value)" if adjustment > 0 else " (common value)"
            weight = self.level_weight(c.name, level) + adjustment
            result.append(Contribution(c.name, label, round(weight, 4)))
        return result

    def with_term_frequencies(self, tables: Mapping[str, Mapping[str, float]]) -> PersonModel:
        """Return the same parameters with these term-frequency tables."""
        return replace(self, term_frequencies=tables)

    def with_thresholds(self, *, link: float, review: float) -> PersonModel:
        """Return the same parameters with other decision thresholds."""
        return replace(self, thresholds=Thresholds(link=link, review=review))

    def as_dict(self, *, term_frequencies: bool = False) -> dict[str, Any]:
        """Return the model as plain JSON-ready data (stored, versioned, reported).

        The term-frequency tables are names and postcodes from the records, so they are
        included only when asked (to store the model); otherwise only their sizes are,
        under `term_frequency_values`, for reports that must not show case content.
        """
        tables: dict[str, Any] = (
            {"term_frequencies": {c: dict(t) for c, t in self.term_frequencies.items()}}
            if term_frequencies
            else {}
        )
        return {
            "format": MODEL_FORMAT,
            "prior": self.prior,
            "thresholds": {"link": self.thresholds.link, "review": self.thresholds.review},
            "trained_on": self.trained_on,
            "source": self.source,
            "notes": list(self.notes),
            **tables,
            "term_frequency_values": {c: len(t) for c, t in self.term_frequencies.items()},
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
            term_frequencies={
                str(c): {str(v): float(f) for v, f in t.items()}
                for c, t in (data.get("term_frequencies") or {}).items()
            },
        )


def term_frequency_tables(rows: Iterable[Row]) -> dict[str, dict[str, float]]:
    """Return the term-frequency table of each adjusted column, from feature rows.

    A first name counts with its family: "ben" is as common as Bens are, however many
    of them were written "Benjamin", so two mentions of "Ben" are not taken for rare.
    """
    columns = [c.tf_column for c in PERSON_COMPARISONS if c.tf_column]
    counts: dict[str, Counter[str]] = {c: Counter() for c in columns}
    for row in rows:
        for column in columns:
            value = row.get(column)
            if value is not None:
                counts[column][value] += 1
    tables = {}
    for column, counter in counts.items():
        total = sum(counter.values())
        kept = [v for v, n in counter.most_common(TF_MAX_VALUES) if n >= 2]
        if column == "first_name":
            tables[column] = {
                v: sum(counter[w] for w in first_name_family(v)) / total for v in kept
            }
        else:
            tables[column] = {v: counter[v] / total for v in kept}
    return tables


DEFAULT_PERSON_MODEL = PersonModel(prior=1e-4, m_u=_DEFAULT_M_U)


def comparison_levels(left: Row, right: Row) -> list[int]:
    """Return the level each comparison gives a pair of feature rows."""
    return [c.level_of(left, right) for c in PERSON_COMPARISONS]


def splink_comparison(
    comparison: Comparison,
    dialect: Dialect,
    m_u: Sequence[tuple[float, float] | None] | None,
    *,
    term_frequencies: bool = False,
) -> dict[str, Any]:
    """Render one comparison as a Splink comparison dictionary.

    With `term_frequencies`, the exact level is adjusted from a lookup table the
    caller registers (`tf_<column>`), so Splink's weights equal `PersonModel`'s.
    """
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
        if level.fixed_m is not None:
            entry["m_probability"] = level.fixed_m
            entry["fix_m_probability"] = True
        if term_frequencies and index == comparison.tf_level:
            entry["tf_adjustment_column"] = comparison.tf_column
            entry["tf_adjustment_weight"] = TF_WEIGHT
            entry["tf_minimum_u_value"] = TF_MINIMUM_U
        levels.append(entry)
    return {
        "output_column_name": comparison.name,
        "comparison_description": comparison.description,
        "comparison_levels": levels,
    }


def splink_settings(
    model: PersonModel | None, dialect: Dialect, *, lone_names: bool = True
) -> dict[str, Any]:
    """Return Splink settings for the person model, with its parameters when given.

    `lone_names` keeps the lone-name blocking rules (see `splink_blocking_rules`).
    """
    settings: dict[str, Any] = {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": [
            splink_comparison(
                c,
                dialect,
                model.m_u[c.name] if model else None,
                term_frequencies=bool(
                    model and c.tf_column and model.term_frequencies.get(c.tf_column)
                ),
            )
            for c in PERSON_COMPARISONS
        ],
        "blocking_rules_to_generate_predictions": splink_blocking_rules(
            dialect, lone_names=lone_names
        ),
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
        term_frequencies=base.term_frequencies,
    )
