"""What a simulation run wrote: counts an analyst or a test can check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NoiseCount:
    """How often one kind of noise could have happened and how often it did."""

    configured: float
    opportunities: int
    applied: int

    @property
    def rate(self) -> float:
        """The realised rate (0 when there was no opportunity)."""
        return self.applied / self.opportunities if self.opportunities else 0.0


@dataclass(frozen=True)
class SimulationSummary:
    """Counts of what one run wrote to records.jsonl.gz and truth.json."""

    records_path: Path
    truth_path: Path
    records: int
    """Lines written, updates included."""
    updates: int
    """Lines that are a later version of an earlier record."""
    children: int
    people: int
    """True persons mentioned at least once (the keys of truth.json's people)."""
    networks: int
    confounders: int
    by_agency: dict[str, int]
    by_type: dict[str, int]
    confounders_by_kind: dict[str, int]
    noise: dict[str, NoiseCount]
