"""Store the GitHub connector's `(kind, payload)` stream: ingest each kind, move cursors with the rows they cover."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from warehouse.load import advance_cursor, get_cursor, ingest
from warehouse.map_github import SOURCE, map_pull_request, map_repository, pull_request_native_id, repository_native_id


class StoredCursors(Mapping[str, str | None]):
    """Each partition's stored watermark, read when the connector asks (pass as its `since`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __getitem__(self, partition: str) -> str | None:
        return get_cursor(self.session, SOURCE, partition)

    def __iter__(self) -> Iterator[str]:
        rows = self.session.execute(text("SELECT partition FROM ingest_cursor WHERE source = :s"), {"s": SOURCE})
        return iter([r[0] for r in rows])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def store_github_records(session: Session, records: Iterable[tuple[str, dict[str, Any]]],
                         run_id: str | None = None, batch_size: int = 200) -> Counter[str]:
    """Ingest pull requests in batches; a `cursor` record first flushes the rows it covers, then advances.

    `skipped` records are counted (`skipped`) for the caller to report; nothing is committed here.
    """
    written: Counter[str] = Counter()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            written.update(ingest(session, SOURCE, "pull_request", list(pending), map_pull_request,
                                  pull_request_native_id, run_id=run_id))
            pending.clear()

    for kind, payload in records:
        if kind == "pull_request":
            pending.append(payload)
            if len(pending) >= batch_size:
                flush()
        elif kind == "repository":
            written.update(ingest(session, SOURCE, "repository", [payload], map_repository, repository_native_id,
                                  run_id=run_id))
        elif kind == "cursor":
            flush()
            advance_cursor(session, SOURCE, payload["partition"], payload["value"], run_id)
        elif kind == "skipped":
            written["skipped"] += 1
    flush()
    return written
