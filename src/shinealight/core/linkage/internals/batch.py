"""Batch linkage with Splink: estimate the person model, then score every blocked pair."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shinealight.core.linkage.internals.comparisons import PERSON_COMPARISONS
from shinealight.core.linkage.internals.engines import Engine, rows_to_arrow
from shinealight.core.linkage.internals.model import (
    DEFAULT_PERSON_MODEL,
    PersonModel,
    model_from_splink,
    splink_settings,
)

Progress = Callable[[str], None]

# Two mentions sharing a valid identifier are nearly always one person; this sets the
# prior. Recall is set low because most mentions carry no identifier at all.
_DETERMINISTIC_RULES = (
    "l.nhs = r.nhs",
    "l.upn = r.upn",
    "l.pnc = r.pnc",
    "l.dob = r.dob AND l.surname = r.surname AND l.first_name = r.first_name",
)
# EM needs pairs where true matches are common but not all; each session leaves the
# fields of its own rule untrained, so two sessions cover every comparison.
_EM_RULES = (
    "l.dob = r.dob",
    "l.surname_metaphone = r.surname_metaphone AND l.first_name = r.first_name",
)
_EM_PAIRS = 2_000_000


@dataclass(frozen=True)
class ScoredPair:
    """Two mentions compared: their match weight and the level of each comparison."""

    left: str
    right: str
    weight: float
    levels: tuple[int, ...]

    @property
    def probability(self) -> float:
        """The match probability the weight stands for."""
        return float(1.0 / (1.0 + 2.0 ** (-self.weight)))


def _quiet_splink() -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)


def train_person_model(
    rows: Sequence[dict[str, Any]],
    engine: Engine,
    *,
    base: PersonModel = DEFAULT_PERSON_MODEL,
    seed: int = 1,
    progress: Progress | None = None,
) -> PersonModel:
    """Estimate the person model from the partnership's own mentions, without labels.

    u from random pairs, the prior from near-certain identifier matches, m by
    expectation maximisation. Levels the data never shows keep `base`'s values.
    """
    from splink import Linker

    _quiet_splink()
    say = progress or (lambda _: None)
    frame = engine.register(rows_to_arrow(rows), "mentions_for_training")
    linker = Linker(frame, splink_settings(None, engine.dialect), log_level=logging.WARNING)
    notes: list[str] = []
    say("estimating the prior from identifier matches")
    linker.training.estimate_probability_two_random_records_match(
        list(_DETERMINISTIC_RULES), recall=0.5
    )
    say("estimating u from random pairs")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    proportion = min(1.0, math.sqrt(2 * _EM_PAIRS) / max(len(rows), 1) * 20)
    for rule in _EM_RULES:
        say(f"estimating m by EM on pairs where {rule}")
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=proportion
        )
    settings = linker.misc.save_model_to_json()
    return model_from_splink(settings, base=base, trained_on=len(rows), notes=notes)


def predict_pairs(
    rows: Sequence[dict[str, Any]],
    model: PersonModel,
    engine: Engine,
    *,
    min_weight: float | None = None,
) -> Iterator[ScoredPair]:
    """Score every blocked pair with the model; yield those at or above `min_weight`.

    `min_weight` defaults to the model's review threshold: nothing below it is kept.
    """
    from splink import Linker

    _quiet_splink()
    frame = engine.register(rows_to_arrow(rows), "mentions_for_prediction")
    linker = Linker(frame, splink_settings(model, engine.dialect), log_level=logging.WARNING)
    threshold = model.thresholds.review if min_weight is None else min_weight
    predictions = linker.inference.predict(threshold_match_weight=threshold, warning_mode="never")
    gammas = [f"gamma_{c.name}" for c in PERSON_COMPARISONS]
    for left, right, *levels in engine.rows(predictions, ["unique_id_l", "unique_id_r", *gammas]):
        # Splink numbers levels from the top, with -1 for the null level; we count from
        # the first level listed, as `Comparison.level_of` does.
        indices = tuple(
            _level_index(c.levels, g) for c, g in zip(PERSON_COMPARISONS, levels, strict=True)
        )
        weight = model.score_levels(indices)
        if weight >= threshold:
            a, b = (left, right) if left < right else (right, left)
            yield ScoredPair(a, b, weight, indices)


def _level_index(levels: Sequence[Any], gamma: int) -> int:
    if gamma == -1:
        return next(i for i, level in enumerate(levels) if level.is_null)
    # Splink gives the last listed non-null level gamma 0 and counts up towards the first.
    non_null = [i for i, level in enumerate(levels) if not level.is_null]
    return non_null[len(non_null) - 1 - gamma]
