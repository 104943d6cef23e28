"""Worlds: every named world loads, keeps the APIs' invariants, has a consistent truth and clean edits."""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from lookback.sandbox.worlds import WORLD_NAMES, apply_edit, load_world
from lookback.sandbox.worlds.edits import EditError
from lookback.sandbox.worlds.validate import check_truth, check_world

ROLES = {"trigger", "detection_weakened", "contributor", "early_signal", "customer_report", "response", "fix", "context"}


@pytest.fixture(scope="module", params=WORLD_NAMES)
def built(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], dict[str, Any]]:
    world, truth = load_world(request.param)
    return request.param, world, truth


def test_at_least_two_generated_stories() -> None:
    assert "seed" in WORLD_NAMES
    assert len(WORLD_NAMES) >= 3


def test_world_is_valid(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, _ = built
    assert check_world(world) == []


def test_world_has_noise(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, _ = built
    assert len(world["github"]["pulls"]) >= 400
    assert len({p["repo"] for p in world["github"]["pulls"]}) >= 5
    assert len(world["slack"]["messages"]) >= 3000
    assert len(world["slack"]["channels"]) >= 10
    assert len(world["pagerduty"]["incidents"]) >= 80
    subtypes = {m["subtype"] for m in world["slack"]["messages"]}
    assert {"channel_join", "bot_message"} <= subtypes
    assert any(m["edited"] for m in world["slack"]["messages"])
    assert any(m["thread_ts"] for m in world["slack"]["messages"])
    assert any(p["user"] == "dependabot[bot]" for p in world["github"]["pulls"])
    assert any(p["title"].startswith("Revert ") for p in world["github"]["pulls"])


def test_same_people_across_sources(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, _ = built
    gh = {u["email"] for u in world["github"]["users"] if u["email"]}
    sl = {u["email"] for u in world["slack"]["users"] if u["email"]}
    pd = {u["email"] for u in world["pagerduty"]["users"]}
    assert len(gh & sl & pd) >= 5


def test_ts_format_and_threads(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, _ = built
    pattern = re.compile(r"^\d{10}\.\d{6}$")
    keys = [(m["channel"], m["ts"]) for m in world["slack"]["messages"]]
    assert len(keys) == len(set(keys))
    assert all(pattern.match(ts) for _, ts in keys)
    parents = set(keys)
    for m in world["slack"]["messages"]:
        if m["thread_ts"]:
            assert (m["channel"], m["thread_ts"]) in parents
            assert m["ts"] > m["thread_ts"]


def test_truth_items_exist(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, truth = built
    assert check_truth(world, truth) == []
    assert {i["role"] for i in truth["items"]} <= ROLES
    must = [i for i in truth["items"] if i["must_see"]]
    assert 8 <= len(must) <= 10
    roles = {i["role"] for i in must}
    assert {"trigger", "detection_weakened", "early_signal", "customer_report", "response", "fix"} <= roles
    assert truth["impact_start"].endswith("Z")


def test_truth_is_json(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, truth = built
    json.dumps(truth)
    json.dumps(world)


def test_deterministic(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    name, world, truth = built
    again, truth2 = load_world(name)
    assert truth2 == truth
    assert json.dumps(again, sort_keys=True) == json.dumps(world, sort_keys=True)


def test_edits_apply_cleanly_to_a_copy(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, truth = built
    before = json.dumps(world, sort_keys=True)
    steps = world["edits"]
    assert len(steps) >= 2
    ops = {op["op"] for step in steps for op in step}
    assert {"add_pull", "update_pull", "add_message", "edit_message", "delete_message",
            "update_incident", "add_incident"} <= ops
    current = world
    for step in steps:
        current = apply_edit(current, step)
        assert check_world(current) == []
    assert json.dumps(world, sort_keys=True) == before  # the input was not touched
    assert len(current["github"]["pulls"]) == len(world["github"]["pulls"]) + 2
    assert check_truth(current, truth) == []


def test_edit_reply_in_old_thread(built: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, world, _ = built
    last = max(m["ts"] for m in world["slack"]["messages"])
    replies = [op["message"] for step in world["edits"] for op in step
               if op["op"] == "add_message" and op["message"]["thread_ts"]]
    assert replies and all(r["thread_ts"] < last < r["ts"] for r in replies)


def test_apply_edit_rejects_missing_objects() -> None:
    world, _ = load_world("payments-pool")
    small = copy.deepcopy(world)
    with pytest.raises(EditError):
        apply_edit(small, [{"op": "delete_message", "channel": "CNOPE", "ts": "1600000000.000100"}])
    with pytest.raises(EditError):
        apply_edit(small, [{"op": "bogus"}])


def test_seed_story() -> None:
    world, truth = load_world("seed")
    pulls = {f"{p['repo']}#{p['number']}": p for p in world["github"]["pulls"]}
    by_role = {i["role"]: i for i in truth["items"] if i["must_see"]}
    pr22 = pulls[by_role["detection_weakened"]["native_id"]]
    pr23 = pulls[by_role["trigger"]["native_id"]]
    assert pr22["number"] == 22 and pr23["number"] == 23
    assert pr23["merged_at"].startswith("2022-12-04")
    assert any("update_read_alias = " in f["patch"] for f in pr23["files"])
    assert any("rules" in f["filename"] or "router" in f["filename"] for f in pr22["files"])
    page = next(i for i in world["pagerduty"]["incidents"] if i["id"] == truth["incident"]["id"])
    assert page["created_at"].startswith("2022-12-06T14:")
    assert page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger"
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    silent = [i for i in world["pagerduty"]["incidents"]
              if "2022-12-04" <= i["created_at"] < "2022-12-06T14" and i["service"] == page["service"]]
    assert silent and all(i["urgency"] == "low" for i in silent)
    assert all(e["type"] != "notify_log_entry" for i in silent for e in i["log_entries"])
    noisy = [i for i in world["pagerduty"]["incidents"]
             if "2022-11-23" <= i["created_at"] < "2022-12-01" and i["service"] == page["service"]]
    assert len(noisy) >= 8 and all(i["urgency"] == "high" for i in noisy)
    texts = {m["text"] for m in world["slack"]["messages"]}
    assert any("it's related to PR 23" in t for t in texts)
    assert any("search isn't returning a SKU I just added" in t for t in texts)


@pytest.mark.parametrize("name", ["seed", "cert-expiry"])
def test_scale_is_fast_and_big(name: str) -> None:
    t0 = time.perf_counter()
    world, truth = load_world(name, scale=10)
    elapsed = time.perf_counter() - t0
    assert len(world["slack"]["messages"]) >= 40_000
    assert len(world["github"]["pulls"]) >= 4_500
    assert elapsed < 10
    assert check_truth(world, truth) == []
    assert check_world(world) == []


def test_load_world_file(tmp_path: Path) -> None:
    world, truth = load_world("cert-expiry")
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(world))
    (tmp_path / "mine.truth.json").write_text(json.dumps(truth))
    w2, t2 = load_world(str(path))
    assert t2 == truth and w2["name"] == "cert-expiry"
    with pytest.raises(ValueError):
        load_world("no-such-world")
