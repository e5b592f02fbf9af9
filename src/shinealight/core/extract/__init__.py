"""Intelligence hidden in free text: registration marks, phones, postcodes, e-mail
addresses, social-media handles, NHS numbers and names found in practitioners' notes.

Plain Python (no Django). Each item keeps its span in the text and a normalised key
made by the same normalisers as the structured mention tables, so an extracted
``KX55ABC`` and a structured ``kx55 abc`` are the same vehicle to linkage and alerts.
Extracted items are less certain than structured fields: callers must keep them
marked as extracted.

    from shinealight.core.extract import Gazetteer, extract
    for item in extract("Seen in KX55 ABC with her boyfriend 'Ash'"):
        item.kind, item.text, item.normalised, item.start, item.end
"""

from __future__ import annotations

from shinealight.core.extract.evaluate import (
    KindScore,
    LabelledNote,
    parse_labelled,
    score,
    simulated_notes,
)
from shinealight.core.extract.internals.config import Patterns, parse_patterns, patterns
from shinealight.core.extract.internals.names import Gazetteer, find_names, lookup_keys, name_keys
from shinealight.core.extract.internals.numbers import find_nhs_numbers, find_phones
from shinealight.core.extract.internals.online import find_emails, find_handles
from shinealight.core.extract.internals.places import find_postcodes
from shinealight.core.extract.internals.plates import find_plates
from shinealight.core.extract.internals.types import KINDS, Extraction, Kind

__all__ = [
    "KINDS",
    "Extraction",
    "Gazetteer",
    "Kind",
    "KindScore",
    "LabelledNote",
    "Patterns",
    "extract",
    "lookup_keys",
    "name_keys",
    "parse_labelled",
    "parse_patterns",
    "patterns",
    "score",
    "simulated_notes",
]


def extract(text: str, *, gazetteer: Gazetteer | None = None) -> list[Extraction]:
    """Everything the extractor finds in one note, in order of position.

    Where two finds overlap the more specific wins, in this order: e-mail, NHS number,
    registration mark, postcode, phone, handle, name. So "kiki@example.com" is an
    e-mail and not a handle, and "Mo" inside a handle is not a name.
    """
    if not text:
        return []
    emails = find_emails(text)
    nhs = find_nhs_numbers(text)
    chosen: list[Extraction] = [*emails]

    def keep(items: list[Extraction]) -> None:
        for item in items:
            if not any(item.overlaps(c) for c in chosen):
                chosen.append(item)

    keep(nhs)
    keep(find_plates(text))
    keep(find_postcodes(text))
    keep(find_phones(text, taken=chosen))
    keep(find_handles(text, emails=emails))
    keep(find_names(text, gazetteer=gazetteer))
    return sorted(chosen)
