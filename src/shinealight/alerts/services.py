"""Raising and growing alerts. Every write is audited in its own transaction."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from shinealight.alerts.entities import EntityResolver, resolver
from shinealight.alerts.models import Alert, AlertEvidence, AlertSubject
from shinealight.alerts.network import graph_around, graph_for_records
from shinealight.audit.services import audit_log
from shinealight.core.alerts import OVERLAP_RULES, RuleSet, assign_keys, detect, load_rules
from shinealight.core.alerts.explain import compose
from shinealight.core.alerts.findings import Evidence, Finding
from shinealight.records.models import ImportBatch, Record, RecordVersion
from shinealight.records.services import after_import

log = logging.getLogger(__name__)

# Called inside the transaction whenever an alert is raised (created=True) or grows with
# new evidence (created=False). The cases app registers here to open or reopen its work.
ALERT_CHANGED: list[Callable[[Alert, bool], None]] = []


def on_alert_changed(hook: Callable[[Alert, bool], None]) -> Callable[[Alert, bool], None]:
    """Register a function called with (alert, created) when an alert is raised or grows."""
    ALERT_CHANGED.append(hook)
    return hook


@dataclass
class AnalyseSummary:
    """What one analysis did."""

    records: int = 0
    findings: int = 0
    created: list[int] = field(default_factory=list)
    grown: list[int] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0
    resolver: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "findings": self.findings,
            "created": len(self.created),
            "grown": len(self.grown),
            "unchanged": self.unchanged,
            "seconds": round(self.seconds, 3),
            "resolver": self.resolver,
        }


def _record_pks(findings: Sequence[Finding]) -> dict[str, int]:
    """Record primary keys for every cited `agency/record_id`."""
    wanted: dict[str, set[str]] = {}
    for f in findings:
        for e in f.evidence:
            wanted.setdefault(e.agency, set()).add(e.record_id)
    out: dict[str, int] = {}
    for agency, ids in wanted.items():
        rows = Record.objects.filter(agency__code=agency, record_id__in=ids).values_list(
            "pk", "record_id"
        )
        out.update({f"{agency}/{rid}": pk for pk, rid in rows})
    return out


def _stored_evidence(alert: Alert) -> list[Evidence]:
    rows = alert.evidence.select_related("record__agency").order_by("record__recorded_at")
    out = []
    for row in rows:
        r = row.record
        grading = f"{r.grading_source}{r.grading_intelligence}"
        out.append(
            Evidence(
                record=f"{r.agency.code}/{r.record_id}",
                agency=r.agency.code,
                record_id=r.record_id,
                event_type=r.event_type,
                at=r.occurred_at or r.recorded_at,
                recorded_at=r.recorded_at,
                grading=grading,
                note=row.note,
            )
        )
    return out


def alerts_apply_findings(
    *, findings: Sequence[Finding], acting_user: Any, purpose: str = ""
) -> tuple[list[Alert], list[Alert]]:
    """Raise an alert for each new finding and grow the alert each known one continues.

    De-duplicated by key (emerging networks by the children they share). An alert only
    ever gains subjects and evidence here; closing it is the cases app's business. The
    audit entries and the `ALERT_CHANGED` hooks run in the same transaction.
    """
    created: list[Alert] = []
    grown: list[Alert] = []
    with transaction.atomic():
        existing_groups: dict[str, set[str]] = {}
        for key, entity in AlertSubject.objects.filter(
            alert__rule__in=OVERLAP_RULES, role="child"
        ).values_list("alert__key", "entity_id"):
            existing_groups.setdefault(key, set()).add(entity)
        keyed = assign_keys(findings, {k: frozenset(v) for k, v in existing_groups.items()})
        alerts = {a.key: a for a in Alert.objects.filter(key__in=[f.key for f in keyed])}
        pks = _record_pks(keyed)
        for finding in keyed:
            alert = alerts.get(finding.key)
            if alert is None:
                alert = _create(finding, pks)
                alerts[finding.key] = alert
                created.append(alert)
            elif _grow(alert, finding, pks):
                grown.append(alert)
        if created:
            audit_log(
                acting_user=acting_user,
                action="alerts.raise",
                object_type="alert",
                object_ids=[a.pk for a in created],
                purpose=purpose,
                detail={"rules": _rule_counts(created)},
            )
        if grown:
            audit_log(
                acting_user=acting_user,
                action="alerts.grow",
                object_type="alert",
                object_ids=[a.pk for a in grown],
                purpose=purpose,
                detail={"rules": _rule_counts(grown)},
            )
        for alert in created:
            for hook in ALERT_CHANGED:
                hook(alert, True)
        for alert in grown:
            for hook in ALERT_CHANGED:
                hook(alert, False)
    return created, grown


def _rule_counts(alerts: Iterable[Alert]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a in alerts:
        counts[a.rule] = counts.get(a.rule, 0) + 1
    return dict(sorted(counts.items()))


def _create(finding: Finding, pks: dict[str, int]) -> Alert:
    alert = Alert.objects.create(
        rule=finding.rule,
        key=finding.key,
        severity=finding.severity,
        title=finding.title[:300],
        opening=finding.opening,
        explanation=finding.explanation,
        area=finding.area,
        first_data_time=finding.first_data_time,
        last_data_time=finding.last_data_time,
    )
    AlertSubject.objects.bulk_create(
        AlertSubject(
            alert=alert,
            kind=s.kind,
            entity_id=s.entity,
            role=s.role,
            label=s.label[:300],
            since=s.since or finding.first_data_time,
        )
        for s in finding.subjects
    )
    AlertEvidence.objects.bulk_create(
        AlertEvidence(alert=alert, record_id=pks[e.record], note=e.note)
        for e in finding.evidence
        if e.record in pks
    )
    return alert


def _grow(alert: Alert, finding: Finding, pks: dict[str, int]) -> bool:
    have_subjects = set(alert.subjects.values_list("kind", "entity_id"))
    have_records = set(alert.evidence.values_list("record_id", flat=True))
    new_subjects = [s for s in finding.subjects if (s.kind, s.entity) not in have_subjects]
    new_evidence = [
        e for e in finding.evidence if e.record in pks and pks[e.record] not in have_records
    ]
    if not new_subjects and not new_evidence:
        return False
    AlertSubject.objects.bulk_create(
        AlertSubject(
            alert=alert,
            kind=s.kind,
            entity_id=s.entity,
            role=s.role,
            label=s.label[:300],
            since=s.since or finding.last_data_time,
        )
        for s in new_subjects
    )
    AlertEvidence.objects.bulk_create(
        AlertEvidence(alert=alert, record_id=pks[e.record], note=e.note) for e in new_evidence
    )
    # The explanation is rebuilt over every record the alert now cites, so that it still
    # names each one; the opening sentence is the newest finding's.
    evidence = _stored_evidence(alert)
    alert.opening = finding.opening or alert.opening
    alert.explanation = compose(alert.opening, evidence, finding.lawful)
    alert.title = finding.title[:300]
    if _rank(finding.severity) > _rank(alert.severity):
        alert.severity = finding.severity
    alert.first_data_time = min(alert.first_data_time, finding.first_data_time)
    alert.last_data_time = max(alert.last_data_time, finding.last_data_time)
    alert.save()
    return True


@contextmanager
def _no_cycle_collection(pause: bool) -> Iterator[None]:
    """Python's cycle collector paused while a neighbourhood is read and analysed.

    Building the facts of a few thousand records allocates enough objects to start full
    collections, each walking every object of the process: a third of the rules' time
    after an import, and the facts hold no reference cycles to collect. Only for
    incremental analysis, which is bounded; collection resumes (and catches up) after.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _rank(severity: str) -> int:
    return {"low": 0, "medium": 1, "high": 2}.get(severity, 0)


def alerts_analyse(
    *,
    acting_user: Any,
    record_pks: Iterable[int] | None = None,
    entity_resolver: EntityResolver | None = None,
    rules: RuleSet | None = None,
    purpose: str = "",
) -> AnalyseSummary:
    """Run the rules and raise or grow alerts.

    With `record_pks`, only the neighbourhood of those records is analysed (after an
    import); without, the whole partnership (`shinealight analyse`).
    """
    started = time.perf_counter()
    chosen = entity_resolver or resolver()
    with _no_cycle_collection(record_pks is not None):
        ruleset = rules or load_rules()
        if record_pks is None:
            graph = graph_for_records(None, chosen)
            findings = detect(graph, ruleset)
        else:
            around = graph_around(record_pks, chosen, ruleset.definitions)
            graph = around.graph
            findings = detect(graph, ruleset, whole=around.whole, new_records=around.new_records)
    created, grown = alerts_apply_findings(
        findings=findings, acting_user=acting_user, purpose=purpose
    )
    return AnalyseSummary(
        records=len(graph.records),
        findings=len(findings),
        created=[a.pk for a in created],
        grown=[a.pk for a in grown],
        unchanged=len(findings) - len(created) - len(grown),
        seconds=time.perf_counter() - started,
        resolver=chosen.name,
    )


@dataclass(frozen=True)
class _System:
    """The analysis itself, as the audit trail names it when no person acted."""

    username: str = "system:alerts"
    pk: None = None


@after_import
def _analyse_imported(batch: ImportBatch) -> None:
    # Inside the import's transaction and after linkage's hook (apps register in
    # INSTALLED_APPS order, people first): alerts arrive with the records or not at all.
    if not getattr(settings, "SHINEALIGHT_ALERTS_AFTER_IMPORT", True):
        return
    pks = list(
        RecordVersion.objects.filter(batch=batch).values_list("record_id", flat=True).distinct()
    )
    if not pks:
        return
    if len(pks) > getattr(settings, "SHINEALIGHT_ALERTS_AFTER_IMPORT_MAX", 20_000):
        # A bulk load is analysed as a whole by `shinealight analyse`, not record by record.
        log.info("alerts: import batch %s too large for incremental analysis", batch.pk)
        return
    summary = alerts_analyse(
        acting_user=batch.acting_user or _System(),
        record_pks=pks,
        purpose=f"analysis after import batch {batch.pk}",
    )
    log.info("alerts after import %s: %s", batch.pk, summary.as_dict())
