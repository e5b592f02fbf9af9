"""Turning what happened into one agency's record: only what that agency would write."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any, Literal

from shinealight.core.simulate.internals.noise import Noise
from shinealight.core.simulate.internals.world import Agency, Person, Place, Vehicle, World

Detail = Literal["full", "named", "first", "nick", "unknown"]
"""How much of a person the agency knows: from a full record to a stranger in a car."""

Mention = tuple[int, str]
"""A true person's id number and the mention id ("agency/record_id/ref") naming them."""

# Casey (2025) found offender ethnicity unrecorded in two-thirds of cases; other agencies
# record it more often for the children they work with. Carried, never used.
_ETHNICITY_RECORDED = {"police": 0.33, "social_care": 0.8, "health": 0.5, "education": 0.3}


def stamp(moment: datetime) -> str:
    """Return an instant as the contract writes it ("2019-03-14T23:40:00Z")."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class RecordBuilder:
    """Collects one record's persons, objects and places, applying noise as it goes."""

    def __init__(
        self,
        world: World,
        noise: Noise,
        text: random.Random,
        agency: Agency,
        kind: str,
        occurred: datetime | None,
        recorded: datetime,
        area: str | None,
        prefix: str = "",
    ) -> None:
        self.world = world
        self.noise = noise
        self.text = text
        self.agency = agency
        self.kind = kind
        self.occurred = occurred
        self.recorded = recorded
        self.day: date = (occurred or recorded).date()
        self.area = area
        self.record_id = agency.next_record_id(self.day.year, prefix)
        self.persons: list[dict[str, Any]] = []
        self.vehicles: list[dict[str, Any]] = []
        self.phones: list[dict[str, Any]] = []
        self.online: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []
        self.links: list[dict[str, str]] = []
        self.mentions: list[Mention] = []
        self.refs: dict[int, str] = {}
        # Vehicles and places written into this record, in any form (for ground truth).
        self.objects: list[Vehicle | Place] = []
        self.written: dict[int, str] = {}

    # -- people -----------------------------------------------------------------------

    def person(
        self,
        p: Person,
        role: str,
        detail: Detail,
        *,
        phone: bool = False,
        description: bool = False,
    ) -> str:
        """Add a mention of `p` as the agency would write it and return its ref."""
        if p.pid in self.refs:
            return self.refs[p.pid]
        noise = self.noise
        ref = f"p{len(self.persons) + 1}"
        entry: dict[str, Any] = {"ref": ref, "role": role}
        day = self.day
        age = p.age_on(day)
        name: str | None
        if detail == "unknown":
            name = None
        elif detail == "nick":
            name = noise.name(self.text.choice(p.nicknames)) if p.nicknames else None
        else:
            first = p.first
            if p.short_forms and noise.chance("short_name"):
                first = self.text.choice(p.short_forms)
            if detail == "first":
                name = noise.name(first)
            else:
                surname, before = p.surname_on(day)
                if before is not None and noise.chance("stale_details"):
                    surname = before
                middle = (
                    f" {p.middle}"
                    if detail == "full" and p.middle and self.text.random() < 0.5
                    else ""
                )
                name = noise.name(f"{first}{middle} {surname}")
        entry["name"] = name
        if name is not None:
            self.written[p.pid] = name
        if detail == "nick" and len(p.nicknames) > 1 and self.text.random() < 0.5:
            entry["aliases"] = [n for n in p.nicknames if n != name][:2]
        whole_dob = False
        if detail in ("full", "named"):
            dob, whole_dob = noise.dob(p.dob)
            if dob is not None:
                entry["dob"] = dob
        if not whole_dob and (detail != "unknown" or self.text.random() < 0.7):
            spread = 1 if age < 18 else 5
            entry["age_estimate"] = max(0, age + self.text.randint(-spread, spread))
        entry["gender"] = noise.gender(p.gender)
        share = _ETHNICITY_RECORDED.get(self.agency.type, 0.0)
        if detail in ("full", "named") and self.text.random() < share:
            entry["ethnicity"] = p.ethnicity
        if detail == "full":
            address, old_address = p.address_on(day)
            if old_address is not None and noise.chance("stale_details"):
                address = old_address
            entry["address"] = address.line
            entry["postcode"] = address.postcode
        elif detail == "named" and self.text.random() < 0.6:
            entry["postcode"] = p.address_on(day)[0].postcode
        if phone:
            number = p.phone_on(day, self.world.phone_pool(p), self.text)
            if number is not None:
                entry["phones"] = [noise.phone(number)]
        if detail in ("full", "named"):
            identifiers = self._identifiers(p, detail)
            if identifiers:
                entry["identifiers"] = identifiers
        if description and p.description:
            entry["description"] = p.description
        self.persons.append(entry)
        self.refs[p.pid] = ref
        self.mentions.append((p.pid, f"{self.agency.code}/{self.record_id}/{ref}"))
        return ref

    def _identifiers(self, p: Person, detail: Detail) -> dict[str, str]:
        kind = self.agency.type
        out: dict[str, str] = {}
        if kind == "health" and p.nhs and (p.is_child or self.text.random() < 0.3):
            nhs = p.nhs
            out["nhs_number"] = (
                f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if self.agency.id_style == "ae" else nhs
            )
        elif kind == "education" and p.upn and p.age_on(self.day) < 18:
            out["upn"] = p.upn
        elif kind == "social_care" and p.csc_id and p.area == self.agency.area:
            out["local_id"] = p.csc_id
        elif kind in ("police", "probation") and p.pnc and detail == "full":
            out["pnc_id"] = p.pnc
        return out

    def name_of(self, p: Person) -> str:
        """Return how this record wrote the person's name, or their first name."""
        return self.written.get(p.pid, p.first)

    # -- objects and places -----------------------------------------------------------

    def vehicle(
        self, v: Vehicle, persons: list[str], *, witness: bool, structured: bool = True
    ) -> str:
        """Add a vehicle and return how a note would describe its plate.

        A witness (a teacher, a carer, a child) may see only part of the plate; police
        read it whole. With `structured` False the plate goes only into the summary.
        """
        self.objects.append(v)
        plate = v.plate.text
        partial = self.noise.partial_plate(plate) if witness else None
        written = self.noise.plate(plate) if partial is None else partial[0]
        said = f"reg {written}" if partial is None else f"plate {partial[1]}"
        if structured:
            entry: dict[str, Any] = {"ref": f"v{len(self.vehicles) + 1}", "vrm": written}
            if not witness or self.text.random() < 0.7:
                entry["make"] = v.make
                entry["model"] = v.model
            entry["colour"] = v.colour
            entry["partial"] = partial is not None
            if persons:
                entry["persons"] = persons
            self.vehicles.append(entry)
        return said

    def phone(self, number: str, persons: list[str]) -> str:
        """Add a phone number (written with format noise) and return it as written."""
        written = self.noise.phone(number)
        entry: dict[str, Any] = {"ref": f"t{len(self.phones) + 1}", "number": written}
        if persons:
            entry["persons"] = persons
        self.phones.append(entry)
        return written

    def account(self, platform: str, handle: str, persons: list[str]) -> None:
        """Add an online account."""
        entry: dict[str, Any] = {
            "ref": f"o{len(self.online) + 1}",
            "platform": platform,
            "handle": handle,
        }
        if persons:
            entry["persons"] = persons
        self.online.append(entry)

    def place(self, place: Place, *, address: bool = True) -> str:
        """Add a location and return its ref."""
        if address:
            # Ground truth lists places by postcode, so only a written postcode counts.
            self.objects.append(place)
        for entry in self.locations:
            if entry["name"] == place.name:
                return str(entry["ref"])
        ref = f"l{len(self.locations) + 1}"
        entry = {"ref": ref, "name": place.name, "kind": place.kind}
        if address:
            entry["address"] = place.address.line
            entry["postcode"] = place.address.postcode
        entry["lat"] = place.address.lat
        entry["lon"] = place.address.lon
        self.locations.append(entry)
        return ref

    def link(self, a: str, b: str, kind: str) -> None:
        """Record a relation the agency itself noted between two refs."""
        self.links.append({"from": a, "to": b, "kind": kind})

    # -- the record -------------------------------------------------------------------

    def record(
        self,
        summary: str | None,
        indicators: list[str] | tuple[str, ...] = (),
        grading: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Return the record in the contract's field order."""
        out: dict[str, Any] = {
            "agency": self.agency.code,
            "agency_type": self.agency.type,
            "record_id": self.record_id,
            "type": self.kind,
            "recorded_at": stamp(self.recorded),
        }
        if self.occurred is not None:
            out["occurred_at"] = stamp(self.occurred)
        if self.area is not None:
            out["area"] = self.area
        if summary:
            out["summary"] = summary
        if grading:
            out["grading"] = grading
        for key, items in (
            ("persons", self.persons),
            ("vehicles", self.vehicles),
            ("phones", self.phones),
            ("online", self.online),
            ("locations", self.locations),
        ):
            if items:
                out[key] = items
        if indicators:
            unique: list[str] = []
            for code in indicators:
                if code not in unique:
                    unique.append(code)
            out["indicators"] = unique
        if self.links:
            out["links"] = self.links
        return out
