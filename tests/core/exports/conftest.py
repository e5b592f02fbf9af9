"""A small network with awkward names, built the way the product builds it."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.core.alerts.offline import graph_from_records
from shinealight.core.exports import ExportGraph, graph_from_network
from shinealight.core.records import parse_record

# Markup, quotes, an ampersand and a bell character: a name as it might be pasted in.
AWKWARD = "<script>alert(\"x\")</script> & 'Mo' O'Neil\x07"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def _record(rid: str, when: str, persons: list[dict[str, Any]], **lists: Any) -> dict[str, Any]:
    return {
        "agency": lists.pop("agency", "swy-police"),
        "agency_type": lists.pop("agency_type", "police"),
        "record_id": rid,
        "type": lists.pop("type", "police_stop"),
        "recorded_at": f"{when}T21:30:00Z",
        "persons": persons,
        **lists,
    }


AMY = {"ref": "p1", "role": "subject", "name": "Amy Hill", "dob": "2006-01-01"}
ASH = {"ref": "p2", "role": "suspect", "name": AWKWARD, "age_estimate": 28}


def records() -> list[Any]:
    return [
        parse_record(
            _record(
                "S1",
                "2020-06-01",
                [AMY, ASH],
                grading={"source": "2", "intelligence": "B", "handling": "P"},
                vehicles=[{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}],
                locations=[{"ref": "l1", "name": "Flat 6", "kind": "flat", "postcode": "S65 1EQ"}],
                links=[{"from": "p1", "to": "p2", "kind": "boyfriend"}],
            )
        ),
        parse_record(
            _record(
                "RB-1",
                "2020-07-02",
                [{"ref": "p1", "role": "suspect", "name": FORMULA}, ASH],
                agency="risky-business",
                agency_type="voluntary",
                type="intelligence",
                phones=[{"ref": "t1", "number": "07700 900456", "persons": ["p2"]}],
                online=[
                    {"ref": "o1", "platform": "snapchat", "handle": "ash_k", "persons": ["p2"]}
                ],
            )
        ),
    ]


def entity_of(mention: str) -> str:
    """Same written name, same person (stands in for linkage)."""
    agency, record, ref = mention.split("/")
    return {"p1": "P-AMY" if record == "S1" else "P-FORMULA", "p2": "P-ASH"}[ref]


@pytest.fixture
def graph() -> ExportGraph:
    network = graph_from_records(records(), entity_of)
    return graph_from_network(
        network,
        title="Network of Amy Hill",
        description="Records the exporting user may see",
        focus=["P-AMY"],
        roles={"P-ASH": "adult"},
    )
