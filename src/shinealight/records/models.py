"""The partnership record store: agencies, their records with full history, and mentions.

A record is the Event of POLE. The persons, vehicles, phones, online accounts and
locations it mentions hang off its current version; every earlier version is kept
whole in `RecordVersion`. Normalised forms sit beside the values as written, so that
matching never loses what the practitioner actually wrote.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Agency(models.Model):
    """An agency of the partnership: police force, council service, health trust, school…"""

    code = models.CharField(max_length=40, unique=True)
    agency_type = models.CharField(max_length=32)
    name = models.CharField(max_length=200, blank=True)
    area = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name or self.code


class ImportBatch(models.Model):
    """One file import or API submission: where records came from, when and by whom."""

    class Source(models.TextChoices):
        FILE = "file", "File import"
        CSV = "csv", "CSV import"
        API = "api", "API"
        FORM = "form", "Form"

    source = models.CharField(max_length=8, choices=Source.choices)
    name = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.name} ({self.started_at:%Y-%m-%d %H:%M})"


class RecordQuerySet(models.QuerySet["Record"]):
    def visible_to(self, user: Any, *, about: int | None = None) -> RecordQuerySet:
        """The records this user may see: the one filter every list, search and export uses.

        Need-to-know, break-glass and sealing (`access.visibility`, `docs/access.md`).
        `about` (a resolved entity's key) keeps only the records that mention it.
        """
        from shinealight.access.visibility import records_visible_to

        return records_visible_to(self, user, about=about)

    def exportable_by(self, user: Any, *, about: int | None = None) -> RecordQuerySet:
        """Records the user may export: visible, and under handling code C only for the
        owning agency. Every export and PDF starts here instead of `visible_to`."""
        from shinealight.access.visibility import exportable_records

        return exportable_records(self, user, about=about)

    def sealed_known_to(self, user: Any) -> RecordQuerySet:
        """Sealed records the user may know exist but not read: show agency, date, "sealed"."""
        from shinealight.access.visibility import sealed_existence_visible_to

        return sealed_existence_visible_to(self, user)


class Record(models.Model):
    """The current version of one agency record, with its grading and indicators."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="records")
    record_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=32)
    recorded_at = models.DateTimeField()
    occurred_at = models.DateTimeField(null=True)
    area = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    grading_source = models.CharField(max_length=1, blank=True)
    grading_intelligence = models.CharField(max_length=1, blank=True)
    grading_handling = models.CharField(max_length=1, blank=True)
    handling_conditions = models.TextField(blank=True)
    indicators = models.JSONField(default=list)
    unknown_indicators = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    first_received_at = models.DateTimeField()
    last_changed_at = models.DateTimeField()

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="record_unique_per_agency")
        ]
        indexes = [
            models.Index(fields=["recorded_at"], name="record_recorded_at"),
            models.Index(fields=["area", "recorded_at"], name="record_area_recorded_at"),
            models.Index(fields=["event_type", "recorded_at"], name="record_type_recorded_at"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.record_id}"

    @property
    def grading(self) -> str:
        """The 3x5x2 grading as analysts write it, e.g. '2B P'."""
        if not (self.grading_source or self.grading_intelligence or self.grading_handling):
            return ""
        return f"{self.grading_source}{self.grading_intelligence} {self.grading_handling}".strip()


class RecordVersion(models.Model):
    """Every version of a record exactly as the agency sent it; the newest is the current one."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField()
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["record", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class Mention(models.Model):
    """Something a record's current version mentions, with its global mention id."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    mention_id = models.CharField(max_length=400, unique=True)
    ref = models.CharField(max_length=60)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.mention_id


class MentionQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> MentionQuerySet:
        """Mentions whose record the user may see."""
        return self.filter(record__in=Record.objects.visible_to(user).values("pk"))


class PersonMention(Mention):
    """A person as one record describes them.

    Ethnicity is kept for equality monitoring and statistics only. Analytical read models
    (`ANALYTICAL_FIELDS`) leave it out, so it can never feed matching, rules or alerts.
    """

    role = models.CharField(max_length=32, blank=True)
    name = models.TextField(blank=True)
    name_normalised = models.TextField(blank=True)
    aliases = models.JSONField(default=list)
    dob = models.CharField(max_length=10, blank=True)
    dob_year = models.PositiveSmallIntegerField(null=True)
    dob_month = models.PositiveSmallIntegerField(null=True)
    dob_day = models.PositiveSmallIntegerField(null=True)
    age_estimate = models.PositiveSmallIntegerField(null=True)
    gender = models.CharField(max_length=16, blank=True)
    ethnicity = models.TextField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    postcode_normalised = models.CharField(max_length=8, blank=True)
    phones = models.JSONField(default=list)
    phones_e164 = models.JSONField(default=list)
    identifiers = models.JSONField(default=dict)
    nhs_number = models.CharField(max_length=20, blank=True)
    nhs_number_valid = models.BooleanField(null=True)
    description = models.TextField(blank=True)

    objects = MentionQuerySet.as_manager()

    ANALYTICAL_FIELDS = (
        "mention_id",
        "record_id",
        "role",
        "name",
        "name_normalised",
        "aliases",
        "dob",
        "dob_year",
        "dob_month",
        "dob_day",
        "age_estimate",
        "gender",
        "address",
        "postcode_normalised",
        "phones_e164",
        "identifiers",
        "nhs_number",
        "nhs_number_valid",
    )

    class Meta:
        indexes = [
            models.Index(fields=["name_normalised"], name="person_mention_name"),
            models.Index(fields=["postcode_normalised"], name="person_mention_postcode"),
            models.Index(fields=["nhs_number"], name="person_mention_nhs"),
        ]


class KnownName(models.Model):
    """A name or nickname a record's people go by, as free-text extraction looks it up.

    One row per record and key (`core.extract.name_keys`: the name normalised, and a
    full name's first word). Written with the record's mentions and replaced with them,
    and deleted with the record, so an erased record's names are no longer "known".
    Extraction asks for the keys a note could contain instead of reading every mention.
    """

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key"], name="known_name_key")]

    def __str__(self) -> str:
        return self.key


class VehicleMention(Mention):
    """A vehicle as one record describes it; `vrm_normalised` keeps `?` for unknown characters."""

    vrm = models.CharField(max_length=20, blank=True)
    vrm_normalised = models.CharField(max_length=20, blank=True)
    partial = models.BooleanField(default=False)
    make = models.TextField(blank=True)
    model = models.TextField(blank=True)
    colour = models.TextField(blank=True)
    person_refs = models.JSONField(default=list)

    objects = MentionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["vrm_normalised"], name="vehicle_mention_vrm")]


class PhoneMention(Mention):
    """A phone number as written, with its E.164 form when it parses."""

    number = models.CharField(max_length=40)
    e164 = models.CharField(max_length=20, blank=True)
    person_refs = models.JSONField(default=list)

    objects = MentionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["e164"], name="phone_mention_e164")]


class OnlineMention(Mention):
    """An online account: platform and handle as written, and a normalised key."""

    platform = models.TextField(blank=True)
    handle = models.TextField()
    handle_normalised = models.TextField()
    person_refs = models.JSONField(default=list)

    objects = MentionQuerySet.as_manager()


class LocationMention(Mention):
    """A place as one record describes it."""

    name = models.TextField(blank=True)
    kind = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    postcode_normalised = models.CharField(max_length=8, blank=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["postcode_normalised"], name="location_mention_postcode")]


class RecordLink(models.Model):
    """A relation the agency recorded between two things in one record ('boyfriend', 'driver')."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="links")
    from_ref = models.CharField(max_length=60)
    to_ref = models.CharField(max_length=60)
    kind = models.CharField(max_length=100)

    objects = MentionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.from_ref} –{self.kind}→ {self.to_ref}"


MENTION_MODELS: dict[str, type[Mention]] = {
    "person": PersonMention,
    "vehicle": VehicleMention,
    "phone": PhoneMention,
    "online": OnlineMention,
    "location": LocationMention,
}

from shinealight.records.jobs import ImportJob  # noqa: E402,F401
