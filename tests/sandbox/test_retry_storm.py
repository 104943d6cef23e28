"""The retry-storm world: a shared HTTP client upgrade brings default retries, a slow label vendor, a shallow readiness."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_retry_storm_story() -> None:
    world, truth = load_world("retry-storm")
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

    # The trigger: picking-api moves to quay-http 4 and drops Inkpost's explicit 3s read timeout, the day before.
    trigger = one("trigger")
    assert trigger["repo"] == "quayside/picking-api"
    files = {f["filename"]: f["patch"] for f in trigger["files"]}
    assert '-quay-http = "3.9.1"' in files["gradle/libs.versions.toml"]
    assert '+quay-http = "4.2.0"' in files["gradle/libs.versions.toml"]
    inkpost = files["src/main/kotlin/com/quayside/picking/labels/InkpostClient.kt"]
    assert "-        readTimeout = Duration.ofSeconds(3)" in inkpost
    assert "readTimeout" not in "".join(x for x in inkpost.splitlines() if x.startswith("+") and "//" not in x)
    assert "retryPolicy" not in inkpost and "callTimeout" not in inkpost
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]]
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 12 * 3600 < epoch(impact) - epoch(deploy["timestamp"]) < DAY
    # The library made the standard retries and the 10s call timeout the default months before.
    lib = next(p for p in pulls if p["repo"] == "quayside/quay-http" and p["title"].startswith("4.0.0:"))
    policy = next(f["patch"] for f in lib["files"] if f["filename"].endswith("RetryPolicy.kt"))
    assert "-        val DEFAULT = NONE" in policy and "+        val DEFAULT = STANDARD" in policy
    assert "Backoff.fixed(250.milliseconds)" in policy
    assert lib["merged_at"] < iso(epoch(impact) - 60 * DAY)
    # Weeks earlier, in the same repo: readiness without downstreams, a calmer probe and uptime synthetic.
    weak = one("detection_weakened")
    assert weak["repo"] == "quayside/picking-api"
    wf = {f["filename"]: f["patch"] for f in weak["files"]}
    health = wf["src/main/resources/application.yml"]
    assert "-          include: readinessState, db, redis, locationService, inkpost" in health
    assert "+          include: readinessState, ping" in health
    assert "-  failureThreshold: 3" in wf["charts/picking-api/values.yaml"]
    assert "+  failureThreshold: 10" in wf["charts/picking-api/values.yaml"]
    assert "+    min_location_failed  = 2" in wf["ops/datadog/synthetics.tf"]
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    uptime = [i for i in incidents if i["title"] == "[picking-api] Uptime: /actuator/health/readiness failing"]
    noisy = [i for i in uptime if i["created_at"] < weak["created_at"]]
    assert len(noisy) == 7 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] in ("05", "06", "07") for i in noisy)  # 01:00-03:30 ET, re-slotting
    assert all("locationService" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in uptime if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the autoscaler capped at 6 replicas for cost, between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "quayside/k8s-apps"
    overlay = next(f["patch"] for f in contrib["files"] if f["filename"].startswith("apps/picking-api/"))
    assert "-  maxReplicas: 16" in overlay and "+  maxReplicas: 6" in overlay
    assert "tomcat_threads_busy_ratio" in overlay
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    touching = [p for p in pulls if any(f["filename"].startswith("apps/picking-api/") for f in p["files"])]
    assert [p for p in touching if p["created_at"] < contrib["created_at"]] == []
    # Early signals: a low-urgency latency incident nobody acked, the Floor Pulse report; neither paged anyone.
    low = one("early_signal", "pagerduty")
    assert low["urgency"] == "low" and low["service"] == page["service"]
    assert impact < low["created_at"] < iso(epoch(impact) + 1800)
    assert all(e["type"] not in ("notify_log_entry", "acknowledge_log_entry") for e in low["log_entries"])
    routine = [i for i in incidents if i["title"] == low["title"] and i["created_at"] < trigger["created_at"]]
    assert len(routine) >= 5 and all(i["urgency"] == "low" for i in routine)
    pulse = one("early_signal", "slack")
    assert _channel_name(world, pulse["channel"]) == "dc-shift-reports" and pulse["user"] in bots
    assert "CMH1: UPH 49 (4-wk avg 128)" in pulse["text"] and "confirm-pick p50 12.4s" in pulse["text"]
    assert epoch(impact) < float(pulse["ts"]) < epoch(page["created_at"])
    reports = [m for m in messages if m["channel"] == pulse["channel"] and m["ts"] < pulse["ts"]]
    assert len(reports) > 150

    def uph(m: dict[str, Any]) -> int:
        return int(m["text"].split("CMH1: UPH ", 1)[1].split(" ")[0])

    assert all(uph(m) > 110 for m in reports)
    # Nothing in the threads or autoscaler feeds before the impact; the vendor's status note just before it.
    assert not [m for m in messages if "ScalingLimited" in m["text"] and float(m["ts"]) < epoch(impact)]
    assert not [m for m in messages if "tomcat.threads.busy" in m["text"] and float(m["ts"]) < epoch(impact)]
    status = [m for m in messages if "Increased latency on Label API" in m["text"]
              and iso(float(m["ts"]))[:10] == impact[:10]]
    assert status and min(float(m["ts"]) for m in status) < epoch(impact)
    # Customer reports: a zone lead in #dc-ops twenty minutes in, the missed UPS pickup; the page by hand.
    freeze, missed = sorted((objects[(i["source"], i["native_id"])] for i in _must(truth, "customer_report")),
                            key=lambda m: m["ts"])
    assert _channel_name(world, freeze["channel"]) == "dc-ops" and freeze["user"] not in bots
    assert "Confirm pick" in freeze["text"] and epoch(impact) < float(freeze["ts"]) < epoch(impact) + 3600
    assert _channel_name(world, missed["channel"]) == "carrier-ops" and "UPS trailer left" in missed["text"]
    assert 0 < epoch(page["created_at"]) - float(missed["ts"]) < 3600
    assert _service_name(world, page["service"]) == "picking-api" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 6 * 3600 < epoch(page["created_at"]) - epoch(impact) < 7 * 3600
    # The incident channel rules out the printer firmware, the Wi-Fi, the vendor and the UPS retry change, then ties
    # it to the upgrade, names the readiness PR and the autoscaler cap.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("V84.20.23Z", "Wi-Fi", "status page",
                                                                              "retry change")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "no jitter" in tie["text"]
    assert any(f"picking-api PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix rolls forward after the page and the rollback; decoys around the trigger.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    fixed = next(f["patch"] for f in fix["files"] if f["filename"].endswith("InkpostClient.kt"))
    assert "+        .retryPolicy(RetryPolicy.NONE)" in fixed and "Idempotency-Key" in fixed
    rollback = next(e for e in world["pagerduty"]["change_events"] if e["summary"].startswith("Rollback picking-api"))
    assert page["created_at"] < rollback["timestamp"] < fix["merged_at"]
    firmware = next(p for p in pulls if p["title"].startswith("CMH1 pack stations: ZT411 firmware"))
    assert firmware["repo"] == "quayside/station-printers" and trigger["merged_at"] < firmware["merged_at"] < impact
    retry = next(p for p in pulls if p["title"].startswith("UPS manifest upload: retry"))
    assert retry["repo"] == "quayside/carrier-manifests" and retry["merged_at"][:10] == trigger["merged_at"][:10]
    bump = next(p for p in pulls if p["repo"] == "quayside/wms-core" and "quay-http" in p["title"])
    assert bump["merged_at"] < trigger["created_at"]
    near = [e for e in world["pagerduty"]["change_events"] if e["summary"].startswith("Deploy route-planner")
            and 0 < epoch(page["created_at"]) - epoch(e["timestamp"]) < 3600]
    assert near
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "auth-service" for i in others)
    assert impact.startswith("2025-06-10T13") and page["created_at"].startswith("2025-06-10T20")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
