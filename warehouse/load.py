"""The one write path: batched, idempotent upserts keyed on natural ids, raw landing, quarantine and cursors.

Rows reach the database through the DBAPI's ``executemany`` (SQLite) or ``COPY`` into a staging
table and one ``INSERT ... SELECT ... ON CONFLICT`` (PostgreSQL). An update only happens when a
value changed, so running anything twice writes nothing and the counts returned are real changes.
Functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Table, text
from sqlalchemy.orm import Session

from models import Base
from models.base import JSONText, UTCDateTime, dump_json, to_db_time

log = logging.getLogger(__name__)

Batch = dict[str, list[dict[str, Any]]]
Mapper = Callable[[dict[str, Any]], Batch]

# Tables whose conflict key is not the primary key.
CONFLICT_KEYS: dict[str, tuple[str, ...]] = {"evidence": ("source", "native_id")}
# Columns whose change alone means the row changed (the others follow them).
CHANGE_COLUMNS: dict[str, tuple[str, ...]] = {"raw_record": ("payload_hash",)}
# Tables where the first write wins.
INSERT_ONLY = {"quarantine"}


def _conflict_key(table: Table) -> tuple[str, ...]:
    return CONFLICT_KEYS.get(table.name) or tuple(c.name for c in table.primary_key.columns)


def _converter(column: Column[Any], dialect: str) -> Callable[[list[Any]], list[Any]] | None:
    """A function converting one column's values (a list) to what the driver stores, or None."""
    if isinstance(column.type, UTCDateTime):
        return lambda values: [to_db_time(v, dialect) for v in values]
    if isinstance(column.type, JSONText):
        return lambda values: [dump_json(v) for v in values]
    if column.type.python_type is str:  # PostgreSQL refuses NUL bytes in text; keep both backends alike
        return lambda values: [v.replace("\x00", "") if v.__class__ is str and "\x00" in v else v for v in values]
    return None


def _dedupe(rows: Sequence[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """Last write per key wins, as if the rows had been written one after another."""
    get = itemgetter(*key)
    by_key = {get(row): row for row in rows}
    return list(by_key.values()) if len(by_key) < len(rows) else list(rows)


def _tuples(rows: list[dict[str, Any]], columns: list[str],
            converters: list[Callable[[list[Any]], list[Any]] | None]) -> list[tuple[Any, ...]]:
    """Rows as driver-ready tuples; conversion runs column by column, which is much cheaper per value."""
    get = itemgetter(*columns)
    if len(columns) == 1:
        tuples = [(get(r),) for r in rows]
    else:
        tuples = [get(r) for r in rows]
    if not any(converters):
        return tuples
    cols = list(zip(*tuples, strict=True))
    converted = [conv(list(col)) if conv else col for col, conv in zip(cols, converters, strict=True)]
    return list(zip(*converted, strict=True))


def _update_clause(table: Table, columns: Sequence[str], key: tuple[str, ...], dialect: str) -> str:
    if table.name in INSERT_ONLY:
        return "DO NOTHING"
    settable = [c for c in columns if c not in key]
    if not settable:
        return "DO NOTHING"
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in settable)
    watched = [c for c in CHANGE_COLUMNS.get(table.name, settable) if c in settable] or settable
    op = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    # PostgreSQL's json type has no equality operator: compare JSON columns as jsonb.
    cast = {c: "::jsonb" for c in watched if dialect == "postgresql" and isinstance(table.columns[c].type, JSONText)}
    changed = " OR ".join(
        f'"{table.name}"."{c}"{cast.get(c, "")} {op} excluded."{c}"{cast.get(c, "")}' for c in watched
    )
    return f"DO UPDATE SET {sets} WHERE {changed}"


def upsert(session: Session, table_name: str, rows: Sequence[dict[str, Any]]) -> int:
    """Insert or update ``rows`` (dicts of column values) in one table; returns rows changed.

    Every row must carry the same keys; a column left out is left untouched on update.
    """
    if not rows:
        return 0
    table = Base.metadata.tables[table_name]
    key = _conflict_key(table)
    columns = list(rows[0].keys())
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise KeyError(f"{table_name} has no column(s) {sorted(unknown)}")
    missing = [k for k in key if k not in columns]
    if missing:
        raise KeyError(f"rows for {table_name} lack key column(s) {missing}")
    # One order of keys for every writer: concurrent upserts then lock rows in the same order (no deadlock).
    get = itemgetter(*key)
    rows = sorted(_dedupe(rows, key), key=lambda r: str(get(r)))
    conn = session.connection()
    dialect = conn.dialect.name
    converters = [_converter(table.columns[c], dialect) for c in columns]
    tuples = _tuples(rows, columns, converters)
    col_sql = ", ".join(f'"{c}"' for c in columns)
    conflict = f"ON CONFLICT ({', '.join(key)}) {_update_clause(table, columns, key, dialect)}"
    if dialect == "postgresql":
        return _upsert_postgres(conn, table, columns, col_sql, conflict, tuples, key)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({col_sql}) VALUES ({marks}) {conflict}'  # noqa: S608 - names from metadata
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, tuples)
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


def _upsert_postgres(conn: Any, table: Table, columns: list[str], col_sql: str, conflict: str,
                     tuples: list[tuple[Any, ...]], key: tuple[str, ...]) -> int:
    stage = f"_lb_stage_{table.name}_{abs(hash(tuple(columns))) % 10**8}"
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS SELECT {col_sql} FROM "{table.name}" WITH NO DATA'  # noqa: S608
        )
        cur.execute(f'TRUNCATE "{stage}"')
        with cur.copy(f'COPY "{stage}" ({col_sql}) FROM STDIN') as copy:
            for row in tuples:
                copy.write_row(row)
        cur.execute(f'INSERT INTO "{table.name}" ({col_sql}) SELECT {col_sql} FROM "{stage}" '  # noqa: S608
                    f'ORDER BY {", ".join(key)} {conflict}')
        return max(cur.rowcount, 0)


# Parents before children is not needed (no foreign keys between natural keys), but a fixed order
# keeps lock acquisition the same in concurrent runs, which avoids deadlocks on PostgreSQL.
def _table_order(names: Iterable[str]) -> list[str]:
    order = {name: i for i, name in enumerate(Base.metadata.tables)}
    return sorted(names, key=lambda n: order.get(n, len(order)))


def load_batch(session: Session, batch: Batch) -> Counter[str]:
    """Upsert every table of a batch; returns rows changed per table."""
    written: Counter[str] = Counter()
    for name in _table_order(batch):
        rows = batch[name]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        for group in groups.values():
            written[name] += upsert(session, name, group)
    return written


def merge_batches(target: Batch, extra: Batch) -> Batch:
    for name, rows in extra.items():
        target.setdefault(name, []).extend(rows)
    return target


def payload_hash(payload_text: str) -> str:
    return hashlib.sha256(payload_text.encode("utf-8", "surrogatepass")).hexdigest()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def ingest(
    session: Session,
    source: str,
    kind: str,
    records: Iterable[dict[str, Any]],
    mapper: Mapper,
    native_id: Callable[[dict[str, Any]], str],
    *,
    run_id: str | None = None,
    batch_size: int = 1000,
    fetched_at: datetime | None = None,
) -> Counter[str]:
    """Map and load records of one kind; land each raw payload; quarantine records that fail.

    A record whose mapping raises, or whose rows the database refuses, goes to ``quarantine``
    with the error; the rest of the batch is stored. Returns rows changed per table, plus
    ``quarantined``.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    written: Counter[str] = Counter()
    for chunk in _chunks(records, batch_size):
        mapped: list[tuple[dict[str, Any], Batch]] = []
        for record in chunk:
            text_payload = dump_json(record) or "null"
            digest = payload_hash(text_payload)
            try:
                nid = native_id(record)
                batch = mapper(record)
            except Exception as exc:  # noqa: BLE001 - any mapper failure is data, not a crash
                written["quarantined"] += _quarantine(session, source, kind, record, text_payload, digest, exc, run_id)
                continue
            raw = {"source": source, "kind": kind, "native_id": nid, "payload": text_payload,
                   "payload_hash": digest, "fetched_at": fetched_at}
            batch = dict(batch)
            batch["raw_record"] = [*batch.get("raw_record", []), raw]
            mapped.append((record, batch))
        written += _load_mapped(session, source, kind, mapped, run_id)
    return written


def _load_mapped(session: Session, source: str, kind: str, mapped: list[tuple[dict[str, Any], Batch]],
                 run_id: str | None) -> Counter[str]:
    combined: Batch = {}
    for _, batch in mapped:
        merge_batches(combined, batch)
    try:
        return _load_retrying(session, combined)
    except Exception as exc:  # noqa: BLE001
        log.warning("batch of %d %s %s records refused (%s); retrying one by one", len(mapped), source, kind,
                    type(exc).__name__)
    written: Counter[str] = Counter()
    for record, batch in mapped:
        try:
            written += _load_retrying(session, batch)
        except Exception as exc:  # noqa: BLE001
            text_payload = dump_json(record) or "null"
            written["quarantined"] += _quarantine(session, source, kind, record, text_payload,
                                                  payload_hash(text_payload), exc, run_id)
    return written


def _load_retrying(session: Session, batch: Batch, attempts: int = 4) -> Counter[str]:
    """Load a batch in a savepoint; a deadlock or serialization failure (another writer, not the data) is
    retried up to ``attempts`` times after a short pause before it counts as a refusal."""
    for attempt in range(attempts):
        try:
            with session.begin_nested():
                return load_batch(session, batch)
        except Exception as exc:
            code = getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None)
            if attempt == attempts - 1 or code not in ("40P01", "40001"):
                raise
            time.sleep(0.05 * 2 ** attempt)
    raise AssertionError("unreachable")


def _quarantine(session: Session, source: str, kind: str, record: dict[str, Any], text_payload: str,
                digest: str, exc: Exception, run_id: str | None) -> int:
    nid = record.get("id") if isinstance(record, dict) else None
    error = _storable(f"{type(exc).__name__}: {exc}")[:2000]
    row = {"source": source, "kind": kind, "payload_hash": digest,
           "native_id": None if nid is None else _storable(str(nid))[:300], "payload": _storable(text_payload),
           "error": error, "first_seen": datetime.now(UTC), "run_id": run_id}
    log.warning("quarantined a %s %s record: %s", source, kind, error[:200])
    with session.begin_nested():
        upsert(session, "quarantine", [row])
    return 1


def _storable(text: str) -> str:
    """Text every backend accepts: lone surrogates (not encodable as UTF-8) kept as backslash escapes.

    A record is often quarantined for exactly such text; storing it in quarantine must not fail again.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def get_cursor(session: Session, source: str, partition: str) -> str | None:
    return session.execute(
        text("SELECT value FROM ingest_cursor WHERE source = :s AND partition = :p"),
        {"s": source, "p": partition},
    ).scalar()


def advance_cursor(session: Session, source: str, partition: str, value: str, run_id: str | None = None) -> None:
    """Move a partition's watermark forward to ``value``; never backwards, even with concurrent runs."""
    dialect = session.connection().dialect.name
    session.execute(
        text(
            "INSERT INTO ingest_cursor (source, partition, value, updated_at, run_id) "
            "VALUES (:s, :p, :v, :u, :r) ON CONFLICT (source, partition) DO UPDATE SET "
            "value = excluded.value, updated_at = excluded.updated_at, run_id = excluded.run_id "
            "WHERE excluded.value > ingest_cursor.value"
        ),
        {"s": source, "p": partition, "v": value, "u": to_db_time(datetime.now(UTC), dialect), "r": run_id},
    )
