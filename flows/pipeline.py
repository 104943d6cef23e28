"""Plain functions behind the flows: store a source's record stream one committed batch at a time, and record runs.

Every transaction covers one batch (and the cursor that closes a partition), so a run killed at any
point leaves the warehouse consistent and the next run goes on from the last committed cursor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from models.core import IngestRun
from warehouse.load import upsert
from warehouse.stream import Record, SourceSpec, StreamResult, store_records


def load_records(engine: Engine, spec: SourceSpec, records: Iterable[Record], *, run_id: str | None,
                 move_cursors: bool = True, batch_size: int = 500) -> StreamResult:
    """Store a record stream, committing after each batch and each cursor."""
    with Session(engine, expire_on_commit=False) as session:
        result = store_records(session, spec, records, run_id=run_id, move_cursors=move_cursors,
                               batch_size=batch_size, checkpoint=session.commit)
        session.commit()
    return result


def new_run_id() -> str:
    return uuid.uuid4().hex


def start_run(engine: Engine, flow: str, params: dict[str, Any], run_id: str | None = None) -> str:
    run_id = run_id or new_run_id()
    with Session(engine) as session, session.begin():
        upsert(session, "ingest_run", [{"id": run_id, "flow": flow, "started_at": datetime.now(UTC),
                                        "status": "running", "params": params}])
    return run_id


def finish_run(engine: Engine, run_id: str, result: StreamResult, requests: dict[str, int], failed: list[dict[str, str]]) -> str:
    status = "failed" if failed and not result.rows else "partial" if failed or result.skipped else "completed"
    with Session(engine) as session, session.begin():
        session.execute(update(IngestRun).where(IngestRun.id == run_id).values(
            ended_at=datetime.now(UTC), status=status, rows=dict(result.rows), requests=requests,
            errors=[*failed, *result.skipped]))
    return status


def run_record(engine: Engine, run_id: str) -> IngestRun | None:
    with Session(engine) as session:
        return session.get(IngestRun, run_id)
