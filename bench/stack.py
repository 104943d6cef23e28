"""A sandbox world, a warehouse and lookback's settings pointing at both: what the end-to-end benchmarks share."""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from lookback.settings import Settings, load_settings
from warehouse.db import ensure_schema, make_engine

SOURCES = ["github", "slack", "pagerduty"]
# Wide enough for every generated world; `LOOKBACK_HISTORY` bounds what a first nightly run reads.
HISTORY = "2000d"
# The sandbox's worlds live around the seed story (autumn 2022): these windows cover all of them.
WORLD_SINCE = datetime(2020, 1, 1, tzinfo=UTC)
WORLD_UNTIL = datetime(2024, 1, 1, tzinfo=UTC)


def env_for(box: Sandbox, database_url: str) -> dict[str, str]:
    """The environment variables a lookback process needs to ingest this sandbox into `database_url`."""
    return {**box.env(), "LOOKBACK_DATABASE_URL": database_url, "LOOKBACK_HISTORY": HISTORY,
            # The GitHub connector does not discover repositories without an org or a list.
            "LOOKBACK_GITHUB_ORGS": "shop"}


def settings_for(env: Mapping[str, str]) -> Settings:
    """Settings from `env_for`'s variables, without reading (or changing) this process's environment."""
    return load_settings(
        database_url=env["LOOKBACK_DATABASE_URL"], history=env["LOOKBACK_HISTORY"],
        github_orgs=env["LOOKBACK_GITHUB_ORGS"].split(","), ca_bundle=env["LOOKBACK_CA_BUNDLE"],
        github_token=env["GITHUB_TOKEN"], github_api_url=env["GITHUB_API_URL"],
        slack_bot_token=env["SLACK_BOT_TOKEN"], slack_api_url=env["SLACK_API_URL"],
        pagerduty_api_token=env["PAGERDUTY_API_TOKEN"], pagerduty_api_url=env["PAGERDUTY_API_URL"],
    )


@contextmanager
def patched_env(env: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for a block (Prefect tasks read settings themselves), then restore them."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class Stack:
    box: Sandbox
    engine: Engine
    env: dict[str, str]
    settings: Settings


@contextmanager
def stack(world: dict[str, Any], knobs: Knobs, database_url: str | None = None) -> Iterator[Stack]:
    """Serve `world` and open a migrated warehouse (a temporary SQLite file unless `database_url` is given)."""
    with tempfile.TemporaryDirectory(prefix="lookback-bench-") as tmp, start(world, knobs) as box:
        url = database_url or f"sqlite:///{tmp}/warehouse.db"
        engine = make_engine(url)
        ensure_schema(engine)
        env = env_for(box, url)
        try:
            yield Stack(box, engine, env, settings_for(env))
        finally:
            engine.dispose()


def ingest(settings: Settings, engine: Engine, sources: list[str], since: datetime | None = None,
           until: datetime | None = None) -> dict[str, Any]:
    """One run of the sources with tasks as plain functions: a nightly run from the cursors, or a window."""
    from flows.ingest import run_sources

    nightly = since is None and until is None
    summary = run_sources(settings, engine, sources, since, until,
                          flow_name="nightly_ingest" if nightly else "backfill_incident",
                          move_cursors=nightly, use_prefect=False)
    if summary["failed"]:
        raise RuntimeError(f"ingest failed: {summary['failed']}")
    return summary


def calls(box: Sandbox, api: str) -> dict[str, int]:
    """Requests the sandbox answered for one API since its last stats reset, per endpoint."""
    return dict(box.stats()["apis"].get(api, {}).get("endpoints", {}))


# -------------------------------------------------------------------------------------- lower bounds


def github_bound(world: dict[str, Any], page: int = 25) -> tuple[int, int, int]:
    """(requests, PRs, repositories): issue 5's ceil(N/25) + 2 per repository, for a full backfill."""
    per_repo = Counter(p["repo"] for p in world["github"]["pulls"])
    return sum(math.ceil(n / page) + 2 for n in per_repo.values()), sum(per_repo.values()), len(per_repo)


def slack_bound(world: dict[str, Any]) -> dict[str, int]:
    """Issue 6's lower bound per method for a full backfill (the Slack engineer's definition)."""
    from bench.slack import lower_bound

    return lower_bound(world)


def pagerduty_bound(world: dict[str, Any]) -> tuple[int, int, int]:
    """(calls, incidents, log entries): issue 7's ceil(N/100) + ceil(M/100) + one alerts call per incident."""
    incidents = world["pagerduty"]["incidents"]
    # A note also appears as an annotate log entry.
    entries = sum(len(i.get("log_entries", [])) + len(i.get("notes", [])) for i in incidents)
    return math.ceil(len(incidents) / 100) + math.ceil(entries / 100) + len(incidents), len(incidents), entries
