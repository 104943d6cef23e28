"""GitHub end to end: sandbox -> real clients -> connector -> mapper -> warehouse, incremental and idempotent."""

from __future__ import annotations

import hashlib
import math
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from connectors.github import FetchState, GithubSelection, iter_github_records, make_client
from connectors.http import Backoff
from lookback.sandbox.serve import Sandbox
from lookback.sandbox.testing import SandboxFactory
from lookback.sandbox.worlds import load_world
from warehouse.load import get_cursor
from warehouse.stream import github_spec, store_records, stored_cursors

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


def ingest_run(session: Session, sb: Sandbox, mode: str = "graphql", state: FetchState | None = None) -> Counter[str]:
    env = sb.env()
    client = make_client(env["GITHUB_TOKEN"], env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"])
    state = state or FetchState(backoff=Backoff(attempts=12, base_s=0.01, cap_s=0.05, rng=random.Random(2)))
    records = iter_github_records(client, GithubSelection(repos=REPOS, mode=mode), stored_cursors(session, "github"), state=state)
    written = store_records(session, github_spec(), records).rows
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


def test_seed_world_every_github_item_of_the_truth_is_stored(session: Session, factory: SandboxFactory) -> None:
    seed, truth = load_world("seed")
    repos = tuple(f"{r['owner']}/{r['name']}" for r in seed["github"]["repos"])
    sb = factory(seed)
    env = sb.env()
    client = make_client(env["GITHUB_TOKEN"], env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"])
    selection = GithubSelection(owners=("shop",), include_archived=True)
    state = FetchState()
    store_records(session, github_spec(), iter_github_records(client, selection, stored_cursors(session, "github"), state=state))
    n = len(seed["github"]["pulls"])
    assert count(session, "gh_pull_request") == n and count(session, "quarantine") == 0
    per_repo = Counter(p["repo"] for p in seed["github"]["pulls"])
    bound = sum(math.ceil(k / 25) + 2 for k in per_repo.values())
    assert sb.stats()["apis"]["github"]["total"] <= bound, sb.stats()
    stored = set(session.execute(text("SELECT native_id FROM evidence WHERE source = 'github'")).scalars())
    wanted = {i["native_id"] for i in truth.get("items", []) if i["source"] == "github"}
    assert wanted and wanted <= stored, wanted - stored
    assert len(repos) == count(session, "gh_repository")
    sb.reset_stats()
    store_records(session, github_spec(), iter_github_records(client, selection, stored_cursors(session, "github"), state=FetchState()))
    # Nothing new: the org listing plus one GraphQL request per repository.
    assert sb.stats()["apis"]["github"]["endpoints"].get("POST /graphql", 0) <= len(repos)


def test_rest_nightly_spends_no_request_whose_answer_is_stored(engine, factory: SandboxFactory) -> None:
    """Through the flow's stream: a second REST run asks only for the pull lists, not for stored PRs or users."""
    from flows.ingest import run_sources
    from lookback.settings import load_settings

    sb = factory(world(8, repos=REPOS))
    settings = load_settings(**sb.env(), LOOKBACK_DATABASE_URL=str(engine.url), LOOKBACK_GITHUB_TRANSPORT="rest",
                             LOOKBACK_GITHUB_REPOS=",".join(REPOS))
    first = run_sources(settings, engine, ["github"], None, None, flow_name="nightly_ingest", move_cursors=True,
                        use_prefect=False)
    assert first["status"] == "completed" and first["rows"]["gh_pull_request"] == 16
    sb.reset_stats()
    second = run_sources(settings, engine, ["github"], None, None, flow_name="nightly_ingest", move_cursors=True,
                         use_prefect=False)
    endpoints = sb.stats()["apis"]["github"]["endpoints"]
    spent = {e: n for e, n in endpoints.items() if n}
    assert not [e for e in spent if e.endswith(("/files", "/reviews", "/comments")) or "/users/" in e], spent
    assert sum(spent.values()) <= 2 * len(REPOS), spent  # the pull list of each repo (and its repo record)
    assert {t: n for t, n in second["rows"].items() if n and t != "raw_record"} == {}
