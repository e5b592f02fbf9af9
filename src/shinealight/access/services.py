"""Writes for access: agency-child knowledge, break-glass grants, sealed-record release.

Every change a person makes takes `acting_user=` and writes its audit entry in the same
transaction. `child_knowledge_refresh` is derived data and is audited by the run that
caused it (the import or the linkage run).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from shinealight.access.models import (
    AgencyAccessPolicy,
    AgencyChildKnowledge,
    BreakGlassGrant,
    ReleaseRequest,
)
from shinealight.access.visibility import BREAK_GLASS_ROLES, child_entity_pks, child_mentions
from shinealight.accounts.roles import Role
from shinealight.audit.services import audit_log
from shinealight.people.models import EntityEvent, EntityMembership, LinkageRun, ResolvedEntity
from shinealight.records.models import ImportBatch, PersonMention, Record, RecordVersion
from shinealight.records.services import ANALYZE_FROM_ROWS, after_import

ENTITY_ID = re.compile(r"^[A-Z]-\d{1,12}$")


class AccessRefused(Exception):
    """The access change cannot be made; the message says why and what to do instead."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- agency-child knowledge


# Above this many people touched by one import, the table is rebuilt whole.
FULL_REBUILD_AFTER = 2_000


def child_knowledge_refresh(*, entity_pks: Any = None) -> None:
    """Rebuild which agencies have recorded which children, for some entities or all.

    One DELETE and one INSERT … SELECT: the rows never pass through Python, so a full
    rebuild over a million records stays a database job.
    """
    if isinstance(entity_pks, list | tuple | set) and not entity_pks:
        return
    knowledge = AgencyChildKnowledge.objects.all()
    memberships = EntityMembership.objects.filter(kind="person")
    if entity_pks is None:
        children = child_entity_pks()
    else:
        knowledge = knowledge.filter(entity_id__in=entity_pks)
        # Only these people's mentions are aged: not every person mention of the store.
        members = memberships.filter(entity_id__in=entity_pks)
        child_ids = child_mentions(
            PersonMention.objects.filter(mention_id__in=members.values("mention_id"))
        ).values("mention_id")
        children = members.filter(mention_id__in=child_ids).values("entity_id")
    knowledge.delete()
    rows = (
        memberships.filter(entity_id__in=children)
        .values_list("record__agency_id", "entity_id")
        .order_by()
        .distinct()
    )
    sql, params = rows.query.sql_with_params()
    table = AgencyChildKnowledge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (agency_id, entity_id) {sql}", params)  # noqa: S608


def child_knowledge_fill_if_empty(**_: Any) -> None:
    """After `migrate`: a database upgraded to this version gets its knowledge table once."""
    if (
        not AgencyChildKnowledge.objects.exists()
        and EntityMembership.objects.filter(kind="person").exists()
    ):
        with transaction.atomic():
            child_knowledge_refresh()


@after_import
def _refresh_after_import(batch: ImportBatch) -> None:
    # Runs after linkage's hook (this app comes after `people` in INSTALLED_APPS) and
    # before alerts and cases, whose notifications and pages ask who may see what.
    records = RecordVersion.objects.filter(batch=batch).values("record_id")
    touched = list(
        EntityMembership.objects.filter(kind="person", record_id__in=records)
        .values_list("entity_id", flat=True)
        .distinct()
    )
    # The ids are fetched first: left as nested subqueries, PostgreSQL planned a 200,000-line
    # batch's refresh as a nested loop that ran for over twenty minutes. A batch touching
    # many people is cheaper rebuilt whole, in one set-based pass.
    if len(touched) >= ANALYZE_FROM_ROWS and connection.vendor == "postgresql":
        # Linkage has just written these memberships inside this transaction: without
        # fresh statistics the planner takes the tables for empty and nests loops over
        # them (a 2,500-record import ran until CI gave up).
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {EntityMembership._meta.db_table}, {PersonMention._meta.db_table}"
            )
    if len(touched) > FULL_REBUILD_AFTER:
        child_knowledge_refresh()
    else:
        child_knowledge_refresh(entity_pks=touched)


@receiver(post_save, sender=EntityEvent)
def _refresh_after_merge_or_split(
    sender: Any, instance: EntityEvent, created: bool, **_: Any
) -> None:
    # Merges and splits outside a batch run (a reviewer's "same person", an import's
    # incremental merge) move mentions between entities: refresh the entities involved.
    # A batch run rebuilds everything when it finishes (below), so its events are skipped.
    if not created:
        return
    run = instance.run
    if run is not None and run.mode == LinkageRun.Mode.BATCH:
        return
    others = ResolvedEntity.objects.filter(entity_id__in=instance.others).values_list(
        "pk", flat=True
    )
    child_knowledge_refresh(entity_pks=[instance.entity_id, *others])


@receiver(post_save, sender=LinkageRun)
def _refresh_after_batch_run(sender: Any, instance: LinkageRun, **_: Any) -> None:
    if instance.mode == LinkageRun.Mode.BATCH and instance.finished_at is not None:
        child_knowledge_refresh()


# ---------------------------------------------------------------- break-glass


def break_glass_hours() -> float:
    return float(getattr(settings, "SHINEALIGHT_BREAK_GLASS_HOURS", 4))


@transaction.atomic
def break_glass_open(*, acting_user: Any, child_entity_id: str, purpose: str) -> BreakGlassGrant:
    """Open emergency access to one child's records for a limited time, and tell oversight.

    Any well-formed id is accepted and the grant recorded: answering "no such child" would
    tell the user whether a child exists. A grant opens a child's records only.
    """
    if not (acting_user.is_active and acting_user.role in BREAK_GLASS_ROLES):
        raise AccessRefused("Your role cannot open break-glass access.")
    child_entity_id = (child_entity_id or "").strip().upper()
    if not ENTITY_ID.match(child_entity_id):
        raise AccessRefused(
            "Give the child's id as the system shows it, for example P-0000123.",
            field="child_entity_id",
        )
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        raise AccessRefused(
            "Say why you need this child's records now (at least a sentence).", field="purpose"
        )
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=acting_user,
        child_entity_id=child_entity_id,
        purpose=purpose,
        started_at=now,
        expires_at=now + timedelta(hours=break_glass_hours()),
    )
    audit_log(
        acting_user=acting_user,
        action="break_glass.open",
        object_type="entity",
        object_ids=[child_entity_id],
        purpose=purpose,
        detail={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()},
    )
    _flag_to_oversight(grant)
    return grant


def _flag_to_oversight(grant: BreakGlassGrant) -> None:
    from shinealight.accounts.models import User
    from shinealight.cases.services import _notify

    # The text names the grant, not the child: the same words may go out by e-mail.
    text = (
        f"Break-glass access opened by {grant.user.username} (grant {grant.pk}), until "
        f"{timezone.localtime(grant.expires_at):%d %b %Y %H:%M}. Review it in the log."
    )
    for manager in User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"):
        _notify(manager, "break_glass", text, "/access/break-glass/log")


@transaction.atomic
def break_glass_close(*, acting_user: Any, grant: BreakGlassGrant) -> BreakGlassGrant:
    """End a grant before it expires (its holder, or oversight)."""
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id != acting_user.pk and acting_user.role != Role.MANAGER:
        raise AccessRefused("Only the holder or oversight can end this grant.")
    if not grant.is_active:
        raise AccessRefused("This grant has already ended.")
    grant.ended_at = timezone.now()
    grant.ended_by = acting_user
    grant.save(update_fields=["ended_at", "ended_by"])
    audit_log(
        acting_user=acting_user,
        action="break_glass.close",
        object_type="entity",
        object_ids=[grant.child_entity_id],
        detail={"grant": grant.pk},
    )
    return grant


# ---------------------------------------------------------------- sealed records


@transaction.atomic
def access_policy_set(*, acting_user: Any, show_sealed_existence: bool) -> AgencyAccessPolicy:
    """An agency's safeguarding lead decides whether others may see that its sealed
    records exist."""
    if acting_user.role != Role.SAFEGUARDING_LEAD or acting_user.agency_id is None:
        raise AccessRefused("Only an agency's safeguarding lead sets its access policy.")
    policy, _ = AgencyAccessPolicy.objects.update_or_create(
        agency_id=acting_user.agency_id,
        defaults={
            "show_sealed_existence": show_sealed_existence,
            "set_by": acting_user,
            "set_at": timezone.now(),
        },
    )
    audit_log(
        acting_user=acting_user,
        action="access_policy.set",
        object_type="agency",
        object_ids=[acting_user.agency.code],
        detail={"show_sealed_existence": show_sealed_existence},
    )
    return policy


@transaction.atomic
def release_request_open(*, acting_user: Any, record: Record, reason: str) -> ReleaseRequest:
    """Ask the owning agency to release a sealed record whose existence the user can see.

    The caller finds `record` through `selectors.sealed_records_known_to(user)`.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AccessRefused("Say why your agency needs this record.", field="reason")
    if acting_user.agency_id is None:
        raise AccessRefused("Only someone in an agency can ask for a release.")
    if ReleaseRequest.objects.filter(
        record=record, requesting_agency_id=acting_user.agency_id, status="open"
    ).exists():
        raise AccessRefused("Your agency has already asked for this record.")
    request = ReleaseRequest.objects.create(
        record=record,
        requesting_agency_id=acting_user.agency_id,
        requested_by=acting_user,
        reason=reason,
        requested_at=timezone.now(),
    )
    audit_log(
        acting_user=acting_user,
        action="release_request.open",
        object_type="release_request",
        object_ids=[request.pk],
        purpose=reason,
        detail={"record": request.record_id, "owning_agency": record.agency.code},
    )
    _tell_owning_agency(request)
    return request


def _tell_owning_agency(request: ReleaseRequest) -> None:
    from shinealight.accounts.models import User
    from shinealight.cases.services import _notify

    leads = User.objects.filter(
        role=Role.SAFEGUARDING_LEAD, agency_id=request.record.agency_id, is_active=True
    ).order_by("pk")
    for lead in leads:
        _notify(
            lead,
            "release_request",
            f"Another agency asks for a sealed record to be released (request {request.pk}).",
            "/api/v1/release-requests",
        )


@transaction.atomic
def release_request_decide(
    *,
    acting_user: Any,
    request: ReleaseRequest,
    release: bool,
    note: str,
    lawful_basis: str = "",
) -> ReleaseRequest:
    """The owning agency's safeguarding lead releases (a recorded disclosure) or refuses."""
    from shinealight.cases.services import Recipient, WorkflowRefused, disclosure_record

    request = ReleaseRequest.objects.select_for_update().select_related("record").get(pk=request.pk)
    if acting_user.role != Role.SAFEGUARDING_LEAD or (
        acting_user.agency_id != request.record.agency_id
    ):
        raise AccessRefused("Only the owning agency's safeguarding lead decides a release.")
    if request.status != ReleaseRequest.Status.OPEN:
        raise AccessRefused("This request has already been decided.")
    note = (note or "").strip()
    if not note:
        raise AccessRefused("Say why, for the requesting agency and the record.", field="note")
    if release:
        try:
            disclosure = disclosure_record(
                acting_user=acting_user,
                lawful_basis=lawful_basis,
                purpose=request.reason,
                recipient=Recipient(agency=request.requesting_agency),
                what_was_shared=(f"Sealed record released on request {request.pk}: {note}"),
                records=[request.record],
            )
        except WorkflowRefused as refused:
            raise AccessRefused(str(refused), field=refused.field) from refused
        request.status = ReleaseRequest.Status.RELEASED
        request.disclosure_id = disclosure.pk
    else:
        request.status = ReleaseRequest.Status.REFUSED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    audit_log(
        acting_user=acting_user,
        action="release_request.decide",
        object_type="release_request",
        object_ids=[request.pk],
        detail={
            "status": request.status,
            "record": request.record_id,
            "disclosure": request.disclosure_id,
        },
    )
    return request
