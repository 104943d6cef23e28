"""Slack's incremental state in the warehouse: cursors, stored thread marks, deletions, and loading a run's records.

`store_slack_records(session, records, run_id)` is the glue between `connectors.slack.iter_slack_records`
and the warehouse: it loads messages, users and channels through `warehouse.load.ingest`, marks
messages that vanished inside a re-read window as deleted (rows are never removed) and moves each
channel's cursor only after the rows it covers. Session first, never commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from models.base import to_db_time
from models.core import Evidence
from warehouse.load import advance_cursor, get_cursor, ingest
from warehouse.map_slack import map_channel, map_message, map_user, message_native_id

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


@dataclass
class SlackRunResult:
    """What one run stored: rows changed per table, deletions, cursors moved and channels skipped."""

    written: Counter[str] = field(default_factory=Counter)
    deleted: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    team: dict[str, Any] = field(default_factory=dict)


def store_slack_records(session: Session, records: Iterable[tuple[str, dict[str, Any]]],
                        run_id: str | None = None,
                        checkpoint: Callable[[], None] | None = None) -> SlackRunResult:
    """Load a run's (kind, payload) records in order; see the module docstring.

    `checkpoint` (the flow's `session.commit`, say) is called after each channel's cursor moved, so a
    killed run keeps every finished channel and the next one resumes from there.
    """
    result = SlackRunResult()
    names: dict[str, str] = {}
    pending: dict[str, list[dict[str, Any]]] = {"user": [], "channel": [], "message": []}

    def flush() -> None:
        if pending["user"]:
            result.written += ingest(session, SOURCE, "user", pending["user"], map_user,
                                     lambda p: str(p["id"]), run_id=run_id)
        if pending["channel"]:
            result.written += ingest(session, SOURCE, "channel", pending["channel"], map_channel,
                                     lambda p: str(p["id"]), run_id=run_id)
        if pending["message"]:
            result.written += ingest(session, SOURCE, "message", pending["message"],
                                     partial(map_message, users=names), message_native_id, run_id=run_id)
        for rows in pending.values():
            rows.clear()

    for kind, payload in records:
        if kind == "team":
            result.team = payload
        elif kind == "user":
            uid = payload.get("id")
            if uid:
                profile = payload.get("profile") or {}
                names[uid] = profile.get("display_name") or payload.get("name") or uid
            pending["user"].append(payload)
        elif kind in ("channel", "message"):
            pending[kind].append(payload)
            if len(pending[kind]) >= _FLUSH_AT:
                flush()
        elif kind == "window":
            # No flush needed: rows loaded later are in seen_ts, so they are never flagged.
            result.deleted += mark_deleted(session, payload["channel"], payload["oldest"], payload["latest"],
                                           payload["seen_ts"], payload.get("thread_ts"))
        elif kind == "cursor":
            flush()
            advance_cursor(session, SOURCE, payload["channel"], payload["value"], run_id)
            result.cursors[payload["channel"]] = payload["value"]
            if checkpoint is not None:
                checkpoint()
        elif kind == "skipped":
            result.skipped.append(payload)
    flush()
    return result
