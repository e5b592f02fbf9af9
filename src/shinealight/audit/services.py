"""Writing to the audit trail and checking that it is whole."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from shinealight.audit.models import AuditChainHead, AuditEvent, AuditObjectRef

GENESIS = "0" * 64

# DPA 2018 s.62: a consultation log says why someone looked. When a read is made without
# a stated purpose, the purpose the role exists for is recorded, marked as a default.
DEFAULT_PURPOSES = {
    "practitioner": "Direct safeguarding work with children known to my agency",
    "safeguarding_lead": "Agency safeguarding lead's oversight of children known to the agency",
    "analyst": "Partnership analysis of child exploitation",
    "manager": "Oversight of the partnership's work (aggregates and the audit trail)",
    "administrator": "System administration",
}
DEFAULT_MARK = " (default for the role: no purpose was given)"
# The last word of an action that says something was looked at rather than changed.
_READ_WORDS = (
    "read",
    "list",
    "search",
    "export",
    "view",
    "chronology",
    "network",
    "accessed",
    "counts",
    "figures",
    "download",
)


def is_read(action: str) -> bool:
    """Whether an audited action is a read (a consultation), by its name."""
    last = action.rsplit(".", 1)[-1]
    return any(last == w or last.startswith(w + "_") or last.endswith("_" + w) for w in _READ_WORDS)


def default_purpose(acting_user: Any) -> str:
    """The purpose recorded for a read made without one, from the reader's role."""
    role = getattr(acting_user, "role", None)
    text = DEFAULT_PURPOSES.get(str(role), "")
    return text + DEFAULT_MARK if text else ""


def _break_glass_in_force(acting_user: Any) -> list[int]:
    """Grants the actor holds now: every event they cause meanwhile carries them."""
    if getattr(acting_user, "pk", None) is None or not hasattr(acting_user, "role"):
        return []
    from shinealight.access.models import BreakGlassGrant

    return list(
        BreakGlassGrant.objects.active().filter(user_id=acting_user.pk).values_list("pk", flat=True)
    )


def _digest(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_ids: list[Any],
    purpose: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    body = json.dumps(
        [
            seq,
            at,
            actor_id,
            actor_username,
            action,
            object_type,
            object_ids,
            purpose,
            detail,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit_log(
    *,
    acting_user: Any,
    action: str,
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Must run inside `transaction.atomic()` with the action it records, so that the action
    and its audit entry stand or fall together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log must run in the same transaction as the audited action")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "hash": GENESIS}
    )
    # JSON round trip now, so that what is hashed is exactly what the database gives back.
    ids = json.loads(json.dumps([str(i) for i in object_ids]))
    if not purpose and is_read(action):
        purpose = default_purpose(acting_user)
    details = dict(detail or {})
    if grants := _break_glass_in_force(acting_user):
        details["break_glass"] = grants
    details = json.loads(json.dumps(details, default=str))
    at = timezone.now()
    username = getattr(acting_user, "username", "") or "system"
    actor_id = getattr(acting_user, "pk", None)
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "actor_id": actor_id,
        "actor_username": username,
        "action": action,
        "object_type": object_type,
        "object_ids": ids,
        "purpose": purpose,
        "detail": details,
        "prev_hash": head.hash,
    }
    digest = _digest(at=at.isoformat(), **fields)
    event = AuditEvent.objects.create(at=at, hash=digest, **fields)
    AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=digest)
    AuditObjectRef.objects.bulk_create(
        [
            AuditObjectRef(event=event, object_type=object_type, object_id=i[:400])
            for i in dict.fromkeys(ids)
        ],
        batch_size=1000,
    )
    return event


@dataclass(frozen=True)
class ChainBreak:
    """One place where the stored trail differs from what was written."""

    seq: int
    problem: str


def audit_verify(*, batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Recompute the chain from the first event and yield every break found."""
    expected_prev = GENESIS
    expected_seq = 1
    last_seq = 0
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainBreak(event.seq, f"events {expected_seq}..{event.seq - 1} are missing")
        if event.prev_hash != expected_prev:
            yield ChainBreak(event.seq, "does not follow the event before it (prev_hash differs)")
        digest = _digest(
            seq=event.seq,
            at=event.at.astimezone(UTC).isoformat(),
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            action=event.action,
            object_type=event.object_type,
            object_ids=event.object_ids,
            purpose=event.purpose,
            detail=event.detail,
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            yield ChainBreak(event.seq, "content was altered after it was written (hash differs)")
        expected_prev = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.seq != last_seq or head.hash != expected_prev):
        yield ChainBreak(
            last_seq, f"the trail ends at #{last_seq} but #{head.seq} was the last event written"
        )
