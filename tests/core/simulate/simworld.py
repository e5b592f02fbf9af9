"""Helpers for the simulator's tests: run a simulation and read its output back."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shinealight.core.simulate import SimulationConfig, SimulationSummary, simulate


@dataclass(frozen=True)
class Run:
    """One simulation's config, summary, output directory and decoded output."""

    config: SimulationConfig
    summary: SimulationSummary
    out: Path
    records: list[dict[str, Any]]
    truth: dict[str, Any]

    def mention_owner(self) -> dict[str, str]:
        """Map each mention id in truth to its true person."""
        return {m: tid for tid, ms in self.truth["people"].items() for m in ms}


def run_simulation(config: SimulationConfig, out: Path) -> Run:
    """Simulate into `out` and read everything back."""
    summary = simulate(config, out)
    with gzip.open(out / "records.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return Run(config, summary, out, records, truth)
