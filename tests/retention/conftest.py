"""Fixtures for retention: the spec's records imported, their people, and alerts citing them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

_keys = itertools.count(1)

POLICE_STOP = ("swy-police", "INC-2009-004417")
REFERRAL = ("rmbc-csc", "REF-88121")
SEXUAL_HEALTH = ("rdash-sexual-health", "SH-2009-1180")
INTELLIGENCE = ("risky-business", "RB-0413")


def record(ref: tuple[str, str]) -> Any:
    from shinealight.records.models import Record

    return Record.objects.select_related("agency").get(agency__code=ref[0], record_id=ref[1])


def entity_of(mention_id: str) -> Any:
    from shinealight.people.models import EntityMembership

    return EntityMembership.objects.select_related("entity").get(mention_id=mention_id).entity


@pytest.fixture
def chloe(imported: Any) -> Any:
    """The girl in the police stop, as linkage resolved her."""
    return entity_of("swy-police/INC-2009-004417/p1")


@pytest.fixture
def raise_alert(db: Any) -> Any:
    """An alert citing records, raised as the alerts engine does (its case opened by hooks)."""
    from django.db import transaction
    from django.utils import timezone

    from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject
    from shinealight.alerts.services import ALERT_CHANGED

    def make(
        records: list[Any],
        subjects: list[tuple[str, str, str]],
        *,
        explanation: str = "",
        title: str = "Adult with two children at risk",
    ) -> Any:
        now = timezone.now()
        with transaction.atomic():
            alert = Alert.objects.create(
                rule="shared_adult",
                key=f"test-{next(_keys)}",
                severity="high",
                title=title,
                opening="Two children were seen with the same adult",
                explanation=explanation or "Two children were seen with the same adult.",
                first_data_time=now,
                last_data_time=now,
            )
            for entity_id, role, label in subjects:
                AlertSubject.objects.create(
                    alert=alert, kind="person", entity_id=entity_id, role=role, label=label
                )
            for r in records:
                AlertEvidence.objects.create(alert=alert, record=r, note="")
            for hook in ALERT_CHANGED:
                hook(alert, True)
        return alert

    return make
