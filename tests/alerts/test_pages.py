"""The alert pages through Django's test client: the queue, one alert and its case's steps,
and the network view with its JSON. Who may open what, what is audited, query counts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shinealight.cases.models import AlertCase
from tests.alerts.pages_scenario import ETHNICITY, HOSTILE_NAME, import_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for(users: dict[str, Any]) -> Any:
    """A page client signed in as the named role."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def alert(agencies: Any, tmp_path: Path) -> Any:
    return import_alert(tmp_path)


@pytest.fixture
def outsider(make_user: Any, browser_for: Any) -> Client:
    """A practitioner whose agency has recorded none of the scenario's children."""
    user = make_user("practitioner", "partnership-cse", username="outsider")
    client = Client()
    client.force_login(user)
    return client


def _outsider_records_amy() -> None:
    """The outsider's agency records Amy: every record about her opens to them, Beth's not."""
    from shinealight.records.services import records_submit

    records_submit(
        payloads=[
            {
                "agency": "partnership-cse",
                "agency_type": "other",
                "record_id": "P1",
                "type": "other",
                "recorded_at": "2020-04-01T12:00:00Z",
                "area": "rotherham",
                "persons": [
                    {"ref": "p1", "role": "subject", "name": "Amy Hill", "dob": "2007-02-02"}
                ],
            }
        ],
        acting_user=None,
    )


def _events(action: str) -> list[Any]:
    from shinealight.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _entity(alert: Any, label: str) -> str:
    return str(alert.subjects.get(label=label).entity_id)


def _case(alert: Any) -> Any:
    from shinealight.cases.models import AlertCase

    return AlertCase.objects.get(alert=alert)


def _text(response: Any) -> str:
    return str(response.content.decode())


# ---------------------------------------------------------------- access


def test_each_role_opens_only_what_it_may(alert: Any, browser_for: Any, outsider: Any) -> None:
    child = _entity(alert, "Ash Khan")
    pages = [
        "/alerts",
        f"/alerts/{alert.pk}",
        f"/alerts/{alert.pk}/network",
        f"/alerts/{alert.pk}/network.json",
        f"/network/person/{child}",
        f"/network/person/{child}.json",
    ]
    expected = {
        # Social care recorded the children: their records, police ones too, open to it.
        "practitioner": [200, 200, 200, 200, 200, 200],
        "safeguarding_lead": [200, 200, 200, 200, 200, 200],
        "analyst": [200, 200, 200, 200, 200, 200],
        "manager": [403, 403, 403, 403, 403, 403],
        "administrator": [403, 403, 403, 403, 403, 403],
    }
    for role, statuses in expected.items():
        client = browser_for(role)
        assert [client.get(url).status_code for url in pages] == statuses, role
    # An agency that never recorded these children sees none of it.
    assert [outsider.get(url).status_code for url in pages] == [200, 404, 404, 404, 404, 404]
    for url in pages:
        assert Client().get(url).status_code == 302


def test_refusals_show_nothing_of_the_alert(alert: Any, outsider: Any) -> None:
    practitioner = outsider
    for url in (f"/alerts/{alert.pk}", f"/network/person/{_entity(alert, 'Ash Khan')}"):
        page = _text(practitioner.get(url))
        assert "Ash Khan" not in page and "Page not found" in page
    queue = _text(practitioner.get("/alerts"))
    assert "There are no alerts you can see yet" in queue and "Ash Khan" not in queue


def test_navigation_offers_alerts_to_case_roles(alert: Any, browser_for: Any) -> None:
    assert 'href="/alerts"' in _text(browser_for("safeguarding_lead").get("/accessibility"))
    assert 'href="/alerts"' not in _text(browser_for("manager").get("/accessibility"))


# ---------------------------------------------------------------- the queue


def test_queue_shows_the_alert_with_its_case_and_audits_the_page(
    alert: Any, browser_for: Any
) -> None:
    page = _text(browser_for("safeguarding_lead").get("/alerts", {"purpose": "daily check"}))
    row = re.search(r"<tbody.*?</tbody>", page, re.S)
    assert row is not None
    body = row.group(0)
    assert f'href="/alerts/{alert.pk}"' in body
    assert "One adult with several children at risk" in body
    assert "Amy Hill" in body and "Beth Cole" in body
    assert "govuk-tag--orange" in body and "Medium" in body
    assert ">New<" in body
    assert "1 Mar 2020" in body
    listed = _events("alerts.list")[-1]
    assert listed.object_ids == [str(alert.pk)] and listed.purpose == "daily check"
    assert listed.actor_username == "safeguarding_lead"


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ({"rule": "shared_adult"}, True),
        ({"rule": "jigsaw"}, False),
        ({"severity": "medium"}, True),
        ({"severity": "high"}, False),
        ({"status": "new"}, True),
        ({"status": "closed"}, False),
        ({"area": "rotherham"}, True),
    ],
)
def test_queue_filters(alert: Any, browser_for: Any, filters: dict[str, str], shown: bool) -> None:
    page = _text(browser_for("analyst").get("/alerts", filters))
    assert (f'href="/alerts/{alert.pk}"' in page) is shown
    if not shown:
        assert "No alerts match these filters" in page


def test_queue_filter_errors_use_the_error_summary(alert: Any, browser_for: Any) -> None:
    page = _text(browser_for("analyst").get("/alerts", {"severity": "extreme"}))
    assert "There is a problem" in page and 'href="#id_severity"' in page
    assert f'href="/alerts/{alert.pk}"' not in page
    assert not _events("alerts.list")


def _many_alerts(n: int, owner: Any) -> None:
    from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject
    from shinealight.cases.services import alert_case_acknowledge, alert_case_open
    from shinealight.records.models import Record

    record = Record.objects.first()
    now = timezone.now()
    start = Alert.objects.count()
    for i in range(start, start + n):
        with transaction.atomic():
            made = Alert.objects.create(
                rule="jigsaw",
                key=f"many-{i}",
                severity="high",
                title=f"Concerns from three agencies ({i})",
                explanation="Three agencies.",
                area="sheffield",
                first_data_time=now,
                last_data_time=now,
            )
            AlertSubject.objects.create(
                alert=made, kind="person", entity_id=f"P-9{i:06d}", role="child", label=f"C{i}"
            )
            AlertEvidence.objects.create(alert=made, record=record)
            case = alert_case_open(alert=made)
            if i % 2:
                alert_case_acknowledge(case=case, acting_user=owner)


def test_queue_query_count_does_not_grow_with_alerts(
    alert: Any, browser_for: Any, users: dict[str, Any]
) -> None:
    client = browser_for("analyst")
    _many_alerts(2, users["analyst"])
    client.get("/alerts")  # the session and anything cached load once
    with CaptureQueriesContext(connection) as few:
        page = client.get("/alerts", {"purpose": "count"})
    assert page.status_code == 200 and _text(page).count('<tr class="govuk-table__row">') == 4
    _many_alerts(27, users["analyst"])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/alerts", {"purpose": "count"})
    assert _text(page).count('<tr class="govuk-table__row">') == 26  # a page of 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------- one alert


def test_alert_page_explains_names_and_cites_and_is_audited(alert: Any, browser_for: Any) -> None:
    response = browser_for("safeguarding_lead").get(
        f"/alerts/{alert.pk}", {"purpose": "strategy meeting"}
    )
    page = _text(response)
    assert "was recorded with two children at risk" in page
    # How lawful contacts were treated.
    youth = _entity_by_name(alert, "Nia Youth")
    assert f"Nia Youth ({youth}): a professional acting in role" in page
    # Subjects with roles, linked to their profiles and networks.
    for label, role in (("Amy Hill", "Child at risk"), ("Ash Khan", "Adult: suspect")):
        entity = _entity(alert, label)
        assert f'href="/people/{entity}"' in page and f'href="/network/person/{entity}"' in page
        assert role in page
    # The evidence, each record linked, with its date and grading.
    evidence = re.search(r'<table class="govuk-table" id="alert-evidence">.*?</table>', page, re.S)
    assert evidence is not None
    table = evidence.group(0)
    assert 'href="/records/swy-police/S1"' in table and 'href="/records/swy-police/S2"' in table
    assert "1 Feb 2020" in table and "2B P" in table and "3C P" in table
    # The case: new, with its acknowledgement timer, and the form to take it on.
    assert "New: waiting for a named person to acknowledge it" in page
    assert "Acknowledge the alert" in page and f'action="/alerts/{alert.pk}/acknowledge"' in page
    assert ETHNICITY not in page
    reads = _events("alert.read")
    assert [(e.object_ids, e.purpose, e.detail) for e in reads] == [
        ([str(alert.pk)], "strategy meeting", {"page": "alert"})
    ]
    # A new case nobody owns is open to those who may see its alert, so one of them can
    # take it on; reading it is audited like any case read.
    case = AlertCase.objects.get(alert=alert)
    assert [e.object_ids for e in _events("alert_case.read")] == [[str(case.pk)]]


def _entity_by_name(alert: Any, name: str) -> str:
    from shinealight.alerts.entities import resolver
    from shinealight.records.models import PersonMention

    mention = PersonMention.objects.filter(name=name).values_list("mention_id", flat=True)[0]
    return resolver().person_entities([mention])[mention]


def test_evidence_lists_only_records_the_viewer_may_open(alert: Any, outsider: Any) -> None:
    _outsider_records_amy()
    page = _text(outsider.get(f"/alerts/{alert.pk}"))
    # Amy's stop opens to them; Beth's does not, and Beth is not named anywhere.
    assert "/records/swy-police/S1" in page and "/records/swy-police/S2" not in page
    assert "Further evidence is held in records you cannot open" in page
    assert "Beth Cole" not in page and "another child" in page
    assert "Amy Hill" in page and "Ash Khan" in page
    full = _text(outsider.get("/alerts"))
    assert "Amy Hill" in full and "Beth Cole" not in full


def test_the_case_is_walked_through_its_life_on_the_page(
    alert: Any, browser_for: Any, users: dict[str, Any]
) -> None:
    lead = browser_for("safeguarding_lead")
    url = f"/alerts/{alert.pk}"

    done = lead.post(f"{url}/acknowledge", {"acknowledge-note": "Taking this on"})
    assert done.status_code == 302 and done["Location"] == url
    case = _case(alert)
    assert case.status == "acknowledged" and case.owner == users["safeguarding_lead"]
    page = _text(lead.get(url))
    assert "Alert acknowledged" in page and "Taking this on" in page
    assert "Record decision" in page and "Decide on the alert" in page
    assert _events("alert_case.read")  # involved now: the history is shown, and audited

    refused = lead.post(f"{url}/triage", {"triage-decision": "no_further_action"})
    page = _text(refused)
    assert refused.status_code == 200 and "There is a problem" in page
    assert 'href="#id_triage-reason"' in page and "No further action needs a reason" in page
    assert _case(alert).status == "acknowledged"
    missing = _text(lead.post(f"{url}/triage", {}))
    assert 'href="#id_triage-decision_0"' in missing and "Select a decision" in missing

    lead.post(
        f"{url}/triage",
        {"triage-decision": "strategy_discussion", "triage-reason": "Two children, one adult"},
    )
    case = _case(alert)
    assert case.status == "triaged" and case.decision == "strategy_discussion"
    page = _text(lead.get(url))
    assert "Hold a strategy discussion" in page and f"?case={case.pk}" in page
    assert "Hold the strategy discussion" in page  # its timer

    handed = lead.post(
        f"{url}/assign",
        {"assign-owner": users["analyst"].pk, "assign-reason": "Coordinator leads"},
    )
    assert handed.status_code == 302 and _case(alert).owner == users["analyst"]

    analyst = browser_for("analyst")
    empty = _text(analyst.post(f"{url}/close", {"close-outcome": "  "}))
    assert 'href="#id_close-outcome"' in empty and "Enter the outcome" in empty
    analyst.post(f"{url}/close", {"close-outcome": "Discussion held; police lead"})
    case = _case(alert)
    assert case.status == "closed" and case.outcome == "Discussion held; police lead"
    assert "The case is closed" in _text(analyst.get(url))

    steps = [e.action for e in _events("alert_case.acknowledge")]
    steps += [e.action for e in _events("alert_case.triage")]
    steps += [e.action for e in _events("alert_case.assign")]
    steps += [e.action for e in _events("alert_case.close")]
    assert steps == [
        "alert_case.acknowledge",
        "alert_case.triage",
        "alert_case.assign",
        "alert_case.close",
    ]
    assert _events("alert_case.acknowledge")[0].actor_username == "safeguarding_lead"
    assert _events("alert_case.close")[0].actor_username == "analyst"


def test_a_refusal_without_a_field_shows_in_the_summary(
    alert: Any, browser_for: Any, users: dict[str, Any]
) -> None:
    from shinealight.cases import services

    lead = users["safeguarding_lead"]
    case = services.alert_case_acknowledge(case=_case(alert), acting_user=lead)
    case = services.alert_case_triage(case=case, decision="single_agency", acting_user=lead)
    services.action_create(
        description="Visit the family", owner=lead, acting_user=lead, alert_case=case
    )
    page = _text(
        browser_for("safeguarding_lead").post(
            f"/alerts/{alert.pk}/close", {"close-outcome": "Done"}
        )
    )
    assert "There is a problem" in page and "action(s) on this case are still open" in page
    assert _case(alert).status == "triaged"


def test_steps_are_refused_to_those_not_involved(
    alert: Any, browser_for: Any, users: dict[str, Any], outsider: Any
) -> None:
    url = f"/alerts/{alert.pk}"
    # Not theirs to see: the outsider cannot act either.
    assert outsider.post(f"{url}/acknowledge", {}).status_code == 404
    assert browser_for("manager").post(f"{url}/acknowledge", {}).status_code == 403
    assert browser_for("safeguarding_lead").get(f"{url}/acknowledge").status_code == 405
    # Once the analyst owns it, the lead sees the state but neither history nor forms.
    browser_for("analyst").post(f"{url}/acknowledge", {})
    assert _case(alert).owner == users["analyst"]
    lead = browser_for("safeguarding_lead")
    for step, data in (
        ("acknowledge", {}),
        ("triage", {"triage-decision": "single_agency"}),
        ("assign", {"assign-owner": users["safeguarding_lead"].pk, "assign-reason": "mine"}),
    ):
        assert lead.post(f"{url}/{step}", data).status_code == 404
    page = _text(lead.get(url))
    assert "Only the people involved in this case" in page
    assert "Record decision" not in page and "owned by analyst" in page
    assert _case(alert).status == "acknowledged" and _case(alert).owner == users["analyst"]


# ---------------------------------------------------------------- network view


def test_network_page_shows_the_graph_as_tables(alert: Any, browser_for: Any) -> None:
    page = _text(browser_for("safeguarding_lead").get(f"/alerts/{alert.pk}/network"))
    nodes = re.search(r'id="network-nodes">.*?</table>', page, re.S)
    edges = re.search(r'id="network-edges">.*?</table>', page, re.S)
    assert nodes is not None and edges is not None
    for label in ("Amy Hill", "Beth Cole", "Ash Khan", "Nia Youth", "KX55 ABC", "07700 900461"):
        assert label in nodes.group(0)
    assert "Vehicle" in nodes.group(0) and "Phone" in nodes.group(0)
    assert "Child at risk" in nodes.group(0) and "Adult: suspect" in nodes.group(0)
    assert 'href="/records/swy-police/S1"' in edges.group(0) and ">2B<" in edges.group(0)
    assert "Amy Hill (subject), Ash Khan (suspect)" in edges.group(0)
    assert f'data-network-src="/alerts/{alert.pk}/network.json"' in page
    # Strict CSP: every script is a file, and nothing is styled inline.
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "style=" not in page
    assert ETHNICITY not in page
    events = _events("network.read")
    assert [(e.object_type, e.object_ids, e.detail["page"]) for e in events] == [
        ("alert", [str(alert.pk)], "network")
    ]


def test_network_json_carries_nodes_edges_provenance_and_months(
    alert: Any, browser_for: Any
) -> None:
    response = browser_for("safeguarding_lead").get(f"/alerts/{alert.pk}/network.json")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    labels = {n["label"]: n for n in data["nodes"]}
    assert labels["Amy Hill"]["category"] == "child" and labels["Amy Hill"]["focus"] is True
    assert labels["Ash Khan"]["category"] == "adult" and labels["Ash Khan"]["focus"] is True
    assert labels["Nia Youth"]["focus"] is False
    assert labels["KX55 ABC"]["kind"] == "vehicle" and labels["KX55 ABC"]["month"] == "2020-02"
    assert labels["07700 900461"]["month"] == "2020-03"
    assert [m["value"] for m in data["months"]] == ["2020-02", "2020-03"]
    ash = labels["Ash Khan"]["id"]
    car = labels["KX55 ABC"]["id"]
    edge = next(e for e in data["edges"] if {e["source"], e["target"]} == {ash, car})
    assert edge["provenance"] == [
        {
            "record": "swy-police/S1",
            "agency": "swy-police",
            "record_id": "S1",
            "type": "police stop",
            "date": "2020-02-01",
            "date_label": "1 Feb 2020",
            "grading": "2B",
            "relation": "vehicle tied to them in the record",
            "href": "/records/swy-police/S1",
        }
    ]
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    assert ETHNICITY not in json.dumps(data)
    assert _events("network.read")[-1].detail["page"] == "network.json"


def test_hostile_names_stay_text(alert: Any, browser_for: Any) -> None:
    client = browser_for("safeguarding_lead")
    data = client.get(f"/alerts/{alert.pk}/network.json").json()
    # The JSON carries the name as data, exactly as recorded; the diagram draws it as text.
    assert HOSTILE_NAME in {n["label"] for n in data["nodes"]}
    page = _text(client.get(f"/alerts/{alert.pk}/network"))
    assert HOSTILE_NAME not in page and "<img" not in page
    assert "&lt;img src=x onerror=&quot;document.title=1&quot;&gt;Jo" in page


def test_person_network_holds_only_records_the_viewer_may_see(
    alert: Any, browser_for: Any, outsider: Any
) -> None:
    ash = _entity(alert, "Ash Khan")
    beth = _entity(alert, "Beth Cole")
    lead = browser_for("safeguarding_lead").get(f"/network/person/{ash}.json").json()
    assert {n["label"] for n in lead["nodes"]} >= {"Amy Hill", "Beth Cole", "07700 900461"}
    # The outsider's agency knows Amy only: Ash's network holds her stop and nothing of Beth's.
    _outsider_records_amy()
    own = outsider.get(f"/network/person/{ash}.json").json()
    assert {n["label"] for n in own["nodes"]} == {"Amy Hill", "Ash Khan", "Nia Youth", "KX55 ABC"}
    assert {p["record"] for e in own["edges"] for p in e["provenance"]} == {"swy-police/S1"}
    page = _text(outsider.get(f"/network/person/{ash}"))
    assert "Network of Ash Khan" in page and "Beth Cole" not in page and "S2" not in page
    assert outsider.get(f"/network/person/{beth}").status_code == 404
    assert outsider.get("/network/person/P-9999999.json").status_code == 404
    reads = [(e.object_type, e.object_ids) for e in _events("network.read")]
    assert ("person", [ash]) in reads
