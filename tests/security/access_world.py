"""A small partnership for the access tests: who recorded which child, in which agency.

- Katie (a child): recorded by rmbc-csc (the practitioner's agency) and by swy-police.
- Lily (a child): recorded by swy-police only, in a record with the adult Ash.
- Ash (an adult, 30): recorded by rmbc-csc too — knowing an adult opens nothing.
- rdash-health holds a sexual-health record about Katie; risky-business holds handling-C
  intelligence about Katie. Both are sealed.

Records go in through the importer, so linkage, the knowledge table and alerts run as in
production.
"""

from __future__ import annotations

from typing import Any


def nhs(prefix: str) -> str:
    """A valid NHS number in the 999 test range from nine digits."""
    digits = [int(c) for c in prefix]
    total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, prefix
    return prefix + str(check)


KATIE = {"name": "Katie Jane Brown", "dob": "1996-03-04", "gender": "female"}
LILY = {"name": "Lily Rose Green", "dob": "1997-08-09", "gender": "female"}
ASH = {"name": "Ashley Stone", "dob": "1980-01-02", "gender": "male"}
KATIE_NHS = nhs("999000001")
LILY_NHS = nhs("999000002")


def person(ref: str, role: str, who: dict[str, str], number: str = "") -> dict[str, Any]:
    found = {"ref": ref, "role": role, **who, "phones": []}
    if number:
        found["identifiers"] = {"nhs_number": number}
    return found


def record(agency: str, kind: str, record_id: str, rtype: str, *persons: Any, **extra: Any) -> Any:
    return {
        "agency": agency,
        "agency_type": kind,
        "record_id": record_id,
        "type": rtype,
        "recorded_at": extra.pop("recorded_at", "2010-05-01T10:00:00Z"),
        "area": "rotherham",
        "summary": extra.pop("summary", f"{rtype} note {record_id}"),
        "persons": list(persons),
        **extra,
    }


RECORDS = [
    record(
        "rmbc-csc",
        "social_care",
        "REF-1",
        "referral",
        person("p1", "subject", KATIE, KATIE_NHS),
        person("p2", "suspect", ASH),
    ),
    record(
        "swy-police",
        "police",
        "INC-1",
        "police_stop",
        person("p1", "subject", KATIE, KATIE_NHS),
        summary="Katie found with adults near the takeaway.",
    ),
    record(
        "swy-police",
        "police",
        "INC-2",
        "missing_episode",
        person("p1", "subject", LILY, LILY_NHS),
        person("p2", "suspect", ASH),
        summary="Lily missing overnight; seen with Ash.",
    ),
    record(
        "rdash-health",
        "health",
        "SH-1",
        "sexual_health",
        person("p1", "subject", KATIE, KATIE_NHS),
        summary="Sexual-health attendance; Fraser competent.",
    ),
    record(
        "risky-business",
        "voluntary",
        "RB-1",
        "intelligence",
        person("p1", "subject", KATIE, KATIE_NHS),
        grading={
            "source": "2",
            "intelligence": "C",
            "handling": "C",
            "handling_conditions": "Do not disclose to the family; source is a young person.",
        },
        summary="A young person says Katie is collected from school by men.",
    ),
]


class World:
    """The scenario's users, records and people, looked up by short names."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.users = users

    def record(self, key: str) -> Any:
        from shinealight.records.models import Record

        agency, record_id = key.split("/")
        return Record.objects.get(agency__code=agency, record_id=record_id)

    def entity(self, key: str) -> Any:
        """The resolved person a record's mention belongs to, e.g. "swy-police/INC-2/p1"."""
        from shinealight.people.models import EntityMembership

        return EntityMembership.objects.get(kind="person", mention_id=key).entity

    def visible(self, user: str) -> set[str]:
        from shinealight.records.models import Record

        return {
            f"{r.agency.code}/{r.record_id}"
            for r in Record.objects.visible_to(self.users[user]).select_related("agency")
        }

    def client(self, user: str) -> Any:
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        client = APIClient()
        token, _ = Token.objects.get_or_create(user=self.users[user])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


def build_world(agencies: dict[str, Any], make_user: Any) -> World:
    """The scenario, imported; each test module wraps it in a `world` fixture."""
    from shinealight.records.models import Agency
    from shinealight.records.services import records_submit

    for code, kind in (("rdash-health", "health"), ("risky-business", "voluntary")):
        agencies[code] = Agency.objects.create(code=code, agency_type=kind, name=code)
    users = {
        "practitioner": make_user("practitioner", "rmbc-csc", "practitioner"),
        "colleague": make_user("practitioner", "rmbc-csc", "colleague"),
        "police_lead": make_user("safeguarding_lead", "swy-police", "police_lead"),
        "csc_lead": make_user("safeguarding_lead", "rmbc-csc", "csc_lead"),
        "health_nurse": make_user("practitioner", "rdash-health", "health_nurse"),
        "health_lead": make_user("safeguarding_lead", "rdash-health", "health_lead"),
        "analyst": make_user("analyst", "partnership-cse", "analyst"),
        "manager": make_user("manager", "partnership-cse", "manager"),
        "administrator": make_user("administrator", "partnership-cse", "administrator"),
    }
    records_submit(payloads=RECORDS, acting_user=users["analyst"])
    w = World(users)
    # The scenario stands on linkage having joined Katie's mentions across agencies.
    katie = w.entity("rmbc-csc/REF-1/p1")
    assert w.entity("swy-police/INC-1/p1") == katie
    assert w.entity("rdash-health/SH-1/p1") == katie
    assert w.entity("swy-police/INC-2/p1") != katie
    assert w.entity("swy-police/INC-2/p2") == w.entity("rmbc-csc/REF-1/p2")  # Ash
    return w
