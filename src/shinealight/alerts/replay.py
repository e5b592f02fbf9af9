"""Replaying a history: records in `recorded_at` order, one step of data time at a time.

Each step is submitted through the ordinary import path, so its after-import hooks run
exactly as in production (linkage first, then extraction, then this app's incremental
analysis). An alert's data time comes from the records it cites, so it is the moment the
pattern would first have been visible, whatever the step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from shinealight.alerts.entities import EntityResolver, OracleResolver
from shinealight.core.alerts import export_row, siloed_findings
from shinealight.core.records import AgencyRecord, open_records_file, parse_record
from shinealight.core.records.validate import iter_lines


@dataclass
class ReplayResult:
    records: int = 0
    steps: int = 0
    seconds: float = 0.0
    siloed_rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Replayer:
    username: str = "system:replay"
    pk: None = None


def _read(files: Iterable[Path]) -> list[tuple[datetime, int, dict[str, Any], AgencyRecord]]:
    rows = []
    n = 0
    for path in files:
        with open_records_file(path) as stream:
            for _, line in iter_lines(stream):
                if line is None:
                    continue
                payload = orjson.loads(line)
                record = parse_record(payload)
                rows.append((record.recorded_at, n, payload, record))
                n += 1
    # Stable: records recorded at the same moment keep their order in the files.
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def replay_records(
    *,
    files: list[Path],
    step: timedelta,
    resolver: EntityResolver,
    progress: Callable[[str], None] | None = None,
    siloed: bool = True,
) -> ReplayResult:
    """Submit the records step by step into the current (fresh) database."""
    from shinealight.records import services as record_services

    started = time.perf_counter()
    hooks = list(record_services.AFTER_IMPORT)
    if isinstance(resolver, OracleResolver):
        # The oracle stands in for linkage: running linkage as well would only cost time.
        record_services.AFTER_IMPORT[:] = [
            h for h in hooks if not h.__module__.startswith("shinealight.people")
        ]
    try:
        return _replay(files, step, resolver, progress, siloed, started)
    finally:
        record_services.AFTER_IMPORT[:] = hooks


def _replay(
    files: list[Path],
    step: timedelta,
    resolver: EntityResolver,
    progress: Callable[[str], None] | None,
    siloed: bool,
    started: float,
) -> ReplayResult:
    from shinealight.records.models import ImportBatch
    from shinealight.records.services import records_submit

    rows = _read(files)
    result = ReplayResult(records=len(rows))
    if not rows:
        return result
    boundary = rows[0][0] + step
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        if isinstance(resolver, OracleResolver):
            resolver.refresh()
        records_submit(
            payloads=list(batch),
            acting_user=_Replayer(),
            source=ImportBatch.Source.FILE,
            name=f"replay step {result.steps + 1}",
        )
        result.steps += 1
        if progress and result.steps % 10 == 0:
            progress(f"replay: step {result.steps}, data time {boundary:%Y-%m-%d}")
        batch.clear()

    for recorded_at, _, payload, _ in rows:
        while recorded_at >= boundary:
            flush()
            boundary += step
        batch.append(payload)
    flush()

    if siloed:
        if isinstance(resolver, OracleResolver):
            resolver.refresh()
        records = [r[3] for r in rows]
        mentions = [
            f"{r.agency}/{r.record_id}/{p.ref}" for r in records for p in r.persons if p.ref
        ]
        mapping = resolver.person_entities(mentions)
        findings = siloed_findings(records, lambda m: mapping.get(m, "M:" + m))
        result.siloed_rows = [export_row(f, f"S{i + 1}") for i, f in enumerate(findings)]
    result.seconds = time.perf_counter() - started
    return result
