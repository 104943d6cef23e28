"""Time correlation of one incident on a filled warehouse, against a plain indexed scan of its window.

    python bench/correlate_speed.py --database-url URL INCIDENT [--runs 3]

Prints the evidence row count, correlation wall time (first and best of N runs, each in its own
rolled-back transaction), peak memory of the process, and the ratio to the floor: fetching every
evidence row of the same window through the `occurred_at` index.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session

if __package__ in (None, ""):
    # Run as a script, bench/ itself is sys.path[0] and its pagerduty.py would shadow the `pagerduty` package.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from warehouse.correlate import correlate  # noqa: E402
from warehouse.db import make_engine  # noqa: E402
from warehouse.sqlutil import rows  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("incident")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    engine = make_engine(args.database_url)
    with Session(engine) as session:
        total = rows(session, "SELECT count(*) AS n FROM evidence")[0]["n"]
    times = []
    result = None
    for _ in range(max(args.runs, 1)):
        with Session(engine) as session:
            started = time.perf_counter()
            result = correlate(session, args.incident)
            times.append(time.perf_counter() - started)
            session.rollback()
    assert result is not None
    correlate_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the floor's big fetch
    with Session(engine) as session:
        started = time.perf_counter()
        scanned = rows(session, "SELECT id, source, kind, native_id, occurred_at, title, text FROM evidence "
                       "WHERE occurred_at >= :a AND occurred_at <= :b", {"a": result.window_start, "b": result.window_end})
        floor = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backend {engine.dialect.name}, {total} evidence rows, window {result.window_start:%Y-%m-%d} .. "
          f"{result.window_end:%Y-%m-%d} ({len(scanned)} rows in it), {len(result.items)} ranked")
    print(f"correlate: first {times[0]:.2f} s, best {min(times):.2f} s; floor (indexed scan of the window) "
          f"{floor:.2f} s; ratio {min(times) / max(floor, 1e-6):.1f}x")
    print(f"peak RSS after correlating {correlate_mb:.0f} MB (after the floor scan too: {peak_mb:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
