"""The network graph: facts from flattened records, ages, labels and components."""

from __future__ import annotations

from datetime import UTC, datetime

from shinealight.core.alerts.offline import graph_from_records
from shinealight.core.network import age_at, connected_groups
from shinealight.core.records import parse_record


def _record(rid: str, persons: list[dict[str, object]], **lists: object) -> dict[str, object]:
    return {
        "agency": "police",
        "agency_type": "police",
        "record_id": rid,
        "type": "police_stop",
        "recorded_at": "2020-06-01T10:00:00Z",
        "persons": persons,
        **lists,
    }


def test_age_from_partial_date_of_birth_or_estimate() -> None:
    at = datetime(2020, 6, 1, tzinfo=UTC)
    assert age_at(dob_year=2004, dob_month=7, dob_day=1, age_estimate=None, at=at) == 15
    assert age_at(dob_year=2004, dob_month=None, dob_day=None, age_estimate=None, at=at) == 15
    assert age_at(dob_year=None, dob_month=None, dob_day=None, age_estimate=24, at=at) == 24
    assert age_at(dob_year=None, dob_month=None, dob_day=None, age_estimate=None, at=at) is None


def test_graph_joins_people_and_objects_by_record() -> None:
    records = [
        parse_record(
            _record(
                "S1",
                [
                    {"ref": "p1", "role": "subject", "name": "Amy Hill", "dob": "2006-01-01"},
                    {"ref": "p2", "role": "suspect", "name": "Ash", "age_estimate": 28},
                ],
                vehicles=[{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}],
                locations=[{"ref": "l1", "name": "Flat 6", "kind": "flat", "postcode": "kf3 0nf"}],
                links=[{"from": "p1", "to": "p2", "kind": "boyfriend"}],
            )
        )
    ]
    graph = graph_from_records(records, lambda m: "E:" + m.rsplit("/", 1)[1])
    assert graph.person_entities() == ["E:p1", "E:p2"]
    assert graph.object_entities() == [("location", "place:KF3 0NF"), ("vehicle", "vrm:KX55ABC")]
    (car,) = graph.objects_in["police/S1"][1:] or graph.objects_in["police/S1"][:1]
    assert car.owners == ("E:p2",) or car.kind == "location"
    assert [link.kind for link in graph.links_in["police/S1"]] == ["boyfriend"]
    assert [c.right for c in graph.people_contacts("E:p1")] == ["E:p2"]
    assert round(graph.age_of("E:p2", records[0].recorded_at) or 0) == 28
    assert graph.label("E:p1") == "Amy Hill"


def test_a_later_version_of_a_record_replaces_the_earlier() -> None:
    first = _record("S1", [{"ref": "p2", "role": "suspect", "name": "Rocky"}])
    later = {**_record("S1", [{"ref": "p2", "role": "suspect", "name": "Jayden Fletcher"}])}
    later["recorded_at"] = "2020-06-05T10:00:00Z"
    graph = graph_from_records([parse_record(first), parse_record(later)], lambda m: "E:x")
    assert graph.label("E:x") == "Jayden Fletcher"


def test_connected_groups() -> None:
    groups = connected_groups([1, 2, 3, 4, 5], [(1, 2), (2, 3), (4, 5)])
    assert sorted(sorted(g) for g in groups) == [[1, 2, 3], [4, 5]]
