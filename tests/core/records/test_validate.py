"""The input contract: every class of fault is reported with its line and field."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from shinealight.core.records import RecordInvalid, iter_records, parse_line, parse_record

SPEC = Path(__file__).parents[2] / "data" / "spec-examples"
SHARED_SPEC = Path(__file__).parents[4] / "shared" / "spec" / "examples"

VALID = {
    "agency": "swy-police",
    "agency_type": "police",
    "record_id": "X1",
    "type": "police_stop",
    "recorded_at": "2009-03-14T23:40:00Z",
}


def errors_of(obj: object) -> list[str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_record(obj)
    return [str(e) for e in caught.value.errors]


def test_the_spec_examples_are_our_copies() -> None:
    if not SHARED_SPEC.exists():
        pytest.skip("shared/ is not beside this checkout")
    for name in ("valid.jsonl", "invalid.jsonl"):
        assert (SPEC / name).read_bytes() == (SHARED_SPEC / name).read_bytes()


def test_every_valid_example_line_parses() -> None:
    results = list(iter_records(SPEC / "valid.jsonl"))
    assert [n for n, _ in results] == [1, 2, 3, 4, 5]
    assert all(not isinstance(r, list) for _, r in results)


def test_invalid_example_reports_exactly_the_expected_lines_and_fields() -> None:
    faults = {n: r for n, r in iter_records(SPEC / "invalid.jsonl") if isinstance(r, list)}
    assert sorted(faults) == [2, 3, 4, 5, 6, 7]
    assert [(e.field, e.reason) for e in faults[2]] == [("recorded_at", "required field missing")]
    assert faults[3][0].field == "agency_type"
    assert "'army' is not one of police, social_care" in faults[3][0].reason
    assert faults[4][0].field == "recorded_at"
    assert "ISO 8601" in faults[4][0].reason
    assert faults[5][0].field == "vehicles[0].persons[0]"
    assert "'p9' points to no person" in faults[5][0].reason
    assert faults[6][0].field == "grading.handling_conditions"
    assert "required when handling is C" in faults[6][0].reason
    assert "not valid JSON" in faults[7][0].reason


def test_bad_json() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_line('{"agency": "x",')
    assert "not valid JSON" in str(caught.value)


def test_missing_required_fields_are_all_named() -> None:
    found = errors_of({"agency": "swy-police"})
    for name in ("agency_type", "record_id", "type", "recorded_at"):
        assert f"{name}: required field missing" in found


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("type", "party", "type: 'party' is not one of missing_episode"),
        ("agency", "SWY Police", "agency: 'SWY Police' is not an agency code"),
        (
            "recorded_at",
            "2009-03-14T23:40:00",
            "recorded_at: not an ISO 8601 date-time with offset",
        ),
        ("occurred_at", "yesterday", "occurred_at: not an ISO 8601 date-time with offset"),
        ("grading", {"source": "4"}, "grading.source: '4' is not one of 1, 2, 3"),
        ("persons", [{"ref": "p1", "role": "boss"}], "persons[0].role: 'boss' is not one of"),
        ("persons", [{"ref": "p1", "dob": "02/11/1994"}], "persons[0].dob: not a date"),
        ("persons", [{"ref": "p1", "dob": "2009-02-30"}], "persons[0].dob: not a date"),
        ("persons", [{"ref": "p1", "age_estimate": "28"}], "persons[0].age_estimate:"),
    ],
)
def test_bad_values_name_their_field(field: str, value: object, expected: str) -> None:
    found = errors_of({**VALID, field: value})
    assert any(e.startswith(expected) for e in found), found


def test_partial_dates_of_birth_are_accepted() -> None:
    for dob in ("1981", "1994-11", "1994-11-02"):
        parse_record({**VALID, "persons": [{"ref": "p1", "dob": dob}]})


def test_dangling_refs_in_links_and_objects() -> None:
    found = errors_of(
        {
            **VALID,
            "persons": [{"ref": "p1"}],
            "phones": [{"ref": "t1", "number": "07700 900123", "persons": ["p2"]}],
            "links": [{"from": "p1", "to": "p7", "kind": "boyfriend"}],
        }
    )
    assert "phones[0].persons[0]: ref 'p2' points to no person in this record" in found
    assert "links[0].to: ref 'p7' points to nothing in this record" in found


def test_duplicate_refs_are_refused() -> None:
    found = errors_of({**VALID, "persons": [{"ref": "p1"}, {"ref": "p1"}]})
    assert "persons[1].ref: ref 'p1' is used twice" in found


def test_oversized_summary_is_an_error_not_a_truncation() -> None:
    found = errors_of({**VALID, "summary": "x" * 100_001})
    assert found == ["summary: too long: at most 100000 characters allowed (it is not truncated)"]
    parse_record({**VALID, "summary": "x" * 100_000})


def test_oversized_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps(
        {
            **VALID,
            "summary": "y" * 99_000,
            "persons": [{"ref": f"p{i}", "description": "z" * 9_000} for i in range(120)],
        }
    )
    assert len(big) > 1 << 20
    path.write_text(json.dumps(VALID) + "\n" + big + "\n" + json.dumps(VALID) + "\n")
    results = list(iter_records(path))
    assert [n for n, _ in results] == [1, 2, 3]
    assert isinstance(results[1][1], list)
    assert "longer than 1048576 bytes" in str(results[1][1][0])
    assert not isinstance(results[2][1], list)


def test_unknown_indicator_codes_are_kept_not_rejected() -> None:
    record = parse_record({**VALID, "indicators": ["older_boyfriend", "local_code_77"]})
    assert record.indicators == ["older_boyfriend", "local_code_77"]


def test_extensions_are_allowed(tmp_path: Path) -> None:
    parse_record({**VALID, "x_local": {"anything": 1}})


def test_gzip_files_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps(VALID) + "\n\n" + json.dumps({**VALID, "record_id": "X2"}) + "\n")
    assert [n for n, _ in iter_records(path)] == [1, 3]
