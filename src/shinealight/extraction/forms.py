"""The partnership intelligence form: plain-English questions that lead to a 3x5x2 grading."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

# Questions a teacher or taxi marshal can answer, each mapping to a 3x5x2 code.
SOURCE_CHOICES = [
    ("1", "Yes – I saw or heard it myself, or the person has been right before"),
    ("2", "I don't know – I have not had information from them before"),
    ("3", "No – there are reasons to doubt them"),
]
INTELLIGENCE_CHOICES = [
    ("A", "They saw or heard it themselves"),
    ("B", "They were told by someone else, and it has been backed up another way"),
    ("C", "They were told by someone else, and it has not been backed up"),
    ("D", "I don't know how they know"),
    ("E", "I think it may not be true"),
]
HANDLING_CHOICES = [
    ("P", "Yes – partner agencies may share it lawfully"),
    ("C", "Only with conditions – I will say what they are"),
]
LINES = {
    "names": "One a line: a name or nickname, and anything else known (age, where they live)",
    "vehicles": "One a line: registration mark (write ? for what you could not see), make, colour",
    "phones": "One a line",
    "handles": "One a line: the app and the name, e.g. Snapchat kiki_x",
    "places": "One a line: a place, an address or a postcode",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IntelligenceForm(forms.Form):
    """What the sender saw or was told, and how sure they are."""

    what_was_seen = forms.CharField(
        label="What did you see or hear?",
        help_text="Say what happened, when and where, in your own words.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    occurred_on = forms.DateField(
        label="When did it happen?",
        help_text="For example 27/3/2024",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    names = forms.CharField(
        label="Names and nicknames",
        help_text=LINES["names"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    descriptions = forms.CharField(
        label="Descriptions of people",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    vehicles = forms.CharField(
        label="Vehicles",
        help_text=LINES["vehicles"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    phones = forms.CharField(
        label="Phone numbers",
        help_text=LINES["phones"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    handles = forms.CharField(
        label="Social media",
        help_text=LINES["handles"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    places = forms.CharField(
        label="Places",
        help_text=LINES["places"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    source = forms.ChoiceField(
        label="Is the person who gave you this information reliable?",
        choices=SOURCE_CHOICES,
        widget=forms.RadioSelect,
    )
    intelligence = forms.ChoiceField(
        label="How do they know it?", choices=INTELLIGENCE_CHOICES, widget=forms.RadioSelect
    )
    handling = forms.ChoiceField(
        label="May this be shared with partner agencies?",
        choices=HANDLING_CHOICES,
        widget=forms.RadioSelect,
    )
    handling_conditions = forms.CharField(
        label="Conditions on sharing",
        required=False,
        help_text="Needed if you chose 'only with conditions'.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("handling") == "C" and not (data.get("handling_conditions") or "").strip():
            self.add_error("handling_conditions", "Say what the conditions on sharing are.")
        return data


def intelligence_record(
    report: dict[str, Any], *, agency: Any, record_id: str, now: datetime
) -> dict[str, Any]:
    """Turn the form's cleaned data into an agency record of type `intelligence`."""
    from shinealight.core.extract import patterns

    summary_parts = [report["what_was_seen"].strip()]
    if report.get("descriptions"):
        summary_parts.append("Descriptions: " + report["descriptions"].strip())
    record: dict[str, Any] = {
        "agency": agency.code,
        "agency_type": agency.agency_type,
        "record_id": record_id,
        "type": "intelligence",
        "recorded_at": now.isoformat().replace("+00:00", "Z"),
        "summary": "\n".join(summary_parts),
        "grading": {
            "source": report["source"],
            "intelligence": report["intelligence"],
            "handling": report["handling"],
        },
    }
    if report.get("occurred_on"):
        record["occurred_at"] = f"{report['occurred_on'].isoformat()}T00:00:00Z"
    if report["handling"] == "C":
        record["grading"]["handling_conditions"] = report["handling_conditions"].strip()
    persons = [
        {"ref": f"p{i}", "role": "other", "name": line[:200]}
        for i, line in enumerate(_lines(report.get("names", "")), start=1)
    ]
    vehicles = []
    for i, line in enumerate(_lines(report.get("vehicles", "")), start=1):
        mark, _, rest = line.partition(",")
        vehicles.append(
            {"ref": f"v{i}", "vrm": mark.strip()[:20], "partial": "?" in mark}
            | ({"model": rest.strip()[:100]} if rest.strip() else {})
        )
    phones = [
        {"ref": f"t{i}", "number": line[:40]}
        for i, line in enumerate(_lines(report.get("phones", "")), start=1)
    ]
    online = []
    for i, line in enumerate(_lines(report.get("handles", "")), start=1):
        first, _, rest = line.partition(" ")
        platform = patterns().platform_of(first)
        if platform and rest.strip():
            online.append({"ref": f"o{i}", "platform": first, "handle": rest.strip()[:100]})
        else:
            online.append({"ref": f"o{i}", "handle": line[:100]})
    locations = [
        {"ref": f"l{i}", "name": line[:200]}
        for i, line in enumerate(_lines(report.get("places", "")), start=1)
    ]
    for key, items in (
        ("persons", persons),
        ("vehicles", vehicles),
        ("phones", phones),
        ("online", online),
        ("locations", locations),
    ):
        if items:
            record[key] = items
    return record
