"""Measuring the extractor: hand-labelled notes, the simulator's summaries, and scoring.

A labelled note marks each item inline as ``[[kind:as written]]`` or, when the
normalised form is not what the project's normaliser gives for the text (a described
partial plate, a handle's platform), ``[[kind:as written|normalised]]``::

    Seen in [[vrm:kx55 abc]] with her boyfriend [[name:Ash]], plate starting [[vrm:KX55|KX55???]]

Gold normalised forms come from `shinealight.core.normalise`, never from the
extractor, so a fault in the extractor cannot make its own answer key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from shinealight.core.extract.internals.types import KINDS, Extraction, Kind
from shinealight.core.normalise import (
    normalise_handle,
    normalise_name,
    normalise_nhs_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)

_MARK = re.compile(r"\[\[(?P<kind>[a-z_]+):(?P<text>[^\]|]+)(?:\|(?P<normalised>[^\]]*))?\]\]")


@dataclass(frozen=True)
class LabelledNote:
    """A note and the items a person marked in it; `source` says where it came from."""

    text: str
    gold: tuple[Extraction, ...]
    source: str = ""


def _default_normalised(kind: str, written: str) -> str:
    if kind == "vrm":
        return normalise_vrm(written)
    if kind == "phone":
        return normalise_phone(written) or ""
    if kind == "postcode":
        return normalise_postcode(written) or ""
    if kind == "email":
        return written.casefold()
    if kind == "handle":
        return normalise_handle(None, written)
    if kind == "nhs_number":
        return normalise_nhs_number(written)[0]
    return normalise_name(written)


def parse_labelled(line: str, *, source: str = "") -> LabelledNote:
    """Read one labelled line into the plain note and its gold items.

    Raises ValueError for an unknown kind or a mark whose normalised form is empty.
    """
    text_parts: list[str] = []
    gold: list[Extraction] = []
    position = 0
    length = 0
    for m in _MARK.finditer(line):
        before = line[position : m.start()]
        text_parts.append(before)
        length += len(before)
        kind, written = m.group("kind"), m.group("text")
        if kind not in KINDS:
            raise ValueError(f"{source}: unknown kind {kind!r} in {m.group(0)!r}")
        normalised = m.group("normalised") or _default_normalised(kind, written)
        if not normalised:
            raise ValueError(f"{source}: {m.group(0)!r} has no normalised form")
        gold.append(
            Extraction(
                length,
                length + len(written),
                cast(Kind, kind),
                written,
                normalised,
                partial="?" in normalised,
            )
        )
        text_parts.append(written)
        length += len(written)
        position = m.end()
    text_parts.append(line[position:])
    return LabelledNote("".join(text_parts), tuple(gold), source)


@dataclass
class KindScore:
    """Counts for one kind: items found that are right, found that are wrong, and missed."""

    kind: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    """(note, "found"/"missed", item text) for each error, to read when tuning."""

    @property
    def gold(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def found(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.gold if self.gold else None


def score(
    notes: Iterable[LabelledNote],
    extractor: Callable[[str], list[Extraction]],
    *,
    kinds: Iterable[str] = KINDS,
) -> dict[str, KindScore]:
    """Precision and recall per kind: a find is right when its kind and normalised form
    equal a gold item's and their spans overlap; each gold item counts once."""
    wanted = tuple(kinds)
    scores = {kind: KindScore(kind) for kind in wanted}
    for note in notes:
        found = [e for e in extractor(note.text) if e.kind in scores]
        unmatched = [g for g in note.gold if g.kind in scores]
        for item in found:
            match = next(
                (
                    g
                    for g in unmatched
                    if g.kind == item.kind and g.normalised == item.normalised and g.overlaps(item)
                ),
                None,
            )
            if match is None:
                scores[item.kind].false_positives += 1
                scores[item.kind].wrong.append(
                    (note.text, "found", item.text + " → " + item.normalised)
                )
            else:
                unmatched.remove(match)
                scores[item.kind].true_positives += 1
        for gold in unmatched:
            scores[gold.kind].false_negatives += 1
            scores[gold.kind].wrong.append(
                (note.text, "missed", gold.text + " → " + gold.normalised)
            )
    return scores


# -- the simulator's summaries ---------------------------------------------------------

_DRAMA_NUMBERS = range(900000, 901000)
_CURRENT = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}")
_PREFIX = re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}")
_SUFFIX = re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]")


def _spaced(compact: str) -> str | None:
    if _CURRENT.fullmatch(compact) or _PREFIX.fullmatch(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    if _SUFFIX.fullmatch(compact):
        return f"{compact[:3]} {compact[3:]}"
    return None


def _plate_variants(spaced: str) -> list[str]:
    # Every way the simulator writes a mark (docs/simulation.md, `plate_format`).
    compact = spaced.replace(" ", "")
    return [
        spaced,
        compact,
        spaced.lower(),
        spaced.replace(" ", "-"),
        f"{compact[:2]} {compact[2:4]} {compact[4:]}",
    ]


def _phone_variants(national: str) -> list[str]:
    digits = national.replace(" ", "")
    return [
        national,
        digits,
        f"+44 {digits[1:5]} {digits[5:]}",
        f"+44{digits[1:]}",
        f"{digits[:5]}-{digits[5:]}",
        f"({digits[:5]}) {digits[5:]}",
    ]


def _alternation(variants: Mapping[str, str]) -> re.Pattern[str]:
    ordered = sorted(variants, key=len, reverse=True)
    return re.compile(
        r"(?<![A-Za-z0-9+?])(?:" + "|".join(re.escape(v) for v in ordered) + r")(?![A-Za-z0-9?])"
    )


def simulated_notes(
    records: Iterable[Mapping[str, Any]], *, truth: Mapping[str, Any] | None = None
) -> list[LabelledNote]:
    """The summaries of a simulated world, labelled from what the world itself knows.

    Registration marks are those of any vehicle a record or the ground truth lists,
    searched for in every way the simulator writes them, and partial ones said as
    "starting KX55" / "ending ABC"; phones are Ofcom's drama range, which the
    simulator uses for every number; handles are those any record lists. Names
    are not labelled here (the simulator does not say which words are names).
    """
    items = [r for r in records if r.get("summary")]
    plates: dict[str, str] = {}
    outward: dict[str, str] = {}
    inward: dict[str, str] = {}
    compacts: set[str] = set()
    for record in items:
        for vehicle in record.get("vehicles") or ():
            if not vehicle.get("partial") and vehicle.get("vrm"):
                compacts.add(normalise_vrm(vehicle["vrm"]))
    handles: dict[str, str] = {}
    for record in items:
        for account in record.get("online") or ():
            if account.get("handle"):
                handle = str(account["handle"])
                handles[handle] = normalise_handle(account.get("platform"), handle)
    for network in (truth or {}).get("networks", ()):
        compacts.update(v for v in network.get("vehicles", ()) if "?" not in v)
    for compact in compacts:
        spaced = _spaced(compact)
        if spaced is None:
            continue
        for variant in _plate_variants(spaced):
            plates[variant] = compact
        head, tail = spaced.split(" ")
        outward[head] = head + "?" * (7 - len(head))
        inward[tail] = "?" * (7 - len(tail)) + tail
    phones: dict[str, str] = {}
    for n in _DRAMA_NUMBERS:
        national = f"07700 {n}"
        for variant in _phone_variants(national):
            phones[variant] = f"+447700{n}"
    plate_re = _alternation(plates) if plates else None
    phone_re = _alternation(phones)
    handle_re = _alternation(handles) if handles else None
    described = re.compile(r"\b(?:plate|reg)\s+(starting|ending)\s+([A-Z0-9]{2,4})\b")

    notes = []
    for record in items:
        text = str(record["summary"])
        gold: list[Extraction] = []
        if plate_re is not None:
            for m in plate_re.finditer(text):
                normalised = plates[m.group(0)]
                gold.append(Extraction(m.start(), m.end(), "vrm", m.group(0), normalised))
        for m in described.finditer(text):
            table = outward if m.group(1) == "starting" else inward
            if m.group(2) in table:
                gold.append(
                    Extraction(
                        m.start(2), m.end(2), "vrm", m.group(2), table[m.group(2)], partial=True
                    )
                )
        for m in phone_re.finditer(text):
            gold.append(Extraction(m.start(), m.end(), "phone", m.group(0), phones[m.group(0)]))
        if handle_re is not None:
            for m in handle_re.finditer(text):
                gold.append(
                    Extraction(m.start(), m.end(), "handle", m.group(0), handles[m.group(0)])
                )
        notes.append(
            LabelledNote(text, tuple(sorted(gold)), f"{record['agency']}/{record['record_id']}")
        )
    return notes
