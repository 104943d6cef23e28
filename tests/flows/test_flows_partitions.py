"""Partitions as Prefect tasks: one task run per repo, channel and PagerDuty account; one that keeps failing
is retried, then recorded by name with its reason, and every other partition is loaded with its cursor."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from connectors.errors import TransientError
from connectors.github import GithubTransient, PyGithubClient
from connectors.http import Backoff
from connectors.slack import SlackWebApi
from flows.ingest import nightly_ingest, warehouse_engine
from flows.pipeline import run_record
from lookback.settings import load_settings

pytestmark = pytest.mark.usefixtures("prefect_harness")

REPOS = ["shop/alerting", "shop/auth", "shop/search-tools"]
CHANNELS = ["C0Q1BWAZ95", "C0ESB17NFZ", "C0267WYYUJ"]  # search-team, search-alerts, customer-experience
BROKEN_REPO, BROKEN_CHANNEL = "shop/search-tools", "C0ESB17NFZ"


def task_runs(flow_run_id: UUID, expected: int) -> list[Any]:
    """The flow run's task runs as the Prefect API records them (its event pipeline lags a little)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            done = [r for r in runs if r.state is not None and r.state.is_final()]
            if len(done) >= expected or time.monotonic() > deadline:
                return runs
            time.sleep(0.5)


def test_partitions_are_task_runs_and_one_failing_leaves_the_others_loaded(seed_sandbox, monkeypatch):
    monkeypatch.setenv("LOOKBACK_GITHUB_REPOS", ",".join(REPOS))
    monkeypatch.setenv("LOOKBACK_SLACK_CHANNELS", ",".join(CHANNELS))
    # One repository and one channel answer 502 whatever the retries, the connector's and the task's.
    attempts = {"repo": 0, "channel": 0}
    real_graphql, real_call = PyGithubClient.graphql, SlackWebApi.call

    def graphql(self, query, variables):
        if f"{variables.get('owner')}/{variables.get('name')}" == BROKEN_REPO:
            attempts["repo"] += 1
            raise GithubTransient("HTTP 502 Bad Gateway")
        return real_graphql(self, query, variables)

    def call(self, method, params):
        if method == "conversations.history" and params.get("channel") == BROKEN_CHANNEL:
            attempts["channel"] += 1
            raise TransientError("Slack conversations.history still failing (HTTP 502)")
        return real_call(self, method, params)

    monkeypatch.setattr(PyGithubClient, "graphql", graphql)
    monkeypatch.setattr(SlackWebApi, "call", call)
    monkeypatch.setattr(Backoff, "wait", lambda self, attempt, retry_after=None: 0.0)
    import flows.ingest

    monkeypatch.setattr(flows.ingest, "ingest_partition_task",
                        flows.ingest.ingest_partition_task.with_options(retry_delay_seconds=0))

    state = nightly_ingest(return_state=True)
    summary = state.result()
    engine = warehouse_engine(load_settings())

    assert summary["status"] == "partial", summary
    failed = {(f["source"], f["partition"]): f["error"] for f in summary["failed"]}
    assert set(failed) == {("github", BROKEN_REPO), ("slack", BROKEN_CHANNEL)}, failed
    assert "502" in failed[("github", BROKEN_REPO)] and "502" in failed[("slack", BROKEN_CHANNEL)]
    # The task retried the partition twice after the first try: three tries in all.
    assert attempts["channel"] == 3
    assert attempts["repo"] == 3 * Backoff().attempts
    run = run_record(engine, summary["run_id"])
    assert run is not None and run.status == "partial"
    assert {(e["source"], e["partition"]) for e in run.errors if e.get("error")} == set(failed)

    with engine.connect() as conn:
        cursors = {(s, p) for s, p in conn.execute(text("SELECT source, partition FROM ingest_cursor"))}
        repos = {r for (r,) in conn.execute(text("SELECT DISTINCT repo_full_name FROM gh_pull_request"))}
        channels = {c for (c,) in conn.execute(text("SELECT DISTINCT channel_id FROM slack_message"))}
        incidents = conn.execute(text("SELECT count(*) FROM pd_incident")).scalar()
    healthy_repos = set(REPOS) - {BROKEN_REPO}
    healthy_channels = set(CHANNELS) - {BROKEN_CHANNEL}
    assert repos == healthy_repos and healthy_channels <= channels and BROKEN_CHANNEL not in channels
    assert {("github", r) for r in healthy_repos} | {("slack", c) for c in healthy_channels} <= cursors
    assert ("github", BROKEN_REPO) not in cursors and ("slack", BROKEN_CHANNEL) not in cursors
    assert incidents and ("pagerduty", "account") in cursors

    # Each partition ran as a task run of its own; the broken ones failed after three runs, the rest completed.
    partitions = [f"github:{r}" for r in REPOS] + [f"slack:{c}" for c in CHANNELS] + ["pagerduty:account"]
    runs = task_runs(state.state_details.flow_run_id, expected=len(partitions) + 3)
    by_name = {r.name: r for r in runs if r.name.split(":")[0] in ("github", "slack", "pagerduty")}
    assert sorted(by_name) == sorted(partitions), sorted(r.name for r in runs)
    for name, task_run in by_name.items():
        broken = name in (f"github:{BROKEN_REPO}", f"slack:{BROKEN_CHANNEL}")
        assert task_run.state.is_failed() if broken else task_run.state.is_completed(), (name, task_run.state)
        assert task_run.run_count == (3 if broken else 1), (name, task_run.run_count)
    assert sorted(r.name for r in runs if r.name.startswith("list-")) == ["list-github", "list-pagerduty",
                                                                         "list-slack"]

    # The next run, with the faults gone, loads the two it missed and moves their cursors.
    monkeypatch.setattr(PyGithubClient, "graphql", real_graphql)
    monkeypatch.setattr(SlackWebApi, "call", real_call)
    again = nightly_ingest()
    assert again["status"] == "completed" and again["failed"] == [], again
    with engine.connect() as conn:
        cursors = {(s, p) for s, p in conn.execute(text("SELECT source, partition FROM ingest_cursor"))}
    assert ("github", BROKEN_REPO) in cursors and ("slack", BROKEN_CHANNEL) in cursors


def test_without_prefect_a_failing_partition_is_recorded_the_same_way(seed_sandbox, monkeypatch):
    """The plain path (benchmarks, evaluation) isolates partitions too, with no task retries."""
    from flows.ingest import run_sources

    monkeypatch.setenv("LOOKBACK_GITHUB_REPOS", ",".join(REPOS))
    real_graphql = PyGithubClient.graphql

    def graphql(self, query, variables):
        if f"{variables.get('owner')}/{variables.get('name')}" == BROKEN_REPO:
            raise GithubTransient("HTTP 503 Service Unavailable")
        return real_graphql(self, query, variables)

    monkeypatch.setattr(PyGithubClient, "graphql", graphql)
    monkeypatch.setattr(Backoff, "wait", lambda self, attempt, retry_after=None: 0.0)
    settings = load_settings()
    engine = warehouse_engine(settings)
    summary = run_sources(settings, engine, ["github"], None, None, flow_name="nightly_ingest", move_cursors=True,
                          use_prefect=False)
    assert summary["status"] == "partial"
    assert [(f["source"], f["partition"]) for f in summary["failed"]] == [("github", BROKEN_REPO)]
    assert "503" in summary["failed"][0]["error"]
    assert {p["partition"] for p in summary["partitions"]} == {"(listing)", *(set(REPOS) - {BROKEN_REPO})}
    with engine.connect() as conn:
        cursors = {p for (p,) in conn.execute(text("SELECT partition FROM ingest_cursor WHERE source = 'github'"))}
    assert cursors == set(REPOS) - {BROKEN_REPO}
