"""The flag-fallback world: a flag ramps a dispatch engine to Auckland, a client that swallows the model's 5xx."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
HOUR = 3600.0


def test_flag_fallback_story() -> None:
    world, truth = load_world("flag-fallback")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]
    messages = world["slack"]["messages"]

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    # The trigger: the flagd flag puts Auckland on engine v2, published minutes before the impact.
    trigger = one("trigger")
    assert trigger["repo"] == "forkline/feature-flags"
    [flag] = trigger["files"]
    assert flag["filename"] == "flags/dispatch.flagd.json"
    assert '-          { "in": [{ "var": "region" }, ["cbr"]] },' in flag["patch"]
    assert '+          { "in": [{ "var": "region" }, ["cbr", "akl"]] },' in flag["patch"]
    publish = next(e for e in world["pagerduty"]["change_events"]
                   if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert _service_name(world, publish["service_ids"][0]) == "flagd" and publish["source"] == "flags-publish"
    assert trigger["merged_at"] < publish["timestamp"] < impact
    assert 0 < epoch(impact) - epoch(publish["timestamp"]) < 900
    # Before it, only the Canberra pilot touched the engine flag.
    engine = [p for p in pulls if any('"dispatch-engine-v2"' in f["patch"] for f in p["files"])]
    before = [p for p in engine if p["created_at"] < trigger["created_at"]]
    assert [p["title"] for p in before] == ["dispatch-engine-v2: Canberra pilot at 100% (DSP-1140)"]
    # Weeks earlier, in the dispatch code: kitchen-eta 5xx are swallowed, logged at debug, answered with a 200.
    weak = one("detection_weakened")
    assert weak["repo"] == "forkline/dispatch"
    files = {f["filename"]: f["patch"] for f in weak["files"]}
    client = files["dispatch/clients/kitchen_eta.py"]
    assert "+        except (KitchenEtaError, httpx.TimeoutException) as exc:" in client
    assert "+            log.debug(" in client and 'source="fallback"' in client
    assert '-        return JSONResponse({"error": "prep_estimate_unavailable"}, status_code=503)' in \
        files["dispatch/api/assign.py"]
    assert "+    FALLBACK_PREP_MINUTES: float = 25.0" in files["dispatch/settings.py"]
    assert 21 * DAY <= epoch(page["created_at"]) - epoch(weak["merged_at"]) <= 42 * DAY
    fivexx = [i for i in incidents if i["title"] == "[dispatch-svc] HTTP 5xx above 2% (5m)"]
    noisy = [i for i in fivexx if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("kitchen-eta 503" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in fivexx if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the prep-estimate cache keeps everything, fallbacks included, for 20 minutes.
    contrib = one("contributor")
    assert contrib["repo"] == "forkline/dispatch"
    cache = next(f["patch"] for f in contrib["files"] if f["filename"] == "dispatch/prep_cache.py")
    assert "-PREP_CACHE_TTL_S = 120" in cache and "+PREP_CACHE_TTL_S = 1200" in cache
    assert "     cache.set(key, est.to_json(), ttl=PREP_CACHE_TTL_S)" in cache
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: Pulse's lunch flash and a low-urgency awaiting-courier incident; kitchen-eta's Sentry too.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"marketplace-metrics"}
    pulse = by_channel["marketplace-metrics"]
    assert pulse["user"] in bots and "*akl 33.9%* :rotating_light:" in pulse["text"] and "NZ lunch" in pulse["text"]
    assert epoch(impact) < float(pulse["ts"]) < epoch(page["created_at"]) - 4 * HOUR
    flashes = [m for m in messages if m["channel"] == pulse["channel"] and m["user"] == pulse["user"]]
    earlier = [m for m in flashes if m["ts"] < pulse["ts"] and "NZ " in m["text"]]
    assert len(earlier) > 150 and not [m for m in earlier if "akl" in m["text"].split(":rotating_light:")[0]
                                       and ":rotating_light:" in m["text"]]
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and "(akl, 30m)" in low["title"]
    assert impact < low["created_at"] < page["created_at"]
    assert all(e["type"] not in ("notify_log_entry", "acknowledge_log_entry") for e in low["log_entries"])
    sentry = [m for m in messages if "ValueError: placed_at" in m["text"] and m["user"] in bots]
    assert sentry and all(_channel_name(world, m["channel"]) == "kitchen-eta-alerts" for m in sentry)
    assert min(float(m["ts"]) for m in sentry) > epoch(publish["timestamp"])
    # Restaurant partners at lunch, then the Auckland city ops manager at dinner, who pages Dispatch by hand.
    reports = sorted((objects[(i["source"], i["native_id"])] for i in _must(truth, "customer_report")),
                     key=lambda m: m["ts"])
    assert [_channel_name(world, m["channel"]) for m in reports] == ["partner-support", "dispatch-eng"]
    assert all(m["user"] not in bots for m in reports)
    assert reports[0]["ts"] < pulse["ts"] and "on the pass" in reports[0]["text"]
    assert 0 < epoch(page["created_at"]) - float(reports[1]["ts"]) < 3600
    assert _service_name(world, page["service"]) == "dispatch-svc" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 6 * HOUR < epoch(page["created_at"]) - epoch(impact) < 10 * HOUR
    # The incident channel rolls back an innocent deploy, rules out the rounding flag and the retrain, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("rolling it back", "eta-display-rounding",
                                                                              "retrained model")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "engine v2" in tie["text"]
    assert any(f"dispatch PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] and "cached" in m["text"] for m in chat)
    # The fix takes Auckland back to v1 after the page; code and alert follow-ups later.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert '+          { "in": [{ "var": "region" }, ["cbr"]] },' in fix["files"][0]["patch"]
    code_fix = next(p for p in pulls if p["title"].startswith("engine v2: localise naive partner timestamps"))
    assert code_fix["repo"] == weak["repo"] and code_fix["merged_at"] > fix["merged_at"]
    # Decoys: another flag ramped in Auckland after the impact began, a flag ramped in Melbourne, a batching radius in
    # Perth, a model retrain, an innocent dispatch-svc deploy 24 minutes before the page, other teams' pages that day.
    rounding = next(p for p in pulls if p["title"].startswith("eta-display-rounding: akl"))
    assert rounding["repo"] == trigger["repo"] and impact < rounding["merged_at"] < page["created_at"]
    applepay = next(p for p in pulls if p["title"] == "checkout-apple-pay-express: mel 100%")
    assert trigger["merged_at"] < applepay["merged_at"] < page["created_at"]
    radius = next(p for p in pulls if p["title"].startswith("dispatch-offer-batching: per"))
    assert radius["files"][0]["filename"] == flag["filename"] and radius["merged_at"] < trigger["merged_at"]
    model = next(p for p in pulls if p["title"].startswith("prep-gbm: retrain"))
    assert model["repo"] == "forkline/kitchen-eta" and model["merged_at"] < trigger["merged_at"]
    audit = next(p for p in pulls if p["title"].startswith("assign: structured audit log fields"))
    deploy = next(e for e in world["pagerduty"]["change_events"] if audit["merge_commit_sha"][:7] in e["summary"])
    assert deploy["service_ids"] == [page["service"]]
    assert 0 < epoch(page["created_at"]) - epoch(deploy["timestamp"]) < 1800
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert len(others) >= 2
    assert impact.startswith("2024-11-18T21") and page["created_at"].startswith("2024-11-19T06")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
