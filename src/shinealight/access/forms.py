"""Forms for the access pages."""

from __future__ import annotations

from django import forms


class BreakGlassForm(forms.Form):
    """Emergency access to one child's records: who, and why now."""

    child_entity_id = forms.CharField(
        label="The child's id",
        help_text="As the system shows it, for example P-0000123",
        max_length=64,
    )
    purpose = forms.CharField(
        label="Why you need this child's records now",
        help_text=(
            "This is recorded, shown to oversight straight away, and kept in the audit trail "
            "with every record you open while access lasts."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
