"""What the extractor returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["vrm", "phone", "postcode", "email", "handle", "nhs_number", "name"]
KINDS: tuple[Kind, ...] = ("vrm", "phone", "postcode", "email", "handle", "nhs_number", "name")


@dataclass(frozen=True, order=True)
class Extraction:
    """One thing found in free text: what kind, as written, normalised, and where.

    `start` and `end` are character offsets into the text (``text[start:end]`` is
    `text`). `normalised` is the same key the structured mention tables hold for that
    kind (``vrm_normalised``, ``e164``, ``postcode_normalised``, ``handle_normalised``,
    ``nhs_number``, ``name_normalised``), so that extracted and structured mentions can
    be compared directly. `partial` marks a registration mark with unseen characters;
    `platform` is the canonical platform of a handle when the note names one; `how`
    says which rule found it (for reviewers and for measuring).
    """

    start: int
    end: int
    kind: Kind
    text: str
    normalised: str
    partial: bool = False
    platform: str = ""
    how: str = ""

    def as_dict(self) -> dict[str, str | int]:
        """The fields of `shinealight extract`'s output, in its order."""
        return {
            "kind": self.kind,
            "text": self.text,
            "normalised": self.normalised,
            "start": self.start,
            "end": self.end,
        }

    def overlaps(self, other: Extraction) -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end
