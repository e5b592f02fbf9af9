"""Reads for retention: records due, records under hold, holds, tombstones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from shinealight.people.models import EntityEvent, EntityMembership, ResolvedEntity
from shinealight.records.models import Agency, Record
from shinealight.retention.models import LegalHold, Tombstone, hold_scope_q


def entity_family(entity_ids: Iterable[str]) -> set[int]:
    """The entities now holding what the named entities held: merges and splits followed.

    A hold names a person as they were known when it was made; linkage may since have
    merged them into someone else or split them, and the hold must follow their mentions.
    """
    found = set(
        ResolvedEntity.objects.filter(entity_id__in=list(entity_ids)).values_list("pk", flat=True)
    )
    frontier = set(found)
    while frontier:
        merged = set(
            ResolvedEntity.objects.filter(pk__in=frontier, merged_into__isnull=False).values_list(
                "merged_into_id", flat=True
            )
        )
        split_names = [
            name
            for others in EntityEvent.objects.filter(
                entity_id__in=frontier, kind=EntityEvent.Kind.SPLIT
            ).values_list("others", flat=True)
            for name in others
        ]
        split = set(
            ResolvedEntity.objects.filter(entity_id__in=split_names).values_list("pk", flat=True)
        )
        frontier = (merged | split) - found
        found |= frontier
    return found


def held_q(holds: Iterable[LegalHold] | None = None) -> Q | None:
    """A filter on `Record` for everything under an active hold, or None when nothing is."""
    active = list(LegalHold.objects.active() if holds is None else holds)
    if not active:
        return None
    q = Q(pk__in=[])
    for hold in active:
        entity_records = None
        if hold.entity_ids:
            entity_records = EntityMembership.objects.filter(
                entity_id__in=entity_family(hold.entity_ids)
            ).values("record_id")
        q |= hold_scope_q(hold, entity_records)
    return q


def holds_over(record_pks: Iterable[int]) -> dict[int, list[int]]:
    """For each record given that is under an active hold, the holds that cover it."""
    pks = list(record_pks)
    out: dict[int, list[int]] = {}
    for hold in LegalHold.objects.active().order_by("pk"):
        q = held_q([hold])
        assert q is not None
        for start in range(0, len(pks), 500):
            for pk in Record.objects.filter(q, pk__in=pks[start : start + 500]).values_list(
                "pk", flat=True
            ):
                out.setdefault(pk, []).append(hold.pk)
    return out


def records_due(*, today: date, agency: Agency | None = None) -> QuerySet[Record]:
    """Records whose review date has come (held or not), oldest due first."""
    records = Record.objects.filter(retention__review_due__lte=today)
    if agency is not None:
        records = records.filter(agency=agency)
    return records.select_related("agency", "retention").order_by(
        "retention__review_due", "recorded_at", "pk"
    )


def due_counts(*, today: date) -> list[dict[str, Any]]:
    """Per agency: records due for review, how many of them are held, and tombstones so far."""
    due: dict[str, int] = {}
    for code in records_due(today=today).values_list("agency__code", flat=True):
        due[code] = due.get(code, 0) + 1
    held: dict[str, int] = {}
    q = held_q()
    if q is not None:
        for code in records_due(today=today).filter(q).values_list("agency__code", flat=True):
            held[code] = held.get(code, 0) + 1
    tombstones: dict[str, int] = {}
    for code in Tombstone.objects.values_list("agency__code", flat=True):
        tombstones[code] = tombstones.get(code, 0) + 1
    codes = sorted(set(due) | set(tombstones))
    return [
        {
            "agency": code,
            "due": due.get(code, 0),
            "held": held.get(code, 0),
            "tombstones": tombstones.get(code, 0),
        }
        for code in codes
    ]


def holds_for(user: Any) -> QuerySet[LegalHold]:
    return LegalHold.objects.visible_to(user).select_related("agency", "created_by", "released_by")


def hold_get(user: Any, pk: int) -> LegalHold | None:
    return holds_for(user).filter(pk=pk).first()


def tombstones_of(agency: Agency, record_id: str) -> QuerySet[Tombstone]:
    return Tombstone.objects.filter(agency=agency, record_id=record_id)
