"""The otp-relay world: passcodes routed to an aggregator whose sender is not registered, receipts that no longer fail."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def _lines(patch: str, sign: str) -> list[str]:
    return [line for line in patch.splitlines() if line.startswith(sign) and not line.startswith(sign * 3)]


def test_otp_relay_story() -> None:
    world, truth = load_world("otp-relay")
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

    # The trigger: courier sends the PT, RO and GR passcodes through Bulkline, deployed just before the impact.
    trigger = one("trigger")
    assert trigger["repo"] == "lumora/courier"
    routing = next(f["patch"] for f in trigger["files"] if f["filename"] == "config/routing.yaml")
    assert {"+  - purposes: [otp]", "+    countries: [PT, RO, GR]", "+    aggregator: bulkline"} <= set(
        _lines(routing, "+"))
    code = next(f["patch"] for f in trigger["files"] if f["filename"].endswith("sms/RouteTable.kt"))
    assert any('return Route(aggregators.getValue("telora")' in line for line in _lines(code, "-"))
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]] and trigger["merged_at"] < deploy["timestamp"] < impact
    # Weeks earlier, in the same repo and in code (not an alert rule): a failed or unknown receipt becomes a debug
    # line and counts as delivered, after a week of night pages for Telora's broken receipts.
    weak = one("detection_weakened")
    assert weak["repo"] == trigger["repo"] and all(f["filename"].endswith(".kt") for f in weak["files"])
    handler = next(f["patch"] for f in weak["files"] if f["filename"].endswith("sms/ReceiptHandler.kt"))
    added, removed = _lines(handler, "+"), _lines(handler, "-")
    assert any("log.debug(" in line for line in added) and any("markDelivered" in line for line in added)
    assert any("catch (e: IllegalArgumentException)" in line for line in added)
    assert any("markFailed" in line for line in removed) and not any("markFailed" in line for line in added)
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    receipts = [i for i in incidents if i["title"].startswith("[courier] OTP delivery receipts failed")]
    noisy = [i for i in receipts if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("aggregator:telora" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in receipts if i["created_at"] > weak["merged_at"]] == []
    assert not [f for p in pulls if p["repo"] == "lumora/monitors" for f in p["files"] if "receipt" in f["filename"]]
    # The contributor: the voice-call fallback removed from the sign-in API, merged between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "lumora/signin"
    options = next(f["patch"] for f in contrib["files"] if f["filename"] == "internal/otp/options.go")
    assert any("OptionCallMe" in line for line in _lines(options, "-"))
    assert not any("OptionCallMe" in line for line in _lines(options, "+"))
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: Bulkline's first rejection alert, the sign-in monitor at low urgency, the Portugal country
    # manager in #eng-help; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"sms-providers", "eng-help"}
    bot = by_channel["sms-providers"]
    assert bot["user"] in bots and "REJECTD" in bot["text"] and "`PT`" in bot["text"]
    assert "sender ID not registered" in bot["text"]
    assert epoch(impact) < float(bot["ts"]) < epoch(page["created_at"])
    feed = [m for m in world["slack"]["messages"] if m["channel"] == bot["channel"]]
    assert not [m for m in feed if "sender ID not registered" in m["text"] and m["ts"] < bot["ts"]]
    remark = by_channel["eng-help"]
    assert remark["user"] not in bots and "PT" in remark["text"] and float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and _service_name(world, low["service"]) == "signin-api"
    assert impact < low["created_at"] < page["created_at"] and low["resolved_at"] > page["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # Customer support escalates and pages Messaging by hand, about a day in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "cx-escalations" and report["user"] not in bots
    assert 0 < epoch(page["created_at"]) - float(report["ts"]) < 3600
    assert _service_name(world, page["service"]) == "courier" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    pager = next(u["id"] for u in world["pagerduty"]["users"] if u["name"] == "Ottilie Granger")
    assert page["log_entries"][0]["agent"]["id"] == pager
    assert epoch(page["created_at"]) - epoch(impact) > 20 * 3600
    # The incident channel rules out the app release, an attack and Telora's maintenance, then names the trigger,
    # the receipt change and the removed fallback.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("7.14", "attack", "maintenance")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"]
    assert any(f"courier PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"lumora/signin#{contrib['number']}" in m["text"] for m in chat)
    # The fix puts those passcodes back on Telora, after the page.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    fix_routing = next(f["patch"] for f in fix["files"] if f["filename"] == "config/routing.yaml")
    assert "-  - purposes: [otp]" in _lines(fix_routing, "-")
    # Red herrings: a loosened OTP submit-latency monitor on courier, the app release the morning of the trigger,
    # a sign-in deploy the morning of the page, the ledger's page the same day.
    latency = next(p for p in pulls if p["title"].startswith("courier: OTP SMS submit latency"))
    assert latency["repo"] == "lumora/monitors"
    assert weak["merged_at"] < latency["merged_at"] < trigger["merged_at"]
    trust = next(p for p in pulls if p["title"].startswith("Trusted devices: 'Trust this device'"))
    assert trust["repo"] == contrib["repo"] and trigger["merged_at"] < trust["merged_at"] < page["created_at"]
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "ledger-api" for i in others)
    assert impact.startswith("2025-02-18") and page["created_at"].startswith("2025-02-19T14")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
