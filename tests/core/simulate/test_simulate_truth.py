"""truth.json: the spec's shape, consistent with the records, and what it must contain."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from simworld import Run, run_simulation

from shinealight.core.normalise import normalise_vrm, vrm_could_match
from shinealight.core.simulate import SimulationConfig
from shinealight.core.simulate.internals import world as world_module

NETWORK_KEYS = {
    "id",
    "pattern",
    "area",
    "victims",
    "perpetrators",
    "vehicles",
    "locations",
    "start",
    "end",
}


def _record_mentions(run: Run) -> set[str]:
    return {
        f"{r['agency']}/{r['record_id']}/{p['ref']}"
        for r in run.records
        for p in r.get("persons", [])
    }


def test_truth_has_exactly_the_specs_shape(evaluation: Run) -> None:
    text = (evaluation.out / "truth.json").read_text(encoding="utf-8")
    truth = evaluation.truth
    assert text == json.dumps(truth, indent=2, sort_keys=True) + "\n"
    assert set(truth) == {"people", "networks", "confounders"}
    assert all(re.fullmatch(r"T-\d{6}", tid) for tid in truth["people"])
    for network in truth["networks"]:
        assert set(network) == NETWORK_KEYS
        assert network["start"] <= network["end"]
        assert all(re.fullmatch(r"[A-Z0-9]+", vrm) for vrm in network["vehicles"])
        assert all(re.fullmatch(r"[A-Z]{2}\d{1,2} \d[A-Z]{2}", pc) for pc in network["locations"])
    for confounder in truth["confounders"]:
        assert set(confounder) == {"kind", "people", "note"}


@pytest.mark.parametrize("name", ["demo", "evaluation"])
def test_truth_and_records_name_the_same_mentions(
    name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(name)
    in_truth = Counter(m for ms in run.truth["people"].values() for m in ms)
    # Each mention belongs to exactly one true person, and no person is listed empty.
    assert max(in_truth.values()) == 1
    assert all(run.truth["people"].values())
    assert set(in_truth) == _record_mentions(run)


def test_everyone_in_a_network_or_confounder_is_in_the_records(evaluation: Run) -> None:
    people = evaluation.truth["people"]
    for network in evaluation.truth["networks"]:
        assert network["victims"] and network["perpetrators"]
        for tid in network["victims"] + network["perpetrators"]:
            assert tid in people
    for confounder in evaluation.truth["confounders"]:
        for tid in confounder["people"]:
            assert tid in people


@pytest.mark.parametrize("name", ["demo", "evaluation"])
def test_each_network_leaves_fragments_with_at_least_two_agencies(
    name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(name)
    agencies_of = {tid: {m.split("/", 1)[0] for m in ms} for tid, ms in run.truth["people"].items()}
    for network in run.truth["networks"]:
        about_men = set().union(*(agencies_of[t] for t in network["perpetrators"]))
        assert len(about_men) >= 2, network["id"]
        plates = set(network["vehicles"])
        seen_plates = {
            r["agency"]
            for r in run.records
            for v in r.get("vehicles", [])
            if re.sub(r"[\s\-]", "", v["vrm"]).upper() in plates
        }
        places = set(network["locations"])
        seen_places = {
            r["agency"]
            for r in run.records
            for loc in r.get("locations", [])
            if loc.get("postcode") in places
        }
        assert len(about_men | seen_plates | seen_places) >= 2


def test_networks_follow_the_documented_patterns(evaluation: Run) -> None:
    networks = evaluation.truth["networks"]
    patterns = {n["pattern"] for n in networks}
    assert {"boyfriend", "peer_recruiter", "taxi", "takeaway", "hotel_movement"} <= patterns
    people = evaluation.truth["people"]
    genders: Counter[str] = Counter()
    by_id = {
        f"{r['agency']}/{r['record_id']}/{p['ref']}": p.get("gender")
        for r in evaluation.records
        for p in r.get("persons", [])
    }
    for network in networks:
        for tid in network["victims"]:
            recorded = Counter(by_id[m] for m in people[tid])
            genders[recorded.most_common(1)[0][0]] += 1
    # Boys are victims too (a third of children assessed for CSE are boys).
    assert genders["male"] >= 3 and genders["female"] > genders["male"]


def test_some_perpetrators_offend_in_more_than_one_network(evaluation: Run) -> None:
    counts = Counter(t for n in evaluation.truth["networks"] for t in n["perpetrators"])
    assert max(counts.values()) >= 2


def test_a_young_recruiter_becomes_an_adult_perpetrator(evaluation: Run) -> None:
    networks = evaluation.truth["networks"]
    grown = [
        (earlier["id"], later["id"])
        for earlier in networks
        for later in networks
        if earlier["start"] < later["start"]
        and set(earlier["victims"]) & set(later["perpetrators"])
    ]
    assert grown


def test_some_networks_cross_areas(evaluation: Run) -> None:
    crossing = [
        n for n in evaluation.truth["networks"] if len({pc[:2] for pc in n["locations"]}) > 1
    ]
    assert crossing


def test_vehicles_and_places_of_each_network_appear_in_the_records(evaluation: Run) -> None:
    # Truth lists only what an agency wrote down, whole or in part, structured or in text.
    plates = {normalise_vrm(v["vrm"]) for r in evaluation.records for v in r.get("vehicles", [])}
    summaries = "\n".join(r.get("summary", "") for r in evaluation.records)
    postcodes = {
        loc["postcode"]
        for r in evaluation.records
        for loc in r.get("locations", [])
        if "postcode" in loc
    }
    for network in evaluation.truth["networks"]:
        assert network["vehicles"] and network["locations"], network["id"]
        for vrm in network["vehicles"]:
            seen = any(vrm_could_match(plate, vrm) for plate in plates)
            assert seen or vrm[:4] in summaries.replace(" ", ""), (network["id"], vrm)
        for postcode in network["locations"]:
            assert postcode in postcodes, (network["id"], postcode)


def test_some_decisive_links_appear_only_in_the_summary(evaluation: Run) -> None:
    partial_in_text_only = [
        r
        for r in evaluation.records
        if re.search(r"plate (starting|ending) ", r.get("summary", "")) and not r.get("vehicles")
    ]
    phones_in_text_only = []
    for r in evaluation.records:
        structured = {t["number"] for t in r.get("phones", [])}
        structured |= {n for p in r.get("persons", []) for n in p.get("phones", [])}
        in_text = re.findall(r"(?:\+44|0)[\d\s\-()]{9,14}\d", r.get("summary", ""))
        if in_text and not any(n.strip() in structured for n in in_text):
            phones_in_text_only.append(r)
    nicknames_in_text_only = [
        r
        for r in evaluation.records
        if re.search(r"boyfriend '\w", r.get("summary", ""))
        and not any(p.get("role") == "suspect" for p in r.get("persons", []))
    ]
    assert partial_in_text_only and phones_in_text_only and nicknames_in_text_only


@pytest.mark.parametrize("name", ["demo", "evaluation"])
def test_confounders_are_present_at_the_configured_count(
    name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(name)
    configured = run.config.confounders
    kinds = Counter(c["kind"] for c in run.truth["confounders"])
    for kind, count in vars(configured).items():
        assert kinds[kind] == count, kind
    assert run.summary.confounders_by_kind == dict(sorted(kinds.items()))
    planted = {t for n in run.truth["networks"] for t in n["victims"] + n["perpetrators"]}
    for confounder in run.truth["confounders"]:
        assert not planted & set(confounder["people"])


def test_lawful_contacts_meet_many_children(evaluation: Run) -> None:
    people = evaluation.truth["people"]
    owner = evaluation.mention_owner()
    children_met: dict[str, set[str]] = defaultdict(set)
    for r in evaluation.records:
        tids = [owner[f"{r['agency']}/{r['record_id']}/{p['ref']}"] for p in r.get("persons", [])]
        for tid in tids:
            children_met[tid].update(t for t in tids if t != tid)
    for kind in ("youth_worker", "children_home_staff"):
        staff = [
            t for c in evaluation.truth["confounders"] if c["kind"] == kind for t in c["people"]
        ]
        assert all(t in people for t in staff)
        assert max(len(children_met[t]) for t in staff) >= 5, kind


def test_ethnicity_does_not_decide_who_is_in_a_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = SimulationConfig(seed=3, children=400, years=3, networks=3)
    mixed = run_simulation(config, tmp_path / "mixed")
    monkeypatch.setattr(world_module.WorldBuilder, "ethnicity", lambda self: "Pakistani")
    single = run_simulation(config, tmp_path / "single")
    recorded = {p.get("ethnicity") for r in single.records for p in r.get("persons", [])}
    assert recorded - {None} == {"Pakistani"}
    # Names changed with ethnicity, yet the same children are groomed by the same men.
    assert mixed.records != single.records
    membership = ("id", "pattern", "area", "victims", "perpetrators", "start", "end")
    assert [{k: n[k] for k in membership} for n in mixed.truth["networks"]] == [
        {k: n[k] for k in membership} for n in single.truth["networks"]
    ]


def test_recorded_ethnicity_uses_the_population_labels(evaluation: Run) -> None:
    labels = Counter(
        p["ethnicity"] for r in evaluation.records for p in r.get("persons", []) if "ethnicity" in p
    )
    assert "White British" in labels
    assert len(labels) >= 8
