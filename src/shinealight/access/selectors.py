"""Reads for access: grants, the oversight log, sealed records a user may know of, requests."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shinealight.access.models import AgencyAccessPolicy, BreakGlassGrant, ReleaseRequest
from shinealight.records.models import Record


def break_glass_mine(*, user: Any) -> QuerySet[BreakGlassGrant]:
    """The user's own grants, newest first."""
    return BreakGlassGrant.objects.filter(user=user).order_by("-started_at", "-id")


def break_glass_log(*, user: Any) -> QuerySet[BreakGlassGrant]:
    """Every grant the user may see (oversight: all of them), newest first."""
    return (
        BreakGlassGrant.objects.visible_to(user)
        .select_related("user", "user__agency", "ended_by")
        .order_by("-started_at", "-id")
    )


def break_glass_get(*, user: Any, pk: int) -> BreakGlassGrant | None:
    return BreakGlassGrant.objects.visible_to(user).filter(pk=pk).first()


def sealed_records_known_to(*, user: Any, entity_id: str | None = None) -> QuerySet[Record]:
    """Sealed records the user may know exist (show agency, date and "sealed" only).

    With `entity_id`, only those about that person (for a child's chronology).
    """
    from shinealight.access.visibility import entities_named, records_about

    records = Record.objects.sealed_known_to(user).select_related("agency")
    if entity_id:
        records = records.filter(pk__in=records_about(entities_named([entity_id])))
    return records.order_by("-recorded_at", "-id")


def release_requests_visible_to(*, user: Any) -> QuerySet[ReleaseRequest]:
    return ReleaseRequest.objects.visible_to(user).select_related(
        "record__agency", "requesting_agency", "requested_by"
    )


def release_request_get(*, user: Any, pk: int) -> ReleaseRequest | None:
    return release_requests_visible_to(user=user).filter(pk=pk).first()


def access_policy_for(*, agency_id: int | None) -> AgencyAccessPolicy | None:
    if agency_id is None:
        return None
    return AgencyAccessPolicy.objects.filter(agency_id=agency_id).first()
