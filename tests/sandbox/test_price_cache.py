"""The price-cache world: product pages cached across markets after an edge change, a price check that converts."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_price_cache_story() -> None:
    world, truth = load_world("price-cache")
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

    # The trigger: the edge drops the market (header and ?mkt=) from the product-page cache key, a day before the page.
    trigger = one("trigger")
    assert trigger["repo"] == "kestrelhome/edge-config"
    vcl = next(f["patch"] for f in trigger["files"] if f["filename"] == "vcl/pdp.vcl")
    assert "-    set req.hash += req.http.X-KH-Market;" in vcl
    assert "+    set req.hash += req.http.X-KH-Market;" not in vcl
    assert "querystring.filter_except" in vcl and "mkt" not in vcl
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["source"] == "ci-deploy" and e["timestamp"] < page["created_at"])
    assert _service_name(world, deploy["service_ids"][0]) == "cdn-edge"
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert epoch(page["created_at"]) - epoch(trigger["merged_at"]) < 1.5 * DAY
    # Weeks earlier, in the pricing team's synthetics repo: the check converts currencies, after RateWire night pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "kestrelhome/pricing-synthetics"
    check = next(f["patch"] for f in weak["files"] if f["filename"] == "checks/pdp_checkout_price.py")
    assert "-            self.expect(page.currency == quote.currency," in check
    assert '-TOLERANCE = Decimal("0.005")' in check and '+TOLERANCE = Decimal("0.02")' in check
    assert "rate_from(page.currency)" in check
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    watch = [i for i in incidents if i["title"].startswith("[pricing-api] Price Watch:")]
    noisy = [i for i in watch if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] == "01" for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in watch if i["created_at"] > weak["merged_at"]] == []
    # The contributor: the storefront renders the price and price token into the page, between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "kestrelhome/storefront"
    assert any("price_token" in f["patch"] for f in contrib["files"])
    assert any("x-kh-market" in f["patch"] for f in contrib["files"])
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: a Sentry spike, a low-urgency alert on pricing-api, a merchandiser's remark; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"pricing-alerts", "merchandising"}
    spike = by_channel["pricing-alerts"]
    assert spike["user"] in bots and "PriceChangedAtCheckout" in spike["text"] and "PRICE_MISMATCH" in spike["text"]
    assert epoch(impact) < float(spike["ts"]) < epoch(page["created_at"])
    before = [m for m in world["slack"]["messages"] if m["channel"] == spike["channel"] and m["ts"] < spike["ts"]
              and "PriceChangedAtCheckout" in m["text"]]
    assert before and all(int(m["text"].split(", ", 1)[1].split(" events")[0]) < 100 for m in before)
    remark = by_channel["merchandising"]
    assert remark["user"] not in bots and "$89.00" in remark["text"] and "UK" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "PRICE_MISMATCH" in low["title"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # Customer care escalates and pages Pricing by hand the next morning, twenty hours in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "customer-care" and report["user"] not in bots
    assert 0 < epoch(page["created_at"]) - float(report["ts"]) < 3600
    assert _service_name(world, page["service"]) == "pricing-api" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 12 * 3600 < epoch(page["created_at"]) - epoch(impact) < DAY
    # The incident channel rules out FX, the pricing-api rounding deploy and checkout's copy deploy, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("RateWire", ".99 rounding", "checkout-api went out")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "X-KH-Market" in tie["text"]
    assert any(f"pricing-synthetics PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix puts the market back in the key after the page; red herrings merged and deployed the same day.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "+    set req.hash += req.http.X-KH-Market;" in next(f["patch"] for f in fix["files"]
                                                              if f["filename"] == "vcl/pdp.vcl")
    rounding = next(p for p in pulls if p["title"].startswith("CA market: round converted prices"))
    assert rounding["repo"] == "kestrelhome/pricing-api" and rounding["merged_at"][:10] == impact[:10]
    copy = next(p for p in pulls if p["title"].startswith("Basket: clearer copy"))
    assert copy["repo"] == "kestrelhome/checkout" and copy["merged_at"] < impact
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "catalog-service" for i in others)
    assert impact.startswith("2024-12-16") and page["created_at"].startswith("2024-12-17T10")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
