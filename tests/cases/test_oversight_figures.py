"""Oversight figures against a small partnership counted by hand."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from shinealight.cases import selectors, services
from shinealight.cases.models import Action, AlertCase
from shinealight.cases.services import ActionIn, AttendeeIn, IndicatorSeen
from tests.cases.helpers import at

pytestmark = pytest.mark.django_db


def _missing(agency: Any, child: str, when: str, n: int, dob: str = "", graded: bool = False):
    """A missing-episode record naming the child, joined to the child's resolved entity."""
    from shinealight.people.models import EntityMembership, ResolvedEntity
    from shinealight.records.models import PersonMention, Record

    moment = at(when)
    record = Record.objects.create(
        agency=agency,
        record_id=f"MIS-{child}-{n}",
        event_type="missing_episode",
        recorded_at=moment,
        content_hash=hashlib.sha256(f"{child}{n}".encode()).hexdigest(),
        first_received_at=moment,
        last_changed_at=moment,
        **(
            {"grading_source": "2", "grading_intelligence": "B", "grading_handling": "P"}
            if graded
            else {}
        ),
    )
    mention = PersonMention.objects.create(
        record=record,
        mention_id=f"{agency.code}/{record.record_id}/p1",
        ref="p1",
        role="subject",
        name=child,
        dob=dob,
    )
    entity, _ = ResolvedEntity.objects.get_or_create(entity_id=child, kind="person")
    EntityMembership.objects.create(
        kind="person", mention_id=mention.mention_id, record=record, entity=entity
    )
    return record


@pytest.fixture
def partnership(
    clock: Any, raise_alert: Any, agencies: dict[str, Any], users: dict[str, Any]
) -> None:
    analyst, practitioner, lead = (
        users["analyst"],
        users["practitioner"],
        users["safeguarding_lead"],
    )
    police, csc = agencies["swy-police"], agencies["rmbc-csc"]

    # Missing episodes: P1 three times in January (repeat), P2 twice (and once in February).
    first = _missing(police, "P1", "2025-01-02 22:00", 1, dob="2011-03-02", graded=True)
    _missing(police, "P1", "2025-01-09 22:00", 2, graded=True)
    _missing(csc, "P1", "2025-01-16 22:00", 3)
    _missing(csc, "P2", "2025-01-04 22:00", 1)
    _missing(csc, "P2", "2025-01-11 22:00", 2)
    _missing(csc, "P2", "2025-02-05 22:00", 3)

    # Risk judgements.
    clock.move_to(at("2024-12-10 10:00"))
    services.risk_judgement_record(
        child_entity_id="P1",
        level="emerging",
        rationale="Missing with older males",
        indicators=[IndicatorSeen("missing_from_home", [first]), IndicatorSeen("older_boyfriend")],
        acting_user=practitioner,
    )
    clock.move_to(at("2024-12-15 10:00"))
    services.risk_judgement_record(
        child_entity_id="P2", level="moderate", rationale="r", acting_user=practitioner
    )

    # Alerts A-D in January, E in February.
    clock.move_to(at("2025-01-06 09:00"))
    a = AlertCase.objects.get(alert=raise_alert(severity="high"))
    b = AlertCase.objects.get(alert=raise_alert(severity="medium"))
    services.risk_judgement_record(
        child_entity_id="P1",
        level="significant",
        rationale="Disclosure",
        indicators=[IndicatorSeen("disclosure")],
        acting_user=practitioner,
    )
    clock.move_to(at("2025-01-06 11:00"))
    services.alert_case_acknowledge(case=a, acting_user=analyst)  # 2 hours
    services.alert_case_triage(case=a, decision="strategy_discussion", acting_user=analyst)
    clock.move_to(at("2025-01-07 09:00"))
    services.alert_case_acknowledge(case=b, acting_user=analyst)  # 24 hours
    services.alert_case_triage(
        case=b, decision="no_further_action", reason="Already known", acting_user=analyst
    )
    services.alert_case_close(case=b, outcome="NFA", acting_user=analyst)
    clock.move_to(at("2025-01-07 10:00"))
    services.meeting_record(
        kind="strategy_discussion",
        held_at=at("2025-01-07 09:00"),
        acting_user=analyst,
        attendees=[AttendeeIn(police), AttendeeIn(csc)],
        alert_case=a,  # 24 hours after A
        actions=[
            ActionIn("Return interview", practitioner, date(2025, 1, 10)),
            ActionIn("Check hotel", lead, date(2025, 1, 10)),
            ActionIn("Licensing review", lead, date(2025, 3, 1)),
        ],
    )
    p2_downgrade = services.risk_judgement_record(
        child_entity_id="P2", level="none", rationale="Settled", acting_user=practitioner
    )
    clock.move_to(at("2025-01-08 12:00"))
    c = AlertCase.objects.get(alert=raise_alert(severity="low"))
    clock.move_to(at("2025-01-08 16:00"))
    services.alert_case_acknowledge(case=c, acting_user=analyst)  # 4 hours
    services.alert_case_triage(case=c, decision="mace", acting_user=analyst)
    clock.move_to(at("2025-01-09 09:00"))
    raise_alert(severity="high")  # D: never acknowledged
    services.risk_judgement_agree(judgement=p2_downgrade, acting_user=lead)
    clock.move_to(at("2025-01-10 09:00"))
    services.escalations_process()  # D's acknowledgement, due 13:00 yesterday: one escalation
    done = Action.objects.get(description="Check hotel")
    services.action_complete(action=done, note="Manager spoken to", acting_user=lead)
    clock.move_to(at("2025-01-20 10:00"))
    services.risk_judgement_record(
        child_entity_id="P3", level="moderate", rationale="r", acting_user=practitioner
    )
    clock.move_to(at("2025-01-25 10:00"))
    services.risk_judgement_record(
        child_entity_id="P3", level="emerging", rationale="r", acting_user=practitioner
    )  # never agreed

    # Disruption: two in January, one in February.
    for tactic, status, when in [
        ("cawn", "in_force", "2025-01-12 10:00"),
        ("sexual_risk_order", "planned", "2025-01-13 10:00"),
        ("hotel_notice", "ended", "2025-02-02 10:00"),
    ]:
        clock.move_to(at(when))
        services.disruption_record(
            tactic=tactic,
            target_role="adult",
            target_kind="person",
            target_entity_id="P9",
            owner=lead,
            status=status,
            acting_user=lead,
        )
    clock.move_to(at("2025-02-03 09:00"))
    raise_alert(severity="medium")  # E: outside the period
    clock.move_to(at("2025-02-10 09:00"))


def test_figures_match_a_hand_count(partnership: None) -> None:
    figures = selectors.oversight_figures(start=at("2024-12-01 00:00"), end=at("2025-02-01 00:00"))
    assert figures["alerts"] == {
        "raised": 4,
        "acknowledged": 3,
        "actioned": 2,
        "closed": 1,
        "reopened": 0,
        "awaiting_acknowledgement": 1,
    }
    # Waits of 2, 24 and 4 hours: median 4; the 90th percentile is the longest, 24.
    assert figures["hours_to_acknowledge"] == {"count": 3, "median": 4.0, "p90": 24.0}
    assert figures["hours_to_strategy_discussion"] == {"count": 1, "median": 24.0, "p90": 24.0}
    assert figures["overdue_actions_by_agency"] == {"rmbc-csc": 1}
    assert figures["overdue_now_by_kind"] == {
        "acknowledge": 2,
        "action": 1,
        "mace_panel": 1,
        "strategy_follow_up": 1,
    }
    assert figures["escalations"] == {
        "raised": 1,
        "raised_by_level": {"1": 1, "2": 0},
        "open_now": 1,
        "open_not_acknowledged": 1,
    }
    assert figures["children_by_risk_level"] == [
        {
            "at": at("2025-01-01 00:00"),
            "levels": {"none": 0, "emerging": 1, "moderate": 1, "significant": 0},
        },
        {
            "at": at("2025-02-01 00:00"),
            "levels": {"none": 1, "emerging": 0, "moderate": 1, "significant": 1},
        },
    ]
    assert figures["repeat_missing"] == {
        "threshold": 3,
        "episodes": 5,
        "children_missing": 2,
        "repeat_missing_children": 1,
    }
    assert figures["disruption"] == {
        "recorded": 2,
        "by_tactic": {"cawn": {"in_force": 1}, "sexual_risk_order": {"planned": 1}},
        "in_force_now": 1,
    }
    assert figures["data_quality"] == {
        "records": 6,
        "records_without_grading": 4,
        "person_mentions": 6,
        "person_mentions_without_date_of_birth": 5,
        "judgement_indicators": 3,
        "judgement_indicators_without_evidence": 2,
    }


def test_managers_get_the_figures_without_case_content(partnership: None, client_for: Any) -> None:
    response = client_for("manager").get(
        "/api/v1/oversight/figures?start=2024-12-01&end=2025-02-01"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["alerts"]["raised"] == 4
    assert "Child missing" not in str(body) and "Disclosure" not in str(body)
    assert client_for("practitioner").get("/api/v1/oversight/figures").status_code == 403
    bad = client_for("manager").get("/api/v1/oversight/figures?start=2025-02-01&end=2025-01-01")
    assert bad.status_code == 400
