"""Shared by the reliability tests: a small world, settings that point at a sandbox, runs and comparisons."""

from __future__ import annotations

import copy
import functools
from typing import Any

from sqlalchemy import Engine, text

from lookback.sandbox.worlds import load_world
from lookback.settings import Settings, load_settings

SOURCES = ["github", "slack", "pagerduty"]


@functools.cache
def _seed() -> dict[str, Any]:
    return load_world("seed")[0]


@functools.cache
def _small(pulls: int, messages: int, incidents: int) -> dict[str, Any]:
    world = copy.deepcopy(_seed())
    gh = world["github"]
    gh["repos"] = gh["repos"][:3]
    names = {f"{r['owner']}/{r['name']}" for r in gh["repos"]}
    gh["pulls"] = [p for p in gh["pulls"] if p["repo"] in names][:pulls]
    sl = world["slack"]
    keep = {c["id"] for c in sl["channels"][:5]}
    sl["messages"] = [m for m in sl["messages"] if m["channel"] in keep][:messages]
    pd = world["pagerduty"]
    pd["incidents"] = pd["incidents"][:incidents]
    pd["change_events"] = pd["change_events"][:2 * incidents]
    world["edits"] = []
    return world


def small_world(pulls: int = 60, messages: int = 500, incidents: int = 30) -> dict[str, Any]:
    """A slice of the seed world (3 repos, 5 channels, some incidents): every kind of record, a second per run."""
    return copy.deepcopy(_small(pulls, messages, incidents))


def seed_world() -> dict[str, Any]:
    return copy.deepcopy(_seed())


def sandbox_settings_env(sandbox_env: dict[str, str], database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a lookback run against a sandbox and one warehouse."""
    return {**sandbox_env, "LOOKBACK_DATABASE_URL": database_url, "LOOKBACK_GITHUB_ORGS": "shop",
            "LOOKBACK_HISTORY": "2000d", **extra}


def settings_for(sandbox_env: dict[str, str], database_url: str, **extra: str) -> Settings:
    return load_settings(**sandbox_settings_env(sandbox_env, database_url, **extra))


def ingest_all(settings: Settings, engine: Engine, sources: list[str] | None = None) -> dict[str, Any]:
    """One nightly run of every source, in-process and without Prefect."""
    from flows.ingest import run_sources

    return run_sources(settings, engine, sources or SOURCES, None, None, flow_name="nightly_ingest",
                       move_cursors=True, use_prefect=False)


def duplicates(engine: Engine) -> int:
    """Evidence rows sharing a (source, native_id): the unique constraint should make this 0."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM (SELECT source, native_id FROM evidence GROUP BY source, native_id "
            "HAVING count(*) > 1) d")).scalar() or 0)


def row_counts(engine: Engine) -> dict[str, int]:
    from models import Base

    with engine.connect() as conn:
        return {t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() or 0) for t in Base.metadata.tables}


def cursors(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(s, p): v for s, p, v in conn.execute(text("SELECT source, partition, value FROM ingest_cursor"))}


def comparable_cursors(engine: Engine, now_after: str) -> dict[tuple[str, str], str]:
    """Cursors, with a wall-clock value (a window end of "now", PagerDuty's) written as ``<now>``.

    ``now_after`` is an ISO time before every run compared: a cursor at or past it is the time of a run,
    not the time of a record.
    """
    return {k: ("<now>" if v[:1].isdigit() and "T" in v and v >= now_after else v) for k, v in cursors(engine).items()}


def assert_same_warehouse(expected: Engine, actual: Engine, now_after: str) -> None:
    """Every table's content hash equal (bookkeeping left out), cursors equal, no duplicate evidence."""
    from warehouse.fingerprint import diff_tables, table_fingerprints

    want = {t: h for t, h in table_fingerprints(expected).items() if t != "ingest_cursor"}
    got = {t: h for t, h in table_fingerprints(actual).items() if t != "ingest_cursor"}
    if want != got:
        detail = {t: d for t, d in diff_tables(expected, actual).items() if t != "ingest_cursor"}
        raise AssertionError(f"tables differ: {sorted(t for t in want if want[t] != got.get(t))}: {detail}")
    assert comparable_cursors(actual, now_after) == comparable_cursors(expected, now_after)
    assert duplicates(actual) == 0


def iso_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def cursor_violations(engine: Engine, world: dict[str, Any]) -> list[str]:
    """Records a cursor claims are stored but are not: a cursor must never pass unstored data."""
    from decimal import Decimal

    problems: list[str] = []
    marks = cursors(engine)
    with engine.connect() as conn:
        prs = {(r, n) for r, n in conn.execute(text("SELECT repo_full_name, number FROM gh_pull_request"))}
        msgs = {(c, ts) for c, ts in conn.execute(text("SELECT channel_id, ts FROM slack_message"))}
        incidents = {i for (i,) in conn.execute(text("SELECT id FROM pd_incident"))}
    for (source, partition), value in marks.items():
        if source == "github":
            for p in world["github"]["pulls"]:
                if p["repo"] == partition and p["updated_at"] <= value and (p["repo"], p["number"]) not in prs:
                    problems.append(f"github cursor {partition}={value} but PR #{p['number']} is not stored")
        elif source == "slack":
            for m in world["slack"]["messages"]:
                top = not m.get("thread_ts") or m["thread_ts"] == m["ts"]
                if (m["channel"] == partition and top and Decimal(m["ts"]) <= Decimal(value)
                        and (m["channel"], m["ts"]) not in msgs):
                    problems.append(f"slack cursor {partition}={value} but message {m['ts']} is not stored")
        elif source == "pagerduty":
            for inc in world["pagerduty"]["incidents"]:
                if inc["created_at"] < value and inc["id"] not in incidents:
                    problems.append(f"pagerduty cursor {partition}={value} but incident {inc['id']} is not stored")
    return problems
