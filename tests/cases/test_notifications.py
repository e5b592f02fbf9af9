"""The inbox, e-mail through the database task queue, the daily digest, and the worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from shinealight.cases import services
from shinealight.cases.models import AlertCase, Notification, Task
from tests.cases.helpers import at, audit_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_email(users: dict[str, Any]) -> dict[str, Any]:
    for user in users.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return users


def _inbox(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_assigning_a_case_notifies_the_new_owner_and_only_they_see_it(
    raise_alert: Any, with_email: dict[str, Any], client_for: Any
) -> None:
    analyst, practitioner, lead = (
        with_email["analyst"],
        with_email["practitioner"],
        with_email["safeguarding_lead"],
    )
    case = AlertCase.objects.get(alert=raise_alert())
    # Taking it on yourself tells nobody; naming someone else tells them.
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    assert Notification.objects.count() == 0
    services.alert_case_assign(case=case, owner=practitioner, acting_user=analyst, reason="Hers")
    assert _inbox(practitioner) == ["case_assigned"]

    mine = client_for("practitioner").get("/api/v1/notifications").json()["results"]
    assert [n["link"] for n in mine] == [f"/api/v1/alert-cases/{case.pk}"]
    assert client_for("safeguarding_lead").get("/api/v1/notifications").json()["results"] == []
    pk = mine[0]["id"]
    # Someone else's notification does not exist for you.
    assert (
        client_for("safeguarding_lead").post(f"/api/v1/notifications/{pk}/read").status_code == 404
    )
    read = client_for("practitioner").post(f"/api/v1/notifications/{pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = client_for("practitioner").get("/api/v1/notifications?unread=1").json()["results"]
    assert unread == []
    assert audit_actions("notification") == ["notification.read"]
    assert _inbox(lead) == []


def test_an_action_given_to_someone_notifies_them(
    raise_alert: Any, with_email: dict[str, Any]
) -> None:
    analyst, practitioner = with_email["analyst"], with_email["practitioner"]
    case = AlertCase.objects.get(alert=raise_alert())
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    services.action_create(
        description="Visit the school", owner=practitioner, acting_user=analyst, alert_case=case
    )
    assert _inbox(practitioner) == ["action_assigned"]


def test_an_escalation_notifies_the_manager_and_tells_the_owner_it_is_overdue(
    clock: Any, raise_alert: Any, make_user: Any, with_email: dict[str, Any]
) -> None:
    analyst, practitioner = with_email["analyst"], with_email["practitioner"]
    team_manager = make_user("safeguarding_lead", "rmbc-csc", username="team-manager")
    services.reporting_line_set(
        user=practitioner, manager=team_manager, acting_user=with_email["administrator"]
    )
    clock.move_to(at("2025-04-14 09:00"))
    case = AlertCase.objects.get(alert=raise_alert(severity="medium"))
    # Unowned and overdue: every analyst hears.
    clock.move_to(at("2025-04-15 18:00"))
    services.escalations_process()
    assert _inbox(analyst) == ["escalation"]
    services.alert_case_acknowledge(case=case, acting_user=analyst, owner=practitioner)
    # The triage decision (2 working days) is missed: her manager hears, and so does she.
    clock.move_to(at("2025-04-22 18:00"))
    services.escalations_process()
    assert _inbox(team_manager) == ["escalation"]
    assert sorted(_inbox(practitioner)) == ["case_assigned", "work_overdue"]
    # A second run raises nothing new, so tells nobody again.
    services.escalations_process()
    assert Notification.objects.filter(recipient=team_manager).count() == 1


def test_notification_email_goes_through_the_queue_once(
    raise_alert: Any, with_email: dict[str, Any]
) -> None:
    analyst, practitioner = with_email["analyst"], with_email["practitioner"]
    case = AlertCase.objects.get(alert=raise_alert())
    services.alert_case_acknowledge(case=case, acting_user=analyst, owner=practitioner)
    assert mail.outbox == []  # nothing is sent inside the request
    task = Task.objects.get()
    assert task.name == services.EMAIL_NOTIFICATION
    assert services.tasks_work(worker="w1").done == 1
    assert [m.to for m in mail.outbox] == [["practitioner@example.org"]]
    # The e-mail says where to look, never what the case is about.
    assert "Child" not in mail.outbox[0].body and "missing" not in mail.outbox[0].body
    # Running the same task again (a doubled delivery) sends nothing more.
    services._email_notification(task.payload)
    assert services.tasks_work(worker="w1").done == 0
    assert len(mail.outbox) == 1
    assert "notification.email" in audit_actions("notification")


def test_the_digest_sends_each_person_one_summary_a_day_through_the_queue(
    clock: Any, raise_alert: Any, with_email: dict[str, Any]
) -> None:
    analyst, practitioner = with_email["analyst"], with_email["practitioner"]
    clock.move_to(at("2025-04-14 09:00"))
    case = AlertCase.objects.get(alert=raise_alert())
    services.alert_case_acknowledge(case=case, acting_user=analyst, owner=practitioner)
    services.tasks_work(worker="w1")
    mail.outbox.clear()

    clock.move_to(at("2025-04-22 07:00"))  # the triage decision is overdue by now
    run = services.notifications_digest()
    assert run.queued == [practitioner.pk]
    assert mail.outbox == []
    assert services.tasks_work(worker="w1").done == 1
    (digest,) = mail.outbox
    assert digest.to == ["practitioner@example.org"]
    assert "Unread notifications: 1" in digest.body
    assert "Overdue work of yours: 1" in digest.body
    # Run again the same day: nothing new is queued or sent.
    assert services.notifications_digest().already_queued == 1
    assert services.tasks_work(worker="w1").done == 0
    assert len(mail.outbox) == 1
    # The next day it comes again.
    clock.move_to(at("2025-04-23 07:00"))
    assert services.notifications_digest().queued == [practitioner.pk]


def test_the_worker_claims_a_task_once_retries_a_failure_and_marks_it_done(
    clock: Any, monkeypatch: Any, with_email: dict[str, Any]
) -> None:
    calls: list[dict[str, Any]] = []
    failures = [RuntimeError("SMTP server unavailable")]

    def flaky(payload: dict[str, Any]) -> None:
        calls.append(payload)
        if failures:
            raise failures.pop()

    monkeypatch.setitem(services.TASK_HANDLERS, "test.flaky", flaky)
    task, created = services.task_enqueue(name="test.flaky", payload={"n": 1}, key="k1")
    assert created
    assert services.task_enqueue(name="test.flaky", payload={"n": 1}, key="k1") == (task, False)

    claimed = services.task_claim(worker="w1")
    assert claimed is not None and claimed.pk == task.pk and claimed.attempts == 1
    # While w1 holds it, nobody else can take it.
    assert services.task_claim(worker="w2") is None
    assert services.task_run(task=claimed, worker="w1") is False
    task.refresh_from_db()
    assert task.last_error == "RuntimeError: SMTP server unavailable"
    assert task.done_at is None and task.locked_at is None
    assert task.run_after > at("2025-01-06 09:00")
    # Not before the back-off has passed.
    assert services.tasks_work(worker="w2").done == 0
    clock.shift(60)
    assert services.tasks_work(worker="w2").done == 1
    task.refresh_from_db()
    assert task.done_at is not None and task.attempts == 2 and task.last_error == ""
    assert len(calls) == 2
    # Done is done: no worker takes it again.
    assert services.task_claim(worker="w3") is None


def test_a_task_that_keeps_failing_is_given_up_and_kept(clock: Any, monkeypatch: Any) -> None:
    def broken(payload: dict[str, Any]) -> None:
        raise ValueError("bad address")

    monkeypatch.setitem(services.TASK_HANDLERS, "test.broken", broken)
    task, _ = services.task_enqueue(name="test.broken", payload={}, max_attempts=3)
    for _ in range(3):
        assert services.tasks_work(worker="w1").failed == 1
        clock.shift(3600)
    task.refresh_from_db()
    assert task.failed_at is not None and task.attempts == 3
    assert services.tasks_work(worker="w1").failed == 0


def test_a_stale_lock_from_a_dead_worker_is_taken_over(clock: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(services.TASK_HANDLERS, "test.ok", lambda payload: None)
    task, _ = services.task_enqueue(name="test.ok", payload={})
    assert services.task_claim(worker="dead") is not None
    clock.shift(services.TASK_LOCK_TIMEOUT.total_seconds() + 1)
    assert services.tasks_work(worker="w2").done == 1
    task.refresh_from_db()
    assert task.done_at is not None and task.locked_by == "w2"
