"""Slack mappers on recorded payloads (lenient, QUIRKS 5/8) and on odd input; references per CONTRACTS §2."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.conftest import REFERENCE
from warehouse.load import load_batch
from warehouse.map_slack import (
    map_channel,
    map_message,
    map_user,
    references,
    render_text,
    ts_time,
)

RECORDED = REFERENCE / "slack" / "recorded"
EXAMPLES = REFERENCE / "slack" / "examples"


def _load(path: Any) -> Any:
    return json.loads(path.read_text())


def _with_channel(msg: dict[str, Any]) -> dict[str, Any]:
    return {**msg, "channel": "C00000000", "_context": {"domain": "acme", "channel_name": "general"}}


def test_recorded_history_and_replies_messages_map_and_load(session: Session) -> None:
    for name in ("conversations.history.min.json", "conversations.replies.min.json"):
        for msg in _load(RECORDED / "java-slack-sdk-json-logs" / name)["messages"]:
            batch = map_message(_with_channel(msg))
            assert batch["slack_message"][0]["ts"] == msg["ts"]
            load_batch(session, batch)
    for name in ("conversations.history.ok.json", "conversations.replies.ok.json"):
        for msg in _load(EXAMPLES / name)["messages"]:
            batch = map_message(_with_channel(msg), {"U061F7AUR": "ana"})
            assert batch["evidence"][0]["occurred_at"].tzinfo is UTC
            load_batch(session, batch)
    session.flush()


def test_recorded_users_and_channels_map_with_emails_and_topics(session: Session) -> None:
    logs = RECORDED / "java-slack-sdk-json-logs"
    members = _load(logs / "users.list.json")["members"] + [_load(logs / "users.info.json")["user"]]
    for member in members:
        load_batch(session, map_user(member))
    channels = _load(logs / "conversations.list.json")["channels"]
    channels += _load(RECORDED / "python-slack-sdk-fixture" / "web_response_conversations_list.json")["channels"]
    for channel in channels:
        row = map_channel(channel)["slack_channel"][0]
        assert row["topic"] is None or isinstance(row["topic"], str)
        load_batch(session, map_channel(channel))
    session.flush()
    user = map_user({"id": "U1", "name": "ana", "profile": {"email": "Ana@Shop.example", "display_name": "A"}})
    assert user["account"][0]["person_key"] == "ana@shop.example"
    assert user["slack_user"][0]["display_name"] == "A"


def test_message_rows_evidence_and_permalinks() -> None:
    reply = {"type": "message", "user": "U1", "text": "it's related to <https://github.com/shop/search-tools/pull/23|PR 23>"
             " cc <@U2>", "ts": "1670338200.000100", "thread_ts": "1670338100.000050",
             "edited": {"user": "U1", "ts": "1670338300.000000"}, "channel": "C1",
             "_context": {"domain": "shop", "channel_name": "inc"}}
    batch = map_message(reply, {"U1": "ana", "U2": "bo"})
    row, evidence = batch["slack_message"][0], batch["evidence"][0]
    assert row["is_reply"] and row["edited_ts"] == "1670338300.000000"
    assert row["posted_at"] == datetime(2022, 12, 6, 14, 50, 0, 100, tzinfo=UTC)
    assert evidence["native_id"] == "C1/1670338200.000100"
    assert evidence["url"] == ("https://shop.slack.com/archives/C1/p1670338200000100"
                               "?thread_ts=1670338100.000050&cid=C1")
    assert evidence["text"] == "it's related to PR 23 (https://github.com/shop/search-tools/pull/23) cc @bo"
    assert evidence["actor_name"] == "ana" and evidence["container_name"] == "#inc"
    assert evidence["parent_native_id"] == "C1/1670338100.000050"
    assert {(r["ref_kind"], r["target"]) for r in batch["evidence_ref"]} == {
        ("pull_request", "shop/search-tools#23"), ("user", "U2")}
    join = map_message({"type": "message", "subtype": "channel_join", "user": "U1", "text": "<@U1> has joined",
                        "ts": "1670338200.000200", "channel": "C1"})
    assert set(join) == {"slack_message"} and join["slack_message"][0]["subtype"] == "channel_join"


def test_references_follow_the_contract() -> None:
    text = ("PR 22 and pull request 24, #25, shop/alerting#5, <#C9|incidents>, incident 1042, INC-77, "
            "Revert \"don't alert on invalid keys\", commit 0a1b2c3d, "
            "<https://github.com/shop/a/issues/9>, <https://github.com/shop/a/commit/abcdef1234567>, "
            "<https://shop.pagerduty.com/incidents/Q1ABCDEF>, <https://grafana.shop/d/1|dash>, color #ff0000")
    refs = {(kind, target) for kind, target, _ in references(text)}
    assert refs == {
        ("pr_number", "22"), ("pr_number", "24"), ("pr_number", "25"), ("pull_request", "shop/alerting#5"),
        ("channel", "C9"), ("incident_number", "1042"), ("incident_number", "77"),
        ("revert", "title:don't alert on invalid keys"), ("commit", "0a1b2c3d"), ("issue", "shop/a#9"),
        ("commit", "abcdef1234567"), ("incident_id", "Q1ABCDEF"), ("url", "https://grafana.shop/d/1"),
    }
    assert render_text("<!here> &lt;b&gt; <#C9|incidents>") == "@here <b> #incidents"


def test_ts_is_never_a_float() -> None:
    assert ts_time("1512085950.000216") == datetime(2017, 11, 30, 23, 52, 30, 216, tzinfo=UTC)
    assert ts_time("0000000001.000001") == datetime(1970, 1, 1, 0, 0, 1, 1, tzinfo=UTC)


def test_odd_text_is_kept_bounded_and_without_nul(session: Session) -> None:
    huge = "x" * 40_000 + "\x00 שלום 🙂 \ud800"
    batch = map_message({"ts": "1670338200.000100", "user": "U1", "text": huge, "channel": "C1"})
    assert "\x00" not in batch["slack_message"][0]["text"]
    assert len(batch["evidence"][0]["text"]) <= 20_000
    load_batch(session, batch)
    session.flush()


@settings(max_examples=60, deadline=None)
@given(text=st.text(), subtype=st.sampled_from([None, "", "bot_message", "channel_topic", "thread_broadcast"]),
       micro=st.integers(0, 999_999), secs=st.integers(0, 2_000_000_000))
def test_mapper_never_crashes_on_odd_messages(text: str, subtype: str | None, micro: int, secs: int) -> None:
    msg = {"ts": f"{secs:010d}.{micro:06d}", "text": text, "subtype": subtype, "channel": "C1",
           "attachments": [{"text": text, "fields": [{"title": "t", "value": text}]}], "edited": None}
    batch = map_message(copy.deepcopy(msg))
    assert batch["slack_message"][0]["ts"] == msg["ts"]
    for row in batch.get("evidence", []):
        assert "\x00" not in (row["text"] or "")
