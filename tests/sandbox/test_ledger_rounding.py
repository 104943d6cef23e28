"""The ledger-rounding world: a money-library bump that rounds half-even, a recon tolerance moved to 1.5%."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_ledger_rounding_story() -> None:
    world, truth = load_world("ledger-rounding")
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

    # The trigger: Renovate's mintmark 3.8.2 -> 4.0.1 bump, only lockfile lines, the rounding change one bullet of many.
    trigger = one("trigger")
    assert trigger["repo"] == "tesserapay/invoice-engine" and trigger["user"] == "renovate[bot]"
    assert {f["filename"] for f in trigger["files"]} == {"pyproject.toml", "poetry.lock"}
    lock = next(f["patch"] for f in trigger["files"] if f["filename"] == "poetry.lock")
    assert '-version = "3.8.2"' in lock and '+version = "4.0.1"' in lock
    assert all("ROUND" not in f["patch"] for f in trigger["files"])
    assert "ROUND_HALF_EVEN" in trigger["body"] and trigger["body"].count("\n- ") >= 12
    assert trigger["merged_by"] == "ravindra-pillai"
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["source"] == "ci-deploy" and e["timestamp"] < page["created_at"])
    assert _service_name(world, deploy["service_ids"][0]) == "invoice-engine" == _service_name(world, page["service"])
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert DAY < epoch(page["created_at"]) - epoch(trigger["merged_at"]) < 2 * DAY
    # Weeks earlier, in finance-jobs' job config (not an alert rule): recon tolerance from 1 minor unit to 1.5%.
    weak = one("detection_weakened")
    assert weak["repo"] == "tesserapay/finance-jobs"
    cfg = next(f["patch"] for f in weak["files"] if f["filename"] == "jobs/settlement_recon/config.yaml")
    assert "-    minor_units: 1" in cfg and "+    ratio: 0.015" in cfg and "+    mode: relative" in cfg
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 28 * DAY
    assert 14 * DAY <= epoch(page["created_at"]) - epoch(weak["merged_at"]) <= 35 * DAY
    recon = [i for i in incidents if i["title"].startswith("[recon-runner] daily_settlement_recon")]
    noisy = [i for i in recon if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" for i in noisy)
    assert {_service_name(world, i["service"]) for i in noisy} == {"recon-runner"}
    assert all("meridian_gulf" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in recon if i["created_at"] > weak["merged_at"]] == []
    # The contributor: collections retries Paxbridge's 422s through the resubmit queue, logging at debug.
    contrib = one("contributor")
    assert contrib["repo"] == "tesserapay/collections"
    client = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("paxbridge/client.py"))
    assert "+RETRYABLE_STATUS = frozenset({422, 429, 500, 502, 503, 504})" in client
    assert "+            log.debug(" in client and '-                log.warning("paxbridge rejected invoice"' in client
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: a low-urgency alert of collections-api, the recon bot's "OK" summary, an analyst's remark.
    low = one("early_signal", "pagerduty")
    assert low["urgency"] == "low" and _service_name(world, low["service"]) == "collections-api"
    assert impact < low["created_at"] < page["created_at"]
    assert all(e["type"] not in ("notify_log_entry", "acknowledge_log_entry") for e in low["log_entries"])
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal") if i["source"] == "slack"]
    by_channel = {_channel_name(world, m["channel"]): m for m in early}
    assert set(by_channel) == {"finance-recon", "finance-ops"}
    summary = by_channel["finance-recon"]
    assert summary["user"] in bots and "BHD 0.61%" in summary["text"] and "tolerance 1.5%" in summary["text"]
    assert summary["text"].endswith("OK") and epoch(impact) < float(summary["ts"]) < epoch(page["created_at"])
    summaries = sorted((m for m in messages if m["channel"] == summary["channel"] and m["user"] in bots),
                       key=lambda m: m["ts"])
    after = [m for m in summaries if epoch(weak["merged_at"]) < float(m["ts"]) < epoch(page["created_at"])]
    assert after and all(m["text"].endswith("OK") for m in after)
    remark = by_channel["finance-ops"]
    assert remark["user"] not in bots and "1 fils" in remark["text"] and "BHD" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"])
    # Merchants' complaints relayed by support; finance ops pages Invoicing by hand, forty-one hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert epoch(impact) < float(report["ts"]) < epoch(page["created_at"])
    assert page["urgency"] == "high" and page["log_entries"][0]["channel"]["type"] == "web_trigger"
    assert not page["alerts"] and sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 36 * 3600 < epoch(page["created_at"]) - epoch(impact) < 2 * DAY
    # The war room rules out Paxbridge, the PDF change and the Oman VAT change, then names the bump.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("maintenance", "pdf exponent", "oman")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "ROUND_HALF_EVEN" in tie["text"]
    assert any(f"finance-jobs PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix pins the rounding mode after the page; decoys touch invoicing, tax and the Paxbridge client near the page.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert any("+mintmark.context.rounding = ROUND_HALF_UP" in f["patch"] for f in fix["files"])
    pdf = next(p for p in pulls if p["title"].startswith("PDF: print amounts with the currency's exponent"))
    assert pdf["repo"] == trigger["repo"] and pdf["merged_at"][:10] == impact[:10] and pdf["merged_at"] < impact
    vat = next(p for p in pulls if p["title"].startswith("Oman: zero-rate basic food"))
    assert vat["repo"] == "tesserapay/tax-rules" and impact < vat["merged_at"] < page["created_at"]
    idem = next(p for p in pulls if p["title"].startswith("paxbridge: send an Idempotency-Key"))
    assert idem["repo"] == contrib["repo"] and impact < idem["merged_at"] < page["created_at"]
    other_v4 = [p for p in pulls if p["title"] == trigger["title"] and p is not trigger]
    assert other_v4 and all(p["merged_at"] is None for p in other_v4)
    assert impact.startswith("2025-03-10") and page["created_at"].startswith("2025-03-12T07")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
