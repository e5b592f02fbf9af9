"""Alerts on the default simulated world, via replay: detection figures and timings.

    python bench/alerts_bench.py                      # simulate, replay (oracle and linkage)
    python bench/alerts_bench.py --entities oracle    # only the oracle replay (faster)
    python bench/alerts_bench.py --reuse DIR          # evaluate replays already in DIR/<entities>

Writes the "Alerts" section of docs/benchmarks.md. Each replay loads the records in
`recorded_at` order, 30 days at a time, into a fresh SQLite database, running the import's
after-import hooks (linkage unless the oracle stands in, extraction, alerts) at each step.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import machine, write_section  # noqa: E402
from shinealight.core.alerts import evaluate_detection  # noqa: E402
from shinealight.core.alerts.evaluate import DetectionScores, entity_truth  # noqa: E402

CLI = [sys.executable, "-m", "shinealight.cli"]


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def _replay(world: Path, out: Path, entities: str) -> float:
    started = time.perf_counter()
    command = [*CLI, "replay", str(world), "--out", str(out), "--step", "30d"]
    command += ["--entities", entities]
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def _scores(world: Path, out: Path) -> tuple[DetectionScores, DetectionScores]:
    truth = json.loads((world / "truth.json").read_text())
    mapping = entity_truth(truth, _jsonl(out / "entities.jsonl"))
    joined = evaluate_detection(truth, _jsonl(out / "alerts.jsonl"), mapping)
    siloed = evaluate_detection(truth, _jsonl(out / "alerts-siloed.jsonl"), mapping)
    return joined, siloed


def _row(label: str, s: DetectionScores) -> str:
    lead = "—" if s.median_lead_days is None else f"{s.median_lead_days:.0f}"
    return (
        f"| {label} | {s.alerts} | {s.networks_found}/{s.networks} ({s.network_recall:.2f}) "
        f"| {s.alert_precision:.2f} | {s.named_person_precision:.2f} ({s.people_named}) "
        f"| {s.confounders_named_as_suspects}/{s.confounder_people} "
        f"({s.confounder_suspect_share:.2f}) | {s.child_recall:.2f} | {lead} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", choices=["both", "oracle", "people"], default="both")
    parser.add_argument("--reuse", type=Path, help="A directory holding world/ and replays")
    args = parser.parse_args()
    base = args.reuse or Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    world = base / "world"
    if not (world / "truth.json").exists():
        subprocess.run([*CLI, "simulate", "--out", str(world), "--preset", "default"], check=True)
    kinds = ["oracle", "people"] if args.entities == "both" else [args.entities]
    lines = [
        f"- Machine: {machine()}",
        "- Command: `python bench/alerts_bench.py` (replay, 30-day steps, fresh SQLite)",
        "- World: preset `default` (2 areas, 2,000 children, 5 years, 8 networks, 30 "
        "confounders; about 13,000 records)",
        "",
        "| entities | alerts | networks found | alert precision | named-person precision "
        "(people named) | confounders named as suspects | child recall | median lead (days) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    timings = []
    for kind in kinds:
        out = base / kind
        seconds = None
        if not (out / "alerts.jsonl").exists():
            seconds = _replay(world, out, kind)
        joined, siloed = _scores(world, out)
        label = "oracle identities" if kind == "oracle" else "people app's linkage"
        lines.append(_row(f"{label}: joined-up", joined))
        lines.append(_row(f"{label}: siloed baseline", siloed))
        print(kind, json.dumps(joined.as_dict()), json.dumps(siloed.as_dict()), sep="\n")
        if seconds is not None:
            timings.append(f"- Replay with {label}: {seconds:.0f} s wall time")
    lines += ["", *timings]
    write_section("Alerts", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
