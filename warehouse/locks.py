"""One nightly writer per source and warehouse: a second run waits, and says so, instead of fetching the
same pages twice. The lock dies with its holder (a PostgreSQL advisory lock held by a connection, or
an flock on a file beside the SQLite database), so a killed run never leaves it behind."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


@contextmanager
def source_lock(engine: Engine, source: str, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the nightly lock of ``source`` on this warehouse; if another run holds it, call ``on_wait``
    with a message and wait until it is free."""
    message = (f"another run is ingesting {source} into this warehouse: this one waits for it, then goes on "
               "from the cursors it leaves (nothing is fetched twice)")
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(f"lookback:{source}".encode())
        with engine.connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                on_wait(message)
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + f".{source}.lock")
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
