"""Reading extracted mentions and intelligence: every query starts from what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shinealight.accounts.roles import Role
from shinealight.extraction.models import ExtractedMention, IntelligenceSubmission, Status


def extracted_list(
    *,
    user: Any,
    kind: str | None = None,
    status: str | None = None,
    agency: str | None = None,
    record_id: str | None = None,
) -> QuerySet[ExtractedMention]:
    """Extracted mentions the user may see, newest records first, filtered as asked."""
    rows = ExtractedMention.objects.visible_to(user).select_related("record", "record__agency")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if agency:
        rows = rows.filter(record__agency__code=agency)
    if record_id:
        rows = rows.filter(record__record_id=record_id)
    return rows.order_by("-record__recorded_at", "record_id", "start")


def extracted_get(*, user: Any, pk: int) -> ExtractedMention | None:
    """One extracted mention, or None when absent or not the user's to see."""
    return ExtractedMention.objects.visible_to(user).select_related("record").filter(pk=pk).first()


def may_review_extracted(user: Any, mention: ExtractedMention) -> bool:
    """Who may confirm or reject what was read from a note: the agency that wrote the note,
    and the partnership's analysts. Others who can see the note may read, not decide."""
    if not getattr(user, "is_active", False):
        return False
    if user.role == Role.ANALYST:
        return True
    return user.agency_id is not None and mention.record.agency_id == user.agency_id


def extracted_for_linkage(*, kind: str) -> QuerySet[ExtractedMention]:
    """What linkage and alerts should read: every extracted mention of a kind not rejected.

    For system processes (no user): `normalised` compares directly with the structured
    tables' keys (see the models' docstring). Treat a match as weaker evidence than a
    structured one; confirmed rows (`status` "confirmed") may count as structured.
    """
    return ExtractedMention.objects.filter(kind=kind).exclude(status=Status.REJECTED)


def may_work_intelligence_queue(user: Any) -> bool:
    """Analysts, and safeguarding leads of a police agency, work the intelligence queue."""
    if not getattr(user, "is_active", False):
        return False
    if user.role == Role.ANALYST:
        return True
    agency = getattr(user, "agency", None)
    return (
        user.role == Role.SAFEGUARDING_LEAD
        and agency is not None
        and (agency.agency_type == "police")
    )


def intelligence_queue(*, user: Any) -> QuerySet[IntelligenceSubmission]:
    """Submissions for analysts and police leads to act on, oldest not yet acted on first."""
    if not may_work_intelligence_queue(user):
        return IntelligenceSubmission.objects.none()
    return IntelligenceSubmission.objects.select_related("record", "record__agency").order_by(
        "state", "submitted_at"
    )


def intelligence_mine(*, user: Any) -> QuerySet[IntelligenceSubmission]:
    """What the user has sent, with its acknowledgement only."""
    return IntelligenceSubmission.objects.filter(submitted_by=user).order_by("-submitted_at")
