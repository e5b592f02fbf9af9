"""Template helpers that render Django forms and the service navigation in GOV.UK markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.urls import reverse

register = template.Library()

# The GOV.UK Frontend class for each kind of widget; radios and checkboxes are laid out
# item by item in govuk/field.html instead.
_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str, str], ...] = (
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.Select, "govuk-select", "govuk-select--error"),
    (forms.ClearableFileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.FileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.widgets.Input, "govuk-input", "govuk-input--error"),
)


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def _described_by(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.inclusion_tag("govuk/field.html")
def govuk_field(
    field: forms.BoundField, classes: str = "", heading: bool = False
) -> dict[str, Any]:
    """One form field as a GOV.UK form group: label, hint, error message and control.

    `classes` adds width classes to the control (e.g. "govuk-input--width-20").
    """
    kind = _kind(field)
    widget_html = ""
    if kind == "input":
        widget = field.field.widget
        css = next(
            (f"{base} {error}" if field.errors else base)
            for cls, base, error in _WIDGET_CLASSES
            if isinstance(widget, cls)
        )
        attrs = {"class": f"{css} {classes}".strip()}
        if described := _described_by(field):
            attrs["aria-describedby"] = described
        widget_html = field.as_widget(attrs=attrs)
    return {
        "field": field,
        "kind": kind,
        "widget_html": widget_html,
        "described_by": _described_by(field),
        "heading": heading,
        "optional": not field.field.required and kind != "checkbox",
    }


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(form: forms.Form | None = None, problems: Any = ()) -> dict[str, Any]:
    """The error summary at the top of a page: every error, each linking to its field."""
    if isinstance(problems, str):
        problems = [problems] if problems else []
    items: list[dict[str, str]] = [{"text": str(p), "href": ""} for p in problems or ()]
    if form is not None:
        items.extend({"text": str(e), "href": ""} for e in form.non_field_errors())
        for field in form:
            for error in field.errors:
                target = field.auto_id
                if _kind(field) in ("radios", "checkboxes"):
                    target = f"{field.auto_id}_0"
                items.append({"text": str(error), "href": f"#{target}"})
    return {"items": items}


# The service navigation: (label, URL name, roles that see it; None for every role).
NAVIGATION: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("Home", "home", None),
    ("Records", "records-list", frozenset({"practitioner", "safeguarding_lead", "analyst"})),
    ("Alerts", "alerts-list", frozenset({"practitioner", "safeguarding_lead", "analyst"})),
    ("Search", "people-search", frozenset({"practitioner", "safeguarding_lead", "analyst"})),
    ("Import", "records-import", frozenset({"analyst"})),
    ("Review matches", "people-review", frozenset({"analyst", "safeguarding_lead"})),
    (
        "Share intelligence",
        "intelligence-new",
        frozenset({"practitioner", "safeguarding_lead", "analyst"}),
    ),
    ("Meetings", "cases:meetings", frozenset({"practitioner", "safeguarding_lead", "analyst"})),
    ("Actions", "cases:actions", frozenset({"practitioner", "safeguarding_lead", "analyst"})),
    ("Oversight", "cases:oversight", frozenset({"manager", "safeguarding_lead", "analyst"})),
    (
        "Break-glass",
        "access-break-glass",
        frozenset({"practitioner", "safeguarding_lead", "administrator"}),
    ),
    ("Break-glass log", "access-break-glass-log", frozenset({"manager"})),
    ("Users", "admin-users", frozenset({"administrator"})),
    ("Agencies", "admin-agencies", frozenset({"administrator"})),
)


@register.inclusion_tag("govuk/service_navigation.html", takes_context=True)
def service_navigation(context: template.Context) -> dict[str, Any]:
    """The links the signed-in user's role may follow, the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for label, name, roles in NAVIGATION:
            if roles is None or user.role in roles:
                items.append({"label": label, "href": reverse(name), "current": False})
        # The longest link that starts the path is the current one ("Import" under "Records").
        path = request.path
        matches = [
            i for i in items if path == i["href"] or path.startswith(i["href"].rstrip("/") + "/")
        ]
        matches = [i for i in matches if i["href"] != "/" or path == "/"]
        if matches:
            max(matches, key=lambda i: len(i["href"]))["current"] = True
    return {"items": items, "user": user, "csrf_token": context.get("csrf_token")}
