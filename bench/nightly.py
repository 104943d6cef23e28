"""The nightly flow end to end against a sandbox world with 50 ms per request, and what Prefect adds to a run.

The floor of a run is its unavoidable round trips at the allowed concurrency: the flow fetches the
partitions (repos, channels, the PagerDuty account) `partition_workers()` at a time and each partition's
requests one after another, so no run beats the sum of the sources' lower bounds times the latency spread
over the workers, nor PagerDuty's bound alone (its partitions share one read, so it is one task).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.common import Row, best_of
from bench.stack import SOURCES, Stack, github_bound, ingest, pagerduty_bound, patched_env, slack_bound, stack
from flows.runtime import partition_workers
from lookback.sandbox.core import Knobs
from lookback.sandbox.worlds import load_world

PAGERDUTY_PER_MIN = 960  # the sandbox's default, PagerDuty's documented REST limit


def floor_seconds(bounds: dict[str, int], latency_s: float) -> tuple[float, str]:
    """(seconds, what sets them) for partitions run `partition_workers()` at a time, each one request at a time.

    PagerDuty's limit is a number of requests per minute window: it costs whole minutes once a run
    needs more than one window's worth.
    """
    cost = {s: n * latency_s for s, n in bounds.items()}
    cost["pagerduty"] += 60.0 * ((bounds["pagerduty"] - 1) // PAGERDUTY_PER_MIN)
    workers = partition_workers()
    spread = sum(cost.values()) / workers
    if cost["pagerduty"] >= spread:
        return cost["pagerduty"], "pagerduty, one task"
    return spread, f"all sources over {workers} workers"


def run(quick: bool = False) -> list[Row]:
    latency_ms = 1.0 if quick else 50.0
    world, _truth = load_world("seed", scale=1)
    full = {"github": github_bound(world)[0], "slack": sum(slack_bound(world).values()),
            "pagerduty": pagerduty_bound(world)[0]}
    channels = sum(1 for c in world["slack"]["channels"] if c.get("is_member"))
    quiet = {"github": github_bound(world)[2], "slack": channels + 3, "pagerduty": 2}
    # Slack's tier limits off: with them, 50 replies calls a minute alone would set the floor at minutes.
    knobs = Knobs().updated(latency_ms=latency_ms, slack_tiers=False, pagerduty_rate_per_min=PAGERDUTY_PER_MIN)
    rows: list[Row] = []
    with stack(world, knobs) as st, patched_env(st.env):
        from flows.ingest import nightly_ingest

        started = time.perf_counter()
        _warm_prefect()
        prefect_start = time.perf_counter() - started
        # The first run happens once (it fills the warehouse); the quiet one is the best of a few.
        for label, bounds, repeats in (("first nightly, empty warehouse", full, 1),
                                       ("nightly with nothing new", quiet, 1 if quick else 3)):
            wall = float("inf")
            for _ in range(repeats):
                st.box.reset_stats()
                started = time.perf_counter()
                summary = _check(nightly_ingest())
                wall = min(wall, time.perf_counter() - started)
            floor, slowest = floor_seconds(bounds, latency_ms / 1000)
            spent = ", ".join(f"{s} {summary['requests'].get(s, 0)}/{bounds[s]}" for s in SOURCES)
            rows.append(Row(f"end-to-end {label} (seed world, {latency_ms:.0f} ms latency)", wall, "s", floor,
                            f"round trips at allowed concurrency ({slowest})", wall / floor,
                            f"ratio = figure / floor (goal near 1); requests/bound {spent}; "
                            f"Prefect's local API started first in {prefect_start:.1f}s"))
        st.box.set_knobs(latency_ms=0.0)
        rows.append(_prefect_overhead(st, nightly_ingest, repeats=1 if quick else 3))
    return rows


def _prefect_overhead(st: Stack, flow: Callable[[], dict[str, Any]], repeats: int) -> Row:
    """A quiet nightly run as a Prefect flow against the same run with its tasks as plain functions."""
    with_prefect = best_of(repeats, lambda: _check(flow()))
    plain = best_of(repeats, lambda: ingest(st.settings, st.engine, list(SOURCES)))
    return Row("Prefect overhead per flow run (quiet nightly, no latency)", with_prefect, "s", plain,
               "same run, tasks as plain functions", with_prefect / plain,
               f"ratio = figure / peer (lower is better); overhead {with_prefect - plain:.2f}s per run")


def _warm_prefect() -> None:
    """Run an empty flow once: the first flow run of a process starts Prefect's local API."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        return None

    warm_up()


def _check(summary: dict[str, Any]) -> dict[str, Any]:
    if summary["status"] != "completed":
        raise RuntimeError(f"nightly run {summary['status']}: {summary['failed'] or summary['skipped']}")
    return summary
