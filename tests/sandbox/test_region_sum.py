"""The region-sum world: a FinOps right-sizing caps a small region's lobby below its evening peak, the lobby alerts
page on a global sum, and a client reconnect storm finally trips the global login alert."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_region_sum_story() -> None:
    world, truth = load_world("region-sum")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]
    lobby = next(s["id"] for s in world["pagerduty"]["services"] if s["name"] == "lobby-gateway")

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    # The trigger: the FinOps right-sizing takes sa-east-1 from 4 x 3,200 to 3 x 2,400 sessions, applied that afternoon.
    trigger = one("trigger")
    assert trigger["repo"] == "gullwing/realm-config" and "FINOPS-112" in trigger["title"]
    files = {f["filename"]: f["patch"] for f in trigger["files"]}
    assert set(files) == {"regions/sa-east-1.yaml", "regions/eu-central-1.yaml", "regions/na-west-2.yaml"}
    sa = files["regions/sa-east-1.yaml"]
    assert "-  shards: 4" in sa and "+  shards: 3" in sa
    assert "-  session_cap_per_shard: 3200" in sa and "+  session_cap_per_shard: 2400" in sa
    assert "2x the 30-day average" in trigger["title"]
    assert any("Carnaval" in c["body"] for c in trigger["review_comments"])
    apply = next(e for e in world["pagerduty"]["change_events"]
                 if any(link["href"].endswith(f"{trigger['repo']}/pull/{trigger['number']}") for link in e["links"]))
    assert apply["source"] == "realmsync" and apply["service_ids"] == [lobby]
    assert trigger["merged_at"] < apply["timestamp"] < impact
    assert 6 * 3600 < epoch(impact) - epoch(apply["timestamp"]) < 9 * 3600
    # Four weeks earlier: the lobby ratio alerts page on the global sum, after a carrier's night pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "gullwing/prom-rules"
    rules = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/realtime/lobby-gateway.yaml")
    removed = [x for x in rules.splitlines() if x.startswith("-")]
    added = [x for x in rules.splitlines() if x.startswith("+")]
    assert any("sum by (region) (rate(lobby_session_drops_total" in x for x in removed)
    assert any("sum(rate(lobby_session_drops_total" in x for x in added)
    assert any("sum by (region) (rate(lobby_admissions_total" in x for x in removed)
    assert any("severity: warning" in x for x in added) and not any("> 0.0" in x for x in removed)
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    drops = [i for i in incidents if i["title"].startswith("[lobby-gateway] LobbyDisconnectRateHigh")]
    noisy = [i for i in drops if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == lobby for i in noisy)
    assert all("Ondaverde" in i["alerts"][0]["summary"] and "sa-east-1" in i["title"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 3 * DAY
    assert [i for i in drops if i["created_at"] > weak["merged_at"]] == []
    # The contributor: client 4.12's fast reconnect, with a token refresh per attempt and no retry_after.
    contrib = one("contributor")
    assert contrib["repo"] == "gullwing/kitefall-client"
    conn = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("SessionConnector.cs"))
    assert "+                _token = await _auth.RefreshSessionTokenAsync(ct);" in conn
    assert any(x.startswith("-") and "ShardAtCapacity" in x for x in conn.splitlines())
    policy = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("ReconnectPolicy.cs"))
    assert "FromMilliseconds(500)" in policy and "Math.Pow(2, attempt)" in policy
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: a low-urgency region warning, the CCU bot's flat 7,200, the community manager; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"live-ccu", "community"}
    ccu = by_channel["live-ccu"]
    assert ccu["user"] in bots and ":warning: sa-east-1 7,200" in ccu["text"]
    assert epoch(impact) < float(ccu["ts"]) < epoch(page["created_at"])
    relay = by_channel["community"]
    assert relay["user"] not in bots and "E-4031" in relay["text"] and "Discord" in relay["text"]
    assert epoch(impact) < float(relay["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == lobby and impact < low["created_at"]
    assert "LobbyRegionDisconnectRate: sa-east-1" in low["title"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if "LobbyRegionDisconnectRate" in i["title"] and i["created_at"] < impact]
    assert len(routine) >= 6 and all(i["urgency"] == "low" and i["created_at"] > weak["merged_at"] for i in routine)
    # Player support escalates; the page comes by itself from account-api's global login alert, two days in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "player-support" and report["user"] not in bots
    assert "BR/AR/CL" in report["text"] and float(report["ts"]) < epoch(page["created_at"])
    assert _service_name(world, page["service"]) == "account-api" and page["urgency"] == "high" and page["alerts"]
    assert page["log_entries"][0]["channel"]["type"] == "api"
    assert any(e["type"] == "assign_log_entry" for e in page["log_entries"])
    assert "LoginSuccessRateLow" in page["title"]
    assert 40 * 3600 < epoch(page["created_at"]) - epoch(impact) < 56 * 3600
    # The incident channel rules out the hotfix, 4.13 and the carrier, then ties it to the trigger and the rules.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("2.31.4", "4.13", "Ondaverde")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "7,200" in tie["text"]
    assert any(f"prom-rules PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix restores the capacity after the page; decoys: other regions' realm-config changes, a FinOps Redis
    # downsize, the 4.13 rollout, an account-api deploy 22 minutes before the page, other teams' pages.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "+  session_cap_per_shard: 3200" in fix["files"][0]["patch"]
    hanami = next(p for p in pulls if p["title"].startswith("ap-northeast-1: session_cap_per_shard 3000 -> 3600"))
    assert hanami["repo"] == trigger["repo"] and hanami["merged_at"] < trigger["merged_at"]
    redis = next(p for p in pulls if p["title"].startswith("Leaderboard Redis eu-west-1"))
    assert "FINOPS-112" in redis["title"] and redis["repo"] != trigger["repo"] and redis["merged_at"] < impact
    hot = next(p for p in pulls if p["title"].startswith("Apple Sign-In"))
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"{hot['repo']}/pull/{hot['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]]
    assert 0 < epoch(page["created_at"]) - epoch(deploy["timestamp"]) < 3600
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] not in (page["service"], lobby) and i["urgency"] == "high"
              and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "storefront" for i in others)
    assert impact.startswith("2025-02-27T23") and page["created_at"].startswith("2025-03-01T23")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
