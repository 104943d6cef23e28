"""What every benchmark shares: the row type, timing, and temporary databases on both backends."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, text

from warehouse.db import ensure_schema, make_engine

PG_URL = os.environ.get("LOOKBACK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Row:
    what: str
    figure: float
    unit: str
    bound: float | None  # the bound or the peer, measured in the same run
    bound_label: str
    ratio: float | None  # figure / bound, or bound / figure for "higher is better" figures: see `note`
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(n: int, fn: Callable[[], Any]) -> float:
    """The fastest of n runs: on a shared, noisy machine the minimum is the most repeatable figure."""
    return min(timed(fn)[0] for _ in range(n))


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="lookback-bench-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        ensure_schema(engine)
        yield engine
        engine.dispose()


def postgres_available() -> bool:
    try:
        with make_engine(PG_URL).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001
        return False


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    schema = f"lbb_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        ensure_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
