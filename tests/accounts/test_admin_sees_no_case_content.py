"""Administrators manage users and reference data; they never read case content.

Records, alerts and cases are out of their sight in the querysets every read starts from,
and every record, alert and case address, in the API and the pages, refuses them without
a word of what is there. Break-glass is the one audited way in, to one child's profile
and records (tests/access/test_pages.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from tests.cases.conftest import raise_alert  # noqa: F401 - a fixture used below

pytestmark = pytest.mark.django_db

RECORD = ("rmbc-csc", "REF-88121")
# Words from the imported records and the raised alert that must never reach an administrator.
CONTENT = ("REF-88121", "Katie", "Shared vehicle around two children")


@pytest.fixture
def case_content(imported: Any, raise_alert: Any) -> dict[str, Any]:  # noqa: F811
    from shinealight.cases.models import AlertCase

    alert = raise_alert(title="Shared vehicle around two children at risk")
    return {"alert": alert, "case": AlertCase.objects.get(alert=alert)}


def test_nothing_is_visible_to_an_administrator(
    users: dict[str, Any], case_content: dict[str, Any]
) -> None:
    from shinealight.alerts.models import Alert
    from shinealight.cases.models import AlertCase
    from shinealight.records.models import PersonMention, Record

    admin = users["administrator"]
    assert not admin.sees_case_content
    assert Record.objects.visible_to(admin).count() == 0
    assert PersonMention.objects.visible_to(admin).count() == 0
    assert Alert.objects.visible_to(admin).count() == 0
    assert AlertCase.objects.visible_to(admin).count() == 0
    # The rows are there: the refusal is about the role, not missing data.
    assert Record.objects.filter(record_id=RECORD[1]).exists()
    assert Alert.objects.filter(pk=case_content["alert"].pk).exists()


def _refused(response: Any) -> None:
    assert response.status_code in (403, 404), (response.status_code, response.content[:200])
    body = response.content.decode()
    assert not any(word in body for word in CONTENT), body[:500]


def test_the_api_refuses_an_administrator_every_case_read(
    users: dict[str, Any], client_for: Any, case_content: dict[str, Any]
) -> None:
    client = client_for("administrator")
    alert, case = case_content["alert"].pk, case_content["case"].pk
    for url in (
        f"/api/v1/records/{RECORD[0]}/{RECORD[1]}",
        f"/api/v1/records/{RECORD[0]}/{RECORD[1]}/versions",
        "/api/v1/mentions/persons?q=katie",
        f"/api/v1/alerts/{alert}",
        f"/api/v1/alert-cases/{case}",
    ):
        response = client.get(url)
        _refused(response)
        assert set(response.json()) == {"message", "extra"}, url
    # Lists answer, but with nothing in them, or refuse outright.
    for url in ("/api/v1/records", "/api/v1/alerts", "/api/v1/alert-cases"):
        response = client.get(url)
        if response.status_code == 200:
            assert response.json()["results"] == [], url
            assert not any(word in json.dumps(response.json()) for word in CONTENT)
        else:
            _refused(response)


def test_the_pages_refuse_an_administrator_every_case_read(
    users: dict[str, Any], case_content: dict[str, Any]
) -> None:
    browser = Client()
    browser.force_login(users["administrator"])
    alert = case_content["alert"].pk
    pages = [reverse("records-detail", kwargs={"agency": RECORD[0], "record_id": RECORD[1]})]
    # Alert and case pages are refused too, where this build has them.
    for name in ("alerts-detail", "alerts-network", "alert-case-detail", "cases-detail"):
        try:
            pages.append(reverse(name, kwargs={"pk": alert}))
        except NoReverseMatch:
            continue
    for url in pages:
        _refused(browser.get(url))
    home = browser.get("/").content.decode()
    assert not any(word in home for word in CONTENT)
