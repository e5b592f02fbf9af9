"""Alerts raised by the pattern rules, with the entities they name and the evidence they cite.

The lifecycle of an alert (acknowledgement, triage, closure, escalation) belongs to the
`cases` app, which keeps its own tables keyed on `Alert`; this app only raises alerts and
grows them as evidence arrives, and tells `cases` through `services.ALERT_CHANGED` hooks.
"""

from __future__ import annotations

from django.db import models


class Alert(models.Model):
    """One pattern found in the joined-up records, explained so it can be read aloud."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    rule = models.CharField(max_length=64)
    # Identifies "the same alert" so that new evidence grows it instead of repeating it.
    key = models.CharField(max_length=300, unique=True)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    title = models.CharField(max_length=300)
    explanation = models.TextField()
    area = models.CharField(max_length=100, blank=True)
    first_data_time = models.DateTimeField(help_text="Data time at which it would first have fired")
    last_data_time = models.DateTimeField(help_text="Data time of its newest evidence")
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_data_time", "-id"]
        indexes = [models.Index(fields=["rule", "last_data_time"], name="alert_rule_time")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.title}"


class AlertSubject(models.Model):
    """A resolved entity an alert names: a child, an adult, a vehicle, a phone, a place."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(max_length=16)  # person, vehicle, phone, online, location
    entity_id = models.CharField(max_length=64)  # the people app's stable entity id
    role = models.CharField(max_length=32)  # child, adult, object, …
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "kind", "entity_id"], name="alert_subject_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "entity_id"], name="alert_subject_entity")]

    def __str__(self) -> str:
        return f"{self.role} {self.kind}:{self.entity_id}"


class AlertEvidence(models.Model):
    """A record an alert cites, with what it contributed."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="evidence")
    record = models.ForeignKey("records.Record", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "record"], name="alert_evidence_once")
        ]

    def __str__(self) -> str:
        return f"evidence {self.record_id} for alert {self.alert_id}"
