"""Small helpers to run textual SQL with typed parameters and results on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from models.base import JSONText, UTCDateTime

_UTC = UTCDateTime()
_JSON = JSONText()


def rows(session: Session, sql: str, params: dict[str, Any] | None = None, *,
         times: Sequence[str] = (), jsons: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Run ``sql`` with bound parameters (datetimes and lists typed for the dialect); result rows as dicts.

    ``times`` and ``jsons`` name result columns to convert back into aware datetimes and Python values.
    """
    params = dict(params or {})
    stmt = text(sql)
    binds = []
    for name, value in params.items():
        if isinstance(value, datetime):
            binds.append(bindparam(name, type_=UTCDateTime()))
        elif isinstance(value, (list, tuple, set, frozenset)):
            params[name] = list(value)
            binds.append(bindparam(name, expanding=True))
    if binds:
        stmt = stmt.bindparams(*binds)
    dialect = session.get_bind().dialect
    out = []
    for row in session.execute(stmt, params).mappings():
        d = dict(row)
        for col in times:
            d[col] = _UTC.process_result_value(d.get(col), dialect)
        for col in jsons:
            d[col] = _JSON.process_result_value(d.get(col), dialect)
        out.append(d)
    return out


def chunks(items: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    """Lists of at most ``size`` items, for IN (...) lists that stay under parameter limits."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name
