"""The agency record as the input contract defines it, checked into typed objects."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    field_validator,
    model_validator,
)

from shinealight.core.normalise import parse_datetime_with_offset, parse_partial_date
from shinealight.core.schema import vocabulary

_AGENCY_CODE = re.compile(r"[a-z0-9-]{2,40}")
_VOCAB = vocabulary()


def _one_of(allowed: tuple[str, ...] | list[str]) -> Any:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not an ISO 8601 date-time with offset")
    return parse_datetime_with_offset(value)


def _partial_date(value: str) -> str:
    parse_partial_date(value)
    return value


Instant = Annotated[datetime, PlainValidator(_instant)]
PartialDateText = Annotated[str, AfterValidator(_partial_date)]
AgencyType = Annotated[str, _one_of(_VOCAB.agency_types)]
EventType = Annotated[str, _one_of(_VOCAB.event_types)]
Role = Annotated[str, _one_of(_VOCAB.person_roles)]
Gender = Annotated[str, _one_of(_VOCAB.genders)]
Ref = Annotated[str, Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(max_length=10_000)]

# Extensions beyond the contract are allowed and kept in the stored payload, but never
# required and never interpreted here.
_CONFIG = ConfigDict(strict=True, extra="ignore", frozen=True)


class Grading(BaseModel):
    """UK 3x5x2 intelligence grading: source, intelligence and handling codes."""

    model_config = _CONFIG

    source: Annotated[str, _one_of(list(_VOCAB.grading_source))] | None = None
    intelligence: Annotated[str, _one_of(list(_VOCAB.grading_intelligence))] | None = None
    handling: Annotated[str, _one_of(list(_VOCAB.grading_handling))] | None = None
    handling_conditions: Text | None = None

    @model_validator(mode="after")
    def _conditions_when_handling_c(self) -> Grading:
        # Handling code C means sharing is lawful only under stated conditions; a C with
        # no conditions would let the record travel with nobody knowing the limits.
        if self.handling == "C" and not (self.handling_conditions or "").strip():
            raise ValueError("handling_conditions: required when handling is C")
        return self


class PersonIn(BaseModel):
    """A person mentioned by a record, exactly as the agency wrote them down."""

    model_config = _CONFIG

    ref: Ref | None = None
    role: Role | None = None
    name: Text | None = None
    aliases: list[Text] = Field(default_factory=list, max_length=50)
    dob: PartialDateText | None = None
    age_estimate: Annotated[int, Field(ge=0, le=120)] | None = None
    gender: Gender | None = None
    ethnicity: Text | None = None
    address: Text | None = None
    postcode: Annotated[str, Field(max_length=20)] | None = None
    phones: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=50)
    identifiers: dict[str, Annotated[str, Field(max_length=100)]] = Field(default_factory=dict)
    description: Text | None = None


class VehicleIn(BaseModel):
    """A vehicle mentioned by a record; `vrm` as written, `?` for unknown characters."""

    model_config = _CONFIG

    ref: Ref | None = None
    vrm: Annotated[str, Field(max_length=20)] | None = None
    make: Text | None = None
    model: Text | None = None
    colour: Text | None = None
    partial: bool | None = None
    persons: list[Ref] = Field(default_factory=list)


class PhoneIn(BaseModel):
    """A phone number mentioned by a record, as written."""

    model_config = _CONFIG

    ref: Ref | None = None
    number: Annotated[str, Field(max_length=40)]
    persons: list[Ref] = Field(default_factory=list)


class OnlineIn(BaseModel):
    """An online account: platform and handle."""

    model_config = _CONFIG

    ref: Ref | None = None
    platform: Text | None = None
    handle: Annotated[str, Field(min_length=1, max_length=200)]
    persons: list[Ref] = Field(default_factory=list)


class LocationIn(BaseModel):
    """A place mentioned by a record."""

    model_config = _CONFIG

    ref: Ref | None = None
    name: Text | None = None
    kind: Annotated[str, Field(max_length=100)] | None = None
    address: Text | None = None
    postcode: Annotated[str, Field(max_length=20)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class LinkIn(BaseModel):
    """A relation the agency itself recorded between two things in the record."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)

    from_: Ref = Field(alias="from")
    to: Ref
    kind: Annotated[str, Field(min_length=1, max_length=100)]


class AgencyRecord(BaseModel):
    """One thing an agency wrote down: the Event of POLE with what it mentions."""

    model_config = _CONFIG

    agency: str
    agency_type: AgencyType
    record_id: Annotated[str, Field(min_length=1, max_length=200)]
    type: EventType
    recorded_at: Instant
    occurred_at: Instant | None = None
    area: Annotated[str, Field(max_length=100)] | None = None
    summary: Annotated[str, Field(max_length=_VOCAB.summary_max_chars)] | None = None
    grading: Grading | None = None
    persons: list[PersonIn] = Field(default_factory=list, max_length=500)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=500)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=500)
    online: list[OnlineIn] = Field(default_factory=list, max_length=500)
    locations: list[LocationIn] = Field(default_factory=list, max_length=500)
    indicators: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=200
    )
    links: list[LinkIn] = Field(default_factory=list, max_length=500)

    @field_validator("agency")
    @classmethod
    def _agency_code(cls, value: str) -> str:
        if not _AGENCY_CODE.fullmatch(value):
            raise ValueError(f"{value!r} is not an agency code (2-40 of a-z, 0-9 and -)")
        return value

    @field_validator("area")
    @classmethod
    def _area_lower(cls, value: str | None) -> str | None:
        if value is not None and value != value.lower():
            raise ValueError(f"{value!r} must be lower case")
        return value
