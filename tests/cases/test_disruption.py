"""The disruption tracker: tactics against adults, vehicles and places, every change kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shinealight.cases import services
from tests.cases.helpers import audit_actions

pytestmark = pytest.mark.django_db


def test_a_warning_notice_is_recorded_updated_and_kept(users: dict[str, Any]) -> None:
    lead = users["safeguarding_lead"]
    cawn = services.disruption_record(
        tactic="cawn",
        target_role="adult",
        target_kind="person",
        target_entity_id="P000777",
        target_label="'Ash'",
        owner=lead,
        status="planned",
        acting_user=lead,
    )
    assert cawn.lead_agency.code == "swy-police"
    services.disruption_update(
        disruption=cawn,
        acting_user=lead,
        status="in_force",
        started_on=date(2025, 1, 6),
        ends_on=date(2027, 1, 5),
        note="Served in person",
    )
    services.disruption_update(
        disruption=cawn,
        acting_user=lead,
        status="breached",
        outcome="Found with the child",
        outcome_on=date(2025, 3, 1),
    )
    cawn.refresh_from_db()
    assert cawn.status == "breached"
    changes = [u.changes for u in cawn.updates.all()]
    assert changes[1]["status"] == ["planned", "in_force"]
    assert changes[2]["status"] == ["in_force", "breached"]
    assert audit_actions("disruption") == [
        "disruption.record",
        "disruption.update",
        "disruption.update",
    ]
    with pytest.raises(services.WorkflowRefused, match="before it starts"):
        services.disruption_update(disruption=cawn, acting_user=lead, ends_on=date(2024, 1, 1))
    with pytest.raises(services.WorkflowRefused, match="Unknown tactic"):
        services.disruption_record(
            tactic="curfew",
            target_role="adult",
            target_kind="person",
            target_entity_id="P1",
            owner=lead,
            status="planned",
            acting_user=lead,
        )


def test_the_api_tracks_disruption_for_the_agencies_involved(client_for: Any) -> None:
    lead = client_for("safeguarding_lead")
    created = lead.post(
        "/api/v1/disruptions",
        {
            "tactic": "licensing_action",
            "target_role": "place",
            "target_kind": "location",
            "target_entity_id": "L000009",
            "target_label": "Eastwood takeaway",
            "status": "in_force",
            "started_on": "2025-01-06",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["owner"] == "safeguarding_lead"
    updated = lead.post(
        f"/api/v1/disruptions/{pk}/update",
        {"status": "ended", "outcome": "Licence revoked", "outcome_on": "2025-02-01"},
        format="json",
    )
    assert updated.status_code == 200
    assert [u["changes"].get("status") for u in updated.json()["updates"]][-1] == [
        "in_force",
        "ended",
    ]
    assert client_for("analyst").get("/api/v1/disruptions?target=L000009").json()["count"] == 1
    # Another agency, not involved: as if it did not exist.
    assert client_for("practitioner").get(f"/api/v1/disruptions/{pk}").status_code == 404
    assert client_for("manager").get("/api/v1/disruptions").status_code == 403
