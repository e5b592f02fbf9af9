"""This app's `shinealight` commands, registered by `shinealight.cli`."""

from __future__ import annotations

import os
import socket
import time
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.command("escalate")(escalate)
    app.command("digest")(digest)
    app.command("worker")(worker)


def escalate(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Account to record as acting (default: system)")
    ] = None,
) -> None:
    """Escalate overdue acknowledgements, decisions and actions. Run it from cron; safe to repeat.

    Overdue work goes to the owner's manager, then (if still overdue) to the partnership's
    oversight role. Each step happens once, is audited, and stays open until the work is done.
    """
    from shinealight import cli

    cli._need_database()
    from shinealight.cases.services import ESCALATION_RUN, escalations_process

    acting = cli._acting_user(as_user) if as_user else ESCALATION_RUN
    run = escalations_process(acting_user=acting)
    figures = run.as_dict()
    console.print(
        f"Checked {figures['overdue_checked']} overdue timer(s): "
        f"{figures['escalated_to_manager']} escalated to a manager, "
        f"{figures['escalated_to_oversight']} to oversight.",
        highlight=False,
    )


def digest() -> None:
    """Queue each person's daily e-mail: unread notifications and overdue work. Run it daily.

    Counts and links only, never case content. A second run the same day queues nothing;
    `shinealight worker` sends them.
    """
    from shinealight import cli

    cli._need_database()
    from shinealight.cases.services import notifications_digest

    run = notifications_digest()
    console.print(
        f"Queued {len(run.queued)} digest(s); {run.already_queued} already queued today.",
        highlight=False,
    )


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run the tasks due now, then stop (for cron)")
    ] = False,
    poll: Annotated[float, typer.Option(help="Seconds to wait when nothing is due")] = 5.0,
) -> None:
    """Run background tasks (e-mail) from the database queue. Several workers may run at once."""
    from shinealight import cli

    cli._need_database()
    from shinealight.cases.services import tasks_work

    name = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        run = tasks_work(worker=name)
        if once:
            console.print(f"Ran {run.done} task(s); {run.failed} failed.", highlight=False)
            return
        if run.done + run.failed == 0:
            time.sleep(poll)
