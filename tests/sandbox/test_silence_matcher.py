"""The silence-matcher world: a payouts API version move drops building society roll numbers, and a long-lived
Alertmanager silence written for test-mode webhook pages mutes every payouts page."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_silence_matcher_story() -> None:
    world, truth = load_world("silence-matcher")
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

    # The trigger: payout-engine moves to Brisa API 2025-03-31 and stops sending the roll number.
    trigger = one("trigger")
    assert trigger["repo"] == "fieldhive/payout-engine"
    files = {f["filename"]: f["patch"] for f in trigger["files"]}
    assert '+BRISA_API_VERSION = "2025-03-31"' in files["payout_engine/brisa/client.py"]
    mapping = files["payout_engine/brisa/mapping.py"]
    assert "-            building_society_roll_number=account.roll_number," in mapping
    assert "+        remittance=Remittance(reference=payout_reference(payout))," in mapping
    assert "secondary_reference" not in mapping
    assert "+    secondary_reference: str | None" in files["payout_engine/brisa/models.py"]
    assert "-def test_building_society_roll_number():" in files["tests/brisa/test_mapping.py"]
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["source"] == "ci-deploy")
    assert deploy["service_ids"] == [page["service"]]
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 0 < epoch(impact) - epoch(deploy["timestamp"]) < 3600
    # Weeks earlier, in the alerting repo: a silence far broader than the test-mode webhook pages it was written for.
    weak = one("detection_weakened")
    assert weak["repo"] == "fieldhive/alerting"
    [silence] = weak["files"]
    assert silence["filename"] == "silences/payouts-brisa-testmode-webhooks.yaml" and silence["status"] == "added"
    assert '+    value: "payout-.*"' in silence["patch"] and "+    isRegex: true" in silence["patch"]
    assert "alertname" not in silence["patch"] and "+endsAt: 2025-07-31" in silence["patch"]
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    failures = [i for i in incidents if "PayoutFailureEventsHigh" in i["title"]]
    noisy = [i for i in failures if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] in ("01", "02", "03") for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in failures if i["created_at"] > weak["merged_at"]] == []
    # After the silence nothing from a payout-* service pages Payouts until the page by hand.
    muted = [i for i in incidents if i["service"] == page["service"] and i["title"].startswith("[payout-")
             and weak["merged_at"] < i["created_at"] < page["created_at"]]
    assert muted == []
    fixed = next(m for m in messages if "test mode webhook events are no longer delivered" in m["text"])
    assert epoch(weak["merged_at"]) < float(fixed["ts"]) < epoch(trigger["created_at"])
    # The contributor: the payout reconciliation moved from daily to weekly, between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "fieldhive/finance-jobs"
    cron = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("payout-recon.yaml"))
    assert '-  schedule: "15 6 * * *"' in cron and '+  schedule: "15 6 * * 1"' in cron
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    recon = [m for m in messages if m["text"].startswith(":scales: *payout-recon*")]
    assert not [m for m in recon if epoch(impact) < float(m["ts"]) < epoch(page["created_at"])]
    # Early signals: Hookwatch's digest, a low-urgency alert of worker-accounts, finance ops' question; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"brisa-webhooks", "finance-ops"}
    digest = by_channel["brisa-webhooks"]
    assert digest["user"] in bots and "payout.returned 37" in digest["text"]
    assert "beneficiary_reference_missing" in digest["text"]
    assert epoch(impact) < float(digest["ts"]) < epoch(page["created_at"])
    hook = [m for m in messages if m["channel"] == digest["channel"] and m["ts"] < digest["ts"]]
    assert len(hook) > 500 and not [m for m in hook if "beneficiary_reference_missing" in m["text"]]
    finops = by_channel["finance-ops"]
    assert finops["user"] not in bots and "forecast" in finops["text"]
    assert epoch(impact) < float(finops["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and _service_name(world, low["service"]) == "worker-accounts"
    assert impact < low["created_at"] < page["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # Brisa accepts the whole Daily Pay run: the failures only come back later.
    run = next(m for m in messages if m["text"].startswith(":moneybag: *Daily Pay* 2025-05-21"))
    assert "accepted 31,884" in run["text"] and "rejected 0" in run["text"]
    # Support escalates; the Worker Support lead pages Payouts by hand, a day in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "worker-support-escalations" and report["user"] not in bots
    assert "not paid" in report["text"] and 0 < epoch(page["created_at"]) - float(report["ts"]) < 2 * 3600
    assert _service_name(world, page["service"]) == "payouts" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 24 * 3600 < epoch(page["created_at"]) - epoch(impact) < 27 * 3600
    # The war room rules out the bank details form, Brisa's FPS delay and the cashout change, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("sort code lookup", "FPS", "cashout fee")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "secondary_reference" in tie["text"]
    assert any(f"alerting PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix sends the roll number again after the page; the follow-up deletes the silence.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert any("secondary_reference=account.roll_number" in f["patch"] for f in fix["files"])
    follow = next(p for p in pulls if p["title"].startswith("Delete the payouts-brisa-testmode silence"))
    assert follow["repo"] == weak["repo"] and follow["files"][0]["status"] == "removed"
    # Decoys: the Brisa SDK bump in venue-billing, other silences, and deploys shortly before the page.
    sdk = next(p for p in pulls if p["title"].startswith("Bump brisa-ruby"))
    assert sdk["repo"] == "fieldhive/venue-billing" and contrib["merged_at"] < sdk["merged_at"] < trigger["merged_at"]
    other = next(p for p in pulls if p["title"].startswith("Silence SearchIndexerLag on search-indexer during"))
    assert other["repo"] == weak["repo"] and trigger["merged_at"] < other["merged_at"] < page["created_at"]
    am = next(p for p in pulls if p["title"] == "Alertmanager v0.27.0 -> v0.28.1")
    assert am["repo"] == weak["repo"] and epoch(impact) - 2 * DAY < epoch(am["merged_at"]) < epoch(impact)
    form = next(p for p in pulls if p["title"].startswith("Bank details form:"))
    form_deploy = next(e for e in world["pagerduty"]["change_events"]
                       if e["summary"] == f"Deploy worker-accounts@{form['merge_commit_sha'][:7]} to production")
    assert 0 < epoch(page["created_at"]) - epoch(form_deploy["timestamp"]) < 3600
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "auth-service" for i in others)
    assert impact.startswith("2025-05-20T09") and page["created_at"].startswith("2025-05-21T10")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
