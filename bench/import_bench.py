"""Import throughput and peak memory: N synthetic records into SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py --n 1000000

Generates N records in the agency-records format (`.jsonl.gz`), then imports the file into
a new SQLite database and into a throwaway PostgreSQL 15 (started by scripts/with-postgres),
each in a fresh process, and prints records per second and peak resident memory. Figures
go to docs/benchmarks.md. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402

CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinealight.web.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from shinealight.records.services import records_import_file
started = time.perf_counter()
summary = records_import_file(path=sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"new": summary.new, "seconds": seconds,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(path: Path, n: int) -> float:
    from shinealight.core.records.synthetic import synthetic_records

    started = time.perf_counter()
    with gzip.open(path, "wt", compresslevel=1) as f:
        for i, record in enumerate(synthetic_records(n)):
            f.write(json.dumps(record) + "\n")
            if i % 100_000 == 0 and i:
                print(f"  generated {i:,}", file=sys.stderr)
    return time.perf_counter() - started


def run(backend: str, path: Path, workdir: Path, analyse: str) -> dict[str, float]:
    env = dict(os.environ, SHINEALIGHT_HOME=str(workdir), SHINEALIGHT_ANALYSE_ON_IMPORT=analyse)
    command = [sys.executable, "-c", CHILD, str(path)]
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        env.pop("DATABASE_URL", None)
        command = [str(ROOT / "scripts" / "with-postgres"), *command]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records to import")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument(
        "--analyse",
        choices=["off", "on"],
        default="off",
        help="run linkage, extraction and alerts inside the import (the product default is on)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="shinealight-bench-") as tmp:
        path = Path(tmp) / "records.jsonl.gz"
        print(f"generating {args.n:,} records…", file=sys.stderr)
        generate(path, args.n)
        size_mib = path.stat().st_size / 2**20
        for backend in args.backends.split(","):
            workdir = Path(tmp) / backend
            workdir.mkdir()
            print(f"importing into {backend}…", file=sys.stderr)
            analyse = "1" if args.analyse == "on" else "0"
            result = run(backend, path, workdir, analyse)
            rate = result["new"] / result["seconds"]
            rows.append((backend, result["new"], result["seconds"], rate, result["peak_mib"]))
            print(
                f"{backend:9} {result['new']:>10,} records  {result['seconds']:8.1f} s  "
                f"{rate:8,.0f} records/s  peak {result['peak_mib']:,.0f} MiB"
            )

    table = [
        "| database | records | seconds | records/s | peak memory (importer) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    table += [f"| {b} | {n:,} | {s:,.1f} | {r:,.0f} | {m:,.0f} MiB |" for b, n, s, r, m in rows]
    body = "\n".join(
        [
            f"Machine: {machine()}.",
            "Command: `.venv/bin/python bench/import_bench.py "
            f"--n {args.n} --analyse {args.analyse}` "
            f"(input {size_mib:,.0f} MiB gzipped JSON Lines; PostgreSQL 15 with default settings "
            "in a fresh cluster from scripts/with-postgres; one file, one transaction).",
            "Goal: at least 5,000 records/s into PostgreSQL at N = 1,000,000, "
            "peak memory under 1 GiB. "
            "With analysis off, the import writes records, versions and mentions only (a bulk "
            "load, followed by `shinealight link` and `shinealight analyse`); with it on, "
            "linkage, extraction and alert hooks run inside the import's transaction.",
            "",
            *table,
        ]
    )
    if not args.no_write:
        write_section(f"Import ({args.n:,} records, analysis on import {args.analyse})", body)


if __name__ == "__main__":
    main()
