"""Pages for the partnership intelligence form and the sender's acknowledgements."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shinealight.extraction import selectors
from shinealight.extraction.forms import IntelligenceForm
from shinealight.extraction.services import ExtractionError, intelligence_submit


@login_required
def intelligence_new(request: HttpRequest) -> HttpResponse:
    """The form; on success the sender goes to their list with a "received" message."""
    form = IntelligenceForm(data=request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            submission = intelligence_submit(acting_user=request.user, report=form.cleaned_data)
        except ExtractionError as exc:
            problem = str(exc)
        else:
            return redirect(
                f"{reverse('intelligence-sent')}?received={submission.record.record_id}"
            )
    return render(request, "extraction/intelligence_form.html", {"form": form, "problem": problem})


@login_required
def intelligence_sent(request: HttpRequest) -> HttpResponse:
    """What the user has sent: received or acted on, never what was found."""
    return render(
        request,
        "extraction/intelligence_sent.html",
        {
            "submissions": selectors.intelligence_mine(user=request.user).select_related("record"),
            "received": request.GET.get("received", "")[:40],
        },
    )
