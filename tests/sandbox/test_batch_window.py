"""The batch-window world: a nightly loyalty recalc moved into the EU lunchtime, a checkout journey checked sparsely."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_batch_window_story() -> None:
    world, truth = load_world("batch-window")
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

    # The trigger: the recalc CronJob moves from 02:30 UTC to 02:00 Los Angeles time, in 8 pods, a day or two before.
    trigger = one("trigger")
    assert trigger["repo"] == "fernhollow/batch-schedules"
    [job] = trigger["files"]
    assert job["filename"] == "clusters/prod-eu/jobs/loyalty/fernpoints-recalc.yaml"
    assert '-  schedule: "30 2 * * *"' in job["patch"] and '+  schedule: "0 2 * * *"' in job["patch"]
    assert '+  timeZone: "America/Los_Angeles"' in job["patch"] and "+      parallelism: 8" in job["patch"]
    assert "-                - name: RECALC_PAUSE_BETWEEN_BATCHES_MS" in job["patch"]
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert _service_name(world, deploy["service_ids"][0]) == "batch-scheduler"
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert DAY < epoch(page["created_at"]) - epoch(trigger["merged_at"]) < 2 * DAY
    # No other PR of the repo touches the recalc before the trigger.
    recalc = [p for p in pulls if any("fernpoints-recalc" in f["filename"] for f in p["files"])]
    assert [p for p in recalc if p["created_at"] < trigger["created_at"]] == []
    # Weeks earlier, in the synthetics repo: the checkout journey every 30 min from one location, 3 failures to page.
    weak = one("detection_weakened")
    assert weak["repo"] == "fernhollow/synthetics"
    check = next(f["patch"] for f in weak["files"] if f["filename"].endswith("checkout-journey.check.ts"))
    assert "-  frequency: Frequency.EVERY_1M," in check and "+  frequency: Frequency.EVERY_30M," in check
    assert "+  locations: ['eu-west-1']," in check and "runBasedEscalation(3)" in check
    assert 14 * DAY <= epoch(page["created_at"]) - epoch(weak["merged_at"]) <= 35 * DAY
    synth = [i for i in incidents if i["title"].startswith("[checkout-core] Checkly: Checkout journey")]
    noisy = [i for i in synth if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 6 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in synth if i["created_at"] > weak["merged_at"]] == []
    # The contributor: checkout's order transaction may wait 15s for a lock on a bigger pool, between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "fernhollow/checkout-core"
    conf = next(f["patch"] for f in contrib["files"] if f["filename"] == "config/production.yaml")
    assert "-    lock_timeout: 2s" in conf and "+    lock_timeout: 15s" in conf and "+    max: 60" in conf
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: pgWatch's lock-wait line, a low-urgency alert on commerce-db, a shop manager; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"db-ops", "store-managers"}
    lock = by_channel["db-ops"]
    assert lock["user"] in bots and "`fernpoints_recalc`" in lock["text"] and "loyalty_balances" in lock["text"]
    assert epoch(impact) < float(lock["ts"]) < epoch(impact) + 3600

    def waiting(m: dict[str, Any]) -> int:
        return int(m["text"].split("commerce-db: ", 1)[1].split(" sessions")[0].replace(",", ""))

    assert waiting(lock) > 100
    before = [m for m in messages if m["channel"] == lock["channel"] and m["ts"] < lock["ts"]
              and "*Lock waits*" in m["text"]]
    assert before and all(waiting(m) < 20 for m in before)
    assert any("fernpoints_recalc" in m["text"] for m in before)  # the night runs locked too, harmlessly
    remark = by_channel["store-managers"]
    assert remark["user"] not in bots and "tills" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"]) - 12 * 3600
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and _service_name(world, low["service"]) == "commerce-db"
    assert impact < low["created_at"] < iso(epoch(impact) + 3600)
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # The recalc ran at night, in one pod, until the trigger; then in the EU daytime.
    runs = [m for m in messages if "`loyalty/fernpoints-recalc-" in m["text"] and "started" in m["text"]]
    night = [m for m in runs if float(m["ts"]) < epoch(trigger["merged_at"])]
    assert len(night) > 60 and all(_hms(m).startswith("02:3") for m in night)
    daytime = [m for m in runs if epoch(trigger["merged_at"]) < float(m["ts"]) < epoch(page["created_at"])]
    assert [_hms(m)[:5] for m in daytime] == ["10:00", "10:00"] and all("(8 pods)" in m["text"] for m in daytime)
    # Customer care escalates the next day and pages Checkout by hand, about a day after the impact started.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "care-escalations" and report["user"] not in bots
    assert 0 < epoch(page["created_at"]) - float(report["ts"]) < 3600
    assert _service_name(world, page["service"]) == "checkout-core" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 20 * 3600 < epoch(page["created_at"]) - epoch(impact) < 30 * 3600
    # The incident channel rules out Paystride, the frontend release and the index build, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("Paystride", "autocomplete",
                                                                              "product_reviews")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "02:00 LA" in tie["text"]
    assert any(f"synthetics PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix moves the recalc back after the page; red herrings the same day: an index build, a web release, a
    # checkout deploy, a time-zone change of another job the day before; Paystride's notice that morning.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert '+  schedule: "30 2 * * *"' in fix["files"][0]["patch"]
    index = next(p for p in pulls if p["title"].startswith("product_reviews: index"))
    assert index["repo"] == "fernhollow/db-migrations" and index["merged_at"][:10] == impact[:10]
    web = next(p for p in pulls if p["title"].startswith("Checkout: address autocomplete"))
    assert web["repo"] == "fernhollow/web-app" and web["merged_at"] < impact
    purge = next(p for p in pulls if p["title"].startswith("retention-purge: 03:00 Europe/Amsterdam"))
    assert purge["repo"] == trigger["repo"] and purge["merged_at"] < trigger["merged_at"]
    assert any("Paystride* Investigating: elevated authorisation latency" in m["text"]
               and page["created_at"][:10] == _day(m) for m in messages)
    assert impact.startswith("2025-02-19T10") and page["created_at"].startswith("2025-02-20T10")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)



def _hms(m: dict[str, Any]) -> str:
    return iso(float(m["ts"]))[11:19]


def _day(m: dict[str, Any]) -> str:
    return iso(float(m["ts"]))[:10]
