"""`shinealight export network` and `shinealight export alert`, registered by `shinealight.cli`.

Both run as a named account (`--as`): the file holds only what that account may export,
and the audit trail records the export against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from shinealight.core.exports import FORMATS

FORMAT_HELP = "; ".join(f"{f.name}: {f.label}" for f in FORMATS.values())


def _check(fmt: str, depth: int = 1) -> None:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format is one of {', '.join(FORMATS)}")
    if depth not in (1, 2):
        raise typer.BadParameter("--depth is 1 or 2")


def _write(found: Any, out: Path, what: str) -> None:
    from shinealight import cli

    if found is None:
        raise cli._fail(f"{what}: not found, or not one this account may see", code=2)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(found.content)
    cli.console.print(
        f"Wrote {out} ({len(found.content):,} bytes, {len(found.records):,} records). "
        "The export is in the audit trail."
    )


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add `export network` and `export alert` to the `shinealight` command."""
    from shinealight import cli

    @export_app.command("network")
    def export_network(
        entity: Annotated[str, typer.Option("--entity", help="Entity id, e.g. P-0000001")],
        fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)],
        out: Annotated[Path, typer.Option(help="File to write")],
        as_user: Annotated[str, typer.Option("--as", help="Account whose access applies")],
        depth: Annotated[int, typer.Option(help="Steps out from the entity: 1 or 2")] = 1,
        purpose: Annotated[str, typer.Option(help="Why (kept in the audit trail)")] = "",
    ) -> None:
        """Write an entity's network (i2 ANX, GEXF, GraphML, FollowTheMoney or CSV)."""
        _check(fmt, depth)
        cli._need_database()
        from shinealight.exports.services import export_network as make

        found = make(
            acting_user=cli._acting_user(as_user),
            entity_id=entity,
            fmt=fmt,
            depth=depth,
            purpose=purpose or "shinealight export network",
        )
        _write(found, out, f"entity {entity}")

    @export_app.command("alert")
    def export_alert(
        alert: Annotated[int, typer.Option("--alert", help="Alert number")],
        fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)],
        out: Annotated[Path, typer.Option(help="File to write")],
        as_user: Annotated[str, typer.Option("--as", help="Account whose access applies")],
        purpose: Annotated[str, typer.Option(help="Why (kept in the audit trail)")] = "",
    ) -> None:
        """Write an alert's network: its evidence records and who and what they mention."""
        _check(fmt)
        cli._need_database()
        from shinealight.exports.services import export_alert as make

        found = make(
            acting_user=cli._acting_user(as_user),
            pk=alert,
            fmt=fmt,
            purpose=purpose or "shinealight export alert",
        )
        _write(found, out, f"alert {alert}")
