"""The authorisation matrix for pages: every page route × every role × object ownership.

`PAGES` below is the one checked-in table of who gets what from a GET of each page. Its
rows are checked against the URL configuration walked at run time, so a new page with no
row (or a row for a page that has gone) fails the build, as the API's matrix does
(tests/api/test_permissions.py::test_every_api_route_is_in_the_matrix).

A route with path parameters is probed twice, with real objects of the world in
tests/security/object_world.py: an **own** object, held by rmbc-csc (the practitioner's
agency), and a **foreign** one, held by swy-police (the safeguarding lead's agency) about
people rmbc-csc never recorded. Its cell is then a pair `(own, foreign)`. Each agency must
reach its own object and get 404 (never 403, which would say that it exists) for the
other's; partnership roles reach both or neither.

Anonymous visitors are sent to sign in, except on the public pages and on routes that
answer only POST (a GET is refused with 405 before anything is looked up).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.object_world import ObjectWorld, Side, build_object_world

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ROLES = ["practitioner", "safeguarding_lead", "analyst", "manager", "administrator"]
Cell = int | tuple[int, int]


def row(anonymous: int = 302, default: Cell = 403, **roles: Cell) -> dict[str, Cell]:
    """One route's expectations: roles not named get `default` (deny by default)."""
    return {ANON: anonymous, **{role: roles.get(role, default) for role in ROLES}}


EVERYONE = dict.fromkeys(ROLES, 200)
CASE = dict.fromkeys(["practitioner", "safeguarding_lead", "analyst"], 200)
# Case content split along the agency line: each agency sees its own object and not the
# other's; the analyst sees the whole partnership; managers and administrators no content.
AGENCY_LINE: dict[str, Cell] = {
    "practitioner": (200, 404),
    "safeguarding_lead": (404, 200),
    "analyst": (200, 200),
}
NOT_CONTENT = (403, 403)
POST_ONLY = row(anonymous=405, default=(405, 405))

PAGES: dict[str, dict[str, Cell]] = {
    # public pages
    "healthz": row(anonymous=200, **EVERYONE),
    "sign-in": row(anonymous=200, **EVERYONE),
    "sign-out": row(anonymous=405, default=405),  # signing out is a POST
    "accessibility": row(anonymous=200, **EVERYONE),
    # everyone signed in
    "": row(**EVERYONE),
    "intelligence/new": row(**EVERYONE),
    "intelligence/sent": row(**EVERYONE),
    "account/recovery-codes": row(**EVERYONE),
    "account/reauthenticate": row(**EVERYONE),
    # the second-factor pages send a session that has passed both factors on
    "account/two-factor": row(default=302),
    "account/two-factor/set-up": row(default=302),
    # records
    "records/": row(**CASE),
    "records/<str:agency>/<str:record_id>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "records/import": row(analyst=200),
    # an import's result page shows only the analyst's own imports (the foreign batch
    # came in through the command line)
    "records/import/<int:batch_id>": row(default=NOT_CONTENT, analyst=(200, 404)),
    # an upload's job pages: the analyst's own upload, not another analyst's
    "records/import/<uuid:job_id>": row(default=NOT_CONTENT, analyst=(200, 404)),
    "records/import/<uuid:job_id>/status": row(default=NOT_CONTENT, analyst=(200, 404)),
    "records/import/<uuid:job_id>/problems.csv": row(default=NOT_CONTENT, analyst=(200, 404)),
    # people, search, review
    "search": row(**CASE),
    "people/<str:entity_id>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "people/<str:entity_id>/chronology.pdf": row(default=NOT_CONTENT, **AGENCY_LINE),
    "review": row(safeguarding_lead=200, analyst=200),
    "review/<int:pk>": row(default=NOT_CONTENT, safeguarding_lead=(404, 200), analyst=(200, 200)),
    "review/decisions/<int:decision_id>/undo": POST_ONLY,
    # alerts and networks
    "alerts": row(**CASE),
    "alerts/<int:pk>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "alerts/<int:pk>/acknowledge": POST_ONLY,
    "alerts/<int:pk>/assign": POST_ONLY,
    "alerts/<int:pk>/triage": POST_ONLY,
    "alerts/<int:pk>/close": POST_ONLY,
    "alerts/<int:pk>/network": row(default=NOT_CONTENT, **AGENCY_LINE),
    "alerts/<int:pk>/network.json": row(default=NOT_CONTENT, **AGENCY_LINE),
    "network/person/<path:entity_id>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "network/person/<path:entity_id>.json": row(default=NOT_CONTENT, **AGENCY_LINE),
    # cases: meetings, actions, oversight
    "cases/meetings": row(**CASE),
    "cases/meetings/new": row(**CASE),
    "cases/meetings/<int:pk>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "cases/meetings/<int:pk>/actions": POST_ONLY,
    "cases/actions": row(**CASE),
    "cases/actions/<int:pk>": row(default=NOT_CONTENT, **AGENCY_LINE),
    "cases/actions/<int:pk>/complete": POST_ONLY,
    "cases/actions/<int:pk>/cancel": POST_ONLY,
    "cases/oversight": row(safeguarding_lead=200, analyst=200, manager=200),
    # access: break-glass and who accessed a child
    "access/break-glass": row(practitioner=200, safeguarding_lead=200, administrator=200),
    # ending a grant is a POST; a GET is answered 404 to the roles that may end grants
    "access/break-glass/<int:pk>/end": row(default=(404, 404), analyst=NOT_CONTENT),
    "access/break-glass/log": row(manager=200),
    # managers and analysts see who accessed any child; a lead, children their agency
    # recorded; practitioners and administrators never
    "access/children/<str:entity_id>/accessed": row(
        default=NOT_CONTENT,
        safeguarding_lead=(404, 200),
        analyst=(200, 200),
        manager=(200, 200),
    ),
    # administration
    "administration/users": row(administrator=200),
    "administration/users/new": row(administrator=200),
    "administration/agencies": row(administrator=200),
    "administration/agencies/new": row(administrator=200),
}


def page_routes(patterns: Any = None, prefix: str = "") -> list[str]:
    """Every route of the URL configuration that is a page (not the API, not static files)."""
    found: list[str] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found += page_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if not route.startswith("api/") and "static" not in route:
                found.append(route)
    return found


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def has_object(route: str) -> bool:
    return bool(PARAMETER.search(route))


def fill(route: str, side: Side) -> str:
    """The route's path with this side's object in every parameter."""
    first = route.split("/")[0]
    by_resource = {
        "alerts": side.alert,
        "review": side.review_item,
        "access": side.grant,
        "meetings": side.meeting,
        "actions": side.action,
    }
    resource = route.split("/")[1] if first == "cases" else first
    values = {
        "agency": side.record[0],
        "record_id": side.record[1],
        "entity_id": side.child,
        "batch_id": side.batch,
        "job_id": side.job,
        "decision_id": side.review_decision,
        "pk": by_resource.get(resource),
    }

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(2))
        if found is None:
            raise KeyError(f"no object in the world for {match.group(0)} in {route}")
        return str(found)

    return "/" + PARAMETER.sub(value, route)


def test_the_route_walk_sees_the_pages() -> None:
    routes = page_routes()
    assert len(routes) >= 40
    assert "records/<str:agency>/<str:record_id>" in routes


def test_every_page_route_is_in_the_matrix() -> None:
    """A new page must be added to PAGES above, with who may open it; a gone one removed."""
    routes = set(page_routes())
    assert not routes - set(PAGES), f"pages with no row in PAGES: {sorted(routes - set(PAGES))}"
    assert not set(PAGES) - routes, f"rows for pages that are gone: {sorted(set(PAGES) - routes)}"


def test_object_routes_are_probed_with_both_objects() -> None:
    for route, expected in PAGES.items():
        for who, cell in expected.items():
            if who == ANON:
                assert isinstance(cell, int), route
            elif has_object(route):
                assert isinstance(cell, tuple) and len(cell) == 2, (route, who)
            else:
                assert isinstance(cell, int), (route, who)


def test_every_object_route_is_filled_from_the_world(users: dict[str, Any]) -> None:
    world = build_object_world(users)
    for route in filter(has_object, page_routes()):
        own, foreign = fill(route, world.own), fill(route, world.foreign)
        assert own != foreign, route


def _secrets(side: Side) -> list[str]:
    """Names that only someone who may see the side's case content could know."""
    from shinealight.people.models import ResolvedEntity

    return list(
        ResolvedEntity.objects.filter(
            entity_id__in=[side.child, side.adult, side.more["second_child"]]
        ).values_list("label", flat=True)
    )


# Browser security headers every response must carry, whatever its status (ASVS 3.4).
POLICY_PARTS = (
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "script-src 'self'",
)


def header_problems(response: Any) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    problems = [f"CSP lacks {part}" for part in POLICY_PARTS if part not in policy]
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("CSP allows inline script or eval")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    problems += [
        f"{name}: {response.get(name)!r}"
        for name, value in expected.items()
        if response.get(name) != value
    ]
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    return problems


def _client(world: ObjectWorld, who: str) -> Client:
    client = Client()
    if who != ANON:
        client.force_login(world.users[who])
    return client


@pytest.mark.parametrize("who", [ANON, *ROLES])
def test_every_page_for_every_role(who: str, users: dict[str, Any]) -> None:
    world = build_object_world(users)
    secrets = {"own": _secrets(world.own), "foreign": _secrets(world.foreign)}
    assert all(secrets.values())
    client = _client(world, who)
    wrong = []
    for route in page_routes():
        expected = PAGES[route][who]
        probes: list[tuple[str, str, int]]
        if has_object(route):
            own, foreign = expected if isinstance(expected, tuple) else (expected, expected)
            probes = [
                ("own", fill(route, world.own), own),
                ("foreign", fill(route, world.foreign), foreign),
            ]
        else:
            assert isinstance(expected, int)
            probes = [("", "/" + route, expected)]
        for side, path, want in probes:
            cache.clear()  # the API throttle and lockout counters live in the cache
            response = client.get(path)
            got = response.status_code
            wrong += [f"{path} ({got}): {p}" for p in header_problems(response)]
            if got != want:
                wrong.append(f"{route} ({side or '-'}) GET {path}: {got}, expected {want}")
                continue
            if got == 302 and who == ANON:
                location = response["Location"]
                if not location.startswith("/sign-in"):
                    wrong.append(f"{path}: anonymous sent to {location}, not to sign in")
            if got in (403, 404) and side:
                body = response.content.decode(errors="replace")
                leaked = [name for name in secrets[side] if name and name in body]
                if leaked:
                    wrong.append(f"{path}: refusal ({got}) names {leaked}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_pages_with_case_content_are_not_cached(users: dict[str, Any]) -> None:
    world = build_object_world(users)
    client = _client(world, "analyst")
    cached = []
    for route in page_routes():
        if not has_object(route) or PAGES[route][ANON] == 405:
            continue
        cache.clear()
        response = client.get(fill(route, world.own))
        if response.status_code == 200 and "no-store" not in response.get("Cache-Control", ""):
            cached.append(route)
    assert not cached, f"pages a browser may cache: {cached}"


def test_downloads_need_a_recent_sign_in(users: dict[str, Any]) -> None:
    """A PDF takes case content out of the system: the password and code again first."""
    from shinealight.accounts import two_factor

    world = build_object_world(users)
    client = _client(world, "practitioner")
    session = client.session
    session[two_factor.AUTHENTICATED_AT] = 0  # signed in long ago
    session.save()
    downloads = [r for r in page_routes() if r.endswith(".pdf")]
    assert downloads
    for route in downloads:
        response = client.get(fill(route, world.own))
        assert response.status_code == 302, route
        assert response["Location"].startswith("/account/reauthenticate?next="), route
