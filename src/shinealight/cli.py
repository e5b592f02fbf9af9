"""The `shinealight` command: set up, import, serve, manage users, check the audit trail."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

app = typer.Typer(
    help="Shine a Light: join what a safeguarding partnership's agencies know.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
evaluate_app = typer.Typer(help="Measure against ground truth.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
export_app = typer.Typer(help="Exports for analysts.", no_args_is_help=True)
app.add_typer(export_app, name="export")
# Apps that add commands of their own, each through a `register()` function.
COMMAND_MODULES = (
    "shinealight.people.commands",
    "shinealight.extraction.commands",
    "shinealight.alerts.commands",
    "shinealight.cases.commands",
    "shinealight.accounts.commands",
    "shinealight.audit.commands",
    "shinealight.access.commands",
    "shinealight.retention.commands",
    "shinealight.exports.commands",
)
console = Console()
err = Console(stderr=True)

DEMO_AGENCY = "partnership-cse"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinealight.web.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(code)


def _database_problem() -> str | None:
    """Say plainly what is wrong with the database, or None when it is ready."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    db = settings.DATABASES["default"]
    in_memory = connection.vendor == "sqlite" and connection.creation.is_in_memory_db(db["NAME"])
    if db["ENGINE"].endswith("sqlite3") and not in_memory and not Path(db["NAME"]).exists():
        return (
            f"no database at {db['NAME']}. Create it with `shinealight init` "
            "(or set DATABASE_URL to the partnership's database)."
        )
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError as exc:
        return (
            f"cannot reach the database ({exc}). Check DATABASE_URL, then run `shinealight init`."
        )
    if plan:
        return (
            f"the database needs creating or upgrading ({len(plan)} steps): run `shinealight init`."
        )
    return None


def _need_database() -> None:
    _setup_django()
    problem = _database_problem()
    if problem:
        raise _fail(problem)


@dataclass(frozen=True)
class _CommandLineUser:
    """The person at the terminal, for the audit trail, when no account is named."""

    username: str
    pk: None = None


def _acting_user(username: str | None) -> Any:
    if username:
        from shinealight.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise _fail(f"no active user {username!r}")
        return user
    return _CommandLineUser(f"cli:{getpass.getuser()}")


@app.command()
def init() -> None:
    """Create the database, or upgrade it to this version. Safe to run again."""
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    key_file = home / "secret_key"
    if not key_file.exists() and not os.environ.get("SHINEALIGHT_SECRET_KEY"):
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    with console.status("Creating or upgrading the database…"):
        call_command("migrate", interactive=False, verbosity=0)
    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['HOST']}/{db['NAME']}"
    console.print(f"[green]Database ready[/] ({db['ENGINE'].rsplit('.', 1)[-1]}: {where}).")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _print_summary(summary: Any) -> None:
    data = summary.as_dict()
    table = Table(title=f"Imported {Path(data['name']).name}", show_header=False)
    table.add_row("records read", f"{data['records']:,}")
    table.add_row("new", f"{data['new']:,}")
    table.add_row("updated (new version)", f"{data['updated']:,}")
    table.add_row("unchanged", f"{data['unchanged']:,}")
    for kind, n in data["mentions"].items():
        table.add_row(f"{kind} mentions", f"{n:,}")
    if data["unknown_indicators"]:
        codes = ", ".join(f"{c} ({n})" for c, n in data["unknown_indicators"].items())
        table.add_row("unknown indicator codes (kept)", codes)
    if data["new_agencies"]:
        table.add_row("agencies registered", ", ".join(data["new_agencies"]))
    console.print(table)


def _print_rejection(exc: Any) -> None:
    table = Table(title=f"{exc.name}: nothing imported", title_style="bold red")
    table.add_column("file")
    table.add_column("line", justify="right")
    table.add_column("field")
    table.add_column("reason")
    for e in exc.errors:
        table.add_row(Path(e.file).name, str(e.line), e.field or "—", e.reason)
    err.print(table)
    # One plain line per fault as well, so scripts and logs can grep them.
    for e in exc.errors:
        print(str(e), file=sys.stderr)


def import_files(files: list[Path], acting: Any) -> bool:
    """Import each file on its own, whole or not at all; True when every file went in."""
    from shinealight.records.services import ImportRejected, records_import_file

    ok = True
    for path in files:
        if not path.exists():
            err.print(f"[bold red]{path}[/]: no such file")
            ok = False
            continue
        with _progress() as bar:
            task = bar.add_task(f"Checking {path.name}", total=None)

            def show(
                stage: str, done: int, total: int | None, task: Any = task, name: str = path.name
            ) -> None:
                label = "Checking" if stage == "check" else "Importing"
                bar.update(task, description=f"{label} {name}", completed=done, total=total)

            try:
                summary = records_import_file(path=path, acting_user=acting, progress=show)
            except ImportRejected as exc:
                bar.stop()
                _print_rejection(exc)
                ok = False
                continue
            except ValueError as exc:
                err.print(f"[bold red]{path}[/]: {exc}")
                ok = False
                continue
        _print_summary(summary)
    return ok


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Agency-record files (.jsonl, .jsonl.gz)")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Account to record as importer")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="YAML column mapping: the files are CSV (see docs/importing.md)"),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="With --mapping: show the first rows and every problem"),
    ] = False,
) -> None:
    """Import agency-record files. Each file goes in whole or not at all; re-importing is safe."""
    if mapping is not None or dry_run:
        from shinealight.extraction.csv_cli import import_csv

        raise typer.Exit(import_csv(files, mapping, dry_run=dry_run, as_user=as_user))
    _need_database()
    if not import_files(files, _acting_user(as_user)):
        raise typer.Exit(1)


@app.command()
def createuser(
    username: str,
    role: Annotated[
        str, typer.Option(help="practitioner, safeguarding_lead, analyst, manager or administrator")
    ],
    agency: Annotated[str | None, typer.Option(help="The agency code the user works for")] = None,
    password: Annotated[str | None, typer.Option(help="Asked for when not given")] = None,
    email: str = "",
) -> None:
    """Create a user with one role in one agency."""
    _need_database()
    from django.core.exceptions import ValidationError

    from shinealight.accounts.services import user_create

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user_create(
            acting_user=_acting_user(None),
            username=username,
            password=password,
            role=role,
            agency_code=agency,
            email=email,
        )
    except ValidationError as exc:
        raise _fail("password not accepted: " + " ".join(exc.messages)) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    console.print(f"[green]Created[/] {username} ({role}{', ' + agency if agency else ''}).")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit non-zero on any break."""
    _need_database()
    from shinealight.audit.models import AuditEvent
    from shinealight.audit.services import audit_verify as verify

    breaks = list(verify())
    total = AuditEvent.objects.count()
    if breaks:
        for b in breaks:
            err.print(f"[bold red]event #{b.seq}[/]: {b.problem}")
        raise _fail(f"the audit trail is broken in {len(breaks)} place(s) ({total:,} events).")
    console.print(f"[green]Audit trail intact[/]: {total:,} events, hash chain verified.")


@app.command()
def backup(out: Annotated[Path, typer.Option(help="The backup file to write")]) -> None:
    """Write a consistent copy of the partnership's database (SQLite or PostgreSQL)."""
    _need_database()
    from shinealight.ops.backup import BackupError, backup_create

    try:
        path = backup_create(out=out, acting_user=_acting_user(None))
    except BackupError as exc:
        raise _fail(str(exc)) from None
    console.print(f"[green]Backed up[/] to {path} ({path.stat().st_size:,} bytes).")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A file written by `shinealight backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the current contents")] = False,
) -> None:
    """Replace the database's contents with a backup, then check the audit chain."""
    _need_database()
    from shinealight.audit.services import audit_verify as verify
    from shinealight.ops.backup import BackupError, backup_restore

    if not yes:
        raise _fail("restoring replaces everything in the database: run again with --yes")
    try:
        backup_restore(source=source, acting_user=_acting_user(None))
    except BackupError as exc:
        raise _fail(str(exc)) from None
    breaks = list(verify())
    if breaks:
        raise _fail(f"restored, but the audit trail is broken in {len(breaks)} place(s)")
    console.print(f"[green]Restored[/] from {source}; audit trail intact.")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Worker processes")] = 2,
) -> None:
    """Serve the web pages and API with gunicorn (a production server)."""
    _need_database()
    _serve(host=host, port=port, workers=workers)


def _serve(*, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from shinealight.web.wsgi import application

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": 4,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 120,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    console.print(
        f"Serving on [bold]http://{'localhost' if host == '127.0.0.1' else host}:{port}[/] "
        "(Ctrl-C stops)"
    )
    _Server().run()


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Directory for records.jsonl.gz and truth.json")],
    preset: Annotated[str, typer.Option(help="demo, default or large")] = "default",
    areas: Annotated[int | None, typer.Option(help="Local-authority areas (2-12)")] = None,
    children: Annotated[int | None, typer.Option(help="Children in the population")] = None,
    years: Annotated[int | None, typer.Option(help="Years of records")] = None,
    networks: Annotated[int | None, typer.Option(help="Exploitation networks to plant")] = None,
    seed: Annotated[int | None, typer.Option(help="Same seed and options, same bytes")] = None,
) -> None:
    """Write a synthetic partnership's records and its ground truth (never real data)."""
    from shinealight.core.simulate import SimulationConfig
    from shinealight.core.simulate import simulate as run_simulation

    try:
        config = SimulationConfig.preset(
            preset, areas=areas, children=children, years=years, networks=networks, seed=seed
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    with _progress() as bar:
        task = bar.add_task(f"Simulating ({preset})", total=None)
        summary = run_simulation(config, out, progress=lambda n: bar.update(task, completed=n))
    table = Table(title=f"Simulated partnership in {out}", show_header=False)
    table.add_row("records", f"{summary.records:,} ({summary.updates:,} updates)")
    table.add_row("children", f"{summary.children:,}")
    table.add_row("true people", f"{summary.people:,}")
    table.add_row("networks", f"{summary.networks:,}")
    table.add_row("confounders", f"{summary.confounders:,}")
    table.add_row("records file", str(summary.records_path))
    table.add_row("ground truth", str(summary.truth_path))
    console.print(table)


def _demo_data(var: Path) -> list[Path]:
    """The demo's records: the simulator's demo world, built once under ./var/."""
    from shinealight.core.simulate import SimulationConfig
    from shinealight.core.simulate import simulate as run_simulation

    out = var / "demo-world"
    if not (out / "records.jsonl.gz").exists():
        with console.status("Building the synthetic demo partnership…"):
            run_simulation(SimulationConfig.preset("demo"), out)
    return [out / "records.jsonl.gz"]


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8000,
    password: Annotated[str | None, typer.Option(help="One password for every demo user")] = None,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve when ready")] = True,
) -> None:
    """Build a demo partnership in SQLite under ./var/, one user per role, and serve it."""
    var = Path(os.environ.get("SHINEALIGHT_HOME", Path.cwd() / "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    # The demo is always the embedded database, never a partnership's real one.
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'shinealight.sqlite3'}"
    os.environ["SHINEALIGHT_HOME"] = str(var)
    init()
    from shinealight.accounts.models import User
    from shinealight.accounts.roles import Role
    from shinealight.accounts.services import user_create
    from shinealight.records.models import Agency
    from shinealight.records.services import agency_create

    acting = _acting_user(None)
    if not import_files(_demo_data(var), acting):
        raise _fail("the demo data did not import")
    if not Agency.objects.filter(code=DEMO_AGENCY).exists():
        agency_create(
            acting_user=acting, code=DEMO_AGENCY, agency_type="other", name="Partnership CSE team"
        )
    police = Agency.objects.filter(agency_type="police").order_by("code").first()
    social_care = Agency.objects.filter(agency_type="social_care").order_by("code").first()
    homes = {
        Role.PRACTITIONER: social_care,
        Role.SAFEGUARDING_LEAD: police,
        Role.ANALYST: None,
        Role.MANAGER: None,
        Role.ADMINISTRATOR: None,
    }
    password = password or f"demo-{secrets.token_urlsafe(9)}"
    key = _demo_authenticator_key([role.value for role in homes])
    logins = ["[bold]Demo logins[/] (username, agency, role):"]
    for role, agency in homes.items():
        agency = agency or Agency.objects.get(code=DEMO_AGENCY)
        user = User.objects.filter(username=role.value).first()
        if user is None:
            user = user_create(
                acting_user=acting,
                username=role.value,
                password=password,
                role=role.value,
                agency_code=agency.code,
                check_password=False,
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        _demo_enrol(user, key)
        logins.append(f"  {role.value:<18} {agency.code:<22} {role.label}")
    # Plain lines, not a table: a narrow terminal must never truncate a username.
    console.print("\n".join(logins), soft_wrap=True, highlight=False)
    console.print(f"Password for every demo user: [bold]{password}[/]", soft_wrap=True)
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    console.print(
        f"Authenticator key for every demo user: [bold]{grouped}[/]\n"
        "  Sign-in also asks for a 6-digit code: add this key to an authenticator app as a "
        "time-based key,\n  or print the current code with "
        f"`{_command_name()} two-factor code {key}`.",
        soft_wrap=True,
        highlight=False,
    )
    console.print(f"Sign in at http://localhost:{port}/sign-in", soft_wrap=True)
    if serve_:
        _serve(host="127.0.0.1", port=port, workers=2)


def _command_name() -> str:
    """How the person ran this command (e.g. `.venv/bin/shinealight` under `make demo`)."""
    name = Path(sys.argv[0])
    return str(name) if name.name == "shinealight" else "shinealight"


def _demo_authenticator_key(usernames: list[str]) -> str:
    """One authenticator key for every demo user: the one they already have, or a new one."""
    from shinealight.accounts import two_factor
    from shinealight.accounts.models import User

    for user in User.objects.filter(username__in=usernames).order_by("username"):
        if (authenticator := two_factor.totp_authenticator(user)) is not None:
            return two_factor.secret_of(authenticator)
    return two_factor.new_secret()


def _demo_enrol(user: Any, key: str) -> None:
    """Give a demo user the demo authenticator key, so the printed logins work at once."""
    from shinealight.accounts import two_factor
    from shinealight.accounts.services import two_factor_enrol

    authenticator = two_factor.totp_authenticator(user)
    if authenticator is None or two_factor.secret_of(authenticator) != key:
        two_factor_enrol(acting_user=user, secret=key)


def _register_app_commands() -> None:
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(name).register(app, evaluate_app, export_app)


_register_app_commands()


def main() -> None:
    """Entry point for the `shinealight` console script."""
    app()


if __name__ == "__main__":
    main()
