"""IDOR probes on every object route: the API's (from its OpenAPI schema) and the pages'
(from the URL configuration), each with every method it answers.

An object route names an object in its path (`{id}`, `{entity_id}`, `<int:pk>`, …). For
each, four kinds of probe:

- **sequential**: the ids just past the largest that exists (guessing the next number);
- **foreign**: the other agency's object of the world in tests/security/object_world.py,
  probed by the practitioner (rmbc-csc) and by the safeguarding lead (swy-police);
- **merged**: the public id of a person merged into another (it lives on only in the
  survivor's id);
- **deleted**: records deleted under retention, and the people only they mentioned.

Every probe must answer 404 — the same answer as for an object that never existed, so
nothing tells the prober that it does — except where the role check refuses the whole
route first (403 before any object is looked up; the roles each route admits are read
from the view itself, `read_roles`/`allowed_roles` for the API, `role_required` for
pages, and the matrices in tests/api/test_permissions.py and test_page_matrix.py pin them
down). A refused probe changes nothing, names nothing of the object, and leaves no audit
event recording a read of it; and the audit trail should record the attempt (see
test_a_refused_probe_is_recorded_in_the_audit_trail).

`KINDS` says which kind of object each route's parameter names; a new object route with
no entry fails test_every_object_route_has_a_kind.
"""

from __future__ import annotations

import inspect
import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.test_permissions import ROUTES as API_MATRIX
from tests.security.object_world import ObjectWorld, Side, build_object_world, entity_of
from tests.security.test_page_matrix import ANON, PAGES, PARAMETER, has_object, page_routes

pytestmark = pytest.mark.django_db

ROLES = ["practitioner", "safeguarding_lead", "analyst", "manager", "administrator"]


def api_object_routes() -> list[tuple[str, str]]:
    """(method, path template) for every API operation whose path names an object."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, item in schema["paths"].items()
        if "{" in path
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


API_ROUTES = api_object_routes()
PAGE_ROUTES = [r for r in page_routes() if has_object(r)]

# The kind of object each route's path names. Parameters other than the object's own
# (an export's format) are filled from FIXED.
KINDS: dict[str, str] = {
    # API
    "/api/v1/actions/{id}/cancel": "action",
    "/api/v1/actions/{id}/complete": "action",
    "/api/v1/alert-cases/{id}": "case",
    "/api/v1/alert-cases/{id}/acknowledge": "case",
    "/api/v1/alert-cases/{id}/assign": "case",
    "/api/v1/alert-cases/{id}/close": "case",
    "/api/v1/alert-cases/{id}/triage": "case",
    "/api/v1/alerts/{id}": "alert",
    "/api/v1/break-glass/{id}/close": "grant",
    "/api/v1/children/{entity_id}/accessed": "child",
    "/api/v1/children/{entity_id}/risk": "child",
    "/api/v1/disclosures/{id}": "disclosure",
    "/api/v1/disruptions/{id}": "disruption",
    "/api/v1/disruptions/{id}/update": "disruption",
    "/api/v1/entities/{entity_id}": "child",
    "/api/v1/escalations/{id}/acknowledge": "escalation",
    "/api/v1/exports/alerts/{id}.{fmt}": "alert",
    "/api/v1/exports/people/{entity_id}/chronology.csv": "child",
    "/api/v1/exports/people/{entity_id}/network.{fmt}": "child",
    "/api/v1/extracted-mentions/{id}/review": "extracted",
    "/api/v1/intelligence/{id}/acted-on": "intelligence",
    "/api/v1/legal-holds/{id}": "hold",
    "/api/v1/legal-holds/{id}/release": "hold",
    "/api/v1/meetings/{id}": "meeting",
    "/api/v1/notifications/{id}/read": "notification",
    "/api/v1/records/{agency}/{record_id}": "record",
    "/api/v1/records/{agency}/{record_id}/versions": "record",
    "/api/v1/release-requests/{id}/decision": "release_request",
    "/api/v1/review/decisions/{decision_id}/revoke": "review_decision",
    "/api/v1/review/items/{item_id}/decision": "review_item",
    "/api/v1/risk-judgements/{id}/agree": "risk_judgement",
    "/api/v1/risk-judgements/{id}/decline": "risk_judgement",
    "/api/v1/sealed-records/{id}/release-requests": "sealed_record",
    # pages
    "records/import/<uuid:job_id>": "job",
    "records/import/<uuid:job_id>/status": "job",
    "records/import/<uuid:job_id>/problems.csv": "job",
    "records/import/<int:batch_id>": "batch",
    "records/<str:agency>/<str:record_id>": "record",
    "alerts/<int:pk>": "alert",
    "alerts/<int:pk>/acknowledge": "alert",
    "alerts/<int:pk>/assign": "alert",
    "alerts/<int:pk>/triage": "alert",
    "alerts/<int:pk>/close": "alert",
    "alerts/<int:pk>/network": "alert",
    "alerts/<int:pk>/network.json": "alert",
    "network/person/<path:entity_id>.json": "child",
    "network/person/<path:entity_id>": "child",
    "people/<str:entity_id>": "child",
    "people/<str:entity_id>/chronology.pdf": "child",
    "review/<int:pk>": "review_item",
    "review/decisions/<int:decision_id>/undo": "review_decision",
    "cases/meetings/<int:pk>": "meeting",
    "cases/meetings/<int:pk>/actions": "meeting",
    "cases/actions/<int:pk>": "action",
    "cases/actions/<int:pk>/complete": "action",
    "cases/actions/<int:pk>/cancel": "action",
    "access/break-glass/<int:pk>/end": "grant",
    "access/children/<str:entity_id>/accessed": "child",
}
FIXED = {"fmt": "gexf"}
FIXED_FOR = {"/api/v1/exports/alerts/{id}.{fmt}": {"fmt": "anx"}}

# Integer-keyed kinds: the model whose largest primary key the sequential probe passes.
MODELS = {
    "action": "cases.Action",
    "case": "cases.AlertCase",
    "alert": "alerts.Alert",
    "grant": "access.BreakGlassGrant",
    "disclosure": "cases.Disclosure",
    "disruption": "cases.Disruption",
    "escalation": "cases.Escalation",
    "extracted": "extraction.ExtractedMention",
    "intelligence": "extraction.IntelligenceSubmission",
    "hold": "retention.LegalHold",
    "meeting": "cases.Meeting",
    "notification": "cases.Notification",
    "release_request": "access.ReleaseRequest",
    "review_decision": "people.ReviewDecision",
    "review_item": "people.ReviewItem",
    "risk_judgement": "cases.RiskJudgement",
    "sealed_record": "records.Record",
    "batch": "records.ImportBatch",
}
# Kinds the world holds on both sides of the agency line (Side's attribute of that name).
# The others are probed with sequential ids only: legal holds are partnership-wide
# (information governance), escalations and release requests need a chain of events, and
# the intelligence queue is shared on purpose: every submission goes to the analysts and
# the police leads to act on (extraction.selectors.intelligence_queue), whoever sent it.
SIDED = {
    "action",
    "case",
    "alert",
    "grant",
    "disclosure",
    "disruption",
    "extracted",
    "meeting",
    "notification",
    "review_decision",
    "review_item",
    "risk_judgement",
    "sealed_record",
    "batch",
    "job",
    "child",
    "record",
}

# The who-accessed report reads the audit trail, which is append-only and outlives what it
# names: it follows a merged id to its survivor (accesses recorded under the old id were of
# the same child) and, for analysts and managers, still answers for a child whose records
# were deleted (accountability for past reads), showing who looked and when, never content.
AUDIT_REPORTS = {
    "/api/v1/children/{entity_id}/accessed",
    "access/children/<str:entity_id>/accessed",
}

# Writes that accept any well-formed id on purpose, so that the answer never says whether
# the object exists: they are probed for what their answer reveals instead.
ANY_ID_WRITES = {("post", "/api/v1/children/{entity_id}/risk")}


def page_methods(route: str) -> tuple[str, ...]:
    """A page that answers only POST refuses a GET (405) before any lookup; the others are
    probed with GET and with POST (a form posted to someone else's object)."""
    return ("post",) if PAGES[route][ANON] == 405 else ("get", "post")


def routes() -> list[tuple[str, str]]:
    """(method, route) for every object route: API operations, and pages by GET and POST."""
    return [*API_ROUTES, *((m, r) for r in PAGE_ROUTES for m in page_methods(r))]


def is_api(route: str) -> bool:
    return route.startswith("/api/")


def fill(route: str, values: dict[str, str]) -> str:
    """The path with its parameters set: `{x}` (API) and `<conv:x>` (pages)."""
    fixed = {**FIXED, **FIXED_FOR.get(route, {})}

    def value(name: str) -> str:
        return str(fixed[name] if name in fixed else values[name])

    if is_api(route):
        return re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), route)
    return "/" + PARAMETER.sub(lambda m: value(m.group(2)), route)


def params_for(kind: str, value: Any) -> dict[str, str]:
    """Every parameter name a route may use for an object of this kind."""
    if kind == "record":
        agency, record_id = value
        return {"agency": agency, "record_id": record_id}
    return dict.fromkeys(
        ("id", "pk", "entity_id", "item_id", "decision_id", "batch_id", "job_id"), str(value)
    )


def side_value(side: Side, kind: str) -> Any:
    return side.record if kind == "record" else getattr(side, kind)


# ------------------------------------------------------------------------ who may call


def _page_roles(callback: Callable[..., Any]) -> frozenset[str] | None:
    """The roles a page's `role_required` admits (None: any signed-in user)."""
    fn: Any = callback
    while fn is not None:
        closure = inspect.getclosurevars(fn).nonlocals if hasattr(fn, "__code__") else {}
        if "allowed" in closure and isinstance(closure["allowed"], frozenset):
            return frozenset(str(r) for r in closure["allowed"])
        fn = getattr(fn, "__wrapped__", None)
    return None


def admitted(method: str, path: str) -> frozenset[str]:
    """The roles the route's own role check lets through to the object lookup."""
    match = resolve(path.split("?")[0])
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and is_api(path):
        allowed = getattr(view_class, "allowed_roles", None)
        if method == "get":
            allowed = getattr(view_class, "read_roles", allowed)
        return frozenset(str(r) for r in (allowed or ()))
    roles = _page_roles(match.func)
    return frozenset(ROLES) if roles is None else roles


# ------------------------------------------------------------------------ requests


def body_for(method: str, route: str, user: Any) -> Any:
    """The body the API matrix sends to this route (so that a refusal is not a 400)."""
    if method != "post":
        return None
    if not is_api(route):
        return {"note": "-", "reason": "-", "decision": "same", "description": "-"}
    pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(route)) + "$")
    for m, path, body, _ in API_MATRIX:
        if m == "post" and pattern.match(path.split("?")[0]):
            return body(user, 0) if body else {}
    return {}


def call(world: ObjectWorld, who: str, method: str, route: str, path: str) -> Any:
    cache.clear()  # the API throttle counts requests in the cache
    user = world.users[who]
    if is_api(route):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        data = body_for(method, route, user)
        if method == "post":
            return client.post(path, data=data, format="json")
        return client.get(path)
    browser = Client()
    browser.force_login(user)
    if method == "post":
        return browser.post(path, body_for(method, route, user))
    return browser.get(path)


def check(
    world: ObjectWorld, who: str, method: str, route: str, path: str, secrets: list[str]
) -> list[str]:
    """Probe once; the problems found (empty when the answer is right)."""
    want = 404 if who in admitted(method, path) else 403
    response = call(world, who, method, route, path)
    got = response.status_code
    problems = []
    if got != want:
        problems.append(f"{who} {method.upper()} {path}: {got}, expected {want}")
    body = response.content.decode(errors="replace")
    if is_api(route) and got in (403, 404):
        payload = json.loads(body)
        if set(payload) != {"message", "extra"} or payload["extra"]:
            problems.append(f"{who} {method.upper()} {path}: error body {payload}")
    leaked = [s for s in secrets if s and s in body]
    if leaked:
        problems.append(f"{who} {method.upper()} {path}: the answer names {leaked}")
    return problems


def largest_next(kind: str, n: int) -> Any:
    """The n-th id past the largest of this kind that exists."""
    if kind in MODELS:
        model = apps.get_model(MODELS[kind])
        top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return top + n
    if kind == "child":
        from shinealight.people.models import ResolvedEntity

        numbers = [
            int(e.split("-")[1]) for e in ResolvedEntity.objects.values_list("entity_id", flat=True)
        ]
        return f"P-{max(numbers) + n:07d}"
    if kind == "record":
        from shinealight.records.models import Record

        top = Record.objects.filter(agency__code="swy-police").order_by("-pk").first()
        assert top is not None
        digits = re.search(r"(\d+)$", top.record_id)
        stem = top.record_id[: digits.start()] if digits else top.record_id
        number = int(digits.group(1)) if digits else 0
        return ("swy-police", f"{stem}{number + n}")
    if kind == "job":
        return str(uuid.uuid4())  # a job's key is random: there is no "next" one
    raise KeyError(kind)


def fingerprint() -> dict[str, int]:
    """Rows in every table of the app's own models, except the audit trail's."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if label.startswith(("audit.", "sessions.", "axes.")) or not model.__module__.startswith(
            "shinealight."
        ):
            continue
        counts[label] = model.objects.count()
    return counts


def secrets_of(side: Side) -> list[str]:
    from shinealight.people.models import ResolvedEntity

    return list(
        ResolvedEntity.objects.filter(
            entity_id__in=[side.child, side.adult, side.more["second_child"]]
        ).values_list("label", flat=True)
    )


@pytest.fixture
def world(users: dict[str, Any]) -> ObjectWorld:
    return build_object_world(users)


# ------------------------------------------------------------------------ the tests


def test_the_probe_finds_object_routes() -> None:
    assert len(API_ROUTES) >= 30 and len(PAGE_ROUTES) >= 20
    assert ("get", "/api/v1/records/{agency}/{record_id}") in API_ROUTES
    assert "people/<str:entity_id>" in PAGE_ROUTES


def test_every_object_route_has_a_kind() -> None:
    """A new object route must say in KINDS what its path names."""
    missing = sorted({r for _, r in routes()} - set(KINDS))
    assert not missing, f"object routes with no kind in KINDS: {missing}"
    assert set(KINDS.values()) <= set(MODELS) | {"child", "record", "job"}


def test_the_role_check_is_read_from_every_route(world: ObjectWorld) -> None:
    """Each route admits at least one role, and the lists match the matrices' 403s."""
    for method, route in routes():
        path = fill(route, params_for(KINDS[route], largest_next(KINDS[route], 1)))
        assert admitted(method, path), (method, route)
    # Spot checks against the checked-in matrices.
    assert admitted("get", "/people/P-0000001") == {"practitioner", "safeguarding_lead", "analyst"}
    assert admitted("get", "/api/v1/legal-holds/1") == {"manager", "administrator"}


def test_ids_past_the_largest_answer_404(world: ObjectWorld) -> None:
    secrets = secrets_of(world.own) + secrets_of(world.foreign)
    before = fingerprint()
    problems = []
    for method, route in routes():
        if (method, route) in ANY_ID_WRITES:
            continue
        kind = KINDS[route]
        for n in (1, 2):
            path = fill(route, params_for(kind, largest_next(kind, n)))
            for who in ROLES:
                problems += check(world, who, method, route, path, secrets)
    assert not problems, "\n".join(problems)
    assert fingerprint() == before


@pytest.mark.parametrize("who", ["practitioner", "safeguarding_lead"])
def test_another_agencys_object_answers_404(world: ObjectWorld, who: str) -> None:
    other = world.foreign if who == "practitioner" else world.own
    secrets = secrets_of(other)
    before = fingerprint()
    problems = []
    probed = 0
    for method, route in routes():
        kind = KINDS[route]
        if kind not in SIDED or (method, route) in ANY_ID_WRITES:
            continue
        path = fill(route, params_for(kind, side_value(other, kind)))
        problems += check(world, who, method, route, path, secrets)
        probed += 1
    assert probed >= 60
    assert not problems, "\n".join(problems)
    assert fingerprint() == before, "a refused probe changed something"


def test_a_refused_probe_never_records_a_read_of_the_object(world: ObjectWorld) -> None:
    """The audit trail must not say that someone saw what they were refused."""
    from shinealight.audit.models import AuditEvent

    other = world.foreign
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for method, route in routes():
        kind = KINDS[route]
        if kind in SIDED and (method, route) not in ANY_ID_WRITES:
            path = fill(route, params_for(kind, side_value(other, kind)))
            assert call(world, "practitioner", method, route, path).status_code in (403, 404)
    named = {str(v) for v in (other.child, other.adult, "/".join(other.record))}
    for event in AuditEvent.objects.filter(seq__gt=start, actor_id=world.users["practitioner"].pk):
        assert not named & set(event.object_ids), (event.action, event.object_ids)


def test_a_refused_probe_is_recorded_in_the_audit_trail(world: ObjectWorld) -> None:
    from shinealight.audit.models import AuditEvent

    practitioner = world.users["practitioner"]
    path = fill("/api/v1/records/{agency}/{record_id}", params_for("record", world.foreign.record))
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = call(world, "practitioner", "get", "/api/v1/records/{agency}/{record_id}", path)
    assert response.status_code == 404
    after = AuditEvent.objects.filter(seq__gt=start, actor_id=practitioner.pk)
    assert after.exists(), "the refused probe left no trace in the audit trail"


def test_every_successful_object_read_is_audited(world: ObjectWorld) -> None:
    """The reverse of a probe: an object read that succeeds writes an audit event naming
    what was read (the analyst, who sees both sides, reads the own side's objects)."""
    from shinealight.audit.models import AuditEvent

    analyst = world.users["analyst"]
    unaudited = []
    for method, route in routes():
        kind = KINDS[route]
        if (
            method != "get"
            or kind not in SIDED
            or "analyst"
            not in admitted("get", fill(route, params_for(kind, side_value(world.own, kind))))
        ):
            continue
        path = fill(route, params_for(kind, side_value(world.own, kind)))
        start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = call(world, "analyst", "get", route, path)
        if response.status_code != 200:
            continue
        if kind in ("batch", "job"):
            continue  # an import's own counts and problems: no case content
        if not AuditEvent.objects.filter(seq__gt=start, actor_id=analyst.pk).exists():
            unaudited.append(path)
    assert not unaudited, f"reads with no audit event: {unaudited}"


def test_a_merged_persons_old_id_answers_404(world: ObjectWorld) -> None:
    from shinealight.people.models import ResolvedEntity, ReviewItem
    from shinealight.people.services import review_decide

    analyst = world.users["analyst"]
    item = ReviewItem.objects.get(pk=world.own.review_item)
    review_decide(acting_user=analyst, item=item, decision="same", reason="Same girl")
    ids = {world.own.child, world.own.more["second_child"]}
    gone = ResolvedEntity.objects.get(entity_id__in=ids, active=False)
    survivor = entity_of(item.mention_left)
    assert survivor.active and survivor.entity_id != gone.entity_id
    problems = []
    followed = 0
    for method, route in routes():
        if KINDS[route] != "child" or (method, route) in ANY_ID_WRITES:
            continue
        path = fill(route, params_for("child", gone.entity_id))
        for who in ROLES:
            if route in AUDIT_REPORTS:
                # The report follows the merge: the old id answers as the survivor's does.
                there = fill(route, params_for("child", survivor.entity_id))
                want = call(world, who, method, route, there).status_code
                got = call(world, who, method, route, path).status_code
                if got != want:
                    problems.append(f"{who} {method.upper()} {path}: {got}, survivor's {want}")
                followed += want == 200
                continue
            problems += check(world, who, method, route, path, [])
    assert followed, "no role could read the survivor's report: the comparison proves nothing"
    assert not problems, "\n".join(problems)


def test_deleted_records_their_people_and_alerts_answer_404(world: ObjectWorld) -> None:
    from shinealight.records.models import Agency, Record
    from shinealight.retention.services import retention_apply

    police = Agency.objects.get(code="swy-police")
    names = secrets_of(world.foreign)
    records = [(r.agency.code, r.record_id) for r in Record.objects.filter(agency=police)]
    result = retention_apply(
        agency=police, acting_user=world.users["manager"], today=date(2100, 1, 1)
    )
    assert len(result.deleted) == len(records) > 0
    assert not Record.objects.filter(agency=police).exists()
    problems = []
    for method, route in routes():
        kind = KINDS[route]
        if kind not in ("record", "child", "alert") or (method, route) in ANY_ID_WRITES:
            continue
        values = {
            "record": [params_for("record", r) for r in records],
            "child": [params_for("child", world.foreign.child)],
            "alert": [params_for("alert", world.foreign.alert)],  # it cited only them
        }[kind]
        for v in values:
            for who in ROLES:
                path = fill(route, v)
                if route in AUDIT_REPORTS and who in ("analyst", "manager"):
                    # Past reads stay accountable: who looked, and when, but no content.
                    response = call(world, who, method, route, path)
                    body = response.content.decode()
                    if response.status_code != 200 or any(n in body for n in names):
                        problems.append(f"{who} {path}: {response.status_code}")
                    continue
                problems += check(world, who, method, route, path, names)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("method", "route"), sorted(ANY_ID_WRITES))
def test_a_write_that_takes_any_id_reveals_nothing_of_a_foreign_object(
    world: ObjectWorld, method: str, route: str
) -> None:
    """Recording a risk level for a child the user cannot see is refused exactly as for an
    id that matches no child (404, the same body), and nothing is stored: the answer must
    not tell them that another agency assessed the child, or at what level."""
    from shinealight.cases.models import RiskJudgement

    before = RiskJudgement.objects.count()
    path = fill(route, params_for("child", world.foreign.child))
    foreign = call(world, "practitioner", method, route, path)
    unknown = call(
        world, "practitioner", method, route, fill(route, params_for("child", "P-9999999"))
    )
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    assert RiskJudgement.objects.count() == before
