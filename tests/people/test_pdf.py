"""The chronology printed for a strategy meeting: a tagged PDF, marked on every page, built
only from what the reader may take out, audited, and rendered without touching the network."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from tests.people.pages_data import (
    entity_of,
    extra_katie_records,
    partnership_records,
    record,
    submit,
)

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_page(users: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(users["analyst"])
    return client


@pytest.fixture
def katie(users: dict[str, Any]) -> str:
    submit(users["analyst"], partnership_records())
    return str(entity_of("rmbc-csc/REF-1/p1").entity_id)


def _pdf(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(response.content))


def test_pdf_is_marked_numbered_and_tagged(katie: str, users: Any, analyst_page: Client) -> None:
    submit(users["analyst"], extra_katie_records(40))
    reader = _pdf(analyst_page.get(f"/people/{katie}/chronology.pdf"))
    pages = len(reader.pages)
    assert pages > 1
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        # Marked at the top and the foot of every page, and numbered "Page x of y".
        assert text.count("OFFICIAL-SENSITIVE") >= 2
        assert f"Page {number} of {pages}" in text
    first = reader.pages[0].extract_text()
    assert "Multi-agency chronology: Katie Smith" in first
    assert "swy-police INC-1" in first and "2B P" in first
    # Tagged for screen readers (PDF/UA-1): structure tree, marked content, language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert "OFFICIAL-SENSITIVE" in reader.metadata.title


def test_pdf_applies_the_filters_and_is_audited_as_an_export(
    katie: str, analyst_page: Client
) -> None:
    from shinealight.audit.models import AuditEvent

    reader = _pdf(analyst_page.get(f"/people/{katie}/chronology.pdf", {"agency": "swy-police"}))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "INC-1" in text and "INC-2" in text and "REF-1" not in text
    assert "Agency: swy-police" in text
    event = AuditEvent.objects.filter(action="chronology.export").latest("seq")
    assert event.object_ids == ["swy-police/INC-1", "swy-police/INC-2"]
    assert event.detail["format"] == "pdf" and event.detail["entity"] == katie


def test_pdf_with_bad_filters_goes_back_to_the_page(katie: str, analyst_page: Client) -> None:
    response = analyst_page.get(f"/people/{katie}/chronology.pdf", {"recorded_from": "99/99/2023"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/people/{katie}?")


def test_pdf_holds_only_what_the_reader_may_take_out(users: Any, katie: str) -> None:
    # A police record under handling code C: the originator's conditions travel with it,
    # so it prints for the police, never for a council practitioner.
    submit(
        users["analyst"],
        [
            record(
                "swy-police",
                "INT-C",
                "intelligence",
                "2023-02-10T10:00:00Z",
                persons=[
                    {
                        "ref": "p1",
                        "role": "subject",
                        "name": "Katie Smith",
                        "dob": "2008-03-04",
                        "postcode": "S65 1AB",
                    }
                ],
                summary="Source-sensitive intelligence.",
                grading=("2", "B", "C"),
            )
        ],
    )
    client = Client()
    client.force_login(users["practitioner"])
    text = "".join(
        p.extract_text() for p in _pdf(client.get(f"/people/{katie}/chronology.pdf")).pages
    )
    assert "REF-1" in text
    assert "INT-C" not in text and "Source-sensitive" not in text
    assert client.get("/people/P-9999999/chronology.pdf").status_code == 404
    police = Client()
    police.force_login(users["safeguarding_lead"])
    printed = _pdf(police.get(f"/people/{katie}/chronology.pdf")).pages
    assert "INT-C" in "".join(p.extract_text() for p in printed)
    manager = Client()
    manager.force_login(users["manager"])
    assert manager.get(f"/people/{katie}/chronology.pdf").status_code == 403


def test_pdf_for_someone_outside_the_view_is_404(users: Any, katie: str) -> None:
    zed = entity_of("swy-police/INT-9/p1").entity_id
    client = Client()
    client.force_login(users["practitioner"])
    assert client.get(f"/people/{zed}/chronology.pdf").status_code == 404


def test_the_url_fetcher_serves_our_static_files_and_refuses_everything_else() -> None:
    from weasyprint.urls import URLFetchingError

    from shinealight.people.pdf import static_only_fetcher

    fetch = static_only_fetcher("http://testserver").fetch
    css = fetch("http://testserver/static/people/chronology-print.css")
    assert b"OFFICIAL-SENSITIVE" in css.read()
    refused = [
        "http://example.org/static/people/chronology-print.css",  # another host
        "https://testserver/static/people/chronology-print.css",  # another origin
        "http://testserver/people/P-0000001",  # a page, not a static file
        "http://testserver/static/../settings.py",
        "http://testserver/static/people/nothing-here.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "http://169.254.169.254/latest/meta-data/",
    ]
    for url in refused:
        with pytest.raises(URLFetchingError):
            fetch(url)


def test_rendering_never_reaches_out(monkeypatch: Any) -> None:
    """A document asking for remote images and styles renders without fetching them."""
    import urllib.request

    from shinealight.people.pdf import render_pdf

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the PDF renderer tried to use the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="http://example.org/x.css"></head>'
        '<body><img src="http://example.org/x.png" alt="x"><p>Text</p></body></html>'
    )
    pdf = render_pdf(html, origin="http://testserver")
    assert pdf.startswith(b"%PDF-")


def test_printing_asks_for_the_password_again_after_a_while(
    katie: str, analyst_page: Client
) -> None:
    import time

    from shinealight.accounts.two_factor import AUTHENTICATED_AT

    session = analyst_page.session
    session[AUTHENTICATED_AT] = time.time() - 24 * 3600
    session.save()
    response = analyst_page.get(f"/people/{katie}/chronology.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate?next=")
