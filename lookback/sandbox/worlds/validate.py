"""Invariants a world must keep to be served as the real APIs would: ids, ts, threads, ordering, truth."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lookback.sandbox.worlds.truth import ROLES

TS = re.compile(r"^\d{10}\.\d{6}$")
SHA = re.compile(r"^[0-9a-f]{40}$")
PD_ID = re.compile(r"^P[A-Z0-9]{6}$")
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")


def _dupes(values: list[Any]) -> list[Any]:
    return [v for v, n in Counter(values).items() if n > 1]


def check_world(world: dict[str, Any]) -> list[str]:
    """Every broken invariant of `world`, as readable lines (empty when the world is valid)."""
    errors: list[str] = []
    gh, sl, pd = world["github"], world["slack"], world["pagerduty"]
    logins = {u["login"] for u in gh["users"]}
    errors += [f"bad login {u['login']}" for u in gh["users"] if not LOGIN.match(u["login"])]
    repos = {f"{r['owner']}/{r['name']}" for r in gh["repos"]}
    errors += [f"duplicate repo id {i}" for i in _dupes([r["id"] for r in gh["repos"]])]
    pulls = gh["pulls"]
    errors += [f"duplicate PR {k}" for k in _dupes([(p["repo"], p["number"]) for p in pulls])]
    errors += [f"duplicate PR id {k}" for k in _dupes([p["id"] for p in pulls])]
    sub_ids = [x["id"] for p in pulls for key in ("reviews", "review_comments", "comments") for x in p[key]]
    errors += [f"duplicate comment/review id {k}" for k in _dupes(sub_ids)]
    by_repo: dict[str, list[dict[str, Any]]] = {}
    for p in pulls:
        by_repo.setdefault(p["repo"], []).append(p)
        if p["repo"] not in repos:
            errors.append(f"PR in unknown repo {p['repo']}")
        for sha in [p["head_sha"], p["merge_commit_sha"], *[c["sha"] for c in p["commits"]]]:
            if sha is not None and not SHA.match(sha):
                errors.append(f"bad sha {sha} in {p['repo']}#{p['number']}")
        people = [p["user"], p["merged_by"], *[x["user"] for k in ("reviews", "review_comments", "comments") for x in p[k]]]
        errors += [f"unknown login {u} in {p['repo']}#{p['number']}" for u in people if u and u not in logins]
        if p["merged_at"] and p["merged_at"] < p["created_at"]:
            errors.append(f"merged before created {p['repo']}#{p['number']}")
    for repo, items in by_repo.items():
        items = sorted(items, key=lambda p: p["number"])
        if [p["number"] for p in items] != list(range(1, len(items) + 1)):
            errors.append(f"PR numbers of {repo} are not 1..n")
        created = [p["created_at"] for p in items]
        if created != sorted(created):
            errors.append(f"PR numbers of {repo} do not follow creation time")
    ids = sorted(pulls, key=lambda p: p["id"])
    if [p["created_at"] for p in ids] != sorted(p["created_at"] for p in ids):
        errors.append("PR ids do not increase with creation time")

    users = {u["id"] for u in sl["users"]}
    channels = {c["id"] for c in sl["channels"]}
    errors += [f"duplicate slack id {k}" for k in _dupes([u["id"] for u in sl["users"]] + list(channels))]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for m in sl["messages"]:
        key = (m["channel"], m["ts"])
        if not TS.match(m["ts"]):
            errors.append(f"bad ts {m['ts']}")
        if key in seen:
            errors.append(f"duplicate message {key}")
        seen[key] = m
        if m["channel"] not in channels:
            errors.append(f"message in unknown channel {m['channel']}")
        if m["user"] not in users:
            errors.append(f"message by unknown user {m['user']}")
        if m.get("edited") and not TS.match(m["edited"]["ts"]):
            errors.append(f"bad edited ts in {key}")
    for (channel, ts), m in seen.items():
        parent_ts = m["thread_ts"]
        if parent_ts and parent_ts != ts:
            parent = seen.get((channel, parent_ts))
            if parent is None:
                errors.append(f"reply without parent {channel}/{ts}")
            elif parent["thread_ts"] not in (None, parent_ts):
                errors.append(f"reply to a reply {channel}/{ts}")
            elif ts <= parent_ts:
                errors.append(f"reply before parent {channel}/{ts}")

    all_pd: list[str] = []
    for kind in ("users", "teams", "escalation_policies", "services", "change_events"):
        all_pd += [x["id"] for x in pd[kind]]
    incidents = pd["incidents"]
    for inc in incidents:
        all_pd += [inc["id"], *[a["id"] for a in inc["alerts"]], *[n["id"] for n in inc["notes"]]]
        times = [e["created_at"] for e in inc["log_entries"]]
        if times != sorted(times):
            errors.append(f"log entries out of order in {inc['id']}")
        if inc["status"] == "resolved" and not inc["resolved_at"]:
            errors.append(f"resolved incident without resolved_at {inc['id']}")
    errors += [f"bad PagerDuty id {i}" for i in all_pd if not PD_ID.match(i)]
    log_ids = [e["id"] for inc in incidents for e in inc["log_entries"]]
    errors += [f"duplicate PagerDuty id {i}" for i in _dupes(all_pd + log_ids)]
    ordered = sorted(incidents, key=lambda i: i["incident_number"])
    if [i["created_at"] for i in ordered] != sorted(i["created_at"] for i in ordered):
        errors.append("incident numbers do not increase with time")
    errors += [f"duplicate incident number {n}" for n in _dupes([i["incident_number"] for i in incidents])]
    return errors


def object_ids(world: dict[str, Any]) -> dict[str, set[str]]:
    """Native ids (CONTRACTS §1) of the PRs, messages and PagerDuty objects of a world, by source."""
    pd = world["pagerduty"]
    pd_ids = {x["id"] for x in pd["change_events"]}
    for inc in pd["incidents"]:
        pd_ids |= {inc["id"], *[x["id"] for k in ("log_entries", "alerts", "notes") for x in inc[k]]}
    return {
        "github": {f"{p['repo']}#{p['number']}" for p in world["github"]["pulls"]},
        "slack": {f"{m['channel']}/{m['ts']}" for m in world["slack"]["messages"]},
        "pagerduty": pd_ids,
    }


def check_truth(world: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """Truth items that do not exist in the world, bad roles, or an incident that is not there."""
    errors: list[str] = []
    ids = object_ids(world)
    inc = next((i for i in world["pagerduty"]["incidents"] if i["id"] == truth["incident"]["id"]), None)
    if inc is None or inc["incident_number"] != truth["incident"]["number"]:
        errors.append(f"truth incident {truth['incident']} not in world")
    for item in truth["items"]:
        if item["role"] not in ROLES:
            errors.append(f"bad role {item['role']}")
        if item["native_id"] not in ids.get(item["source"], set()):
            errors.append(f"truth item missing from world: {item['source']} {item['native_id']}")
    return errors
