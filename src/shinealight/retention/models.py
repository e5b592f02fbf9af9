"""Retention: each agency's classes, every record's review date, legal holds, tombstones.

Records are never deleted by ordinary users. Deletion is a separate, audited process
(`services.retention_apply`) that removes a record due for deletion with everything
derived from it and leaves a tombstone: that the record existed and when it went, with
nothing of what it said.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from shinealight.records.models import Agency, Record

USER = settings.AUTH_USER_MODEL


class AgencyRetention(models.Model):
    """An agency's own retention for one event type (blank: every type), over the defaults.

    The supplying agency owns its records' retention: it may put a type in another class
    of the schedule, or give its own period.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=32, blank=True)
    retention_class = models.CharField(max_length=64)
    keep_years = models.PositiveSmallIntegerField(null=True, blank=True)
    until_age = models.PositiveSmallIntegerField(null=True, blank=True)
    fallback_years = models.PositiveSmallIntegerField(null=True, blank=True)
    review_every_years = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField()
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["agency__code", "event_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "event_type"], name="agency_retention_once_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.event_type or '*'} → {self.retention_class}"

    def overrides(self) -> dict[str, Any]:
        return {
            "keep_years": self.keep_years,
            "until_age": self.until_age,
            "fallback_years": self.fallback_years,
            "review_every_years": self.review_every_years,
        }


class RecordRetention(models.Model):
    """A record's retention class and review date, worked out from its current version.

    `rule_digest` names the schedule and agency settings used, so a change of either
    (or a new version of the record) marks the row for working out again. A reviewer's
    decision to keep a record moves `retained_until` on, and survives re-working.
    """

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="retention")
    retention_class = models.CharField(max_length=64)
    rule_source = models.CharField(max_length=40)
    basis = models.CharField(max_length=200)
    computed_due = models.DateField()
    retained_until = models.DateField(null=True)
    retained_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    retained_reason = models.TextField(blank=True)
    review_due = models.DateField()
    record_version = models.PositiveIntegerField()
    rule_digest = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["review_due"], name="retention_review_due")]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.retention_class} review {self.review_due}"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)

    def visible_to(self, user: Any) -> LegalHoldQuerySet:
        """Holds are kept by managers and administrators (information governance)."""
        if user is None or not getattr(user, "is_active", False):
            return self.none()
        if getattr(user, "role", "") in ("manager", "administrator"):
            return self.all()
        return self.none()


class LegalHold(models.Model):
    """An inquiry's freeze on deletion: no record in its scope is deleted while it is active.

    The scope is every criterion given, together: an agency, an area, people or objects
    (resolved entity ids), a range of recorded dates. `whole_partnership` freezes all.
    """

    name = models.CharField(max_length=200)
    reason = models.TextField()
    whole_partnership = models.BooleanField(default=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    area = models.CharField(max_length=100, blank=True)
    entity_ids = models.JSONField(default=list)
    recorded_from = models.DateField(null=True)
    recorded_to = models.DateField(null=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True)
    released_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    release_reason = models.TextField(blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"hold {self.pk}: {self.name}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    def scope(self) -> dict[str, Any]:
        return {
            "whole_partnership": self.whole_partnership,
            "agency": self.agency.code if self.agency_id else None,
            "area": self.area or None,
            "entity_ids": list(self.entity_ids),
            "recorded_from": self.recorded_from.isoformat() if self.recorded_from else None,
            "recorded_to": self.recorded_to.isoformat() if self.recorded_to else None,
        }


class TombstoneQuerySet(models.QuerySet["Tombstone"]):
    def delete(self) -> NoReturn:
        raise RuntimeError("tombstones are the record of a deletion and are never deleted")

    def update(self, **kwargs: Any) -> NoReturn:
        raise RuntimeError("tombstones are never changed")


class Tombstone(models.Model):
    """What is left of a deleted record: that it existed, its type and dates, who
    authorised its deletion and under which class. Nothing of its content.

    `cited_by` keeps which alerts, risk judgements, disclosures and intelligence
    submissions cited it, so that their history still says a record stood there.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=32)
    recorded_on = models.DateField()
    versions = models.PositiveIntegerField()
    retention_class = models.CharField(max_length=64)
    review_due = models.DateField()
    deleted_at = models.DateTimeField()
    authorised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    audit_seq = models.BigIntegerField(null=True)
    cited_by = models.JSONField(default=dict)

    objects = TombstoneQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-id"]
        indexes = [models.Index(fields=["agency", "record_id"], name="tombstone_record")]

    def __str__(self) -> str:
        return f"tombstone {self.agency_id}/{self.record_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("tombstones are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("tombstones are the record of a deletion and are never deleted")


def hold_scope_q(hold: LegalHold, entity_records: Any = None) -> Q:
    """Records in one hold's scope, as a filter on `Record`."""
    if hold.whole_partnership:
        return Q(pk__isnull=False)
    q = Q()
    if hold.agency_id:
        q &= Q(agency_id=hold.agency_id)
    if hold.area:
        q &= Q(area=hold.area)
    if hold.recorded_from:
        q &= Q(recorded_at__date__gte=hold.recorded_from)
    if hold.recorded_to:
        q &= Q(recorded_at__date__lte=hold.recorded_to)
    if hold.entity_ids:
        q &= Q(pk__in=entity_records)
    return q
