"""Extracted mentions on import, reviews that stick, intelligence, CSV through a mapping."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).parents[2] / "examples"


def _extracted(**filters: Any) -> list[tuple[str, str]]:
    from shinealight.extraction.models import ExtractedMention

    return sorted(ExtractedMention.objects.filter(**filters).values_list("kind", "normalised"))


def test_import_extracts_from_summaries(imported: Any) -> None:
    found = _extracted(record__record_id="RB-0413")
    assert found == [("name", "ash"), ("name", "ash"), ("name", "mo"), ("phone", "+447700900456")]
    assert _extracted(record__record_id="REF-88121") == [("name", "katie"), ("vrm", "KX55???")]
    from shinealight.extraction.models import ExtractedMention

    row = ExtractedMention.objects.get(kind="phone")
    assert row.extracted and row.status == "unreviewed" and row.text == "07700 900456"
    assert row.mention_id == "risky-business/RB-0413/x:phone:+447700900456"


def test_a_rejection_is_audited_and_sticks_across_reextraction(
    imported: Any, users: dict[str, Any], spec_examples: Path
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.extraction.models import ExtractedMention
    from shinealight.extraction.services import extraction_review
    from shinealight.records.services import records_submit

    mention = ExtractedMention.objects.filter(
        kind="name", normalised="ash", record__record_id="RB-0413"
    ).first()
    extraction_review(acting_user=users["analyst"], mention=mention, decision="rejected")
    assert AuditEvent.objects.filter(action="extraction.review").count() == 1
    # A new version of the record is extracted again; the decision still applies.
    payload = json.loads((spec_examples / "valid.jsonl").read_text().splitlines()[3])
    changed = copy.deepcopy(payload)
    changed["summary"] += " Seen again with Ash."
    records_submit(payloads=[changed], acting_user=users["analyst"])
    statuses = set(
        ExtractedMention.objects.filter(
            kind="name", normalised="ash", record__record_id=payload["record_id"]
        ).values_list("status", flat=True)
    )
    assert statuses == {"rejected"}
    assert ExtractedMention.objects.filter(
        record__record_id="RB-0413", record__version=2, record_version=2
    ).exists()


def test_list_shows_only_visible_records(imported: Any, client_for: Any) -> None:
    lead = client_for("safeguarding_lead").get("/api/v1/extracted-mentions").json()
    # Their own, and rmbc-csc's about the child linkage joined to theirs (need-to-know);
    # never the sealed intelligence of risky-business.
    assert {m["agency"] for m in lead["results"]} <= {"swy-police", "rmbc-csc"}
    analyst = client_for("analyst").get("/api/v1/extracted-mentions?kind=vrm").json()
    assert analyst["count"] >= 1 and all(m["kind"] == "vrm" for m in analyst["results"])


def test_review_api_refuses_mentions_you_cannot_see(imported: Any, client_for: Any) -> None:
    from shinealight.extraction.models import ExtractedMention

    police = ExtractedMention.objects.filter(record__agency__code="swy-police").first()
    # Sealed intelligence (handling code C) of another agency: not there for them.
    sealed = ExtractedMention.objects.filter(record__agency__code="risky-business").first()
    response = client_for("practitioner").post(
        f"/api/v1/extracted-mentions/{sealed.pk}/review", {"decision": "confirmed"}, format="json"
    )
    assert response.status_code == 404
    ok = client_for("safeguarding_lead").post(
        f"/api/v1/extracted-mentions/{police.pk}/review", {"decision": "confirmed"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"


REPORT = {
    "what_was_seen": "Two girls got into a silver Astra KX55 ABC outside the school at 3pm.",
    "names": "Ash\nBig Mo",
    "vehicles": "KX55 ABC, silver Astra",
    "phones": "07700 900123",
    "handles": "Snapchat kiki_x",
    "places": "Eastwood takeaway",
    "source": "1",
    "intelligence": "A",
    "handling": "P",
}


def test_intelligence_is_stored_routed_and_acknowledged(
    agencies: Any, users: dict[str, Any], client_for: Any
) -> None:
    from shinealight.records.models import ImportBatch, Record

    sent = client_for("practitioner").post("/api/v1/intelligence", REPORT, format="json")
    assert sent.status_code == 201, sent.content
    assert sent.json()["state"] == "received"
    record = Record.objects.get(record_id=sent.json()["reference"])
    assert record.event_type == "intelligence" and record.agency.code == "rmbc-csc"
    assert record.grading == "1A P"
    assert record.versions.get().batch.source == ImportBatch.Source.FORM
    assert _extracted(record=record, kind="vrm") == [("vrm", "KX55ABC")]

    assert client_for("practitioner").get("/api/v1/intelligence/queue").status_code == 403
    queue = client_for("safeguarding_lead").get("/api/v1/intelligence/queue").json()
    assert [s["record_id"] for s in queue["results"]] == [record.record_id]
    pk = queue["results"][0]["id"]
    assert client_for("analyst").post(f"/api/v1/intelligence/{pk}/acted-on").status_code == 200

    mine = client_for("practitioner").get("/api/v1/intelligence/mine").json()["results"]
    assert mine[0]["state"] == "acted_on"
    # The sender learns that it was acted on, not what was found.
    assert set(mine[0]) == {"id", "reference", "submitted_at", "state", "acted_on_at"}


def test_handling_c_needs_conditions(agencies: Any, client_for: Any) -> None:
    response = client_for("practitioner").post(
        "/api/v1/intelligence", {**REPORT, "handling": "C"}, format="json"
    )
    assert response.status_code == 400
    assert "handling_conditions" in response.json()["extra"]["fields"]


def test_the_form_page_shows_an_error_summary_and_acknowledges(
    agencies: Any, users: dict[str, Any]
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(users["practitioner"])
    page = client.get("/intelligence/new")
    assert page.status_code == 200 and b"<label" in page.content and b"<script>" not in page.content
    bad = client.post("/intelligence/new", {"what_was_seen": ""})
    assert b"There is a problem" in bad.content
    good = client.post("/intelligence/new", REPORT, follow=True)
    assert b"Received" in good.content and b"KX55" not in good.content


def test_csv_imports_through_a_mapping(agencies: Any) -> None:
    from shinealight.records.csv_mapping import csv_import
    from shinealight.records.models import Record

    summary = csv_import(
        path=EXAMPLES / "social-care-export.csv", mapping_path=EXAMPLES / "csv-mapping.yaml"
    )
    assert summary.new == 3
    again = csv_import(
        path=EXAMPLES / "social-care-export.csv", mapping_path=EXAMPLES / "csv-mapping.yaml"
    )
    assert again.new == 0 and again.unchanged == 3
    record = Record.objects.get(record_id="CN-1001")
    assert record.event_type == "referral" and "older_boyfriend" in record.indicators
    assert ("vrm", "KX55???") in _extracted(record=record)


def test_csv_dry_run_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    from shinealight.records.csv_mapping import csv_dry_run

    text = (EXAMPLES / "social-care-export.csv").read_text()
    lines = text.splitlines()
    lines[1] = lines[1].replace("14/03/2009 09:15", "2009-03-14")
    lines[3] = lines[3].replace("Visit", "Unknown type")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = csv_dry_run(path=bad, mapping_path=EXAMPLES / "csv-mapping.yaml")
    assert result.rows == 3 and len(result.sample) == 3
    assert [(e.line, e.field) for e in result.errors] == [(2, "recorded_at"), (4, "type")]


def test_csv_import_command_dry_run_writes_nothing(agencies: Any) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app
    from shinealight.records.models import Record

    result = CliRunner().invoke(
        app,
        [
            "import",
            "--mapping",
            str(EXAMPLES / "csv-mapping.yaml"),
            "--dry-run",
            str(EXAMPLES / "social-care-export.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "No problems found" in result.output and "CN-1001" in result.output
    assert Record.objects.count() == 0


def test_intelligence_api_refuses_a_wrongly_shaped_body(
    users: dict[str, Any], client_for: Any
) -> None:
    # Found by schemathesis: a list where text belongs used to fail with a server error.
    body = {**REPORT, "occurred_on": [None, None], "names": ["Ash"]}
    refused = client_for("practitioner").post("/api/v1/intelligence", body, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["extra"]["fields"]) == {"occurred_on", "names"}


def test_only_the_writing_agency_or_an_analyst_decides(imported: Any, client_for: Any) -> None:
    # The practitioner (rmbc-csc) may read police notes about a child their agency also
    # knows (need-to-know), but confirming what was read from them is the police's call.
    seen = client_for("practitioner").get("/api/v1/extracted-mentions").json()["results"]
    police = [m for m in seen if m["agency"] == "swy-police"]
    assert police, "need-to-know should show the practitioner a police note"
    refused = client_for("practitioner").post(
        f"/api/v1/extracted-mentions/{police[0]['id']}/review",
        {"decision": "rejected"},
        format="json",
    )
    assert refused.status_code == 403
    analyst = client_for("analyst").post(
        f"/api/v1/extracted-mentions/{police[0]['id']}/review",
        {"decision": "rejected"},
        format="json",
    )
    assert analyst.status_code == 200


def _note(record_id: str, summary: str, persons: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(
        {
            "agency": "swy-police",
            "agency_type": "police",
            "record_id": record_id,
            "type": "intelligence",
            "recorded_at": "2010-01-05T10:00:00Z",
            "summary": summary,
            "persons": persons or [],
        }
    )


def test_names_held_are_known_to_later_notes_until_the_record_changes_or_goes(
    agencies: Any, tmp_path: Path
) -> None:
    from shinealight.extraction.services import mentions_extract
    from shinealight.records.models import KnownName, Record, RecordVersion
    from shinealight.records.services import records_import_file

    def imported(name: str, *lines: str) -> None:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        records_import_file(path=path)

    def spud_found() -> bool:
        mentions_extract(
            record_ids=Record.objects.filter(record_id="N-2").values_list("pk", flat=True)
        )
        return ("name", "spud") in _extracted(record__record_id="N-2")

    imported("before.jsonl", _note("N-2", "Seen at the park with Spud."))
    assert not spud_found()  # nobody of that name is held yet

    suspect = {"ref": "p1", "role": "suspect", "name": "Darren Hirst", "aliases": ["Spud"]}
    imported("named.jsonl", _note("N-1", "Stop check.", [suspect]))
    assert set(KnownName.objects.values_list("key", flat=True)) == {
        "darren hirst",
        "darren",
        "spud",
    }
    imported("again.jsonl", _note("N-2", "Seen at the park with Spud again."))
    assert ("name", "spud") in _extracted(record__record_id="N-2", rule="known")

    # A new version without the nickname replaces the record's names.
    imported("renamed.jsonl", _note("N-1", "Stop check, corrected.", [{**suspect, "aliases": []}]))
    assert set(KnownName.objects.values_list("key", flat=True)) == {"darren hirst", "darren"}
    assert not spud_found()

    # An erased record's names are no longer known (erasure deletes as retention does).
    RecordVersion.objects.filter(record__record_id="N-1").delete()
    Record.objects.filter(record_id="N-1").delete()
    assert not KnownName.objects.exists()
