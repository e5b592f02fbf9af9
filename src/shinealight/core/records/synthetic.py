"""Bulk synthetic records in the agency-records format, for load tests and benchmarks.

These are shaped like real feeds (several mentions, plates, phones, gradings) but carry
no story; the simulator (`shinealight.core.simulate`) builds the realistic world.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

_AGENCIES = (
    ("swy-police", "police", ("police_stop", "missing_episode", "intelligence", "crime_report")),
    ("rmbc-csc", "social_care", ("referral", "assessment", "return_interview")),
    ("rdash-sexual-health", "health", ("sexual_health", "health_attendance")),
    ("rmbc-schools", "education", ("school_absence", "school_concern", "exclusion")),
    ("risky-business", "voluntary", ("youth_work_contact", "intelligence", "disclosure")),
)
_FIRST = ("Chloe", "Katie", "Jade", "Liam", "Ryan", "Amber", "Kyle", "Megan", "Tyler", "Holly")
_LAST = ("Smith", "Jones", "Walker", "Wright", "Hughes", "Green", "Hall", "Wood", "Clarke")
_MEN = ("Ashraf", "Mohammed", "Darren", "Imran", "Lee", "Tariq", "Craig")
_INDICATORS = (
    "missing_from_home",
    "absent_from_school",
    "older_boyfriend",
    "in_car_with_unknown_adults",
    "alcohol_or_drugs",
    "new_or_multiple_phones",
    "looked_after",
)


def synthetic_record(i: int, rng: random.Random, *, version: int = 1) -> dict[str, Any]:
    """One valid record numbered `i`; a higher `version` changes its summary."""
    agency, agency_type, types = _AGENCIES[i % len(_AGENCIES)]
    year = 2005 + i % 10
    day = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    child = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    record: dict[str, Any] = {
        "agency": agency,
        "agency_type": agency_type,
        "record_id": f"R-{i:09d}",
        "type": types[i % len(types)],
        "recorded_at": f"{day}T{i % 24:02d}:{i % 60:02d}:00Z",
        "occurred_at": f"{day}T00:{i % 60:02d}:00Z",
        "area": "rotherham" if i % 3 else "sheffield",
        "summary": f"Version {version}. {child} seen near the takeaway with an older male.",
        "grading": {"source": "2", "intelligence": "B", "handling": "P"},
        "persons": [
            {
                "ref": "p1",
                "role": "subject",
                "name": child,
                "dob": f"{year - 14}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "gender": "female",
                "postcode": f"S{60 + i % 10} {i % 9}AB",
                "phones": [f"07700 900{i % 1000:03d}"],
            },
            {
                "ref": "p2",
                "role": "suspect",
                # Mostly a full name; one record in fifty knows him only as "Ash".
                "name": "Ash" if i % 50 == 0 else f"{_MEN[i % 7]} {_LAST[i // 7 % 9]}",
                "age_estimate": 20 + i % 20,
                "gender": "male",
            },
        ],
        "vehicles": [{"ref": "v1", "vrm": f"KX{i % 90 + 10:02d} ABC", "persons": ["p2"]}],
        "indicators": rng.sample(_INDICATORS, 2),
    }
    return record


def synthetic_records(n: int, *, seed: int = 1, start: int = 0) -> Iterator[dict[str, Any]]:
    """`n` records numbered from `start`, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(start, start + n):
        yield synthetic_record(i, rng)
