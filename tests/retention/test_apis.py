"""The retention API: legal holds for governance roles, subject access for managers and analysts."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_governance_places_lists_reads_and_releases_a_hold(imported: Any, client_for: Any) -> None:
    from shinealight.audit.models import AuditEvent

    manager = client_for("manager")
    made = manager.post(
        "/api/v1/legal-holds",
        {"name": "Inquiry", "reason": "Freeze", "agency": "swy-police", "area": "rotherham"},
        format="json",
    )
    assert made.status_code == 201, made.content
    hold = made.json()
    assert hold["active"] and hold["agency"] == "swy-police" and hold["created_by"] == "manager"
    listed = client_for("administrator").get("/api/v1/legal-holds?purpose=quarterly check")
    assert [h["id"] for h in listed.json()["results"]] == [hold["id"]]
    page = AuditEvent.objects.get(action="retention.hold_list")
    assert page.object_ids == [str(hold["id"])] and page.purpose == "quarterly check"
    assert manager.get(f"/api/v1/legal-holds/{hold['id']}").json()["name"] == "Inquiry"
    refused = manager.post(f"/api/v1/legal-holds/{hold['id']}/release", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["extra"]["fields"]
    released = manager.post(
        f"/api/v1/legal-holds/{hold['id']}/release", {"reason": "Inquiry over"}, format="json"
    )
    assert released.status_code == 200 and released.json()["active"] is False
    again = manager.post(
        f"/api/v1/legal-holds/{hold['id']}/release", {"reason": "again"}, format="json"
    )
    assert again.status_code == 409 and set(again.json()) == {"message", "extra"}


def test_a_hold_with_no_scope_is_refused_with_the_field(imported: Any, client_for: Any) -> None:
    response = client_for("manager").post(
        "/api/v1/legal-holds", {"name": "x", "reason": "y"}, format="json"
    )
    assert response.status_code == 400
    assert "whole_partnership" in response.json()["extra"]["fields"]


def test_subject_access_comes_back_as_a_zip(imported: Any, client_for: Any) -> None:
    from tests.retention.conftest import entity_of

    chloe = entity_of("swy-police/INC-2009-004417/p1")
    response = client_for("manager").post(
        "/api/v1/subject-access",
        {"entity_id": chloe.entity_id, "reference": "SAR-9"},
        format="json",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="subject-access-P-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("subject-access.json"))
    assert data["reference"] == "SAR-9" and data["entity_id"] == chloe.entity_id
    vehicle = entity_of("swy-police/INC-2009-004417/v1")
    # Subject access is for people: an object's id is not found.
    not_person = client_for("analyst").post(
        "/api/v1/subject-access", {"entity_id": vehicle.entity_id, "reference": "x"}, format="json"
    )
    assert not_person.status_code == 404
