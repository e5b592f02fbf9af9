"""Audit events: who did or saw what, when and why, chained so that tampering shows."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only and are never deleted")

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only and are never changed")


class AuditEvent(models.Model):
    """One audited action. `seq` is gap-free; `hash` covers this event and the one before it.

    The actor is kept as an id and a username, not a foreign key, so that nothing done to
    a user account can ever cascade into the audit trail.
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_ids = models.JSONField(default=list)
    purpose = models.TextField(blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["actor_id", "at"], name="audit_actor_at"),
            models.Index(fields=["object_type", "at"], name="audit_object_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only and are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only and are never deleted")


class AuditChainHead(models.Model):
    """The single row holding the chain's last sequence number and hash.

    Writers lock this row, so events are numbered and chained strictly one after another.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"


class AuditObjectRef(models.Model):
    """One object an audit event names, as its own row: how "who accessed this child?" is
    answered without reading the whole trail.

    Written with the event, in the same transaction, from the event's own `object_ids`;
    derived data, outside the hash chain (the chain covers `object_ids` itself).
    """

    # No database constraint: the trail's own checks must be able to see an event removed
    # by someone with database access (`audit verify` reports the gap); a constraint here
    # would hide that by refusing, and would tie the trail's tamper tests to this table.
    event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="refs"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=400)

    class Meta:
        indexes = [models.Index(fields=["object_id", "object_type"], name="audit_ref_object")]

    def __str__(self) -> str:
        return f"#{self.event_id} names {self.object_type} {self.object_id}"
