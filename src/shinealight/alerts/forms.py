"""Forms for the alert pages: the queue's filters and the four steps of an alert's case.

The forms collect what a person decided; the rules (who may own a case, when a reason is
required) are the `cases` services', whose refusals come back as errors on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms

from shinealight.accounts.models import User
from shinealight.accounts.roles import CASE_ROLES
from shinealight.alerts.models import Alert
from shinealight.cases.models import AlertCase

# Short names for a case's state, for tags and filters (the model's labels explain them).
STATUS_NAMES = {
    AlertCase.Status.NEW: "New",
    AlertCase.Status.ACKNOWLEDGED: "Acknowledged",
    AlertCase.Status.TRIAGED: "Triaged",
    AlertCase.Status.CLOSED: "Closed",
}


class AlertFilterForm(forms.Form):
    """Narrow the alert queue by rule, severity, the state of its case and area."""

    rule = forms.ChoiceField(label="Rule", required=False)
    severity = forms.ChoiceField(
        label="Severity",
        required=False,
        choices=[("", "Any severity"), *Alert.Severity.choices],
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *STATUS_NAMES.items()],
    )
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(
        self, *args: Any, rules: list[tuple[str, str]], areas: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "Any rule"), *rules]
        self.fields["area"].choices = [("", "Any area"), *((a, a) for a in areas)]

    def selector_filters(self) -> dict[str, Any]:
        """The filters in the terms `page_selectors.alert_queue` takes."""
        return {k: v or None for k, v in self.cleaned_data.items()}


class _OwnerChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        agency = f", {obj.agency.code}" if obj.agency else ""
        return f"{name} ({obj.get_role_display()}{agency})"


def _colleagues() -> Any:
    return (
        User.objects.filter(is_active=True, role__in=CASE_ROLES)
        .select_related("agency")
        .order_by("username")
    )


class AcknowledgeForm(forms.Form):
    """Take the alert on: for yourself, or naming the person who will own it."""

    prefix = "acknowledge"

    owner = _OwnerChoice(
        label="Who will own it",
        queryset=User.objects.none(),
        required=False,
        empty_label="Me",
        help_text="The owner decides what happens next, within the triage timer",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues()  # type: ignore[attr-defined]

    def service_args(self) -> dict[str, Any]:
        return {"owner": self.cleaned_data["owner"], "note": self.cleaned_data["note"]}


class AssignForm(forms.Form):
    """Hand the case to someone else, saying why."""

    prefix = "assign"

    owner = _OwnerChoice(
        label="New owner",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Select the person who will own the case"},
    )
    reason = forms.CharField(
        label="Why the case changes hands",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the case changes hands"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues()  # type: ignore[attr-defined]

    def service_args(self) -> dict[str, Any]:
        return {"owner": self.cleaned_data["owner"], "reason": self.cleaned_data["reason"]}


class TriageForm(forms.Form):
    """The triage decision and the reason for it."""

    prefix = "triage"

    decision = forms.ChoiceField(
        label="Decision",
        choices=AlertCase.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        help_text="Required for no further action; it stays on the record",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def service_args(self) -> dict[str, Any]:
        return {"decision": self.cleaned_data["decision"], "reason": self.cleaned_data["reason"]}


class CloseForm(forms.Form):
    """Close the case with what came of it."""

    prefix = "close"

    outcome = forms.CharField(
        label="Outcome",
        help_text="What was done and why the case can close",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the outcome"},
    )

    def service_args(self) -> dict[str, Any]:
        return {"outcome": self.cleaned_data["outcome"]}
