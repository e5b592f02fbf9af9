"""The home inbox: sections that apps fill for the signed-in user.

Each section has a fixed place on the page. An app fills one by registering a provider,
for example in its `AppConfig.ready()`::

    from shinealight.web.inbox import inbox_section

    @inbox_section("my_alerts")
    def my_alerts(user):
        return {"alerts": list(alert_list(user=user, assigned_to=user)[:20])}

The provider returns the context for the section's template (`home/<key>.html`), or None
to leave the section out for this user. A section nobody has filled yet shows a labelled
placeholder, so the page says what is coming instead of pretending there is nothing.
Providers that read case content must audit the read in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shinealight.accounts.roles import CASE_ROLES
from shinealight.audit.services import audit_log
from shinealight.extraction import selectors as intelligence
from shinealight.records.selectors import record_list

Provider = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Slot:
    key: str
    title: str
    roles: frozenset[str] | None  # None: every role
    coming: str  # what the placeholder says until a provider is registered


SLOTS: tuple[Slot, ...] = (
    Slot(
        "my_alerts",
        "My alerts",
        frozenset(CASE_ROLES),
        "Alerts raised by the partnership's rules, and assigned to you, will be listed here.",
    ),
    Slot(
        "my_actions",
        "My actions",
        frozenset(CASE_ROLES),
        "Actions agreed at strategy meetings and assigned to you will be listed here.",
    ),
    Slot(
        "overdue",
        "Overdue",
        None,
        "Alerts and actions past their due date will be listed here.",
    ),
    Slot("notifications", "Notifications", None, ""),
    Slot("latest_records", "Latest records you can see", frozenset(CASE_ROLES), ""),
    Slot("intelligence", "Intelligence", frozenset(CASE_ROLES), ""),
)
PROVIDERS: dict[str, Provider] = {}


def inbox_section(key: str) -> Callable[[Provider], Provider]:
    """Register the provider that fills the inbox section `key`."""
    if key not in {slot.key for slot in SLOTS}:
        raise ValueError(f"no inbox section {key!r}; add it to SLOTS first")

    def register(provider: Provider) -> Provider:
        PROVIDERS[key] = provider
        return provider

    return register


def inbox_for(user: Any) -> list[dict[str, Any]]:
    """The sections of this user's inbox, in page order, each filled or marked as coming."""
    sections = []
    for slot in SLOTS:
        if slot.roles is not None and user.role not in slot.roles:
            continue
        provider = PROVIDERS.get(slot.key)
        if provider is None:
            sections.append({"slot": slot, "template": "", "context": {}})
            continue
        context = provider(user)
        if context is not None:
            sections.append({"slot": slot, "template": f"home/{slot.key}.html", "context": context})
    return sections


@inbox_section("latest_records")
def latest_records(user: Any) -> dict[str, Any]:
    with transaction.atomic():
        records = list(record_list(user=user)[:10])
        audit_log(
            acting_user=user,
            action="records.list",
            object_type="record",
            object_ids=[f"{r.agency.code}/{r.record_id}" for r in records],
            detail={"page": "home"},
        )
    return {"records": records}


@inbox_section("intelligence")
def intelligence_sent(user: Any) -> dict[str, Any]:
    mine = list(intelligence.intelligence_mine(user=user).select_related("record")[:5])
    waiting = None
    if intelligence.may_work_intelligence_queue(user):
        waiting = intelligence.intelligence_queue(user=user).filter(state="received").count()
    return {"submissions": mine, "waiting": waiting}
