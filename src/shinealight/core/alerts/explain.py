"""Plain-English explanations a social worker can read aloud at a strategy meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shinealight.core.alerts.findings import Evidence, LawfulNote, Subject
from shinealight.core.schema import vocabulary


def day(at: datetime) -> str:
    """A date as people say it: 14 Mar 2009."""
    return f"{at.day} {at:%b %Y}"


def event_label(event_type: str) -> str:
    return event_type.replace("_", " ")


def indicator_labels(codes: Sequence[str], limit: int = 4) -> str:
    labels = vocabulary().indicators
    words = [labels.get(c, c.replace("_", " ")).lower() for c in codes[:limit]]
    more = len(codes) - limit
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def evidence_phrase(item: Evidence) -> str:
    """One cited record: `police stop ridings-police/INC-1, 14 Mar 2009 (graded 2B)`."""
    graded = f" (graded {item.grading})" if item.grading else ""
    note = f" — {item.note}" if item.note else ""
    return f"{event_label(item.event_type)} {item.record}, {day(item.at)}{graded}{note}"


def person_phrase(subject: Subject, detail: str = "") -> str:
    extra = f"; {detail}" if detail else ""
    return f"{subject.label} ({subject.entity}{extra})"


def join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def number(n: int) -> str:
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return words[n] if 0 <= n < len(words) else str(n)


def compose(
    opening: str, evidence: Sequence[Evidence], lawful: Sequence[LawfulNote], closing: str = ""
) -> str:
    """The opening sentence, every cited record in date order, then how lawful contacts
    were treated: a reader can check each claim against the record it came from."""
    parts = [opening.rstrip(".") + "."]
    ordered = sorted(evidence, key=lambda e: (e.at, e.record))
    parts.append("Evidence: " + "; ".join(evidence_phrase(e) for e in ordered) + ".")
    if lawful:
        notes = [f"{n.label} ({n.entity}): {n.reason}" for n in lawful]
        parts.append("Not treated as suspects: " + "; ".join(notes) + ".")
    if closing:
        parts.append(closing)
    return " ".join(parts)
