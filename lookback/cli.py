"""The ``lookback`` command line: ingest, backfill, evidence, label, report, sandbox, serve, demo, db."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lookback import __version__
from lookback.redact import redact
from lookback.settings import ConfigError, Settings, default_database_url, load_settings, set_config_path

app = typer.Typer(
    name="lookback",
    help=(
        "Incident evidence from GitHub, Slack and PagerDuty, ranked for the weeks before an incident.\n\n"
        f"The warehouse is LOOKBACK_DATABASE_URL (default: {default_database_url()}). "
        "Settings come from environment variables or lookback.toml (--config / LOOKBACK_CONFIG)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The warehouse database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

EXIT_FAILURE = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    typer.echo(f"lookback: {redact(message)}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lookback {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Annotated[Path | None, typer.Option("--config", help="Path to lookback.toml.", envvar="LOOKBACK_CONFIG")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    if config is not None:
        if not config.is_file():
            fail(f"--config {config}: no such file", EXIT_USAGE)
        set_config_path(config)


@contextmanager
def errors() -> Iterator[None]:
    """Map failures to exit codes: 2 for settings and usage, 1 for the rest; never print a secret."""
    from connectors.errors import AuthError, ConnectorError
    from connectors.preflight import SettingsProblem
    from warehouse.db import SchemaTooNew
    from warehouse.queries import UnknownIncident, UnknownItem

    try:
        yield
    except typer.Exit:
        raise
    except (ConfigError, AuthError, SettingsProblem, SchemaTooNew, UnknownIncident, UnknownItem) as exc:
        fail(str(exc).strip("'\""), EXIT_USAGE)
    except ConnectorError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; everything stored so far is kept, run the same command again to go on", 130)
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if os.environ.get("LOOKBACK_DEBUG"):
            raise
        fail(f"{type(exc).__name__}: {exc} (set LOOKBACK_DEBUG=1 for the traceback)")


def settings() -> Settings:
    from lookback.redact import install_logging_filter, register

    loaded = load_settings()
    register(s.get_secret_value() for s in (loaded.github_token, loaded.slack_bot_token, loaded.pagerduty_api_token) if s)
    install_logging_filter()
    return loaded


def open_warehouse(cfg: Settings) -> Any:
    """An engine on the configured warehouse, created or upgraded to this lookback's schema."""
    from sqlalchemy.exc import OperationalError

    from warehouse.db import ensure_schema, make_engine

    url = cfg.database_url
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///").split("?")[0]).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"LOOKBACK_DATABASE_URL: cannot create the folder {folder}: {exc.strerror}") from None
    engine = make_engine(url)
    try:
        ensure_schema(engine)
    except OperationalError as exc:
        raise ConfigError(f"LOOKBACK_DATABASE_URL: cannot open {engine.url.render_as_string(hide_password=True)}: "
                          f"{str(exc.orig).strip().splitlines()[0]}") from None
    return engine


def not_built(what: str, issue: str) -> NoReturn:
    fail(f"{what} is not built yet (see issue {issue}); nothing was done", EXIT_USAGE)


def _import(module: str, what: str, issue: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name.split(".")[0]) and exc.name in module:
            not_built(what, issue)
        raise


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the warehouse schema, or upgrade it to this lookback's version."""
    with errors():
        engine = open_warehouse(settings())
        typer.echo(f"warehouse ready: {engine.url.render_as_string(hide_password=True)}")


Source = Annotated[list[str] | None, typer.Option("--source", help="github, slack or pagerduty (repeatable); default: every configured source.")]


@app.command()
def ingest(
    source: Source = None,
    since: Annotated[str | None, typer.Option(help="Start of the window (ISO 8601); default: each partition's cursor.")] = None,
    until: Annotated[str | None, typer.Option(help="End of the window (ISO 8601); default: now.")] = None,
) -> None:
    """Run the nightly ingestion now (incremental from each partition's cursor, or a window)."""
    from flows.runtime import early_server, temporary_server

    with early_server() as server, errors():
        pipeline = _import("flows.ingest", "ingestion", "8")
        from flows.sources import check_settings

        cfg = settings()
        check_settings(cfg, pipeline.selected_sources(cfg, source))  # before anything is written
        engine = open_warehouse(cfg)
        with temporary_server(server):
            pipeline.run_cli_ingest(cfg, engine, sources=source, since=since, until=until)


@app.command()
def backfill(
    incident: Annotated[str, typer.Argument(help="PagerDuty incident id or number.")],
    lookback: Annotated[str | None, typer.Option("--lookback", help="How far before impact start, e.g. 6w.")] = None,
    impact_start: Annotated[str | None, typer.Option("--impact-start", help="Override the estimated impact start (ISO 8601).")] = None,
) -> None:
    """Fetch exactly the window of one incident from every source, then correlate it."""
    from flows.runtime import early_server, temporary_server

    with early_server() as server, errors():
        pipeline = _import("flows.backfill", "backfill", "8")
        from flows.ingest import selected_sources
        from flows.sources import check_settings

        cfg = settings()
        check_settings(cfg, selected_sources(cfg, None))  # before anything is written
        engine = open_warehouse(cfg)
        with temporary_server(server):
            pipeline.run_cli_backfill(cfg, engine, incident, lookback=lookback, impact_start=impact_start)




@app.command()
def evidence(
    incident: Annotated[str, typer.Argument(help="PagerDuty incident id or number.")],
    format: Annotated[str, typer.Option("--format", help="json, table or md.")] = "table",
    limit: Annotated[int | None, typer.Option(help="Show the first N items.")] = None,
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    explain: Annotated[str | None, typer.Option(help="Full score breakdown of one item (native id or rank).")] = None,
) -> None:
    """The ranked evidence of an incident, with roles and reasons."""
    if format not in {"json", "table", "md"}:
        fail(f"--format {format!r}: choose json, table or md", EXIT_USAGE)
    with errors():
        queries = _import("warehouse.queries", "the correlation engine", "9")
        from lookback import output

        cfg = settings()
        engine = open_warehouse(cfg)
        with _session(engine) as session:
            if explain is not None:
                typer.echo(json.dumps(queries.explain(session, incident, explain), indent=2, default=str))
                return
            items = queries.evidence_items(session, incident, limit=limit, role=role, source=source)
        output.print_items(items, format)


@app.command()
def label(
    incident: Annotated[str, typer.Argument(help="PagerDuty incident id or number.")],
    item: Annotated[str, typer.Argument(help="Evidence native id or rank.")],
    verdict: Annotated[str, typer.Argument(help="relevant, irrelevant, or a role.")],
) -> None:
    """Record an investigator's verdict on one evidence item; it is kept and used to re-rank."""
    from warehouse.queries import VERDICTS

    if verdict.strip().lower() not in VERDICTS:
        fail(f"VERDICT {verdict!r}: choose one of {', '.join(VERDICTS)}", EXIT_USAGE)
    with errors():
        queries = _import("warehouse.queries", "the correlation engine", "9")
        engine = open_warehouse(settings())
        with _session(engine, write=True) as session:
            typer.echo(json.dumps(queries.label(session, incident, item, verdict), default=str))


@app.command()
def report(
    incident: Annotated[str, typer.Argument(help="PagerDuty incident id or number.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for index.html and report.md.")] = Path("report"),
) -> None:
    """Write the investigator's report (HTML and Markdown) of an incident."""
    with errors():
        from lookback.report import write_report

        engine = open_warehouse(settings())
        with _session(engine) as session:
            paths = write_report(session, incident, out)
        typer.echo(f"report: {paths.html}\nreport (Markdown): {paths.markdown}")


@app.command()
def sandbox(
    world: Annotated[str, typer.Option(help="World name (seed, or a generated story) or a path to a world JSON.")] = "seed",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8443,
    scale: Annotated[int | None, typer.Option(help="Grow the world's noise N times (benchmarks).")] = None,
    knobs: Annotated[str | None, typer.Option(help="Knobs as JSON, e.g. '{\"latency_ms\": 50}'.")] = None,
    write: Annotated[Path | None, typer.Option("--write", help="Write the world and its truth as JSON files here, and exit.")] = None,
) -> None:
    """Serve a local fake of GitHub, Slack and PagerDuty with a world; prints the settings that point at it."""
    if write is not None:
        with errors():
            from lookback.sandbox.worlds import load_world

            try:
                built, truth = load_world(world, scale)
            except ValueError as exc:
                fail(f"--world: {exc}", EXIT_USAGE)
            write.mkdir(parents=True, exist_ok=True)
            name = str(built.get("name") or Path(world).stem)
            for path, data in ((write / f"{name}.json", built), (write / f"{name}.truth.json", truth)):
                path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
                typer.echo(str(path))
        return
    with errors():
        serve = _import("lookback.sandbox.serve", "the sandbox", "4")
        from lookback.sandbox.core import Knobs

        try:
            parsed = Knobs.from_dict(json.loads(knobs)) if knobs else Knobs()
        except (ValueError, TypeError) as exc:
            fail(f"--knobs: {exc}", EXIT_USAGE)
        serve.run_forever(world, port, parsed, scale)


@app.command()
def serve() -> None:
    """Register and serve the nightly and backfill deployments on a Prefect server."""
    with errors():
        deploy = _import("flows.deploy", "scheduled serving", "8")
        deploy.serve(settings())


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where the demo writes its warehouse and report.")] = Path("demo-output"),
) -> None:
    """Start the sandbox with the seed world, ingest it, backfill the seed incident, write the report."""
    from flows.runtime import early_server, temporary_server

    with early_server() as server, errors():
        demo_mod = _import("flows.demo", "the demo", "8")
        with temporary_server(server):
            demo_mod.run(out)


@app.command(name="eval")
def eval_(world: Annotated[str, typer.Argument(help="World name or path.")] = "seed") -> None:
    """Backfill and correlate a sandbox world, then print recall@k and MRR against its truth."""
    with errors():
        try:
            import bench.eval as ev
        except ModuleNotFoundError:
            fail("lookback eval runs from a source checkout (bench/ is not installed): run it in the repository", EXIT_USAGE)
        ev.main([world])


@contextmanager
def _session(engine: Any, write: bool = False) -> Iterator[Any]:
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as session:
        if write:
            with session.begin():
                yield session
        else:
            yield session


def main(argv: list[str] | None = None) -> Callable[..., Any] | None:
    """Console entry point."""
    import atexit
    import gc

    # Run last at exit (after Prefect stops its temporary server): the interpreter's final garbage collection
    # over the heap that Prefect and SQLAlchemy leave costs about a second, for memory the OS frees anyway.
    atexit.register(gc.freeze)
    return app(args=argv if argv is not None else sys.argv[1:], prog_name="lookback")


if __name__ == "__main__":
    main()
