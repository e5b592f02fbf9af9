"""This app's `shinealight` commands, registered by `shinealight.cli`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.command("escalate")(escalate)


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
