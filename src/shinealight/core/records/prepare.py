"""Preparing records for the store: decode, check, hash and flatten, in bulk and in parallel.

This is the CPU-heavy half of an import. It needs nothing but the line itself, so large
imports run it in worker processes while the main process writes to the database.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shinealight.core.records.flatten import FlatRecord, canonical_json, content_hash, flatten
from shinealight.core.records.model import AgencyRecord
from shinealight.core.records.validate import FieldError, RecordInvalid, decode_line, parse_record

CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked record, ready to write: its identity, content hash, payload text and rows."""

    line: int
    agency: str
    agency_type: str
    area: str | None
    record_id: str
    recorded_at: datetime
    indicators: tuple[str, ...]
    digest: str
    payload: str  # the payload's JSON text, as received when it came as JSON
    flat: FlatRecord


@dataclass(frozen=True, slots=True)
class Faulty:
    """A row that breaks the contract, with every fault found in it."""

    line: int
    errors: tuple[FieldError, ...]


# One row to prepare: (line number, JSON text or None, decoded object or None, faults so far).
RawRow = tuple[int, str | None, Any, tuple[FieldError, ...]]


def prepared_from(line: int, record: AgencyRecord, obj: Any, text: str | None) -> Prepared:
    """Hash and flatten a record that has already been checked."""
    return Prepared(
        line=line,
        agency=record.agency,
        agency_type=record.agency_type,
        area=record.area,
        record_id=record.record_id,
        recorded_at=record.recorded_at,
        indicators=tuple(record.indicators),
        digest=content_hash(obj),
        payload=text if text is not None else canonical_json(obj),
        flat=flatten(record),
    )


def prepare_row(row: RawRow) -> Prepared | Faulty:
    """Decode (when needed), check, hash and flatten one row."""
    line, text, obj, errors = row
    if errors:
        return Faulty(line, errors)
    try:
        if obj is None:
            obj = decode_line(text or "")
        record = parse_record(obj)
    except RecordInvalid as exc:
        return Faulty(line, tuple(exc.errors))
    return prepared_from(line, record, obj, text)


def prepare_chunk(rows: list[RawRow]) -> list[Prepared | Faulty]:
    """Prepare a list of rows (the unit of work sent to a worker process)."""
    return [prepare_row(row) for row in rows]


def _chunks(rows: Iterable[RawRow]) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def prepare_rows(rows: Iterable[RawRow], *, workers: int = 0) -> Iterator[Prepared | Faulty]:
    """Prepare rows in order, in `workers` processes (0: in this process).

    At most two chunks per worker are in flight, so memory stays flat however long the
    input is; results come back in input order.
    """
    if workers <= 0:
        for chunk in _chunks(rows):
            yield from prepare_chunk(chunk)
        return
    # "spawn": a fork would copy the parent's open database connections into the child.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        in_flight: deque[Future[list[Prepared | Faulty]]] = deque()
        for chunk in _chunks(rows):
            in_flight.append(pool.submit(prepare_chunk, chunk))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()
