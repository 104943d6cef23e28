"""Helpers for tests that run the sandbox: a tiny world and a factory that stops what it starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start


def tiny_world() -> dict[str, Any]:
    """A minimal world in the CONTRACTS §5 shape: one PR, two messages, one incident, one edit step."""
    return {
        "name": "tiny",
        "github": {
            "users": [{"id": 1, "login": "ana", "name": "Ana", "email": "ana@shop.example", "type": "User"}],
            "orgs": [{"id": 100, "login": "shop"}],
            "repos": [
                {"id": 1001, "owner": "shop", "name": "search-tools", "private": False, "archived": False,
                 "default_branch": "main", "description": "tools", "created_at": "2020-01-01T00:00:00Z"}
            ],
            "pulls": [
                {"repo": "shop/search-tools", "number": 23, "id": 5001, "node_id": "PR_5001", "title": "Alias fix",
                 "body": "", "user": "ana", "state": "open", "draft": False, "created_at": "2022-12-04T10:00:00Z",
                 "updated_at": "2022-12-04T10:00:00Z", "closed_at": None, "merged_at": None, "merged_by": None,
                 "merge_commit_sha": None, "base": "main", "head": "fix-alias", "head_sha": "a" * 40,
                 "labels": [], "files": [], "reviews": [], "review_comments": [], "comments": [], "commits": []}
            ],
        },
        "slack": {
            "team": {"id": "T0001", "name": "Shop", "domain": "shop"},
            "users": [{"id": "U001", "name": "ana", "real_name": "Ana", "email": "ana@shop.example",
                       "is_bot": False, "deleted": False, "tz": "UTC", "updated": 1669000000}],
            "channels": [{"id": "C001", "name": "search-team", "is_private": False, "is_member": True,
                          "is_archived": False, "created": 1600000000, "creator": "U001", "topic": "", "purpose": ""}],
            "messages": [
                {"channel": "C001", "ts": "1670338200.000100", "user": "U001", "text": "deploying",
                 "thread_ts": None, "subtype": None, "bot_id": None, "edited": None},
                {"channel": "C001", "ts": "1670338300.000200", "user": "U001", "text": "oops",
                 "thread_ts": None, "subtype": None, "bot_id": None, "edited": None},
            ],
        },
        "pagerduty": {
            "users": [{"id": "PUSR001", "name": "Ana", "email": "ana@shop.example", "time_zone": "UTC", "role": "user"}],
            "teams": [{"id": "PTEAM01", "name": "Search"}],
            "escalation_policies": [{"id": "PEP0001", "name": "Search on-call", "team_ids": ["PTEAM01"],
                                     "user_ids": ["PUSR001"]}],
            "services": [{"id": "PSVC001", "name": "search-api", "description": "", "status": "active",
                          "escalation_policy": "PEP0001", "team_ids": ["PTEAM01"],
                          "created_at": "2020-01-01T00:00:00Z"}],
            "incidents": [
                {"id": "PINC001", "incident_number": 1042, "title": "Search missing SKUs", "description": "",
                 "service": "PSVC001", "escalation_policy": "PEP0001", "status": "triggered", "urgency": "high",
                 "priority": None, "created_at": "2022-12-06T14:30:00Z", "resolved_at": None,
                 "incident_key": None, "assigned_to": ["PUSR001"], "team_ids": ["PTEAM01"],
                 "log_entries": [], "alerts": [], "notes": []}
            ],
            "change_events": [],
        },
        "edits": [
            [
                {"op": "update_pull", "repo": "shop/search-tools", "number": 23,
                 "set": {"state": "closed", "updated_at": "2022-12-07T09:00:00Z"}},
                {"op": "edit_message", "channel": "C001", "ts": "1670338200.000100", "text": "deployed",
                 "edited_ts": "1670338900.000000"},
                {"op": "delete_message", "channel": "C001", "ts": "1670338300.000200"},
                {"op": "update_incident", "id": "PINC001",
                 "set": {"status": "resolved", "resolved_at": "2022-12-06T18:00:00Z"},
                 "add_log_entries": [{"id": "RLOG009", "type": "resolve_log_entry",
                                      "created_at": "2022-12-06T18:00:00Z", "summary": "Resolved by Ana",
                                      "agent": {"type": "user_reference", "id": "PUSR001"},
                                      "channel": {"type": "web_ui"}, "user": "PUSR001"}]},
            ]
        ],
    }


class SandboxFactory:
    """Starts sandboxes on demand and stops all of them at `close()` (a fixture's teardown)."""

    def __init__(self) -> None:
        self._started: list[Sandbox] = []

    def __call__(
        self,
        world: dict[str, Any] | None = None,
        knobs: Knobs | None = None,
        routes: Mapping[str, Sequence[BaseRoute]] | None = None,
        **knob_changes: Any,
    ) -> Sandbox:
        """Start a sandbox over `world` (default: `tiny_world()`); extra keywords are knob changes."""
        if knob_changes:
            knobs = (knobs or Knobs()).updated(**knob_changes)
        sandbox = start(tiny_world() if world is None else world, knobs, routes=routes)
        self._started.append(sandbox)
        return sandbox

    def close(self) -> None:
        while self._started:
            self._started.pop().stop()
