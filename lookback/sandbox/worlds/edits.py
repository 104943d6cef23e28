"""Edit steps for a built world (new PRs, replies, edits, deletions, incidents) and the pure `apply_edit`."""

from __future__ import annotations

import copy
from typing import Any

from lookback.sandbox.edits import EditError, apply_step
from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso

DAY = 86_400.0
__all__ = ["EditError", "apply_edit", "make_edits"]


def apply_edit(world: dict[str, Any], step: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a copy of `world` with one edit step applied (the input is left untouched)."""
    out = copy.deepcopy(world)
    apply_step(out, step)
    return out


def _detach(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Builders append to the world's lists; an edit object must live only in the edit step."""
    return items.pop()


def make_edits(b: WorldBuilder, world: dict[str, Any], channels: list[str], service: str,
               people: list[str], repo: str, *, titles: tuple[str, str] | None = None,
               doc: tuple[str, str] | None = None, doc_path: str = "docs/rotation-{n}.md",
               test_fire: str | None = None) -> list[list[dict[str, Any]]]:
    """Two edit steps after the world's end: new and updated PRs, messages, replies, edits, deletions,
    a resolved incident and a new one. `titles` (the two new PRs), `doc` (heading and line of the doc they add,
    at `doc_path`) and `test_fire` (the new incident's title) default to the seed's words."""
    rng = b.rng
    titles = titles or ("Document the daily collection rotation",
                        "Alert when a daily collection is missing from the read alias")
    heading, line = doc or ("Daily collections", "Created two days ahead at 03:00 UTC.")
    test_fire = test_fire or "Read alias check: daily collection missing from alias (test fire)"
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
        title = titles[step_no]
        b.pull(repo, who, title, "Follow-up from the incident review.", t0, merged=t0 + 7200 if step_no == 0 else None,
               files=[{"filename": doc_path.format(n=step_no), "status": "added", "additions": 20, "deletions": 0,
                       "patch": f"@@ -0,0 +1,2 @@\n+# {heading}\n+{line}"}],
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
            # An old thread: any top-level message but the world's very last one.
            parents = [m for m in mine if m["thread_ts"] is None and float(m["ts"]) < end - 3600]
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
            b.incident(service, test_fire, t0 + 1200,
                       urgency="high", responders=people[:2], ack_after=120, resolve_after=900)
            inc = _detach(b.pd["incidents"])
            inc.pop("_t", None)
            b.next_incident_number += 1
            inc["incident_number"] = b.next_incident_number
            ops.append({"op": "add_incident", "incident": inc})
        steps.append(ops)
    return steps
