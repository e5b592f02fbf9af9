"""A small synthetic partnership for the people pages: a child known to two agencies, the
adult seen with her, his car and a takeaway, and one adult only the police know.

Synthetic only: phones in the 07700 900xxx drama range, made-up names and plates.
"""

from __future__ import annotations

from typing import Any

KATIE = {
    "ref": "p1",
    "role": "subject",
    "name": "Katie Smith",
    "dob": "2008-03-04",
    "gender": "female",
    "postcode": "S65 1AB",
    "phones": ["07700 900123"],
}
ASH = {
    "ref": "p2",
    "role": "suspect",
    "name": "Ashley Khan",
    "aliases": ["Ash"],
    "dob": "1990-05-05",
    "gender": "male",
}
CAR = {"ref": "v1", "vrm": "KX55 ABC", "make": "Vauxhall", "model": "Astra", "colour": "silver"}
TAKEAWAY = {"ref": "l1", "name": "Eastwood takeaway", "kind": "takeaway", "postcode": "S65 1EQ"}

AGENCY_TYPES = {"rmbc-csc": "social_care", "swy-police": "police", "partnership-cse": "other"}


def record(
    agency: str,
    record_id: str,
    event_type: str,
    when: str,
    *,
    persons: list[dict[str, Any]],
    summary: str = "",
    grading: tuple[str, str, str] | None = ("2", "B", "P"),
    **more: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "agency": agency,
        "agency_type": AGENCY_TYPES[agency],
        "record_id": record_id,
        "type": event_type,
        "recorded_at": when,
        "summary": summary,
        "persons": persons,
        **more,
    }
    if grading:
        payload["grading"] = dict(zip(("source", "intelligence", "handling"), grading, strict=True))
        if grading[2] == "C":
            payload["grading"]["handling_conditions"] = (
                "Not to be shared without the police's consent"
            )
    return payload


def partnership_records() -> list[dict[str, Any]]:
    return [
        record(
            "rmbc-csc",
            "REF-1",
            "referral",
            "2023-01-10T10:00:00Z",
            persons=[KATIE],
            summary="School worried about Katie: older men collecting her after school.",
        ),
        record(
            "swy-police",
            "INC-1",
            "missing_episode",
            "2023-02-01T23:00:00Z",
            occurred_at="2023-02-01T21:30:00Z",
            persons=[{**KATIE, "name": "Katherine Smith"}, ASH],
            vehicles=[{**CAR, "persons": ["p2"]}],
            locations=[TAKEAWAY],
            summary="Katie reported missing; found in a silver Astra KX55 ABC with Ash.",
            indicators=["missing_episodes"],
        ),
        record(
            "swy-police",
            "INC-2",
            "police_stop",
            "2023-03-05T22:00:00Z",
            persons=[KATIE, ASH],
            vehicles=[{**CAR, "persons": ["p2"]}],
            summary="Stop check near the Eastwood takeaway.",
            grading=("1", "A", "P"),
        ),
        record(
            "swy-police",
            "INT-9",
            "intelligence",
            "2023-04-01T09:00:00Z",
            persons=[
                {
                    "ref": "p1",
                    "role": "suspect",
                    "name": "Zed Harrow",
                    "dob": "1970-01-01",
                    "gender": "male",
                }
            ],
            summary="Zed Harrow seen at the bus station.",
        ),
    ]


def extra_katie_records(n: int, start: int = 0) -> list[dict[str, Any]]:
    """`n` more social-care records about Katie, one a day from 1 June 2023."""
    out = []
    for i in range(start, start + n):
        day = 1 + i % 28
        month = 6 + (i // 28) % 6
        year = 2023 + i // 168
        out.append(
            record(
                "rmbc-csc",
                f"CASE-{i:05d}",
                "youth_work_contact" if i % 2 else "return_interview",
                f"{year}-{month:02d}-{day:02d}T12:00:00Z",
                persons=[KATIE],
                summary=f"Contact {i} with Katie.",
            )
        )
    return out


def submit(user: Any, payloads: list[dict[str, Any]]) -> None:
    from shinealight.records.services import records_submit

    records_submit(payloads=payloads, acting_user=user, source="api")


def entity_of(mention_id: str) -> Any:
    from shinealight.people.models import EntityMembership

    return EntityMembership.objects.select_related("entity").get(mention_id=mention_id).entity


def make_review_item(left: str, right: str, weight: float = 4.5) -> Any:
    """A pair in the uncertain band, as the linkage run leaves it."""
    from shinealight.people.models import EntityLink, ReviewItem

    a, b = sorted((left, right))
    link = EntityLink.objects.create(
        kind="person",
        mention_left=a,
        mention_right=b,
        status=EntityLink.Status.REVIEW,
        match_weight=weight,
        match_probability=2**weight / (1 + 2**weight),
        contributions=[
            {"comparison": "first_name", "level": "nickname or short form", "weight": 3.1},
            {"comparison": "surname", "level": "exact", "weight": 6.2},
            {"comparison": "date_of_birth", "level": "different", "weight": -4.8},
        ],
    )
    return ReviewItem.objects.create(
        link=link, mention_left=a, mention_right=b, match_weight=weight
    )
