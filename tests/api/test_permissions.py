"""Every API route × every role: allowed, or refused with no data in the body."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["practitioner", "safeguarding_lead", "analyst", "manager", "administrator"]
CASE = {"practitioner", "safeguarding_lead", "analyst"}
# The spec example's referral belongs to rmbc-csc (the practitioner's agency). Linkage
# joins its child with the child of swy-police's stop, so the safeguarding lead (swy-police)
# sees it too: need-to-know (docs/access.md). tests/security/ covers the refusals.
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


def intelligence_body() -> dict[str, Any]:
    return {
        "what_was_seen": "A man waits outside the school most afternoons.",
        "source": "2",
        "intelligence": "C",
        "handling": "P",
    }


def disclosure_body(user: Any) -> dict[str, Any]:
    from shinealight.cases.config import workflow

    return {
        "lawful_basis": workflow().lawful_bases[0],
        "purpose": "Strategy discussion preparation",
        "recipient_agency": "swy-police" if user.agency.code != "swy-police" else "rmbc-csc",
        "what_was_shared": "Dates of missing episodes",
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
    ("get", REFERRAL, None, dict.fromkeys(CASE, 200)),
    ("get", REFERRAL + "/versions", None, dict.fromkeys(CASE, 200)),
    # A sealed record (sexual health) of an agency none of the users belongs to.
    ("get", "/api/v1/records/rdash-sexual-health/SH-2009-1180", None, dict.fromkeys(CASE, 404)),
    (
        "get",
        "/api/v1/records/rmbc-csc/NO-SUCH-RECORD",
        None,
        {"practitioner": 404, "safeguarding_lead": 404, "analyst": 404},
    ),
    ("get", "/api/v1/mentions/persons?q=katie", None, dict.fromkeys(CASE, 200)),
    ("get", "/api/v1/statistics", None, {"manager": 200, "safeguarding_lead": 200, "analyst": 200}),
    ("get", "/api/v1/audit/events", None, {"manager": 200}),
    ("get", "/api/v1/extracted-mentions", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/extracted-mentions/999999/review",
        lambda u, n: {"decision": "confirmed"},
        dict.fromkeys(CASE, 404),
    ),
    ("post", "/api/v1/intelligence", lambda u, n: intelligence_body(), dict.fromkeys(ROLES, 201)),
    ("get", "/api/v1/intelligence/mine", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/intelligence/queue", None, {"safeguarding_lead": 200, "analyst": 200}),
    (
        "post",
        "/api/v1/intelligence/999999/acted-on",
        lambda u, n: {"note": "-"},
        {"safeguarding_lead": 404, "analyst": 404},
    ),
    ("get", "/api/v1/entities?kind=person", None, dict.fromkeys(CASE, 200)),
    ("get", "/api/v1/entities/P-9999999", None, dict.fromkeys(CASE, 404)),
    ("get", "/api/v1/review/items", None, {"safeguarding_lead": 200, "analyst": 200}),
    (
        "post",
        "/api/v1/review/items/999999/decision",
        lambda u, n: {"decision": "same"},
        {"safeguarding_lead": 404, "analyst": 404},
    ),
    (
        "post",
        "/api/v1/review/decisions/999999/revoke",
        None,
        {"safeguarding_lead": 404, "analyst": 404},
    ),
    ("get", "/api/v1/linkage/model", None, {"analyst": 200, "manager": 200}),
    # cases: alert lifecycle, risk judgements, meetings, actions, escalation, disruption
    ("get", "/api/v1/workflow", None, dict.fromkeys(ROLES, 200)),
    ("get", "/api/v1/alert-cases", None, dict.fromkeys(CASE, 200)),
    ("get", "/api/v1/alert-cases/999999", None, dict.fromkeys(CASE, 404)),
    ("post", "/api/v1/alert-cases/999999/acknowledge", None, dict.fromkeys(CASE, 404)),
    (
        "post",
        "/api/v1/alert-cases/999999/assign",
        lambda u, n: {"owner": "analyst", "reason": "-"},
        dict.fromkeys(CASE, 404),
    ),
    (
        "post",
        "/api/v1/alert-cases/999999/triage",
        lambda u, n: {"decision": "mace"},
        dict.fromkeys(CASE, 404),
    ),
    (
        "post",
        "/api/v1/alert-cases/999999/close",
        lambda u, n: {"outcome": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/children/P-9999999/risk", None, dict.fromkeys(CASE, 404)),
    (
        "post",
        "/api/v1/children/P-9999999/risk",
        lambda u, n: {"level": "emerging", "rationale": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/risk-judgements/awaiting-agreement", None, dict.fromkeys(CASE, 200)),
    ("post", "/api/v1/risk-judgements/999999/agree", None, dict.fromkeys(CASE, 404)),
    (
        "post",
        "/api/v1/risk-judgements/999999/decline",
        lambda u, n: {"reason": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/meetings", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/meetings",
        lambda u, n: {
            "kind": "mace",
            "held_at": "2010-01-01T10:00:00Z",
            "attendees": [{"agency": u.agency.code}] if u.agency else [],
        },
        dict.fromkeys(CASE, 201),
    ),
    ("get", "/api/v1/meetings/999999", None, dict.fromkeys(CASE, 404)),
    ("get", "/api/v1/actions", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/actions",
        lambda u, n: {"description": "-", "owner": u.username},
        dict.fromkeys(CASE, 409),  # an action belongs to a meeting or a case
    ),
    (
        "post",
        "/api/v1/actions/999999/complete",
        lambda u, n: {"note": "-"},
        dict.fromkeys(CASE, 404),
    ),
    (
        "post",
        "/api/v1/actions/999999/cancel",
        lambda u, n: {"reason": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/escalations", None, dict.fromkeys([*CASE, "manager"], 200)),
    (
        "post",
        "/api/v1/escalations/999999/acknowledge",
        lambda u, n: {"note": "-"},
        dict.fromkeys([*CASE, "manager"], 404),
    ),
    ("get", "/api/v1/disruptions", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/disruptions",
        lambda u, n: {
            "tactic": "cawn",
            "target_role": "adult",
            "target_kind": "person",
            "target_entity_id": "P-0000001",
            "status": "planned",
        },
        dict.fromkeys(CASE, 201),
    ),
    ("get", "/api/v1/disruptions/999999", None, dict.fromkeys(CASE, 404)),
    (
        "post",
        "/api/v1/disruptions/999999/update",
        lambda u, n: {"note": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/disclosures", None, dict.fromkeys(CASE, 200)),
    ("post", "/api/v1/disclosures", lambda u, n: disclosure_body(u), dict.fromkeys(CASE, 201)),
    ("get", "/api/v1/disclosures/999999", None, dict.fromkeys(CASE, 404)),
    ("get", "/api/v1/disclosures/counts", None, {"manager": 200, "analyst": 200}),
    ("get", "/api/v1/notifications", None, dict.fromkeys(ROLES, 200)),
    ("post", "/api/v1/notifications/999999/read", None, dict.fromkeys(ROLES, 404)),
    (
        "get",
        "/api/v1/oversight/figures",
        None,
        {"manager": 200, "safeguarding_lead": 200, "analyst": 200},
    ),
    ("get", "/api/v1/reporting-lines", None, {"administrator": 200}),
    (
        "post",
        "/api/v1/reporting-lines",
        lambda u, n: {"user": "practitioner", "manager": "safeguarding_lead"},
        {"administrator": 201},
    ),
    ("get", "/api/v1/alerts", None, dict.fromkeys(CASE, 200)),
    ("get", "/api/v1/alerts/999999", None, dict.fromkeys(CASE, 404)),
    (
        "get",
        "/api/v1/alerts/counts",
        None,
        {"manager": 200, "safeguarding_lead": 200, "analyst": 200},
    ),
    # retention: legal holds (information governance) and subject access exports
    ("get", "/api/v1/legal-holds", None, dict.fromkeys(["manager", "administrator"], 200)),
    (
        "post",
        "/api/v1/legal-holds",
        lambda u, n: {"name": f"Inquiry {n}", "reason": "-", "area": "rotherham"},
        dict.fromkeys(["manager", "administrator"], 201),
    ),
    (
        "get",
        "/api/v1/legal-holds/999999",
        None,
        dict.fromkeys(["manager", "administrator"], 404),
    ),
    (
        "post",
        "/api/v1/legal-holds/999999/release",
        lambda u, n: {"reason": "-"},
        dict.fromkeys(["manager", "administrator"], 404),
    ),
    (
        "post",
        "/api/v1/subject-access",
        lambda u, n: {"entity_id": "P-9999999", "reference": "SAR-1"},
        dict.fromkeys(["manager", "analyst"], 404),
    ),
    # exports: networks and alerts for analysts and leads; chronology CSV for case roles
    (
        "get",
        "/api/v1/exports/alerts/999999.anx",
        None,
        {"safeguarding_lead": 404, "analyst": 404},
    ),
    (
        "get",
        "/api/v1/exports/people/P-9999999/network.gexf",
        None,
        {"safeguarding_lead": 404, "analyst": 404},
    ),
    (
        "get",
        "/api/v1/exports/people/P-9999999/chronology.csv",
        None,
        dict.fromkeys(CASE, 404),
    ),
    # access: break-glass, sealed records and their release, who accessed a child
    (
        "get",
        "/api/v1/break-glass",
        None,
        dict.fromkeys([*CASE - {"analyst"}, "administrator", "manager"], 200),
    ),
    (
        "post",
        "/api/v1/break-glass",
        lambda u, n: {
            "child_entity_id": "P-0000001",
            "purpose": "Child missing tonight, police asking",
        },
        {"practitioner": 201, "safeguarding_lead": 201, "administrator": 201},
    ),
    (
        "post",
        "/api/v1/break-glass/999999/close",
        None,
        {"practitioner": 404, "safeguarding_lead": 404, "administrator": 404, "manager": 404},
    ),
    ("get", "/api/v1/sealed-records", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/sealed-records/999999/release-requests",
        lambda u, n: {"reason": "-"},
        dict.fromkeys(CASE, 404),
    ),
    ("get", "/api/v1/release-requests", None, dict.fromkeys(CASE, 200)),
    (
        "post",
        "/api/v1/release-requests/999999/decision",
        lambda u, n: {"release": False, "note": "-"},
        {"safeguarding_lead": 404},
    ),
    ("get", "/api/v1/access-policy", None, {"safeguarding_lead": 404}),
    (
        "post",
        "/api/v1/access-policy",
        lambda u, n: {"show_sealed_existence": False},
        {"safeguarding_lead": 200},
    ),
    (
        "get",
        "/api/v1/children/P-9999999/accessed",
        None,
        dict.fromkeys(["safeguarding_lead", "analyst", "manager"], 404),
    ),
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
        "extracted-mentions/<int:pk>/review": "extracted-mentions/999999/review",
        "intelligence/<int:pk>/acted-on": "intelligence/999999/acted-on",
        "alerts/<int:pk>": "alerts/999999",
        "exports/alerts/<int:pk>.<str:fmt>": "exports/alerts/999999.anx",
        "exports/people/<str:entity_id>/network.<str:fmt>": (
            "exports/people/P-9999999/network.gexf"
        ),
        "exports/people/<str:entity_id>/chronology.csv": (
            "exports/people/P-9999999/chronology.csv"
        ),
        "entities/<str:entity_id>": "entities/P-9999999",
        "review/items/<int:item_id>/decision": "review/items/999999/decision",
        "review/decisions/<int:decision_id>/revoke": "review/decisions/999999/revoke",
        "alert-cases/<int:pk>": "alert-cases/999999",
        "alert-cases/<int:pk>/acknowledge": "alert-cases/999999/acknowledge",
        "alert-cases/<int:pk>/assign": "alert-cases/999999/assign",
        "alert-cases/<int:pk>/triage": "alert-cases/999999/triage",
        "alert-cases/<int:pk>/close": "alert-cases/999999/close",
        "children/<str:entity_id>/risk": "children/P-9999999/risk",
        "risk-judgements/<int:pk>/agree": "risk-judgements/999999/agree",
        "risk-judgements/<int:pk>/decline": "risk-judgements/999999/decline",
        "meetings/<int:pk>": "meetings/999999",
        "actions/<int:pk>/complete": "actions/999999/complete",
        "actions/<int:pk>/cancel": "actions/999999/cancel",
        "escalations/<int:pk>/acknowledge": "escalations/999999/acknowledge",
        "disruptions/<int:pk>": "disruptions/999999",
        "disruptions/<int:pk>/update": "disruptions/999999/update",
        "disclosures/<int:pk>": "disclosures/999999",
        "notifications/<int:pk>/read": "notifications/999999/read",
        "break-glass/<int:pk>/close": "break-glass/999999/close",
        "sealed-records/<int:pk>/release-requests": "sealed-records/999999/release-requests",
        "release-requests/<int:pk>/decision": "release-requests/999999/decision",
        "children/<str:entity_id>/accessed": "children/P-9999999/accessed",
        "legal-holds/<int:pk>": "legal-holds/999999",
        "legal-holds/<int:pk>/release": "legal-holds/999999/release",
    }
    assert {examples.get(r, r) for r in routes} <= covered


def test_a_lead_sees_only_their_own_agencys_people(imported: Any, client_for: Any) -> None:
    lead = client_for("safeguarding_lead")  # swy-police
    names = {m["name"] for m in lead.get("/api/v1/mentions/persons?q=smith").json()["results"]}
    # Their own stop, and rmbc-csc's referral about the child linkage joined to it
    # (need-to-know); never the sealed sexual-health record's "Chloe Smith".
    assert names == {"Chloe Marie Smith", "Katie Smith", "Donna Smith"}
    analyst = client_for("analyst")
    names = {m["name"] for m in analyst.get("/api/v1/mentions/persons?q=smith").json()["results"]}
    assert names == {"Katie Smith", "Donna Smith", "Chloe Marie Smith"}


def test_list_shows_only_visible_records(imported: Any, client_for: Any) -> None:
    practitioner = client_for("practitioner").get("/api/v1/records").json()
    # rmbc-csc's referral, and swy-police's stop about the child linkage joined to it.
    assert {r["record_id"] for r in practitioner["results"]} == {"REF-88121", "INC-2009-004417"}
    analyst = client_for("analyst").get("/api/v1/records").json()
    # Every record but the two sealed ones (sexual health; handling code C).
    assert {r["record_id"] for r in analyst["results"]} == {"REF-88121", "INC-2009-004417"}


def test_deactivated_user_is_refused(imported: Any, users: dict[str, Any], client_for: Any) -> None:
    client = client_for("analyst")
    users["analyst"].is_active = False
    users["analyst"].save()
    assert client.get("/api/v1/records").status_code == 401
