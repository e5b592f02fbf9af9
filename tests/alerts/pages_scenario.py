"""A small file that fires one alert, for the alert pages' tests (and the browser's).

Two children whom social care refers for an older boyfriend are each stopped by police
with the same adult: the shared-adult rule fires on the two police records. A youth
worker in the first stop is a lawful contact; a car and a phone join the adult to them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A name that would run as markup if any page or the diagram let it through.
HOSTILE_NAME = '<img src=x onerror="document.title=1">Jo'


def _record(rid: str, when: str, persons: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    agency = kw.pop("agency", "swy-police")
    kinds = {"swy-police": "police", "rmbc-csc": "social_care"}
    return {
        "agency": agency,
        "agency_type": kinds[agency],
        "record_id": rid,
        "type": kw.pop("type", "police_stop"),
        "recorded_at": f"{when}T12:00:00Z",
        "area": "rotherham",
        "persons": persons,
        **kw,
    }


def _child(name: str, dob: str = "2007-02-02") -> dict[str, Any]:
    return {"ref": "p1", "role": "subject", "name": name, "dob": dob}


# Ethnicity is held for equality monitoring only: no network or alert page may show it.
ETHNICITY = "Any other ethnic group (monitoring only)"
ASH = {
    "ref": "p2",
    "role": "suspect",
    "name": "Ash Khan",
    "dob": "1990-01-01",
    "ethnicity": ETHNICITY,
}


def records() -> list[dict[str, Any]]:
    referral = {"agency": "rmbc-csc", "type": "referral", "indicators": ["older_boyfriend"]}
    return [
        _record("R1", "2020-01-05", [_child("Amy Hill")], **referral),
        _record("R2", "2020-01-06", [_child("Beth Cole", "2007-05-05")], **referral),
        _record(
            "S1",
            "2020-02-01",
            [
                _child("Amy Hill"),
                ASH,
                {"ref": "p3", "role": "professional", "name": "Nia Youth", "dob": "1985-03-03"},
            ],
            grading={"source": "2", "intelligence": "B", "handling": "P"},
            vehicles=[{"ref": "v1", "vrm": "KX55 ABC", "persons": ["p2"]}],
        ),
        _record(
            "S2",
            "2020-03-01",
            [
                _child("Beth Cole", "2007-05-05"),
                {**ASH, "phones": ["07700 900461"]},
                {"ref": "p3", "role": "associate", "name": HOSTILE_NAME, "age_estimate": 30},
            ],
            grading={"source": "3", "intelligence": "C", "handling": "P"},
        ),
    ]


def write(folder: Path) -> Path:
    path = folder / "shared-adult.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def import_alert(folder: Path) -> Any:
    """Import the file as the importer would; returns the one alert it raised."""
    from shinealight.alerts.models import Alert
    from shinealight.records.services import records_import_file

    records_import_file(path=write(folder))
    return Alert.objects.get(rule="shared_adult")
