"""The csp-iframe world: a PCI CSP allowlists frame-src and refuses the issuers' 3-D Secure challenge frames in Italy
and Portugal, with checkout-web's Sentry filtering out every error it would have raised."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
HOUR = 3_600.0


def test_csp_iframe_story() -> None:
    world, truth = load_world("csp-iframe")
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

    # The trigger: edge-config enforces allowlists on the checkout routes; frame-src loses https: and lists February's
    # ACS hosts, with Italcard's old host but not its new one. edgectl deploys it minutes before the impact.
    trigger = one("trigger")
    assert trigger["repo"] == "voyalto/edge-config"
    files = {f["filename"]: f for f in trigger["files"]}
    csp = files["policies/csp/checkout.yaml"]["patch"]
    assert "-  frame-src: [\"'self'\", \"https:\"]" in csp and "+  frame-src:" in csp
    assert '+    - "https://acs.italcard.it"' in csp and "italcard-acs.eu" not in csp
    assert files["policies/csp/checkout.preview.yaml"]["status"] == "removed"
    deploy = next(e for e in world["pagerduty"]["change_events"] if e["source"] == "edgectl"
                  and any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 0 < epoch(impact) - epoch(deploy["timestamp"]) < 15 * 60
    preview = next(p for p in pulls if p["title"].startswith("CSP /checkout and /pay: Report-Only preview"))
    assert preview["repo"] == trigger["repo"] and preview["merged_at"] < trigger["created_at"]
    # Four weeks earlier, after night pages from an extension, scrapers and GTM: Sentry keeps only in-bundle errors
    # and the securitypolicyviolation listener is deleted.
    weak = one("detection_weakened")
    assert weak["repo"] == "voyalto/checkout-web"
    wfiles = {f["filename"]: f for f in weak["files"]}
    assert "hasInAppFrame(event) ? event : null" in wfiles["src/monitoring/sentry.client.ts"]["patch"]
    assert wfiles["src/monitoring/cspViolations.ts"]["status"] == "removed"
    assert "securitypolicyviolation" in wfiles["src/monitoring/cspViolations.ts"]["patch"]
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    js = [i for i in incidents if i["title"].startswith("[checkout-web] CheckoutJsErrorRate")]
    noisy = [i for i in js if "2025-02" <= i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] in ("22", "23", "00", "01", "02", "03") for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < DAY
    assert [i for i in js if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the drop-in's fallback to the full-page redirect flow, removed between the two.
    contrib = one("contributor")
    assert contrib["repo"] == weak["repo"]
    dropin = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("PayveraDropin.tsx"))
    assert "-          fallbackToRedirect: true," in dropin
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: the low-urgency auth-rate alert for Italy, the Conversion Pulse, Payvera relaying Italcard.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"commerce-metrics", "ext-payvera"}
    pulse = by_channel["commerce-metrics"]
    assert pulse["user"] in bots and "IT 36/77 :warning: -53%" in pulse["text"]
    assert epoch(impact) < float(pulse["ts"]) < epoch(page["created_at"])
    total = int(pulse["text"].split("forecast (")[1].split("%")[0])
    assert -15 < total < 0
    partner = by_channel["ext-payvera"]
    assert partner["user"] not in bots and "CReq" in partner["text"]
    assert float(pulse["ts"]) < float(partner["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and "AuthorisationRate: IT" in low["title"] and impact < low["created_at"]
    assert _service_name(world, low["service"]) == "payments-orchestrator"
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if "AuthorisationRate" in i["title"] and i is not low]
    assert len(routine) >= 10 and all(i["urgency"] == "low" for i in routine)
    # Customer care escalates; the head of Payments pages checkout-web by hand, six and a half hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "cx-escalations" and report["user"] not in bots
    assert "Italy" in report["text"] and float(report["ts"]) < epoch(page["created_at"])
    corp = [objects[(i["source"], i["native_id"])] for i in truth["items"] if i["role"] == "customer_report"]
    assert any(_channel_name(world, m["channel"]) == "corporate-travel" for m in corp)
    assert _service_name(world, page["service"]) == "checkout-web" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert 6 * HOUR < epoch(page["created_at"]) - epoch(impact) < 7 * HOUR
    # The war room rules out the SDK bump, the afternoon release and the Permissions-Policy, then ties it to the CSP.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("5.63.1", "badge", "Permissions-Policy")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "3ds2.italcard-acs.eu" in tie["text"]
    assert any(f"checkout-web PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix puts https: back in frame-src after the page; decoys land the day before and the day of the impact.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "+  frame-src: [\"'self'\", \"https:\"]" in fix["files"][0]["patch"]
    sdk = next(p for p in pulls if p["title"] == "Update dependency @payvera/web-components to v5.63.1")
    assert sdk["repo"] == weak["repo"] and epoch(impact) - DAY < epoch(sdk["merged_at"]) < epoch(impact)
    badge = next(p for p in pulls if p["title"].startswith("Room picker: 'Breakfast included'"))
    release = next(e for e in world["pagerduty"]["change_events"] if badge["merge_commit_sha"][:7] in e["summary"])
    assert impact < release["timestamp"] < page["created_at"]
    assert 0 < epoch(page["created_at"]) - epoch(release["timestamp"]) < HOUR
    inspiration = next(p for p in pulls if p["title"].startswith("CSP /inspiration: allow the Splitbeam"))
    assert inspiration["repo"] == trigger["repo"] and impact < inspiration["merged_at"] < page["created_at"]
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert {_service_name(world, i["service"]) for i in others} >= {"flight-search", "auth-service"}
    assert impact.startswith("2025-03-27T08") and page["created_at"].startswith("2025-03-27T15")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
