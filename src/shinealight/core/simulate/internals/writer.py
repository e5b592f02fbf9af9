"""Streaming the records in recorded order and writing truth.json with flat memory."""

from __future__ import annotations

import gzip
import heapq
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from shinealight.core.simulate.internals.render import Mention

RECORDS_NAME = "records.jsonl.gz"
TRUTH_NAME = "truth.json"
_BUCKET_PEOPLE = 20_000
_WRITE_EVERY = 2_000


class RecordStream:
    """Holds records until nothing earlier can arrive, then writes them in recorded order.

    Agencies write things down after they happen (a school at half term, a youth
    project days later), so a record waits in a heap until the simulation clock has
    passed its `recorded_at`. Memory is bounded by the longest recording delay, not by
    the number of records. Mentions go to a spool file for truth.json.
    """

    def __init__(self, out_dir: Path, progress: Callable[[int], None] | None) -> None:
        self.out_dir = out_dir
        self.progress = progress
        self._heap: list[tuple[str, int, dict[str, Any], tuple[Mention, ...], bool]] = []
        self._seq = 0
        self._records_tmp = out_dir / f".{RECORDS_NAME}.partial"
        self._spool_path = out_dir / ".mentions.spool"
        self._raw = self._records_tmp.open("wb")
        # mtime=0 and an empty filename keep the gzip header identical from run to run.
        self._gz = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6
        )
        self._spool: IO[str] = self._spool_path.open("w", encoding="utf-8")
        self._pending: list[str] = []
        self.lines = 0
        self.by_agency: Counter[str] = Counter()
        self.by_type: Counter[str] = Counter()
        self.updates = 0

    def push(
        self, record: dict[str, Any], mentions: tuple[Mention, ...], update: bool = False
    ) -> None:
        """Queue a record (its mentions go to truth when it is written)."""
        self._seq += 1
        heapq.heappush(self._heap, (record["recorded_at"], self._seq, record, mentions, update))

    def flush_before(self, cutoff: str) -> None:
        """Write every queued record recorded before `cutoff` (an ISO instant)."""
        heap = self._heap
        while heap and heap[0][0] < cutoff:
            _, _, record, mentions, update = heapq.heappop(heap)
            self._write(record, mentions, update)
        self._drain()

    def _write(self, record: dict[str, Any], mentions: tuple[Mention, ...], update: bool) -> None:
        self._pending.append(json.dumps(record, ensure_ascii=False))
        self.updates += update
        for pid, mention in mentions:
            self._spool.write(f"{pid}\t{mention}\n")
        self.lines += 1
        self.by_agency[record["agency"]] += 1
        self.by_type[record["type"]] += 1
        if len(self._pending) >= _WRITE_EVERY:
            self._drain()

    def _drain(self) -> None:
        if not self._pending:
            return
        self._gz.write(("\n".join(self._pending) + "\n").encode("utf-8"))
        self._pending.clear()
        if self.progress is not None:
            self.progress(self.lines)

    def finish(self, truth_head: dict[str, Any], people: int) -> None:
        """Write the remaining records, then truth.json, and move both into place."""
        self.flush_before("\uffff")
        self._gz.close()
        self._raw.close()
        self._spool.close()
        truth_tmp = self.out_dir / f".{TRUTH_NAME}.partial"
        try:
            with truth_tmp.open("w", encoding="utf-8") as out:
                _write_truth(out, truth_head, self._spool_path, people, self.out_dir)
            os.replace(self._records_tmp, self.out_dir / RECORDS_NAME)
            os.replace(truth_tmp, self.out_dir / TRUTH_NAME)
        finally:
            self._spool_path.unlink(missing_ok=True)

    def abort(self) -> None:
        """Close and remove partial files after a failure."""
        for handle in (self._gz, self._raw, self._spool):
            try:
                handle.close()
            except OSError:
                pass
        for path in (self._records_tmp, self._spool_path):
            path.unlink(missing_ok=True)


def _write_truth(
    out: IO[str], head: dict[str, Any], spool: Path, people: int, work_dir: Path
) -> None:
    # The file is exactly json.dumps(truth, indent=2, sort_keys=True) + "\n", but the
    # people map is streamed bucket by bucket: a million records mention a few million
    # times, too many to hold at once. Bucket files split the spool by id range, and the
    # ids are fixed width, so id order is text order.
    text = json.dumps(head, indent=2, sort_keys=True)
    assert text.endswith("\n}") and "people" not in head
    out.write(text[: -len("\n}")] + ',\n  "people": {')
    n_buckets = max(1, (people + _BUCKET_PEOPLE) // _BUCKET_PEOPLE)
    bucket_paths = [work_dir / f".truth-bucket-{i}" for i in range(n_buckets)]
    try:
        handles = [path.open("w", encoding="utf-8") for path in bucket_paths]
        with spool.open(encoding="utf-8") as lines:
            for line in lines:
                pid = int(line.split("\t", 1)[0])
                handles[min(pid // _BUCKET_PEOPLE, n_buckets - 1)].write(line)
        for handle in handles:
            handle.close()
        first = True
        for path in bucket_paths:
            grouped: dict[int, set[str]] = {}
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    pid_text, mention = line.rstrip("\n").split("\t", 1)
                    grouped.setdefault(int(pid_text), set()).add(mention)
            for pid in sorted(grouped):
                ids = ",\n      ".join(json.dumps(m) for m in sorted(grouped[pid]))
                out.write(("\n" if first else ",\n") + f'    "T-{pid:06d}": [\n      {ids}\n    ]')
                first = False
        out.write("\n  }\n}\n" if not first else "}\n}\n")
    finally:
        for path in bucket_paths:
            path.unlink(missing_ok=True)
