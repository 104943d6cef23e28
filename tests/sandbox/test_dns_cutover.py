"""The dns-cutover world: a zone move to Cloudflare drops the e-mail provider's DKIM selectors, DMARC is p=reject."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
HOUR = 3_600.0


def test_dns_cutover_story() -> None:
    world, truth = load_world("dns-cutover")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]
    events = world["pagerduty"]["change_events"]

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    def links_to(pull: dict[str, Any]) -> list[dict[str, Any]]:
        return [e for e in events if any(link["href"].endswith(f"/pull/{pull['number']}") and pull["repo"] in
                                         link["href"] for link in e["links"])]

    # The trigger: the octoDNS zone file has the mail records from Terraform but not Relaymark's DKIM selectors,
    # which the description lists as Postbeam leftovers; the same PR moves the delegation to Cloudflare.
    trigger = one("trigger")
    assert trigger["repo"] == "lanyardly/dns"
    files = {f["filename"]: f for f in trigger["files"]}
    zone = files["zones/lanyardly.com.yaml"]
    assert zone["status"] == "added" and "_domainkey" in zone["patch"]
    assert "rm1._domainkey" not in zone["patch"] and "google._domainkey" in zone["patch"]
    assert "p=reject" in zone["patch"] and "include:spf.rmtx.net" in zone["patch"]
    assert "| `rm1._domainkey` | CNAME | `rm1.lanyardly-com.dkim.rmtx.net.` |" in trigger["body"]
    ns = files["registrar/lanyardly_com.tf"]["patch"]
    assert '-    "ns-1187.awsdns-20.org",' in ns and '+    "kate.ns.cloudflare.com",' in ns
    applies = links_to(trigger)
    assert {e["source"] for e in applies} == {"octodns", "terraform"}
    delegation = next(e for e in applies if e["source"] == "terraform")
    assert _service_name(world, delegation["service_ids"][0]) == "public-dns"
    assert trigger["merged_at"] < delegation["timestamp"] < impact
    assert 0 < epoch(impact) - epoch(delegation["timestamp"]) < HOUR
    # Three weeks earlier, in the alerting repo: the bounce alert goes to the morning digest after Expoline's pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "lanyardly/alerting"
    rule = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/messaging/email.yaml")
    assert "alert: EmailBounceRateHigh" in rule
    assert "-          severity: page" in rule and "+          severity: digest" in rule
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    bounce = [i for i in incidents if "EmailBounceRateHigh" in i["title"]]
    noisy = [i for i in bounce if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("expoline-group" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in bounce if i["created_at"] > weak["merged_at"]] == []
    # The contributor: DMARC tightened to reject by Security, before all of it.
    contrib = one("contributor")
    assert contrib["repo"] == "lanyardly/infra"
    dmarc = contrib["files"][0]["patch"]
    assert "p=quarantine; pct=50" in dmarc and "+  records = [\"v=DMARC1; p=reject; pct=100" in dmarc
    assert contrib["merged_at"] < weak["merged_at"] < trigger["created_at"]
    sms = next(p for p in pulls if p["title"].startswith("Sign-in: remove the SMS one-time-code fallback"))
    assert weak["merged_at"] < sms["merged_at"] < trigger["created_at"]
    # Early signals: Relaymark's summary, the low-urgency click-through alert and the 08:00 digest; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"email-deliverability", "messaging-alerts"}
    summary = by_channel["email-deliverability"]
    assert summary["user"] in bots and "5.7.26" in summary["text"] and "bounced 26.7%" in summary["text"]
    assert epoch(impact) < float(summary["ts"]) < epoch(page["created_at"])
    feed = [m for m in world["slack"]["messages"] if m["channel"] == summary["channel"] and m["user"] == summary["user"]]
    assert not [m for m in feed if "5.7.26" in m["text"] and float(m["ts"]) < epoch(impact)]
    digest = by_channel["messaging-alerts"]
    assert digest["user"] in bots and "EmailBounceRateHigh *firing*" in digest["text"]
    assert epoch(page["created_at"]) - float(digest["ts"]) > 4 * HOUR
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "SigninLinkClickThroughLow" in low["title"] and low["resolved_at"] > page["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if "SigninLinkClickThroughLow" in i["title"] and i is not low]
    assert len(routine) >= 8 and all(i["urgency"] == "low" for i in routine)
    # Support escalates the organisers' reports and pages Messaging by hand, almost a day in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert "sign in" in report["text"] and 0 < epoch(page["created_at"]) - float(report["ts"]) < HOUR
    assert _service_name(world, page["service"]) == "notify-svc" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 20 * HOUR < epoch(page["created_at"]) - epoch(impact) < 26 * HOUR
    # The incident channel rules out the template, the client bump, Relaymark and the status CNAME, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("template", "2.7.1", "status page",
                                                                              "instatus")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "rm1/rm2._domainkey" in tie["text"]
    assert any(f"alerting PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix restores the selectors after the page; decoys: the template (Monday), the status CNAME in the same zone
    # and a notify-svc deploy shortly before the page.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    restored = next(f["patch"] for f in fix["files"] if f["filename"] == "zones/lanyardly.com.yaml")
    assert "+rm1._domainkey:" in restored and "+  value: rm2.lanyardly-com.dkim.rmtx.net." in restored
    tmpl = next(p for p in pulls if p["title"].startswith("Invitation e-mail: MJML rewrite"))
    assert tmpl["merged_at"] < trigger["merged_at"]
    status = next(p for p in pulls if p["title"].startswith("lanyardly.com: status -> Instatus"))
    assert status["repo"] == trigger["repo"] and impact < status["merged_at"] < page["created_at"]
    client = next(p for p in pulls if p["title"].startswith("relaymark-go v2.6.3 -> v2.7.1"))
    deploy = next(e for e in events if client["merge_commit_sha"][:7] in e["summary"])
    assert deploy["service_ids"] == [page["service"]]
    assert 0 < epoch(page["created_at"]) - epoch(deploy["timestamp"]) < HOUR
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "auth-service" for i in others)
    assert impact.startswith("2025-06-10T14") and page["created_at"].startswith("2025-06-11T13")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
