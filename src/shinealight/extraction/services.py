"""Writing extracted mentions, reviewers' decisions and partnership intelligence."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.extract import Gazetteer, extract, lookup_keys
from shinealight.extraction.models import (
    ExtractedMention,
    ExtractionDecision,
    IntelligenceSubmission,
    Status,
)
from shinealight.records.bulk import insert_rows
from shinealight.records.models import ImportBatch, KnownName, Record, RecordVersion
from shinealight.records.services import ImportSummary, after_import, records_submit

CHUNK = 2000
_COLUMNS = (
    "record",
    "record_version",
    "mention_id",
    "kind",
    "text",
    "normalised",
    "start",
    "end",
    "partial",
    "platform",
    "rule",
    "extracted",
    "status",
)


class ExtractionError(ValueError):
    """A request the extraction services cannot carry out; the message says why."""


# Past this many keys to look up, reading every distinct known name is the cheaper way.
LOOKUP_KEYS_MAX = 20_000


def known_names(texts: Iterable[str] | None = None) -> Gazetteer:
    """The gazetteer of names the partnership already holds, for these notes or for any.

    Until entity resolution publishes resolved people, the names and aliases of person
    mentions stand in for them; both are what practitioners wrote about known people.
    Given the notes to be read, only the names they could contain are fetched: one
    record's import asks for a few dozen keys, not for every name in the store.
    """
    names = KnownName.objects.order_by().values_list("key", flat=True).distinct()
    if texts is None:
        return Gazetteer(names=set(names.iterator(chunk_size=10_000)))
    wanted: set[str] = set()
    for text in texts:
        wanted |= lookup_keys(text)
        if len(wanted) > LOOKUP_KEYS_MAX:
            return known_names()
    found: set[str] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), CHUNK):
        found.update(names.filter(key__in=ordered[start : start + CHUNK]))
    return Gazetteer(names=found)


def mentions_extract(*, record_ids: Iterable[int], gazetteer: Gazetteer | None = None) -> int:
    """Extract from these records' current summaries, replacing what was found before.

    Runs inside the caller's transaction; returns the number of mentions written.
    Reviewers' decisions are applied again to what is found, so they stick.
    """
    ids = list(record_ids)
    if gazetteer is None:
        summaries = Record.objects.values_list("summary", flat=True)
        gazetteer = known_names(
            summary
            for start in range(0, len(ids), CHUNK)
            for summary in summaries.filter(pk__in=ids[start : start + CHUNK])
            if summary
        )
    written = 0
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        ExtractedMention.objects.filter(record_id__in=chunk).delete()
        decisions = {
            (record, kind, normalised): decision
            for record, kind, normalised, decision in ExtractionDecision.objects.filter(
                record_id__in=chunk
            ).values_list("record_id", "kind", "normalised", "decision")
        }
        rows: list[tuple[Any, ...]] = []
        for pk, version, summary, agency, record_id in Record.objects.filter(
            pk__in=chunk
        ).values_list("pk", "version", "summary", "agency__code", "record_id"):
            for item in extract(summary or "", gazetteer=gazetteer):
                status = decisions.get((pk, item.kind, item.normalised), Status.UNREVIEWED)
                rows.append(
                    (
                        pk,
                        version,
                        f"{agency}/{record_id}/x:{item.kind}:{item.normalised}",
                        item.kind,
                        item.text,
                        item.normalised[:300],
                        item.start,
                        item.end,
                        item.partial,
                        item.platform,
                        item.how,
                        True,
                        status,
                    )
                )
        insert_rows(ExtractedMention, _COLUMNS, rows)
        written += len(rows)
    return written


@after_import
def _extract_imported(batch: ImportBatch) -> None:
    # Inside the import's transaction: a file's mentions arrive with its records or not at all.
    ids = RecordVersion.objects.filter(batch=batch).values_list("record_id", flat=True).distinct()
    record_ids = list(ids)
    if not record_ids:
        return
    written = mentions_extract(record_ids=record_ids)
    report = getattr(batch, "import_summary", None)
    if report is not None:
        report.extra["extracted_mentions"] = written


def extraction_review(
    *, acting_user: Any, mention: ExtractedMention, decision: str, note: str = ""
) -> ExtractionDecision:
    """Confirm or reject what was found; the decision covers every span of the same value
    in the record and is kept when the record is extracted again."""
    if decision not in ExtractionDecision.Decision.values:
        raise ExtractionError(f"decision must be one of {ExtractionDecision.Decision.values}")
    with transaction.atomic():
        row, _ = ExtractionDecision.objects.update_or_create(
            record_id=mention.record_id,
            kind=mention.kind,
            normalised=mention.normalised,
            defaults={
                "decision": decision,
                "note": note,
                "decided_by": acting_user,
                "decided_at": timezone.now(),
            },
        )
        ExtractedMention.objects.filter(
            record_id=mention.record_id, kind=mention.kind, normalised=mention.normalised
        ).update(status=decision)
        audit_log(
            acting_user=acting_user,
            action="extraction.review",
            object_type="extracted_mention",
            object_ids=[mention.mention_id],
            detail={"decision": decision, "note": note, "kind": mention.kind},
        )
    return row


def intelligence_submit(*, acting_user: Any, report: dict[str, Any]) -> IntelligenceSubmission:
    """Store intelligence from the partnership form as an `intelligence` record of the
    sender's agency, through the import path, and queue it for analysts and police.

    `report` is the form's cleaned data (see `forms.intelligence_record`).
    """
    from shinealight.extraction.forms import intelligence_record

    agency = getattr(acting_user, "agency", None)
    if agency is None:
        raise ExtractionError("Your account has no agency, so intelligence cannot be recorded.")
    now = timezone.now()
    record_id = f"INTEL-{now:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"
    payload = intelligence_record(report, agency=agency, record_id=record_id, now=now)
    with transaction.atomic():
        summary: ImportSummary = records_submit(
            payloads=[payload],
            acting_user=acting_user,
            source=ImportBatch.Source.FORM,
            name="intelligence form",
            may_submit=lambda record: record.agency == agency.code,
        )
        record = Record.objects.get(agency=agency, record_id=record_id)
        submission = IntelligenceSubmission.objects.create(
            record=record, submitted_by=acting_user, submitted_at=now
        )
        audit_log(
            acting_user=acting_user,
            action="intelligence.submit",
            object_type="record",
            object_ids=[f"{agency.code}/{record_id}"],
            detail={"batch": summary.batch_id, "submission": submission.pk},
        )
    return submission


def intelligence_mark_acted_on(
    *, acting_user: Any, submission: IntelligenceSubmission
) -> IntelligenceSubmission:
    """Tell the sender their intelligence was acted on (and nothing about what was found)."""
    with transaction.atomic():
        if submission.state != IntelligenceSubmission.State.ACTED_ON:
            submission.state = IntelligenceSubmission.State.ACTED_ON
            submission.acted_on_at = timezone.now()
            submission.acted_on_by = acting_user
            submission.save(update_fields=["state", "acted_on_at", "acted_on_by"])
        audit_log(
            acting_user=acting_user,
            action="intelligence.acted_on",
            object_type="intelligence_submission",
            object_ids=[submission.pk],
        )
    return submission
