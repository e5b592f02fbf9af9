"""Reads on the record: purposes (given or defaulted by role) and the audit export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.security.access_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agencies: dict[str, Any], make_user: Any) -> World:
    return build_world(agencies, make_user)


def test_a_read_without_a_purpose_records_the_roles_default(world: World) -> None:
    from shinealight.audit.models import AuditEvent

    world.client("practitioner").get("/api/v1/records/rmbc-csc/REF-1")
    world.client("analyst").get("/api/v1/records/rmbc-csc/REF-1?purpose=Problem profile")
    reads = list(AuditEvent.objects.filter(action="record.read").order_by("seq"))
    assert reads[0].purpose.startswith("Direct safeguarding work")
    assert "default for the role" in reads[0].purpose
    assert reads[1].purpose == "Problem profile"
    # Changes keep the purpose they were given (none): defaults are for reads.
    change = AuditEvent.objects.filter(action__endswith="_submit").first()
    assert change is not None and change.purpose == ""


def test_audit_export_writes_the_period_as_json_lines(world: World, tmp_path: Path) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.cli import app

    world.client("practitioner").get("/api/v1/records/rmbc-csc/REF-1")
    before = AuditEvent.objects.count()
    out = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(
        app, ["audit", "export", "--out", str(out), "--from", "2000-01-01", "--to", "2999-12-31"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == before
    assert [r["seq"] for r in rows] == list(range(1, before + 1))
    assert {"hash", "prev_hash", "purpose", "object_ids"} <= set(rows[0])
    assert AuditEvent.objects.filter(action="audit.export").count() == 1
    empty = tmp_path / "none.jsonl"
    result = CliRunner().invoke(
        app, ["audit", "export", "--out", str(empty), "--from", "1990-01-01", "--to", "1990-12-31"]
    )
    assert result.exit_code == 0 and empty.read_text() == ""
    bad = CliRunner().invoke(app, ["audit", "export", "--out", str(empty), "--from", "soon"])
    assert bad.exit_code != 0


def test_the_knowledge_table_rebuilds_to_the_same_rows(world: World) -> None:
    from shinealight.access.models import AgencyChildKnowledge
    from shinealight.access.services import child_knowledge_refresh

    def rows() -> set[Any]:
        return set(AgencyChildKnowledge.objects.values_list("agency__code", "entity_id"))

    after_imports = rows()
    katie = world.entity("rmbc-csc/REF-1/p1").pk
    lily = world.entity("swy-police/INC-2/p1").pk
    ash = world.entity("rmbc-csc/REF-1/p2").pk
    assert ("rmbc-csc", katie) in after_imports and ("swy-police", lily) in after_imports
    assert not any(entity == ash for _, entity in after_imports)  # an adult: not a child
    child_knowledge_refresh()
    assert rows() == after_imports
