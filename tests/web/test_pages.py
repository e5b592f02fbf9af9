"""The pages, through Django's test client: who may open what, what is audited, forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for(users: dict[str, Any]) -> Any:
    """A page client signed in as the named role."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


def _events(action: str) -> list[Any]:
    from shinealight.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


PAGES = [
    "/",
    "/records/",
    "/records/swy-police/INC-2009-004417",
    "/records/import",
    "/administration/users",
    "/administration/users/new",
    "/administration/agencies",
    "/administration/agencies/new",
    "/intelligence/new",
]
# What each role gets from each page (200 shown, 403 refused, 404 not theirs to see).
EXPECTED = {
    # The police stop is about a child the practitioner's agency recorded: need-to-know.
    "practitioner": [200, 200, 200, 403, 403, 403, 403, 403, 200],
    "safeguarding_lead": [200, 200, 200, 403, 403, 403, 403, 403, 200],
    "analyst": [200, 200, 200, 200, 403, 403, 403, 403, 200],
    "manager": [200, 403, 403, 403, 403, 403, 403, 403, 200],
    "administrator": [200, 403, 403, 403, 200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_opens_only_its_pages(imported: Any, browser_for: Any, role: str) -> None:
    client = browser_for(role)
    got = [client.get(url).status_code for url in PAGES]
    assert got == EXPECTED[role]


def test_refusals_show_no_content(imported: Any, browser_for: Any) -> None:
    practitioner = browser_for("practitioner")
    # Sealed to health (sexual health): not there for anyone outside it.
    not_found = practitioner.get("/records/rdash-sexual-health/SH-2009-1180")
    refused = practitioner.get("/records/import")
    for response in (not_found, refused):
        assert b"SH-2009-1180" not in response.content
        assert b"Chloe" not in response.content
    assert b"Page not found" in not_found.content
    assert b"You do not have access" in refused.content


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in")
    assert Client().get("/sign-in").status_code == 200
    assert Client().get("/accessibility").status_code == 200


def test_record_page_shows_mentions_and_history_and_is_audited(
    imported: Any, browser_for: Any
) -> None:
    response = browser_for("analyst").get("/records/swy-police/INC-2009-004417?purpose=review")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chloe Marie Smith" in page
    assert "Version 2 as received" in page and "Version 1 as received" in page
    reads = _events("record.read")
    assert [(e.object_ids, e.purpose) for e in reads] == [
        (["swy-police/INC-2009-004417"], "review")
    ]
    assert len(_events("record.read_versions")) == 1


def test_records_list_filters_and_audits_what_it_showed(imported: Any, browser_for: Any) -> None:
    client = browser_for("analyst")
    page = client.get("/records/", {"agency": "rmbc-csc"}).content.decode()
    assert "REF-88121" in page and "INC-2009-004417" not in page
    listed = _events("records.list")[-1]
    assert listed.object_ids == ["rmbc-csc/REF-88121"]
    bad = client.get("/records/", {"recorded_from": "31/02/2009"})
    assert bad.status_code == 200
    assert b"There is a problem" in bad.content


def test_practitioner_list_holds_only_their_agency(imported: Any, browser_for: Any) -> None:
    page = browser_for("practitioner").get("/records/").content.decode()
    # Their agency's, and the police stop about the child they recorded (need-to-know);
    # never a record sealed to another agency.
    assert "REF-88121" in page and "INC-2009-004417" in page
    assert "SH-2009-1180" not in page and "RB-0413" not in page


def test_list_queries_do_not_grow_with_rows(
    imported: Any, browser_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = browser_for("analyst")
    with django_assert_max_num_queries(20):
        client.get("/records/")


def test_import_page_summary_and_every_row_error(
    agencies: Any, browser_for: Any, spec_examples: Path, settings: Any, tmp_path: Path
) -> None:
    # Imported inside the request (tests/records/test_import_page.py has the thread).
    settings.SHINEALIGHT_IMPORT_IN_BACKGROUND = False
    settings.HOME = tmp_path
    client = browser_for("analyst")
    with (spec_examples / "invalid.jsonl").open("rb") as upload:
        bad = client.post("/records/import", {"file": upload}, follow=True)
    page = bad.content.decode()
    assert bad.status_code == 200
    for line in range(2, 8):
        assert f'govuk-table__cell--numeric">{line}</td>' in page
    assert 'govuk-table__cell--numeric">1</td>' not in page
    assert "army" in page
    from shinealight.records.models import Record

    assert Record.objects.count() == 0

    with (spec_examples / "valid.jsonl").open("rb") as upload:
        good = client.post("/records/import", {"file": upload})
    assert good.status_code == 302
    summary = client.get(good["Location"]).content.decode()
    assert "Import finished" in summary and "valid.jsonl" in summary
    assert Record.objects.count() == 4
    assert _events("records.import")[-1].actor_username == "analyst"


def test_import_refuses_other_file_types(agencies: Any, browser_for: Any, tmp_path: Path) -> None:
    bad = tmp_path / "records.csv"
    bad.write_text("a,b\n")
    with bad.open("rb") as upload:
        response = browser_for("analyst").post("/records/import", {"file": upload})
    assert b"must be a .jsonl or .jsonl.gz file" in response.content


def test_admin_adds_a_user_and_an_agency(users: dict[str, Any], browser_for: Any) -> None:
    client = browser_for("administrator")
    weak = client.post(
        "/administration/users/new",
        {"username": "newbie", "role": "practitioner", "agency": "rmbc-csc", "password": "short"},
    )
    assert b"There is a problem" in weak.content
    made = client.post(
        "/administration/users/new",
        {
            "username": "newbie",
            "first_name": "Nia",
            "role": "practitioner",
            "agency": "rmbc-csc",
            "password": PASSWORD,
        },
    )
    assert made.status_code == 302
    assert b"User newbie added" in client.get(made["Location"]).content
    assert [e.detail["username"] for e in _events("user.create")] == ["newbie"]

    agency = client.post(
        "/administration/agencies/new",
        {"code": "rotherham-youth", "agency_type": "youth_service", "name": "Youth service"},
    )
    assert agency.status_code == 302
    assert [e.object_ids for e in _events("agency.create")] == [["rotherham-youth"]]
    again = client.post(
        "/administration/agencies/new", {"code": "rotherham-youth", "agency_type": "youth_service"}
    )
    assert b"There is already an agency with that code" in again.content


def test_every_page_keeps_the_strict_policy_and_no_inline_code(
    imported: Any, browser_for: Any
) -> None:
    client = browser_for("analyst")
    for url in ["/", "/records/", "/records/swy-police/INC-2009-004417", "/records/import"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
        page = response.content.decode()
        assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_text_is_escaped(agencies: Any, browser_for: Any) -> None:
    from shinealight.records.services import records_submit

    records_submit(
        payloads=[
            {
                "agency": "rmbc-csc",
                "agency_type": "social_care",
                "record_id": "X-1",
                "type": "referral",
                "recorded_at": "2009-04-02T10:05:00Z",
                "summary": "<script>alert(1)</script>",
            }
        ],
        acting_user=None,
    )
    page = browser_for("analyst").get("/records/rmbc-csc/X-1").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_shared_pagination_keeps_the_filters_and_says_where_you_are() -> None:
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(list(range(60)), 25).page(2)
    html = render_to_string(
        "govuk/pagination.html", {"page": page, "query": "agency=swy-police", "what": "records"}
    )
    assert 'aria-label="Pages of records"' in html
    assert 'href="?agency=swy-police&amp;page=1" rel="prev"' in html
    assert 'href="?agency=swy-police&amp;page=3" rel="next"' in html
    assert 'aria-label="Page 2 of 3" aria-current="page"' in html
    single = render_to_string("govuk/pagination.html", {"page": Paginator([1], 25).page(1)})
    assert "govuk-pagination" not in single
