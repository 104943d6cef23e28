"""Plain functions behind the flows: stream a connector's records into the warehouse in batches.

A connector yields ``(kind, payload)`` records. Data kinds are mapped and loaded; control kinds
steer the load: ``cursor`` ({partition, value}) moves a nightly watermark in the same transaction
as the rows before it, ``skipped`` ({partition, reason}) is recorded in the run, and anything else
goes to the source's control handler (for example Slack's deletion windows). Every transaction
covers one batch, so a run killed at any point leaves the warehouse consistent and the next run
goes on from the last committed cursor.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from models.core import IngestRun
from warehouse.load import Mapper, advance_cursor, ingest, upsert

log = logging.getLogger(__name__)

Record = tuple[str, dict[str, Any]]
NativeId = Callable[[dict[str, Any]], str]
ControlHandler = Callable[[Session, str, dict[str, Any]], None]


@dataclass
class SourceSpec:
    """How one source's records are loaded: a mapper and a native id per data kind."""

    source: str
    kinds: dict[str, tuple[Mapper, NativeId]]
    on_control: ControlHandler | None = None


@dataclass
class LoadResult:
    """What one stream stored, skipped and how it ended."""

    rows: Counter[str] = field(default_factory=Counter)
    skipped: list[dict[str, str]] = field(default_factory=list)
    cursors: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def merge(self, other: LoadResult) -> None:
        self.rows += other.rows
        self.skipped += other.skipped
        self.cursors.update(other.cursors)
        if other.error:
            self.error = "; ".join(filter(None, [self.error, other.error]))


def load_records(engine: Engine, spec: SourceSpec, records: Iterable[Record], *, run_id: str | None,
                 move_cursors: bool = True, batch_size: int = 500) -> LoadResult:
    """Load a record stream, one transaction per batch; cursors move with the rows they cover."""
    result = LoadResult()
    pending: dict[str, list[dict[str, Any]]] = {}
    controls: list[Record] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if not pending and not controls:
            return
        with Session(engine, expire_on_commit=False) as session, session.begin():
            for kind, items in pending.items():
                mapper, native_id = spec.kinds[kind]
                result.rows += ingest(session, spec.source, kind, items, mapper, native_id, run_id=run_id)
            for kind, payload in controls:
                _control(session, spec, kind, payload, result, run_id, move_cursors)
        pending.clear()
        controls.clear()
        size = 0

    for kind, payload in records:
        if kind in spec.kinds:
            pending.setdefault(kind, []).append(payload)
            size += 1
            if size >= batch_size:
                flush()
        else:
            controls.append((kind, payload))
            if kind == "cursor":  # the rows it covers are pending: store both now, together
                flush()
    flush()
    return result


def _control(session: Session, spec: SourceSpec, kind: str, payload: dict[str, Any], result: LoadResult,
             run_id: str | None, move_cursors: bool) -> None:
    if kind == "cursor":
        if move_cursors:
            partition = str(payload.get("partition") or payload.get("channel") or payload.get("repo") or "account")
            advance_cursor(session, spec.source, partition, str(payload["value"]), run_id)
            result.cursors[partition] = str(payload["value"])
    elif kind == "skipped":
        result.skipped.append({"source": spec.source, "partition": str(payload.get("partition")),
                               "reason": str(payload.get("reason"))})
        log.warning("%s: skipped %s: %s", spec.source, payload.get("partition"), payload.get("reason"))
    elif spec.on_control is not None:
        spec.on_control(session, kind, payload)
    else:
        log.debug("%s: ignored control record %s", spec.source, kind)


def new_run_id() -> str:
    return uuid.uuid4().hex


def start_run(engine: Engine, flow: str, params: dict[str, Any], run_id: str | None = None) -> str:
    run_id = run_id or new_run_id()
    with Session(engine) as session, session.begin():
        upsert(session, "ingest_run", [{"id": run_id, "flow": flow, "started_at": datetime.now(UTC),
                                        "status": "running", "params": params}])
    return run_id


def finish_run(engine: Engine, run_id: str, result: LoadResult, requests: dict[str, int], failed: list[dict[str, str]]) -> str:
    status = "failed" if failed and not result.rows else "partial" if failed or result.skipped else "completed"
    with Session(engine) as session, session.begin():
        session.execute(update(IngestRun).where(IngestRun.id == run_id).values(
            ended_at=datetime.now(UTC), status=status, rows=dict(result.rows), requests=requests,
            errors=[*failed, *result.skipped]))
    return status


def run_record(engine: Engine, run_id: str) -> IngestRun | None:
    with Session(engine) as session:
        return session.get(IngestRun, run_id)
