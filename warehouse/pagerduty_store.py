"""Store the PagerDuty connector's `(kind, payload)` stream: ingest each kind, move cursors after their records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from warehouse.load import advance_cursor, ingest
from warehouse.map_pagerduty import SOURCE, mapper_for, native_id


def store_pagerduty_records(session: Session, records: Iterable[tuple[str, dict[str, Any]]],
                            run_id: str | None = None, batch_size: int = 1000,
                            move_cursors: bool = True) -> Counter[str]:
    """Ingest records in batches of `batch_size`; a `cursor` record first flushes everything before it.

    A backfill passes `move_cursors=False`: it writes the same tables but never moves the nightly cursor.
    Never commits: the caller owns the transaction. Returns rows changed per table (and `quarantined`).
    """
    written: Counter[str] = Counter()
    pending: dict[str, list[dict[str, Any]]] = {}
    size = 0

    def flush() -> None:
        nonlocal size
        for kind, payloads in pending.items():
            written.update(ingest(session, SOURCE, kind, payloads, mapper_for(kind), native_id, run_id=run_id,
                                  batch_size=batch_size))
        pending.clear()
        size = 0

    for kind, payload in records:
        if kind == "cursor":
            flush()
            if move_cursors:
                advance_cursor(session, SOURCE, payload["partition"], payload["value"], run_id)
            continue
        pending.setdefault(kind, []).append(payload)
        size += 1
        if size >= batch_size:
            flush()
    flush()
    return written
