"""Forms for the people pages: search, chronology filters and a reviewer's decision."""

from __future__ import annotations

from typing import Any

from django import forms

from shinealight.people.models import ReviewDecision
from shinealight.records.forms import RecordFilterForm


class SearchForm(forms.Form):
    """One box: a name, nickname, registration mark, phone number, postcode or place."""

    q = forms.CharField(
        label="Search for a person, vehicle, phone or place",
        help_text=(
            "A name or nickname (spelling need not be exact), a registration mark "
            "(part of one is fine), a phone number, an NHS number or a postcode"
        ),
        max_length=200,
        error_messages={"required": "Enter a name, registration mark, phone number or postcode"},
    )

    def clean_q(self) -> str:
        text = " ".join(str(self.cleaned_data["q"]).split())
        if len(text) < 2:
            raise forms.ValidationError("Enter at least 2 characters")
        return text


ORDER_CHOICES = [("oldest", "Oldest first"), ("newest", "Newest first")]


class ChronologyFilterForm(RecordFilterForm):
    """Narrow a chronology by agency, type of record and when it happened."""

    order = forms.ChoiceField(label="Order", choices=ORDER_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_from"].label = "Happened on or after"
        self.fields["recorded_to"].label = "Happened on or before"

    def selector_filters(self) -> dict[str, Any]:
        filters = super().selector_filters()
        filters["newest_first"] = self.cleaned_data.get("order") == "newest"
        return filters


class ReviewDecisionForm(forms.Form):
    """A reviewer's answer about two mentions, with the reason others will read."""

    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=[
            (ReviewDecision.Decision.SAME.value, "Same person"),
            (ReviewDecision.Decision.NOT_SAME.value, "Not the same person"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these are the same person"},
    )
    reason = forms.CharField(
        label="Why?",
        help_text="What you checked. Colleagues and auditors will read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for your decision"},
    )
