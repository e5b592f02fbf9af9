"""E-mail addresses and social-media handles, with their platform when the note names it."""

from __future__ import annotations

import re
from functools import cache

from shinealight.core.extract.internals.config import patterns, phrase_regex
from shinealight.core.extract.internals.types import Extraction
from shinealight.core.normalise import normalise_handle

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_AT_HANDLE = re.compile(
    r"(?<![A-Za-z0-9._%+@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?)"
)
_HANDLE_CHARS = r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?"
_QUOTES_OPEN = "'\"‘“"
_QUOTES_CLOSE = "'\"’”"
_COMMON = frozenset(
    "a an the and or but to on in at of for with from by is was are as it he she they him her "
    "them his their this that who which what when where app account accounts messages message "
    "messaging messaged chat chats group groups video videos page pages profile story stories "
    "called named handle username user name id too also again lots loads".split()
)


@cache
def _platform_then_handle() -> re.Pattern[str]:
    p = patterns()
    names = phrase_regex(tuple(s for spellings in p.platforms.values() for s in spellings))
    joiners = phrase_regex(p.handle_joiners)
    return re.compile(
        r"(?<![A-Za-z0-9@])(?P<platform>" + names + r")(?![A-Za-z0-9])"
        r"(?P<joined>(?:\s*(?:" + joiners + r")\b)*)"
        r"(?P<colon>\s*[:\-–]?)\s*(?P<quote>[" + _QUOTES_OPEN + r"]?)"
        r"(?P<handle>@?" + _HANDLE_CHARS + r")",
        re.I,
    )


@cache
def _handle_then_platform() -> re.Pattern[str]:
    names = phrase_regex(tuple(s for spellings in patterns().platforms.values() for s in spellings))
    return re.compile(
        r"[" + _QUOTES_OPEN + r"](?P<handle>@?" + _HANDLE_CHARS + r")[" + _QUOTES_CLOSE + r"]"
        r"\s+(?:on|via|from)\s+(?P<platform>" + names + r")(?![A-Za-z0-9])",
        re.I,
    )


@cache
def _any_platform() -> re.Pattern[str]:
    names = phrase_regex(tuple(s for spellings in patterns().platforms.values() for s in spellings))
    return re.compile(r"(?<![A-Za-z0-9@])(?:" + names + r")(?![A-Za-z0-9])", re.I)


def find_emails(text: str) -> list[Extraction]:
    """E-mail addresses; normalised to lower case."""
    found = []
    for m in _EMAIL.finditer(text):
        written = m.group(0).rstrip(".")
        found.append(
            Extraction(m.start(), m.start() + len(written), "email", written, written.casefold())
        )
    return found


def _nearest_platform(text: str, start: int, end: int) -> str:
    # The platform named closest to the handle in the same sentence: "on snap @kiki_x".
    best: tuple[int, str] | None = None
    left = max(text.rfind(".", 0, start - 1), text.rfind("\n", 0, start), 0)
    right_stop = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_stop) if right_stop else len(text)
    for m in _any_platform().finditer(text, left, right):
        distance = start - m.end() if m.end() <= start else m.start() - end
        if distance < 0 or distance > 40:
            continue
        platform = patterns().platform_of(m.group(0))
        if platform and (best is None or distance < best[0]):
            best = (distance, platform)
    return best[1] if best else ""


def _handle(text: str, start: int, end: int, platform: str, how: str) -> Extraction:
    written = text[start:end]
    return Extraction(
        start,
        end,
        "handle",
        written,
        normalise_handle(platform or None, written),
        platform=platform,
        how=how,
    )


def find_handles(text: str, *, emails: list[Extraction]) -> list[Extraction]:
    """Handles written with "@", or named with their platform ("Snapchat: kiki_x")."""
    found: list[Extraction] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e.end and e.start < end for e in (*emails, *found))

    for m in _platform_then_handle().finditer(text):
        handle = m.group("handle")
        start, end = m.start("handle"), m.end("handle")
        strong = bool(m.group("quote")) or handle.startswith("@") or bool(m.group("colon").strip())
        looks_made_up = bool(re.search(r"[0-9_.]", handle)) or (
            handle.islower() and bool(m.group("joined").strip())
        )
        if handle.lstrip("@").casefold() in _COMMON:
            continue
        if not (strong or looks_made_up or (m.group("joined").strip() and handle[:1].isupper())):
            continue
        if m.group("quote") and end < len(text) and text[end] not in _QUOTES_CLOSE:
            continue
        if free(start, end):
            platform = patterns().platform_of(m.group("platform")) or ""
            found.append(_handle(text, start, end, platform, "platform"))
    for m in _handle_then_platform().finditer(text):
        start, end = m.start("handle"), m.end("handle")
        if free(start, end) and m.group("handle").lstrip("@").casefold() not in _COMMON:
            platform = patterns().platform_of(m.group("platform")) or ""
            found.append(_handle(text, start, end, platform, "platform"))
    for m in _AT_HANDLE.finditer(text):
        start, end = m.start(), m.end()
        if free(start, end):
            found.append(_handle(text, start, end, _nearest_platform(text, start, end), "at"))
    return found
