"""Reading the audit trail: per-child consultation reports and exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from shinealight.audit.models import AuditEvent, AuditObjectRef


def child_object_ids(entity: Any) -> tuple[list[str], list[str]]:
    """How audit events name a child: (ids of the child, its records and its mentions;
    ids of alerts that name it)."""
    from shinealight.alerts.models import AlertSubject
    from shinealight.people.models import EntityMembership, ResolvedEntity

    entity_ids = [entity.entity_id]
    entity_ids += list(
        ResolvedEntity.objects.filter(merged_into=entity).values_list("entity_id", flat=True)
    )
    names = set(entity_ids)
    for agency, record_id, mention_id in EntityMembership.objects.filter(entity=entity).values_list(
        "record__agency__code", "record__record_id", "mention_id"
    ):
        names.add(f"{agency}/{record_id}")
        names.add(mention_id)
    alerts = (
        AlertSubject.objects.filter(kind="person", entity_id__in=entity_ids)
        .values_list("alert_id", flat=True)
        .distinct()
    )
    return sorted(names), [str(a) for a in alerts]


def child_accessed_events(*, entity: Any) -> QuerySet[AuditEvent]:
    """Every audit event naming the child, its records, its mentions or an alert about it,
    newest first."""
    names, alerts = child_object_ids(entity)
    refs = AuditObjectRef.objects.filter(
        Q(object_id__in=names) | Q(object_type="alert", object_id__in=alerts)
    )
    return AuditEvent.objects.filter(seq__in=refs.values("event_id")).order_by("-seq")


def may_see_who_accessed(user: Any, entity: Any) -> bool:
    """Managers and analysts; a safeguarding lead when their agency has recorded the child."""
    from shinealight.accounts.roles import Role
    from shinealight.people.models import EntityMembership

    if user is None or not getattr(user, "is_active", False) or entity is None:
        return False
    if user.role in (Role.MANAGER, Role.ANALYST):
        return True
    if user.role == Role.SAFEGUARDING_LEAD and user.agency_id is not None:
        return EntityMembership.objects.filter(
            entity=entity, record__agency_id=user.agency_id
        ).exists()
    return False


def person_entity_for_report(entity_id: str) -> Any:
    """The resolved person with this public id, following a merge to its survivor."""
    from shinealight.people.models import ResolvedEntity

    entity = ResolvedEntity.objects.filter(entity_id=entity_id, kind="person").first()
    while entity is not None and entity.merged_into_id is not None:
        entity = entity.merged_into
    return entity


def events_between(start: datetime | None, end: datetime | None) -> QuerySet[AuditEvent]:
    """Events written at or after `start` and before `end`, oldest first."""
    events = AuditEvent.objects.order_by("seq")
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end)
    return events


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    """One event as exported: every field the hash covers, and the hash."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_ids": event.object_ids,
        "purpose": event.purpose,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def iter_events(events: QuerySet[AuditEvent]) -> Iterator[dict[str, Any]]:
    for event in events.iterator(chunk_size=5000):
        yield event_as_dict(event)
