"""A killed analysis leaves no half-raised alerts; run again, it raises exactly what an
uninterrupted run raises, once each."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup import cli, database_url, wait_for_server_to_drop_the_dead_session

pytestmark = pytest.mark.slow


def _env(tmp_path: Path, name: str) -> dict[str, str]:
    return dict(
        os.environ,
        SHINEALIGHT_HOME=str(tmp_path),
        DATABASE_URL=database_url(tmp_path, name),
        # A bulk load: linkage and analysis run as the batch commands, not on import.
        SHINEALIGHT_ANALYSE_ON_IMPORT="0",
    )


def _ok(env: dict[str, str], *args: str) -> str:
    result = cli(env, *args)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def _counts(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import django,json,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
        "'shinealight.web.settings');django.setup();"
        "from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject;"
        "from shinealight.cases.models import AlertCase;"
        "print(json.dumps({'alerts': Alert.objects.count(), 'keys': "
        "Alert.objects.values('key').distinct().count(), 'evidence': AlertEvidence.objects.count(),"
        " 'subjects': AlertSubject.objects.count(), 'cases': AlertCase.objects.count()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


def _alerts(env: dict[str, str], out: Path) -> list[dict[str, Any]]:
    """Every alert as exported, without the database's own numbering."""
    _ok(env, "export", "alerts", "--out", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines() if line]
    for row in rows:
        del row["alert_id"]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def _writing(env: dict[str, str]) -> bool:
    """Is another session inside a write transaction right now?"""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        # Writers take the write lock at BEGIN (IMMEDIATE): if it is taken, one is writing.
        db = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            db.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        ).fetchone()
    return bool(row and row[0])


def _kill_while_writing(env: dict[str, str], process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the analysis once it has been writing alerts for a few polls in a row."""
    seen = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        assert process.poll() is None, "the analysis finished before it could be killed"
        seen = seen + 1 if _writing(env) else 0
        if seen >= 3:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.01)
    raise AssertionError("the analysis never started writing")


def test_a_killed_analysis_leaves_alerts_consistent(tmp_path: Path) -> None:
    world = tmp_path / "world"
    env = _env(tmp_path, "killed_analysis")
    _ok(env, "simulate", "--out", str(world), "--preset", "demo")
    _ok(env, "init")
    _ok(env, "import", str(world / "records.jsonl.gz"))
    _ok(env, "link")
    linked = tmp_path / "linked.backup"
    _ok(env, "backup", "--out", str(linked))

    process = subprocess.Popen(
        [sys.executable, "-m", "shinealight.cli", "analyse"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _kill_while_writing(env, process)
    wait_for_server_to_drop_the_dead_session(env)
    # Killed mid-write: not one alert, case or piece of evidence was kept.
    assert _counts(env) == {"alerts": 0, "keys": 0, "evidence": 0, "subjects": 0, "cases": 0}

    _ok(env, "analyse")
    after_kill = _alerts(env, tmp_path / "after-kill.jsonl")
    again = _ok(env, "analyse")
    assert " 0 new alerts" in " ".join(again.split()), again  # a third run adds nothing
    counts = _counts(env)
    assert counts["alerts"] == counts["keys"] == counts["cases"] == len(after_kill) > 0
    assert _alerts(env, tmp_path / "again.jsonl") == after_kill
    _ok(env, "audit", "verify")

    # The same partnership, analysed once without interruption.
    clean = _env(tmp_path, "uninterrupted_analysis")
    _ok(clean, "init")
    _ok(clean, "restore", str(linked), "--yes")
    _ok(clean, "analyse")
    assert _alerts(clean, tmp_path / "uninterrupted.jsonl") == after_kill
    assert _counts(clean) == counts
