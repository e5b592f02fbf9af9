"""The home inbox shows each person their alerts, actions, overdue work and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shinealight.audit.models import AuditEvent
from shinealight.cases import services
from shinealight.cases.models import AlertCase

pytestmark = pytest.mark.django_db


def test_owned_alerts_appear_and_their_read_is_audited(
    users: dict[str, Any], raise_alert: Any
) -> None:
    alert = raise_alert(title="Shared vehicle around two children at risk")
    raise_alert(title="Another alert nobody has taken on")
    analyst = users["analyst"]
    case = AlertCase.objects.get(alert=alert)
    services.alert_case_acknowledge(case=case, acting_user=analyst)
    browser = Client()
    browser.force_login(analyst)
    page = browser.get("/").content.decode()
    assert "My alerts" in page and "Shared vehicle around two children at risk" in page
    assert f'href="/alerts/{alert.pk}"' in page  # each alert opens its page
    assert "1 new alert you can see is waiting" in page
    assert "Nothing of yours is overdue." in page
    assert "No unread notifications." in page
    listed = AuditEvent.objects.filter(action="alert_cases.list").last()
    assert listed is not None and listed.object_ids == [str(case.pk)]


def test_roles_without_case_content_see_only_their_own_sections(
    users: dict[str, Any], raise_alert: Any
) -> None:
    raise_alert(title="Shared vehicle around two children at risk")
    browser = Client()
    browser.force_login(users["administrator"])
    page = browser.get("/").content.decode()
    assert "Shared vehicle" not in page
    assert "My alerts" not in page and "Notifications" in page
