"""Importing agency-record files: whole or nothing, idempotent, with history kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from shinealight.core.records.synthetic import synthetic_records
from shinealight.records.models import (
    ImportBatch,
    PersonMention,
    PhoneMention,
    Record,
    RecordVersion,
    VehicleMention,
)
from shinealight.records.services import ImportRejected, records_import_file

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "records": Record.objects.count(),
        "versions": RecordVersion.objects.count(),
        "persons": PersonMention.objects.count(),
        "vehicles": VehicleMention.objects.count(),
        "phones": PhoneMention.objects.count(),
    }


def write_jsonl(path: Path, records: Any) -> Path:
    with path.open("w") as f:
        for record in records:
            f.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def test_spec_example_imports_with_history(imported: Any) -> None:
    assert (imported.new, imported.updated, imported.unchanged) == (4, 0, 0)
    assert imported.lines == 5 and imported.versions_added == 5
    stop = Record.objects.get(record_id="INC-2009-004417")
    # The later line is the newer version; the earlier one is kept whole.
    assert stop.version == 2
    assert stop.summary.startswith("Update: second male identified")
    assert stop.grading == "1B P"
    first, second = stop.versions.order_by("version")
    assert first.payload["summary"].startswith("Girl (14) found in silver Vauxhall")
    assert second.payload["persons"][1]["identifiers"] == {"pnc_id": "81/123456X"}
    # Mentions follow the current version.
    ash = PersonMention.objects.get(mention_id="swy-police/INC-2009-004417/p2")
    assert (ash.name, ash.dob, ash.dob_year, ash.dob_month) == ("Ashraf K", "1981", 1981, None)


def test_normalised_forms_stored_beside_text(imported: Any) -> None:
    plate = VehicleMention.objects.get(mention_id="rmbc-csc/REF-88121/v1")
    assert (plate.vrm, plate.vrm_normalised, plate.partial) == ("KX55 ???", "KX55???", True)
    phone = PhoneMention.objects.get(mention_id="risky-business/RB-0413/t1")
    assert (phone.number, phone.e164) == ("+44 7700 900456", "+447700900456")
    katie = PersonMention.objects.get(mention_id="rmbc-csc/REF-88121/p1")
    assert (katie.postcode, katie.postcode_normalised) == ("S65 1AB", "S65 1AB")
    intel = Record.objects.get(record_id="RB-0413")
    assert intel.grading_handling == "C"
    assert intel.handling_conditions.startswith("Do not disclose to the family")


def test_reimport_changes_nothing(imported: Any, spec_examples: Path) -> None:
    before = counts()
    again = records_import_file(path=spec_examples / "valid.jsonl")
    assert (again.new, again.updated, again.unchanged, again.versions_added) == (0, 0, 4, 0)
    assert counts() == before


def test_changed_record_becomes_a_new_version(
    imported: Any, tmp_path: Path, spec_examples: Path
) -> None:
    line = json.loads((spec_examples / "valid.jsonl").read_text().splitlines()[1])
    line["summary"] += " Mum now says the car is a black Golf."
    line["indicators"].append("local_code_7")
    summary = records_import_file(path=write_jsonl(tmp_path / "update.jsonl", [line]))
    assert (summary.new, summary.updated, summary.versions_added) == (0, 1, 1)
    assert summary.unknown_indicators == {"local_code_7": 1}
    referral = Record.objects.get(record_id="REF-88121")
    assert referral.version == 2
    assert referral.unknown_indicators == ["local_code_7"]
    assert "black Golf" in referral.summary
    assert "black Golf" not in referral.versions.get(version=1).payload["summary"]


def test_invalid_file_writes_nothing_and_reports_every_line(db: Any, spec_examples: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        records_import_file(path=spec_examples / "invalid.jsonl")
    assert sorted({e.line for e in caught.value.errors}) == [2, 3, 4, 5, 6, 7]
    assert all(e.file.endswith("invalid.jsonl") for e in caught.value.errors)
    assert Record.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_one_bad_line_in_ten_thousand_writes_nothing(db: Any, tmp_path: Path) -> None:
    lines: list[Any] = list(synthetic_records(10_000))
    lines[7_321] = {**lines[7_321], "recorded_at": "31/12/2009"}
    path = write_jsonl(tmp_path / "feed.jsonl", lines)
    with pytest.raises(ImportRejected) as caught:
        records_import_file(path=path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(7_322, "recorded_at")]
    assert counts() == {"records": 0, "versions": 0, "persons": 0, "vehicles": 0, "phones": 0}


def test_agency_type_must_match_the_registry(agencies: Any, tmp_path: Path) -> None:
    record = {
        "agency": "swy-police",
        "agency_type": "health",
        "record_id": "A",
        "type": "other",
        "recorded_at": "2010-01-01T00:00:00Z",
    }
    with pytest.raises(ImportRejected) as caught:
        records_import_file(path=write_jsonl(tmp_path / "a.jsonl", [record]))
    assert caught.value.errors[0].field == "agency_type"
    assert "registered as 'police'" in caught.value.errors[0].reason


def test_gzip_import_and_batches_larger_than_one_flush(
    db: Any, tmp_path: Path, settings: Any
) -> None:
    # About storing: linking 2,500 mentions all called "Ash" is bench/ material.
    settings.SHINEALIGHT_ANALYSE_ON_IMPORT = False
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for record in synthetic_records(2_500):
            f.write(json.dumps(record) + "\n")
    summary = records_import_file(path=path)
    assert (summary.new, summary.lines) == (2_500, 2_500)
    assert Record.objects.count() == 2_500
    assert VehicleMention.objects.filter(vrm_normalised__startswith="KX").count() == 2_500


def test_truncated_gzip_is_refused(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    data = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in synthetic_records(50)))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportRejected) as caught:
        records_import_file(path=path)
    assert "cannot read the file" in caught.value.errors[-1].reason
    assert Record.objects.count() == 0


def test_unsupported_file_type(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("agency,record_id\n")
    with pytest.raises(ValueError, match="unsupported file type"):
        records_import_file(path=path)


def test_import_is_audited_with_its_counts(imported: Any) -> None:
    from shinealight.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="records.import")
    assert event.detail["new"] == 4 and event.detail["name"].endswith("valid.jsonl")
    assert len(event.detail["sha256"]) == 64
    assert event.object_ids == [str(imported.batch_id)]


def test_ethnicity_is_stored_but_not_in_the_analytical_read_model(db: Any, tmp_path: Path) -> None:
    record = {
        "agency": "rmbc-csc",
        "agency_type": "social_care",
        "record_id": "E1",
        "type": "referral",
        "recorded_at": "2010-01-01T00:00:00Z",
        "persons": [
            {"ref": "p1", "role": "subject", "name": "Sam Hall", "ethnicity": "White British"}
        ],
    }
    records_import_file(path=write_jsonl(tmp_path / "e.jsonl", [record]))
    assert PersonMention.objects.get().ethnicity == "White British"
    assert "ethnicity" not in PersonMention.ANALYTICAL_FIELDS
    row = PersonMention.objects.values(*PersonMention.ANALYTICAL_FIELDS).get()
    assert "White British" not in json.dumps(row, default=str)


def test_record_ids_shared_across_agencies_stay_apart(db: Any, tmp_path: Path) -> None:
    def record(agency: str, kind: str, record_id: str, summary: str) -> dict[str, Any]:
        return {
            "agency": agency,
            "agency_type": kind,
            "record_id": record_id,
            "type": "other",
            "recorded_at": "2010-01-01T00:00:00Z",
            "summary": summary,
        }

    records_import_file(
        path=write_jsonl(
            tmp_path / "1.jsonl",
            [
                record("swy-police", "police", "A-1", "police A"),
                record("swy-police", "police", "B-1", "police B"),
            ],
        )
    )
    # Police A-1 changes and social care sends its own B-1: police B-1 must not be touched.
    summary = records_import_file(
        path=write_jsonl(
            tmp_path / "2.jsonl",
            [
                record("swy-police", "police", "A-1", "police A v2"),
                record("rmbc-csc", "social_care", "B-1", "csc B"),
            ],
        )
    )
    assert (summary.new, summary.updated, summary.unchanged) == (1, 1, 0)
    assert sorted(Record.objects.values_list("agency__code", "record_id", "summary")) == [
        ("rmbc-csc", "B-1", "csc B"),
        ("swy-police", "A-1", "police A v2"),
        ("swy-police", "B-1", "police B"),
    ]


def test_after_import_hooks_run_unless_switched_off(
    db: Any, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shinealight.records import services

    seen: list[int] = []
    monkeypatch.setattr(services, "AFTER_IMPORT", [lambda batch: seen.append(batch.pk)])
    first = records_import_file(path=write_jsonl(tmp_path / "a.jsonl", synthetic_records(3)))
    assert seen == [first.batch_id]
    settings.SHINEALIGHT_ANALYSE_ON_IMPORT = False
    records_import_file(path=write_jsonl(tmp_path / "b.jsonl", synthetic_records(3, start=3)))
    assert seen == [first.batch_id]
