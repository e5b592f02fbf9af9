"""UK vehicle registration marks (VRMs), including partly seen ones."""

import re

UNKNOWN_CHARACTER = "?"

# Witnesses and officers write the same plate as "KX55 ABC", "kx55-abc" or "KX.55.ABC";
# only the characters matter. Every kind of whitespace counts, as text pasted from
# case-management systems often carries non-breaking spaces.
_SEPARATORS = re.compile(r"[\s.\-]+")


def normalise_vrm(text: str) -> str:
    """Return the registration mark in upper case with spaces, hyphens and dots removed.

    A ``?`` stands for a character the witness did not see and is kept, so
    ``"KX55 ???"`` becomes ``"KX55???"``. Empty or missing input gives ``""``.
    """
    if not text:
        return ""
    return _SEPARATORS.sub("", text).upper()


def vrm_is_partial(vrm: str) -> bool:
    """Return True when a normalised mark has characters nobody saw (``?``)."""
    return UNKNOWN_CHARACTER in vrm


def vrm_could_match(partial: str, full: str) -> bool:
    """Return True when two normalised marks could be the same plate.

    A ``?`` on either side matches any one character, and the lengths must be equal.
    A partial plate can only ever suggest a candidate link, never confirm one.
    """
    # An empty mark is "nothing recorded"; matching it would link every vehicle.
    if not partial or not full or len(partial) != len(full):
        return False
    return all(
        a == b or a == UNKNOWN_CHARACTER or b == UNKNOWN_CHARACTER
        for a, b in zip(partial, full, strict=True)
    )
