"""Reading agency-record files line by line and reporting every fault with its place."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import orjson
from pydantic import ValidationError

from shinealight.core.records.model import AgencyRecord
from shinealight.core.schema import vocabulary


@dataclass(frozen=True)
class FieldError:
    """One fault in one record: the field's path (e.g. `vehicles[0].persons[0]`) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


@dataclass(frozen=True)
class LineError:
    """A fault located in a file: which file, which line, which field, why."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class RecordInvalid(ValueError):
    """A record breaks the input contract; `errors` names every fault found."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# A model-level rule names the field it is about at the start of its message.
_NAMED_FIELD = re.compile(r"([a-z_]+): ")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _reason(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field missing"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"too long: at most {limit} characters allowed (it is not truncated)"
    return message


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        field = _path(loc)
        reason = _reason(error)
        # A model-level rule names its own field in the message ("handling_conditions: …").
        if error["type"] == "value_error" and (named := _NAMED_FIELD.match(reason)):
            sub, reason = named.group(1), reason[named.end() :]
            field = f"{field}.{sub}" if field else sub
        errors.append(FieldError(field, reason))
    return errors


def _ref_errors(record: AgencyRecord) -> list[FieldError]:
    errors: list[FieldError] = []
    groups: list[tuple[str, Sequence[Any]]] = [
        ("persons", record.persons),
        ("vehicles", record.vehicles),
        ("phones", record.phones),
        ("online", record.online),
        ("locations", record.locations),
    ]
    all_refs: set[str] = set()
    person_refs: set[str] = set()
    for group, items in groups:
        for i, item in enumerate(items):
            if item.ref is None:
                continue
            if item.ref in all_refs:
                errors.append(FieldError(f"{group}[{i}].ref", f"ref {item.ref!r} is used twice"))
            all_refs.add(item.ref)
            if group == "persons":
                person_refs.add(item.ref)
    for group, items in groups[1:4]:
        for i, item in enumerate(items):
            for j, ref in enumerate(item.persons):
                if ref not in person_refs:
                    errors.append(
                        FieldError(
                            f"{group}[{i}].persons[{j}]",
                            f"ref {ref!r} points to no person in this record",
                        )
                    )
    for i, link in enumerate(record.links):
        for end, ref in (("from", link.from_), ("to", link.to)):
            if ref not in all_refs:
                errors.append(
                    FieldError(f"links[{i}].{end}", f"ref {ref!r} points to nothing in this record")
                )
    return errors


def parse_record(obj: Any) -> AgencyRecord:
    """Check one decoded JSON value against the contract; `RecordInvalid` names every fault."""
    if not isinstance(obj, dict):
        raise RecordInvalid([FieldError("", "a record must be a JSON object")])
    try:
        record = AgencyRecord.model_validate(obj)
    except ValidationError as exc:
        raise RecordInvalid(_pydantic_errors(exc)) from None
    errors = _ref_errors(record)
    if errors:
        raise RecordInvalid(errors)
    return record


def oversized_line_error() -> FieldError:
    """The fault reported for a line longer than the contract allows."""
    return FieldError("", f"line is longer than {vocabulary().line_max_bytes} bytes")


def decode_line(text: str | bytes) -> Any:
    """Decode one JSON Lines line, refusing oversized lines and broken JSON."""
    limit = vocabulary().line_max_bytes
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8"))
    if size > limit:
        raise RecordInvalid([oversized_line_error()])
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at character {exc.pos + 1}"
        raise RecordInvalid([FieldError("", reason)]) from None
    except UnicodeDecodeError:
        raise RecordInvalid([FieldError("", "not valid UTF-8")]) from None


def parse_line(text: str | bytes) -> AgencyRecord:
    """Decode and check one JSON Lines line."""
    return parse_record(decode_line(text))


def open_records_file(path: Path) -> IO[bytes]:
    """Open a `.jsonl` or `.jsonl.gz` file for streaming in binary mode."""
    name = path.name.lower()
    if name.endswith(".jsonl.gz") or name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if name.endswith(".jsonl") or name.endswith(".json"):
        return path.open("rb")
    raise ValueError(
        f"{path}: unsupported file type; expected .jsonl or .jsonl.gz "
        "(CSV needs a column mapping, which comes with the exchange-formats importer)"
    )


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, raw line) for each non-blank line, counting from 1.

    A line over the size limit is yielded as None after being drained in bounded chunks,
    so that one enormous line can neither exhaust memory nor be silently truncated.
    """
    limit = vocabulary().line_max_bytes
    number = 0
    while True:
        line = stream.readline(limit + 2)
        if not line:
            return
        number += 1
        if len(line.rstrip(b"\r\n")) > limit:
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield number, None
        elif line.strip():
            yield number, line


def iter_records(path: Path) -> Iterator[tuple[int, AgencyRecord | list[FieldError]]]:
    """Stream a records file: each non-blank line's number with its record or its faults."""
    with open_records_file(path) as stream:
        for number, line in iter_lines(stream):
            if line is None:
                yield number, [oversized_line_error()]
                continue
            try:
                yield number, parse_line(line)
            except RecordInvalid as exc:
                yield number, exc.errors
