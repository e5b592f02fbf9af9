"""Import fuzzing: whatever the bytes, no crash, no partial write, a clear located error.

Lines start as the spec's valid examples and are damaged by hypothesis: keys dropped,
values replaced with arbitrary JSON, lines cut short, bytes that are not UTF-8 or not JSON.
Every run either imports or raises `ImportRejected` naming the file and, for every fault,
its line, field and reason; a rejected file leaves the database exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shinealight.records.models import Record, RecordVersion
from shinealight.records.services import ImportRejected, records_import_file

SPEC_VALID = Path(__file__).resolve().parents[1] / "data" / "spec-examples" / "valid.jsonl"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


def _examples() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SPEC_VALID.read_text().splitlines() if line.strip()]


@st.composite
def damaged_line(draw: Any) -> bytes:
    record = draw(st.sampled_from(_examples()))
    how = draw(st.sampled_from(["drop", "replace", "nested", "truncate", "garbage", "as-is"]))
    if how == "drop" and record:
        record = dict(record)
        record.pop(draw(st.sampled_from(sorted(record))))
    elif how == "replace" and record:
        record = dict(record)
        record[draw(st.sampled_from(sorted(record)))] = draw(json_values)
    elif how == "nested":
        record = json.loads(json.dumps(record))
        for key in ("persons", "vehicles", "phones", "grading"):
            value = record.get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value[0][draw(st.sampled_from(sorted(value[0]) or ["x"]))] = draw(json_values)
                break
            if isinstance(value, dict) and value:
                value[draw(st.sampled_from(sorted(value)))] = draw(json_values)
                break
    text = json.dumps(record).encode()
    if how == "truncate":
        text = text[: draw(st.integers(0, max(0, len(text) - 1)))]
    elif how == "garbage":
        text = draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b" ")
    return text


def _not_an_object(line: bytes) -> bool:
    try:
        return not isinstance(json.loads(line), dict)
    except ValueError:
        return True


@pytest.mark.slow
@given(lines=st.lists(damaged_line(), min_size=1, max_size=4))
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_import_never_crashes_or_half_writes(
    lines: list[bytes], tmp_path: Path, agencies: dict[str, Any]
) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    before = (Record.objects.count(), RecordVersion.objects.count())
    try:
        summary = records_import_file(path=path)
    except ImportRejected as rejected:
        event("rejected")
        assert (Record.objects.count(), RecordVersion.objects.count()) == before
        assert rejected.errors, "a rejection must say what was wrong"
        assert "fuzz.jsonl" in str(rejected)
        for error in rejected.errors:
            assert error.file.endswith("fuzz.jsonl") and 1 <= error.line <= len(lines)
            # A line that is not a JSON object has no field to name; any other fault does.
            assert error.reason and (error.field or _not_an_object(lines[error.line - 1]))
    else:
        event("imported")
        assert summary.name.endswith("fuzz.jsonl")
