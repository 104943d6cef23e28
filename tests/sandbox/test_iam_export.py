"""The iam-export world: a least-privilege IAM PR drops the export job's write access to month-end/, a wrapper that
no longer fails the run on a failed upload, and a notify step that e-mails links without checking the uploads."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_iam_export_story() -> None:
    world, truth = load_world("iam-export")
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

    # The trigger: the job role's s3:* becomes daily/ and staging/ only, from 14 days of CloudTrail.
    trigger = one("trigger")
    assert trigger["repo"] == "numera/cloud-iam"
    policy = next(f["patch"] for f in trigger["files"] if f["filename"] == "roles/period_export_job.tf")
    assert '-    actions = ["s3:*"]' in policy
    assert '+      "${local.client_exports_bucket_arn}/daily/*",' in policy
    assert not [line for line in policy.splitlines() if line.startswith("+") and "month-end" in line]
    assert "14 days" in trigger["body"]
    apply = next(e for e in world["pagerduty"]["change_events"]
                 if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                 and e["source"] == "atlantis")
    assert _service_name(world, apply["service_ids"][0]) == "aws-security"
    assert trigger["created_at"] < apply["timestamp"] < impact
    assert abs(epoch(trigger["merged_at"]) - epoch(apply["timestamp"])) < 3600
    assert 6 * DAY < epoch(impact) - epoch(apply["timestamp"]) < 8 * DAY
    # Weeks earlier, in the job's repo: the wrapper only fails the run on a failed snapshot, after Ratebridge pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "numera/period-export"
    script = next(f["patch"] for f in weak["files"] if f["filename"] == "bin/run-export.sh")
    assert "-set -euo pipefail" in script and "+set -uo pipefail" in script and "+exit 0" in script
    assert '+    if [[ "$step" == "snapshot" ]]; then' in script
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    cron = [i for i in incidents if i["title"].startswith("[period-export] Cronitor: period-export failed")]
    noisy = [i for i in cron if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("ratebridge" in i["alerts"][0]["summary"] and i["created_at"][11:13] == "01" for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in cron if i["created_at"] > weak["merged_at"]] == []
    # The contributor: notify builds links from the manifest, no HEAD per pack; merged between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "numera/period-export"
    notify = next(f["patch"] for f in contrib["files"] if f["filename"] == "period_export/notify.py")
    assert "-            s3.head_object(Bucket=run.bucket, Key=pack.key)" in notify
    assert "+    links = [(pack, files_link(pack.key" in notify
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    lifecycle = next(p for p in pulls if p["title"].startswith("client-exports bucket: expire staging/"))
    assert lifecycle["repo"] == "numera/infra" and lifecycle["merged_at"] < trigger["merged_at"]
    assert any(i["role"] == "contributor" and not i["must_see"] and i["native_id"].endswith(f"#{lifecycle['number']}")
               for i in truth["items"])
    # Early signals: CloudTrail Watch's deny burst, the run summary's 0 uploaded, a low-urgency 404 alert.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"sec-audit", "export-runs"}
    burst = by_channel["sec-audit"]
    assert burst["user"] in bots and "AccessDenied" in burst["text"] and "period-export-job" in burst["text"]
    assert "month-end/2024-09" in burst["text"] and epoch(impact) < float(burst["ts"]) < epoch(page["created_at"])
    audit = [m for m in messages if m["channel"] == burst["channel"] and m["ts"] < burst["ts"]]
    assert len(audit) > 100 and not [m for m in audit if "AccessDenied" in m["text"] and "period-export" in m["text"]]
    summary = by_channel["export-runs"]
    assert summary["user"] in bots and "exit 0" in summary["text"] and "6,214 built / 0 uploaded" in summary["text"]
    assert "failed step(s): upload" in summary["text"]
    assert epoch(impact) < float(summary["ts"]) < epoch(page["created_at"])
    runs = [m for m in messages if m["channel"] == summary["channel"] and "month-end packs" in m["text"]]
    assert [m for m in runs if m["ts"] < summary["ts"]] and all(
        " 0 uploaded" not in m["text"] for m in runs if m is not summary)
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "PackDownloads404" in low["title"] and all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    routine = [i for i in incidents if "PackDownloads404" in i["title"] and i is not low]
    assert len(routine) >= 5 and all(i["urgency"] == "low" and i["created_at"] < impact for i in routine)
    # Support relays the 404s the morning after; the page comes by hand the day after that.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-escalations" and report["user"] not in bots
    assert "404" in report["text"] and epoch(impact) < float(report["ts"]) < epoch(page["created_at"]) - 20 * 3600
    assert _service_name(world, page["service"]) == "period-export" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 24 * 3600 < epoch(page["created_at"]) - epoch(impact) < 36 * 3600
    csm = next(m for m in messages if _channel_name(world, m["channel"]) == "cs-escalations"
               and "Harrowgate & Pike" in m["text"] and m["text"].startswith("URGENT"))
    assert float(csm["ts"]) < epoch(page["created_at"])
    # The incident channel rules out the files-gateway deploy and the VAT template, then ties it to the IAM PR.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("files-gateway went out", "VAT page")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "14 days of CloudTrail" in tie["text"]
    assert any(f"period-export PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    assert any(f"{lifecycle['repo']}#{lifecycle['number']}" in m["text"] for m in chat)
    # The fix restores month-end/* after the page; decoys: other roles narrowed, the template, the gateway deploy.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert '+      "${local.client_exports_bucket_arn}/month-end/*",' in fix["files"][0]["patch"]
    narrowed = [p for p in pulls if p["repo"] == trigger["repo"] and p is not trigger and p["merged_at"]
                and "(SEC-5" in p["title"] and trigger["created_at"] < p["merged_at"] < impact]
    assert len(narrowed) >= 2
    template = next(p for p in pulls if p["title"].startswith("Month-end pack: VAT summary"))
    assert template["repo"] == weak["repo"] and trigger["merged_at"] < template["merged_at"] < impact
    gateway = next(e for e in world["pagerduty"]["change_events"] if e["summary"].startswith("Deploy files-gateway@")
                   and 0 < epoch(page["created_at"]) - epoch(e["timestamp"]) < 2 * 3600)
    assert _service_name(world, gateway["service_ids"][0]) == "files-gateway"
    others = [i for i in incidents if i["service"] != page["service"] and i["urgency"] == "high"
              and impact < i["created_at"] < page["created_at"]]
    assert {_service_name(world, i["service"]) for i in others} >= {"auth-service", "ledger-api"}
    follow = next(p for p in pulls if p["title"].startswith("run-export.sh: a failed upload or notify fails"))
    assert follow["merged_at"] > page["created_at"] and f"/pull/{weak['number']}" in follow["body"]
    assert impact.startswith("2024-10-01T01") and page["created_at"].startswith("2024-10-02T09")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
