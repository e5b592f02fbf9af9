"""Batch linkage with Splink: estimate the person model, then score every blocked pair."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from shinealight.core.linkage.internals.comparisons import (
    BLOCK_LIMIT,
    BLOCKING_KEYS,
    PERSON_COMPARISONS,
    cap_common_keys,
    cap_lone_probes,
    has_lone_probes,
)
from shinealight.core.linkage.internals.engines import Engine, rows_to_arrow
from shinealight.core.linkage.internals.model import (
    DEFAULT_PERSON_MODEL,
    PersonModel,
    model_from_splink,
    splink_settings,
    term_frequency_tables,
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
_EM_RULES: tuple[tuple[str, ...], ...] = (
    ("dob",),
    ("surname_metaphone", "first_name"),
    # Pairs with a first name in common in one area: where a lone first name and an
    # age are all there is, so the age levels learn from such pairs too.
    ("first_name", "area"),
)
# An EM session needs at least this many pairs sharing its columns; a session with
# none would fail (and Splink does not restore its settings when it does).
_EM_MIN_PAIRS = 100
_EM_PAIRS = 2_000_000
# Mentions scored against the whole partnership at a time: the blocked pairs of one
# chunk are built, scored and dropped before the next (2.2 million mentions at once
# ran DuckDB out of memory).
CHUNK_ROWS = 250_000


@dataclass(frozen=True)
class ScoredPair:
    """Two mentions compared: their match weight and the level of each comparison."""

    left: str
    right: str
    weight: float
    levels: tuple[int, ...]
    adjustments: tuple[float, ...] = ()
    """Each comparison's term-frequency adjustment (empty: none)."""

    @property
    def probability(self) -> float:
        """The match probability the weight stands for."""
        return float(1.0 / (1.0 + 2.0 ** (-self.weight)))


def _quiet_splink() -> None:
    # Splink warns of each level the data never shows; the model's notes say so already.
    logging.getLogger("splink").setLevel(logging.ERROR)


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
    expectation maximisation, and term-frequency tables of first names, surnames and
    postcodes. Levels the data never shows keep `base`'s values.
    """
    from splink import Linker

    _quiet_splink()
    say = progress or (lambda _: None)
    frame = engine.register(rows_to_arrow(rows), "mentions_for_training")
    linker = Linker(frame, splink_settings(None, engine.dialect), log_level=logging.ERROR)
    notes: list[str] = []
    say("estimating the prior from identifier matches")
    linker.training.estimate_probability_two_random_records_match(
        list(_DETERMINISTIC_RULES), recall=0.5
    )
    say("estimating u from random pairs")
    # One pass over the sample: the chunked early stop never stops for levels as rare as
    # "names swapped", and its probe costs a second pass.
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    proportion = min(1.0, math.sqrt(2 * _EM_PAIRS) / max(len(rows), 1) * 20)
    for columns in _EM_RULES:
        rule = " AND ".join(f"l.{c} = r.{c}" for c in columns)
        if _pairs_sharing(rows, columns) < _EM_MIN_PAIRS:
            # No areas recorded, say: the other sessions carry the estimates.
            notes.append(f"too few pairs where {rule}: that EM session was skipped")
            continue
        say(f"estimating m by EM on pairs where {rule}")
        # Splink 5 samples EM's pairs only when `max_pairs` is given (the proportion
        # sizes the probe that counts them): without it, "same first name in one area"
        # over 2.2 million mentions spilled 50 GB to disk and did not finish.
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=_EM_PAIRS, record_sample_proportion=proportion
        )
    settings = linker.misc.save_model_to_json()
    say("counting how common each name and postcode is")
    model = model_from_splink(settings, base=base, trained_on=len(rows), notes=notes)
    return model.with_term_frequencies(term_frequency_tables(rows))


def _pairs_sharing(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> int:
    """How many pairs of rows agree on every one of `columns` (none of them missing)."""
    counts = Counter(
        tuple(row.get(c) for c in columns)
        for row in rows
        if all(row.get(c) is not None for c in columns)
    )
    return sum(n * (n - 1) // 2 for n in counts.values())


def predict_pairs(
    rows: Sequence[dict[str, Any]],
    model: PersonModel,
    engine: Engine,
    *,
    min_weight: float | None = None,
    chunks: int | None = None,
    block_limit: int | None = BLOCK_LIMIT,
    progress: Progress | None = None,
) -> Iterator[ScoredPair]:
    """Score every blocked pair with the model; yield those at or above `min_weight`.

    `min_weight` defaults to the model's review threshold: nothing below it is kept.
    The left side of each pair is taken `chunks` slices at a time (by default one per
    `CHUNK_ROWS` mentions), so memory follows the slice, not the partnership. A
    blocking key shared by more than `block_limit` mentions pairs none of them
    (`cap_common_keys`; None: no limit); a lone name pairs within its budget
    (`cap_lone_probes`).
    """
    from splink import Linker

    _quiet_splink()
    say = progress or (lambda _: None)
    rows = cap_lone_probes(rows)
    if block_limit is not None:
        rows, _ = cap_common_keys(rows, block_limit)
    frame = engine.register(rows_to_arrow(rows), "mentions_for_prediction")
    settings = splink_settings(model, engine.dialect, lone_names=has_lone_probes(rows))
    linker = Linker(frame, settings, log_level=logging.ERROR)
    tf_columns = []
    for column, table in model.term_frequencies.items():
        if not table:
            continue
        # Splink adjusts from the model's own tables, never from the data being scored,
        # so its weights are the ones the incremental path computes.
        lookup = pa.table(
            {column: list(table), f"tf_{column}": list(table.values())},
            schema=pa.schema([(column, pa.string()), (f"tf_{column}", pa.float64())]),
        )
        registered = engine.register_table(lookup, f"tf_{column}_for_prediction")
        linker.table_management.register_term_frequency_lookup(registered, column)
        tf_columns.append(column)
    threshold = model.thresholds.review if min_weight is None else min_weight
    gammas = [f"gamma_{c.name}" for c in PERSON_COMPARISONS]
    values = [f"{c}_l" for c in tf_columns]
    count = chunks or max(1, math.ceil(len(rows) / CHUNK_ROWS))
    # Only the two lone-name rules (after the plain ones) can find one pair twice; only
    # their pairs are remembered, not the millions the plain rules find once each.
    plain = len(BLOCKING_KEYS)
    seen: set[tuple[str, str]] = set()
    for chunk in range(1, count + 1):
        if count > 1:
            say(f"scoring pairs: slice {chunk} of {count}")
        predictions = linker.inference.predict_chunk(
            left_chunk=(chunk, count),
            right_chunk=(1, 1),
            threshold_match_weight=threshold,
            warning_mode="never",
        )
        for left, right, rule, *rest in engine.rows(
            predictions, ["unique_id_l", "unique_id_r", "match_key", *gammas, *values]
        ):
            a, b = (left, right) if left < right else (right, left)
            if int(rule) >= plain:
                if (a, b) in seen:
                    continue  # found by both lone-name rules
                seen.add((a, b))
            # Splink numbers levels from the top, with -1 for the null level; we count
            # from the first level listed, as `Comparison.level_of` does.
            indices = tuple(
                _level_index(c.levels, g)
                for c, g in zip(PERSON_COMPARISONS, rest[: len(gammas)], strict=True)
            )
            shared = dict(zip(tf_columns, rest[len(gammas) :], strict=True))
            adjustments = model.adjustments(indices, shared) if tf_columns else ()
            weight = model.score_levels(indices, adjustments)
            if weight >= threshold:
                yield ScoredPair(a, b, weight, indices, adjustments)
        predictions.drop_table_from_database_and_remove_from_cache()


def _level_index(levels: Sequence[Any], gamma: int) -> int:
    if gamma == -1:
        return next(i for i, level in enumerate(levels) if level.is_null)
    # Splink gives the last listed non-null level gamma 0 and counts up towards the first.
    non_null = [i for i, level in enumerate(levels) if not level.is_null]
    return non_null[len(non_null) - 1 - gamma]
