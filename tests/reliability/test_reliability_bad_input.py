"""Bad input through the mappers and ``ingest``: spec-breaking, oversized, odd text and odd times.

Every record is stored correctly or quarantined with its reason; the run never crashes and the good
records around a bad one are always stored. Hand-written cases for what real payloads do
(QUIRKS.md), then hypothesis mutations of real payloads recorded from a sandbox run.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from models.base import dump_json
from tests.reliability.helpers import ingest_all, settings_for, small_world
from warehouse import map_github, map_pagerduty, map_slack
from warehouse.load import ingest, payload_hash

Spec = tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any]], str]]
SPECS: dict[tuple[str, str], Spec] = {
    **{("github", kind): spec for kind, spec in map_github.MAPPERS.items()},
    ("slack", "user"): (map_slack.map_user, lambda p: str(p["id"])),
    ("slack", "channel"): (map_slack.map_channel, lambda p: str(p["id"])),
    ("slack", "message"): (partial(map_slack.map_message, users={}), map_slack.message_native_id),
    **{("pagerduty", kind): (map_pagerduty.mapper_for(kind), map_pagerduty.native_id) for kind in map_pagerduty.KINDS},
}
ODD_TEXT = ["🔥💥 deploy 🚀", "\u202eevil\u202c RTL \u05e9\u05dc\u05d5\u05dd", "nul\x00byte", "lone \ud800 surrogate",
            "\udfff", "", " ", "x" * 40_000, "<script>alert(1)</script>", "\x1b[31mred", "'; DROP TABLE evidence; --"]
ODD_TIMES = ["2022-12-06T09:30:00-05:00", "2022-11-06T01:30:00-04:00", "2022-11-06T01:30:00-05:00",
             "2022-12-06T14:30:00.123456Z", "2022-12-06T14:30:00+05:45", "2022-12-06 14:30:00", "not a time", "",
             "0000-00-00T00:00:00Z", "2022-13-45T99:99:99Z", "1670338200", "1970-01-01T00:00:00Z"]
TRIED: list[str] = []  # every bad input tried, for the closing summary


@pytest.fixture(scope="module")
def samples(module_warehouses) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Real payloads of every kind, as the connectors hand them to the mappers (recorded from a sandbox run)."""
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    with start(small_world(pulls=12, messages=80, incidents=6), Knobs(slack_tiers=False)) as sb:
        assert ingest_all(settings_for(sb.env(), url), engine)["status"] == "completed"
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for source, kind, payload in conn.execute(text("SELECT source, kind, payload FROM raw_record")):
            out.setdefault((source, kind), []).append(json.loads(payload))
    assert set(out) >= {k for k in SPECS if k[0] != "github" or k[1] in ("pull_request", "repository")}, set(out)
    return out


@pytest.fixture(scope="module")
def db(module_warehouses) -> Iterator[Engine]:
    """One empty warehouse for the module: every case rolls its transaction back."""
    yield module_warehouses.engine()


def outcome(session: Session, source: str, kind: str, record: dict[str, Any]) -> str:
    """'stored' (raw payload landed), 'quarantined' (with a reason), or 'lost'."""
    digest = payload_hash(dump_json(record) or "null")
    stored = session.execute(text("SELECT count(*) FROM raw_record WHERE source = :s AND kind = :k AND payload_hash = :h"),
                             {"s": source, "k": kind, "h": digest}).scalar()
    if stored:
        return "stored"
    error = session.execute(text("SELECT error FROM quarantine WHERE source = :s AND kind = :k AND payload_hash = :h"),
                            {"s": source, "k": kind, "h": digest}).scalar()
    return "quarantined" if error and error.strip() else "lost"


def ingest_between_good_ones(engine: Engine, source: str, kind: str, bad: dict[str, Any],
                             good: list[dict[str, Any]]) -> tuple[str, Session]:
    """Ingest [good, bad, good] in one batch; the good ones must be stored whatever the bad one does."""
    mapper, native_id = SPECS[(source, kind)]
    session = Session(engine)
    session.begin()
    try:
        ingest(session, source, kind, [good[0], bad, good[1]], mapper, native_id, batch_size=10)
        session.flush()
        for g in good:
            assert outcome(session, source, kind, g) == "stored", (source, kind, "a good record was lost")
        result = outcome(session, source, kind, bad)
        assert result != "lost", (source, kind, bad)
    except BaseException:
        session.rollback()  # never leave a writer holding the database for the next example
        session.close()
        raise
    TRIED.append(f"{source}/{kind}: {result}")
    return result, session


def three(samples, source: str, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    items = samples[(source, kind)]
    _, native_id = SPECS[(source, kind)]
    by_id = {native_id(i): i for i in items}
    picked = list(by_id.values())[:3]
    assert len(picked) == 3, (source, kind)
    return copy.deepcopy(picked[0]), [copy.deepcopy(picked[1]), copy.deepcopy(picked[2])]


def query(session: Session, sql: str, **params: Any) -> Any:
    return session.execute(text(sql), params).first()


# ------------------------------------------------------------------------------------------ hand-written


def test_pr_with_3000_files_and_a_huge_patch_is_stored_with_a_bounded_excerpt(samples, db):
    bad, good = three(samples, "github", "pull_request")
    huge = "@@ -1,1 +1,1 @@\n" + ("+" + "y" * 99 + "\n") * 20_000  # 2 MB
    bad["files"] = [{"filename": f"src/f{i}.py", "status": "modified", "additions": 1, "deletions": 0,
                     "patch": huge if i == 0 else "@@ -1 +1 @@\n-a\n+b"} for i in range(3000)]
    result, session = ingest_between_good_ones(db, "github", "pull_request", bad, good)
    assert result == "stored"
    repo_id = bad["repo"]["id"]
    number = bad["pull"]["number"]
    assert query(session, "SELECT count(*) FROM gh_pr_file WHERE repo_id = :r AND pr_number = :n", r=repo_id, n=number)[0] == 3000
    longest, truncated = query(session, "SELECT max(length(patch_excerpt)), max(CASE WHEN patch_truncated THEN 1 ELSE 0 END) "
                               "FROM gh_pr_file WHERE repo_id = :r AND pr_number = :n", r=repo_id, n=number)
    assert longest < 100_000 and truncated == 1
    session.rollback()


def test_slack_message_of_40000_chars_and_a_deep_thread_are_stored(samples, db):
    bad, good = three(samples, "slack", "message")
    bad["text"] = ("long " * 8000)[:40_000]
    result, session = ingest_between_good_ones(db, "slack", "message", bad, good)
    assert result == "stored"
    stored = query(session, "SELECT length(text) FROM slack_message WHERE channel_id = :c AND ts = :t",
                   c=bad["channel"], t=bad["ts"])[0]
    assert stored >= 39_000
    parent = copy.deepcopy(good[0])
    replies = []
    for i in range(1, 801):
        reply = copy.deepcopy(parent)
        reply.update(ts=f"{int(parent['ts'].split('.')[0]) + i}.{i:06d}", thread_ts=parent["ts"], text=f"reply {i}")
        replies.append(reply)
    mapper, native_id = SPECS[("slack", "message")]
    ingest(session, "slack", "message", replies, mapper, native_id, batch_size=300)
    assert query(session, "SELECT count(*) FROM slack_message WHERE channel_id = :c AND thread_ts = :t AND ts <> :t",
                 c=parent["channel"], t=parent["ts"])[0] >= 800
    session.rollback()


@pytest.mark.parametrize("value", ODD_TEXT, ids=range(len(ODD_TEXT)))
@pytest.mark.parametrize("where", [("github", "pull_request", ("pull", "title")), ("slack", "message", ("text",)),
                                   ("pagerduty", "incident", ("title",)), ("pagerduty", "note", ("content",))],
                         ids=["pr-title", "slack-text", "pd-title", "pd-note"])
def test_odd_text_is_stored_or_quarantined_never_crashing(value, where, samples, db):
    source, kind, path = where
    bad, good = three(samples, source, kind)
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result, session = ingest_between_good_ones(db, source, kind, bad, good)
    if "\ud800" not in value and "\udfff" not in value:
        assert result == "stored", (where, value[:40])  # only unencodable text may be refused
    session.rollback()


def test_nul_bytes_and_emoji_arrive_intact_except_the_nul(samples, db):
    bad, good = three(samples, "slack", "message")
    bad["text"] = "🔥 rollback\x00 now \u202eevil"
    result, session = ingest_between_good_ones(db, "slack", "message", bad, good)
    assert result == "stored"
    stored = query(session, "SELECT text FROM slack_message WHERE channel_id = :c AND ts = :t", c=bad["channel"], t=bad["ts"])[0]
    assert "🔥 rollback" in stored and "\x00" not in stored and "\u202eevil" in stored
    session.rollback()


def test_pagerduty_times_with_offsets_and_dst_are_stored_as_utc(samples, db):
    bad, good = three(samples, "pagerduty", "incident")
    bad["created_at"] = "2022-11-06T01:30:00-05:00"  # the second 01:30 of the New York DST change
    result, session = ingest_between_good_ones(db, "pagerduty", "incident", bad, good)
    assert result == "stored"
    from models.base import UTCDateTime

    raw = query(session, "SELECT created_at FROM pd_incident WHERE id = :i", i=bad["id"])[0]
    value = UTCDateTime().process_result_value(raw, session.connection().dialect)
    assert value == datetime(2022, 11, 6, 6, 30, tzinfo=UTC)
    session.rollback()


def test_slack_ts_with_leading_zeros_is_kept_exactly(samples, db):
    bad, good = three(samples, "slack", "message")
    bad["ts"] = "0946684800.000100"
    bad.pop("thread_ts", None)
    result, session = ingest_between_good_ones(db, "slack", "message", bad, good)
    assert result == "stored"
    row = query(session, "SELECT ts FROM slack_message WHERE channel_id = :c AND ts = :t", c=bad["channel"], t=bad["ts"])
    assert row is not None and row[0] == "0946684800.000100"
    assert query(session, "SELECT count(*) FROM evidence WHERE native_id = :n", n=f"{bad['channel']}/0946684800.000100")[0] == 1
    session.rollback()


SPEC_BREAKS: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("github", "pull_request", lambda p: p["pull"].update(head={"ref": "x", "sha": None, "repo": None, "user": None, "label": None})),
    ("github", "pull_request", lambda p: p["pull"].update(user=None, merged_by=None)),  # ghost users
    ("github", "pull_request", lambda p: p["pull"].update(state="superseded", draft=None)),
    ("github", "pull_request", lambda p: p["pull"].pop("auto_merge", None) or p["pull"].pop("labels")),
    ("github", "pull_request", lambda p: p.update(reviews=[{"id": 1, "state": "WEIRD", "user": None, "submitted_at": None}])),
    ("github", "pull_request", lambda p: p.update(review_comments=[{"id": 2, "start_side": None, "original_line": None,
                                                                    "body": None, "user": None}])),
    ("github", "pull_request", lambda p: p["pull"].pop("number")),
    ("github", "pull_request", lambda p: p["repo"].pop("id")),
    ("slack", "message", lambda p: p.pop("user")),
    ("slack", "message", lambda p: p.update(subtype="some_new_subtype", bot_id="B1", text=None)),
    ("slack", "message", lambda p: p.update(edited={"user": None, "ts": None}, reply_count=None, files=[None])),
    ("slack", "message", lambda p: p.pop("ts")),
    ("slack", "user", lambda p: p.update(profile=None, tz=None, deleted=None)),
    ("slack", "channel", lambda p: p.update(topic=None, purpose="not an object", created=None)),
    ("pagerduty", "incident", lambda p: p.update(urgency="critical", status="snoozed", service=None, priority={"x": 1})),
    ("pagerduty", "incident", lambda p: p.update(created_at=None)),
    ("pagerduty", "incident", lambda p: p.pop("id")),
    ("pagerduty", "log_entry", lambda p: p.update(type="brand_new_log_entry", agent=None, channel=None)),
    ("pagerduty", "log_entry", lambda p: p.update(incident=None)),
    ("pagerduty", "alert", lambda p: p.update(severity="apocalyptic", body=None)),
    ("pagerduty", "user", lambda p: p.update(time_zone="Mars/Olympus_Mons", email=None)),
    ("pagerduty", "change_event", lambda p: p.update(timestamp="2022-12-06T09:30:00.5-05:00", links=None,
                                                     custom_details="not an object")),
    ("pagerduty", "service", lambda p: p.update(status="unknown_status", escalation_policy=None, teams=None)),
]


@pytest.mark.parametrize("case", range(len(SPEC_BREAKS)))
def test_spec_breaking_payloads_are_stored_or_quarantined_with_the_reason(case, samples, db):
    source, kind, breaks = SPEC_BREAKS[case]
    bad, good = three(samples, source, kind)
    breaks(bad)
    _, session = ingest_between_good_ones(db, source, kind, bad, good)
    session.rollback()


@pytest.mark.parametrize("value", ODD_TIMES)
@pytest.mark.parametrize("where", [("pagerduty", "log_entry", "created_at"), ("pagerduty", "incident", "resolved_at"),
                                   ("github", "pull_request", "updated_at")])
def test_odd_times_are_stored_or_quarantined(value, where, samples, db):
    source, kind, key = where
    bad, good = three(samples, source, kind)
    (bad["pull"] if source == "github" else bad)[key] = value
    result, session = ingest_between_good_ones(db, source, kind, bad, good)
    if value.endswith(("Z", "00")) and value[:4].isdigit() and value[5:7] <= "12" and not value.startswith("0000"):
        assert result == "stored", (where, value)
    session.rollback()


# ------------------------------------------------------------------------------------------ fuzzing

JUNK = st.one_of(st.none(), st.integers(-2**63, 2**63), st.floats(allow_nan=True), st.booleans(),
                 st.sampled_from(ODD_TEXT + ODD_TIMES), st.text(max_size=50), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.none(), max_size=2))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, samples: dict, source: str, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    bad, good = three(samples, source, kind)
    for _ in range(draw(st.integers(1, 4))):
        where = paths(bad)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent: Any = bad
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(JUNK)
    return bad, good


FUZZ_KINDS = [("github", "pull_request"), ("slack", "message"), ("slack", "user"), ("pagerduty", "incident"),
              ("pagerduty", "log_entry"), ("pagerduty", "alert"), ("pagerduty", "change_event")]


@pytest.mark.parametrize("source,kind", FUZZ_KINDS)
def test_fuzzed_payloads_never_crash_the_run_or_lose_the_rest(source, kind, samples, db):
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        bad, good = data.draw(mutated(samples, source, kind))
        _, session = ingest_between_good_ones(db, source, kind, bad, good)
        session.rollback()
        session.close()

    run()


def teardown_module() -> None:
    quarantined = sum(1 for t in TRIED if t.endswith("quarantined"))
    print(f"\nbad input: {len(TRIED)} bad records tried, {len(TRIED) - quarantined} stored, {quarantined} quarantined, 0 lost")
