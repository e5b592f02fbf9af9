"""Record pages: the list with filters, one record with its mentions and history, file import,
and the administrator's agency pages. Every read of case content is audited as the API's is.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shinealight.access.visibility import holds_break_glass
from shinealight.accounts.decorators import role_required
from shinealight.accounts.roles import CASE_ROLES, Role
from shinealight.audit.services import audit_log
from shinealight.core.exports.tables import spreadsheet_safe
from shinealight.records import import_jobs, selectors
from shinealight.records.forms import AgencyForm, ImportForm, RecordFilterForm
from shinealight.records.jobs import ImportJob
from shinealight.records.services import agency_create

PAGE_SIZE = 50
# A rejected import's problems, a page at a time; the CSV download has them all.
ERRORS_PER_PAGE = 200
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


@role_required(CASE_ROLES, or_if=holds_break_glass)
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


@role_required(IMPORT_ROLES)
def records_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is imported in the background and its job page follows it."""
    form = ImportForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.import_job_start(
            upload=form.cleaned_data["file"], acting_user=request.user
        )
        # The import may already hold the database's write lock (SQLite).
        _keep_session_as_it_was(request)
        return redirect("records-import-job", job_id=job.pk)
    import_jobs.import_jobs_sweep(user=request.user)
    jobs = selectors.import_jobs_for(user=request.user)
    return render(request, "records/import.html", {"form": form, "jobs": jobs})


def _keep_session_as_it_was(request: HttpRequest) -> None:
    """Do not save (and so renew) the session at the end of this request.

    Pages that refresh themselves must not keep a session alive: a screen left on an
    import's progress on a shared office PC would never time out. On SQLite, saving the
    session would also wait behind the running import's write lock.
    """
    session = getattr(request, "session", None)
    if session is not None:
        session.save = lambda *args, **kwargs: None


def _job_or_404(request: HttpRequest, job_id: UUID, *, with_errors: bool = False) -> ImportJob:
    import_jobs.import_jobs_sweep(user=request.user)
    job = selectors.import_job_get(user=request.user, job_id=job_id, with_errors=with_errors)
    if job is None:
        raise Http404
    return job


def _page_numbers(current: int, count: int) -> list[int | None]:
    """GOV.UK pagination's items: first, last, and the current page with its neighbours;
    None where pages are left out."""
    wanted = sorted({1, count, current - 1, current, current + 1} & set(range(1, count + 1)))
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@role_required(IMPORT_ROLES)
def import_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """An import the user started: its progress, then what it did or every problem found."""
    job = _job_or_404(request, job_id, with_errors=True)
    context: dict[str, Any] = {"job": job, "live": import_jobs.import_job_live_status(job)}
    if job.running:
        _keep_session_as_it_was(request)
        context["auto_refresh"] = request.GET.get("refresh") != "off"
    elif job.status == ImportJob.Status.DONE and job.batch is not None:
        context.update(batch=job.batch, s=job.batch.summary)
    elif job.status == ImportJob.Status.REJECTED:
        page = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            first=page.start_index(),
            last=page.end_index(),
            page_numbers=_page_numbers(page.number, page.paginator.num_pages),
        )
    return render(request, "records/import_job.html", context)


@role_required(IMPORT_ROLES)
def import_job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The job's progress as JSON, for the job page's script to poll."""
    _keep_session_as_it_was(request)
    job = _job_or_404(request, job_id)
    response = JsonResponse(import_jobs.import_job_live_status(job))
    response["Cache-Control"] = "no-store"
    return response


@role_required(IMPORT_ROLES)
def import_job_errors_csv(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Every problem kept for a rejected import, as CSV: file, line, field, problem."""
    job = _job_or_404(request, job_id, with_errors=True)
    if job.status != ImportJob.Status.REJECTED:
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "line", "field", "problem"])
    for line, field, reason in job.errors:
        # A problem can quote the file's own text; a spreadsheet must not run it.
        writer.writerow([spreadsheet_safe(v) for v in (job.name, line, field, reason)])
    if job.errors_not_kept:
        writer.writerow(["", "", "", f"{job.errors_not_kept} more problems were not kept"])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    stem = job.name.removesuffix(".gz").removesuffix(".jsonl")
    response["Content-Disposition"] = f'attachment; filename="{stem}-problems.csv"'
    return response


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
