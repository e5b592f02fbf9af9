"""The `shinealight` command as a person at a terminal uses it."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "spec-examples"


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SHINEALIGHT_HOME": str(home), **env}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "shinealight.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_commands_without_a_database_say_to_run_init(tmp_path: Path) -> None:
    result = run(["import", str(DATA / "valid.jsonl")], tmp_path)
    assert result.returncode == 1
    assert "shinealight init" in result.stderr
    assert not (tmp_path / "shinealight.sqlite3").exists()


def test_init_import_reimport_and_bad_file(tmp_path: Path) -> None:
    assert run(["init"], tmp_path).returncode == 0
    assert run(["init"], tmp_path).returncode == 0  # safe to run again
    with sqlite3.connect(tmp_path / "shinealight.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    first = run(["import", str(DATA / "valid.jsonl")], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "new" in first.stdout and "4" in first.stdout
    bad = run(["import", str(DATA / "invalid.jsonl")], tmp_path)
    assert bad.returncode == 1
    lines = [line for line in bad.stderr.splitlines() if re.search(r"invalid\.jsonl:\d+:", line)]
    assert [re.search(r"jsonl:(\d+):", line).group(1) for line in lines] == [
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
    ]
    assert any("vehicles[0].persons[0]" in line for line in lines)
    verify = run(["audit", "verify"], tmp_path)
    assert verify.returncode == 0 and "intact" in verify.stdout


def test_createuser_refuses_weak_passwords_and_unknown_roles(tmp_path: Path) -> None:
    run(["init"], tmp_path)
    weak = run(["createuser", "sam", "--role", "analyst", "--password", "short"], tmp_path)
    assert weak.returncode == 1 and "password not accepted" in weak.stderr
    role = run(
        ["createuser", "sam", "--role", "boss", "--password", "long enough phrase 9"], tmp_path
    )
    assert role.returncode == 1 and "unknown role" in role.stderr
    ok = run(
        ["createuser", "sam", "--role", "analyst", "--password", "long enough phrase 9"], tmp_path
    )
    assert ok.returncode == 0, ok.stderr


@pytest.mark.slow
def test_demo_prepares_a_database_with_one_user_per_role(tmp_path: Path) -> None:
    result = run(["demo", "--no-serve", "--password", "demo-pass-for-tests"], tmp_path)
    assert result.returncode == 0, result.stderr
    for role in ("practitioner", "safeguarding_lead", "analyst", "manager", "administrator"):
        assert role in result.stdout
    assert "demo-pass-for-tests" in result.stdout
    assert (tmp_path / "shinealight.sqlite3").exists()
    # Running it again is safe: same users, nothing imported twice.
    again = run(["demo", "--no-serve", "--password", "demo-pass-for-tests"], tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_simulate_then_import_the_world(tmp_path: Path) -> None:
    out = tmp_path / "world"
    made = run(["simulate", "--out", str(out), "--preset", "demo", "--seed", "7"], tmp_path)
    assert made.returncode == 0, made.stderr
    again = run(
        ["simulate", "--out", str(tmp_path / "again"), "--preset", "demo", "--seed", "7"], tmp_path
    )
    assert again.returncode == 0
    assert (out / "records.jsonl.gz").read_bytes() == (
        tmp_path / "again" / "records.jsonl.gz"
    ).read_bytes()
    run(["init"], tmp_path)
    imported = run(["import", str(out / "records.jsonl.gz")], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "agencies registered" in imported.stdout


def test_simulate_refuses_bad_options(tmp_path: Path) -> None:
    result = run(["simulate", "--out", str(tmp_path / "w"), "--areas", "1"], tmp_path)
    assert result.returncode == 1 and "areas: must be between 2 and 12" in result.stderr
