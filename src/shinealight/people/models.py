"""Resolved entities: who is who across agencies, why we think so, and who said otherwise.

Entity ids are stable: a resolved person keeps its id as new mentions join it.
Merges and splits are recorded as events, never silent renumbering. Reviewers'
decisions are facts about pairs of mentions, so they outlive every re-run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from shinealight.records.models import Record


class EntityKind(models.TextChoices):
    PERSON = "person", "Person"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone"
    ONLINE = "online", "Online account"
    LOCATION = "location", "Location"


ID_PREFIX = {"person": "P", "vehicle": "V", "phone": "T", "online": "O", "location": "L"}


class LinkageModelVersion(models.Model):
    """One stored version of the person model's parameters (m, u, prior, thresholds)."""

    version = models.PositiveIntegerField(unique=True)
    parameters = models.JSONField()
    source = models.CharField(max_length=20)
    trained_on = models.PositiveIntegerField(default=0)
    engine = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"person model v{self.version} ({self.source})"


class LinkageRun(models.Model):
    """One batch run or one import's incremental resolution, with what it changed."""

    class Mode(models.TextChoices):
        BATCH = "batch", "Batch"
        INCREMENTAL = "incremental", "Incremental"
        DEFERRED = "deferred", "Deferred to a batch run"

    mode = models.CharField(max_length=12, choices=Mode.choices)
    engine = models.CharField(max_length=20, blank=True)
    model = models.ForeignKey(LinkageModelVersion, on_delete=models.PROTECT, null=True)
    import_batch_id = models.BigIntegerField(null=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.mode} run {self.pk}"


class EntityQuerySet(models.QuerySet["ResolvedEntity"]):
    def visible_to(self, user: Any) -> EntityQuerySet:
        """Entities the user may see: those with at least one mention in a visible record."""
        records = Record.objects.visible_to(user).values("pk")
        return self.filter(
            pk__in=EntityMembership.objects.filter(record__in=records).values("entity_id")
        )


class ResolvedEntity(models.Model):
    """A person, vehicle, phone, online account or place, with a stable public id."""

    entity_id = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    # For objects: the normalised key that defines them (plate, number, handle, place).
    key = models.CharField(max_length=400, blank=True)
    label = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["entity_id"]
        indexes = [models.Index(fields=["kind", "key"], name="entity_kind_key")]

    def __str__(self) -> str:
        return self.entity_id


class EntityMembership(models.Model):
    """A mention belonging to a resolved entity; person mentions keep their features here."""

    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    mention_id = models.CharField(max_length=400)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(ResolvedEntity, on_delete=models.PROTECT, related_name="members")
    features = models.JSONField(null=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mention_id", "kind"], name="membership_unique")
        ]
        # Every read of an entity's or a record's memberships also says the kind. SQLite
        # keeps no statistics: while the unique index began with the kind, it took
        # `kind = 'person'` for a selective start and walked every person mention in the
        # store, for `entity_id IN (…)` (14 s at a million records, after each one-record
        # import) and for a range of records (4 s for each 9,000 records `analyse` read).
        # So no index begins with the kind, and the entity and record ones end with it.
        indexes = [
            models.Index(fields=["entity", "kind"], name="membership_entity_kind"),
            models.Index(fields=["record", "kind"], name="membership_record_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.mention_id} in {self.entity_id}"


class BlockingKey(models.Model):
    """A person mention's blocking key: how the incremental path finds its candidates."""

    key = models.CharField(max_length=400, db_index=True)
    membership = models.ForeignKey(EntityMembership, on_delete=models.CASCADE, related_name="keys")

    def __str__(self) -> str:
        return self.key


class EntityLink(models.Model):
    """A scored pair of mentions with its explanation: match weight and what each field added.

    Person links carry the model's per-comparison contributions; a partial plate's
    link to a full plate is a `candidate`, never a `link`.
    """

    class Status(models.TextChoices):
        LINK = "link", "Linked by the model"
        REVIEW = "review", "Uncertain: for review"
        CANDIDATE = "candidate", "Candidate (partial plate)"

    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    mention_left = models.CharField(max_length=400)
    mention_right = models.CharField(max_length=400)
    status = models.CharField(max_length=10, choices=Status.choices)
    match_weight = models.FloatField(null=True)
    match_probability = models.FloatField(null=True)
    contributions = models.JSONField(default=list)
    model = models.ForeignKey(LinkageModelVersion, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "mention_left", "mention_right"], name="link_unique_pair"
            )
        ]
        indexes = [
            models.Index(fields=["mention_left"], name="link_left"),
            models.Index(fields=["mention_right"], name="link_right"),
        ]

    def __str__(self) -> str:
        return f"{self.mention_left} ~ {self.mention_right} ({self.status})"


class ReviewItem(models.Model):
    """A pair in the uncertain band, waiting for (or given) a reviewer's decision."""

    link = models.OneToOneField(
        EntityLink, on_delete=models.SET_NULL, null=True, related_name="review"
    )
    mention_left = models.CharField(max_length=400)
    mention_right = models.CharField(max_length=400)
    match_weight = models.FloatField()
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-match_weight", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mention_left", "mention_right"], name="review_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"review {self.mention_left} ~ {self.mention_right}"


class ReviewDecision(models.Model):
    """A reviewer's 'same' or 'not same' about two mentions: overrides the model until revoked."""

    class Decision(models.TextChoices):
        SAME = "same", "Same person"
        NOT_SAME = "not_same", "Not the same person"

    mention_left = models.CharField(max_length=400)
    mention_right = models.CharField(max_length=400)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    item = models.ForeignKey(
        ReviewItem, on_delete=models.SET_NULL, null=True, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["mention_left", "mention_right"], name="decision_pair")]

    def __str__(self) -> str:
        return f"{self.mention_left} {self.decision} {self.mention_right}"


class EntityEvent(models.Model):
    """A recorded change of identity: entities created, merged or split."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Merged"
        SPLIT = "split", "Split"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    entity = models.ForeignKey(ResolvedEntity, on_delete=models.PROTECT, related_name="events")
    others = models.JSONField(default=list)
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id}"
