"""This app's `shinealight` commands: `retention …`, `retention hold …` and `sar`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

retention_app = typer.Typer(
    help="Retention: review dates, deletion with tombstones, legal holds.", no_args_is_help=True
)
hold_app = typer.Typer(help="Legal holds: an inquiry's freeze on deletion.", no_args_is_help=True)
retention_app.add_typer(hold_app, name="hold")

AS_USER = typer.Option("--as", help="Your account (recorded as acting)")


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.add_typer(retention_app, name="retention")
    app.command("sar")(sar)


def _cli() -> Any:
    from shinealight import cli

    cli._need_database()
    return cli


def _person(cli: Any, username: str | None) -> Any:
    if not username:
        raise cli._fail("name yourself with --as USER: this is done by a named person")
    return cli._acting_user(username)


def _agency(cli: Any, code: str) -> Any:
    from shinealight.records.models import Agency

    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise cli._fail(f"no agency {code!r}")
    return agency


def _refusals(cli: Any) -> Any:
    from shinealight.retention.services import RetentionRefused

    class _Guard:
        def __enter__(self) -> None:
            return None

        def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
            if isinstance(exc, RetentionRefused):
                raise cli._fail(str(exc)) from None
            return False

    return _Guard()


@retention_app.command("classes")
def classes() -> None:
    """Show the retention classes, the default rules, and each agency's own settings."""
    cli = _cli()
    from shinealight.retention.models import AgencyRetention
    from shinealight.retention.schedule import schedule

    sched = schedule()
    table = Table(title=f"Retention classes ({sched.source})")
    for column in ("class", "what", "kept", "review again after"):
        table.add_column(column)
    for c in sched.classes.values():
        table.add_row(c.code, c.label, c.keep.describe(), f"{c.review_every_years} years")
    cli.console.print(table)
    rows = AgencyRetention.objects.select_related("agency", "set_by")
    if rows:
        mine = Table(title="Agencies' own settings")
        for column in ("agency", "event type", "class", "own period", "set by", "reason"):
            mine.add_column(column)
        for r in rows:
            own = ", ".join(f"{k}={v}" for k, v in r.overrides().items() if v) or "—"
            mine.add_row(
                r.agency.code,
                r.event_type or "*",
                r.retention_class,
                own,
                r.set_by.username,
                r.reason,
            )
        cli.console.print(mine)


@retention_app.command("set")
def set_class(
    agency: Annotated[str, typer.Option(help="The agency's code")],
    retention_class: Annotated[
        str, typer.Option("--class", help="A class from `retention classes`")
    ],
    reason: Annotated[str, typer.Option(help="Why (kept with the setting)")],
    event_type: Annotated[str, typer.Option(help="One event type; leave out for all")] = "",
    keep_years: Annotated[
        int | None, typer.Option(help="Own period: years after recording")
    ] = None,
    until_age: Annotated[int | None, typer.Option(help="Own period: until the child is N")] = None,
    fallback_years: Annotated[
        int | None, typer.Option(help="With --until-age: when no age")
    ] = None,
    review_every: Annotated[int | None, typer.Option(help="Years a decision to keep lasts")] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Set an agency's retention for one event type (or all of them)."""
    cli = _cli()
    from shinealight.retention.services import agency_retention_set

    with _refusals(cli):
        agency_retention_set(
            agency=_agency(cli, agency),
            event_type=event_type,
            retention_class=retention_class,
            reason=reason,
            keep_years=keep_years,
            until_age=until_age,
            fallback_years=fallback_years,
            review_every_years=review_every,
            acting_user=_person(cli, as_user),
        )
    cli.console.print(f"[green]Set[/] {agency} {event_type or 'all types'} → {retention_class}.")


@retention_app.command("schedule")
def schedule_command(
    agency: Annotated[str | None, typer.Option(help="One agency's code")] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Work out review dates for records that have none or whose basis changed. Safe to repeat."""
    cli = _cli()
    from shinealight.retention.services import retention_schedule_refresh

    summary = retention_schedule_refresh(
        acting_user=cli._acting_user(as_user), agency=_agency(cli, agency) if agency else None
    )
    cli.console.print(
        f"{summary.records:,} records; review dates worked out for {summary.worked_out:,}.",
        highlight=False,
    )


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give a date as YYYY-MM-DD") from None


@retention_app.command("review")
def review(
    agency: Annotated[str | None, typer.Option(help="List one agency's records due")] = None,
    on: Annotated[
        str | None, typer.Option(help="As on this date (YYYY-MM-DD), default today")
    ] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Records due for review by agency; with --agency, each record, its class and any hold."""
    cli = _cli()
    from django.db import transaction
    from django.utils import timezone

    from shinealight.audit.services import audit_log
    from shinealight.retention import selectors
    from shinealight.retention.services import retention_schedule_refresh

    acting = cli._acting_user(as_user)
    today = _parse_day(on) or timezone.localdate()
    chosen = _agency(cli, agency) if agency else None
    retention_schedule_refresh(acting_user=acting, agency=chosen, today=today)
    if chosen is None:
        counts = selectors.due_counts(today=today)
        table = Table(title=f"Records due for review on {today:%d %b %Y}")
        for column in ("agency", "due", "under legal hold", "deleted so far"):
            table.add_column(column, justify="left" if column == "agency" else "right")
        for row in counts:
            table.add_row(row["agency"], *(f"{row[k]:,}" for k in ("due", "held", "tombstones")))
        with transaction.atomic():
            audit_log(
                acting_user=acting,
                action="retention.review",
                object_type="agency",
                object_ids=[r["agency"] for r in counts],
                detail={"on": today, "counts": counts},
            )
        cli.console.print(table)
        return
    due = list(selectors.records_due(today=today, agency=chosen))
    held = selectors.holds_over([r.pk for r in due])
    table = Table(title=f"{chosen.code}: {len(due):,} record(s) due on {today:%d %b %Y}")
    for column in ("record", "type", "recorded", "class", "due", "why", "hold"):
        table.add_column(column)
    for r in due:
        table.add_row(
            r.record_id,
            r.event_type,
            f"{r.recorded_at:%Y-%m-%d}",
            r.retention.retention_class,
            f"{r.retention.review_due:%Y-%m-%d}",
            r.retention.basis,
            ", ".join(f"#{h}" for h in held.get(r.pk, [])) or "—",
        )
    with transaction.atomic():
        audit_log(
            acting_user=acting,
            action="retention.review",
            object_type="record",
            object_ids=[f"{chosen.code}/{r.record_id}" for r in due],
            detail={"on": today, "agency": chosen.code, "held": len(held)},
        )
    cli.console.print(table)


@retention_app.command("retain")
def retain(
    record: Annotated[str, typer.Argument(help="AGENCY/RECORD_ID")],
    reason: Annotated[str, typer.Option(help="Why it is kept")],
    years: Annotated[
        int | None, typer.Option(help="Keep for this long (default: the class's)")
    ] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Keep a record that is due: it is due for review again later, not deleted now."""
    cli = _cli()
    from shinealight.records.models import Record
    from shinealight.retention.services import record_retain

    code, _, record_id = record.partition("/")
    row = (
        Record.objects.filter(agency__code=code, record_id=record_id)
        .select_related("agency")
        .first()
    )
    if row is None:
        raise cli._fail(f"no record {record}")
    with _refusals(cli):
        rr = record_retain(
            record=row, reason=reason, years=years, acting_user=_person(cli, as_user)
        )
    cli.console.print(f"[green]Kept[/] {record}: due for review again on {rr.review_due:%d %b %Y}.")


@retention_app.command("apply")
def apply(
    agency: Annotated[str, typer.Option(help="The agency whose due records are deleted")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would go; delete nothing")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Records per transaction")] = 500,
    on: Annotated[
        str | None, typer.Option(help="As on this date (YYYY-MM-DD), default today")
    ] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Delete an agency's records that are due and under no legal hold, leaving tombstones."""
    cli = _cli()
    from shinealight.retention.services import retention_apply

    with _refusals(cli):
        result = retention_apply(
            agency=_agency(cli, agency),
            acting_user=_person(cli, as_user),
            dry_run=dry_run,
            batch_size=batch_size,
            today=_parse_day(on),
        )
    if dry_run:
        cli.console.print(
            f"[bold]Dry run[/]: {len(result.due) - len(result.held):,} record(s) would be deleted; "
            f"{len(result.held):,} due but under a legal hold.",
            highlight=False,
        )
        for ref in result.due:
            hold = result.held.get(ref)
            what = f"held by {', '.join(f'#{h}' for h in hold)}" if hold else "would be deleted"
            print(f"{ref}\t{what}")
        return
    cli.console.print(
        f"[green]Deleted[/] {len(result.deleted):,} record(s) in {result.batches} batch(es), "
        f"leaving tombstones; {len(result.held):,} due but held. "
        f"{len(result.alerts_closed)} alert(s) closed, {len(result.alerts_changed)} changed; "
        f"{len(result.entities_retired)} people or objects no longer on record.",
        highlight=False,
    )


@retention_app.command("tombstones")
def tombstones(
    agency: Annotated[str | None, typer.Option(help="One agency's code")] = None,
) -> None:
    """What was deleted, when, under which class and on whose authority (no content)."""
    cli = _cli()
    from shinealight.retention.models import Tombstone

    rows = Tombstone.objects.select_related("agency", "authorised_by")
    if agency:
        rows = rows.filter(agency__code=agency)
    table = Table(title="Tombstones")
    for column in ("agency", "record", "type", "recorded", "class", "deleted", "authorised by"):
        table.add_column(column)
    for t in rows:
        table.add_row(
            t.agency.code,
            t.record_id,
            t.event_type,
            f"{t.recorded_on:%Y-%m-%d}",
            t.retention_class,
            f"{t.deleted_at:%Y-%m-%d %H:%M}",
            t.authorised_by.username,
        )
    cli.console.print(table)


@hold_app.command("create")
def hold_create(
    name: Annotated[str, typer.Option(help="The inquiry or matter")],
    reason: Annotated[str, typer.Option(help="Why deletion must stop")],
    agency: Annotated[str | None, typer.Option(help="Scope: one agency's records")] = None,
    area: Annotated[str | None, typer.Option(help="Scope: one area")] = None,
    entity: Annotated[
        list[str] | None, typer.Option(help="Scope: a person or object id (repeat)")
    ] = None,
    recorded_from: Annotated[
        str | None, typer.Option("--from", help="Scope: recorded on or after")
    ] = None,
    recorded_to: Annotated[
        str | None, typer.Option("--to", help="Scope: recorded on or before")
    ] = None,
    whole_partnership: Annotated[bool, typer.Option(help="Freeze every deletion")] = False,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Place a legal hold: no record in its scope is deleted until it is released."""
    cli = _cli()
    from shinealight.retention.services import legal_hold_create

    with _refusals(cli):
        hold = legal_hold_create(
            name=name,
            reason=reason,
            agency=_agency(cli, agency) if agency else None,
            area=area or "",
            entity_ids=entity or [],
            recorded_from=_parse_day(recorded_from),
            recorded_to=_parse_day(recorded_to),
            whole_partnership=whole_partnership,
            acting_user=_person(cli, as_user),
        )
    cli.console.print(f"[green]Hold #{hold.pk} placed[/]: {hold.name}.")


@hold_app.command("list")
def hold_list(
    all_: Annotated[bool, typer.Option("--all", help="Released holds too")] = False,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """The legal holds in force (and, with --all, released ones)."""
    cli = _cli()
    from django.db import transaction

    from shinealight.audit.services import audit_log
    from shinealight.retention.models import LegalHold

    holds = LegalHold.objects.select_related("agency", "created_by").order_by("pk")
    if not all_:
        holds = holds.filter(released_at__isnull=True)
    table = Table(title="Legal holds")
    for column in ("#", "name", "scope", "placed by", "placed", "released"):
        table.add_column(column)
    for h in holds:
        scope = ", ".join(f"{k}={v}" for k, v in h.scope().items() if v) or "—"
        table.add_row(
            str(h.pk),
            h.name,
            scope,
            h.created_by.username,
            f"{h.created_at:%Y-%m-%d}",
            f"{h.released_at:%Y-%m-%d}" if h.released_at else "in force",
        )
    with transaction.atomic():
        audit_log(
            acting_user=cli._acting_user(as_user),
            action="retention.hold_list",
            object_type="legal_hold",
            object_ids=[h.pk for h in holds],
        )
    cli.console.print(table)


@hold_app.command("release")
def hold_release(
    hold_id: Annotated[int, typer.Argument(help="The hold's number")],
    reason: Annotated[str, typer.Option(help="Why the hold ends")],
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Release a legal hold: its records may be deleted again when due."""
    cli = _cli()
    from shinealight.retention.models import LegalHold
    from shinealight.retention.services import legal_hold_release

    hold = LegalHold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise cli._fail(f"no hold #{hold_id}")
    with _refusals(cli):
        legal_hold_release(hold=hold, reason=reason, acting_user=_person(cli, as_user))
    cli.console.print(f"[green]Hold #{hold_id} released.[/]")


def sar(
    entity: Annotated[str, typer.Option(help="The person's entity id, e.g. P-0000012")],
    out: Annotated[Path, typer.Option(help="The zip file to write")],
    reference: Annotated[str, typer.Option(help="The request's reference (audited)")],
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Subject access export: everything about one person, third parties redacted."""
    cli = _cli()
    from shinealight.people.models import ResolvedEntity
    from shinealight.retention.subject_access import subject_access_export

    if out.exists():
        raise cli._fail(f"{out} exists already; choose a new file name")
    try:
        with _refusals(cli):
            export = subject_access_export(
                entity_id=entity, acting_user=_person(cli, as_user), reference=reference
            )
    except ResolvedEntity.DoesNotExist:
        raise cli._fail(f"no person {entity!r}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(export.content)
    withheld = len(export.data["withheld_for_review"])
    cli.console.print(
        f"[green]Wrote[/] {out}: {len(export.data['records'])} record(s), "
        f"{len(export.data['alerts'])} alert(s), {len(export.data['risk_judgements'])} "
        f"judgement(s); {withheld} record(s) withheld for manual review. sha256 {export.sha256}",
        highlight=False,
        soft_wrap=True,
    )
