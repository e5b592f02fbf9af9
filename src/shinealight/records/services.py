"""Writing agency records: file imports and API submissions share one atomic, idempotent path."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.records import (
    AgencyRecord,
    FieldError,
    FlatRecord,
    LineError,
    RecordInvalid,
    content_hash,
    flatten,
    iter_lines,
    parse_line,
    parse_record,
)
from shinealight.core.records.validate import open_records_file, oversized_line_error
from shinealight.core.schema import vocabulary
from shinealight.records.models import (
    Agency,
    ImportBatch,
    LocationMention,
    OnlineMention,
    PersonMention,
    PhoneMention,
    Record,
    RecordLink,
    RecordVersion,
    VehicleMention,
)

Progress = Callable[[str, int, int | None], None]
BATCH_SIZE = 1000
_MENTION_TABLES: tuple[tuple[str, type[Any]], ...] = (
    ("persons", PersonMention),
    ("vehicles", VehicleMention),
    ("phones", PhoneMention),
    ("online", OnlineMention),
    ("locations", LocationMention),
)


class ImportRejected(Exception):
    """The input broke the contract; nothing was written. `errors` lists every bad line."""

    def __init__(self, name: str, errors: list[LineError]) -> None:
        lines = len({e.line for e in errors})
        super().__init__(f"{name}: {lines} invalid line(s); nothing was imported")
        self.name = name
        self.errors = errors


@dataclass
class ImportSummary:
    """What an import did, in the words the person running it needs."""

    name: str
    batch_id: int | None = None
    lines: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    versions_added: int = 0
    mentions: Counter[str] = field(default_factory=Counter)
    unknown_indicators: Counter[str] = field(default_factory=Counter)
    new_agencies: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "batch_id": self.batch_id,
            "records": self.lines,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "versions_added": self.versions_added,
            "mentions": dict(sorted(self.mentions.items())),
            "unknown_indicators": dict(sorted(self.unknown_indicators.items())),
            "new_agencies": self.new_agencies,
        }


class _AgencyCheck:
    """Checks each record's agency type against the registry and earlier lines of the input."""

    def __init__(self) -> None:
        self.types = dict(Agency.objects.values_list("code", "agency_type"))

    def errors(self, record: AgencyRecord) -> list[FieldError]:
        known = self.types.setdefault(record.agency, record.agency_type)
        if known == record.agency_type:
            return []
        return [
            FieldError(
                "agency_type",
                f"{record.agency_type!r} differs from agency {record.agency!r}, "
                f"registered as {known!r}",
            )
        ]


class _HashingReader:
    """Wraps a raw file: hashes the bytes read and tells how far reading has got."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _file_lines(path: Path) -> Iterator[tuple[int, bytes | None, _HashingReader]]:
    raw = path.open("rb")
    reader = _HashingReader(raw)
    try:
        if path.name.lower().endswith(".gz"):
            stream: IO[bytes] = gzip.GzipFile(fileobj=reader, mode="rb")  # type: ignore[arg-type]
        else:
            stream = io.BufferedReader(reader, buffer_size=1 << 20)  # type: ignore[arg-type]
        for number, line in iter_lines(stream):
            yield number, line, reader
    finally:
        raw.close()


def _check_file(path: Path, progress: Progress | None) -> tuple[int, str]:
    """First pass: check every line, write nothing. Returns (record count, file SHA-256)."""
    name = str(path)
    agencies = _AgencyCheck()
    errors: list[LineError] = []
    size = path.stat().st_size
    count = 0
    reader: _HashingReader | None = None
    try:
        for number, line, reader in _file_lines(path):
            count += 1
            try:
                if line is None:
                    raise RecordInvalid([oversized_line_error()])
                record = parse_line(line)
                problems = agencies.errors(record)
                if problems:
                    raise RecordInvalid(problems)
            except RecordInvalid as exc:
                errors.extend(LineError(name, number, e.field, e.reason) for e in exc.errors)
            if progress and count % 2000 == 0:
                progress("check", reader.position, size)
    except (OSError, EOFError) as exc:
        # A truncated or corrupt gzip stream is an input fault, reported like any other.
        errors.append(LineError(name, count + 1, "", f"cannot read the file: {exc}"))
    if errors:
        raise ImportRejected(name, errors)
    if progress:
        progress("check", size, size)
    return count, reader.sha256.hexdigest() if reader else hashlib.sha256(b"").hexdigest()


class _Writer:
    """Second pass: writes records in batches inside the caller's transaction."""

    def __init__(self, *, batch: ImportBatch, summary: ImportSummary) -> None:
        self.batch = batch
        self.summary = summary
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.pending: list[tuple[AgencyRecord, dict[str, Any]]] = []
        self.now = batch.started_at
        self.known_codes = set(vocabulary().indicators)

    def add(self, record: AgencyRecord, payload: dict[str, Any]) -> None:
        self.pending.append((record, payload))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def _agency(self, record: AgencyRecord) -> Agency:
        agency = self.agencies.get(record.agency)
        if agency is None:
            agency = Agency.objects.create(
                code=record.agency, agency_type=record.agency_type, area=record.area or ""
            )
            self.agencies[record.agency] = agency
            self.summary.new_agencies.append(record.agency)
        return agency

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        # Group the batch by record key, keeping line order: a later line is a newer version.
        grouped: dict[tuple[int, str], list[tuple[AgencyRecord, dict[str, Any], str]]] = {}
        for record, payload in pending:
            key = (self._agency(record).pk, record.record_id)
            grouped.setdefault(key, []).append((record, payload, content_hash(payload)))
            self.summary.lines += 1
            self.summary.unknown_indicators.update(set(record.indicators) - self.known_codes)

        existing = {
            (r.agency_id, r.record_id): r
            for r in Record.objects.filter(
                agency_id__in={k[0] for k in grouped}, record_id__in={k[1] for k in grouped}
            ).only("id", "agency_id", "record_id", "content_hash", "version")
        }

        # An identical payload is the same version (recorded_at included), so a resend of
        # any version already held, not only the current one, changes nothing.
        candidates = [
            r.pk
            for k, r in existing.items()
            if any(digest != r.content_hash for _, _, digest in grouped[k])
        ]
        history: dict[int, set[str]] = {}
        for record_pk, digest in RecordVersion.objects.filter(record_id__in=candidates).values_list(
            "record_id", "content_hash"
        ):
            history.setdefault(record_pk, set()).add(digest)

        new_records: list[tuple[Record, list[tuple[dict[str, Any], str, AgencyRecord]]]] = []
        changed: list[tuple[Record, list[tuple[dict[str, Any], str, AgencyRecord]]]] = []
        for key, versions in grouped.items():
            current = existing.get(key)
            seen = set(history.get(current.pk, ())) if current else set()
            if current:
                seen.add(current.content_hash)
            added = []
            for record, payload, digest in versions:
                if digest not in seen:
                    added.append((payload, digest, record))
                    seen.add(digest)
            if not added:
                self.summary.unchanged += 1
                continue
            final = added[-1][2]
            flat = flatten(final)
            if current is None:
                row = Record(
                    agency_id=key[0],
                    record_id=key[1],
                    version=len(added),
                    content_hash=added[-1][1],
                    first_received_at=self.now,
                    last_changed_at=self.now,
                    **flat.fields,
                )
                new_records.append((row, added))
                self.summary.new += 1
            else:
                current.version += len(added)
                current.content_hash = added[-1][1]
                current.last_changed_at = self.now
                for name, value in flat.fields.items():
                    setattr(current, name, value)
                changed.append((current, added))
                self.summary.updated += 1
            final._flat = flat

        Record.objects.bulk_create([row for row, _ in new_records], batch_size=BATCH_SIZE)
        if changed:
            rows = [row for row, _ in changed]
            Record.objects.bulk_update(
                rows,
                ["version", "content_hash", "last_changed_at", *flatten_fields()],
                batch_size=BATCH_SIZE,
            )
            ids = [row.pk for row in rows]
            for _, model in _MENTION_TABLES:
                model.objects.filter(record_id__in=ids).delete()
            RecordLink.objects.filter(record_id__in=ids).delete()

        versions: list[RecordVersion] = []
        mentions: dict[str, list[Any]] = {name: [] for name, _ in _MENTION_TABLES}
        links: list[RecordLink] = []
        for row, added in [*new_records, *changed]:
            first_version = row.version - len(added) + 1
            for offset, (payload, digest, record) in enumerate(added):
                versions.append(
                    RecordVersion(
                        record=row,
                        version=first_version + offset,
                        content_hash=digest,
                        payload=payload,
                        recorded_at=record.recorded_at,
                        received_at=self.now,
                        batch=self.batch,
                    )
                )
            flat: FlatRecord = added[-1][2]._flat
            for name, model in _MENTION_TABLES:
                for values in getattr(flat, name):
                    mentions[name].append(model(record=row, **values))
            links.extend(RecordLink(record=row, **values) for values in flat.links)
            for kind, n in flat.mention_count().items():
                self.summary.mentions[kind] += n
        self.summary.versions_added += len(versions)
        RecordVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        for name, model in _MENTION_TABLES:
            if mentions[name]:
                model.objects.bulk_create(mentions[name], batch_size=BATCH_SIZE)
        if links:
            RecordLink.objects.bulk_create(links, batch_size=BATCH_SIZE)


def flatten_fields() -> list[str]:
    """The Record columns that come from the record's content."""
    return [
        "event_type",
        "recorded_at",
        "occurred_at",
        "area",
        "summary",
        "grading_source",
        "grading_intelligence",
        "grading_handling",
        "handling_conditions",
        "indicators",
        "unknown_indicators",
    ]


def _start_batch(*, source: str, name: str, sha256: str, acting_user: Any) -> ImportBatch:
    user = acting_user if getattr(acting_user, "pk", None) else None
    return ImportBatch.objects.create(
        source=source, name=name, sha256=sha256, started_at=timezone.now(), acting_user=user
    )


def _finish(batch: ImportBatch, summary: ImportSummary, *, acting_user: Any, action: str) -> None:
    summary.batch_id = batch.pk
    batch.finished_at = timezone.now()
    batch.summary = summary.as_dict()
    batch.save(update_fields=["finished_at", "summary"])
    audit_log(
        acting_user=acting_user,
        action=action,
        object_type="import_batch",
        object_ids=[batch.pk],
        detail={
            "source": batch.source,
            "name": batch.name,
            "sha256": batch.sha256,
            **summary.as_dict(),
        },
    )


def records_import_file(
    *, path: Path, acting_user: Any = None, progress: Progress | None = None
) -> ImportSummary:
    """Import one `.jsonl` / `.jsonl.gz` file whole or not at all.

    The file is read twice, streaming, so memory stays flat whatever its size: first to
    check every line (raising `ImportRejected` with every fault, having written nothing),
    then to write inside one transaction. Re-importing the same file changes nothing.
    """
    path = Path(path)
    open_records_file(path).close()  # rejects an unsupported file type up front
    total, sha256 = _check_file(path, progress)
    summary = ImportSummary(name=str(path))
    with transaction.atomic():
        batch = _start_batch(
            source=ImportBatch.Source.FILE, name=path.name, sha256=sha256, acting_user=acting_user
        )
        writer = _Writer(batch=batch, summary=summary)
        done = 0
        for _, line, _reader in _file_lines(path):
            assert line is not None  # checked in the first pass
            record = parse_line(line)
            writer.add(record, json.loads(line))
            done += 1
            if progress and done % BATCH_SIZE == 0:
                progress("import", done, total)
        writer.flush()
        if progress:
            progress("import", total, total)
        _finish(batch, summary, acting_user=acting_user, action="records.import")
    return summary


def records_submit(
    *,
    payloads: Iterable[Any],
    acting_user: Any,
    source: str = ImportBatch.Source.API,
    name: str = "",
    may_submit: Callable[[AgencyRecord], bool] | None = None,
) -> ImportSummary:
    """Store records sent through the API or a form, all or none, through the import path.

    `may_submit` is the caller's permission check for each record's agency; a record the
    user may not submit is reported like any other fault, and nothing is written.
    """
    items = list(payloads)
    agencies = _AgencyCheck()
    errors: list[LineError] = []
    records: list[AgencyRecord] = []
    for index, payload in enumerate(items):
        try:
            record = parse_record(payload)
            problems = agencies.errors(record)
            if may_submit is not None and not may_submit(record):
                problems.append(FieldError("agency", "you may not submit records for this agency"))
            if problems:
                raise RecordInvalid(problems)
            records.append(record)
        except RecordInvalid as exc:
            errors.extend(LineError(name or source, index, e.field, e.reason) for e in exc.errors)
    if errors:
        raise ImportRejected(name or source, errors)
    summary = ImportSummary(name=name or source)
    with transaction.atomic():
        batch = _start_batch(source=source, name=name, sha256="", acting_user=acting_user)
        writer = _Writer(batch=batch, summary=summary)
        for record, payload in zip(records, items, strict=True):
            writer.add(record, payload)
        writer.flush()
        _finish(batch, summary, acting_user=acting_user, action=f"records.{source}_submit")
    return summary


@transaction.atomic
def agency_create(
    *, acting_user: Any, code: str, agency_type: str, name: str = "", area: str = ""
) -> Agency:
    """Register an agency of the partnership."""
    agency = Agency.objects.create(code=code, agency_type=agency_type, name=name, area=area)
    audit_log(
        acting_user=acting_user,
        action="agency.create",
        object_type="agency",
        object_ids=[code],
        detail={"agency_type": agency_type, "name": name, "area": area},
    )
    return agency
