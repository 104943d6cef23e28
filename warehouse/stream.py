"""Storing a connector's ``(kind, payload)`` stream: one loop for every source.

Data kinds are mapped and loaded in batches through ``warehouse.load.ingest``. Control kinds steer:
``cursor`` ({partition, value}) moves a nightly watermark after the rows before it are loaded,
``skipped`` ({partition, reason}) is reported, and the rest go to the source's own handler (Slack's
deletion ``window``). Session first; ``checkpoint`` (the caller's commit) runs after each batch and
cursor, so a killed run keeps what it finished and never has a cursor past unstored rows.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from warehouse import map_github, map_pagerduty, map_slack
from warehouse.load import Mapper, advance_cursor, ingest
from warehouse.slack_state import mark_deleted
from warehouse.sqlutil import chunks, rows

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
    prepare: Callable[[Session, str, list[dict[str, Any]]], None] | None = None  # completes a batch from the warehouse


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
            if spec.prepare is not None:
                spec.prepare(session, kind, items)
            result.rows += ingest(session, spec.source, kind, items, mapper, native_id, run_id=run_id)
        pending.clear()
        size = 0
        if checkpoint is not None:
            checkpoint()

    stream = iter(records)
    while True:
        try:
            kind, payload = next(stream)
        except StopIteration:
            break
        except Exception:
            # The source stopped part-way (rate limit spent, network gone): keep the complete records
            # already read. No cursor moves for them, so the next run reads them again from the same mark.
            flush()
            raise
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
    return SourceSpec("github", dict(map_github.MAPPERS), prepare=keep_stored_patches)


def keep_stored_patches(session: Session, kind: str, items: list[dict[str, Any]]) -> None:
    """A pull request read again without diff text (GraphQL has none) keeps the patch excerpts stored for
    it, while its head commit is the same: a nightly run never erases what a backfill paid for."""
    if kind != "pull_request":
        return
    native_id = map_github.MAPPERS[kind][1]
    need: dict[str, dict[str, Any]] = {}
    for p in items:
        files = p.get("files")
        if isinstance(files, list) and files and not any(isinstance(f, dict) and f.get("patch") for f in files):
            try:
                need[native_id(p)] = p
            except (KeyError, TypeError, ValueError):
                continue  # the mapper will quarantine it
    for nid, stored in _stored_pulls(session, list(need)):
        new = need[nid]
        if _head_sha(stored) is None or _head_sha(stored) != _head_sha(new):
            continue
        patches = {f.get("filename"): f["patch"] for f in stored.get("files") or [] if f.get("patch")}
        if patches:
            new["files"] = [{**f, "patch": patches[f["filename"]]} if f.get("filename") in patches else f
                            for f in new["files"]]


def pulls_without_patches(session: Session, native_ids: list[str]) -> list[dict[str, Any]]:
    """The stored composites of those pull requests that have files but no patch excerpt yet."""
    out = []
    for _, payload in _stored_pulls(session, native_ids):
        files = payload.get("files") or []
        if files and not any(f.get("patch") for f in files) and payload.get("repo") and payload.get("pull"):
            out.append(payload)
    return out


def _stored_pulls(session: Session, native_ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The last raw payload stored for each of these pull requests, parsed."""
    for batch in chunks(native_ids):
        for r in rows(session, "SELECT native_id, payload FROM raw_record WHERE source = 'github' "
                      "AND kind = 'pull_request' AND native_id IN :ids", {"ids": batch}):
            yield r["native_id"], json.loads(r["payload"])


def _head_sha(payload: dict[str, Any]) -> str | None:
    head = (payload.get("pull") or payload).get("head") or {}
    return head.get("sha") if isinstance(head, dict) else None


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
