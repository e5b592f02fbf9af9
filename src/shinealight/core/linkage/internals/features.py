"""Turn a person mention into the comparable features the linkage model reads.

Everything here is deterministic and plain Python, so that the batch run (Splink in
SQL) and the incremental path (Python in memory) see exactly the same values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import jellyfish
import yaml
from nicknames import NickNamer

from shinealight.core.normalise import name_tokens, normalise_name, postcode_district

# Each record states an identifier under its own key; these three are strong enough
# to count as near-certain evidence.
IDENTIFIER_KEYS = ("upn", "pnc_id", "local_id")

# The columns a feature row carries, in the order the engines see them.
FEATURE_COLUMNS = (
    "unique_id",
    "first_name",
    "first_family",
    "first_metaphone",
    "surname",
    "surnames",
    "surname_metaphone",
    "dob",
    "dob_year",
    "dob_month",
    "dob_day",
    "birth_year_est",
    "birth_year",
    "adult",
    "gender",
    "postcode",
    "postcode_district",
    "address_number",
    "street",
    "locality",
    "area",
    "agency",
    "phones",
    "nhs",
    "upn",
    "pnc",
    "local_id",
)

# A person is an adult in a record when the record's year less the birth year is this.
ADULT_AGE = 18

_NICKNAMER = NickNamer()


@cache
def _diminutives() -> dict[str, frozenset[str]]:
    """The checked-in table of British short forms, both ways (core/schema/diminutives.yaml)."""
    text = (
        resources.files("shinealight.core.schema")
        .joinpath("diminutives.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("diminutives.yaml must map full names to lists of short forms")
    links: dict[str, set[str]] = {}
    for full, shorts in data.items():
        if not isinstance(shorts, list) or not all(isinstance(s, str) for s in shorts):
            raise ValueError(f"diminutives.yaml: {full!r} must list its short forms")
        name = normalise_name(str(full))
        for short in (normalise_name(s) for s in shorts):
            links.setdefault(name, set()).add(short)
            links.setdefault(short, set()).add(name)
    return {name: frozenset(others) for name, others in links.items()}


@lru_cache(maxsize=1 << 15)
def first_name_family(first: str) -> tuple[str, ...]:
    """Return the name with its short forms and the names it is a short form of.

    Two first names may be the same person's when their families overlap: "katie"
    and "katherine" share "katie". The `nicknames` package (American English) is
    supplemented by a table of British, South Asian, Polish and Romanian short forms
    ("mo" ~ "mohammed", "ash" ~ "ashraf", "kasia" ~ "katarzyna"). The nickname table is
    one big connected graph ("al" reaches half the alphabet), so only one step either
    way is taken.
    """
    family = {first}
    family |= _NICKNAMER.canonicals_of(first)
    family |= _NICKNAMER.nicknames_of(first)
    family |= _diminutives().get(first, frozenset())
    return tuple(sorted(family))


@lru_cache(maxsize=1 << 15)
def _metaphone(word: str) -> str:
    return jellyfish.metaphone(word) if word else ""


def _record_year(recorded_at: Any) -> int | None:
    if isinstance(recorded_at, datetime | date):
        return recorded_at.year
    if isinstance(recorded_at, str) and len(recorded_at) >= 4 and recorded_at[:4].isdigit():
        return int(recorded_at[:4])
    return None


_HOUSE_NUMBER = re.compile(r"^(\d+[a-z]?)(?:-\d+[a-z]?)?$")
_ADDRESS_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1 << 15)
def address_parts(address: str) -> tuple[str | None, str | None, str | None]:
    """Return (house number, street, locality) of an address as written.

    ``"14a Forge Rise, Brackenfield"`` gives ``("14a", "forge rise", "brackenfield")``.
    The street is the first part (between commas) that holds words after an optional
    house number — so "Flat 3, 14 Forge Rise" finds "forge rise" — and the locality is
    the last part when there are two or more. Punctuation and case are ignored.
    """
    parts = [" ".join(_ADDRESS_WORD.findall(part.lower())) for part in address.split(",") if part]
    parts = [p for p in parts if p]
    number: str | None = None
    street: str | None = None
    for index, part in enumerate(parts):
        words = part.split()
        if _HOUSE_NUMBER.match(words[0]):
            if len(words) == 1:
                number = words[0]  # "14, Forge Rise"
                continue
            number, words = words[0], words[1:]
        if words[0] in ("flat", "apartment", "unit", "room") and index + 1 < len(parts):
            continue
        street = " ".join(words)
        break
    locality = parts[-1] if len(parts) > 1 and parts[-1] != street else None
    return number, street, locality


def person_features(mention: Mapping[str, Any]) -> dict[str, Any]:
    """Return the feature row of one person mention.

    `mention` holds the analytical fields of a person mention (never ethnicity) plus
    `recorded_at`, the date of the record, which turns an age estimate into an
    estimated year of birth, and `area` and `agency`, where and by whom the record
    was made.
    """
    words = normalise_name(mention.get("name") or "").split()
    first = words[0].split("-")[0] if words else None
    # A lone word is a first name or nickname ("Ash"); a surname needs a second word.
    surname = words[-1] if len(words) > 1 else None
    # "Smith-Jones" shares a surname with "Jones" and with "Smith".
    surname_words = name_tokens(surname) if surname else []
    family: set[str] = set(first_name_family(first)) if first else set()
    for alias in mention.get("aliases") or []:
        alias_words = name_tokens(str(alias))
        if alias_words:
            family.update(first_name_family(alias_words[0]))
    year = mention.get("dob_year")
    month = mention.get("dob_month")
    day = mention.get("dob_day")
    dob = f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else None
    age = mention.get("age_estimate")
    record_year = _record_year(mention.get("recorded_at"))
    birth_year_est = record_year - int(age) if age is not None and record_year else None
    birth_year = int(year) if year else birth_year_est
    adult = (
        record_year - birth_year >= ADULT_AGE
        if record_year is not None and birth_year is not None
        else None
    )
    identifiers = mention.get("identifiers") or {}
    postcode = mention.get("postcode_normalised") or None
    gender = (mention.get("gender") or "").lower()
    nhs = mention.get("nhs_number") if mention.get("nhs_number_valid") else None
    phones = sorted({p for p in mention.get("phones_e164") or [] if p})
    number, street, locality = address_parts(str(mention.get("address") or ""))
    return {
        "unique_id": str(mention["mention_id"]),
        "first_name": first,
        "first_family": sorted(family) or None,
        "first_metaphone": _metaphone(first) if first else None,
        "surname": surname,
        "surnames": sorted(set(surname_words)) or None,
        "surname_metaphone": _metaphone(surname) if surname else None,
        "dob": dob,
        "dob_year": int(year) if year else None,
        "dob_month": int(month) if month else None,
        "dob_day": int(day) if day else None,
        "birth_year_est": birth_year_est,
        "birth_year": birth_year,
        "adult": adult,
        "gender": gender if gender in ("female", "male") else None,
        "postcode": postcode,
        "postcode_district": postcode_district(postcode) if postcode else None,
        "address_number": number if street else None,
        "street": street,
        "locality": locality,
        "area": (str(mention.get("area") or "").strip().lower() or None),
        "agency": (str(mention.get("agency") or "").strip().lower() or None),
        "phones": phones or None,
        "nhs": nhs or None,
        "upn": _identifier(identifiers, "upn"),
        "pnc": _identifier(identifiers, "pnc_id"),
        "local_id": _identifier(identifiers, "local_id"),
    }


def _identifier(identifiers: Mapping[str, Any], key: str) -> str | None:
    value = identifiers.get(key)
    if not value:
        return None
    text = "".join(str(value).split()).upper()
    return text or None
