"""Progress for long work: a spinner on a terminal, plain lines in a pipe."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

from lookback.output import inert


class Status:
    """A rich spinner while work runs when stderr is a terminal; one plain line otherwise."""

    def __init__(self, message: str) -> None:
        self.message = message
        self._status: Any = None

    def __enter__(self) -> Status:
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status(self.message + "...")
            self._status.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.__exit__(et, ev, tb)


def print_summary(summary: dict[str, Any]) -> None:
    rows = ", ".join(f"{t} {n}" for t, n in sorted(summary["rows"].items()) if n) or "nothing new"
    requests = ", ".join(f"{a} {n}" for a, n in summary["requests"].items())
    print(f"{summary['status']}: {rows}")
    print(f"requests: {requests or 'none'}; {summary['seconds']} s; run {summary['run_id']}")
    for item in summary.get("skipped", []):
        print(f"skipped {item.get('source')} {inert(item.get('partition'))}: {inert(item.get('reason'))}")
    for item in summary.get("failed", []):
        print(f"FAILED {item['source']} {inert(item.get('partition'))}: {inert(item['error'])}", file=sys.stderr)
