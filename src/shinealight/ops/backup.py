"""Backing up and restoring a partnership's database, with the audit chain intact.

SQLite uses the database's online backup API (a consistent copy while the service runs);
PostgreSQL uses pg_dump's custom format and pg_restore. Both are recorded in the audit
trail: the backup's own event is inside the copy, and a restore appends one after it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from shinealight.audit.services import audit_log


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    candidate = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")) / name
    if candidate.exists():
        return str(candidate)
    if found:
        return found
    raise BackupError(f"{name} not found: install PostgreSQL's client tools or set PGBIN")


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        "-h",
        str(db.get("HOST") or "localhost"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or ""),
        "-d",
        str(db["NAME"]),
    ]
    return args, env


def backup_create(*, out: Path, acting_user: Any) -> Path:
    """Write a consistent copy of the whole database to `out`."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already; choose a new file name")
    with transaction.atomic():
        audit_log(
            acting_user=acting_user,
            action="backup.create",
            object_type="database",
            detail={"file": out.name},
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        return out
    args, env = _pg_env()
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--file", str(out), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return out


def backup_restore(*, source: Path, acting_user: Any) -> None:
    """Replace the database's contents with a backup made by `backup_create`."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    if connection.vendor == "sqlite":
        connection.close()
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        backup = sqlite3.connect(source)
        try:
            with target:
                backup.backup(target)
        finally:
            backup.close()
            target.close()
    else:
        connection.close()
        args, env = _pg_env()
        result = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    with transaction.atomic():
        audit_log(
            acting_user=acting_user,
            action="backup.restore",
            object_type="database",
            detail={"file": source.name},
        )
