"""GitHub end to end: sandbox -> real clients -> connector -> mapper -> warehouse, incremental and idempotent."""

from __future__ import annotations

import hashlib
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from connectors.github import FetchState, GithubSelection, iter_github_records, make_client
from connectors.http import Backoff
from lookback.sandbox.serve import Sandbox
from lookback.sandbox.testing import SandboxFactory
from warehouse.load import advance_cursor, get_cursor, ingest
from warehouse.map_github import map_pull_request, map_repository, pull_request_native_id, repository_native_id

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.github.github_worlds import world  # noqa: E402

REPOS = ("shop/search-tools", "shop/alerting")
TABLES = ("gh_repository", "gh_pull_request", "gh_pr_file", "gh_review", "gh_review_comment", "gh_issue_comment",
          "evidence", "evidence_ref", "account", "raw_record", "ingest_cursor", "quarantine")
VOLATILE = {"id", "fetched_at", "updated_at_cursor", "run_id"}


@pytest.fixture
def factory() -> Iterator[SandboxFactory]:
    f = SandboxFactory()
    yield f
    f.close()


class Cursors(Mapping[str, str | None]):
    """The stored watermark of each partition, read when the connector asks for it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __getitem__(self, partition: str) -> str | None:
        return get_cursor(self.session, "github", partition)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def store(session: Session, records: Iterable[tuple[str, dict[str, Any]]]) -> Counter[str]:
    """What a flow does: land each kind through `ingest`, advance a cursor after the rows it covers."""
    written: Counter[str] = Counter()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            written.update(ingest(session, "github", "pull_request", list(pending), map_pull_request,
                                  pull_request_native_id))
            pending.clear()

    for kind, payload in records:
        if kind == "pull_request":
            pending.append(payload)
        elif kind == "repository":
            written.update(ingest(session, "github", "repository", [payload], map_repository, repository_native_id))
        elif kind == "cursor":
            flush()
            advance_cursor(session, "github", payload["partition"], payload["value"])
    flush()
    return written


def ingest_run(session: Session, sb: Sandbox, mode: str = "graphql", state: FetchState | None = None) -> Counter[str]:
    env = sb.env()
    client = make_client(env["GITHUB_TOKEN"], env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"])
    state = state or FetchState(backoff=Backoff(attempts=12, base_s=0.01, cap_s=0.05, rng=random.Random(2)))
    written = store(session, iter_github_records(client, GithubSelection(repos=REPOS, mode=mode), Cursors(session),
                                                 state=state))
    session.flush()
    return written


def table_hash(session: Session, table: str) -> str:
    rows = session.execute(text(f"SELECT * FROM {table}")).mappings().all()
    canon = sorted(repr(sorted((k, str(v)) for k, v in row.items() if k not in VOLATILE)) for row in rows)
    return hashlib.sha256("\n".join(canon).encode()).hexdigest()


def warehouse_hash(session: Session) -> dict[str, str]:
    return {t: table_hash(session, t) for t in TABLES if t != "ingest_cursor"}


def count(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def wipe(session: Session) -> None:
    for table in TABLES:
        session.execute(text(f"DELETE FROM {table}"))


def test_full_then_nightly_then_edit(session: Session, factory: SandboxFactory) -> None:
    sb = factory(world(30, repos=REPOS, comments=2))
    ingest_run(session, sb)
    assert count(session, "gh_pull_request") == 60 and count(session, "gh_repository") == 2
    # Each PR: itself, 1 review, 1 review comment, 2 conversation comments.
    assert count(session, "evidence") == 60 * 5
    assert count(session, "quarantine") == 0
    assert get_cursor(session, "github", REPOS[0]) == "2022-11-02T06:00:00Z"
    assert sb.stats()["apis"]["github"]["total"] <= 2 * (2 + 2)  # ceil(30/25) + 2 per repository
    emails = dict(session.execute(text("SELECT native_id, email FROM account")).all())
    assert emails["ana"] == "ana@shop.example" and emails["bo"] is None
    bots = session.execute(text("SELECT native_id FROM account WHERE is_bot")).scalars().all()
    assert bots == ["dependabot[bot]"]

    before = warehouse_hash(session)
    sb.reset_stats()
    written = ingest_run(session, sb)
    assert sb.stats()["apis"]["github"]["total"] <= len(REPOS)  # nothing new: one request per repository
    assert sum(written.values()) == 0 and warehouse_hash(session) == before

    sb.edit()
    sb.reset_stats()
    ingest_run(session, sb)
    assert sb.stats()["apis"]["github"]["total"] <= len(REPOS)
    assert count(session, "gh_pull_request") == 61
    title = session.execute(text("SELECT title FROM evidence WHERE native_id = 'shop/search-tools#1'")).scalar()
    assert title == "shop/search-tools#1: Change 1, retitled"
    dupes = session.execute(text("SELECT count(*) FROM (SELECT source, native_id FROM evidence "
                                 "GROUP BY source, native_id HAVING count(*) > 1) d")).scalar()
    assert dupes == 0
    refs = set(session.execute(text(
        "SELECT ref_kind, target FROM evidence_ref WHERE from_native_id = 'shop/search-tools#31'")).all())
    assert {("incident_number", "1031"), ("pull_request", "shop/search-tools#30")} <= refs


def test_graphql_and_rest_give_identical_warehouse_rows(session: Session, factory: SandboxFactory) -> None:
    sb = factory(world(12, repos=REPOS, comments=2, thread_replies=2))
    ingest_run(session, sb, mode="graphql")
    graphql = warehouse_hash(session)
    wipe(session)
    ingest_run(session, sb, mode="rest")
    assert warehouse_hash(session) == graphql


def test_faults_change_nothing_in_the_warehouse(session: Session, factory: SandboxFactory) -> None:
    clean = factory(world(20, repos=REPOS))
    ingest_run(session, clean)
    expected = warehouse_hash(session)
    wipe(session)
    faulty = factory(world(20, repos=REPOS), seed=11, retry_after=0, rate_429=0.08, rate_500=0.05, rate_502=0.05,
                     rate_503=0.05, rate_drop=0.08, rate_truncate=0.08)
    for mode in ("graphql", "rest"):
        wipe(session)
        ingest_run(session, faulty, mode=mode)
        assert warehouse_hash(session) == expected, mode
    assert faulty.stats()["faults"]["total"] > 0
