"""Record pages: the list with filters, one record with its mentions and history, file import,
and the administrator's agency pages. Every read of case content is audited as the API's is.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shinealight.accounts.decorators import role_required
from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.audit.services import audit_log
from shinealight.records import selectors
from shinealight.records.forms import AgencyForm, ImportForm, RecordFilterForm
from shinealight.records.services import ImportRejected, agency_create, records_import_file

PAGE_SIZE = 50
# An import with more bad lines than this shows the first ones and says how many more:
# a page of hundreds of thousands of rows helps nobody (the CLI lists them all).
ERRORS_SHOWN = 10_000
# Importing for any agency is a partnership-wide job: the file importer has no per-agency
# check, so agency staff submit through the API or the intelligence form instead.
IMPORT_ROLES = (Role.ANALYST,)


def _purpose(request: HttpRequest) -> str:
    return (request.GET.get("purpose") or "")[:500]


@role_required(CASE_ROLES)
def records_list(request: HttpRequest) -> HttpResponse:
    """The records the user may see, newest first, narrowed by agency, type and date."""
    form = RecordFilterForm(
        data=request.GET or None, agencies=selectors.agency_codes_for(user=request.user)
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = form.selector_filters()
    invalid = form.is_bound and not form.is_valid()
    page = None
    if not invalid:
        records = selectors.record_list(user=request.user, **filters)
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        with transaction.atomic():
            audit_log(
                acting_user=request.user,
                action="records.list",
                object_type="record",
                object_ids=[f"{r.agency.code}/{r.record_id}" for r in page],
                purpose=_purpose(request),
                detail={"page": "records", "filters": {k: str(v) for k, v in filters.items()}},
            )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "records/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": bool(request.GET)},
    )


@role_required(CASE_ROLES)
def record_detail(request: HttpRequest, agency: str, record_id: str) -> HttpResponse:
    """One record's current version, what it mentions, and every version received."""
    with transaction.atomic():
        record = selectors.record_get(user=request.user, agency=agency, record_id=record_id)
        # The object rule must agree with visible_to(), as in the API.
        if record is None or not request.user.has_perm("records.view_record", record):
            raise Http404
        for action in ("record.read", "record.read_versions"):
            audit_log(
                acting_user=request.user,
                action=action,
                object_type="record",
                object_ids=[f"{agency}/{record_id}"],
                purpose=_purpose(request),
                detail={"page": "record"},
            )
        mentions = selectors.record_mentions(record=record)
        versions = [
            {"version": v, "payload": json.dumps(v.payload, indent=2, ensure_ascii=False)}
            for v in selectors.record_versions(record=record)
        ]
    return render(
        request,
        "records/detail.html",
        {"record": record, "mentions": mentions, "versions": list(reversed(versions))},
    )


def _safe_name(name: str) -> str:
    base = Path(name).name or "upload.jsonl"
    return re.sub(r"[^A-Za-z0-9._-]", "_", base)[-200:]


@role_required(IMPORT_ROLES)
def records_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is imported whole or not at all while the request waits."""
    form = ImportForm(data=request.POST or None, files=request.FILES or None)
    errors = None
    name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = _safe_name(upload.name)
        with tempfile.TemporaryDirectory(prefix="shinealight-upload-") as folder:
            path = Path(folder) / name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                summary = records_import_file(path=path, acting_user=request.user)
            except ImportRejected as rejected:
                errors = rejected.errors
            else:
                return redirect("records-import-result", batch_id=summary.batch_id)
    context: dict[str, Any] = {"form": form, "name": name}
    if errors is not None:
        context.update(
            errors=errors[:ERRORS_SHOWN],
            error_count=len(errors),
            errors_hidden=max(0, len(errors) - ERRORS_SHOWN),
            bad_lines=len({e.line for e in errors}),
        )
    return render(request, "records/import.html", context)


@role_required(IMPORT_ROLES)
def records_import_result(request: HttpRequest, batch_id: int) -> HttpResponse:
    """What an import the user ran did: counts only, no case content."""
    batch = selectors.import_batch_get(user=request.user, batch_id=batch_id)
    if batch is None:
        raise Http404
    return render(request, "records/import_result.html", {"batch": batch, "s": batch.summary})


@role_required((Role.ADMINISTRATOR,))
def agencies_list(request: HttpRequest) -> HttpResponse:
    """The partnership's agencies."""
    return render(request, "records/agencies.html", {"agencies": selectors.agency_list()})


@role_required((Role.ADMINISTRATOR,))
def agency_new(request: HttpRequest) -> HttpResponse:
    """Register an agency; the service writes the audit entry."""
    form = AgencyForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = agency_create(acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"Agency {agency.code} registered")
        return redirect("admin-agencies")
    return render(request, "records/agency_new.html", {"form": form})
