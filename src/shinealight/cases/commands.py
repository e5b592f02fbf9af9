"""This app's `shinealight` commands, registered by `shinealight.cli`."""

from __future__ import annotations

import typer


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
