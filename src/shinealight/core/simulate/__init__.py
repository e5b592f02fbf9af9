"""The synthetic partnership: agency records of a simulated world, and its ground truth.

``simulate(config, out_dir)`` writes ``records.jsonl.gz`` and ``truth.json`` in the
format of the agency-records contract. The same config (seed included) always gives
byte-identical files. docs/simulation.md describes the model and its limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from shinealight.core.simulate.config import (
    PRESETS,
    BaseRates,
    ConfounderCounts,
    NoiseRates,
    SimulationConfig,
)
from shinealight.core.simulate.internals.engine import Simulation
from shinealight.core.simulate.internals.writer import RECORDS_NAME, TRUTH_NAME
from shinealight.core.simulate.summary import NoiseCount, SimulationSummary

__all__ = [
    "PRESETS",
    "RECORDS_NAME",
    "TRUTH_NAME",
    "BaseRates",
    "ConfounderCounts",
    "NoiseCount",
    "NoiseRates",
    "SimulationConfig",
    "SimulationSummary",
    "simulate",
]


def simulate(
    config: SimulationConfig,
    out_dir: Path,
    progress: Callable[[int], None] | None = None,
) -> SimulationSummary:
    """Simulate a partnership and write its records and ground truth into `out_dir`.

    `progress` is called now and then with the number of record lines written so far.
    Files appear only when complete: a failed run leaves no partial output behind.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sim = Simulation(config, out_dir, progress)
    sim.run()
    world = sim.world
    stream = sim.stream
    noise = sim.noise
    return SimulationSummary(
        records_path=out_dir / RECORDS_NAME,
        truth_path=out_dir / TRUTH_NAME,
        records=stream.lines,
        updates=stream.updates,
        children=len(world.children),
        people=sum(1 for person in world.people if person.mentions),
        networks=len(sim.networks),
        confounders=len(world.confounders),
        by_agency=dict(sorted(stream.by_agency.items())),
        by_type=dict(sorted(stream.by_type.items())),
        confounders_by_kind=dict(sorted(Counter(c.kind for c in world.confounders).items())),
        noise={
            kind: NoiseCount(
                configured=float(getattr(config.noise, kind)),
                opportunities=noise.opportunities[kind],
                applied=noise.applied[kind],
            )
            for kind in sorted(noise.opportunities)
        },
    )
