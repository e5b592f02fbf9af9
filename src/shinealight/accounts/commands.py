"""This app's `shinealight` commands, registered by `shinealight.cli`: second factors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()
two_factor_app = typer.Typer(
    help="Authenticator apps (the second factor at sign-in).", no_args_is_help=True
)


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.add_typer(two_factor_app, name="two-factor")
    two_factor_app.command("reset")(reset)
    two_factor_app.command("code")(code)


def reset(
    username: str,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Account to record as acting (default: you)")
    ] = None,
) -> None:
    """Remove a user's authenticator app and recovery codes (a lost or replaced phone).

    They set up a new app at their next sign-in, with their password alone: confirm who is
    asking before you reset, and set a new password too if it may be known to anyone else.
    """
    from shinealight import cli

    cli._need_database()
    from shinealight.accounts.models import User
    from shinealight.accounts.services import two_factor_reset

    user = User.objects.filter(username=username).first()
    if user is None:
        raise cli._fail(f"no user {username!r}")
    removed = two_factor_reset(acting_user=cli._acting_user(as_user), user=user)
    console.print(
        f"Reset {username}'s second factor ({removed} removed): they set up an authenticator "
        "app at their next sign-in.",
        highlight=False,
    )


def code(key: str) -> None:
    """Print the code an authenticator app would show now for KEY (for demos and testing).

    It reads nothing from the database: it is the same arithmetic as the app, for people
    trying the demo without a phone to hand.
    """
    from shinealight import cli

    cli._setup_django()
    from shinealight.accounts import two_factor

    secret = key.replace(" ", "").upper()
    try:
        console.print(two_factor.code_for(secret), highlight=False)
    except (ValueError, TypeError):
        raise cli._fail("that is not an authenticator key (letters A-Z and digits 2-7)") from None
