"""Backup and restore round-trip a partnership; a killed import loses nothing."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shinealight.core.records.synthetic import synthetic_records

DATA = Path(__file__).parent / "data" / "spec-examples"
pytestmark = pytest.mark.slow


def database_url(tmp_path: Path, name: str) -> str:
    """A database of its own on the server the tests use (SQLite file or a new PG database)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    import psycopg

    dbname = f"{name}_{os.getpid()}"
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {dbname}")
        conn.execute(f"CREATE DATABASE {dbname}")
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{dbname}"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shinealight.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def count_records(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
        "'shinealight.web.settings');django.setup();"
        "from shinealight.records.models import Record, RecordVersion;"
        "print(Record.objects.count(), RecordVersion.objects.count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])


def wait_for_server_to_drop_the_dead_session(env: dict[str, str]) -> None:
    """PostgreSQL ends a dead client's session when it next talks to it; wait for that,
    as a restarted service would, so the next import is not queued behind its locks."""
    url = env["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(120):
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            if others and others[0] == 0:
                return
            time.sleep(0.5)
    raise AssertionError("the killed import's session never ended")


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    env = dict(
        os.environ, SHINEALIGHT_HOME=str(tmp_path), DATABASE_URL=database_url(tmp_path, "backup")
    )
    assert cli(env, "init").returncode == 0
    assert cli(env, "import", str(DATA / "valid.jsonl")).returncode == 0
    made = cli(env, "backup", "--out", str(tmp_path / "partnership.backup"))
    assert made.returncode == 0, made.stderr
    # Something happens after the backup; the restore takes the partnership back.
    extra = tmp_path / "later.jsonl"
    extra.write_text(json.dumps(next(synthetic_records(1))) + "\n")
    assert cli(env, "import", str(extra)).returncode == 0
    assert count_records(env) == (5, 6)
    refused = cli(env, "restore", str(tmp_path / "partnership.backup"))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    restored = cli(env, "restore", str(tmp_path / "partnership.backup"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert count_records(env) == (4, 5)
    verify = cli(env, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_a_killed_import_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    env = dict(
        os.environ, SHINEALIGHT_HOME=str(tmp_path), DATABASE_URL=database_url(tmp_path, "killed")
    )
    assert cli(env, "init").returncode == 0
    feed = tmp_path / "feed.jsonl.gz"
    with gzip.open(feed, "wt", compresslevel=1) as f:
        for record in synthetic_records(60_000):
            f.write(json.dumps(record) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "shinealight.cli", "import", str(feed)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(6)  # well into the import: batches written, nothing committed yet
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    wait_for_server_to_drop_the_dead_session(env)
    assert count_records(env) == (0, 0)
    again = cli(env, "import", str(feed))
    assert again.returncode == 0, again.stderr
    assert count_records(env) == (60_000, 60_000)
    assert cli(env, "audit", "verify").returncode == 0
