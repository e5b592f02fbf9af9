"""UK postcodes in their canonical written form (``S65 1AB``)."""

import re
from functools import lru_cache

# The shape from the UK government data standard, applied after spaces are removed
# and letters upper-cased. It checks the shape only, not that Royal Mail issued the code.
_POSTCODE = re.compile(
    r"GIR0AA"
    r"|(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z])"
    r"[0-9][A-Z]{2}"
)
_WHITESPACE = re.compile(r"\s+")
_INWARD_LENGTH = 3


@lru_cache(maxsize=1 << 16)
def normalise_postcode(text: str) -> str | None:
    """Return the postcode upper-cased with one space before the inward code, or None.

    ``"s651ab"`` and ``" S65  1AB "`` both become ``"S65 1AB"``. None means the text
    is not shaped like a UK postcode.
    """
    if not text:
        return None
    compact = _WHITESPACE.sub("", text)
    # str.upper() turns some non-Latin letters into Latin ones (dotless "ı" -> "I"),
    # which would let a foreign string pass as a postcode.
    if not compact.isascii():
        return None
    compact = compact.upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"


def postcode_district(canonical: str) -> str:
    """Return the outward code (district) of a canonical postcode: ``"S65 1AB"`` -> ``"S65"``."""
    return canonical.split(" ", 1)[0]


def postcode_sector(canonical: str) -> str:
    """Return the sector of a canonical postcode: ``"S65 1AB"`` -> ``"S65 1"``."""
    return canonical[:-2]
