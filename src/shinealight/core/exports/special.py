"""Special-category data that never leaves in an export: ethnicity and health details.

Ethnicity is kept for equality monitoring only and is never read into the network, so it
cannot reach a node; the key is blocked here as well in case a caller adds it. Health
details (UK GDPR Article 9) are the indicators that describe a child's health and the
text of health records: a chronology keeps the fact and date of a health contact, which
is what a strategy meeting needs, but not what the clinician wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

V = TypeVar("V")

# Property names that are refused on any node or edge, whatever their value.
BLOCKED_PROPERTIES = frozenset(
    {
        "ethnicity",
        "religion",
        "health",
        "health_details",
        "disability",
        "sexual_orientation",
        "nhs_number",
        "diagnosis",
        "medication",
    }
)

# Indicators from core/schema/records.yaml that are health details.
HEALTH_INDICATORS = frozenset(
    {
        "sti_pregnancy_or_termination",
        "repeat_sexual_health_attendance",
        "self_harm_or_suicidal",
        "unexplained_injuries",
        "alcohol_or_drugs",
        "mental_health",
        "learning_disability",
        "parental_substance_misuse",
    }
)

HEALTH_EVENT_TYPES = frozenset({"health_attendance", "sexual_health", "ae_attendance"})

WITHHELD = "[withheld: health details are not exported]"


def safe_properties(properties: Mapping[str, V]) -> dict[str, V]:
    """The properties with every special-category key removed."""
    return {k: v for k, v in properties.items() if k.lower() not in BLOCKED_PROPERTIES}


def safe_indicators(indicators: Iterable[str]) -> tuple[str, ...]:
    """Indicators without the health ones, in their original order."""
    return tuple(i for i in indicators if i not in HEALTH_INDICATORS)


def is_health_record(*, agency_type: str, event_type: str) -> bool:
    """A record whose text is a health professional's note about a child's health."""
    return agency_type == "health" or event_type in HEALTH_EVENT_TYPES


def safe_summary(summary: str, *, agency_type: str, event_type: str) -> str:
    """The record's summary, or a marker saying it was withheld as health details."""
    if is_health_record(agency_type=agency_type, event_type=event_type):
        return WITHHELD if summary else ""
    return summary
