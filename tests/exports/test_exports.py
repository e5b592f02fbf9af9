"""Exports through the API and the command line: access, formats, attachments, audit."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

pytestmark = pytest.mark.django_db

KINDS = {"swy-police": "police", "rmbc-csc": "social_care", "youth-hub": "youth_service"}
KINDS |= {"rotherham-nhs": "health", "risky-business": "voluntary"}


def _record(rid: str, agency: str, when: str, persons: list[dict[str, Any]], **kw: Any) -> Any:
    return {
        "agency": agency,
        "agency_type": KINDS[agency],
        "record_id": rid,
        "type": kw.pop("type", "police_stop"),
        "recorded_at": f"{when}T12:00:00Z",
        "area": "rotherham",
        "persons": persons,
        **kw,
    }


AMY = {"ref": "p1", "role": "subject", "name": "Amy Hill", "dob": "2007-02-02"}
BETH = {"ref": "p1", "role": "subject", "name": "Beth Cole", "dob": "2007-05-05"}
ASH = {"ref": "p2", "role": "suspect", "name": "Ash Khan", "dob": "1990-01-01"}
MUM = {"ref": "p2", "role": "parent", "name": "Donna Hill", "dob": "1980-03-03"}


@pytest.fixture
def world(users: dict[str, Any]) -> dict[str, Any]:
    """Amy (known to police and social care), Ash, and Beth (known only to a youth hub)."""
    from shinealight.people.models import EntityMembership
    from shinealight.records.models import Record
    from shinealight.records.services import records_submit

    records_submit(
        acting_user=users["analyst"],
        payloads=[
            _record(
                "S1",
                "swy-police",
                "2020-02-01",
                [AMY, ASH],
                grading={"source": "2", "intelligence": "B", "handling": "P"},
                vehicles=[{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}],
                links=[{"from": "p1", "to": "p2", "kind": "boyfriend"}],
                summary="Amy found in KX55 ABC with Ash.",
            ),
            _record("R1", "rmbc-csc", "2020-03-01", [AMY, MUM], type="referral"),
            _record(
                "Y1",
                "youth-hub",
                "2020-04-01",
                [BETH, ASH],
                type="youth_work_contact",
                phones=[{"ref": "t1", "number": "07700 900123", "persons": ["p2"]}],
            ),
            _record(
                "H1",
                "rotherham-nhs",
                "2020-05-01",
                [AMY],
                type="health_attendance",
                indicators=["self_harm_or_suicidal", "older_boyfriend"],
                summary="Cuts to forearm; says her boyfriend is 25.",
            ),
            _record(
                "C1",
                "risky-business",
                "2020-06-01",
                [AMY, {**ASH, "ref": "p3"}],
                type="intelligence",
                grading={
                    "source": "2",
                    "intelligence": "C",
                    "handling": "C",
                    "handling_conditions": "Do not share outside the agency.",
                },
                summary="Sealed: only the owning agency may share this.",
            ),
        ],
    )

    def entity(record_id: str, ref: str) -> str:
        record = Record.objects.get(record_id=record_id)
        mention = f"{record.agency.code}/{record_id}/{ref}"
        return EntityMembership.objects.get(kind="person", mention_id=mention).entity.entity_id

    return {
        "amy": entity("S1", "p1"),
        "ash": entity("S1", "p2"),
        "beth": entity("Y1", "p1"),
        "records": {r.record_id: r for r in Record.objects.all()},
    }


def _alert(world: dict[str, Any]) -> Any:
    from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject

    records = world["records"]
    alert = Alert.objects.create(
        rule="shared_adult",
        key="test:shared_adult",
        severity="high",
        title="Ash Khan is with Amy Hill and Beth Cole",
        explanation="-",
        first_data_time=records["S1"].recorded_at,
        last_data_time=records["Y1"].recorded_at,
    )
    for entity_id, role in (
        (world["amy"], "child"),
        (world["beth"], "child"),
        (world["ash"], "adult"),
    ):
        AlertSubject.objects.create(alert=alert, kind="person", entity_id=entity_id, role=role)
    for rid in ("S1", "Y1", "C1"):
        AlertEvidence.objects.create(alert=alert, record=records[rid])
    return alert


def _last_audit(action: str) -> Any:
    from shinealight.audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def _gexf_nodes(content: bytes) -> dict[str, str]:
    graph = nx.read_gexf(io.BytesIO(content))
    return {graph.nodes[n]["label"]: n for n in graph.nodes}


# Networks -------------------------------------------------------------------------------


def test_network_depth_one_and_two_for_the_analyst(world: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    one = analyst.get(f"/api/v1/exports/people/{world['amy']}/network.gexf")
    assert one.status_code == 200, one.content[:300]
    assert one["Content-Type"] == "application/gexf+xml"
    assert one["Content-Disposition"] == (
        f'attachment; filename="network-{world["amy"]}-depth1.gexf"'
    )
    assert one["Cache-Control"] == "no-store"
    labels = _gexf_nodes(one.content)
    assert {"Amy Hill", "Ash Khan", "Donna Hill", "KX55 ABC"} <= set(labels)
    assert "Beth Cole" not in labels  # two steps away
    # The record under handling code C stays with its agency: not exported, not even to
    # the analyst, so nothing it adds appears.
    assert b"risky-business" not in one.content and b"swy-police/S1" in one.content

    two = analyst.get(f"/api/v1/exports/people/{world['amy']}/network.gexf?depth=2")
    labels = _gexf_nodes(two.content)
    assert {"Beth Cole", "07700 900123"} <= set(labels)


def test_a_lead_exports_only_what_they_may_see(world: dict[str, Any], client_for: Any) -> None:
    lead = client_for("safeguarding_lead")  # swy-police: knows Amy, not Beth
    response = lead.get(
        f"/api/v1/exports/people/{world['amy']}/network.graphml?depth=2&purpose=Strategy+meeting"
    )
    assert response.status_code == 200
    graph = nx.read_graphml(io.BytesIO(response.content))
    labels = {graph.nodes[n]["label"] for n in graph.nodes}
    assert {"Amy Hill", "Ash Khan"} <= labels
    # Youth-hub record Y1 is about a child the police have not recorded: invisible to the
    # lead, so Beth and the phone it gives are absent, and so is every edge it would add.
    assert "Beth Cole" not in labels and "07700 900123" not in labels
    refs = " ".join(str(d.get("record_refs", "")) for _, _, d in graph.edges(data=True))
    assert "youth-hub/Y1" not in refs and "swy-police/S1" in refs

    event = _last_audit("entity.network_export")
    assert event.actor_username == "safeguarding_lead"
    assert event.object_type == "entity" and event.object_ids == [world["amy"]]
    assert event.purpose == "Strategy meeting"
    assert event.detail["format"] == "graphml"
    assert event.detail["depth"] == 2
    assert event.detail["exported_for"] == "safeguarding_lead"
    assert "youth-hub/Y1" not in event.detail["records"]
    assert "swy-police/S1" in event.detail["records"]

    # Beth is not someone the lead may see at all: the same 404 as no such entity.
    hidden = lead.get(f"/api/v1/exports/people/{world['beth']}/network.anx")
    missing = lead.get("/api/v1/exports/people/P-9999999/network.anx")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("fmt", ["anx", "gexf", "graphml", "ftm", "csv"])
def test_every_format_downloads_and_opens(world: dict[str, Any], client_for: Any, fmt: str) -> None:
    from followthemoney import model

    from shinealight.core.exports import FORMATS

    response = client_for("analyst").get(f"/api/v1/exports/people/{world['amy']}/network.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS[fmt].content_type
    assert response["Content-Disposition"].endswith(f'.{FORMATS[fmt].extension}"')
    content = response.content
    if fmt in ("anx", "gexf", "graphml"):
        assert b"Amy Hill" in content
        ET.fromstring(content)
    elif fmt == "ftm":
        entities = [model.get_proxy(json.loads(line)) for line in content.splitlines()]
        assert "Amy Hill" in {e.first("name") for e in entities if e.schema.name == "Person"}
    else:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert sorted(names) == ["edges.csv", "nodes.csv"]
    assert _last_audit("entity.network_export").detail["format"] == fmt


def test_unknown_format_or_depth_is_not_found(world: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    assert analyst.get(f"/api/v1/exports/people/{world['amy']}/network.pdf").status_code == 404
    assert (
        analyst.get(f"/api/v1/exports/people/{world['amy']}/network.anx?depth=3").status_code == 404
    )


def test_errors_stay_json_whatever_the_client_accepts(
    world: dict[str, Any], client_for: Any
) -> None:
    response = client_for("analyst").get(
        "/api/v1/exports/people/P-9999999/network.anx", HTTP_ACCEPT="application/xml"
    )
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}


def test_an_old_token_must_be_renewed_before_exporting(
    world: dict[str, Any], client_for: Any, users: dict[str, Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    client = client_for("analyst")
    Token.objects.filter(user=users["analyst"]).update(created=timezone.now() - timedelta(hours=1))
    before = _last_audit("entity.network_export")
    response = client.get(f"/api/v1/exports/people/{world['amy']}/network.anx")
    assert response.status_code == 403
    assert "Confirm it is you" in response.json()["message"]
    assert _last_audit("entity.network_export") == before


# Alerts ---------------------------------------------------------------------------------


def test_alert_export_holds_only_evidence_the_user_may_export(
    world: dict[str, Any], client_for: Any, make_user: Any
) -> None:
    alert = _alert(world)
    analyst = client_for("analyst").get(f"/api/v1/exports/alerts/{alert.pk}.ftm")
    assert analyst.status_code == 200
    assert analyst["Content-Disposition"] == f'attachment; filename="alert-{alert.pk}.ftm.jsonl"'
    entities = [json.loads(line) for line in analyst.content.splitlines()]
    names = {e["properties"]["name"][0] for e in entities if e["schema"] == "Person"}
    assert {"Amy Hill", "Ash Khan", "Beth Cole"} == names
    records = {r for e in entities for r in e["properties"].get("recordId", [])}
    assert records == {"swy-police/S1", "youth-hub/Y1"}  # C1 is sealed to its agency
    # The file does not carry the stored title, which names people from every record.
    assert b"is with" not in analyst.content

    lead = client_for("safeguarding_lead").get(f"/api/v1/exports/alerts/{alert.pk}.csv")
    assert lead.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(lead.content))
    nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8-sig"))))
    assert {n["Label"] for n in nodes} == {"Amy Hill", "Ash Khan", "KX55 ABC"}
    roles = {n["Label"]: n["alert_role"] for n in nodes}
    assert roles["Amy Hill"] == "child" and roles["Ash Khan"] == "adult"
    event = _last_audit("alert.export")
    assert event.object_type == "alert" and event.object_ids == [str(alert.pk)]
    assert event.detail["records"] == ["swy-police/S1"]

    # A lead whose agency holds none of the evidence: the alert does not exist for them.
    make_user("safeguarding_lead", "partnership-cse", username="other-lead")
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from shinealight.accounts.models import User

    other = APIClient()
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="other-lead"))
    other.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    before = _last_audit("alert.export").seq
    assert other.get(f"/api/v1/exports/alerts/{alert.pk}.anx").status_code == 404
    assert _last_audit("alert.export").seq == before  # nothing exported, nothing logged
    assert (
        client_for("practitioner").get(f"/api/v1/exports/alerts/{alert.pk}.anx").status_code == 403
    )


# Chronology -----------------------------------------------------------------------------


def test_chronology_csv_for_a_practitioner(world: dict[str, Any], client_for: Any) -> None:
    response = client_for("practitioner").get(
        f"/api/v1/exports/people/{world['amy']}/chronology.csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="chronology-{world["amy"]}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["agency"], r["record_id"]) for r in rows] == [
        ("swy-police", "S1"),
        ("rmbc-csc", "R1"),
        ("rotherham-nhs", "H1"),
    ]
    police, social_care, health = rows
    assert police["role"] == "subject" and police["grading"] == "2B P"
    assert police["summary"] == "Amy found in KX55 ABC with Ash."
    # Health details stay out: the attendance and its date are there, the note is not.
    assert health["event_type"] == "health_attendance"
    assert "forearm" not in health["summary"] and health["summary"].startswith("[withheld")
    assert health["indicators"] == "older_boyfriend"
    event = _last_audit("entity.chronology_export")
    assert event.actor_username == "practitioner"
    assert event.detail["records"] == ["swy-police/S1", "rmbc-csc/R1", "rotherham-nhs/H1"]
    assert event.purpose  # the role's default purpose when none was given

    assert (
        client_for("practitioner")
        .get(f"/api/v1/exports/people/{world['beth']}/chronology.csv")
        .status_code
        == 404
    )
    assert (
        client_for("manager").get(f"/api/v1/exports/people/{world['amy']}/chronology.csv")
    ).status_code == 403


# Command line ---------------------------------------------------------------------------


def test_cli_exports_as_a_named_account(world: dict[str, Any], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    runner = CliRunner()
    out = tmp_path / "amy.anx"
    result = runner.invoke(
        app,
        ["export", "network", "--entity", world["amy"], "--format", "anx", "--out", str(out)]
        + ["--as", "safeguarding_lead", "--depth", "2"],
    )
    assert result.exit_code == 0, result.output
    chart = ET.fromstring(out.read_bytes())
    labels = {i.get("Label") for i in chart.iter("ChartItem")}
    assert "Amy Hill" in labels and "Beth Cole" not in labels
    event = _last_audit("entity.network_export")
    assert event.actor_username == "safeguarding_lead"
    assert event.purpose == "shinealight export network"

    alert = _alert(world)
    out = tmp_path / "alert.gexf"
    result = runner.invoke(
        app,
        ["export", "alert", "--alert", str(alert.pk), "--format", "gexf", "--out", str(out)]
        + ["--as", "analyst"],
    )
    assert result.exit_code == 0, result.output
    assert "Beth Cole" in _gexf_nodes(out.read_bytes())

    result = runner.invoke(
        app,
        ["export", "alert", "--alert", "999999", "--format", "gexf", "--out", str(out)]
        + ["--as", "analyst"],
    )
    assert result.exit_code == 2
    result = runner.invoke(
        app,
        ["export", "alert", "--alert", str(alert.pk), "--format", "pdf", "--out", str(out)]
        + ["--as", "analyst"],
    )
    assert result.exit_code != 0
