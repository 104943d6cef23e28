"""Edit steps that change a world between two runs (CONTRACTS §5 `edits`), applied in place."""

from __future__ import annotations

import copy
from typing import Any


class EditError(ValueError):
    """An edit step names an op or an object the world does not have."""


def apply_step(world: dict[str, Any], step: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply every op of one step to `world`; return one summary dict per op (what changed)."""
    return [apply_op(world, op) for op in step]


def apply_op(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    name = op.get("op")
    handler = _OPS.get(name or "")
    if handler is None:
        raise EditError(f"unknown edit op: {name!r}")
    return handler(world, op)


def _pulls(world: dict[str, Any]) -> list[dict[str, Any]]:
    return world.setdefault("github", {}).setdefault("pulls", [])


def _messages(world: dict[str, Any]) -> list[dict[str, Any]]:
    return world.setdefault("slack", {}).setdefault("messages", [])


def _incidents(world: dict[str, Any]) -> list[dict[str, Any]]:
    return world.setdefault("pagerduty", {}).setdefault("incidents", [])


def _find(items: list[dict[str, Any]], what: str, **key: Any) -> dict[str, Any]:
    for item in items:
        if all(item.get(k) == v for k, v in key.items()):
            return item
    raise EditError(f"edit names a missing {what}: {key}")


def _add_pull(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    # Copies keep the edit list reusable: a later step must not see objects we mutated.
    pull = copy.deepcopy(op["pull"])
    if any(p["repo"] == pull["repo"] and p["number"] == pull["number"] for p in _pulls(world)):
        raise EditError(f"duplicate PR {pull['repo']}#{pull['number']}")
    _pulls(world).append(pull)
    return {"op": "add_pull", "repo": pull["repo"], "number": pull["number"]}


def _update_pull(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    pull = _find(_pulls(world), "pull", repo=op["repo"], number=op["number"])
    pull.update(copy.deepcopy(op.get("set", {})))
    return {"op": "update_pull", "repo": op["repo"], "number": op["number"], "fields": sorted(op.get("set", {}))}


def _add_message(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    message = copy.deepcopy(op["message"])
    messages = _messages(world)
    if any(m["channel"] == message["channel"] and m["ts"] == message["ts"] for m in messages):
        raise EditError(f"duplicate message {message['channel']}/{message['ts']}")
    if message.get("thread_ts"):
        _find(messages, "thread parent", channel=message["channel"], ts=message["thread_ts"])
    messages.append(message)
    return {"op": "add_message", "channel": message["channel"], "ts": message["ts"]}


def _edit_message(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    message = _find(_messages(world), "message", channel=op["channel"], ts=op["ts"])
    message["text"] = op["text"]
    # Slack records who edited and when; the author is the only one who can edit a message.
    message["edited"] = {"user": op.get("user", message.get("user")), "ts": op["edited_ts"]}
    return {"op": "edit_message", "channel": op["channel"], "ts": op["ts"]}


def _delete_message(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    messages = _messages(world)
    message = _find(messages, "message", channel=op["channel"], ts=op["ts"])
    messages.remove(message)
    return {"op": "delete_message", "channel": op["channel"], "ts": op["ts"]}


def _add_incident(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    incident = copy.deepcopy(op["incident"])
    _incidents(world).append(incident)
    return {"op": "add_incident", "id": incident["id"]}


def _update_incident(world: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    incident = _find(_incidents(world), "incident", id=op["id"])
    incident.update(copy.deepcopy(op.get("set", {})))
    added = copy.deepcopy(op.get("add_log_entries", []))
    incident.setdefault("log_entries", []).extend(added)
    return {
        "op": "update_incident",
        "id": op["id"],
        "fields": sorted(op.get("set", {})),
        "log_entries_added": [entry.get("id") for entry in added],
    }


_OPS: dict[str, Any] = {
    "add_pull": _add_pull,
    "update_pull": _update_pull,
    "add_message": _add_message,
    "edit_message": _edit_message,
    "delete_message": _delete_message,
    "add_incident": _add_incident,
    "update_incident": _update_incident,
}
