"""The log-drop world: an upload check refuses Android HEIF photos, a log drop rule keeps the 415s from the alert."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_log_drop_story() -> None:
    world, truth = load_world("log-drop")
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

    # The trigger: evidence-api sniffs uploads with libmagic and allows image/heic but not image/heif.
    trigger = one("trigger")
    assert trigger["repo"] == "bramblecrest/evidence-api"
    check = next(f["patch"] for f in trigger["files"] if f["filename"] == "evidence_api/validation.py")
    assert '+    "image/heic",' in check and "image/heif" not in check
    assert "magic.from_buffer" in check and 'log.error("upload rejected: %s"' in check
    assert '+        raise reject(415, "UNSUPPORTED_TYPE"' in check
    tests = next(f["patch"] for f in trigger["files"] if f["filename"] == "tests/test_validation.py")
    assert "iphone-15.heic" in tests and "galaxy" not in tests.lower()
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]]
    assert trigger["merged_at"] < deploy["timestamp"] < impact < iso(epoch(deploy["timestamp"]) + 600)
    # Four weeks earlier, in log-pipeline: every evidence-api 'upload rejected' error line is dropped before Loki.
    weak = one("detection_weakened")
    assert weak["repo"] == "bramblecrest/log-pipeline"
    rule = next(f["patch"] for f in weak["files"] if f["filename"] == "vector/pipelines/claims.yaml")
    assert 'starts_with(string(.message) ?? "", "upload rejected")' in rule and "+    type: filter" in rule
    assert "-    inputs: [claims_parse]" in rule and "+    inputs: [claims_drop_scan_rejections]" in rule
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    errlog = [i for i in incidents if i["title"].startswith("[evidence-api] EvidenceApiErrorLogRatio")]
    noisy = [i for i in errlog if "scan timeout" in i["alerts"][0]["summary"]]
    assert len(noisy) >= 6 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"] < weak["created_at"] for i in noisy)
    assert sum(int(i["created_at"][11:13]) < 6 or i["created_at"][11:13] >= "22" for i in noisy) >= 6
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in errlog if i["created_at"] > weak["merged_at"]] == []
    assert [i for i in errlog if "scan timeout" not in i["alerts"][0]["summary"]]  # it had caught real trouble
    # No other log-pipeline PR touches evidence-api's rejections.
    others = [p for p in pulls if p["repo"] == weak["repo"] and p is not weak
              and any("upload rejected" in f["patch"] for f in p["files"])]
    assert len(others) == 1 and others[0]["title"].startswith("claims: drop only avscan scan timeouts")
    # The contributor: the Android app retries every refused photo silently, merged between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "bramblecrest/claims-app-android"
    worker = next(f["patch"] for f in contrib["files"] if f["filename"].endswith("EvidenceUploadWorker.kt"))
    assert "-            response.code() in 500..599 -> Result.retry()" in worker and "+        return Result.retry()" in worker
    assert "Timber.i" in worker
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: a low-urgency 415 incident, Sentry's digest, the claims MI report; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"sentry-claims", "claims-mi"}
    digest = by_channel["sentry-claims"]
    assert digest["user"] in bots and "NEW `UploadError: Request failed with status code 415`" in digest["text"]
    assert epoch(impact) < float(digest["ts"]) < epoch(page["created_at"])
    mi = by_channel["claims-mi"]
    assert mi["user"] in bots and "photos at FNOL 54% (4-wk avg 81%)" in mi["text"] and impact[:10] in mi["text"]
    assert epoch(impact) < float(mi["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "415 UNSUPPORTED_TYPE" in low["title"] and low["resolved_at"] > page["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if i["title"].startswith("[evidence-api] EvidenceApi4xxRatio") and i is not low]
    assert len(routine) >= 10 and all(i["urgency"] == "low" and "415" not in i["title"] for i in routine)
    # The broker network reports in the shared channel; the product owner pages Claims Intake by hand, 30h in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "ext-castlegate-brokers" and report["user"] not in bots
    assert "Samsung" in report["text"] and float(report["ts"]) < epoch(page["created_at"])
    relay = next(m for m in messages if _channel_name(world, m["channel"]) == "claims-contact-centre"
                 and "140+ calls" in m["text"])
    assert report["ts"] < relay["ts"] and 0 < epoch(page["created_at"]) - float(relay["ts"]) < 3600
    assert _service_name(world, page["service"]) == "evidence-api" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 24 * 3600 < epoch(page["created_at"]) - epoch(impact) < 36 * 3600
    # The incident channel rules out the thumbnail deploy, avscan, Vector and Pawsure, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("thumbnail", "ConcurrentDatabaseReload",
                                                                              "0.44 -> 0.46", "pawsure")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "image/heif" in tie["text"]
    assert any(f"log-pipeline PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # The fix allows HEIF after the page; the drop rule is narrowed the next day; decoys shipped just before.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"] and '+    "image/heif",' in fix["files"][0]["patch"]
    narrow = next(p for p in pulls if p["title"].startswith("claims: drop only avscan scan timeouts"))
    assert narrow["repo"] == weak["repo"] and narrow["merged_at"] > fix["merged_at"]
    assert '.reject_code == "SCAN_TIMEOUT"' in narrow["files"][0]["patch"]
    thumbs = next(p for p in pulls if p["title"].startswith("Evidence viewer: make thumbnails"))
    assert thumbs["repo"] == trigger["repo"] and impact < thumbs["merged_at"] < page["created_at"]
    vector = next(p for p in pulls if p["title"] == "Vector 0.44.0 -> 0.46.1 on the aggregators")
    assert vector["repo"] == weak["repo"] and epoch(impact) - 2 * DAY < epoch(vector["merged_at"]) < epoch(impact)
    reload = next(p for p in pulls if p["title"].startswith("avscan: ConcurrentDatabaseReload yes"))
    assert reload["repo"] == "bramblecrest/avscan" and reload["merged_at"] < impact
    pawsure = next(p for p in pulls if p["title"].startswith("Vet invoices: upload straight to S3"))
    assert pawsure["repo"] == "bramblecrest/pawsure-claims" and pawsure["merged_at"][:10] == impact[:10]
    same_day = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
                and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert any(_service_name(world, i["service"]) == "auth-service" for i in same_day)
    assert impact.startswith("2025-04-15T08") and page["created_at"].startswith("2025-04-16T15")
    assert sum(i["must_see"] for i in truth["items"]) == 10
    _assert_served(world, truth)

