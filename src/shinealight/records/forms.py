"""Forms for the record pages: list filters, file import and registering an agency."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from shinealight.records.models import Agency

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]


def _choices(values: Any) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


class RecordFilterForm(forms.Form):
    """Narrow the records list by agency, type and the date recorded."""

    agency = forms.ChoiceField(label="Agency", required=False)
    type = forms.ChoiceField(label="Type of record", required=False)
    recorded_from = forms.DateField(
        label="Recorded on or after",
        help_text="For example, 27/3/2024",
        required=False,
        input_formats=DATE_FORMATS,
    )
    recorded_to = forms.DateField(
        label="Recorded on or before",
        help_text="For example, 31/3/2024",
        required=False,
        input_formats=DATE_FORMATS,
    )

    def __init__(self, *args: Any, agencies: list[str], **kwargs: Any) -> None:
        from shinealight.core.schema import vocabulary

        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Any agency"), *((a, a) for a in agencies)]
        self.fields["type"].choices = [("", "Any type"), *_choices(vocabulary().event_types)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("recorded_from"), data.get("recorded_to")
        if start and end and end < start:
            self.add_error("recorded_to", "The end date must be the same as or after the start")
        return data

    def selector_filters(self) -> dict[str, Any]:
        """The filters in the terms `records.selectors.record_list` takes."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        filters: dict[str, Any] = {
            "agency": data.get("agency") or None,
            "event_type": data.get("type") or None,
        }
        if data.get("recorded_from"):
            filters["recorded_from"] = datetime.combine(data["recorded_from"], time(), zone)
        if data.get("recorded_to"):
            # "On or before" a day means before the start of the next one.
            next_day = data["recorded_to"] + timedelta(days=1)
            filters["recorded_to"] = datetime.combine(next_day, time(), zone)
        return filters


class ImportForm(forms.Form):
    """One agency-records file to import whole or not at all."""

    file = forms.FileField(
        label="Upload a file",
        help_text="A JSON Lines file of agency records (.jsonl), or one compressed (.jsonl.gz)",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".jsonl", ".jsonl.gz")):
            raise forms.ValidationError("The selected file must be a .jsonl or .jsonl.gz file")
        return upload


class AgencyForm(forms.Form):
    """An agency of the partnership, as the administrator registers it."""

    code = forms.RegexField(
        label="Agency code",
        regex=r"^[a-z0-9-]{2,40}$",
        help_text="2 to 40 lowercase letters, numbers and hyphens, for example swy-police",
        error_messages={
            "invalid": "Agency code must be lowercase letters, numbers and hyphens only",
            "required": "Enter an agency code",
        },
    )
    agency_type = forms.ChoiceField(
        label="Type of agency", error_messages={"required": "Select the type of agency"}
    )
    name = forms.CharField(label="Name", max_length=200, required=False)
    area = forms.CharField(label="Area", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from shinealight.core.schema import vocabulary

        super().__init__(*args, **kwargs)
        self.fields["agency_type"].choices = [
            ("", "Choose a type"),
            *_choices(vocabulary().agency_types),
        ]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if Agency.objects.filter(code=code).exists():
            raise forms.ValidationError("There is already an agency with that code")
        return code
