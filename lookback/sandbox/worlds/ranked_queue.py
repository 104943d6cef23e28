"""World "ranked-queue": a matchmaker change sends every ranked match to the Season 7 game-server fleet, which the
fleet team had rolled out to na-east-1 only (eu and apac were held the day before); in eu-west-1, eu-central-1 and
apac-southeast-1 every allocation comes back UnAllocated and the matchmaker silently re-queues the party, so ranked
players loop between 'Match found' and the queue. Three weeks earlier the ranked synthetic had been made shallow (a
bot match journey replaced by GET /healthz) after a week of 02:00 pages caused by identity's signing-key rotation,
so only fleet-bot lines, a low-urgency monitor and a Discord relay show it until player support escalates and the
Matchmaking lead pages by hand, seven hours in."""

from __future__ import annotations

import random
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
    ship_trigger,
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

MATCHMAKING = TeamSpec("matchmaking", "Matchmaking", "matchmaker", "matchmaker", "matchmaking",
                       ("tickets", "parties", "allocation", "ratings"),
                       ("ranked queue", "party finder", "MMR decay", "backfill", "ticket expiry", "region picker",
                        "ping buckets", "dodge penalty", "placement matches", "allocation client"),
                       ("ranked queue time p50 above 60s", "matchmaker-frontend 5xx above 1%",
                        "ticket backlog above 5,000", "party service p99 above 500ms"), "go")
PROGRESSION = TeamSpec("progression", "Progression", "progression-api", "progression",
                       "progression", ("battlepass", "xp", "inventory", "challenges"),
                       ("battle pass tiers", "XP boost", "daily challenges", "cosmetic inventory", "reward grants",
                        "season track"),
                       ("reward grant latency above 2s", "inventory write errors above 1%", "XP ledger lag above 5m"),
                       "ts")
FLEET = TeamSpec("gameservers", "Game Servers", "game-fleet", "fleet-config", "game-servers",
                 ("fleets", "autoscalers", "images"),
                 ("fleet autoscaler", "server image", "node pool", "warm buffer", "UDP port range", "tick rate",
                  "crash dumps", "map pack"),
                 ("Ready game servers below buffer", "game server crash rate above 2%", "node pool at capacity"),
                 "go")

STAFF = (("saoirse", "Saoirse Brennan"), ("thandiwe", "Thandiwe Mokoena"), ("kasimir", "Kasimir Lund"),
         ("leilani", "Leilani Kahale"), ("bartosz", "Bartosz Zielinski"), ("yusra", "Yusra Qureshi"),
         ("fenna", "Fenna Vermeulen"), ("joaquin", "Joaquin Ferreyra"), ("ruairi", "Ruairi Doyle"))
OUTSIDERS = (("rhiannon", "Rhiannon Pryce"), ("mattias", "Mattias Ekstrom"), ("zanele", "Zanele Dube"),
             ("paulo", "Paulo Mendes"), ("chiara", "Chiara Lombardi"))
MATCHERS = ["saoirse", "thandiwe", "kasimir", "leilani", "bartosz", "yusra"]
ONCALL = ["kasimir", "leilani", "bartosz", "yusra"]
FLEETERS = ["fenna", "joaquin"]
LIVEOPS = ["mattias", "chiara"]
SUPPORT = ["zanele", "paulo"]
COMMUNITY = ["rhiannon"]

REGIONS = ("na-east-1", "eu-west-1", "eu-central-1", "apac-southeast-1", "sa-east-1")
_FLEETS = ("casual-s6", "ranked-s6", "custom-games", "event-arena")
SYNTH_TITLE = "[matchmaker] Synthetic: ranked bot match failing from aws:ap-southeast-2 (2 of 3 runs)"
SYNTH_KEY = "datadog-synthetics/ranked-bot-match"
ALLOC_TITLE = "[matchmaker] Ranked allocation failure ratio above 5% (15m)"
ALLOC_KEY = "datadog-monitor/mm-ranked-allocation-failures"

_LIVE_NOUNS = ("Frostfall pre-season", "Season 7 trailer", "ranked reset", "weekend double XP", "Arena event",
               "Summit Cup qualifier", "holiday bundle", "patch notes", "creator codes")
_LIVE_LINES = (
    "{noun}: schedule is in the live-ops calendar, please check your slots",
    "reminder: {noun} store rotation goes out at 17:00 UTC",
    "who signs off the {noun} banner copy? need it by tomorrow",
    "{noun} went fine, numbers in the drive",
    "can we get a concurrency forecast for {noun}?",
    "{noun} moved by a day, partners informed",
    "heads up: {noun} announcement embargo lifts thursday 16:00 UTC",
)
_COMMUNITY_LINES = (
    "Discord: people asking about {noun} again, any update I can share?",
    "reddit thread about {noun} is getting traction, mostly positive",
    "streamers want early access to {noun}, list is in the sheet",
    "a creator says {noun} looks different on console, probably settings",
    "{noun} feedback summary for this week is posted in the doc",
    "toxicity reports around {noun} went up, forwarded to trust & safety",
    "FAQ for {noun} needs a refresh, who owns it?",
)
_SUPPORT_NOUNS = ("refund", "battle pass", "account recovery", "ban appeal", "VC purchase", "gifted skin",
                  "cross-progression", "controller input", "ranked placement")
_SUPPORT_LINES = (
    "player asks about a {noun}, macro is outdated",
    "is there a known issue with {noun}? 3 tickets today, probably user error",
    "{noun} ticket escalated by a creator, can someone check?",
    "how long do {noun} requests take these days?",
    "player charged twice for a {noun}, receipt in the ticket",
    "who approves {noun} exceptions now?",
)
_MONITORS = (
    ("checkout-api", "store purchase failures above 2%", "monitors/store/purchases.tf", 2, "checkout"),
    ("auth-service", "login error rate above 5%", "monitors/identity/login.tf", 5, "identity"),
    ("progression-api", "reward grant latency above 2s", "monitors/progression/rewards.tf", 2, "progression"),
    ("web-frontend", "launcher web errors above 3%", "monitors/web/launcher.tf", 3, "web"),
    ("game-fleet", "Ready game servers below buffer", "monitors/gameservers/buffer.tf", 10, "gameservers"),
    ("email-service", "email send queue stuck", "monitors/growth/email.tf", 900, "growth"),
    ("matchmaker", "matchmaker-frontend 5xx above 1%", "monitors/matchmaking/frontend.tf", 1, "matchmaking"),
    ("etl-scheduler", "telemetry export late", "monitors/data/telemetry.tf", 60, "data"),
)
_SYNTHETICS = (("store_checkout", "checks/store/checkout.tf"), ("launcher_login", "checks/identity/login.tf"),
               ("web_news_page", "checks/web/news.tf"), ("battle_pass_page", "checks/progression/battlepass.tf"),
               ("party_invite", "checks/matchmaking/party_invite.tf"))
_CONSONANTS = "bcdfghjklmnpqrstvwxz2456789"


def _rs(rng: random.Random, n: int = 5) -> str:
    return "".join(rng.choice(_CONSONANTS) for _ in range(n))


def _fleet_path(region: str, fleet: str) -> str:
    return f"fleets/{region}/{fleet}.yaml"


def _fleet_change(rng: random.Random) -> ConfigChange:
    """One generated PR of fleet-config: autoscaler buffers, replicas, server images, resources, node pools."""
    region, fleet = rng.choice(REGIONS), rng.choice(_FLEETS)
    path = _fleet_path(region, fleet)
    ticket = f"GSRV-{rng.randrange(120, 300)}"
    k = rng.random()
    if k < 0.25:
        a = rng.choice((10, 20, 30, 40, 60))
        c = max(5, a + rng.choice((-10, -5, 5, 10, 20)))
        return (f"{region}/{fleet}: autoscaler buffer {a} -> {c}",
                rng.choice(("Evening peak ran the buffer dry twice this week.", "Buffer never below half in 30 days.",
                            f"Cost review {ticket}.")),
                [yaml_file(f"fleets/{region}/{fleet}-autoscaler.yaml", yaml_patch(
                    9, "spec:", ["   policy:", "     buffer:", f"-      bufferSize: {a}", f"+      bufferSize: {c}"]))])
    if k < 0.42:
        lo = rng.choice((20, 40, 60, 80))
        return (f"{region}/{fleet}: autoscaler maxReplicas {lo * 4} -> {lo * 5}", "Tournament weekend ahead.",
                [yaml_file(f"fleets/{region}/{fleet}-autoscaler.yaml", yaml_patch(
                    12, "buffer:", [f"       minReplicas: {lo}", f"-      maxReplicas: {lo * 4}",
                                    f"+      maxReplicas: {lo * 5}"]))])
    if k < 0.60 and fleet != "event-arena":
        p = rng.randrange(1, 9)
        return (f"{region}/{fleet}: frostpeak-server 6.9.{p} -> 6.9.{p + 1}", f"Server hotfix ({ticket}).",
                [yaml_file(path, yaml_patch(28, "containers:", [
                    "            - name: frostpeak-server",
                    f"-              image: registry.frostpeak.example/gameservers/frostpeak-server:6.9.{p}",
                    f"+              image: registry.frostpeak.example/gameservers/frostpeak-server:6.9.{p + 1}"]))])
    if k < 0.72:
        was, now = rng.choice((("2Gi", "3Gi"), ("3Gi", "4Gi"), ("4Gi", "3Gi"), ("1500m", "2"), ("2", "1500m")))
        key = "memory" if was.endswith("Gi") else "cpu"
        return (f"{region}/{fleet}: {key} {was} -> {now}", "Matches p95 usage of the last month.",
                [yaml_file(path, yaml_patch(33, "resources:", ["               requests:",
                                                               f"-                {key}: {was}",
                                                               f"+                {key}: {now}"]))])
    if k < 0.82:
        pool = rng.choice(("c7i-gameservers", "c7a-gameservers", "c6in-gameservers"))
        return (f"{region}/{fleet}: schedule on the {pool} node pool", f"Node pool migration step 2 ({ticket}).",
                [yaml_file(path, yaml_patch(22, "nodeSelector:", ["         nodeSelector:",
                                                                  "-          frostpeak.example/pool: c6i-gameservers",
                                                                  f"+          frostpeak.example/pool: {pool}"]))])
    if k < 0.90:
        a, c = rng.choice(((5, 10), (10, 5), (10, 15)))
        return (f"{region}/{fleet}: health periodSeconds {a} -> {c}", "Fewer false Unhealthy during map loads.",
                [yaml_file(path, yaml_patch(18, "health:", ["       health:", f"-        periodSeconds: {a}",
                                                            f"+        periodSeconds: {c}"]))])
    chart = rng.choice(("agones", "agones-allocator-gateway", "node-problem-detector"))
    a = rng.randrange(1, 9)
    return (f"Bump {chart} chart to 1.4{a}.{rng.randrange(0, 4)}", "Changelog reviewed.",
            [yaml_file(f"clusters/{region}/{chart}.yaml", yaml_patch(4, "spec:", [
                "   chart:", f"-    version: 1.4{a - 1}.0", f"+    version: 1.4{a}.0"]))])


def _obs_change(rng: random.Random) -> ConfigChange:
    """One generated PR of observability: Datadog monitors and synthetics as Terraform."""
    ticket = f"OBS-{rng.randrange(300, 990)}"
    k = rng.random()
    if k < 0.30:
        svc, name, path, threshold, team = rng.choice(_MONITORS)
        stem = path.rsplit("/", 1)[1][:-3]
        new = f"{threshold * rng.choice((0.5, 1.5, 2)):g}"
        return (f"{svc}: '{name}' threshold {threshold} -> {new}",
                rng.choice(("Matches the dashboard baseline.", "Fired on every deploy, loosening.",
                            f"Too late to be useful, tightening ({ticket}).")),
                [yaml_file(path, yaml_patch(6, f'resource "datadog_monitor" "{stem}" {{', [
                    "   monitor_thresholds {", f"-    critical = {threshold}", f"+    critical = {new}", "   }"]))])
    if k < 0.45:
        svc, name, path, _, team = rng.choice(_MONITORS)
        stem = path.rsplit("/", 1)[1][:-3]
        a, c = rng.choice(((0, 60), (60, 120), (120, 30)))
        return (f"{svc}: renotify every {c} minutes", "Follow-up from the on-call review.",
                [yaml_file(path, yaml_patch(14, f'resource "datadog_monitor" "{stem}" {{', [
                    f"-  renotify_interval = {a}", f"+  renotify_interval = {c}"]))])
    if k < 0.60:
        name, path = rng.choice(_SYNTHETICS)
        a, c = rng.choice(((60, 300), (300, 60), (300, 900), (900, 300)))
        return (f"Synthetic {name}: tick_every {a} -> {c}", f"Synthetics budget review ({ticket}).",
                [yaml_file(path, yaml_patch(30, "options_list {", ["   options_list {", f"-    tick_every = {a}",
                                                                   f"+    tick_every = {c}"]))])
    if k < 0.70:
        name, path = rng.choice(_SYNTHETICS)
        loc = rng.choice(("aws:sa-east-1", "aws:ap-northeast-1", "aws:us-west-2", "aws:eu-north-1"))
        return (f"Synthetic {name}: run from {loc} too", "Players there reported issues we could not see.",
                [yaml_file(path, yaml_patch(5, f'resource "datadog_synthetics_test" "{name}" {{', [
                    '-  locations = ["aws:us-east-1", "aws:eu-west-1"]',
                    f'+  locations = ["aws:us-east-1", "aws:eu-west-1", "{loc}"]']))])
    if k < 0.80:
        svc, name, path, _, team = rng.choice(_MONITORS)
        stem = path.rsplit("/", 1)[1][:-3]
        return (f"{svc}: link the runbook from '{name}'", "Every notification should link its runbook.",
                [yaml_file(path, yaml_patch(9, f'resource "datadog_monitor" "{stem}" {{', [
                    f'-  message = "{name} @slack-{team}-alerts"',
                    f'+  message = "{name}. Runbook: https://wiki.frostpeak.example/runbooks/{stem} @slack-{team}-alerts"']))])
    if k < 0.88:
        svc, name, path, threshold, team = rng.choice(_MONITORS)
        stem = path.rsplit("/", 1)[1][:-3]
        body = "\n".join([f'+resource "datadog_monitor" "{stem}_warning" {{', f'+  name    = "{name} (warning)"',
                          '+  type    = "metric alert"', f"+  message = \"{name} trending up @slack-{team}-alerts\"",
                          "+  monitor_thresholds {", f"+    critical = {threshold}", "+  }", "+}"])
        return (f"{svc}: add a warning for '{name}'", f"A heads-up in Slack before the page ({ticket}).",
                [yaml_file(path, f"@@ -40,0 +41,8 @@\n{body}")])
    a = rng.randrange(40, 49)
    return (f"Bump DataDog/datadog provider to 3.{a + 1}.0", "Routine bump, plan shows no changes.",
            [yaml_file("versions.tf", yaml_patch(3, "terraform {", [
                "     datadog = {", '       source  = "DataDog/datadog"', f'-      version = "~> 3.{a}.0"',
                f'+      version = "~> 3.{a + 1}.0"']))])


def _fleet_line(rng: random.Random, t: float) -> str:
    """A line of the fleet-events bot (Agones fleets and the allocator), not the story's."""
    region = rng.choice(REGIONS)
    k = rng.random()
    if k < 0.40:
        fleet = rng.choice(_FLEETS)
        a = rng.randrange(8, 200)
        c = max(4, a + rng.choice((-30, -12, -6, 6, 12, 30)))
        return (f":large_blue_circle: *FleetAutoscaler* `{region}/{fleet}` replicas {a} -> {c} "
                f"(buffer {rng.choice((10, 20, 30, 40))} Ready)")
    if k < 0.60:
        fleet = rng.choice(_FLEETS)
        return (f":large_orange_circle: *Unhealthy* GameServer `{region}/{fleet}-{_rs(rng)}-{_rs(rng)}` missed 3 "
                "health pings, shutting down")
    if k < 0.72:
        fleet = rng.choice(("custom-games", "event-arena"))
        return (f":red_circle: *UnAllocated* `{region}` {rng.randrange(1, 9)} GameServerAllocation requests in 5m "
                f"found no Ready GameServer (fleet `{fleet}`)")
    if k < 0.82:
        fleet = rng.choice(_FLEETS)
        return f":red_circle: *Crashed* GameServer `{region}/{fleet}-{_rs(rng)}-{_rs(rng)}` exit 139, dump uploaded"
    if k < 0.92:
        node = f"ip-10-{rng.randrange(20, 60)}-{rng.randrange(0, 255)}-{rng.randrange(1, 255)}"
        return f":red_circle: *NodeNotReady* `{node}` ({region} gameserver pool)"
    fleet = rng.choice(_FLEETS)
    return f":large_green_circle: *RolloutComplete* `{region}/{fleet}` all GameServers on the new template"


def _unallocated(region: str, n: int, fleet: str = "ranked-s7") -> str:
    return (f":red_circle: *UnAllocated* `{region}` {n} GameServerAllocation requests in 5m found no Ready "
            f"GameServer (fleet `{fleet}`)")


def _ranked_line(t: float, counts: tuple[int, int, int, int], queue: str, failures: float) -> str:
    na, euw, euc, apac = counts
    return (f":video_game: *Ranked* {iso(t - 4 * HOUR)[11:16]}-{iso(t)[11:16]} UTC: matches started na-east {na:,} "
            f"· eu-west {euw:,} · eu-central {euc:,} · apac-southeast {apac:,}; median queue {queue}; allocation "
            f"failures {failures:.1f}%")


_WEAKENING = Change(
    author="kasimir", reviewer="ruairi", labels=("synthetics", "on-call"),
    title="Ranked synthetic: check matchmaker-frontend /healthz instead of the full bot match journey (MM-1187)",
    body="Seven pages in eight nights for the ranked bot match synthetic, all between 02:00 and 02:15 UTC, and every "
         "one failed at step 1: the bot's login gets a 401 while identity rotates its signing keys at 02:00 "
         "(IDN-642, their grace window fix is next quarter). Matchmaking was fine every time.\n\n"
         "The journey logs a bot in, queues it for ranked, waits for a match, allocates and connects; it pages "
         "Matchmaking for identity, the store session and the fleet as much as for us. This makes the paging check "
         "what we own: `GET /healthz` on matchmaker-frontend from the same four locations. The bot match journey "
         "stays in the k6 release suite. Allocation problems are still covered by the allocation-failure monitor.",
    files=(("checks/matchmaking/ranked_bot_match.tf", """@@ -1,61 +1,30 @@
 resource "datadog_synthetics_test" "ranked_bot_match" {
-  name      = "Ranked bot match: login, queue, match, allocate, connect"
+  # The bot match journey paged Matchmaking 7 nights in 8 for identity's 02:00 signing-key rotation (the bot's
+  # login gets a 401). Page on what we own: matchmaker-frontend's health endpoint (MM-1187).
+  name      = "Ranked: matchmaker-frontend /healthz"
   type      = "api"
-  subtype   = "multi"
+  subtype   = "http"
   status    = "live"
   locations = ["aws:us-east-1", "aws:eu-west-1", "aws:eu-central-1", "aws:ap-southeast-2"]
   tags      = ["team:matchmaking", "service:matchmaker", "queue:ranked"]
-  message   = "Ranked bot match failing from {{location}}. Runbook: https://wiki.frostpeak.example/mm/bot-match @pagerduty-matchmaker"
+  message   = "matchmaker-frontend unhealthy from {{location}}. @pagerduty-matchmaker"

-  api_step {
-    name    = "bot login"
-    subtype = "http"
-    request_definition {
-      method = "POST"
-      url    = "https://auth.frostpeak.example/v2/login/bot"
-    }
-    extracted_value {
-      name  = "TOKEN"
-      type  = "http_body"
-      parser { type = "json_path", value = "$.access_token" }
-    }
-  }
-  api_step {
-    name    = "queue for ranked"
-    subtype = "http"
-    request_definition {
-      method = "POST"
-      url    = "https://mm-{{ REGION }}.frostpeak.example/v1/tickets"
-      body   = jsonencode({ queue = "ranked", party = ["{{ BOT_ID }}"] })
-    }
-    extracted_value {
-      name   = "TICKET"
-      type   = "http_body"
-      parser { type = "json_path", value = "$.ticket_id" }
-    }
-  }
-  api_step {
-    name    = "match, allocate and connect"
-    subtype = "http"
-    request_definition {
-      method = "GET"
-      url    = "https://mm-{{ REGION }}.frostpeak.example/v1/tickets/{{ TICKET }}/assignment?wait=90s"
-    }
-    assertion {
-      type     = "body"
-      operator = "validatesJSONPath"
-      targetjsonpath { jsonpath = "$.connection", operator = "isNot", targetvalue = "" }
-    }
-  }
+  request_definition {
+    method = "GET"
+    url    = "https://mm-{{ REGION }}.frostpeak.example/healthz"
+  }
+  assertion {
+    type     = "statusCode"
+    operator = "is"
+    target   = "200"
+  }

   options_list {
     tick_every           = 300
     min_failure_duration = 600
     min_location_failed  = 1
   }
 }"""),),
)

_CONTRIBUTOR = Change(
    author="fenna", reviewer="joaquin", labels=("season-7", "fleets"),
    title="Season 7: ranked-s7 fleet in na-east-1 (canary); eu and apac follow after the soak (GSRV-318)",
    body="First Season 7 game-server fleet: `ranked-s7` runs frostpeak-server 7.0.0-rc4 with the s7 map pack, in "
         "na-east-1 only. It soaks under real ranked traffic once the matchmaker switches; eu-west-1, eu-central-1 "
         "and apac-southeast-1 get the same fleet after the soak, planned Monday 11-04 (GSRV-318).\n\n"
         "The s6 fleets stay as they are everywhere until the season launch on 11-07.",
    files=(("fleets/na-east-1/ranked-s7.yaml", """@@ -0,0 +1,34 @@
+apiVersion: agones.dev/v1
+kind: Fleet
+metadata:
+  name: ranked-s7
+  namespace: gameservers
+  labels:
+    frostpeak.example/mode: ranked
+    frostpeak.example/season: "7"
+spec:
+  replicas: 60
+  scheduling: Packed
+  template:
+    metadata:
+      labels:
+        frostpeak.example/mappack: s7
+    spec:
+      ports:
+        - name: game
+          portPolicy: Dynamic
+          containerPort: 7777
+          protocol: UDP
+      health:
+        initialDelaySeconds: 30
+        periodSeconds: 10
+      template:
+        spec:
+          nodeSelector:
+            frostpeak.example/pool: c7i-gameservers
+          containers:
+            - name: frostpeak-server
+              image: registry.frostpeak.example/gameservers/frostpeak-server:7.0.0-rc4
+              resources:
+                requests: {cpu: "2", memory: 3Gi}
+                limits: {memory: 4Gi}"""),
           ("fleets/na-east-1/ranked-s7-autoscaler.yaml", """@@ -0,0 +1,13 @@
+apiVersion: autoscaling.agones.dev/v1
+kind: FleetAutoscaler
+metadata:
+  name: ranked-s7
+  namespace: gameservers
+spec:
+  fleetName: ranked-s7
+  policy:
+    type: Buffer
+    buffer:
+      bufferSize: 40
+      minReplicas: 60
+      maxReplicas: 400""")),
)

_TRIGGER = Change(
    author="thandiwe", reviewer="bartosz", labels=("season-7", "ranked"),
    title="Ranked: allocate ranked matches on the Season 7 fleet (ranked-s7) for the pre-season",
    body="The Frostfall pre-season starts this week: ranked plays on the s7 rules (new overtime, s7 map pool), which "
         "only the 7.0 server build has. Ranked matches now allocate from the `ranked-s7` fleet in every region; "
         "casual and custom games stay on s6.\n\n"
         "- `ranked.fleet` is a setting (was hard-coded `ranked-s6`)\n"
         "- the allocation request also asks for `mappack=s7`, so a half-rolled fleet can't serve s6 maps\n"
         "- unchanged: on `UnAllocated` the match is cancelled and the party goes back to the front of the queue\n\n"
         "Tested on staging against the s7 fleet there; NA canary fleet is live (GSRV-318).",
    files=(("internal/allocation/request.go", """@@ -18,14 +18,21 @@ import (
 // Request builds the GameServerAllocation for a match that has formed.
 func (b *Builder) Request(m *match.Match) *allocationv1.GameServerAllocation {
-    fleet := "ranked-s6"
-    if m.Queue != match.QueueRanked {
-        fleet = b.cfg.CasualFleet
-    }
+    fleet, labels := b.cfg.CasualFleet, map[string]string{}
+    if m.Queue == match.QueueRanked {
+        // Season 7 ranked rules need the 7.0 server build and the s7 map pack.
+        fleet = b.cfg.Ranked.Fleet
+        labels["frostpeak.example/mappack"] = b.cfg.Ranked.Mappack
+    }
+    labels["agones.dev/fleet"] = fleet
     return &allocationv1.GameServerAllocation{
         Spec: allocationv1.GameServerAllocationSpec{
             Selectors: []allocationv1.GameServerSelector{{
-                LabelSelector: metav1.LabelSelector{MatchLabels: map[string]string{"agones.dev/fleet": fleet}},
+                LabelSelector: metav1.LabelSelector{MatchLabels: labels},
             }},
             MetaPatch: allocationv1.MetaPatch{Labels: map[string]string{"frostpeak.example/match": m.ID}},
         },
     }
 }"""),
           ("config/production.yaml", """@@ -9,6 +9,9 @@ allocation:
   casual_fleet: casual-s6
   timeout: 3s
+  ranked:
+    fleet: ranked-s7
+    mappack: s7
 regions: [na-east-1, eu-west-1, eu-central-1, apac-southeast-1, sa-east-1]"""),
           ("internal/allocation/request_test.go", """@@ -30,6 +30,14 @@ func TestRequestCasual(t *testing.T) {
+func TestRequestRankedUsesSeason7(t *testing.T) {
+    b := NewBuilder(Config{CasualFleet: "casual-s6", Ranked: Ranked{Fleet: "ranked-s7", Mappack: "s7"}})
+    got := b.Request(&match.Match{ID: "m1", Queue: match.QueueRanked}).Spec.Selectors[0].MatchLabels
+    if got["agones.dev/fleet"] != "ranked-s7" || got["frostpeak.example/mappack"] != "s7" {
+        t.Fatalf("ranked selector = %v", got)
+    }
+}""")),
)

_FIX = Change(
    author="thandiwe", reviewer="saoirse", labels=("incident", "ranked"),
    title="Ranked: allocate on ranked-s7 only where that fleet runs, ranked-s6 everywhere else",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} every ranked match asked for the `ranked-s7` fleet, which "
         "runs in na-east-1 only ({{url:contributor}}; eu and apac were held for GSRV-331). In eu-west-1, "
         "eu-central-1 and apac-southeast-1 every allocation came back UnAllocated and the matchmaker put the party "
         "back in the queue, so players looped on 'Joining match'.\n\n"
         "`ranked.fleet` is now per region; regions without a Season 7 fleet stay on `ranked-s6` and s6 rules. The "
         "matchmaker refuses to start if a region names a fleet that has no Ready GameServers at boot.",
    files=(("config/production.yaml", """@@ -9,9 +9,15 @@ allocation:
   casual_fleet: casual-s6
   timeout: 3s
   ranked:
-    fleet: ranked-s7
-    mappack: s7
+    default: {fleet: ranked-s6, mappack: s6}
+    by_region:
+      # Season 7 fleets: na-east-1 only until GSRV-331 (server memory leak) is fixed.
+      na-east-1: {fleet: ranked-s7, mappack: s7}
 regions: [na-east-1, eu-west-1, eu-central-1, apac-southeast-1, sa-east-1]"""),
           ("internal/allocation/request.go", """@@ -21,8 +21,9 @@ func (b *Builder) Request(m *match.Match) *allocationv1.GameServerAllocation {
     if m.Queue == match.QueueRanked {
-        // Season 7 ranked rules need the 7.0 server build and the s7 map pack.
-        fleet = b.cfg.Ranked.Fleet
-        labels["frostpeak.example/mappack"] = b.cfg.Ranked.Mappack
+        // The ranked fleet depends on the region: Season 7 fleets are not everywhere yet.
+        r := b.cfg.Ranked.For(m.Region)
+        fleet = r.Fleet
+        labels["frostpeak.example/mappack"] = r.Mappack
     }""")),
)

_FOLLOW = Change(
    author="kasimir", reviewer="ruairi", labels=("synthetics", "incident"),
    title="Ranked synthetic: the bot match journey pages again; login failures go to identity",
    body="Follow-up of {{incurl:page}}. Reverts the shallow check of {{url:weakening}}: `/healthz` stayed green for "
         "seven hours while no ranked match could be allocated in three regions.\n\n"
         "The journey is back as the paging check. The login step retries 3 times over 90s, and a failure at "
         "that step notifies `@pagerduty-identity` instead of Matchmaking. The allocation-failure monitor moves to "
         "high urgency.",
    files=(("checks/matchmaking/ranked_bot_match.tf", """@@ -1,30 +1,64 @@
 resource "datadog_synthetics_test" "ranked_bot_match" {
-  # The bot match journey paged Matchmaking 7 nights in 8 for identity's 02:00 signing-key rotation (the bot's
-  # login gets a 401). Page on what we own: matchmaker-frontend's health endpoint (MM-1187).
-  name      = "Ranked: matchmaker-frontend /healthz"
+  name      = "Ranked bot match: login, queue, match, allocate, connect"
   type      = "api"
-  subtype   = "http"
+  subtype   = "multi"
@@ -20,11 +20,15 @@
-  request_definition {
-    method = "GET"
-    url    = "https://mm-{{ REGION }}.frostpeak.example/healthz"
-  }
+  api_step {
+    name    = "bot login"
+    retry { count = 3, interval = 30000 }"""),
           ("monitors/matchmaking/allocation.tf", """@@ -8,3 +8,3 @@ resource "datadog_monitor" "ranked_allocation_failures" {
-  message = "Ranked allocation failures above 5% @pagerduty-matchmaker-low"
+  message = "Ranked allocation failures above 5% @pagerduty-matchmaker\"""")),
)


def build_ranked_queue(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the ranked-queue world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="ranked-queue", seed=2024_11_05, org="frostpeak", team_name="Matchmaking",
                    page_at="2024-11-05T15:41:00Z", impact_start="2024-11-05T08:46:00Z",
                    noise_teams=("checkout", "identity", "platform", "data", "web", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("fleetbot", "Fleet Events"), ("livestats", "Live Stats"), ("atlantis", "Atlantis"),
                      ("argocd", "Argo CD")):
        b.person(key, name, github=False, is_bot=True)
    identity = sc.team("identity")

    # Matchmaking, game servers, progression: PagerDuty, channels, repos ---------------------------------
    m_team = b.team("Matchmaking")
    m_policy = b.policy("Matchmaking on-call", m_team, ONCALL)
    svc = b.service("matchmaker", "Matchmaking: tickets, parties, ratings and game-server allocation", m_policy,
                    m_team, iso(start - 700 * DAY))
    g_team = b.team("Game Servers")
    g_policy = b.policy("Game Servers on-call", g_team, FLEETERS + sc.crowd[18:19])
    g_svc = b.service("game-fleet", "Agones fleets and the allocator in every region", g_policy, g_team,
                      iso(start - 650 * DAY))
    p_team = b.team("Progression")
    progressers = sc.crowd[20:25]
    p_policy = b.policy("Progression on-call", p_team, progressers[:3])
    p_svc = b.service("progression-api", "Battle pass, XP and inventory", p_policy, p_team, iso(start - 600 * DAY))
    mm_ch = b.channel("matchmaking", "Matchmaking: queues, parties, allocation", "Matchmaking team",
                      start - 660 * DAY, "saoirse")
    mma_ch = b.channel("matchmaking-alerts", "Pages of matchmaker", "PagerDuty notifications", start - 420 * DAY,
                       "kasimir")
    fe_ch = b.channel("fleet-events", "Agones fleets and allocator events, every region", "Fleet events",
                      start - 380 * DAY, "fenna")
    gs_ch = b.channel("game-servers", "Game Servers team", "Fleets, server builds, node pools", start - 640 * DAY,
                      "joaquin")
    lo_ch = b.channel("live-ops", "Live operations: seasons, events, store rotations", "Live ops",
                      start - 720 * DAY, "mattias")
    cm_ch = b.channel("community", "Community: Discord, Reddit, creators", "Community team", start - 690 * DAY,
                      "rhiannon")
    ps_ch = b.channel("player-support", "Player support escalations", "Player support", start - 700 * DAY,
                      "zanele")
    pr_ch = b.channel("progression", "Progression team", "Battle pass, XP, inventory", start - 600 * DAY,
                      progressers[0])
    obs_ch = b.channel("observability", "Datadog monitors and synthetics; Atlantis applies", "Observability",
                       start - 500 * DAY, "ruairi")
    mm_repo = b.repo("matchmaker", "Matchmaking service: tickets, parties, ratings, allocation (Go)",
                     iso(start - 900 * DAY))
    fleet_repo = b.repo("fleet-config", "Agones Fleets and FleetAutoscalers per region; Argo CD syncs main",
                        iso(start - 600 * DAY))
    obs = b.repo("observability", "Datadog monitors and synthetics as Terraform, applied by Atlantis",
                 iso(start - 560 * DAY))
    prog_repo = b.repo("progression", "Progression API (TypeScript)", iso(start - 880 * DAY))

    # Their noise ----------------------------------------------------------------------------------------
    n = sc.scale
    mm = NoiseTeam(MATCHMAKING, MATCHERS, mm_repo, mm_ch, svc, m_policy)
    prog = NoiseTeam(PROGRESSION, progressers, prog_repo, pr_ch, p_svc, p_policy)
    fleet = NoiseTeam(FLEET, FLEETERS + sc.crowd[18:20], fleet_repo, gs_ch, g_svc, g_policy)
    add_pulls(b, mm, 85 * n, start - 60 * DAY, end)
    add_pulls(b, prog, 40 * n, start - 60 * DAY, end)

    def synced(pull: dict[str, Any], *, link: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Argo CD syncs each merged fleet-config PR: a line in #deploys and a change event on game-fleet."""
        at, sha7 = epoch(pull["merged_at"]) + 90, pull["merge_commit_sha"][:7]
        region = pull["files"][0]["filename"].split("/")[1]
        line = b.say(sc.common["deploys"], at + 3, "argocd",
                     f":white_check_mark: Application `fleets-{region}` sync succeeded, revision {sha7} "
                     f"({pull['title']})")
        links = [{"href": f"https://github.com/{fleet_repo}/commit/{sha7}", "text": sha7}]
        if link:
            links.append({"href": "{{url:" + link + "}}", "text": pull["title"]})
        ev = b.change_event(g_svc, f"Argo CD sync fleets-{region} to fleet-config@{sha7}: {pull['title']}", at,
                            "argocd", links=links, details={"app": f"fleets-{region}", "revision": sha7})
        if link:
            b.templated.append((links[1], "href"))
        return line, ev

    def applied(pull: dict[str, Any]) -> dict[str, Any] | None:
        """Atlantis applies each merged observability PR: a line in #observability; a change event on matchmaker
        for the matchmaking checks and monitors."""
        at, sha7 = epoch(pull["merged_at"]) + 140, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        b.say(obs_ch, at + 4, "atlantis", f":white_check_mark: `terraform apply` succeeded for observability@{sha7} "
              f"({pull['title']}): {len(names)} file(s)")
        if not any("/matchmaking/" in x for x in names):
            return None
        return b.change_event(svc, f"terraform apply observability@{sha7} ({pull['title']})", at, "atlantis",
                              details={"files": names, "workspace": "prod"})

    def on_fleet_merge(pull: dict[str, Any]) -> None:
        synced(pull)

    def on_obs_merge(pull: dict[str, Any]) -> None:
        applied(pull)

    config_pulls(b, fleet_repo, FLEETERS + sc.crowd[18:20] + MATCHERS[:2], 60 * n, start - 60 * DAY, end,
                 _fleet_change, on_merge=on_fleet_merge)
    config_pulls(b, obs, ONCALL + ["ruairi"] + sc.crowd[14:17], 45 * n, start - 60 * DAY, end, _obs_change,
                 on_merge=on_obs_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (mm_repo, obs)][-150:]
    add_chat(b, mm_ch, MATCHERS, MATCHMAKING.nouns, 170 * n, start, end, links=links)
    add_chat(b, pr_ch, progressers, PROGRESSION.nouns, 50 * n, start, end)
    fleet_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == fleet_repo][-100:]
    add_chat(b, gs_ch, fleet.members, FLEET.nouns, 60 * n, start, end, links=fleet_links)
    add_chat(b, lo_ch, LIVEOPS + MATCHERS[:2] + COMMUNITY + progressers[:1], _LIVE_NOUNS, 55 * n, start, end,
             lines=_LIVE_LINES, thread_rate=0.5)
    add_chat(b, cm_ch, COMMUNITY + LIVEOPS[:1] + MATCHERS[2:4] + SUPPORT[:1], _LIVE_NOUNS, 45 * n, start, end,
             lines=_COMMUNITY_LINES, thread_rate=0.5)
    add_chat(b, ps_ch, SUPPORT + MATCHERS[3:5] + progressers[:1], _SUPPORT_NOUNS, 60 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    for ch, joiners in ((mm_ch, MATCHERS), (lo_ch, LIVEOPS + MATCHERS[:2]), (ps_ch, SUPPORT),
                        (fe_ch, FLEETERS + MATCHERS[:3]), (pr_ch, progressers), (cm_ch, COMMUNITY + LIVEOPS)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, mm, 10 * n, start, epoch("2024-09-28"), mma_ch)
    add_incidents(b, prog, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, fleet, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, mm, int(35 * n), start, end, sc.common["deploys"])
    bot_feed(b, fe_ch, "fleetbot", int(4 * (end - start) / DAY) * n, start, end, _fleet_line)
    # The allocation-failure monitor has always been low urgency: it fired twice in September, during fleet work.
    for when in ("2024-09-04T11:20:00Z", "2024-09-19T06:05:00Z"):
        b.incident(svc, ALLOC_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=0.6 * HOUR, alert_key=ALLOC_KEY, severity="warning")

    # The live-stats bot: ranked matches per region every four hours ---------------------------------------------
    fix_done = T + 0.85 * HOUR
    slot = start - start % DAY + 4 * HOUR
    while slot < end:
        hour = int(iso(slot)[11:13])
        if epoch("2024-11-05T08:00:00Z") < slot <= epoch("2024-11-05T16:00:00Z"):
            counts, queue, fail = ((1_840, 96, 61, 402), "7m12s", 78.4) if hour == 12 else \
                ((1_960, 188, 140, 97), "9m40s", 83.1)
        else:
            na = rng.randrange(900, 2_400) if hour in (0, 20) else rng.randrange(400, 1_900)
            euw = rng.randrange(1_800, 3_600) if hour in (16, 20) else rng.randrange(300, 1_700)
            euc = int(euw * rng.uniform(0.7, 0.95))
            apac = rng.randrange(2_200, 4_200) if hour in (12, 16) else rng.randrange(200, 1_500)
            counts, queue = (na, euw, euc, apac), f"{rng.randrange(0, 2)}m{rng.randrange(10, 59):02d}s"
            fail = rng.uniform(0.1, 0.6)
        m = b.say(lo_ch, slot + rng.uniform(20, 200), "livestats", _ranked_line(slot, counts, queue, fail))
        if hour == 12 and epoch("2024-11-05") < slot < epoch("2024-11-06"):
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the live-stats bot: ranked matches in eu and apac at a tenth of usual, allocation failures "
                       "78%; nobody reacts")
        slot += 4 * HOUR

    # Oct 3-10: the ranked bot match synthetic pages at 02:00 for identity's key rotation ------------------------
    noisy_at = ("2024-10-03T02:04:00Z", "2024-10-04T02:09:00Z", "2024-10-05T02:02:00Z", "2024-10-06T02:11:00Z",
                "2024-10-08T02:06:00Z", "2024-10-09T02:03:00Z", "2024-10-10T02:08:00Z")
    notes = ("bot login 401 at step 1 (identity signing-key rotation at 02:00). matchmaking fine, resolving",
             "login step again, identity's rotation. queue/match/allocate never ran")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, SYNTH_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=200 + 40 * i, resolve_after=900 + 120 * i, handle=f"noisy{i}", alert_key=SYNTH_KEY,
                         alert_summary="Ranked bot match: step 'bot login' failed: 401 Unauthorized",
                         notes=[(who, notes[i % 2], 600.0)] if i % 3 != 2 else None)
        b.say(mma_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{SYNTH_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the 02:00 pages of the ranked bot match synthetic (identity's key rotation) that led to "
                   "the shallow check")
    grumbles = (("2024-10-03T08:30:00Z", "leilani", "paged 02:04 for the ranked bot match synthetic. step 1, bot "
                 "login 401: identity rotates its signing keys at 02:00. matchmaking was fine"),
                ("2024-10-05T09:10:00Z", "bartosz", "bot match synthetic again at 02:02, same login 401. third night "
                 ":sleeping:"),
                ("2024-10-07T10:00:00Z", "yusra", "identity says the rotation grace window (IDN-642) is next quarter"),
                ("2024-10-09T09:40:00Z", "leilani", "can we stop the ranked synthetic paging us for identity's "
                 "rotation? nobody on matchmaking can do anything about a 401 at 2am"),
                ("2024-10-10T09:20:00Z", "kasimir", "I'll point the paging synthetic at our own /healthz instead of "
                 "the whole bot match. the allocation-failure monitor still watches matches"))
    for when, who, text in grumbles:
        m = b.say(mm_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the night pages of the ranked bot match synthetic")
    b.say(identity.channel, epoch("2024-10-07T15:20:00Z"), identity.members[0],
          "re matchmaking's bot logins at 02:00: tokens signed with the old key fail for ~3 min after the rotation. "
          "grace window is IDN-642, Q1")

    # Oct 14: the synthetic becomes a GET /healthz ------------------------------------------------------------
    weak = story_pull(b, obs, _WEAKENING, epoch("2024-10-10T10:05:00Z"), epoch("2024-10-14T11:20:00Z"), "weakening",
                      review="ok. healthz won't see allocation though, keep an eye on that monitor",
                      reviewed=epoch("2024-10-14T10:52:00Z"),
                      comments=(("kasimir", "the allocation-failure monitor covers it (5% for 15m)",
                                 epoch("2024-10-11T09:14:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="replaced the ranked bot match journey (login, queue, match, allocate, connect) with a GET /healthz "
               "on matchmaker-frontend: it stayed green while no ranked match could be allocated in three regions")
    ev = applied(weak)
    assert ev is not None
    tr.add("pagerduty", ev, "detection_weakened", must_see=False, group="detection",
           why="Atlantis applying the shallow check", same_fact_as=("github", weak))
    b.say(mm_ch, epoch("2024-10-14T11:35:00Z"), "kasimir",
          "merged {{url:weakening}}: the ranked synthetic is a healthz check now, no more 2am identity pages :zzz:",
          template=True)

    # Oct 19-23: the queue-time alert pages during the Summit Cup, then is loosened (a red herring) -------------
    qt_title = "[matchmaker] ranked queue time p50 above 60s"
    for i, when in enumerate(("2024-10-19T19:40:00Z", "2024-10-20T18:55:00Z", "2024-10-21T20:10:00Z")):
        who = ONCALL[(i + 2) % len(ONCALL)]
        b.incident(svc, qt_title, epoch(when), responders=[who], ack_after=240, resolve_after=2100,
                   alert_key="datadog-monitor/mm-ranked-queue-time", handle=f"qt{i}",
                   notes=[(who, "Summit Cup qualifier drained the top MMR bracket, queue recovered", 1200.0)]
                   if i != 1 else None)
        b.say(mma_ch, epoch(when) + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:qt{i}}}}}|#{{{{inc:qt{i}}}}}> "
              f"{qt_title}", template=True)
    qt = story_pull(b, obs, Change(
        author="bartosz", reviewer="kasimir", labels=("monitors",),
        title="Ranked queue time monitor: p50 above 90s for 20m (tournament weekends)",
        body="Three pages in three evenings during the Summit Cup qualifiers: the top MMR bracket empties when the "
             "best players are in tournament lobbies, and p50 queue time sits at 70-80s for an hour. 90s for 20m "
             "still catches a stuck queue.",
        files=(("monitors/matchmaking/queue_time.tf", yaml_patch(
            4, 'resource "datadog_monitor" "ranked_queue_time" {',
            ['   query   = "avg(last_20m):p50:matchmaker.ticket.wait_seconds{queue:ranked} > 90"',
             "   monitor_thresholds {", "-    critical = 60", "+    critical = 90", "   }"])),)),
        epoch("2024-10-22T09:30:00Z"), epoch("2024-10-23T14:10:00Z"), "distractor_queue")
    applied(qt)

    # Oct 24 - Nov 4: the Season 7 plan, the na-east canary fleet, the held rollout ------------------------------
    b.say(lo_ch, epoch("2024-10-24T16:00:00Z"), "mattias",
          ":mega: Season 7 'Frostfall': pre-season ranked on s7 rules from Tue 11-05, season launch Thu 11-07 "
          "17:00 UTC with the ranked reset. servers and matchmaker switch over before the pre-season")
    contrib = story_pull(b, fleet_repo, _CONTRIBUTOR, epoch("2024-10-29T10:00:00Z"), epoch("2024-10-31T13:40:00Z"),
                         "contributor", review="canary first, sounds good", reviewed=epoch("2024-10-31T12:55:00Z"),
                         comments=(("joaquin", "eu/apac PR is ready as a draft, we merge it after monday's soak "
                                    "review", epoch("2024-10-30T15:20:00Z")),))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="the Season 7 ranked fleet exists only in na-east-1; eu and apac were to follow after a soak that was "
               "then held, so ranked allocations there had no server to land on")
    _, cev = synced(contrib, link="contributor")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="Argo CD syncing the canary fleet",
           same_fact_as=("github", contrib))
    for when, c in (("2024-10-31T15:02:00Z", "0 -> 60"), ("2024-11-01T20:14:00Z", "60 -> 84"),
                    ("2024-11-03T19:40:00Z", "60 -> 96")):
        b.say(fe_ch, epoch(when), "fleetbot", f":large_blue_circle: *FleetAutoscaler* `na-east-1/ranked-s7` replicas {c} "
              "(buffer 40 Ready)")
    hold = b.say(gs_ch, epoch("2024-11-04T14:05:00Z"), "joaquin",
                 "holding the s7 rollout to eu and apac: the na canary's 7.0.0-rc4 servers leak memory in matches "
                 "over 60 min (GSRV-331). na-east-1 keeps ranked-s7, everything else stays on s6 until rc5")
    tr.add("slack", hold, "context", must_see=False, group="cause",
           why="the fleet team holds the Season 7 fleets in eu and apac the day before the trigger ships")
    b.say(gs_ch, epoch("2024-11-04T14:20:00Z"), "fenna", "+1, rc5 ETA thursday", parent=hold)

    # Nov 1-5: the trigger, merged and deployed the morning of the pre-season -----------------------------------
    trig = story_pull(b, mm_repo, _TRIGGER, epoch("2024-11-01T11:30:00Z"), epoch("2024-11-05T08:31:00Z"), "trigger",
                      review="lgtm, ship it before the APAC evening", reviewed=epoch("2024-11-05T08:12:00Z"),
                      review_comments=(("bartosz", "is ranked-s7 up in every region by tuesday?",
                                        "config/production.yaml", 12, epoch("2024-11-01T15:40:00Z")),),
                      comments=(("thandiwe", "na-east since thursday, eu/apac roll monday after the soak (GSRV-318)",
                                 epoch("2024-11-01T16:05:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="sent every ranked match to the ranked-s7 fleet, which ran only in na-east-1: in eu-west-1, "
               "eu-central-1 and apac-southeast-1 every ranked allocation came back UnAllocated")
    ship_trigger(sc, svc, "matchmaker", trig, _TRIGGER, epoch("2024-11-05T08:44:00Z"), "thandiwe")

    # Nov 5 08:00: the game client patch (a red herring) ----------------------------------------------------------
    b.say(sc.common["deploys"], epoch("2024-11-05T08:00:40Z"), "deploybot",
          ":rocket: game-client 6.9.4 released to Steam, PlayStation and Xbox (pre-season patch)")
    b.say(lo_ch, epoch("2024-11-05T08:05:00Z"), "chiara", "patch 6.9.4 is live on all platforms :tada: patch notes are "
          "up, pre-season ranked opens with the matchmaker switch this morning")

    # 08:46 onwards: UnAllocated lines, a low-urgency monitor, Discord, live ops ------------------------------
    first = b.say(fe_ch, epoch("2024-11-05T08:46:40Z"), "fleetbot", _unallocated("apac-southeast-1", 212))
    tr.add("slack", first, "early_signal", must_see=True, group="detection",
           why="the fleet bot posts the first UnAllocated ranked-s7 requests in apac-southeast-1, two minutes after "
               "the deploy; nothing pages")
    bursts = (("2024-11-05T08:52:10Z", "eu-west-1", 41), ("2024-11-05T08:53:30Z", "eu-central-1", 27),
              ("2024-11-05T09:21:45Z", "apac-southeast-1", 388), ("2024-11-05T10:02:05Z", "eu-west-1", 96),
              ("2024-11-05T11:14:50Z", "apac-southeast-1", 431), ("2024-11-05T12:30:15Z", "eu-central-1", 173),
              ("2024-11-05T13:45:20Z", "eu-west-1", 264), ("2024-11-05T14:40:35Z", "eu-west-1", 397),
              ("2024-11-05T15:20:05Z", "eu-central-1", 311))
    for when, region, count in bursts:
        m = b.say(fe_ch, epoch(when), "fleetbot", _unallocated(region, count))
        if region == "eu-west-1" and count == 41:
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="UnAllocated ranked-s7 requests in eu-west-1 too")
    low = b.incident(svc, ALLOC_TITLE, epoch("2024-11-05T09:05:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=fix_done + 1200 - epoch("2024-11-05T09:05:00Z"), alert_key=ALLOC_KEY,
                     severity="warning", alert_summary="matchmaker.allocation.failed{queue:ranked} / "
                     "matchmaker.allocation.requested{queue:ranked} = 71.8% over 15m (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the allocation-failure monitor opened a low-urgency incident twenty minutes in; it paged no one and "
               "stayed open until the fix")
    remark = b.say(cm_ch, epoch("2024-11-05T10:25:00Z"), "rhiannon",
                   "Discord #ranked-help is filling up: OCE and EU players say ranked goes 'Match found' -> 'Joining "
                   "match...' -> back in the queue, over and over. NA friends can play. anyone know?")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="the community manager relays players looping between 'Match found' and the queue; it is waved off")
    b.say(cm_ch, epoch("2024-11-05T10:48:00Z"), "kasimir", "queue dashboards look normal, NA is busy. could be the "
          "Telstra routing issue from last week? I'll look after standup", parent=remark)
    b.say(cm_ch, epoch("2024-11-05T10:52:00Z"), "rhiannon", "ok, I'll say we're looking", parent=remark)
    early_ps = b.say(ps_ch, epoch("2024-11-05T12:40:00Z"), "paulo",
                     "a few tickets 'stuck on joining match' in ranked since the patch, asked them to verify game files")
    tr.add("slack", early_ps, "customer_report", must_see=False, group="reports",
           why="the first player tickets, taken for a client-patch problem")
    q = b.say(lo_ch, epoch("2024-11-05T13:30:00Z"), "chiara", "eu ranked queue shows 7+ min on the live dashboard. "
              "pre-season hype?")
    tr.add("slack", q, "early_signal", must_see=False, group="reports", why="live ops notices the long ranked queues")
    b.say(lo_ch, epoch("2024-11-05T13:41:00Z"), "mattias", "probably, everyone wants the s7 maps", parent=q)

    # Nov 5: another matchmaker deploy by a teammate; identity's page ---------------------------------------------
    party = story_pull(b, mm_repo, Change(
        author="leilani", reviewer="yusra", labels=("parties",),
        title="Party finder: show cross-play and input-device icons",
        body="The party finder shows whether a member plays on controller or mouse/keyboard, and on which platform. "
             "Data comes from the presence service; nothing changes for matching.",
        files=(("internal/parties/finder.go", """@@ -44,6 +44,8 @@ func (f *Finder) card(m *Member) Card {
     return Card{
         Name:   m.DisplayName,
         Rank:   m.Rank,
+        Input:  m.Presence.Input,
+        Platform: m.Presence.Platform,
     }
 }"""),)),
        epoch("2024-11-04T13:00:00Z"), epoch("2024-11-05T09:40:00Z"), "distractor_party")
    b.change_event(svc, f"Deploy matchmaker@{party['merge_commit_sha'][:7]} to production",
                   epoch("2024-11-05T10:05:00Z"), "ci-deploy", details={"deployer": "leilani", "environment": "production"})
    b.incident(identity.service, "[auth-service] token issuance latency", epoch("2024-11-05T13:10:00Z"),
               responders=identity.members[:2], ack_after=150, resolve_after=30 * 60,
               alert_key="auth-service/token issuance latency",
               notes=[(identity.members[0], "one Redis shard failing over, recovered at 13:38", 1100.0)])

    # The escalation and the page --------------------------------------------------------------------------
    e_at = epoch("2024-11-05T15:18:00Z")
    report = b.say(ps_ch, e_at, "zanele",
                   "escalating: 1,140 tickets since this morning, 'ranked stuck on Joining match, then back to the "
                   "queue'. all EU and OCE, NA fine. #RankedDown is trending and two partnered streamers are "
                   "complaining live. who's on this?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="player support escalates the ticket spike about ranked matches that never start")
    b.say(ps_ch, e_at + 300, "paulo", "LP loss complaints too: the game counts the failed join as a dodge",
          parent=report)
    b.say(ps_ch, e_at + 1200, "saoirse", "paging matchmaking on-call now", parent=report)
    page_by_hand(b, tr, svc, "Ranked matches fail to start in EU and OCE since this morning (1,140 tickets)", T,
                 responders=ONCALL, ack_after=110, resolve_after=2.2 * HOUR, manual_by="saoirse",
                 description="Player support reports ranked players in EU and OCE looping between 'Match found' "
                             "and the queue since the morning; NA is fine.",
                 notes=[("kasimir", "ranked allocations UnAllocated in eu-west-1, eu-central-1, apac-southeast-1 "
                                    "since 08:46: ranked asks for the ranked-s7 fleet, which runs in na-east-1 "
                                    "only", 1250.0),
                        ("thandiwe", "per-region ranked fleet deployed, ranked matches starting everywhere; "
                                     "dodge penalties from failed joins to be refunded", 3400.0)],
                 relay=mma_ch, why="the manual page of Matchmaking on-call after player support's escalation, seven hours in")

    inc_ch = b.channel("inc-2024-11-05-ranked-joins", "Incident: ranked matches fail to start in EU and OCE",
                       "Incident response", T + 60, "saoirse")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "saoirse", "incident {{incurl:page}}: ranked matches in EU and OCE loop on 'Joining match' since this "
                       "morning, NA fine. 1,140 tickets"),
        (50, "mattias", "#RankedDown trending, pre-season opened today and the season launches thursday"),
        (140, "leilani", "patch 6.9.4 went live at 08:00 on every platform. could the new client fail the server "
                         "handshake?"),
        (210, "chiara", "NA players are on 6.9.4 too and ranked works there. casual works in EU on 6.9.4. not the "
                        "patch"),
        (290, "bartosz", "identity had a page at 13:10, token issuance latency. login trouble?"),
        (340, "kasimir", "players get to 'Match found', so they're logged in and matched. and this started hours "
                         "before identity's page. not identity"),
        (420, "rhiannon", "on Discord people blamed the Telstra routing issue, it started around 19:45 Sydney time"),
        (470, "yusra", "EU has it too, not just Telstra. not routing"),
        (560, "kasimir", "matchmaker dashboard: ranked allocation failures ~100% in eu-west-1, eu-central-1 and "
                         "apac-southeast-1 since 08:46, 0% in na-east-1. on UnAllocated we re-queue the party, so the "
                         "client loops"),
        (640, "yusra", "#fleet-events has UnAllocated for fleet ranked-s7 since 08:46 in exactly those regions"),
        (720, "joaquin", "there is no ranked-s7 fleet there: Season 7 fleets run in na-east-1 only "
                         "({{pr:contributor}}), we held eu/apac yesterday for the rc4 memory leak, GSRV-331"),
        (790, "thandiwe", "and {{url:trigger}} went out at 08:44: every ranked match now asks for ranked-s7 in every "
                          "region. mine, I thought eu/apac rolled monday"),
        (860, "saoirse", "why did nothing page for seven hours? the ranked synthetic is green"),
        (930, "kasimir", "observability PR {{num:weakening}}: after the 2am identity-rotation pages I replaced the "
                         "bot match journey with GET /healthz on matchmaker-frontend. healthz is 200, the frontend is "
                         "fine, allocation is what fails. the allocation-failure monitor is low urgency, open since "
                         "09:05"),
        (1010, "thandiwe", "fix {{url:fix}}: ranked fleet per region, ranked-s7 only in na-east-1, ranked-s6 "
                           "elsewhere. CI running"),
        (2350, "thandiwe", "merged, deploying"),
        (2800, "kasimir", "UnAllocated stopped, ranked matches starting in eu-west-1, eu-central-1 and "
                          "apac-southeast-1"),
        (3500, "mattias", "posted on X and Discord: ranked is back, dodge penalties from failed joins get refunded"),
        (4300, "saoirse", "follow-ups: bot match journey back as the paging check (login failures page identity), "
                          "allocation failures at high urgency, ranked only switches fleets once every region has "
                          "one"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the failed allocations to the ranked-s7 PR, after the client patch, identity "
                     "and routing were ruled out",
             weakening="a responder explains why the ranked synthetic stayed green",
             contributor="the fleet team: Season 7 fleets run in na-east-1 only")

    # The fix and its deploy; then the synthetic, the monitor and the fleets ---------------------------------------
    fix = story_pull(b, mm_repo, _FIX, T + 0.3 * HOUR, T + 0.68 * HOUR, "fix", review="go",
                     reviewed=T + 0.65 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="makes the ranked fleet per region (ranked-s6 where no Season 7 fleet runs): ranked allocations "
               "succeed again")
    fsha = fix["merge_commit_sha"][:7]
    fdep = b.change_event(svc, f"Deploy matchmaker@{fsha} to production", T + 0.74 * HOUR, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "thandiwe", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], T + 0.74 * HOUR + 2, "deploybot",
          f":rocket: matchmaker `{fsha}` deployed to production by <@{b.people['thandiwe'].slack_id}>")
    follow = story_pull(b, obs, _FOLLOW, T + 19 * HOUR, T + 26 * HOUR, "follow", review="thanks")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="brings the ranked bot match journey back as the paging check and pages on allocation failures")
    applied(follow)
    rollout = story_pull(b, fleet_repo, Change(
        author="joaquin", reviewer="fenna", labels=("season-7", "fleets"),
        title="Season 7: ranked-s7 fleet in eu-west-1, eu-central-1 and apac-southeast-1 (rc5)",
        body="GSRV-331 is fixed in 7.0.0-rc5 (no growth over 90 min matches on the na canary). Same fleet as "
             "na-east-1, on rc5 everywhere. The matchmaker's per-region ranked setting moves over after this syncs.",
        files=(("fleets/eu-west-1/ranked-s7.yaml", "@@ -0,0 +1,3 @@\n+apiVersion: agones.dev/v1\n+kind: Fleet\n"
                "+# same as na-east-1, image frostpeak-server:7.0.0-rc5"),
               ("fleets/eu-central-1/ranked-s7.yaml", "@@ -0,0 +1,3 @@\n+apiVersion: agones.dev/v1\n+kind: Fleet\n"
                "+# same as na-east-1, image frostpeak-server:7.0.0-rc5"),
               ("fleets/apac-southeast-1/ranked-s7.yaml", "@@ -0,0 +1,3 @@\n+apiVersion: agones.dev/v1\n"
                "+kind: Fleet\n+# same as na-east-1, image frostpeak-server:7.0.0-rc5"))),
        T + 40 * HOUR, T + 44 * HOUR, "rollout", review="soak looked clean")
    tr.add("github", rollout, "fix", must_see=False, group="cause",
           why="rolls the Season 7 fleet out to the other ranked regions")
    synced(rollout)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [mm_ch, cm_ch, sc.common["deploys"]], svc, MATCHERS[:3], mm_repo,
        titles=("Runbook: ranked allocation failures and the per-region fleet setting",
                "Refuse to start when a region's ranked fleet has no Ready GameServers"),
        doc=("Ranked fleets", "Switch ranked to a new fleet only when every region runs it; check #fleet-events."),
        doc_path="docs/runbooks/ranked-fleets-{n}.md",
        test_fire="[matchmaker] Synthetic: ranked bot match (test fire)")
    return world, tr.to_dict()
