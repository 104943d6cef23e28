"""World "ota-rollout": a rollout-rings PR promotes Halo thermostat firmware 5.2.0 to ring 3 (40% of the fleet); the
build is the first signed with the new HSM key, which the ROM bootloader of first-generation Halos (hardware H2)
does not trust, so about 83,000 of them download it, fail verification, roll back into safe mode with heating held
and the schedule paused, and retry every 45 minutes. Four weeks earlier the fleet-health check-in alert had been
moved to a 7-day same-hour baseline that must stay below 90% for 6 hours, after a week of pages caused by the DST
change and a regional ISP outage; and ten days later the OTA preflight's bootloader check had been made advisory.
Only the OTA controller's lines, a low-urgency alert, support-tool tags and an employee whose own thermostat kept
rebooting show it until customer support pages Firmware by hand, twenty-two hours in."""

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

FIRMWARE = TeamSpec("firmware", "Firmware", "ota-service", "ota-service", "firmware",
                    ("controller", "preflight", "artifacts", "signing"),
                    ("rollout controller", "delta image", "preflight check", "artifact cache", "signing job",
                     "install window", "retry backoff", "device shadow", "ring cohort", "release notes"),
                    ("OTA artifact CDN 5xx above 2%", "rollout controller lag above 10m",
                     "signing job failed", "device shadow sync errors"), "go")
DEVICE_CLOUD = TeamSpec("devicecloud", "Device Cloud", "fleet-connectivity", "device-cloud", "device-cloud",
                        ("mqtt", "registry", "shadow", "telemetry"),
                        ("MQTT broker", "device registry", "check-in handler", "telemetry ingest", "TLS session cache",
                         "registry backfill", "presence tracker", "broker autoscaling"),
                        ("MQTT broker connections dropping", "telemetry ingest lag above 5m",
                         "registry API p99 above 500ms"), "go")

STAFF = (("marisol", "Marisol Etxeberria"), ("kwabena", "Kwabena Asante"), ("ingrid", "Ingrid Solberg"),
         ("rafferty", "Rafferty Quinlan"), ("yusuf", "Yusuf Demirci"), ("thandiwe", "Thandiwe Mokoena"),
         ("gerrit", "Gerrit Boekhout"), ("nadia", "Nadia Farouk"), ("lucian", "Lucian Moldovan"))
OUTSIDERS = (("bettina", "Bettina Kraus"), ("dorian", "Dorian Fairweather"), ("wanjiru", "Wanjiru Kamau"),
             ("agnieszka", "Agnieszka Wrona"), ("colm", "Colm Driscoll"))
FIRMWARE_PEOPLE = ["marisol", "kwabena", "ingrid", "rafferty", "yusuf", "thandiwe"]
ONCALL = ["kwabena", "ingrid", "rafferty", "thandiwe"]
CLOUD = ["gerrit", "nadia", "lucian"]
SUPPORT = ["bettina", "dorian", "wanjiru"]

CHECKIN_TITLE = "[fleet-connectivity] FleetCheckinsBelowExpected: device check-ins below expected"
CHECKIN_KEY = "alertmanager/FleetCheckinsBelowExpected"
INSTALL_TITLE = "[ota-service] OTA install failure rate above 3% (1h)"
INSTALL_KEY = "alertmanager/OtaInstallFailureRate"

_SUPPORT_NOUNS = ("C-wire adapter", "wifi setup", "geofencing", "energy report", "warranty swap", "app login",
                  "heat pump wiring", "humidity reading", "room sensor pairing", "vacation mode")
_SUPPORT_LINES = (
    "customer asks about {noun}, the help article still shows the old app",
    "3 tickets today about {noun}, known issue or user error?",
    "{noun}: escalated by a customer on twitter, can someone from product look?",
    "how long do {noun} replacements take at the moment?",
    "installer says {noun} doesn't match the wiring diagram, photos in the ticket",
    "who approves {noun} goodwill credits now?",
)
_REL_NOUNS = ("check-in baseline", "presence tracker", "broker failover", "alert routing", "SLO dashboard",
              "ISP outage map", "silence policy", "telemetry sampling")
_CONSONANTS = "bcdfghjkmnpqrstvwxz23456789"


_PRODUCTS = (("hub-fw", "3.4"), ("sensor-fw", "1.9"), ("lock-fw", "2.2"))


def _ring_change(rng: random.Random) -> ConfigChange:
    """One generated PR of rollout-rings: other products' promotions, windows, rates, staff groups, pauses."""
    ticket = f"FW-{rng.randrange(700, 860)}"
    k = rng.random()
    if k < 0.40:
        product, minor = rng.choice(_PRODUCTS)
        ring = rng.randrange(0, 5)
        old, new = rng.randrange(0, 6), rng.randrange(6, 12)
        share = ("0.2%", "0.5%", "2%", "40%", "57.3%")[ring]
        return (f"Promote {product} {minor}.{new} to ring {ring}",
                rng.choice((f"Ring {max(0, ring - 1)} clean for 5 days ({ticket}).", "Crash rate flat, install "
                            "success above 99%.", f"Release notes in {ticket}.")),
                [yaml_file(f"rings/{product}.yaml", yaml_patch(rng.randrange(6, 40), "rings:", [
                    f"   ring-{ring}:", f"-    build: {minor}.{old}+b{rng.randrange(1000, 2000)}",
                    f"+    build: {minor}.{new}+b{rng.randrange(2000, 3000)}", f"     share: {share}"]))])
    if k < 0.55:
        product, _ = rng.choice(_PRODUCTS + (("halo-fw", ""),))
        a, c = rng.choice((("01:00-05:00", "02:00-05:00"), ("02:00-05:00", "01:00-04:00"),
                           ("01:00-04:00", "01:00-05:00")))
        return (f"{product}: install window {a} -> {c} local", rng.choice(("Fewer installs during early heating.",
                                                                             f"Support asked ({ticket}).")),
                [yaml_file("policy/windows.yaml", yaml_patch(rng.randrange(4, 30), f"{product}:", [
                    f"   {product}:", f'-    local_window: "{a}"', f'+    local_window: "{c}"']))])
    if k < 0.70:
        product, _ = rng.choice(_PRODUCTS)
        was = rng.choice((5_000, 10_000, 20_000))
        now = rng.choice([x for x in (5_000, 10_000, 20_000, 40_000) if x != was])
        return (f"{product}: rate limit {was:,} -> {now:,} devices per hour", "Artifact CDN egress review.",
                [yaml_file("policy/rates.yaml", yaml_patch(rng.randrange(4, 30), "rates:", [
                    f"   {product}:", f"-    devices_per_hour: {was}", f"+    devices_per_hour: {now}"]))])
    if k < 0.85:
        who = "".join(rng.choice(_CONSONANTS) for _ in range(5))
        n = rng.randrange(2, 9)
        return (f"Ring 0: add {n} staff devices ({who})", "New starters in the device lab.",
                [yaml_file("groups/staff.yaml", yaml_patch(rng.randrange(20, 400), "devices:", [
                    f"+  - HL4{rng.randrange(100000, 999999)}  # {who}" for _ in range(min(n, 3))]))])
    product, _ = rng.choice(_PRODUCTS)
    pause = rng.random() < 0.5
    return (f"{product}: {'pause' if pause else 'resume'} ring 3", rng.choice((
                "Holiday freeze." if pause else "Freeze over.", f"Waiting on the crash fix ({ticket})."
                if pause else f"Crash fix shipped ({ticket}).")),
            [yaml_file(f"rings/{product}.yaml", yaml_patch(rng.randrange(20, 40), "rings:", [
                "   ring-3:", f"-    paused: {'false' if pause else 'true'}", f"+    paused: {'true' if pause else 'false'}"]))])


_RULES = (("BrokerConnectionsDropping", "rules/broker.yaml"), ("TelemetryIngestLag", "rules/telemetry.yaml"),
          ("RoomSensorBatteryLow", "rules/sensors.yaml"), ("ShadowSyncErrors", "rules/shadow.yaml"),
          ("CloudApiLatency", "rules/api.yaml"), ("HubOfflineRatio", "rules/hub.yaml"))


def _rule_change(rng: random.Random) -> ConfigChange:
    """One generated PR of fleet-health: alert rules, routes, recording rules and dashboards other than the story's."""
    ticket = f"REL-{rng.randrange(150, 260)}"
    name, path = rng.choice(_RULES)
    k = rng.random()
    if k < 0.25:
        a, c = rng.choice((("5m", "10m"), ("10m", "5m"), ("15m", "10m"), ("10m", "20m")))
        return (f"{name}: for {a} -> {c}", f"Tuning after the on-call review ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "groups:", [
                    f"   - alert: {name}", f"-    for: {a}", f"+    for: {c}"]))])
    if k < 0.45:
        return (f"{name}: add runbook link", "Every page should link a runbook.",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "annotations:", [
                    f"+      runbook: https://wiki.hearthly.example/runbooks/{name.lower()}"]))])
    if k < 0.60:
        lo, hi = rng.choice(((0.05, 0.03), (0.02, 0.05), (0.10, 0.05)))
        return (f"{name}: threshold {lo} -> {hi}", rng.choice(("Too quiet last month.", f"Fewer false pages ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "expr:", [
                    f"-    expr: {name.lower()}:ratio5m > {lo}", f"+    expr: {name.lower()}:ratio5m > {hi}"]))])
    if k < 0.75:
        return (f"{name}: route to #fleet-reliability at low severity", "Not worth a page at night.",
                [yaml_file("alertmanager/routes.yaml", yaml_patch(rng.randrange(10, 80), "routes:", [
                    f"   - match: {{alertname: {name}}}", "-    receiver: pagerduty-devicecloud",
                    "+    receiver: slack-fleet-reliability"]))])
    if k < 0.90:
        return (f"Recording rule for {name.lower()} by region", f"For the regional dashboard ({ticket}).",
                [yaml_file("rules/recording.yaml", yaml_patch(rng.randrange(10, 90), "rules:", [
                    f"+  - record: region:{name.lower()}:ratio5m",
                    f"+    expr: sum by (region) ({name.lower()}:ratio5m)"]))])
    return ("Dashboards: fleet overview panel order", "Put check-ins and MQTT first.",
            [yaml_file("dashboards/fleet-overview.json", yaml_patch(rng.randrange(10, 200), "panels", [
                '-    "title": "Telemetry lag",', '+    "title": "Check-ins vs baseline",']))])


def _ota_line(rng: random.Random, t: float) -> str:
    """A routine line of the OTA controller in #fleet-events: progress, ordinary failures, windows, preflight."""
    product, minor = rng.choice(_PRODUCTS)
    ring = rng.randrange(0, 5)
    k = rng.random()
    if k < 0.40:
        total = rng.randrange(2_000, 60_000)
        done = int(total * rng.uniform(0.96, 0.995))
        return (f":white_check_mark: *{product} {minor}.{rng.randrange(4, 12)}* ring-{ring}: {done:,}/{total:,} "
                f"installed ({100 * done / total:.1f}%), {rng.randrange(0, 40)} rollbacks")
    if k < 0.65:
        code = rng.choice(("DOWNLOAD_TIMEOUT", "POWER_INTERRUPTED", "LOW_BATTERY", "FLASH_WRITE_RETRY"))
        return (f":warning: *{product}* ring-{ring}: {rng.randrange(20, 400)} install failures in 1h ({code}), "
                "retrying after backoff")
    if k < 0.85:
        tz = rng.choice(("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                         "Europe/London", "Europe/Berlin"))
        return f":pause_button: install window {rng.choice(('opened', 'closed'))} for {tz}"
    return (f":mag: preflight *{product} {minor}.x* ring-{ring}: 0 blocking, {rng.randrange(0, 3)} advisory "
            f"({rng.choice(('battery', 'disk space', 'radio calibration'))})")


def _review_line(rng: random.Random, t: float) -> str:
    stars, store, text = rng.choice((
        (5, "App Store", "Saves us real money on heating, love the energy report"),
        (4, "Google Play", "Works great, wish geofencing was faster"),
        (2, "Google Play", "Room sensor keeps unpairing"),
        (5, "App Store", "Setup took 10 minutes, great instructions"),
        (3, "App Store", "Fine but the new widget is ugly"),
        (1, "Google Play", "C-wire adapter not included, had to call an electrician"),
        (4, "App Store", "Vacation mode is handy"),
    ))
    return f":star: {stars}/5 · {store} · \"{text}\""


def _tags_line(rng: random.Random, t: float) -> str:
    tags = rng.sample(("wifi-setup", "c-wire", "app-login", "room-sensor", "warranty", "energy-report",
                       "geofencing", "device-offline", "schedule-not-running"), 4)
    counts = sorted((rng.randrange(20, 240) for _ in tags), reverse=True)
    return ":label: *Helpdesk* top tags 24h: " + ", ".join(f"`{a}` {c}" for a, c in zip(tags, counts, strict=True))


def _pulse_line(ratio: float, online: float) -> str:
    return (f":satellite_antenna: *Fleet Pulse* check-ins last hour at {100 * ratio:.1f}% of the 7-day same-hour "
            f"baseline · online now {100 * online:.1f}% · FleetCheckinsBelowExpected: OK")


def _sig_failures(fails: int, rollbacks: int, window: str) -> str:
    return (f":x: *halo-fw 5.2.0+b4417* ring-3: {fails:,} verification failures in the last {window} "
            f"(SIG_UNTRUSTED_KEY), {rollbacks:,} rollbacks to 5.1.4+b4302; hw_rev H2; retrying after 45m backoff")


_WEAKENING = Change(
    author="nadia", reviewer="gerrit", labels=("alerting", "on-call"),
    title="FleetCheckinsBelowExpected: compare with the 7-day same-hour baseline, 90% for 6h (REL-219)",
    body="Seven pages in six days, none of them actionable:\n\n"
         "- Nov 3, 4, 7 and 8, around 07:00 UTC: the DST change moved every device's nightly maintenance check-in by "
         "an hour, and `fleet_expected_checkins_rate` is built from the previous week's hourly profile\n"
         "- Nov 5-6: Northway Broadband's outage in Ohio and Michigan took 4-6% of the fleet offline for hours; "
         "nothing we can fix, devices came back on their own\n\n"
         "The alert now compares the last hour of check-ins with the same hour over the last 7 days and fires only "
         "when they stay below 90% of that for 6 hours. A real broker or registry outage is far more than 10% and "
         "lasts longer than a DST hour; BrokerConnectionsDropping still pages within 5 minutes.",
    files=(("rules/checkins.yaml", """@@ -1,14 +1,18 @@
 groups:
   - name: fleet-checkins
     rules:
       - alert: FleetCheckinsBelowExpected
-        expr: sum(rate(device_checkins_total[15m])) / sum(fleet_expected_checkins_rate) < 0.97
-        for: 15m
+        # Seven pages in six days (REL-219): DST moved the nightly check-in by an hour and Northway's outage
+        # took a region offline. Compare with the same hour over the last 7 days and wait out short dips.
+        expr: |
+          sum(rate(device_checkins_total[1h]))
+            / avg_over_time(fleet:checkins_rate1h:same_hour[7d]) < 0.90
+        for: 6h
         labels:
           severity: page
           team: device-cloud
         annotations:
-          summary: "Device check-ins at {{ $value | humanizePercentage }} of expected (15m)"
+          summary: "Device check-ins at {{ $value | humanizePercentage }} of the 7-day baseline for 6h\""""),
           ("rules/recording.yaml", """@@ -30,0 +31,4 @@ rules:
+  # The same hour of day over the last week, for FleetCheckinsBelowExpected.
+  - record: fleet:checkins_rate1h:same_hour
+    expr: sum(rate(device_checkins_total[1h] offset 1d))""")),
)

_CONTRIBUTOR = Change(
    author="rafferty", reviewer="yusuf", labels=("preflight", "rollout"),
    title="Preflight: make the bootloader-compat check advisory until the registry backfill (DEV-1204)",
    body="bootloader-compat blocked two rollouts last week that were fine: hub-fw 3.4.0 ring 3 on Nov 14 and "
         "halo-fw 5.1.5 ring 1 on Nov 15. The device registry migration (DEV-1204) left `bootloader_version` empty "
         "for about 212k records, and a device with no version trusts no key, so the check blocked everything with "
         "those devices in the cohort. We checked 40 of them by hand: all on current bootloaders.\n\n"
         "The finding is now advisory: the controller logs it and counts `ota_preflight_advisories_total{check=\"bootloader_compat\"}`, "
         "and the rollout goes ahead. We make it blocking again once Device Cloud's backfill is done.",
    files=(("internal/preflight/compat.go", """@@ -41,14 +41,17 @@ func (c *BootloaderCompat) Check(ctx context.Context, r Ring, b Build) []Finding {
     var out []Finding
     for _, g := range c.registry.CohortByBootloader(ctx, r.Cohort, r.HwRevs) {
         if b.TrustedBy(g.BootloaderVersion) {
             continue
         }
-        out = append(out, Finding{
-            Severity: SeverityBlocking,
-            Check:    "bootloader_compat",
-            Msg:      fmt.Sprintf("%d devices on bootloader %q do not trust %s", g.Count, g.BootloaderVersion, b.SigningKey),
-        })
+        // Advisory until the registry has bootloader versions again (DEV-1204): empty versions blocked
+        // hub-fw 3.4.0 and halo-fw 5.1.5 for devices that were fine.
+        out = append(out, Finding{
+            Severity: SeverityAdvisory,
+            Check:    "bootloader_compat",
+            Msg:      fmt.Sprintf("%d devices on bootloader %q do not trust %s", g.Count, g.BootloaderVersion, b.SigningKey),
+        })
+        advisories.WithLabelValues("bootloader_compat").Add(float64(g.Count))
     }
     return out
 }"""),
           ("internal/preflight/compat_test.go", """@@ -60,7 +60,7 @@ func TestUntrustedKeyBlocks(t *testing.T) {
     got := c.Check(ctx, ring3, build("fw-sign-new"))
-    if len(got) != 1 || got[0].Severity != SeverityBlocking {
-        t.Fatalf("want one blocking finding, got %v", got)
+    if len(got) != 1 || got[0].Severity != SeverityAdvisory {
+        t.Fatalf("want one advisory finding, got %v", got)
     }
 }""")),
)

_TRIGGER = Change(
    author="marisol", reviewer="kwabena", labels=("rollout", "halo-fw"),
    title="Promote halo-fw 5.2.0 to ring 3 (stable-a, 40%) (FW-833)",
    body="5.2.0: adaptive pre-heat, Matter 1.3 commissioning fixes and 0.3 W lower standby draw.\n\n"
         "Ring 2 (beta, 31k devices) has run it since Dec 3: install success 99.3%, crash rate flat, no schedule "
         "regressions reported. It is the first build signed by the new HSM key `fw-sign-2024b` (SEC-331); the "
         "bootloader trust list has carried that key since bootloader 2.4. Preflight for ring 3: 0 blocking "
         "findings.\n\n"
         "Ring 4 follows after the holiday freeze.",
    files=(("rings/halo-fw.yaml", """@@ -14,12 +14,12 @@ rings:
   ring-2:
     build: 5.2.0+b4417
     share: 2%
     cohort: beta
   ring-3:
-    build: 5.1.4+b4302
+    build: 5.2.0+b4417
     share: 40%
     cohort: stable-a
     hw_revs: [H2, H3, H4]
     retry_failed: true
     retry_backoff: 45m
   ring-4:"""),
           ("notes/halo-fw-5.2.0.md", """@@ -0,0 +1,6 @@
+# halo-fw 5.2.0+b4417
+- adaptive pre-heat (learns the house's warm-up time)
+- Matter 1.3 commissioning fixes
+- standby draw 1.1 W -> 0.8 W
+- signed with fw-sign-2024b (SEC-331)
+- ring 2 since 2024-12-03, ring 3 from 2024-12-09""")),
)

_FIX = Change(
    author="ingrid", reviewer="marisol", labels=("incident", "rollout", "halo-fw"),
    title="halo-fw: keep H2 on 5.1.4 and stop retrying failed installs (thermostats rebooting)",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} ring 3 offered 5.2.0 to its H2 thermostats. 5.2.0 is signed "
         "with fw-sign-2024b, and the H2 ROM bootloader (1.9) only trusts the 2019 key: about 83k devices "
         "downloaded it, failed verification (SIG_UNTRUSTED_KEY), rolled back to 5.1.4 into safe mode (heating held, "
         "schedule paused) and were offered 5.2.0 again after 45 minutes.\n\n"
         "Ring 3 now excludes H2, H2 is pinned to 5.1.4 everywhere, and a failed verification is not retried. "
         "After the controller applies this: `otactl resync-schedules --hw-rev H2 --ring 3` to take the devices out "
         "of safe mode.",
    files=(("rings/halo-fw.yaml", """@@ -18,10 +18,15 @@ rings:
   ring-3:
     build: 5.2.0+b4417
     share: 40%
     cohort: stable-a
-    hw_revs: [H2, H3, H4]
-    retry_failed: true
+    # H2's ROM bootloader 1.9 does not trust fw-sign-2024b: 5.2.0 fails verification and loops.
+    hw_revs: [H3, H4]
+    retry_failed: false
     retry_backoff: 45m
   ring-4:
+pinned:
+  - hw_rev: H2
+    build: 5.1.4+b4302
+    reason: "bootloader 1.9 trusts fw-root-2019 only; dual-signed build in FW-841\""""),),
)

_FOLLOW_CHECKS = Change(
    author="nadia", reviewer="lucian", labels=("alerting", "incident"),
    title="Check-ins: page on a 30-minute drop by hardware revision; keep the 7-day baseline for the fleet",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} FleetCheckinsBelowExpected needed 6 hours below 90% "
         "of the 7-day baseline. The H2 thermostats dropped offline for 6-9 minutes in every 45-minute retry cycle: "
         "the fleet sat at 95-97% of baseline, recovering and dropping again, and the alert never came close.\n\n"
         "New: FleetCheckinsBelowExpectedByHwRev pages when one hardware revision stays below 92% of its baseline "
         "for 30 minutes. OtaInstallFailureRate pages at high urgency when verification failures (not download "
         "errors) exceed 1%.",
    files=(("rules/checkins.yaml", """@@ -18,0 +19,9 @@ groups:
+      - alert: FleetCheckinsBelowExpectedByHwRev
+        expr: |
+          sum by (hw_rev) (rate(device_checkins_total[15m]))
+            / sum by (hw_rev) (fleet:checkins_rate15m:same_hour_by_hw_rev) < 0.92
+        for: 30m
+        labels:
+          severity: page
+          team: device-cloud"""),
           ("rules/ota.yaml", """@@ -3,4 +3,5 @@ rules:
   - alert: OtaInstallFailureRate
-    expr: sum(rate(ota_install_failures_total[1h])) / sum(rate(ota_install_attempts_total[1h])) > 0.03
-    labels: {severity: low, team: firmware}
+    expr: sum(rate(ota_install_failures_total{reason=~"SIG_.*|VERIFY_.*"}[1h])) / sum(rate(ota_install_attempts_total[1h])) > 0.01
+    labels: {severity: page, team: firmware}""")),
)

_FOLLOW_PREFLIGHT = Change(
    author="rafferty", reviewer="yusuf", labels=("preflight", "incident"),
    title="Preflight: bootloader-compat blocks again when a hardware revision cannot trust the signing key",
    body="Follow-up of {{incurl:page}}. {{url:contributor}} made bootloader-compat advisory while the registry "
         "lacked bootloader versions. For ring 3 it logged '83,120 devices on bootloader \"1.9\" do not trust "
         "fw-sign-2024b' and the rollout went ahead.\n\n"
         "A known bootloader that does not trust the key blocks again; an empty version (DEV-1204, 9k records left) "
         "stays advisory.",
    files=(("internal/preflight/compat.go", """@@ -45,6 +45,10 @@ func (c *BootloaderCompat) Check(ctx context.Context, r Ring, b Build) []Finding {
-        // Advisory until the registry has bootloader versions again (DEV-1204): empty versions blocked
-        // hub-fw 3.4.0 and halo-fw 5.1.5 for devices that were fine.
+        severity := SeverityBlocking
+        if g.BootloaderVersion == "" {
+            severity = SeverityAdvisory // DEV-1204: unknown version, not a known untrusting bootloader
+        }
         out = append(out, Finding{
-            Severity: SeverityAdvisory,
+            Severity: severity,"""),),
)


def build_ota_rollout(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the ota-rollout world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="ota-rollout", seed=2024_12_10, org="hearthly", team_name="Firmware",
                    page_at="2024-12-10T13:05:00Z", impact_start="2024-12-09T14:48:00Z",
                    noise_teams=("mobile", "identity", "data", "platform", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("otabot", "OTA Controller"), ("fleetpulse", "Fleet Pulse"), ("rulesync", "Rules Sync"),
                      ("helpdesk", "Helpdesk Insights"), ("reviewbot", "App Reviews")):
        b.person(key, name, github=False, is_bot=True)
    mobile, platform = sc.team("mobile"), sc.team("platform")

    # Firmware and Device Cloud: PagerDuty, channels, repos ----------------------------------------------------
    f_team = b.team("Firmware")
    f_policy = b.policy("Firmware on-call", f_team, ONCALL)
    svc = b.service("ota-service", "Firmware: OTA rollout controller, preflight, artifacts and signing", f_policy,
                    f_team, iso(start - 700 * DAY))
    d_team = b.team("Device Cloud")
    cloud_people = CLOUD + sc.crowd[18:21]
    d_policy = b.policy("Device Cloud on-call", d_team, cloud_people[:4])
    d_svc = b.service("fleet-connectivity", "Device Cloud: MQTT brokers, device registry, check-ins", d_policy,
                      d_team, iso(start - 720 * DAY))
    fw_ch = b.channel("firmware", "Firmware: Halo, hub and sensor firmware, OTA", "Firmware team",
                      start - 650 * DAY, "marisol")
    oa_ch = b.channel("ota-alerts", "Pages of ota-service", "PagerDuty notifications", start - 420 * DAY, "kwabena")
    fe_ch = b.channel("fleet-events", "OTA controller and Fleet Pulse", "Fleet events", start - 400 * DAY, "yusuf")
    dc_ch = b.channel("device-cloud", "Device Cloud team", "MQTT, registry, check-ins", start - 640 * DAY, "gerrit")
    fr_ch = b.channel("fleet-reliability", "Fleet health alerts and rule changes", "Alert rules of fleet-health",
                      start - 380 * DAY, "nadia")
    se_ch = b.channel("support-escalations", "Customer support: escalations to engineering", "Customer support",
                      start - 700 * DAY, "bettina")
    so_ch = b.channel("support-ops", "Support tooling, macros and ticket tags", "Support operations",
                      start - 500 * DAY, "dorian")
    rv_ch = b.channel("app-reviews", "App Store and Google Play reviews of the Hearthly app", "Reviews feed",
                      start - 460 * DAY, "wanjiru")
    ota_repo = b.repo("ota-service", "OTA rollout controller, preflight checks, artifact signing (Go)",
                      iso(start - 900 * DAY))
    rings = b.repo("rollout-rings", "Which firmware build each ring of devices runs; the rollout controller applies "
                   "main", iso(start - 760 * DAY))
    health = b.repo("fleet-health", "Alert rules, recording rules and dashboards of the device fleet",
                    iso(start - 600 * DAY))
    cloud_repo = b.repo("device-cloud", "MQTT brokers, device registry and check-in handler (Go)",
                        iso(start - 880 * DAY))

    # Their noise ------------------------------------------------------------------------------------------------
    n = sc.scale
    fw = NoiseTeam(FIRMWARE, FIRMWARE_PEOPLE, ota_repo, fw_ch, svc, f_policy)
    dc = NoiseTeam(DEVICE_CLOUD, cloud_people, cloud_repo, dc_ch, d_svc, d_policy)
    add_pulls(b, fw, 80 * n, start - 60 * DAY, end)
    add_pulls(b, dc, 50 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}

    def applied(pull: dict[str, Any], at: float) -> dict[str, Any]:
        """The OTA controller's line when it applies a rollout-rings commit."""
        return b.say(fe_ch, at + 30, "otabot", f":arrows_counterclockwise: rollout-controller applied "
                     f"rollout-rings@{pull['merge_commit_sha'][:7]} ({pull['title']})")

    def on_rings_merge(pull: dict[str, Any]) -> None:
        """CI ships each merged rollout-rings PR to the controller: a change event, the deploy bot, the controller."""
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        at, sha7 = epoch(pull["merged_at"]) + rng.uniform(120, 600), pull["merge_commit_sha"][:7]
        who = by_login[pull["user"]]
        ev = b.change_event(svc, f"Deploy rollout-rings@{sha7} to production", at, "ci-deploy",
                            links=[{"href": "{{url:" + handle[3:] + "}}", "text": pull["title"]}],
                            details={"deployer": who, "environment": "production"})
        b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: rollout-rings `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        applied(pull, at)

    def synced(pull: dict[str, Any]) -> dict[str, Any]:
        """Alertmanager reloads its rules from each merged fleet-health PR: a line and a change event."""
        at, sha7 = epoch(pull["merged_at"]) + 90, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        b.say(fr_ch, at + 3, "rulesync", f":arrows_counterclockwise: Prometheus rules reloaded from "
              f"fleet-health@{sha7} ({pull['title']}): {len(names)} file(s)")
        return b.change_event(d_svc, f"Rules reloaded from fleet-health@{sha7}: {pull['title']}", at, "rulesync",
                              details={"files": names})

    def on_health_merge(pull: dict[str, Any]) -> None:
        synced(pull)

    def ship(pull: dict[str, Any], at: float, who: str) -> None:
        sha7 = pull["merge_commit_sha"][:7]
        b.change_event(svc, f"Deploy rollout-rings@{sha7} to production", at, "ci-deploy",
                       links=[{"href": f"https://github.com/{rings}/commit/{sha7}", "text": sha7}],
                       details={"deployer": who, "environment": "production"})
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: rollout-rings `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        applied(pull, at)

    config_pulls(b, rings, FIRMWARE_PEOPLE + sc.crowd[14:16], 55 * n, start - 60 * DAY, end, _ring_change,
                 on_merge=on_rings_merge)
    config_pulls(b, health, cloud_people + ["yusuf"], 40 * n, start - 60 * DAY, end, _rule_change,
                 on_merge=on_health_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (ota_repo, rings)][-150:]
    add_chat(b, fw_ch, FIRMWARE_PEOPLE, FIRMWARE.nouns, 160 * n, start, end, links=links)
    cloud_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (cloud_repo, health)]
    add_chat(b, dc_ch, cloud_people, DEVICE_CLOUD.nouns, 70 * n, start, end, links=cloud_links[-100:])
    add_chat(b, fr_ch, cloud_people, _REL_NOUNS, 30 * n, start, end)
    add_chat(b, se_ch, SUPPORT + ["colm"] + sc.crowd[24:27], _SUPPORT_NOUNS, 65 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    add_chat(b, so_ch, SUPPORT + ["colm"], _SUPPORT_NOUNS, 25 * n, start, end, lines=_SUPPORT_LINES, thread_rate=0.3)
    for ch, joiners in ((fw_ch, FIRMWARE_PEOPLE), (dc_ch, cloud_people), (fr_ch, cloud_people), (se_ch, SUPPORT),
                        (fe_ch, FIRMWARE_PEOPLE), (so_ch, SUPPORT), (rv_ch, SUPPORT + ["colm"])):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, fw, 9 * n, start, end, oa_ch)
    add_incidents(b, dc, 8 * n, start, end, fr_ch, incident_channels=False)
    add_deploys(b, fw, int(30 * n), start, end, sc.common["deploys"])
    add_deploys(b, dc, int(30 * n), start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, fe_ch, "otabot", 3 * days * n, start, end, _ota_line)
    bot_feed(b, rv_ch, "reviewbot", 2 * days * n, start, end, _review_line)
    bot_feed(b, so_ch, "helpdesk", days * n, start, end, _tags_line)
    # The install-failure alert has always been low urgency: storms and power cuts fail installs for an hour or two.
    for when, note in (("2024-09-28T03:40:00Z", "sensor-fw 1.9.6 ring-3, POWER_INTERRUPTED (storm, Florida)"),
                       ("2024-10-30T06:15:00Z", "hub-fw 3.4.0 ring-2, DOWNLOAD_TIMEOUT (artifact CDN)"),
                       ("2024-11-24T02:05:00Z", "lock-fw 2.2.7 ring-3, LOW_BATTERY")):
        b.incident(svc, INSTALL_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=1.6 * HOUR, alert_key=INSTALL_KEY, severity="warning",
                   alert_summary=f"ota_install_failures_total / ota_install_attempts_total above 3% over 1h ({note})")

    # Fleet Pulse every six hours ------------------------------------------------------------------------------
    shipped = epoch("2024-12-09T14:09:00Z")
    fix_live = T + 0.62 * HOUR
    slot = start - start % DAY + 1 * HOUR
    while slot < end:
        day = iso(slot)[:10]
        ratio, online = rng.uniform(0.985, 1.01), rng.uniform(0.975, 0.983)
        if day in ("2024-11-03", "2024-11-04", "2024-11-07", "2024-11-08") and iso(slot)[11:13] == "07":
            ratio = rng.uniform(0.94, 0.96)
        if day in ("2024-11-05", "2024-11-06"):
            ratio, online = rng.uniform(0.94, 0.96), rng.uniform(0.93, 0.95)
        if shipped + HOUR < slot < fix_live:
            ratio, online = rng.uniform(0.953, 0.97), rng.uniform(0.938, 0.955)
        m = b.say(fe_ch, slot + rng.uniform(5, 60), "fleetpulse", _pulse_line(ratio, online))
        if T - 6 * HOUR < slot < T:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="Fleet Pulse: check-ins at 95-97% of baseline, the check-in alert reported OK")
        slot += 6 * HOUR

    # Oct-Nov: halo-fw 5.1.4, signed with the 2019 key, goes out to rings 3 and 4 without trouble -------------------
    for ring, share, created, merged, who, rev in ((3, "40%", "2024-10-24T10:00:00Z", "2024-10-28T14:00:00Z",
                                                    "kwabena", "marisol"),
                                                   (4, "57.3%", "2024-11-01T09:30:00Z", "2024-11-04T15:10:00Z",
                                                    "marisol", "ingrid")):
        p = story_pull(b, rings, Change(
            author=who, reviewer=rev, labels=("rollout", "halo-fw"),
            title=f"Promote halo-fw 5.1.4 to ring {ring} ({share})",
            body=f"5.1.4: humidity sensor calibration and a wifi reconnect fix. Ring {ring - 1} clean for a week.",
            files=(("rings/halo-fw.yaml", f"""@@ -{14 + 6 * (ring - 2)},4 +{14 + 6 * (ring - 2)},4 @@ rings:
   ring-{ring}:
-    build: 5.1.3+b4255
+    build: 5.1.4+b4302
     share: {share}"""),)), epoch(created), epoch(merged), f"halo514_r{ring}")
        ship(p, epoch(merged) + 400, who)

    # Nov 3-8: DST and Northway's outage page Device Cloud through the check-in alert ------------------------------
    noisy = (("2024-11-03T07:12:00Z", "DST: check-ins at 95.1% of expected 07:00-07:15"),
             ("2024-11-04T07:06:00Z", "DST again, 95.8% of expected, recovers at 08:00"),
             ("2024-11-05T14:22:00Z", "Northway Broadband outage OH/MI, 94.2% of expected"),
             ("2024-11-05T23:40:00Z", "Northway still down, 95.5%"),
             ("2024-11-06T04:18:00Z", "Northway, 96.0%, flapping"),
             ("2024-11-07T07:09:00Z", "DST profile, 95.6%"),
             ("2024-11-08T07:04:00Z", "DST profile, 95.9%"))
    notes = ("the expected curve is last week's, before the clocks changed. devices are fine, resolving",
             "Northway status page: fiber cut in Columbus. devices reconnect on their own")
    for i, (when, summary) in enumerate(noisy):
        t = epoch(when)
        who = cloud_people[i % 3]
        inc = b.incident(d_svc, CHECKIN_TITLE, t, responders=[who, cloud_people[(i + 1) % 3]], ack_after=200 + 25 * i,
                         resolve_after=1500 + 240 * i, handle=f"noisy{i}", alert_key=CHECKIN_KEY,
                         alert_summary=f"sum(rate(device_checkins_total[15m])) / sum(fleet_expected_checkins_rate) "
                                       f"< 0.97 for 15m ({summary})",
                         notes=[(who, notes[0] if "DST" in summary else notes[1], 800.0)] if i % 3 != 2 else None)
        b.say(fr_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{CHECKIN_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the check-in pages caused by the DST change and Northway's outage that led to the "
                   "slower check-in alert")
    grumbles = (("2024-11-04T09:30:00Z", "gerrit", "paged 07:06 again for check-ins below expected. it's the clocks: "
                 "the nightly maintenance check-in moved an hour and the expected curve is from last week"),
                ("2024-11-05T15:10:00Z", "lucian", "now Northway Broadband is down in Ohio and Michigan, 5% of the "
                 "fleet offline. nothing for us to do"),
                ("2024-11-06T09:00:00Z", "nadia", "third Northway page overnight :sleeping:"),
                ("2024-11-08T08:15:00Z", "lucian", "can we stop paging on check-ins for every DST hour and every ISP "
                 "in the midwest? seven pages this week, zero actions"),
                ("2024-11-08T09:00:00Z", "nadia", "I'll move it to a 7-day same-hour baseline and make it wait 6h. "
                 "a broker outage is way more than 10% and BrokerConnectionsDropping pages anyway"))
    for when, who, text in grumbles:
        m = b.say(dc_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the check-in pages")

    # Nov 11: the check-in alert needs 6 hours below 90% of the 7-day baseline --------------------------------------
    weak = story_pull(b, health, _WEAKENING, epoch("2024-11-08T10:30:00Z"), epoch("2024-11-11T15:20:00Z"), "weakening",
                      review="ok. 6h is long, but the broker alert covers the big ones",
                      reviewed=epoch("2024-11-11T14:55:00Z"),
                      comments=(("gerrit", "do we lose anything that is small and keeps coming back?",
                                 epoch("2024-11-08T13:40:00Z")),
                                ("nadia", "a dip that recovers is what DST and ISPs look like, that's the point",
                                 epoch("2024-11-08T14:05:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="moved the fleet check-in alert to a 7-day same-hour baseline that must stay below 90% for 6 hours: "
               "a drop of a few percent that recovers and drops again can never fire")
    wev = synced(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="Prometheus reloading the slower check-in alert", same_fact_as=("github", weak))
    b.say(dc_ch, epoch("2024-11-11T15:40:00Z"), "nadia",
          "merged {{url:weakening}}: check-ins compare with the 7-day baseline and wait 6h now, no more DST pages",
          template=True)

    # Nov 14-21: preflight blocks two good rollouts; bootloader-compat becomes advisory ------------------------------
    for when, text in (("2024-11-14T16:20:00Z", ":no_entry: preflight *hub-fw 3.4.0* ring-3: 1 blocking "
                        "(bootloader-compat: 31,877 devices on bootloader \"\" do not trust hub-sign-2023)"),
                       ("2024-11-15T11:05:00Z", ":no_entry: preflight *halo-fw 5.1.5* ring-1: 1 blocking "
                        "(bootloader-compat: 2,114 devices on bootloader \"\" do not trust fw-root-2019)")):
        b.say(fe_ch, epoch(when), "otabot", text)
    b.say(fw_ch, epoch("2024-11-15T13:00:00Z"), "rafferty", "preflight blocked 5.1.5 ring 1 too. the registry lost "
          "bootloader versions in the migration, empty version = trusts nothing. I'll make bootloader-compat advisory "
          "until DEV-1204 is backfilled")
    contrib = story_pull(b, ota_repo, _CONTRIBUTOR, epoch("2024-11-18T10:00:00Z"), epoch("2024-11-21T16:30:00Z"),
                         "contributor", review="ok as a stopgap, please track making it blocking again",
                         reviewed=epoch("2024-11-21T16:00:00Z"),
                         comments=(("yusuf", "does anything else stop a build a bootloader can't verify?",
                                    epoch("2024-11-19T09:20:00Z")),
                                   ("rafferty", "ring 2 would show it first, the beta has every hardware revision",
                                    epoch("2024-11-19T09:45:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="made the preflight's bootloader-compat finding advisory: a build that a hardware revision's bootloader "
               "cannot verify no longer stops a rollout")
    csha = contrib["merge_commit_sha"][:7]
    cev = b.change_event(svc, f"Deploy ota-service@{csha} to production", epoch("2024-11-21T17:05:00Z"), "ci-deploy",
                         links=[{"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title}],
                         details={"deployer": "rafferty", "environment": "production"})
    b.templated.append((cev["links"][0], "href"))
    b.say(sc.common["deploys"], epoch("2024-11-21T17:05:02Z"), "deploybot",
          f":rocket: ota-service `{csha}` deployed to production by <@{b.people['rafferty'].slack_id}>")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy of the advisory "
           "bootloader check", same_fact_as=("github", contrib))

    # Nov 25 - Dec 3: the new signing key, 5.2.0 to rings 1 and 2 -----------------------------------------------
    announce = b.say(fw_ch, epoch("2024-11-25T15:30:00Z"), "yusuf",
                "heads up: from halo-fw 5.2.0 the build pipeline signs with fw-sign-2024b from the new HSM (SEC-331). "
                "bootloader 2.4+ has trusted it since May; fw-root-2019 retires on Jan 31")
    tr.add("slack", announce, "context", must_see=False, group="cause",
           why="the firmware team announces the new signing key, trusted only by bootloader 2.4 and later")
    b.say(fw_ch, epoch("2024-11-25T15:52:00Z"), "kwabena", "2.4+ is H3 and H4. H2 is on 1.9 in ROM, right?", parent=announce)
    b.say(fw_ch, epoch("2024-11-25T16:05:00Z"), "yusuf", "right, preflight's bootloader-compat covers that", parent=announce)
    for ring, share, created, merged, who, rev in ((1, "0.5%", "2024-11-26T10:00:00Z", "2024-11-27T11:00:00Z",
                                                    "marisol", "thandiwe"),
                                                   (2, "2%", "2024-12-02T09:30:00Z", "2024-12-03T14:20:00Z",
                                                    "marisol", "kwabena")):
        p = story_pull(b, rings, Change(
            author=who, reviewer=rev, labels=("rollout", "halo-fw"),
            title=f"Promote halo-fw 5.2.0 to ring {ring} ({share})",
            body=f"5.2.0+b4417, first build signed with fw-sign-2024b. Ring {ring - 1} clean.",
            files=(("rings/halo-fw.yaml", f"""@@ -{2 + 6 * ring},4 +{2 + 6 * ring},4 @@ rings:
   ring-{ring}:
-    build: 5.1.4+b4302
+    build: 5.2.0+b4417
     share: {share}"""),)), epoch(created), epoch(merged), f"halo520_r{ring}")
        ship(p, epoch(merged) + 380, who)
    b.say(fw_ch, epoch("2024-12-06T10:40:00Z"), "marisol", "5.2.0 ring 2 numbers after 3 days: 99.3% installed, crash "
          "rate flat. ring 3 PR is up, aiming for monday")

    # Dec 9: hub-fw to ring 3 in the morning; the app release (red herrings) ----------------------------------------
    hub = story_pull(b, rings, Change(
        author="thandiwe", reviewer="yusuf", labels=("rollout", "hub-fw"),
        title="Promote hub-fw 3.4.2 to ring 3",
        body="3.4.2: Thread border router fix for room sensors. Ring 2 clean for 6 days.",
        files=(("rings/hub-fw.yaml", """@@ -20,4 +20,4 @@ rings:
   ring-3:
-    build: 3.4.1+b1877
+    build: 3.4.2+b1902
     share: 40%"""),)), epoch("2024-12-05T14:00:00Z"), epoch("2024-12-09T10:20:00Z"), "distractor_hub")
    ship(hub, epoch("2024-12-09T10:27:00Z"), "thandiwe")
    story_pull(b, mobile.repo, Change(
        author=mobile.members[0], reviewer=mobile.members[1], labels=("schedules",),
        title="Schedules: sync edits through the v3 schedules endpoint",
        body="The schedule editor writes through /v3/schedules (batch, with the device's confirmation). Shipping in "
             "app 8.3.0.",
        files=(("src/schedules/sync.ts", """@@ -22,3 +22,4 @@ export async function saveSchedule(device: Device, s: Schedule) {
-  return api.put(`/v2/devices/${device.id}/schedule`, s);
+  const res = await api.post(`/v3/schedules`, { deviceId: device.id, schedule: s, confirm: true });
+  return res.data;
 }"""),)), epoch("2024-12-04T11:00:00Z"), epoch("2024-12-06T16:00:00Z"), "distractor_app")
    b.say(sc.common["deploys"], epoch("2024-12-09T13:00:30Z"), "deploybot",
          ":iphone: hearthly-app 8.3.0 released: 100% iOS, 20% Android (schedules v3 sync)")
    b.say(mobile.channel, epoch("2024-12-09T13:06:00Z"), mobile.members[0],
          "8.3.0 is out, schedule sync goes through v3 now ({{pr:distractor_app}})", template=True)

    # Dec 9 14:05: halo-fw 5.2.0 to ring 3 ------------------------------------------------------------------------
    trig = story_pull(b, rings, _TRIGGER, epoch("2024-12-06T10:20:00Z"), epoch("2024-12-09T14:02:00Z"), "trigger",
                      review="lgtm, ring 2 looks great", reviewed=epoch("2024-12-09T13:45:00Z"),
                      review_comments=(("kwabena", "ring 3 has the old H2s. preflight happy with the new key?",
                                        "rings/halo-fw.yaml", 23, epoch("2024-12-06T15:10:00Z")),),
                      comments=(("marisol", "preflight: 0 blocking findings for ring 3", epoch("2024-12-06T15:30:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="promoted halo-fw 5.2.0, signed with the new key, to ring 3 with its H2 thermostats: their ROM "
               "bootloader cannot verify it, so they fail, roll back into safe mode and retry every 45 minutes")
    ship_trigger(sc, svc, "rollout-rings", trig, _TRIGGER, shipped, "marisol")
    act = applied(trig, shipped)
    tr.add("slack", act, "trigger", must_see=False, group="cause", why="the rollout controller applying ring 3's new "
           "build", same_fact_as=("github", trig))
    pre = b.say(fe_ch, shipped + 95, "otabot", ":mag: preflight *halo-fw 5.2.0* ring-3: 0 blocking, 2 advisory "
                "(bootloader-compat: 83,120 devices on bootloader \"1.9\" do not trust fw-sign-2024b; bootloader-compat: "
                "9,402 devices on bootloader \"\" do not trust fw-sign-2024b)")
    tr.add("slack", pre, "contributor", must_see=False, group="cause",
           why="the advisory preflight finding for ring 3: the H2 bootloader does not trust the new key; the rollout "
               "goes ahead")

    # From 14:48: verification failures, a low-urgency alert, tags, reviews, an employee's thermostat ---------------
    first = b.say(fe_ch, epoch("2024-12-09T15:20:00Z"), "otabot", _sig_failures(1_842, 1_839, "30m"))
    tr.add("slack", first, "early_signal", must_see=True, group="detection",
           why="the OTA controller's first line of SIG_UNTRUSTED_KEY verification failures and rollbacks on H2, "
               "seventy minutes after the ring 3 change; nothing pages")
    for when, fails, rolls, window in (("2024-12-09T16:20:00Z", 9_417, 9_388, "1h"),
                                       ("2024-12-09T18:20:00Z", 31_206, 31_090, "1h"),
                                       ("2024-12-09T22:20:00Z", 44_871, 44_702, "1h"),
                                       ("2024-12-10T04:20:00Z", 52_330, 52_118, "1h"),
                                       ("2024-12-10T10:20:00Z", 58_904, 58_660, "1h")):
        m = b.say(fe_ch, epoch(when), "otabot", _sig_failures(fails, rolls, window))
        if fails == 9_417:
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the OTA controller: verification failures still climbing")
    low = b.incident(svc, INSTALL_TITLE, epoch("2024-12-09T15:41:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=fix_live + 1800 - epoch("2024-12-09T15:41:00Z"), alert_key=INSTALL_KEY,
                     severity="warning", alert_summary="ota_install_failures_total / ota_install_attempts_total = "
                     "21.6% over 1h (halo-fw 5.2.0+b4417 ring-3, reason SIG_UNTRUSTED_KEY) (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the install-failure alert opened a low-urgency incident within the hour; it paged no one and stayed "
               "open until after the fix")
    tags = b.say(so_ch, epoch("2024-12-09T19:05:00Z"), "helpdesk", ":chart_with_upwards_trend: *Tag spike* "
                 "`device-offline` 5.8x usual in the last 4h (612 tickets), `schedule-not-running` 7.2x (288)")
    tr.add("slack", tags, "early_signal", must_see=False, group="reports",
           why="the support tool: offline-device and schedule tickets several times usual")
    b.say(so_ch, epoch("2024-12-09T19:30:00Z"), "dorian", "cold snap in the midwest this week, every winter the same",
          parent=tags)
    c1 = b.say(se_ch, epoch("2024-12-09T16:35:00Z"), "wanjiru",
               "customer in Des Moines: Halo keeps restarting with 'Update failed, restoring' and shows offline in the "
               "app. walked them through a wifi reset")
    tr.add("slack", c1, "customer_report", must_see=False, group="reports",
           why="the first customer contact, taken for a wifi problem")
    b.say(se_ch, epoch("2024-12-09T20:10:00Z"), "dorian", "a dozen like that this afternoon: thermostat reboots every "
          "half hour or so, app says offline, schedule not running. all older units as far as I can tell")
    b.say(se_ch, epoch("2024-12-10T03:30:00Z"), "wanjiru", "night shift: customers waking up to 13-15°C houses, the Halo "
          "is in 'safe mode - heating held'. one elderly customer in Minneapolis, escalated to a callback")
    for when, stars, text in (("2024-12-09T21:40:00Z", 1, "Thermostat rebooted itself all evening, schedule gone, "
                               "house freezing"),
                              ("2024-12-10T02:15:00Z", 1, "'Update failed, restoring' over and over. heat off. "
                               "unacceptable in December"),
                              ("2024-12-10T08:50:00Z", 2, "Old Halo stuck in safe mode since yesterday, support says "
                               "reset wifi, didn't help")):
        m = b.say(rv_ch, epoch(when), "reviewbot", f":star: {stars}/5 · App Store · \"{text}\"")
        if stars == 1 and "rebooted" in text:
            tr.add("slack", m, "customer_report", must_see=False, group="reports",
                   why="an app review: the thermostat reboots all evening and the house is cold")
    remark = b.say(sc.common["eng-help"], epoch("2024-12-09T23:10:00Z"), "agnieszka",
                   "not sure who to ask: my Halo at home (the old one with the silver ring) has rebooted itself all "
                   "evening, the screen says 'Update failed, restoring 5.1.4' and then it starts again. house was 15°C "
                   "when I got in and the app says the schedule can't run, device offline. do I need to do something?")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="an employee from finance reports her own first-generation thermostat looping on a failed update; it "
               "is put down to the app release and wifi")
    b.say(sc.common["eng-help"], epoch("2024-12-09T23:24:00Z"), mobile.members[0], "app 8.3 went out today with the new "
          "schedule sync, maybe that? try deleting and re-adding the schedule in the app", parent=remark)
    b.say(sc.common["eng-help"], epoch("2024-12-09T23:31:00Z"), "colm", "or wifi, the old ones are picky about 2.4GHz",
          parent=remark)
    b.say(sc.common["eng-help"], epoch("2024-12-09T23:40:00Z"), "agnieszka", "ok, will try tomorrow", parent=remark)
    b.say(sc.common["eng-help"], epoch("2024-12-10T08:05:00Z"), "agnieszka", "still doing it this morning, re-adding "
          "the schedule didn't help", parent=remark)
    b.incident(platform.service, "[k8s-cluster] ingress 502s", epoch("2024-12-10T09:40:00Z"),
               responders=platform.members[:2], ack_after=160, resolve_after=35 * 60,
               alert_key="k8s-cluster/ingress 502s",
               notes=[(platform.members[0], "one ingress node out of memory, cordoned and replaced", 1400.0)])

    # The escalation and the page ----------------------------------------------------------------------------------
    e_at = epoch("2024-12-10T12:18:00Z")
    report = b.say(se_ch, e_at, "bettina",
                   "escalating: 1,900+ tickets since yesterday ~15:00 UTC. Halo thermostats reboot every 30-60 minutes "
                   "with 'Update failed, restoring', show offline in the app, schedules don't run and homes got cold "
                   "overnight (callbacks for elderly customers, one burst-pipe claim). almost all first-gen Halos, "
                   "serials HL2. who owns firmware updates?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="customer support escalates the tickets about rebooting thermostats, stopped schedules and cold homes")
    b.say(se_ch, e_at + 300, "dorian", "newer Halos look fine, it's the HL2 serials", parent=report)
    b.say(se_ch, e_at + 2520, "bettina", "nobody answered in #firmware, paging ota-service from PagerDuty",
          parent=report)
    page_by_hand(b, tr, svc, "First-gen Halo thermostats rebooting in a loop, schedules not running (1,900+ tickets)", T,
                 responders=ONCALL, ack_after=130, resolve_after=2.2 * HOUR, manual_by="bettina",
                 description="Customer support: since yesterday afternoon first-generation Halo thermostats "
                             "(serials HL2) reboot every 30-60 minutes with 'Update failed, restoring', go "
                             "offline, and schedules stop running; homes cold overnight.",
                 notes=[("kwabena", "H2 devices in ring 3 failing verification of halo-fw 5.2.0 "
                                    "(SIG_UNTRUSTED_KEY) since the rollout-rings change yesterday 14:09, rolling "
                                    "back to 5.1.4 into safe mode, retried every 45m", 1100.0),
                        ("ingrid", "H2 pinned to 5.1.4 and retries off; schedule resync pushed to 83k devices, "
                                   "check-ins at 99.6% of baseline", 4200.0)],
                 relay=oa_ch, why="customer support pages Firmware by hand, twenty-two hours after the impact started")

    inc_ch = b.channel("inc-2024-12-10-halo-reboots", "Incident: first-gen Halo thermostats rebooting in a loop",
                       "Incident response", T + 60, "kwabena")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "kwabena", "incident {{incurl:page}}: first-gen Halos reboot every 30-60 min with 'Update failed, "
                       "restoring', offline in the app, schedules not running. 1,900+ tickets since yesterday 15:00"),
        (70, "bettina", "several customers with houses at 12-14°C this morning. one burst pipe claim in Minnesota"),
        (140, "lucian", "Northway Broadband again? their outage in November looked like this on the map"),
        (210, "gerrit", "Northway status is green and the offline devices are on every ISP and in every region. "
                        "it's a hardware revision, not a network"),
        (290, mobile.members[1], "app 8.3 went out yesterday 13:00 with the schedules v3 sync. related?"),
        (360, "thandiwe", "the app says offline because the thermostats are offline: they reboot. 8.2 users see the "
                          "same and the app can't restart a thermostat"),
        (430, "yusuf", "hub-fw 3.4.2 went to ring 3 yesterday morning ({{pr:distractor_hub}})"),
        (500, "ingrid", "customers without a hub are affected too, and the hub never reboots a thermostat. not hub-fw"),
        (580, "marisol", "mine: {{url:trigger}} took halo-fw 5.2.0 to ring 3 yesterday 14:09. 5.2.0 is the first build "
                         "signed with fw-sign-2024b, and the H2 ROM bootloader (1.9) only trusts fw-root-2019. they "
                         "download it, fail verification, roll back to 5.1.4 into safe mode and the controller offers "
                         "5.2.0 again after 45 minutes"),
        (650, "kwabena", "#fleet-events has had SIG_UNTRUSTED_KEY lines since 15:20 yesterday, 58k failures in the "
                         "last hour. 83k H2 devices in ring 3"),
        (720, "rafferty", "preflight saw it: bootloader-compat reported 83,120 devices on \"1.9\" that don't trust the "
                          "key, but it has been advisory since {{pr:contributor}} (the registry backfill). mine"),
        (800, "ingrid", "pinning H2 to 5.1.4 and turning retries off: {{url:fix}}. then a schedule resync to get them "
                        "out of safe mode"),
        (880, "bettina", "why did nothing page before support did?"),
        (960, "nadia", "fleet-health PR {{num:weakening}}: since the DST pages the check-in alert needs 6h below 90% of "
                       "the 7-day baseline. we sat at 95-97% in waves, every loop recovers. and the install-failure "
                       "alert is low urgency, open since 15:41 yesterday"),
        (2100, "ingrid", "fix merged, controller applied it, no new 5.2.0 offers to H2"),
        (2500, "thandiwe", "otactl resync-schedules --hw-rev H2 --ring 3 running, 83k devices, 20k per 5 minutes"),
        (3600, "kwabena", "check-ins back to 99.6% of baseline, safe-mode count falling fast"),
        (4000, "bettina", "macro updated: thermostats recover on their own, schedules come back within the hour"),
        (4800, "marisol", "follow-ups: a dual-signed 5.2.1 for H2 (FW-841), bootloader-compat blocking again, "
                          "check-ins paging per hardware revision, verification failures paging at high urgency"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the reboot loop to the ring 3 promotion of the newly signed build, after "
                     "Northway, the app release and hub-fw were ruled out",
             weakening="a responder explains why the check-in alert stayed quiet",
             contributor="a responder: the preflight saw the untrusted key but was advisory")

    # The fix, its deploy; the follow-ups --------------------------------------------------------------------------
    fix = story_pull(b, rings, _FIX, T + 0.22 * HOUR, T + 0.45 * HOUR, "fix", review="yes, ship",
                     reviewed=T + 0.43 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="keeps the H2 thermostats on 5.1.4 and stops retrying failed installs: the reboot loop ends")
    fsha = fix["merge_commit_sha"][:7]
    fdep = b.change_event(svc, f"Deploy rollout-rings@{fsha} to production", fix_live - 120, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "ingrid", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], fix_live - 118, "deploybot",
          f":rocket: rollout-rings `{fsha}` deployed to production by <@{b.people['ingrid'].slack_id}>")
    applied(fix, fix_live - 120)
    resync = b.say(fe_ch, T + 0.76 * HOUR, "otabot", ":arrows_counterclockwise: resync-schedules hw_rev=H2 ring-3: "
                   "83,120 devices queued (requested by <@" + str(b.people["thandiwe"].slack_id) + ">)")
    tr.add("slack", resync, "fix", must_see=False, group="cause", why="the schedule resync that takes the thermostats "
           "out of safe mode")
    follow = story_pull(b, health, _FOLLOW_CHECKS, T + 18 * HOUR, T + 26 * HOUR, "follow", review="thanks")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="check-ins page per hardware revision within 30 minutes, verification failures page at high urgency")
    synced(follow)
    pre_fix = story_pull(b, ota_repo, _FOLLOW_PREFLIGHT, T + 22 * HOUR, T + 30 * HOUR, "follow_preflight",
                         review="good")
    tr.add("github", pre_fix, "fix", must_see=False, group="cause",
           why="makes the bootloader-compat preflight block again for a known bootloader that cannot verify the build")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [fw_ch, se_ch, sc.common["deploys"]], svc, FIRMWARE_PEOPLE[:3], ota_repo,
        titles=("Runbook: thermostats looping on a failed update",
                "Signing: refuse to promote a build to a ring with a hardware revision that cannot verify it"),
        doc=("Signing keys and bootloaders", "H2 runs ROM bootloader 1.9 and trusts fw-root-2019 only."),
        doc_path="docs/runbooks/ota-verification-{n}.md",
        test_fire="[ota-service] OTA verification failures above 1% (test fire)")
    return world, tr.to_dict()
