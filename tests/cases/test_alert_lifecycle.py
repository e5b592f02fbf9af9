"""An alert's case from raised to closed, reopened by new evidence; every step on the record."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.cases import services
from shinealight.cases.models import AlertCase, Deadline
from tests.cases.helpers import at, audit_actions

pytestmark = pytest.mark.django_db


def _case(alert: Any) -> AlertCase:
    return AlertCase.objects.get(alert=alert)


def _steps(case: AlertCase) -> list[tuple[str, str]]:
    return list(case.transitions.values_list("from_status", "to_status"))


def test_a_raised_alert_opens_a_case_with_an_acknowledgement_timer(
    clock: Any, raise_alert: Any
) -> None:
    clock.move_to(at("2025-01-10 16:00"))  # a Friday
    high = _case(raise_alert(severity="high"))
    medium = _case(raise_alert(severity="medium"))
    assert high.status == AlertCase.Status.NEW and high.owner is None
    assert _steps(high) == [("", "new")]
    assert high.deadlines.get().due_at == at("2025-01-10 20:00")  # four clock hours
    assert medium.deadlines.get().due_at == at("2025-01-13 17:00")  # one working day
    assert medium.deadlines.get().rule == "1 working day"
    assert audit_actions("alert_case") == ["alert_case.open", "alert_case.open"]


def test_every_transition_is_kept_and_audited(
    clock: Any, raise_alert: Any, users: dict[str, Any]
) -> None:
    analyst, lead = users["analyst"], users["safeguarding_lead"]
    case = _case(raise_alert(severity="medium"))
    clock.move_to(at("2025-01-06 10:30"))
    case = services.alert_case_acknowledge(case=case, acting_user=analyst, owner=lead)
    assert case.status == "acknowledged" and case.owner == lead
    assert case.deadlines.get(kind="acknowledge").met_at == at("2025-01-06 10:30")
    triage = case.deadlines.get(kind="triage")
    assert triage.owner == lead and triage.due_at == at("2025-01-08 17:00")

    case = services.alert_case_triage(
        case=case, decision="strategy_discussion", reason="Adult named thrice", acting_user=lead
    )
    assert case.deadlines.get(kind="triage").met_at is not None
    assert case.deadlines.get(kind="strategy_discussion").due_at == at("2025-01-07 17:00")

    case = services.alert_case_close(
        case=case, outcome="Strategy discussion held", acting_user=lead
    )
    assert case.status == "closed"
    # The discussion was never recorded: its timer is cancelled by name, not left to lapse.
    sd = case.deadlines.get(kind="strategy_discussion")
    assert sd.cancelled_at is not None and "case closed" in sd.cancel_reason
    assert sd.closed_by_name == "safeguarding_lead"

    assert _steps(case) == [
        ("", "new"),
        ("new", "acknowledged"),
        ("acknowledged", "triaged"),
        ("triaged", "closed"),
    ]
    assert [t.by_name for t in case.transitions.all()] == [
        "system:alerts",
        "analyst",
        "safeguarding_lead",
        "safeguarding_lead",
    ]
    assert audit_actions("alert_case") == [
        "alert_case.open",
        "alert_case.acknowledge",
        "alert_case.triage",
        "alert_case.close",
    ]


def test_transitions_out_of_order_are_refused(raise_alert: Any, users: dict[str, Any]) -> None:
    analyst = users["analyst"]
    case = _case(raise_alert())
    with pytest.raises(services.WorkflowRefused, match="must be acknowledged"):
        services.alert_case_triage(case=case, decision="mace", acting_user=analyst)
    with pytest.raises(services.WorkflowRefused, match="must be triaged"):
        services.alert_case_close(case=case, outcome="x", acting_user=analyst)
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    with pytest.raises(services.WorkflowRefused, match="must be new"):
        services.alert_case_acknowledge(case=case, acting_user=analyst)
    # No further action needs a reason on the record.
    with pytest.raises(services.WorkflowRefused, match="reason"):
        services.alert_case_triage(
            case=case, decision="no_further_action", reason=" ", acting_user=analyst
        )
    # A manager cannot own a case: they see aggregates only.
    with pytest.raises(services.WorkflowRefused, match="owner"):
        services.alert_case_assign(
            case=case, owner=users["manager"], reason="cover", acting_user=analyst
        )
    assert _steps(_case(case.alert)) == [("", "new"), ("new", "acknowledged")]
    assert audit_actions("alert_case") == ["alert_case.open", "alert_case.acknowledge"]


def test_a_case_with_open_actions_cannot_be_closed(raise_alert: Any, users: dict[str, Any]) -> None:
    analyst, practitioner = users["analyst"], users["practitioner"]
    case = _case(raise_alert())
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    services.alert_case_triage(case=case, decision="single_agency", acting_user=analyst)
    action = services.action_create(
        description="Return interview", owner=practitioner, alert_case=case, acting_user=analyst
    )
    with pytest.raises(services.WorkflowRefused, match="still open"):
        services.alert_case_close(case=case, outcome="done", acting_user=analyst)
    services.action_complete(action=action, note="Interview held", acting_user=practitioner)
    assert services.alert_case_close(case=case, outcome="done", acting_user=analyst).closed_at


def test_new_evidence_flags_an_open_case_and_reopens_a_closed_one(
    clock: Any, raise_alert: Any, grow_alert: Any, users: dict[str, Any]
) -> None:
    analyst = users["analyst"]
    alert = raise_alert(severity="low")
    grow_alert(alert)
    case = _case(alert)
    assert case.needs_attention and case.status == "new"
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    services.alert_case_triage(
        case=case,
        decision="no_further_action",
        reason="Known, already managed",
        acting_user=analyst,
    )
    services.alert_case_close(case=case, outcome="No further action", acting_user=analyst)

    clock.move_to(at("2025-02-03 09:00"))
    grow_alert(alert)
    case = _case(alert)
    assert case.status == "new" and case.needs_attention and case.times_reopened == 1
    assert case.outcome == "" and case.decision == ""
    reopened = case.transitions.last()
    assert (reopened.from_status, reopened.to_status) == ("closed", "new")
    assert reopened.detail["previous_outcome"] == "No further action"
    # The last owner must look again, on a fresh timer; their manager hears if they do not.
    timer = case.deadlines.filter(kind="acknowledge").latest("started_at")
    assert timer.owner == analyst and timer.is_open
    assert timer.due_at == at("2025-02-05 17:00")
    assert audit_actions("alert_case") == [
        "alert_case.open",
        "alert_case.evidence",
        "alert_case.acknowledge",
        "alert_case.triage",
        "alert_case.close",
        "alert_case.reopen",
    ]
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    assert not _case(alert).needs_attention


def test_assigning_moves_the_running_timers(raise_alert: Any, users: dict[str, Any]) -> None:
    analyst, practitioner = users["analyst"], users["practitioner"]
    case = _case(raise_alert())
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    services.alert_case_assign(
        case=case, owner=practitioner, reason="Allocated social worker", acting_user=analyst
    )
    assert Deadline.objects.get(kind="triage").owner == practitioner
    last = _case(case.alert).transitions.last()
    assert last.detail == {"owner_from": "analyst", "owner_to": "practitioner"}


def test_the_api_walks_a_case_through_its_life(
    raise_alert: Any, client_for: Any, users: dict[str, Any]
) -> None:
    case = _case(raise_alert())
    analyst = client_for("analyst")
    practitioner = client_for("practitioner")
    # Not involved yet: the practitioner cannot see it, and it looks like it does not exist.
    assert practitioner.get(f"/api/v1/alert-cases/{case.pk}").status_code == 404
    assert practitioner.get("/api/v1/alert-cases").json()["count"] == 0
    assert client_for("manager").get("/api/v1/alert-cases").status_code == 403

    response = analyst.post(
        f"/api/v1/alert-cases/{case.pk}/acknowledge", {"owner": "practitioner"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == "practitioner"
    # Now the owner sees it, and takes it on.
    assert practitioner.get("/api/v1/alert-cases?mine=true").json()["count"] == 1
    refused = practitioner.post(
        f"/api/v1/alert-cases/{case.pk}/triage", {"decision": "no_further_action"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["extra"]["fields"]["reason"]
    ok = practitioner.post(
        f"/api/v1/alert-cases/{case.pk}/triage",
        {"decision": "no_further_action", "reason": "Family moved away; police aware"},
        format="json",
    )
    assert ok.json()["status"] == "triaged"
    again = practitioner.post(f"/api/v1/alert-cases/{case.pk}/acknowledge", {}, format="json")
    assert again.status_code == 409 and "acknowledge" in again.json()["message"]
    closed = practitioner.post(
        f"/api/v1/alert-cases/{case.pk}/close", {"outcome": "NFA"}, format="json"
    )
    assert closed.json()["status"] == "closed"
    detail = practitioner.get(f"/api/v1/alert-cases/{case.pk}").json()
    assert [t["to_status"] for t in detail["transitions"]] == [
        "new",
        "acknowledged",
        "triaged",
        "closed",
    ]
    assert detail["subjects"] == [
        {"kind": "person", "entity_id": "P000001", "role": "child", "label": ""}
    ]
    assert "alert_case.read" in audit_actions()
