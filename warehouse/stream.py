"""Storing a connector's ``(kind, payload)`` stream: one loop for every source.

Data kinds are mapped and loaded in batches through ``warehouse.load.ingest``. Control kinds steer:
``cursor`` ({partition, value}) moves a nightly watermark after the rows before it are loaded,
``skipped`` ({partition, reason}) is reported, and the rest go to the source's own handler (Slack's
deletion ``window``). Session first; ``checkpoint`` (the caller's commit) runs after each batch and
cursor, so a killed run keeps what it finished and never has a cursor past unstored rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from warehouse import map_github, map_pagerduty, map_slack
from warehouse.load import Mapper, advance_cursor, ingest
from warehouse.slack_state import mark_deleted

log = logging.getLogger(__name__)

Record = tuple[str, dict[str, Any]]
NativeId = Callable[[dict[str, Any]], str]


@dataclass
class SourceSpec:
    """How one source's records are stored: a mapper and a native id per data kind, and hooks."""

    source: str
    kinds: dict[str, tuple[Mapper, NativeId]]
    on_control: Callable[[Session, str, dict[str, Any]], int] | None = None  # returns rows changed
    observe: Callable[[str, dict[str, Any]], None] | None = None  # sees every record as it arrives


@dataclass
class StreamResult:
    """Rows changed per table, rows flagged deleted, cursors moved and partitions skipped."""

    rows: Counter[str] = field(default_factory=Counter)
    deleted: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def store_records(session: Session, spec: SourceSpec, records: Iterable[Record], *, run_id: str | None = None,
                  move_cursors: bool = True, batch_size: int = 500,
                  checkpoint: Callable[[], None] | None = None) -> StreamResult:
    """Map and load a record stream in order; see the module docstring. Never commits by itself."""
    result = StreamResult()
    pending: dict[str, list[dict[str, Any]]] = {}
    size = 0

    def flush() -> None:
        nonlocal size
        for kind, items in pending.items():
            mapper, native_id = spec.kinds[kind]
            result.rows += ingest(session, spec.source, kind, items, mapper, native_id, run_id=run_id)
        pending.clear()
        size = 0
        if checkpoint is not None:
            checkpoint()

    for kind, payload in records:
        if spec.observe is not None:
            spec.observe(kind, payload)
        if kind in spec.kinds:
            pending.setdefault(kind, []).append(payload)
            size += 1
            if size >= batch_size:
                flush()
        elif kind == "cursor":
            flush()  # the rows it covers first, then the cursor, then commit both
            if move_cursors:
                partition = str(payload.get("partition") or payload.get("channel"))
                advance_cursor(session, spec.source, partition, str(payload["value"]), run_id)
                result.cursors[partition] = str(payload["value"])
                if checkpoint is not None:
                    checkpoint()
        elif kind == "skipped":
            result.skipped.append({"source": spec.source, **payload})
            log.warning("%s: skipped %s: %s", spec.source, payload.get("partition"), payload.get("reason"))
        elif spec.on_control is not None:
            result.deleted += spec.on_control(session, kind, payload)
    flush()
    return result


def stored_cursors(session: Session, source: str) -> dict[str, str]:
    """Every stored watermark of a source, by partition (a connector's nightly ``since``)."""
    rows = session.execute(text("SELECT partition, value FROM ingest_cursor WHERE source = :s"), {"s": source})
    return {p: v for p, v in rows}


def github_spec() -> SourceSpec:
    return SourceSpec("github", dict(map_github.MAPPERS))


def pagerduty_spec() -> SourceSpec:
    return SourceSpec("pagerduty", {k: (map_pagerduty.mapper_for(k), map_pagerduty.native_id)
                                    for k in map_pagerduty.KINDS})


def slack_spec() -> SourceSpec:
    """Slack's spec; mentions in messages resolve to the names of the users seen earlier in the stream."""
    names: dict[str, str] = {}

    def observe(kind: str, payload: dict[str, Any]) -> None:
        if kind == "user" and payload.get("id"):
            profile = payload.get("profile") or {}
            names[payload["id"]] = profile.get("display_name") or payload.get("name") or payload["id"]

    def on_control(session: Session, kind: str, payload: dict[str, Any]) -> int:
        if kind != "window":
            return 0
        return mark_deleted(session, payload["channel"], payload["oldest"], payload["latest"], payload["seen_ts"],
                            payload.get("thread_ts"))

    return SourceSpec("slack", {
        "user": (map_slack.map_user, lambda p: str(p["id"])),
        "channel": (map_slack.map_channel, lambda p: str(p["id"])),
        "message": (partial(map_slack.map_message, users=names), map_slack.message_native_id),
    }, on_control, observe)


SPECS: dict[str, Callable[[], SourceSpec]] = {"github": github_spec, "slack": slack_spec, "pagerduty": pagerduty_spec}
