"""Normalised forms are stored beside what the practitioner wrote."""

from __future__ import annotations

import json
from pathlib import Path

from shinealight.core.records import content_hash, flatten, parse_record

SPEC = Path(__file__).parents[2] / "data" / "spec-examples"


def example(n: int) -> dict:
    return json.loads((SPEC / "valid.jsonl").read_text().splitlines()[n - 1])


def test_police_stop_is_split_into_normalised_mentions() -> None:
    flat = flatten(parse_record(example(1)))
    chloe, ash, unknown = flat.persons
    assert chloe["mention_id"] == "swy-police/INC-2009-004417/p1"
    assert chloe["name"] == "Chloe Marie Smith"
    assert chloe["postcode_normalised"] == "S65 1AB"
    assert chloe["phones_e164"] == ["+447700900123"]
    assert (chloe["dob_year"], chloe["dob_month"], chloe["dob_day"]) == (1994, 11, 2)
    assert chloe["nhs_number"] == "9990001111"
    assert chloe["nhs_number_valid"] is True
    assert ash["aliases"] == ["Ashy"] and ash["age_estimate"] == 28
    assert unknown["name"] == ""
    assert flat.vehicles[0]["vrm"] == "KX55 ABC"
    assert flat.vehicles[0]["vrm_normalised"] == "KX55ABC"
    assert flat.vehicles[0]["partial"] is False
    # Chloe's own phone becomes a phone mention too, tied to her.
    assert flat.phones == [
        {
            "mention_id": "swy-police/INC-2009-004417/p1.phone1",
            "ref": "p1.phone1",
            "number": "07700 900123",
            "e164": "+447700900123",
            "person_refs": ["p1"],
        }
    ]
    assert flat.locations[0]["postcode_normalised"] == "S65 1EQ"


def test_partial_plate_keeps_unknown_characters() -> None:
    flat = flatten(parse_record(example(2)))
    assert flat.vehicles[0]["vrm_normalised"] == "KX55???"
    assert flat.vehicles[0]["partial"] is True


def test_partial_dob_stays_partial() -> None:
    flat = flatten(parse_record(example(5)))
    ash = flat.persons[1]
    assert (ash["dob"], ash["dob_year"], ash["dob_month"], ash["dob_day"]) == (
        "1981",
        1981,
        None,
        None,
    )


def test_a_number_listed_twice_is_one_phone_mention() -> None:
    flat = flatten(parse_record(example(4)))
    assert [p["e164"] for p in flat.phones] == ["+447700900456"]


def test_links_and_grading() -> None:
    flat = flatten(parse_record(example(3)))
    assert flat.links == [{"from_ref": "p1", "to_ref": "p2", "kind": "boyfriend"}]
    flat4 = flatten(parse_record(example(4)))
    assert flat4.fields["grading_handling"] == "C"
    assert flat4.fields["handling_conditions"].startswith("Do not disclose")


def test_invalid_nhs_number_is_kept_and_flagged() -> None:
    record = example(1)
    record["persons"][0]["identifiers"]["nhs_number"] = "999 000 1112"
    chloe = flatten(parse_record(record)).persons[0]
    assert chloe["identifiers"]["nhs_number"] == "999 000 1112"
    assert chloe["nhs_number_valid"] is False


def test_content_hash_ignores_key_order_only() -> None:
    a = example(1)
    b = dict(reversed(list(a.items())))
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({**a, "summary": "changed"})
