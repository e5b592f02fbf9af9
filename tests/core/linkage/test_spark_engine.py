"""The same model on Splink's Spark backend (pyspark local mode) gives the same pairs."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from shinealight.core.linkage import (
    DEFAULT_PERSON_MODEL,
    DuckDBEngine,
    person_rows,
    predict_pairs,
    term_frequency_tables,
)

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java; none found")


@pytest.mark.slow
def test_spark_and_duckdb_score_the_same_pairs(default_world: dict[str, Any]) -> None:
    from shinealight.core.linkage import SparkEngine

    rows = person_rows(default_world["mentions"][:1500])
    # With term-frequency tables, so that Spark's lookups are exercised too.
    model = DEFAULT_PERSON_MODEL.with_term_frequencies(term_frequency_tables(rows))
    duck = {(p.left, p.right): p for p in predict_pairs(rows, model, DuckDBEngine())}
    spark_engine = SparkEngine(cores=2)
    try:
        spark = {(p.left, p.right): p for p in predict_pairs(rows, model, spark_engine)}
    finally:
        spark_engine.session.stop()
    assert len(duck) > 100
    assert any(any(p.adjustments) for p in duck.values())
    # Jaro-Winkler is a JVM function on Spark and a C++ one on DuckDB: allow a hair.
    agree = sum(
        1
        for pair, p in duck.items()
        if pair in spark
        and spark[pair].levels == p.levels
        and abs(spark[pair].weight - p.weight) < 1e-6
    )
    assert agree / len(duck) >= 0.99
