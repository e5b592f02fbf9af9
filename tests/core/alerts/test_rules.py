"""One scenario per rule that fires it, and a near miss that must not."""

from __future__ import annotations

from .scenario import adult, child, concern, record, run


def at_risk(name: str, n: int, when: str = "2020-01-10", **kw: object) -> dict[str, object]:
    return concern(f"RISK-{name}-{n}", when, name, "older_boyfriend", **kw)  # type: ignore[arg-type]


# shared adult -----------------------------------------------------------------------------


def test_shared_adult_fires_for_an_adult_with_two_children_at_risk() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record("S1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
            record("S2", "2020-03-01", [child("p1", "Beth Cole"), adult("p2", "Ash Khan")]),
        ],
        "shared_adult",
    )
    assert len(findings) == 1
    alert = findings[0]
    assert alert.key == "shared_adult:E:Ash Khan"
    assert {s.entity for s in alert.people("child")} == {"E:Amy Hill", "E:Beth Cole"}
    assert [s.entity for s in alert.people("suspect")] == ["E:Ash Khan"]
    assert alert.first_data_time.isoformat().startswith("2020-03-01")


def test_shared_adult_near_miss_second_child_not_at_risk() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            record("S1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
            record("S2", "2020-03-01", [child("p1", "Beth Cole"), adult("p2", "Ash Khan")]),
        ],
        "shared_adult",
    )
    assert findings == []


def test_shared_adult_near_miss_contacts_further_apart_than_the_window() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1, when="2018-01-01"),
            at_risk("Beth Cole", 2, when="2018-01-01"),
            record("S1", "2018-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
            record("S2", "2019-06-01", [child("p1", "Beth Cole"), adult("p2", "Ash Khan")]),
        ],
        "shared_adult",
    )
    assert findings == []


def test_an_adult_is_18_or_over_by_date_of_birth_or_estimate() -> None:
    older_teen = {"ref": "p2", "role": "associate", "name": "Kyle Moss", "age_estimate": 17}
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record("S1", "2020-02-01", [child("p1", "Amy Hill"), older_teen]),
            record("S2", "2020-03-01", [child("p1", "Beth Cole"), older_teen]),
        ],
        "shared_adult",
    )
    assert findings == []


# shared objects ---------------------------------------------------------------------------


def _car(vrm: str, partial: bool = False) -> list[dict[str, object]]:
    return [{"ref": "v1", "vrm": vrm, "partial": partial, "make": "Vauxhall"}]


def test_shared_vehicle_fires_when_one_car_is_around_two_children_at_risk() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record("S1", "2020-02-01", [child("p1", "Amy Hill")], vehicles=_car("KX55 ABC")),
            record(
                "C1",
                "2020-02-20",
                [child("p1", "Beth Cole")],
                agency="school",
                type="school_concern",
                vehicles=_car("kx55abc"),
            ),
        ],
        "shared_vehicle",
    )
    assert len(findings) == 1
    assert findings[0].key == "shared_vehicle:vrm:KX55ABC"
    assert "KX55 ABC" in findings[0].explanation


def test_shared_vehicle_near_miss_partial_plate_is_not_joined() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record("S1", "2020-02-01", [child("p1", "Amy Hill")], vehicles=_car("KX55 ABC")),
            record(
                "C1",
                "2020-02-20",
                [child("p1", "Beth Cole")],
                agency="school",
                vehicles=_car("KX55 ???", partial=True),
            ),
        ],
        "shared_vehicle",
    )
    assert findings == []


def _phone(number: str, owner: str | None = None) -> list[dict[str, object]]:
    return [{"ref": "t1", "number": number, "persons": [owner] if owner else []}]


def test_shared_phone_fires_for_one_number_with_two_children_at_risk() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record(
                "I1",
                "2020-02-01",
                [child("p1", "Amy Hill")],
                agency="project",
                type="intelligence",
                phones=_phone("07700 900123"),
            ),
            record(
                "I2",
                "2020-02-05",
                [child("p1", "Beth Cole")],
                agency="youth",
                type="youth_work_contact",
                phones=_phone("+447700900123"),
            ),
        ],
        "shared_phone",
    )
    assert len(findings) == 1
    assert findings[0].key == "shared_phone:tel:+447700900123"


def test_shared_phone_near_miss_the_number_is_a_carers() -> None:
    carer = adult("p2", "Jo Day", role="carer")
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record(
                "V1",
                "2020-02-01",
                [child("p1", "Amy Hill"), carer],
                agency="csc",
                type="other",
                phones=_phone("07700 900001", "p2"),
            ),
            record(
                "V2",
                "2020-02-05",
                [child("p1", "Beth Cole"), carer],
                agency="csc",
                type="other",
                phones=_phone("07700 900001", "p2"),
            ),
        ],
        "shared_phone",
    )
    assert findings == []


def _handle(handle: str) -> list[dict[str, object]]:
    return [{"ref": "o1", "platform": "snapchat", "handle": handle}]


def test_shared_online_account_fires_and_near_miss_with_one_child() -> None:
    both = [
        at_risk("Amy Hill", 1),
        at_risk("Beth Cole", 2),
        record(
            "O1",
            "2020-02-01",
            [child("p1", "Amy Hill")],
            agency="project",
            type="intelligence",
            online=_handle("@bigman99"),
        ),
        record(
            "O2",
            "2020-02-10",
            [child("p1", "Beth Cole")],
            agency="csc",
            type="referral",
            online=_handle("bigman99"),
        ),
    ]
    assert len(run(both, "shared_online")) == 1
    assert run(both[:3], "shared_online") == []


def _place(kind: str, postcode: str = "KF3 0NF") -> list[dict[str, object]]:
    return [{"ref": "l1", "name": "Flat 6, Moorland Court", "kind": kind, "postcode": postcode}]


def test_shared_place_fires_for_a_private_place_with_grooming_signs() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record(
                "M1",
                "2020-02-01",
                [child("p1", "Amy Hill")],
                type="missing_episode",
                indicators=["seen_at_hotspot"],
                locations=_place("flat"),
            ),
            record(
                "M2",
                "2020-02-15",
                [child("p1", "Beth Cole")],
                type="missing_episode",
                indicators=["older_associates"],
                locations=_place("flat"),
            ),
        ],
        "shared_place",
    )
    assert len(findings) == 1
    assert findings[0].key == "shared_place:place:KF3 0NF"


def test_shared_place_near_misses_a_park_and_an_ordinary_stop_at_a_takeaway() -> None:
    def stops(kind: str, indicators: list[str]) -> list[dict[str, object]]:
        return [
            at_risk("Amy Hill", 1),
            at_risk("Beth Cole", 2),
            record(
                "A1",
                "2020-02-01",
                [child("p1", "Amy Hill")],
                indicators=indicators,
                locations=_place(kind),
            ),
            record(
                "A2",
                "2020-02-15",
                [child("p1", "Beth Cole")],
                indicators=indicators,
                locations=_place(kind),
            ),
        ]

    assert run(stops("park", ["seen_at_hotspot"]), "shared_place") == []
    assert run(stops("takeaway", ["alcohol_or_drugs"]), "shared_place") == []


# jigsaw -----------------------------------------------------------------------------------


def _jigsaw(extra: list[dict[str, object]] | None = None) -> list[dict[str, object]]:
    return [
        concern(
            "J1",
            "2020-01-05",
            "Cara Lee",
            "missing_from_home",
            agency="police",
            type="missing_episode",
        ),
        concern(
            "J2", "2020-02-01", "Cara Lee", "older_boyfriend", agency="clinic", type="sexual_health"
        ),
        concern(
            "J3",
            "2020-03-01",
            "Cara Lee",
            "absent_from_school",
            agency="school",
            type="school_absence",
        ),
        *(extra or []),
    ]


def test_jigsaw_fires_for_three_agencies_within_90_days() -> None:
    findings = run(_jigsaw(), "jigsaw")
    assert len(findings) == 1
    assert "no strategy discussion" in findings[0].explanation
    assert findings[0].first_data_time.isoformat().startswith("2020-03-01")


def test_jigsaw_near_miss_when_a_strategy_discussion_is_recorded() -> None:
    meeting = record(
        "SM1", "2020-02-20", [child("p1", "Cara Lee")], agency="csc", type="strategy_meeting"
    )
    assert run(_jigsaw([meeting]), "jigsaw") == []


def test_jigsaw_near_miss_routine_concerns_only() -> None:
    records = _jigsaw()
    records[1] = concern(
        "J2",
        "2020-02-01",
        "Cara Lee",
        "self_harm_or_suicidal",
        agency="clinic",
        type="ae_attendance",
    )
    records.append(
        concern("R0", "2019-01-01", "Cara Lee", "missing_from_home", "absent_from_school")
    )
    assert run(records, "jigsaw") == []


# escalation -------------------------------------------------------------------------------


def _missing(rid: str, when: str) -> dict[str, object]:
    return concern(
        rid, when, "Dana Fox", "missing_from_care", agency="police", type="missing_episode"
    )


def test_escalation_fires_for_three_missing_episodes_in_30_days() -> None:
    findings = run(
        [
            at_risk("Dana Fox", 0, when="2019-12-01"),
            _missing("M1", "2020-01-01"),
            _missing("M2", "2020-01-12"),
            _missing("M3", "2020-01-25"),
        ],
        "escalation",
    )
    assert len(findings) == 1
    assert "went missing three times within 30 days" in findings[0].explanation


def test_escalation_near_miss_three_episodes_spread_over_two_months() -> None:
    findings = run(
        [
            at_risk("Dana Fox", 0, when="2019-12-01"),
            _missing("M1", "2020-01-01"),
            _missing("M2", "2020-01-25"),
            _missing("M3", "2020-02-28"),
        ],
        "escalation",
    )
    assert findings == []


def test_escalation_fires_when_indicators_spread_across_four_categories() -> None:
    findings = run(
        [
            concern(
                "E1",
                "2020-01-01",
                "Eve Ray",
                "missing_from_home",
                "new_or_multiple_phones",
                agency="police",
                type="missing_episode",
            ),
            concern(
                "E2",
                "2020-01-20",
                "Eve Ray",
                "absent_from_school",
                agency="school",
                type="school_absence",
            ),
            concern(
                "E3",
                "2020-02-10",
                "Eve Ray",
                "self_harm_or_suicidal",
                agency="clinic",
                type="ae_attendance",
            ),
            concern("E4", "2020-03-01", "Eve Ray", "unexplained_gifts_or_money", agency="csc"),
        ],
        "escalation",
    )
    assert len(findings) == 1
    assert "four areas of life" in findings[0].explanation


# emerging network -------------------------------------------------------------------------


def _network(children: int) -> list[dict[str, object]]:
    names = ["Amy Hill", "Beth Cole", "Cara Lee", "Dana Fox"][:children]
    out: list[dict[str, object]] = [at_risk(n, i) for i, n in enumerate(names)]
    for i, name in enumerate(names):
        out.append(
            record(f"N{i}", f"2020-0{i + 2}-01", [child("p1", name), adult("p2", "Ash Khan")])
        )
    return out


def test_emerging_network_fires_for_three_children_at_risk_and_an_adult() -> None:
    findings = run(_network(3), "emerging_network")
    assert len(findings) == 1
    assert len(findings[0].people("child")) == 3
    assert findings[0].first_data_time.isoformat().startswith("2020-04-01")


def test_emerging_network_near_miss_two_children() -> None:
    assert run(_network(2), "emerging_network") == []


def test_emerging_network_names_a_later_child_from_when_she_joined() -> None:
    findings = run(_network(4), "emerging_network")
    since = {s.entity: s.since for s in findings[0].people("child")}
    assert since["E:Dana Fox"] is not None and since["E:Dana Fox"].month == 5


# cross-area -------------------------------------------------------------------------------


def test_cross_area_fires_for_an_adult_with_a_child_at_risk_seen_in_two_areas() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            record("X1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
            record(
                "X2",
                "2020-03-01",
                [adult("p1", "Ash Khan", role="suspect")],
                type="intelligence",
                area="southby",
            ),
        ],
        "cross_area",
    )
    assert len(findings) == 1
    assert "northtown and southby" in findings[0].explanation


def test_cross_area_near_miss_one_area_only() -> None:
    findings = run(
        [
            at_risk("Amy Hill", 1),
            record("X1", "2020-02-01", [child("p1", "Amy Hill"), adult("p2", "Ash Khan")]),
            record("X2", "2020-03-01", [adult("p1", "Ash Khan")], type="intelligence"),
        ],
        "cross_area",
    )
    assert findings == []
