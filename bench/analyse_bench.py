"""Alerts at scale: `shinealight analyse` over a whole partnership, then one record at a time.

    python bench/analyse_bench.py                    # preset large: just over 1,000,000 records
    python bench/analyse_bench.py --preset default   # about 13,000 records, a quick check
    python bench/analyse_bench.py --workdir DIR      # keep (and reuse) the world and database

Steps, each timed:
1. simulate the world (`shinealight simulate`), unless DIR already holds it;
2. import all but the last `--tail` records with analysis on import switched off
   (`SHINEALIGHT_ANALYSE_ON_IMPORT=0`, the initial-load path), then `shinealight link`;
3. `shinealight analyse` over everything (the goal: under 10 minutes for 1,000,000 records);
4. the last `--tail` records imported one at a time with analysis on import on, as they
   would arrive from an agency: each import's linkage, extraction and alert hooks are timed
   (the goal: alerts updated with p95 under 250 ms after one new record);
5. `shinealight analyse` again: the alerts it raises or grows are what the analyses after
   each import missed.

With `--variant SUFFIX` the last records are imported under new record ids (their ids with
the suffix), so a kept `--workdir` that already holds them can be measured again.

Writes the "Alerts at scale" section of docs/benchmarks.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402

CLI = [sys.executable, "-m", "shinealight.cli"]

# One record at a time through the import path, each after-import hook timed separately.
ONE_AT_A_TIME = """
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinealight.web.settings")
import django
django.setup()
from shinealight.records import services
timings = []
def timed(hook):
    def run(batch):
        started = time.perf_counter()
        hook(batch)
        timings[-1][hook.__module__ + "." + hook.__name__] = time.perf_counter() - started
    return run
services.AFTER_IMPORT[:] = [timed(h) for h in services.AFTER_IMPORT]
for path in sys.argv[1:]:
    timings.append({})
    started = time.perf_counter()
    services.records_import_file(path=path)
    timings[-1]["total"] = time.perf_counter() - started
print(json.dumps(timings))
"""


def _run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    return time.perf_counter() - started


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tail", type=int, default=40, help="records imported one at a time")
    parser.add_argument("--workdir", type=Path, help="keep the world and database here")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    parser.add_argument(
        "--variant",
        default="",
        help="import the last records again under record ids ending in this (when --workdir"
        " already holds them: a record imported twice is not new)",
    )
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="analyse-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    world = workdir / "world"
    database = workdir / "bench.sqlite3"
    env = dict(
        os.environ,
        SHINEALIGHT_HOME=str(workdir),
        DATABASE_URL=f"sqlite:///{database}",
        SHINEALIGHT_MFA_REQUIRED="0",
    )
    figures: dict[str, float] = {}

    if not (world / "records.jsonl.gz").exists():
        command = [*CLI, "simulate", "--preset", args.preset, "--seed", str(args.seed)]
        figures["simulate"] = _run([*command, "--out", str(world)], env)

    lines = gzip.open(world / "records.jsonl.gz", "rt").read().splitlines()
    head, tail = lines[: -args.tail], lines[-args.tail :]
    if not database.exists():
        bulk = workdir / "bulk.jsonl"
        bulk.write_text("\n".join(head) + "\n")
        _run([*CLI, "init"], env)
        load_env = dict(env, SHINEALIGHT_ANALYSE_ON_IMPORT="0")
        figures["import"] = _run([*CLI, "import", str(bulk)], load_env)
        figures["link"] = _run([*CLI, "link"], env)
        bulk.unlink()
    print(f"analyse over {len(head):,} records …", file=sys.stderr)
    figures["analyse"] = _run([*CLI, "analyse"], env)

    singles = []
    for i, line in enumerate(tail):
        path = workdir / f"one-{i:03d}.jsonl"
        if args.variant:
            payload = json.loads(line)
            payload["record_id"] += args.variant
            line = json.dumps(payload)
        path.write_text(line + "\n")
        singles.append(str(path))
    try:
        out = subprocess.run(
            [sys.executable, "-c", ONE_AT_A_TIME, *singles],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        for path in singles:
            Path(path).unlink()
    timings = json.loads(out.stdout.strip().splitlines()[-1])

    # What analysis after each import left undone: a full analysis now raises or grows
    # only what the one-at-a-time analyses missed.
    print("analyse again after the single imports …", file=sys.stderr)
    started = time.perf_counter()
    again = subprocess.run(
        [*CLI, "analyse"],
        env=dict(env, COLUMNS="200"),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures["analyse again"] = time.perf_counter() - started
    print(again.stdout, file=sys.stderr)
    left = re.search(r"([\d,]+) new alerts?, ([\d,]+) grown", again.stdout)

    hooks = sorted({k for t in timings for k in t if k != "total"})
    per_hook = {h: [t.get(h, 0.0) * 1000 for t in timings] for h in hooks}
    totals = [t["total"] * 1000 for t in timings]
    alerts_hook = next((h for h in hooks if h.startswith("shinealight.alerts")), None)

    rows = [f"| {step} | {seconds:,.1f} s |" for step, seconds in figures.items()]
    body = [
        f"- Machine: {machine()}",
        f"- Command: `python bench/analyse_bench.py --preset {args.preset}"
        + (f" --variant {args.variant}" if args.variant else "")
        + "` (SQLite)",
        f"- Lines: {len(head):,} loaded in bulk (a record's later versions are lines of their"
        f" own), then {len(tail)} imported one at a time",
        "",
        "| step | time |",
        "|---|---|",
        *rows,
        "",
        "One record at a time (analysis on import on), milliseconds:",
        "",
        "| part | median | p95 | max |",
        "|---|---|---|---|",
    ]
    for name, values in [*per_hook.items(), ("whole import", totals)]:
        label = name.removeprefix("shinealight.")
        body.append(
            f"| {label} | {statistics.median(values):.0f} | {_p95(values):.0f} "
            f"| {max(values):.0f} |"
        )
    if alerts_hook:
        body += ["", f"Alerts updated after one record: p95 {_p95(per_hook[alerts_hook]):.0f} ms."]
    if left:
        body.append(
            f"Left for the full analysis after the single imports: {left.group(1)} new alerts,"
            f" {left.group(2)} grown (`analyse` again)."
        )
    text = "\n".join(body)
    print(text)
    if not args.no_write:
        write_section("Alerts at scale", text)


if __name__ == "__main__":
    main()
