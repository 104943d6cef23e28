"""`python -m bench [--quick] [--only NAME]`: run the benchmarks and print one table of figures, bounds and ratios.

Every figure sits next to its bound, or a peer measured in the same run, and their ratio: on a shared,
noisy machine only the ratios compare between runs. The table is also written as JSON
(`bench/results/latest.json` unless `--out` says otherwise) to compare commits.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Prefect keeps its local API and database under PREFECT_HOME: a throwaway one, unless the caller chose.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="lookback-bench-prefect-"))

from bench.common import Row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# name -> "module:function"; each function takes `quick` and returns rows. Order is the table's order.
SUITE: dict[str, str] = {
    "github": "bench.api_calls:github",
    "slack": "bench.api_calls:slack",
    "pagerduty": "bench.pagerduty:run",
    "load": "bench.load:run",
    "nightly": "bench.nightly:run",
    "correlation": "bench.correlation:run_sqlite",
    "correlation-pg": "bench.correlation:run_postgres",
    "memory": "bench.memory:run",
    "startup": "bench.startup:run",
}


def resolve(spec: str) -> Callable[[bool], list[Row]]:
    module, _, name = spec.partition(":")
    fn: Callable[[bool], list[Row]] = getattr(importlib.import_module(module), name)
    return fn


def run_suite(names: Sequence[str], quick: bool) -> tuple[list[tuple[str, Row]], dict[str, str], dict[str, float]]:
    """Rows of every named benchmark; a benchmark that raises is reported and the others still run."""
    rows: list[tuple[str, Row]] = []
    failed: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for name in names:
        started = time.perf_counter()
        print(f"bench: {name}...", file=sys.stderr, flush=True)
        try:
            rows += [(name, row) for row in resolve(SUITE[name])(quick)]
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            failed[name] = f"{type(exc).__name__}: {exc}"
        seconds[name] = round(time.perf_counter() - started, 1)
    return rows, failed, seconds


def number(value: float | None) -> str:
    """Three significant digits, without exponent noise for the sizes a benchmark shows."""
    if value is None:
        return "-"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def cells(row: Row) -> list[str]:
    bound = "-" if row.bound is None else f"{number(row.bound)} {row.unit} ({row.bound_label})"
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
    return [row.what, f"{number(row.figure)} {row.unit}", bound, ratio, row.note]


HEADER = ["what", "figure", "bound or peer, same run", "ratio", "note"]


def table_text(rows: Sequence[Row]) -> str:
    lines = [cells(r) for r in rows]
    widths = [max(len(HEADER[i]), *(len(line[i]) for line in lines)) if lines else len(HEADER[i]) for i in range(4)]
    fmt = "  ".join(f"{{:{'>' if i in (1, 3) else '<'}{w}}}" for i, w in enumerate(widths)) + "  {}"
    out = [fmt.format(*HEADER), fmt.format(*("-" * w for w in widths), "-" * 4)]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def table_markdown(rows: Sequence[Row]) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|---|---:|---|---:|---|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |" for r in rows]
    return "\n".join(out)


def commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small worlds, one repeat")
    parser.add_argument("--only", action="append", choices=list(SUITE), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(SUITE)}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json",
                        help="where to write the table as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument("--show", type=Path, metavar="JSON", help="print a stored table instead of measuring")
    args = parser.parse_args(argv)
    if args.show:
        stored = json.loads(args.show.read_text())
        shown = [Row(**{k: v for k, v in r.items() if k != "benchmark"}) for r in stored["rows"]]
        print(table_markdown(shown) if args.markdown else table_text(shown))
        print(f"measured {stored['when']} at commit {stored['commit']}, {stored['seconds']}s, "
              f"{'quick' if stored['quick'] else 'full'} run", file=sys.stderr)
        return 0
    names = args.only or list(SUITE)
    started = time.perf_counter()
    named_rows, failed, seconds = run_suite(names, args.quick)
    rows = [row for _, row in named_rows]
    print(table_markdown(rows) if args.markdown else table_text(rows))
    for name, error in failed.items():
        print(f"FAILED {name}: {error}")
    total = round(time.perf_counter() - started, 1)
    print(f"{len(rows)} rows in {total}s ({', '.join(f'{n} {s}s' for n, s in seconds.items())})", file=sys.stderr)
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit(), "quick": args.quick,
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "seconds": total, "seconds_per_benchmark": seconds,
        "failed": failed, "rows": [{"benchmark": name, **row.as_dict()} for name, row in named_rows],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
