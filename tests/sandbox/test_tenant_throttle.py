"""The tenant-throttle world: a limits refactor drops an enterprise tenant's contract rate limit, an SLI that ignores 429s."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_tenant_throttle_story() -> None:
    world, truth = load_world("tenant-throttle")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    # The trigger: the limits refactor deletes tenants.yaml, and the new overrides file has no contract rows.
    trigger = one("trigger")
    assert trigger["repo"] == "wayfix/gateway-limits"
    files = {f["filename"]: f for f in trigger["files"]}
    assert files["limits/tenants.yaml"]["status"] == "removed"
    assert "-ten_hollisfreight:   {plan: enterprise, rps: 2400" in files["limits/tenants.yaml"]["patch"]
    assert files["limits/overrides.yaml"]["status"] == "added"
    assert "hollisfreight" not in files["limits/overrides.yaml"]["patch"]
    assert "+  enterprise: {rps: 600,  burst: 1200}" in files["limits/plans.yaml"]["patch"]
    apply = next(e for e in world["pagerduty"]["change_events"]
                 if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                 and e["source"] == "limitsync")
    assert apply["service_ids"] == [page["service"]]
    assert trigger["merged_at"] < apply["timestamp"] < impact
    assert 3 * 3600 < epoch(impact) - epoch(apply["timestamp"]) < 6 * 3600
    # Weeks earlier, in the monitoring repo: the availability SLI stops counting 408/429, after a load test's pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "wayfix/slo-config"
    slo = next(f["patch"] for f in weak["files"] if f["filename"] == "slos/public-api.yaml")
    assert '-        error_query: sum(rate(gateway_requests_total{code=~"408|429|5.."}' in slo
    assert '+        error_query: sum(rate(gateway_requests_total{code=~"5.."}' in slo
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    assert epoch(page["created_at"]) - epoch(weak["merged_at"]) <= 42 * DAY
    burn = [i for i in incidents if i["title"].startswith("[public-api] PublicApiAvailabilityBurn")]
    noisy = [i for i in burn if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("ten_tarrow_trial" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in burn if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the JVM SDK retries 429s silently, merged between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "wayfix/wayfix-jvm"
    policy = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("RetryPolicy.kt"))
    assert "-        429 -> false" in policy and "+        429 -> attempt < maxThrottleAttempts" in policy
    assert "log.debug" in policy
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: a low-urgency throttle incident, the usage meter's drop, the account manager; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"usage-metering", "eng-help"}
    meter = by_channel["usage-metering"]
    assert meter["user"] in bots and "ten_hollisfreight" in meter["text"] and "-67%" in meter["text"]
    assert epoch(impact) < float(meter["ts"]) < epoch(page["created_at"])
    am = by_channel["eng-help"]
    assert am["user"] not in bots and "Hollis Freight" in am["text"]
    assert epoch(impact) < float(am["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "ten_hollisfreight" in low["title"] and "TenantThrottleRatio" in low["title"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if i["title"].startswith("[public-api] TenantThrottleRatio") and i is not low]
    assert len(routine) >= 10 and all(i["urgency"] == "low" and "hollis" not in i["title"] for i in routine)
    # The tenant reports in the shared channel; support pages API Platform by hand, almost four hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "ext-hollis-freight" and report["user"] not in bots
    assert "429" in report["text"] and float(report["ts"]) < epoch(page["created_at"])
    assert _service_name(world, page["service"]) == "public-api" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 3 * 3600 < epoch(page["created_at"]) - epoch(impact) < 5 * 3600
    # The incident channel rules out the Envoy upgrade, the TLS change and Pelgrim's key flood, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("envoy 1.32", "TLS 1.2", "pelgrim")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "2,400" in tie["text"]
    assert any(f"slo-config PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix restores the contract rows after the page; decoys merged and shipped in the day before the impact.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    restored = next(f["patch"] for f in fix["files"] if f["filename"] == "limits/overrides.yaml")
    assert "+ten_hollisfreight:   {plan: enterprise, rps: 2400" in restored
    envoy = next(p for p in pulls if p["title"] == "Envoy 1.31.5 -> 1.32.3")
    assert envoy["repo"] == "wayfix/api-gateway" and epoch(impact) - DAY < epoch(envoy["merged_at"]) < epoch(impact)
    tls = next(p for p in pulls if p["title"].startswith("Cloudflare api zone: minimum TLS 1.2"))
    assert trigger["merged_at"] < tls["merged_at"] < impact
    pelgrim = next(i for i in incidents if "ten_pelgrim" in i["title"])
    assert pelgrim["created_at"][:10] == impact[:10] and pelgrim["created_at"] < impact
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "auth-service" for i in others)
    assert impact.startswith("2025-03-11T13") and page["created_at"].startswith("2025-03-11T16")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
