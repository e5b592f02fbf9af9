"""Preparing rows gives the same results in worker processes as in this one, in order."""

from __future__ import annotations

import json

from shinealight.core.records import Faulty, Prepared, prepare_rows
from shinealight.core.records.synthetic import synthetic_records


def rows(n: int) -> list[tuple]:
    out = [(i + 1, json.dumps(r), None, ()) for i, r in enumerate(synthetic_records(n))]
    out[1500] = (1501, '{"agency": "x"', None, ())
    return out


def test_workers_and_inline_agree_and_keep_order() -> None:
    inline = list(prepare_rows(rows(2500)))
    parallel = list(prepare_rows(rows(2500), workers=2))
    assert [r.line for r in parallel] == list(range(1, 2501))
    assert inline == parallel
    assert isinstance(parallel[1500], Faulty) and "not valid JSON" in str(parallel[1500].errors[0])
    first = parallel[0]
    assert isinstance(first, Prepared) and first.record_id == "R-000000000"
    assert first.flat.persons[0]["mention_id"] == "swy-police/R-000000000/p1"
