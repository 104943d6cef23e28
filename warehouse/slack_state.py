"""Slack's incremental state in the warehouse: cursors, stored thread marks, deletions, and loading a run's records.

`mark_deleted` flags messages that vanished inside a re-read window (rows are never removed);
`warehouse.stream.slack_spec` uses it to store a run. Session first, never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from models.base import to_db_time
from models.core import Evidence
from warehouse.load import get_cursor

SOURCE = "slack"
_FLUSH_AT = 1000


def _ts_key(ts: str) -> tuple[int, int]:
    whole, _, frac = ts.partition(".")
    return int(whole or 0), int((frac + "000000")[:6])


def cursors(session: Session, channel_ids: Iterable[str]) -> dict[str, str]:
    """The stored cursor of each channel that has one."""
    out: dict[str, str] = {}
    for cid in channel_ids:
        value = get_cursor(session, SOURCE, cid)
        if value:
            out[cid] = value
    return out


def all_cursors(session: Session) -> dict[str, str]:
    rows = session.execute(text("SELECT partition, value FROM ingest_cursor WHERE source = :s"), {"s": SOURCE})
    return {p: v for p, v in rows}


def thread_marks(session: Session, channel: str) -> dict[str, tuple[str | None, int | None]]:
    """`{thread_ts: (latest_reply, reply_count)}` of stored thread parents: the connector's `SlackState.threads`."""
    rows = session.execute(
        text("SELECT ts, latest_reply, reply_count FROM slack_message "
             "WHERE channel_id = :c AND is_reply = :f AND reply_count > 0 AND deleted = :f"),
        {"c": channel, "f": False},
    )
    return {ts: (latest, count) for ts, latest, count in rows}


def mark_deleted(session: Session, channel: str, oldest: str, latest: str, seen_ts: Iterable[str],
                 thread_ts: str | None = None, when: datetime | None = None) -> int:
    """Flag stored messages in `oldest < ts < latest` that the server no longer shows; returns how many.

    `thread_ts` None: top-level messages (what history returns); else the replies of that thread.
    Rows stay: deleted evidence is still evidence of what was said.
    """
    seen = set(seen_ts)
    lo, hi = _ts_key(oldest), _ts_key(latest)
    if thread_ts is None:
        rows = session.execute(
            text("SELECT ts FROM slack_message WHERE channel_id = :c AND is_reply = :f AND deleted = :f"),
            {"c": channel, "f": False},
        )
    else:
        rows = session.execute(
            text("SELECT ts FROM slack_message WHERE channel_id = :c AND thread_ts = :t AND is_reply = :r "
                 "AND deleted = :f"),
            {"c": channel, "t": thread_ts, "r": True, "f": False},
        )
    # ts compares as numbers, not text: "999.1" style values from odd sources must not break the window.
    gone = [ts for (ts,) in rows if lo < _ts_key(ts) < hi and ts not in seen]
    if not gone:
        return 0
    dialect = session.connection().dialect.name
    stamp = to_db_time(when or datetime.now(UTC), dialect)
    for ts in gone:
        session.execute(
            text("UPDATE slack_message SET deleted = :t, deleted_at = :d WHERE channel_id = :c AND ts = :ts"),
            {"t": True, "d": stamp, "c": channel, "ts": ts},
        )
        # The evidence stays searchable but says it was deleted, so a report can show it as such.
        native_id = f"{channel}/{ts}"
        attributes = session.execute(
            select(Evidence.attributes).where(Evidence.source == SOURCE, Evidence.native_id == native_id)
        ).scalar_one_or_none()
        if attributes is not None or _has_evidence(session, native_id):
            session.execute(
                update(Evidence).where(Evidence.source == SOURCE, Evidence.native_id == native_id)
                .values(attributes={**(attributes or {}), "deleted": True})
            )
    return len(gone)


def _has_evidence(session: Session, native_id: str) -> bool:
    return session.execute(
        select(Evidence.id).where(Evidence.source == SOURCE, Evidence.native_id == native_id)
    ).first() is not None
