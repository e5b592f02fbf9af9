"""UK postcodes in free text."""

from __future__ import annotations

import re

from shinealight.core.extract.internals.types import Extraction
from shinealight.core.normalise import normalise_postcode

_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)"
    r"[ \t\u00a0]{0,2}([0-9][A-Za-z]{2})(?![A-Za-z0-9])"
)
# Royal Mail never uses these letters in the inward code; "Y11 6th" is a school year.
_NOT_INWARD = set("CIKMOV")


def find_postcodes(text: str) -> list[Extraction]:
    """Full postcodes in any case and spacing ("S65 1AB", "s651ab")."""
    found: list[Extraction] = []
    for m in _POSTCODE.finditer(text):
        outward, inward = m.group(1), m.group(2)
        letters = [c for c in outward + inward if c.isalpha()]
        if not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
            continue
        if set(inward[1:].upper()) & _NOT_INWARD:
            continue
        canonical = normalise_postcode(m.group(0))
        if canonical is None:
            continue
        found.append(Extraction(m.start(), m.end(), "postcode", m.group(0), canonical, how="shape"))
    return found
