"""The meetings, actions and oversight pages, through Django's test client."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shinealight.audit.models import AuditEvent
from shinealight.cases import services
from shinealight.cases.hotspots import postcode_areas
from shinealight.cases.models import Action, AlertCase, Deadline, Meeting
from shinealight.cases.services import ActionIn, AttendeeIn
from shinealight.cases.views import map_tiles

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def browser_for(users: dict[str, Any]) -> Any:
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def case(raise_alert: Any, users: dict[str, Any]) -> AlertCase:
    """A case the safeguarding lead owns, triaged for a strategy discussion."""
    alert = raise_alert(title="Child A missing three times, seen with Adult B", child="P000001")
    case = AlertCase.objects.get(alert=alert)
    lead = users["safeguarding_lead"]
    services.alert_case_acknowledge(case=case, acting_user=lead)
    return services.alert_case_triage(case=case, decision="strategy_discussion", acting_user=lead)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _d(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _meeting_post(users: dict[str, Any], agencies: dict[str, Any], **extra: Any) -> dict[str, Any]:
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "kind": "strategy_discussion",
        "held_on": _d(yesterday),
        "held_time": "14:30",
        "title": "Strategy discussion for Child A",
        "agenda": "Introductions\nWhat each agency knows\nPlan",
        "attendees": [str(users["safeguarding_lead"].pk), str(users["practitioner"].pk)],
        "other_agencies": [str(agencies["partnership-cse"].pk)],
        "chair": str(users["safeguarding_lead"].pk),
        "decisions": "Section 47 enquiry; consider a CAWN",
        "action_1_description": "Return home interview",
        "action_1_owner": str(users["practitioner"].pk),
        "action_1_due": _d(timezone.localdate() + timedelta(days=14)),
    }
    data.update(extra)
    return data


PAGES = ["/cases/meetings", "/cases/meetings/new", "/cases/actions", "/cases/oversight"]
EXPECTED = {
    "practitioner": [200, 200, 200, 403],
    "safeguarding_lead": [200, 200, 200, 200],
    "analyst": [200, 200, 200, 200],
    "manager": [403, 403, 403, 200],
    "administrator": [403, 403, 403, 403],
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_opens_only_its_pages(browser_for: Any, role: str) -> None:
    client = browser_for(role)
    assert [client.get(url).status_code for url in PAGES] == EXPECTED[role]


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    for url in [*PAGES, "/cases/meetings/1", "/cases/actions/1"]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in")


def test_navigation_offers_the_pages_to_their_roles(browser_for: Any) -> None:
    links = {
        role: re.findall(
            r'govuk-service-navigation__link"[^>]*>\s*([^<]+?)\s*<',
            browser_for(role).get("/").content.decode(),
        )
        for role in EXPECTED
    }
    for role in ("practitioner", "safeguarding_lead", "analyst"):
        assert "Meetings" in links[role] and "Actions" in links[role]
    assert "Oversight" in links["manager"] and "Meetings" not in links["manager"]
    assert "Oversight" not in links["practitioner"]
    assert not {"Meetings", "Actions", "Oversight"} & set(links["administrator"])


def test_lead_holds_a_strategy_discussion_for_a_case(
    case: AlertCase, browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    client = browser_for("safeguarding_lead")
    form = client.get(f"/cases/meetings/new?case={case.pk}")
    assert form.status_code == 200
    page = form.content.decode()
    assert "Child A missing three times" in page
    assert 'value="strategy_discussion" checked' in page
    assert [e.object_ids for e in _events("alert_case.read")] == [[str(case.pk)]]

    made = client.post(f"/cases/meetings/new?case={case.pk}", _meeting_post(users, agencies))
    assert made.status_code == 302
    meeting = Meeting.objects.get()
    assert made["Location"] == f"/cases/meetings/{meeting.pk}"
    assert meeting.alert_case == case and meeting.agenda.startswith("Introductions")
    assert sorted(a.agency.code for a in meeting.attendees.all()) == [
        "partnership-cse",
        "rmbc-csc",
        "swy-police",
    ]
    assert [(s.entity_id, s.role) for s in meeting.subjects.all()] == [("P000001", "child")]
    action = meeting.actions.get()
    assert action.owner == users["practitioner"] and action.alert_case == case
    assert action.due_at.date() == timezone.localdate() + timedelta(days=14)
    # The owner's notification (and its e-mail) leads to the action's page.
    assert users["practitioner"].notifications.get().link == f"/cases/actions/{action.pk}"
    # Holding it meets the case's strategy discussion timer.
    assert case.deadlines.get(kind=Deadline.Kind.STRATEGY_DISCUSSION).met_at is not None
    assert [e.object_ids for e in _events("meeting.record")] == [[str(meeting.pk)]]

    shown = client.get(made["Location"]).content.decode()
    assert "Strategy discussion recorded" in shown
    for text in ("What each agency knows", "Section 47 enquiry", "Return home interview"):
        assert text in shown
    assert "Rotherham children&#x27;s social care" in shown
    assert 'href="/people/P000001"' in shown
    assert f'href="/alerts/{case.alert_id}"' in shown
    assert 'govuk-tag--blue">Open' in shown
    assert [e.object_ids for e in _events("meeting.read")] == [[str(meeting.pk)]]


def test_meeting_form_errors_are_summarised_and_linked(
    case: AlertCase, browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    client = browser_for("safeguarding_lead")
    empty = client.post("/cases/meetings/new", {"held_on": "", "held_time": ""})
    page = empty.content.decode()
    assert empty.status_code == 200 and "There is a problem" in page
    assert "<title>Error: Record a meeting" in page
    for href, text in [
        ("#id_kind_0", "Select the kind of meeting"),
        ("#id_held_on", "Enter the date the meeting was held"),
        ("#id_attendees_0", "Select at least one person or agency that attended"),
    ]:
        assert f'<a href="{href}">{text}</a>' in page

    tomorrow = timezone.localdate() + timedelta(days=1)
    future = client.post(
        "/cases/meetings/new",
        _meeting_post(users, agencies, held_on=_d(tomorrow), action_1_owner=""),
    ).content.decode()
    assert "Record the meeting once it has been held" in future
    assert '<a href="#id_action_1_owner">Choose who owns action 1</a>' in future
    assert Meeting.objects.count() == 0


def test_a_case_outside_the_users_work_is_not_found(
    case: AlertCase, browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    # The practitioner's agency is not on the case yet: its existence is not disclosed.
    client = browser_for("practitioner")
    assert client.get(f"/cases/meetings/new?case={case.pk}").status_code == 404
    assert client.get("/cases/meetings/new?case=abc").status_code == 404
    post = client.post(f"/cases/meetings/new?case={case.pk}", _meeting_post(users, agencies))
    assert post.status_code == 404 and Meeting.objects.count() == 0


def _meeting(users: dict[str, Any], agencies: dict[str, Any], n: int = 0) -> Meeting:
    lead, practitioner = users["safeguarding_lead"], users["practitioner"]
    return services.meeting_record(
        kind="mace",
        held_at=timezone.now() - timedelta(days=2, minutes=n),
        acting_user=lead,
        title=f"Panel {n}",
        attendees=[AttendeeIn(agencies["swy-police"], lead), AttendeeIn(agencies["rmbc-csc"])],
        actions=[
            ActionIn(f"Action {n} for the practitioner", practitioner, None),
            ActionIn(f"Action {n} for the lead", lead, None),
        ],
    )


def test_meeting_pages_are_need_to_know(
    browser_for: Any, users: dict[str, Any], agencies: dict[str, Any], make_user: Any
) -> None:
    meeting = _meeting(users, agencies)
    outsider = make_user("practitioner", "partnership-cse", username="outsider")
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/cases/meetings/{meeting.pk}").status_code == 404
    assert "Panel 0" not in client.get("/cases/meetings").content.decode()
    action = meeting.actions.first()
    assert client.get(f"/cases/actions/{action.pk}").status_code == 404
    refused = client.post(f"/cases/actions/{action.pk}/complete", {"complete-note": "done"})
    assert refused.status_code == 404
    assert Action.objects.get(pk=action.pk).status == "open"
    # An attending agency's practitioner sees it.
    assert browser_for("practitioner").get(f"/cases/meetings/{meeting.pk}").status_code == 200


def test_lists_do_not_grow_queries_with_rows(
    browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    client = browser_for("safeguarding_lead")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for n in range(3):
        _meeting(users, agencies, n)
    few = {url: queries(url) for url in ("/cases/meetings", "/cases/actions?show=all")}
    for n in range(3, 30):
        _meeting(users, agencies, n)
    many = {url: queries(url) for url in few}
    assert many == few
    page = client.get("/cases/actions?show=all").content.decode()
    assert page.count("govuk-table__row") == 51  # a page of 50, and the header


def test_actions_list_mine_team_all_and_overdue(
    browser_for: Any, users: dict[str, Any], agencies: dict[str, Any], make_user: Any
) -> None:
    meeting = _meeting(users, agencies)
    colleague = make_user("practitioner", "swy-police", username="colleague")
    services.action_create(
        description="Colleague's visit",
        owner=colleague,
        meeting=meeting,
        acting_user=users["safeguarding_lead"],
    )
    late = Action.objects.get(description="Action 0 for the lead")
    Action.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = browser_for("safeguarding_lead")

    mine = client.get("/cases/actions").content.decode()
    assert "Action 0 for the lead" in mine and "Colleague" not in mine
    assert "Action 0 for the practitioner" not in mine
    assert 'govuk-tag--red">Overdue' in mine
    team = client.get("/cases/actions?show=team").content.decode()
    assert "Colleague&#x27;s visit" in team and "Action 0 for the practitioner" not in team
    everything = client.get("/cases/actions?show=all").content.decode()
    assert "Action 0 for the practitioner" in everything
    overdue = client.get("/cases/actions?show=all&status=overdue").content.decode()
    assert "Action 0 for the lead" in overdue and "Colleague" not in overdue
    listed = _events("action.list")[-1]
    assert listed.object_ids == [str(late.pk)]
    nothing = client.get("/cases/actions?status=done").content.decode()
    assert "No actions to show that you own with this status" in nothing


def test_owner_completes_and_lead_cancels_through_the_services(
    browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    meeting = _meeting(users, agencies)
    own = meeting.actions.get(owner=users["practitioner"])
    client = browser_for("practitioner")
    page = client.get(f"/cases/actions/{own.pk}").content.decode()
    assert "Mark as done" in page and "Action 0 for the practitioner" in page
    assert [e.object_ids for e in _events("action.read")] == [[str(own.pk)]]

    blank = client.post(f"/cases/actions/{own.pk}/complete", {"complete-note": "  "})
    assert blank.status_code == 200
    assert '<a href="#id_complete-note">Say what was done</a>' in blank.content.decode()
    done = client.post(f"/cases/actions/{own.pk}/complete", {"complete-note": "Seen at home"})
    assert done.status_code == 302
    own.refresh_from_db()
    assert own.status == "done" and own.completion_note == "Seen at home"
    assert own.completed_by == users["practitioner"]
    shown = client.get(done["Location"]).content.decode()
    assert "Action marked as done" in shown and 'govuk-tag--green">Done' in shown
    assert "Mark as done" not in shown
    again = client.post(f"/cases/actions/{own.pk}/complete", {"complete-note": "again"})
    assert "This action is already done" in again.content.decode()

    # The practitioner may not close the lead's action, though their agency attended.
    theirs = meeting.actions.get(owner=users["safeguarding_lead"])
    page = client.get(f"/cases/actions/{theirs.pk}").content.decode()
    assert "Cancel the action" not in page and "Only its owner" in page
    refused = client.post(f"/cases/actions/{theirs.pk}/cancel", {"cancel-reason": "no"})
    assert "Only the owner" in refused.content.decode()
    cancelled = browser_for("safeguarding_lead").post(
        f"/cases/actions/{theirs.pk}/cancel", {"cancel-reason": "Police already did it"}
    )
    assert cancelled.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "cancelled" and theirs.completion_note == "Police already did it"
    assert [e.object_ids for e in _events("action.cancel")] == [[str(theirs.pk)]]


def test_an_action_is_given_from_the_meeting_page(
    browser_for: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    meeting = _meeting(users, agencies)
    client = browser_for("safeguarding_lead")
    bad = client.post(f"/cases/meetings/{meeting.pk}/actions", {"description": ""})
    page = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in page
    assert '<a href="#id_owner">Choose who owns it</a>' in page
    ok = client.post(
        f"/cases/meetings/{meeting.pk}/actions",
        {"description": "Check the hotel register", "owner": str(users["analyst"].pk)},
    )
    assert ok.status_code == 302
    action = Action.objects.get(description="Check the hotel register")
    assert action.meeting == meeting and action.owner == users["analyst"]


# ---------------------------------------------------------------- oversight


def test_manager_reads_figures_with_no_names_and_the_read_is_audited(
    imported: Any,
    case: AlertCase,
    browser_for: Any,
    users: dict[str, Any],
    agencies: dict[str, Any],
) -> None:
    _meeting(users, agencies)
    response = browser_for("manager").get("/cases/oversight")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Alerts", "Time taken", "Children by risk level", "Hotspots by postcode area"):
        assert f">{heading}</h2>" in page
    # Aggregates only: no alert title, child, adult, username or action text.
    for private in ("Child A", "Chloe", "safeguarding_lead", "practitioner", "Action 0"):
        assert private not in page, private
    assert page.count('role="img"') >= 2
    assert "<title>Raised: 1</title>" in page
    event = _events("oversight.read")[-1]
    assert event.actor_username == "manager" and event.object_ids == []
    assert "start" in event.detail and "end" in event.detail
    # Disclosure counts are for managers and analysts, as in the API.
    assert "Information shared beyond an agency" in page
    lead_page = browser_for("safeguarding_lead").get("/cases/oversight").content.decode()
    assert "Information shared beyond an agency" not in lead_page


def test_oversight_period_and_its_errors(imported: Any, browser_for: Any) -> None:
    client = browser_for("analyst")
    bad = client.get("/cases/oversight", {"start": "31/12/2009", "end": "1/1/2009"})
    assert bad.status_code == 200
    assert '<a href="#id_end">To must be the same as or after From</a>' in bad.content.decode()
    nonsense = client.get("/cases/oversight", {"start": "31/02/2009"})
    assert "From must be a real date" in nonsense.content.decode()

    page = client.get("/cases/oversight", {"start": "1/1/2009", "end": "31/12/2009"})
    text = page.content.decode()
    assert "from 1 January 2009 to 31 December 2009" in text
    assert "No records with indicators or alerts name a place with a postcode" in text
    assert 'id="hotspot-data"' not in text  # no map without a place to mark
    last = _events("oversight.read")[-1]
    assert last.detail["start"].startswith("2009-01-01")


def _record(n: int, postcode: str, recorded: str, indicators: list[str]) -> dict[str, Any]:
    return {
        "agency": "swy-police",
        "agency_type": "police",
        "record_id": f"HOT-{n}",
        "type": "police_stop",
        "recorded_at": recorded,
        "summary": "Girl seen at a takeaway late at night.",
        "persons": [{"ref": "p1", "role": "subject", "name": f"Test Child {n}"}],
        "locations": [{"ref": "l1", "name": "Takeaway", "kind": "takeaway", "postcode": postcode}],
        "indicators": indicators,
    }


@pytest.fixture
def places(agencies: dict[str, Any], tmp_path: Path, settings: Any) -> dict[str, Any]:
    """Records naming places in a few postcode areas, and an alert citing one of them."""
    from shinealight.alerts.models import Alert, AlertEvidence
    from shinealight.records.models import Record
    from shinealight.records.services import records_import_file

    settings.SHINEALIGHT_ANALYSE_ON_IMPORT = False
    rows = [
        _record(1, "KF3 4AB", "2024-05-01T10:00:00Z", ["older_boyfriend"]),
        _record(2, "kf7 1zz", "2024-06-01T10:00:00Z", ["absent_from_school"]),
        _record(3, "KF3 4AB", "2024-06-02T10:00:00Z", []),  # no indicator: not counted
        _record(4, "WF1 2AB", "2024-07-01T10:00:00Z", ["older_boyfriend"]),
        _record(5, "QA1 1AA", "2024-07-02T10:00:00Z", ["older_boyfriend"]),
        _record(6, "S65 1EQ", "2023-01-01T10:00:00Z", ["older_boyfriend"]),  # before the period
    ]
    path = tmp_path / "places.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    records_import_file(path=path)
    alert = Alert.objects.create(
        rule="test",
        key="hotspot-test",
        severity="high",
        title="Test Child 1 seen with an adult",
        explanation="Test.",
        first_data_time=timezone.now(),
        last_data_time=timezone.now(),
    )
    AlertEvidence.objects.create(alert=alert, record=Record.objects.get(record_id="HOT-1"))
    AlertEvidence.objects.create(alert=alert, record=Record.objects.get(record_id="HOT-2"))
    return {"start": "1/1/2024", "end": _d(timezone.localdate())}


def test_hotspots_count_by_postcode_area_on_a_map_and_in_a_table(
    places: dict[str, Any], browser_for: Any
) -> None:
    text = browser_for("manager").get("/cases/oversight", places).content.decode()
    table = text[text.index('id="hotspots"') :]
    cells = re.findall(
        r'<th scope="row" class="govuk-table__header">(\w+)\b.*?</th>\s*'
        r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>",
        table,
        re.S,
    )
    # Busiest first; the alert counts once in KF although two of its records are there.
    assert cells == [("KF", "2", "1"), ("QA", "1", "0"), ("WF", "1", "0")]
    assert "(Brackenfield, simulated)" in table and "(Wakefield)" in table
    assert "Not on the map (no centre known for the area): QA." in table
    found = re.search(r'<script id="hotspot-data" type="application/json">(.*?)</script>', text)
    assert found
    data = json.loads(found.group(1))
    assert data["tiles"] == ""
    assert [(a["area"], a["records"], a["alerts"]) for a in data["areas"]] == [
        ("KF", 2, 1),
        ("WF", 1, 0),
    ]
    assert (data["areas"][0]["lat"], data["areas"][0]["lon"]) == (53.52, -1.47)
    assert "No background map is configured" in text
    assert "shinealight/hotspots.js" in text and "leaflet/leaflet.js" in text
    # Counts only: no child, no address, no postcode beyond its area.
    for private in ("Test Child", "KF3", "4AB", "Takeaway"):
        assert private not in text


def test_oversight_keeps_the_strict_policy_and_allows_only_the_tile_origin(
    places: dict[str, Any], browser_for: Any, settings: Any
) -> None:
    client = browser_for("analyst")
    period = places
    plain = client.get("/cases/oversight", period)
    assert "img-src 'self' data:;" in plain["Content-Security-Policy"]
    page = plain.content.decode()
    assert "<script>" not in page and " style=" not in page and "<style" not in page

    settings.SHINEALIGHT_MAP_TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    tiled = client.get("/cases/oversight", period)
    policy = tiled["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "No background map is configured" not in tiled.content.decode()

    settings.SHINEALIGHT_MAP_TILES = "javascript:alert(1)//{z}"
    assert map_tiles() == ("", "")
    settings.SHINEALIGHT_MAP_TILES = "/tiles/{z}/{x}/{y}.png"
    assert map_tiles() == ("/tiles/{z}/{x}/{y}.png", "")
    same_site = client.get("/cases/oversight", period)
    assert "img-src 'self' data:;" in same_site["Content-Security-Policy"]


def test_postcode_centres_cover_the_simulated_towns() -> None:
    places = ROOT / "src/shinealight/core/simulate/internals/data/places.yaml"
    towns = yaml.safe_load(places.read_text())["towns"]
    known = postcode_areas()
    for town in towns:
        area = known[town["postcode_area"]]
        assert area.simulated and (area.lat, area.lon) == (town["lat"], town["lon"])
    assert not any(a.simulated for code, a in known.items() if code in {"S", "WF", "LS"})
