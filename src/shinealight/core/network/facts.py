"""The facts the network is built from: records, and who and what each one mentions.

Rows come in the shape `core.records.flatten` produces (and the record store keeps), so
the same builder serves the database, the siloed baseline and tests. Person rows are read
only through the analytical fields: nothing about a person's background beyond age,
role, name and address can reach a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shinealight.core.linkage import object_key

# The only person fields the network reads (a subset of PersonMention.ANALYTICAL_FIELDS).
PERSON_FIELDS = (
    "mention_id",
    "role",
    "name",
    "aliases",
    "dob_year",
    "dob_month",
    "dob_day",
    "age_estimate",
    "postcode_normalised",
)

# Extracted-mention kinds (the extraction app's `ExtractedMention.kind`) and the object kind
# and key each becomes, matching `core.linkage.object_key`'s keys for structured mentions.
EXTRACTED_KINDS = {"vrm": "vehicle", "phone": "phone", "handle": "online", "postcode": "location"}


def record_key(agency: str, record_id: str) -> str:
    """The record's partnership-wide key, as exports write it: `agency/record_id`."""
    return f"{agency}/{record_id}"


@dataclass(frozen=True)
class RecordFact:
    """One agency record: what kind of event, whose, when, where, how graded, what ticked."""

    key: str
    agency: str
    agency_type: str
    event_type: str
    area: str
    recorded_at: datetime
    occurred_at: datetime | None
    grading: str
    indicators: tuple[str, ...]
    summary: str = ""

    @property
    def record_id(self) -> str:
        return self.key[len(self.agency) + 1 :]


@dataclass(frozen=True)
class PersonFact:
    """A person mention placed in its resolved entity, with the age it implies at the time."""

    mention_id: str
    record: str
    entity: str
    role: str
    age: int | None
    label: str
    postcode: str


@dataclass(frozen=True)
class ObjectFact:
    """A vehicle, phone, online account or place mention, keyed to its object entity."""

    mention_id: str
    record: str
    kind: str
    entity: str
    label: str
    owners: tuple[str, ...] = ()  # person entities the record ties it to
    place_kind: str = ""
    partial: bool = False
    extracted: bool = False


@dataclass(frozen=True)
class LinkFact:
    """A relation the agency recorded between two people in one record ('boyfriend')."""

    record: str
    source: str
    target: str
    kind: str


def age_at(
    *,
    dob_year: int | None,
    dob_month: int | None,
    dob_day: int | None,
    age_estimate: int | None,
    at: datetime,
) -> int | None:
    """Age in whole years on the date `at`, from a (partial) date of birth or an estimate."""
    if dob_year:
        month = dob_month or 7  # a year alone: assume mid-year rather than either extreme
        day = dob_day or 1
        try:
            born = date(dob_year, month, day)
        except ValueError:
            born = date(dob_year, 7, 1)
        when = at.date()
        return when.year - born.year - ((when.month, when.day) < (born.month, born.day))
    return age_estimate


def _grading(record: Mapping[str, Any]) -> str:
    source = record.get("grading_source") or ""
    intelligence = record.get("grading_intelligence") or ""
    return f"{source}{intelligence}"


def facts_from_rows(
    *,
    record: Mapping[str, Any],
    persons: Sequence[Mapping[str, Any]] = (),
    vehicles: Sequence[Mapping[str, Any]] = (),
    phones: Sequence[Mapping[str, Any]] = (),
    online: Sequence[Mapping[str, Any]] = (),
    locations: Sequence[Mapping[str, Any]] = (),
    links: Sequence[Mapping[str, Any]] = (),
    extracted: Iterable[Mapping[str, Any]] = (),
    person_entity: Callable[[str], str],
) -> tuple[RecordFact, list[PersonFact], list[ObjectFact], list[LinkFact]]:
    """Turn one record's rows into network facts.

    `record` has `agency`, `agency_type`, `record_id` and the record columns of
    `flatten(...).fields`; mention rows are flatten's dicts (or the store's columns);
    `extracted` holds mentions found in the summary (`kind`, `normalised`, `text`);
    `person_entity` maps a person mention id to its resolved entity id.
    """
    key = record_key(str(record["agency"]), str(record["record_id"]))
    at: datetime = record["recorded_at"]
    fact = RecordFact(
        key=key,
        agency=str(record["agency"]),
        agency_type=str(record.get("agency_type") or ""),
        event_type=str(record.get("event_type") or ""),
        area=str(record.get("area") or ""),
        recorded_at=at,
        occurred_at=record.get("occurred_at"),
        grading=_grading(record),
        indicators=tuple(record.get("indicators") or ()),
        summary=str(record.get("summary") or ""),
    )
    by_ref: dict[str, str] = {}
    people: list[PersonFact] = []
    for row in persons:
        data = {name: row.get(name) for name in PERSON_FIELDS}
        mention = str(data["mention_id"])
        entity = person_entity(mention)
        by_ref[mention.rsplit("/", 1)[-1]] = entity
        aliases = data["aliases"] or []
        label = str(data["name"] or (aliases[0] if aliases else "") or "unnamed")
        people.append(
            PersonFact(
                mention_id=mention,
                record=key,
                entity=entity,
                role=str(data["role"] or ""),
                age=age_at(
                    dob_year=data["dob_year"],
                    dob_month=data["dob_month"],
                    dob_day=data["dob_day"],
                    age_estimate=data["age_estimate"],
                    at=at,
                ),
                label=label,
                postcode=str(data["postcode_normalised"] or ""),
            )
        )

    objects: list[ObjectFact] = []
    for kind, rows, label_field in (
        ("vehicle", vehicles, "vrm"),
        ("phone", phones, "number"),
        ("online", online, "handle"),
        ("location", locations, "name"),
    ):
        for row in rows:
            entity_key: str | None = (
                _place_key(row) if kind == "location" else object_key(kind, row)
            )
            if entity_key is None:
                continue
            owners = tuple(by_ref[r] for r in row.get("person_refs") or () if r in by_ref)
            label = str(row.get(label_field) or "")
            if kind == "location" and row.get("postcode"):
                label = f"{label} ({row['postcode']})" if label else str(row["postcode"])
            objects.append(
                ObjectFact(
                    mention_id=str(row["mention_id"]),
                    record=key,
                    kind=kind,
                    entity=entity_key,
                    label=label,
                    owners=owners,
                    place_kind=str(row.get("kind") or "") if kind == "location" else "",
                    partial=bool(row.get("partial")),
                )
            )
    seen = {(o.kind, o.entity) for o in objects}
    for row in extracted:
        found_kind = EXTRACTED_KINDS.get(str(row.get("kind")))
        normalised = str(row.get("normalised") or "")
        if found_kind is None or not normalised:
            continue
        kind = found_kind
        entity_key = _extracted_key(kind, normalised, row)
        if entity_key is None or (kind, entity_key) in seen:
            continue
        seen.add((kind, entity_key))
        objects.append(
            ObjectFact(
                mention_id=str(row.get("mention_id") or f"{key}/x:{normalised}"),
                record=key,
                kind=kind,
                entity=entity_key,
                label=str(row.get("text") or normalised),
                partial=bool(row.get("partial")),
                extracted=True,
            )
        )

    record_links = [
        LinkFact(key, by_ref[str(link["from_ref"])], by_ref[str(link["to_ref"])], str(link["kind"]))
        for link in links
        if link.get("from_ref") in by_ref and link.get("to_ref") in by_ref
    ]
    return fact, people, objects, record_links


def _extracted_key(kind: str, normalised: str, row: Mapping[str, Any]) -> str | None:
    if kind == "vehicle":
        return object_key("vehicle", {"vrm_normalised": normalised})
    if kind == "phone":
        return object_key("phone", {"e164": normalised})
    if kind == "online":
        return object_key(
            "online", {"handle_normalised": normalised, "platform": row.get("platform") or ""}
        )
    return _place_key({"postcode_normalised": normalised})


def _place_key(row: Mapping[str, Any]) -> str | None:
    # Agencies name one flat or takeaway in several ways ("Flat 6, Moorland Court", "the
    # flat on Moorland Court"); the postcode is what they agree on, so places join by it.
    postcode = row.get("postcode_normalised")
    if postcode:
        return f"place:{postcode}"
    return object_key("location", row)
