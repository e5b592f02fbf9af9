"""Reads for resolved entities; every queryset a user sees goes through `visible_to`."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from shinealight.people.models import (
    EntityLink,
    EntityMembership,
    ResolvedEntity,
    ReviewItem,
)
from shinealight.records.models import Record


def _visible_records(user: Any) -> Any:
    return Record.objects.visible_to(user).values("pk")


def entities_visible_to(user: Any, *, kind: str | None = None) -> QuerySet[ResolvedEntity]:
    """Active entities the user may see (through a mention in a record they may see)."""
    entities = ResolvedEntity.objects.visible_to(user).filter(active=True)
    if kind:
        entities = entities.filter(kind=kind)
    return entities.order_by("entity_id")


def entity_get(user: Any, entity_id: str) -> ResolvedEntity | None:
    """The entity with this public id, if the user may see it (a merged id leads on)."""
    entity = ResolvedEntity.objects.filter(entity_id=entity_id).first()
    # The same test as `ResolvedEntity.objects.visible_to`, asked of this one entity's
    # records only: a mention in a record the user may see.
    if entity is None or not Record.objects.visible_to(user, about=entity.pk).exists():
        return None
    return entity


def entity_mentions(user: Any, entity: ResolvedEntity) -> QuerySet[EntityMembership]:
    """The entity's mentions whose records the user may see."""
    return (
        EntityMembership.objects.filter(entity=entity, record__in=_visible_records(user))
        .select_related("record__agency")
        .order_by("record__recorded_at", "mention_id")
    )


def entity_links(user: Any, entity: ResolvedEntity) -> QuerySet[EntityLink]:
    """Scored pairs between the entity's visible mentions and any visible mention."""
    visible = set(entity_mentions(user, entity).values_list("mention_id", flat=True))
    links = EntityLink.objects.filter(mention_left__in=visible) | EntityLink.objects.filter(
        mention_right__in=visible
    )
    seen = set(
        EntityMembership.objects.filter(
            record__in=_visible_records(user),
            mention_id__in=set(links.values_list("mention_left", flat=True))
            | set(links.values_list("mention_right", flat=True)),
        ).values_list("mention_id", flat=True)
    )
    return links.filter(mention_left__in=seen, mention_right__in=seen).order_by(
        "-match_weight", "pk"
    )


def review_items_visible_to(user: Any, *, open_only: bool = True) -> QuerySet[ReviewItem]:
    """Review items whose two mentions are both in records the user may see."""
    # Correlated EXISTS, not two IN-lists: with IN-lists on both columns SQLite probes the
    # pair index with every combination of the two lists (seconds on the demo world).
    visible = EntityMembership.objects.filter(kind="person", record__in=_visible_records(user))
    items = ReviewItem.objects.filter(
        Exists(visible.filter(mention_id=OuterRef("mention_left"))),
        Exists(visible.filter(mention_id=OuterRef("mention_right"))),
    )
    if open_only:
        items = items.filter(closed_at__isnull=True)
    return items.select_related("link").order_by("-match_weight", "pk")


def entities_for_export() -> list[dict[str, Any]]:
    """Every active entity with all its mentions, for `shinealight export entities`."""
    out: dict[int, dict[str, Any]] = {}
    for entity_pk, entity_id, kind in ResolvedEntity.objects.filter(active=True).values_list(
        "pk", "entity_id", "kind"
    ):
        out[entity_pk] = {"entity_id": entity_id, "kind": kind, "mentions": []}
    for entity_pk, mention in (
        EntityMembership.objects.filter(entity__active=True)
        .order_by("mention_id")
        .values_list("entity_id", "mention_id")
    ):
        out[entity_pk]["mentions"].append(mention)
    return [e for e in sorted(out.values(), key=lambda e: e["entity_id"]) if e["mentions"]]


def person_assignment() -> dict[str, str]:
    """Every person mention's entity id (for evaluation against ground truth)."""
    return dict(
        EntityMembership.objects.filter(kind="person").values_list(
            "mention_id", "entity__entity_id"
        )
    )
