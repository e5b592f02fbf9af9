"""Forms for the meetings, actions and oversight pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from shinealight.accounts.models import User
from shinealight.accounts.roles import CASE_ROLES
from shinealight.accounts.selectors import user_list
from shinealight.cases.models import Action, Meeting
from shinealight.records.forms import DATE_FORMATS
from shinealight.records.models import Agency

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]
# Rows for actions agreed at the meeting; blank rows are ignored and more can be added
# from the meeting's page afterwards, so no script is needed to grow the form.
ACTION_ROWS = 3
MEETING_KINDS = [
    (Meeting.Kind.STRATEGY_DISCUSSION.value, Meeting.Kind.STRATEGY_DISCUSSION.label),
    (Meeting.Kind.MACE.value, Meeting.Kind.MACE.label),
]


def colleagues() -> list[User]:
    """Active people who may own case work: practitioners, leads and analysts in an agency."""
    return list(
        user_list()
        .filter(is_active=True, role__in=CASE_ROLES, agency__isnull=False)
        .order_by("agency__name", "agency__code", "last_name", "first_name", "username")
    )


def colleague_label(user: User) -> str:
    name = user.get_full_name() or user.username
    agency = (user.agency.name or user.agency.code) if user.agency else "no agency"
    return f"{name} ({user.username}), {agency} – {user.get_role_display()}"


class MeetingForm(forms.Form):
    """A strategy discussion or MACE panel that has been held."""

    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=MEETING_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of meeting"},
    )
    held_on = forms.DateField(
        label="Date held",
        help_text="For example, 17/4/2025",
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "Enter the date the meeting was held",
            "invalid": "Date held must be a real date, like 17/4/2025",
        },
    )
    held_time = forms.TimeField(
        label="Time it started",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=TIME_FORMATS,
        error_messages={
            "required": "Enter the time the meeting started",
            "invalid": "Time must be like 14:30",
        },
    )
    title = forms.CharField(label="Title", max_length=300, required=False)
    agenda = forms.CharField(
        label="Agenda",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One item a line",
    )
    attendees = forms.MultipleChoiceField(
        label="Who attended",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People at the meeting can see it, its actions and the case it is about",
    )
    other_agencies = forms.MultipleChoiceField(
        label="Agencies at the meeting with nobody named above",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    chair = forms.ChoiceField(label="Chair", required=False)
    decisions = forms.CharField(
        label="Decisions", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    conference_needed = forms.BooleanField(
        label="A child protection conference is needed",
        required=False,
        help_text="Starts the conference timer (strategy discussions only)",
    )

    def __init__(self, *args: Any, people: list[User], agencies: list[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.agencies = {str(a.pk): a for a in agencies}
        choices = [(pk, colleague_label(u)) for pk, u in self.people.items()]
        self.fields["attendees"].choices = choices
        self.fields["chair"].choices = [("", "Choose the chair"), *choices]
        self.fields["other_agencies"].choices = [
            (pk, a.name or a.code) for pk, a in self.agencies.items()
        ]
        owners = [("", "Choose who owns it"), *choices]
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label="What needs doing",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label="Owner", required=False, choices=owners
            )
            self.fields[f"action_{n}_due"] = forms.DateField(
                label="Due by",
                required=False,
                input_formats=DATE_FORMATS,
                help_text="Leave empty for the partnership's usual time. For example, 2/5/2025",
                error_messages={"invalid": "Due date must be a real date, like 2/5/2025"},
            )

    def action_rows(self) -> list[dict[str, Any]]:
        """The bound fields of each action row, for the template."""
        return [
            {
                "number": n,
                "description": self[f"action_{n}_description"],
                "owner": self[f"action_{n}_owner"],
                "due": self[f"action_{n}_due"],
            }
            for n in range(1, ACTION_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        held_on, held_time = data.get("held_on"), data.get("held_time")
        if held_on and held_time:
            held_at = datetime.combine(held_on, held_time, timezone.get_current_timezone())
            if held_at > timezone.now():
                self.add_error("held_on", "Record the meeting once it has been held")
            else:
                data["held_at"] = held_at
        if not data.get("attendees") and not data.get("other_agencies"):
            self.add_error("attendees", "Select at least one person or agency that attended")
        if data.get("kind") != Meeting.Kind.STRATEGY_DISCUSSION:
            data["conference_needed"] = False
        actions = []
        for n in range(1, ACTION_ROWS + 1):
            description = (data.get(f"action_{n}_description") or "").strip()
            owner = data.get(f"action_{n}_owner")
            due = data.get(f"action_{n}_due")
            if not description and not owner and not due:
                continue
            if not description:
                self.add_error(f"action_{n}_description", f"Say what action {n} is")
            if not owner:
                self.add_error(f"action_{n}_owner", f"Choose who owns action {n}")
            if due and held_on and due < held_on:
                self.add_error(f"action_{n}_due", f"Action {n} must be due after the meeting")
            if description and owner:
                actions.append((description, self.people[owner], due))
        data["actions"] = actions
        return data

    def attendee_users(self) -> list[User]:
        return [self.people[pk] for pk in self.cleaned_data.get("attendees", [])]

    def attendee_agencies(self) -> list[Agency]:
        return [self.agencies[pk] for pk in self.cleaned_data.get("other_agencies", [])]

    def chair_user(self) -> User | None:
        pk = self.cleaned_data.get("chair")
        return self.people[pk] if pk else None


class ActionForm(forms.Form):
    """Give someone an action arising from a meeting."""

    description = forms.CharField(
        label="What needs doing",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the action is"},
    )
    owner = forms.ChoiceField(label="Owner", error_messages={"required": "Choose who owns it"})
    due_on = forms.DateField(
        label="Due by",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Leave empty for the partnership's usual time. For example, 2/5/2025",
        error_messages={"invalid": "Due date must be a real date, like 2/5/2025"},
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.fields["owner"].choices = [
            ("", "Choose who owns it"),
            *((pk, colleague_label(u)) for pk, u in self.people.items()),
        ]

    def clean_due_on(self) -> date | None:
        due: date | None = self.cleaned_data.get("due_on")
        if due and due < timezone.localdate():
            raise forms.ValidationError("Due date must be today or in the future")
        return due

    def owner_user(self) -> User:
        return self.people[self.cleaned_data["owner"]]


class CompleteActionForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done"},
    )


class CancelActionForm(forms.Form):
    reason = forms.CharField(
        label="Why it is no longer needed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the action is no longer needed"},
    )


ACTION_SCOPES = [("mine", "Mine"), ("team", "My agency's"), ("all", "All I can see")]
ACTION_STATUSES = [
    ("open", "Open"),
    ("overdue", "Overdue"),
    (Action.Status.DONE.value, "Done"),
    (Action.Status.CANCELLED.value, "Cancelled"),
    ("any", "Any status"),
]


class ActionFilterForm(forms.Form):
    show = forms.ChoiceField(label="Whose actions", choices=ACTION_SCOPES, required=False)
    status = forms.ChoiceField(label="Status", choices=ACTION_STATUSES, required=False)


class PeriodForm(forms.Form):
    """The oversight period: from one date to another, both included."""

    start = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 1/4/2024",
        error_messages={"invalid": "From must be a real date, like 1/4/2024"},
    )
    end = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/3/2025",
        error_messages={"invalid": "To must be a real date, like 31/3/2025"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "To must be the same as or after From")
        elif start and not end and start > timezone.localdate():
            self.add_error("start", "From must be today or earlier")
        return data

    def period(self, default: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
        """[start, end) as local midnights; "to" a day means up to the end of that day."""
        start, end = default
        zone = timezone.get_current_timezone()
        if self.is_bound and self.is_valid():
            if self.cleaned_data.get("start"):
                start = datetime.combine(self.cleaned_data["start"], time(), zone)
            if self.cleaned_data.get("end"):
                end = datetime.combine(self.cleaned_data["end"] + timedelta(days=1), time(), zone)
        return start, end
