"""How long `lookback --help` takes to start, against the interpreter alone (`python -c pass`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.common import Row, best_of


def _command(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(quick: bool = False) -> list[Row]:
    repeats = 2 if quick else 5
    lookback = str(Path(sys.executable).with_name("lookback"))
    cli = best_of(repeats, lambda: _command(lookback, "--help"))
    bare = best_of(repeats, lambda: _command(sys.executable, "-c", "pass"))
    return [Row("CLI start (`lookback --help`)", cli, "s", bare, "`python -c pass`", cli / bare,
                f"ratio = figure / peer (lower is better); {cli - bare:.2f}s of imports and setup")]
