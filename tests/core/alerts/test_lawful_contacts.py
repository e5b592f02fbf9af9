"""Each kind of lawful contact in the simulator's confounders never makes a suspect."""

from __future__ import annotations

from .scenario import adult, child, concern, record, run, suspects

CHILDREN = ["Amy Hill", "Beth Cole", "Cara Lee"]


def _at_risk() -> list[dict[str, object]]:
    return [concern(f"R{i}", "2020-01-05", n, "older_boyfriend") for i, n in enumerate(CHILDREN)]


def _with_each_child(person: dict[str, object], **kw: object) -> list[dict[str, object]]:
    return [
        record(f"W{i}", f"2020-0{i + 2}-10", [child("p1", n), person], **kw)  # type: ignore[arg-type]
        for i, n in enumerate(CHILDREN)
    ]


def test_childrens_home_staff_are_not_suspects() -> None:
    staff = adult("p2", "Tyler Senior", role="carer", phones=["07700 900001"])
    findings = run(_at_risk() + _with_each_child(staff, agency="police", type="missing_episode"))
    assert "E:Tyler Senior" not in suspects(findings)
    network = [f for f in findings if f.rule == "emerging_network"]
    assert network == []


def test_contracted_taxi_driver_is_not_a_suspect_nor_his_car() -> None:
    driver = adult("p2", "Joshua Firth", role="driver")
    car = [{"ref": "v1", "vrm": "OL67 SHP", "persons": ["p2"]}]
    arranged = [
        record(
            f"T{i}",
            "2020-01-20",
            [child("p1", n), driver],
            agency="csc",
            type="other",
            summary="Transport arranged with Hollinbridge Cars.",
            vehicles=car,
        )
        for i, n in enumerate(CHILDREN)
    ]
    late = _with_each_child(
        driver,
        agency="school",
        type="school_concern",
        indicators=["in_car_with_unknown_adults"],
        vehicles=car,
    )
    findings = run(_at_risk() + arranged + late)
    assert "E:Joshua Firth" not in suspects(findings)
    assert not [
        f for f in findings if f.rule in ("shared_vehicle", "shared_adult", "emerging_network")
    ]
    # The explanation of any alert citing those records says how the driver was treated.
    for f in findings:
        if any(e.record_id.startswith("W") for e in f.evidence):
            assert "Joshua Firth" in f.explanation and "contracted transport" in f.explanation


def test_youth_worker_with_a_work_phone_is_not_a_suspect() -> None:
    worker = adult("p2", "Amelia Kelly", role="professional", phones=["07700 900050"])
    findings = run(_at_risk() + _with_each_child(worker, agency="youth", type="youth_work_contact"))
    assert "E:Amelia Kelly" not in suspects(findings)
    assert not [f for f in findings if f.rule == "shared_phone"]


def test_relatives_at_the_childs_address_are_not_suspects() -> None:
    uncle = adult("p2", "Alfie Bennett", role="other", postcode="KF1 5YB")
    kids = [
        record(
            f"H{i}",
            "2020-01-02",
            [child("p1", n, postcode="KF1 5YB")],
            agency="school",
            type="school_concern",
        )
        for i, n in enumerate(CHILDREN)
    ]
    findings = run(_at_risk() + kids + _with_each_child(uncle, agency="csc", type="other"))
    assert "E:Alfie Bennett" not in suspects(findings)


def test_peer_group_missing_together_has_no_adult_suspect() -> None:
    friends = [
        record(
            f"G{i}",
            f"2020-0{i + 2}-01",
            [child("p1", n), child("p2", CHILDREN[(i + 1) % 3], role="associate")],
            type="missing_episode",
            indicators=["missing_from_home"],
        )
        for i, n in enumerate(CHILDREN)
    ]
    findings = run(_at_risk() + friends)
    assert suspects(findings) == set()


def test_foster_carer_and_partner_with_a_car_are_not_suspects() -> None:
    carer = adult("p2", "Natalie Ward", role="carer")
    partner = {**adult("p3", "Gary Ward", role="carer"), "phones": ["07700 900077"]}
    car = [{"ref": "v1", "vrm": "YA14 OMG", "persons": ["p3"]}]
    visits = [
        record(
            f"F{i}",
            f"2020-0{i + 2}-01",
            [child("p1", n), carer, partner],
            agency="csc",
            type="other",
            vehicles=car,
        )
        for i, n in enumerate(CHILDREN)
    ]
    findings = run(_at_risk() + visits)
    assert suspects(findings) == set()
    assert not [f for f in findings if f.rule in ("shared_vehicle", "shared_phone")]


def test_the_same_man_outside_his_lawful_role_is_still_counted() -> None:
    driver = adult("p2", "Joshua Firth", role="driver")
    night = _with_each_child(driver, type="police_stop", indicators=["in_car_with_unknown_adults"])
    findings = run(_at_risk() + night, "shared_adult")
    assert [f.key for f in findings] == ["shared_adult:E:Joshua Firth"]
