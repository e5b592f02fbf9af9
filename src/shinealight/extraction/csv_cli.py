"""`shinealight import --mapping FILE.yaml data.csv [--dry-run]`, called from `shinealight.cli`."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table


def import_csv(
    files: list[Path], mapping: Path | None, *, dry_run: bool, as_user: str | None
) -> int:
    """Import (or with `dry_run` only check) CSV files through a mapping; the exit code."""
    from shinealight import cli
    from shinealight.records.csv_mapping import MappingInvalid, as_text, csv_dry_run, load_mapping

    if mapping is None:
        cli.err.print(
            "[bold red]Error:[/] --dry-run needs --mapping FILE.yaml "
            "(JSON Lines files have no dry run)."
        )
        return 2
    try:
        load_mapping(mapping)
    except (MappingInvalid, OSError) as exc:
        cli.err.print(f"[bold red]Error:[/] the mapping {mapping} is not usable: {exc}")
        return 2
    ok = True
    for path in files:
        if not path.exists():
            cli.err.print(f"[bold red]{path}[/]: no such file")
            ok = False
            continue
        if dry_run:
            result = csv_dry_run(path=path, mapping_path=mapping)
            cli.console.print(
                f"[bold]{path.name}[/]: {result.rows:,} rows; first rows as they would be stored:"
            )
            for sample in result.sample:
                cli.console.print(as_text(sample), highlight=False, soft_wrap=True)
            if result.errors:
                table = Table(
                    title=f"{path.name}: {len(result.errors)} problem(s)", title_style="bold red"
                )
                for column in ("line", "field", "reason"):
                    table.add_column(column)
                for e in result.errors:
                    table.add_row(str(e.line), e.field or "—", e.reason)
                cli.console.print(table)
                ok = False
            else:
                cli.console.print("[green]No problems found.[/] Nothing was written (dry run).")
            continue
        cli._need_database()
        from shinealight.records.csv_mapping import csv_import
        from shinealight.records.services import ImportRejected

        try:
            summary = csv_import(
                path=path, mapping_path=mapping, acting_user=cli._acting_user(as_user)
            )
        except ImportRejected as exc:
            cli._print_rejection(exc)
            ok = False
            continue
        cli._print_summary(summary)
    return 0 if ok else 1
