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

from shinealight.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


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
    details = json.loads(json.dumps(detail or {}, default=str))
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
