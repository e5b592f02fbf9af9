"""A 200,000-line file imports with flat memory: peak RSS does not grow with file size."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shinealight.core.records.synthetic import synthetic_records

pytestmark = pytest.mark.slow

MEASURE = """
import os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinealight.web.settings")
import django
django.setup()
from shinealight.records.services import records_import_file
summary = records_import_file(path=sys.argv[1])
print(summary.new, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write(path: Path, n: int, start: int) -> Path:
    with gzip.open(path, "wt", compresslevel=1) as f:
        for record in synthetic_records(n, start=start):
            f.write(json.dumps(record) + "\n")
    return path


def peak_mib(path: Path, env: dict[str, str]) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def fresh_database(tmp_path: Path) -> str:
    """A database of its own for the child processes, on the same server as the tests."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / 'memory.sqlite3'}"
    import psycopg

    name = f"memory_{os.getpid()}"
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def test_200k_line_import_has_flat_memory(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=fresh_database(tmp_path), SHINEALIGHT_HOME=str(tmp_path))
    subprocess.run(
        [sys.executable, "-m", "shinealight.cli", "init"], env=env, check=True, capture_output=True
    )
    small = write(tmp_path / "small.jsonl.gz", 20_000, start=0)
    large = write(tmp_path / "large.jsonl.gz", 200_000, start=20_000)
    new_small, rss_small = peak_mib(small, env)
    new_large, rss_large = peak_mib(large, env)
    assert (new_small, new_large) == (20_000, 200_000)
    # Ten times the lines must not mean noticeably more memory: allow 40 MiB of slack.
    assert rss_large < rss_small + 40, (rss_small, rss_large)
