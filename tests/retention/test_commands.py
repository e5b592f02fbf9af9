"""`shinealight retention …` and `shinealight sar` as an information governance lead uses them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _run(*args: str) -> Any:
    from typer.testing import CliRunner

    from shinealight.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_review_hold_dry_run_apply_and_release(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.audit.services import audit_verify
    from shinealight.records.models import Record
    from shinealight.retention.models import LegalHold, Tombstone

    review = _run("retention", "review", "--as", "manager")
    assert review.exit_code == 0, review.output
    assert "swy-police" in review.output and "rmbc-csc" in review.output
    listed = _run("retention", "review", "--agency", "swy-police", "--as", "manager")
    assert "INC-2009-004417" in listed.output and "police_other" in listed.output

    refused = _run(
        "retention",
        "hold",
        "create",
        "--name",
        "Inquiry",
        "--reason",
        "Freeze",
        "--agency",
        "swy-police",
        "--as",
        "practitioner",
    )
    assert refused.exit_code == 1 and "manager or an administrator" in refused.output
    held = _run(
        "retention",
        "hold",
        "create",
        "--name",
        "Inquiry",
        "--reason",
        "Freeze",
        "--agency",
        "swy-police",
        "--as",
        "manager",
    )
    assert held.exit_code == 0, held.output
    hold = LegalHold.objects.get()
    assert "Inquiry" in _run("retention", "hold", "list", "--as", "manager").output

    dry = _run("retention", "apply", "--agency", "swy-police", "--dry-run", "--as", "manager")
    assert dry.exit_code == 0, dry.output
    assert f"swy-police/INC-2009-004417\theld by #{hold.pk}" in dry.output
    nothing = _run("retention", "apply", "--agency", "swy-police", "--as", "manager")
    assert "Deleted 0 record(s)" in nothing.output and "1 due but held" in nothing.output

    assert (
        _run(
            "retention",
            "hold",
            "release",
            str(hold.pk),
            "--reason",
            "Done",
            "--as",
            "administrator",
        ).exit_code
        == 0
    )
    done = _run("retention", "apply", "--agency", "swy-police", "--as", "manager")
    assert done.exit_code == 0, done.output
    assert "Deleted 1 record(s)" in done.output
    assert not Record.objects.filter(agency__code="swy-police").exists()
    assert Tombstone.objects.count() == 1
    assert "INC-2009-004417" in _run("retention", "tombstones").output
    assert list(audit_verify()) == []


def test_apply_needs_a_named_person(imported: Any) -> None:
    result = _run("retention", "apply", "--agency", "swy-police")
    assert result.exit_code == 1 and "--as USER" in result.output


def test_set_an_agencys_class_and_see_it(imported: Any, users: dict[str, Any]) -> None:
    result = _run(
        "retention", "set", "--agency", "rmbc-csc", "--event-type", "referral",
        "--class", "looked_after_child", "--reason", "IICSA: keep care records", "--as", "manager",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = _run("retention", "classes")
    assert "looked_after_child" in shown.output and "IICSA" in shown.output
    bad = _run(
        "retention", "set", "--agency", "rmbc-csc", "--class", "nope", "--reason", "x",
        "--as", "manager",
    )  # fmt: skip
    assert bad.exit_code == 1 and "No retention class 'nope'" in bad.output


def test_sar_writes_a_zip(imported: Any, users: dict[str, Any], tmp_path: Path) -> None:
    from tests.retention.conftest import entity_of

    chloe = entity_of("swy-police/INC-2009-004417/p1")
    out = tmp_path / "sar.zip"
    result = _run(
        "sar",
        "--entity",
        chloe.entity_id,
        "--out",
        str(out),
        "--reference",
        "SAR-1",
        "--as",
        "analyst",
    )
    assert result.exit_code == 0, result.output
    assert "1 record(s) withheld for manual review" in result.output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("subject-access.json"))["entity_id"] == chloe.entity_id
    again = _run(
        "sar",
        "--entity",
        chloe.entity_id,
        "--out",
        str(out),
        "--reference",
        "SAR-1",
        "--as",
        "analyst",
    )
    assert again.exit_code == 1 and "exists already" in again.output
    missing = _run(
        "sar",
        "--entity",
        "P-9999999",
        "--out",
        str(tmp_path / "x.zip"),
        "--reference",
        "r",
        "--as",
        "analyst",
    )
    assert missing.exit_code == 1 and "no person" in missing.output
