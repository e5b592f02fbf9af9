"""The extractor's word lists, loaded from patterns.yaml and checked once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_LIST_KEYS = (
    "handle_joiners",
    "plate_cues",
    "vehicle_words",
    "plate_starts",
    "plate_ends",
    "role_words",
    "not_names",
    "first_name_locales",
    "place_words",
)


@dataclass(frozen=True)
class Patterns:
    """The extractor's vocabulary: platforms, cue words, role words and stop lists."""

    platforms: dict[str, tuple[str, ...]]
    handle_joiners: tuple[str, ...]
    plate_cues: tuple[str, ...]
    vehicle_words: tuple[str, ...]
    plate_starts: tuple[str, ...]
    plate_ends: tuple[str, ...]
    role_words: tuple[str, ...]
    not_names: frozenset[str]
    first_name_locales: tuple[str, ...]
    place_words: frozenset[str]

    def platform_of(self, written: str) -> str | None:
        """Return the canonical platform for a spelling ("Insta" -> "instagram"), or None."""
        key = " ".join(written.split()).casefold()
        for name, spellings in self.platforms.items():
            if key == name or key in spellings:
                return name
        return None


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    values = data.get(key)
    if not isinstance(values, list) or not values:
        raise ValueError(f"patterns.yaml: {key} must be a non-empty list")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"patterns.yaml: {key} has an entry that is not text: {value!r}")
        out.append(" ".join(value.split()).casefold())
    return tuple(out)


def parse_patterns(data: Any) -> Patterns:
    """Check the YAML's structure and return it typed; ValueError names what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("patterns.yaml: expected a mapping at the top level")
    unknown = set(data) - {"platforms", *_LIST_KEYS}
    if unknown:
        raise ValueError(f"patterns.yaml: unknown keys {sorted(unknown)}")
    platforms_raw = data.get("platforms")
    if not isinstance(platforms_raw, dict) or not platforms_raw:
        raise ValueError("patterns.yaml: platforms must be a mapping of name to spellings")
    platforms: dict[str, tuple[str, ...]] = {}
    for name, spellings in platforms_raw.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9.]+", name):
            raise ValueError(f"patterns.yaml: platform name {name!r} must be lower-case a-z0-9")
        platforms[name] = _strings({"s": spellings}, "s")
    lists = {key: _strings(data, key) for key in _LIST_KEYS}
    if not all(re.fullmatch(r"[a-z]{2}_[A-Z]{2}", v) for v in data["first_name_locales"]):
        raise ValueError("patterns.yaml: first_name_locales must be like en_GB")
    return Patterns(
        platforms=platforms,
        handle_joiners=lists["handle_joiners"],
        plate_cues=lists["plate_cues"],
        vehicle_words=lists["vehicle_words"],
        plate_starts=lists["plate_starts"],
        plate_ends=lists["plate_ends"],
        role_words=lists["role_words"],
        not_names=frozenset(lists["not_names"]),
        first_name_locales=tuple(v for v in data["first_name_locales"]),
        place_words=frozenset(lists["place_words"]),
    )


@cache
def patterns() -> Patterns:
    """Load patterns.yaml from the package once per process."""
    package = __package__.rsplit(".", 1)[0]
    text = resources.files(package).joinpath("patterns.yaml").read_text(encoding="utf-8")
    return parse_patterns(yaml.safe_load(text))


def phrase_regex(phrases: tuple[str, ...]) -> str:
    """An alternation matching any phrase, longest first, spaces matching any whitespace."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)
