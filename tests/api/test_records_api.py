"""The records API: submit one or many through the import path, read back with history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shinealight.records.models import Record

pytestmark = pytest.mark.django_db


def referral(**changes: Any) -> dict[str, Any]:
    record = {
        "agency": "rmbc-csc",
        "agency_type": "social_care",
        "record_id": "REF-1",
        "type": "referral",
        "recorded_at": "2010-03-01T09:00:00Z",
        "summary": "Seen getting into a silver car, plate starting KX55.",
        "persons": [
            {
                "ref": "p1",
                "role": "subject",
                "name": "Jade Walker",
                "dob": "1996-05",
                "phones": ["07700 900321"],
            }
        ],
        "indicators": ["in_car_with_unknown_adults"],
    }
    return {**record, **changes}


def test_submit_one_then_resend_then_change(client_for: Any) -> None:
    client = client_for("practitioner")
    first = client.post("/api/v1/records", referral(), format="json")
    assert first.status_code == 201 and first.json()["new"] == 1
    again = client.post("/api/v1/records", referral(), format="json")
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    changed = client.post("/api/v1/records", referral(summary="Now a black car."), format="json")
    assert changed.json()["updated"] == 1
    versions = client.get("/api/v1/records/rmbc-csc/REF-1/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["payload"]["summary"].startswith("Seen getting into")
    assert versions[1]["source"] == "api"


def test_submit_a_batch_all_or_nothing(client_for: Any) -> None:
    client = client_for("practitioner")
    batch = [referral(record_id=f"REF-{i}") for i in range(3)]
    batch[2]["recorded_at"] = "last Tuesday"
    response = client.post("/api/v1/records", {"records": batch}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"].startswith("Nothing was stored")
    assert body["extra"]["errors"] == [
        {"index": 2, "field": "recorded_at", "reason": "not an ISO 8601 date-time with offset"}
    ]
    assert Record.objects.count() == 0
    ok = client.post("/api/v1/records", batch[:2], format="json")
    assert ok.status_code == 201 and ok.json()["new"] == 2


def test_cannot_submit_for_another_agency(client_for: Any) -> None:
    response = client_for("practitioner").post(
        "/api/v1/records",
        referral(agency="swy-police", agency_type="police", type="police_stop"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["errors"][0]["field"] == "agency"
    assert Record.objects.count() == 0


def test_record_detail_shows_normalised_mentions(client_for: Any) -> None:
    client = client_for("practitioner")
    client.post("/api/v1/records", referral(), format="json")
    detail = client.get("/api/v1/records/rmbc-csc/REF-1").json()
    assert detail["type"] == "referral" and detail["version"] == 1
    person = detail["persons"][0]
    assert person["mention_id"] == "rmbc-csc/REF-1/p1"
    assert person["phones_e164"] == ["+447700900321"]
    assert detail["phones"][0]["e164"] == "+447700900321"


def test_list_filters_and_pagination(imported: Any, client_for: Any) -> None:
    client = client_for("analyst")
    page = client.get("/api/v1/records?page_size=2").json()
    # Four records, less the two sealed to their agencies (sexual health; handling code C).
    assert page["count"] == 2 and len(page["results"]) == 2
    police = client.get("/api/v1/records?agency=swy-police").json()
    assert [r["record_id"] for r in police["results"]] == ["INC-2009-004417"]
    assert police["results"][0]["grading"] == {"source": "1", "intelligence": "B", "handling": "P"}
    bad = client.get("/api/v1/records?recorded_from=someday")
    assert bad.status_code == 400 and set(bad.json()) == {"message", "extra"}


def test_handling_conditions_travel_with_the_record(imported: Any, make_user: Any) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from shinealight.records.models import Agency

    # Handling code C seals the record to its owning agency, so one of its people reads it.
    owner = make_user("practitioner", None, "rb-worker")
    owner.agency = Agency.objects.get(code="risky-business")
    owner.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    detail = client.get("/api/v1/records/risky-business/RB-0413").json()
    assert detail["grading"]["handling"] == "C"
    assert detail["grading"]["handling_conditions"].startswith("Do not disclose")


def test_schema_is_openapi_3_and_lists_the_routes(users: dict[str, Any], client_for: Any) -> None:
    response = client_for("practitioner").get("/api/v1/schema/?format=json")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/records" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/records"]


def test_admin_manages_users_and_agencies(users: dict[str, Any], client_for: Any) -> None:
    admin = client_for("administrator")
    weak = admin.post(
        "/api/v1/users",
        {"username": "sam", "password": "short", "role": "practitioner", "agency": "rmbc-csc"},
        format="json",
    )
    assert weak.status_code == 400 and "password" in weak.json()["extra"]["fields"]
    made = admin.post(
        "/api/v1/agencies",
        {"code": "rmbc-schools", "agency_type": "education", "name": "Rotherham schools"},
        format="json",
    )
    assert made.status_code == 201
    user = admin.post(
        "/api/v1/users",
        {
            "username": "sam",
            "password": "a long enough phrase 7",
            "role": "practitioner",
            "agency": "rmbc-schools",
        },
        format="json",
    )
    assert user.status_code == 201 and user.json()["agency"] == "rmbc-schools"


def test_registering_an_agency_twice_is_a_clear_400(users: dict[str, Any], client_for: Any) -> None:
    # Found by schemathesis: the second registration used to fail with a database error.
    admin = client_for("administrator")
    body = {"code": "rmbc-schools", "agency_type": "education", "name": "Rotherham schools"}
    assert admin.post("/api/v1/agencies", body, format="json").status_code == 201
    again = admin.post("/api/v1/agencies", body, format="json")
    assert again.status_code == 400
    assert "already registered" in again.json()["extra"]["fields"]["code"][0]
    listed = admin.get("/api/v1/agencies").json()
    assert "rmbc-schools" in [a["code"] for a in listed["results"]]
