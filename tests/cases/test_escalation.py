"""Overdue work goes to the owner's manager, then to oversight; once each, never lapsing."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.cases import services
from shinealight.cases.models import AlertCase, Escalation
from tests.cases.helpers import at, audit_actions

pytestmark = pytest.mark.django_db


def _escalate(clock: Any, when: str) -> dict[str, int]:
    clock.move_to(at(when))
    return services.escalations_process().as_dict()


def _open() -> list[tuple[str, int, str | None, str]]:
    return [
        (e.deadline.kind, e.level, e.to_user.username if e.to_user else None, e.to_role)
        for e in Escalation.objects.filter(resolved_at__isnull=True).order_by("id")
    ]


def test_the_escalation_chain_end_to_end(
    clock: Any, raise_alert: Any, make_user: Any, users: dict[str, Any], client_for: Any
) -> None:
    analyst, practitioner = users["analyst"], users["practitioner"]
    team_manager = make_user("safeguarding_lead", "rmbc-csc", username="team-manager")
    services.reporting_line_set(
        user=practitioner, manager=team_manager, acting_user=users["administrator"]
    )

    clock.move_to(at("2025-04-14 09:00"))  # Monday of Holy Week
    case = AlertCase.objects.get(alert=raise_alert(severity="medium"))  # acknowledge in 1 day

    # Not yet due: nothing happens.
    assert _escalate(clock, "2025-04-15 16:59")["escalated_to_manager"] == 0
    # Overdue and nobody owns it: the partnership's analysts hear first.
    assert _escalate(clock, "2025-04-15 18:00")["escalated_to_manager"] == 1
    assert _open() == [("acknowledge", 1, None, "analyst")]
    # Running again (cron every few minutes) changes nothing.
    assert _escalate(clock, "2025-04-15 18:05") == {
        "overdue_checked": 1,
        "escalated_to_manager": 0,
        "escalated_to_oversight": 0,
    }
    first = Escalation.objects.get()
    # Seeing it is recorded but does not make it go away.
    services.escalation_acknowledge(escalation=first, acting_user=analyst, note="On it")
    # One working day after going to the analysts it goes to oversight (the managers).
    assert _escalate(clock, "2025-04-16 16:59")["escalated_to_oversight"] == 0
    assert _escalate(clock, "2025-04-16 17:30")["escalated_to_oversight"] == 1
    assert _open() == [("acknowledge", 1, None, "analyst"), ("acknowledge", 2, None, "manager")]

    # Acknowledging the alert resolves both escalations, by name.
    clock.move_to(at("2025-04-17 09:00"))
    services.alert_case_acknowledge(case=case, acting_user=analyst, owner=practitioner)
    assert _open() == []
    assert set(Escalation.objects.values_list("resolution", flat=True)) == {"done by analyst"}

    # The decision is due in two working days; Good Friday and Easter Monday do not count.
    assert case.deadlines.get(kind="triage").due_at == at("2025-04-23 17:00")
    assert _escalate(clock, "2025-04-22 18:00")["escalated_to_manager"] == 0
    assert _escalate(clock, "2025-04-23 17:30")["escalated_to_manager"] == 1
    assert _open() == [("triage", 1, "team-manager", "")]
    assert _escalate(clock, "2025-04-24 17:30")["escalated_to_oversight"] == 1

    # Months later nobody has decided: the escalations are still open, still there, not doubled.
    assert _escalate(clock, "2025-09-01 09:00")["overdue_checked"] == 1
    assert _open() == [("triage", 1, "team-manager", ""), ("triage", 2, None, "manager")]

    # Who sees what: the manager sees what was sent to them, without case content.
    seen = client_for("manager").get("/api/v1/escalations?open=true").json()["results"]
    assert [(e["level"], e["work"]["kind"]) for e in seen] == [(2, "triage")]
    assert "Child" not in str(seen)
    assert seen[0]["work"]["owner"] == "practitioner"
    assert seen[0]["work"]["owner_agency"] == "rmbc-csc"
    owner_view = client_for("practitioner").get("/api/v1/escalations?open=true").json()
    assert owner_view["count"] == 2
    assert client_for("administrator").get("/api/v1/escalations").status_code == 403

    clock.move_to(at("2025-09-01 10:00"))
    services.alert_case_triage(case=case, decision="single_agency", acting_user=practitioner)
    assert _open() == []
    trail = [a for a in audit_actions("escalation") if a != "escalation.list"]
    assert trail == ["escalation.raise", "escalation.acknowledge"] + ["escalation.raise"] * 3


def test_an_owner_with_no_manager_on_record_goes_to_the_analysts(
    clock: Any, raise_alert: Any, users: dict[str, Any]
) -> None:
    case = AlertCase.objects.get(alert=raise_alert(severity="high"))
    services.alert_case_acknowledge(
        case=case, acting_user=users["analyst"], owner=users["practitioner"]
    )
    _escalate(clock, "2025-01-09 09:00")
    escalation = Escalation.objects.get()
    assert (escalation.to_user, escalation.to_role) == (None, "analyst")
    assert "no active manager on record for practitioner" in escalation.reason


def test_only_the_recipient_can_acknowledge_an_escalation(
    clock: Any, raise_alert: Any, users: dict[str, Any]
) -> None:
    raise_alert(severity="high")
    _escalate(clock, "2025-01-07 09:00")
    escalation = Escalation.objects.get()
    with pytest.raises(services.WorkflowRefused, match="sent to"):
        services.escalation_acknowledge(
            escalation=escalation, acting_user=users["practitioner"], note="seen"
        )


def test_reporting_lines_are_for_administrators(client_for: Any, users: dict[str, Any]) -> None:
    admin = client_for("administrator")
    response = admin.post(
        "/api/v1/reporting-lines",
        {"user": "practitioner", "manager": "safeguarding_lead"},
        format="json",
    )
    assert response.status_code == 201
    assert admin.get("/api/v1/reporting-lines").json()["results"][0]["manager"] == (
        "safeguarding_lead"
    )
    own = admin.post(
        "/api/v1/reporting-lines",
        {"user": "practitioner", "manager": "practitioner"},
        format="json",
    )
    assert own.status_code == 400
    assert "reporting_line.set" in audit_actions()


def test_the_escalate_command_is_safe_to_repeat(
    clock: Any, raise_alert: Any, users: dict[str, Any]
) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    raise_alert(severity="high")
    clock.move_to(at("2025-01-07 09:00"))
    runner = CliRunner()
    first = runner.invoke(app, ["escalate"])
    assert first.exit_code == 0, first.output
    assert "1 escalated to a manager" in first.output
    second = runner.invoke(app, ["escalate"])
    assert "0 escalated to a manager" in second.output
    assert Escalation.objects.count() == 1
    from shinealight.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="escalation.raise").actor_username == "system:escalation"
