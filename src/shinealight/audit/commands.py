"""This app's `shinealight` commands: `audit export` (the consultation log, as JSON Lines)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add `audit export` to the `shinealight audit` group."""
    from shinealight.cli import audit_app

    audit_app.command("export")(audit_export)


def _moment(text: str | None, *, end: bool) -> datetime | None:
    """A date (the whole day, in the partnership's time zone) or a date and time."""
    from django.utils import timezone

    if not text:
        return None
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD) or date and time") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def audit_export(
    out: Annotated[Path, typer.Option("--out", help="JSON Lines file to write")],
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD) or moment, inclusive")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD, inclusive) or moment")
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Account to record")] = None,
) -> None:
    """Write the audit trail (or a period of it) as JSON Lines, one event a line, with its
    hashes so the copy can be checked against the chain. The export is itself audited."""
    from shinealight.cli import _acting_user, _need_database

    _need_database()
    from django.db import transaction

    from shinealight.audit.models import AuditEvent
    from shinealight.audit.selectors import events_between, iter_events
    from shinealight.audit.services import audit_log

    since, until = _moment(start, end=False), _moment(end, end=True)
    # The events as they stand now: the export's own event, written next, is not in it.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    events = events_between(since, until).filter(seq__lte=last)
    count = events.count()
    with transaction.atomic():
        audit_log(
            acting_user=_acting_user(as_user),
            action="audit.export",
            object_type="audit_event",
            purpose="Audit export",
            detail={
                "file": str(out),
                "from": since.isoformat() if since else None,
                "to": until.isoformat() if until else None,
                "events": count,
            },
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("w", encoding="utf-8") as stream:
        for row in iter_events(events):
            stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            written += 1
    console.print(f"[green]Wrote[/] {written:,} audit events to {out}")
