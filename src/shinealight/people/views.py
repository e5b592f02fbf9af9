"""People pages: search, profiles with the multi-agency chronology, its PDF, and the review
queue. Every read of case content is audited as the API's is; an entity or a review item
outside the user's view answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shinealight.access.visibility import holds_break_glass
from shinealight.accounts.decorators import reauthentication_required, role_required
from shinealight.accounts.roles import CASE_ROLES
from shinealight.audit.services import audit_log
from shinealight.people import profiles, selectors, services
from shinealight.people.apis import REVIEW_ROLES
from shinealight.people.forms import ChronologyFilterForm, ReviewDecisionForm, SearchForm
from shinealight.people.models import EntityMembership, ResolvedEntity, ReviewDecision, ReviewItem
from shinealight.people.pdf import render_pdf
from shinealight.people.search import search as run_search
from shinealight.records import selectors as record_selectors
from shinealight.records.models import PersonMention, Record

CHRONOLOGY_PAGE = 100
# A printed chronology longer than this is cut, and says so on its first page.
PDF_MAX_ENTRIES = 2_000
REVIEW_PAGE = 50


def _purpose(request: HttpRequest) -> str:
    return (request.GET.get("purpose") or "")[:500]


def _ref(record: Record) -> str:
    return f"{record.agency.code}/{record.record_id}"


# --- search ---------------------------------------------------------------------------


@role_required(CASE_ROLES)
def people_search(request: HttpRequest) -> HttpResponse:
    """One box over people, vehicles, phones and places the user may see."""
    form = SearchForm(data=request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        results = run_search(request.user, query)
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="people.search",
                object_type="entity",
                object_ids=results.entity_ids(),
                purpose=_purpose(request),
                detail={"page": "search", "query": query},
            )
    return render(request, "people/search.html", {"form": form, "results": results})


# --- profiles -------------------------------------------------------------------------


def _entity_or_404(request: HttpRequest, entity_id: str) -> ResolvedEntity:
    entity = selectors.entity_get(request.user, entity_id)
    if entity is None:
        raise Http404
    return entity


def _survivor(request: HttpRequest, entity: ResolvedEntity) -> ResolvedEntity | None:
    """The entity a merged one now lives on in, if the user may see it."""
    seen = set()
    while not entity.active and entity.merged_into_id and entity.pk not in seen:
        seen.add(entity.pk)
        entity = ResolvedEntity.objects.get(pk=entity.merged_into_id)
    if not entity.active:
        return None
    return selectors.entity_get(request.user, entity.entity_id)


def _chronology_form(request: HttpRequest) -> ChronologyFilterForm:
    return ChronologyFilterForm(
        data=request.GET or None,
        agencies=record_selectors.agency_codes_for(user=request.user),
    )


def _filters(form: ChronologyFilterForm) -> dict[str, Any] | None:
    """The selector filters, or None when the form has errors."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return None
    return form.selector_filters()


def _entries(entity: ResolvedEntity, records: list[Record]) -> list[dict[str, Any]]:
    mentions = profiles.chronology_mentions(entity, records)
    return [
        {
            "record": r,
            "event": r.event_type.replace("_", " ").capitalize(),
            "mentions": mentions.get(r.pk, []),
        }
        for r in records
    ]


def _network_href(entity: ResolvedEntity) -> str:
    if entity.kind != "person":
        return ""
    try:
        return reverse("person-network", args=[entity.entity_id])
    except NoReverseMatch:
        return ""


@role_required(CASE_ROLES, or_if=holds_break_glass)
def entity_profile(request: HttpRequest, entity_id: str) -> HttpResponse:
    """A person's or an object's profile with the multi-agency chronology."""
    entity = _entity_or_404(request, entity_id)
    if not entity.active:
        survivor = _survivor(request, entity)
        if survivor is None:
            raise Http404
        return redirect("people-profile", entity_id=survivor.entity_id)
    form = _chronology_form(request)
    filters = _filters(form)
    page = None
    entries: list[dict[str, Any]] = []
    with transaction.atomic():
        profile = profiles.profile_of(request.user, entity)
        if filters is not None:
            records = profiles.chronology(request.user, entity, **filters)
            page = Paginator(records, CHRONOLOGY_PAGE).get_page(request.GET.get("page"))
            entries = _entries(entity, list(page))
        audit_log(
            acting_user=request.user,
            action="entity.read",
            object_type="entity",
            object_ids=[entity.entity_id],
            purpose=_purpose(request),
            detail={"page": "profile"},
        )
        audit_log(
            acting_user=request.user,
            action="chronology.read",
            object_type="record",
            object_ids=[_ref(e["record"]) for e in entries],
            purpose=_purpose(request),
            detail={
                "entity": entity.entity_id,
                "filters": {k: str(v) for k, v in (filters or {}).items()},
            },
        )
        context = {
            "entity": entity,
            "profile": profile,
            "form": form,
            "page": page,
            "entries": entries,
            "risk": profiles.risk_in_force(request.user, entity),
            "alerts": profiles.open_alerts(request.user, entity),
            "links": profiles.linked_entities(request.user, entity),
            "network_href": _network_href(entity),
        }
    query = request.GET.copy()
    query.pop("page", None)
    context.update(query=query.urlencode(), filtered=bool(query))
    return render(request, "people/profile.html", context)


@role_required(CASE_ROLES, or_if=holds_break_glass)
@reauthentication_required
def chronology_pdf(request: HttpRequest, entity_id: str) -> HttpResponse:
    """The chronology as a tagged PDF, marked OFFICIAL-SENSITIVE, with the same filters.

    A print leaves the system, so, like every export, it asks for the password and code
    again when they were not entered in the last few minutes.
    """
    entity = _entity_or_404(request, entity_id)
    if not entity.active:
        raise Http404
    form = _chronology_form(request)
    filters = _filters(form)
    if filters is None:
        # The page shows the same form with its errors; a PDF cannot.
        messages.error(request, "Correct the filters before printing the chronology")
        return redirect(
            f"{reverse('people-profile', args=[entity.entity_id])}?{request.GET.urlencode()}"
        )
    with transaction.atomic():
        # A print leaves the system: records under the originator's conditions (handling
        # code C) stay out unless the reader's own agency made them.
        profile = profiles.profile_of(request.user, entity, exportable=True)
        records = list(
            profiles.chronology(request.user, entity, exportable=True, **filters)[
                : PDF_MAX_ENTRIES + 1
            ]
        )
        cut = len(records) > PDF_MAX_ENTRIES
        records = records[:PDF_MAX_ENTRIES]
        entries = _entries(entity, records)
        risk = profiles.risk_in_force(request.user, entity)
        audit_log(
            acting_user=request.user,
            action="chronology.export",
            object_type="record",
            object_ids=[_ref(r) for r in records],
            purpose=_purpose(request),
            detail={
                "entity": entity.entity_id,
                "format": "pdf",
                "entries": len(records),
                "cut": cut,
                "filters": {k: str(v) for k, v in filters.items()},
            },
        )
    applied = []
    if form.is_bound:
        data = form.cleaned_data
        labels = {
            "agency": "Agency",
            "type": "Type",
            "recorded_from": "Happened on or after",
            "recorded_to": "Happened on or before",
        }
        for name, label in labels.items():
            if data.get(name):
                value = data[name]
                shown = value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value
                applied.append(f"{label}: {shown}")
    html = render_to_string(
        "people/chronology_pdf.html",
        {
            "entity": entity,
            "profile": profile,
            "entries": entries,
            "cut": cut,
            "limit": PDF_MAX_ENTRIES,
            "risk": risk,
            "applied": applied,
            "printed_by": request.user,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    pdf = render_pdf(html, origin=f"{request.scheme}://{request.get_host()}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chronology-{entity.entity_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- review queue ---------------------------------------------------------------------


def _mentions_by_id(mention_ids: list[str]) -> dict[str, PersonMention]:
    return {
        m.mention_id: m
        for m in PersonMention.objects.filter(mention_id__in=mention_ids).select_related(
            "record__agency"
        )
    }


@role_required(REVIEW_ROLES)
def review_list(request: HttpRequest) -> HttpResponse:
    """Pairs the model was unsure about, most likely first; or those already decided."""
    decided = request.GET.get("state") == "decided"
    items = selectors.review_items_visible_to(request.user, open_only=not decided)
    if decided:
        items = items.filter(closed_at__isnull=False)
    page = Paginator(items, REVIEW_PAGE).get_page(request.GET.get("page"))
    rows = list(page)
    mentions = _mentions_by_id([m for i in rows for m in (i.mention_left, i.mention_right)])
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action="review.list",
            object_type="review_item",
            object_ids=[i.pk for i in rows],
            purpose=_purpose(request),
            detail={"page": "review", "state": "decided" if decided else "open"},
        )
    return render(
        request,
        "people/review_list.html",
        {
            "page": page,
            "decided": decided,
            "rows": [
                {
                    "item": i,
                    "left": mentions.get(i.mention_left),
                    "right": mentions.get(i.mention_right),
                }
                for i in rows
            ],
            "query": "state=decided" if decided else "",
        },
    )


def _item_or_404(request: HttpRequest, pk: int) -> ReviewItem:
    item = selectors.review_items_visible_to(request.user, open_only=False).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


# Fields shown side by side, as recorded; ethnicity is never shown here.
REVIEW_FIELDS = (
    ("Name", "name"),
    ("Also known as", "aliases"),
    ("Date of birth", "dob"),
    ("Age (estimate)", "age_estimate"),
    ("Gender", "gender"),
    ("Address", "address"),
    ("Postcode", "postcode"),
    ("Phones", "phones"),
    ("NHS number", "nhs_number"),
    ("Other identifiers", "identifiers"),
    ("Role in the record", "role"),
    ("Description", "description"),
)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in value.items())
    return str(value)


@role_required(REVIEW_ROLES)
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Two mentions side by side, why the model scored them so, and the decision."""
    item = _item_or_404(request, pk)
    form = ReviewDecisionForm(data=request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(
                acting_user=request.user,
                item=item,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except services.ReviewError as exc:
            problem = str(exc)
        else:
            label = dict(ReviewDecision.Decision.choices)[form.cleaned_data["decision"]]
            messages.success(request, f"Decision recorded: {label.lower()}")
            return redirect("people-review-item", pk=item.pk)
    mentions = _mentions_by_id([item.mention_left, item.mention_right])
    left, right = mentions.get(item.mention_left), mentions.get(item.mention_right)
    rows = [
        {
            "label": label,
            "left": _shown(getattr(left, f, "")),
            "right": _shown(getattr(right, f, "")),
        }
        for label, f in REVIEW_FIELDS
    ]
    entity_of = dict(
        EntityMembership.objects.filter(
            kind="person", mention_id__in=[item.mention_left, item.mention_right]
        ).values_list("mention_id", "entity__entity_id")
    )
    history = list(
        ReviewDecision.objects.filter(
            mention_left=item.mention_left, mention_right=item.mention_right
        )
        .select_related("decided_by", "revoked_by")
        .order_by("-decided_at", "-pk")
    )
    link = item.link
    weight = link.match_weight if link and link.match_weight is not None else item.match_weight
    probability = link.match_probability if link else None
    if probability is None and weight is not None:
        probability = 2**weight / (1 + 2**weight)
    with transaction.atomic():
        audit_log(
            acting_user=request.user,
            action="review_item.read",
            object_type="review_item",
            object_ids=[item.pk],
            purpose=_purpose(request),
            detail={"mentions": [item.mention_left, item.mention_right]},
        )
    return render(
        request,
        "people/review_item.html",
        {
            "item": item,
            "left": left,
            "right": right,
            "rows": rows,
            "entity_left": entity_of.get(item.mention_left, ""),
            "entity_right": entity_of.get(item.mention_right, ""),
            "contributions": [
                {
                    "comparison": str(c.get("comparison", "")).replace("_", " ").capitalize(),
                    "level": c.get("level", ""),
                    "weight": c.get("weight"),
                }
                for c in (link.contributions if link else [])
            ],
            "weight": weight,
            "probability": probability,
            "model_version": link.model.version if link and link.model_id else None,
            "history": history,
            "form": form,
            "problem": problem,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(REVIEW_ROLES)
def review_undo(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Withdraw a decision; the pair goes back to the queue."""
    decision = ReviewDecision.objects.filter(pk=decision_id).first()
    if decision is None or decision.item_id is None:
        raise Http404
    item = _item_or_404(request, decision.item_id)
    try:
        services.review_decision_revoke(acting_user=request.user, decision=decision)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Decision withdrawn: the pair is back in the queue")
    return redirect("people-review-item", pk=item.pk)
