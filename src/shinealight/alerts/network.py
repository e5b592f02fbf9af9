"""Building the core network from the record store: the adapter between tables and rules.

For system processes (analysis after import, `shinealight analyse`), not for users: what
users may see of the result is decided by `selectors`. Person mentions are read only
through `PersonMention.ANALYTICAL_FIELDS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models.expressions import RawSQL

from shinealight.alerts.entities import EntityResolver, PeopleTablesResolver
from shinealight.core.alerts import Definitions, adults_to_follow, children_to_follow
from shinealight.core.network import (
    PERSON_FIELDS,
    LinkFact,
    NetworkGraph,
    ObjectFact,
    PersonFact,
    RecordFact,
    facts_from_rows,
    record_key,
)
from shinealight.records.models import (
    LocationMention,
    OnlineMention,
    PersonMention,
    PhoneMention,
    Record,
    RecordLink,
    VehicleMention,
)

CHUNK = 900

_OBJECT_MODELS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("vehicles", VehicleMention, ("mention_id", "vrm", "vrm_normalised", "partial", "person_refs")),
    ("phones", PhoneMention, ("mention_id", "number", "e164", "person_refs")),
    (
        "online",
        OnlineMention,
        ("mention_id", "platform", "handle", "handle_normalised", "person_refs"),
    ),
    (
        "locations",
        LocationMention,
        ("mention_id", "name", "kind", "address", "postcode", "postcode_normalised"),
    ),
)

_RECORD_FIELDS = (
    "id",
    "agency__code",
    "agency__agency_type",
    "record_id",
    "event_type",
    "recorded_at",
    "occurred_at",
    "area",
    "summary",
    "grading_source",
    "grading_intelligence",
    "indicators",
)


def _person_fields() -> tuple[str, ...]:
    """What the network reads of a person mention: the fields `facts_from_rows` uses, and
    `record_id` to group by. All are analytical fields. Reading no more matters: decoding
    the unused list columns (phones, identifiers) was a fifth of the time of reading a
    neighbourhood."""
    fields = ("record_id", *PERSON_FIELDS)
    outside = set(fields) - set(PersonMention.ANALYTICAL_FIELDS)
    if outside:  # pragma: no cover - a programming error, caught by every alerts test
        raise ImproperlyConfigured(f"network reads non-analytical person fields: {outside}")
    return fields


def _in(field: str, record_pks: list[int], whole: bool) -> dict[str, Any]:
    """A filter on `field` for these records: a range when `whole` (every record between
    the first and last is wanted), else the list."""
    if whole:
        return {f"{field}__gte": record_pks[0], f"{field}__lte": record_pks[-1]}
    return {f"{field}__in": _key_list(record_pks)}


def _key_list(record_pks: list[int]) -> RawSQL:
    """Record keys written into the statement as one list of integers.

    Given a Python list, Django prepares every value on its own for each of the ten
    queries that read a neighbourhood: a fifth of the time of analysing after an import,
    for a neighbourhood of 3,700 records. These are keys read from the database, and
    `int` leaves nothing else to write.
    """
    listed = ",".join(str(int(pk)) for pk in record_pks) or "NULL"
    return RawSQL(listed, ())  # noqa: S611  # nosec B611


def _extracted(record_pks: list[int], whole: bool = False) -> dict[int, list[dict[str, Any]]]:
    """Extracted mentions from summaries, when the extraction app is installed."""
    try:
        from shinealight.extraction.selectors import extracted_for_linkage
    except ImportError:  # pragma: no cover - the app is part of the product
        return {}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kind in ("vrm", "phone", "handle", "postcode"):
        # Unordered: the model's order (by record) joins the record table and sorts, four
        # times the cost of the read itself.
        rows = (
            extracted_for_linkage(kind=kind)
            .filter(**_in("record_id", record_pks, whole))
            .order_by()
        )
        for row in rows.values(
            "record_id", "mention_id", "kind", "text", "normalised", "partial", "platform"
        ):
            out[row["record_id"]].append(row)
    return out


@dataclass
class _Facts:
    """Network facts read so far."""

    records: list[RecordFact] = field(default_factory=list)
    persons: list[PersonFact] = field(default_factory=list)
    objects: list[ObjectFact] = field(default_factory=list)
    links: list[LinkFact] = field(default_factory=list)

    def graph(self) -> NetworkGraph:
        return NetworkGraph(self.records, self.persons, self.objects, self.links)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """A record row (`_RECORD_FIELDS`) as `facts_from_rows` takes it."""
    return {
        "agency": row["agency__code"],
        "agency_type": row["agency__agency_type"],
        **{k: v for k, v in row.items() if not k.startswith("agency__")},
    }


def graph_for_records(record_pks: Iterable[int] | None, resolver: EntityResolver) -> NetworkGraph:
    """The network over the given records (None: every record in the store)."""
    facts = _Facts()
    _read(facts, record_pks, resolver)
    return facts.graph()


def _read(facts: _Facts, record_pks: Iterable[int] | None, resolver: EntityResolver) -> None:
    """Add the facts of these records (None: every record in the store) to `facts`."""
    # Every record: each slice is read by a range of keys, not a list of 9,000 of them
    # (Django prepares each listed value: a tenth of the time of `analyse` at 100,000).
    whole = record_pks is None
    pks: list[int] = (
        list(Record.objects.order_by("pk").values_list("pk", flat=True))
        if record_pks is None
        else sorted(set(record_pks))
    )
    for start in range(0, len(pks), CHUNK * 10):
        chunk = pks[start : start + CHUNK * 10]
        of_chunk = _in("record_id", chunk, whole)
        rows = list(
            Record.objects.filter(**_in("pk", chunk, whole)).order_by().values(*_RECORD_FIELDS)
        )
        persons: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in PersonMention.objects.filter(**of_chunk).values(*_person_fields()):
            persons[row["record_id"]].append(row)
        objects: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name, model, fields in _OBJECT_MODELS:
            grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in model.objects.filter(**of_chunk).values("record_id", *fields):
                grouped[row["record_id"]].append(row)
            objects[name] = grouped
        links: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in RecordLink.objects.filter(**of_chunk).values(
            "record_id", "from_ref", "to_ref", "kind"
        ):
            links[row["record_id"]].append(row)
        extracted = _extracted(chunk, whole)
        mentions = (m["mention_id"] for ms in persons.values() for m in ms)
        if isinstance(resolver, PeopleTablesResolver):
            entity_of = resolver.person_entities(mentions, records=of_chunk)
        else:
            entity_of = resolver.person_entities(mentions)
        for row in rows:
            pk = row["id"]
            r, p, o, lk = facts_from_rows(
                record=_record(row),
                persons=persons.get(pk, ()),
                vehicles=objects["vehicles"].get(pk, ()),
                phones=objects["phones"].get(pk, ()),
                online=objects["online"].get(pk, ()),
                locations=objects["locations"].get(pk, ()),
                links=links.get(pk, ()),
                extracted=extracted.get(pk, ()),
                person_entity=entity_of.__getitem__,
            )
            facts.records.append(r)
            facts.persons.extend(p)
            facts.objects.extend(o)
            facts.links.extend(lk)


# A person in more records than this (a youth worker, a children's home manager) is not
# followed when widening the neighbourhood of new records: following them would pull in
# half the partnership. `shinealight analyse` still sees everything.
HUB_RECORDS = 400


@dataclass(frozen=True)
class Around:
    """The network around new records: what `core.alerts.detect` needs to analyse it."""

    graph: NetworkGraph
    whole: set[str]  # the people every one of whose records the graph holds
    new_records: set[str]  # the new records' keys (agency/record_id)


def graph_around(
    record_pks: Iterable[int], resolver: EntityResolver, definitions: Definitions
) -> Around:
    """The network new records can change findings in, and the people it holds whole
    (every one of their records read).

    First the new records and every record of a person or object they mention. Then,
    as `core.alerts.reach` explains, every record of the adults around the new records'
    children and people, and then the children those adults were with, or who were around
    the new records' objects, in their own records (`_read_own`): whether each is at risk.
    Nobody in more than `HUB_RECORDS` records is followed.
    """
    seed = set(record_pks)
    first, whole = _records_sharing(seed, resolver)
    read = seed | first
    facts = _Facts()
    _read(facts, read, resolver)
    new = {
        record_key(agency, record_id)
        for agency, record_id in Record.objects.filter(pk__in=_key_list(sorted(seed)))
        .order_by()
        .values_list("agency__code", "record_id")
    }
    adults = adults_to_follow(facts.graph(), definitions, new)
    more, held = _records_of(adults - whole, resolver)
    whole |= held
    _read(facts, more - read, resolver)
    read |= more
    children = children_to_follow(facts.graph(), definitions, new, adults)
    _read_own(facts, children - whole, resolver, read)
    return Around(facts.graph(), whole, new)


def _read_own(facts: _Facts, people: set[str], resolver: EntityResolver, skip: set[int]) -> None:
    """Add each person's records (but those in `skip`) as that person's own: the record and
    the person's mention in it, not whoever and whatever else it names.

    Enough to know whether a child is at risk, and since when, from her own records: two
    reads a record, where the whole record takes a dozen. Nobody in more than
    `HUB_RECORDS` records is read."""
    entity_of = {
        mention: entity
        for entity, mentions in resolver.mentions_of(people, most=HUB_RECORDS).items()
        for mention in mentions
    }
    ids = list(entity_of)
    persons: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in PersonMention.objects.filter(mention_id__in=chunk).values(*_person_fields()):
            if row["record_id"] not in skip:
                persons[row["record_id"]].append(row)
    pks = sorted(persons)
    for start in range(0, len(pks), CHUNK * 10):
        chunk = pks[start : start + CHUNK * 10]
        rows = Record.objects.filter(pk__in=_key_list(chunk)).order_by().values(*_RECORD_FIELDS)
        for row in rows:
            r, p, _, _ = facts_from_rows(
                record=_record(row), persons=persons[row["id"]], person_entity=entity_of.__getitem__
            )
            facts.records.append(r)
            facts.persons.extend(p)


def _records_sharing(pks: set[int], resolver: EntityResolver) -> tuple[set[int], set[str]]:
    """The records that mention a person or an object of these records, and the people all
    of whose records those include."""
    out: set[int] = set()
    ids = list(pks)
    mention_ids: list[str] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        mention_ids.extend(
            PersonMention.objects.filter(record_id__in=chunk).values_list("mention_id", flat=True)
        )
        out |= _object_neighbours(chunk)
    records, held = _records_of(set(resolver.person_entities(mention_ids).values()), resolver)
    return out | records, held


def _records_of(entities: set[str], resolver: EntityResolver) -> tuple[set[int], set[str]]:
    """Every record of these people, and which of them that is (not those in more than
    `HUB_RECORDS` records)."""
    if isinstance(resolver, PeopleTablesResolver):
        records = resolver.records_of(entities, most=HUB_RECORDS)
        return {pk for pks in records.values() for pk in pks}, set(records)
    of = resolver.mentions_of(entities, most=HUB_RECORDS)
    mentions = [m for ms in of.values() for m in ms]
    out: set[int] = set()
    for start in range(0, len(mentions), CHUNK):
        out |= set(
            PersonMention.objects.filter(
                mention_id__in=mentions[start : start + CHUNK]
            ).values_list("record_id", flat=True)
        )
    return out, set(of)


def _object_neighbours(chunk: list[int]) -> set[int]:
    out: set[int] = set()
    for model, column in (
        (VehicleMention, "vrm_normalised"),
        (PhoneMention, "e164"),
        (OnlineMention, "handle_normalised"),
        (LocationMention, "postcode_normalised"),
    ):
        keys = {
            k for k in model.objects.filter(record_id__in=chunk).values_list(column, flat=True) if k
        }
        for start in range(0, len(keys), CHUNK):
            part = list(keys)[start : start + CHUNK]
            found = model.objects.filter(**{f"{column}__in": part}).values_list(
                "record_id", flat=True
            )
            out |= set(found[: HUB_RECORDS * 10])
    return out
