"""Stored XSS: the corpus through every text field, rendered back everywhere it is shown.

The world (tests/security/xss_corpus.py) is the object world with the XSS corpus in every
free-text field a record, a meeting, an action, a risk judgement, a disruption, a
disclosure, an intelligence submission, a break-glass grant or a review decision can
carry, put in through the import and the services. Then:

- every page of the URL configuration that answers GET, filled with both sides' objects,
  is fetched as every role, and its HTML must hold nothing a browser would run (event
  handlers, `javascript:` addresses, script blocks or elements from the corpus) and
  nothing of the corpus unescaped; across the roles, every field must be seen on some
  page, escaped (so the test cannot pass by showing nothing);
- the chronology PDF shows the payloads as text;
- the network data for the diagram is JSON that carries the payloads as data;
- exports (i2 ANX, GEXF, GraphML) parse as XML, with the payloads as text, never as
  elements.

tests/web/test_browser_xss.py visits the same pages in Chromium and checks that nothing
ran.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own export, not input
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.security.object_world import ObjectWorld
from tests.security.test_page_matrix import ANON, PAGES, fill, has_object, page_routes
from tests.security.xss_corpus import (
    CODES,
    RAW,
    build_xss_world,
    code_for,
    codes_in,
    corpus,
    dangers,
)

pytestmark = pytest.mark.django_db

ROLES = ["practitioner", "safeguarding_lead", "analyst", "manager", "administrator"]

# Fields that no page shows, and why. (They are API-only, and JSON carries them as data.)
NOT_ON_PAGES = {
    "disclosure-purpose": "disclosures have no page yet (API only)",
    "disclosure-recipient": "disclosures have no page yet (API only)",
    "disclosure-what": "disclosures have no page yet (API only)",
    "disruption-label": "disruptions have no page yet (API only)",
    "disruption-outcome": "disruptions have no page yet (API only)",
    "risk-child-label": "the profile shows the level in force, not the judgement's text",
    "risk-rationale": "the profile shows the level in force, not the judgement's text",
}


def extra_paths(world: ObjectWorld) -> list[str]:
    """Pages that take a query, and profiles of more than the child."""
    from shinealight.extraction.models import IntelligenceSubmission
    from shinealight.people.models import ReviewDecision

    paths = [
        "/search?q=Amy",
        "/search?q=Cara",
        "/search?q=KX55ABC",
        "/search?q=x01q",
        "/records/?agency=rmbc-csc",
        "/review?state=decided",
        "/alerts?severity=medium",
        "/cases/actions?scope=all",
    ]
    for side in (world.own, world.foreign):
        agency, _ = side.record
        prefix = "OWN-" if agency == "rmbc-csc" else "FOR-"
        for rid in ("S1", "S2", "C1"):
            paths.append(f"/records/{agency}/{prefix}{rid}")
        for entity in (side.adult, side.more["vehicle"]):
            paths += [f"/people/{entity}", f"/network/person/{entity}"]
        decided = ReviewDecision.objects.get(pk=side.review_decision).item_id
        paths += [f"/review/{side.review_item}", f"/review/{decided}"]
        sent = IntelligenceSubmission.objects.select_related("record__agency").get(
            pk=side.intelligence
        )
        paths.append(f"/records/{sent.record.agency.code}/{sent.record.record_id}")
    return paths


def page_paths(world: ObjectWorld) -> list[str]:
    paths = []
    for route in page_routes():
        if PAGES[route][ANON] == 405 or route.endswith((".pdf", ".csv")):
            continue
        if has_object(route):
            paths += [fill(route, world.own), fill(route, world.foreign)]
        else:
            paths.append("/" + route)
    return paths + extra_paths(world)


@pytest.fixture
def world(users: dict[str, Any]) -> ObjectWorld:
    CODES.clear()
    return build_xss_world(users)


def _browser(world: ObjectWorld, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def test_the_corpus_is_stored_as_given(world: ObjectWorld) -> None:
    from shinealight.records.models import Record

    record = Record.objects.get(agency__code="rmbc-csc", record_id="OWN-S1")
    payload = record.versions.get().payload
    assert payload["persons"][1]["name"].startswith(corpus(code_for("adult-name"))[0])
    assert all(p in payload["summary"] for p in corpus(code_for("stop-summary")))
    assert len(CODES) >= 30


def test_no_page_runs_or_shows_the_corpus_unescaped(world: ObjectWorld) -> None:
    problems = []
    seen: set[str] = set()
    visited = 0
    for who in ROLES:
        client = _browser(world, who)
        for path in page_paths(world):
            cache.clear()
            response = client.get(path)
            if response.status_code != 200:
                continue
            visited += 1
            kind = response.get("Content-Type", "")
            body = response.content.decode()
            if kind.startswith("text/html"):
                problems += [f"{who} {path}: {d}" for d in dangers(body)]
                seen |= codes_in(body)
            elif kind.startswith("application/json"):
                json.loads(body)  # data for scripts: the payloads stay strings
                seen |= codes_in(body)
                assert response.get("X-Content-Type-Options") == "nosniff", path
    assert visited >= 100
    assert not problems, "\n".join(problems)
    shown = set(CODES) - set(NOT_ON_PAGES)
    assert not shown - seen, f"fields never shown on any page: {sorted(shown - seen)}"
    now_shown = set(NOT_ON_PAGES) & seen
    assert not now_shown, f"shown now: take them out of NOT_ON_PAGES: {sorted(now_shown)}"


def test_forms_sent_back_with_errors_escape_what_was_typed(world: ObjectWorld) -> None:
    """A rejected form shows the typed text again: escaped, in its field."""
    client = _browser(world, "practitioner")
    typed = " ".join(corpus("f01q"))
    for path, data in (
        ("/intelligence/new", {"what_was_seen": typed, "names": typed, "source": "9"}),
        ("/access/break-glass", {"child_entity_id": typed, "purpose": typed}),
        ("/search", None),
    ):
        if data is None:
            response = client.get(path, {"q": typed})
        else:
            response = client.post(path, data)
        assert response.status_code == 200, (path, response.status_code)
        body = response.content.decode()
        assert "f01q" in body, path
        assert not dangers(body), (path, dangers(body))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_chronology_pdf_shows_the_corpus_as_text(world: ObjectWorld) -> None:
    pypdf = pytest.importorskip("pypdf")
    response = _browser(world, "practitioner").get(f"/people/{world.own.child}/chronology.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    for tag in ("summary", "stop-summary", "child-alias"):
        for payload in corpus(code_for(tag)):
            assert _squash(payload) in text, (tag, payload)


def test_network_data_carries_the_corpus_as_data(world: ObjectWorld) -> None:
    client = _browser(world, "analyst")
    for path in (
        f"/alerts/{world.own.alert}/network.json",
        f"/network/person/{world.own.adult}.json",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(response.content)
        strings = json.dumps(data, ensure_ascii=False)
        assert corpus(code_for("adult-name"))[1] in strings.replace('\\"', '"'), path


def _xml_texts(root: ET.Element) -> tuple[set[str], str]:
    tags = {element.tag.rsplit("}", 1)[-1].lower() for element in root.iter()}
    texts = []
    for element in root.iter():
        texts.append(element.text or "")
        texts += list(element.attrib.values())
    return tags, "\n".join(texts)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exports/alerts/{alert}.anx",
        "/api/v1/exports/alerts/{alert}.gexf",
        "/api/v1/exports/alerts/{alert}.graphml",
        "/api/v1/exports/people/{adult}/network.gexf",
        "/api/v1/exports/people/{adult}/network.anx",
    ],
)
def test_exports_are_xml_with_the_corpus_as_text(
    world: ObjectWorld, client_for: Any, path: str
) -> None:
    response = client_for("analyst").get(path.format(alert=world.own.alert, adult=world.own.adult))
    assert response.status_code == 200, response.content[:200]
    content = b"".join(response) if response.streaming else response.content
    root = ET.fromstring(content)  # noqa: S314 - our own export
    tags, text = _xml_texts(root)
    assert not {"script", "img", "svg"} & tags, tags
    # Quotes need no escaping in XML text; an element's start always does.
    assert not any(r in content.decode() for r in RAW if r.startswith("<"))
    # Escaped, not stripped: the labels read back exactly as typed.
    assert corpus(code_for("adult-name"))[1] in text
    assert codes_in(text) >= {"adult-name"}


def test_api_only_fields_come_back_exactly_as_typed(world: ObjectWorld, client_for: Any) -> None:
    """Fields no page shows yet go out through the API only, as JSON strings, unchanged."""
    api = client_for("practitioner")
    side = world.own
    for path, tags in (
        (f"/api/v1/disclosures/{side.disclosure}", ["disclosure-purpose", "disclosure-what"]),
        (f"/api/v1/disruptions/{side.disruption}", ["disruption-label"]),
        (f"/api/v1/children/{side.child}/risk", ["risk-rationale"]),
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json")
        text = json.dumps(response.json(), ensure_ascii=False)
        for tag in tags:
            assert json.dumps(corpus(code_for(tag))[1])[1:-1] in text, (path, tag)


def test_the_checker_finds_what_a_browser_would_run() -> None:
    from django.utils.html import escape

    run = corpus("t01q")
    assert dangers(f"<p>{run[1]}</p>")
    assert dangers(f"<p>{run[2]}</p>")
    assert dangers(f'<a href="{run[0]}">x</a>')
    assert dangers(f'<input value="{run[5]}">')
    assert dangers(f"<div>{run[3]}</div>")
    assert not dangers("<p>" + escape(" ".join(run)) + "</p>")
    assert not dangers('<input value="' + escape(" ".join(run)) + '">')
    island = json.dumps({"label": " ".join(run)}).replace("<", "\\u003C").replace(">", "\\u003E")
    assert not dangers(f'<script type="application/json" id="d">{island}</script>')


def test_long_object_fields_import_on_every_database(users: dict[str, Any]) -> None:
    """The contract allows 10,000 characters for an online account's platform and a
    place's name and address; a record using them must import, and its objects resolve."""

    from shinealight.people.models import ResolvedEntity
    from shinealight.records.services import records_submit

    long = "Long description of the place, as the officer wrote it. " * 8
    record = {
        "agency": "swy-police",
        "agency_type": "police",
        "record_id": "LONG-1",
        "type": "police_stop",
        "recorded_at": "2020-01-01T12:00:00Z",
        "persons": [
            {"ref": "p1", "role": "subject", "name": "Amy Hill", "dob": "2007-02-02"},
            # One unbroken 5,000-letter "surname": its blocking keys must still fit.
            {"ref": "p2", "role": "associate", "name": "Ash " + "Khan" * 1_250, "dob": "1990"},
        ],
        "online": [{"ref": "o1", "platform": long, "handle": "amy_h"}],
        "locations": [{"ref": "l1", "name": long, "address": long}],
    }
    records_submit(payloads=[record], acting_user=users["analyst"])
    keys = dict(ResolvedEntity.objects.values_list("kind", "key"))
    assert {"online", "location"} <= set(keys)
    # Too long to store whole (400 characters): kept as a digest of the whole key.
    assert keys["online"].startswith("online:sha256:") and len(keys["online"]) == 78


def test_an_overlong_meeting_attendee_name_is_refused_not_a_server_error(
    users: dict[str, Any], client_for: Any
) -> None:
    client = client_for("analyst")
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/meetings",
        {
            "kind": "mace",
            "held_at": "2010-01-01T10:00:00Z",
            "attendees": [{"agency": "rmbc-csc", "name": "A visiting social worker " * 12}],
        },
        format="json",
    )
    # Refused on every database alike: the column holds 200 characters.
    assert response.status_code == 400, response.status_code
