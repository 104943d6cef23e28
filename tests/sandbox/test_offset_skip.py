"""The offset-skip world: a consumer group rename under a chart that starts new groups at latest and scales them to
zero, a deleted "no tickets issued" heartbeat."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_offset_skip_story() -> None:
    world, truth = load_world("offset-skip")
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

    # The trigger: helm-releases renames ticket-issuer's consumer group, and pins no offset reset or replicas.
    trigger = one("trigger")
    assert trigger["repo"] == "turnstyle/helm-releases"
    [values] = trigger["files"]
    assert values["filename"] == "apps/ticket-issuer/values-production.yaml"
    assert "-  groupId: ticket-issuer" in values["patch"] and "+  groupId: fulfilment.ticket-issuer" in values["patch"]
    assert "autoOffsetReset" not in values["patch"] and "minReplicas" not in values["patch"]
    sync = next(e for e in world["pagerduty"]["change_events"]
                if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert sync["service_ids"] == [page["service"]] and sync["source"] == "argocd"
    assert trigger["merged_at"] < sync["timestamp"] < impact
    assert epoch(impact) - epoch(sync["timestamp"]) < 5 * 60
    # The only groupId change of ticket-issuer before the page is the trigger.
    renames = [p for p in pulls if p["created_at"] < page["created_at"]
               and any(f["filename"].startswith("apps/ticket-issuer/") and "groupId" in f["patch"] for f in p["files"])]
    assert renames == [trigger]
    # KEDA scaled ticket-issuer to zero right after the sync, at the evening peak, and again only after the page.
    keda = [m for m in messages if "KEDA `fulfilment/ticket-issuer`" in m["text"]]
    zero = [m for m in keda if "3 → 0" in m["text"]]
    assert len(zero) == 1 and epoch(sync["timestamp"]) < float(zero[0]["ts"]) < epoch(impact)
    assert not [m for m in keda if epoch(impact) < float(m["ts"]) < epoch(page["created_at"])]
    # The nightly scale-downs began with the chart 3 bump, after the heartbeat was gone.
    bump = next(p for p in pulls if p["title"] == "chore(deps): update helm chart kafka-consumer to v3 (ticket-issuer)")
    assert bump["user"] == "renovate[bot]" and "defaults to `latest`" in bump["body"]
    assert all(float(m["ts"]) > epoch(bump["merged_at"]) for m in keda)

    # Weeks earlier, in alert-rules: the heartbeat is deleted after dawn and weekend pages caused by no orders.
    weak = one("detection_weakened")
    assert weak["repo"] == "turnstyle/alert-rules"
    rules = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/fulfilment/ticket-issuer.yaml")
    assert "-      - alert: TicketsIssuedHeartbeat" in rules and "+" not in "".join(
        line[:1] for line in rules.splitlines())
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    heartbeat = [i for i in incidents if i["title"].startswith("[ticket-issuer] TicketsIssuedHeartbeat")]
    noisy = [i for i in heartbeat if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 6 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(int(i["created_at"][11:13]) < 8 for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in heartbeat if i["created_at"] > weak["merged_at"]] == []
    assert bump["merged_at"] > weak["merged_at"]

    # The contributor: the shared chart's 3.0 defaults, by Streaming, weeks before both.
    contrib = one("contributor")
    assert contrib["repo"] == "turnstyle/charts" and contrib["user"] == "lorcan-fitzgerald"
    chart = next(f["patch"] for f in contrib["files"] if f["filename"] == "charts/kafka-consumer/values.yaml")
    assert "-  autoOffsetReset: earliest" in chart and "+  autoOffsetReset: latest" in chart
    assert "+  minReplicas: 0" in chart and "+  scaleToZeroOnInvalidOffset: true" in chart
    assert contrib["merged_at"] < weak["merged_at"] < trigger["created_at"]

    # Early signals: Burrow's line about the old group, the mailer's low-urgency alert, the box office; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"streaming-ops", "ext-saltmarket-hall"}
    burrow = by_channel["streaming-ops"]
    assert burrow["user"] in bots and "`ticket-issuer` on `orders.paid`" in burrow["text"] and "STOP" in burrow["text"]
    assert epoch(impact) < float(burrow["ts"]) < epoch(impact) + 3600
    ops = [m for m in messages if m["channel"] == burrow["channel"]]
    assert not [m for m in ops if "`ticket-issuer`" in m["text"] and "STOP" in m["text"] and m["ts"] < burrow["ts"]]
    assert any("STOP" in m["text"] and m["ts"] < burrow["ts"] for m in ops)  # orphans stop all the time
    assert any("`ticket-issuer`" in m["text"] and "WARN" in m["text"] and m["ts"] < burrow["ts"] for m in ops)
    dismissal = [m for m in ops if m["thread_ts"] == burrow["ts"]]
    assert dismissal and dismissal[0]["user"] not in bots and "orphan" in dismissal[0]["text"]
    box = by_channel["ext-saltmarket-hall"]
    assert box["user"] not in bots and "box office" in box["text"] and "awaiting issue" in box["text"]
    assert epoch(impact) < float(box["ts"]) < epoch(page["created_at"]) - 6 * 3600
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and _service_name(world, low["service"]) == "mailer"
    assert "order_confirmation" in low["title"] and impact < low["created_at"] < iso(epoch(impact) + 2 * 3600)
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if i["title"].startswith("[mailer] TransactionalVolumeLow") and i is not low]
    assert len(routine) >= 8 and all(i["urgency"] == "low" and i["created_at"] < impact for i in routine)

    # The night support shift files it for the morning; the support lead pages Fulfilment by hand.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert "paid" in report["text"] and epoch(impact) < float(report["ts"]) < epoch(page["created_at"])
    assert _service_name(world, page["service"]) == "ticket-issuer" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 12 * 3600 < epoch(page["created_at"]) - epoch(impact) < 16 * 3600
    assert page["created_at"].startswith("2025-03-07T07") and impact.startswith("2025-03-06T18")

    # The incident channel rules out the template, the Kafka upgrade and the morning deploy, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("template", "3.7", "06:50")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "fulfilment.ticket-issuer" in tie["text"]
    assert any(f"alert-rules PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    assert any("latest" in m["text"] and m["ts"] > tie["ts"] for m in chat)

    # The fix pins the offset reset and the replicas after the page; the decoys shipped before the impact.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"] and f"/pull/{contrib['number']}" in fix["body"]
    assert "+  autoOffsetReset: earliest" in fix["files"][0]["patch"]
    assert "+  scaleToZeroOnInvalidOffset: false" in fix["files"][0]["patch"]
    template = next(p for p in pulls if p["title"].startswith("Order confirmation e-mail: Add to Apple/Google Wallet"))
    assert template["repo"] == "turnstyle/mailer" and template["merged_at"][:10] == impact[:10]
    assert template["merged_at"] < impact
    upgrade = next(p for p in pulls if p["title"].startswith("events-prod: MSK 3.6.0 -> 3.7.x"))
    assert upgrade["repo"] == "turnstyle/streaming-infra" and epoch(impact) - 2 * DAY < epoch(upgrade["merged_at"])
    rolled = next(e for e in world["pagerduty"]["change_events"] if e["summary"].startswith("MSK events-prod: rolling "
                                                                                            "upgrade 3.6.0"))
    assert epoch(impact) - DAY < epoch(rolled["timestamp"]) < epoch(impact)
    recs = next(p for p in pulls if p["title"].startswith("recs-feed: consumer group recs-feed -> mobile.recs-feed"))
    assert recs["repo"] == trigger["repo"] and recs["merged_at"] < trigger["created_at"]
    assert "   autoOffsetReset: earliest" in recs["files"][0]["patch"]
    others = [i for i in incidents if impact < i["created_at"] < page["created_at"]
              and i["service"] != page["service"] and i["urgency"] == "high"]
    assert len(others) >= 2
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)
