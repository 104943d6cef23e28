"""The push-overnight world: APNs token auth with the wrong team's key, a PagerDuty service with support hours."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
HOUR = 3600.0


def _hour(at: str) -> int:
    return int(at[11:13])


def test_push_overnight_story() -> None:
    world, truth = load_world("push-overnight")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]
    events = world["pagerduty"]["change_events"]
    messages = world["slack"]["messages"]

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    # The trigger: production APNs moves to token auth with the In-House team's key, merged in the evening.
    trigger = one("trigger")
    assert trigger["repo"] == "forkful/notify-gateway"
    prod = next(f["patch"] for f in trigger["files"] if f["filename"] == "config/production.yaml")
    assert "-    auth: certificate" in prod and "+    auth: token" in prod
    assert "+      team_id: 7ZK3WQ9M2D" in prod and "+      key_id: M4QX8J2TLK" in prod
    assert "-        cert: vault://secret/notify/apns/consumer-2024.p12" in prod
    assert "4HX8PDN62R" not in prod and _hour(trigger["merged_at"]) >= 17
    deploy = next(e for e in events if e["source"] == "ci-deploy"
                  and any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]] and deploy["custom_details"]["strategy"].startswith("canary")
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 1.5 * HOUR < epoch(impact) - epoch(deploy["timestamp"]) < 4 * HOUR
    sha7 = trigger["merge_commit_sha"][:7]
    promo = next(e for e in events if e["summary"] == f"Rollout notify-gateway@{sha7} promoted to 100%")
    assert promo["source"] == "argo-rollouts" and 0 < epoch(impact) - epoch(promo["timestamp"]) < 120
    # Weeks earlier, in pagerduty-terraform: notify-gateway gets support hours, low urgency outside 08:00-21:00.
    weak = one("detection_weakened")
    assert weak["repo"] == "forkful/pagerduty-terraform"
    [tf] = weak["files"]
    assert tf["filename"] == "services/notify_gateway.tf"
    assert '+    type = "use_support_hours"' in tf["patch"] and "+    outside_support_hours {" in tf["patch"]
    assert '-    urgency = "high"' in tf["patch"] and '+      urgency = "low"' in tf["patch"]
    assert '+    end_time     = "21:00:00"' in tf["patch"] and "scheduled_actions {" not in tf["patch"]
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    nudges = [i for i in incidents if i["title"] == "[notify-gateway] CronJob failed: reorder-nudges (02:00 run)"]
    noisy = [i for i in nudges if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(_hour(i["created_at"]) == 2 for i in noisy)
    assert sum(any(e["type"] == "notify_log_entry" for e in i["log_entries"]) for i in noisy) == len(noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    later = [i for i in nudges if i["created_at"] > weak["merged_at"]]
    assert len(later) >= 3 and all(i["urgency"] == "low" for i in later)
    assert all(e["type"] != "notify_log_entry" for i in later for e in i["log_entries"])
    # After the rule no notify-gateway alert pages at night until the follow-up; it still pages by day.
    own = [i for i in incidents if i["service"] == page["service"] and i["alerts"]
           and weak["merged_at"] < i["created_at"] < page["created_at"]]
    assert own and all(i["urgency"] == "low" for i in own if not 8 <= _hour(i["created_at"]) < 21)
    # The contributor: the SMS fallback for rejected order pushes is removed, before the trigger.
    contrib = one("contributor")
    assert contrib["repo"] == trigger["repo"] and contrib["merged_at"] < weak["merged_at"]
    assert any(f["status"] == "removed" and f["filename"] == "internal/dispatch/fallback.go" for f in contrib["files"])
    assert "-  sms_fallback:" in next(f["patch"] for f in contrib["files"] if f["filename"] == "config/production.yaml")
    assert epoch(page["created_at"]) - epoch(contrib["merged_at"]) < 42 * DAY
    # Early signals: Push Pulse, the low-urgency APNs alert outside support hours, an employee in #random.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"push-stats", "random"}
    pulse = by_channel["push-stats"]
    assert pulse["user"] in bots and "403 InvalidProviderToken" in pulse["text"]
    assert "Android" in pulse["text"] and epoch(impact) < float(pulse["ts"]) < epoch(impact) + HOUR
    stats = [m for m in messages if m["channel"] == pulse["channel"] and "Push Pulse" in m["text"]]
    assert len(stats) > 500 and not [m for m in stats if m["ts"] < pulse["ts"] and "InvalidProviderToken" in m["text"]]
    remark = by_channel["random"]
    assert remark["user"] not in bots and "iphone" in remark["text"] and float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert _hour(low["created_at"]) >= 21 and "APNs rejections" in low["title"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    assert low["resolved_at"] > page["created_at"]
    daytime = [i for i in incidents if i["title"] == low["title"] and i["created_at"] < weak["merged_at"]]
    assert daytime and all(i["urgency"] == "high" for i in daytime)
    # Customer experience escalates in the morning and pages notify-gateway by hand, eleven and a half hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "cx-escalations" and report["user"] not in bots
    assert "iPhone" in report["text"] and 0 < epoch(page["created_at"]) - float(report["ts"]) < HOUR
    night = [m for m in messages if m["channel"] == report["channel"] and epoch(impact) < float(m["ts"])
             and m["ts"] < report["ts"] and "iPhone" in m["text"]]
    assert night
    assert _service_name(world, page["service"]) == "notify-gateway" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 10 * HOUR < epoch(page["created_at"]) - epoch(impact) < 13 * HOUR
    # The incident channel rules out the app release, quiet hours, Apple's notice and the cert, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in
                ("8.14.0", "quiet hours", "mainland China", "track.forkful.com")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "7ZK3WQ9M2D" in tie["text"]
    assert any(f"pagerduty-terraform PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix: production back on the certificate, after the page, deployed without the canary.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "+    auth: certificate" in fix["files"][0]["patch"] and "-      team_id: 7ZK3WQ9M2D" in fix["files"][0]["patch"]
    fdep = next(e for e in events if any(link["href"].endswith(f"/pull/{fix['number']}") for link in e["links"]))
    assert fdep["custom_details"]["strategy"] == "canary skipped" and fdep["timestamp"] < low["resolved_at"]
    after = [m for m in stats if float(m["ts"]) > epoch(fdep["timestamp"]) + 2 * HOUR]
    assert after and not any("InvalidProviderToken" in m["text"] for m in after)
    follow = next(p for p in pulls if p["repo"] == weak["repo"] and p["created_at"] > page["created_at"]
                  and "high urgency at all hours" in p["title"])
    assert "-    type = \"use_support_hours\"" in follow["files"][0]["patch"]
    # Red herrings: the iOS release the same day, quiet hours and an FCM change on notify-gateway, Apple's notice,
    # a certificate renewal the same evening, another team's page during the night.
    day = impact[:10]
    release = next(p for p in pulls if p["title"] == "Release 8.14.0 (2291)")
    assert release["repo"] == "forkful/ios-consumer" and release["merged_at"] < impact
    assert any("8.14.0" in m["text"] and m["text"].startswith(":iphone:") and m["user"] in bots
               and 0 < epoch(impact) - float(m["ts"]) < 6 * HOUR for m in messages)
    quiet = next(p for p in pulls if p["title"].startswith("Marketing pushes: quiet hours"))
    fcm = next(p for p in pulls if p["title"].startswith("FCM: one HTTP/2 connection"))
    assert quiet["repo"] == fcm["repo"] == trigger["repo"]
    assert quiet["merged_at"] < fcm["merged_at"] < trigger["merged_at"] and fcm["merged_at"][:10] == day
    assert any("mainland China" in m["text"] and m["user"] in bots and 0 < epoch(impact) - float(m["ts"]) < 2 * HOUR
               for m in messages)
    cert = next(e for e in events if "*.track.forkful.com" in e["summary"])
    assert cert["timestamp"][:10] == day and cert["service_ids"] != [page["service"]]
    others = [i for i in incidents if i["service"] != page["service"] and i["urgency"] == "high"
              and deploy["timestamp"] < i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "checkout-api" for i in others)
    assert impact.startswith("2025-02-12T21") and page["created_at"].startswith("2025-02-13T08")
    assert 9 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
