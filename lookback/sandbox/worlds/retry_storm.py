"""World "retry-storm": Quayside Fulfilment runs three distribution centres (CMH1 Columbus, RNO2 Reno, ATL1 Atlanta)
whose pickers carry handheld scanners that call picking-api (Kotlin, Spring Boot, 200 Tomcat threads per pod). When
the last line of an order is confirmed, picking-api asks the label vendor Inkpost to create the carrier label and send
it to the pack station's printer, synchronously, inside the "confirm pick" request. On Monday June 9 a PR bumps the
company's shared HTTP client, quay-http, from 3.9.1 to 4.2.0 ahead of the 3.x end of support; the 4.x builder has no
`readTimeout`, so the PR drops Inkpost's 3-second read timeout and inherits the `default` profile: a 10-second call
timeout and the standard retry policy (3 retries on timeouts, a fixed 250 ms apart, no jitter, POSTs included). On
Tuesday at 13:41 UTC Inkpost's label API gets a little slower; every slow label now holds a Tomcat thread for up to
40 seconds and is posted up to four times (the pack printers spit out duplicate labels), the six pods run out of
threads and the handhelds hang on "Confirm pick" at every DC, from 13:49 to 15:30 and again from 17:20. Two weeks
earlier FinOps had capped picking-api's autoscaler (which scales on busy threads) at 6 replicas instead of 16. Four
weeks earlier, after seven nights of readiness pages caused by location-service being slow during the nightly
re-slotting, picking-api's readiness group stopped checking downstreams and the probe and the uptime synthetic were
relaxed: the pods stay Ready and the uptime check green all day. Only a low-urgency latency alert nobody acks, the
Floor Pulse shift report, the vendor's status notes and floor leads in #dc-ops show it, and everyone blames the Wi-Fi
and the new printer firmware, until the UPS trailer leaves CMH1 half empty and the CMH1 operations manager pages
Picking by hand six and a half hours in. A rollback ends it; the fix sets an explicit timeout, no retries on label
creation, an idempotency key and a bulkhead."""

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

PICKING = TeamSpec("picking", "Picking", "picking-api", "picking-api", "picking-eng",
                   ("tasks", "waves", "handheld", "labels"),
                   ("pick path", "tote assignment", "wave release", "short pick flow", "substitution prompt",
                    "zone handoff", "batch picking", "handheld session", "label reprint queue", "location scan",
                    "cart build", "pick-to-light"),
                   ("picking-api 5xx above 2%", "wave release lag above 10m", "handheld session errors above 1%",
                    "pick task queue backlog above 5k"), "kt")
INVENTORY = TeamSpec("inventory", "Inventory", "location-service", "wms-core", "inventory-eng",
                     ("locations", "slotting", "counts", "replenishment"),
                     ("location master", "re-slotting run", "cycle count", "replenishment task", "ABC velocity",
                      "bin dimensions", "slot capacity", "inventory adjustments", "lot tracking"),
                     ("location-service p99 above 2s", "replenishment tasks stuck", "cycle count export failed"), "kt")
TRANSPORT = TeamSpec("transport", "Transportation", "carrier-manifests", "carrier-manifests", "transport-eng",
                     ("manifests", "carriers", "cutoffs", "rating"),
                     ("UPS manifest", "FedEx close-out", "trailer load plan", "carrier cutoff", "rate shopping",
                      "SCAC codes", "bill of lading", "USPS SCAN form"),
                     ("manifest upload failures", "FedEx close-out late", "rating API errors"), "py")
STATIONS = TeamSpec("stations", "Stations", "printer-fleet", "station-printers", "pack-stations",
                    ("printers", "templates", "stations"),
                    ("printer firmware", "ZPL template", "label darkness", "print speed", "station layout"),
                    ("printers offline above 5% at a DC", "Fleet Console sync failed", "reprint queue above 500"), "py")
PLATLIB = TeamSpec("platlib", "Platform Libraries", "quay-http", "quay-http", "platform-libs",
                   ("client", "profiles", "metrics", "testing"),
                   ("connection pool", "tracing headers", "TLS config", "metrics tags", "client profile",
                    "mock server", "retry policy", "DNS cache", "proxy support", "gzip handling"),
                   ("release pipeline failed",), "kt")

STAFF = (("marisol", "Marisol Quintero"), ("tobias", "Tobias Wenzel"), ("ngozi", "Ngozi Eze"),
         ("rhiannon", "Rhiannon Pryce"), ("declan", "Declan Frye"), ("soren", "Soren Lindgren"),
         ("yusuf", "Yusuf Demir"), ("astrid", "Astrid Holm"), ("colm", "Colm Brennan"),
         ("bettina", "Bettina Kraus"), ("hamid", "Hamid Rezaei"), ("ignacio", "Ignacio Ferreira"),
         ("lotte", "Lotte Vos"), ("henrik", "Henrik Dahl"), ("odile", "Odile Marchand"))
OUTSIDERS = (("shonda", "Shonda Tillman"), ("earl", "Earl Whitcomb"), ("jolene", "Jolene Marsh"),
             ("renata", "Renata Szabo"), ("keisha", "Keisha Boateng"), ("gordie", "Gordon McAllister"),
             ("lukas", "Lukas Brandt"), ("bernie", "Bernadette Cole"))
PICKING_PEOPLE = ["marisol", "tobias", "ngozi", "rhiannon", "declan", "soren"]
ONCALL = ["ngozi", "rhiannon", "declan", "tobias"]
PLATFORM_STAFF = ["yusuf", "astrid", "colm"]
INVENTORY_PEOPLE = ["bettina", "hamid"]
STATION_PEOPLE = ["ignacio", "lotte"]
TRANSPORT_PEOPLE = ["henrik", "odile"]
FLOOR = ["shonda", "earl", "jolene", "renata", "bernie"]

UPTIME_TITLE = "[picking-api] Uptime: /actuator/health/readiness failing"
UPTIME_KEY = "datadog/synthetics/picking-api-readiness"
P95_TITLE = "[picking-api] confirm-pick p95 above 3s (15m)"
P95_KEY = "datadog/monitor/picking-api-confirm-pick-p95"

TRIGGER_LIVE = "2025-06-09T19:10:00Z"
# Inkpost's label API is slow in these windows of June 10 (UTC); the handhelds hang until the rollback at 20:58.
SLOW = (("2025-06-10T13:41:00Z", "2025-06-10T15:28:00Z"), ("2025-06-10T17:20:00Z", "2025-06-10T21:30:00Z"))
AVG_UPH = {"CMH1": 128, "RNO2": 122, "ATL1": 117}


def _slow(t: float) -> bool:
    return any(epoch(a) <= t <= epoch(b) for a, b in SLOW)


_DC_NOUNS = ("dock door 14", "wave 3 release", "replen backlog", "cycle count in zone B", "conveyor jam at induct",
             "temp labor badges", "forklift recert", "tote shortage", "heat advisory break schedule",
             "mezzanine lift", "returns cage", "pallet wrap machine", "peak hiring event", "yard checks")
_DC_LINES = (
    "CMH1: {noun} sorted for today, thanks maintenance",
    "RNO2 here, anyone else short on {noun} this week?",
    "reminder: {noun} checklist due by end of shift",
    "ATL1: {noun} moved to tomorrow, short on associates",
    "who do I call about {noun} after 18:00? the on-site number rings out",
    "{noun}: photos in the shift log",
    "second shift please note {noun} before you start",
    "{noun} again :face_with_rolling_eyes: ticket open with facilities",
)
_CARRIER_NOUNS = ("UPS pull time", "FedEx Ground trailer", "USPS drop", "OnTrac pickup", "LTL appointment",
                  "trailer seal log", "late pull request", "carrier scorecard", "53' swap")
_CARRIER_LINES = (
    "CMH1 {noun} moves to 16:30 on friday, heads up",
    "RNO2: {noun} confirmed for tomorrow",
    "{noun} for ATL1 is in the TMS now",
    "anyone have the contact for {noun} at the Reno hub?",
    "{noun}: carrier says 20 min late, we're fine",
    "monthly {noun} numbers are in the transport sheet",
)
_STATION_NOUNS = ("ribbon stock", "4x6 label rolls", "pack 12 printer", "printhead cleaning", "scale calibration",
                  "void fill machine", "pack station monitors", "spare handhelds", "label darkness")
_STATION_LINES = (
    "CMH1 pack-out: {noun} low, reorder placed",
    "{noun} at RNO2 pack line 2 fixed",
    "can someone from stations look at {noun}? ticket in the queue",
    "ATL1: {noun} done for the week",
    "{noun} question: who approves the spend?",
)
_VENDOR_NOUNS = ("monthly volume report", "Cloud Print connector", "USPS rate change", "invoice for May",
                 "QBR agenda", "sandbox API keys", "webhook signing secret", "label void policy")
_VENDOR_LINES = (
    "(Inkpost) {noun} is attached, let us know if you have questions",
    "{noun}: is this still on for next week?",
    "(Inkpost) quick reminder about the {noun} change on the 1st",
    "thanks, {noun} received",
    "(Inkpost) new {noun} version available, no action needed",
)
_FINOPS_NOUNS = ("RDS reservations", "S3 lifecycle rules", "spot node pool", "NAT gateway spend",
                 "Datadog custom metrics bill", "EBS snapshots", "savings plan renewal", "idle load balancers")
_LIB_NOUNS = ("quay-http", "spring boot starter", "gradle convention plugin", "tracing headers", "kotlin 2.0 upgrade",
              "jackson bump", "quay-test fixtures")


_APPS = (("wms-core", "inventory"), ("location-service", "inventory"), ("carrier-manifests", "transport"),
         ("route-planner", "routing"), ("returns-portal", "web"), ("dock-scheduler", "transport"),
         ("yard-api", "transport"), ("slotting-optimizer", "inventory"), ("label-archive", "stations"))


def _k8s_change(rng: random.Random) -> ConfigChange:
    """One generated PR of k8s-apps: production overlays of other apps (resources, autoscaling, env, PDBs)."""
    app, ns = rng.choice(_APPS)
    path = f"apps/{app}/overlays/production/values.yaml"
    ticket = f"PLAT-{rng.randrange(1180, 1330)}"
    k = rng.random()
    if k < 0.26:
        a = rng.choice(("500m", "1", "2"))
        c = rng.choice([x for x in ("250m", "500m", "1", "2", "3") if x != a])
        return (f"{app} prod: cpu request {a} -> {c}", rng.choice((f"Right-sizing ({ticket}).",
                "Throttled at the morning wave.", "p95 CPU is a third of the request.")),
                [yaml_file(path, yaml_patch(rng.randrange(8, 14), "resources:", [
                    "   requests:", f'-    cpu: "{a}"', f'+    cpu: "{c}"']))])
    if k < 0.44:
        lo, hi = rng.choice(((2, 6), (3, 8), (2, 4), (4, 10)))
        nlo, nhi = rng.choice(((2, 8), (3, 6), (2, 5), (3, 12)))
        return (f"{app} prod: HPA {lo}-{hi} -> {nlo}-{nhi}", rng.choice(("Matches the last 90 days.",
                f"Wave 1 ramp is faster since the new shift plan ({ticket}).", "FinOps review.")),
                [yaml_file(path, yaml_patch(rng.randrange(18, 26), "autoscaling:", [
                    "   enabled: true", f"-  minReplicas: {lo}", f"-  maxReplicas: {hi}", f"+  minReplicas: {nlo}",
                    f"+  maxReplicas: {nhi}"]))])
    if k < 0.62:
        var, val = rng.choice((("LOG_LEVEL", '"info"'), ("JAVA_TOOL_OPTIONS", '"-XX:MaxRAMPercentage=70"'),
                               ("FEATURE_NEW_CUTOFFS", '"true"'), ("DB_POOL_SIZE", '"30"'),
                               ("OTEL_TRACES_SAMPLER_ARG", '"0.05"')))
        return (f"{app} prod: set {var}", rng.choice((f"For {ticket}.", "Same as staging since last week.")),
                [yaml_file(path, yaml_patch(rng.randrange(30, 44), "env:", [
                    "   - name: SPRING_PROFILES_ACTIVE", "     value: production", f"+  - name: {var}",
                    f"+    value: {val}"]))])
    if k < 0.74:
        was, now = rng.choice((("1", "2"), ("50%", "1"), ("2", "1")))
        return (f"{app} prod: PodDisruptionBudget minAvailable {was} -> {now}", "Node drains were stuck for an hour.",
                [yaml_file(path, yaml_patch(rng.randrange(48, 56), "podDisruptionBudget:", [
                    f'-  minAvailable: "{was}"', f'+  minAvailable: "{now}"']))])
    if k < 0.86:
        a = rng.choice(("1Gi", "2Gi", "3Gi"))
        c = rng.choice([x for x in ("1Gi", "2Gi", "3Gi", "4Gi") if x != a])
        return (f"{app} prod: memory {a} -> {c}", rng.choice(("OOMKilled twice during the wave.",
                "Heap never goes above 40%.", f"Right-sizing ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(10, 16), "resources:", [
                    "   limits:", f"-    memory: {a}", f"+    memory: {c}"]))])
    grace, longer = rng.choice(((30, 60), (10, 30), (60, 20)))
    return (f"{app} prod: terminationGracePeriodSeconds {grace} -> {longer}", "In-flight requests were cut on deploys.",
            [yaml_file(path, yaml_patch(rng.randrange(56, 64), "pod:", [
                f"-  terminationGracePeriodSeconds: {grace}", f"+  terminationGracePeriodSeconds: {longer}"]))])


_PRINTER_GROUPS = (("rno2", "RNO2", "pack-stations", "ZT411"), ("atl1", "ATL1", "pack-stations", "ZD621"),
                   ("cmh1", "CMH1", "ship-sort", "ZT610"), ("rno2", "RNO2", "returns", "ZD421"),
                   ("atl1", "ATL1", "ship-sort", "ZT610"), ("cmh1", "CMH1", "returns", "ZD421"))
# Firmware lines per model; the ZT411 pack stations only change in the story.
_FIRMWARE_LINE = {"ZD621": "V93.21", "ZD421": "V93.21", "ZT610": "V92.21"}


def _printer_change(rng: random.Random) -> ConfigChange:
    """One generated PR of station-printers: printer groups other than CMH1's pack stations."""
    slug, dc, group, model = rng.choice(_PRINTER_GROUPS)
    path = f"fleet/{slug}/{group}.yaml"
    ticket = f"STN-{rng.randrange(200, 290)}"
    k = rng.random()
    if k < 0.22 and model in _FIRMWARE_LINE:
        line, minor = _FIRMWARE_LINE[model], rng.randrange(10, 19)
        return (f"{dc} {group}: {model} firmware {line}.{minor}Z -> {line}.{minor + 1}Z",
                rng.choice((f"Zebra advisory ({ticket}).", "Fixes the wake-from-sleep hang.", "Matches the lab units.")),
                [yaml_file(path, yaml_patch(3, f"site: {dc}", [f" model: {model}", f"-firmware: {line}.{minor}Z",
                                                               f"+firmware: {line}.{minor + 1}Z"]))])
    if k < 0.42:
        a = rng.randrange(18, 26)
        c = a + rng.choice((-2, -1, 1, 2))
        return (f"{dc} {group}: darkness {a} -> {c}", rng.choice(("Carrier scan rejects on the new label stock.",
                "Labels smudging on the poly mailers.")),
                [yaml_file(path, yaml_patch(9, "settings:", [f"-  darkness: {a}", f"+  darkness: {c}"]))])
    if k < 0.58:
        a, c = rng.choice(((6, 8), (8, 6), (8, 10), (10, 8)))
        return (f"{dc} {group}: print speed {a} -> {c} ips", "Keeps up with the new induct rate." if c > a else
                "Fewer voids on the glossy stock.",
                [yaml_file(path, yaml_patch(10, "settings:", [f"-  print_speed_ips: {a}", f"+  print_speed_ips: {c}"]))])
    if k < 0.78:
        n = rng.randrange(13, 40)
        host = f"{slug}-{group.split('-')[0]}-{n:02d}.prn.quayside.internal"
        return (f"{dc} {group}: add {host.split('.')[0]}", f"New station ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(20, 60), "printers:", [
                    f"+  - host: {host}", f"+    inkpost_printer_id: prn_{rng.getrandbits(40):010x}"]))])
    if k < 0.90:
        return (f"templates: {rng.choice(('returns', 'hazmat', 'gift message'))} ZPL tweak",
                "Barcode quiet zone was too small for the ship-sort scanners.",
                [yaml_file(f"templates/{rng.choice(('returns', 'hazmat', 'gift'))}.zpl", yaml_patch(14, "^XA", [
                    "-^BY3,3,110", "+^BY3,3,120"]))])
    return (f"{dc} {group}: sleep after {rng.choice((15, 30))} min idle", "Energy audit.",
            [yaml_file(path, yaml_patch(12, "settings:", ["-  sleep_after_min: 0",
                                                          f"+  sleep_after_min: {rng.choice((15, 30))}"]))])


def _pulse(dcs: dict[str, tuple[int, float, int]], label: str, staged: str) -> str:
    """The Floor Pulse shift report: per DC units per hour, confirm-pick p50, handheld retries, staged share."""
    lines = [f"*Floor Pulse* · {label}"]
    for dc, (uph, p50, retries) in dcs.items():
        lines.append(f"• {dc}: UPH {uph} (4-wk avg {AVG_UPH[dc]}) · confirm-pick p50 {p50:.1f}s (avg 0.5s) · "
                     f"handheld retries {retries:,} (avg 30)")
    lines.append(staged)
    return "\n".join(lines)


def _routine_pulse(rng: random.Random, label: str, staged_for: str) -> str:
    dcs = {dc: (avg + rng.randrange(-9, 8), rng.uniform(0.4, 0.7), rng.randrange(12, 55)) for dc, avg in AVG_UPH.items()}
    return _pulse(dcs, label, f"Staged for {staged_for}: CMH1 {rng.randrange(36, 47)}% · RNO2 "
                              f"{rng.randrange(34, 46)}% · ATL1 {rng.randrange(38, 50)}%")


def _datadog_line(rng: random.Random, t: float) -> str:
    """Datadog's Slack-only monitors of the Picking team in #picking-alerts."""
    k = rng.random()
    if k < 0.30:
        return f":warning: [Warn] picking-api p95 latency {rng.uniform(1.5, 2.4):.1f}s > 1.5s on /v1/tasks/next (slack only)"
    if k < 0.55:
        return ":white_check_mark: [Recovered] picking-api p95 latency on /v1/tasks/next"
    if k < 0.72:
        return f":warning: [Warn] wave-release lag {rng.randrange(4, 9)}m > 3m at {rng.choice(tuple(AVG_UPH))} (slack only)"
    if k < 0.86:
        return f":warning: [Warn] picking-api JVM old gen {rng.randrange(71, 84)}% on 1 pod (slack only)"
    return f":white_check_mark: [Recovered] wave-release lag at {rng.choice(tuple(AVG_UPH))}"


def _kube_line(rng: random.Random, t: float) -> str:
    """Kubewatch in #k8s-events: rescales, restarts, image pulls of the production apps."""
    app, ns = rng.choice(_APPS + (("picking-api", "picking"),))
    pod = f"{app}-{rng.getrandbits(24):06x}-{rng.getrandbits(20):05x}"
    k = rng.random()
    if k < 0.40:
        size = rng.randrange(2, 6)
        return (f":arrows_counterclockwise: HorizontalPodAutoscaler `{ns}/{app}`: SuccessfulRescale — New size: {size}; "
                f"reason: {rng.choice(('cpu resource utilization (percentage of request) above target', 'All metrics below target'))}")
    if k < 0.60:
        return f":recycle: Pod `{ns}/{pod}`: Killing — Stopping container {app} (rolling update)"
    if k < 0.75:
        return f":warning: Pod `{ns}/{pod}`: BackOff — Back-off pulling image (ECR throttling)"
    if k < 0.88:
        return f":skull: Pod `{ns}/{pod}`: OOMKilled — container {app} exceeded its memory limit, restarted"
    return f":white_check_mark: Node `ip-10-40-{rng.randrange(1, 250)}-{rng.randrange(1, 250)}.ec2.internal`: NodeReady"


def _inkpost_line(rng: random.Random, t: float) -> str:
    """Inkpost's status page in #vendor-status, plus the carriers' status feeds."""
    k = rng.random()
    if k < 0.30:
        return (":calendar: *Inkpost* Scheduled maintenance: "
                f"{rng.choice(('Cloud Print connector updates', 'dashboard', 'address validation', 'rate API'))} "
                f"{rng.randrange(2, 5):02d}:00-{rng.randrange(5, 7):02d}:00 UTC")
    if k < 0.55:
        return (":large_green_circle: *Inkpost* Resolved: "
                f"{rng.choice(('delayed tracking webhooks', 'USPS label errors', 'slow dashboard exports', 'DHL eCommerce manifests'))}")
    if k < 0.70:
        return (":large_yellow_circle: *Inkpost* Investigating: "
                f"{rng.choice(('elevated errors for USPS label generation', 'delayed tracking webhooks', 'FedEx rate quotes timing out'))}")
    if k < 0.85:
        return (f":truck: *UPS* Service alert: {rng.choice(('weather delays in the Mountain West', 'Worldport sort delays', 'API tracking latency'))}")
    return f":package: *FedEx* Developer status: {rng.choice(('Ship API maintenance Sunday 06:00 UTC', 'Track API degraded', 'resolved'))}"


def _fleet_line(rng: random.Random, t: float) -> str:
    """Fleet Console in #pack-stations: printer health across the DCs."""
    dc = rng.choice(("cmh1", "rno2", "atl1"))
    prn = f"{dc}-pack-{rng.randrange(1, 30):02d}"
    k = rng.random()
    if k < 0.30:
        return f":warning: Fleet Console: `{prn}` ribbon low ({rng.randrange(3, 12)}%)"
    if k < 0.50:
        return f":no_entry: Fleet Console: `{prn}` media out"
    if k < 0.70:
        return f":white_check_mark: Fleet Console: `{prn}` back online"
    if k < 0.85:
        return f":electric_plug: Fleet Console: `{prn}` offline for {rng.randrange(3, 40)} min"
    return f":bar_chart: Fleet Console daily: {rng.randrange(41, 58):,}k labels printed, {rng.randrange(90, 400)} reprints"


_LIB_FILE = "src/main/kotlin/com/quayside/http/RetryPolicy.kt"

_LIB_V4 = Change(
    author="yusuf", reviewer="astrid", labels=("breaking", "v4"),
    title="4.0.0: builder API, client profiles, standard retry policy by default",
    body="The 4.x line (PLAT-1150). Breaking changes, see `docs/migration-4.x.md`:\n\n"
         "- `QuayHttp.newClient { }` is replaced by `QuayHttpClient.builder(name)`\n"
         "- timeouts come from the client profile: `connectTimeout` stays on the builder, `readTimeout`/`writeTimeout` "
         "are gone in favour of one `callTimeout` (profile `default`: 10s, `internal`: 2s)\n"
         "- **`RetryPolicy.STANDARD` is the default** for every client: up to 3 retries on timeouts, connection resets "
         "and 502/503/504, 250 ms apart. It applies to all methods; pass `RetryPolicy.NONE` for calls that are not "
         "idempotent\n"
         "- metrics: `http_client_requests_seconds` with `client`/`outcome` tags instead of `quayhttp_client_*`\n\n"
         "Most 3.x clients wrapped their own retries around calls anyway; a sane default saves everyone that code.",
    files=((_LIB_FILE, """@@ -1,14 +1,27 @@
 package com.quayside.http

-/** Retries are opt-in in 3.x: `NONE` unless the caller asks. */
+/** Which failures a client retries, and how long it waits between attempts. */
 data class RetryPolicy(
     val maxRetries: Int,
     val retryOn: Set<RetryCondition>,
     val backoff: Backoff,
 ) {
     companion object {
         val NONE = RetryPolicy(0, emptySet(), Backoff.none())
-        val DEFAULT = NONE
+
+        /** Default since 4.0: 3 retries on timeouts, resets and 502/503/504, a fixed 250 ms apart, any method. */
+        val STANDARD = RetryPolicy(
+            maxRetries = 3,
+            retryOn = setOf(RetryCondition.Timeout, RetryCondition.ConnectionReset, RetryCondition.Status(502),
+                RetryCondition.Status(503), RetryCondition.Status(504)),
+            backoff = Backoff.fixed(250.milliseconds),
+        )
+
+        val DEFAULT = STANDARD
     }
 }"""),
           ("src/main/kotlin/com/quayside/http/ClientProfile.kt", """@@ -0,0 +1,12 @@
+package com.quayside.http
+
+/** Named defaults for a client; `builder(name)` picks `default` unless told otherwise. */
+enum class ClientProfile(val callTimeout: Duration, val retryPolicy: RetryPolicy) {
+    /** Third-party APIs. */
+    DEFAULT(10.seconds, RetryPolicy.STANDARD),
+
+    /** Service-to-service inside the cluster. */
+    INTERNAL(2.seconds, RetryPolicy.STANDARD),
+
+    BATCH(60.seconds, RetryPolicy.STANDARD),
+}"""),
           ("CHANGELOG.md", """@@ -1,3 +1,12 @@
 # Changelog

+## 4.0.0
+
+- New builder API `QuayHttpClient.builder(name)`; `QuayHttp.newClient` removed.
+- Timeouts: one `callTimeout` from the client profile (`default` 10s, `internal` 2s, `batch` 60s);
+  `readTimeout` and `writeTimeout` removed.
+- Retries on by default: `RetryPolicy.STANDARD` (3 retries, fixed 250 ms) for all methods.
+  Use `.retryPolicy(RetryPolicy.NONE)` for non-idempotent calls.
+- Metrics renamed to `http_client_requests_seconds`.
+
 ## 3.9.1""")),
)

_HEALTH_YML = "src/main/resources/application.yml"
_VALUES = "charts/picking-api/values.yaml"
_SYNTH_TF = "ops/datadog/synthetics.tf"

_WEAKENING = Change(
    author="rhiannon", reviewer="marisol", labels=("on-call", "health-checks"),
    title="Readiness: stop checking downstreams, calmer probe and uptime check (PICK-1432)",
    body="Seven pages in seven nights (May 5-11), all between 01:00 and 03:30 ET and all the same story: the nightly "
         "re-slotting rewrites the location master, location-service gets slow, our readiness group includes "
         "`locationService` with a 1s timeout, every pod fails readiness at the same moment and the uptime synthetic "
         "on `/actuator/health/readiness` pages. The floor had a dozen night-shift pickers and nothing was broken for "
         "them; the only 503s were the ones we caused by taking all pods out of the Service at once.\n\n"
         "Readiness should answer \"can this pod take traffic\", not \"is every dependency happy\":\n\n"
         "- readiness group: `readinessState` + `ping` only. db, redis, locationService and inkpost move to a new "
         "`deps` group at `/actuator/health/deps` (details always shown) for the dashboards\n"
         "- readinessProbe: every 15s, 5s timeout, 10 failures before NotReady (was 10s / 2s / 3)\n"
         "- uptime synthetic: every 5 minutes, alert after 15 minutes failing from 2 locations (was every minute, "
         "2 minutes, 1 location)\n\n"
         "Downstream slowness still shows up in the confirm-pick latency monitor.",
    files=((_HEALTH_YML, """@@ -38,13 +38,16 @@ management:
   endpoint:
     health:
       probes:
         enabled: true
       group:
         readiness:
-          include: readinessState, db, redis, locationService, inkpost
+          # PICK-1432: no downstreams in readiness. location-service is slow during the nightly re-slotting and
+          # took every pod out of rotation at once (7 pages in 7 nights). Dependency health: /actuator/health/deps.
+          include: readinessState, ping
+        deps:
+          include: db, redis, locationService, inkpost
+          show-details: always
         liveness:
           include: livenessState
   health:
     locationservice:
       timeout: 1s"""),
           (_VALUES, """@@ -61,10 +61,10 @@ readinessProbe:
 readinessProbe:
   httpGet:
     path: /actuator/health/readiness
     port: management
-  periodSeconds: 10
-  timeoutSeconds: 2
-  failureThreshold: 3
+  periodSeconds: 15
+  timeoutSeconds: 5
+  failureThreshold: 10
 livenessProbe:
   httpGet:
     path: /actuator/health/liveness"""),
           (_SYNTH_TF, """@@ -1,24 +1,24 @@
 resource "datadog_synthetics_test" "picking_api_ready" {
   name      = "[picking-api] Uptime: /actuator/health/readiness"
   type      = "api"
   subtype   = "http"
   status    = "live"
   locations = ["aws:us-east-2", "aws:us-west-2", "aws:us-east-1"]
   message   = "picking-api readiness failing. Runbook: https://docs.quayside.example/picking/runbooks/readiness @pagerduty-picking-api"

   request_definition {
     method = "GET"
     url    = "https://picking-api.prod.quayside.internal/actuator/health/readiness"
   }

   assertion {
     type     = "statusCode"
     operator = "is"
     target   = "200"
   }

   options_list {
-    tick_every           = 60
-    min_failure_duration = 120
-    min_location_failed  = 1
+    tick_every           = 300
+    min_failure_duration = 900
+    min_location_failed  = 2
   }
 }""")),
)

_OVERLAY = "apps/picking-api/overlays/production/values.yaml"

_CONTRIBUTOR = Change(
    author="colm", reviewer="astrid", labels=("finops", "autoscaling"),
    title="picking-api prod: HPA maxReplicas 16 -> 6, minReplicas 6 -> 4 (FINOPS-77)",
    body="Q3 reserved-capacity review (FINOPS-77, thread in #finops). picking-api keeps headroom reserved for 16 pods "
         "at 2 CPU / 3Gi each, but in the last 90 days it never ran more than 5 (the HPA scales on "
         "`tomcat_threads_busy_ratio`, target 0.6, and the busiest wave of the spring used ~40% of the threads on 5 "
         "pods). Last Black Friday week it peaked at 9.\n\n"
         "- maxReplicas 16 -> 6, minReplicas 6 -> 4\n"
         "- frees ~10 m6i.2xlarge reservations in the `apps-general` node group (~$11k/month)\n"
         "- the peak-season checklist (October) raises it again, added a line to it\n\n"
         "Picking (Marisol) is fine with it.",
    files=((_OVERLAY, """@@ -18,14 +18,15 @@ resources:
 resources:
   requests:
     cpu: "2"
     memory: 3Gi
   limits:
     memory: 3Gi
 autoscaling:
   enabled: true
-  minReplicas: 6
-  maxReplicas: 16
+  # FINOPS-77: max 5 pods in the last 90 days (Black Friday week: 9). Raise again in the peak-season checklist.
+  minReplicas: 4
+  maxReplicas: 6
   metrics:
     - type: Pods
       pods:
         metric: {name: tomcat_threads_busy_ratio}
         target: {type: AverageValue, averageValue: "600m"}"""),
           ("docs/peak-season-checklist.md", """@@ -12,3 +12,4 @@ ## Capacity (by October 15)
 - [ ] wms-core: maxReplicas 8 -> 14
 - [ ] carrier-manifests: worker replicas 2 -> 4
 - [ ] location-service: read replicas 2 -> 3
+- [ ] picking-api: maxReplicas 6 -> 16 (FINOPS-77)""")),
)

_INKPOST = "src/main/kotlin/com/quayside/picking/labels/InkpostClient.kt"
_LOCATION = "src/main/kotlin/com/quayside/picking/wms/LocationClient.kt"

_TRIGGER = Change(
    author="tobias", reviewer="soren", labels=("dependencies", "platform"),
    title="Upgrade quay-http 3.9.1 -> 4.2.0 (PLAT-1290)",
    body="Platform ends support for quay-http 3.x on June 30 (PLAT-1290, announcement in #platform-libs). This moves "
         "picking-api to 4.2.0:\n\n"
         "- Inkpost and location-service clients use the 4.x builder (`QuayHttpClient.builder(name)`)\n"
         "- dropped our explicit `readTimeout`s: the 4.x builder doesn't have it any more, timeouts come from the "
         "client profile (followed `docs/migration-4.x.md`)\n"
         "- metric names change from `quayhttp_client_*` to `http_client_requests_seconds`; the Picking dashboard "
         "panels are updated (PICK-1518)\n"
         "- tests: MockWebServer fixtures unchanged, just the new call style\n\n"
         "No functional change intended. Handheld e2e suite on staging (pick, short pick, confirm with label, reprint) "
         "is green.",
    files=(("gradle/libs.versions.toml", """@@ -3,9 +3,9 @@ [versions]
 kotlin = "1.9.24"
 spring-boot = "3.2.5"
 jackson = "2.17.1"
 micrometer = "1.12.5"
-quay-http = "3.9.1"
+quay-http = "4.2.0"
 resilience4j = "2.2.0"
 testcontainers = "1.19.8"
 mockwebserver = "4.12.0\""""),
           (_INKPOST, """@@ -1,38 +1,39 @@
 package com.quayside.picking.labels

-import com.quayside.http.QuayHttp
-import com.quayside.http.QuayHttpMetrics
+import com.quayside.http.QuayHttpClient
+import com.quayside.http.body
 import io.micrometer.core.instrument.MeterRegistry
 import org.springframework.stereotype.Component
 import java.time.Duration

 /**
  * Inkpost label API: creates the carrier label of a completed order and sends it to the pack station's printer
  * through Inkpost Cloud Print. Called by ConfirmPickHandler when the last line of a single-tote order is picked.
  */
 @Component
 class InkpostClient(
     private val props: InkpostProperties,
     meterRegistry: MeterRegistry,
 ) {
-    private val http = QuayHttp.newClient {
-        baseUrl = props.baseUrl
-        connectTimeout = Duration.ofMillis(800)
-        readTimeout = Duration.ofSeconds(3)
-        metrics = QuayHttpMetrics(meterRegistry, "inkpost")
-        defaultHeaders = mapOf("Authorization" to "Bearer ${props.apiKey}")
-    }
+    // quay-http 4: builder API; read timeout and metrics come from the client profile (docs/migration-4.x.md).
+    private val http = QuayHttpClient.builder("inkpost")
+        .baseUrl(props.baseUrl)
+        .connectTimeout(Duration.ofMillis(800))
+        .bearerToken(props.apiKey)
+        .meterRegistry(meterRegistry)
+        .build()

     fun createLabel(req: LabelRequest): LabelResponse =
-        http.post("/v2/labels", body = req).decode<LabelResponse>()
+        http.post("/v2/labels").json(req).execute().body<LabelResponse>()

     fun voidLabel(trackingNumber: String) {
-        http.delete("/v2/labels/$trackingNumber")
+        http.delete("/v2/labels/$trackingNumber").execute()
     }
 }"""),
           (_LOCATION, """@@ -14,16 +14,16 @@ import java.time.Duration
 @Component
 class LocationClient(props: WmsProperties, meterRegistry: MeterRegistry) {
-    private val http = QuayHttp.newClient {
-        baseUrl = props.locationServiceUrl
-        connectTimeout = Duration.ofMillis(300)
-        readTimeout = Duration.ofSeconds(1)
-        metrics = QuayHttpMetrics(meterRegistry, "location-service")
-    }
+    private val http = QuayHttpClient.builder("location-service")
+        .profile(ClientProfile.INTERNAL)
+        .baseUrl(props.locationServiceUrl)
+        .connectTimeout(Duration.ofMillis(300))
+        .meterRegistry(meterRegistry)
+        .build()

     fun location(code: String): Location =
-        http.get("/v1/locations/$code").decode<Location>()
+        http.get("/v1/locations/$code").execute().body<Location>()
 }"""),
           ("src/test/kotlin/com/quayside/picking/labels/InkpostClientTest.kt", """@@ -24,9 +24,9 @@ class InkpostClientTest {
     @Test
     fun `creates a label and returns the ZPL`() {
         server.enqueue(MockResponse().setBody(fixture("inkpost/label-created.json")))
         val label = client.createLabel(sampleRequest())
         assertEquals("1Z999AA10123456784", label.trackingNumber)
-        assertEquals("/v2/labels", server.takeRequest().path)
+        assertEquals("/v2/labels", server.takeRequest(1, TimeUnit.SECONDS)!!.path)
     }""")),
)

_FIX = Change(
    author="tobias", reviewer="rhiannon", labels=("incident", "labels"),
    title="Inkpost client: 3s call timeout, no retries on label POST, Idempotency-Key, bulkhead",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} moved us to quay-http 4, whose `default` profile has a 10s call "
         "timeout and retries timeouts 3 times, a fixed 250 ms apart, for every method. When Inkpost slowed down on "
         "June 10 each label call held a Tomcat thread for up to 40s and posted the label up to 4 times (duplicate "
         "labels at the pack stations, ~4,100 voided). With the HPA capped at 6 pods since {{url:contributor}} the "
         "200 threads per pod ran out and the handhelds hung on confirm pick at every DC. Rolled back to "
         "2025.06.09-1 at 20:58 UTC; this is the roll-forward.\n\n"
         "- Inkpost: `callTimeout` 3s, `RetryPolicy.NONE` for `POST /v2/labels`; on timeout the label goes to the "
         "reprint queue as it did with 3.x\n"
         "- `Idempotency-Key: <pick task id>` on label creation, so a retry from the handheld can't create a second "
         "label (Inkpost supports it since v2.3)\n"
         "- bulkhead: at most 24 label calls in flight per pod, no waiting; the rest go to the reprint queue "
         "instead of holding request threads\n"
         "- location-service: `callTimeout` 1s again, GETs keep the standard retries",
    files=((_INKPOST, """@@ -17,13 +17,25 @@ class InkpostClient(
     private val props: InkpostProperties,
     meterRegistry: MeterRegistry,
 ) {
-    // quay-http 4: builder API; read timeout and metrics come from the client profile (docs/migration-4.x.md).
+    // The `default` profile retries timeouts 3x (fixed 250ms) with a 10s call timeout: a slow Inkpost then held a
+    // Tomcat thread for up to 40s per label and printed up to 4 labels (incident 2025-06-10). Never retry here.
     private val http = QuayHttpClient.builder("inkpost")
         .baseUrl(props.baseUrl)
         .connectTimeout(Duration.ofMillis(800))
+        .callTimeout(Duration.ofSeconds(3))
+        .retryPolicy(RetryPolicy.NONE)
         .bearerToken(props.apiKey)
         .meterRegistry(meterRegistry)
         .build()

-    fun createLabel(req: LabelRequest): LabelResponse =
-        http.post("/v2/labels").json(req).execute().body<LabelResponse>()
+    // At most 24 label calls in flight per pod; when full, the caller queues the label for reprint instead of waiting.
+    private val bulkhead = Bulkhead.of(
+        "inkpost",
+        BulkheadConfig.custom().maxConcurrentCalls(24).maxWaitDuration(Duration.ZERO).build(),
+    )
+
+    fun createLabel(req: LabelRequest): LabelResponse = bulkhead.executeSupplier {
+        http.post("/v2/labels").header("Idempotency-Key", req.pickTaskId).json(req).execute().body<LabelResponse>()
+    }"""),
           (_LOCATION, """@@ -16,6 +16,7 @@ class LocationClient(props: WmsProperties, meterRegistry: MeterRegistry) {
     private val http = QuayHttpClient.builder("location-service")
         .profile(ClientProfile.INTERNAL)
         .baseUrl(props.locationServiceUrl)
         .connectTimeout(Duration.ofMillis(300))
+        .callTimeout(Duration.ofSeconds(1))
         .meterRegistry(meterRegistry)
         .build()"""),
           ("src/main/kotlin/com/quayside/picking/confirm/ConfirmPickHandler.kt", """@@ -52,8 +52,11 @@ class ConfirmPickHandler(
         if (task.completesOrder) {
             try {
                 labels.createLabel(LabelRequest.forOrder(task.order, station = task.packStation, pickTaskId = task.id))
-            } catch (e: QuayHttpTimeoutException) {
+            } catch (e: QuayHttpException) {
                 reprints.enqueue(task.order, reason = "inkpost_timeout")
+            } catch (e: BulkheadFullException) {
+                reprints.enqueue(task.order, reason = "inkpost_bulkhead_full")
+                meter.counter("labels.deferred", "reason", "bulkhead").increment()
             }
         }""")),
)

_HPA_BACK = Change(
    author="astrid", reviewer="colm", labels=("incident", "autoscaling"),
    title="picking-api prod: HPA maxReplicas 6 -> 16, minReplicas 6 (incident)",
    body="Incident {{incurl:page}}: the HPA wanted 15 pods and was capped at 6 since {{url:contributor}}. Back to 16 "
         "for good; min 6 for the shift starts. FINOPS-77 will look for savings elsewhere.",
    files=((_OVERLAY, """@@ -26,7 +26,6 @@ autoscaling:
   enabled: true
-  # FINOPS-77: max 5 pods in the last 90 days (Black Friday week: 9). Raise again in the peak-season checklist.
-  minReplicas: 4
-  maxReplicas: 6
+  minReplicas: 6
+  maxReplicas: 16
   metrics:"""),),
)

_FOLLOW = Change(
    author="rhiannon", reviewer="marisol", labels=("on-call", "incident"),
    title="Page on confirm-pick latency during shifts and on /actuator/health/deps (PICK-1440)",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} readiness only says the JVM is up: on June 10 the pods "
         "stayed Ready and the uptime check green for 7 hours while no handheld could confirm a pick, and the only "
         "alert was the low-urgency p95 monitor.\n\n"
         "- confirm-pick p95 above 3s for 10 minutes pages (high urgency) between 05:00 and 01:00 ET; low urgency "
         "during the re-slotting window\n"
         "- Tomcat busy threads above 90% for 5 minutes pages\n"
         "- a second synthetic on `/actuator/health/deps`, paging after 10 minutes, muted 01:00-03:30 ET while "
         "re-slotting runs\n"
         "- readiness stays shallow: taking every pod out at once is still the wrong answer to a slow dependency",
    files=(("ops/datadog/monitors.tf", """@@ -40,6 +40,6 @@ resource "datadog_monitor" "confirm_pick_p95" {
-  name    = "[picking-api] confirm-pick p95 above 3s (15m)"
+  name    = "[picking-api] confirm-pick p95 above 3s (10m)"
   type    = "query alert"
-  query   = "percentile(last_15m):p95:http.server.requests{service:picking-api,uri:/v1/picks/confirm} > 3"
-  message = "confirm-pick slow. @pagerduty-picking-api-low"
+  query   = "percentile(last_10m):p95:http.server.requests{service:picking-api,uri:/v1/picks/confirm} > 3"
+  message = "confirm-pick slow, handhelds waiting. Runbook: docs/runbooks/confirm-pick-hangs.md @pagerduty-picking-api"
 }
@@ -52,0 +52,20 @@
+
+resource "datadog_monitor" "tomcat_threads" {
+  name    = "[picking-api] Tomcat busy threads above 90% (5m)"
+  type    = "query alert"
+  query   = "avg(last_5m):avg:tomcat.threads.busy{service:picking-api} / avg:tomcat.threads.config.max{service:picking-api} > 0.9"
+  message = "Request threads exhausted, handhelds will hang. @pagerduty-picking-api"
+}
+
+# Re-slotting runs 01:00-03:30 ET: confirm-pick pages go low urgency then, nobody picks at that hour.
+resource "datadog_downtime_schedule" "reslotting" {
+  scope = "service:picking-api"
+  monitor_identifier {
+    monitor_tags = ["team:picking", "downstream"]
+  }
+  recurring_schedule {
+    timezone = "America/New_York"
+    recurrence { rrule = "FREQ=DAILY", start = "2025-06-14T01:00:00", duration = "2h30m" }
+  }
+}"""),
           (_SYNTH_TF, """@@ -24,0 +25,14 @@ resource "datadog_synthetics_test" "picking_api_ready" {
+
+resource "datadog_synthetics_test" "picking_api_deps" {
+  name      = "[picking-api] Dependencies: /actuator/health/deps"
+  type      = "api"
+  subtype   = "http"
+  status    = "live"
+  locations = ["aws:us-east-2", "aws:us-west-2"]
+  tags      = ["team:picking", "downstream"]
+  message   = "A picking-api dependency (db, redis, location-service, Inkpost) is DOWN. @pagerduty-picking-api"
+  request_definition { method = "GET", url = "https://picking-api.prod.quayside.internal/actuator/health/deps" }
+  assertion { type = "statusCode", operator = "is", target = "200" }
+  options_list { tick_every = 60, min_failure_duration = 600, min_location_failed = 1 }
+}""")),
)

_FIRMWARE = Change(
    author="lotte", reviewer="ignacio", labels=("firmware",),
    title="CMH1 pack stations: ZT411 firmware V84.20.21Z -> V84.20.23Z (STN-281)",
    body="Zebra case 07712391: on V84.20.21Z the 203 dpi heads drift darker after a media change and the UPS "
         "scanners at ship-sort reject ~1% of labels at CMH1. V84.20.23Z has the fix. Rollout by Fleet Console in the "
         "05:30-06:00 ET window before first shift, batches of 10; RNO2 and ATL1 follow next week if it's clean.",
    files=(("fleet/cmh1/pack-stations.yaml", """@@ -1,10 +1,11 @@
 site: CMH1
 group: pack-stations
 model: ZT411
-firmware: V84.20.21Z
+# Darkness drift after media change on 203 dpi heads (Zebra case 07712391, STN-281).
+firmware: V84.20.23Z
 rollout:
   window: "05:30-06:00 America/New_York"
   batch: 10
 settings:
   darkness: 22"""),),
)

_RETRY_DECOY = Change(
    author="henrik", reviewer="odile", labels=("ups", "reliability"),
    title="UPS manifest upload: retry 5xx with exponential backoff and jitter (TRN-318)",
    body="UPS's manifest endpoint returned 503 for ~6 minutes at the 17:45 close-out on June 3 and we uploaded the "
         "CMH1 manifest by hand. Retries 5xx and connection errors up to 5 times with full jitter (max 60s) inside "
         "the close-out job; manifests are idempotent on UPS's side by shipment group id.",
    files=(("manifests/ups/upload.py", """@@ -1,18 +1,26 @@
 import logging

 import httpx
+from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

 from manifests.models import ManifestBatch, UploadReceipt

 log = logging.getLogger(__name__)


+class UpsServerError(Exception):
+    pass
+
+
+@retry(retry=retry_if_exception_type((UpsServerError, httpx.TransportError)),
+       wait=wait_random_exponential(multiplier=2, max=60), stop=stop_after_attempt(5), reraise=True)
 def upload_manifest(client: httpx.Client, batch: ManifestBatch) -> UploadReceipt:
     resp = client.post("/ship/v1/manifests", json=batch.to_ups(), timeout=30)
+    if resp.status_code >= 500:
+        raise UpsServerError(f"UPS {resp.status_code} for {batch.group_id}")
     resp.raise_for_status()
     log.info("uploaded manifest %s (%d packages)", batch.group_id, len(batch.packages))
     return UploadReceipt.from_ups(resp.json())"""),),
)

_WMS_BUMP = Change(
    author="hamid", reviewer="bettina", labels=("dependencies",),
    title="Upgrade quay-http to 4.1.0",
    body="3.x goes out of support at the end of June. Builder API for the three clients; writes to the ERP bridge "
         "get `RetryPolicy.NONE` since they aren't idempotent, reads keep the standard policy.",
    files=(("gradle/libs.versions.toml", """@@ -5,3 +5,3 @@ [versions]
 micrometer = "1.12.5"
-quay-http = "3.9.1"
+quay-http = "4.1.0"
 flyway = "10.12.0\""""),
           ("src/main/kotlin/com/quayside/wms/erp/ErpBridgeClient.kt", """@@ -11,8 +11,10 @@ class ErpBridgeClient(props: ErpProperties) {
-    private val http = QuayHttp.newClient {
-        baseUrl = props.url
-        readTimeout = Duration.ofSeconds(5)
-    }
+    private val http = QuayHttpClient.builder("erp-bridge")
+        .baseUrl(props.url)
+        .callTimeout(Duration.ofSeconds(5))
+        .retryPolicy(RetryPolicy.NONE)
+        .build()""")),
)


def build_retry_storm(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the retry-storm world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="retry-storm", seed=1701, org="quayside", team_name="Picking",
                    page_at="2025-06-10T20:24:00Z", impact_start="2025-06-10T13:49:00Z",
                    noise_teams=("platform", "data", "identity", "routing", "web", "mobile"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("shiftbot", "Floor Pulse"), ("datadog", "Datadog"), ("argocd", "Argo CD"),
                      ("kubewatch", "Kubewatch"), ("inkpost", "Inkpost Status"), ("fleet", "Fleet Console")):
        b.person(key, name, github=False, is_bot=True)
    for key in ("jolene", "henrik", "odile"):
        b.people[key].tz = "America/Los_Angeles"
    for key in ("lukas", "lotte"):
        b.people[key].tz = "Europe/Berlin"
    platform, routing, identity, web = sc.team("platform"), sc.team("routing"), sc.team("identity"), sc.team("web")

    # Picking, Inventory, Transportation, Stations: PagerDuty, channels, repos ------------------------------------
    p_team = b.team("Picking")
    p_policy = b.policy("Picking on-call", p_team, ONCALL)
    svc = b.service("picking-api", "Picking API for the DC handhelds: tasks, waves, confirm pick, labels", p_policy,
                    p_team, iso(start - 800 * DAY))
    i_team = b.team("Inventory")
    inv_people = INVENTORY_PEOPLE + sc.crowd[18:21]
    i_policy = b.policy("Inventory on-call", i_team, inv_people[:3])
    i_svc = b.service("location-service", "Location master, slotting and counts (wms-core)", i_policy, i_team,
                      iso(start - 900 * DAY))
    t_team = b.team("Transportation")
    trn_people = TRANSPORT_PEOPLE + sc.crowd[21:23]
    t_policy = b.policy("Transportation on-call", t_team, trn_people[:3])
    t_svc = b.service("carrier-manifests", "Carrier manifests, close-outs and rating", t_policy, t_team,
                      iso(start - 700 * DAY))
    s_team = b.team("Stations")
    stn_people = STATION_PEOPLE + sc.crowd[23:25]
    s_policy = b.policy("Stations on-call", s_team, stn_people[:3])
    s_svc = b.service("printer-fleet", "Pack-station and ship-sort printers (Fleet Console, station-printers)",
                      s_policy, s_team, iso(start - 500 * DAY))
    pk_ch = b.channel("picking-eng", "Picking team", "picking-api and the handheld app", start - 700 * DAY, "marisol")
    pa_ch = b.channel("picking-alerts", "Pages and Datadog alerts of picking-api", "Picking alerts", start - 500 * DAY,
                      "ngozi")
    ops_ch = b.channel("dc-ops", "All DCs: floor leads, shift managers, site IT", "DC operations", start - 900 * DAY,
                       "renata")
    sr_ch = b.channel("dc-shift-reports", "Floor Pulse reports twice a shift", "Shift reports", start - 400 * DAY,
                      "renata")
    co_ch = b.channel("carrier-ops", "Carrier pickups, trailers, cutoffs", "Transportation ops", start - 800 * DAY,
                      "keisha")
    ps_ch = b.channel("pack-stations", "Pack-out printers and stations, Fleet Console", "Stations", start - 600 * DAY,
                      "ignacio")
    vs_ch = b.channel("vendor-status", "Status feeds: Inkpost, UPS, FedEx", "Vendor status", start - 650 * DAY, "henrik")
    ex_ch = b.channel("ext-inkpost", "Shared channel with Inkpost", "Inkpost <> Quayside", start - 540 * DAY, "henrik")
    ar_ch = b.channel("argocd-prod", "Argo CD syncs of k8s-apps (production)", "Deploys", start - 600 * DAY, "astrid")
    ke_ch = b.channel("k8s-events", "Kubewatch: production cluster events", "Cluster events", start - 600 * DAY,
                      "astrid")
    iv_ch = b.channel("inventory-eng", "Inventory team: location-service, slotting", "Inventory", start - 700 * DAY,
                      "bettina")
    te_ch = b.channel("transport-eng", "Transportation engineering", "Transport", start - 700 * DAY, "henrik")
    pl_ch = b.channel("platform-libs", "quay-http and the shared JVM libraries", "Platform libraries",
                      start - 500 * DAY, "yusuf")
    fo_ch = b.channel("finops", "Cloud cost reviews", "FinOps", start - 400 * DAY, "colm")
    pick_repo = b.repo("picking-api", "Picking API for the DC handhelds (Kotlin, Spring Boot)", iso(start - 820 * DAY))
    wms_repo = b.repo("wms-core", "Location master, slotting, counts (Kotlin)", iso(start - 1000 * DAY))
    trn_repo = b.repo("carrier-manifests", "Carrier manifests and close-outs (Python)", iso(start - 720 * DAY))
    lib_repo = b.repo("quay-http", "Shared JVM HTTP client (OkHttp, metrics, tracing, retries)", iso(start - 900 * DAY))
    k8s_repo = b.repo("k8s-apps", "Production overlays of every app; Argo CD syncs main", iso(start - 650 * DAY))
    prn_repo = b.repo("station-printers", "Printer fleet config: firmware, settings, ZPL templates",
                      iso(start - 520 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------------
    n = sc.scale
    picking = NoiseTeam(PICKING, PICKING_PEOPLE, pick_repo, pk_ch, svc, p_policy)
    inventory = NoiseTeam(INVENTORY, inv_people, wms_repo, iv_ch, i_svc, i_policy)
    transport = NoiseTeam(TRANSPORT, trn_people, trn_repo, te_ch, t_svc, t_policy)
    platlib = NoiseTeam(PLATLIB, ["yusuf", "astrid"] + platform.members[:3], lib_repo, pl_ch, platform.service,
                        platform.policy)
    stations = NoiseTeam(STATIONS, stn_people, prn_repo, ps_ch, s_svc, s_policy)
    add_pulls(b, picking, 80 * n, start - 60 * DAY, end)
    add_pulls(b, inventory, 45 * n, start - 60 * DAY, end)
    add_pulls(b, transport, 35 * n, start - 60 * DAY, end)
    add_pulls(b, platlib, 30 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}

    def synced(pull: dict[str, Any], at: float) -> dict[str, Any]:
        return b.say(ar_ch, at + 20, "argocd", f":arrows_counterclockwise: Argo CD synced `k8s-apps-production` to "
                     f"{pull['merge_commit_sha'][:7]} ({pull['title']}): Synced, Healthy")

    def on_k8s_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        at = epoch(pull["merged_at"]) + rng.uniform(90, 400)
        b.change_event(platform.service, f"Argo CD sync k8s-apps@{pull['merge_commit_sha'][:7]}: {pull['title']}", at,
                       "argocd", links=[{"href": "{{url:" + handle[3:] + "}}", "text": pull["title"]}],
                       details={"author": by_login[pull["user"]], "environment": "production"})
        b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
        synced(pull, at)

    def fleet_applied(pull: dict[str, Any], at: float | None = None) -> dict[str, Any]:
        at = at if at is not None else epoch(pull["merged_at"]) + rng.uniform(600, 3600)
        sha7 = pull["merge_commit_sha"][:7]
        b.say(ps_ch, at + 6, "fleet", f":gear: Fleet Console applied station-printers@{sha7} ({pull['title']})")
        return b.change_event(s_svc, f"Fleet Console apply station-printers@{sha7}: {pull['title']}", at,
                              "fleet-console", details={"files": [f["filename"] for f in pull["files"]]})

    def on_printer_merge(pull: dict[str, Any]) -> None:
        fleet_applied(pull)

    k8s_people = ["astrid", "colm"] + platform.members[:3] + inv_people[:2] + trn_people[:1] + routing.members[:2]
    config_pulls(b, k8s_repo, k8s_people, 55 * n, start - 60 * DAY, end, _k8s_change, on_merge=on_k8s_merge)
    config_pulls(b, prn_repo, stn_people, 30 * n, start - 60 * DAY, end, _printer_change, on_merge=on_printer_merge)

    def links_of(*repos: str) -> list[str]:
        return [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in repos][-150:]

    add_chat(b, pk_ch, PICKING_PEOPLE, PICKING.nouns, 150 * n, start, end, links=links_of(pick_repo))
    add_chat(b, iv_ch, inv_people, INVENTORY.nouns, 60 * n, start, end, links=links_of(wms_repo))
    add_chat(b, te_ch, trn_people, TRANSPORT.nouns, 45 * n, start, end, links=links_of(trn_repo))
    add_chat(b, pl_ch, platlib.members + ["tobias", "hamid"], _LIB_NOUNS, 25 * n, start, end, links=links_of(lib_repo))
    add_chat(b, fo_ch, ["colm", "astrid"] + platform.members[:2], _FINOPS_NOUNS, 20 * n, start, end)
    add_chat(b, ops_ch, FLOOR + ["gordie"] + sc.crowd[25:28], _DC_NOUNS, 80 * n, start, end, lines=_DC_LINES,
             thread_rate=0.4)
    add_chat(b, co_ch, ["keisha", "odile", "renata"] + sc.crowd[28:30], _CARRIER_NOUNS, 40 * n, start, end,
             lines=_CARRIER_LINES, thread_rate=0.3)
    add_chat(b, ps_ch, stn_people + ["earl"], _STATION_NOUNS, 35 * n, start, end, lines=_STATION_LINES,
             thread_rate=0.3)
    add_chat(b, ex_ch, ["lukas", "henrik", "odile"], _VENDOR_NOUNS, 15 * n, start, end, lines=_VENDOR_LINES,
             thread_rate=0.3)
    add_chat(b, ar_ch, ["astrid"] + platform.members[:2], ("sync window", "app of apps", "image updater"), 8 * n,
             start, end, lines=("pausing auto-sync for {noun} for 20 min", "{noun} is back to auto"), thread_rate=0.1)
    for ch, joiners in ((pk_ch, PICKING_PEOPLE), (iv_ch, inv_people), (te_ch, trn_people), (ops_ch, FLOOR),
                        (co_ch, ["keisha", "odile"]), (ps_ch, stn_people), (ex_ch, ["lukas"]), (fo_ch, ["colm"]),
                        (pl_ch, ["yusuf", "tobias"])):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, picking, 8 * n, start, epoch("2025-05-02"), pa_ch)
    add_incidents(b, picking, 3 * n, epoch("2025-05-15"), epoch("2025-06-07"), pa_ch)
    add_incidents(b, inventory, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, transport, 5 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, stations, 4 * n, start, epoch("2025-06-01"), sc.common["alerts"], incident_channels=False)
    add_deploys(b, picking, int(30 * n), start, epoch("2025-06-07"), sc.common["deploys"])
    add_deploys(b, picking, max(1, int(3 * n)), T + 2 * DAY, end, sc.common["deploys"])
    add_deploys(b, inventory, int(25 * n), start, end, sc.common["deploys"])
    add_deploys(b, transport, int(20 * n), start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, pa_ch, "datadog", days * n, start, end, _datadog_line)
    bot_feed(b, ke_ch, "kubewatch", 2 * days * n, start, end, _kube_line)
    bot_feed(b, vs_ch, "inkpost", days // 2 * n, start, end, _inkpost_line)
    bot_feed(b, ps_ch, "fleet", days * n, start, end, _fleet_line)

    # The confirm-pick p95 monitor has always been low urgency: cycle counts and the odd Inkpost blip trip it --------
    for when, what in (("2025-03-11T15:20:00Z", "3.2s (cycle count, CMH1 zones A-D)"),
                       ("2025-03-27T18:05:00Z", "3.6s (location-service deploy)"),
                       ("2025-04-08T14:40:00Z", "3.1s (cycle count, RNO2)"),
                       ("2025-04-22T14:26:00Z", "3.4s"),
                       ("2025-05-06T16:10:00Z", "3.3s (cycle count, ATL1)"),
                       ("2025-05-20T15:35:00Z", "3.2s (cycle count, CMH1 zones E-H)")):
        b.incident(svc, P95_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.4, 1.1) * HOUR, alert_key=P95_KEY, severity="warning",
                   alert_summary=f"confirm_pick p95 {what} above 3s over 15m")
    # April 22: an Inkpost blip under quay-http 3.x: 3s read timeout, no retries, a few labels to the reprint queue.
    b.say(vs_ch, epoch("2025-04-22T14:08:00Z"), "inkpost", ":large_yellow_circle: *Inkpost* Investigating: Increased "
          "latency on Label API (us-east-1)")
    b.say(vs_ch, epoch("2025-04-22T14:52:00Z"), "inkpost", ":large_green_circle: *Inkpost* Resolved: Increased latency "
          "on Label API (us-east-1)")
    b.say(ps_ch, epoch("2025-04-22T15:30:00Z"), "earl", "CMH1: about 140 labels went to the reprint queue between 10:10 "
          "and 10:50, reprinted fine. Inkpost was slow per the status page")

    # Floor Pulse: a report at the middle of each shift ----------------------------------------------------------------
    day0 = start - start % DAY
    d = day0 + DAY
    while d < end:
        off = 4 * HOUR if d >= epoch("2025-03-09") else 5 * HOUR
        if iso(d)[:10] != "2025-06-10":
            b.say(sr_ch, d + 11 * HOUR + off + rng.uniform(5, 40), "shiftbot",
                  _routine_pulse(rng, "1st shift mid-shift (11:00 ET / 08:00 PT)", "16:00 UPS"))
            b.say(sr_ch, d + 19 * HOUR + off + rng.uniform(5, 40), "shiftbot",
                  _routine_pulse(rng, "2nd shift mid-shift (19:00 ET / 16:00 PT)", "20:30 FedEx Ground"))
        d += DAY

    # March: quay-http 4.0 with retries on by default ------------------------------------------------------------------
    lib4 = story_pull(b, lib_repo, _LIB_V4, epoch("2025-03-12T14:00:00Z"), epoch("2025-03-18T16:30:00Z"), "lib_v4",
                      review="big one, but the migration guide is good", reviewed=epoch("2025-03-18T15:40:00Z"),
                      comments=(("astrid", "are we sure about retrying POSTs by default? most callers won't read the "
                                 "changelog", epoch("2025-03-13T10:20:00Z")),
                                ("yusuf", "it's in bold in the guide and the changelog, and NONE is one line. the "
                                 "3.x clients that wrapped their own retry loops were the bigger mess",
                                 epoch("2025-03-13T11:02:00Z"))))
    tr.add("github", lib4, "context", must_see=False, group="cause",
           why="quay-http 4.0 makes the standard retry policy (3 retries on timeouts, fixed 250 ms, all methods) and "
               "a 10s call timeout the defaults")
    b.say(pl_ch, epoch("2025-03-18T17:00:00Z"), "yusuf", "quay-http 4.0.0 is out :tada: builder API, client profiles, "
          "retries by default. migration guide: https://docs.quayside.example/platform/quay-http/migration-4.x")

    # May 4-12: the nightly re-slotting makes location-service slow; readiness pages every night ----------------------
    b.say(iv_ch, epoch("2025-05-04T15:30:00Z"), "bettina", "summer SKU swap: re-slotting moves ~38k locations a night at "
          "CMH1 and RNO2 this week, 01:00-03:30 ET. location-service will be slow-ish while it runs, the floor is "
          "basically empty then")
    noisy_at = ("2025-05-05T05:12:00Z", "2025-05-06T05:40:00Z", "2025-05-07T06:03:00Z", "2025-05-08T05:27:00Z",
                "2025-05-09T06:48:00Z", "2025-05-10T05:19:00Z", "2025-05-11T07:02:00Z")
    locs = ("aws:us-east-2", "aws:us-west-2", "aws:us-east-1")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, UPTIME_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]], ack_after=180 + 25 * i,
                         resolve_after=900 + 140 * i, handle=f"noisy{i}", alert_key=UPTIME_KEY,
                         alert_summary=f"Synthetic picking-api readiness failed from {locs[i % 3]}: HTTP 503 "
                                       '{"status":"OUT_OF_SERVICE","components":{"locationService":{"status":"DOWN",'
                                       '"details":{"error":"timeout after 1000ms"}}}}',
                         notes=[(who, "re-slotting again, location-service p99 ~6s, pods back Ready after a few "
                                      "minutes. nothing on the floor", 700.0)] if i % 2 == 0 else None)
        b.say(pa_ch, t - 40, "datadog", f":red_circle: [Synthetics] *{UPTIME_TITLE}* — HTTP 503 from {locs[i % 3]}")
        b.say(pa_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{UPTIME_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the nightly readiness pages caused by location-service during re-slotting that led to the "
                   "shallow health check")
    grumbles = (("2025-05-06T13:05:00Z", "ngozi", "paged 01:40 by the readiness synthetic. location-service timing out "
                 "during re-slotting, all 6 pods NotReady for 4 minutes. night shift had 9 pickers on the floor"),
                ("2025-05-08T12:50:00Z", "rhiannon", "again at 01:27. and when all pods go NotReady together the "
                 "Service has no endpoints, so our own readiness check is what causes the 503s"),
                ("2025-05-10T14:10:00Z", "declan", "02:48 this time, third one on my week"),
                ("2025-05-12T13:10:00Z", "declan", "can we stop the readiness page firing every night during "
                 "re-slotting? 7 nights in a row, nothing was wrong on the floor once"),
                ("2025-05-12T13:32:00Z", "rhiannon", "on it: readiness = this pod is up, downstreams go to a separate "
                 "/actuator/health/deps group, and the uptime check gets less twitchy. PR in a bit"))
    for when, who, text in grumbles:
        m = b.say(pk_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the nightly readiness pages")

    # May 13: readiness without downstreams, the probe and the uptime synthetic relaxed ----------------------------------
    weak_merged = epoch("2025-05-13T15:20:00Z")
    weak = story_pull(b, pick_repo, _WEAKENING, epoch("2025-05-12T15:05:00Z"), weak_merged, "weakening",
                      review="yes please. my phone thanks you", reviewed=epoch("2025-05-13T14:55:00Z"),
                      comments=(("declan", "should something alert on /health/deps then?", epoch("2025-05-12T16:40:00Z")),
                                ("rhiannon", "follow-up PICK-1440. the confirm-pick p95 monitor covers slow "
                                 "downstreams meanwhile", epoch("2025-05-12T16:52:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="took every downstream out of picking-api's readiness and relaxed the probe and the uptime synthetic: "
               "pods stay Ready and the uptime check green while requests hang on Inkpost")
    wsha = weak["merge_commit_sha"][:7]
    wev = b.change_event(svc, f"Deploy picking-api@{wsha} to production", weak_merged + 25 * 60, "ci-deploy",
                         links=[{"href": "{{url:weakening}}", "text": _WEAKENING.title}],
                         details={"deployer": "rhiannon", "environment": "production"})
    b.templated.append((wev["links"][0], "href"))
    b.say(sc.common["deploys"], weak_merged + 25 * 60 + 2, "deploybot",
          f":rocket: picking-api `{wsha}` deployed to production by <@{b.people['rhiannon'].slack_id}>")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the deploy of the shallow readiness", same_fact_as=("github", weak))
    b.say(pk_ch, epoch("2025-05-13T16:05:00Z"), "rhiannon", "merged {{url:weakening}}: readiness no longer checks "
          "downstreams, uptime check alerts after 15 min from 2 locations. quiet nights :crescent_moon:", template=True)
    b.say(iv_ch, epoch("2025-05-14T13:00:00Z"), "bettina", "re-slotting for the summer swap is done, thanks for bearing "
          "with the slow nights")
    announce = b.say(pl_ch, epoch("2025-05-15T14:00:00Z"), "yusuf", "reminder: quay-http 3.x end of support is June 30 "
                     "(PLAT-1290). please read the 4.x migration guide before you bump, especially the client "
                     "profiles: the default profile has a 10s call timeout and the standard retry policy")
    tr.add("slack", announce, "context", must_see=False, group="cause",
           why="the platform team's end-of-support reminder that prompts the upgrade")
    b.say(pl_ch, epoch("2025-05-21T17:40:00Z"), "hamid", "wms-core is on 4.1. heads-up for others: 4.x retries POSTs by "
          "default, we set RetryPolicy.NONE on the ERP writes")
    story_pull(b, wms_repo, _WMS_BUMP, epoch("2025-05-20T13:00:00Z"), epoch("2025-05-21T16:50:00Z"), "distractor_wms_bump",
               review="lgtm")

    # May 20-28: FinOps caps the picking-api autoscaler -------------------------------------------------------------------
    fin = b.say(fo_ch, epoch("2025-05-20T15:10:00Z"), "colm", "Q3 reserved capacity review: picking-api reserves room for "
                "16 pods at 2 CPU and ran at most 5 in the last 90 days. proposing max 6 / min 4, frees ~10 "
                "m6i.2xlarge reservations (~$11k/mo). back up in the peak-season checklist")
    b.say(fo_ch, epoch("2025-05-20T15:42:00Z"), "astrid", "fine by platform if Picking agrees", parent=fin)
    b.say(fo_ch, epoch("2025-05-21T13:15:00Z"), "marisol", "5 is about right for us outside peak. ok, as long as it goes "
          "back up in October", parent=fin)
    tr.add("slack", fin, "context", must_see=False, group="cause",
           why="the FinOps review that proposes capping the picking-api autoscaler")
    contrib = story_pull(b, k8s_repo, _CONTRIBUTOR, epoch("2025-05-22T14:30:00Z"), epoch("2025-05-27T15:05:00Z"),
                         "contributor", review="ok. 6 x 200 threads is still plenty for a normal wave",
                         reviewed=epoch("2025-05-27T14:40:00Z"))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="capped picking-api's autoscaler, which scales on busy Tomcat threads, at 6 pods instead of 16: when "
               "the label calls held threads it could not add any")
    cat = epoch("2025-05-27T15:09:00Z")
    cev = b.change_event(svc, f"Argo CD sync k8s-apps@{contrib['merge_commit_sha'][:7]}: {_CONTRIBUTOR.title}", cat,
                         "argocd", links=[{"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title}],
                         details={"author": "colm", "environment": "production"})
    b.templated.append((cev["links"][0], "href"))
    synced(contrib, cat)
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="Argo CD applying the autoscaler cap",
           same_fact_as=("github", contrib))
    b.say(ke_ch, cat + 80, "kubewatch", ":arrows_counterclockwise: HorizontalPodAutoscaler `picking/picking-api`: "
          "SuccessfulRescale — New size: 4; reason: All metrics below target")

    # June 3-9: the quay-http upgrade; a UPS retry change, a printer firmware PR (decoys) ---------------------------------
    trig = story_pull(b, pick_repo, _TRIGGER, epoch("2025-06-05T14:20:00Z"), epoch("2025-06-09T18:52:00Z"), "trigger",
                      review="lgtm, thanks for doing the migration", reviewed=epoch("2025-06-09T18:30:00Z"),
                      review_comments=(("soren", "what does the default profile use for the timeout? we had 3s on "
                                        "Inkpost on purpose", _INKPOST, 24, epoch("2025-06-06T15:10:00Z")),),
                      comments=(("tobias", "call timeout 10s in `default`. the handhelds give up after 20s and Inkpost "
                                 "p99 is ~1.1s, so we never get near either", epoch("2025-06-06T15:34:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="moved picking-api to quay-http 4 and dropped Inkpost's 3s read timeout: label calls get a 10s call "
               "timeout and 3 retries on timeout with no jitter, so a slow vendor ties up every request thread")
    ship_trigger(sc, svc, "picking-api", trig, _TRIGGER, epoch(TRIGGER_LIVE), "tobias")
    b.say(pk_ch, epoch("2025-06-09T19:25:00Z"), "tobias", "picking-api is on quay-http 4.2 in prod, three weeks ahead of "
          "the EOL :tada:")
    retry = story_pull(b, trn_repo, _RETRY_DECOY, epoch("2025-06-04T16:00:00Z"), epoch("2025-06-09T15:30:00Z"),
                       "distractor_retry", review="nice, jitter and all")
    rsha = retry["merge_commit_sha"][:7]
    b.change_event(t_svc, f"Deploy carrier-manifests@{rsha} to production", epoch("2025-06-09T16:04:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{trn_repo}/commit/{rsha}", "text": rsha}],
                   details={"deployer": "henrik", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-06-09T16:04:02Z"), "deploybot", f":rocket: carrier-manifests `{rsha}` "
          f"deployed to production by <@{b.people['henrik'].slack_id}>")
    firmware = story_pull(b, prn_repo, _FIRMWARE, epoch("2025-06-06T13:00:00Z"), epoch("2025-06-09T21:10:00Z"),
                          "distractor_firmware", review="ship it, rollback is one click in the console")
    fleet_applied(firmware, epoch("2025-06-10T09:30:00Z"))
    b.say(ps_ch, epoch("2025-06-10T09:31:00Z"), "fleet", ":arrows_counterclockwise: Fleet Console: firmware rollout CMH1 "
          "pack-stations V84.20.23Z started (48 printers, batches of 10)")
    b.say(ps_ch, epoch("2025-06-10T09:53:00Z"), "fleet", ":white_check_mark: Fleet Console: firmware rollout CMH1 "
          "pack-stations completed, 48/48 printers on V84.20.23Z")

    # June 10: Inkpost slows down; the storm; the floor notices; nobody is paged ------------------------------------------
    st1 = b.say(vs_ch, epoch("2025-06-10T13:41:00Z"), "inkpost", ":large_yellow_circle: *Inkpost* Investigating: "
                "Increased latency on Label API (us-east-1). Some label requests may take longer than usual.")
    tr.add("slack", st1, "context", must_see=False, group="cause",
           why="the vendor's status note: a modest slowdown that the new retries and timeout turn into a storm")
    dd1 = b.say(pa_ch, epoch("2025-06-10T13:54:00Z"), "datadog", ":warning: [Warn] picking-api tomcat.threads.busy "
                "ratio 0.98 (avg of 6 pods) > 0.9 for 5m (slack only)")
    tr.add("slack", dd1, "early_signal", must_see=False, group="detection",
           why="Datadog's Slack-only warning: request threads exhausted on every pod")
    hpa = b.say(ke_ch, epoch("2025-06-10T13:56:00Z"), "kubewatch", ":warning: HorizontalPodAutoscaler "
                "`picking/picking-api`: ScalingLimited — the desired replica count (15) is more than the maximum "
                "replica count (6)")
    tr.add("slack", hpa, "early_signal", must_see=False, group="cause",
           why="the autoscaler wants 15 pods and is held at the new maximum of 6")
    low = b.incident(svc, P95_TITLE, epoch("2025-06-10T14:04:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=epoch("2025-06-10T15:41:00Z") - epoch("2025-06-10T14:04:00Z"),
                     alert_key=P95_KEY, severity="warning",
                     alert_summary="confirm_pick p95 27.8s above 3s over 15m")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the confirm-pick latency monitor opened a low-urgency incident 15 minutes in, at 27.8s; nobody "
               "acknowledged it and it resolved itself when Inkpost recovered")
    freeze = b.say(ops_ch, epoch("2025-06-10T14:07:00Z"), "shonda",
                   "CMH1 zones C-F: scanners freeze on 'Confirm pick'. spinner for 20-30 sec then 'Server not "
                   "responding - Retry?'. about half the guns, started just before 10. scanning locations and items "
                   "works fine. wifi again?")
    tr.add("slack", freeze, "customer_report", must_see=True, group="reports",
           why="a CMH1 zone lead reports handhelds freezing on confirm pick twenty minutes in; it is taken for Wi-Fi")
    b.say(ops_ch, epoch("2025-06-10T14:11:00Z"), "gordie", "Wi-Fi controller shows all 212 APs up, no roaming storms. "
          "I'll bounce the C-row APs to be safe", parent=freeze)
    dup = b.say(ops_ch, epoch("2025-06-10T14:19:00Z"), "earl", "pack-out: printers at pack 03-11 printing the same order's "
                "label 2-3 times, each with a different tracking number. and some totes arrive with no label at all",
                parent=freeze)
    tr.add("slack", dup, "customer_report", must_see=False, group="reports",
           why="the pack-out lead sees duplicate labels, each retry of the label call printed")
    b.say(ops_ch, epoch("2025-06-10T14:24:00Z"), "lotte", "the CMH1 ZT411s got new firmware this morning (V84.20.23Z). "
          "checking with Zebra", parent=freeze)
    b.say(ops_ch, epoch("2025-06-10T14:41:00Z"), "shonda", "bouncing the APs didn't help. pickers keep hitting retry",
          parent=freeze)
    b.say(ops_ch, epoch("2025-06-10T15:46:00Z"), "shonda", "last 20 min much better. whatever you did, thanks",
          parent=freeze)
    green = b.say(pk_ch, epoch("2025-06-10T14:26:00Z"), "soren", "DC ops says handhelds hang on confirm at CMH1. "
                  "picking-api: readiness 100%, uptime check green, 5xx 0.2%. looks like their Wi-Fi, site IT is on it")
    tr.add("slack", green, "context", must_see=False, group="detection",
           why="the team looks at the health check and the uptime synthetic, both green, and puts it down to Wi-Fi")
    b.say(pk_ch, epoch("2025-06-10T14:33:00Z"), "declan", "yep, all green here", parent=green)
    ink = b.say(ex_ch, epoch("2025-06-10T14:34:00Z"), "lukas", "hi Quayside, we see ~3.6x your normal rate on POST "
                "/v2/labels since about 13:50 UTC, mostly the same order references 2-4 times within a minute. is a "
                "client retrying? we're degraded (see status page) so requests are slow, the duplicates make it worse")
    tr.add("slack", ink, "early_signal", must_see=False, group="reports",
           why="the vendor's support engineer sees each label posted 2-4 times")
    b.say(ex_ch, epoch("2025-06-10T16:02:00Z"), "henrik", "thanks Lukas, we'll check", parent=ink)
    s1 = epoch("2025-06-10T15:00:00Z") + 22
    pulse = b.say(sr_ch, s1, "shiftbot", _pulse({"CMH1": (49, 12.4, 1962), "RNO2": (71, 6.1, 644),
                                                 "ATL1": (83, 4.8, 301)},
                                                "1st shift mid-shift (11:00 ET / 08:00 PT)",
                                                "Staged for 16:00 UPS: CMH1 21% · RNO2 24% · ATL1 29%"))
    tr.add("slack", pulse, "early_signal", must_see=True, group="detection",
           why="Floor Pulse's mid-shift report: units per hour at a third of normal, confirm-pick p50 12s instead of "
               "0.5s, 60x the usual handheld retries; nobody reacts")
    b.say(vs_ch, epoch("2025-06-10T15:28:00Z"), "inkpost", ":large_blue_circle: *Inkpost* Monitoring: Label API latency "
          "back to normal after mitigation (us-east-1)")
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2025-06-10T16:40:00Z"),
               responders=identity.members[:2], ack_after=150, resolve_after=35 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "SSO provider cert rotation on their side, recovered", 1500.0)])
    b.say(vs_ch, epoch("2025-06-10T17:20:00Z"), "inkpost", ":large_yellow_circle: *Inkpost* Investigating: Increased "
          "latency on Label API (us-east-1) again")
    b.say(pa_ch, epoch("2025-06-10T17:29:00Z"), "datadog", ":warning: [Warn] picking-api tomcat.threads.busy ratio 0.99 "
          "(avg of 6 pods) > 0.9 for 5m (slack only)")
    b.say(ke_ch, epoch("2025-06-10T17:31:00Z"), "kubewatch", ":warning: HorizontalPodAutoscaler `picking/picking-api`: "
          "ScalingLimited — the desired replica count (15) is more than the maximum replica count (6)")
    low2 = b.incident(svc, P95_TITLE, epoch("2025-06-10T17:44:00Z"), urgency="low", responders=[], notify=False,
                      ack_after=None, resolve_after=epoch("2025-06-10T21:12:00Z") - epoch("2025-06-10T17:44:00Z"),
                      alert_key=P95_KEY, severity="warning", alert_summary="confirm_pick p95 29.6s above 3s over 15m")
    tr.add("pagerduty", low2, "early_signal", must_see=False, group="detection",
           why="the same low-urgency monitor again in the second slow period")
    rno = b.say(ops_ch, epoch("2025-06-10T17:52:00Z"), "jolene", "RNO2 same thing now, confirm pick hangs on most guns. "
                "10:50 here, right at our wave 3 release")
    tr.add("slack", rno, "customer_report", must_see=False, group="reports",
           why="the Reno floor lead reports the same hang in the second slow period")
    b.say(ops_ch, epoch("2025-06-10T18:01:00Z"), "gordie", "RNO2 Wi-Fi is a different vendor and it's green too. I doubt "
          "it's wifi", parent=rno)
    b.say(ops_ch, epoch("2025-06-10T18:06:00Z"), "renata", "CMH1 freezing again as well. we lost about 2 hours of picking "
          "this morning already", parent=rno)
    b.say(ops_ch, epoch("2025-06-10T18:20:00Z"), "bernie", "ATL1 too, not as bad", parent=rno)
    b.say(vs_ch, epoch("2025-06-10T18:10:00Z"), "inkpost", ":large_orange_circle: *Inkpost* Identified: a degraded "
          "database node in us-east-1 slows label creation, failover in progress")
    b.say(co_ch, epoch("2025-06-10T18:35:00Z"), "keisha", "CMH1 heads-up: UPS pull is 16:00, we have 38% of parcels "
          "staged. asked UPS for a 45 min late pull, they said maybe")
    b.say(ps_ch, epoch("2025-06-10T19:05:00Z"), "earl", "pack 07 printed 4 labels for one tote. is the new firmware "
          "doing this?")
    b.say(ps_ch, epoch("2025-06-10T19:15:00Z"), "fleet", ":warning: Fleet Console: `cmh1-pack-07` 214 jobs in the last "
          "hour (avg 62)")
    b.change_event(web.service, f"Deploy web-frontend@{b.sha()[:7]} to production", epoch("2025-06-10T18:30:00Z"),
                   "ci-deploy", details={"deployer": web.members[0], "environment": "production"})
    rp_sha = b.sha()[:7]
    b.change_event(routing.service, f"Deploy route-planner@{rp_sha} to production", epoch("2025-06-10T19:58:00Z"),
                   "ci-deploy", links=[{"href": f"https://github.com/{routing.repo}/commit/{rp_sha}", "text": rp_sha}],
                   details={"deployer": routing.members[0], "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-06-10T19:58:02Z"), "deploybot", f":rocket: route-planner `{rp_sha}` deployed "
          f"to production by <@{b.people[routing.members[0]].slack_id}>")
    missed = b.say(co_ch, epoch("2025-06-10T20:12:00Z"), "keisha",
                   "CMH1: the UPS trailer left at 16:10 with 1,870 of ~4,300 scheduled parcels. ~2,400 orders miss "
                   "their promised ship date today, and the 17:30 FedEx Ground pull looks bad too. RNO2 says their "
                   "14:00 pickup is at risk. has anyone in engineering looked at the scanners? this started at 10 "
                   "this morning")
    tr.add("slack", missed, "customer_report", must_see=True, group="reports",
           why="the transportation coordinator: the UPS trailer left CMH1 with less than half the parcels, orders "
               "miss their ship date")
    esc = b.say(ops_ch, epoch("2025-06-10T20:18:00Z"), "renata", "I'm paging the picking on-call. we've been limping "
                "since 10am and now we missed the UPS pull")
    tr.add("slack", esc, "customer_report", must_see=False, group="reports",
           why="the CMH1 operations manager decides to page Picking by hand")
    page_by_hand(b, tr, svc, "Handhelds hang on confirm pick at CMH1/RNO2/ATL1 since ~10:00 ET, UPS pickup missed", T,
                 responders=ONCALL, ack_after=95, resolve_after=1.5 * HOUR, manual_by="renata",
                 description="CMH1 operations: since about 10:00 ET handhelds freeze for 20-30s on Confirm pick, on and "
                             "off, at all three DCs. Pack stations print duplicate labels. UPS left CMH1 with 1,870 of "
                             "4,300 parcels.",
                 notes=[("ngozi", "Tomcat threads exhausted on all 6 pods, stuck in InkpostClient retries (quay-http 4 "
                                  "default profile since yesterday's deploy). rolling back", 1100.0),
                        ("marisol", "rolled back to 2025.06.09-1 at 20:58, HPA max 16 again; confirms normal at all "
                                    "DCs. Inkpost voiding ~4,100 duplicate labels", 2700.0)],
                 relay=pa_ch, why="the CMH1 operations manager pages Picking by hand, six and a half hours after the "
                                  "handhelds started hanging")

    inc_ch = b.channel("inc-20250610-confirm-pick-hangs", "Incident: handhelds hang on confirm pick",
                       "Incident response", T + 60, "ngozi")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "ngozi", "incident {{incurl:page}}: handhelds hang on confirm pick at CMH1 and RNO2 since ~13:50 UTC, UPS "
                     "pickup missed at CMH1. looking"),
        (60, "renata", "it comes and goes: bad 10:00-11:30 ET, better until ~13:20, bad since. all three DCs, CMH1 "
                       "worst"),
        (140, "ngozi", "picking-api: 6/6 pods Ready, readiness green, 5xx 0.3%. but tomcat busy threads 200/200 on "
                       "every pod and the accept queue is full"),
        (210, "declan", "HPA is at 6 and wants 15: ScalingLimited"),
        (280, "lotte", "the CMH1 pack printers got firmware V84.20.23Z this morning ({{pr:distractor_firmware}}) and "
                       "they print duplicates. could it be us?"),
        (350, "ignacio", "RNO2 and ATL1 printers weren't touched and print duplicates too. Fleet Console shows 3-4 "
                         "separate jobs per tote coming from Inkpost Cloud Print, the printers print what they're "
                         "sent"),
        (420, "gordie", "and the Wi-Fi is clean at both sites: handhelds reach the ingress, it just doesn't answer"),
        (500, "soren", "Inkpost's status page has said 'increased latency' on and off since 13:41. is it just them?"),
        (570, "rhiannon", "their p95 is ~2.5s per the status page. thread dump: 181 of 200 http-nio threads in "
                          "RetryInterceptor / SocketInputStream.read against api.inkpost.example, under "
                          "ConfirmPickHandler -> InkpostClient.createLabel. some are on attempt 4"),
        (640, "henrik", "transport merged a retry change yesterday ({{pr:distractor_retry}}), related?"),
        (690, "odile", "no, that's the UPS manifest upload in the close-out job, never in the handheld path. and it "
                       "has jitter"),
        (780, "tobias", "it's the quay-http 4 upgrade, {{url:trigger}}, deployed yesterday 19:10. the 4.x default "
                        "profile retries timeouts 3 times, a fixed 250ms apart with no jitter, and the call timeout "
                        "is 10s. on 3.x we had a 3s read timeout and no retries. so one slow label holds a thread for "
                        "up to 40s and posts to Inkpost up to 4 times: the duplicate labels"),
        (850, "tobias", "my bad, I dropped the readTimeout because the 4.x builder doesn't have it and didn't realise "
                        "the default profile retries POSTs"),
        (900, "marisol", "roll back picking-api to 2025.06.09-1 (quay-http 3.9.1) now, fix forward tomorrow"),
        (960, "astrid", "also: the HPA max is 6 since {{pr:contributor}}. with 16 pods we'd have had 3,200 threads "
                        "and probably ridden out the slow patches. raising it back now"),
        (1960, "ngozi", "rollback done 20:58. busy threads 38/200, confirm-pick p50 0.4s"),
        (2080, "shonda", "CMH1 confirms are instant again"),
        (2150, "marisol", "why did nothing page us? the p95 monitor fired at 10:04 ET"),
        (2220, "rhiannon", "that monitor is low urgency, it fires on every cycle-count day. and the uptime check only "
                           "hits /actuator/health/readiness, which since picking-api PR {{num:weakening}} is ping "
                           "only: the pods stayed Ready the whole time. I took the downstreams out after the "
                           "re-slotting pages"),
        (2320, "henrik", "Inkpost flagged duplicate label POSTs at 14:34 UTC in #ext-inkpost. they'll void the "
                         "duplicates, ~4,100 labels since 13:50"),
        (2460, "keisha", "FedEx agreed to a 19:00 ET pull at CMH1, UPS takes the rest first thing tomorrow"),
        (3000, "tobias", "fix PR tomorrow morning: 3s call timeout, no retries on the label POST, Idempotency-Key, "
                         "and a bulkhead so labels can't take all the request threads"),
        (3900, "marisol", "follow-ups: page on confirm-pick latency during shifts, alert on /actuator/health/deps "
                          "outside the re-slotting window, HPA back to 16 for good, check every quay-http 4 client "
                          "against the migration guide"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the hanging handhelds and the duplicate labels to the quay-http 4 upgrade's "
                     "retries and timeout, after the printer firmware, the Wi-Fi, the vendor and the UPS retry change "
                     "were ruled out",
             weakening="a responder explains why the uptime check stayed green: readiness no longer checks downstreams",
             contributor="a responder: the autoscaler could not add pods since the cap at 6")

    # Rollback, the autoscaler back to 16, the fix and its deploy; follow-ups -----------------------------------------
    rb_at = epoch("2025-06-10T20:58:00Z")
    rb = b.change_event(svc, "Rollback picking-api to 2025.06.09-1 (quay-http 3.9.1)", rb_at, "ci-deploy",
                        details={"deployer": "ngozi", "environment": "production", "rollback": True})
    tr.add("pagerduty", rb, "fix", must_see=False, group="cause", why="the rollback that ends the impact")
    b.say(sc.common["deploys"], rb_at + 2, "deploybot", f":leftwards_arrow_with_hook: picking-api rolled back to "
          f"`2025.06.09-1` by <@{b.people['ngozi'].slack_id}>")
    hpa_back = story_pull(b, k8s_repo, _HPA_BACK, T + 0.45 * HOUR, T + 0.6 * HOUR, "hpa_back", review="yes, sorry",
                          reviewed=T + 0.55 * HOUR)
    tr.add("github", hpa_back, "fix", must_see=False, group="cause", why="the autoscaler cap lifted during the incident")
    hat = T + 0.63 * HOUR
    b.change_event(svc, f"Argo CD sync k8s-apps@{hpa_back['merge_commit_sha'][:7]}: {_HPA_BACK.title}", hat, "argocd",
                   details={"author": "astrid", "environment": "production"})
    synced(hpa_back, hat)
    b.say(vs_ch, epoch("2025-06-10T21:30:00Z"), "inkpost", ":large_green_circle: *Inkpost* Resolved: Increased latency "
          "on Label API (us-east-1)")
    b.say(sr_ch, epoch("2025-06-10T23:00:00Z") + 31, "shiftbot", _pulse({"CMH1": (102, 0.6, 214), "RNO2": (109, 0.5, 96),
                                                                    "ATL1": (111, 0.5, 41)},
                                                                   "2nd shift mid-shift (19:00 ET / 16:00 PT)",
                                                                   "Staged for 20:30 FedEx Ground: CMH1 71% · RNO2 "
                                                                   "44% · ATL1 47%"))
    fix = story_pull(b, pick_repo, _FIX, T + 17 * HOUR, T + 20 * HOUR, "fix", review="yes. and thanks for the bulkhead",
                     reviewed=T + 19.6 * HOUR,
                     comments=(("soren", "should we also set RetryPolicy.NONE in the shared default profile? asked "
                                "in #platform-libs", T + 18 * HOUR),))
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="rolls forward with a 3s call timeout, no retries and an idempotency key on label creation and a "
               "bulkhead: a slow vendor can no longer hold the request threads")
    fsha = fix["merge_commit_sha"][:7]
    fat = T + 20.5 * HOUR
    fdep = b.change_event(svc, f"Deploy picking-api@{fsha} to production", fat, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "tobias", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], fat + 2, "deploybot",
          f":rocket: picking-api `{fsha}` deployed to production by <@{b.people['tobias'].slack_id}>")
    follow = story_pull(b, pick_repo, _FOLLOW, T + 2.8 * DAY, T + 3.2 * DAY, "follow", review="yes")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="confirm-pick latency and busy threads page during shifts; a monitored dependency health check")
    b.say(pl_ch, T + 18.2 * HOUR, "soren", "after yesterday's picking incident: could the quay-http `default` profile "
          "stop retrying POSTs? we read the guide and still missed it")
    b.say(pl_ch, T + 19 * HOUR, "yusuf", "agreed, 4.3 will retry only idempotent methods by default. sorry folks")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [pk_ch, ops_ch, sc.common["deploys"]], svc, PICKING_PEOPLE[:3], pick_repo,
        titles=("Runbook: handhelds hang on confirm pick",
                "Move label creation off the request thread (async with reprint fallback)"),
        doc=("Handhelds hang on confirm pick", "Check tomcat busy threads first: readiness only says the JVM is up."),
        doc_path="docs/runbooks/confirm-pick-hangs-{n}.md",
        test_fire="[picking-api] Tomcat busy threads above 90% (5m) (test fire)")
    return world, tr.to_dict()
