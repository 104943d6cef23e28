"""Start-up costs: `lookback --help` against the interpreter alone, and `lookback ingest` with nothing new
against the same run in-process (the difference is imports and Prefect's local API, paid per invocation)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, best_of
from bench.stack import SOURCES, ingest, stack
from lookback.sandbox.core import Knobs
from lookback.sandbox.worlds import load_world

LOOKBACK = str(Path(sys.executable).with_name("lookback"))


def _command(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def run(quick: bool = False) -> list[Row]:
    repeats = 2 if quick else 5
    cli = best_of(repeats, lambda: _command(LOOKBACK, "--help"))
    bare = best_of(repeats, lambda: _command(sys.executable, "-c", "pass"))
    return [Row("CLI start (`lookback --help`)", cli, "s", bare, "`python -c pass`", cli / bare,
                f"ratio = figure / peer (lower is better); {cli - bare:.2f}s of imports and setup"),
            _cli_ingest(repeats=1 if quick else 2)]


def _cli_ingest(repeats: int) -> Row:
    world, _truth = load_world("seed", scale=1)
    with stack(world, Knobs(slack_tiers=False, pagerduty_rate_per_min=10_000_000)) as st:
        ingest(st.settings, st.engine, list(SOURCES))  # fill the warehouse: what follows finds nothing new
        plain = best_of(repeats, lambda: ingest(st.settings, st.engine, list(SOURCES)))
        env = {**os.environ, **st.env}
        started = time.perf_counter()
        wall = best_of(repeats, lambda: _command(LOOKBACK, "ingest", env=env))
        total = time.perf_counter() - started
    return Row("`lookback ingest` with nothing new (seed world), whole command", wall, "s", plain,
               "same run in-process, tasks as plain functions", wall / plain,
               f"ratio = figure / peer (lower is better); {wall - plain:.1f}s of process start, imports and "
               f"Prefect's local API; {repeats} runs in {total:.0f}s")
