"""The people pages through Django's test client: search, profiles with the chronology, the
review queue; who may open what, what is audited, and query counts that do not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.people.pages_data import (
    entity_of,
    extra_katie_records,
    make_review_item,
    partnership_records,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_for(users: dict[str, Any]) -> Any:
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def world(users: dict[str, Any]) -> dict[str, Any]:
    submit(users["analyst"], partnership_records())
    return {
        "katie": entity_of("rmbc-csc/REF-1/p1"),
        "ash": entity_of("swy-police/INC-1/p2"),
        "zed": entity_of("swy-police/INT-9/p1"),
        "car": entity_of("swy-police/INC-1/v1"),
        "takeaway": entity_of("swy-police/INC-1/l1"),
    }


def _events(action: str) -> list[Any]:
    from shinealight.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _found(response: Any, kind: str) -> list[str]:
    results = response.context["results"]
    return [h.entity_id for h in results.hits.get(kind, [])] if results else []


# --- search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kind", "who"),
    [
        ("Katie Smith", "person", "katie"),
        ("Katy Smiht", "person", "katie"),  # misspelt twice
        ("Kathrine Smith", "person", "katie"),
        ("smith", "person", "katie"),  # a surname on its own
        ("Ash", "person", "ash"),  # an alias
        ("Khan Ashley", "person", "ash"),  # surname first
        ("07700900123", "person", "katie"),  # her phone, as digits
        ("KX55 ABC", "vehicle", "car"),
        ("kx55", "vehicle", "car"),  # part of a plate
        ("KX55 ?BC", "vehicle", "car"),  # a plate with a character not seen
        ("S65 1EQ", "location", "takeaway"),
        ("s65", "location", "takeaway"),
        ("Eastwood", "location", "takeaway"),
    ],
)
def test_search_finds_people_and_things_despite_spelling(
    world: dict[str, Any], page_for: Any, query: str, kind: str, who: str
) -> None:
    response = page_for("analyst").get("/search", {"q": query})
    assert response.status_code == 200
    assert world[who].entity_id in _found(response, kind)
    assert f'href="/people/{world[who].entity_id}"' in response.content.decode()


def test_phone_numbers_are_found_in_any_format(world: dict[str, Any], page_for: Any) -> None:
    client = page_for("analyst")
    for query in ("07700 900123", "+44 7700 900123", "(07700) 900-123"):
        response = client.get("/search", {"q": query})
        assert len(_found(response, "phone")) == 1, query
        assert world["katie"].entity_id in _found(response, "person"), query


def test_search_shows_only_what_the_user_may_see_and_is_audited(
    world: dict[str, Any], page_for: Any
) -> None:
    # Zed is only in a police intelligence record; the council practitioner has no reason
    # to see it, so he is not found (and neither is the name from that record).
    assert _found(page_for("practitioner").get("/search", {"q": "Zed Harrow"}), "person") == []
    assert _found(page_for("analyst").get("/search", {"q": "Zed Harrow"}), "person") == [
        world["zed"].entity_id
    ]
    event = _events("people.search")[-1]
    assert event.object_ids == [world["zed"].entity_id]
    assert event.detail["query"] == "Zed Harrow"


def test_search_form_states(world: dict[str, Any], page_for: Any) -> None:
    client = page_for("practitioner")
    empty = client.get("/search")
    assert empty.status_code == 200 and empty.context["results"] is None
    short = client.get("/search", {"q": "k"})
    assert "Enter at least 2 characters" in short.content.decode()
    assert "govuk-error-summary" in short.content.decode()
    nothing = client.get("/search", {"q": "Nobody Atall"})
    assert "Nothing you may see matches" in nothing.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("practitioner", 200), ("safeguarding_lead", 200), ("analyst", 200), ("manager", 403)],
)
def test_search_is_for_case_roles(users: Any, page_for: Any, role: str, status: int) -> None:
    assert page_for(role).get("/search", {"q": "Katie"}).status_code == status


# --- profiles and the chronology ------------------------------------------------------


def test_child_profile_shows_who_she_is_and_every_agency_entry(
    world: dict[str, Any], page_for: Any
) -> None:
    katie = world["katie"].entity_id
    response = page_for("analyst").get(f"/people/{katie}")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["profile"].kind_label == "Child"
    assert "Katherine Smith" in html and "2008-03-04" in html
    entries = [e["record"] for e in response.context["entries"]]
    assert [(r.agency.code, r.record_id) for r in entries] == [
        ("rmbc-csc", "REF-1"),
        ("swy-police", "INC-1"),
        ("swy-police", "INC-2"),
    ]
    assert html.count('class="moj-timeline__item"') == 3
    assert "2B P" in html and "1A P" in html
    assert 'href="/records/swy-police/INC-1"' in html
    # The people and things she was recorded with, linked to their profiles.
    linked = {i["entity_id"]: i["shared"] for i in response.context["links"]["items"]}
    assert linked[world["ash"].entity_id] == 2 and linked[world["car"].entity_id] == 2
    # The read is audited, naming exactly the records shown.
    assert _events("entity.read")[-1].object_ids == [katie]
    assert _events("chronology.read")[-1].object_ids == [
        "rmbc-csc/REF-1",
        "swy-police/INC-1",
        "swy-police/INC-2",
    ]


def test_adult_and_object_profiles(world: dict[str, Any], page_for: Any) -> None:
    client = page_for("analyst")
    ash = client.get(f"/people/{world['ash'].entity_id}")
    assert ash.context["profile"].kind_label == "Adult"
    assert "Ash" in ash.content.decode()
    car = client.get(f"/people/{world['car'].entity_id}")
    assert car.context["profile"].kind_label == "Vehicle"
    html = car.content.decode()
    assert "KX55 ABC" in html and "Vauxhall" in html
    people = {i["entity_id"] for i in car.context["links"]["items"] if i["kind"] == "person"}
    assert people == {world["katie"].entity_id, world["ash"].entity_id}


def test_chronology_filters(world: dict[str, Any], page_for: Any) -> None:
    client = page_for("analyst")
    url = f"/people/{world['katie'].entity_id}"

    def shown(**params: str) -> list[str]:
        return [e["record"].record_id for e in client.get(url, params).context["entries"]]

    assert shown(agency="swy-police") == ["INC-1", "INC-2"]
    assert shown(type="referral") == ["REF-1"]
    assert shown(recorded_from="01/02/2023", recorded_to="28/02/2023") == ["INC-1"]
    assert shown(order="newest") == ["INC-2", "INC-1", "REF-1"]
    bad = client.get(url, {"recorded_from": "31/02/2023"})
    assert bad.context["page"] is None
    assert "govuk-error-summary" in bad.content.decode()


def test_chronology_is_paginated_with_a_note(
    world: dict[str, Any], users: Any, page_for: Any
) -> None:
    from shinealight.people.views import CHRONOLOGY_PAGE

    submit(users["analyst"], extra_katie_records(CHRONOLOGY_PAGE + 5))
    response = page_for("analyst").get(f"/people/{world['katie'].entity_id}")
    assert len(response.context["entries"]) == CHRONOLOGY_PAGE
    assert f"showing 1 to {CHRONOLOGY_PAGE}" in response.content.decode()
    second = page_for("analyst").get(f"/people/{world['katie'].entity_id}", {"page": 2})
    assert len(second.context["entries"]) == 8


def test_profile_answers_404_outside_the_users_view(world: dict[str, Any], page_for: Any) -> None:
    assert page_for("practitioner").get(f"/people/{world['zed'].entity_id}").status_code == 404
    assert page_for("analyst").get("/people/P-9999999").status_code == 404
    assert page_for("manager").get(f"/people/{world['katie'].entity_id}").status_code == 403
    # The practitioner sees Katie's police records by need to know, never Zed's.
    response = page_for("practitioner").get(f"/people/{world['katie'].entity_id}")
    assert response.status_code == 200
    assert "Zed" not in response.content.decode()


def test_merged_id_leads_to_the_surviving_profile(world: dict[str, Any], page_for: Any) -> None:
    from shinealight.people.models import ResolvedEntity

    old = ResolvedEntity.objects.create(
        entity_id="P-0999999", kind="person", active=False, merged_into=world["katie"]
    )
    from shinealight.people.models import EntityMembership

    # The old id keeps one membership so that it is still visible, as after a merge event.
    EntityMembership.objects.filter(mention_id="rmbc-csc/REF-1/p1").update(entity=old)
    response = page_for("analyst").get("/people/P-0999999")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world['katie'].entity_id}"


def test_profile_shows_risk_in_force_and_open_alerts(
    world: dict[str, Any], users: Any, page_for: Any
) -> None:
    from django.utils import timezone

    from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject
    from shinealight.cases.config import workflow
    from shinealight.cases.services import risk_judgement_record
    from shinealight.records.models import Record

    katie = world["katie"].entity_id
    level = workflow().risk_levels[-1]
    risk_judgement_record(
        child_entity_id=katie,
        level=level.code,
        rationale="Missing twice, older male, car.",
        acting_user=users["analyst"],
    )
    now = timezone.now()
    alert = Alert.objects.create(
        rule="older_adult_with_child",
        key="test-alert",
        severity="high",
        title="Katie seen with an older adult in a car",
        explanation="Test",
        first_data_time=now,
        last_data_time=now,
    )
    AlertSubject.objects.create(alert=alert, kind="person", entity_id=katie, role="child")
    AlertEvidence.objects.create(
        alert=alert, record=Record.objects.get(record_id="INC-1", agency__code="swy-police")
    )
    response = page_for("analyst").get(f"/people/{katie}")
    html = response.content.decode()
    assert level.label in html
    assert "Katie seen with an older adult in a car" in html
    assert response.context["alerts"]["items"][0]["alert"].pk == alert.pk


# --- review queue ---------------------------------------------------------------------


@pytest.fixture
def pair(world: dict[str, Any]) -> Any:
    return make_review_item("swy-police/INC-1/p2", "rmbc-csc/REF-1/p1")


def test_review_queue_lists_pairs_for_reviewers_only(pair: Any, page_for: Any) -> None:
    response = page_for("analyst").get("/review")
    assert response.status_code == 200
    assert [r["item"].pk for r in response.context["rows"]] == [pair.pk]
    assert "Ashley Khan" in response.content.decode()
    assert _events("review.list")[-1].object_ids == [str(pair.pk)]
    assert page_for("practitioner").get("/review").status_code == 403
    assert page_for("practitioner").get(f"/review/{pair.pk}").status_code == 403


def test_review_item_side_by_side_then_decide_and_undo(
    pair: Any, world: dict[str, Any], page_for: Any
) -> None:
    from shinealight.people.models import ReviewDecision

    client = page_for("analyst")
    response = client.get(f"/review/{pair.pk}")
    html = response.content.decode()
    assert "Ashley Khan" in html and "Katie Smith" in html
    assert "Nickname or short form" in html or "nickname or short form" in html
    assert "-4.80" in html and "4.50" in html  # a contribution and the match weight
    assert "ethnicity" not in html.lower()

    refused = client.post(f"/review/{pair.pk}", {"decision": "not_same"})
    assert refused.status_code == 400
    assert "Enter the reason for your decision" in refused.content.decode()

    done = client.post(f"/review/{pair.pk}", {"decision": "not_same", "reason": "DOBs differ"})
    assert done.status_code == 302
    decision = ReviewDecision.objects.get()
    assert decision.decision == "not_same" and decision.reason == "DOBs differ"
    assert _events("review_decide")[-1].object_ids == [str(pair.pk)]
    assert client.get("/review").context["rows"] == []
    decided = client.get("/review", {"state": "decided"})
    assert [r["item"].pk for r in decided.context["rows"]] == [pair.pk]
    page = client.get(f"/review/{pair.pk}").content.decode()
    assert "DOBs differ" in page and "Undo" in page

    undone = client.post(f"/review/decisions/{decision.pk}/undo")
    assert undone.status_code == 302
    decision.refresh_from_db()
    assert decision.revoked_at is not None
    assert [r["item"].pk for r in client.get("/review").context["rows"]] == [pair.pk]
    assert "Withdrawn by" in client.get(f"/review/{pair.pk}").content.decode()


def test_review_item_outside_the_leads_view_is_404(
    world: dict[str, Any], users: Any, page_for: Any
) -> None:
    # Another agency's adult with no child in common: the police lead cannot see it.
    submit(
        users["analyst"],
        [
            {
                "agency": "partnership-cse",
                "agency_type": "other",
                "record_id": "X-1",
                "type": "intelligence",
                "recorded_at": "2023-05-01T00:00:00Z",
                "persons": [{"ref": "p1", "role": "suspect", "name": "Zed Harow"}],
            }
        ],
    )
    hidden = make_review_item("swy-police/INT-9/p1", "partnership-cse/X-1/p1")
    assert page_for("safeguarding_lead").get(f"/review/{hidden.pk}").status_code == 404
    assert page_for("analyst").get(f"/review/{hidden.pk}").status_code == 200


# --- query counts ---------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_pages_do_not_grow_their_query_count_with_rows(
    world: dict[str, Any], users: Any, page_for: Any
) -> None:
    client = page_for("analyst")
    katie = world["katie"].entity_id
    make_review_item("swy-police/INC-1/p2", "rmbc-csc/REF-1/p1")
    submit(users["analyst"], extra_katie_records(5))
    few = {
        "chronology": _queries(client, f"/people/{katie}"),
        "search": _queries(client, "/search", {"q": "Katie Smith"}),
        "review": _queries(client, "/review"),
    }
    submit(users["analyst"], extra_katie_records(45, start=5))
    # More pairs in the queue, each between Katie's new mentions and Ash.
    for i in range(5, 30):
        make_review_item("swy-police/INC-1/p2", f"rmbc-csc/CASE-{i:05d}/p1", weight=3.0)
    many = {
        "chronology": _queries(client, f"/people/{katie}"),
        "search": _queries(client, "/search", {"q": "Katie Smith"}),
        "review": _queries(client, "/review"),
    }
    assert many == few


def test_pages_stay_within_a_query_budget(
    world: dict[str, Any], page_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = page_for("analyst")
    with django_assert_max_num_queries(40):
        client.get(f"/people/{world['katie'].entity_id}")
    with django_assert_max_num_queries(20):
        client.get("/search", {"q": "Katy Smiht"})
