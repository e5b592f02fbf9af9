"""Names and nicknames in free text: known people, role words, quotes and first names."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from shinealight.core.extract.internals.config import patterns, phrase_regex
from shinealight.core.extract.internals.types import Extraction
from shinealight.core.normalise import normalise_name

# A capitalised word as names are written: "Ash", "O'Brien", "Smith-Jones", "McDonald".
_WORD = r"(?:[A-Z](?:[a-z]+|[A-Z]+(?![a-z]))(?:['’\-][A-Z]?[a-z]+)*|Mc[A-Z][a-z]+|O['’][A-Z][a-z]+)"
_CAPITALISED = re.compile(r"(?<![A-Za-z0-9'’_@.-])" + _WORD + r"(?![A-Za-z0-9_@])")
_QUOTED = re.compile(
    r"(?<![A-Za-z0-9])['\"‘“]"
    r"(?P<name>[A-Z][A-Za-z'’\-]+(?: [A-Z][A-Za-z'’\-]+)?)"
    r"['\"’”](?![A-Za-z0-9])"
)
_TITLES = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|PC|DC|PCSO|DS|Sgt)\.?\s+$")
_MAX_TOKENS = 3


@dataclass
class Gazetteer:
    """Names and nicknames of people the partnership already knows, normalised.

    Built from resolved people (or, until resolution has run, from the names and
    aliases of person mentions). A first name on its own is kept as well, so that
    "Asron Hall (known as Bash)" is found again as "Asron" or "Bash".
    """

    names: set[str] = field(default_factory=set)

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Gazetteer:
        """Build a gazetteer from names as written (full names, first names, nicknames)."""
        gazetteer = cls()
        for name in names:
            gazetteer.add(name)
        return gazetteer

    def add(self, name: str) -> None:
        """Add one name as written; names of one or two letters are ignored."""
        self.names.update(name_keys(name))

    def __contains__(self, normalised: object) -> bool:
        return normalised in self.names

    def __len__(self) -> int:
        return len(self.names)


def name_keys(name: str) -> set[str]:
    """The keys under which a known name is found in text: the name normalised (at most
    three words) and, for a longer name, its first word. Names under three letters give
    none."""
    normalised = normalise_name(name)
    tokens = normalised.split()
    if not tokens or len(normalised) < 3:
        return set()
    keys = {" ".join(tokens[:_MAX_TOKENS])}
    if len(tokens) > 1 and len(tokens[0]) >= 3:
        keys.add(tokens[0])
    return keys


def lookup_keys(text: str) -> set[str]:
    """Every key `find_names` may look up in the gazetteer for this text.

    A store of many names answers for these alone instead of loading every name it holds.
    """
    words = list(_CAPITALISED.finditer(text))
    keys = set()
    for i in range(len(words)):
        for size in range(1, min(_MAX_TOKENS, len(words) - i) + 1):
            key = _run_key(text, words[i : i + size])
            if key is not None:
                keys.add(key)
    return keys


def _run_key(text: str, run: list[re.Match[str]]) -> str | None:
    """The gazetteer key of consecutive capitalised words, or None when punctuation or
    more than one space parts them (then they are not one name)."""
    if any(text[a.end() : b.start()] != " " for a, b in zip(run, run[1:], strict=False)):
        return None
    return normalise_name(_possessive_free(text[run[0].start() : run[-1].end()]))


@cache
def first_names() -> frozenset[str]:
    """Common first names (normalised) from Faker's person providers for the configured locales."""
    names: set[str] = set()
    for locale in patterns().first_name_locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            values = getattr(provider, attribute, ())
            # Some providers weight names with an OrderedDict of name -> frequency.
            for value in values.keys() if isinstance(values, dict) else values:
                normalised = normalise_name(str(value))
                if len(normalised) >= 2:
                    names.add(normalised)
    return frozenset(names - patterns().not_names)


@cache
def _after_role_word() -> re.Pattern[str]:
    roles = phrase_regex(patterns().role_words)
    return re.compile(
        r"(?<![A-Za-z])(?i:" + roles + r")[\s,:]+(?:is\s+|was\s+)?['\"‘“]?"
        r"(?P<name>" + _WORD + r"(?:[ ]" + _WORD + r")?)(?![A-Za-z])"
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop stop words from the ends of a capitalised run; None when nothing is left."""
    p = patterns()
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    # A run followed by a place word is a place ("Kebab House", "Fern Court").
    after = re.match(r"\s+([A-Za-z]+)", text[end:])
    if after and after.group(1).casefold() in p.place_words:
        return None
    if any(text[s:e].casefold().rstrip("'’s") in p.place_words for s, e in words[1:]):
        words = words[:1]
    # "Uncle Jay", "Cousin Jordan": the role word is not part of the name.
    while words and (
        normalise_name(text[words[0][0] : words[0][1]]) in p.not_names
        or text[words[0][0] : words[0][1]].casefold() in p.role_words
    ):
        words.pop(0)
    while words and normalise_name(text[words[-1][0] : words[-1][1]]) in p.not_names:
        words.pop()
    if not words:
        return None
    return words[0][0], words[-1][1]


def _strip_possessive(text: str, start: int, end: int) -> int:
    for suffix in ("'s", "’s"):
        if text[start:end].endswith(suffix):
            return end - len(suffix)
    return end


def find_names(text: str, *, gazetteer: Gazetteer | None = None) -> list[Extraction]:
    """People's names and nicknames, each found by one of four rules.

    `role`: after a role word ("her boyfriend Ash", "a man called Mo"); `quoted`: a
    capitalised word in quotes ("'Bash'"); `known`: a name in the gazetteer;
    `first_name`: a common first name, with a following capitalised word as surname.
    Only capitalised words count: "ash" in "ash tray" is not a person.
    """
    p = patterns()
    found: list[Extraction] = []

    def add(start: int, end: int, how: str) -> None:
        end = _strip_possessive(text, start, end)
        trimmed = _trim(text, start, end)
        if trimmed is None:
            return
        start, end = trimmed
        written = text[start:end]
        normalised = normalise_name(written)
        if not normalised or normalised in p.not_names:
            return
        for i, other in enumerate(found):
            if start < other.end and other.start < end:
                if end - start > other.end - other.start:
                    found[i] = Extraction(start, end, "name", written, normalised, how=how)
                return
        found.append(Extraction(start, end, "name", written, normalised, how=how))

    for m in _after_role_word().finditer(text):
        name = m.group("name")
        if not name[:1].isupper():
            continue
        add(m.start("name"), m.end("name"), "role")
    for m in _QUOTED.finditer(text):
        add(m.start("name"), m.end("name"), "quoted")

    words = list(_CAPITALISED.finditer(text))
    known = first_names()
    i = 0
    while i < len(words):
        matched = False
        for size in range(min(_MAX_TOKENS, len(words) - i), 0, -1):
            run = words[i : i + size]
            key = _run_key(text, run)
            if key is None:
                continue
            start, end = run[0].start(), run[-1].end()
            if gazetteer is not None and key in gazetteer:
                add(start, end, "known")
                i += size
                matched = True
                break
            if size == 1 and key in known and not run[0].group(0).isupper():
                end = _with_surname(text, words, i)
                add(start, end, "first_name")
                i += 2 if end != run[0].end() else 1
                matched = True
                break
        if not matched:
            if _TITLES.search(text[max(0, words[i].start() - 8) : words[i].start()]):
                add(words[i].start(), _with_surname(text, words, i), "title")
            i += 1
    return sorted(found)


def _possessive_free(written: str) -> str:
    return written[:-2] if written.endswith(("'s", "’s")) else written


def _with_surname(text: str, words: list[re.Match[str]], i: int) -> int:
    """The end of a first name, or of the surname after it ("Asron Hall")."""
    end = words[i].end()
    if i + 1 < len(words):
        following = words[i + 1]
        word = following.group(0)
        if (
            text[end : following.start()] == " "
            and normalise_name(word) not in patterns().not_names
        ):
            if not word.isupper() and normalise_name(word) not in first_names():
                return following.end()
    return end
