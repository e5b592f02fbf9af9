"""Replay: the same history gives the same alerts, byte for byte, whatever the step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.alerts.scenario import adult, child, concern, record


def _history(path: Path) -> Path:
    names = ["Amy Hill", "Beth Cole", "Cara Lee"]
    payloads = [
        concern(f"R{i}", f"2020-01-0{i + 1}", n, "older_boyfriend") for i, n in enumerate(names)
    ]
    car = [{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}]
    payloads += [
        record(
            f"S{i}", f"2020-0{i + 2}-01", [child("p1", n), adult("p2", "Ash Khan")], vehicles=car
        )
        for i, n in enumerate(names)
    ]
    truth = {
        "people": {},
        "networks": [],
        "confounders": [],
    }
    for p in payloads:
        for person in p["persons"]:  # type: ignore[attr-defined]
            mention = f"{p['agency']}/{p['record_id']}/{person['ref']}"
            truth["people"].setdefault("T-" + person["name"], []).append(mention)  # type: ignore[union-attr]
    path.mkdir()
    (path / "records.jsonl").write_text("".join(json.dumps(p) + "\n" for p in reversed(payloads)))
    (path / "truth.json").write_text(json.dumps(truth))
    return path


def _replay(world: Path, out: Path, step: str) -> list[dict[str, object]]:
    env = {**os.environ, "SHINEALIGHT_HOME": str(out)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shinealight.cli",
            "replay",
            str(world),
            "--out",
            str(out),
            "--step",
            step,
            "--entities",
            "oracle",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return [json.loads(line) for line in (out / "alerts.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_replay_is_deterministic_and_independent_of_the_step(tmp_path: Path) -> None:
    world = _history(tmp_path / "world")
    first = _replay(world, tmp_path / "a", "30d")
    again = _replay(world, tmp_path / "b", "30d")
    weekly = _replay(world, tmp_path / "c", "7d")
    assert first == again
    assert {r["rule"] for r in first} >= {"shared_adult", "shared_vehicle", "emerging_network"}

    def when(rows: list[dict[str, object]]) -> list[tuple[object, object]]:
        return sorted((r["rule"], r["raised_at"]) for r in rows)

    assert when(first) == when(weekly)
    assert (tmp_path / "a" / "entities.jsonl").read_text() == (
        tmp_path / "b" / "entities.jsonl"
    ).read_text()
