"""The audit trail: every read is recorded, nothing can be removed, tampering shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from typer.testing import CliRunner

from shinealight.audit.models import AppendOnlyError, AuditEvent
from shinealight.audit.services import audit_log, audit_verify
from shinealight.cli import app

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_reading_a_record_is_audited_with_who_and_why(
    imported: Any, client_for: Any, users: dict[str, Any]
) -> None:
    response = client_for("analyst").get("/api/v1/records/rmbc-csc/REF-88121?purpose=MACE+prep")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="record.read").get()
    assert event.actor_username == "analyst" and event.actor_id == users["analyst"].pk
    assert event.object_ids == ["rmbc-csc/REF-88121"]
    assert event.purpose == "MACE prep"


def test_lists_and_searches_record_what_was_shown(imported: Any, client_for: Any) -> None:
    client = client_for("practitioner")
    client.get("/api/v1/records")
    client.get("/api/v1/mentions/persons?q=katie", HTTP_X_PURPOSE="referral check")
    listed = AuditEvent.objects.get(action="records.list")
    # Their agency's referral, and the police stop about the child linkage joined to it.
    assert listed.object_ids == ["rmbc-csc/REF-88121", "swy-police/INC-2009-004417"]
    searched = AuditEvent.objects.get(action="person_mention.search")
    assert searched.object_ids == ["rmbc-csc/REF-88121/p1"]
    assert searched.purpose == "referral check" and searched.detail["q"] == "katie"


def test_refused_reads_are_recorded_without_content(imported: Any, client_for: Any) -> None:
    before = AuditEvent.objects.count()
    assert client_for("manager").get("/api/v1/records/rmbc-csc/REF-88121").status_code == 403
    # The refusal is on the record (who tried what), as a refusal, not as a read.
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.detail["status"]) for e in events] == [
        ("access.refused", "request", 403)
    ]
    assert events[0].object_ids == ["/api/v1/records/rmbc-csc/REF-88121"]


def test_audit_needs_the_actions_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run inside a transaction, so pretend to be outside one. (A real transactional
    # test cannot be used: the database refuses the TRUNCATE that would clean up after it.)
    class Outside:
        in_atomic_block = False

    monkeypatch.setattr(transaction, "get_connection", lambda: Outside())
    with pytest.raises(RuntimeError, match="same transaction"):
        audit_log(acting_user=None, action="x")


def test_a_failed_action_leaves_no_audit_entry(db: Any) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_log(acting_user=None, action="doomed")
        1 / 0  # noqa: B018
    assert not AuditEvent.objects.filter(action="doomed").exists()


def test_events_cannot_be_changed_or_deleted_through_the_orm(imported: Any) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "nothing.happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_the_database_refuses_raw_updates_and_deletes(imported: Any) -> None:
    for sql in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.count() >= 1


def _drop_guards() -> None:
    """What someone with database rights would do first: remove the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


def _many_events(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_log(acting_user=None, action="test.event", object_ids=[i], detail={"i": i})


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_auditevent SET purpose = 'routine' WHERE seq = 3",
        "UPDATE audit_auditevent SET actor_username = 'someone-else' WHERE seq = 2",
        "UPDATE audit_auditevent SET object_ids = '[\"99\"]' WHERE seq = 4",
        "DELETE FROM audit_auditevent WHERE seq = 3",
        "DELETE FROM audit_auditevent WHERE seq = 5",
    ],
)
def test_tampering_with_any_event_is_detected(db: Any, tamper: str) -> None:
    _many_events(5)
    assert list(audit_verify()) == []
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute(tamper)
    breaks = list(audit_verify())
    assert breaks, tamper
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "broken" in result.output


def test_verify_passes_on_an_intact_trail(imported: Any, client_for: Any) -> None:
    client_for("analyst").get("/api/v1/records/rmbc-csc/REF-88121")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_rewriting_the_whole_chain_is_still_caught_by_the_head(db: Any) -> None:
    _many_events(3)
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    assert any("was the last event written" in b.problem for b in audit_verify())
