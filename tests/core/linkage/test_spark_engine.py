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
)

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java; none found")


@pytest.mark.slow
def test_spark_and_duckdb_score_the_same_pairs(default_world: dict[str, Any]) -> None:
    from shinealight.core.linkage import SparkEngine

    rows = person_rows(default_world["mentions"][:1500])
    duck = {
        (p.left, p.right): p.levels
        for p in predict_pairs(rows, DEFAULT_PERSON_MODEL, DuckDBEngine())
    }
    spark_engine = SparkEngine(cores=2)
    try:
        spark = {
            (p.left, p.right): p.levels
            for p in predict_pairs(rows, DEFAULT_PERSON_MODEL, spark_engine)
        }
    finally:
        spark_engine.session.stop()
    assert len(duck) > 100
    # Jaro-Winkler is a JVM function on Spark and a C++ one on DuckDB: allow a hair.
    agree = sum(1 for pair in duck if spark.get(pair) == duck[pair])
    assert agree / len(duck) >= 0.99
