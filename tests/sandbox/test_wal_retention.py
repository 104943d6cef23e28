"""The wal-retention world: a CDC connector's logical slot fills the bookings primary while the disk alert is a ticket."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
HOUR = 3600.0


def test_wal_retention_story() -> None:
    world, truth = load_world("wal-retention")
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

    # The trigger: a Debezium KafkaConnector with a logical slot on the bookings primary, live the day before.
    trigger = one("trigger")
    assert trigger["repo"] == "tendwell/cdc-connectors"
    conn = next(f for f in trigger["files"] if f["filename"] == "connectors/bookings-cdc/kafkaconnector.yaml")
    assert conn["status"] == "added"
    for line in ("+    slot.name: debezium_bookings", "+    plugin.name: pgoutput", "public.clinic_schedules",
                 "+    maxRestarts: 3", "bookings-db-prod"):
        assert line in conn["patch"]
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert _service_name(world, deploy["service_ids"][0]) == "kafka-connect"
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 18 * HOUR < epoch(impact) - epoch(deploy["timestamp"]) < 24 * HOUR
    assert not [p for p in pulls if p["created_at"] < trigger["created_at"]
                and any("bookings-cdc" in f["filename"] for f in p["files"])]
    # Weeks earlier: the free-storage page became a ticket at 10% for an hour, after six night pages from the repack.
    weak = one("detection_weakened")
    assert weak["repo"] == "tendwell/alert-rules"
    rule = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/rds/bookings-db.yaml")
    for line in ("-        for: 15m", "+        for: 1h", "-          severity: page", "+          severity: ticket"):
        assert line in rule
    assert "< 0.20" in rule and "< 0.10" in rule and "autoscaling" in rule.lower()
    assert 21 * DAY <= epoch(page["created_at"]) - epoch(weak["merged_at"]) <= 42 * DAY
    free_pages = [i for i in incidents if "BookingsDbFreeStorageLow" in i["title"]]
    noisy = [i for i in free_pages if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(1 <= int(i["created_at"][11:13]) <= 2 for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    after = [i for i in free_pages if i["created_at"] > weak["merged_at"]]
    assert len(after) == 1 and after[0]["urgency"] == "low" and "[ticket]" in after[0]["title"]
    assert [p for p in pulls if any(f["filename"] == "rules/rds/bookings-db.yaml" for f in p["files"])
            and p["created_at"] < page["created_at"]] == [weak]
    # The contributor: FinOps turns storage autoscaling off, between the weakening and the trigger.
    contrib = one("contributor")
    assert contrib["repo"] == "tendwell/infra-terraform"
    tf = next(f["patch"] for f in contrib["files"] if f["filename"] == "envs/prod/rds/bookings_db.tf")
    assert "-  max_allocated_storage = 2000" in tf and "+  max_allocated_storage = 0" in tf
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: Connect Watch gives up on the connector, a low-urgency storage ticket, PG Daily; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"data-platform-alerts", "dba"}
    gave_up = by_channel["data-platform-alerts"]
    assert gave_up["user"] in bots and "giving up" in gave_up["text"] and "`debezium_bookings`" in gave_up["text"]
    assert epoch(deploy["timestamp"]) < float(gave_up["ts"]) < epoch(deploy["timestamp"]) + 4 * HOUR
    daily = by_channel["dba"]
    assert daily["user"] in bots and "*PG Daily*" in daily["text"] and "*inactive*" in daily["text"]
    assert epoch(impact) - 3 * HOUR < float(daily["ts"]) < epoch(impact)

    def free_pct(m: dict[str, Any]) -> float:
        row = m["text"].split("`bookings-db-prod` free ", 1)[1]
        return float(row.split("(", 1)[1].split("%", 1)[0])

    before = [m for m in messages if m["channel"] == daily["channel"] and "*PG Daily*" in m["text"]
              and m["ts"] < daily["ts"]]
    assert len(before) > 90 and all(35 < free_pct(m) < 42 and "slots: none" in m["text"].split("\n")[1]
                                    for m in before)
    assert free_pct(daily) < 6
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and low is after[0]
    assert float(gave_up["ts"]) < epoch(low["created_at"]) < epoch(impact)
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    # Support relays the receptionists half an hour in; the Scheduling lead pages DBRE by hand, hours later.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert epoch(impact) < float(report["ts"]) < epoch(impact) + HOUR
    assert _service_name(world, page["service"]) == "bookings-db" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 2 * HOUR < epoch(page["created_at"]) - epoch(impact) < 3 * HOUR
    # The war room rules out the release, pgbouncer, the index build and the node disk page, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("07:15", "pgbouncer", "index",
                                                                              "disk pressure", "v5.12.0")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "debezium_bookings" in tie["text"]
    assert any(f"alert-rules PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix removes the connector after the page; decoys: a vacuum tuning, a parameter change, a Debezium bump on
    # another connector, an index build the night before, the morning release, a reminders deploy before the page.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert any(f["filename"] == conn["filename"] and f["status"] == "removed" for f in fix["files"])

    def pr(prefix: str) -> dict[str, Any]:
        return next(p for p in pulls if p["title"].startswith(prefix))

    assert pr("reminder_events: per-table autovacuum")["merged_at"] < trigger["merged_at"]
    assert pr("bookings-db params: work_mem")["repo"] == contrib["repo"]
    assert pr("forms-cdc: Debezium 2.5.4")["repo"] == trigger["repo"]
    index = pr("appointments: partial index")
    assert trigger["merged_at"] < index["merged_at"] < impact
    week = pr("Week view: practitioner colours")
    release = next(e for e in world["pagerduty"]["change_events"] if week["merge_commit_sha"][:7] in e["summary"])
    assert epoch(impact) - HOUR < epoch(release["timestamp"]) < epoch(impact)
    sender = pr("SMS: per-clinic alphanumeric sender ID")
    sdeploy = next(e for e in world["pagerduty"]["change_events"] if sender["merge_commit_sha"][:7] in e["summary"])
    assert epoch(page["created_at"]) - HOUR < epoch(sdeploy["timestamp"]) < epoch(page["created_at"])
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10] and i["urgency"] == "high"
              and i["service"] != page["service"] and i["created_at"] < page["created_at"]]
    assert any("disk pressure" in i["title"] for i in others)
    assert impact.startswith("2024-11-19T07:38") and page["created_at"].startswith("2024-11-19T10:06")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
