"""Every write in retention: review dates, agency settings, holds and deletion.

Deletion is the one place in Shine a Light where agency records are removed. It runs
in batches, each in one transaction with its audit event: a record due for review and
under no active legal hold goes with its versions, mentions, links, extracted
mentions, entity memberships and the citations that point at it, and a tombstone is
left in its place. What was derived from it is tidied in the same transaction: people
and objects with nothing left on record are retired and their labels cleared; alerts
lose the evidence, and an alert left with none is closed with a note saying why.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.alerts.explain import day, event_label
from shinealight.people.models import (
    EntityLink,
    EntityMembership,
    ResolvedEntity,
    ReviewItem,
)
from shinealight.records.models import MENTION_MODELS, Agency, PersonMention, Record, RecordVersion
from shinealight.retention import selectors
from shinealight.retention.models import (
    AgencyRetention,
    LegalHold,
    RecordRetention,
    Tombstone,
)
from shinealight.retention.schedule import (
    CHILD_ROLES,
    Schedule,
    add_years,
    effective_class,
    latest_birth_date,
    review_due,
    schedule,
)

# Who may do what. The supplying agency owns its records' retention: its safeguarding
# lead may act for it; partnership managers and administrators (information
# governance) for every agency.
GOVERNANCE_ROLES = ("manager", "administrator")
HOLD_ROLES = ("manager", "administrator")
BATCH_SIZE = 500
_CHUNK = 500  # ids per IN (…): SQLite limits the number of parameters in one statement
CLEARED_LABEL = "[no longer on record]"


class RetentionRefused(Exception):
    """The operation is not allowed; the message says why."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _person(acting_user: Any) -> Any:
    """Deletion, holds and retention settings are always done by a named, active person."""
    if not getattr(acting_user, "pk", None) or not getattr(acting_user, "is_active", False):
        raise RetentionRefused("Name the person doing this (an active account, --as USER).")
    return acting_user


def may_govern(user: Any, agency: Agency) -> bool:
    """Managers and administrators act for every agency; a safeguarding lead for their own."""
    role = getattr(user, "role", "")
    if role in GOVERNANCE_ROLES:
        return True
    return role == "safeguarding_lead" and getattr(user, "agency_id", None) == agency.pk


def _govern(user: Any, agency: Agency) -> Any:
    user = _person(user)
    if not may_govern(user, agency):
        raise RetentionRefused(
            f"Only a manager, an administrator or {agency.code}'s safeguarding lead may do this."
        )
    return user


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- review dates


@dataclass
class ScheduleSummary:
    """What working out review dates did."""

    records: int = 0
    worked_out: int = 0
    classes: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "worked_out": self.worked_out,
            "classes": dict(sorted(self.classes.items())),
        }


def _digest(sched: Schedule, override: dict[str, Any] | None) -> str:
    import hashlib

    body = json.dumps([sched.digest, override], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _births(record_pks: Sequence[int]) -> dict[int, list[date]]:
    """The latest possible birth dates of the children each record is about."""
    out: dict[int, list[date]] = {}
    for chunk in _chunks(record_pks):
        rows = PersonMention.objects.filter(record_id__in=chunk, role__in=CHILD_ROLES).values_list(
            "record_id",
            "dob_year",
            "dob_month",
            "dob_day",
            "age_estimate",
            "record__recorded_at",
        )
        for pk, year, month, day_, age, recorded in rows:
            born = latest_birth_date(
                year=year,
                month=month,
                day=day_,
                age_estimate=age,
                recorded=timezone.localdate(recorded),
            )
            if born is not None:
                out.setdefault(pk, []).append(born)
    return out


def retention_schedule_refresh(
    *, acting_user: Any, agency: Agency | None = None, today: date | None = None
) -> ScheduleSummary:
    """Work out the review date of every record that has none or whose basis changed.

    A record is worked out again when it has a new version or when the schedule or its
    agency's settings changed. A reviewer's decision to keep it still stands. A record
    that was deleted once and has come back (a re-import while imports ran without their
    hooks) is due again at once.
    """
    sched = schedule()
    today = today or _today()
    summary = ScheduleSummary()
    with transaction.atomic():
        agencies = [agency] if agency is not None else list(Agency.objects.all())
        for one in agencies:
            _refresh_agency(one, sched, today, summary)
        if summary.worked_out:
            audit_log(
                acting_user=acting_user,
                action="retention.schedule",
                object_type="agency",
                object_ids=[a.code for a in agencies],
                detail=summary.as_dict(),
            )
    return summary


def _refresh_agency(agency: Agency, sched: Schedule, today: date, summary: ScheduleSummary) -> None:
    overrides = {row.event_type: row for row in AgencyRetention.objects.filter(agency=agency)}
    tombstoned = dict(
        Tombstone.objects.filter(agency=agency)
        .order_by("deleted_at")
        .values_list("record_id", "deleted_at")
    )
    rows = list(
        Record.objects.filter(agency=agency)
        .order_by("pk")
        .values_list(
            "pk",
            "record_id",
            "event_type",
            "recorded_at",
            "indicators",
            "version",
            "retention__pk",
            "retention__record_version",
            "retention__rule_digest",
        )
    )
    summary.records += len(rows)
    now = timezone.now()
    for chunk in _chunks(rows, 2000):
        plan = []
        for pk, record_id, event_type, recorded_at, indicators, version, rr, rv, rd in chunk:
            row = overrides.get(event_type) or overrides.get("")
            override = {"class": row.retention_class, **row.overrides()} if row else None
            digest = _digest(sched, override)
            if rr is not None and rv == version and rd == digest and record_id not in tombstoned:
                continue
            plan.append((pk, record_id, event_type, recorded_at, indicators, version, digest, row))
        if not plan:
            continue
        births = _births([p[0] for p in plan])
        existing = {
            r.record_id: r
            for r in RecordRetention.objects.filter(record_id__in=[p[0] for p in plan])
        }
        new, changed = [], []
        for pk, record_id, event_type, recorded_at, indicators, version, digest, row in plan:
            if row is not None and row.retention_class in sched.classes:
                base = sched.classes[row.retention_class]
            else:
                base = sched.default_class(agency.agency_type, event_type, indicators or [])
            klass, source = effective_class(base, row.overrides() if row else None)
            due = review_due(
                klass, recorded=timezone.localdate(recorded_at), births=births.get(pk, [])
            )
            computed, basis = due.review_due, due.basis
            if record_id in tombstoned:
                computed = min(computed, today)
                basis = f"deleted under retention on {day(tombstoned[record_id])} and sent again"
                source = "tombstone"
            current = existing.get(pk)
            if current is None:
                current = RecordRetention(record_id=pk)
                new.append(current)
            else:
                changed.append(current)
            current.retention_class = klass.code
            current.rule_source = source
            current.basis = basis[:200]
            current.computed_due = computed
            current.review_due = max(computed, current.retained_until or computed)
            current.record_version = version
            current.rule_digest = digest
            current.computed_at = now
            summary.classes[klass.code] += 1
        RecordRetention.objects.bulk_create(new, batch_size=1000)
        RecordRetention.objects.bulk_update(
            changed,
            [
                "retention_class",
                "rule_source",
                "basis",
                "computed_due",
                "review_due",
                "record_version",
                "rule_digest",
                "computed_at",
            ],
            batch_size=1000,
        )
        summary.worked_out += len(plan)


@transaction.atomic
def agency_retention_set(
    *,
    agency: Agency,
    event_type: str,
    retention_class: str,
    reason: str,
    acting_user: Any,
    keep_years: int | None = None,
    until_age: int | None = None,
    fallback_years: int | None = None,
    review_every_years: int | None = None,
) -> AgencyRetention:
    """An agency puts one of its event types (blank: all) in a class, or its own period."""
    from shinealight.core.schema import vocabulary

    user = _govern(acting_user, agency)
    sched = schedule()
    if retention_class not in sched.classes:
        raise RetentionRefused(
            f"No retention class {retention_class!r} (classes: {', '.join(sched.classes)}).",
            field="retention_class",
        )
    if event_type and event_type not in vocabulary().event_types:
        raise RetentionRefused(f"Unknown event type {event_type!r}.", field="event_type")
    if keep_years and until_age:
        raise RetentionRefused("Give either keep_years or until_age, not both.")
    for name, value in (
        ("keep_years", keep_years),
        ("until_age", until_age),
        ("fallback_years", fallback_years),
        ("review_every_years", review_every_years),
    ):
        if value is not None and not 1 <= value <= 150:
            raise RetentionRefused(f"{name} must be from 1 to 150.", field=name)
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused("Say why (kept with the setting).", field="reason")
    previous = AgencyRetention.objects.filter(agency=agency, event_type=event_type).first()
    before = {"class": previous.retention_class, **previous.overrides()} if previous else None
    row, _ = AgencyRetention.objects.update_or_create(
        agency=agency,
        event_type=event_type,
        defaults={
            "retention_class": retention_class,
            "keep_years": keep_years,
            "until_age": until_age,
            "fallback_years": fallback_years,
            "review_every_years": review_every_years,
            "reason": reason,
            "set_by": user,
            "set_at": timezone.now(),
        },
    )
    audit_log(
        acting_user=user,
        action="retention.agency_set",
        object_type="agency",
        object_ids=[agency.code],
        detail={
            "event_type": event_type or "*",
            "now": {"class": retention_class, **row.overrides()},
            "before": before,
            "reason": reason,
        },
    )
    return row


@transaction.atomic
def record_retain(
    *, record: Record, reason: str, acting_user: Any, years: int | None = None
) -> RecordRetention:
    """A reviewer keeps a record that is due: it is due again after the class's interval."""
    user = _govern(acting_user, record.agency)
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused("Say why the record is kept.", field="reason")
    retention_schedule_refresh(acting_user=user, agency=record.agency)
    rr = RecordRetention.objects.select_for_update().get(record=record)
    sched = schedule()
    interval = years or (
        sched.classes[rr.retention_class].review_every_years
        if rr.retention_class in sched.classes
        else 1
    )
    until = add_years(max(_today(), rr.review_due), interval)
    rr.retained_until = until
    rr.retained_by = user
    rr.retained_reason = reason
    rr.review_due = max(rr.computed_due, until)
    rr.save()
    audit_log(
        acting_user=user,
        action="retention.retain",
        object_type="record",
        object_ids=[f"{record.agency.code}/{record.record_id}"],
        detail={"until": until, "reason": reason, "class": rr.retention_class},
    )
    return rr


# ---------------------------------------------------------------- legal holds


@transaction.atomic
def legal_hold_create(
    *,
    name: str,
    reason: str,
    acting_user: Any,
    whole_partnership: bool = False,
    agency: Agency | None = None,
    area: str = "",
    entity_ids: Sequence[str] = (),
    recorded_from: date | None = None,
    recorded_to: date | None = None,
) -> LegalHold:
    """Freeze deletion of every record in a scope until the hold is released."""
    user = _person(acting_user)
    if user.role not in HOLD_ROLES:
        raise RetentionRefused("Only a manager or an administrator may place a legal hold.")
    name, reason, area = (name or "").strip(), (reason or "").strip(), (area or "").strip()
    if not name:
        raise RetentionRefused("Name the hold (the inquiry or matter).", field="name")
    if not reason:
        raise RetentionRefused("Say why deletion must stop.", field="reason")
    ids = sorted({e.strip() for e in entity_ids if e and e.strip()})
    scoped = agency is not None or area or ids or recorded_from or recorded_to
    if not scoped and not whole_partnership:
        raise RetentionRefused(
            "Give the hold a scope (agency, area, entity ids or dates), or say it covers "
            "the whole partnership.",
            field="whole_partnership",
        )
    if scoped and whole_partnership:
        raise RetentionRefused("A whole-partnership hold has no other scope.")
    unknown = sorted(
        set(ids)
        - set(ResolvedEntity.objects.filter(entity_id__in=ids).values_list("entity_id", flat=True))
    )
    if unknown:
        raise RetentionRefused(f"No such entity: {', '.join(unknown)}.", field="entity_ids")
    if recorded_from and recorded_to and recorded_to < recorded_from:
        raise RetentionRefused("The date range ends before it starts.", field="recorded_to")
    hold = LegalHold.objects.create(
        name=name,
        reason=reason,
        whole_partnership=whole_partnership,
        agency=agency,
        area=area,
        entity_ids=ids,
        recorded_from=recorded_from,
        recorded_to=recorded_to,
        created_by=user,
        created_at=timezone.now(),
    )
    audit_log(
        acting_user=user,
        action="retention.hold_create",
        object_type="legal_hold",
        object_ids=[hold.pk],
        detail={"name": name, "reason": reason, "scope": hold.scope()},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, reason: str, acting_user: Any) -> LegalHold:
    """Release a hold: records in its scope may be deleted again when due."""
    user = _person(acting_user)
    if user.role not in HOLD_ROLES:
        raise RetentionRefused("Only a manager or an administrator may release a legal hold.")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise RetentionRefused("This hold has already been released.")
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused("Say why the hold ends.", field="reason")
    hold.released_at = timezone.now()
    hold.released_by = user
    hold.release_reason = reason
    hold.save()
    audit_log(
        acting_user=user,
        action="retention.hold_release",
        object_type="legal_hold",
        object_ids=[hold.pk],
        detail={"name": hold.name, "reason": reason, "scope": hold.scope()},
    )
    return hold


# ---------------------------------------------------------------- deletion


@dataclass
class ApplyResult:
    """What a retention run did (or, in a dry run, would do)."""

    agency: str
    dry_run: bool
    due: list[str] = field(default_factory=list)
    held: dict[str, list[int]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    batches: int = 0
    alerts_closed: list[int] = field(default_factory=list)
    alerts_changed: list[int] = field(default_factory=list)
    entities_retired: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "dry_run": self.dry_run,
            "due": len(self.due),
            "held": len(self.held),
            "deleted": len(self.deleted),
            "batches": self.batches,
            "alerts_closed": self.alerts_closed,
            "alerts_changed": self.alerts_changed,
            "entities_retired": self.entities_retired,
        }


def _ref(record: Record) -> str:
    return f"{record.agency.code}/{record.record_id}"


def retention_apply(
    *,
    agency: Agency,
    acting_user: Any,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    today: date | None = None,
) -> ApplyResult:
    """Delete an agency's records that are due and under no active legal hold.

    Each batch is one transaction with its audit event and tombstones, so a run stopped
    part-way leaves whole batches done and the rest untouched; running it again carries on.
    """
    user = _govern(acting_user, agency)
    today = today or _today()
    retention_schedule_refresh(acting_user=user, agency=agency, today=today)
    due = list(selectors.records_due(today=today, agency=agency))
    held = selectors.holds_over([r.pk for r in due])
    result = ApplyResult(agency=agency.code, dry_run=dry_run)
    result.due = [_ref(r) for r in due]
    result.held = {_ref(r): held[r.pk] for r in due if r.pk in held}
    go = [r.pk for r in due if r.pk not in held]
    if dry_run:
        with transaction.atomic():
            audit_log(
                acting_user=user,
                action="retention.apply_dry_run",
                object_type="record",
                object_ids=[_ref(r) for r in due if r.pk not in held],
                detail={"agency": agency.code, "today": today, "held": result.held},
            )
        return result
    for batch in _chunks(go, max(1, batch_size)):
        done = _delete_batch(list(batch), acting_user=user, today=today, agency=agency)
        result.batches += 1 if done.deleted else 0
        result.deleted += done.deleted
        result.alerts_closed += done.alerts_closed
        result.alerts_changed += done.alerts_changed
        result.entities_retired += done.entities_retired
    return result


@dataclass
class _BatchDone:
    deleted: list[str] = field(default_factory=list)
    alerts_closed: list[int] = field(default_factory=list)
    alerts_changed: list[int] = field(default_factory=list)
    entities_retired: list[str] = field(default_factory=list)


def _delete_batch(pks: list[int], *, acting_user: Any, today: date, agency: Agency) -> _BatchDone:
    from shinealight.alerts.models import AlertEvidence
    from shinealight.cases.models import DisclosedRecord, RiskJudgementEvidence
    from shinealight.extraction.models import ExtractedMention, IntelligenceSubmission

    done = _BatchDone()
    with transaction.atomic():
        # Checked again inside the transaction: a hold placed since the run began wins.
        records = Record.objects.filter(
            pk__in=pks, agency=agency, retention__review_due__lte=today
        ).select_related("agency", "retention")
        held = selectors.held_q()
        if held is not None:
            records = records.exclude(held)
        records = list(records.select_for_update(of=("self",)))
        if not records:
            return done
        pks = [r.pk for r in records]
        refs = {r.pk: _ref(r) for r in records}
        mention_ids: list[str] = []
        for model in MENTION_MODELS.values():
            for chunk in _chunks(pks):
                mention_ids += model.objects.filter(record_id__in=chunk).values_list(
                    "mention_id", flat=True
                )
        for chunk in _chunks(pks):
            mention_ids += ExtractedMention.objects.filter(record_id__in=chunk).values_list(
                "mention_id", flat=True
            )
        versions = Counter(
            RecordVersion.objects.filter(record_id__in=pks).values_list("record_id", flat=True)
        )

        cited: dict[int, dict[str, list[int]]] = {pk: {} for pk in pks}
        evidence = list(
            AlertEvidence.objects.filter(record_id__in=pks).select_related("record__agency")
        )
        for row in evidence:
            cited[row.record_id].setdefault("alerts", []).append(row.alert_id)
        for name, model, column in (
            ("risk_judgements", RiskJudgementEvidence, "judgement_id"),
            ("disclosures", DisclosedRecord, "disclosure_id"),
            ("intelligence_submissions", IntelligenceSubmission, "pk"),
        ):
            for record_pk, other in model.objects.filter(record_id__in=pks).values_list(
                "record_id", column
            ):
                cited[record_pk].setdefault(name, []).append(other)

        members = list(
            EntityMembership.objects.filter(record_id__in=pks).values_list(
                "entity_id", "mention_id"
            )
        )
        touched_entities = {e for e, _ in members}

        # Citations first (they protect the record row), then the record and what hangs off it.
        AlertEvidence.objects.filter(pk__in=[e.pk for e in evidence]).delete()
        RiskJudgementEvidence.objects.filter(record_id__in=pks).delete()
        DisclosedRecord.objects.filter(record_id__in=pks).delete()
        IntelligenceSubmission.objects.filter(record_id__in=pks).delete()
        for chunk in _chunks(mention_ids):
            EntityLink.objects.filter(
                Q(mention_left__in=chunk) | Q(mention_right__in=chunk)
            ).delete()
            ReviewItem.objects.filter(
                Q(mention_left__in=chunk) | Q(mention_right__in=chunk)
            ).delete()
        EntityMembership.objects.filter(record_id__in=pks).delete()
        RecordVersion.objects.filter(record_id__in=pks).delete()
        Record.objects.filter(pk__in=pks).delete()  # mentions, links, extraction rows cascade

        _refresh_need_to_know(touched_entities)
        retired, retired_keys = _retire_or_relabel(touched_entities)
        done.entities_retired = sorted(retired)
        # Alerts name people by entity id (or `M:<mention>` when unresolved), objects by key.
        gone_subjects = set(retired) | retired_keys | {f"M:{m}" for m in mention_ids}
        closed, changed = _tidy_alerts(
            evidence,
            gone_subjects=gone_subjects,
            acting_user=acting_user,
            today=today,
        )
        done.alerts_closed, done.alerts_changed = closed, changed

        event = audit_log(
            acting_user=acting_user,
            action="retention.delete",
            object_type="record",
            object_ids=[refs[pk] for pk in pks],
            detail={
                "agency": agency.code,
                "records": len(pks),
                "versions": sum(versions.values()),
                "mentions": len(mention_ids),
                "alerts_closed": closed,
                "alerts_changed": changed,
                "entities_retired": done.entities_retired,
                "citations_removed": {
                    kind: sum(len(c.get(kind, [])) for c in cited.values())
                    for kind in (
                        "alerts",
                        "risk_judgements",
                        "disclosures",
                        "intelligence_submissions",
                    )
                },
            },
        )
        now = timezone.now()
        Tombstone.objects.bulk_create(
            Tombstone(
                agency=r.agency,
                record_id=r.record_id,
                event_type=r.event_type,
                recorded_on=timezone.localdate(r.recorded_at),
                versions=versions.get(r.pk, 0),
                retention_class=r.retention.retention_class,
                review_due=r.retention.review_due,
                deleted_at=now,
                authorised_by=acting_user,
                audit_seq=event.seq,
                cited_by=cited[r.pk],
            )
            for r in records
        )
        done.deleted = [refs[pk] for pk in pks]
    return done


def _refresh_need_to_know(entity_pks: set[int]) -> None:
    """An agency whose only record of a child was deleted no longer knows the child: its
    staff must stop seeing the child's records at other agencies (need-to-know)."""
    try:
        from shinealight.access.services import child_knowledge_refresh
    except ImportError:  # the access app is not installed
        return
    child_knowledge_refresh(entity_pks=sorted(entity_pks))


def _retire_or_relabel(entity_pks: set[int]) -> tuple[set[str], set[str]]:
    """Retire entities with no mention left (label and key cleared); relabel the rest.

    Returns the retired entities' public ids and the keys the retired objects had.
    """
    if not entity_pks:
        return set(), set()
    remaining = set(
        EntityMembership.objects.filter(entity_id__in=entity_pks).values_list(
            "entity_id", flat=True
        )
    )
    empty = entity_pks - remaining
    rows = list(ResolvedEntity.objects.filter(pk__in=empty).values_list("entity_id", "key"))
    ResolvedEntity.objects.filter(pk__in=empty).update(active=False, label="", key="")
    # A person's label is their most common name among the mentions still held, so that a
    # name that only the deleted records gave stops being shown.
    for entity in ResolvedEntity.objects.filter(pk__in=remaining, kind="person"):
        names: Counter[str] = Counter()
        for features in EntityMembership.objects.filter(entity=entity).values_list(
            "features", flat=True
        ):
            features = features or {}
            name = " ".join(x for x in (features.get("first_name"), features.get("surname")) if x)
            if name:
                names[name] += 1
        label = names.most_common(1)[0][0].title() if names else ""
        if label != entity.label:
            ResolvedEntity.objects.filter(pk=entity.pk).update(label=label)
    return {e for e, _ in rows}, {k for _, k in rows if k}


def _evidence_pattern(row: Any) -> re.Pattern[str]:
    r = row.record
    ref = f"{r.agency.code}/{r.record_id}"
    note = re.escape(f" — {row.note}") if row.note else ""
    return re.compile(
        re.escape(f"{event_label(r.event_type)} {ref}, ")
        + r"\d{1,2} [A-Z][a-z]{2} \d{4}(?: \(graded [^)]*\))?"
        + note
    )


def _tidy_alerts(
    evidence: list[Any],
    *,
    gone_subjects: set[str],
    acting_user: Any,
    today: date,
) -> tuple[list[int], list[int]]:
    """Take deleted records out of the alerts that cited them; close those left with none."""
    from shinealight.alerts.models import Alert, AlertSubject

    by_alert: dict[int, list[Any]] = {}
    for row in evidence:
        by_alert.setdefault(row.alert_id, []).append(row)
    closed, changed = [], []
    when = day(datetime.combine(today, datetime.min.time()))
    for alert in Alert.objects.filter(pk__in=list(by_alert)).order_by("pk"):
        cleared_labels = [
            s.label
            for s in AlertSubject.objects.filter(alert=alert, entity_id__in=list(gone_subjects))
            if len(s.label) >= 3
        ]
        AlertSubject.objects.filter(alert=alert, entity_id__in=list(gone_subjects)).update(label="")
        if not alert.evidence.exists():
            refs = sorted(
                f"{r.record.agency.code}/{r.record.record_id}" for r in by_alert[alert.pk]
            )
            note = (
                f"Closed: every record this alert cited was deleted under the retention "
                f"schedule on {when} ({', '.join(refs)}); what they said is no longer held."
            )
            alert.title = f"{alert.rule.replace('_', ' ').capitalize()} (records deleted)"[:300]
            alert.opening = ""
            alert.explanation = note
            alert.save(update_fields=["title", "opening", "explanation", "updated_at"])
            AlertSubject.objects.filter(alert=alert).update(label="")
            _close_case(alert, note=note, acting_user=acting_user)
            closed.append(alert.pk)
            continue
        explanation, opening, title = alert.explanation, alert.opening, alert.title
        for row in by_alert[alert.pk]:
            ref = f"{row.record.agency.code}/{row.record.record_id}"
            explanation = _evidence_pattern(row).sub(
                f"{ref} (deleted under the retention schedule on {when})", explanation
            )
        for label in cleared_labels:
            explanation = explanation.replace(label, CLEARED_LABEL)
            opening = opening.replace(label, CLEARED_LABEL)
            title = title.replace(label, CLEARED_LABEL)[:300]
        alert.explanation, alert.opening, alert.title = explanation, opening, title
        alert.save(update_fields=["title", "opening", "explanation", "updated_at"])
        changed.append(alert.pk)
    return closed, changed


def _close_case(alert: Any, *, note: str, acting_user: Any) -> None:
    """Close the alert's case with the note, cancelling its running timers."""
    from shinealight.cases.models import AlertCase
    from shinealight.cases.services import _deadlines_close, _transition

    case = AlertCase.objects.select_for_update().filter(alert=alert).first()
    if case is None:
        return
    already = case.status == AlertCase.Status.CLOSED
    _transition(
        case,
        AlertCase.Status.CLOSED,
        acting_user=acting_user,
        note=note,
        detail={"retention": True, "was_closed": already},
    )
    if not already:
        case.outcome = note
        case.closed_at = timezone.now()
    case.needs_attention = False
    case.save()
    _deadlines_close(case.deadlines.all(), acting_user=acting_user, met=False, reason=note)


# ---------------------------------------------------------------- re-imports


def refuse_reimports(record_pks: Sequence[int], *, acting_user: Any) -> list[str]:
    """Remove records just imported whose agency and id have a tombstone; return their refs.

    A record deleted under retention stays deleted: the supplying agency's own system may
    still hold it and send it again in a full extract, and taking it back would undo the
    deletion. It is refused at import, and the import's summary says so.
    """
    if not record_pks:
        return []
    candidates = list(
        Record.objects.filter(pk__in=record_pks).values_list(
            "pk", "agency_id", "record_id", "agency__code"
        )
    )
    ids_by_agency: dict[int, set[str]] = {}
    for _, agency_id, record_id, _ in candidates:
        ids_by_agency.setdefault(agency_id, set()).add(record_id)
    dead: set[tuple[int, str]] = set()
    for agency_id, ids in ids_by_agency.items():
        id_list = sorted(ids)
        for chunk in _chunks(id_list):
            dead |= set(
                Tombstone.objects.filter(agency_id=agency_id, record_id__in=chunk).values_list(
                    "agency_id", "record_id"
                )
            )
    refused = [
        (pk, f"{code}/{rid}") for pk, agency_id, rid, code in candidates if (agency_id, rid) in dead
    ]
    if not refused:
        return []
    pks = [pk for pk, _ in refused]
    RecordVersion.objects.filter(record_id__in=pks).delete()
    Record.objects.filter(pk__in=pks).delete()
    refs = [ref for _, ref in refused]
    audit_log(
        acting_user=acting_user,
        action="retention.reimport_refused",
        object_type="record",
        object_ids=refs,
        detail={"reason": "deleted under retention earlier (tombstone held)"},
    )
    return refs
