"""This app's `shinealight` commands, registered by `shinealight.cli`."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

DEFAULT_LABELLED = Path("tests/data/extraction")


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    app.command("extract")(extract)
    evaluate_app.command("extraction")(evaluate_extraction)


def extract(
    file: Annotated[
        str, typer.Argument(help="Plain text, one note a line; - for standard input")
    ] = "-",
    gazetteer: Annotated[
        Path | None,
        typer.Option(help="Names already known to the partnership, one a line"),
    ] = None,
) -> None:
    """Find plates, phones, postcodes, e-mails, handles, NHS numbers and names in notes.

    Prints JSON Lines, one a note: {"line": n, "items": [{"kind", "text", "normalised",
    "start", "end"}]}. Offsets count characters of the line.
    """
    from shinealight.core.extract import Gazetteer
    from shinealight.core.extract import extract as run

    known = None
    if gazetteer is not None:
        known = Gazetteer.from_names(gazetteer.read_text(encoding="utf-8").splitlines())
    stream = sys.stdin if file == "-" else Path(file).open(encoding="utf-8")
    try:
        for number, line in enumerate(stream, start=1):
            note = line.rstrip("\r\n")
            items = [item.as_dict() for item in run(note, gazetteer=known)]
            sys.stdout.write(
                json.dumps({"line": number, "items": items}, ensure_ascii=False) + "\n"
            )
    finally:
        if stream is not sys.stdin:
            stream.close()


def _labelled(path: Path) -> list[Any]:
    from shinealight.core.extract import parse_labelled

    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    notes = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                notes.append(parse_labelled(line, source=f"{file.name}:{number}"))
    return notes


def _world(world: Path | None, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    import tempfile

    from shinealight.core.simulate import SimulationConfig, simulate

    if world is None:
        out = Path(tempfile.mkdtemp(prefix="shinealight-extract-eval-"))
        simulate(SimulationConfig.preset("default", seed=seed), out)
        world = out
    with gzip.open(world / "records.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    truth_path = world / "truth.json"
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else {}
    return records, truth


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def evaluate_extraction(
    labelled: Annotated[
        Path, typer.Option(help="Hand-labelled notes: a .txt file or a directory of them")
    ] = DEFAULT_LABELLED,
    world: Annotated[
        Path | None,
        typer.Option(help="A simulated world (records.jsonl.gz); default: simulate one now"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the world simulated when none is given")] = 1,
    errors: Annotated[
        bool, typer.Option("--errors", help="List every miss and false find")
    ] = False,
) -> None:
    """Precision and recall of free-text extraction per kind, on hand-labelled notes and on
    the simulator's summaries. Goals: plates, phones, postcodes recall ≥ 0.98, precision ≥ 0.95."""
    from rich.console import Console
    from rich.table import Table

    from shinealight.core.extract import KINDS, Gazetteer, extract, score, simulated_notes

    console = Console()
    if not labelled.exists():
        console.print(f"[red]No labelled notes at {labelled}[/] (run from the repository root).")
        raise typer.Exit(1)
    hand = _labelled(labelled)
    records, truth = _world(world, seed)
    simulated = simulated_notes(records, truth=truth)
    # As in production, names the partnership already holds (structured person names and
    # aliases) form the gazetteer for the simulated world's notes.
    known = Gazetteer.from_names(
        str(n)
        for r in records
        for p in r.get("persons") or ()
        for n in [p.get("name"), *(p.get("aliases") or [])]
        if n
    )
    sets = [
        ("hand-labelled notes", hand, lambda text: extract(text), KINDS),
        (
            "simulator summaries",
            simulated,
            lambda text: extract(text, gazetteer=known),
            ("vrm", "phone", "postcode", "email", "handle", "nhs_number"),
        ),
    ]
    failed = False
    for title, notes, run, kinds in sets:
        scores = score(notes, run, kinds=kinds)
        table = Table(title=f"{title} ({len(notes):,} notes)")
        for column in ("kind", "labelled", "found", "right", "precision", "recall"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for kind, s in scores.items():
            table.add_row(
                kind,
                str(s.gold),
                str(s.found),
                str(s.true_positives),
                _fmt(s.precision),
                _fmt(s.recall),
            )
            if kind in ("vrm", "phone", "postcode") and s.gold:
                if (s.recall or 0) < 0.98 or (s.precision or 0) < 0.95:
                    failed = True
        console.print(table)
        if errors:
            for s in scores.values():
                for note, what, item in s.wrong:
                    console.print(
                        f"  {s.kind:<10} {what:<6} {item!r:<40} in {note!r}", highlight=False
                    )
    if title and failed:
        console.print("[yellow]Below the goal for plates, phones or postcodes.[/]")
