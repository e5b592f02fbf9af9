"""Explanations cite every record; de-duplication grows alerts; rules load from YAML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shinealight.core.alerts import assign_keys, first_time_with, load_rules
from shinealight.core.alerts.config import _parse

from .scenario import adult, child, concern, record, run


def _world() -> list[dict[str, object]]:
    names = ["Amy Hill", "Beth Cole", "Cara Lee", "Dana Fox"]
    out: list[dict[str, object]] = [
        concern(f"R{i}", "2020-01-05", n, "older_boyfriend") for i, n in enumerate(names)
    ]
    car = [{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}]
    for i, n in enumerate(names):
        out.append(
            record(
                f"S{i}",
                f"2020-0{i + 2}-01",
                [child("p1", n), adult("p2", "Ash Khan")],
                vehicles=car,
                grading={"source": "2", "intelligence": "B", "handling": "P"},
                area="northtown" if i < 3 else "southby",
            )
        )
    out += [
        concern(
            "J1",
            "2020-03-05",
            "Amy Hill",
            "missing_from_home",
            agency="police",
            type="missing_episode",
        ),
        concern(
            "J2",
            "2020-03-06",
            "Amy Hill",
            "sti_pregnancy_or_termination",
            agency="clinic",
            type="sexual_health",
        ),
    ]
    return out


def test_every_explanation_names_every_evidence_record() -> None:
    findings = run(_world())
    assert {f.rule for f in findings} >= {
        "shared_adult",
        "shared_vehicle",
        "emerging_network",
        "jigsaw",
        "cross_area",
    }
    for f in findings:
        for e in f.evidence:
            assert e.record in f.explanation, (f.rule, e.record)
        assert f.explanation.startswith(f.opening.rstrip(".")), f.rule


def test_explanation_reads_aloud_with_dates_and_gradings() -> None:
    (vehicle,) = run(_world(), "shared_vehicle")
    assert "Vehicle KX55 ABC was recorded around four children at risk" in vehicle.explanation
    assert "police stop police/S0, 1 Feb 2020 (graded 2B)" in vehicle.explanation


def test_findings_are_the_same_on_a_second_run_and_in_any_input_order() -> None:
    first = run(_world())
    second = run(list(reversed(_world())))
    assert [(f.key, f.explanation) for f in first] == [(f.key, f.explanation) for f in second]


def test_a_grown_network_keeps_the_key_of_the_alert_it_continues() -> None:
    (network,) = run(_world(), "emerging_network")
    stored = {"emerging_network:E:Beth Cole": frozenset({"E:Beth Cole", "E:Zoe Old"})}
    (kept,) = assign_keys([network], stored)
    assert kept.key == "emerging_network:E:Beth Cole"
    unrelated = replace(network, key="emerging_network:E:New")
    stored_other = {"emerging_network:E:Other": frozenset({"E:Other"})}
    assert assign_keys([unrelated], stored_other)[0].key == "emerging_network:E:New"


def test_anchored_alerts_have_stable_keys() -> None:
    keys = {f.key for f in run(_world())}
    assert "shared_adult:E:Ash Khan" in keys
    assert "shared_vehicle:vrm:KX55ABC" in keys
    assert "jigsaw:E:Amy Hill" in keys


def test_first_time_with_counts_items_within_the_window() -> None:
    from datetime import datetime, timedelta

    d = [datetime(2020, 1, n) for n in (1, 5, 20)]
    events = [(d[0], d[0], "a"), (d[1], d[1], "a"), (d[2], d[2], "b")]
    assert first_time_with(events, 2, timedelta(days=30)) == d[2]
    assert first_time_with(events, 2, timedelta(days=10)) is None


def test_rules_load_from_yaml_with_every_kind() -> None:
    rules = load_rules()
    kinds = {r.kind for r in rules.rules}
    assert kinds == {
        "shared_adult",
        "shared_object",
        "jigsaw",
        "escalation",
        "emerging_network",
        "cross_area",
    }
    assert all(r.reason for r in rules.rules)


def test_a_rule_file_with_a_typo_is_refused(tmp_path: Path) -> None:
    from importlib import resources

    root = resources.files("shinealight.core.alerts").joinpath("rules")
    for f in root.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    text = (
        (tmp_path / "shared_adult.yaml").read_text().replace("min_children: 2", "min_chidlren: 2")
    )
    (tmp_path / "shared_adult.yaml").write_text(text)
    with pytest.raises(ValueError, match="shared_adult.yaml"):
        _parse(tmp_path)


def test_an_unknown_indicator_in_the_definitions_is_refused(tmp_path: Path) -> None:
    from importlib import resources

    root = resources.files("shinealight.core.alerts").joinpath("rules")
    for f in root.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    path = tmp_path / "_definitions.yaml"
    path.write_text(path.read_text().replace("- older_boyfriend", "- older_boyfrend", 1))
    with pytest.raises(ValueError, match="unknown indicator codes: older_boyfrend"):
        _parse(tmp_path)


def test_a_persons_recorded_background_changes_nothing() -> None:
    world = _world()
    changed = []
    for payload in world:
        persons = [{**p, "ethnicity": "Any recorded value"} for p in payload["persons"]]  # type: ignore[attr-defined]
        changed.append({**payload, "persons": persons})
    assert [(f.key, f.explanation) for f in run(world)] == [
        (f.key, f.explanation) for f in run(changed)
    ]


def test_the_rules_reference_in_the_docs_is_current() -> None:
    from shinealight.core.alerts.docs import rules_markdown

    doc = (Path(__file__).resolve().parents[3] / "docs" / "alerts.md").read_text()
    body = doc.split("<!-- rules:begin -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert body == rules_markdown()
