"""Fixtures for the cases app: alerts raised as the alert engine would, and frozen clocks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.cases.helpers import at

_keys = itertools.count(1)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Move time by hand: clock.move_to(at("2025-04-17 16:00")). Time does not tick."""
    with time_machine.travel(at("2025-01-06 09:00"), tick=False) as traveller:
        yield traveller


def _hooks(alert: Any, created: bool) -> None:
    from django.db import transaction

    from shinealight.alerts.services import ALERT_CHANGED

    # The alert engine calls its hooks inside its own transaction.
    with transaction.atomic():
        for hook in ALERT_CHANGED:
            hook(alert, created)


@pytest.fixture
def raise_alert(db: Any) -> Any:
    """Raise an alert as the alerts engine will: create the row, then call the hooks."""
    from django.utils import timezone

    from shinealight.alerts.models import Alert, AlertSubject

    def make(severity: str = "high", child: str = "P000001", **fields: Any) -> Alert:
        now = timezone.now()
        alert = Alert.objects.create(
            rule=fields.pop("rule", "repeat_missing_with_adult"),
            key=f"test-{next(_keys)}",
            severity=severity,
            title=fields.pop("title", "Child missing three times, seen with the same adult"),
            explanation="Three missing episodes; the same man named each time.",
            first_data_time=now,
            last_data_time=now,
            **fields,
        )
        AlertSubject.objects.create(alert=alert, kind="person", entity_id=child, role="child")
        _hooks(alert, True)
        return alert

    return make


@pytest.fixture
def grow_alert(db: Any) -> Any:
    """New evidence on an existing alert, as the engine reports it."""

    def grow(alert: Any) -> None:
        _hooks(alert, False)

    return grow
