"""World "edge-reroute": a Terraform refactor moves Signetry's three API backend pools onto a shared module whose
default health check is the new service template's `/ready` on the admin port; fra1 (Frankfurt) takes the default.
On the new template `/ready` returns 503 above 80% of a member's in-flight limit, so at the EU morning peak half of
fra1 fails the check, the pool drops below its minimum and fails over to arn1 (Stockholm), which a FinOps change had
pinned at 12 instances with autoscaling off: EU partners get 504s and timeouts in waves. Three weeks earlier the
edge availability alert had been routed to the low-urgency edge-notifications service after a week of pages caused
by the probe vendor's outage, so only low-urgency incidents, a synthetic bot and a developer's question show it until
partner engineering pages the API on-call by hand, two hours and seventeen minutes in."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import (
    DAY,
    NoiseTeam,
    TeamSpec,
    add_chat,
    add_deploys,
    add_incidents,
    add_joins,
    add_pulls,
)
from lookback.sandbox.worlds.scaffold import (
    HOUR,
    ConfigChange,
    bot_feed,
    config_pulls,
    open_scene,
    page_by_hand,
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

API = TeamSpec("api", "API", "public-api", "envelope-api", "api-team",
               ("envelopes", "templates", "webhooks", "signing", "bulk"),
               ("envelope create", "bulk send", "webhook retries", "signing session", "template merge fields",
                "PDF flattening", "audit trail export", "idempotency keys", "rate limiter", "in-flight limit"),
               ("envelope create p99 above 1.5s", "webhook delivery failures above 2%", "PDF render queue above 500",
                "signing session errors above 1%"), "go")
TRAFFIC = TeamSpec("traffic", "Traffic", "edge-gateway", "edge-infra", "traffic",
                   ("pools", "routes", "waf", "dns", "certs"),
                   ("backend pool", "route table", "WAF rule", "TLS cert", "anycast prefix", "edgectl provider",
                    "drain timeout", "failover drill", "health check", "upstream timeout"),
                   ("edge p99 above 800ms", "origin connect errors above 0.5%", "edgectl control plane sync lag",
                    "TLS handshake failures above 1%"), "go")
COMPUTE = TeamSpec("compute", "Compute", "compute-fleet", "compute-infra", "compute",
                   ("instance_groups", "images", "spot", "reservations"),
                   ("instance group", "base image", "spot ratio", "reserved instances", "render workers",
                    "node exporter", "disk size", "launch template"),
                   ("instance group below desired", "image bake failed", "spot interruptions above 10%"), "go")

STAFF = (("rasmus", "Rasmus Thorvaldsen"), ("chiamaka", "Chiamaka Obi"), ("benedikt", "Benedikt Auer"),
         ("tadeo", "Tadeo Villanueva"), ("svetlana", "Svetlana Greb"), ("casimir", "Casimir Wolanski"),
         ("zuzana", "Zuzana Horvath"), ("ragnhild", "Ragnhild Saether"), ("haruto", "Haruto Ishikawa"),
         ("farah", "Farah Siddiqui"), ("stellan", "Stellan Berglund"), ("femke", "Femke Jansen"))
OUTSIDERS = (("odalys", "Odalys Ferreira"), ("anselm", "Anselm Richter"), ("pavlina", "Pavlina Dimitrova"),
             ("jerome", "Jerome Baptiste"), ("ximena", "Ximena Robles"))
TRAFFIC_PEOPLE = ["rasmus", "chiamaka", "benedikt", "tadeo"]
TRAFFIC_ONCALL = ["benedikt", "tadeo", "chiamaka", "rasmus"]
API_PEOPLE = ["ragnhild", "haruto", "farah", "stellan"]
API_ONCALL = ["haruto", "farah", "stellan"]
COMPUTE_PEOPLE = ["casimir", "zuzana"]
PARTNER_ENG = ["odalys", "anselm"]
SUPPORT = ["pavlina", "jerome", "ximena"]

BURN = "Edge5xxBurnRate"
BURN_TITLE = "[edge-gateway] Edge5xxBurnRate: edge availability SLO burning fast (1h/5m)"
BURN_LOW_TITLE = "[edge-notifications] Edge5xxBurnRate: edge availability SLO burning fast (1h/5m)"

_POOLS = (("iad1-api", "iad1", 40), ("fra1-api", "fra1", 48), ("arn1-api", "arn1", 12))
_PARTNER_NOUNS = ("webhook signature", "embedded signing iframe", "bulk send limits", "sandbox keys",
                  "template API", "audit trail PDF", "OAuth app review", "rate limit headers", "SSO for signers")
_PARTNER_LINES = (
    "quick q about {noun}: is the behaviour in the docs still current?",
    "we're rolling out {noun} to our tenants next week, anything we should know?",
    "seeing a 429 now and then around {noun}, is that expected at ~40 rps?",
    "thanks for the help with {noun} last week, all working",
    "is there a changelog entry for {noun}? our QA flagged a difference",
    "can you check request id req_{rid}? {noun} returned something odd in sandbox",
)
_PE_NOUNS = ("Huisbaas renewal", "PayFolio SSO", "sandbox quota", "partner webhooks", "API changelog",
             "Q2 partner summit", "Kanzlei Berger onboarding", "rate limit exception", "embedded signing v3")
_PE_LINES = (
    "{noun}: call moved to thursday, notes in the partner doc",
    "who can look at {noun}? partner asked twice",
    "{noun} is blocked on legal, no action for us",
    "reminder: {noun} review at 15:00 CET",
    "updated the runbook for {noun}",
)
_SUPPORT_NOUNS = ("signing link expired", "2FA for signers", "reminder emails", "certificate of completion",
                  "seat upgrade", "SSO login", "invoice copy", "template sharing", "mobile signing")
_SUPPORT_LINES = (
    "customer asks about {noun}, macro still shows the old screenshots",
    "3 tickets about {noun} today, all user error as far as I can tell",
    "{noun}: escalated to tier 2, can someone from product confirm the behaviour?",
    "how do we handle {noun} refunds now?",
    "{noun}: customer on the enterprise plan wants a call",
)
_OBS_NOUNS = ("alert routing", "silence policy", "SLO dashboards", "burn-rate windows", "recording rules",
              "PagerDuty services", "Pingwhale checks", "runbook links")


def _edge_change(rng: random.Random) -> ConfigChange:
    """One generated PR of edge-infra (Terraform for the edge): members, WAF, routes, certs, DNS, provider."""
    ticket = f"TRAF-{rng.randrange(240, 330)}"
    k = rng.random()
    if k < 0.20:
        pool, pop, size = rng.choice(_POOLS[:2] + (("iad1-render", "iad1", 16), ("fra1-webhooks", "fra1", 8)))
        first = size + rng.randrange(1, 4)
        add = rng.random() < 0.6
        host = f"{pool.split('-')[1]}-{pop}-{first:02d}.int.signetry.example"
        return (f"{pool}: {'add' if add else 'remove'} {host.split('.')[0]}",
                rng.choice(("Hardware refresh.", f"Capacity review ({ticket}).", "Host retired by the DC team.")),
                [yaml_file("envs/prod/members.tf", yaml_patch(rng.randrange(10, 160), f"{pool.replace('-', '_')}_members = [", [
                    f'     "{pool.split("-")[1]}-{pop}-{first - 1:02d}.int.signetry.example",',
                    f'{"+" if add else "-"}    "{host}",']))])
    if k < 0.35:
        route = rng.choice(("/v2/envelopes/*/documents", "/v2/oauth/token", "/v2/templates", "/app/login",
                            "/v2/bulk_sends"))
        lim = rng.choice((50, 100, 200, 400))
        new_lim = lim + rng.choice((-25, 50, 100))
        return (f"WAF: {route} rate limit {lim} -> {new_lim} per client per minute",
                rng.choice(("Credential stuffing from two ASNs.", f"Partner hit the limit in a batch ({ticket}).")),
                [yaml_file("waf/rate_limits.tf", yaml_patch(rng.randrange(5, 90), 'resource "edgectl_waf_rule"', [
                    f'   match_path = "{route}"', f"-  limit      = {lim}", f"+  limit      = {new_lim}"]))])
    if k < 0.50:
        route = rng.choice(("/v2/envelopes/*/documents/*/pdf", "/v2/audit_trails", "/v2/bulk_sends", "/v2/exports"))
        a, c = rng.choice((("30s", "60s"), ("60s", "45s"), ("30s", "45s")))
        return (f"routes: upstream timeout for {route} {a} -> {c}", f"Large PDFs ({ticket}).",
                [yaml_file("envs/prod/routes.tf", yaml_patch(rng.randrange(10, 120), 'resource "edgectl_route"', [
                    f'   path             = "{route}"', f'-  upstream_timeout = "{a}"', f'+  upstream_timeout = "{c}"']))])
    if k < 0.62:
        name = rng.choice(("*.signetry.example", "*.app.signetry.example", "api.signetry.eu", "sign.signetry.example"))
        month = rng.choice(("Apr", "May", "Jun"))
        return (f"Rotate the {name} certificate (expires {month} {rng.randrange(1, 28)})", "Routine rotation.",
                [yaml_file("certs/edge.tf", yaml_patch(rng.randrange(4, 60), 'resource "edgectl_certificate"', [
                    f'   domain      = "{name}"', f'-  secret_ref  = "vault:edge/certs/{rng.randrange(100, 499)}"',
                    f'+  secret_ref  = "vault:edge/certs/{rng.randrange(500, 999)}"']))])
    if k < 0.74:
        sub = rng.choice(("status", "docs", "partners", "sandbox", "verify", "cdn"))
        return (f"dns: {sub}.signetry.example CNAME to the new target", f"{ticket}.",
                [yaml_file("dns/records.tf", yaml_patch(rng.randrange(20, 200), 'resource "edgectl_dns_record"', [
                    f'   name    = "{sub}"', f'-  value   = "{sub}-old.hosting.example"', f'+  value   = "{sub}.pages.example"']))])
    if k < 0.84:
        minor = rng.randrange(10, 15)
        return (f"edgectl provider 0.{minor}.x -> 0.{minor + 1}.0", "Routine provider bump, plan is empty.",
                [yaml_file("versions.tf", yaml_patch(5, "required_providers {", [
                    "     edgectl = {", f'-      version = "~> 0.{minor}.0"', f'+      version = "~> 0.{minor + 1}.0"']))])
    if k < 0.93:
        header = rng.choice(("Strict-Transport-Security", "Permissions-Policy", "X-Content-Type-Options"))
        return (f"edge: set {header} on app responses", f"Security review ({ticket}).",
                [yaml_file("envs/prod/headers.tf", yaml_patch(rng.randrange(4, 40), 'resource "edgectl_header_rule"', [
                    f'+  set {{ name = "{header}", value = "{rng.choice(("max-age=63072000", "nosniff", "camera=()"))}" }}']))])
    pool = rng.choice(("iad1-render", "fra1-webhooks", "iad1-webhooks"))
    a, c = rng.choice((("30s", "60s"), ("60s", "120s"), ("120s", "60s")))
    return (f"{pool}: drain timeout {a} -> {c}", "Long renders were cut during deploys.",
            [yaml_file("envs/prod/worker_pools.tf", yaml_patch(rng.randrange(4, 60), f'module "{pool.replace("-", "_")}"', [
                f'-  drain_timeout = "{a}"', f'+  drain_timeout = "{c}"']))])


def _compute_change(rng: random.Random) -> ConfigChange:
    """One generated PR of compute-infra: instance groups, images, spot, disks (never arn1's api group)."""
    ticket = f"FIN-{rng.randrange(100, 160)}" if rng.random() < 0.4 else f"CMP-{rng.randrange(400, 520)}"
    k = rng.random()
    group = rng.choice(("iad1/render", "fra1/render", "iad1/webhooks", "fra1/webhooks", "iad1/api", "fra1/api"))
    path = f"regions/{group.split('/')[0]}/{group.split('/')[1]}.tf"
    name = group.replace("/", "-")
    if k < 0.25:
        a, c = rng.choice((("c6i.2xlarge", "c7i.2xlarge"), ("m6i.xlarge", "m7i.xlarge"), ("c6i.4xlarge", "c6i.2xlarge")))
        return (f"{name}: {a} -> {c}", rng.choice(("Cheaper per render.", f"Benchmarks in {ticket}.")),
                [yaml_file(path, yaml_patch(rng.randrange(3, 20), "module", [f'-  instance_type = "{a}"',
                                                                           f'+  instance_type = "{c}"']))])
    if k < 0.45:
        lo = rng.choice((8, 12, 16, 20, 24))
        hi = lo + rng.choice((-4, 4, 8))
        return (f"{name}: min_size {lo} -> {hi}", rng.choice(("Weekday baseline moved.", f"{ticket}.")),
                [yaml_file(path, yaml_patch(rng.randrange(3, 20), "module", [f"-  min_size      = {lo}",
                                                                           f"+  min_size      = {hi}"]))])
    if k < 0.65:
        n = rng.randrange(1, 28)
        return (f"Base image 2025.{rng.choice(('01', '02', '03'))}.{n:02d}", "Monthly patching.",
                [yaml_file("images.auto.tfvars", yaml_patch(1, "", [f'-base_image = "signetry-base-2025.01.{n:02d}"',
                                                                     f'+base_image = "signetry-base-2025.02.{n:02d}"']))])
    if k < 0.80:
        was, now = rng.choice(((50, 70), (70, 60), (30, 50)))
        return (f"{name}: spot share {was}% -> {now}%", f"Spot savings review ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(10, 30), "spot = {", [f"-    on_demand_pct = {100 - was}",
                                                                              f"+    on_demand_pct = {100 - now}"]))])
    if k < 0.90:
        was, now = rng.choice(((50, 80), (80, 100), (100, 80)))
        return (f"{name}: root disk {was}G -> {now}G", "Render scratch space.",
                [yaml_file(path, yaml_patch(rng.randrange(10, 30), "module", [f"-  root_disk_gb  = {was}",
                                                                            f"+  root_disk_gb  = {now}"]))])
    return (f"{name}: cost-center tags", f"{ticket}: tags for the FinOps report.",
            [yaml_file(path, yaml_patch(rng.randrange(20, 40), "tags = {", [f'+    cost_center = "{rng.choice(("api", "render", "webhooks"))}"']))])


_OTHER_ALERTS = (("AuthLoginErrorRate", "identity"), ("WebFrontendErrors", "web"), ("EtlDagFailed", "data"),
                 ("EmailBounceRate", "growth"), ("NodeNotReady", "platform"), ("EnvelopeCreateLatency", "api"),
                 ("WebhookDeliveryFailures", "api"), ("RenderQueueBacklog", "compute"), ("EdgeP99Latency", "traffic"),
                 ("EdgeCertExpiry", "traffic"), ("SpotInterruptions", "compute"))


def _pager_change(rng: random.Random) -> ConfigChange:
    """One generated PR of pager-config: other alerts' rules, routes, silences and runbook links."""
    ticket = f"OBS-{rng.randrange(150, 240)}"
    alert, team = rng.choice(_OTHER_ALERTS)
    k = rng.random()
    if k < 0.22:
        a, c = rng.choice((("5m", "10m"), ("10m", "5m"), ("15m", "10m"), ("2m", "5m")))
        return (f"{alert}: for {a} -> {c}", rng.choice((f"On-call review ({ticket}).", "Fewer flaps.")),
                [yaml_file(f"rules/{team}.yaml", yaml_patch(rng.randrange(4, 60), "groups:", [
                    f"   - alert: {alert}", f"-    for: {a}", f"+    for: {c}"]))])
    if k < 0.40:
        return (f"{alert}: add runbook link", "Every page links a runbook.",
                [yaml_file(f"rules/{team}.yaml", yaml_patch(rng.randrange(4, 60), "annotations:", [
                    f"+      runbook_url: https://wiki.signetry.example/runbooks/{alert.lower()}"]))])
    if k < 0.52:
        a, c = rng.choice((("4h", "12h"), ("1h", "4h"), ("12h", "4h")))
        return (f"routes/{team}: repeat_interval {a} -> {c}", "Reminder pages too chatty.",
                [yaml_file(f"alertmanager/routes/{team}.yaml", yaml_patch(rng.randrange(4, 40), "routes:", [
                    f"-    repeat_interval: {a}", f"+    repeat_interval: {c}"]))])
    if k < 0.62 and team not in ("traffic",):
        return (f"{alert}: route to pd-{team}-notifications (low urgency)", rng.choice((
                    "Never actionable at night.", f"Agreed in the {team} on-call review ({ticket}).")),
                [yaml_file(f"alertmanager/routes/{team}.yaml", yaml_patch(rng.randrange(4, 40), "routes:", [
                    f'       - alertname = "{alert}"', f"-    receiver: pd-{team}", f"+    receiver: pd-{team}-notifications"]))])
    if k < 0.76:
        day = rng.randrange(1, 28)
        return (f"Silence {alert} during the {team} maintenance window", f"{ticket}, window 02:00-04:00 UTC.",
                [yaml_file(f"silences/2025-{rng.choice(('02', '03'))}-{day:02d}-{team}.yaml", yaml_patch(0, "", [
                    f"+matchers: [{{name: alertname, value: {alert}}}]", "+starts_at: 02:00Z", "+ends_at: 04:00Z"]),
                           status="added")])
    if k < 0.88:
        lo, hi = rng.choice(((0.01, 0.02), (0.05, 0.03), (0.02, 0.05)))
        return (f"{alert}: threshold {lo} -> {hi}", rng.choice(("Too quiet last month.", f"Fewer false pages ({ticket}).")),
                [yaml_file(f"rules/{team}.yaml", yaml_patch(rng.randrange(4, 60), "expr:", [
                    f"-    expr: {alert.lower()}:ratio5m > {lo}", f"+    expr: {alert.lower()}:ratio5m > {hi}"]))])
    return ("Recording rules: per-region request ratios", f"For the regional dashboards ({ticket}).",
            [yaml_file("rules/recording.yaml", yaml_patch(rng.randrange(10, 90), "rules:", [
                f"+  - record: region:{alert.lower()}:ratio5m",
                f"+    expr: sum by (region) ({alert.lower()}:ratio5m)"]))])


def _edge_line(trigger_live: float) -> Callable[[random.Random, float], str]:
    """Routine lines of the edge control plane bot in #edge-ops (fra1 members use /ready once the trigger is live)."""
    def line(rng: random.Random, t: float) -> str:
        pool, pop, size = rng.choice(_POOLS)
        member = f"api-{pop}-{rng.randrange(1, size + 1):02d}"
        k = rng.random()
        if k < 0.35:
            return f":construction: *edgectl* {pool}: draining {member} for deploy (0 connections after {rng.randrange(8, 60)}s)"
        if k < 0.60:
            check = "GET :9090/ready -> 503" if pop == "fra1" and t > trigger_live else "GET :8443/healthz timeout"
            return (f":warning: *edgectl* {pool}: {member} marked unhealthy ({check}), healthy again after "
                    f"{rng.randrange(10, 40)}s")
        if k < 0.80:
            pop2 = rng.choice(("ams", "fra", "iad", "ord", "arn", "lhr"))
            return f":lock: *edgectl* certificate *.signetry.example renewed on edge-{pop2}-{rng.randrange(1, 9)}"
        return f":white_check_mark: *edgectl* config sync: {rng.randrange(120, 180)} objects, 0 drift"
    return line


def _ping_line(rng: random.Random, t: float) -> str:
    """A routine Pingwhale line in #edge-ops: all green, or one location blinking."""
    if rng.random() < 0.7:
        return (":large_green_circle: *Pingwhale* 24h: api-us, api-eu, app-login, webhooks-echo up from 9/9 locations "
                f"({rng.uniform(99.9, 100):.2f}%)")
    where = rng.choice(("Sydney", "Mumbai", "Sao Paulo", "Oregon", "Tokyo"))
    return (f":large_orange_circle: *Pingwhale* {rng.choice(('api-us', 'app-login', 'webhooks-echo'))} DOWN from {where} "
            f"(1/9 locations), UP after {rng.randrange(1, 4)}m")


def _vendor_line(rng: random.Random, t: float) -> str:
    vendor, text = rng.choice((
        ("GitHub", "Incident with Actions: delayed job starts - resolved"),
        ("AWS", "Increased API error rates in eu-north-1 - resolved"),
        ("Postmark", "Delayed outbound email - monitoring"),
        ("Stripe", "Elevated API latency - resolved"),
        ("Twilio", "SMS delivery delays to some carriers - resolved"),
        ("Pingwhale", "Scheduled maintenance of the dashboard - completed"),
        ("Vault Cloud", "Scheduled maintenance - completed"),
    ))
    return f":newspaper: *{vendor} status*: {text}"


def _edge_summary(rng: random.Random, t: float, incident: bool) -> str:
    """The edge's traffic summary in #edge-ops: requests and 5xx per pool."""
    hour = int(iso(t)[11:13])
    eu = (0.2, 0.15, 0.15, 0.2, 0.3, 0.5, 0.75, 0.95, 1.0, 1.0, 0.95, 0.9, 0.85, 0.85, 0.9, 0.85, 0.7, 0.55, 0.45,
          0.4, 0.35, 0.3, 0.25, 0.2)[hour]
    us = (0.5, 0.4, 0.3, 0.25, 0.2, 0.2, 0.2, 0.25, 0.3, 0.35, 0.45, 0.55, 0.7, 0.85, 0.95, 1.0, 1.0, 0.95, 0.9,
          0.85, 0.8, 0.75, 0.7, 0.6)[hour]
    j = rng.uniform(0.93, 1.07)
    iad, fra, arn = 14.0 * us * j, 11.5 * eu * j, 0.5 * rng.uniform(0.8, 1.2)
    e_iad, e_fra, e_arn = (rng.uniform(0.01, 0.06) for _ in range(3))
    if incident:
        fra, arn = 11.5 * eu * j * rng.uniform(0.15, 0.3), 11.5 * eu * j * rng.uniform(0.7, 0.85) + 0.5
        e_fra, e_arn = rng.uniform(1.5, 3.5), rng.uniform(7.5, 12.5)
    return (f":bar_chart: *edgectl* 5m at {iso(t)[11:16]} · iad1-api {iad:.1f}k rps {e_iad:.2f}% 5xx · "
            f"fra1-api {fra:.1f}k rps {e_fra:.2f}% 5xx · arn1-api {arn:.1f}k rps {e_arn:.2f}% 5xx")


_WEAKENING = Change(
    author="benedikt", reviewer="svetlana", labels=("alerting", "on-call"),
    title="Route Edge5xxBurnRate to edge-notifications while Pingwhale is flapping (OBS-207)",
    body="Edge5xxBurnRate paged Traffic on-call 8 times since last Monday, 4 of them at night, and none of them was "
         "ours: the edge availability SLI counts failed Pingwhale checks as bad events (SLO doc, section 3), and "
         "Pingwhale's agents in Singapore, Sao Paulo and Johannesburg have been timing out since their incident "
         "PW-3391. Real edge 5xx stayed under 0.1% all week.\n\n"
         "Until Pingwhale publishes the RCA this sends the alert to the edge-notifications service instead of "
         "edge-gateway. It still opens an incident there (low urgency: PagerDuty app only, no calls or SMS). "
         "TRAF-298 to move it back.\n\n"
         "Same expression, same group_by. EdgeP99Latency and the other traffic alerts keep paging.",
    files=(("alertmanager/routes/traffic.yaml", """@@ -6,16 +6,19 @@ route:
   routes:
     - matchers:
         - team = "traffic"
       receiver: pd-edge-gateway
       group_by: [alertname, pool]
       routes:
         - matchers:
             - alertname = "Edge5xxBurnRate"
-          receiver: pd-edge-gateway
+          # TEMP (OBS-207, TRAF-298): Pingwhale's agents flap (PW-3391) and the SLI counts failed probes as bad
+          # events, so every flap paged. Back to pd-edge-gateway once Pingwhale's RCA is out.
+          receiver: pd-edge-notifications
           repeat_interval: 1h
         - matchers:
             - alertname =~ "EdgeCertExpiry|EdgeConfigDrift"
           receiver: pd-edge-notifications
           repeat_interval: 24h"""),
           ("tests/routing_test.yaml", """@@ -41,9 +41,9 @@
 - labels: {team: traffic, alertname: Edge5xxBurnRate, pool: fra1-api}
-  receiver: pd-edge-gateway
+  receiver: pd-edge-notifications
 - labels: {team: traffic, alertname: Edge5xxBurnRate, pool: iad1-api}
-  receiver: pd-edge-gateway
+  receiver: pd-edge-notifications
 - labels: {team: traffic, alertname: EdgeP99Latency, pool: fra1-api}
   receiver: pd-edge-gateway""")),
)

_CONTRIBUTOR = Change(
    author="casimir", reviewer="zuzana", labels=("finops", "arn1"),
    title="arn1 api: fixed at 12 instances, autoscaling off (FIN-143)",
    body="arn1-api is the EU standby. It serves ~4% of requests (the Nordic partners pinned to it) and takes fra1's "
         "traffic only if fra1 goes away completely, which has not happened since we opened fra1. Its autoscaler "
         "still carries the schedule from when arn1 ran the morning render batch: 12 -> 28 instances every weekday "
         "06:00-11:00 UTC, for nothing. That's ~$3.4k/month on demand; we hold 12 reserved instances there.\n\n"
         "Fixed size 12, autoscaling off. In a full fra1 outage we scale arn1 by hand (runbooks/arn1.md); the "
         "failover drill (TRAF-316) will tell us how long that takes.",
    files=(("regions/arn1/api.tf", """@@ -1,16 +1,14 @@
 module "arn1_api" {
   source        = "../../modules/instance_group"
   name          = "api-arn1"
   instance_type = "c6i.2xlarge"
   image         = var.api_image
-  min_size      = 12
-  max_size      = 36
+  # EU standby (FIN-143): the 12 reserved instances; scale by hand in a full fra1 outage, see runbooks/arn1.md.
+  min_size      = 12
+  max_size      = 12

   autoscaling = {
-    enabled        = true
-    target_cpu     = 55
-    scale_out_step = 4
-    schedule_min   = { "0 6 * * 1-5" = 28, "0 11 * * 1-5" = 12 }
+    enabled = false
   }
 }"""),
           ("runbooks/arn1.md", """@@ -12,3 +12,9 @@
 ## Draining arn1
 Set `arn1_api_weight = 0` in edge-infra and apply.
+
+## Full fra1 outage
+arn1-api is fixed at 12 instances (FIN-143). Before failing fra1 over for longer than a few minutes:
+
+    terraform -chdir=regions/arn1 apply -var arn1_api_size=30
+
+New instances take ~6 minutes to pass the edge health check.""")),
)

_TRIGGER = Change(
    author="rasmus", reviewer="chiamaka", labels=("terraform", "refactor"),
    title="Refactor: api pools onto modules/backend_pool, health check as a module variable (TRAF-311)",
    body="Part of TRAF-311 (one module for every pool). The three api pools were hand-written "
         "`edgectl_backend_pool` resources that had drifted apart (timeouts, algorithm, the health-check block "
         "pasted three times). They now use `modules/backend_pool` like the render and webhooks pools.\n\n"
         "- the module takes `health_check` as a variable; the default follows the service template (TRAF-290): "
         "`/ready` on the admin port 9090, every 5s, out after 2 failures\n"
         "- iad1 and arn1 still run the old template (no admin port), so they pass the old check explicitly\n"
         "- fra1 moved to the new template in January, so it takes the module default\n"
         "- `moved` blocks, so no pool is destroyed and recreated\n\n"
         "Plan: 0 to add, 1 to change, 0 to destroy (fra1-api's health check, see the plan comment). No member "
         "changes.",
    files=(("modules/backend_pool/main.tf", """@@ -1,22 +1,22 @@
 resource "edgectl_backend_pool" "this" {
   name              = var.name
   region            = var.region
   members           = var.members
   failover_pool     = var.failover_pool
   min_healthy_ratio = var.min_healthy_ratio

   health_check {
-    path                = "/healthz"
-    port                = 8443
-    interval            = "10s"
-    unhealthy_threshold = 3
+    path                = var.health_check.path
+    port                = var.health_check.port
+    interval            = var.health_check.interval
+    unhealthy_threshold = var.health_check.unhealthy_threshold
     healthy_threshold   = 2
     timeout             = "2s"
   }

   load_balancing {
     algorithm = "least_request"
   }
 }"""),
           ("modules/backend_pool/variables.tf", """@@ -22,3 +22,19 @@ variable "min_healthy_ratio" {
   type    = number
   default = 0.5
 }
+
+variable "health_check" {
+  description = "Active health check of the members. The default follows the service template (TRAF-290)."
+  type = object({
+    path                = string
+    port                = number
+    interval            = string
+    unhealthy_threshold = number
+  })
+  default = {
+    path                = "/ready"
+    port                = 9090
+    interval            = "5s"
+    unhealthy_threshold = 2
+  }
+}"""),
           ("envs/prod/api_pools.tf", """@@ -1,51 +1,33 @@
-resource "edgectl_backend_pool" "iad1_api" {
-  name          = "iad1-api"
-  region        = "us-east"
-  members       = local.iad1_api_members
-  failover_pool = "iad1-api-b"
-
-  health_check {
-    path                = "/healthz"
-    port                = 8443
-    interval            = "10s"
-    unhealthy_threshold = 3
-    healthy_threshold   = 2
-  }
-}
+module "iad1_api" {
+  source        = "../../modules/backend_pool"
+  name          = "iad1-api"
+  region        = "us-east"
+  members       = local.iad1_api_members
+  failover_pool = "iad1-api-b"
+  # old service template, no admin port yet
+  health_check = { path = "/healthz", port = 8443, interval = "10s", unhealthy_threshold = 3 }
+}

-resource "edgectl_backend_pool" "fra1_api" {
-  name              = "fra1-api"
-  region            = "eu-central"
-  members           = local.fra1_api_members
-  failover_pool     = "arn1-api"
-  min_healthy_ratio = 0.5
-
-  health_check {
-    path                = "/healthz"
-    port                = 8443
-    interval            = "10s"
-    unhealthy_threshold = 3
-    healthy_threshold   = 2
-  }
-}
+module "fra1_api" {
+  source            = "../../modules/backend_pool"
+  name              = "fra1-api"
+  region            = "eu-central"
+  members           = local.fra1_api_members
+  failover_pool     = "arn1-api"
+  min_healthy_ratio = 0.5
+  # new service template since TRAF-290: module default health check
+}

-resource "edgectl_backend_pool" "arn1_api" {
-  name          = "arn1-api"
-  region        = "eu-north"
-  members       = local.arn1_api_members
-  failover_pool = "fra1-api"
-
-  health_check {
-    path                = "/healthz"
-    port                = 8443
-    interval            = "10s"
-    unhealthy_threshold = 3
-    healthy_threshold   = 2
-  }
-}
+module "arn1_api" {
+  source        = "../../modules/backend_pool"
+  name          = "arn1-api"
+  region        = "eu-north"
+  members       = local.arn1_api_members
+  failover_pool = "fra1-api"
+  # old service template, no admin port yet
+  health_check = { path = "/healthz", port = 8443, interval = "10s", unhealthy_threshold = 3 }
+}"""),
           ("envs/prod/moved.tf", """@@ -0,0 +1,14 @@
+# TRAF-311: the api pools moved onto modules/backend_pool without being recreated.
+moved {
+  from = edgectl_backend_pool.iad1_api
+  to   = module.iad1_api.edgectl_backend_pool.this
+}
+moved {
+  from = edgectl_backend_pool.fra1_api
+  to   = module.fra1_api.edgectl_backend_pool.this
+}
+moved {
+  from = edgectl_backend_pool.arn1_api
+  to   = module.arn1_api.edgectl_backend_pool.this
+}""")),
)

_PLAN = ("#### Terraform plan: `envs/prod` :white_check_mark:\n\n```\n"
         "  # module.fra1_api.edgectl_backend_pool.this will be updated in-place\n"
         "  # (moved from edgectl_backend_pool.fra1_api)\n"
         "  ~ resource \"edgectl_backend_pool\" \"this\" {\n"
         "        name = \"fra1-api\"\n"
         "      ~ health_check {\n"
         "          ~ interval            = \"10s\" -> \"5s\"\n"
         "          ~ path                = \"/healthz\" -> \"/ready\"\n"
         "          ~ port                = 8443 -> 9090\n"
         "          ~ unhealthy_threshold = 3 -> 2\n"
         "            # (2 unchanged attributes hidden)\n"
         "        }\n"
         "    }\n\n"
         "Plan: 0 to add, 1 to change, 0 to destroy.\n```\n"
         "*Workflow: `terraform-plan`, run 8812*")

_FIX = Change(
    author="rasmus", reviewer="chiamaka", labels=("incident", "terraform"),
    title="fra1-api: health check back to /healthz on 8443; module default is the liveness check (EU timeouts)",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} fra1-api used the module default check, `/ready` on 9090 "
         "every 5s with 2 failures. On the new service template `/ready` answers 503 while a member is above 80% of "
         "its in-flight limit (it tells the mesh to stop sending bulk renders), so at the EU morning peak half of "
         "fra1 failed the check within 10 seconds, the pool fell below min_healthy_ratio 0.5 and failed over to "
         "arn1-api, which has 12 instances since {{url:contributor}}. It kept failing over and back every few "
         "minutes.\n\n"
         "fra1 uses the liveness check again (`/healthz` on 8443, 10s, 3 failures) like the other pools, and the "
         "module default becomes the liveness check so no pool picks up `/ready` by accident.",
    files=(("envs/prod/api_pools.tf", """@@ -17,7 +17,8 @@ module "fra1_api" {
   members           = local.fra1_api_members
   failover_pool     = "arn1-api"
   min_healthy_ratio = 0.5
-  # new service template since TRAF-290: module default health check
+  # Liveness, not readiness: /ready sheds load at 80% in-flight and took half the pool out at peak.
+  health_check = { path = "/healthz", port = 8443, interval = "10s", unhealthy_threshold = 3 }
 }"""),
           ("modules/backend_pool/variables.tf", """@@ -31,9 +31,10 @@ variable "health_check" {
     unhealthy_threshold = number
   })
   default = {
-    path                = "/ready"
-    port                = 9090
-    interval            = "5s"
-    unhealthy_threshold = 2
+    # Liveness. Never /ready: it answers 503 under load by design (service template, TRAF-290).
+    path                = "/healthz"
+    port                = 8443
+    interval            = "10s"
+    unhealthy_threshold = 3
   }
 }""")),
)

_FOLLOW_ROUTE = Change(
    author="benedikt", reviewer="svetlana", labels=("alerting", "incident"),
    title="Edge5xxBurnRate pages edge-gateway again; Pingwhale failures get their own low-urgency alert",
    body="Follow-up of {{incurl:page}}. {{url:weakening}} sent Edge5xxBurnRate to edge-notifications during "
         "Pingwhale's outage in February and it was never moved back (TRAF-298). On the incident morning it opened "
         "two low-urgency incidents (07:47 and 08:31 UTC) that nobody saw for two hours.\n\n"
         "The SLI no longer counts Pingwhale checks; they get `EdgeSyntheticFailing` at low urgency. "
         "Edge5xxBurnRate routes to pd-edge-gateway again.",
    files=(("alertmanager/routes/traffic.yaml", """@@ -13,9 +13,9 @@ route:
         - matchers:
             - alertname = "Edge5xxBurnRate"
-          # TEMP (OBS-207, TRAF-298): Pingwhale's agents flap (PW-3391) and the SLI counts failed probes as bad
-          # events, so every flap paged. Back to pd-edge-gateway once Pingwhale's RCA is out.
-          receiver: pd-edge-notifications
+          receiver: pd-edge-gateway
           repeat_interval: 1h
+        - matchers:
+            - alertname = "EdgeSyntheticFailing"
+          receiver: pd-edge-notifications"""),
           ("rules/traffic.yaml", """@@ -20,4 +20,4 @@ groups:
   - record: edge:bad_events:rate5m
-    expr: sum(rate(edge_responses_total{code=~"5.."}[5m])) + sum(rate(pingwhale_check_failures_total[5m]))
+    expr: sum(rate(edge_responses_total{code=~"5.."}[5m]))""")),
)

_FOLLOW_SCALE = Change(
    author="casimir", reviewer="chiamaka", labels=("incident", "arn1"),
    title="arn1 api: autoscaling back on (min 12, max 36, target CPU 55%)",
    body="Follow-up of {{incurl:page}}. With autoscaling off since {{url:contributor}}, arn1 stayed at 12 instances "
         "while it took most of fra1's traffic. Autoscaling is back without the old render schedule: the 12 "
         "reserved instances stay the floor.",
    files=(("regions/arn1/api.tf", """@@ -5,10 +5,11 @@ module "arn1_api" {
-  # EU standby (FIN-143): the 12 reserved instances; scale by hand in a full fra1 outage, see runbooks/arn1.md.
   min_size      = 12
-  max_size      = 12
+  max_size      = 36

   autoscaling = {
-    enabled = false
+    enabled    = true
+    target_cpu = 55
   }
 }"""),),
)


def build_edge_reroute(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the edge-reroute world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="edge-reroute", seed=2025_03_12, org="signetry", team_name="Traffic",
                    page_at="2025-03-12T09:58:00Z", impact_start="2025-03-12T07:41:00Z",
                    noise_teams=("identity", "web", "data", "growth", "platform"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("edgectl", "edgectl"), ("pingwhale", "Pingwhale"), ("tfapply", "terraform-apply"),
                      ("statusfeed", "Status Feeds"), ("alertmanager", "Alertmanager")):
        b.person(key, name, github=False, is_bot=True)
    b.person("maarten", "Maarten de Groot", github=False, email="maarten.degroot@huisbaas.example",
             tz="Europe/Amsterdam")
    b.person("henrike", "Henrike Vogt", github=False, email="h.vogt@payfolio.example", tz="Europe/Berlin")
    for key in ("femke", "rasmus", "benedikt", "tadeo", "ragnhild", "odalys"):
        b.people[key].tz = "Europe/Berlin"
    identity, web = sc.team("identity"), sc.team("web")

    # Traffic, API, Compute: PagerDuty, channels, repos ---------------------------------------------------------
    t_team = b.team("Traffic")
    traffic_people = TRAFFIC_PEOPLE + sc.crowd[20:22]
    t_policy = b.policy("Traffic on-call", t_team, TRAFFIC_ONCALL)
    edge_svc = b.service("edge-gateway", "Signetry edge: anycast proxies, backend pools, WAF, TLS", t_policy, t_team,
                         iso(start - 720 * DAY))
    n_policy = b.policy("Traffic notifications (low urgency)", t_team, TRAFFIC_ONCALL[:2])
    notif_svc = b.service("edge-notifications", "Low-urgency notices for Traffic: cert renewals, config drift. "
                          "No calls or SMS.", n_policy, t_team, iso(start - 400 * DAY))
    a_team = b.team("API")
    a_policy = b.policy("API on-call", a_team, API_ONCALL)
    api_svc = b.service("public-api", "Signetry public API (envelope-api) in iad1, fra1 and arn1", a_policy, a_team,
                        iso(start - 900 * DAY))
    c_team = b.team("Compute")
    compute_people = COMPUTE_PEOPLE + sc.crowd[22:24]
    c_policy = b.policy("Compute on-call", c_team, compute_people[:3])
    compute_svc = b.service("compute-fleet", "Instance groups, images and reservations", c_policy, c_team,
                            iso(start - 650 * DAY))

    tr_ch = b.channel("traffic", "Traffic team: edge, pools, DNS, WAF", "Traffic team", start - 640 * DAY, "chiamaka")
    eo_ch = b.channel("edge-ops", "edgectl events, Pingwhale checks, edge traffic", "Edge events",
                      start - 420 * DAY, "rasmus")
    ap_ch = b.channel("infra-applies", "terraform-apply runs of edge-infra and compute-infra", "CI applies",
                      start - 380 * DAY, "chiamaka")
    api_ch = b.channel("api-team", "envelope-api: envelopes, templates, webhooks", "API team", start - 700 * DAY,
                       "ragnhild")
    cm_ch = b.channel("compute", "Compute and FinOps", "Instance groups, images, cost", start - 500 * DAY, "casimir")
    ob_ch = b.channel("observability", "Alert rules, routing, SLOs (pager-config)", "Observability",
                      start - 450 * DAY, "svetlana")
    vs_ch = b.channel("vendor-status", "Status pages of our vendors", "Vendor status feeds", start - 300 * DAY,
                      "svetlana")
    pe_ch = b.channel("partner-eng", "Partner engineering", "Integrations and partner escalations",
                      start - 600 * DAY, "odalys")
    hb_ch = b.channel("ext-huisbaas-signetry", "Shared channel with Huisbaas (Slack Connect)", "Huisbaas x Signetry",
                      start - 260 * DAY, "odalys")
    pf_ch = b.channel("ext-payfolio-signetry", "Shared channel with PayFolio (Slack Connect)", "PayFolio x Signetry",
                      start - 200 * DAY, "anselm")
    hd_ch = b.channel("help-desk-tier2", "Support tier 2: escalations to engineering", "Support", start - 700 * DAY,
                      "pavlina")
    edge_repo = b.repo("edge-infra", "Terraform for the edge: pools, routes, WAF, certs, DNS; CI applies main",
                       iso(start - 800 * DAY))
    compute_repo = b.repo("compute-infra", "Terraform for instance groups and images; CI applies main",
                          iso(start - 760 * DAY))
    pager_repo = b.repo("pager-config", "Alert rules and Alertmanager routing to PagerDuty (monitoring as code)",
                        iso(start - 540 * DAY))
    api_repo = b.repo("envelope-api", "The public API: envelopes, templates, webhooks (Go)", iso(start - 950 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------
    n = sc.scale
    api_people = API_PEOPLE + sc.crowd[24:27]
    obs_people = ["svetlana"] + sc.crowd[27:29] + ["benedikt"]
    api = NoiseTeam(API, api_people, api_repo, api_ch, api_svc, a_policy)
    traffic = NoiseTeam(TRAFFIC, traffic_people, edge_repo, tr_ch, edge_svc, t_policy)
    compute = NoiseTeam(COMPUTE, compute_people, compute_repo, cm_ch, compute_svc, c_policy)
    add_pulls(b, api, 90 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}
    trigger_live = epoch("2025-03-11T15:26:00Z")

    def applied(pull: dict[str, Any], at: float, svc: str, workspace: str, changed: int) -> dict[str, Any]:
        """CI's terraform-apply job for a merged PR: a change event linking the PR, and its line in #infra-applies."""
        handle = next(h for h, p in b.handles.items() if p is pull)
        sha7 = pull["merge_commit_sha"][:7]
        who = by_login[pull["user"]]
        repo = pull["repo"].split("/")[1]
        ev = b.change_event(svc, f"terraform apply {repo}@{sha7} ({workspace}): {changed} changed", at,
                            "terraform-apply", links=[{"href": "{{url:" + handle[3:] + "}}", "text": pull["title"]}],
                            details={"workspace": workspace, "job": "terraform-apply", "actor": who,
                                     "environment": "production"})
        b.templated.append((ev["links"][0], "href"))
        b.say(ap_ch, at + 30, "tfapply", f":white_check_mark: *terraform-apply* `{repo}` {workspace} @ `{sha7}`: "
              f"Apply complete! Resources: 0 added, {changed} changed, 0 destroyed. ({pull['title']}, "
              f"merged by <@{b.people[by_login[pull['merged_by']]].slack_id}>)")
        return ev

    def on_edge_merge(pull: dict[str, Any]) -> None:
        applied(pull, epoch(pull["merged_at"]) + rng.uniform(240, 900), edge_svc, "prod", rng.randrange(1, 4))

    def on_compute_merge(pull: dict[str, Any]) -> None:
        region = next((r for r in ("iad1", "fra1", "arn1") if any(r in f["filename"] for f in pull["files"])), "global")
        applied(pull, epoch(pull["merged_at"]) + rng.uniform(240, 900), compute_svc, f"prod-{region}",
                rng.randrange(1, 6))

    def on_pager_merge(pull: dict[str, Any]) -> None:
        reloaded(pull)

    def reloaded(pull: dict[str, Any]) -> dict[str, Any]:
        """Alertmanager reloads from each merged pager-config PR: a line in #observability."""
        sha7 = pull["merge_commit_sha"][:7]
        return b.say(ob_ch, epoch(pull["merged_at"]) + rng.uniform(90, 300), "alertmanager",
                     f":arrows_counterclockwise: config reloaded from pager-config@{sha7} ({pull['title']}): "
                     f"{len(pull['files'])} file(s), routing tests passed")

    config_pulls(b, edge_repo, traffic_people, 65 * n, start - 60 * DAY, end, _edge_change, on_merge=on_edge_merge)
    config_pulls(b, compute_repo, compute_people + sc.crowd[10:12], 40 * n, start - 60 * DAY, end, _compute_change,
                 on_merge=on_compute_merge)
    config_pulls(b, pager_repo, obs_people + ["tadeo", "farah"], 45 * n, start - 60 * DAY, end, _pager_change,
                 on_merge=on_pager_merge)

    def links_of(*repos: str) -> list[str]:
        return [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in repos][-150:]

    add_chat(b, tr_ch, traffic_people, TRAFFIC.nouns, 150 * n, start, end, links=links_of(edge_repo))
    add_chat(b, api_ch, api_people, API.nouns, 130 * n, start, end, links=links_of(api_repo))
    add_chat(b, cm_ch, compute_people + sc.crowd[10:12], COMPUTE.nouns, 55 * n, start, end,
             links=links_of(compute_repo))
    add_chat(b, ob_ch, obs_people + ["tadeo"], _OBS_NOUNS, 55 * n, start, end, links=links_of(pager_repo))
    add_chat(b, pe_ch, PARTNER_ENG + ["haruto", "pavlina"], _PE_NOUNS, 60 * n, start, end, lines=_PE_LINES,
             thread_rate=0.5)
    rid = "".join(rng.choice("abcdef0123456789") for _ in range(10))
    add_chat(b, hb_ch, ["maarten", "odalys", "anselm"], _PARTNER_NOUNS, 30 * n, start, end,
             lines=tuple(x.replace("{rid}", rid) for x in _PARTNER_LINES), thread_rate=0.7)
    add_chat(b, pf_ch, ["henrike", "anselm", "odalys"], _PARTNER_NOUNS, 25 * n, start, end,
             lines=tuple(x.replace("{rid}", rid[::-1]) for x in _PARTNER_LINES), thread_rate=0.7)
    add_chat(b, hd_ch, SUPPORT + ["odalys", "farah"], _SUPPORT_NOUNS, 70 * n, start, end, lines=_SUPPORT_LINES,
             thread_rate=0.6)
    for ch, joiners in ((tr_ch, traffic_people), (api_ch, api_people), (hd_ch, SUPPORT), (pe_ch, PARTNER_ENG),
                        (ob_ch, obs_people), (eo_ch, traffic_people), (cm_ch, compute_people)):
        add_joins(b, ch, joiners, start, end, 3)
    quiet_from, quiet_to = T - 2 * DAY, T + 1 * DAY
    for team, count, ch in ((api, 9, sc.common["alerts"]), (traffic, 7, sc.common["alerts"]),
                            (compute, 5, sc.common["alerts"])):
        add_incidents(b, team, count * n, start, quiet_from, ch, incident_channels=False)
        add_incidents(b, team, 1, quiet_to, end, ch, incident_channels=False)
    add_deploys(b, api, int(40 * n), start, T - 4 * HOUR, sc.common["deploys"])
    add_deploys(b, api, int(3 * n), T + 4 * HOUR, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, eo_ch, "edgectl", 3 * days * n, start, end, _edge_line(trigger_live))
    bot_feed(b, vs_ch, "statusfeed", days * n // 2, start, end, _vendor_line)
    # Pingwhale's daily summary and blinks, except during its February agent outage (below).
    outage = (epoch("2025-02-09T20:00:00Z"), epoch("2025-02-21T18:00:00Z"))
    for _ in range(int(1.5 * days * n)):
        t = rng.uniform(start, end)
        if not outage[0] <= t <= outage[1] and not T - 6 * HOUR <= t <= T + 2 * HOUR:
            b.say(eo_ch, t, "pingwhale", _ping_line(rng, t))
    # The edge-notifications service: low-urgency notices nobody acknowledges.
    notices = ("[edge-notifications] EdgeCertExpiry: *.app.signetry.example expires in 21 days",
               "[edge-notifications] EdgeConfigDrift: pool iad1-render differs from Terraform state",
               "[edge-notifications] EdgeConfigDrift: route /v2/exports differs from Terraform state",
               "[edge-notifications] EdgeCertExpiry: api.signetry.eu expires in 14 days",
               "[edge-notifications] WAF rule credential-stuffing hit rate above 500/min")
    for _ in range(26 * n):
        t = rng.uniform(start, end)
        title = rng.choice(notices)
        b.incident(notif_svc, title, t, urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(2, 30) * HOUR, alert_key="alertmanager/" + title.split("] ")[1][:40],
                   severity="warning")
    # The edge's traffic summary every three hours (every half hour on the incident morning).
    impact = epoch("2025-03-12T07:41:00Z")
    fixed = epoch("2025-03-12T10:29:00Z")
    slot = start - start % DAY
    while slot < end:
        m = b.say(eo_ch, slot + rng.uniform(5, 50), "edgectl", _edge_summary(rng, slot, impact <= slot < fixed))
        if iso(slot) == "2025-03-12T08:00:00Z":
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the edge's traffic summary: most of fra1's traffic on arn1, with 5xx there")
        morning = epoch("2025-03-12T06:00:00Z") <= slot < epoch("2025-03-12T12:00:00Z")
        slot += 0.5 * HOUR if morning else 3 * HOUR

    # Feb 9-17: Pingwhale's agents flap, Edge5xxBurnRate pages Traffic on-call --------------------------------
    pw = b.say(vs_ch, epoch("2025-02-09T21:12:00Z"), "statusfeed", ":newspaper: *Pingwhale status*: Probe agents in "
               "ap-southeast-1, sa-east-1 and af-south-1 reporting false timeouts (PW-3391) - investigating")
    tr.add("slack", pw, "context", must_see=False, group="detection",
           why="the probe vendor's outage that made the edge availability alert page for a week")
    b.say(vs_ch, epoch("2025-02-13T10:40:00Z"), "statusfeed", ":newspaper: *Pingwhale status*: Probe agents reporting "
          "false timeouts (PW-3391) - identified, mitigation in progress")
    for _ in range(40):
        t = rng.uniform(*outage)
        where = rng.sample(("Singapore", "Sao Paulo", "Johannesburg"), k=rng.randrange(2, 4))
        b.say(eo_ch, t, "pingwhale", f":red_circle: *Pingwhale* {rng.choice(('api-us', 'api-eu', 'app-login'))} DOWN "
              f"from {', '.join(where)} ({len(where)}/9 locations): timeout after 10s")
        b.say(eo_ch, t + rng.uniform(120, 900), "pingwhale", ":large_green_circle: *Pingwhale* UP from all locations")
    noisy_at = ("2025-02-10T14:22:00Z", "2025-02-11T02:47:00Z", "2025-02-11T19:05:00Z", "2025-02-12T23:31:00Z",
                "2025-02-13T08:16:00Z", "2025-02-14T03:55:00Z", "2025-02-15T16:40:00Z", "2025-02-17T03:12:00Z")
    noisy_notes = ("edge 5xx 0.06%, it's Pingwhale's sin/gru agents timing out (PW-3391). resolving",
                   "Pingwhale again, real 5xx flat. resolving")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = TRAFFIC_ONCALL[(i // 2) % len(TRAFFIC_ONCALL)]
        inc = b.incident(edge_svc, BURN_TITLE, t, responders=[who, TRAFFIC_ONCALL[(i // 2 + 1) % 4]],
                         ack_after=150 + 40 * i, resolve_after=1500 + 120 * i, handle=f"noisy{i}",
                         alert_key=f"alertmanager/{BURN}/{('iad1-api', 'fra1-api')[i % 2]}",
                         alert_summary=f"edge bad events {rng.uniform(1.6, 3.1):.1f}% over 5m (edge 5xx 0.0{i % 7 + 2}%, "
                                       f"pingwhale_check_failures from sin, gru, jnb)",
                         notes=[(who, noisy_notes[i % 2], 600.0)] if i % 3 != 2 else None)
        b.say(sc.common["alerts"], t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|"
              f"#{{{{inc:noisy{i}}}}}> {BURN_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the Edge5xxBurnRate pages caused by Pingwhale's outage that led to the re-route")
    grumbles = (("2025-02-11T08:05:00Z", "benedikt", "Edge5xxBurnRate woke me at 02:47. edge 5xx 0.06%, it's "
                 "pingwhale's sin+gru agents timing out again. their status page says 'investigating' since sunday"),
                ("2025-02-12T09:20:00Z", "tadeo", "and again at 23:31 :upside_down_face: the SLI counts failed probes "
                 "as bad events, so their outage burns our budget"),
                ("2025-02-13T15:02:00Z", "chiamaka", "Pingwhale support: no ETA for PW-3391, 'mitigation in "
                 "progress'"),
                ("2025-02-15T17:10:00Z", "rasmus", "16:40 one was pingwhale too. that's 7"),
                ("2025-02-17T08:40:00Z", "benedikt", "03:12 this time. 8 pages in a week, 0 of them ours. can we send "
                 "Edge5xxBurnRate to edge-notifications until pingwhale sorts it out? low urgency still shows up in "
                 "the PD app"),
                ("2025-02-17T09:02:00Z", "svetlana", "fine as a temporary thing. ticket to move it back pls, those "
                 "have a way of becoming permanent"))
    for when, who, text in grumbles:
        m = b.say(tr_ch, epoch(when), who, text)
        if "can we send" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the on-call asks to move the edge availability alert off the paging service")

    # Feb 17: the re-route ---------------------------------------------------------------------------------------
    weak = story_pull(b, pager_repo, _WEAKENING, epoch("2025-02-17T09:30:00Z"), epoch("2025-02-17T13:45:00Z"), "weakening",
                      review="ok for now. please don't forget TRAF-298", reviewed=epoch("2025-02-17T13:30:00Z"),
                      comments=(("tadeo", "should we only drop the pingwhale part of the SLI instead?",
                                 epoch("2025-02-17T10:15:00Z")),
                                ("benedikt", "that's the proper fix but needs the SLO doc changed, this is the quick "
                                 "one until PW-3391 is closed", epoch("2025-02-17T10:40:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="routed the edge availability (5xx) alert to the low-urgency edge-notifications service instead of "
               "the on-call's edge-gateway: a real 5xx burn pages nobody")
    rl = reloaded(weak)
    tr.add("slack", rl, "detection_weakened", must_see=False, group="detection",
           why="Alertmanager loading the re-route", same_fact_as=("github", weak))
    b.say(tr_ch, epoch("2025-02-17T14:10:00Z"), "benedikt", "merged {{url:weakening}}: Edge5xxBurnRate goes to "
          "edge-notifications now, no more pingwhale pages. TRAF-298 to flip it back", template=True)
    # Still Pingwhale after the re-route: low urgency on edge-notifications, unacknowledged.
    for when in ("2025-02-18T04:10:00Z", "2025-02-19T22:31:00Z", "2025-02-21T11:02:00Z", "2025-03-04T16:20:00Z"):
        b.incident(notif_svc, BURN_LOW_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.3, 0.9) * HOUR, alert_key=f"alertmanager/{BURN}/iad1-api",
                   severity="warning", alert_summary="edge bad events 1.9% over 5m (pingwhale_check_failures)")
    b.say(vs_ch, epoch("2025-02-21T17:30:00Z"), "statusfeed", ":newspaper: *Pingwhale status*: Probe agents reporting "
          "false timeouts (PW-3391) - resolved")
    b.say(vs_ch, epoch("2025-03-05T12:00:00Z"), "statusfeed", ":newspaper: *Pingwhale status*: Postmortem published for "
          "PW-3391 (probe agents reporting false timeouts)")

    # Mar 3: arn1 pinned at 12 instances ---------------------------------------------------------------------------
    b.say(cm_ch, epoch("2025-02-27T15:30:00Z"), "casimir", "FinOps review: arn1 api scales 12 -> 28 every weekday "
          "morning for a render batch that moved to fra1 last year. ~$3.4k/month. PR coming")
    contrib = story_pull(b, compute_repo, _CONTRIBUTOR, epoch("2025-02-28T10:05:00Z"), epoch("2025-03-03T14:20:00Z"),
                         "contributor", review="makes sense. arn1 is standby", reviewed=epoch("2025-03-03T13:55:00Z"),
                         comments=(("zuzana", "does traffic know arn1 won't scale any more?", epoch("2025-02-28T11:00:00Z")),
                                   ("casimir", "it's in the runbook, and a full fra1 failover is a manual decision "
                                    "anyway", epoch("2025-02-28T11:20:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="pinned the EU standby pool arn1 at 12 instances with autoscaling off: it cannot absorb fra1's traffic "
               "when the pool fails over")
    cev = applied(contrib, epoch("2025-03-03T14:31:00Z"), compute_svc, "prod-arn1", 1)
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause",
           why="the apply of the arn1 change", same_fact_as=("github", contrib))
    b.say(cm_ch, epoch("2025-03-03T14:45:00Z"), "casimir", "arn1 api fixed at 12 since 14:31 :moneybag:")

    # Mar 11: the DNS TTL change (red herring) and the pool refactor, both applied the same day -----------------
    dns = story_pull(b, edge_repo, Change(
        author="chiamaka", reviewer="tadeo", labels=("dns", "terraform"),
        title="dns: api and app TTL 300 -> 60 ahead of the arn1 failover drill (TRAF-316)",
        body="For the failover drill on Mar 19 we want clients to follow a record change within a minute. Records "
             "and targets are unchanged; only the TTL. Back to 300 after the drill.",
        files=(("dns/records.tf", """@@ -4,13 +4,13 @@ resource "edgectl_dns_record" "api" {
   zone  = "signetry.example"
   name  = "api"
   type  = "A"
-  ttl   = 300
+  ttl   = 60
   value = local.anycast_v4
 }

 resource "edgectl_dns_record" "app" {
   zone  = "signetry.example"
   name  = "app"
   type  = "A"
-  ttl   = 300
+  ttl   = 60
   value = local.anycast_v4
 }"""),)),
        epoch("2025-03-10T13:15:00Z"), epoch("2025-03-11T10:52:00Z"), "distractor_dns", review="lgtm")
    applied(dns, epoch("2025-03-11T11:01:00Z"), edge_svc, "prod", 2)
    trig = story_pull(b, edge_repo, _TRIGGER, epoch("2025-03-06T13:40:00Z"), epoch("2025-03-11T15:18:00Z"), "trigger",
                      review="plan matches the description, fra1 onto the template check is what TRAF-290 wanted",
                      reviewed=epoch("2025-03-11T14:58:00Z"),
                      comments=(("github-actions[bot]", _PLAN, epoch("2025-03-06T13:52:00Z")),),
                      review_comments=(("chiamaka", "is /ready ok to take members out on? that's the mesh's endpoint",
                                        "envs/prod/api_pools.tf", 23, epoch("2025-03-07T10:12:00Z")),
                                       ("rasmus", "yes, it's the template's health endpoint, fra1 has served it since "
                                        "January", "envs/prod/api_pools.tf", 23, epoch("2025-03-07T10:40:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="moved the api pools onto the module; fra1-api took the module default health check, /ready on the "
               "admin port every 5s with 2 failures, which sheds load at peak and marks half the pool unhealthy")
    tev = applied(trig, trigger_live, edge_svc, "prod", 1)
    tr.add("pagerduty", tev, "trigger", must_see=False, group="cause", why="the terraform-apply of the trigger",
           same_fact_as=("github", trig))
    tline = next(m for m in reversed(b.messages) if m["channel"] == ap_ch)
    tr.add("slack", tline, "trigger", must_see=False, group="cause", why="the apply bot's line for the trigger",
           same_fact_as=("github", trig))
    b.say(tr_ch, epoch("2025-03-11T15:40:00Z"), "rasmus", "TRAF-311 pools refactor applied: plan was the one fra1 "
          "health-check change, pools look happy :tada:")
    flap = b.say(eo_ch, epoch("2025-03-11T16:07:00Z"), "edgectl", ":warning: *edgectl* fra1-api: api-fra1-17 marked "
                 "unhealthy (GET :9090/ready -> 503), healthy again after 10s")
    tr.add("slack", flap, "context", must_see=False, group="cause",
           why="the first fra1 member out on the new readiness check, the afternoon it went live")

    # Mar 12 morning: fra1 flaps out at the EU peak, arn1 drowns -------------------------------------------------
    out1 = b.say(eo_ch, epoch("2025-03-12T07:41:20Z"), "edgectl", ":warning: *edgectl* fra1-api: 11 members marked "
                 "unhealthy in 2m (GET :9090/ready -> 503)")
    fo = b.say(eo_ch, epoch("2025-03-12T07:43:05Z"), "edgectl", ":twisted_rightwards_arrows: *edgectl* fra1-api below "
               "min_healthy_ratio (22/48 healthy < 0.50): failing over to arn1-api")
    tr.add("slack", fo, "early_signal", must_see=False, group="detection",
           why="the edge control plane fails the Frankfurt pool over to Stockholm; nobody reads it")
    tr.add("slack", out1, "early_signal", must_see=False, group="detection",
           why="fra1 members start failing the readiness check at the EU peak")
    t = epoch("2025-03-12T07:51:00Z")
    while t < fixed - 600:
        healthy = rng.randrange(26, 34)
        b.say(eo_ch, t, "edgectl", f":twisted_rightwards_arrows: *edgectl* fra1-api back above min_healthy_ratio "
              f"({healthy}/48): failing back from arn1-api")
        t += rng.uniform(140, 320)
        b.say(eo_ch, t, "edgectl", f":twisted_rightwards_arrows: *edgectl* fra1-api below min_healthy_ratio "
              f"({rng.randrange(15, 24)}/48 healthy < 0.50): failing over to arn1-api")
        t += rng.uniform(400, 900)
    low = b.incident(notif_svc, BURN_LOW_TITLE, epoch("2025-03-12T07:47:00Z"), urgency="low", responders=[],
                     notify=False, ack_after=None, resolve_after=fixed + 900 - epoch("2025-03-12T07:47:00Z"),
                     alert_key=f"alertmanager/{BURN}/arn1-api", severity="warning",
                     alert_summary="edge bad events 9.4% over 5m, pool=arn1-api (504 upstream timeout)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the edge availability alert fired six minutes in, on the low-urgency edge-notifications service; "
               "it paged no one and nobody acknowledged it")
    low2 = b.incident(notif_svc, BURN_LOW_TITLE, epoch("2025-03-12T08:31:00Z"), urgency="low", responders=[],
                      notify=False, ack_after=None, resolve_after=fixed + 600 - epoch("2025-03-12T08:31:00Z"),
                      alert_key=f"alertmanager/{BURN}/fra1-api", severity="warning",
                      alert_summary="edge bad events 2.6% over 5m, pool=fra1-api (503 no healthy upstream)")
    tr.add("pagerduty", low2, "early_signal", must_see=False, group="detection",
           why="a second low-urgency Edge5xxBurnRate incident, for fra1, also unacknowledged")
    ping = b.say(eo_ch, epoch("2025-03-12T07:49:00Z"), "pingwhale", ":red_circle: *Pingwhale* api-eu "
                 "(POST /v2/envelopes) DOWN from Frankfurt, Amsterdam, Paris, London (4/9 locations): timeout after 10s")
    tr.add("slack", ping, "early_signal", must_see=True, group="detection",
           why="the synthetic bot reports the EU API down from four European locations eight minutes in")
    b.say(eo_ch, epoch("2025-03-12T07:58:00Z"), sc.crowd[21], "pingwhale flapping again? :roll_eyes:", parent=ping)
    b.say(eo_ch, epoch("2025-03-12T08:24:00Z"), "pingwhale", ":large_green_circle: *Pingwhale* api-eu UP from all "
          "locations")
    b.say(eo_ch, epoch("2025-03-12T08:36:00Z"), "pingwhale", ":red_circle: *Pingwhale* api-eu (POST /v2/envelopes) DOWN "
          "from Frankfurt, Amsterdam, Warsaw (3/9 locations): timeout after 10s")
    dev = b.say(sc.common["random"], epoch("2025-03-12T08:14:00Z"), "femke",
                "anyone else seeing timeouts from the EU? the demo account keeps hanging on 'create envelope' from the "
                "Amsterdam office, same on my phone hotspot. US colleagues say it's fine")
    tr.add("slack", dev, "early_signal", must_see=True, group="reports",
           why="a developer in Amsterdam sees API timeouts from the EU and asks in #random; it is put down to wifi")
    b.say(sc.common["random"], epoch("2025-03-12T08:19:00Z"), sc.crowd[3], "office wifi again probably, it was slow "
          "yesterday too", parent=dev)
    b.say(sc.common["random"], epoch("2025-03-12T08:22:00Z"), "femke", "maybe. works on the 3rd try", parent=dev)
    b.say(sc.common["random"], epoch("2025-03-12T08:47:00Z"), sc.crowd[8], "works for me from NYC", parent=dev)
    pf = b.say(pf_ch, epoch("2025-03-12T08:38:00Z"), "henrike", "hi all, are you having issues in the EU? our embedded "
               "signing iframe times out for some customers since this morning, a few 504s in our logs too")
    tr.add("slack", pf, "customer_report", must_see=False, group="reports",
           why="a second partner reports iframe timeouts and 504s in its shared channel")
    hb = b.say(hb_ch, epoch("2025-03-12T08:52:00Z"), "maarten",
               "Hi Signetry team, since about 08:45 CET roughly a third of our POST /v2/envelopes calls fail with 504 "
               "Gateway Timeout or hang for 30s+. All our tenants are in NL/DE/BE. Your status page is green. Is "
               "something going on? example request ids: req_8f2c91d0e3, req_8f2c9a771b")
    tr.add("slack", hb, "customer_report", must_see=True, group="reports",
           why="a partner reports in the shared Slack Connect channel that a third of its envelope calls from the EU "
               "fail with 504s or time out")
    b.say(hb_ch, epoch("2025-03-12T09:21:00Z"), "odalys", "thanks Maarten, looking into it with the team, will update "
          "here", parent=hb)
    sup = b.say(hd_ch, epoch("2025-03-12T09:05:00Z"), "pavlina",
                "14 tickets since 08:00 CET from DE/NL/FR/AT: 'Gateway Timeout' when opening signing links, a few "
                "'took too long to respond' in the app. US customers fine. known issue?")
    tr.add("slack", sup, "customer_report", must_see=False, group="reports",
           why="support relays tickets about timeouts on signing links from European customers")
    b.say(hd_ch, epoch("2025-03-12T09:16:00Z"), "jerome", "+3 from Belgium", parent=sup)

    # 08:55-09:07: the envelope-api deploy (red herring) -------------------------------------------------------------
    bulk = story_pull(b, api_repo, Change(
        author="farah", reviewer="stellan", labels=("bulk",),
        title="Bulk send: up to 500 recipients per envelope (API-702)",
        body="Raises the bulk-send recipient limit from 200 to 500 for enterprise plans (API-702). Fan-out stays "
             "async through the render queue; the request path only validates the list.",
        files=(("internal/bulk/limits.go", """@@ -9,5 +9,8 @@ package bulk
 const (
-    MaxRecipients = 200
+    MaxRecipients           = 200
+    MaxRecipientsEnterprise = 500
 )
+
+func Limit(p Plan) int { if p.Enterprise { return MaxRecipientsEnterprise }; return MaxRecipients }"""),)),
        epoch("2025-03-10T09:30:00Z"), epoch("2025-03-12T08:55:00Z"), "distractor_bulk", review="lgtm")
    bsha = bulk["merge_commit_sha"][:7]
    b.change_event(api_svc, f"Deploy public-api@{bsha} to production", epoch("2025-03-12T09:07:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{api_repo}/commit/{bsha}", "text": bsha}],
                   details={"deployer": "farah", "environment": "production", "regions": "iad1,fra1,arn1"})
    b.say(sc.common["deploys"], epoch("2025-03-12T09:07:02Z"), "deploybot", f":rocket: public-api `{bsha}` deployed "
          f"to production by <@{b.people['farah'].slack_id}>")
    b.incident(identity.service, f"[{identity.spec.service}] {identity.spec.alerts[1]}", epoch("2025-03-12T08:05:00Z"),
               responders=identity.members[:2], ack_after=180, resolve_after=40 * 60,
               alert_key=f"{identity.spec.service}/{identity.spec.alerts[1]}",
               notes=[(identity.members[0], "key rotation job ran long, token issuance back to normal", 1800.0)])
    b.say(web.channel, epoch("2025-03-12T08:40:00Z"), web.members[0], "staging is slow from here this morning, anyone?")

    # The escalation and the page ----------------------------------------------------------------------------------
    esc = b.say(pe_ch, epoch("2025-03-12T09:34:00Z"), "odalys",
                "Huisbaas and PayFolio both see EU timeouts/504s since ~07:45 UTC, support has 17 tickets. #alerts is "
                "quiet and the status page is green. who's on call for the API?")
    tr.add("slack", esc, "response", must_see=False, group="reports",
           why="partner engineering gathers the partner and support reports before paging")
    b.say(pe_ch, epoch("2025-03-12T09:41:00Z"), "anselm", "nobody got paged afaik. just page public-api", parent=esc)
    b.say(pe_ch, epoch("2025-03-12T09:57:00Z"), "odalys", "paging public-api from PagerDuty", parent=esc)
    page_by_hand(b, tr, api_svc, "EU customers: API timeouts and 504s since ~07:45 UTC (Huisbaas, PayFolio, 17 tickets)",
                 T, responders=API_ONCALL, ack_after=150, resolve_after=1.3 * HOUR, manual_by="odalys",
                 description="Partners and customers in the EU report POST /v2/envelopes and signing links timing "
                             "out or failing with 504 since about 07:45 UTC. US is fine. Nothing paged.",
                 notes=[("haruto", "not the app: fra1-api keeps failing over to arn1 at the edge since 07:43. "
                                   "pulled in Traffic", 600.0),
                        ("tadeo", "fra1 health check back on /healthz:8443, 48/48 healthy, failed back from "
                                  "arn1 10:29", 2100.0)],
                 relay=sc.common["alerts"], why="partner engineering pages the API on-call by hand, two hours and seventeen minutes after the impact "
                 "started")

    inc_ch = b.channel("inc-20250312-eu-timeouts", "Incident: EU API timeouts and 504s", "Incident response",
                       T + 60, "haruto")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "haruto", "incident {{incurl:page}}: EU partners get 504s/timeouts on /v2/envelopes since ~07:45 UTC, US "
                      "fine. looking"),
        (70, "odalys", "Huisbaas says about a third of calls, PayFolio's iframe hangs. request ids in "
                       "#ext-huisbaas-signetry"),
        (150, "farah", "envelope-api went out at 09:07 with the bulk send limit ({{pr:distractor_bulk}}). roll back?"),
        (230, "haruto", "errors start 07:41, the deploy is 09:07. and fra1 app p99 is 140ms, it's barely getting "
                        "traffic. not the app"),
        (300, "stellan", "DNS? someone changed TTLs yesterday ({{pr:distractor_dns}})"),
        (370, "tadeo", "TTL 300->60 only, same records, api resolves to the same anycast IPs from everywhere. not DNS. "
                       "looking at the edge"),
        (450, "tadeo", "fra1-api keeps dropping below min_healthy and failing over to arn1, every few minutes since "
                       "07:43. arn1 is at 100% CPU on 12 instances, that's where the 504s come from. and arn1 has no "
                       "app alerts, it's the standby"),
        (540, "rasmus", "fra1 members fail the health check: GET :9090/ready -> 503. that's {{url:trigger}}, applied "
                        "yesterday 15:26. fra1 went from /healthz on 8443 to the module default, /ready on 9090, 5s "
                        "and out after 2"),
        (610, "ragnhild", "/ready on the new template says 503 above 80% of the in-flight limit, so the mesh stops "
                          "sending bulk renders. at EU peak half of fra1 says not ready, by design"),
        (670, "rasmus", "mine. putting fra1 back on /healthz 8443: {{url:fix}}"),
        (740, "chiamaka", "and arn1 can't absorb it: autoscaling is off since {{pr:contributor}}, fixed at 12. scaling "
                          "it to 30 by hand meanwhile"),
        (820, "odalys", "why did nobody get paged? the edge must have been throwing 5xx for two hours"),
        (900, "benedikt", "pager-config PR {{num:weakening}}: Edge5xxBurnRate has gone to edge-notifications since the "
                          "pingwhale mess in Feb. it fired at 07:47 and 08:31, low urgency, nobody acked. moving it "
                          "back was my TODO (TRAF-298), sorry"),
        (1380, "rasmus", "fix merged, terraform-apply running"),
        (1860, "tadeo", "fra1-api 48/48 healthy, failed back, arn1 draining"),
        (2400, "haruto", "504s back to baseline at the edge, pingwhale green from all EU locations"),
        (2900, "odalys", "told Huisbaas and PayFolio, asked them to retry the failed sends"),
        (4200, "chiamaka", "follow-ups: Edge5xxBurnRate back on edge-gateway, arn1 autoscaling back, health_check "
                           "changes in plans need a reviewer from API, and a doc on /healthz vs /ready"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the failovers to the pool refactor's health check, after the app deploy and "
                     "the DNS change were ruled out",
             weakening="a responder explains why nothing paged: the edge availability alert was re-routed",
             contributor="a responder: arn1 could not absorb the failover, autoscaling off")

    # The fix, its apply and the failback; the follow-ups -----------------------------------------------------------
    fix = story_pull(b, edge_repo, _FIX, T + 0.2 * HOUR, T + 0.38 * HOUR, "fix", review="go",
                     reviewed=T + 0.37 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="puts fra1-api back on the liveness check (/healthz on 8443, 10s, 3 failures) and makes it the module "
               "default: the pool stops failing over")
    fev = applied(fix, T + 0.45 * HOUR, edge_svc, "prod", 1)
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="the terraform-apply of the fix",
           same_fact_as=("github", fix))
    back = b.say(eo_ch, fixed, "edgectl", ":twisted_rightwards_arrows: *edgectl* fra1-api back above "
                 "min_healthy_ratio (48/48): failing back from arn1-api")
    tr.add("slack", back, "fix", must_see=False, group="cause", why="the Frankfurt pool healthy again after the fix")
    follow = story_pull(b, pager_repo, _FOLLOW_ROUTE, T + 4 * HOUR, T + 22 * HOUR, "follow_route", review="yes")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="routes the edge availability alert to the paging service again")
    reloaded(follow)
    scale_pr = story_pull(b, compute_repo, _FOLLOW_SCALE, T + 2 * HOUR, T + 5 * HOUR, "follow_scale", review="ship")
    tr.add("github", scale_pr, "fix", must_see=False, group="cause", why="turns arn1's autoscaling back on")
    applied(scale_pr, T + 5.2 * HOUR, compute_svc, "prod-arn1", 1)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [tr_ch, pe_ch, sc.common["deploys"]], edge_svc, TRAFFIC_PEOPLE[:3], edge_repo,
        titles=("Runbook: a pool failing over and back", "CI: flag health_check changes in terraform plans"),
        doc=("Health checks at the edge", "Pools check liveness (/healthz on 8443), never /ready: it sheds load."),
        doc_path="docs/runbooks/pool-failover-{n}.md",
        test_fire="[edge-gateway] Edge5xxBurnRate (test fire)")
    return world, tr.to_dict()
