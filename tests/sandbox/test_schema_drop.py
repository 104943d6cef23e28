"""The schema-drop world: hq drops a column that export-worker's payroll register query still reads."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_schema_drop_story() -> None:
    world, truth = load_world("schema-drop")
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

    # The trigger: hq's contract migration drops employees.pay_group_id and pay_groups, deployed a quiet evening.
    trigger = one("trigger")
    assert trigger["repo"] == "rosterly/hq"
    mig = next(f for f in trigger["files"] if f["filename"].endswith("0188_drop_pay_group.py"))
    assert mig["status"] == "added"
    assert 'RemoveField(model_name="employee", name="pay_group")' in mig["patch"]
    assert 'DeleteModel(name="PayGroup")' in mig["patch"]
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"])
                  and e["source"] == "ci-deploy")
    assert _service_name(world, deploy["service_ids"][0]) == "hq-web"
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert deploy["timestamp"][11:13] in ("21", "22", "23")
    assert DAY < epoch(page["created_at"]) - epoch(deploy["timestamp"]) < 2 * DAY
    # The reader lives in another repo: export-worker's payroll register query joins the dropped column.
    query = next(p for p in pulls if p["title"].startswith("Payroll register: add cost_center column"))
    assert query["repo"] == "rosterly/export-worker"
    assert "e.pay_group_id" in query["files"][0]["patch"]

    # Weeks earlier, in error-tracking: psycopg errors leave export-worker's alert after the PG16 night pages.
    weak = one("detection_weakened")
    assert weak["repo"] == "rosterly/error-tracking"
    [rule] = weak["files"]
    assert rule["filename"] == "projects/export-worker.yaml"
    assert '+            - "psycopg.errors.*"' in rule["patch"] and "+          match: not_in" in rule["patch"]
    assert "- pagerduty: {service: export-worker" in rule["patch"]
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    sentry_pages = [i for i in incidents if i["title"].startswith("[export-worker] Sentry:")]
    noisy = [i for i in sentry_pages if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all(i["created_at"][11:13] in ("02", "03") for i in noisy)
    assert all(any(w in i["title"] for w in ("SerializationFailure", "OperationalError", "UndefinedFunction",
                                             "AdminShutdown")) for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in sentry_pages if i["created_at"] > weak["merged_at"]] == []
    pages_ch = next(c["id"] for c in world["slack"]["channels"] if c["name"] == "reporting-pages")
    assert not [m for m in messages if m["channel"] == pages_ch and "psycopg" in m["text"]
                and float(m["ts"]) > epoch(weak["merged_at"])]

    # The contributor: a failing export is skipped and retried tomorrow instead of failing the run.
    contrib = one("contributor")
    assert contrib["repo"] == "rosterly/export-worker"
    nightly = next(f["patch"] for f in contrib["files"] if f["filename"] == "export_worker/runs/nightly.py")
    assert "-        raise RunFailed(result)" in nightly and "mark_skipped(" in nightly
    assert "sentry_sdk.capture_exception(exc)" in nightly
    assert contrib["merged_at"] < weak["merged_at"] < trigger["created_at"]
    assert epoch(page["created_at"]) - epoch(contrib["merged_at"]) < 42 * DAY

    # Early signals: the run bot's skipped count, a low-urgency retry-queue alert, a CSM's question; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"export-runs", "eng-help"}
    run = by_channel["export-runs"]
    assert run["user"] in bots and "123 skipped" in run["text"]
    assert epoch(impact) < float(run["ts"]) < epoch(page["created_at"])
    runs = [m for m in messages if m["channel"] == run["channel"] and "nightly run" in m["text"]
            and " skipped (retry" in m["text"] and m["ts"] < run["ts"]]
    assert runs and all(int(m["text"].split(" skipped")[0].rsplit(" ", 1)[1]) < 50 for m in runs)
    ask = by_channel["eng-help"]
    assert ask["user"] not in bots and "payroll register" in ask["text"]
    assert epoch(impact) < float(ask["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    assert "retry queue" in low["title"]

    # The support lead escalates and pages Reporting by hand, two nights in.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "support-to-eng" and report["user"] not in bots
    assert "payroll register" in report["text"]
    assert 0 < epoch(page["created_at"]) - float(report["ts"]) < 3600
    assert _service_name(world, page["service"]) == "export-worker" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert DAY < epoch(page["created_at"]) - epoch(impact) < 2 * DAY

    # The incident channel rules out the SFTP vendor, the paramiko deploy and the replica parameter, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in messages if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("Filebridge", "paramiko", "30s")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "pay_group_id" in tie["text"]
    assert any(f"error-tracking PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)

    # The fix reads pay_schedules after the page; red herrings merged and deployed the day of the trigger.
    fix = one("fix")
    assert fix["repo"] == "rosterly/export-worker" and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    sql = next(f["patch"] for f in fix["files"] if f["filename"] == "export_worker/queries/payroll_register.sql")
    assert "-LEFT JOIN pay_groups pg ON pg.id = e.pay_group_id" in sql
    assert "+JOIN pay_schedules ps ON ps.id = e.pay_schedule_id" in sql
    sftp = next(p for p in pulls if p["title"].startswith("SFTP delivery: paramiko"))
    assert sftp["repo"] == fix["repo"] and sftp["merged_at"][:10] == deploy["timestamp"][:10] < impact
    param = next(p for p in pulls if p["title"].startswith("hq-db replicas: max_standby_streaming_delay"))
    assert param["repo"] == "rosterly/infra" and param["merged_at"][:10] == deploy["timestamp"][:10]
    assert any("Filebridge" in m["text"] and "Investigating" in m["text"]
               and epoch(impact) < float(m["ts"]) < epoch(page["created_at"]) for m in messages)
    others = [i for i in incidents if i["created_at"][:10] == page["created_at"][:10]
              and i["service"] != page["service"] and i["urgency"] == "high" and i["created_at"] < page["created_at"]]
    assert others
    assert impact.startswith("2025-04-15") and page["created_at"].startswith("2025-04-16T15")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
