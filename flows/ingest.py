"""The nightly ingestion flow: every selected source and partition from its cursor (or over a window), in batches.

Each source lists its partitions (repos, channels, the PagerDuty account) once; then every partition is
a Prefect task of its own, LOOKBACK_PARTITION_WORKERS at a time, retried on transient failures. A failing
partition does not fail the others, and the run records which one failed and why. The flow ends with a
markdown artifact of what it did.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from flows.runtime import configure, partition_workers

configure()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from flows.pipeline import finish_run, load_records, start_run  # noqa: E402
from flows.reports import refresh_open_investigations, top_markdown  # noqa: E402
from flows.sources import PLANS, SOURCES, SourcePlan, SourceStream  # noqa: E402
from lookback.redact import redact  # noqa: E402
from lookback.settings import Settings, load_settings  # noqa: E402
from warehouse.db import refresh_statistics  # noqa: E402
from warehouse.identity import resolve_people  # noqa: E402
from warehouse.locks import source_lock  # noqa: E402
from warehouse.stream import StreamResult  # noqa: E402


def parse_time(value: str | datetime | None, name: str) -> datetime | None:
    """An ISO 8601 time from the CLI or a deployment; a time without a zone is taken as UTC."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    from lookback.settings import ConfigError

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{name} {value!r} is not an ISO 8601 time such as 2022-12-06T14:30:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def load_stream(engine: Engine, stream: SourceStream, partition: str, *, run_id: str,
                move_cursors: bool) -> dict[str, Any]:
    """Load one stream (a source's listing, or one partition) in committed batches; plain function."""
    started = time.monotonic()
    result = load_records(engine, stream.spec, stream.records, run_id=run_id, move_cursors=move_cursors)
    return {"source": stream.source, "partition": partition, "rows": dict(result.rows), "skipped": result.skipped,
            "cursors": result.cursors, "seconds": round(time.monotonic() - started, 2)}


LISTING = "(listing)"  # the partition name of what a source reads once per run


def _warn(message: str) -> None:
    """A warning in the flow run's log when there is a run, else in the process log."""
    try:
        get_run_logger().warning(message)
    except Exception:  # noqa: BLE001 - outside a flow or task run
        logging.getLogger("lookback").warning(message)


def worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a failed source unless no retry can help: a refused token, a bad setting, a spent rate limit."""
    from connectors.errors import AuthError, RateLimitExhausted
    from connectors.preflight import SettingsProblem

    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # noqa: BLE001 - when in doubt, retry as before
        return True
    return not isinstance(exc, AuthError | RateLimitExhausted | SettingsProblem)


_TASK = {"retries": 2, "retry_delay_seconds": 5, "cache_policy": NO_CACHE, "retry_condition_fn": worth_retrying}


@task(name="list-partitions", task_run_name="list-{source}", **_TASK)  # type: ignore[call-overload]
def list_partitions_task(source: str, plan: SourcePlan, engine: Engine, run_id: str,
                         move_cursors: bool) -> dict[str, Any]:
    """A source's listing as a Prefect task: what it reads once per run is stored, and its partitions found."""
    return load_stream(engine, plan.listing(), LISTING, run_id=run_id, move_cursors=move_cursors)


@task(name="ingest-partition", task_run_name="{source}:{partition}", **_TASK)  # type: ignore[call-overload]
def ingest_partition_task(source: str, partition: str, plan: SourcePlan, engine: Engine, run_id: str,
                          move_cursors: bool) -> dict[str, Any]:
    """One repo, channel or PagerDuty account as a Prefect task: from its cursor, batches and cursor committed."""
    return load_stream(engine, plan.open(partition), partition, run_id=run_id, move_cursors=move_cursors)


_ENGINES: dict[str, Engine] = {}


def warehouse_engine(settings: Settings) -> Engine:
    """One engine per warehouse URL in this process, created or upgraded on first use."""
    if settings.database_url not in _ENGINES:
        from lookback.cli import open_warehouse

        _ENGINES[settings.database_url] = open_warehouse(settings)
    return _ENGINES[settings.database_url]


def selected_sources(settings: Settings, sources: Sequence[str] | None) -> list[str]:
    from lookback.settings import ConfigError

    chosen = list(sources or settings.configured_sources())
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise ConfigError(f"--source {', '.join(unknown)}: choose from {', '.join(SOURCES)}")
    if not chosen:
        raise ConfigError("no source is configured: set GITHUB_TOKEN, SLACK_BOT_TOKEN or PAGERDUTY_API_TOKEN")
    for source in chosen:
        settings.token(source)  # a missing token is a settings error before anything runs
    return chosen


def run_sources(settings: Settings, engine: Engine, sources: list[str], since: datetime | None,
                until: datetime | None, *, flow_name: str, move_cursors: bool, use_prefect: bool = True,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the sources partition by partition (as Prefect tasks, or plain calls), record the run, return its summary.

    Each source lists its partitions once, then every partition loads its own records and cursor; a
    partition that fails (after its task's retries) is recorded with the reason and the others go on.
    """
    params = {"sources": sources, "since": since.isoformat() if since else None,
              "until": until.isoformat() if until else None, **(extra or {})}
    run_id = start_run(engine, flow_name, params)
    started = time.monotonic()
    outcomes: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []

    def record(source: str, partition: str, outcome: Any) -> bool:
        if isinstance(outcome, BaseException):
            failed.append({"source": source, "partition": partition,
                           "error": redact(f"{type(outcome).__name__}: {outcome}")})
            return False
        outcomes.append(outcome)
        return True

    with contextlib.ExitStack() as held:
        if move_cursors:
            # Two nightly runs of one source would fetch the same pages: the second waits for the first (and
            # then reads from the cursors it left). Backfills never move cursors and need no lock.
            for source in sorted(sources):
                held.enter_context(source_lock(engine, source, _warn))
        plans = {s: PLANS[s](settings, engine, since, until) for s in sources}
        if use_prefect:
            listed = {s: list_partitions_task.submit(s, quote(p), quote(engine), run_id, move_cursors)
                      for s, p in plans.items()}
            parts = []
            for s, future in listed.items():
                if record(s, LISTING, future.result(raise_on_failure=False)):
                    parts += [(s, p, ingest_partition_task.submit(s, p, quote(plans[s]), quote(engine), run_id,
                                                                  move_cursors)) for p in plans[s].partitions]
            for s, p, future in parts:
                record(s, p, future.result(raise_on_failure=False))
        else:
            for s, plan in plans.items():
                if record(s, LISTING, _attempt(list_partitions_task.fn, s, plan, engine, run_id, move_cursors)):
                    for p in plan.partitions:
                        record(s, p, _attempt(ingest_partition_task.fn, s, p, plan, engine, run_id, move_cursors))
    total = StreamResult()
    for o in outcomes:
        total.rows += Counter(o["rows"])
        total.skipped += o["skipped"]
    requests = {s: plan.requests() for s, plan in plans.items()}
    with Session(engine) as session, session.begin():
        total.rows["person"] += resolve_people(session, settings.identities)
        refresh_statistics(session)  # what was loaded changes what the planner should know
    status = finish_run(engine, run_id, total, requests, failed)
    return {"run_id": run_id, "status": status, "rows": dict(total.rows), "requests": requests,
            "skipped": total.skipped, "failed": failed, "seconds": round(time.monotonic() - started, 2),
            "partitions": outcomes}


def _attempt(step: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any] | Exception:
    """A step's result, or the exception it raised: one failing partition does not fail the others."""
    try:
        return step(*args)
    except Exception as exc:  # noqa: BLE001 - recorded by the caller
        return exc


def summary_markdown(title: str, summary: dict[str, Any]) -> str:
    lines = [f"# {title}", "", f"status **{summary['status']}**, {summary['seconds']} s, run `{summary['run_id']}`", "",
             "| table | rows written |", "|---|---|"]
    lines += [f"| {t} | {n} |" for t, n in sorted(summary["rows"].items())] or ["| (none) | 0 |"]
    lines += ["", "| API | requests |", "|---|---|"] + [f"| {a} | {n} |" for a, n in summary["requests"].items()]
    for item in summary["skipped"]:
        lines.append(f"- skipped {item.get('source')} {item.get('partition')}: {item.get('reason')}")
    for item in summary["failed"]:
        lines.append(f"- FAILED {item['source']} {item['partition']}: {item['error']}")
    return "\n".join(lines)


@flow(name="nightly_ingest", task_runner=ThreadPoolTaskRunner(max_workers=partition_workers()))  # type: ignore[arg-type]
def nightly_ingest(sources: list[str] | None = None, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Ingest every selected source from its cursors, or exactly the window [since, until] when given."""
    settings = load_settings()
    engine = warehouse_engine(settings)
    chosen = selected_sources(settings, sources)
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    # A window given by hand is a backfill of that window: it never moves the nightly cursors.
    summary = run_sources(settings, engine, chosen, start, end, flow_name="nightly_ingest",
                          move_cursors=start is None and end is None)
    lines = [summary_markdown("lookback nightly ingestion", summary), "", "## Open investigations", ""]
    summary["investigations"] = refresh_open_investigations(settings, engine)
    for inv in summary["investigations"]:
        lines += [f"### Incident {inv['incident_number']}", "", *top_markdown(inv["top"], inv["report"]), ""]
    if not summary["investigations"]:
        lines.append("None open: no investigation's window reaches today.")
    create_markdown_artifact(redact("\n".join(lines)), key="lookback-nightly")
    return summary


def run_cli_ingest(settings: Settings, engine: Engine, sources: list[str] | None, since: str | None,
                   until: str | None) -> dict[str, Any]:
    """`lookback ingest`: run the flow in-process and print what it stored."""
    from lookback.progress import Status, print_summary

    selected_sources(settings, sources)
    with Status("ingesting"):
        summary = nightly_ingest(sources=sources, since=since, until=until)
    print_summary(summary)
    if summary["failed"]:
        # Exit non-zero (1) whenever a partition did not finish, so a scheduler sees it; what was stored is kept.
        from connectors.errors import ConnectorError

        what = "nothing was stored" if summary["status"] == "failed" else "not every partition finished"
        raise ConnectorError(f"{what}: " + "; ".join(f"{f['source']} {f['partition']}: {f['error']}"
                                                     for f in summary["failed"])
                             + "; everything stored so far is kept, run the same command again to go on")
    return summary
