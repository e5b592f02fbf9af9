"""Which resolved entity each person mention belongs to: the one place alerts ask.

The product reads the people app's tables (`EntityMembership`), so alerts name the same
entity ids as `export entities`. A mention no entity holds yet stands alone as
`M:<mention id>`. The oracle reads a simulated world's `truth.json` instead: it is for
developing and testing the rules, and for measuring them apart from linkage errors, and is
never the default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from shinealight.core.alerts.evaluate import truth_resolver

UNRESOLVED_PREFIX = "M:"


class EntityResolver(Protocol):
    """Maps person mention ids to entity ids, and entities back to their mentions."""

    name: str

    def person_entities(self, mention_ids: Iterable[str]) -> dict[str, str]: ...

    def mentions_of(
        self, entity_ids: Iterable[str], *, most: int | None = None
    ) -> dict[str, list[str]]:
        """Each entity's person mentions; with `most`, entities that have more are left out."""
        ...


class PeopleTablesResolver:
    """Entity membership as the people app's linkage stored it."""

    name = "people"

    def person_entities(
        self, mention_ids: Iterable[str], *, records: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """Each mention's entity id. `records`, a filter on `record_id` (a range of keys,
        or a list) that every mention's record passes, reads them in one query by record
        instead of by lists of mention ids."""
        from shinealight.people.models import EntityMembership

        ids = list(mention_ids)
        found: dict[str, str] = {}
        people = EntityMembership.objects.filter(kind="person")
        if records is not None:
            slices = [people.filter(**records)]
        else:
            slices = [people.filter(mention_id__in=chunk) for chunk in _chunks(ids, 900)]
        for rows in slices:
            for mention, entity, merged in rows.values_list(
                "mention_id", "entity__entity_id", "entity__merged_into__entity_id"
            ):
                found[mention] = merged or entity
        return {m: found.get(m, UNRESOLVED_PREFIX + m) for m in ids}

    def mentions_of(
        self, entity_ids: Iterable[str], *, most: int | None = None
    ) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for entity, mention, _ in self._members(entity_ids, most):
            out.setdefault(entity, []).append(mention)
        return out

    def records_of(
        self, entity_ids: Iterable[str], *, most: int | None = None
    ) -> dict[str, set[int]]:
        """Each entity's records (primary keys), as `mentions_of` chooses the entities.

        From the memberships alone: looking each mention up in the mention table costs a
        read of a page of that wide table per mention, most of the time of finding the
        records around a new one when they are not in memory.
        """
        from shinealight.records.models import PersonMention

        out: dict[str, set[int]] = {}
        unresolved: dict[str, str] = {}
        for entity, mention, record in self._members(entity_ids, most):
            if record is None:
                unresolved[mention] = entity
            else:
                out.setdefault(entity, set()).add(record)
        for chunk in _chunks(list(unresolved), 900):
            rows = PersonMention.objects.filter(mention_id__in=chunk)
            for mention, record in rows.values_list("mention_id", "record_id"):
                out.setdefault(unresolved[mention], set()).add(record)
        return out

    def _members(
        self, entity_ids: Iterable[str], most: int | None
    ) -> Iterator[tuple[str, str, int | None]]:
        """(entity, mention, record) for each person mention of these entities; the record
        is None for a mention no linkage has placed (an `M:` id)."""
        from django.db.models import Count

        from shinealight.people.models import EntityMembership

        resolved = []
        for entity in entity_ids:
            if entity.startswith(UNRESOLVED_PREFIX):
                yield entity, entity[len(UNRESOLVED_PREFIX) :], None
            else:
                resolved.append(entity)
        for chunk in _chunks(resolved, 900):
            rows = EntityMembership.objects.filter(kind="person", entity__entity_id__in=chunk)
            if most is not None:
                # Counted from the index first: a children's home manager's thousands of
                # mentions are never fetched only to be dropped.
                sizes = rows.values_list("entity__entity_id").annotate(n=Count("id")).order_by()
                rows = rows.filter(entity__entity_id__in=[e for e, n in sizes if n <= most])
            yield from rows.values_list("entity__entity_id", "mention_id", "record_id")


class OracleResolver:
    """Perfect identity from a simulated world's ground truth (development and evaluation).

    A mention with no name, alias or identifier stays alone, as no linkage could place it.
    """

    name = "oracle"

    def __init__(self, truth_path: Path) -> None:
        self.truth_path = Path(truth_path)
        self._truth = json.loads(self.truth_path.read_text(encoding="utf-8"))
        self._map: dict[str, str] | None = None
        self._reverse: dict[str, list[str]] = {}

    def _mapping(self) -> dict[str, str]:
        if self._map is None:
            from shinealight.records.models import PersonMention

            anonymous = PersonMention.objects.filter(name="", aliases=[], identifiers={})
            self._map = truth_resolver(self._truth, anonymous.values_list("mention_id", flat=True))
            for mention, entity in self._map.items():
                self._reverse.setdefault(entity, []).append(mention)
        return self._map

    def refresh(self) -> None:
        """Forget the anonymous-mention list (call after new records arrive)."""
        self._map = None
        self._reverse = {}

    def person_entities(self, mention_ids: Iterable[str]) -> dict[str, str]:
        mapping = self._mapping()
        return {m: mapping.get(m, UNRESOLVED_PREFIX + m) for m in mention_ids}

    def mentions_of(
        self, entity_ids: Iterable[str], *, most: int | None = None
    ) -> dict[str, list[str]]:
        self._mapping()
        out = {}
        for entity in entity_ids:
            if entity.startswith(UNRESOLVED_PREFIX):
                out[entity] = [entity[len(UNRESOLVED_PREFIX) :]]
            elif most is None or len(self._reverse.get(entity, ())) <= most:
                out[entity] = list(self._reverse.get(entity, ()))
        return out

    def truth(self) -> dict[str, object]:
        return dict(self._truth)


_current: EntityResolver | None = None


def resolver() -> EntityResolver:
    """The resolver alerts use now: the people app's tables unless one was configured."""
    return _current if _current is not None else PeopleTablesResolver()


def use_resolver(new: EntityResolver | None) -> None:
    """Switch resolver for this process (replay and tests); None restores the default."""
    global _current
    _current = new


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
