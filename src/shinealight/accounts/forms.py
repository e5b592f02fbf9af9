"""The administrator's form for adding a user."""

from __future__ import annotations

from typing import Any

from django import forms

from shinealight.accounts.models import User
from shinealight.accounts.roles import Role
from shinealight.records.selectors import agency_list


class UserForm(forms.Form):
    """A named person, their agency and their one role; the password is checked by the service."""

    username = forms.RegexField(
        label="Username",
        regex=r"^[A-Za-z0-9_.@+-]{2,150}$",
        help_text="Letters, numbers and . @ + - _ only",
        error_messages={
            "required": "Enter a username",
            "invalid": "Username must be letters, numbers and . @ + - _ only",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
    agency = forms.ChoiceField(
        label="Agency",
        required=False,
        help_text="Practitioners and safeguarding leads see their own agency's records only",
    )
    password = forms.CharField(
        label="Password",
        help_text="At least 12 characters; not a common password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        error_messages={"required": "Enter a password"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [
            ("", "No agency"),
            *((a.code, str(a)) for a in agency_list()),
        ]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in (Role.PRACTITIONER, Role.SAFEGUARDING_LEAD) and not data.get(
            "agency"
        ):
            self.add_error("agency", "Select the agency this person works for")
        return data


class CodeForm(forms.Form):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now, or one of your 8-digit recovery codes",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class EnrolForm(forms.Form):
    """Setting up the authenticator app: the first code it shows proves it has the key."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows for Shine a Light",
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class ReauthenticateForm(forms.Form):
    """Confirming it is still you before an export: the password and a fresh code."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now, or one of your 8-digit recovery codes",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args: Any, needs_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]
