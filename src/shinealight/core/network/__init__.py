"""The partnership network: resolved people, vehicles, phones, accounts and places, and the
records that put them together.

Framework-free. Facts come in as plain typed rows (`RecordFact`, `PersonFact`,
`ObjectFact`, `LinkFact`), built from flattened mentions by `facts_from_rows`; the
`NetworkGraph` indexes them so that the pattern rules in `shinealight.core.alerts` can ask
who was with whom, when, and in which agency's record.
"""

from shinealight.core.network.facts import (
    PERSON_FIELDS,
    LinkFact,
    ObjectFact,
    PersonFact,
    RecordFact,
    age_at,
    facts_from_rows,
    record_key,
)
from shinealight.core.network.graph import Contact, NetworkGraph, connected_groups

__all__ = [
    "PERSON_FIELDS",
    "Contact",
    "LinkFact",
    "NetworkGraph",
    "ObjectFact",
    "PersonFact",
    "RecordFact",
    "age_at",
    "connected_groups",
    "facts_from_rows",
    "record_key",
]
