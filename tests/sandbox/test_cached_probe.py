"""The cached-probe world: a purge on every article update sends a news site's traffic back to origin on a breaking-news
night, while the uptime check looks at a cached homepage."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_cached_probe_story() -> None:
    world, truth = load_world("cached-probe")
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

    # The trigger: publish-pipeline invalidates rail-latest and the fronts on every event, shipped hours before.
    trigger = one("trigger")
    assert trigger["repo"] == "northwick/publish-pipeline"
    files = {f["filename"]: f["patch"] for f in trigger["files"]}
    assert '+\ttags = append(tags, "rail-latest", "front-home")' in files["internal/purge/tags.go"]
    assert "-\tif ev.Kind != copydesk.KindPublish && ev.Kind != copydesk.KindCorrection {" in files[
        "internal/purge/handler.go"]
    assert any("rail-latest" in c["body"] for c in trigger["review_comments"])
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["summary"].startswith("Deploy publish-pipeline@"))
    assert _service_name(world, deploy["service_ids"][0]) == "publish-pipeline"
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 4 * 3600 < epoch(impact) - epoch(deploy["timestamp"]) < 6 * 3600
    # Four weeks earlier: the uptime check moves from the origin to the cached homepage, after maintenance pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "northwick/uptime-checks"
    check = next(f["patch"] for f in weak["files"] if f["filename"] == "checks/web.tf")
    assert '-  target    = "https://origin-euw2.northwick.net/_health/deep' in check
    assert '+  target    = "https://www.northwickchronicle.com/"' in check
    assert '-        "Cache-Control: no-cache",' in check
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    probe = [i for i in incidents if i["title"].startswith("[web-origin] Uptime: article-origin-deep")]
    noisy = [i for i in probe if "2025-09-01" < i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] in ("23", "00", "01") for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 3 * DAY
    assert [i for i in probe if i["created_at"] > weak["merged_at"]] == []
    # The contributor: Must Revalidate on every article, after Legal's request; and the render autoscaler's cap.
    contrib = one("contributor")
    assert contrib["repo"] == "northwick/akamai-config"
    rule = next(f["patch"] for f in contrib["files"] if f["filename"] == "property/rules/articles.json")
    assert '-        "mustRevalidate": false,' in rule and '+        "mustRevalidate": true,' in rule
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    hpa = next(p for p in pulls if p["title"].startswith("article-render: HPA maxReplicas 60 -> 36"))
    assert "+  maxReplicas: 36" in hpa["files"][0]["patch"]
    assert any(i["role"] == "contributor" and not i["must_see"] and i["native_id"].endswith(f"#{hpa['number']}")
               for i in truth["items"])
    # Early signals: EdgeStats' anomaly, a low-urgency latency incident, the live blog editor; nobody paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"edge-stats", "digital-desk"}
    edge = by_channel["edge-stats"]
    assert edge["user"] in bots and "offload 41.3%" in edge["text"] and "www.northwickchronicle.com" in edge["text"]
    assert epoch(impact) < float(edge["ts"]) < epoch(page["created_at"])
    remark = by_channel["digital-desk"]
    assert remark["user"] not in bots and "Something went wrong" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if i["title"] == low["title"] and i is not low]
    assert len(routine) >= 8 and all(i["urgency"] == "low" for i in routine)
    homepage = [m for m in messages if "`www-homepage` 3/3 probes OK" in m["text"]]
    assert homepage and all(m["user"] in bots for m in homepage)
    assert any(epoch(impact) < float(m["ts"]) < epoch(page["created_at"]) for m in homepage)
    # Reader support escalates; social and commercial relay too; the night editor pages by hand, 3h17m in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "reader-support" and report["user"] not in bots
    assert "paywall" in report["text"] and "UK" in report["text"]
    assert epoch(impact) < float(report["ts"]) < epoch(page["created_at"])
    relays = [objects[(i["source"], i["native_id"])] for i in truth["items"]
              if i["role"] == "customer_report" and not i["must_see"]]
    assert {_channel_name(world, m["channel"]) for m in relays} == {"social-desk", "commercial-ops"}
    assert _service_name(world, page["service"]) == "web-origin" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert "Delphine" in page["log_entries"][0]["summary"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 3 * 3600 < epoch(page["created_at"]) - epoch(impact) < 3.5 * 3600
    # The incident channel rules out the paywall test, the 21:22 deploy and plain traffic, then names the purge.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("PW-31", "21:22", "simply traffic")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "rail-latest" in tie["text"]
    assert any(f"uptime-checks PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix after the page; decoys: the paywall test and an app-fronts change the day before, the render deploy.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "-\ttags = append(tags, \"rail-latest\", \"front-home\")" in fix["files"][0]["patch"]
    paywall = next(p for p in pulls if p["title"].startswith("PW-31:"))
    assert paywall["repo"] == "northwick/membership" and paywall["merged_at"][:10] == impact[:10]
    prefresh = next(p for p in pulls if p["title"].startswith("App fronts: prefresh"))
    assert prefresh["repo"] == contrib["repo"] and trigger["created_at"] < prefresh["merged_at"] < trigger["merged_at"]
    pinned = next(p for p in pulls if p["title"].startswith("Live blog: 'Pinned' badge"))
    pdeploy = next(e for e in world["pagerduty"]["change_events"] if pinned["merge_commit_sha"][:7] in e["summary"])
    assert pdeploy["service_ids"] == [page["service"]]
    assert impact < pdeploy["timestamp"] < page["created_at"]
    assert epoch(page["created_at"]) - epoch(pdeploy["timestamp"]) < 1800
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10] and impact < i["created_at"]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "email-service" for i in others)
    assert impact.startswith("2025-10-14T18") and page["created_at"].startswith("2025-10-14T21")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
