"""Access pages: break-glass form and oversight log, who accessed a child."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.access_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agencies: dict[str, Any], make_user: Any) -> World:
    return build_world(agencies, make_user)


def _browser(w: World, name: str) -> Client:
    client = Client()
    client.force_login(w.users[name])
    return client


def test_break_glass_from_the_form_then_oversight_sees_it_in_the_log(world: World) -> None:
    lily = world.entity("swy-police/INC-2/p1").entity_id
    page = _browser(world, "practitioner")
    form = page.get("/access/break-glass")
    assert form.status_code == 200 and b"Break-glass access" in form.content
    missing = page.post("/access/break-glass", {"child_entity_id": lily, "purpose": ""})
    assert missing.status_code == 200 and b"govuk-error-summary" in missing.content
    opened = page.post(
        "/access/break-glass",
        {"child_entity_id": lily, "purpose": "Lily missing tonight; <script>x</script>"},
    )
    assert opened.status_code == 302
    listed = page.get("/access/break-glass").content.decode()
    assert lily in listed and "Open" in listed
    assert "<script>x</script>" not in listed and "&lt;script&gt;" in listed
    log = _browser(world, "manager").get("/access/break-glass/log")
    assert log.status_code == 200 and lily in log.content.decode()
    assert _browser(world, "practitioner").get("/access/break-glass/log").status_code == 403
    assert _browser(world, "analyst").get("/access/break-glass").status_code == 403


def test_oversight_can_end_a_grant(world: World) -> None:
    from shinealight.access.models import BreakGlassGrant
    from shinealight.access.services import break_glass_open

    grant = break_glass_open(
        acting_user=world.users["practitioner"],
        child_entity_id="P-0000002",
        purpose="Checking a disclosure made tonight",
    )
    ended = _browser(world, "manager").post(f"/access/break-glass/{grant.pk}/end")
    assert ended.status_code == 302
    grant = BreakGlassGrant.objects.get(pk=grant.pk)
    assert grant.ended_by == world.users["manager"] and not grant.is_active
    # Someone else's grant is not there for a practitioner.
    assert (
        _browser(world, "colleague").post(f"/access/break-glass/{grant.pk}/end").status_code == 404
    )


def test_who_accessed_a_child(world: World) -> None:
    katie = world.entity("rmbc-csc/REF-1/p1").entity_id
    lily = world.entity("swy-police/INC-2/p1").entity_id
    world.client("practitioner").get("/api/v1/records/swy-police/INC-1?purpose=strategy meeting")
    world.client("police_lead").get(f"/api/v1/entities/{lily}")
    report = _browser(world, "csc_lead").get(f"/access/children/{katie}/accessed")
    assert report.status_code == 200
    text = report.content.decode()
    assert "practitioner" in text and "strategy meeting" in text
    assert "police_lead" not in text  # read Lily, not Katie
    # A lead whose agency never recorded Lily: not found; the police lead's agency did.
    assert _browser(world, "csc_lead").get(f"/access/children/{lily}/accessed").status_code == 404
    api = world.client("police_lead").get(f"/api/v1/children/{lily}/accessed").json()
    assert {e["actor_username"] for e in api["results"]} >= {"police_lead"}
    assert (
        _browser(world, "practitioner").get(f"/access/children/{katie}/accessed").status_code == 403
    )
    assert _browser(world, "manager").get(f"/access/children/{katie}/accessed").status_code == 200


def test_an_administrator_reads_a_child_only_under_break_glass(world: World) -> None:
    lily = world.entity("swy-police/INC-2/p1").entity_id
    katie = world.entity("rmbc-csc/REF-1/p1").entity_id
    admin = _browser(world, "administrator")
    assert b'href="/access/break-glass"' in admin.get("/").content
    assert admin.get(f"/people/{lily}").status_code == 403
    assert admin.get("/records/swy-police/INC-2").status_code == 403
    opened = admin.post(
        "/access/break-glass", {"child_entity_id": lily, "purpose": "Lily missing tonight"}
    )
    assert opened.status_code == 302
    assert f'href="/people/{lily}"' in admin.get("/access/break-glass").content.decode()
    profile = admin.get(f"/people/{lily}")
    assert profile.status_code == 200 and b"INC-2" in profile.content
    assert admin.get("/records/swy-police/INC-2").status_code == 200
    # The grant opens Lily, not Katie, and not the pages beyond a child's records.
    assert admin.get(f"/people/{katie}").status_code == 404
    assert admin.get("/records/rmbc-csc/REF-1").status_code == 404
    assert admin.get(reverse("alerts-list")).status_code == 403
    from shinealight.access.models import BreakGlassGrant

    grant = BreakGlassGrant.objects.get(user=world.users["administrator"])
    admin.post(f"/access/break-glass/{grant.pk}/end")
    assert admin.get(f"/people/{lily}").status_code == 403
