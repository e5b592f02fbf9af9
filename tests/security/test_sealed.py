"""Sealed records: sexual health and handling code C stay with the owning agency.

Katie is known to rmbc-csc and swy-police; rdash-health holds her sexual-health record
(SH-1) and risky-business holds intelligence about her under handling code C (RB-1).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.access_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agencies: dict[str, Any], make_user: Any) -> World:
    return build_world(agencies, make_user)


HEALTH = "rdash-health/SH-1"
SOURCE = "risky-business/RB-1"


def _basis() -> str:
    from shinealight.cases.config import workflow

    return workflow().lawful_bases[0]


def test_a_sealed_record_is_invisible_to_other_agencies_even_analysts(world: World) -> None:
    for name in ("practitioner", "police_lead", "analyst", "manager", "administrator"):
        seen = world.visible(name)
        assert HEALTH not in seen and SOURCE not in seen, name
    # The need-to-know rule alone would show it: they see the child's other records.
    assert "swy-police/INC-1" in world.visible("practitioner")
    assert world.client("analyst").get(f"/api/v1/records/{HEALTH}").status_code == 404
    assert world.client("practitioner").get(f"/api/v1/records/{SOURCE}").status_code == 404
    # The owning agency sees its own.
    assert HEALTH in world.visible("health_nurse")
    assert world.client("health_nurse").get(f"/api/v1/records/{HEALTH}").status_code == 200


def test_a_sealed_record_never_shows_in_the_childs_entity_to_others(world: World) -> None:
    katie = world.entity("rmbc-csc/REF-1/p1")
    body = world.client("analyst").get(f"/api/v1/entities/{katie.entity_id}").json()
    mentions = {m["mention_id"] for m in body["mentions"]}
    assert "rmbc-csc/REF-1/p1" in mentions
    assert not any(m.startswith(("rdash-health/", "risky-business/")) for m in mentions)


def test_existence_is_shown_only_when_the_owning_agency_allows_it(world: World) -> None:
    practitioner = world.client("practitioner")
    assert practitioner.get("/api/v1/sealed-records").json()["results"] == []
    allowed = world.client("health_lead").post(
        "/api/v1/access-policy", {"show_sealed_existence": True}, format="json"
    )
    assert allowed.status_code == 200
    stubs = practitioner.get("/api/v1/sealed-records").json()["results"]
    assert [(s["agency"], s["recorded_on"], s["sealed"]) for s in stubs] == [
        ("rdash-health", "2010-05-01", True)
    ]
    assert set(stubs[0]) == {"id", "agency", "recorded_on", "sealed"}
    assert "SH-1" not in str(stubs) and "Fraser" not in str(stubs)
    # Only for those with need-to-know: the police lead knows Katie, the health nurse owns it.
    assert world.client("police_lead").get("/api/v1/sealed-records").json()["count"] == 1
    katie = world.entity("rmbc-csc/REF-1/p1").entity_id
    lily = world.entity("swy-police/INC-2/p1").entity_id
    assert practitioner.get(f"/api/v1/sealed-records?entity_id={katie}").json()["count"] == 1
    assert practitioner.get(f"/api/v1/sealed-records?entity_id={lily}").json()["count"] == 0


def test_release_through_a_recorded_disclosure(world: World) -> None:
    from shinealight.cases.models import Disclosure

    world.client("health_lead").post(
        "/api/v1/access-policy", {"show_sealed_existence": True}, format="json"
    )
    practitioner = world.client("practitioner")
    stub = practitioner.get("/api/v1/sealed-records").json()["results"][0]
    asked = practitioner.post(
        f"/api/v1/sealed-records/{stub['id']}/release-requests",
        {"reason": "Strategy discussion about Katie on Monday"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    # Another agency's lead cannot decide it; the owning agency's lead can.
    assert (
        world.client("police_lead")
        .post(
            f"/api/v1/release-requests/{request_id}/decision",
            {"release": True, "note": "-"},
            format="json",
        )
        .status_code
        == 404
    )
    decided = world.client("health_lead").post(
        f"/api/v1/release-requests/{request_id}/decision",
        {"release": True, "note": "Needed for the strategy discussion", "lawful_basis": _basis()},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "released"
    disclosure = Disclosure.objects.get(pk=decided.json()["disclosure_id"])
    assert disclosure.recipient_agency.code == "rmbc-csc"
    assert disclosure.disclosing_agency.code == "rdash-health"
    # Released to rmbc-csc: its people see it; nobody else does, analysts included.
    assert HEALTH in world.visible("practitioner") and HEALTH in world.visible("colleague")
    assert HEALTH not in world.visible("analyst") and HEALTH not in world.visible("police_lead")
    assert practitioner.get("/api/v1/sealed-records").json()["results"] == []


def test_a_refused_release_keeps_it_sealed(world: World) -> None:
    from shinealight.access.models import AgencyAccessPolicy

    AgencyAccessPolicy.objects.create(
        agency=world.users["health_lead"].agency,
        show_sealed_existence=True,
        set_by=world.users["health_lead"],
        set_at="2010-01-01T00:00:00Z",
    )
    practitioner = world.client("practitioner")
    stub = practitioner.get("/api/v1/sealed-records").json()["results"][0]
    request_id = practitioner.post(
        f"/api/v1/sealed-records/{stub['id']}/release-requests",
        {"reason": "Planning"},
        format="json",
    ).json()["id"]
    refused = world.client("health_lead").post(
        f"/api/v1/release-requests/{request_id}/decision",
        {"release": False, "note": "Fraser competent; she has not agreed"},
        format="json",
    )
    assert refused.json()["status"] == "refused"
    assert HEALTH not in world.visible("practitioner")


def test_handling_conditions_show_wherever_the_record_appears(world: World) -> None:
    from django.test import Client

    browser = Client()
    browser.force_login(world.users["analyst"])
    # The analyst is in no owning agency: the page is not there for them.
    assert browser.get(f"/records/{SOURCE}").status_code == 404
    owner_user = world.users["health_nurse"]
    owner_user.agency = world.record(SOURCE).agency
    owner_user.save()
    browser.force_login(owner_user)
    page = browser.get(f"/records/{SOURCE}").content.decode()
    assert "govuk-warning-text" in page
    assert "Handling code C" in page and "Do not disclose to the family" in page


def test_handling_code_c_is_never_exported_outside_the_owning_agency(world: World) -> None:
    from shinealight.records.models import Record

    owner = world.record(SOURCE).agency
    lead = world.users["police_lead"]
    # Released to the police by a recorded disclosure, so they may read it …
    from shinealight.cases.services import Recipient, disclosure_record

    owner_lead = world.users["health_lead"]
    owner_lead.agency = owner
    owner_lead.save()
    disclosure_record(
        acting_user=owner_lead,
        lawful_basis=_basis(),
        purpose="Police investigation",
        recipient=Recipient(agency=lead.agency),
        what_was_shared="RB-1",
        records=[world.record(SOURCE)],
    )
    assert SOURCE in world.visible("police_lead")
    # … but not take it out of the system: the originator's conditions travel with it.
    exportable = Record.objects.exportable_by(lead).values_list("record_id", flat=True)
    assert "RB-1" not in set(exportable) and "INC-1" in set(exportable)
    assert "RB-1" in set(
        Record.objects.exportable_by(owner_lead).values_list("record_id", flat=True)
    )
