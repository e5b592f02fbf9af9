"""The after-import hook: a record deleted under retention is refused when it is sent again.

Kept apart from `services` so that registering it imports nothing from the apps whose
own hooks must run after it (people, extraction, alerts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shinealight.records.models import ImportBatch, RecordVersion
from shinealight.records.services import after_import

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _System:
    """The import itself, as the audit trail names it when no person acted."""

    username: str = "system:retention"
    pk: None = None


@after_import
def _refuse_deleted_records(batch: ImportBatch) -> None:
    from shinealight.retention.models import Tombstone
    from shinealight.retention.services import refuse_reimports

    if not Tombstone.objects.exists():
        return
    pks = list(
        RecordVersion.objects.filter(batch=batch).values_list("record_id", flat=True).distinct()
    )
    refused = refuse_reimports(pks, acting_user=batch.acting_user or _System())
    if not refused:
        return
    summary = getattr(batch, "import_summary", None)
    if summary is not None:
        # Refused records were new rows (a deleted record has none to update).
        summary.new = max(0, summary.new - len(refused))
        summary.extra["refused_deleted_under_retention"] = refused
    log.warning(
        "import batch %s: %d record(s) deleted under retention refused", batch.pk, len(refused)
    )
