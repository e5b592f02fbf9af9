"""Need-to-know: who sees a child's records beyond their own agency's, and who sees nothing.

The scenario (tests/security/access_world.py): rmbc-csc (the practitioner's agency) and
swy-police both recorded Katie; only swy-police recorded Lily, in a record with the adult
Ash whom rmbc-csc also recorded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.security.access_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agencies: dict[str, Any], make_user: Any) -> World:
    return build_world(agencies, make_user)


KATIE_POLICE = "swy-police/INC-1"
LILY_POLICE = "swy-police/INC-2"
OWN = "rmbc-csc/REF-1"


def _alert(w: World, *records: str, children: list[Any]) -> Any:
    """An alert as the engine raises it: subjects, evidence, an explanation naming both."""
    from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject

    opening = "Ash was recorded with two children at risk: " + " and ".join(
        f"{c.label} ({c.entity_id}, about 14)" for c in children
    )
    alert = Alert.objects.create(
        rule="shared_adult",
        key=f"test:{'-'.join(records)}",
        severity="high",
        title="Ash: adult with 2 children at risk",
        opening=opening,
        explanation=opening + ". Evidence: " + "; ".join(records) + ".",
        first_data_time=timezone.now(),
        last_data_time=timezone.now(),
    )
    for child in children:
        AlertSubject.objects.create(
            alert=alert, kind="person", entity_id=child.entity_id, role="child", label=child.label
        )
    for key in records:
        AlertEvidence.objects.create(alert=alert, record=w.record(key))
    return alert


def test_a_practitioner_sees_another_agencys_record_about_a_child_their_agency_recorded(
    world: World,
) -> None:
    seen = world.visible("practitioner")
    assert OWN in seen and KATIE_POLICE in seen
    response = world.client("practitioner").get(f"/api/v1/records/{KATIE_POLICE}")
    assert response.status_code == 200
    assert response.json()["summary"].startswith("Katie found")
    katie = world.entity("rmbc-csc/REF-1/p1")
    assert (
        world.client("practitioner").get(f"/api/v1/entities/{katie.entity_id}").status_code == 200
    )


def test_not_a_child_their_agency_never_recorded_nor_that_child(world: World) -> None:
    lily = world.entity("swy-police/INC-2/p1")
    client = world.client("practitioner")
    assert LILY_POLICE not in world.visible("practitioner")
    assert client.get(f"/api/v1/records/{LILY_POLICE}").status_code == 404
    assert client.get(f"/api/v1/records/{LILY_POLICE}/versions").status_code == 404
    assert client.get(f"/api/v1/entities/{lily.entity_id}").status_code == 404
    listed = client.get("/api/v1/entities?kind=person&page_size=500").json()["results"]
    assert lily.entity_id not in {e["entity_id"] for e in listed}
    records = client.get("/api/v1/records?page_size=500").json()["results"]
    assert "INC-2" not in {r["record_id"] for r in records}
    found = client.get("/api/v1/mentions/persons?q=lily").json()["results"]
    assert found == []
    # Knowing the adult Ash (rmbc-csc recorded him) opens nothing about Lily.
    ash = world.entity("rmbc-csc/REF-1/p2")
    assert ash == world.entity("swy-police/INC-2/p2")
    # An alert resting only on Lily's record: not there for them either.
    alert = _alert(world, LILY_POLICE, children=[lily])
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert alert.pk not in {a["id"] for a in client.get("/api/v1/alerts").json()["results"]}


def test_pages_answer_not_found_too(world: World) -> None:
    from django.test import Client

    browser = Client()
    browser.force_login(world.users["practitioner"])
    assert browser.get(f"/records/{LILY_POLICE}").status_code == 404
    assert browser.get(f"/records/{KATIE_POLICE}").status_code == 200


def test_the_rule_and_the_object_permission_agree_for_everyone(world: World) -> None:
    """`visible_to` (maintained table) and `records.view_record` (raw tables) say the same."""
    from shinealight.records.models import Record

    records = list(Record.objects.all())
    for name, user in world.users.items():
        visible = set(Record.objects.visible_to(user).values_list("pk", flat=True))
        allowed = {r.pk for r in records if user.has_perm("records.view_record", r)}
        assert visible == allowed, name


def _about_agrees_with_the_rule(world: World) -> None:
    from shinealight.people.models import EntityMembership, ResolvedEntity
    from shinealight.records.models import Record

    for entity in ResolvedEntity.objects.all():
        mentioned = EntityMembership.objects.filter(entity=entity).values("record_id")
        for name, user in world.users.items():
            general = set(
                Record.objects.visible_to(user)
                .filter(pk__in=mentioned)
                .values_list("pk", flat=True)
            )
            about = set(
                Record.objects.visible_to(user, about=entity.pk).values_list("pk", flat=True)
            )
            assert about == general, (name, entity.entity_id)


def test_one_entitys_records_are_what_the_rule_gives_for_everyone(world: World) -> None:
    """`visible_to(user, about=entity)` (a profile's shortcut when the user's need-to-know
    covers the child) keeps exactly the records the whole rule keeps, before and after an
    allocation widens it."""
    from shinealight.cases.models import AlertCase

    _about_agrees_with_the_rule(world)
    lily = world.entity("swy-police/INC-2/p1")
    alert = _alert(world, LILY_POLICE, children=[lily])
    AlertCase.objects.create(
        alert=alert, owner=world.users["practitioner"], opened_at=timezone.now()
    )
    _about_agrees_with_the_rule(world)


def test_allocation_to_a_case_opens_the_childs_records(world: World) -> None:
    from shinealight.cases.models import AlertCase

    lily = world.entity("swy-police/INC-2/p1")
    alert = _alert(world, LILY_POLICE, children=[lily])
    assert LILY_POLICE not in world.visible("practitioner")
    AlertCase.objects.create(
        alert=alert, owner=world.users["practitioner"], opened_at=timezone.now()
    )
    assert LILY_POLICE in world.visible("practitioner")
    assert world.client("practitioner").get(f"/api/v1/alerts/{alert.pk}").status_code == 200
    # Allocation is personal: a colleague in the same agency is not allocated.
    assert LILY_POLICE not in world.visible("colleague")


def test_owning_an_action_opens_the_childs_records(world: World) -> None:
    from shinealight.cases.models import Action, AlertCase

    lily = world.entity("swy-police/INC-2/p1")
    alert = _alert(world, LILY_POLICE, children=[lily])
    case = AlertCase.objects.create(
        alert=alert, owner=world.users["police_lead"], opened_at=timezone.now()
    )
    practitioner = world.users["practitioner"]
    Action.objects.create(
        alert_case=case,
        description="Visit school",
        owner=practitioner,
        owner_agency=practitioner.agency,
        due_at=timezone.now() + timedelta(days=5),
        created_by=world.users["police_lead"],
        created_at=timezone.now(),
    )
    assert LILY_POLICE in world.visible("practitioner")


def test_an_invitation_to_a_strategy_discussion_opens_the_childs_records(world: World) -> None:
    from shinealight.cases.models import Meeting, MeetingAttendee, MeetingSubject

    lily = world.entity("swy-police/INC-2/p1")
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.STRATEGY_DISCUSSION,
        held_at=timezone.now(),
        recorded_by=world.users["police_lead"],
        recorded_at=timezone.now(),
    )
    MeetingSubject.objects.create(
        meeting=meeting, kind="person", entity_id=lily.entity_id, role="child"
    )
    assert LILY_POLICE not in world.visible("practitioner")
    practitioner = world.users["practitioner"]
    MeetingAttendee.objects.create(meeting=meeting, agency=practitioner.agency, user=practitioner)
    assert LILY_POLICE in world.visible("practitioner")
    assert world.client("practitioner").get(f"/api/v1/meetings/{meeting.pk}").status_code == 200
    assert LILY_POLICE not in world.visible("colleague")
    # The colleague's agency attends, so the meeting is theirs, but not Lily: the meeting
    # about a child they may not see is not shown to them.
    assert world.client("colleague").get(f"/api/v1/meetings/{meeting.pk}").status_code == 404


def test_break_glass_grants_expires_and_is_flagged(world: World) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.cases.models import Notification

    lily = world.entity("swy-police/INC-2/p1")
    admin = world.client("administrator")
    assert world.visible("administrator") == set()
    refused = admin.post(
        "/api/v1/break-glass", {"child_entity_id": lily.entity_id, "purpose": ""}, format="json"
    )
    assert refused.status_code == 400
    with time_machine.travel(timezone.now(), tick=False) as clock:
        opened = admin.post(
            "/api/v1/break-glass",
            {"child_entity_id": lily.entity_id, "purpose": "Lily missing tonight; police ask"},
            format="json",
        )
        assert opened.status_code == 201, opened.content
        assert opened.json()["active"] is True
        assert world.visible("administrator") == {LILY_POLICE}
        # Flagged to oversight: every manager is told, and the log shows it.
        told = Notification.objects.filter(recipient=world.users["manager"], kind="break_glass")
        assert told.count() == 1 and lily.entity_id not in told.get().text
        log = world.client("manager").get("/api/v1/break-glass").json()["results"]
        assert [g["child_entity_id"] for g in log] == [lily.entity_id]
        assert AuditEvent.objects.filter(action="break_glass.open").count() == 1
        # Reads while it is in force carry the grant.
        world.client("practitioner").get("/api/v1/records")  # someone else: not flagged
        from shinealight.records.models import Record

        assert world.users["administrator"].has_perm(
            "records.view_record", Record.objects.get(record_id="INC-2")
        )
        clock.shift(timedelta(hours=4, minutes=1))
        assert world.visible("administrator") == set()
        assert (
            world.client("administrator").get("/api/v1/break-glass").json()["results"][0]["active"]
            is False
        )


def test_break_glass_reads_are_marked_in_the_audit_trail(world: World) -> None:
    from shinealight.audit.models import AuditEvent

    lily = world.entity("swy-police/INC-2/p1")
    practitioner = world.client("practitioner")
    practitioner.post(
        "/api/v1/break-glass",
        {"child_entity_id": lily.entity_id, "purpose": "Lily missing tonight; police ask"},
        format="json",
    )
    assert practitioner.get(f"/api/v1/records/{LILY_POLICE}").status_code == 200
    read = AuditEvent.objects.filter(action="record.read").latest("seq")
    assert read.detail["break_glass"]
    grant = practitioner.get("/api/v1/break-glass").json()["results"][0]
    closed = practitioner.post(f"/api/v1/break-glass/{grant['id']}/close")
    assert closed.status_code == 200 and closed.json()["active"] is False
    assert practitioner.get(f"/api/v1/records/{LILY_POLICE}").status_code == 404


def test_break_glass_opens_a_childs_records_never_an_adults(world: World) -> None:
    ash = world.entity("swy-police/INC-2/p2")
    admin = world.client("administrator")
    made = admin.post(
        "/api/v1/break-glass",
        {"child_entity_id": ash.entity_id, "purpose": "Looking for the adult's address"},
        format="json",
    )
    assert made.status_code == 201  # recorded and flagged, whatever the id names
    assert world.visible("administrator") == set()


def test_analysts_see_everything_not_sealed_managers_and_administrators_nothing(
    world: World,
) -> None:
    assert world.visible("analyst") == {OWN, KATIE_POLICE, LILY_POLICE}
    assert world.visible("manager") == set()
    assert world.visible("administrator") == set()
    assert world.client("manager").get("/api/v1/records").status_code == 403
    assert world.client("administrator").get("/api/v1/entities").status_code == 403


def test_a_merge_by_a_reviewer_widens_need_to_know_at_once(world: World) -> None:
    """Lily recorded by rmbc-csc under a name linkage did not join: a reviewer says "same"."""
    from shinealight.people.services import review_decide_pair
    from shinealight.records.services import records_submit
    from tests.security.access_world import person, record

    records_submit(
        payloads=[
            record(
                "rmbc-csc",
                "social_care",
                "REF-9",
                "referral",
                person("p1", "subject", {"name": "Lil G", "age_estimate": 13}),
            )
        ],
        acting_user=world.users["analyst"],
    )
    assert world.entity("rmbc-csc/REF-9/p1") != world.entity("swy-police/INC-2/p1")
    assert LILY_POLICE not in world.visible("practitioner")
    review_decide_pair(
        acting_user=world.users["analyst"],
        left="rmbc-csc/REF-9/p1",
        right="swy-police/INC-2/p1",
        decision="same",
        reason="Same school and address",
    )
    assert LILY_POLICE in world.visible("practitioner")


def test_an_alert_partly_visible_names_no_hidden_record_or_child(world: World) -> None:
    katie = world.entity("rmbc-csc/REF-1/p1")
    lily = world.entity("swy-police/INC-2/p1")
    katie.label, lily.label = "Katie Jane Brown", "Lily Rose Green"
    alert = _alert(world, KATIE_POLICE, LILY_POLICE, children=[katie, lily])
    body = world.client("practitioner").get(f"/api/v1/alerts/{alert.pk}").json()
    text = str(body)
    assert "INC-1" in text and "Katie Jane Brown" in text
    assert "INC-2" not in text and "Lily" not in text and lily.entity_id not in text
    assert [e["record_id"] for e in body["evidence"]] == ["INC-1"]
    assert body["evidence_not_shown"] is True
    assert "another child" in body["explanation"]
    listed = world.client("practitioner").get("/api/v1/alerts").json()["results"]
    assert lily.entity_id not in str(listed)
    # The analyst sees the whole alert as written.
    full = world.client("analyst").get(f"/api/v1/alerts/{alert.pk}").json()
    assert "INC-2" in full["explanation"] and full["evidence_not_shown"] is False


def test_a_child_by_age_counts_an_adult_by_age_does_not(world: World) -> None:
    """Not the record's subject: a victim aged 15 on the day is a child; one aged 30 is not."""
    from shinealight.records.services import records_submit
    from tests.security.access_world import nhs, person, record

    teen = {"name": "Mia Ann Walsh", "dob": "1995-06-30", "gender": "female"}
    grown = {"name": "Ruth Ellen Hale", "dob": "1980-06-30", "gender": "female"}
    teen_nhs, grown_nhs = nhs("999000011"), nhs("999000012")
    records_submit(
        payloads=[
            record(
                "rmbc-csc",
                "social_care",
                "REF-20",
                "assessment",
                person("p1", "victim", teen, teen_nhs),
                person("p2", "victim", grown, grown_nhs),
            ),
            record(
                "swy-police",
                "police",
                "INC-20",
                "crime_report",
                person("p1", "witness", teen, teen_nhs),
            ),
            record(
                "swy-police",
                "police",
                "INC-21",
                "crime_report",
                person("p1", "witness", grown, grown_nhs),
            ),
        ],
        acting_user=world.users["analyst"],
    )
    assert world.entity("rmbc-csc/REF-20/p1") == world.entity("swy-police/INC-20/p1")
    assert world.entity("rmbc-csc/REF-20/p2") == world.entity("swy-police/INC-21/p1")
    seen = world.visible("practitioner")
    assert "swy-police/INC-20" in seen
    assert "swy-police/INC-21" not in seen
