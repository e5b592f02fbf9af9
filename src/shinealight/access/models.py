"""Who may see which child's records beyond their own agency's, and what stays sealed.

The need-to-know rule itself lives in `visibility.py` and is reached through
`Record.objects.visible_to(user)`. The tables here are its inputs: which agencies have
recorded which children (maintained, so that the rule is a cheap join on large data),
break-glass grants, each agency's policy for its sealed records, and requests to release
a sealed record to another agency.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class AgencyChildKnowledge(models.Model):
    """An agency has recorded this child: a record of its mentions a resolved child.

    Derived data, rebuilt from records and linkage (`services.child_knowledge_refresh`):
    after each import's linkage, after merges and splits, after a batch linkage run, and
    by `shinealight access refresh`. A row for an entity that has since lost its mentions
    grants nothing, because records are reached through the entity's current mentions.
    """

    agency = models.ForeignKey("records.Agency", on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey("people.ResolvedEntity", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "entity"], name="agency_child_once")
        ]
        indexes = [models.Index(fields=["entity"], name="agency_child_entity")]

    def __str__(self) -> str:
        return f"{self.agency_id} knows {self.entity_id}"


class BreakGlassQuerySet(models.QuerySet["BreakGlassGrant"]):
    def active(self, at: Any = None) -> BreakGlassQuerySet:
        """Grants in force now: not ended by hand and not yet expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=at or timezone.now())

    def visible_to(self, user: Any) -> BreakGlassQuerySet:
        """A user sees their own grants; the oversight role (managers) sees every grant."""
        if user is None or not getattr(user, "is_active", False):
            return self.none()
        if user.role == "manager":
            return self.all()
        return self.filter(user=user)


class BreakGlassGrant(models.Model):
    """Emergency access to one child's records, with a stated purpose, for a limited time.

    Every grant is flagged to oversight when it opens, and every audited read made while
    it is in force carries its id.
    """

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The people app's public id as the user typed it; merges are followed when it is used.
    child_entity_id = models.CharField(max_length=64)
    purpose = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)
    ended_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="break_glass_user")]

    def __str__(self) -> str:
        return f"break-glass {self.pk} by {self.user_id} for {self.child_entity_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()


class AgencyAccessPolicy(models.Model):
    """An agency's choices about its sealed records (owning-agency release control)."""

    agency = models.OneToOneField(
        "records.Agency", on_delete=models.PROTECT, related_name="access_policy"
    )
    # Other agencies with need-to-know see that a sealed record exists (agency, date,
    # "sealed") and may ask for it; off by default, because even existence can tell.
    show_sealed_existence = models.BooleanField(default=False)
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "agency access policies"

    def __str__(self) -> str:
        return f"access policy of {self.agency_id}"


class ReleaseRequestQuerySet(models.QuerySet["ReleaseRequest"]):
    def visible_to(self, user: Any) -> ReleaseRequestQuerySet:
        """The requesting agency and the owning agency's people see a request."""
        if user is None or not getattr(user, "is_active", False) or user.agency_id is None:
            return self.none()
        if not user.sees_case_content:
            return self.none()
        return self.filter(
            Q(requested_by=user)
            | Q(requesting_agency_id=user.agency_id)
            | Q(record__agency_id=user.agency_id)
        )


class ReleaseRequest(models.Model):
    """Another agency asks the owning agency to release a sealed record to it.

    A release is a recorded disclosure (`cases.Disclosure`) from the owning agency to the
    requesting one; a refusal keeps the record sealed and says why.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the owning agency"
        RELEASED = "released", "Released through a recorded disclosure"
        REFUSED = "refused", "Refused by the owning agency"

    record = models.ForeignKey("records.Record", on_delete=models.PROTECT, related_name="+")
    requesting_agency = models.ForeignKey(
        "records.Agency", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)
    disclosure_id = models.BigIntegerField(null=True)

    objects = ReleaseRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"release request {self.pk} ({self.status})"
