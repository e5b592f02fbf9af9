"""CSV exports from agency systems, read through a YAML column mapping into agency records.

The mapping says, for each field of an agency record, which column it comes from (or a
fixed value), how to translate codes and how to read dates. Each CSV row becomes one
record; rows then go through `records_import_rows`, so a CSV import is atomic,
idempotent and reports every bad line with its number, like a JSON Lines import.
See docs/importing.md for the format.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from shinealight.core.records import FieldError, LineError, RecordInvalid, parse_record

SECTIONS = ("persons", "vehicles", "phones", "online", "locations", "links")
_LEAF_KEYS = {"column", "value", "map", "format", "split", "timezone", "default"}


class _CellInvalid(ValueError):
    def __init__(self, error: FieldError) -> None:
        super().__init__(str(error))
        self.error = error


class MappingInvalid(ValueError):
    """The mapping file itself is wrong; the message names the key."""


@dataclass(frozen=True)
class Mapping:
    """A checked column mapping: record fields, list sections and CSV options."""

    record: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]]
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    columns: frozenset[str] = field(default_factory=frozenset)


def _check_leaf(where: str, spec: Any, columns: set[str]) -> Any:
    if isinstance(spec, str):
        columns.add(spec)
        return {"column": spec}
    if (
        isinstance(spec, dict)
        and not (set(spec) - _LEAF_KEYS)
        and ("column" in spec or "value" in spec)
    ):
        if "column" in spec:
            if not isinstance(spec["column"], str):
                raise MappingInvalid(f"{where}.column must be a column name")
            columns.add(spec["column"])
        if "timezone" in spec:
            try:
                ZoneInfo(str(spec["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                raise MappingInvalid(
                    f"{where}.timezone: unknown zone {spec['timezone']!r}"
                ) from None
        if "map" in spec and not isinstance(spec["map"], dict):
            raise MappingInvalid(f"{where}.map must be a mapping of written value to code")
        return spec
    if isinstance(spec, dict):
        return {key: _check_leaf(f"{where}.{key}", value, columns) for key, value in spec.items()}
    raise MappingInvalid(
        f"{where}: expected a column name or {{column|value, map, format, split, timezone}}"
    )


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; MappingInvalid says what is wrong and where."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingInvalid(f"{path}: not YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
        raise MappingInvalid(f"{path}: needs a 'record' mapping")
    unknown = set(data) - {"record", "csv", *SECTIONS}
    if unknown:
        raise MappingInvalid(f"{path}: unknown keys {sorted(unknown)}")
    columns: set[str] = set()
    record = {k: _check_leaf(f"record.{k}", v, columns) for k, v in data["record"].items()}
    for required in ("agency", "agency_type", "record_id", "type", "recorded_at"):
        if required not in record:
            raise MappingInvalid(f"{path}: record.{required} is required")
    sections: dict[str, list[dict[str, Any]]] = {}
    for name in SECTIONS:
        items = data.get(name) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MappingInvalid(f"{path}: {name} must be a list of mappings")
        sections[name] = [
            {
                k: (v if k == "ref" else _check_leaf(f"{name}[{n}].{k}", v, columns))
                for k, v in item.items()
            }
            for n, item in enumerate(items)
        ]
    options = data.get("csv") or {}
    return Mapping(
        record=record,
        sections=sections,
        delimiter=str(options.get("delimiter", ",")),
        encoding=str(options.get("encoding", "utf-8-sig")),
        columns=frozenset(columns),
    )


def _value(spec: dict[str, Any], row: dict[str, str], where: str) -> Any:
    if "column" in spec:
        raw = (row.get(spec["column"]) or "").strip()
        if not raw:
            raw = str(spec.get("default", "")) if "default" in spec else ""
    else:
        raw = spec["value"]
    if raw == "" or raw is None:
        return None
    if "split" in spec:
        parts = [p.strip() for p in str(raw).split(spec["split"]) if p.strip()]
        return [spec.get("map", {}).get(p, p) for p in parts] or None
    if "map" in spec:
        raw = spec["map"].get(raw, raw)
    if "format" in spec:
        try:
            moment = datetime.strptime(str(raw), spec["format"])
        except ValueError:
            reason = f"{raw!r} does not match the format {spec['format']!r}"
            raise _CellInvalid(FieldError(where, reason)) from None
        if "%H" not in spec["format"]:
            return moment.date().isoformat()
        zone = ZoneInfo(str(spec.get("timezone", "Europe/London")))
        return moment.replace(tzinfo=zone).isoformat()
    return raw


def _build(
    specs: dict[str, Any], row: dict[str, str], where: str, errors: list[FieldError]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, spec in specs.items():
        if key == "ref":
            out[key] = spec
            continue
        try:
            if "column" in spec or "value" in spec:
                value = _value(spec, row, f"{where}{key}")
            else:
                value = _build(spec, row, f"{where}{key}.", errors) or None
        except _CellInvalid as exc:
            errors.append(exc.error)
            continue
        if value is not None:
            out[key] = value
    return out


def map_row(mapping: Mapping, row: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    """One CSV row as an agency record, with any faults found while mapping it."""
    errors: list[FieldError] = []
    record = _build(mapping.record, row, "", errors)
    for name, items in mapping.sections.items():
        built = []
        for n, item in enumerate(items):
            entry = _build(item, row, f"{name}[{n}].", errors)
            # An item with nothing but its ref (no vehicle in this row) is left out.
            if set(entry) - {"ref", "role", "persons", "partial", "kind", "platform"}:
                built.append(entry)
        if built:
            record[name] = built
    for person in record.get("persons", []):
        for key in ("phones", "aliases"):
            if isinstance(person.get(key), str):
                person[key] = [person[key]]
    return record, errors


def _missing_columns(mapping: Mapping, header: list[str]) -> list[str]:
    return sorted(mapping.columns - set(header))


def mapped_rows(
    path: Path, mapping: Mapping
) -> Iterator[tuple[int, dict[str, Any] | None, list[FieldError]]]:
    """Each CSV row's line number (its last physical line), record and mapping faults."""
    with Path(path).open(encoding=mapping.encoding, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=mapping.delimiter)
        missing = _missing_columns(mapping, list(reader.fieldnames or []))
        if missing:
            yield 1, None, [FieldError("", f"columns not in the file: {', '.join(missing)}")]
            return
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            record, errors = map_row(mapping, row)
            yield reader.line_num, record, errors


def csv_rows(path: Path, mapping: Mapping) -> Iterator[Any]:
    """The CSV's rows as SourceRows for `records_import_rows`."""
    from shinealight.records.services import SourceRow

    for line, record, errors in mapped_rows(path, mapping):
        yield SourceRow(line, obj=record, errors=tuple(errors))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_import(
    *, path: Path, mapping_path: Path, acting_user: Any = None, progress: Any = None
) -> Any:
    """Import a CSV through a mapping, whole or not at all (ImportRejected lists every fault)."""
    from shinealight.records.models import ImportBatch
    from shinealight.records.services import records_import_rows

    mapping = load_mapping(mapping_path)
    return records_import_rows(
        source=ImportBatch.Source.CSV,
        name=str(path),
        label=Path(path).name,
        rows=csv_rows(path, mapping),
        size=Path(path).stat().st_size,
        sha256=lambda: sha256_of(path),
        acting_user=acting_user,
        progress=progress,
    )


@dataclass
class DryRun:
    """What an import would store (the first rows) and every problem found, writing nothing."""

    rows: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def csv_dry_run(*, path: Path, mapping_path: Path, show: int = 5) -> DryRun:
    """Map and check every row without touching the database."""
    mapping = load_mapping(mapping_path)
    result = DryRun()
    for line, obj, errors in mapped_rows(path, mapping):
        result.rows += 1
        problems = list(errors)
        if not problems:
            try:
                parse_record(obj)
            except RecordInvalid as exc:
                problems = list(exc.errors)
        result.errors.extend(LineError(str(path), line, e.field, e.reason) for e in problems)
        if len(result.sample) < show and obj is not None:
            result.sample.append(obj)
    return result


def as_text(sample: dict[str, Any]) -> str:
    """A record as indented JSON, for showing in a dry run."""
    import json

    buffer = io.StringIO()
    json.dump(sample, buffer, indent=2, ensure_ascii=False)
    return buffer.getvalue()
