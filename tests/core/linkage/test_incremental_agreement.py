"""Resolving records one at a time agrees with a batch run of the whole partnership."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.core.linkage import (
    DEFAULT_PERSON_MODEL,
    DuckDBEngine,
    IncrementalResolver,
    pairwise_agreement,
    person_rows,
    resolve_people,
    score_clusters,
)


@pytest.mark.slow
def test_incremental_agrees_with_batch_on_the_default_world(default_world: dict[str, Any]) -> None:
    rows = person_rows(default_world["mentions"])
    batch = resolve_people(rows, DEFAULT_PERSON_MODEL, DuckDBEngine()).assignment
    resolver = IncrementalResolver(DEFAULT_PERSON_MODEL)
    for row in person_rows(default_world["mentions"]):  # in arrival order
        resolver.place(row)
    incremental = resolver.assignment()
    agreement = pairwise_agreement(batch, incremental)
    print(f"batch/incremental pairwise agreement: {agreement:.5f}")
    assert agreement >= 0.99
    scores = score_clusters(batch, default_world["truth"])
    print(f"default model on the default world: {scores}")
    assert scores.precision >= 0.95


def test_placing_a_mention_reports_the_groups_it_joins() -> None:
    rows = person_rows(
        [
            {
                "mention_id": f"a/{i}/p1",
                "name": "Chloe Smith",
                "dob_year": 1994,
                "dob_month": 11,
                "dob_day": 2,
                "postcode_normalised": "S65 1AB",
                "recorded_at": "2010-01-01",
            }
            for i in range(3)
        ]
    )
    resolver = IncrementalResolver(DEFAULT_PERSON_MODEL)
    first = resolver.place(rows[0])
    second = resolver.place(rows[1])
    assert first.joined == () and len(second.joined) == 1
    assert len({resolver.assignment()[r["unique_id"]] for r in rows[:2]}) == 1
