"""The ota-rollout world: a newly signed firmware build that old bootloaders reject, a check-in alert that waits 6h."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_ota_rollout_story() -> None:
    world, truth = load_world("ota-rollout")
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

    # The trigger: rollout-rings puts the newly signed halo-fw 5.2.0 on ring 3, H2 included, hours before the impact.
    trigger = one("trigger")
    assert trigger["repo"] == "hearthly/rollout-rings"
    ring = next(f["patch"] for f in trigger["files"] if f["filename"] == "rings/halo-fw.yaml")
    assert "-    build: 5.1.4+b4302" in ring and "+    build: 5.2.0+b4417" in ring
    assert "hw_revs: [H2, H3, H4]" in ring and "retry_failed: true" in ring
    assert "fw-sign-2024b" in trigger["body"]
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["source"] == "ci-deploy" and e["timestamp"] < page["created_at"])
    assert _service_name(world, deploy["service_ids"][0]) == "ota-service" == _service_name(world, page["service"])
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 6 * 3600 < epoch(page["created_at"]) - epoch(trigger["merged_at"]) < 1.5 * DAY
    # Weeks earlier, in the fleet-health repo: the check-in alert waits 6h below 90% of a 7-day baseline.
    weak = one("detection_weakened")
    assert weak["repo"] == "hearthly/fleet-health"
    rule = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/checkins.yaml")
    assert "-        for: 15m" in rule and "+        for: 6h" in rule
    assert "< 0.97" in rule and "< 0.90" in rule and "[7d]" in rule
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    checkins = [i for i in incidents if i["title"].startswith("[fleet-connectivity] FleetCheckinsBelowExpected")]
    noisy = [i for i in checkins if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" for i in noisy)
    assert {_service_name(world, i["service"]) for i in noisy} == {"fleet-connectivity"}
    assert any("Northway" in i["alerts"][0]["summary"] for i in noisy)
    assert any("DST" in i["alerts"][0]["summary"] for i in noisy)
    assert [i for i in checkins if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the preflight's bootloader check made advisory, between the two, in the OTA service.
    contrib = one("contributor")
    assert contrib["repo"] == "hearthly/ota-service"
    compat = next(f["patch"] for f in contrib["files"] if f["filename"] == "internal/preflight/compat.go")
    removed = [x for x in compat.splitlines() if x.startswith("-")]
    added = [x for x in compat.splitlines() if x.startswith("+")]
    assert any("Severity: SeverityBlocking," in x for x in removed)
    assert any("Severity: SeverityAdvisory," in x for x in added)
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: the controller's verification failures, a low-urgency alert, an employee's thermostat.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"fleet-events", "eng-help"}
    bot = by_channel["fleet-events"]
    assert bot["user"] in bots and "SIG_UNTRUSTED_KEY" in bot["text"] and "H2" in bot["text"]
    assert epoch(impact) < float(bot["ts"]) < epoch(page["created_at"])
    events = [m for m in messages if m["channel"] == bot["channel"]]
    assert not [m for m in events if "SIG_UNTRUSTED_KEY" in m["text"] and m["ts"] < bot["ts"]]
    pulse = [m for m in events if "Fleet Pulse" in m["text"] and epoch(impact) < float(m["ts"]) < epoch(page["created_at"])]
    assert pulse and all("FleetCheckinsBelowExpected: OK" in m["text"] for m in pulse)
    remark = by_channel["eng-help"]
    assert remark["user"] not in bots and "Update failed" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "SIG_UNTRUSTED_KEY" in low["alerts"][0]["summary"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # Customer support escalates and pages Firmware by hand, twenty-two hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert 0 < epoch(page["created_at"]) - float(report["ts"]) < 3600
    assert page["urgency"] == "high" and page["log_entries"][0]["channel"]["type"] == "web_trigger"
    assert not page["alerts"] and sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 12 * 3600 < epoch(page["created_at"]) - epoch(impact) < DAY
    # The incident channel rules out the ISP, the app release and hub-fw, then ties it to the ring 3 promotion.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("Northway", "app 8.3", "hub-fw 3.4.2")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "fw-sign-2024b" in tie["text"]
    assert any(f"fleet-health PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix keeps H2 on 5.1.4 after the page; red herrings merged or released the same day.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    fixed = next(f["patch"] for f in fix["files"] if f["filename"] == "rings/halo-fw.yaml")
    assert "+    hw_revs: [H3, H4]" in fixed and "+    retry_failed: false" in fixed
    hub = next(p for p in pulls if p["title"] == "Promote hub-fw 3.4.2 to ring 3")
    assert hub["repo"] == trigger["repo"] and hub["merged_at"][:10] == impact[:10]
    assert hub["merged_at"] < trigger["merged_at"]
    app = next(p for p in pulls if p["title"].startswith("Schedules: sync edits through the v3"))
    assert app["repo"] == "hearthly/mobile-app" and app["merged_at"] < impact
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "k8s-cluster" for i in others)
    assert impact.startswith("2024-12-09") and page["created_at"].startswith("2024-12-10T13")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
