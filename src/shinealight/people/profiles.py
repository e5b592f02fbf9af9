"""Reads behind the profile pages: who or what an entity is, its chronology and its links.

Every read starts from `Record.objects.visible_to(user)`: a profile is made only of
mentions in records the user may see, so a name, a date of birth or a link recorded
only elsewhere never shows. Each function runs a fixed number of queries, whatever
the number of records, so that a child with 500 entries costs what a child with 5 does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from shinealight.people.models import EntityMembership, ResolvedEntity
from shinealight.people.search import object_title
from shinealight.records.models import MENTION_MODELS, PersonMention, Record

# Linked people and things shown on a profile; the rest are counted.
LINKS_SHOWN = 50
# Co-mentions read to find them: a bound on the work for an entity in thousands of records.
LINK_ROWS_READ = 20_000
ADULT_AGE = 18

# What each object kind's mention says, as written, in the chronology.
_AS_WRITTEN: dict[str, tuple[str, ...]] = {
    "person": ("role", "name", "aliases"),
    "vehicle": ("vrm", "colour", "make", "model", "partial"),
    "phone": ("number", "e164"),
    "online": ("platform", "handle"),
    "location": ("name", "kind", "address", "postcode"),
}


@dataclass
class Profile:
    """What the user's visible records say about one entity."""

    entity: ResolvedEntity
    kind_label: str
    title: str
    names: list[tuple[str, int]] = field(default_factory=list)
    aliases: list[tuple[str, int]] = field(default_factory=list)
    dobs: list[tuple[str, int]] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    roles: list[tuple[str, int]] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    record_count: int = 0


def entity_records(
    user: Any, entity: ResolvedEntity, *, exportable: bool = False
) -> QuerySet[Record]:
    """The records the user may see (or, for a print or export, take out) that mention it."""
    if exportable:
        return Record.objects.exportable_by(user, about=entity.pk)
    return Record.objects.visible_to(user, about=entity.pk)


def chronology(
    user: Any,
    entity: ResolvedEntity,
    *,
    agency: str | None = None,
    event_type: str | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
    newest_first: bool = False,
    exportable: bool = False,
) -> QuerySet[Record]:
    """The entity's visible records in order of when they happened (or were recorded).

    The date filters apply to that same date: what happened between two dates.
    """
    records = (
        entity_records(user, entity, exportable=exportable)
        .select_related("agency")
        .annotate(happened=Coalesce("occurred_at", "recorded_at", output_field=DateTimeField()))
    )
    if agency:
        records = records.filter(agency__code=agency)
    if event_type:
        records = records.filter(event_type=event_type)
    if recorded_from:
        records = records.filter(happened__gte=recorded_from)
    if recorded_to:
        records = records.filter(happened__lt=recorded_to)
    if newest_first:
        return records.order_by(F("happened").desc(), "-recorded_at", "-id")
    return records.order_by("happened", "recorded_at", "id")


def chronology_mentions(
    entity: ResolvedEntity, records: list[Record]
) -> dict[int, list[dict[str, Any]]]:
    """How each record mentions the entity, as written (one query for all the records)."""
    ids = [r.pk for r in records]
    mention_ids = list(
        EntityMembership.objects.filter(entity=entity, record_id__in=ids).values_list(
            "mention_id", flat=True
        )
    )
    model = MENTION_MODELS[entity.kind]
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        model.objects.filter(mention_id__in=mention_ids)
        .order_by("record_id", "mention_id")
        .values("record_id", *_AS_WRITTEN[entity.kind])
    ):
        out[row["record_id"]].append(row)
    return out


def _age_at(dob_year: int | None, dob: str, when: datetime) -> int | None:
    if not dob_year:
        return None
    try:
        born = date.fromisoformat(dob) if len(dob) == 10 else date(dob_year, 7, 1)
    except ValueError:
        born = date(dob_year, 7, 1)
    day = when.date()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _counted(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def profile_of(user: Any, entity: ResolvedEntity, *, exportable: bool = False) -> Profile:
    """Names, dates of birth, identifiers and roles from the user's visible records."""
    records = entity_records(user, entity, exportable=exportable)
    memberships = EntityMembership.objects.filter(entity=entity, record__in=records.values("pk"))
    agencies = sorted(set(records.values_list("agency__code", flat=True).distinct()))
    record_count = records.count()
    if entity.kind != "person":
        title = object_title(entity.kind, entity.key, "")
        kind_label = {
            "vehicle": "Vehicle",
            "phone": "Phone",
            "online": "Online account",
            "location": "Place",
        }[entity.kind]
        return Profile(
            entity=entity,
            kind_label=kind_label,
            title=title,
            agencies=agencies,
            record_count=record_count,
        )
    names: Counter[str] = Counter()
    aliases: Counter[str] = Counter()
    dobs: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    identifiers: set[tuple[str, str]] = set()
    ages: list[int] = []
    for row in PersonMention.objects.filter(mention_id__in=memberships.values("mention_id")).values(
        "name",
        "aliases",
        "dob",
        "dob_year",
        "age_estimate",
        "role",
        "nhs_number",
        "nhs_number_valid",
        "identifiers",
        "record__recorded_at",
        "record__occurred_at",
    ):
        if row["name"]:
            names[row["name"]] += 1
        for alias in row["aliases"] or []:
            aliases[str(alias)] += 1
        if row["dob"]:
            dobs[row["dob"]] += 1
        if row["role"]:
            roles[row["role"]] += 1
        if row["nhs_number"]:
            identifiers.add(("NHS number", row["nhs_number"]))
        for key, value in (row["identifiers"] or {}).items():
            if value and key != "nhs_number":
                identifiers.add((key.replace("_", " ").upper() if len(key) <= 6 else key, value))
        when = row["record__occurred_at"] or row["record__recorded_at"]
        age = _age_at(row["dob_year"], row["dob"] or "", when)
        if age is None and row["age_estimate"] is not None:
            age = int(row["age_estimate"])
        if age is not None:
            ages.append(age)
    if any(a < ADULT_AGE for a in ages):
        kind_label = "Child"
    elif ages:
        kind_label = "Adult"
    else:
        kind_label = "Person"
    title = names.most_common(1)[0][0] if names else next(iter(aliases), "Not named")
    return Profile(
        entity=entity,
        kind_label=kind_label,
        title=title,
        names=_counted(names),
        aliases=_counted(aliases),
        dobs=_counted(dobs),
        identifiers=sorted(identifiers),
        roles=_counted(roles),
        agencies=agencies,
        record_count=record_count,
    )


def linked_entities(user: Any, entity: ResolvedEntity) -> dict[str, Any]:
    """People and things mentioned in the same visible records, most shared records first."""
    records = entity_records(user, entity).values("pk")
    rows = list(
        EntityMembership.objects.filter(record__in=records, entity__active=True)
        .exclude(entity=entity)
        .values("entity__entity_id", "entity__kind", "entity__key", "mention_id", "record_id")[
            :LINK_ROWS_READ
        ]
    )
    shared: dict[str, set[int]] = defaultdict(set)
    kinds: dict[str, tuple[str, str]] = {}
    person_mentions: dict[str, str] = {}
    for row in rows:
        entity_id = row["entity__entity_id"]
        shared[entity_id].add(row["record_id"])
        kinds[entity_id] = (row["entity__kind"], row["entity__key"])
        if row["entity__kind"] == "person":
            person_mentions[row["mention_id"]] = entity_id
    names: dict[str, Counter[str]] = defaultdict(Counter)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in PersonMention.objects.filter(mention_id__in=list(person_mentions)).values(
        "mention_id", "name", "role"
    ):
        entity_id = person_mentions[mention["mention_id"]]
        if mention["name"]:
            names[entity_id][mention["name"]] += 1
        if mention["role"]:
            roles[entity_id][mention["role"]] += 1
    items = []
    for entity_id, record_ids in shared.items():
        kind, key = kinds[entity_id]
        if kind == "person":
            title = names[entity_id].most_common(1)[0][0] if names[entity_id] else "Not named"
            detail = ", ".join(r for r, _ in roles[entity_id].most_common(3))
        else:
            title = object_title(kind, key, "")
            detail = ""
        items.append(
            {
                "entity_id": entity_id,
                "kind": kind,
                "title": title,
                "detail": detail,
                "shared": len(record_ids),
            }
        )
    items.sort(key=lambda i: (-i["shared"], i["kind"] != "person", i["title"], i["entity_id"]))
    return {
        "items": items[:LINKS_SHOWN],
        "hidden": max(0, len(items) - LINKS_SHOWN),
        "truncated": len(rows) == LINK_ROWS_READ,
    }


def _alert_href(pk: int) -> str:
    for name in ("alerts-detail", "alert-detail"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


def open_alerts(user: Any, entity: ResolvedEntity, limit: int = 20) -> dict[str, Any]:
    """Alerts naming the entity that the user may see and whose case is not closed."""
    from shinealight.alerts.page_selectors import queue_rows_shown
    from shinealight.alerts.selectors import alert_list

    # Alerts name a person by entity id and an object by its normalised key.
    subject = entity.entity_id if entity.kind == "person" else entity.key
    alerts = alert_list(user=user, entity_id=subject)
    alerts = alerts.filter(Q(case__isnull=True) | ~Q(case__status="closed"))
    shown = list(alerts.annotate(case_status=F("case__status"))[: limit + 1])
    # Titles name every child; someone who may not see one of them gets it taken out.
    titles = queue_rows_shown(user=user, alerts=shown[:limit])
    return {
        "items": [
            {
                "alert": a,
                "title": titles[a.pk]["title"],
                "href": _alert_href(a.pk),
                "status": a.case_status or "new",
            }
            for a in shown[:limit]
        ],
        "more": len(shown) > limit,
    }


def risk_in_force(user: Any, entity: ResolvedEntity) -> dict[str, Any]:
    """The child's risk level in force and whether a downgrade waits for agreement."""
    from shinealight.cases.config import workflow
    from shinealight.cases.models import RiskJudgement
    from shinealight.cases.selectors import risk_history

    if entity.kind != "person":
        return {"current": None, "awaiting": [], "count": 0}
    judgements = risk_history(user=user, child_entity_id=entity.entity_id)
    in_force = [j for j in judgements if j.status == RiskJudgement.Status.IN_FORCE]
    current = max(in_force, key=lambda j: (j.effective_at or j.recorded_at, j.pk), default=None)
    label = ""
    if current is not None:
        try:
            label = workflow().level(current.level).label
        except KeyError:
            label = current.level
    return {
        "current": current,
        "label": label,
        "awaiting": [j for j in judgements if j.status == RiskJudgement.Status.AWAITING_AGREEMENT],
        "count": len(judgements),
    }


def record_ref(record: Record) -> str:
    return f"{record.agency.code}/{record.record_id}"
