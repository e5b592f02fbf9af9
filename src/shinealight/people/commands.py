"""This app's `shinealight` commands, registered by `shinealight.cli`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.command("link")(link)
    export_app.command("entities")(export_entities)
    evaluate_app.command("linkage")(evaluate_linkage)


def link(
    report: Annotated[
        bool, typer.Option("--report", help="Print the person model's parameters")
    ] = False,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark")] = "duckdb",
    train: Annotated[
        bool | None,
        typer.Option(
            "--train/--no-train",
            help="Estimate a new model version from the data (default: when enough mentions)",
        ),
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Account to record")] = None,
) -> None:
    """Resolve every mention into people, vehicles, phones, accounts and places (batch)."""
    from shinealight.cli import _acting_user, _fail, _need_database

    _need_database()
    from shinealight.people.services import current_model, linkage_run_batch

    if engine not in ("duckdb", "spark"):
        raise _fail(f"unknown engine {engine!r}: expected duckdb or spark")
    with err.status("Linking…") as status:
        run = linkage_run_batch(
            acting_user=_acting_user(as_user),
            engine=engine,
            train=train,
            progress=lambda text: status.update(f"Linking: {text}"),
        )
    s = run.summary
    table = Table(title=f"Linkage run {run.pk} ({engine})", show_header=False)
    table.add_row("person mentions", f"{s['person_mentions']:,}")
    table.add_row("resolved people", f"{s['people']:,}")
    table.add_row("links / pairs for review", f"{s['links']:,} / {s['review_pairs']:,}")
    table.add_row("review items opened", f"{s['reviews_opened']:,}")
    table.add_row("reviewer decisions applied", f"{s['decisions_applied']:,}")
    table.add_row("lone-name links not bridging two people", f"{s.get('links_not_bridged', 0):,}")
    if common := s.get("blocking_keys_too_common"):
        # docs/linkage.md: such keys pair no one; their mentions meet through other keys.
        shared = ", ".join(f"{n:,} of {rule}" for rule, n in common.items())
        table.add_row("keys too common to pair by", shared)
    for kind, n in s["objects"].items():
        table.add_row(f"{kind} entities", f"{n:,}")
    table.add_row("person model version", str(s["model_version"]))
    console.print(table)
    if report:
        stored, model = current_model()
        _print_model(model.as_dict(), stored.version if stored else None)


def _print_model(data: dict, version: int | None) -> None:  # type: ignore[type-arg]
    console.print(
        f"[bold]Person model v{version}[/] ({data['source']}, {data['trained_on']:,} mentions); "
        f"prior {data['prior']:.3g}; link at weight ≥ {data['thresholds']['link']}, "
        f"review at ≥ {data['thresholds']['review']}"
    )
    table = Table("comparison", "level", "m", "u", "weight")
    for comparison in data["comparisons"]:
        for level in comparison["levels"]:
            if level["is_null"]:
                continue
            table.add_row(
                comparison["name"],
                level["label"],
                f"{level['m']:.4f}",
                f"{level['u']:.5f}",
                f"{level['weight']:+.2f}",
            )
    console.print(table)
    for column, count in (data.get("term_frequency_values") or {}).items():
        console.print(f"  term frequencies of {column}: {count:,} values")
    for note in data["notes"]:
        console.print(f"  note: {note}")


def export_entities(
    out: Annotated[Path, typer.Option(help="JSON Lines file to write")],
    as_user: Annotated[str | None, typer.Option("--as", help="Account to record")] = None,
) -> None:
    """Write every resolved entity with its mentions, one JSON object a line."""
    from shinealight.cli import _acting_user, _need_database

    _need_database()
    from django.db import transaction

    from shinealight.audit.services import audit_log
    from shinealight.people.selectors import entities_for_export

    entities = entities_for_export()
    with transaction.atomic():
        audit_log(
            acting_user=_acting_user(as_user),
            action="entities.export",
            object_type="entity",
            detail={"file": str(out), "entities": len(entities)},
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stream:
        for entity in entities:
            stream.write(json.dumps(entity, ensure_ascii=False) + "\n")
    console.print(f"[green]Wrote[/] {len(entities):,} entities to {out}")


def evaluate_linkage(
    truth: Annotated[Path, typer.Option(help="truth.json beside the simulated records")],
) -> None:
    """Score the resolved people against ground truth: pairwise P/R/F1 and B-cubed F1."""
    from shinealight.cli import _fail, _need_database

    _need_database()
    from shinealight.core.linkage import score_clusters
    from shinealight.people.selectors import person_assignment

    if not truth.exists():
        raise _fail(f"no such file: {truth}")
    people = json.loads(truth.read_text())["people"]
    scores = score_clusters(person_assignment(), people)
    table = Table(title="Person linkage against ground truth", show_header=False)
    table.add_row("mentions scored", f"{scores.mentions:,}")
    table.add_row(
        "true pairs / predicted pairs", f"{scores.true_pairs:,} / {scores.predicted_pairs:,}"
    )
    table.add_row("pairwise precision", f"{scores.precision:.4f}")
    table.add_row("pairwise recall", f"{scores.recall:.4f}")
    table.add_row("pairwise F1", f"{scores.f1:.4f}")
    table.add_row(
        "B-cubed precision / recall", f"{scores.bcubed_precision:.4f} / {scores.bcubed_recall:.4f}"
    )
    table.add_row("B-cubed F1", f"{scores.bcubed_f1:.4f}")
    console.print(table)
