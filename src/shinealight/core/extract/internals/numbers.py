"""Phone numbers (phonenumbers' matcher, region GB) and NHS numbers in free text."""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from shinealight.core.extract.internals.types import Extraction
from shinealight.core.normalise import normalise_nhs_number, normalise_phone

_NHS = re.compile(r"(?<![0-9])([0-9]{3})([ \-]?)([0-9]{3})\2([0-9]{4})(?![0-9])")
_NHS_CUE = re.compile(r"\bnhs\b[^.;\n]{0,25}$", re.I)
_MIN_DIGITS = 10


def find_nhs_numbers(text: str) -> list[Extraction]:
    """NHS numbers: ten digits with a good check digit, after "NHS" or grouped 3-3-4.

    A bare run of ten digits passes the check one time in eleven, and phone numbers
    start with 0, so without the word "NHS" only the 3-3-4 grouping of a number that
    does not start with 0 counts.
    """
    found: list[Extraction] = []
    for m in _NHS.finditer(text):
        number, valid = normalise_nhs_number(m.group(0))
        if not valid:
            continue
        cue = bool(_NHS_CUE.search(text[max(0, m.start() - 30) : m.start()]))
        grouped = m.group(2) != "" and not number.startswith("0")
        if cue or grouped:
            found.append(
                Extraction(m.start(), m.end(), "nhs_number", m.group(0), number, how="nhs")
            )
    return found


def find_phones(text: str, *, taken: Sequence[Extraction] = ()) -> list[Extraction]:
    """Phone numbers as phonenumbers' matcher finds them, read as UK numbers.

    Leniency is POSSIBLE, not VALID, because Ofcom's drama range (07700 900xxx), used in
    training material and synthetic data, is not "valid" yet is a real number's shape.
    A match must start with 0 or + and have ten digits or more: dates ("01/02/2010"),
    PNC ids ("09/123456A") and bare counts are not numbers anyone dials.
    """
    found: list[Extraction] = []
    for match in PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
        raw = match.raw_string
        start, end = match.start, match.end
        if any(start < t.end and t.start < end for t in taken):
            continue
        if not raw.lstrip("(").startswith(("0", "+")) or "/" in raw:
            continue
        if sum(c.isdigit() for c in raw) < _MIN_DIGITS:
            continue
        e164 = normalise_phone(raw)
        if e164 is None:
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if not phonenumbers.is_possible_number(match.number):
                continue
        # The matcher leaves out an opening bracket: "(07700) 900123" is one number.
        if start > 0 and text[start - 1] == "(" and raw.startswith("0") and ")" in raw:
            start -= 1
        found.append(Extraction(start, end, "phone", text[start:end], e164, how="phonenumbers"))
    return found
