"""Turning a checked record into the rows the store keeps: normalised mentions beside the text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from shinealight.core.normalise import (
    normalise_handle,
    normalise_name,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
    parse_partial_date,
    vrm_is_partial,
)
from shinealight.core.records.model import AgencyRecord
from shinealight.core.schema import vocabulary


def canonical_json(obj: Any) -> str:
    """The one serialisation used for hashing: same content, same bytes, whatever the key order."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def content_hash(obj: Any) -> str:
    """SHA-256 of a record's canonical JSON; an identical resend has an identical hash."""
    return hashlib.sha256(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)).hexdigest()


def mention_id(agency: str, record_id: str, ref: str) -> str:
    """The global mention id of the spec: `{agency}/{record_id}/{ref}`."""
    return f"{agency}/{record_id}/{ref}"


@dataclass
class FlatRecord:
    """A record's own fields and its mentions, each a plain dict of column values."""

    fields: dict[str, Any]
    persons: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    online: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def mention_count(self) -> dict[str, int]:
        return {
            "person": len(self.persons),
            "vehicle": len(self.vehicles),
            "phone": len(self.phones),
            "online": len(self.online),
            "location": len(self.locations),
        }


def _text(value: str | None) -> str:
    return value if value is not None else ""


def _postcode(value: str | None) -> str:
    return (normalise_postcode(value) or "") if value else ""


def flatten(record: AgencyRecord) -> FlatRecord:
    """Split a record into store rows, with normalised forms beside the values as written.

    Items without a `ref` get a positional one (`_person1`, `_vehicle2`…) so that every
    mention still has a stable id. Phone numbers written on a person also become phone
    mentions (`p1.phone1`) unless the record lists the same number for that person already.
    """
    known = vocabulary().indicators
    grading = record.grading
    flat = FlatRecord(
        fields={
            "event_type": record.type,
            "recorded_at": record.recorded_at,
            "occurred_at": record.occurred_at,
            "area": _text(record.area),
            "summary": _text(record.summary),
            "grading_source": _text(grading.source if grading else None),
            "grading_intelligence": _text(grading.intelligence if grading else None),
            "grading_handling": _text(grading.handling if grading else None),
            "handling_conditions": _text(grading.handling_conditions if grading else None),
            "indicators": list(dict.fromkeys(record.indicators)),
            "unknown_indicators": sorted({c for c in record.indicators if c not in known}),
        }
    )

    def mid(ref: str) -> str:
        return mention_id(record.agency, record.record_id, ref)

    listed_phones: set[tuple[str, str]] = set()
    for i, phone in enumerate(record.phones, start=1):
        ref = phone.ref or f"_phone{i}"
        e164 = normalise_phone(phone.number) or ""
        for owner in phone.persons:
            listed_phones.add((owner, e164 or phone.number))
        flat.phones.append(
            {
                "mention_id": mid(ref),
                "ref": ref,
                "number": phone.number,
                "e164": e164,
                "person_refs": list(phone.persons),
            }
        )

    for i, person in enumerate(record.persons, start=1):
        ref = person.ref or f"_person{i}"
        dob = parse_partial_date(person.dob) if person.dob else None
        nhs_raw = person.identifiers.get("nhs_number")
        nhs, nhs_valid = normalise_nhs_number(nhs_raw) if nhs_raw else ("", None)
        e164s = []
        for j, number in enumerate(person.phones, start=1):
            e164 = normalise_phone(number) or ""
            e164s.append(e164)
            if (ref, e164 or number) not in listed_phones:
                phone_ref = f"{ref}.phone{j}"
                flat.phones.append(
                    {
                        "mention_id": mid(phone_ref),
                        "ref": phone_ref,
                        "number": number,
                        "e164": e164,
                        "person_refs": [ref],
                    }
                )
        flat.persons.append(
            {
                "mention_id": mid(ref),
                "ref": ref,
                "role": _text(person.role),
                "name": _text(person.name),
                "name_normalised": normalise_name(person.name) if person.name else "",
                "aliases": list(person.aliases),
                "dob": _text(person.dob),
                "dob_year": dob.year if dob else None,
                "dob_month": dob.month if dob else None,
                "dob_day": dob.day if dob else None,
                "age_estimate": person.age_estimate,
                "gender": _text(person.gender),
                "ethnicity": _text(person.ethnicity),
                "address": _text(person.address),
                "postcode": _text(person.postcode),
                "postcode_normalised": _postcode(person.postcode),
                "phones": list(person.phones),
                "phones_e164": [e for e in e164s if e],
                "identifiers": dict(person.identifiers),
                "nhs_number": nhs,
                "nhs_number_valid": nhs_valid,
                "description": _text(person.description),
            }
        )

    for i, vehicle in enumerate(record.vehicles, start=1):
        ref = vehicle.ref or f"_vehicle{i}"
        vrm = normalise_vrm(vehicle.vrm or "")
        flat.vehicles.append(
            {
                "mention_id": mid(ref),
                "ref": ref,
                "vrm": _text(vehicle.vrm),
                "vrm_normalised": vrm,
                # A plate with unknown characters is partial whatever the flag says.
                "partial": bool(vehicle.partial) or vrm_is_partial(vrm),
                "make": _text(vehicle.make),
                "model": _text(vehicle.model),
                "colour": _text(vehicle.colour),
                "person_refs": list(vehicle.persons),
            }
        )

    for i, account in enumerate(record.online, start=1):
        ref = account.ref or f"_online{i}"
        flat.online.append(
            {
                "mention_id": mid(ref),
                "ref": ref,
                "platform": _text(account.platform),
                "handle": account.handle,
                "handle_normalised": normalise_handle(account.platform, account.handle),
                "person_refs": list(account.persons),
            }
        )

    for i, place in enumerate(record.locations, start=1):
        ref = place.ref or f"_location{i}"
        flat.locations.append(
            {
                "mention_id": mid(ref),
                "ref": ref,
                "name": _text(place.name),
                "kind": _text(place.kind),
                "address": _text(place.address),
                "postcode": _text(place.postcode),
                "postcode_normalised": _postcode(place.postcode),
                "lat": place.lat,
                "lon": place.lon,
            }
        )

    flat.links = [
        {"from_ref": link.from_, "to_ref": link.to, "kind": link.kind} for link in record.links
    ]
    return flat
