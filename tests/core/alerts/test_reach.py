"""Who analysis after an import follows, and which findings it keeps (`core.alerts.reach`)."""

from __future__ import annotations

from typing import Any

from shinealight.core.alerts import (
    adults_to_follow,
    children_to_follow,
    detect,
    load_rules,
    on_whole_histories,
)
from shinealight.core.alerts.offline import graph_from_records
from shinealight.core.network import NetworkGraph
from shinealight.core.records import parse_record

from .scenario import adult, by_name, child, concern, record


def _graph(payloads: list[dict[str, Any]]) -> NetworkGraph:
    records = [parse_record(p) for p in payloads]
    mapping = by_name(records)
    return graph_from_records(records, lambda m: mapping.get(m, "M:" + m))


DEFINITIONS = load_rules().definitions

# Amy's new record; Ash was with Amy, and before with Beth; Amy's friend Cara was with her;
# a youth worker was with Amy in role; a car Amy was seen in also carried Dana.
AROUND_AMY = [
    record("NEW", "2020-05-01", [child("p1", "Amy Hill")], agency="csc", type="referral"),
    record("S1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
    record("S2", "2020-03-01", [child("p1", "Beth Cole"), adult("p2", "Ash Khan")]),
    record(
        "F1", "2020-03-05", [child("p1", "Amy Hill"), child("p2", "Cara Lee", role="associate")]
    ),
    record(
        "Y1",
        "2020-03-09",
        [child("p1", "Amy Hill"), adult("p2", "Yusuf Ali", role="professional")],
        agency="youth",
    ),
]


def test_adults_followed_are_those_with_a_child_of_the_new_records_not_lawfully() -> None:
    graph = _graph(AROUND_AMY)
    assert adults_to_follow(graph, DEFINITIONS, {"csc/NEW"}) == {"E:Ash Khan"}


def test_an_adult_in_the_new_records_is_followed_and_so_are_his_children() -> None:
    graph = _graph(AROUND_AMY)
    adults = adults_to_follow(graph, DEFINITIONS, {"police/S2"})
    assert adults == {"E:Ash Khan"}
    # Beth (in the new record) and Amy (with Ash elsewhere): is each at risk?
    assert children_to_follow(graph, DEFINITIONS, {"police/S2"}, adults) == {
        "E:Amy Hill",
        "E:Beth Cole",
    }


def test_children_followed_are_those_of_followed_adults_not_friends_or_professionals() -> None:
    graph = _graph(AROUND_AMY)
    children = children_to_follow(graph, DEFINITIONS, {"csc/NEW"}, {"E:Ash Khan"})
    assert children == {"E:Amy Hill", "E:Beth Cole"}
    assert children_to_follow(graph, DEFINITIONS, {"csc/NEW"}, set()) == set()


def test_children_around_an_object_of_the_new_records_are_followed() -> None:
    car = [{"ref": "v1", "vrm": "KX55ABC"}]
    graph = _graph(
        [
            record("NEW", "2020-05-01", [child("p1", "Amy Hill")], vehicles=car),
            record("C1", "2020-04-01", [child("p1", "Dana Fox")], vehicles=car),
            record("C2", "2020-04-02", [child("p1", "Eve Gray")]),
        ]
    )
    assert children_to_follow(graph, DEFINITIONS, {"police/NEW"}, set()) == {
        "E:Amy Hill",
        "E:Dana Fox",
    }


# Cara is seen by three agencies within 90 days; her strategy discussion is in a record the
# graph around a new record does not hold.
CARA_IN_PART = [
    concern("J1", "2020-01-05", "Cara Lee", "missing_from_home", agency="police"),
    concern("J2", "2020-02-01", "Cara Lee", "older_boyfriend", agency="clinic"),
    concern("J3", "2020-03-01", "Cara Lee", "absent_from_school", agency="school"),
]


def test_a_finding_about_a_child_held_in_part_is_left_to_the_full_analysis() -> None:
    rules = load_rules()
    findings = detect(_graph(CARA_IN_PART), rules)
    assert [f.rule for f in findings] == ["jigsaw"]
    assert detect(_graph(CARA_IN_PART), rules, whole={"E:Amy Hill"}) == []
    assert [f.rule for f in detect(_graph(CARA_IN_PART), rules, whole={"E:Cara Lee"})] == ["jigsaw"]


def test_children_of_a_group_finding_need_not_be_held_whole_but_its_suspect_must() -> None:
    rules = load_rules()
    findings = detect(
        _graph(
            [
                concern("R1", "2020-01-05", "Amy Hill", "older_boyfriend"),
                concern("R2", "2020-01-06", "Beth Cole", "older_boyfriend"),
                record("S1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
                record("S2", "2020-03-01", [child("p1", "Beth Cole"), adult("p2", "Ash Khan")]),
            ]
        ),
        rules,
    )
    shared = [f for f in findings if f.rule == "shared_adult"]
    assert len(shared) == 1
    kinds = {r.id: r.kind for r in rules.rules}
    assert on_whole_histories(shared, kinds, {"E:Ash Khan"}) == shared
    assert on_whole_histories(shared, kinds, {"E:Amy Hill", "E:Beth Cole"}) == []


def test_rules_about_one_child_look_only_at_the_children_of_the_new_records() -> None:
    rules = load_rules()
    payloads = [*CARA_IN_PART, concern("A1", "2020-03-02", "Amy Hill", "older_boyfriend")]
    held = {"E:Cara Lee", "E:Amy Hill"}
    about_amy = detect(_graph(payloads), rules, whole=held, new_records={"csc/A1"})
    assert [f.rule for f in about_amy] == []
    about_cara = detect(_graph(payloads), rules, whole=held, new_records={"school/J3"})
    assert [f.rule for f in about_cara] == ["jigsaw"]
