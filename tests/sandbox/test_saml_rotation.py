"""The saml-rotation world: the yearly SAML SP key rotation retires the old key at once, pinned IdPs can't sign in."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0
PINNED = ("ws_castellan", "ws_brightmoor", "ws_halvorsen", "ws_quarryvale", "ws_ostrander", "ws_nordhavn",
          "ws_tidewater")


def test_saml_rotation_story() -> None:
    world, truth = load_world("saml-rotation")
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

    # The trigger: the rotation PR activates sp-2025-04 and retires sp-2024-04 in the same change.
    trigger = one("trigger")
    assert trigger["repo"] == "taskloom/accounts"
    keys = next(f["patch"] for f in trigger["files"] if f["filename"] == "config/saml/sp_keys.yaml")
    assert "-    status: active\n+    status: retired" in keys and "+    status: active" in keys
    metadata = next(f["patch"] for f in trigger["files"] if f["filename"].endswith("metadata.golden.xml"))
    assert "-        <ds:KeyInfo><ds:KeyName>sp-2024-04" in metadata
    deploy = next(e for e in world["pagerduty"]["change_events"]
                  if any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert deploy["service_ids"] == [page["service"]]
    assert trigger["merged_at"] < deploy["timestamp"] < impact
    assert 0 < epoch(impact) - epoch(deploy["timestamp"]) < 600
    # Five weeks earlier, in observability: SAML leaves the paging login alert after one customer's IdP paged nightly.
    weak = one("detection_weakened")
    assert weak["repo"] == "taskloom/observability"
    rules = next(f["patch"] for f in weak["files"] if f["filename"] == "rules/accounts/logins.yaml")
    assert '-          sum(rate(accounts_login_attempts_total{outcome="failure"}[10m]))' in rules
    assert '+          sum(rate(accounts_login_attempts_total{method!="saml", outcome="failure"}[10m]))' in rules
    assert "+      - alert: SamlWorkspaceLoginFailures" in rules and "+          severity: warning" in rules
    assert 21 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 42 * DAY
    login = [i for i in incidents if i["title"].startswith("[accounts-service] LoginFailureRatioHigh")]
    noisy = [i for i in login if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5 and all(i["urgency"] == "high" and i["service"] == page["service"] for i in noisy)
    assert all("ws_kestrel" in i["alerts"][0]["summary"] for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    assert [i for i in login if i["created_at"] > weak["merged_at"]] == []
    # The contributor: keyrotate retires the previous key at rotation, merged between the two; and the notice
    # e-mail to pinned workspaces was deleted as unused before the new key was published.
    contrib = one("contributor")
    assert contrib["repo"] == trigger["repo"]
    rotate = next(f["patch"] for f in contrib["files"] if f["filename"] == "tools/keyrotate/rotate.go")
    assert "-\treturn ring.Set(prev.Kid, StatusDecryptOnly" in rotate
    assert "+\treturn ring.Set(prev.Kid, StatusRetired, now)" in rotate
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    [notice_item] = [i for i in truth["items"] if i["role"] == "contributor" and i["source"] == "github"
                     and not i["must_see"]]
    notice = objects[("github", notice_item["native_id"])]
    assert notice["repo"] == "taskloom/notifier"
    assert any("-  sso.sp_key.published: SsoMailer#sp_rotation_notice" in f["patch"] for f in notice["files"])
    prepublish = next(p for p in pulls if p["title"].startswith("SAML SP: publish sp-2025-04"))
    assert notice["merged_at"] < prepublish["merged_at"] < contrib["merged_at"]
    # Early signals: a low-urgency per-workspace incident, Authwatch's hourly anomaly, a CSM's remark; none paged.
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal")]
    by_channel = {_channel_name(world, m["channel"]): m for m in early if "channel" in m}
    assert set(by_channel) == {"auth-metrics", "customer-success"}
    hourly = by_channel["auth-metrics"]
    assert hourly["user"] in bots and "decrypt_failed" in hourly["text"] and "38.6%" in hourly["text"]
    assert epoch(impact) < float(hourly["ts"]) < epoch(page["created_at"])
    metrics = [m for m in world["slack"]["messages"] if m["channel"] == hourly["channel"]]
    assert not [m for m in metrics if "decrypt_failed" in m["text"] and float(m["ts"]) < epoch(impact)]
    remark = by_channel["customer-success"]
    assert remark["user"] not in bots and "SSO-114" in remark["text"]
    assert epoch(impact) < float(remark["ts"]) < epoch(page["created_at"])
    [low] = [e for e in early if "incident_number" in e]
    assert low["urgency"] == "low" and low["service"] == page["service"] and impact < low["created_at"]
    assert "ws_brightmoor" in low["title"] and "SamlWorkspaceLoginFailures" in low["title"]
    assert all(e["type"] != "notify_log_entry" for e in low["log_entries"])
    saml_low = [i for i in incidents if i["title"].startswith("[accounts-service] SamlWorkspaceLoginFailures")]
    assert all(i["urgency"] == "low" and i["created_at"] > weak["merged_at"] for i in saml_low)
    hit = {ws for ws in PINNED for i in saml_low if ws in i["title"]}
    assert hit == set(PINNED)
    assert all(i["created_at"] > impact for i in saml_low if any(ws in i["title"] for ws in PINNED))
    assert len([i for i in saml_low if not any(ws in i["title"] for ws in PINNED)]) >= 10
    # The big customer's account manager reports; the EU support lead pages by hand the next morning.
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "accounts-emea" and report["user"] not in bots
    assert "Castellan" in report["text"] and float(report["ts"]) < epoch(page["created_at"])
    reports = [objects[(i["source"], i["native_id"])] for i in truth["items"] if i["role"] == "customer_report"]
    assert {_channel_name(world, m["channel"]) for m in reports} >= {"support-escalations", "status-page"}
    assert _service_name(world, page["service"]) == "accounts-service" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 12 * 3600 < epoch(page["created_at"]) - epoch(impact) < 13 * 3600
    # The incident channel rules out the session deploy, the Google scopes, clock skew and the TLS cert, then ties it.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    herrings = [next(m["ts"] for m in chat if word in m["text"]) for word in ("07:10", "scopes", "clock skew",
                                                                               "wildcard")]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and "sp-2024-04" in tie["text"]
    assert any(f"observability PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    assert any(f"{notice['repo']}#{notice['number']}" in m["text"] for m in chat)
    # The fix re-adds the old key as decrypt-only after the page; decoys: the session deploy just before the page,
    # the Google scopes deploy before the rotation, the clock-skew change, the wildcard certificate.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert "+    status: decrypt_only" in fix["files"][0]["patch"]
    session = next(p for p in pulls if p["title"].startswith("Sessions: 'Keep me signed in'"))
    session_deploy = next(e for e in world["pagerduty"]["change_events"]
                          if e["summary"] == f"Deploy accounts-service@{session['merge_commit_sha'][:7]} to production")
    assert 0 < epoch(page["created_at"]) - epoch(session_deploy["timestamp"]) < 3600
    scopes = next(p for p in pulls if p["title"].startswith("Google sign-in: request only"))
    assert scopes["repo"] == trigger["repo"] and scopes["merged_at"] < trigger["merged_at"]
    skew = next(p for p in pulls if p["title"].startswith("SAML: tolerate 3 minutes of clock skew"))
    assert weak["merged_at"] < skew["merged_at"] < contrib["merged_at"]
    deploys = [e for e in world["pagerduty"]["change_events"] if e["service_ids"] == [page["service"]]
               and e["source"] == "ci-deploy" and impact < e["timestamp"] < page["created_at"]]
    assert deploys == [session_deploy]
    others = [i for i in incidents if impact < i["created_at"] < page["created_at"]
              and i["service"] != page["service"] and i["urgency"] == "high"]
    assert len(others) >= 2
    assert impact.startswith("2025-04-08T19") and page["created_at"].startswith("2025-04-09T07")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
