"""Subject access: everything held about one person, with other people redacted.

The export gathers the person's records from every agency (with every version), their
mentions, the alerts that name them and the risk judgements about them. Other people
in those records are third parties: their names, aliases, dates of birth, identifiers,
phones and addresses become "[third party]" in structured fields, and (best effort) in
summaries and explanations, where the names, aliases, phones and plates that the same
record gives for them are replaced, as are any phone numbers, plates, NHS numbers,
e-mail addresses and handles found in the text that are not the person's own.

Material that must not leave without a person's judgement is withheld and listed for
manual review instead: records with handling code C (conditions on sharing), sealed
records (sexual health) and anything an agency has marked sealed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.extract import extract
from shinealight.core.normalise.names import name_tokens
from shinealight.people.models import EntityMembership, ResolvedEntity
from shinealight.records.models import (
    LocationMention,
    OnlineMention,
    PersonMention,
    PhoneMention,
    Record,
    RecordLink,
    RecordVersion,
    VehicleMention,
)
from shinealight.retention.services import RetentionRefused

THIRD_PARTY = "[third party]"
ANOTHER_RECORD = "[another record]"
SAR_ROLES = ("manager", "analyst")
# Event types sealed to their owning agency (Fraser-competent young people's sexual health).
SEALED_EVENT_TYPES = frozenset({"sexual_health"})
_PERSON_FIELDS = (
    "name",
    "aliases",
    "dob",
    "age_estimate",
    "gender",
    "ethnicity",
    "address",
    "postcode",
    "phones",
    "identifiers",
    "nhs_number",
    "description",
)
# A third party's fields that stay: what part they played and nothing that identifies them.
_THIRD_PARTY_KEEPS = ("ref", "role", "gender")
_SCRUBBED_KINDS = ("phone", "vrm", "nhs_number", "email", "handle")


def withheld_reason(record: Record) -> str:
    """Why a record needs a person's review before release, or "" when it does not.

    Sealed is the access app's rule (sexual health, handling code C, as configured).
    """
    try:
        from shinealight.access.visibility import is_sealed
    except ImportError:  # the access app not installed: the same defaults
        sealed = record.event_type in SEALED_EVENT_TYPES or record.grading_handling == "C"
    else:
        sealed = is_sealed(record)
    if record.grading_handling == "C":
        return "handling code C: conditions on sharing"
    if record.event_type in SEALED_EVENT_TYPES:
        return "sexual-health record (sealed to the owning agency)"
    return "sealed to the owning agency" if sealed else ""


@dataclass
class _Terms:
    """What identifies the person (kept) and others (redacted) in free text."""

    own_tokens: set[str]
    own_keys: set[str]
    third: set[str]

    def redact(self, text: str) -> str:
        if not text:
            return text
        # Numbers, plates, addresses online first, whole as the extractor finds them:
        # anything not known to be the person's own.
        for item in reversed(extract(text)):
            if item.kind in _SCRUBBED_KINDS and item.normalised not in self.own_keys:
                text = text[: item.start] + THIRD_PARTY + text[item.end :]
        for term in sorted(self.third, key=len, reverse=True):
            if len(term) < 3 or term.lower() in self.own_tokens:
                continue
            text = re.sub(
                rf"(?<!\w){re.escape(term)}(?!\w)", THIRD_PARTY, text, flags=re.IGNORECASE
            )
        return text


def _tokens(*names: str) -> set[str]:
    return {t for n in names if n for t in name_tokens(n)}


def _person_terms(p: dict[str, Any]) -> set[str]:
    """Everything one person's entry says that could name them in a note."""
    out: set[str] = set()
    for key in ("name", "dob", "address", "postcode", "nhs_number", "description"):
        if isinstance(p.get(key), str) and p[key]:
            out.add(p[key])
    out.update(a for a in p.get("aliases") or [] if isinstance(a, str))
    out.update(x for x in p.get("phones") or [] if isinstance(x, str))
    identifiers = p.get("identifiers") or {}
    if isinstance(identifiers, dict):
        out.update(str(v) for v in identifiers.values() if v)
    for name in [p.get("name"), *(p.get("aliases") or [])]:
        if isinstance(name, str):
            out.update(t for t in name.split() if len(t) >= 3)
    return out


def _redact_person(p: dict[str, Any]) -> dict[str, Any]:
    out = {k: p[k] for k in _THIRD_PARTY_KEEPS if k in p}
    for key, value in p.items():
        if key in out or key == "ethnicity":
            continue
        if isinstance(value, list):
            out[key] = [THIRD_PARTY for _ in value]
        elif isinstance(value, dict):
            out[key] = dict.fromkeys(value, THIRD_PARTY)
        elif value not in (None, ""):
            out[key] = THIRD_PARTY
    out["third_party"] = True
    return out


def _redact_object(
    o: dict[str, Any], own_refs: set[str], identifying: tuple[str, ...]
) -> dict[str, Any]:
    """A vehicle, phone or account is the person's own only when the record links it to them."""
    refs = set(o.get("persons") or o.get("person_refs") or [])
    if refs & own_refs:
        return dict(o)
    return {k: (THIRD_PARTY if k in identifying and o.get(k) else v) for k, v in o.items()}


_OBJECT_IDENTIFYING = {
    "vehicles": ("vrm", "vrm_normalised"),
    "phones": ("number", "e164"),
    "online": ("handle", "handle_normalised"),
}


def _redact_payload(payload: dict[str, Any], own_refs: set[str], terms: _Terms) -> dict[str, Any]:
    """One version as the agency sent it, with third parties redacted."""
    out = dict(payload)
    out["persons"] = [
        dict(p) if p.get("ref") in own_refs else _redact_person(p)
        for p in payload.get("persons") or []
    ]
    for kind, identifying in _OBJECT_IDENTIFYING.items():
        if kind in payload:
            out[kind] = [_redact_object(o, own_refs, identifying) for o in payload[kind] or []]
    if isinstance(out.get("summary"), str):
        out["summary"] = terms.redact(out["summary"])
    grading = out.get("grading")
    if isinstance(grading, dict) and grading.get("handling_conditions"):
        out["grading"] = {
            **grading,
            "handling_conditions": terms.redact(grading["handling_conditions"]),
        }
    return out


def _family(entity: ResolvedEntity) -> list[ResolvedEntity]:
    """The person as linkage holds them now: followed through merges to the survivor."""
    chain = [entity]
    while chain[-1].merged_into_id and len(chain) < 50:
        chain.append(ResolvedEntity.objects.get(pk=chain[-1].merged_into_id))
    return chain


def _mention_rows(
    model: type[Any], pks: list[int], fields: Iterable[str]
) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for row in (
        model.objects.filter(record_id__in=pks)
        .order_by("record_id", "ref")
        .values("record_id", "ref", *fields)
    ):
        out.setdefault(row.pop("record_id"), []).append(row)
    return out


def subject_access_collect(entity: ResolvedEntity) -> dict[str, Any]:
    """Everything held about one person, redacted for third parties (no audit: a read)."""
    from shinealight.alerts.models import Alert, AlertSubject
    from shinealight.cases.models import AlertCase, RiskJudgement

    family = _family(entity)
    entity_ids = [e.entity_id for e in family]
    memberships = list(
        EntityMembership.objects.filter(entity__in=family).values_list("record_id", "mention_id")
    )
    own_refs: dict[int, set[str]] = {}
    for record_pk, mention_id in memberships:
        own_refs.setdefault(record_pk, set()).add(mention_id.rsplit("/", 1)[-1])
    records = list(
        Record.objects.filter(pk__in=list(own_refs))
        .select_related("agency")
        .order_by("recorded_at", "pk")
    )
    released = [r for r in records if not withheld_reason(r)]
    pks = [r.pk for r in released]
    persons = _mention_rows(PersonMention, pks, ("role", *_PERSON_FIELDS))
    vehicles = _mention_rows(
        VehicleMention, pks, ("vrm", "partial", "make", "model", "colour", "person_refs")
    )
    phones = _mention_rows(PhoneMention, pks, ("number", "person_refs"))
    online = _mention_rows(OnlineMention, pks, ("platform", "handle", "person_refs"))
    locations = _mention_rows(LocationMention, pks, ("name", "kind", "address", "postcode"))
    links: dict[int, list[dict[str, Any]]] = {}
    for row in RecordLink.objects.filter(record_id__in=pks).values(
        "record_id", "from_ref", "to_ref", "kind"
    ):
        links.setdefault(row.pop("record_id"), []).append(row)
    versions: dict[int, list[RecordVersion]] = {}
    for version in RecordVersion.objects.filter(record_id__in=pks).order_by("record_id", "version"):
        versions.setdefault(version.record_id, []).append(version)

    # What names the person (kept) and what names others (redacted), over every record.
    own_names: set[str] = set()
    own_keys: set[str] = set()
    everyone_else: set[str] = set()
    for pk in pks:
        for p in persons.get(pk, []):
            if p["ref"] in own_refs[pk]:
                own_names |= {p["name"], *(p["aliases"] or [])} - {""}
                own_keys |= {
                    *[n for n in (p["nhs_number"],) if n],
                    *[x for x in p["phones"] or []],
                }
            else:
                everyone_else |= _person_terms(p)
        for version in versions.get(pk, []):
            for p in version.payload.get("persons") or []:
                if p.get("ref") not in own_refs[pk]:
                    everyone_else |= _person_terms(p)
            for v in version.payload.get("vehicles") or []:
                if not set(v.get("persons") or []) & own_refs[pk] and v.get("vrm"):
                    everyone_else |= {v["vrm"], v["vrm"].replace("?", "").strip()}
        for v in vehicles.get(pk, []):
            if not set(v["person_refs"]) & own_refs[pk] and v["vrm"]:
                everyone_else |= {v["vrm"], v["vrm"].replace("?", "").strip()}
        for t in phones.get(pk, []):
            if set(t["person_refs"]) & own_refs[pk]:
                own_keys.add(t["number"])
            else:
                everyone_else.add(t["number"])
    # The person's own identifiers as the extractor normalises them, so they are kept.
    own_normalised = {x.normalised for key in own_keys for x in extract(key)} | own_keys
    terms = _Terms(own_tokens=_tokens(*own_names), own_keys=own_normalised, third=everyone_else)

    out_records = []
    for r in released:
        mine = own_refs[r.pk]
        out_records.append(
            {
                "agency": r.agency.code,
                "agency_name": r.agency.name or r.agency.code,
                "record_id": r.record_id,
                "type": r.event_type,
                "recorded_at": r.recorded_at.isoformat(),
                "occurred_at": r.occurred_at.isoformat() if r.occurred_at else None,
                "area": r.area,
                "summary": terms.redact(r.summary),
                "grading": r.grading,
                "indicators": r.indicators,
                "your_mentions": sorted(mine),
                "people": [
                    {**p, "you": True} if p["ref"] in mine else _redact_person(p)
                    for p in persons.get(r.pk, [])
                ],
                "vehicles": [_redact_object(v, mine, ("vrm",)) for v in vehicles.get(r.pk, [])],
                "phones": [_redact_object(t, mine, ("number",)) for t in phones.get(r.pk, [])],
                "online": [_redact_object(o, mine, ("handle",)) for o in online.get(r.pk, [])],
                "locations": locations.get(r.pk, []),
                "links": links.get(r.pk, []),
                "versions": [
                    {
                        "version": v.version,
                        "recorded_at": v.recorded_at.isoformat(),
                        "received_at": v.received_at.isoformat(),
                        "as_sent": _redact_payload(v.payload, mine, terms),
                    }
                    for v in versions.get(r.pk, [])
                ],
            }
        )
    withheld = [
        {
            "agency": r.agency.code,
            "record_id": r.record_id,
            "type": r.event_type,
            "recorded_at": r.recorded_at.isoformat(),
            "reason": withheld_reason(r),
        }
        for r in records
        if withheld_reason(r)
    ]

    own_record_refs = {f"{r.agency.code}/{r.record_id}" for r in records}
    alerts = []
    subjects = AlertSubject.objects.filter(kind="person", entity_id__in=entity_ids)
    alert_ids = sorted(set(subjects.values_list("alert_id", flat=True)))
    for alert in (
        Alert.objects.filter(pk__in=alert_ids)
        .prefetch_related("subjects", "evidence__record__agency")
        .order_by("first_data_time", "pk")
    ):
        others = [s for s in alert.subjects.all() if s.entity_id not in entity_ids]
        alert_terms = _Terms(
            own_tokens=terms.own_tokens,
            own_keys=terms.own_keys,
            third=terms.third
            | {s.label for s in others if s.label}
            | {s.entity_id for s in others},
        )
        cited = sorted(f"{e.record.agency.code}/{e.record.record_id}" for e in alert.evidence.all())
        explanation = alert_terms.redact(alert.explanation)
        for ref in cited:
            if ref not in own_record_refs:
                explanation = explanation.replace(ref, ANOTHER_RECORD)
        case = AlertCase.objects.filter(alert=alert).first()
        alerts.append(
            {
                "rule": alert.rule,
                "severity": alert.severity,
                "title": alert_terms.redact(alert.title),
                "first_data_time": alert.first_data_time.isoformat(),
                "last_data_time": alert.last_data_time.isoformat(),
                "explanation": explanation,
                "you_are_named_as": sorted(
                    {s.role for s in alert.subjects.all() if s.entity_id in entity_ids}
                ),
                "others_named": [{"kind": s.kind, "role": s.role} for s in others],
                "evidence": [ref if ref in own_record_refs else ANOTHER_RECORD for ref in cited],
                "case_status": case.status if case else None,
                "case_decision": case.decision if case else None,
            }
        )

    judgements = []
    for j in (
        RiskJudgement.objects.filter(child_entity_id__in=entity_ids)
        .select_related("recorded_by__agency")
        .prefetch_related("evidence__record__agency")
        .order_by("recorded_at", "pk")
    ):
        agency = j.recorded_by.agency
        judgements.append(
            {
                "level": j.level,
                "previous_level": j.previous_level,
                "is_downgrade": j.is_downgrade,
                "status": j.status,
                "rationale": terms.redact(j.rationale),
                "indicators": j.indicators,
                "recorded_at": j.recorded_at.isoformat(),
                "effective_at": j.effective_at.isoformat() if j.effective_at else None,
                "recorded_by_agency": agency.code if agency else None,
                "evidence": sorted(
                    {
                        ref
                        if (ref := f"{e.record.agency.code}/{e.record.record_id}")
                        in own_record_refs
                        else ANOTHER_RECORD
                        for e in j.evidence.all()
                    }
                ),
            }
        )
    return {
        "entity_id": entity.entity_id,
        "entity_ids": entity_ids,
        "records": out_records,
        "withheld_for_review": withheld,
        "alerts": alerts,
        "risk_judgements": judgements,
    }


@dataclass(frozen=True)
class SubjectAccessExport:
    """The finished export: a zip file's bytes and what went into it."""

    content: bytes
    filename: str
    sha256: str
    data: dict[str, Any]


README = """Subject access export for {entity_id}
Reference: {reference}
Made: {made} by {by}

subject-access.json   everything held about the person, as data
subject-access.html   the same, to read

Other people (third parties) are redacted: their names, aliases, dates of birth,
identifiers, phone numbers and addresses read "[third party]" in structured fields.
In free text (summaries, explanations, rationales) names, aliases, phones and plates
that the records give for other people are replaced, and so is any phone number,
plate, NHS number, e-mail address or handle that is not the person's own. This is
done by machine: read the text before release.

Withheld for manual review ({withheld} record(s)): sealed records, sexual-health
records and records with handling code C. Each is listed in the export with the
reason; the owning agency decides what, if anything, can be released.
"""


def subject_access_export(
    *, entity_id: str, acting_user: Any, reference: str
) -> SubjectAccessExport:
    """Build the export for one person, audited with the request's reference.

    Raises `ResolvedEntity.DoesNotExist` for an unknown id (the API answers 404).
    """
    if (
        not getattr(acting_user, "is_active", False)
        or getattr(acting_user, "role", "") not in SAR_ROLES
    ):
        raise RetentionRefused("Only a manager or an analyst may make a subject access export.")
    reference = (reference or "").strip()
    if not reference:
        raise RetentionRefused(
            "Give the request's reference (kept in the audit trail).", field="reference"
        )
    entity = ResolvedEntity.objects.get(entity_id=entity_id, kind="person")
    with transaction.atomic():
        data = subject_access_collect(entity)
        made = timezone.now()
        data = {
            "reference": reference,
            "made_at": made.isoformat(),
            "made_by": acting_user.username,
            **data,
        }
        html = render_to_string("retention/subject_access.html", {"data": data, "made": made})
        readme = README.format(
            entity_id=entity.entity_id,
            reference=reference,
            made=f"{made:%Y-%m-%d %H:%M} UTC",
            by=acting_user.username,
            withheld=len(data["withheld_for_review"]),
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", readme)
            archive.writestr(
                "subject-access.json", json.dumps(data, indent=2, ensure_ascii=False, default=str)
            )
            archive.writestr("subject-access.html", html)
        content = buffer.getvalue()
        digest = hashlib.sha256(content).hexdigest()
        audit_log(
            acting_user=acting_user,
            action="retention.subject_access_export",
            object_type="entity",
            object_ids=[entity.entity_id],
            purpose=reference,
            detail={
                "records": [f"{r['agency']}/{r['record_id']}" for r in data["records"]],
                "withheld": [
                    f"{r['agency']}/{r['record_id']}" for r in data["withheld_for_review"]
                ],
                "alerts": len(data["alerts"]),
                "risk_judgements": len(data["risk_judgements"]),
                "sha256": digest,
            },
        )
    stamp = f"{made:%Y%m%d-%H%M%S}"
    return SubjectAccessExport(
        content=content,
        filename=f"subject-access-{entity.entity_id}-{stamp}.zip",
        sha256=digest,
        data=data,
    )
