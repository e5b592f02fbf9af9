"""Benchmark the simulator: records per second and peak memory for a large world.

Usage:
    python bench/simulate_bench.py                    # the large preset (about 1M lines)
    python bench/simulate_bench.py --children 20000   # a smaller run
    python bench/simulate_bench.py --no-docs          # print only

Prints its figures and writes them to the "## Simulator" section of docs/benchmarks.md
(creating the file if needed and leaving every other section alone).
"""

from __future__ import annotations

import argparse
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402
from shinealight.core.simulate import SimulationConfig, simulate  # noqa: E402


def _peak_rss_mib() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="large", choices=["demo", "default", "large"])
    parser.add_argument("--children", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--out", type=Path, help="keep the output here (default: a temp dir)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    config = SimulationConfig.preset(
        args.preset, children=args.children, years=args.years, seed=args.seed
    )
    # Memory at milestones shows whether it stays flat while records stream out.
    milestones: list[tuple[int, float]] = []
    started = time.perf_counter()
    next_mark = [100_000]

    def progress(lines: int) -> None:
        if lines >= next_mark[0]:
            milestones.append((lines, _peak_rss_mib()))
            next_mark[0] += 100_000

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        summary = simulate(config, out, progress)
        elapsed = time.perf_counter() - started
        records_mib = summary.records_path.stat().st_size / 2**20
        truth_mib = summary.truth_path.stat().st_size / 2**20
    peak = _peak_rss_mib()
    rate = summary.records / elapsed
    command = "python " + " ".join(
        shlex.quote(a) for a in ["bench/simulate_bench.py", *sys.argv[1:]]
    )
    lines = [
        f"- Machine: {machine()}",
        f"- Command: `{command}`",
        f"- World: preset `{config.preset_name}`, {config.areas} areas, {config.children:,} "
        f"children, {config.years} years, {config.networks} networks, seed {config.seed}",
        f"- Output: {summary.records:,} lines ({summary.updates:,} updates), "
        f"{summary.people:,} true people; records.jsonl.gz {records_mib:.1f} MiB, "
        f"truth.json {truth_mib:.1f} MiB",
        f"- Time: {elapsed:.1f} s, {rate:,.0f} records/s (one process; the simulator is "
        "single-threaded)",
        f"- Peak RSS: {peak:.0f} MiB",
    ]
    if milestones:
        marks = ", ".join(f"{n // 1000}k lines: {mib:.0f} MiB" for n, mib in milestones[::2])
        lines.append(f"- Peak RSS as lines were written: {marks}")
    report = "\n".join(lines)
    print(report)
    if not args.no_docs:
        write_section(
            "Simulator",
            report
            + "\n\nMemory holds the world (people, places, plans) and the records of the last "
            "few weeks waiting for their `recorded_at`; it does not grow with the number of "
            "lines written. truth.json's mention lists are spooled to disk and grouped in "
            "bounded buckets.",
        )
        print("\nwrote the Simulator section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
