"""Writing agency records: file imports and API submissions share one atomic, idempotent path."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.extract import name_keys
from shinealight.core.records import (
    AgencyRecord,
    Faulty,
    FieldError,
    FlatRecord,
    LineError,
    Prepared,
    RecordInvalid,
    flatten,
    iter_lines,
    parse_record,
    prepare_rows,
    prepared_from,
)
from shinealight.core.records.prepare import RawRow
from shinealight.core.records.validate import open_records_file, oversized_line_error
from shinealight.core.schema import vocabulary
from shinealight.records.bulk import RawJSON, insert_rows, reserve_ids
from shinealight.records.models import (
    Agency,
    ImportBatch,
    KnownName,
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
ANALYZE_FROM_ROWS = 1_000

# Called inside the import's transaction once its records are written, with the batch:
# linkage and extraction resolve what arrived (`RecordVersion.batch`) before it commits.
AFTER_IMPORT: list[Callable[[ImportBatch], None]] = []


def after_import(hook: Callable[[ImportBatch], None]) -> Callable[[ImportBatch], None]:
    """Register a function to run on every import batch that wrote something."""
    AFTER_IMPORT.append(hook)
    return hook


_MENTION_TABLES: tuple[tuple[str, type[Any]], ...] = (
    ("persons", PersonMention),
    ("vehicles", VehicleMention),
    ("phones", PhoneMention),
    ("online", OnlineMention),
    ("locations", LocationMention),
)


# The Record columns that come from the record's content (`flatten(...).fields`).
CONTENT_COLUMNS = (
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
    extra: dict[str, Any] = field(default_factory=dict)  # what after-import hooks did

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
            **self.extra,
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


@dataclass
class _Change:
    """The versions one batch adds to one record, and the mentions of the newest."""

    row: Record | None  # None for a record this batch creates
    added: list[Prepared]
    flat: FlatRecord
    pk: int = 0
    version: int = 0


class _Writer:
    """Writes checked records in batches inside the caller's transaction."""

    def __init__(self, *, batch: ImportBatch, summary: ImportSummary) -> None:
        self.batch = batch
        self.summary = summary
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.pending: list[Prepared] = []
        self.now = batch.started_at
        self.known_codes = set(vocabulary().indicators)

    def add(self, item: Prepared) -> None:
        """Queue a checked record for writing."""
        self.summary.lines += 1
        self.summary.unknown_indicators.update(set(item.indicators) - self.known_codes)
        self.pending.append(item)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def _agency(self, item: Prepared) -> Agency:
        agency = self.agencies.get(item.agency)
        if agency is None:
            agency = Agency.objects.create(
                code=item.agency, agency_type=item.agency_type, area=item.area or ""
            )
            self.agencies[item.agency] = agency
            self.summary.new_agencies.append(item.agency)
        return agency

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        # Group the batch by record key, keeping line order: a later line is a newer version.
        grouped: dict[tuple[int, str], list[Prepared]] = {}
        for item in pending:
            key = (self._agency(item).pk, item.record_id)
            grouped.setdefault(key, []).append(item)

        # agency IN (…) AND record_id IN (…) can also match other pairs; keep only ours.
        existing = {
            key: r
            for r in Record.objects.filter(
                agency_id__in={k[0] for k in grouped}, record_id__in={k[1] for k in grouped}
            ).only("id", "agency_id", "record_id", "content_hash", "version")
            if (key := (r.agency_id, r.record_id)) in grouped
        }
        # An identical payload is the same version (recorded_at included), so a resend of
        # any version already held, not only the current one, changes nothing.
        candidates = [
            r.pk for k, r in existing.items() if any(i.digest != r.content_hash for i in grouped[k])
        ]
        history: dict[int, set[str]] = {}
        for record_pk, digest in RecordVersion.objects.filter(record_id__in=candidates).values_list(
            "record_id", "content_hash"
        ):
            history.setdefault(record_pk, set()).add(digest)

        created: list[_Change] = []
        changed: list[_Change] = []
        for key, items in grouped.items():
            current = existing.get(key)
            seen = {current.content_hash, *history.get(current.pk, ())} if current else set()
            added = []
            for item in items:
                if item.digest not in seen:
                    added.append(item)
                    seen.add(item.digest)
            if not added:
                self.summary.unchanged += 1
                continue
            flat = added[-1].flat
            if current is None:
                created.append(_Change(None, added, flat, version=len(added)))
                self.summary.new += 1
            else:
                current.version += len(added)
                current.content_hash = added[-1].digest
                current.last_changed_at = self.now
                for name, value in flat.fields.items():
                    setattr(current, name, value)
                changed.append(
                    _Change(current, added, flat, pk=current.pk, version=current.version)
                )
                self.summary.updated += 1

        if created:
            rows = []
            for change, pk in zip(created, reserve_ids(Record, len(created)), strict=True):
                change.pk = pk
                last = change.added[-1]
                agency = self._agency(last).pk
                identity = (pk, agency, last.record_id, change.version, last.digest)
                content = tuple(change.flat.fields[name] for name in CONTENT_COLUMNS)
                rows.append((*identity, self.now, self.now, *content))
            insert_rows(Record, _RECORD_COLUMNS, rows)
        if changed:
            rows = [c.row for c in changed if c.row is not None]
            Record.objects.bulk_update(
                rows,
                ["version", "content_hash", "last_changed_at", *CONTENT_COLUMNS],
                batch_size=BATCH_SIZE,
            )
            ids = [row.pk for row in rows]
            for _, model in _MENTION_TABLES:
                model.objects.filter(record_id__in=ids).delete()
            RecordLink.objects.filter(record_id__in=ids).delete()
            KnownName.objects.filter(record_id__in=ids).delete()

        versions: list[tuple[Any, ...]] = []
        mentions: dict[str, list[tuple[Any, ...]]] = {name: [] for name, _ in _MENTION_TABLES}
        links: list[tuple[Any, ...]] = []
        names: list[tuple[int, str]] = []
        columns = flat_columns()
        for change in (*created, *changed):
            pk = change.pk
            first_version = change.version - len(change.added) + 1
            for offset, item in enumerate(change.added):
                versions.append(
                    (
                        pk,
                        first_version + offset,
                        item.digest,
                        RawJSON(item.payload),
                        item.recorded_at,
                        self.now,
                        self.batch.pk,
                    )
                )
            for name, _ in _MENTION_TABLES:
                for values in getattr(change.flat, name):
                    mentions[name].append((pk, *(values[c] for c in getattr(columns, name))))
            links.extend((pk, v["from_ref"], v["to_ref"], v["kind"]) for v in change.flat.links)
            names.extend((pk, key) for key in person_name_keys(change.flat.persons))
            self.summary.mentions.update(change.flat.mention_count())
        self.summary.versions_added += len(versions)
        insert_rows(RecordVersion, _VERSION_COLUMNS, versions)
        for name, model in _MENTION_TABLES:
            insert_rows(model, ["record", *getattr(columns, name)], mentions[name])
        insert_rows(RecordLink, ["record", "from_ref", "to_ref", "kind"], links)
        insert_rows(KnownName, ["record", "key"], names)


def person_name_keys(persons: Iterable[dict[str, Any]]) -> set[str]:
    """The extraction keys of the names and aliases of one record's person mentions."""
    keys: set[str] = set()
    for person in persons:
        for written in (person.get("name"), *(person.get("aliases") or ())):
            if isinstance(written, str) and written:
                keys |= {key[:200] for key in name_keys(written)}
    return keys


# Identity and bookkeeping columns first, then the content columns.
_RECORD_COLUMNS = (
    "id",
    "agency",
    "record_id",
    "version",
    "content_hash",
    "first_received_at",
    "last_changed_at",
    *CONTENT_COLUMNS,
)
_VERSION_COLUMNS = (
    "record",
    "version",
    "content_hash",
    "payload",
    "recorded_at",
    "received_at",
    "batch",
)


@cache
def flat_columns() -> FlatRecord:
    """The column order `flatten` produces for each mention kind (the same for every record)."""
    sample = flatten(
        parse_record(
            {
                "agency": "x0",
                "agency_type": "other",
                "record_id": "x",
                "type": "other",
                "recorded_at": "2000-01-01T00:00:00Z",
                "persons": [{"ref": "p"}],
                "vehicles": [{"ref": "v"}],
                "phones": [{"ref": "t", "number": "0"}],
                "online": [{"ref": "o", "handle": "h"}],
                "locations": [{"ref": "l"}],
            }
        )
    )
    return FlatRecord(
        fields=sample.fields,
        **{name: list(getattr(sample, name)[0]) for name, _ in _MENTION_TABLES},
    )


def _start_batch(*, source: str, name: str, sha256: str, acting_user: Any) -> ImportBatch:
    user = acting_user if getattr(acting_user, "pk", None) else None
    return ImportBatch.objects.create(
        source=source, name=name, sha256=sha256, started_at=timezone.now(), acting_user=user
    )


def _finish(batch: ImportBatch, summary: ImportSummary, *, acting_user: Any, action: str) -> None:
    summary.batch_id = batch.pk
    if summary.versions_added >= ANALYZE_FROM_ROWS and connection.vendor == "postgresql":
        # Fresh statistics before anything queries what was just loaded: with the tables'
        # old (often empty) statistics the planner picks nested loops over the new rows.
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in (Record, RecordVersion, RecordLink)]
            tables += [model._meta.db_table for _, model in _MENTION_TABLES]
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    if (summary.new or summary.updated) and settings.SHINEALIGHT_ANALYSE_ON_IMPORT:
        # Hooks may report what they did in `batch.import_summary.extra`.
        batch.import_summary = summary  # type: ignore[attr-defined]
        for hook in AFTER_IMPORT:
            hook(batch)
    batch.finished_at = timezone.now()
    batch.summary = summary.as_dict()
    batch.save(update_fields=["finished_at", "summary", "sha256"])
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


def _workers(size: int) -> int:
    """Worker processes for preparing a file of `size` bytes: none for small files."""
    if size < PARALLEL_FROM_BYTES:
        return 0
    return max(1, min(int(os.environ.get("SHINEALIGHT_IMPORT_WORKERS", "1")), os.cpu_count() or 1))


# Below this, starting a worker process costs more than it saves.
PARALLEL_FROM_BYTES = 8 << 20


@dataclass(frozen=True)
class SourceRow:
    """One row of an input file, decoded: its JSON object, or the faults found in it."""

    line: int
    obj: Any = None  # the decoded JSON object; may be left out when `text` is given
    text: str | None = None  # the payload's JSON text as received, when it was JSON
    errors: tuple[FieldError, ...] = ()
    position: int = 0  # bytes of the file read so far, for progress


def _jsonl_rows(path: Path, digest: Any) -> Iterator[SourceRow]:
    # Lines stay undecoded here: decoding and checking is the workers' job.
    for number, line, reader in _file_lines(path):
        digest.reader = reader
        if line is None:
            yield SourceRow(number, errors=(oversized_line_error(),), position=reader.position)
            continue
        try:
            text = line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield SourceRow(number, errors=(FieldError("", "not valid UTF-8"),))
            continue
        yield SourceRow(number, text=text, position=reader.position)


def records_import_file(
    *, path: Path, acting_user: Any = None, progress: Progress | None = None
) -> ImportSummary:
    """Import one `.jsonl` / `.jsonl.gz` file whole or not at all.

    One streaming pass, so memory stays flat whatever the file's size: each line is
    checked and written in batches inside one transaction. At the first bad line writing
    stops, checking goes on to the end so that every bad line is reported, and the
    transaction is rolled back: nothing from the file is kept (`ImportRejected`).
    Re-importing the same file changes nothing.
    """
    path = Path(path)
    open_records_file(path).close()  # refuses an unsupported file type before any work

    class _Digest:
        reader: _HashingReader | None = None

        def __call__(self) -> str:
            return (self.reader.sha256 if self.reader else hashlib.sha256(b"")).hexdigest()

    digest = _Digest()
    return records_import_rows(
        name=str(path),
        label=path.name,
        rows=_jsonl_rows(path, digest),
        size=path.stat().st_size,
        sha256=digest,
        acting_user=acting_user,
        progress=progress,
    )


def records_import_rows(
    *,
    name: str,
    label: str,
    rows: Iterable[SourceRow],
    size: int,
    sha256: Callable[[], str],
    acting_user: Any = None,
    progress: Progress | None = None,
    source: str = ImportBatch.Source.FILE,
) -> ImportSummary:
    """Import decoded rows of one input file (JSON Lines, or CSV through a mapping).

    The rows are consumed once, as a stream. Every fault is collected with its line
    number; any fault and nothing is kept. `sha256` is called at the end for the file's
    digest, kept with the import batch as provenance.
    """
    summary = ImportSummary(name=name)
    errors: list[LineError] = []
    read = SourceRow(0)  # the last row read, for progress and for a read error's line

    def raw_rows() -> Iterator[RawRow]:
        nonlocal read
        for row in rows:
            read = row
            # JSON text travels to the workers; only rows without text send their object.
            yield row.line, row.text, None if row.text is not None else row.obj, row.errors

    with transaction.atomic():
        batch = _start_batch(source=source, name=label, sha256="", acting_user=acting_user)
        agencies = _AgencyCheck()
        writer = _Writer(batch=batch, summary=summary)
        try:
            for n, item in enumerate(prepare_rows(raw_rows(), workers=_workers(size)), 1):
                problems = list(item.errors) if isinstance(item, Faulty) else agencies.errors(item)
                if problems:
                    errors.extend(LineError(name, item.line, e.field, e.reason) for e in problems)
                elif not errors:
                    writer.add(item)  # type: ignore[arg-type]
                if progress and n % BATCH_SIZE == 0:
                    progress("import", read.position, size)
        except (OSError, EOFError) as exc:
            # A truncated or corrupt stream is an input fault, reported like any other.
            errors.append(LineError(name, read.line + 1, "", f"cannot read the file: {exc}"))
        if errors:
            raise ImportRejected(name, errors)
        writer.flush()
        batch.sha256 = sha256()
        _finish(batch, summary, acting_user=acting_user, action="records.import")
    if progress:
        progress("import", size, size)
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
    agencies = _AgencyCheck()
    errors: list[LineError] = []
    prepared: list[Prepared] = []
    for index, payload in enumerate(payloads):
        try:
            record = parse_record(payload)
            problems = agencies.errors(record)
            if may_submit is not None and not may_submit(record):
                problems.append(FieldError("agency", "you may not submit records for this agency"))
            if problems:
                raise RecordInvalid(problems)
            prepared.append(prepared_from(index, record, payload, None))
        except RecordInvalid as exc:
            errors.extend(LineError(name or source, index, e.field, e.reason) for e in exc.errors)
    if errors:
        raise ImportRejected(name or source, errors)
    summary = ImportSummary(name=name or source)
    with transaction.atomic():
        batch = _start_batch(source=source, name=name, sha256="", acting_user=acting_user)
        writer = _Writer(batch=batch, summary=summary)
        for item in prepared:
            writer.add(item)
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
