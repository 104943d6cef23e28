"""A smoke run of `python -m bench --quick`, so the benchmarks cannot rot. It checks shapes, never speeds."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# The smoke run measures SQLite and, when it answers, PostgreSQL itself: once per `make test` is enough.
@pytest.mark.skipif(bool(os.environ.get("LOOKBACK_TEST_DATABASE_URL")), reason="runs in the SQLite pass only")
@pytest.mark.timeout(300)
def test_quick_bench_gives_every_row_a_figure_and_a_ratio(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["failed"] == {}
    rows = report["rows"]
    assert {r["benchmark"] for r in rows} >= {"github", "slack", "pagerduty", "load", "nightly", "correlation",
                                               "memory", "startup"}
    # PostgreSQL rows are there, or the run said why not.
    pg = [r for r in rows if r["benchmark"] == "correlation-pg"]
    assert pg or "PostgreSQL not reachable" in done.stderr
    for row in rows:
        assert math.isfinite(row["figure"]) and row["figure"] >= 0, row
        assert row["ratio"] is not None and math.isfinite(row["ratio"]) and row["ratio"] > 0, row
        assert row["bound_label"], row
    # The printed table carries every row.
    assert all(r["what"] in done.stdout for r in rows)
