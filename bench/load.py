"""Warehouse load speed: lookback's upsert path against raw sqlite3 executemany and PostgreSQL COPY."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.common import Row, best_of, postgres_available, postgres_engine, sqlite_engine
from models.base import to_db_time
from warehouse.load import upsert

TABLE = "slack_message"
COLUMNS = ("channel_id", "ts", "posted_at", "thread_ts", "is_reply", "user_id", "subtype", "text", "deleted",
           "reply_count", "permalink")


def make_rows(n: int) -> list[dict[str, Any]]:
    start = datetime(2022, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        ts = f"{1667260800 + i:010d}.{i % 1000000:06d}"
        rows.append({
            "channel_id": f"C{i % 40:08d}", "ts": ts, "posted_at": start + timedelta(seconds=i),
            "thread_ts": None if i % 7 else ts, "is_reply": False, "user_id": f"U{i % 300:08d}", "subtype": None,
            "text": f"message {i} about the read alias of collection {i % 97} and deploy {i % 13}",
            "deleted": False, "reply_count": i % 5, "permalink": f"https://shop.slack.com/archives/C{i % 40:08d}/p{i}",
        })
    return rows


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {TABLE}"))  # noqa: S608


def _lookback_load(engine: Engine, rows: list[dict[str, Any]], batch: int = 5000) -> Callable[[], None]:
    def run() -> None:
        _clear(engine)
        with Session(engine) as session, session.begin():
            for i in range(0, len(rows), batch):
                upsert(session, TABLE, rows[i:i + batch])
    return run


def _raw_sqlite(engine: Engine, rows: list[dict[str, Any]]) -> Callable[[], None]:
    tuples = [tuple(to_db_time(r[c], "sqlite") if c == "posted_at" else r[c] for c in COLUMNS) for r in rows]
    sql = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"  # noqa: S608

    def run() -> None:
        _clear(engine)
        raw = engine.raw_connection()
        try:
            raw.cursor().executemany(sql, tuples)
            raw.commit()
        finally:
            raw.close()
    return run


def _copy_postgres(engine: Engine, rows: list[dict[str, Any]]) -> Callable[[], None]:
    tuples = [tuple(r[c] for c in COLUMNS) for r in rows]

    def run() -> None:
        _clear(engine)
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in tuples:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    return run


def run(quick: bool = False) -> list[Row]:
    n = 10_000 if quick else 100_000
    repeats = 1 if quick else 3
    rows = make_rows(n)
    out = []
    with sqlite_engine() as engine:
        ours = best_of(repeats, _lookback_load(engine, rows))
        raw = best_of(repeats, _raw_sqlite(engine, rows))
        out.append(Row(f"warehouse load, {n // 1000}k rows, SQLite", n / ours, "rows/s", n / raw,
                       "raw sqlite3 executemany", raw / ours, "ratio = ours / peer (goal >= 0.60)"))
    if postgres_available():
        with postgres_engine() as engine:
            ours = best_of(repeats, _lookback_load(engine, rows))
            copy = best_of(repeats, _copy_postgres(engine, rows))
            out.append(Row(f"warehouse load, {n // 1000}k rows, PostgreSQL", n / ours, "rows/s", n / copy,
                           "COPY", copy / ours, "ratio = ours / peer (goal >= 0.50)"))
    else:
        print("PostgreSQL not reachable: skipped its load benchmark", file=sys.stderr)
    return out


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
