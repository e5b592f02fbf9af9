"""The records file: deterministic, valid against the contract, fictional, in order."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from simworld import Run

from shinealight.core.normalise import normalise_nhs_number, normalise_postcode
from shinealight.core.records import RecordInvalid, parse_record
from shinealight.core.schema import vocabulary
from shinealight.core.simulate import SimulationConfig, simulate

SMALL = SimulationConfig(seed=7, children=150, years=2, networks=2)


def _files(out: Path) -> tuple[bytes, bytes]:
    return (out / "records.jsonl.gz").read_bytes(), (out / "truth.json").read_bytes()


def test_same_seed_and_options_give_byte_identical_output(demo: Run, tmp_path: Path) -> None:
    simulate(demo.config, tmp_path)
    assert _files(tmp_path) == _files(demo.out)


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # String hashing is randomised per process; a set iterated anywhere would show here.
    script = (
        "import sys, pathlib\n"
        "from shinealight.core.simulate import SimulationConfig, simulate\n"
        "simulate(SimulationConfig(seed=7, children=150, years=2, networks=2),"
        " pathlib.Path(sys.argv[1]))\n"
    )
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        outs.append(_files(out))
    simulate(SMALL, tmp_path / "here")
    assert outs[0] == outs[1] == _files(tmp_path / "here")


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    simulate(SMALL, tmp_path / "a")
    simulate(SMALL.replace(seed=8), tmp_path / "b")
    assert _files(tmp_path / "a")[0] != _files(tmp_path / "b")[0]


def test_every_line_passes_the_importers_validation(demo: Run, evaluation: Run) -> None:
    failures = []
    for run in (demo, evaluation):
        for number, record in enumerate(run.records, start=1):
            try:
                parse_record(record)
            except RecordInvalid as exc:
                failures.append((run.config.preset_name, number, exc.errors))
    assert failures == []


def test_event_types_and_indicators_are_the_contracts_own(evaluation: Run) -> None:
    vocab = vocabulary()
    codes = set(vocab.indicators)
    types = {r["type"] for r in evaluation.records}
    used = {code for r in evaluation.records for code in r.get("indicators", [])}
    assert types <= set(vocab.event_types)
    assert used <= codes
    # Ordinary life and exploitation between them use most of the catalogue.
    assert len(types) >= 15
    assert len(used) >= 25


def test_records_are_written_in_recorded_order(evaluation: Run) -> None:
    stamps = [r["recorded_at"] for r in evaluation.records]
    assert stamps == sorted(stamps)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)


def test_updates_are_later_versions_of_the_same_record(evaluation: Run) -> None:
    versions: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for record in evaluation.records:
        versions[(record["agency"], record["record_id"])].append(record)
    updated = [v for v in versions.values() if len(v) > 1]
    assert len(updated) >= 50
    assert evaluation.summary.updates == sum(len(v) - 1 for v in updated)
    for older, newer in ((v[0], v[-1]) for v in updated):
        assert str(newer["recorded_at"]) > str(older["recorded_at"])
        assert newer["type"] == older["type"]
        refs = {p["ref"]: p["role"] for p in older.get("persons", [])}  # type: ignore[attr-defined]
        assert {p["ref"]: p["role"] for p in newer.get("persons", [])} == refs  # type: ignore[attr-defined]


def test_most_records_carry_a_practitioners_summary(evaluation: Run) -> None:
    with_summary = sum(1 for r in evaluation.records if r.get("summary"))
    assert with_summary / len(evaluation.records) > 0.95


def test_summary_counts_match_the_file(evaluation: Run) -> None:
    summary = evaluation.summary
    assert summary.records == len(evaluation.records)
    assert sum(summary.by_agency.values()) == summary.records
    assert summary.people == len(evaluation.truth["people"])
    assert summary.networks == len(evaluation.truth["networks"]) == 8
    assert summary.children == 2000
    kinds = {r["agency_type"] for r in evaluation.records}
    assert kinds == {
        "police",
        "social_care",
        "health",
        "education",
        "youth_service",
        "voluntary",
        "probation",
    }


def test_identifiers_are_fictional(evaluation: Run) -> None:
    phone = re.compile(r"\+?[\d\s()\-]+")
    made_up_areas = {"KF", "RX"}
    for record in evaluation.records:
        numbers = [t["number"] for t in record.get("phones", [])]
        postcodes = []
        for person in record.get("persons", []):
            numbers += person.get("phones", [])
            if "postcode" in person:
                postcodes.append(person["postcode"])
            nhs = person.get("identifiers", {}).get("nhs_number")
            if nhs is not None:
                digits, valid = normalise_nhs_number(nhs)
                assert valid and digits.startswith("999"), nhs
        postcodes += [loc["postcode"] for loc in record.get("locations", []) if "postcode" in loc]
        for number in numbers:
            assert phone.fullmatch(number), number
            digits = re.sub(r"\D", "", number)
            national = "0" + digits[2:] if digits.startswith("44") else digits
            assert re.fullmatch(r"07700900\d{3}", national), number
        for postcode in postcodes:
            canonical = normalise_postcode(postcode)
            assert canonical is not None and canonical[:2] in made_up_areas, postcode


def test_a_phone_number_belongs_to_one_person_at_a_time(evaluation: Run) -> None:
    owner = evaluation.mention_owner()
    holders: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for record in evaluation.records:
        day = record.get("occurred_at", record["recorded_at"])[:10]
        for person in record.get("persons", []):
            mention = f"{record['agency']}/{record['record_id']}/{person['ref']}"
            for number in person.get("phones", []):
                digits = re.sub(r"\D", "", number)[-6:]
                holders[digits][owner[mention]].append(day)
    for by_person in holders.values():
        spans = sorted((min(days), max(days)) for days in by_person.values())
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start
