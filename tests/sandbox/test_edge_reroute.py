"""The edge-reroute world: a pool refactor gives fra1 a load-shedding health check, the 5xx alert goes to a quiet service."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds import load_world
from lookback.sandbox.worlds.builder import epoch
from lookback.sandbox.worlds.validate import check_truth, check_world
from tests.sandbox.test_worlds import _assert_served, _channel_name, _must, _objects, _service_name

DAY = 86_400.0


def test_edge_reroute_story() -> None:
    world, truth = load_world("edge-reroute")
    assert check_world(world) == []
    assert check_truth(world, truth) == []
    objects = _objects(world)
    page = objects[("pagerduty", truth["incident"]["id"])]
    impact = truth["impact_start"]
    bots = {u["id"] for u in world["slack"]["users"] if u["is_bot"]}
    pulls = world["github"]["pulls"]
    incidents = world["pagerduty"]["incidents"]
    events = world["pagerduty"]["change_events"]

    def one(role: str, source: str | None = None) -> dict[str, Any]:
        items = [i for i in _must(truth, role) if source in (None, i["source"])]
        assert len(items) == 1, role
        return objects[(items[0]["source"], items[0]["native_id"])]

    def patch(pull: dict[str, Any], name: str) -> str:
        return str(next(f["patch"] for f in pull["files"] if f["filename"] == name))

    # The trigger: the pool refactor; fra1 takes the module default, /ready on the admin port, a day before the page.
    trigger = one("trigger")
    assert trigger["repo"] == "signetry/edge-infra"
    variables = patch(trigger, "modules/backend_pool/variables.tf")
    assert '+    path                = "/ready"' in variables and "+    port                = 9090" in variables
    pools = patch(trigger, "envs/prod/api_pools.tf")
    fra1 = pools.split('+module "fra1_api" {', 1)[1].split("+}", 1)[0]
    assert "health_check" not in fra1 and 'failover_pool     = "arn1-api"' in fra1
    assert pools.count('+  health_check = { path = "/healthz", port = 8443') == 2
    assert any('port                = 8443 -> 9090' in c["body"] for c in trigger["comments"])
    apply = next(e for e in events if e["source"] == "terraform-apply"
                 and any(link["href"].endswith(f"/pull/{trigger['number']}") for link in e["links"]))
    assert _service_name(world, apply["service_ids"][0]) == "edge-gateway"
    assert trigger["merged_at"] < apply["timestamp"] < impact
    assert epoch(page["created_at"]) - epoch(trigger["merged_at"]) < 1.5 * DAY
    # Weeks earlier, in the monitoring-as-code repo: the 5xx alert re-routed to the low-urgency service.
    weak = one("detection_weakened")
    assert weak["repo"] == "signetry/pager-config"
    route = patch(weak, "alertmanager/routes/traffic.yaml")
    assert "-          receiver: pd-edge-gateway" in route and "+          receiver: pd-edge-notifications" in route
    assert "Edge5xxBurnRate" in route and "expr" not in route and "threshold" not in route
    assert 14 * DAY <= epoch(impact) - epoch(weak["merged_at"]) <= 35 * DAY
    burn = [i for i in incidents if "Edge5xxBurnRate" in i["title"]]
    noisy = [i for i in burn if i["created_at"] < weak["created_at"]]
    assert len(noisy) >= 5
    assert all(i["urgency"] == "high" and _service_name(world, i["service"]) == "edge-gateway" for i in noisy)
    assert epoch(weak["created_at"]) - epoch(noisy[-1]["created_at"]) < 2 * DAY
    after = [i for i in burn if i["created_at"] > weak["merged_at"]]
    assert after and all(i["urgency"] == "low" and _service_name(world, i["service"]) == "edge-notifications"
                         for i in after)
    assert all(e["type"] not in ("notify_log_entry", "acknowledge_log_entry") for i in after for e in i["log_entries"])
    # The contributor: arn1 pinned at 12 instances, autoscaling off, between the two.
    contrib = one("contributor")
    assert contrib["repo"] == "signetry/compute-infra"
    arn1 = patch(contrib, "regions/arn1/api.tf")
    assert "+  max_size      = 12" in arn1 and "+    enabled = false" in arn1
    assert weak["merged_at"] < contrib["merged_at"] < trigger["created_at"]
    # Early signals: the re-routed alert's low-urgency incident, Pingwhale from Europe, a developer in #random.
    low = one("early_signal", "pagerduty")
    assert low in after and impact < low["created_at"] < page["created_at"]
    assert epoch(low["created_at"]) - epoch(impact) < 15 * 60
    early = [objects[(i["source"], i["native_id"])] for i in _must(truth, "early_signal") if i["source"] == "slack"]
    by_channel = {_channel_name(world, m["channel"]): m for m in early}
    assert set(by_channel) == {"edge-ops", "random"}
    ping = by_channel["edge-ops"]
    assert ping["user"] in bots and "Frankfurt" in ping["text"] and "DOWN" in ping["text"]
    dev = by_channel["random"]
    assert dev["user"] not in bots and "timeouts from the EU" in dev["text"]
    assert all(epoch(impact) < float(m["ts"]) < epoch(page["created_at"]) for m in early)
    # Customer reports: a partner in the shared channel; support and a second partner too (not must-see).
    report = one("customer_report")
    assert _channel_name(world, report["channel"]) == "ext-huisbaas-signetry" and report["user"] not in bots
    assert "504" in report["text"] and epoch(impact) < float(report["ts"]) < epoch(page["created_at"])
    # Partner engineering pages the API on-call by hand, over two hours in.
    assert _service_name(world, page["service"]) == "public-api" and page["urgency"] == "high"
    assert page["log_entries"][0]["channel"]["type"] == "web_trigger" and not page["alerts"]
    assert sum(e["type"] == "notify_log_entry" for e in page["log_entries"]) >= 3
    assert 2 * 3600 < epoch(page["created_at"]) - epoch(impact) < 3 * 3600
    # The war room rules out the app deploy and the DNS change, then ties it to the trigger.
    tie = one("response", "slack")
    chat = sorted((m for m in world["slack"]["messages"] if m["channel"] == tie["channel"]), key=lambda m: m["ts"])
    bulk = next(p for p in pulls if p["title"].startswith("Bulk send: up to 500"))
    dns = next(p for p in pulls if p["title"].startswith("dns: api and app TTL"))
    herrings = [next(m["ts"] for m in chat if f"{p['repo']}#{p['number']}" in m["text"]) for p in (bulk, dns)]
    assert all(ts < tie["ts"] for ts in herrings)
    assert f"/pull/{trigger['number']}" in tie["text"] and ":9090/ready" in tie["text"]
    assert any(f"pager-config PR {weak['number']}" in m["text"] for m in chat)
    assert any(f"{contrib['repo']}#{contrib['number']}" in m["text"] for m in chat)
    # Decoys: the DNS TTL change applied the same day as the trigger; the app deployed in the hour before the page.
    assert dns["repo"] == trigger["repo"] and dns["merged_at"][:10] == trigger["merged_at"][:10]
    assert any(e["source"] == "terraform-apply" and any(link["href"].endswith(f"/pull/{dns['number']}")
                                                        for link in e["links"]) for e in events)
    deploy = next(e for e in events if e["summary"].startswith("Deploy public-api@" + bulk["merge_commit_sha"][:7]))
    assert 0 < epoch(page["created_at"]) - epoch(deploy["timestamp"]) < 3600 and deploy["timestamp"] > impact
    # The fix puts fra1 back on the liveness check after the page.
    fix = one("fix")
    assert fix["repo"] == trigger["repo"] and fix["merged_at"] > page["created_at"]
    assert f"/pull/{trigger['number']}" in fix["body"]
    assert '+  health_check = { path = "/healthz", port = 8443' in patch(fix, "envs/prod/api_pools.tf")
    assert impact.startswith("2025-03-12T07") and page["created_at"].startswith("2025-03-12T09")
    assert 8 <= sum(i["must_see"] for i in truth["items"]) <= 10
    _assert_served(world, truth)
