"""Edit steps for a built world (new PRs, replies, edits, deletions, incidents) and the pure `apply_edit`."""

from __future__ import annotations

import copy
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso

DAY = 86_400.0


class EditError(ValueError):
    """An edit op names an unknown op or an object the world does not have."""


def apply_edit(world: dict[str, Any], step: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a copy of `world` with one edit step applied (the input is left untouched)."""
    out = copy.deepcopy(world)
    for op in step:
        _apply_op(out, op)
    return out


def _find(items: list[dict[str, Any]], what: str, **key: Any) -> dict[str, Any]:
    for item in items:
        if all(item.get(k) == v for k, v in key.items()):
            return item
    raise EditError(f"edit names a missing {what}: {key}")


def _apply_op(world: dict[str, Any], op: dict[str, Any]) -> None:
    kind = op.get("op")
    pulls = world["github"]["pulls"]
    messages = world["slack"]["messages"]
    incidents = world["pagerduty"]["incidents"]
    if kind == "add_pull":
        pull = op["pull"]
        if any(p["repo"] == pull["repo"] and p["number"] == pull["number"] for p in pulls):
            raise EditError(f"duplicate PR {pull['repo']}#{pull['number']}")
        pulls.append(copy.deepcopy(pull))
    elif kind == "update_pull":
        _find(pulls, "pull", repo=op["repo"], number=op["number"]).update(copy.deepcopy(op.get("set", {})))
    elif kind == "add_message":
        msg = op["message"]
        if any(m["channel"] == msg["channel"] and m["ts"] == msg["ts"] for m in messages):
            raise EditError(f"duplicate message {msg['channel']}/{msg['ts']}")
        if msg.get("thread_ts"):
            _find(messages, "thread parent", channel=msg["channel"], ts=msg["thread_ts"])
        messages.append(copy.deepcopy(msg))
    elif kind == "edit_message":
        m = _find(messages, "message", channel=op["channel"], ts=op["ts"])
        m["text"] = op["text"]
        m["edited"] = {"user": op.get("user", m.get("user")), "ts": op["edited_ts"]}
    elif kind == "delete_message":
        messages.remove(_find(messages, "message", channel=op["channel"], ts=op["ts"]))
    elif kind == "add_incident":
        incidents.append(copy.deepcopy(op["incident"]))
    elif kind == "update_incident":
        inc = _find(incidents, "incident", id=op["id"])
        inc.update(copy.deepcopy(op.get("set", {})))
        inc.setdefault("log_entries", []).extend(copy.deepcopy(op.get("add_log_entries", [])))
    else:
        raise EditError(f"unknown edit op: {kind!r}")


def _detach(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Builders append to the world's lists; an edit object must live only in the edit step."""
    return items.pop()


def make_edits(b: WorldBuilder, world: dict[str, Any], channels: list[str], service: str,
               people: list[str], repo: str) -> list[list[dict[str, Any]]]:
    """Two edit steps after the world's end: new and updated PRs, messages, replies, edits, deletions,
    a resolved incident and a new one."""
    rng = b.rng
    msgs = world["slack"]["messages"]
    end = max(float(m["ts"]) for m in msgs) + 3600
    pulls = world["github"]["pulls"]
    steps: list[list[dict[str, Any]]] = []
    by_channel = {c: [m for m in msgs if m["channel"] == c and m["subtype"] is None] for c in channels}
    open_inc = next(i for i in world["pagerduty"]["incidents"] if i["status"] != "resolved")
    for step_no in range(2):
        t0 = end + step_no * DAY
        ops: list[dict[str, Any]] = []
        who = people[step_no % len(people)]
        title = ("Document the daily collection rotation", "Alert when a daily collection is missing from the read alias")[step_no]
        b.pull(repo, who, title, "Follow-up from the incident review.", t0, merged=t0 + 7200 if step_no == 0 else None,
               files=[{"filename": f"docs/rotation-{step_no}.md", "status": "added", "additions": 20, "deletions": 0,
                       "patch": "@@ -0,0 +1,2 @@\n+# Daily collections\n+Created two days ahead at 03:00 UTC."}],
               reviews=[(people[(step_no + 1) % len(people)], "APPROVED", "", t0 + 3600)])
        pull = _detach(b.pulls)
        b.number_pull(pull)
        ops.append({"op": "add_pull", "pull": pull})
        candidates = [p for p in pulls if p["state"] == "open" and p["repo"] != repo]
        if candidates:
            old = candidates[step_no % len(candidates)]
            ops.append({"op": "update_pull", "repo": old["repo"], "number": old["number"],
                        "set": {"state": "closed", "closed_at": iso(t0 + 600), "merged_at": iso(t0 + 600),
                                "merged_by": old["user"], "merge_commit_sha": b.sha(), "updated_at": iso(t0 + 600)}})
        for c in channels:
            mine = by_channel[c]
            b.say(c, t0 + rng.uniform(60, 3000), who, ("incident review is scheduled for thursday",
                  "action items are in the doc, please grab one")[step_no])
            ops.append({"op": "add_message", "message": _detach(b.messages)})
            parents = [m for m in mine if m["thread_ts"] is None]
            if parents:
                parent = parents[-(1 + step_no * 3) % len(parents)]
                b.say(c, t0 + 4000, who, "coming back to this old thread: still relevant after last week?", parent=parent)
                ops.append({"op": "add_message", "message": _detach(b.messages)})
            threads = {m["thread_ts"] for m in mine if m["thread_ts"]}
            deletable = [m for m in mine if m["ts"] not in threads]
            if len(mine) > 10 and len(deletable) > 10:
                target = mine[len(mine) // 3 + step_no]
                ops.append({"op": "edit_message", "channel": c, "ts": target["ts"],
                            "text": target["text"] + " (edited)", "edited_ts": b.ts(c, t0 + 5000)})
                gone = deletable[len(deletable) // 2 + step_no]
                if gone is not target:
                    ops.append({"op": "delete_message", "channel": c, "ts": gone["ts"]})
        if step_no == 0:
            rt = max(epoch(e["created_at"]) for e in open_inc["log_entries"]) + 1800
            ops.append({"op": "update_incident", "id": open_inc["id"],
                        "set": {"status": "resolved", "resolved_at": iso(rt), "assigned_to": []},
                        "add_log_entries": [{"id": b.log_id(), "type": "resolve_log_entry", "created_at": iso(rt),
                                             "summary": "Resolved.", "agent": {"type": "user_reference",
                                             "id": b.ensure_pd(people[0])}, "channel": {"type": "website"}}]})
        else:
            b.incident(service, "Read alias check: daily collection missing from alias (test fire)", t0 + 1200,
                       urgency="high", responders=people[:2], ack_after=120, resolve_after=900)
            inc = _detach(b.pd["incidents"])
            inc.pop("_t", None)
            b.next_incident_number += 1
            inc["incident_number"] = b.next_incident_number
            ops.append({"op": "add_incident", "incident": inc})
        steps.append(ops)
    return steps
