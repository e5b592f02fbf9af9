"""Reading the whole store for `analyse` (by ranges of keys) builds the same network as
reading the same records by their keys (as after an import)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_whole_store_read_by_ranges_is_the_store_read_by_keys(imported: Any) -> None:
    from shinealight.alerts.entities import UNRESOLVED_PREFIX, PeopleTablesResolver
    from shinealight.alerts.network import graph_for_records
    from shinealight.records.models import Record

    resolver = PeopleTablesResolver()
    pks = list(Record.objects.values_list("pk", flat=True))
    assert len(pks) > 1
    whole = graph_for_records(None, resolver)
    listed = graph_for_records(pks, resolver)
    assert whole.records and whole.person_mentions
    for name in ("records", "persons_in", "objects_in", "links_in", "person_mentions"):
        assert repr(dict(getattr(whole, name))) == repr(dict(getattr(listed, name))), name
    # Linkage ran on import: people carry their resolved entity, read through the range.
    assert any(not e.startswith(UNRESOLVED_PREFIX) for e in whole.person_mentions)


def test_mentions_of_leaves_out_entities_with_more_mentions_than_asked(imported: Any) -> None:
    from collections import Counter

    from shinealight.alerts.entities import PeopleTablesResolver
    from shinealight.people.models import EntityMembership

    sizes = Counter(
        EntityMembership.objects.filter(kind="person").values_list("entity__entity_id", flat=True)
    )
    assert len(set(sizes.values())) > 1  # some people are mentioned more often than others
    resolver = PeopleTablesResolver()
    every = resolver.mentions_of(sizes)
    assert {e: len(ms) for e, ms in every.items()} == dict(sizes)
    most = min(sizes.values())
    fewest = resolver.mentions_of(sizes, most=most)
    assert {e: sorted(ms) for e, ms in fewest.items()} == {
        e: sorted(ms) for e, ms in every.items() if len(ms) <= most
    }


def test_records_of_are_the_records_of_the_entities_mentions(imported: Any) -> None:
    from shinealight.alerts.entities import UNRESOLVED_PREFIX, PeopleTablesResolver
    from shinealight.records.models import PersonMention

    resolver = PeopleTablesResolver()
    mention = PersonMention.objects.values_list("mention_id", flat=True).first()
    entities = {
        *resolver.mentions_of(
            resolver.person_entities(
                PersonMention.objects.values_list("mention_id", flat=True)
            ).values()
        ),
        UNRESOLVED_PREFIX + str(mention),
    }
    for most in (None, 2):
        mentions = resolver.mentions_of(entities, most=most)
        records = resolver.records_of(entities, most=most)
        assert records.keys() == mentions.keys()
        for entity, ids in mentions.items():
            looked_up = set(
                PersonMention.objects.filter(mention_id__in=ids).values_list("record_id", flat=True)
            )
            assert records[entity] == looked_up, entity
