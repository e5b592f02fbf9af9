"""Reading records: every query starts from `visible_to(user)` so nothing leaks by omission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from shinealight.records.models import (
    Agency,
    ImportBatch,
    ImportJob,
    LocationMention,
    OnlineMention,
    PersonMention,
    PhoneMention,
    Record,
    RecordLink,
    RecordVersion,
    VehicleMention,
)


def record_list(
    *,
    user: Any,
    agency: str | None = None,
    event_type: str | None = None,
    area: str | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
) -> QuerySet[Record]:
    """Records the user may see, newest first, filtered as asked."""
    records = Record.objects.visible_to(user).select_related("agency")
    if agency:
        records = records.filter(agency__code=agency)
    if event_type:
        records = records.filter(event_type=event_type)
    if area:
        records = records.filter(area=area)
    if recorded_from:
        records = records.filter(recorded_at__gte=recorded_from)
    if recorded_to:
        records = records.filter(recorded_at__lt=recorded_to)
    return records.order_by("-recorded_at", "-id")


def record_get(*, user: Any, agency: str, record_id: str) -> Record | None:
    """One record by agency and record id; None when absent or not the user's to see."""
    return (
        Record.objects.visible_to(user)
        .select_related("agency")
        .filter(agency__code=agency, record_id=record_id)
        .first()
    )


def record_mentions(*, record: Record) -> dict[str, list[Any]]:
    """Everything the record's current version mentions, by kind."""
    return {
        "persons": list(PersonMention.objects.filter(record=record).order_by("id")),
        "vehicles": list(VehicleMention.objects.filter(record=record).order_by("id")),
        "phones": list(PhoneMention.objects.filter(record=record).order_by("id")),
        "online": list(OnlineMention.objects.filter(record=record).order_by("id")),
        "locations": list(LocationMention.objects.filter(record=record).order_by("id")),
        "links": list(RecordLink.objects.filter(record=record).order_by("id")),
    }


def record_versions(*, record: Record) -> QuerySet[RecordVersion]:
    """Every version of the record, oldest first."""
    return RecordVersion.objects.filter(record=record).select_related("batch").order_by("version")


def person_mention_search(*, user: Any, q: str) -> QuerySet[PersonMention]:
    """Person mentions the user may see whose name, alias or identifier contains `q`."""
    from shinealight.core.normalise import normalise_name

    needle = normalise_name(q)
    mentions = PersonMention.objects.visible_to(user).select_related("record", "record__agency")
    if not needle:
        return mentions.none()
    return mentions.filter(
        Q(name_normalised__contains=needle)
        | Q(aliases__icontains=q.strip())
        | Q(nhs_number=needle.replace(" ", ""))
    ).order_by("-record__recorded_at", "id")


def statistics(*, user: Any) -> dict[str, Any]:
    """Aggregate counts only (no names, no text): what a manager may see."""
    from shinealight.accounts.roles import Role

    records = Record.objects.all()
    if user.role == Role.SAFEGUARDING_LEAD:
        records = records.filter(agency_id=user.agency_id)
    by_agency = records.values("agency__code").annotate(n=Count("id")).order_by("agency__code")
    by_type = records.values("event_type").annotate(n=Count("id")).order_by("event_type")
    by_month = (
        records.annotate(month=TruncMonth("recorded_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return {
        "records": records.count(),
        "agencies": Agency.objects.count(),
        "by_agency": {row["agency__code"]: row["n"] for row in by_agency},
        "by_type": {row["event_type"]: row["n"] for row in by_type},
        "by_month": {row["month"].strftime("%Y-%m"): row["n"] for row in by_month if row["month"]},
    }


def agency_list() -> QuerySet[Agency]:
    """Every agency of the partnership (their codes and names are not case content)."""
    return Agency.objects.order_by("code")


def agency_codes_for(*, user: Any) -> list[str]:
    """The agency codes worth offering the user as a filter: those whose records they see."""
    if user.sees_whole_partnership:
        return list(agency_list().values_list("code", flat=True))
    if user.sees_case_content and user.agency_id is not None:
        return [user.agency.code]
    return []


def import_batch_get(*, user: Any, batch_id: int) -> ImportBatch | None:
    """One import the user ran themselves, or None."""
    return ImportBatch.objects.filter(pk=batch_id, acting_user=user).first()


def import_job_get(*, user: Any, job_id: Any, with_errors: bool = False) -> ImportJob | None:
    """One import job the user started themselves, or None (nobody else's, administrators'
    included: a job's problems quote the file's own lines)."""
    # No join to the batch: it is wanted only once the job is done, and while an import
    # runs its batch table is locked on SQLite's shared-cache (test) databases.
    jobs = ImportJob.objects.filter(pk=job_id, started_by=user)
    return (jobs if with_errors else jobs.defer("errors")).first()


def import_jobs_for(*, user: Any, limit: int = 10) -> list[ImportJob]:
    """The user's own latest import jobs, newest first."""
    return list(ImportJob.objects.filter(started_by=user).defer("errors")[:limit])
