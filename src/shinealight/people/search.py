"""Search across resolved people, vehicles, phones, online accounts and places.

Every lookup is an indexed one that returns a bounded set of candidates: the
linkage blocking keys (`BlockingKey`, phonetic codes of first name and surname, NHS
number, phone…), exact normalised names, and the object keys of vehicles, phones and
places. Only then are the few candidates ranked in Python with rapidfuzz. Nothing
here scans a table in Python, so the answer time does not grow with the partnership.

Only mentions in records the user may see take part: a name written only in a record
outside the user's view neither finds a person nor shows on the result.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jellyfish
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from rapidfuzz import fuzz

from shinealight.core.linkage import person_features
from shinealight.core.normalise import (
    normalise_name,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
    vrm_could_match,
)
from shinealight.people.models import BlockingKey, EntityMembership, ResolvedEntity
from shinealight.records.models import PersonMention, Record

# How many candidates each kind of lookup may return before ranking: enough that a
# common name ("John") still finds the right person when a second word is given, few
# enough that ranking them takes milliseconds whatever the size of the partnership.
KEY_CANDIDATES = 600
EXACT_NAME_CANDIDATES = 200
OBJECT_CANDIDATES = 60
SHOWN_PER_KIND = 20
# Below this similarity (0-100) a phonetic neighbour is noise, not a misspelling.
MIN_SCORE = 55
MAX_EXACT_KEYS = 400

_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
_PLATE_LIKE = re.compile(r"^[A-Z0-9?]{2,8}$")
KIND_ORDER = ("person", "vehicle", "phone", "online", "location")
KIND_TITLES = {
    "person": "People",
    "vehicle": "Vehicles",
    "phone": "Phones",
    "online": "Online accounts",
    "location": "Places",
}


@dataclass
class Hit:
    """One entity found, with what to show about it and why it matched."""

    entity_id: str
    kind: str
    title: str
    score: float
    details: list[str] = field(default_factory=list)
    matched: str = ""


@dataclass
class SearchResults:
    """The hits of one query, by kind; `more` says a kind had more than were shown."""

    query: str
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.hits.values())

    def groups(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "title": KIND_TITLES[kind],
                "hits": self.hits[kind],
                "more": self.more.get(kind, False),
            }
            for kind in KIND_ORDER
            if self.hits.get(kind)
        ]

    def entity_ids(self) -> list[str]:
        return [h.entity_id for kind in KIND_ORDER for h in self.hits.get(kind, [])]


def _visible(user: Any) -> Exists:
    """True for a row whose `record_id` is a record the user may see (an index lookup)."""
    return Exists(Record.objects.visible_to(user).filter(pk=OuterRef("record_id")))


def _prefix(field_name: str, prefix: str) -> Q:
    """Rows whose column starts with `prefix`, in a form the database answers from an index.

    PostgreSQL has a pattern index on `BlockingKey.key` for LIKE; SQLite uses an index
    for a range on its binary collation but not for LIKE (which ignores case).
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field_name}__startswith": prefix})


# --- people ---------------------------------------------------------------------------


def _metaphone(word: str) -> str:
    return jellyfish.metaphone(word) if word else ""


def _typo_variants(word: str) -> set[str]:
    """The word, and the word with one letter dropped or two neighbours swapped.

    With metaphone on top this covers most slips of a keyboard ("Smiht", "Smitth").
    """
    variants = {word}
    if len(word) > 3:
        variants |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    variants |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return variants


def _codes(words: Iterable[str]) -> list[str]:
    return sorted({c for c in (_metaphone(w) for w in words) if c})


def _person_keys(words: list[str], raw: str) -> tuple[list[str], list[str]]:
    """Exact blocking keys, and key prefixes, that a person matching the query would hold."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    compact = "".join(raw.split()).upper()
    nhs, nhs_valid = normalise_nhs_number(raw)
    if nhs_valid:
        exact.add(f"bk_nhs:{nhs}")
    if compact and any(ch.isdigit() for ch in compact):
        exact |= {f"bk_upn:{compact}", f"bk_pnc:{compact}", f"bk_local_id:{compact}"}
    phone = normalise_phone(raw)
    if phone:
        exact.add(f"bk_phone:{phone}")
    if not words:
        return sorted(exact), []
    first = words[0]
    family = person_features({"mention_id": "query", "name": first}).get("first_family") or []
    if len(words) >= 2:
        surname = words[-1]
        firsts = _codes(set(family) | _typo_variants(first))
        surnames = _codes(_typo_variants(surname))
        # "Smith Katie", as some systems write names, is tried too.
        pairs = [(f, s) for f in firsts for s in surnames]
        pairs += [(s, f) for s in _codes(_typo_variants(surname)) for f in _codes([first])]
        for a, b in pairs:
            exact.add(f"bk_first_surname:{a}|{b}")
            if len(exact) >= MAX_EXACT_KEYS:
                break
    else:
        for code in _codes({first, *family}):
            prefixes |= {
                f"bk_first_surname:{code}|",
                f"bk_first_dob:{code}|",
                f"bk_surname_year:{code}|",
            }
        prefixes |= {f"bk_first_postcode:{first}|", f"bk_surname_postcode:{first}|"}
    return sorted(exact), sorted(prefixes)


def _person_candidates(user: Any, words: list[str], raw: str) -> list[dict[str, Any]]:
    exact, prefixes = _person_keys(words, raw)
    condition = Q(key__in=exact) if exact else Q(pk__in=[])
    for prefix in prefixes:
        condition |= _prefix("key", prefix)
    membership_ids = list(
        BlockingKey.objects.filter(condition).values_list("membership_id", flat=True)[
            :KEY_CANDIDATES
        ]
    )
    found = Q(pk__in=membership_ids)
    joined = " ".join(words)
    if joined:
        same_name = PersonMention.objects.filter(name_normalised=joined).values("mention_id")
        found |= Q(kind="person", mention_id__in=same_name[:EXACT_NAME_CANDIDATES])
    memberships = list(
        EntityMembership.objects.filter(found, kind="person", entity__active=True)
        .filter(_visible(user))
        .values("mention_id", "features", "entity__entity_id")[: KEY_CANDIDATES * 2]
    )
    described = {
        m["mention_id"]: m
        for m in PersonMention.objects.filter(
            mention_id__in=[m["mention_id"] for m in memberships]
        ).values("mention_id", "name", "aliases", "dob", "age_estimate", "record__agency__code")
    }
    for membership in memberships:
        membership["mention"] = described.get(membership["mention_id"], {})
    return memberships


def _person_score(query: str, words: list[str], names: list[str], family: set[str]) -> float:
    best = 0.0
    for name in names:
        best = max(best, fuzz.WRatio(query, name), fuzz.token_sort_ratio(query, name))
    # "Katie Smith" is a fair find for "Katherine Smith": nickname families overlap.
    if family and len(words) >= 2:
        for name in names:
            parts = name.split()
            if len(parts) >= 2 and parts[0] in family and fuzz.ratio(parts[-1], words[-1]) >= 80:
                best = max(best, 88.0)
    return best


def search_people(user: Any, q: str) -> tuple[list[Hit], bool]:
    """Resolved people whose visible mentions match the query, best first."""
    # Names hold no digits: a query with digits is an identifier (NHS number, phone, UPN).
    identifier_query = any(ch.isdigit() for ch in q)
    query = "" if identifier_query else normalise_name(q)
    words = query.split()
    candidates = _person_candidates(user, words, q)
    family: set[str] = set()
    if words:
        family = set(
            person_features({"mention_id": "query", "name": words[0]}).get("first_family") or []
        )
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in candidates:
        by_entity[c["entity__entity_id"]].append(c)
    hits = []
    for entity_id, members in by_entity.items():
        names: Counter[str] = Counter()
        aliases: Counter[str] = Counter()
        dobs: Counter[str] = Counter()
        agencies: set[str] = set()
        for m in members:
            mention = m["mention"]
            if mention.get("name"):
                names[mention["name"]] += 1
            for alias in mention.get("aliases") or []:
                aliases[str(alias)] += 1
            if mention.get("dob"):
                dobs[mention["dob"]] += 1
            if mention.get("record__agency__code"):
                agencies.add(mention["record__agency__code"])
        normalised = [normalise_name(n) for n in [*names, *aliases]]
        normalised = [n for n in normalised if n]
        score = 100.0 if identifier_query else _person_score(query, words, normalised, family)
        if score < MIN_SCORE:
            continue
        matched = ""
        if aliases and words:
            best_alias = max(aliases, key=lambda a: fuzz.WRatio(query, normalise_name(a)))
            if fuzz.WRatio(query, normalise_name(best_alias)) >= 90:
                matched = f"Also known as {best_alias}"
        details = []
        if dobs:
            details.append("Born " + ", ".join(d for d, _ in dobs.most_common(2)))
        if aliases:
            details.append("Also known as " + ", ".join(a for a, _ in aliases.most_common(3)))
        details.append("Recorded by " + ", ".join(sorted(agencies)))
        title = names.most_common(1)[0][0] if names else (next(iter(aliases), "Not named"))
        hits.append(
            Hit(
                entity_id=entity_id,
                kind="person",
                title=title,
                score=score,
                details=details,
                matched=matched,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.title.casefold(), h.entity_id))
    return hits[:SHOWN_PER_KIND], len(hits) > SHOWN_PER_KIND


# --- objects --------------------------------------------------------------------------


def _object_lookups(q: str) -> list[tuple[str, Q, Any]]:
    """(kind, condition on ResolvedEntity.key, optional exact filter) for the query."""
    lookups: list[tuple[str, Q, Any]] = []
    text = q.strip()
    upper = " ".join(text.upper().split())
    phone = normalise_phone(text)
    if phone:
        lookups.append(("phone", Q(key=f"tel:{phone}"), None))
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) >= 6 and not phone:
        lookups.append(("phone", Q(key=f"tel-raw:{digits}"), None))
    plate = normalise_vrm(text)
    if plate and _PLATE_LIKE.match(plate) and any(ch.isdigit() or ch == "?" for ch in plate):
        if "?" in plate:
            start = plate.split("?", 1)[0]
            lookups.append(
                ("vehicle", _prefix("key", f"vrm:{start}"), lambda k, p=plate: _could_be(p, k))
            )
        else:
            lookups.append(
                ("vehicle", Q(key=f"vrm:{plate}") | _prefix("key", f"vrm:{plate}"), None)
            )
    postcode = normalise_postcode(text)
    if postcode:
        lookups.append(("location", _prefix("key", f"place:{postcode}:"), None))
    elif _OUTWARD.match(upper.replace(" ", "")):
        lookups.append(("location", _prefix("key", f"place:{upper.replace(' ', '')} "), None))
    name = normalise_name(text)
    if name and not postcode and len(name) >= 3:
        # Places by name have no index of their own; the kind narrows the scan to places.
        lookups.append(("location", Q(key__contains=f":{name}"), None))
    handle = text.lstrip("@").casefold()
    if handle and " " not in handle and len(handle) >= 3:
        lookups.append(("online", Q(key__contains=handle), None))
    return lookups


def _could_be(partial: str, key: str) -> bool:
    return key.startswith("vrm:") and vrm_could_match(partial, key[4:])


def object_title(kind: str, key: str, label: str) -> str:
    """How to name an object entity: its label, else its key as a person would write it."""
    if label:
        return label
    if kind == "vehicle":
        return key.removeprefix("vrm:")
    if kind == "phone":
        return key.split(":", 1)[-1]
    if kind == "online":
        return key.removeprefix("online:")
    if kind == "location":
        _, postcode, name = (key.split(":", 2) + ["", ""])[:3]
        name = name.split(":", 1)[0]
        parts = [name.title() if name else "", "" if postcode == "?" else postcode]
        return ", ".join(p for p in parts if p) or "Place"
    return key


def search_objects(user: Any, q: str) -> dict[str, tuple[list[Hit], bool]]:
    """Vehicles, phones, accounts and places whose keys match the query."""
    found: dict[str, dict[str, Hit]] = defaultdict(dict)
    more: dict[str, bool] = {}
    visible_mention = EntityMembership.objects.filter(entity=OuterRef("pk")).filter(_visible(user))
    for kind, condition, keep in _object_lookups(q):
        rows = list(
            ResolvedEntity.objects.filter(condition, kind=kind, active=True)
            .filter(Exists(visible_mention))
            .order_by("key")
            .values("entity_id", "key", "label")[:OBJECT_CANDIDATES]
        )
        if len(rows) == OBJECT_CANDIDATES:
            more[kind] = True
        for row in rows:
            if keep is not None and not keep(row["key"]):
                continue
            if row["entity_id"] in found[kind]:
                continue
            title = object_title(kind, row["key"], row["label"])
            score = 100.0 if row["key"].split(":", 1)[-1] == q.strip().upper() else 90.0
            found[kind][row["entity_id"]] = Hit(
                entity_id=row["entity_id"], kind=kind, title=title, score=score
            )
    out = {}
    for kind, hits in found.items():
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.title, h.entity_id))
        out[kind] = (ranked[:SHOWN_PER_KIND], more.get(kind, False) or len(ranked) > SHOWN_PER_KIND)
    return out


def search(user: Any, q: str) -> SearchResults:
    """Everything the user may see that answers the query, grouped by kind."""
    results = SearchResults(query=q)
    if not q.strip():
        return results
    people, more = search_people(user, q)
    if people:
        results.hits["person"], results.more["person"] = people, more
    for kind, (hits, more_of_kind) in search_objects(user, q).items():
        if hits:
            results.hits[kind], results.more[kind] = hits, more_of_kind
    return results
