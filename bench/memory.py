"""Peak memory of a full backfill at two world sizes: it should stay flat as the world grows.

The sandbox serves the world from this process; the ingest runs in a child process (the first nightly
run on an empty warehouse, every source, tasks as plain functions) that reports its own peak RSS, so the
world held by the sandbox is not counted. The child reads its peak from /proc (VmHWM): on Linux
`getrusage(RUSAGE_SELF).ru_maxrss` carries the parent's peak across fork and exec, which would report
this process's size instead.

    python -m bench.memory --child      # the child: reads lookback's settings from the environment
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row
from bench.stack import SOURCES, env_for
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from lookback.sandbox.worlds import load_world

ROOT = Path(__file__).resolve().parents[1]


def run(quick: bool = False) -> list[Row]:
    small, large = (1, 2) if quick else (2, 25)
    measured = [_measure(scale) for scale in (small, large)]
    (s_msgs, s_out), (l_msgs, l_out) = measured
    idle = "" if quick else f"{_child(None, idle=True)['peak_mb']:.0f} MB after imports alone; "
    return [Row(f"peak memory of a full backfill, seed world x{large} ({l_msgs} messages)", l_out["peak_mb"], "MB",
                s_out["peak_mb"], f"same at x{small} ({s_msgs} messages)", l_out["peak_mb"] / s_out["peak_mb"],
                f"ratio = figure / peer (goal: flat, near 1); {l_out['rows']} vs {s_out['rows']} rows written; "
                f"{idle}{l_out['seconds']:.0f}s vs {s_out['seconds']:.0f}s")]


def _measure(scale: int) -> tuple[int, dict[str, Any]]:
    world, _truth = load_world("seed", scale=scale)
    # No rate limits: memory is what is measured, and a large world would exhaust GitHub's hourly budget.
    knobs = Knobs(slack_tiers=False, pagerduty_rate_per_min=10_000_000, github_rate_limit=10_000_000)
    with tempfile.TemporaryDirectory(prefix="lookback-bench-") as tmp, start(world, knobs) as box:
        return len(world["slack"]["messages"]), _child(env_for(box, f"sqlite:///{tmp}/warehouse.db"))


def _child(env: dict[str, str] | None, idle: bool = False) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.memory", "--child"] + (["--idle"] if idle else [])
    done = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the backfill child failed ({done.returncode}): {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def child(idle: bool) -> dict[str, Any]:
    """Run a full backfill from the environment's settings (or only the imports); report peak RSS."""
    from flows.ingest import run_sources
    from lookback.settings import load_settings
    from warehouse.db import ensure_schema, make_engine

    started = time.perf_counter()
    written = 0
    if not idle:
        settings = load_settings()
        engine = make_engine(settings.database_url)
        ensure_schema(engine)
        summary = run_sources(settings, engine, list(SOURCES), None, None, flow_name="nightly_ingest",
                              move_cursors=True, use_prefect=False)
        if summary["failed"]:
            raise RuntimeError(f"ingest failed: {summary['failed']}")
        written = sum(n for table, n in summary["rows"].items() if table != "raw_record")
    return {"peak_mb": peak_kb() / 1024, "rows": written, "seconds": time.perf_counter() - started}


def peak_kb() -> int:
    """This process's own peak resident set, in kilobytes."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux, bytes on macOS


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child(idle="--idle" in sys.argv)))
    else:
        for row in run(quick="--quick" in sys.argv):
            print(row)
