"""Strategy discussions, follow-ups, conferences and MACE panels, with owned, timed actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shinealight.audit.models import AuditEvent
from shinealight.cases import services
from shinealight.cases.models import AlertCase, Deadline, Meeting
from shinealight.cases.services import ActionIn, AttendeeIn, SubjectIn
from tests.cases.helpers import at, audit_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_for_discussion(clock: Any, raise_alert: Any, users: dict[str, Any]) -> AlertCase:
    clock.move_to(at("2025-04-16 09:00"))  # Wednesday before Easter
    case = AlertCase.objects.get(alert=raise_alert())
    analyst = users["analyst"]
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    return services.alert_case_triage(
        case=case, decision="strategy_discussion", acting_user=analyst
    )


def _attendees(agencies: dict[str, Any], users: dict[str, Any]) -> list[AttendeeIn]:
    return [
        AttendeeIn(agencies["swy-police"], users["safeguarding_lead"]),
        AttendeeIn(agencies["rmbc-csc"], users["practitioner"]),
    ]


def test_a_strategy_discussion_meets_its_timer_and_starts_the_next_ones(
    clock: Any, case_for_discussion: AlertCase, agencies: dict[str, Any], users: dict[str, Any]
) -> None:
    analyst, practitioner = users["analyst"], users["practitioner"]
    clock.move_to(at("2025-04-17 15:00"))
    meeting = services.meeting_record(
        kind="strategy_discussion",
        held_at=at("2025-04-17 14:00"),
        acting_user=analyst,
        chair=analyst,
        attendees=_attendees(agencies, users),
        subjects=[
            SubjectIn("person", "P000001", "child", "Child A"),
            SubjectIn("person", "P000777", "adult"),
            SubjectIn("vehicle", "V000003", "vehicle", "KX55 ABC"),
            SubjectIn("location", "L000009", "place", "Eastwood takeaway"),
        ],
        actions=[ActionIn("Return home interview", practitioner, None)],
        conference_needed=True,
        alert_case=case_for_discussion,
        decisions="Section 47 enquiry; CAWN to be considered",
    )
    assert Deadline.objects.get(kind="strategy_discussion").met_at == at("2025-04-17 15:00")
    # Good Friday and Easter Monday do not count: five working days end Monday 28 April.
    follow_up = meeting.deadlines.get(kind="strategy_follow_up")
    assert follow_up.due_at == at("2025-04-28 17:00") and follow_up.rule == "5 working days"
    # Fifteen working days, skipping the early May bank holiday too: Tuesday 13 May.
    assert meeting.deadlines.get(kind="child_protection_conference").due_at == at(
        "2025-05-13 17:00"
    )
    action = meeting.actions.get()
    assert action.owner_agency == agencies["rmbc-csc"]
    # Ten working days from Thursday 17 April, skipping Easter and 5 May: Tuesday 6 May.
    assert action.due_at == at("2025-05-06 17:00")
    event = AuditEvent.objects.filter(action="meeting.record").get()
    # Working Together expects health at a strategy discussion: the gap is on the record.
    assert event.detail["statutory_agencies_missing"] == ["health"]

    clock.move_to(at("2025-04-25 11:00"))
    services.meeting_record(
        kind="strategy_follow_up",
        held_at=at("2025-04-25 10:00"),
        acting_user=analyst,
        attendees=_attendees(agencies, users),
        follow_up_of=meeting,
    )
    follow_up.refresh_from_db()
    assert follow_up.met_at == at("2025-04-25 11:00")
    assert meeting.deadlines.get(kind="child_protection_conference").is_open
    assert Meeting.objects.filter(alert_case=case_for_discussion).count() == 2


def test_a_follow_up_must_name_its_discussion_and_a_meeting_must_have_happened(
    clock: Any, agencies: dict[str, Any], users: dict[str, Any]
) -> None:
    with pytest.raises(services.WorkflowRefused, match="follow"):
        services.meeting_record(
            kind="strategy_follow_up",
            held_at=at("2025-01-06 08:00"),
            acting_user=users["analyst"],
            attendees=_attendees(agencies, users),
        )
    with pytest.raises(services.WorkflowRefused, match="held"):
        services.meeting_record(
            kind="mace",
            held_at=at("2025-01-07 08:00"),
            acting_user=users["analyst"],
            attendees=_attendees(agencies, users),
        )
    with pytest.raises(services.WorkflowRefused, match="agency"):
        services.meeting_record(
            kind="mace",
            held_at=at("2025-01-06 08:00"),
            acting_user=users["analyst"],
            attendees=[],
        )
    assert audit_actions("meeting") == []


def test_actions_are_completed_or_cancelled_by_the_right_people(
    clock: Any, agencies: dict[str, Any], users: dict[str, Any]
) -> None:
    analyst, practitioner, lead = (
        users["analyst"],
        users["practitioner"],
        users["safeguarding_lead"],
    )
    meeting = services.meeting_record(
        kind="mace",
        held_at=at("2025-01-06 08:00"),
        acting_user=analyst,
        attendees=_attendees(agencies, users),
        actions=[
            ActionIn("Visit the hotel", lead, date(2025, 1, 20)),
            ActionIn("Speak to school", practitioner, None),
        ],
    )
    visit, school = meeting.actions.order_by("id")
    assert visit.due_at == at("2025-01-20 17:00")
    with pytest.raises(services.WorkflowRefused, match="owner"):
        services.action_complete(action=visit, note="done", acting_user=practitioner)
    with pytest.raises(services.WorkflowRefused, match="Say what"):
        services.action_complete(action=visit, note="", acting_user=lead)
    clock.move_to(at("2025-01-21 09:00"))
    done = services.action_complete(action=visit, note="Manager briefed", acting_user=lead)
    assert done.status == "done" and visit.deadlines.get().met_at == at("2025-01-21 09:00")
    assert AuditEvent.objects.get(action="action.complete").detail["late"] is True
    cancelled = services.action_cancel(
        action=school, reason="Child moved school", acting_user=practitioner
    )
    assert cancelled.status == "cancelled"
    assert school.deadlines.get().cancel_reason == "Child moved school"
    assert audit_actions("action") == ["action.complete", "action.cancel"]


def test_the_api_records_a_meeting_and_its_agencies_see_it(
    clock: Any, client_for: Any, agencies: dict[str, Any], users: dict[str, Any]
) -> None:
    response = client_for("safeguarding_lead").post(
        "/api/v1/meetings",
        {
            "kind": "mace",
            "held_at": "2025-01-06T08:00:00Z",
            "attendees": [
                {"agency": "swy-police", "user": "safeguarding_lead"},
                {"agency": "rmbc-csc", "name": "Social worker"},
            ],
            "subjects": [{"kind": "location", "entity_id": "L000009", "role": "place"}],
            "actions": [
                {
                    "description": "Licensing check",
                    "owner": "safeguarding_lead",
                    "due_on": "2025-01-10",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    assert response.json()["actions"][0]["due_at"].startswith("2025-01-10T17:00")
    # The social care practitioner's agency was at the table.
    assert client_for("practitioner").get(f"/api/v1/meetings/{meeting_id}").status_code == 200
    mine = client_for("safeguarding_lead").get("/api/v1/actions?mine=true").json()
    assert [a["description"] for a in mine["results"]] == ["Licensing check"]
    assert client_for("manager").get("/api/v1/meetings").status_code == 403
