"""Slack end to end: the real slack_sdk against the sandbox, into the warehouse; calls, increments, faults."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from connectors.errors import AuthError
from connectors.http import Backoff
from connectors.slack import SlackState, SlackWebApi, iter_slack_records, make_client
from lookback.sandbox.serve import Sandbox
from models.core import Evidence
from tests.sandbox_fixtures import sandbox_factory  # noqa: F401
from tests.slack.slack_worlds import BASE, slack_world, ts
from warehouse.slack_state import all_cursors, thread_marks
from warehouse.stream import StreamResult, slack_spec, store_records


def client_for(box: Sandbox, token: str | None = None, attempts: int = 8) -> SlackWebApi:
    env = box.env()
    backoff = Backoff(attempts=attempts, base_s=0.01, cap_s=0.05)
    return make_client(token or env["SLACK_BOT_TOKEN"], env["SLACK_API_URL"], env["LOOKBACK_CA_BUNDLE"],
                       backoff=backoff)


def run(session: Session, api: SlackWebApi, **kw: Any) -> StreamResult:
    state = SlackState(cursors=all_cursors(session), threads=lambda c: thread_marks(session, c))
    result = store_records(session, slack_spec(), iter_slack_records(api, state=state, **kw), run_id="test")
    session.flush()
    return result


def calls(box: Sandbox) -> dict[str, int]:
    endpoints = box.stats()["apis"].get("slack", {}).get("endpoints", {})
    return {k.split(" ", 1)[1]: v for k, v in endpoints.items()}


def table_hash(session: Session) -> str:
    """Content of the Slack tables, without the run's own timestamps."""
    parts = []
    for sql in ("SELECT channel_id, ts, thread_ts, is_reply, user_id, bot_id, subtype, text, edited_ts, deleted, "
                "reply_count, reply_users_count, latest_reply, permalink FROM slack_message ORDER BY channel_id, ts",
                "SELECT source, native_id, kind, title, text, url, actor, actor_name, container, container_name, "
                "parent_native_id FROM evidence ORDER BY native_id",
                "SELECT * FROM evidence_ref ORDER BY from_native_id, ref_kind, target",
                "SELECT * FROM slack_user ORDER BY id", "SELECT * FROM slack_channel ORDER BY id",
                "SELECT source, native_id, handle, email, person_key FROM account ORDER BY native_id"):
        parts.append(repr(session.execute(text(sql)).all()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def count(session: Session, sql: str) -> int:
    return int(session.execute(text(sql)).scalar() or 0)


@pytest.fixture
def box(sandbox_factory: Any) -> Iterator[Sandbox]:  # noqa: F811
    yield sandbox_factory(world=slack_world(), slack_tiers=False)


def test_full_ingest_stores_everything_within_the_call_bound(box: Sandbox, session: Session) -> None:
    result = run(session, client_for(box))
    n = calls(box)
    # Bound: 1 team.info + ceil(U/page) users + conversations.list pages + per readable channel
    # ceil(M/page) history + one replies call per thread with replies.
    assert n == {"team.info": 1, "users.list": 1, "conversations.list": 1, "conversations.history": 3,
                 "conversations.replies": 3}
    assert {s["partition"]: s["reason"] for s in result.skipped} == {"C002": "not_in_channel"}
    # 30 + 12 replies + join + bot in C001, one in C003, one in C005; C004 is invisible
    assert count(session, "SELECT count(*) FROM slack_message") == 46
    assert count(session, "SELECT count(*) FROM slack_message WHERE is_reply") == 12
    # the join is stored typed, not evidence
    assert count(session, "SELECT count(*) FROM evidence WHERE source='slack'") == 45
    assert count(session, "SELECT count(*) FROM slack_message WHERE subtype='channel_join'") == 1
    parent = session.execute(text("SELECT reply_count, reply_users_count, latest_reply FROM slack_message "
                                  "WHERE channel_id='C001' AND ts=:t"), {"t": ts(0)}).one()
    assert parent == (4, 1, f"{BASE + 4:010d}.000500")
    reply = session.execute(text("SELECT url, parent_native_id, text, actor_name FROM evidence "
                                 "WHERE native_id=:n"), {"n": f"C001/{BASE + 1:010d}.000500"}).one()
    assert reply.url == f"https://shop.slack.com/archives/C001/p{BASE + 1}000500?thread_ts={ts(0)}&cid=C001"
    assert reply.parent_native_id == f"C001/{ts(0)}"
    assert "@ana" in reply.text and reply.actor_name == "bo"
    refs = set(session.execute(text("SELECT ref_kind, target FROM evidence_ref WHERE from_native_id=:n"),
                               {"n": f"C003/{ts(2)}"}).all())
    assert refs == {("pr_number", "23"), ("incident_number", "1042")}
    assert count(session, "SELECT count(*) FROM evidence_ref WHERE ref_kind='pull_request' "
                          "AND target='shop/search-tools#7'") == 1
    emails = dict(session.execute(text("SELECT native_id, person_key FROM account WHERE source='slack'")).all())
    assert emails == {"U001": "ana@shop.example", "U002": "bo@shop.example", "U003": None}
    assert result.cursors == {"C001": ts(31), "C003": ts(2), "C005": ts(4)}


def test_second_run_with_nothing_new_spends_one_history_call_per_channel(box: Sandbox, session: Session) -> None:
    run(session, client_for(box))
    before = table_hash(session)
    box.reset_stats()
    result = run(session, client_for(box))
    n = calls(box)
    assert n.get("conversations.history") == 3 and "conversations.replies" not in n
    assert result.deleted == 0 and table_hash(session) == before


def test_incremental_after_edit_reflects_new_edited_deleted_and_new_replies(box: Sandbox, session: Session) -> None:
    run(session, client_for(box))
    total = count(session, "SELECT count(*) FROM slack_message")
    box.edit()
    box.reset_stats()
    result = run(session, client_for(box), )
    n = calls(box)
    # the new message; the edited one; the deleted top-level one and the deleted reply are flagged, not removed
    assert count(session, "SELECT count(*) FROM slack_message") == total + 1 + 1
    new = session.execute(text("SELECT text FROM slack_message WHERE ts=:t"), {"t": ts(35)}).scalar()
    assert new == "new after edit: PR 99"
    edited = session.execute(text("SELECT text, edited_ts, edited_at FROM slack_message WHERE ts=:t"),
                             {"t": ts(29)}).one()
    assert edited[0] == "edited text" and edited[1] == f"{BASE + 30 * 60 + 500:010d}.000000" and edited[2]
    assert session.execute(text("SELECT text FROM evidence WHERE native_id=:n"),
                           {"n": f"C001/{ts(29)}"}).scalar() == "edited text"
    deleted = set(session.execute(text("SELECT ts FROM slack_message WHERE deleted")).scalars())
    assert deleted == {ts(28), f"{BASE + 62:010d}.000500"}
    assert result.deleted == 2
    flagged = session.execute(select(Evidence.attributes).where(Evidence.native_id == f"C001/{ts(28)}")).scalar()
    assert flagged["deleted"] is True
    late = session.execute(text("SELECT is_reply, thread_ts FROM slack_message WHERE text='late reply'")).one()
    assert late == (True, ts(0))
    # replies re-read only for the two threads that moved (a new reply, a deleted reply)
    assert n.get("conversations.replies") == 2 and n.get("conversations.history") == 3
    # a second run after the edit changes nothing
    before = table_hash(session)
    run(session, client_for(box))
    assert table_hash(session) == before
    assert count(session, "SELECT count(*) FROM evidence GROUP BY native_id HAVING count(*) > 1") == 0


ALL_FAULTS = ["rate_429", "rate_500", "rate_502", "rate_503", "rate_drop", "rate_truncate"]


@pytest.mark.parametrize("fault", [*ALL_FAULTS, "all"])
def test_every_fault_knob_is_survived_with_nothing_lost(sandbox_factory: Any, session: Session,  # noqa: F811
                                                          engine: Any, fault: str) -> None:
    clean_box = sandbox_factory(world=slack_world(), slack_tiers=False)
    run(session, client_for(clean_box))
    expected = table_hash(session)
    session.rollback()
    rates = {f"slack_{f}": 0.05 for f in ALL_FAULTS} if fault == "all" else {f"slack_{fault}": 0.25}
    faulty = sandbox_factory(world=slack_world(), slack_tiers=False, retry_after=0, seed=7, **rates)
    with Session(engine) as other:
        run(other, client_for(faulty, attempts=12))
        assert table_hash(other) == expected
        injected = faulty.stats()["faults"]["apis"].get("slack", {})
        assert sum(injected.values()) >= 1, injected
        other.rollback()


def test_429_retry_after_is_honoured_and_the_2025_history_mode_completes(sandbox_factory: Any,  # noqa: F811
                                                                         session: Session) -> None:
    world = slack_world(messages=40, threads=0)
    box = sandbox_factory(world=world, slack_tiers=True, slack_history_15=True, slack_time_scale=0.01)
    api = client_for(box)
    run(session, api, selection=["search-team"])
    n = calls(box)
    stored = count(session, "SELECT count(*) FROM slack_message WHERE channel_id='C001'")
    assert stored == 42
    useful = math.ceil(42 / 15)
    # at most one refused call per learned pace: the pacer keeps later calls under the limit
    assert useful <= n["conversations.history"] <= useful + 2
    assert api.pacer.rate_limited >= 1


def test_tier_limits_answer_429_with_retry_after(sandbox_factory: Any) -> None:  # noqa: F811
    import requests

    box = sandbox_factory(world=slack_world(), slack_tiers=True, slack_time_scale=1.0)
    url = box.env()["SLACK_API_URL"] + "conversations.list"
    headers = {"Authorization": "Bearer xoxb-x"}
    statuses = [requests.post(url, headers=headers, verify=box.ca_file).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    last = requests.post(url, headers=headers, verify=box.ca_file)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1
    assert last.json() == {"ok": False, "error": "ratelimited"}


def test_bad_token_raises_auth_error_naming_the_setting_and_never_the_token(box: Sandbox,
                                                                            caplog: Any) -> None:
    token = "bad-xoxb-secret-value-123"
    caplog.set_level(logging.DEBUG)
    api = client_for(box, token=token)
    with pytest.raises(AuthError) as info:
        list(iter_slack_records(api))
    assert "SLACK_BOT_TOKEN" in str(info.value)
    assert token not in str(info.value) and token not in repr(api) and token not in caplog.text


def test_selected_channel_that_does_not_exist_or_is_unreadable_is_skipped(box: Sandbox,
                                                                         session: Session) -> None:
    result = run(session, client_for(box), selection=["#incident-1042", "random", "nope"])
    assert {s["partition"]: s["reason"] for s in result.skipped} == {"nope": "channel_not_found",
                                                                      "C002": "not_in_channel"}
    assert count(session, "SELECT count(*) FROM slack_message") == 1


def test_backfill_window_does_not_move_the_cursor(box: Sandbox, session: Session) -> None:
    from datetime import UTC, datetime

    since = datetime.fromtimestamp(BASE + 10 * 60, UTC)
    until = datetime.fromtimestamp(BASE + 20 * 60, UTC)
    result = run(session, client_for(box), selection=["search-team"], since=since, until=until)
    assert result.cursors == {}
    stored = set(session.execute(text("SELECT ts FROM slack_message")).scalars())
    assert stored == {ts(i) for i in range(10, 20)}  # ts(i) is i minutes + 100 µs after BASE


def test_full_run_never_logs_or_raises_the_token(sandbox_factory: Any, session: Session,  # noqa: F811
                                                 caplog: Any) -> None:
    box = sandbox_factory(world=slack_world(), slack_tiers=False, seed=3, retry_after=0, slack_rate_500=0.2,
                          slack_rate_drop=0.1, slack_rate_truncate=0.1)
    caplog.set_level(logging.DEBUG)
    token = box.env()["SLACK_BOT_TOKEN"]
    api = client_for(box, attempts=12)
    result = run(session, api)
    assert result.cursors and token not in caplog.text and token not in repr(api)
    stored = session.execute(text("SELECT payload FROM raw_record WHERE source='slack'")).scalars().all()
    assert stored and not any(token in p for p in stored)


def test_the_in_process_fake_gives_the_same_records_as_the_wire() -> None:
    from lookback.sandbox.slack_api import InProcessSlack

    fake = InProcessSlack(slack_world())
    records = list(iter_slack_records(fake))
    kinds = [k for k, _ in records]
    assert kinds.count("message") == 46 and kinds.count("skipped") == 1
    assert fake.calls == {"team.info": 1, "users.list": 1, "conversations.list": 1,
                          "conversations.history": 3, "conversations.replies": 3}


def test_seed_world_meets_the_call_bounds_and_every_edit_is_reflected(sandbox_factory: Any,  # noqa: F811
                                                                     session: Session) -> None:
    from bench.slack import lower_bound
    from lookback.sandbox.worlds import load_world

    world, _truth = load_world("seed")
    box = sandbox_factory(world=world, slack_tiers=False)
    run(session, client_for(box))
    bound = lower_bound(box.world)
    assert calls(box) == bound
    box.reset_stats()
    run(session, client_for(box))
    readable = sum(1 for c in box.world["slack"]["channels"] if c.get("is_member"))
    assert calls(box).get("conversations.history") == readable and "conversations.replies" not in calls(box)
    step = box.edit()
    box.reset_stats()
    run(session, client_for(box))
    for op in step["applied"]:
        if op["op"] not in ("add_message", "edit_message", "delete_message"):
            continue
        row = session.execute(text("SELECT deleted, edited_ts FROM slack_message WHERE channel_id=:c AND ts=:t"),
                              {"c": op["channel"], "t": op["ts"]}).one()
        assert row.deleted == (op["op"] == "delete_message"), op
        assert (row.edited_ts is not None) == (op["op"] == "edit_message") or op["op"] == "delete_message", op
    moved = {(m["channel"], m["thread_ts"]) for s in [world["edits"][0]] for o in s if o["op"] == "add_message"
             for m in [o["message"]] if m.get("thread_ts")}
    assert calls(box).get("conversations.replies", 0) <= len(moved) + sum(
        1 for o in world["edits"][0] if o["op"] == "delete_message")


def test_a_run_killed_midway_resumes_to_the_same_warehouse(sandbox_factory: Any, engine: Any) -> None:  # noqa: F811
    box = sandbox_factory(world=slack_world(), slack_tiers=False)
    with Session(engine) as clean:
        run(clean, client_for(box))
        expected = table_hash(clean)
        clean.rollback()

    def killed(records: Any, after: int) -> Any:
        for i, record in enumerate(records):
            if i == after:
                raise KeyboardInterrupt("killed")
            yield record

    for after in (5, 40, 54, 58, 62):  # before, inside and between the checkpoints (cursors at 53, 59, 63)
        with Session(engine) as first:
            state = SlackState(cursors=all_cursors(first), threads=lambda c, s=first: thread_marks(s, c))
            with pytest.raises(KeyboardInterrupt):
                store_records(first, slack_spec(), killed(iter_slack_records(client_for(box), state=state), after),
                              checkpoint=first.commit)
            first.rollback()
        with Session(engine) as second:
            run(second, client_for(box))
            second.commit()
            assert table_hash(second) == expected, after
            assert count(second, "SELECT count(*) FROM evidence GROUP BY native_id HAVING count(*) > 1") == 0
        with Session(engine) as wipe:  # start the next kill point from an empty warehouse
            for table in ("slack_message", "evidence", "evidence_ref", "slack_user", "slack_channel", "account",
                          "raw_record", "ingest_cursor"):
                wipe.execute(text(f"DELETE FROM {table}"))
            wipe.commit()


def test_channels_are_selected_by_id_name_or_glob_minus_the_excluded(sandbox_factory: Any) -> None:  # noqa: F811
    from connectors.slack import list_channels

    api = client_for(sandbox_factory(slack_world()))
    ids = lambda chans: sorted(c["id"] for c in chans)  # noqa: E731
    assert ids(list_channels(api, ["#search-*", "C003"])[0]) == ["C001", "C003"]
    assert ids(list_channels(api, None, exclude=["old-*", "C00[24]"])[0]) == ["C001", "C003"]
    chans, missing = list_channels(api, ["*deploys", "nothing-*"], exclude=["old-deploys"])
    assert chans == [] and missing == ["nothing-*"]  # an excluded match is not "missing"


def test_a_long_channel_is_re_read_only_back_to_the_overlap(sandbox_factory: Any, session: Session,  # noqa: F811
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Paging newest-first stops once past the overlap: changes inside it are seen, older ones are left alone."""
    from datetime import timedelta

    import connectors.slack as slack_connector

    monkeypatch.setattr(slack_connector, "HISTORY_MAX", 20)
    world = slack_world(messages=300, threads=0)
    world["edits"] = [[
        {"op": "edit_message", "channel": "C001", "ts": ts(295), "text": "edited inside the overlap",
         "edited_ts": f"{BASE + 400 * 60:010d}.000000"},
        {"op": "delete_message", "channel": "C001", "ts": ts(290)},
        {"op": "edit_message", "channel": "C001", "ts": ts(10), "text": "edited long ago",
         "edited_ts": f"{BASE + 400 * 60:010d}.000000"},
        {"op": "delete_message", "channel": "C001", "ts": ts(5)},
    ]]
    box = sandbox_factory(world=world, slack_tiers=False)
    api = client_for(box)

    def again() -> StreamResult:
        state = SlackState(cursors=all_cursors(session), threads=lambda c: thread_marks(session, c),
                           overlap=timedelta(minutes=30))
        out = store_records(session, slack_spec(), iter_slack_records(api, ["C001"], state=state), run_id="t")
        session.flush()
        return out

    again()
    assert calls(box)["conversations.history"] == math.ceil(302 / 20)
    box.edit()
    box.reset_stats()
    result = again()
    # 30 minutes of overlap hold 30 messages: two pages of 20 reach past it, and paging stops there.
    assert calls(box)["conversations.history"] == 2
    def text_of(i: int) -> tuple[str, bool]:
        row = session.execute(text("SELECT text, deleted FROM slack_message WHERE ts = :t"), {"t": ts(i)}).one()
        return row[0], bool(row[1])

    assert text_of(295) == ("edited inside the overlap", False)
    assert text_of(290)[1] is True and result.deleted == 1
    # Outside the re-read window nothing is concluded: the old message keeps its text and is not flagged.
    assert text_of(10) == ("message 10 about <https://github.com/shop/search-tools/pull/10|PR 10>", False)
    assert text_of(5)[1] is False
