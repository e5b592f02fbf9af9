"""Mentions found in record summaries, reviewers' decisions on them, and intelligence sent
through the partnership form.

Downstream code (linkage, alerts) reads extracted mentions like the structured mention
tables: `ExtractedMention.normalised` holds the same key as `VehicleMention.vrm_normalised`
(kind "vrm"), `PhoneMention.e164` ("phone"), `LocationMention.postcode_normalised`
("postcode"), `OnlineMention.handle_normalised` ("handle"), `PersonMention.nhs_number`
("nhs_number") and `PersonMention.name_normalised` ("name"). Leave out rows whose
`status` is "rejected", and weigh the rest below structured fields: see
`selectors.extracted_for_linkage`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from shinealight.records.models import Record


class ExtractedQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> ExtractedQuerySet:
        """Rows whose record the user may see."""
        return self.filter(record__in=Record.objects.visible_to(user).values("pk"))


class Status(models.TextChoices):
    UNREVIEWED = "unreviewed", "Not reviewed"
    CONFIRMED = "confirmed", "Confirmed by a reviewer"
    REJECTED = "rejected", "Rejected by a reviewer"


class ExtractedMention(models.Model):
    """Something the extractor found in a record's summary: less certain than a structured field.

    Rows are replaced whenever the record's summary changes; a reviewer's decision lives
    in `ExtractionDecision`, keyed by what was found rather than by the row, so that it
    survives re-extraction and is copied into `status` each time.
    """

    class Kind(models.TextChoices):
        VRM = "vrm", "Registration mark"
        PHONE = "phone", "Phone number"
        POSTCODE = "postcode", "Postcode"
        EMAIL = "email", "E-mail address"
        HANDLE = "handle", "Social-media handle"
        NHS_NUMBER = "nhs_number", "NHS number"
        NAME = "name", "Name or nickname"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_version = models.PositiveIntegerField()
    mention_id = models.CharField(max_length=600)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField()
    normalised = models.CharField(max_length=300)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    partial = models.BooleanField(default=False)
    platform = models.CharField(max_length=40, blank=True)
    rule = models.CharField(max_length=20, blank=True)
    extracted = models.BooleanField(default=True, help_text="Always true: found in free text.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNREVIEWED)

    objects = ExtractedQuerySet.as_manager()

    class Meta:
        ordering = ["record", "start"]
        indexes = [
            models.Index(fields=["kind", "normalised"], name="extracted_kind_normalised"),
            models.Index(fields=["record", "kind"], name="extracted_record_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.mention_id} ({self.text})"


class ExtractionDecision(models.Model):
    """A reviewer's confirmation or rejection of one thing found in one record's note."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    normalised = models.CharField(max_length=300)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects = ExtractedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind", "normalised"], name="extraction_decision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind}:{self.normalised} {self.decision}"


class IntelligenceSubmission(models.Model):
    """Intelligence a partnership worker sent through the form, and what became of it.

    The content is an agency record of type `intelligence`; this row tracks only routing
    and the acknowledgement the sender sees ("received", then "acted on").
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        ACTED_ON = "acted_on", "Acted on"

    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    acted_on_at = models.DateTimeField(null=True)
    acted_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"intelligence {self.pk} ({self.state})"
