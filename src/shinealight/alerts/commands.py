"""This app's `shinealight` commands, registered by `shinealight.cli`.

`analyse` runs the rules over the whole partnership; `replay` loads a history step by step
into a fresh database to answer "when would we have known?"; `export alerts` writes the
alerts as JSON Lines; `evaluate detection` scores them against a simulated world's truth,
beside a siloed baseline.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

ENTITIES_HELP = (
    "people: the people app's resolved entities (the product); oracle: truth.json's identities "
    "(development and evaluation only)"
)


def _parse_step(text: str) -> timedelta:
    units = {"d": 1, "w": 7}
    try:
        return timedelta(days=int(text[:-1]) * units[text[-1]])
    except (KeyError, ValueError):
        raise typer.BadParameter("give a number of days or weeks, e.g. 30d or 4w") from None


def _resolver(entities: str, truth: Path | None) -> Any:
    from shinealight.alerts.entities import OracleResolver, PeopleTablesResolver

    if entities == "oracle":
        if truth is None:
            raise typer.BadParameter("--entities oracle needs --truth truth.json")
        return OracleResolver(truth)
    if entities != "people":
        raise typer.BadParameter("--entities is people or oracle")
    return PeopleTablesResolver()


def _record_files(source: Path) -> list[Path]:
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
        if not files:
            raise typer.BadParameter(f"no .jsonl or .jsonl.gz files in {source}")
        return files
    return [source]


def export_alert_rows() -> list[dict[str, Any]]:
    """Every stored alert in the export format, oldest first (a system read)."""
    from django.db.models import Prefetch

    from shinealight.alerts.models import Alert, AlertEvidence

    ids = list(Alert.objects.order_by("first_data_time", "id").values_list("pk", flat=True))
    rows = []
    # In chunks: SQLite refuses one query over every alert's evidence in a large store.
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        alerts = (
            Alert.objects.filter(pk__in=chunk)
            .prefetch_related(
                "subjects",
                Prefetch(
                    "evidence",
                    queryset=AlertEvidence.objects.select_related("record", "record__agency"),
                ),
            )
            .order_by("first_data_time", "id")
        )
        rows.extend(_export_rows(alerts))
    return rows


def _export_rows(alerts: Any) -> list[dict[str, Any]]:
    rows = []
    for alert in alerts:
        evidence = sorted(alert.evidence.all(), key=lambda e: (e.record.recorded_at, e.record_id))
        rows.append(
            {
                "alert_id": str(alert.pk),
                "rule": alert.rule,
                "raised_at": alert.first_data_time.isoformat(),
                "severity": alert.severity,
                "persons": [
                    {
                        "entity_id": s.entity_id,
                        "role": s.role,
                        "since": (s.since or alert.first_data_time).isoformat(),
                    }
                    for s in alert.subjects.all()
                    if s.kind == "person" and s.role in ("child", "suspect", "associate")
                ],
                "objects": [
                    {"kind": s.kind, "key": s.entity_id}
                    for s in alert.subjects.all()
                    if s.kind != "person"
                ],
                "evidence": [f"{e.record.agency.code}/{e.record.record_id}" for e in evidence],
                "explanation": alert.explanation,
            }
        )
    return rows


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")


def _entity_rows(resolver: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The person entities alerts name, with their mentions (the `export entities` shape)."""
    named = sorted({p["entity_id"] for r in rows for p in r["persons"]})
    if getattr(resolver, "name", "") == "people":
        # The product's entities exactly as `export entities` writes them, plus the
        # mentions no entity holds yet that alerts name on their own.
        from shinealight.people.selectors import entities_for_export

        everything = entities_for_export()
        known = {e["entity_id"] for e in everything}
        alone = [e for e in named if e not in known]
        return everything + [
            {"entity_id": e, "kind": "person", "mentions": m}
            for e, m in sorted(resolver.mentions_of(alone).items())
        ]
    mentions = resolver.mentions_of(named)
    return [
        {"entity_id": e, "kind": "person", "mentions": sorted(mentions.get(e, []))} for e in named
    ]


def register(app: typer.Typer, evaluate_app: typer.Typer, export_app: typer.Typer) -> None:
    """Add this app's commands to the `shinealight` command and its sub-commands."""
    from shinealight import cli

    @app.command()
    def analyse(
        as_user: Annotated[str | None, typer.Option("--as", help="Account to record")] = None,
        entities: Annotated[str, typer.Option(help=ENTITIES_HELP)] = "people",
        truth: Annotated[
            Path | None, typer.Option(help="truth.json, for --entities oracle")
        ] = None,
    ) -> None:
        """Run every alert rule over the whole partnership; raise and grow alerts."""
        cli._need_database()
        from shinealight.alerts.services import alerts_analyse

        with cli.console.status("Analysing the partnership…"):
            summary = alerts_analyse(
                acting_user=cli._acting_user(as_user),
                entity_resolver=_resolver(entities, truth),
                purpose="shinealight analyse",
            )
        data = summary.as_dict()
        cli.console.print(
            f"Analysed {data['records']:,} records ({data['resolver']} entities) in "
            f"{data['seconds']:.1f} s: {data['findings']:,} patterns, "
            f"[green]{data['created']:,} new alerts[/], {data['grown']:,} grown, "
            f"{data['unchanged']:,} unchanged."
        )

    @app.command()
    def replay(
        source: Annotated[Path, typer.Argument(help="A records file, or a directory of them")],
        out: Annotated[Path, typer.Option(help="Directory for alerts.jsonl and entities.jsonl")],
        step: Annotated[str, typer.Option(help="Data time per step: 30d, 2w…")] = "30d",
        entities: Annotated[str, typer.Option(help=ENTITIES_HELP)] = "people",
        truth: Annotated[
            Path | None, typer.Option(help="truth.json, for --entities oracle")
        ] = None,
        siloed: Annotated[
            bool, typer.Option(help="Also write alerts-siloed.jsonl: each agency on its own")
        ] = True,
    ) -> None:
        """Load records in recorded_at order into a fresh database, analysing at each step."""
        files = _record_files(source)
        delta = _parse_step(step)
        if truth is None and entities == "oracle" and source.is_dir():
            truth = source / "truth.json"
        out.mkdir(parents=True, exist_ok=True)
        database = out / "replay.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        # A fresh embedded database, never the partnership's own.
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        cli._setup_django()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from shinealight.alerts.entities import use_resolver
        from shinealight.alerts.replay import replay_records

        chosen = _resolver(entities, truth)
        use_resolver(chosen)
        try:
            result = replay_records(
                files=files,
                step=delta,
                resolver=chosen,
                progress=lambda text: cli.err.print(text, highlight=False),
                siloed=siloed,
            )
        finally:
            use_resolver(None)
        rows = export_alert_rows()
        _write_jsonl(out / "alerts.jsonl", rows)
        _write_jsonl(out / "entities.jsonl", _entity_rows(chosen, rows))
        if siloed:
            _write_jsonl(out / "alerts-siloed.jsonl", result.siloed_rows)
            named = {p["entity_id"] for r in result.siloed_rows for p in r["persons"]}
            existing = {p["entity_id"] for r in rows for p in r["persons"]}
            extra = [
                r
                for r in _entity_rows(chosen, result.siloed_rows)
                if r["entity_id"] in named - existing
            ]
            if extra:
                with (out / "entities.jsonl").open("a", encoding="utf-8") as f:
                    for row in extra:
                        f.write(json.dumps(row, sort_keys=True) + "\n")
        cli.console.print(
            f"Replayed {result.records:,} records in {result.steps} steps of {step} "
            f"({chosen.name} entities, {result.seconds:.0f} s): {len(rows):,} alerts → "
            f"{out / 'alerts.jsonl'}"
        )

    @evaluate_app.command("detection")
    def evaluate_detection(
        truth: Annotated[Path, typer.Option(help="The world's truth.json")],
        alerts: Annotated[Path, typer.Option(help="alerts.jsonl (export or replay)")],
        entities: Annotated[Path, typer.Option(help="entities.jsonl: entity id → mentions")],
        siloed_alerts: Annotated[
            Path | None,
            typer.Option("--siloed", help="Baseline alerts (default: alerts-siloed.jsonl beside)"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    ) -> None:
        """Network recall, alert and named-person precision, confounders, lead time."""
        from rich.table import Table

        from shinealight.core.alerts import evaluate_detection as score
        from shinealight.core.alerts.evaluate import entity_truth

        world = json.loads(truth.read_text(encoding="utf-8"))
        entity_rows = [json.loads(line) for line in entities.read_text().splitlines() if line]
        mapping = entity_truth(world, entity_rows)
        rows = [json.loads(line) for line in alerts.read_text().splitlines() if line]
        results = {"joined-up": score(world, rows, mapping)}
        baseline = siloed_alerts or alerts.with_name("alerts-siloed.jsonl")
        if baseline.exists():
            base_rows = [json.loads(line) for line in baseline.read_text().splitlines() if line]
            results["siloed baseline"] = score(world, base_rows, mapping)
        if as_json:
            print(json.dumps({k: v.as_dict() for k, v in results.items()}, indent=2))
            return
        table = Table(title="Detection against ground truth")
        table.add_column("figure")
        for name in results:
            table.add_column(name, justify="right")
        for label, attr, fmt in FIGURES:
            table.add_row(label, *(fmt(getattr(s, attr)) for s in results.values()))
        cli.console.print(table)

    @export_app.command("alerts")
    def export_alerts(
        out: Annotated[Path, typer.Option(help="JSON Lines file to write")],
        as_user: Annotated[str | None, typer.Option("--as", help="Account to record")] = None,
    ) -> None:
        """Write every alert as JSON Lines: rule, data time, entities, evidence, explanation."""
        cli._need_database()
        from django.db import transaction

        from shinealight.audit.services import audit_log

        rows = export_alert_rows()
        with transaction.atomic():
            audit_log(
                acting_user=cli._acting_user(as_user),
                action="alerts.export",
                object_type="alert",
                object_ids=[r["alert_id"] for r in rows],
                detail={"file": str(out)},
            )
        _write_jsonl(out, rows)
        cli.console.print(f"Wrote {len(rows):,} alerts to {out}")


def _pct(value: float) -> str:
    return f"{value:.2f}"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


FIGURES = (
    ("alerts", "alerts", str),
    ("networks found", "networks_found", str),
    ("network recall", "network_recall", _pct),
    ("alert precision", "alert_precision", _pct),
    ("people named", "people_named", str),
    ("named-person precision", "named_person_precision", _pct),
    ("confounders named as suspects", "confounders_named_as_suspects", str),
    ("confounder share named as suspects", "confounder_suspect_share", _pct),
    ("child recall (victims named)", "child_recall", _pct),
    ("median lead time (days)", "median_lead_days", _days),
)
