"""Every API route × every role: allowed, or refused with no data in the body."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["practitioner", "safeguarding_lead", "analyst", "manager", "administrator"]
CASE = {"practitioner", "safeguarding_lead", "analyst"}
# The spec example's referral belongs to rmbc-csc (the practitioner's agency); the
# safeguarding lead is in swy-police, so for them it must not exist.
REFERRAL = "/api/v1/records/rmbc-csc/REF-88121"
SECRET_WORDS = ("Katie", "KX55", "REF-88121", "Chloe", "Donna")


def record_for(user: Any, n: int) -> dict[str, Any]:
    return {
        "agency": user.agency.code,
        "agency_type": user.agency.agency_type,
        "record_id": f"NEW-{n}",
        "type": "other",
        "recorded_at": "2010-01-01T00:00:00Z",
    }


def new_user_body(n: int) -> dict[str, Any]:
    return {
        "username": f"new-user-{n}",
        "password": "a long enough passphrase 42",
        "role": "practitioner",
        "agency": "rmbc-csc",
    }


ROUTES: list[tuple[str, str, Any, dict[str, int]]] = [
    # (method, path, body or None, expected status by role; absent role = 403)
    ("get", "/api/v1/me", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/agencies", None, dict.fromkeys(ROLES, 200)),
    (
        "post",
        "/api/v1/agencies",
        lambda u, n: {"code": f"new-agency-{n}", "agency_type": "health"},
        {"administrator": 201},
    ),
    ("get", "/api/v1/users", None, {"administrator": 200}),
    ("post", "/api/v1/users", lambda u, n: new_user_body(n), {"administrator": 201}),
    ("get", "/api/v1/records", None, dict.fromkeys(CASE, 200)),
    ("post", "/api/v1/records", record_for, dict.fromkeys(CASE, 201)),
    ("get", REFERRAL, None, {"practitioner": 200, "safeguarding_lead": 404, "analyst": 200}),
    (
        "get",
        REFERRAL + "/versions",
        None,
        {"practitioner": 200, "safeguarding_lead": 404, "analyst": 200},
    ),
    (
        "get",
        "/api/v1/records/rmbc-csc/NO-SUCH-RECORD",
        None,
        {"practitioner": 404, "safeguarding_lead": 404, "analyst": 404},
    ),
    ("get", "/api/v1/mentions/persons?q=katie", None, dict.fromkeys(CASE, 200)),
    ("get", "/api/v1/statistics", None, {"manager": 200, "safeguarding_lead": 200, "analyst": 200}),
    ("get", "/api/v1/audit/events", None, {"manager": 200}),
    ("get", "/api/v1/schema/", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/docs/", None, dict.fromkeys(ROLES, 200)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    ROUTES,
    ids=[f"{m.upper()} {p}" for m, p, _, _ in ROUTES],
)
def test_route_for_every_role(
    imported: Any,
    users: dict[str, Any],
    client_for: Any,
    method: str,
    path: str,
    body: Any,
    expected: dict[str, int],
) -> None:
    for n, role in enumerate(ROLES):
        client = client_for(role)
        if path == "/api/v1/docs/":
            client.force_login(users[role])  # a browser page: session sign-in
        data = body(users[role], n) if body else None
        response = (
            getattr(client, method)(path, data=data, format="json")
            if data
            else getattr(client, method)(path)
        )
        want = expected.get(role, 403)
        assert response.status_code == want, (role, response.status_code, response.content[:300])
        if want in (403, 404):
            payload = response.json()
            assert set(payload) == {"message", "extra"} and payload["extra"] == {}, payload
            text = json.dumps(payload)
            assert not any(word in text for word in SECRET_WORDS), (role, text)


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    ROUTES,
    ids=[f"{m.upper()} {p}" for m, p, _, _ in ROUTES],
)
def test_route_refuses_anonymous(
    imported: Any, client_for: Any, method: str, path: str, body: Any, expected: dict[str, int]
) -> None:
    response = getattr(client_for(None), method)(path)
    if path == "/api/v1/docs/":
        # The documentation page is for browsers: it sends people to sign in.
        assert response.status_code == 302 and response["Location"].startswith("/sign-in")
        return
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}


def _routes(patterns: Any, prefix: str = "") -> set[str]:
    from django.urls import URLResolver

    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            found |= _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            found.add(prefix + str(p.pattern))
    return found


def test_every_api_route_is_in_the_matrix() -> None:
    """A new route must be added to ROUTES above, with who may use it."""
    from django.urls import get_resolver

    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    routes = _routes(api.url_patterns) - {"auth/token"}
    covered = {path.split("?")[0].removeprefix("/api/v1/") for _, path, _, _ in ROUTES}
    examples = {
        "records/<str:agency>/<str:record_id>": "records/rmbc-csc/REF-88121",
        "records/<str:agency>/<str:record_id>/versions": "records/rmbc-csc/REF-88121/versions",
    }
    assert {examples.get(r, r) for r in routes} <= covered


def test_a_lead_sees_only_their_own_agencys_people(imported: Any, client_for: Any) -> None:
    lead = client_for("safeguarding_lead")  # swy-police
    names = {m["name"] for m in lead.get("/api/v1/mentions/persons?q=smith").json()["results"]}
    assert names == {"Chloe Marie Smith"}
    analyst = client_for("analyst")
    names = {m["name"] for m in analyst.get("/api/v1/mentions/persons?q=smith").json()["results"]}
    assert {"Katie Smith", "Donna Smith", "Chloe Smith", "Chloe Marie Smith"} <= names


def test_list_shows_only_visible_records(imported: Any, client_for: Any) -> None:
    practitioner = client_for("practitioner").get("/api/v1/records").json()
    assert {r["agency"] for r in practitioner["results"]} == {"rmbc-csc"}
    assert practitioner["count"] == 1
    analyst = client_for("analyst").get("/api/v1/records").json()
    assert analyst["count"] == 4


def test_deactivated_user_is_refused(imported: Any, users: dict[str, Any], client_for: Any) -> None:
    client = client_for("analyst")
    users["analyst"].is_active = False
    users["analyst"].save()
    assert client.get("/api/v1/records").status_code == 401
