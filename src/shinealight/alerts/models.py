"""Alerts raised by the pattern rules, with the entities they name and the evidence they cite.

The lifecycle of an alert (acknowledgement, triage, closure, escalation) belongs to the
`cases` app, which keeps its own tables keyed on `Alert`; this app only raises alerts and
grows them as evidence arrives, and tells `cases` through `services.ALERT_CHANGED` hooks.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Any) -> AlertQuerySet:
        """Alerts citing at least one record the user may see, for every role alike.

        Analysts see every alert that cites an unsealed record; an alert resting only on
        another agency's sealed records is not theirs to see. Managers see none here: they
        get counts only (`selectors.alert_counts`). What a visible alert shows is narrowed
        further to the user's records and people by `Alert.shown_to`.
        """
        from shinealight.records.models import Record

        if user is None or not getattr(user, "is_active", False):
            return self.none()
        records = Record.objects.visible_to(user).values("pk")
        return self.filter(
            pk__in=AlertEvidence.objects.filter(record__in=records).values("alert_id")
        )


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
    # The explanation's opening sentence; the evidence and lawful-contact notes follow it.
    opening = models.TextField(blank=True)
    explanation = models.TextField()
    area = models.CharField(max_length=100, blank=True)
    first_data_time = models.DateTimeField(help_text="Data time at which it would first have fired")
    last_data_time = models.DateTimeField(help_text="Data time of its newest evidence")
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-last_data_time", "-id"]
        indexes = [models.Index(fields=["rule", "last_data_time"], name="alert_rule_time")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.title}"

    def shown_to(self, user: Any) -> Any:
        """What this alert may show this user: title, explanation, subjects and evidence
        narrowed to the records and people they may see (`access.redaction`). Pages and the
        API show this, never `explanation` itself."""
        from shinealight.access.redaction import alert_shown_to

        return alert_shown_to(self, user)


class AlertSubject(models.Model):
    """A resolved entity an alert names: a child, an adult, a vehicle, a phone, a place."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(max_length=16)  # person, vehicle, phone, online, location
    # The people app's stable entity id; an object's normalised key; `M:<mention id>` for a
    # person mention no entity holds yet.
    entity_id = models.CharField(max_length=420)
    role = models.CharField(max_length=32)  # child, adult, object, …
    label = models.CharField(max_length=300, blank=True)
    since = models.DateTimeField(null=True, help_text="Data time from which the alert names it")

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
