"""This app's `shinealight` commands: `access refresh`."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()
access_app = typer.Typer(help="Need-to-know access.", no_args_is_help=True)


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    app.add_typer(access_app, name="access")


@access_app.command("refresh")
def refresh() -> None:
    """Rebuild which agencies have recorded which children (the need-to-know table).

    Imports, merges and batch linkage runs keep it up to date; run this after loading
    with `SHINEALIGHT_ANALYSE_ON_IMPORT=0` and linking by hand, or to check it.
    """
    from shinealight.cli import _need_database

    _need_database()
    from django.db import transaction

    from shinealight.access.models import AgencyChildKnowledge
    from shinealight.access.services import child_knowledge_refresh

    with transaction.atomic():
        child_knowledge_refresh()
    console.print(
        f"[green]Rebuilt[/] agency-child knowledge: {AgencyChildKnowledge.objects.count():,} rows."
    )
