"""A small partnership with one object of every kind on each side of the agency line.

The attack tests (page matrix, IDOR probes, XSS, reach property) need real objects to fill
the path parameters of every route. This world holds two of each, one per agency, with no
child in common, so that each agency's object is the other agency's foreign object:

- **own**: held by rmbc-csc alone (the practitioner's agency). Social care referred Amy
  and Beth (indicator: older boyfriend) and later saw each of them with the adult Ash; the
  shared-adult rule fires.
- **foreign**: held by swy-police alone (the safeguarding lead's agency), about people
  rmbc-csc never recorded: Cara and Dee, each stopped with the adult Max; the same rule
  fires. Zed is an adult only the police know.

Beside each side's records, alert and the case the cases app opens for it, there is a
meeting with an action, an open review item, a decided one, a break-glass grant, a sealed
record (handling code C), a risk judgement, a disruption, a disclosure, a notification,
an intelligence submission, a mention the extractor found, an import batch (own: run by
the analyst through the API; foreign: by the command line, so nobody's) and a rejected
upload's import job (own: the analyst's; foreign: another analyst's). Users are the
`users` fixture's: the practitioner in rmbc-csc, the safeguarding lead in swy-police, the
analyst, manager and administrator in the partnership team.

Every free-text field is written through `say(tag, plain)`: the plain text by default;
tests/security/xss_corpus.py passes a `say` that returns a hostile payload carrying the
field's tag instead, so the same world, reached by the same routes, carries the XSS corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

AGENCY_TYPES = {"rmbc-csc": "social_care", "swy-police": "police"}

Say = Callable[[str, str], str]


def plain(tag: str, text: str) -> str:
    return text


def _record(agency: str, rid: str, when: str, persons: list[dict[str, Any]], **kw: Any) -> Any:
    return {
        "agency": agency,
        "agency_type": AGENCY_TYPES[agency],
        "record_id": rid,
        "type": kw.pop("type", "police_stop"),
        "recorded_at": f"{when}T12:00:00Z",
        "area": "rotherham",
        "persons": persons,
        **kw,
    }


def _side(
    say: Say,
    agency: str,
    prefix: str,
    children: tuple[tuple[str, str], tuple[str, str]],
    adult: tuple[str, str],
    plate: str,
    phone: str,
) -> list[dict[str, Any]]:
    """Two children referred (indicator: older boyfriend), each later seen with one adult,
    and a sealed piece of intelligence about the first."""
    referral = {"type": "referral"}
    seen = "police_stop" if agency == "swy-police" else "youth_work_contact"
    (first, first_dob), (second, second_dob) = children
    adult_name, adult_dob = adult

    def child(name: str, dob: str) -> dict[str, Any]:
        # Each child's own details (shared ones would make linkage join the two); only the
        # first child's carry `say`'s text.
        talk = say if name == first else plain
        return {
            "ref": "p1",
            "role": "subject",
            "name": name,
            "dob": dob,
            "aliases": [talk("child-alias", name.split()[0] + "ie")],
            "address": talk("child-address", f"{dob[-2:]} Park Road"),
            "identifiers": {"local_id": talk("local-id", f"L-{dob}")},
        }

    man = {
        "ref": "p2",
        "role": "suspect",
        "name": say("adult-name", adult_name),
        "dob": adult_dob,
        "aliases": [say("adult-alias", adult_name.split()[0] + "y")],
        "description": say("adult-description", f"slim; drives {plate}"),
    }
    sealed = {
        "type": "intelligence",
        "grading": {
            "source": "2",
            "intelligence": "C",
            "handling": "C",
            "handling_conditions": say(
                "handling-conditions", "Source is a young person; do not disclose."
            ),
        },
        "summary": say("sealed-summary", f"A young person says {first} is collected by men."),
    }
    return [
        _record(
            agency,
            f"{prefix}R1",
            "2020-01-05",
            [child(first, first_dob)],
            indicators=["older_boyfriend", say("indicator", "local_code")],
            summary=say("summary", f"Referral: {first} has an older boyfriend."),
            **referral,
        ),
        _record(
            agency,
            f"{prefix}R2",
            "2020-01-06",
            [child(second, second_dob)],
            indicators=["older_boyfriend"],
            summary=f"Referral: {second} has an older boyfriend.",
            **referral,
        ),
        _record(
            agency,
            f"{prefix}S1",
            "2020-02-01",
            [
                child(first, first_dob),
                man,
                {
                    "ref": "p3",
                    "role": "associate",
                    "name": say("associate-name", f"Jo {adult_name.split()[1]}"),
                    "age_estimate": 30,
                },
            ],
            type=seen,
            vehicles=[
                {
                    "ref": "v1",
                    "vrm": plate,
                    "make": say("vehicle-make", "Vauxhall"),
                    "model": say("vehicle-model", "Astra"),
                    "colour": say("vehicle-colour", "silver"),
                    "persons": ["p2"],
                }
            ],
            online=[
                {
                    "ref": "o1",
                    "platform": say("online-platform", "snapchat"),
                    "handle": say("online-handle", adult_name.lower().replace(" ", "_")),
                    "persons": ["p2"],
                }
            ],
            locations=[
                {
                    "ref": "l1",
                    "name": say("location-name", f"{adult_name.split()[1]}'s takeaway"),
                    "kind": say("location-kind", "takeaway"),
                    "address": say("location-address", f"{plate[:4]} Market Street"),
                }
            ],
            links=[{"from": "p1", "to": "p2", "kind": say("link-kind", "boyfriend")}],
            summary=say("stop-summary", f"{first} found in a car with {adult_name}."),
        ),
        _record(
            agency,
            f"{prefix}S2",
            "2020-03-01",
            [child(second, second_dob), {**man, "phones": [phone]}],
            type=seen,
            summary=f"{second} seen with {adult_name}; he gave her the number {phone}.",
        ),
        _record(agency, f"{prefix}C1", "2020-03-05", [child(first, first_dob)], **sealed),
    ]


def records(say: Say = plain) -> list[dict[str, Any]]:
    own = _side(
        say,
        "rmbc-csc",
        "OWN-",
        (("Amy Hill", "2007-02-02"), ("Beth Cole", "2007-05-05")),
        ("Ash Khan", "1990-01-01"),
        "KX55 ABC",
        "07700 900461",
    )
    foreign = _side(
        say,
        "swy-police",
        "FOR-",
        (("Cara Lane", "2008-04-04"), ("Dee Moss", "2008-09-09")),
        ("Max Rowe", "1985-06-06"),
        "YR61 XYZ",
        "07700 900777",
    )
    zed = _record(
        "swy-police",
        "FOR-INT",
        "2020-04-01",
        [{"ref": "p1", "role": "suspect", "name": "Zed Harrow", "dob": "1970-01-01"}],
        type="intelligence",
        summary="Zed Harrow seen at the bus station.",
    )
    return [*own, *foreign, zed]


@dataclass
class Side:
    """The objects on one side of the agency line, by the kind of route that names them."""

    record: tuple[str, str]
    child: str  # a resolved child's entity id
    adult: str  # a resolved adult's entity id
    alert: int
    case: int
    meeting: int
    action: int
    review_item: int
    review_decision: int
    grant: int
    batch: int
    job: str  # an upload's import job (a UUID)
    sealed_record: int
    risk_judgement: int
    disruption: int
    disclosure: int
    notification: int
    intelligence: int
    extracted: int
    more: dict[str, Any] = field(default_factory=dict)


@dataclass
class ObjectWorld:
    users: dict[str, Any]
    own: Side
    foreign: Side

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.foreign


def entity_of(mention_id: str) -> Any:
    from shinealight.people.models import EntityMembership

    return EntityMembership.objects.select_related("entity").get(mention_id=mention_id).entity


def _review_pair(left: str, right: str) -> Any:
    """A pair left in the uncertain band, as a linkage run leaves it."""
    from shinealight.people.models import EntityLink, ReviewItem

    a, b = sorted((left, right))
    link = EntityLink.objects.create(
        kind="person",
        mention_left=a,
        mention_right=b,
        status=EntityLink.Status.REVIEW,
        match_weight=1.5,
        match_probability=0.74,
        contributions=[{"comparison": "surname", "level": "different", "weight": -2.0}],
    )
    return ReviewItem.objects.create(link=link, mention_left=a, mention_right=b, match_weight=1.5)


def _meeting(say: Say, *, recorder: Any, holder: Any, case: Any, child: Any) -> tuple[Any, Any]:
    """A strategy discussion about the child, chaired by the holder, who is given an action
    (the analyst records it, so the holder gets a notification)."""
    from django.utils import timezone

    from shinealight.cases.services import ActionIn, AttendeeIn, SubjectIn, meeting_record

    meeting = meeting_record(
        kind="strategy_discussion",
        held_at=timezone.now() - timedelta(days=1),
        acting_user=recorder,
        attendees=[
            AttendeeIn(agency=holder.agency, user=holder),
            AttendeeIn(agency=holder.agency, name=say("attendee-name", "A colleague")),
        ],
        subjects=[SubjectIn(kind="person", entity_id=child.entity_id, role="child")],
        actions=[ActionIn(description=say("action", "Return home interview"), owner=holder)],
        title=say("meeting-title", f"Strategy discussion about {child.label}"),
        agenda=say("meeting-agenda", "What each agency knows"),
        decisions=say("meeting-decisions", "Plan agreed"),
        chair=holder,
        alert_case=case,
    )
    return meeting, meeting.actions.get()


def _api(user: Any) -> Any:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _created(response: Any) -> int:
    assert response.status_code == 201, (response.status_code, response.content[:300])
    return int(response.json()["id"])


def _case_work(say: Say, holder: Any, child: Any, adult: Any) -> dict[str, int]:
    """Work the holder's agency records about its own people, through the API."""
    from shinealight.cases.config import workflow
    from shinealight.cases.models import Notification
    from shinealight.extraction.models import ExtractedMention, IntelligenceSubmission

    api = _api(holder)
    judgement = _created(
        api.post(
            f"/api/v1/children/{child.entity_id}/risk",
            {
                "level": workflow().risk_levels[-1].code,
                "rationale": say("risk-rationale", "Seen with an older man twice"),
                "child_label": say("risk-child-label", ""),
            },
            format="json",
        )
    )
    disruption = _created(
        api.post(
            "/api/v1/disruptions",
            {
                "tactic": "cawn",
                "target_role": "adult",
                "target_kind": "person",
                "target_entity_id": adult.entity_id,
                "target_label": say("disruption-label", adult.label),
                "outcome": say("disruption-outcome", ""),
                "status": "planned",
            },
            format="json",
        )
    )
    disclosure = _created(
        api.post(
            "/api/v1/disclosures",
            {
                "lawful_basis": workflow().lawful_bases[0],
                "purpose": say("disclosure-purpose", "Strategy discussion preparation"),
                "recipient_agency": "partnership-cse",
                "recipient_name": say("disclosure-recipient", ""),
                "what_was_shared": say("disclosure-what", f"Dates {child.label} went missing"),
            },
            format="json",
        )
    )
    response = api.post(
        "/api/v1/intelligence",
        {
            "what_was_seen": say(
                "intelligence-seen", f"A man waits outside school for {child.label}."
            ),
            "names": say("intelligence-names", ""),
            "descriptions": say("intelligence-descriptions", ""),
            "places": say("intelligence-places", ""),
            "source": "2",
            "intelligence": "C",
            "handling": "P",
        },
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    intelligence = IntelligenceSubmission.objects.filter(submitted_by=holder).latest("pk")
    extracted = ExtractedMention.objects.filter(record__agency=holder.agency).order_by("pk").first()
    assert extracted is not None, "the extractor found nothing in the summaries"
    notification = Notification.objects.filter(recipient=holder).order_by("pk").first()
    assert notification is not None, "the holder was given no action"
    return {
        "risk_judgement": judgement,
        "disruption": disruption,
        "disclosure": disclosure,
        "notification": notification.pk,
        "intelligence": intelligence.pk,
        "extracted": extracted.pk,
    }


def _other_analyst(analyst: Any) -> Any:
    from shinealight.accounts.models import User

    return User.objects.get_or_create(
        username="other-analyst", defaults={"role": "analyst", "agency": analyst.agency}
    )[0]


def _job(user: Any, prefix: str) -> str:
    """An upload the user started that was rejected, with its one problem kept."""
    from shinealight.records.jobs import ImportJob

    job = ImportJob.objects.create(
        started_by=user,
        name=f"{prefix.lower()}upload.jsonl",
        size=10,
        sha256="0" * 64,
        status=ImportJob.Status.REJECTED,
        errors=[[1, "recorded_at", "not a date"]],
        error_count=1,
        bad_lines=1,
    )
    return str(job.pk)


def build_object_world(users: dict[str, Any], say: Say = plain) -> ObjectWorld:
    from shinealight.access.services import break_glass_open
    from shinealight.alerts.models import Alert
    from shinealight.people.models import ReviewDecision
    from shinealight.people.services import review_decide
    from shinealight.records.models import ImportBatch, Record
    from shinealight.records.services import records_submit

    analyst, lead = users["analyst"], users["safeguarding_lead"]
    practitioner = users["practitioner"]
    payloads = records(say)
    own = [p for p in payloads if p["record_id"].startswith("OWN-")]
    records_submit(payloads=own, acting_user=analyst)
    rest = [p for p in payloads if p not in own]
    records_submit(payloads=rest, acting_user=None, source=ImportBatch.Source.FILE)
    sides = {}
    for name, prefix, agency, holder in (
        ("own", "OWN-", "rmbc-csc", practitioner),
        ("foreign", "FOR-", "swy-police", lead),
    ):
        first = entity_of(f"{agency}/{prefix}R1/p1")
        second = entity_of(f"{agency}/{prefix}R2/p1")
        assert entity_of(f"{agency}/{prefix}S1/p1") == first, "linkage did not join the child"
        adult = entity_of(f"{agency}/{prefix}S1/p2")
        alert = Alert.objects.get(rule="shared_adult", evidence__record__record_id=f"{prefix}S1")
        case = alert.case
        meeting, action = _meeting(say, recorder=analyst, holder=holder, case=case, child=first)
        item = _review_pair(f"{agency}/{prefix}R1/p1", f"{agency}/{prefix}R2/p1")
        decided = _review_pair(f"{agency}/{prefix}S1/p1", f"{agency}/{prefix}S2/p1")
        review_decide(
            acting_user=analyst,
            item=decided,
            decision="not_same",
            reason=say("review-reason", "Different dates of birth"),
        )
        grant = break_glass_open(
            acting_user=holder,
            child_entity_id=first.entity_id,
            purpose=say("break-glass-purpose", "Child missing tonight, police asking"),
        )
        batch = ImportBatch.objects.get(
            pk=Record.objects.get(record_id=f"{prefix}S1").versions.get().batch_id
        )
        sides[name] = Side(
            record=(agency, f"{prefix}R1"),
            child=first.entity_id,
            adult=adult.entity_id,
            alert=alert.pk,
            case=case.pk,
            meeting=meeting.pk,
            action=action.pk,
            review_item=item.pk,
            review_decision=ReviewDecision.objects.get(item=decided).pk,
            grant=grant.pk,
            batch=batch.pk,
            job=_job(analyst if name == "own" else _other_analyst(analyst), prefix),
            sealed_record=Record.objects.get(agency__code=agency, record_id=f"{prefix}C1").pk,
            **_case_work(say, holder, first, adult),
            more={"second_child": second.entity_id, "vehicle": _vehicle(agency, prefix)},
        )
    return ObjectWorld(users=users, own=sides["own"], foreign=sides["foreign"])


def _vehicle(agency: str, prefix: str) -> str:
    from shinealight.people.models import EntityMembership

    return str(
        EntityMembership.objects.get(
            kind="vehicle", mention_id=f"{agency}/{prefix}S1/v1"
        ).entity.entity_id
    )
