"""Slack ingest through slack_sdk against the sandbox: calls against the lower bound, and messages per second.

    python -m bench.slack --scale 25 --time-scale 0.01      # ~100k+ messages, Slack tier limits on

Bound (issue 6): per readable channel ceil(M/page) history calls + one replies call per thread with
replies, plus ceil(U/page) users.list, conversations.list pages and one team.info. Nightly with no new
activity: one history call per channel and no replies call.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bench.common import Row, sqlite_engine
from connectors.slack import HISTORY_MAX, LIST_MAX, SlackState, iter_slack_records, make_client
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from lookback.sandbox.worlds import load_world
from warehouse.slack_state import all_cursors, thread_marks
from warehouse.stream import slack_spec, store_records


def lower_bound(world: dict[str, Any], page: int = HISTORY_MAX) -> dict[str, int]:
    slack = world["slack"]
    readable = {c["id"] for c in slack["channels"] if c.get("is_member")}
    top: Counter[str] = Counter()
    threads: set[tuple[str, str]] = set()
    for m in slack["messages"]:
        if m["channel"] not in readable:
            continue
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            threads.add((m["channel"], m["thread_ts"]))
            if m.get("subtype") == "thread_broadcast":
                top[m["channel"]] += 1
        else:
            top[m["channel"]] += 1
    visible = [c for c in slack["channels"] if not c.get("is_private") or c.get("is_member")]
    return {
        "team.info": 1,
        "users.list": max(1, math.ceil(len(slack["users"]) / LIST_MAX)),
        "conversations.list": max(1, math.ceil(len(visible) / LIST_MAX)),
        "conversations.history": sum(max(1, math.ceil(top[c] / page)) for c in readable),
        "conversations.replies": len(threads),
    }


def _moved_threads(world: dict[str, Any], step: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Threads an edit step changes: a reply added, or a reply deleted (looked up before the step runs)."""
    by_ts = {(m["channel"], m["ts"]): m for m in world["slack"]["messages"]}
    moved: set[tuple[str, str]] = set()
    for op in step:
        msg = op.get("message") if op["op"] == "add_message" else by_ts.get((op.get("channel", ""), op.get("ts", "")))
        if op["op"] in ("add_message", "delete_message") and msg and msg.get("thread_ts") not in (None, msg["ts"]):
            moved.add((msg["channel"], msg["thread_ts"]))
    return moved


def _calls(box: Any) -> dict[str, int]:
    endpoints = box.stats()["apis"].get("slack", {}).get("endpoints", {})
    out: Counter[str] = Counter()
    for key, n in endpoints.items():
        out[key.split(" ", 1)[1]] += n
    return dict(out)


def run(scale: int, time_scale: float, history_15: bool) -> list[Row]:
    world, _truth = load_world("seed", scale=scale)
    messages = len(world["slack"]["messages"])
    knobs = Knobs().updated(slack_tiers=True, slack_time_scale=time_scale, slack_history_15=history_15)
    rows: list[Row] = []
    with sqlite_engine() as engine, start(world, knobs) as box:
        env = box.env()
        api = make_client(env["SLACK_BOT_TOKEN"], env["SLACK_API_URL"], env["LOOKBACK_CA_BUNDLE"])
        bound = lower_bound(world, 15 if history_15 else HISTORY_MAX)
        for label in ("backfill", "nightly, nothing new", "nightly after edit"):
            moved = 0
            if label == "nightly after edit":
                moved = len(_moved_threads(world, world["edits"][0]))
                box.edit()
            box.reset_stats()
            refused_before = api.pacer.rate_limited
            start_s = time.perf_counter()
            with Session(engine) as session, session.begin():
                state = SlackState(cursors=all_cursors(session), threads=partial(thread_marks, session))
                store_records(session, slack_spec(), iter_slack_records(api, state=state), run_id=label)
            seconds = time.perf_counter() - start_s
            calls = _calls(box)
            total = sum(calls.values())
            refused = api.pacer.rate_limited - refused_before
            if label == "backfill":
                want = sum(bound.values())
                rows.append(Row(f"slack {label}: calls ({messages} messages)", total, "calls", want,
                                "lower bound", round(total / want, 4), note=f"{calls}, {refused} answered 429"))
                rows.append(Row(f"slack {label}: messages per second", round(messages / seconds, 1), "msg/s",
                                None, "", None, note=f"{seconds:.1f}s, tier limits x{time_scale}"))
            else:
                want = bound["team.info"] + bound["users.list"] + bound["conversations.list"] + len(
                    [c for c in world["slack"]["channels"] if c.get("is_member")]) + moved
                rows.append(Row(f"slack {label}: calls", total, "calls", want,
                                "1 history per channel + fixed + 1 replies per moved thread",
                                round(total / want, 4), note=f"{calls}, {refused} answered 429"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--time-scale", type=float, default=0.01, help="multiplies Slack's one-minute windows")
    parser.add_argument("--history-15", action="store_true", help="the 2025 non-Marketplace history limit")
    args = parser.parse_args()
    for row in run(args.scale, args.time_scale, args.history_15):
        ratio = f"{row.ratio:.3f}" if row.ratio is not None else "-"
        print(f"{row.what:55s} {row.figure:>10} {row.unit:6s} bound {row.bound!s:>8} ratio {ratio}  {row.note}")


if __name__ == "__main__":
    main()
