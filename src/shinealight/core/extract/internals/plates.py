"""UK registration marks in free text: whole, with unseen characters (``?``), or described.

Formats: current (``AB12 CDE``, 2001-), prefix (``A123 BCD``, 1983-2001), suffix
(``ABC 123D``, 1963-1983), dateless (``ABC 123``, ``1234 AB``) and Northern Irish
(``ABZ 1234``, which has the dateless shape).
"""

from __future__ import annotations

import re
from functools import cache

from shinealight.core.extract.internals.config import patterns, phrase_regex
from shinealight.core.extract.internals.types import Extraction
from shinealight.core.normalise import normalise_vrm

# A mark is at most seven characters; a described partial ("starting KX55") is padded
# with "?" to seven so that it can be compared with whole current-format marks
# (vrm_could_match needs equal lengths), which is what nearly all plates seen today are.
MARK_LENGTH = 7
_SEP = r"(?:[ \t\u00a0]{1,2}|-|\.)?"
_EDGE_BEFORE = r"(?<![A-Za-z0-9?£$€#/])"
# A "?" straight after a mark is a question mark, not an unseen character, unless
# more follow ("KX55 AB?" is partial; "was it KX55 ABC?" is not).
_EDGE_AFTER = r"(?![A-Za-z0-9]|\?[A-Za-z0-9?]|/\d)"

_CURRENT = re.compile(
    _EDGE_BEFORE + r"([A-Za-z]{2})(" + _SEP + r")([0-9]{2})" + _SEP + r"([A-Za-z]{3})" + _EDGE_AFTER
)
_PREFIX = re.compile(_EDGE_BEFORE + r"([A-Za-z][0-9]{1,3})" + _SEP + r"([A-Za-z]{3})" + _EDGE_AFTER)
_SUFFIX = re.compile(_EDGE_BEFORE + r"([A-Za-z]{3})" + _SEP + r"([0-9]{1,3}[A-Za-z])" + _EDGE_AFTER)
_DATELESS = re.compile(
    _EDGE_BEFORE
    + r"(?:([A-Za-z]{1,3})"
    + _SEP
    + r"([0-9]{1,4})|([0-9]{1,4})"
    + _SEP
    + r"([A-Za-z]{1,3}))"
    + _EDGE_AFTER
)
_WITH_UNSEEN = re.compile(
    r"(?<![A-Za-z0-9?])([A-Za-z0-9?]{1,4})" + _SEP + r"([A-Za-z0-9?]{1,4})(?![A-Za-z0-9?])"
)
# Shapes a mark with unseen characters must fit, "?" standing for anything.
_SHAPES = (
    re.compile(r"[A-Z?]{2}[0-9?]{2}[A-Z?]{3}"),
    re.compile(r"[A-Z?][0-9?]{1,3}[A-Z?]{3}"),
    re.compile(r"[A-Z?]{3}[0-9?]{1,3}[A-Z?]"),
)
_BETWEEN_CUE_AND_MARK = (
    r"[\s:#(\"'‘“]*(?:(?:no|no\.|number|is|was|of|reads?|reading|showing|shows|possibly|maybe)"
    r"[\s:.]*)?[\"'‘“]?"
)
_LOOSE = re.compile(r"[A-Za-z0-9]{1,4}(?:[ \-][A-Za-z0-9]{1,4}){1,2}")
_FULL_SHAPES = (
    re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}"),
    re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}"),
    re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]"),
)
_WORD_START = re.compile(r"(?<![A-Za-z0-9?])[A-Za-z0-9?]")
_HAS_DIGIT_OR_UNSEEN = re.compile(r"[0-9?]")


@cache
def _cue_before() -> re.Pattern[str]:
    cues = phrase_regex(patterns().plate_cues)
    return re.compile(r"(?:^|[^A-Za-z])(?:" + cues + r")" + _BETWEEN_CUE_AND_MARK + r"$", re.I)


@cache
def _vehicle_before() -> re.Pattern[str]:
    words = phrase_regex(patterns().vehicle_words)
    return re.compile(
        r"(?:^|[^A-Za-z0-9])(?:"
        + words
        + r")(?:\s+[A-Za-z0-9\-]{1,12})?"
        + _BETWEEN_CUE_AND_MARK
        + r"$",
        re.I,
    )


@cache
def _described() -> re.Pattern[str]:
    p = patterns()
    cues = phrase_regex(p.plate_cues)
    starts = phrase_regex(p.plate_starts)
    ends = phrase_regex(p.plate_ends)
    return re.compile(
        r"\b(?:"
        + cues
        + r")\b[^.;\n]{0,40}?\b(?:(?P<start>"
        + starts
        + r")|(?P<end>"
        + ends
        + r"))"
        r"(?:\s+(?:in|with|of))?(?:\s+(?:the\s+)?(?:letters?|numbers?|characters?))?"
        r"[\s:]*[\"'‘“]?(?P<mark>[A-Za-z0-9]{2,4}(?-i:[ ][A-Z0-9]{1,3})?)(?![A-Za-z0-9])",
        re.I,
    )


def _has_cue(text: str, start: int) -> bool:
    return bool(_cue_before().search(text[max(0, start - 40) : start]))


def _after_vehicle(text: str, start: int) -> bool:
    return bool(_vehicle_before().search(text[max(0, start - 40) : start]))


def _letters_upper(written: str) -> bool:
    letters = [c for c in written if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def find_plates(text: str) -> list[Extraction]:
    """Every registration mark written in the text, whole or in part.

    Whole marks in the current format count in any case ("kx55 abc"). Older formats
    collide with words and references ("was 14a", "A630 and"), so they count when
    written in capitals or after a cue word ("reg", "plate") or a make; dateless ones
    only after a cue word.
    """
    found: list[Extraction] = []

    def add(start: int, end: int, how: str, normalised: str | None = None) -> bool:
        written = text[start:end]
        if any(start < e.end and e.start < end for e in found):
            return False
        mark = normalised if normalised is not None else normalise_vrm(written)
        found.append(Extraction(start, end, "vrm", written, mark, partial="?" in mark, how=how))
        return True

    for d in _described().finditer(text):
        mark = normalise_vrm(d.group("mark"))
        # "plate starting with a K" or "ending in the" are not marks.
        if not (any(c.isdigit() for c in mark) or _letters_upper(d.group("mark"))):
            continue
        if len(mark) >= MARK_LENGTH:
            continue
        pad = "?" * (MARK_LENGTH - len(mark))
        add(
            d.start("mark"),
            d.end("mark"),
            "described",
            mark + pad if d.group("start") else pad + mark,
        )

    # Every word start is tried, so that "reg 1 ABC" is not lost to "reg 1".
    starts = [
        m.start()
        for m in _WORD_START.finditer(text)
        if _HAS_DIGIT_OR_UNSEEN.search(text, m.start(), m.start() + 10)
    ]
    for start in starts:
        if any(e.start <= start < e.end for e in found):
            continue
        cue = _has_cue(text, start)
        vehicle = cue or _after_vehicle(text, start)
        m: re.Match[str] | None = _WITH_UNSEEN.match(text, start)
        if m and "?" in m.group(0):
            mark = normalise_vrm(m.group(0))
            known = sum(c != "?" for c in mark)
            fits = any(s.fullmatch(mark) for s in _SHAPES)
            if known >= 2 and 5 <= len(mark) <= MARK_LENGTH and fits:
                if (_letters_upper(m.group(0)) or vehicle) and add(m.start(), m.end(), "unseen"):
                    continue
        m = _CURRENT.match(text, start)
        # "at 12 may" is not a plate, so a lower-case mark must keep its letters and
        # age digits together, or follow a cue word.
        if m and (_letters_upper(m.group(0)) or not m.group(2) or vehicle):
            if add(m.start(), m.end(), "current"):
                continue
        m = _PREFIX.match(text, start)
        if m and (_letters_upper(m.group(0)) or vehicle) and add(m.start(), m.end(), "prefix"):
            continue
        m = _SUFFIX.match(text, start)
        if m and (_letters_upper(m.group(0)) or cue) and add(m.start(), m.end(), "suffix"):
            continue
        m = _LOOSE.match(text, start)
        if m and vehicle and _letters_upper(m.group(0)):
            # Marks spaced oddly ("V7 83 CUO", "S5 2V DW"): the longest run of groups
            # whose characters make a whole mark.
            groups = re.split(r"[ \-]", m.group(0))
            for size in (3, 2):
                written = "".join(groups[:size])
                if len(groups) >= size and any(s.fullmatch(written) for s in _FULL_SHAPES):
                    end = start + len(" ".join(groups[:size]))
                    if add(start, end, "spaced"):
                        break
            else:
                pass
            if any(e.start == start for e in found):
                continue
        m = _DATELESS.match(text, start)
        if m and cue and _letters_upper(m.group(0)) and sum(c.isalnum() for c in m.group(0)) >= 3:
            add(m.start(), m.end(), "dateless")
    return sorted(found)
