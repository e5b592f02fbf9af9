"""Vehicles, phones, online accounts and places: resolved by their normalised keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shinealight.core.linkage.internals.comparisons import bounded_key
from shinealight.core.normalise import (
    normalise_handle,
    normalise_name,
    normalise_vrm,
    vrm_could_match,
    vrm_is_partial,
)

OBJECT_KINDS = ("vehicle", "phone", "online", "location")


def object_key(kind: str, mention: Mapping[str, Any]) -> str | None:
    """Return the key that makes two object mentions one entity, or None if there is none.

    See `_object_key`; a key too long to store is a digest of itself (`bounded_key`).
    """
    key = _object_key(kind, mention)
    return None if key is None else bounded_key(key)


def _object_key(kind: str, mention: Mapping[str, Any]) -> str | None:
    """Return the key that makes two object mentions one entity, or None if there is none.

    Vehicles by registration mark, phones by E.164 number (or the digits as written
    when it does not parse), online accounts by platform and handle, places by
    postcode and name. A partial plate's key keeps its `?`s: it is an entity of its
    own, linked to full plates only as a candidate.
    """
    if kind == "vehicle":
        vrm = mention.get("vrm_normalised") or normalise_vrm(mention.get("vrm") or "")
        return f"vrm:{vrm}" if vrm else None
    if kind == "phone":
        e164 = mention.get("e164")
        if e164:
            return f"tel:{e164}"
        digits = "".join(ch for ch in str(mention.get("number") or "") if ch.isdigit())
        return f"tel-raw:{digits}" if digits else None
    if kind == "online":
        # The stored form is already "platform:handle", case-folded.
        handle = mention.get("handle_normalised") or normalise_handle(
            mention.get("platform"), mention.get("handle") or ""
        )
        return f"online:{handle}" if handle else None
    if kind == "location":
        postcode = mention.get("postcode_normalised") or ""
        name = normalise_name(mention.get("name") or "")
        if not postcode and not name:
            return None
        # A name alone ("the park") is too vague to join places across towns.
        if not postcode:
            return f"place:?:{name}:{normalise_name(mention.get('address') or '')}"
        return f"place:{postcode}:{name}"
    raise ValueError(f"unknown object kind {kind!r}")


def is_partial_vehicle_key(key: str) -> bool:
    """Return True for a vehicle key whose plate was only partly seen."""
    return key.startswith("vrm:") and vrm_is_partial(key[4:])


def candidate_plates(partial_key: str, full_keys: Iterable[str]) -> list[str]:
    """Return the full-plate keys a partial plate could be (candidates, never links)."""
    partial = partial_key[4:]
    return sorted(
        k for k in full_keys if not vrm_is_partial(k[4:]) and vrm_could_match(partial, k[4:])
    )


@dataclass(frozen=True)
class ObjectGroup:
    """The mentions of one object entity."""

    kind: str
    key: str
    mentions: tuple[str, ...]


def group_objects(kind: str, mentions: Iterable[Mapping[str, Any]]) -> list[ObjectGroup]:
    """Group object mentions of one kind by key; mentions with no key stand alone."""
    groups: dict[str, list[str]] = {}
    for mention in mentions:
        key = object_key(kind, mention) or f"alone:{mention['mention_id']}"
        groups.setdefault(key, []).append(str(mention["mention_id"]))
    return [ObjectGroup(kind, key, tuple(sorted(ids))) for key, ids in sorted(groups.items())]
