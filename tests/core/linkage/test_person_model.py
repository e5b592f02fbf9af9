"""The person model decides the cases practitioners care about, the same way on every path."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.core.linkage import (
    DEFAULT_PERSON_MODEL,
    CandidateIndex,
    DuckDBEngine,
    comparison_levels,
    person_rows,
    predict_pairs,
    resolve_people,
)


def mention(mention_id: str, name: str, dob: str = "", **extra: Any) -> dict[str, Any]:
    parts = [int(p) for p in dob.split("-")] if dob else []
    return {
        "mention_id": mention_id,
        "name": name,
        "aliases": extra.pop("aliases", []),
        "dob_year": parts[0] if parts else None,
        "dob_month": parts[1] if len(parts) > 1 else None,
        "dob_day": parts[2] if len(parts) > 2 else None,
        "age_estimate": extra.pop("age_estimate", None),
        "gender": extra.pop("gender", "female"),
        "postcode_normalised": extra.pop("postcode", "S65 1AB"),
        "phones_e164": extra.pop("phones", []),
        "identifiers": extra.pop("identifiers", {}),
        "nhs_number": "",
        "nhs_number_valid": None,
        "recorded_at": "2010-01-01T00:00:00Z",
        **extra,
    }


def weight(a: dict[str, Any], b: dict[str, Any]) -> float:
    left, right = person_rows([a, b])
    return DEFAULT_PERSON_MODEL.score_levels(comparison_levels(left, right))


LINK = DEFAULT_PERSON_MODEL.thresholds.link


def test_a_nickname_with_the_same_date_of_birth_links() -> None:
    assert (
        weight(
            mention("a/1/p1", "Katie Smith", "1994-11-02"),
            mention("b/2/p1", "Katherine Smith", "1994-11-02"),
        )
        >= LINK
    )


def test_day_and_month_swapped_still_links() -> None:
    assert (
        weight(
            mention("a/1/p1", "Chloe Smith", "1994-11-02"),
            mention("b/2/p1", "Chloe Smith", "1994-02-11"),
        )
        >= LINK
    )


def test_a_double_barrelled_surname_shares_its_parts() -> None:
    a = mention("a/1/p1", "Katherine Smith-Jones", "1994-11-02")
    b = mention("b/2/p1", "Kate Jones", "1994-11-02")
    assert weight(a, b) >= LINK


def test_same_common_name_with_a_different_date_of_birth_does_not_link() -> None:
    a = mention("a/1/p1", "Jack Smith", "2005-03-14", gender="male", postcode="S65 1AB")
    b = mention("b/2/p1", "Jack Smith", "2007-09-30", gender="male", postcode="S60 2XY")
    assert weight(a, b) < DEFAULT_PERSON_MODEL.thresholds.review


def test_a_shared_nhs_number_is_near_certain() -> None:
    a = mention(
        "a/1/p1", "Chloe Smith", nhs_number="9434765919", nhs_number_valid=True, postcode=""
    )
    b = mention("b/2/p1", "C Smyth", nhs_number="9434765919", nhs_number_valid=True, postcode="")
    assert weight(a, b) >= LINK


def test_ethnicity_is_never_read() -> None:
    a = mention("a/1/p1", "Chloe Smith", "1994-11-02", ethnicity="White British")
    b = mention("b/2/p1", "Chloe Smith", "1994-11-02", ethnicity="Asian")
    c = mention("c/3/p1", "Chloe Smith", "1994-11-02")
    rows = person_rows([a, b, c])
    assert all("ethnicity" not in row for row in rows)
    assert comparison_levels(rows[0], rows[1]) == comparison_levels(rows[0], rows[2])


def test_python_scoring_agrees_with_splink_on_duckdb(default_world: dict[str, Any]) -> None:
    rows = person_rows(default_world["mentions"][:3000])
    by_id = {r["unique_id"]: r for r in rows}
    engine = DuckDBEngine()
    pairs = list(predict_pairs(rows, DEFAULT_PERSON_MODEL, engine, min_weight=-10))
    assert len(pairs) > 1000
    for pair in pairs:
        levels = tuple(comparison_levels(by_id[pair.left], by_id[pair.right]))
        assert levels == pair.levels, pair
    # The in-memory index finds exactly the pairs Splink's blocking rules generate.
    index = CandidateIndex(DEFAULT_PERSON_MODEL)
    found = set()
    for row in rows:
        found |= {(p.left, p.right) for p in index.score(row, min_weight=-10)}
        index.add(row)
    assert found == {(p.left, p.right) for p in pairs}


def test_batch_resolution_groups_a_nickname_family() -> None:
    rows = person_rows(
        [
            mention("a/1/p1", "Katie Smith", "1994-11-02"),
            mention("b/2/p1", "Katherine Smith", "1994-11-02"),
            mention("c/3/p1", "Kate Smith", "1994-02-11"),
            mention("d/4/p1", "Katie Smith", "1996-05-20", postcode="S60 2XY"),
        ]
    )
    resolution = resolve_people(rows, DEFAULT_PERSON_MODEL, DuckDBEngine())
    a = resolution.assignment
    assert a["a/1/p1"] == a["b/2/p1"] == a["c/3/p1"] != a["d/4/p1"]


@pytest.mark.parametrize("decision", ["same", "not_same"])
def test_reviewer_decisions_override_the_model(decision: str) -> None:
    rows = person_rows(
        [
            mention("a/1/p1", "Katie Smith", "1994-11-02"),
            mention("b/2/p1", "Katie Smith", "1994-11-02"),
        ]
    )
    rows.append(person_rows([mention("c/3/p1", "Ash", gender="male", postcode="")])[0])
    decisions = {("a/1/p1", "b/2/p1"): "not_same", ("a/1/p1", "c/3/p1"): "same"}
    if decision == "same":
        decisions = {("a/1/p1", "c/3/p1"): "same"}
    a = resolve_people(rows, DEFAULT_PERSON_MODEL, DuckDBEngine(), decisions=decisions).assignment
    assert a["a/1/p1"] == a["c/3/p1"]
    if decision == "not_same":
        assert a["a/1/p1"] != a["b/2/p1"]
