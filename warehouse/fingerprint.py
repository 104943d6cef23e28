"""A content hash of every warehouse table, blind to bookkeeping, so two runs can be compared exactly.

Two warehouses holding the same evidence give the same fingerprints whatever the order rows arrived
in, the run ids, the fetch times or the surrogate ``evidence.id`` values (links are keyed by the
evidence's ``(source, native_id)`` instead), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from models import Base

# Tables that only record how and when runs happened.
IGNORED_TABLES: frozenset[str] = frozenset({"ingest_run"})
# Columns that say when or by which run a row was written, not what it holds.
IGNORED_COLUMNS: dict[str, frozenset[str]] = {
    "raw_record": frozenset({"fetched_at"}),
    "quarantine": frozenset({"first_seen", "run_id"}),
    "ingest_cursor": frozenset({"updated_at", "run_id"}),
    "evidence": frozenset({"id"}),
    "investigation": frozenset({"correlated_at"}),
}


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _digest(rows: list[str]) -> str:
    h = hashlib.sha256()
    for row in sorted(rows):
        h.update(row.encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()


def table_rows(engine: Engine, table_name: str) -> list[str]:
    """Every row of one table as canonical JSON text (bookkeeping columns left out), unsorted."""
    table = Base.metadata.tables[table_name]
    ignored = IGNORED_COLUMNS.get(table_name, frozenset())
    columns = [c for c in table.columns if c.name not in ignored]
    out: list[str] = []
    with engine.connect() as conn:
        evidence_keys: dict[int, list[str]] = {}
        if table_name == "evidence_link":
            ev = Base.metadata.tables["evidence"]
            evidence_keys = {i: [s, n] for i, s, n in conn.execute(select(ev.c.id, ev.c.source, ev.c.native_id))}
        for row in conn.execute(select(*columns)):
            values = {c.name: _canonical(v) for c, v in zip(columns, row, strict=True)}
            if "evidence_id" in values:
                values["evidence_id"] = evidence_keys.get(values["evidence_id"], ["?", str(values["evidence_id"])])
            out.append(json.dumps(values, sort_keys=True, ensure_ascii=False, default=str))
    return out


def table_fingerprints(engine: Engine) -> dict[str, str]:
    """``{table: sha256}`` over every lookback table's content (``ingest_run`` and bookkeeping columns left out)."""
    return {name: _digest(table_rows(engine, name)) for name in Base.metadata.tables if name not in IGNORED_TABLES}


def diff_tables(engine_a: Engine, engine_b: Engine, limit: int = 3) -> dict[str, dict[str, list[str]]]:
    """For tables that differ: up to ``limit`` rows only in a and only in b (to explain a failed comparison)."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in Base.metadata.tables:
        if name in IGNORED_TABLES:
            continue
        a, b = set(table_rows(engine_a, name)), set(table_rows(engine_b, name))
        if a != b:
            out[name] = {"only_a": sorted(a - b)[:limit], "only_b": sorted(b - a)[:limit],
                         "counts": [str(len(a)), str(len(b))]}
    return out
