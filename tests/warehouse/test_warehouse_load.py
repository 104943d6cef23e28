"""The warehouse's write path: migrations, idempotent upserts, exact round trips, quarantine, cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from models import Base
from models.slack import SlackMessage
from warehouse.db import SchemaTooNew, current_revision, ensure_schema, head_revision, make_engine
from warehouse.load import advance_cursor, get_cursor, ingest, load_batch, upsert


def test_migrations_create_every_table_from_empty(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(engine) == head_revision()
    ensure_schema(engine)  # a second run is a no-op
    assert current_revision(engine) == head_revision()


def test_a_database_from_a_newer_lookback_is_refused(engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNew, match="newer lookback"):
        ensure_schema(engine)


def _message(channel: str, ts: str, text_: str, when: datetime | None = None) -> dict:
    return {"channel_id": channel, "ts": ts, "posted_at": when or datetime(2022, 12, 6, tzinfo=UTC),
            "text": text_, "deleted": False}


def test_the_same_batch_twice_changes_nothing(session):
    rows = [_message("C1", f"1670338200.{i:06d}", f"message {i}") for i in range(50)]
    assert upsert(session, "slack_message", rows) == 50
    assert upsert(session, "slack_message", rows) == 0
    rows[3] = {**rows[3], "text": "edited"}
    assert upsert(session, "slack_message", rows) == 1


keys = st.tuples(st.sampled_from(["C1", "C2"]), st.integers(0, 20))
writes = st.lists(st.tuples(keys, st.text(max_size=30)), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(writes, min_size=1, max_size=4))
def test_upserts_leave_the_last_write_per_key(engine, batches):
    """Property: whatever batches are written, the table equals the last write per key."""
    expected: dict[tuple[str, str], str] = {}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM slack_message"))
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        for batch in batches:
            rows = [_message(ch, f"1670338200.{n:06d}", body) for (ch, n), body in batch]
            load_batch(session, {"slack_message": rows})
            for (ch, n), body in batch:
                expected[(ch, f"1670338200.{n:06d}")] = body.replace("\x00", "")
    with Session(engine) as session:
        stored = {(m.channel_id, m.ts): m.text for m in session.scalars(select(SlackMessage))}
    assert stored == expected


def test_slack_ts_and_utc_times_survive_a_round_trip(session):
    odd_zone = timezone(timedelta(hours=5, minutes=30))
    rows = [
        _message("C1", "0000000001.000100", "leading zeros", datetime(1970, 1, 1, 0, 0, 1, 100, tzinfo=UTC)),
        _message("C1", "1670338200.000100", "float would lose this", datetime(2022, 12, 6, 14, 50, tzinfo=UTC)),
        _message("C1", "1512085950.000216", "offset time", datetime(2022, 12, 6, 20, 0, 0, 123456, tzinfo=odd_zone)),
    ]
    load_batch(session, {"slack_message": rows})
    stored = {m.ts: m.posted_at for m in session.scalars(select(SlackMessage))}
    assert set(stored) == {"0000000001.000100", "1670338200.000100", "1512085950.000216"}
    for row in rows:
        got = stored[row["ts"]]
        assert got.utcoffset() == timedelta(0)
        assert got == row["posted_at"]
    assert stored["1512085950.000216"] == datetime(2022, 12, 6, 14, 30, 0, 123456, tzinfo=UTC)


def test_naive_datetimes_are_refused(session):
    with pytest.raises(ValueError, match="naive datetime"):
        upsert(session, "slack_message", [_message("C1", "1670338200.000100", "x", datetime(2022, 1, 1))])


def _map(record: dict) -> dict:
    if record.get("broken"):
        raise KeyError("ts")
    return {"slack_message": [_message("C9", record["ts"], record["text"])]}


def test_a_bad_payload_lands_in_quarantine_and_the_rest_is_stored(session):
    records = [{"ts": "1670338200.000001", "text": "a"}, {"ts": "1670338200.000002", "broken": True},
               {"ts": "1670338200.000003", "text": "c"}]
    written = ingest(session, "slack", "message", records, _map, lambda r: f"C9/{r['ts']}")
    assert written["quarantined"] == 1
    assert written["slack_message"] == 2
    assert session.execute(text("SELECT count(*) FROM raw_record")).scalar() == 2
    (error,) = session.execute(text("SELECT error FROM quarantine")).scalars()
    assert "KeyError" in error
    # Running the same records again stores nothing new.
    again = ingest(session, "slack", "message", records, _map, lambda r: f"C9/{r['ts']}")
    assert again["slack_message"] == 0 and again["raw_record"] == 0


def test_a_row_the_database_refuses_is_quarantined_alone(session):
    def mapper(record: dict) -> dict:
        row = _message("C9", record["ts"], "x")
        if record.get("no_time"):
            row["posted_at"] = None  # NOT NULL in the schema: the database refuses it
        return {"slack_message": [row]}

    records = [{"ts": "1670338200.000001"}, {"ts": "1670338200.000002", "no_time": True}, {"ts": "1670338200.000003"}]
    written = ingest(session, "slack", "message", records, mapper, lambda r: f"C9/{r['ts']}")
    assert written["slack_message"] == 2
    assert written["quarantined"] == 1


def test_cursors_only_move_forward(session):
    assert get_cursor(session, "slack", "C1") is None
    advance_cursor(session, "slack", "C1", "1670338200.000100", "run-1")
    advance_cursor(session, "slack", "C1", "1670000000.000100", "run-2")
    assert get_cursor(session, "slack", "C1") == "1670338200.000100"
    advance_cursor(session, "slack", "C1", "1670338300.000000", "run-3")
    assert get_cursor(session, "slack", "C1") == "1670338300.000000"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10000


def test_a_deadlock_is_retried_not_quarantined(session, monkeypatch):
    import warehouse.load as load

    class Deadlock(Exception):
        sqlstate = "40P01"  # what PostgreSQL's driver reports when another writer deadlocked this one

    calls = []
    real = load.load_batch

    def flaky(s, batch):
        calls.append(1)
        if len(calls) == 1:
            raise Deadlock("deadlock detected")
        return real(s, batch)

    monkeypatch.setattr(load, "load_batch", flaky)
    records = [{"ts": "1670338200.000001", "text": "a"}, {"ts": "1670338200.000002", "text": "b"}]
    written = ingest(session, "slack", "message", records, _map, lambda r: f"C9/{r['ts']}")
    assert written["slack_message"] == 2 and written["quarantined"] == 0
    assert len(calls) == 2  # the whole batch again, not one by one

