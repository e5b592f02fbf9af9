"""CSRF on every state-changing form, and on the API when it is used with a session.

The page routes are read from the URL configuration, so a new page is covered the day it
is added: no view may be exempt from Django's CSRF check, and a POST without the token is
refused (403) before the view runs. The API accepts session sign-in too, where DRF must
enforce the same check; token-authenticated calls carry no ambient credential and need none.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shinealight.records.models import Record


def _routes(patterns: Any = None, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.callback))
    return found


def _example_path(route: str) -> str:
    path = re.sub(r"<uuid:[a-z_]+>", "00000000-0000-4000-8000-000000000000", route)
    path = re.sub(r"<(?:int:)?[a-z_]*pk>|<int:[a-z_]+>", "1", path)
    path = re.sub(r"<(?:str:|slug:|path:)?[a-z_]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


PAGES = [(r, cb) for r, cb in _routes() if not r.startswith("api/") and "static" not in r]


def test_the_route_walk_sees_the_pages() -> None:
    assert len(PAGES) >= 10
    assert any(r.startswith("administration/") for r, _ in PAGES)


@pytest.mark.parametrize(("route", "callback"), PAGES, ids=[r or "/" for r, _ in PAGES])
def test_no_page_is_exempt_from_csrf(route: str, callback: Any) -> None:
    assert not getattr(callback, "csrf_exempt", False), f"{route} is exempt from CSRF"


@pytest.mark.parametrize(("route", "callback"), PAGES, ids=[r or "/" for r, _ in PAGES])
def test_a_post_without_the_token_is_refused(
    route: str, callback: Any, users: dict[str, Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["analyst"])
    response = client.post(_example_path(route), {"anything": "1"})
    assert response.status_code in (403, 405), (route, response.status_code)


def test_the_api_with_a_session_needs_the_token(users: dict[str, Any], spec_examples: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["analyst"])
    line = (spec_examples / "valid.jsonl").read_text().splitlines()[0]
    response = client.post("/api/v1/records", line, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not Record.objects.exists()
