"""PagerDuty end to end: the real client against the sandbox over HTTPS, into the warehouse, twice and after edits."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from connectors.http import Backoff
from connectors.pagerduty import (
    RunState,
    Selection,
    iter_pagerduty_records,
    make_client,
    parse_time,
    window_from_cursor,
)
from lookback.sandbox.serve import Sandbox
from models import Base
from tests.pagerduty.pagerduty_worlds import START, expected_ids, world
from tests.sandbox_fixtures import sandbox_factory  # noqa: F401
from warehouse.load import get_cursor
from warehouse.map_pagerduty import SOURCE
from warehouse.stream import pagerduty_spec, store_records

TABLES = ("pd_service", "pd_team", "pd_escalation_policy", "pd_user", "pd_incident", "pd_log_entry", "pd_alert",
          "pd_note", "pd_change_event", "evidence", "evidence_ref", "account")
KIND_TABLE = {"incident": "pd_incident", "log_entry": "pd_log_entry", "alert": "pd_alert", "note": "pd_note",
              "change_event": "pd_change_event"}


def store(session: Session, records: Iterable[tuple[str, dict[str, Any]]]) -> Counter[str]:
    return store_records(session, pagerduty_spec(), records, run_id="test").rows


def count(session: Session, table: str, where: str = "") -> int:
    return int(session.execute(text(f"SELECT COUNT(*) FROM {table} {where}")).scalar() or 0)


def content_hash(session: Session) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        # evidence.id is a sequence: PostgreSQL does not roll it back, so it is no part of the content.
        columns = [c.name for c in Base.metadata.tables[table].columns if (table, c.name) != ("evidence", "id")]
        rows = session.execute(text(f"SELECT {', '.join(columns)} FROM {table}")).all()
        for row in sorted(repr(tuple(r)) for r in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def client(sandbox: Sandbox) -> Any:
    env = sandbox.env()
    return make_client(env["PAGERDUTY_API_TOKEN"], env["PAGERDUTY_API_URL"], env["LOOKBACK_CA_BUNDLE"],
                       backoff=Backoff(attempts=12, base_s=0.001, cap_s=0.01, rng=random.Random(3)))


def test_full_then_unchanged_then_incremental(sandbox_factory: Any, session: Session) -> None:  # noqa: F811
    w = world(n_incidents=12, every=timedelta(hours=4))
    sandbox = sandbox_factory(w)
    api = client(sandbox)
    since, until = START - timedelta(days=1), START + timedelta(hours=48, minutes=30)  # edits come at 49h+
    state = RunState()
    store(session, iter_pagerduty_records(api, Selection(), since, until, state))
    expected = expected_ids(w)
    for kind, table in KIND_TABLE.items():
        assert count(session, table) == len(expected[kind]), table
    n_evidence = sum(len(ids) for ids in expected.values())
    assert count(session, "evidence", "WHERE source = 'pagerduty'") == n_evidence
    assert count(session, "account", "WHERE source = 'pagerduty' AND email = 'Ana@shop.example'") == 1
    assert count(session, "evidence_ref", "WHERE ref_kind = 'pull_request' AND target = 'shop/alerting#22'") >= 13
    assert get_cursor(session, SOURCE, "account") == "2022-11-22T00:30:00Z"
    before = content_hash(session)

    # The same window again: every row is already there and nothing changes.
    again = store(session, iter_pagerduty_records(api, Selection(), since, until))
    assert sum(n for table, n in again.items() if table != "raw_record") == 0
    assert content_hash(session) == before

    # Nightly after an edit step: the changed incident and the new one, their entries, alerts and notes.
    sandbox.edit()
    sandbox.reset_stats()
    since, until = window_from_cursor(get_cursor(session, SOURCE, "account"), START + timedelta(days=5))
    store(session, iter_pagerduty_records(api, Selection(reference=False), since, until))
    after = expected_ids(sandbox.world)
    for kind, table in KIND_TABLE.items():
        assert count(session, table) == len(after[kind]), table
    assert count(session, "evidence", "WHERE source = 'pagerduty'") == sum(len(ids) for ids in after.values())
    title = session.execute(text("SELECT title FROM pd_incident WHERE id = 'PI00000'")).scalar()
    assert title == "Invalid API key errors on search (0), reopened analysis"
    assert count(session, "evidence_ref", "WHERE from_native_id = 'PN00000X' AND ref_kind = 'incident_number'") == 1
    calls = sandbox.stats()["apis"]["pagerduty"]["endpoints"]
    assert calls == {"GET /log_entries": 1, "GET /change_events": 1, "GET /incidents/{id}/alerts": 2,
                     "GET /incidents/{id}/notes": 2}
    assert get_cursor(session, SOURCE, "account") == "2022-11-25T00:00:00Z"


def test_every_fault_at_once_gives_the_clean_warehouse(sandbox_factory: Any, engine: Any) -> None:  # noqa: F811
    w = world(n_incidents=20, every=timedelta(hours=3))
    since, until = START - timedelta(days=1), START + timedelta(days=10)
    hashes = []
    for faults in ({}, {name: 0.06 for name in ("rate_429", "rate_500", "rate_502", "rate_503", "rate_drop",
                                                  "rate_truncate")}):
        sandbox = sandbox_factory(w, retry_after=0, seed=11, **faults)
        with Session(engine) as session:
            store(session, iter_pagerduty_records(client(sandbox), Selection(), since, until))
            session.execute(text("UPDATE raw_record SET fetched_at = '2000-01-01 00:00:00.000000'"))
            hashes.append(content_hash(session))
            if faults:
                assert sandbox.stats()["faults"]["total"] > 0
            session.rollback()
    assert hashes[0] == hashes[1]


def test_seed_world_every_pagerduty_truth_item_is_stored(sandbox_factory: Any, session: Session) -> None:  # noqa: F811
    from lookback.sandbox.worlds import load_world

    seed, truth = load_world("seed")
    sandbox = sandbox_factory(seed)
    since = min(parse_time(i["created_at"]) for i in seed["pagerduty"]["incidents"]) - timedelta(days=1)
    until = max(parse_time(i["created_at"]) for i in seed["pagerduty"]["incidents"]) + timedelta(days=2)
    written = store(session, iter_pagerduty_records(client(sandbox), Selection(), since, until))
    assert written["quarantined"] == 0
    wanted = {item["native_id"] for item in truth["items"] if item["source"] == "pagerduty"}
    stored = {row[0] for row in session.execute(text("SELECT native_id FROM evidence WHERE source = 'pagerduty'"))}
    assert wanted and wanted <= stored
    number = session.execute(text("SELECT incident_number FROM pd_incident WHERE id = :i"),
                             {"i": truth["incident"]["id"]}).scalar()
    assert number == truth["incident"]["number"]
    assert count(session, "pd_incident") == len(seed["pagerduty"]["incidents"])
