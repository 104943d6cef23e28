"""The backfill flow: one incident's window from every source, on an empty warehouse or a full one, then correlation.

It never moves nightly cursors. A second run over a window already fetched spends no request on it:
completed backfill runs record which sources covered which window.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.runtime import configure, partition_workers

configure()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from flows.ingest import parse_time, run_sources, selected_sources, summary_markdown, warehouse_engine  # noqa: E402
from flows.pipeline import load_records  # noqa: E402
from flows.reports import publish_report, top_markdown  # noqa: E402
from flows.sources import github_patches, pagerduty_client  # noqa: E402
from lookback.redact import redact  # noqa: E402
from lookback.settings import ConfigError, Settings, load_settings, parse_duration  # noqa: E402
from warehouse.queries import resolve_incident  # noqa: E402
from warehouse.stream import pagerduty_spec  # noqa: E402

AFTER_RESOLUTION = timedelta(days=2)
IMPACT_MARGIN = timedelta(days=7)
PATCH_CANDIDATES = 20  # the best ranked PRs whose diffs are fetched (one request each)
_PR_ID = re.compile(r"^[^/#\s]+/[^/#\s]+#\d+$")


def _stored_incident(engine: Engine, incident: str) -> dict[str, Any] | None:
    with Session(engine) as session:
        found = resolve_incident(session, incident)
        return dict(found) if found is not None else None


def fetch_incident(settings: Settings, engine: Engine, incident: str) -> tuple[dict[str, Any], int]:
    """The incident's row; from the warehouse when it is stored and resolved, else from PagerDuty (and stored)."""
    stored = _stored_incident(engine, incident)
    if stored is not None and stored.get("status") == "resolved":
        return stored, 0
    from connectors import pagerduty

    client = pagerduty_client(settings)
    try:
        records = pagerduty.iter_incident_records(client, incident.lstrip("#"))
        load_records(engine, pagerduty_spec(), records, run_id=None, move_cursors=False)
    except pagerduty.NotFound:
        raise ConfigError(f"INCIDENT {incident!r}: PagerDuty has no incident with that id or number") from None
    found = _stored_incident(engine, incident)
    if found is None:
        raise ConfigError(f"INCIDENT {incident!r}: PagerDuty has no incident with that id or number")
    return found, client.requests


def incident_window(row: dict[str, Any], lookback: timedelta,
                    impact_start: datetime | None) -> tuple[datetime, datetime, datetime]:
    """(anchor, since, until) of the fetch: impact start (the override, else the incident's creation) minus
    the lookback and a margin, up to resolution (or now, while open) plus two days.

    The margin covers an impact start that correlation later estimates before the page, so the window
    of a second run is the same and costs nothing.
    """
    def aware(value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)

    created = aware(row["created_at"])
    assert created is not None
    anchor = impact_start or created
    resolved = aware(row.get("resolved_at"))
    until = (resolved or datetime.now(UTC)) + AFTER_RESOLUTION
    return anchor, anchor - lookback - IMPACT_MARGIN, until


def missing_windows(engine: Engine, sources: list[str], since: datetime,
                    until: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Per source, the part of [since, until] no earlier completed backfill stored (as one hull); omitted when none."""
    covered: dict[str, list[tuple[datetime, datetime]]] = {s: [] for s in sources}
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT params, errors FROM ingest_run WHERE flow = 'backfill_incident' "
                                 "AND status IN ('completed', 'partial')")).all()
    for params_raw, errors_raw in runs:
        params = json.loads(params_raw) if isinstance(params_raw, str) else params_raw or {}
        errors = json.loads(errors_raw) if isinstance(errors_raw, str) else errors_raw or []
        if not params.get("since") or not params.get("until"):
            continue
        failed = {e.get("source") for e in errors if e.get("error")}
        window = (datetime.fromisoformat(params["since"]), datetime.fromisoformat(params["until"]))
        for source in params.get("sources", []):
            if source in covered and source not in failed:
                covered[source].append(window)
    missing: dict[str, tuple[datetime, datetime]] = {}
    for source, windows in covered.items():
        gaps, cursor = [], since
        for start, end in sorted(windows):
            if start > cursor:
                gaps.append((cursor, min(start, until)))
            cursor = max(cursor, end)
            if cursor >= until:
                break
        if cursor < until:
            gaps.append((cursor, until))
        gaps = [(a, b) for a, b in gaps if b > a]
        if gaps:
            missing[source] = (gaps[0][0], gaps[-1][1])
    return missing


def backfill(settings: Settings, engine: Engine, incident: str, lookback: str | None = None,
             impact_start: str | None = None, *, use_prefect: bool = True) -> dict[str, Any]:
    """Plain function behind the flow: fetch the incident's window, then correlate and store the result."""
    from warehouse.correlate import correlate

    window = parse_duration(lookback) if lookback else settings.lookback
    override = parse_time(impact_start, "--impact-start")
    sources = selected_sources(settings, None)
    if "pagerduty" not in sources:
        raise ConfigError("PAGERDUTY_API_TOKEN is not set: a backfill starts from the PagerDuty incident")
    row, lookup_requests = fetch_incident(settings, engine, incident)
    anchor, since, until = incident_window(row, window, override)
    missing = missing_windows(engine, sources, since, until)
    summary: dict[str, Any] = {"status": "completed", "rows": Counter(), "requests": {}, "skipped": [],
                               "failed": [], "seconds": 0.0, "run_id": None}
    by_window: dict[tuple[datetime, datetime], list[str]] = {}
    for source, gap in missing.items():
        by_window.setdefault(gap, []).append(source)
    for (gap_since, gap_until), todo in sorted(by_window.items()):
        part = run_sources(settings, engine, todo, gap_since, gap_until, flow_name="backfill_incident",
                           move_cursors=False, use_prefect=use_prefect,
                           extra={"incident": row["id"], "anchor": anchor.isoformat()})
        summary["rows"].update(part["rows"])
        summary["requests"].update(part["requests"])
        summary["skipped"] += part["skipped"]
        summary["failed"] += part["failed"]
        summary["seconds"] += part["seconds"]
        summary["run_id"] = part["run_id"]
        if part["status"] != "completed":
            summary["status"] = part["status"]
    summary["rows"] = dict(summary["rows"])
    summary["requests"]["pagerduty_lookup"] = lookup_requests
    summary["already_stored"] = sorted(set(sources) - set(missing))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        result = correlate(session, row["id"], lookback=window, impact_start=override, service_map=settings.services)
    if "github" in sources:
        # Patch excerpts cost a request per PR: fetch them only for the PRs ranked as candidates, then
        # rank again with what their diffs say. A second backfill finds them stored and spends nothing.
        prs = [i["native_id"] for i in result.items if _PR_ID.match(i["native_id"])][:PATCH_CANDIDATES]
        spent = github_patches(settings, engine, prs)
        summary["requests"]["github_patches"] = spent
        if spent:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                result = correlate(session, row["id"], lookback=window, impact_start=override,
                                   service_map=settings.services)
    summary.update({"incident": row["id"], "incident_number": row.get("incident_number"),
                    "window": [since.isoformat(), until.isoformat()],
                    "impact_start": result.impact_start.isoformat(), "impact_start_source": result.impact_start_source,
                    "top": result.items[:10]})
    return summary


@flow(name="backfill_incident", task_runner=ThreadPoolTaskRunner(max_workers=partition_workers()))  # type: ignore[arg-type]
def backfill_incident(incident: str, lookback: str | None = None, impact_start: str | None = None) -> dict[str, Any]:
    """Fetch exactly one incident's window from every source, never moving nightly cursors, then correlate it."""
    settings = load_settings()
    engine = warehouse_engine(settings)
    summary = backfill(settings, engine, incident, lookback, impact_start)
    get_run_logger().info("backfilled incident %s: %s", summary["incident"], summary["status"])
    report = publish_report(settings, engine, summary["incident"], summary["incident_number"])
    summary["report"] = str(report) if report else None
    lines = [summary_markdown(f"lookback backfill of incident {summary['incident_number']}", summary), "",
             "## Top evidence", "", *top_markdown(summary["top"], report)]
    create_markdown_artifact(redact("\n".join(lines)), key="lookback-backfill")
    return summary


def run_cli_backfill(settings: Settings, engine: Engine, incident: str, lookback: str | None,
                     impact_start: str | None) -> dict[str, Any]:
    """`lookback backfill`: run the flow in-process and print what it found."""
    from lookback.output import inert
    from lookback.progress import Status, print_summary

    if lookback:
        try:
            parse_duration(lookback)
        except ValueError as exc:
            raise ConfigError(f"--lookback: {exc}") from None
    parse_time(impact_start, "--impact-start")
    with Status(f"backfilling incident {incident}"):
        summary = backfill_incident(incident=incident, lookback=lookback, impact_start=impact_start)
    if summary.get("run_id"):
        print_summary(summary)
    if summary["already_stored"]:
        print(f"already stored, not fetched again: {', '.join(summary['already_stored'])}")
    print(f"incident {summary['incident_number']} ({summary['incident']}): window {summary['window'][0]} .. "
          f"{summary['window'][1]}, impact start {summary['impact_start']} ({summary['impact_start_source']})")
    for item in summary["top"][:5]:
        print(f"  {item['rank']:>2}. {item['role']:<19} {item['score']:6.2f}  {inert(item['native_id'])}")
    print(f"report: {summary['report']}" if summary.get("report") else "report: not written (see the log)")
    return summary
