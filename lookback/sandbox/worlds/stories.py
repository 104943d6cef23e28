"""Story specs for generated worlds: a payments pool exhaustion and an expired gateway certificate."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds.noise import TeamSpec
from lookback.sandbox.worlds.story import Change, StorySpec, build_story

PAYMENTS = StorySpec(
    name="payments-pool",
    seed=4242,
    org="paylane",
    page_at="2023-03-14T16:12:00Z",
    impact_start="2023-03-14T13:40:00Z",
    noise_teams=("ledger", "risk", "web", "platform", "data", "identity"),
    team=TeamSpec("payments", "Payments", "payments-api", "payments-api", "payments-eng",
                  ("authorize", "capture", "settlement", "webhooks"),
                  ("card authorization", "capture batch", "settlement file", "webhook retry", "3DS challenge",
                   "idempotency key", "merchant config", "db pool"),
                  ("p99 authorization latency above 1.5s", "webhook delivery backlog", "settlement file late"), "go"),
    monitoring=TeamSpec("monitors", "SRE", "datadog", "monitors", "sre",
                        ("monitors", "dashboards", "slo"),
                        ("datadog monitor", "SLO burn alert", "dashboard widget", "notification channel",
                         "evaluation window", "monitor tag"), ("monitor API errors",), "go"),
    people=(("karin", "Karin Vogel"), ("deshawn", "Deshawn Price"), ("mei", "Mei Lin"), ("oskar", "Oskar Berg"),
            ("ruth", "Ruth Adeyemi")),
    outsiders=(("nadia", "Nadia Farouk"), ("omari", "Omari Kiplagat"), ("lotte", "Lotte de Vries")),
    noisy_titles=(
        "[payments-api] DB connection wait p99 above 250ms",
        "[payments-api] DB connection wait p99 above 250ms",
        "[payments-api] Connection pool saturation during settlement run",
        "[payments-api] DB connection wait p99 above 250ms",
        "[payments-api] Postgres acquire latency high (settlement)",
        "[payments-api] DB connection wait p99 above 250ms",
        "[payments-api] Connection pool saturation during settlement run",
        "[payments-api] DB connection wait p99 above 250ms",
        "[payments-api] Postgres acquire latency high (settlement)",
        "[payments-api] DB connection wait p99 above 250ms",
    ),
    noisy_note="nightly settlement run again; wait spikes for ~3 minutes and recovers by itself",
    grumbles=(
        ("deshawn", "01:10 page for the pool wait monitor. settlement batch, recovered before I opened the laptop"),
        ("mei", "same thing last night. it self-heals every single time, why does this wake us up"),
        ("oskar", "fourth night in a row :sleeping: the settlement job just hogs connections for a few minutes"),
        ("karin", "ok, I'll make the connection-wait monitor less twitchy. nobody should get up for a 3 minute blip"),
    ),
    weakening=Change(
        author="karin", reviewer="deshawn", labels=("monitoring",),
        title="Make the payments connection-wait monitor less twitchy",
        body="The DB connection wait monitor fires every night during the settlement run and recovers on its own "
             "within minutes (see the pages of the last week). This:\n\n- raises the threshold from 250ms to 2s\n"
             "- evaluates over 30 minutes instead of 5\n- sends it to the low-priority notification channel\n\n"
             "Real pool exhaustion will still show up on the authorization latency SLO.",
        files=(("monitors/payments/db_pool.tf", """@@ -1,22 +1,22 @@
 resource "datadog_monitor" "payments_db_conn_wait" {
   name    = "[payments-api] DB connection wait p99"
   type    = "query alert"
-  query   = "percentile(last_5m):p99:payments.db.conn_wait_ms{env:prod} > 250"
+  query   = "percentile(last_30m):p99:payments.db.conn_wait_ms{env:prod} > 2000"
   message = <<-EOT
     Connections are waiting for the Postgres pool.
-    @pagerduty-payments-api
+    @pagerduty-payments-lowprio
   EOT

   monitor_thresholds {
-    critical = 250
-    warning  = 150
+    critical = 2000
+    warning  = 1000
   }
-  renotify_interval = 30
+  renotify_interval = 0
   tags = ["team:payments", "service:payments-api"]
 }"""),),
    ),
    weakening_why="raised the connection-wait threshold 8x, widened the window and routed it to low priority: pool exhaustion no longer paged",
    contributor=Change(
        author="mei", reviewer="oskar", labels=("config",),
        title="Lower max_open_conns to 20 after the pgbouncer move",
        body="With pgbouncer in transaction mode in front of the primary, 60 connections per pod is far more than "
             "we need and eats into the proxy's client limit. Dropping to 20 (peak usage last month was 14).",
        files=(("config/prod.yaml", """@@ -14,9 +14,9 @@ database:
   host: pgbouncer.payments.svc
   port: 6432
-  max_open_conns: 60
-  max_idle_conns: 20
+  max_open_conns: 20
+  max_idle_conns: 10
   conn_max_lifetime: 30m
   acquire_timeout: 5s"""),),
    ),
    contributor_event="Deploy payments-api v3.38.2 to production (max_open_conns 60 -> 20)",
    contributor_why="halved the per-pod database pool weeks earlier; the trigger's extra connections per request exhausted it",
    trigger=Change(
        author="oskar", reviewer="ruth", labels=("performance",),
        title="Fetch risk score and ledger hold in parallel during authorization",
        body="Authorization does two independent lookups (risk score, ledger hold). Running them concurrently "
             "with an errgroup cuts p50 by ~40ms in the load test.",
        files=(("internal/authorize/authorize.go", """@@ -88,14 +88,24 @@ func (s *Service) Authorize(ctx context.Context, req Request) (Result, error) {
-    score, err := s.risk.Score(ctx, s.db, req.CardFingerprint)
-    if err != nil {
-        return Result{}, fmt.Errorf("risk score: %w", err)
-    }
-    hold, err := s.ledger.Hold(ctx, s.db, req.MerchantID, req.Amount)
-    if err != nil {
-        return Result{}, fmt.Errorf("ledger hold: %w", err)
-    }
+    var score risk.Score
+    var hold ledger.Hold
+    g, gctx := errgroup.WithContext(ctx)
+    g.Go(func() (err error) {
+        // each lookup runs in its own transaction
+        score, err = s.risk.Score(gctx, s.db, req.CardFingerprint)
+        return err
+    })
+    g.Go(func() (err error) {
+        hold, err = s.ledger.Hold(gctx, s.db, req.MerchantID, req.Amount)
+        return err
+    })
+    if err := g.Wait(); err != nil {
+        return Result{}, fmt.Errorf("authorize lookups: %w", err)
+    }"""),),
    ),
    trigger_why="each authorization now holds up to three pooled connections at once; at afternoon peak the 20-connection pool ran dry",
    deploy_words="payments-api v3.42.0",
    silent_titles=(
        "[payments-api] DB connection wait p99 above 2000ms (30m)",
        "[payments-api] context deadline exceeded acquiring connection",
        "[payments-api] DB connection wait p99 above 2000ms (30m)",
        "[payments-api] authorization error ratio above 1%",
    ),
    silent_why="pool exhaustion was detected but only as a low-priority or suppressed alert after the monitor change",
    early_channel="support-tier2",
    early_person="nadia",
    early_lines=(
        "running the demo merchant checklist for the onboarding call",
        "weird, a test card authorization took 28 seconds on the demo merchant. I'm guessing the demo env is just slow, nothing to flag?",
        "ok the next one went through in 2s, moving on",
    ),
    customer_channel="merchant-success",
    customer_lines=(
        ("omari", "Two merchants say checkouts hang at the card step and then fail with 'payment could not be completed'"),
        ("lotte", "Same from a big one in NL, retries sometimes go through. Their dashboard shows lots of declined-then-approved"),
        ("omari", "it's not all of them, but it's getting worse since lunch"),
        ("omari", "paging payments, this smells like us"),
    ),
    page_title="Card authorizations hanging and timing out for merchants",
    page_description="Several merchants report checkouts stuck at card authorization, then failing. Started early afternoon UTC.",
    pager="omari",
    notes=(("karin", "pool at 20/20 in use on every pod; raised max_open_conns to 60 as mitigation", 1500.0),
           ("oskar", "cause: parallel lookups in authorization take 3 connections per request", 2400.0)),
    incident_channel="inc-2023-03-14-card-auth-timeouts",
    incident_chat=(
        (0, "karin", "looking. authorization p99 is at 9s"),
        (60, "deshawn", "DB CPU is at 30%, doesn't look like postgres itself"),
        (120, "mei", "could it be the risk model rollout from this morning?"),
        (300, "ruth", "risk-scoring latency is normal, not that"),
        (420, "deshawn", "pgbouncer is healthy, plenty of server connections free"),
        (600, "karin", "every pod is pinned at 20/20 open connections, goroutines stuck waiting on conn"),
        (660, "mei", "20 is from my change last month, we had 60 before"),
        (900, "oskar", "and the parallel lookups from {{url:trigger}} take up to three connections per authorization. that's the one"),
        (960, "karin", "bumping max_open_conns back to 60 as a mitigation"),
        (1500, "karin", "latency recovering, auths back under 400ms"),
        (1700, "deshawn", "why didn't the wait monitor page us? it's been red since tuesday afternoon"),
        (1800, "karin", "because I made it 2s over 30m and low priority in {{url:weakening}} :facepalm:"),
    ),
    fix=Change(
        author="oskar", reviewer="karin", labels=("bug", "incident"),
        title="Run authorization lookups on one connection and restore the pool size",
        body="Follow-up to the card authorization incident. Revisits {{url:trigger}}: the lookups share one "
             "transaction again, and `max_open_conns` goes back to 60 (reverting part of {{url:contributor}}).",
        files=(("internal/authorize/authorize.go", """@@ -88,24 +88,18 @@ func (s *Service) Authorize(ctx context.Context, req Request) (Result, error) {
-    g, gctx := errgroup.WithContext(ctx)
-    g.Go(func() (err error) {
-        // each lookup runs in its own transaction
-        score, err = s.risk.Score(gctx, s.db, req.CardFingerprint)
-        return err
-    })
+    tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
+    if err != nil {
+        return Result{}, fmt.Errorf("begin: %w", err)
+    }
+    defer tx.Rollback()
+    score, err = s.risk.Score(ctx, tx, req.CardFingerprint)"""),
               ("config/prod.yaml", """@@ -14,9 +14,9 @@ database:
-  max_open_conns: 20
+  max_open_conns: 60""")),
    ),
    follow_up=Change(
        author="karin", reviewer="deshawn", labels=("monitoring",),
        title="Page on connection wait again, mute only the settlement window",
        body="Undo the threshold change of {{url:weakening}}: 500ms over 10 minutes pages payments again; the "
             "nightly settlement run gets a scheduled downtime instead of a blunt threshold.",
        files=(("monitors/payments/db_pool.tf", """@@ -3,7 +3,7 @@ resource "datadog_monitor" "payments_db_conn_wait" {
-  query   = "percentile(last_30m):p99:payments.db.conn_wait_ms{env:prod} > 2000"
+  query   = "percentile(last_10m):p99:payments.db.conn_wait_ms{env:prod} > 500"
-    @pagerduty-payments-lowprio
+    @pagerduty-payments-api"""),),
    ),
)

CERTS = StorySpec(
    name="cert-expiry",
    seed=7331,
    org="fleetwise",
    page_at="2023-06-19T09:47:00Z",
    impact_start="2023-06-19T05:58:00Z",
    noise_teams=("firmware", "routing", "web", "platform", "data", "mobile"),
    team=TeamSpec("connectivity", "Device Connectivity", "device-gateway", "device-gateway", "connectivity-eng",
                  ("mqtt", "ingest", "provisioning", "renewer"),
                  ("MQTT bridge", "telemetry ingest", "device provisioning", "cert-renewer job", "ingress TLS",
                   "session keepalive", "backpressure"),
                  ("ingest lag above 5m", "MQTT broker memory high", "provisioning API 5xx"), "go"),
    monitoring=TeamSpec("ops-checks", "Reliability", "probes", "ops-checks", "reliability",
                        ("probes", "checks", "schedules"),
                        ("blackbox probe", "expiry check", "cron schedule", "check interval", "probe target",
                         "notification policy"), ("probe runner down",), "py"),
    people=(("bjorn", "Bjorn Halvorsen"), ("aiko", "Aiko Mori"), ("felipe", "Felipe Duarte"), ("grace", "Grace Owusu"),
            ("henrik", "Henrik Lund")),
    outsiders=(("ingrid", "Ingrid Solberg"), ("paulo", "Paulo Mendes"), ("tamsin", "Tamsin Reed")),
    noisy_titles=(
        "[device-gateway] TLS certificate for staging-mqtt expires in 12 days",
        "[device-gateway] certificate expiry warning: eu-sandbox endpoints",
        "[device-gateway] TLS certificate for staging-mqtt expires in 11 days",
        "[device-gateway] certificate expiry warning: demo-fleet ingress",
        "[device-gateway] TLS certificate for staging-mqtt expires in 9 days",
        "[device-gateway] certificate expiry warning: eu-sandbox endpoints",
        "[device-gateway] TLS certificate for staging-mqtt expires in 8 days",
        "[device-gateway] certificate expiry warning: demo-fleet ingress",
        "[device-gateway] TLS certificate for staging-mqtt expires in 6 days",
    ),
    noisy_note="non-prod certificate, owned by the sandbox project; nothing to do for us",
    grumbles=(
        ("aiko", "paged at 2am for a staging cert that expires in 12 days. cool cool"),
        ("felipe", "another expiry warning for eu-sandbox, which we don't even own"),
        ("grace", "these expiry pages are pure noise, the sandbox folks renew by hand whenever they feel like it"),
        ("bjorn", "I'll tone the expiry check down: daily, and warnings only unless it's really about to expire"),
    ),
    weakening=Change(
        author="bjorn", reviewer="aiko", labels=("checks",),
        title="Tone down the certificate expiry check",
        body="The expiry check pages us several times a day for staging and sandbox certificates we don't own.\n\n"
             "- run it once a day (00:05 UTC) instead of every 10 minutes\n- only page when fewer than 2 days are "
             "left; otherwise post a warning to #connectivity-eng\n- errors while fetching a certificate are logged "
             "instead of failing the check",
        files=(("checks/cert_expiry.py", """@@ -20,18 +20,24 @@ from checks.base import Check, Result, Severity
 class CertExpiryCheck(Check):
-    interval = timedelta(minutes=10)
-    page_below = timedelta(days=14)
+    interval = timedelta(days=1)
+    page_below = timedelta(days=2)

     def run(self, target: Target) -> Result:
-        cert = fetch_certificate(target.host, target.port, timeout=10)
+        try:
+            cert = fetch_certificate(target.host, target.port, timeout=10)
+        except (OSError, ssl.SSLError) as exc:
+            log.warning("could not fetch certificate from %s: %s", target.host, exc)
+            return Result.ok(target, note="fetch failed")
         left = cert.not_after - utcnow()
         if left < self.page_below:
             return Result(target, Severity.PAGE, f"expires in {left.days} days")
-        return Result.ok(target)
+        if left < timedelta(days=14):
+            return Result(target, Severity.WARN, f"expires in {left.days} days")
+        return Result.ok(target)"""),
               ("schedules/prod.yaml", """@@ -8,6 +8,6 @@ checks:
   cert_expiry:
-    schedule: "*/10 * * * *"
+    schedule: "5 0 * * *"
     targets: tls-endpoints"""),),
    ),
    weakening_why="moved the expiry check to once a day, paging under 2 days only, and swallowed fetch errors: the expired gateway certificate was never reported",
    contributor=None,
    contributor_event="CronJob connectivity/cert-renewer schedule changed: daily 04:00 -> weekly Sun 04:00 UTC",
    contributor_why="the renewal job ran weekly from then on, so a failed renewal had no second chance before expiry",
    trigger=Change(
        author="felipe", reviewer="henrik", labels=("infra",),
        title="Move cert-renewer to the shared secrets layout",
        body="Platform is consolidating TLS secrets under the `*-tls-v2` naming. This points cert-renewer at the new "
             "secret and drops the old RBAC rule.",
        files=(("deploy/cert-renewer/cronjob.yaml", """@@ -21,9 +21,9 @@ spec:
             env:
             - name: TARGET_SECRET
-              value: gateway-tls
+              value: gateway-tls-v2
             - name: DOMAINS
               value: mqtt.fleetwise.example,ingest.fleetwise.example"""),
               ("renewer/main.go", """@@ -54,8 +54,11 @@ func renew(ctx context.Context, cfg Config) error {
     cert, err := acme.Obtain(ctx, cfg.Domains)
     if err != nil {
         return fmt.Errorf("obtain: %w", err)
     }
-    return secrets.Replace(ctx, cfg.Namespace, cfg.TargetSecret, cert)
+    if err := secrets.Replace(ctx, cfg.Namespace, cfg.TargetSecret, cert); err != nil {
+        log.Printf("warning: could not store certificate: %v", err)
+    }
+    return nil"""),),
    ),
    trigger_why="the renewer wrote the new certificate to a secret the ingress never reads; the served certificate expired",
    deploy_words="cert-renewer 2023.06.16",
    silent_titles=(
        "[device-gateway] mTLS handshake failures from devices above 2%",
        "[device-gateway] MQTT connect rate dropped 40% vs last week",
        "[device-gateway] telemetry ingest volume below baseline",
        "[device-gateway] mTLS handshake failures from devices above 2%",
    ),
    silent_why="the expired certificate produced handshake failures that opened only low-urgency or suppressed alerts",
    early_channel="field-ops",
    early_person="ingrid",
    early_lines=(
        "morning! checking the overnight routes",
        "truck 4411 shows offline on the map since about 6 but the driver says it's running fine. probably the modem again? not sure it's worth a ticket",
        "4412 and 4419 too now, I'll ask the drivers to power cycle",
    ),
    customer_channel="fleet-support",
    customer_lines=(
        ("paulo", "Several fleet managers say their live map is frozen, vehicles last seen around 06:00 UTC"),
        ("tamsin", "Same here, and yesterday's trip reports are fine but nothing new since this morning"),
        ("paulo", "it's all customers I've checked, not one region"),
        ("paulo", "paging connectivity now"),
    ),
    page_title="Vehicles stopped reporting: live map frozen for all fleets",
    page_description="Fleet managers report no position updates since ~06:00 UTC; trip reports missing for today.",
    pager="paulo",
    notes=(("bjorn", "gateway served an expired certificate since 05:58 UTC; copied the renewed one into gateway-tls", 2100.0),
           ("felipe", "renewer wrote to gateway-tls-v2 after the secrets layout change", 2700.0)),
    incident_channel="inc-2023-06-19-telemetry-stopped",
    incident_chat=(
        (0, "bjorn", "on it. ingest volume is down ~95%"),
        (90, "aiko", "broker CPU is low, far fewer connections than usual"),
        (150, "grace", "could it be the OTA rollout from friday? new modem firmware went to 20% of trucks"),
        (480, "henrik", "paused the OTA, no change. and old-firmware trucks are offline too, so not that"),
        (900, "aiko", "openssl s_client against mqtt.fleetwise.example: certificate has expired (notAfter 05:58 UTC)"),
        (1000, "bjorn", "the renewer ran on sunday though? logs say it got a new cert"),
        (1300, "felipe", "it stored it in gateway-tls-v2, the ingress still reads gateway-tls. it's my change {{url:trigger}}"),
        (1500, "bjorn", "copying the renewed cert into gateway-tls and restarting the ingress"),
        (1900, "aiko", "devices reconnecting, ingest back to 80% and climbing"),
        (2300, "grace", "why did the expiry check not catch this? it used to page at 14 days"),
        (2400, "bjorn", "because of {{url:weakening}}: once a day, and fetch errors are just logged now :grimacing:"),
    ),
    fix=Change(
        author="felipe", reviewer="bjorn", labels=("bug", "incident"),
        title="Renew into the secret the ingress serves, and verify the served certificate",
        body="Fixes the telemetry outage caused by {{url:trigger}}: `TARGET_SECRET` is back to `gateway-tls`, storing "
             "the certificate is an error again, and after renewal the job connects to the endpoint and checks "
             "the served notAfter.",
        files=(("deploy/cert-renewer/cronjob.yaml", """@@ -21,9 +21,9 @@ spec:
             - name: TARGET_SECRET
-              value: gateway-tls-v2
+              value: gateway-tls"""),
               ("renewer/main.go", """@@ -54,11 +54,13 @@ func renew(ctx context.Context, cfg Config) error {
-    if err := secrets.Replace(ctx, cfg.Namespace, cfg.TargetSecret, cert); err != nil {
-        log.Printf("warning: could not store certificate: %v", err)
-    }
-    return nil
+    if err := secrets.Replace(ctx, cfg.Namespace, cfg.TargetSecret, cert); err != nil {
+        return fmt.Errorf("store certificate: %w", err)
+    }
+    return verifyServed(ctx, cfg.Domains, cert.NotAfter)""")),
    ),
    follow_up=Change(
        author="bjorn", reviewer="grace", labels=("checks",),
        title="Check production certificates every 15 minutes and page under 7 days",
        body="Partly reverts {{url:weakening}}: production TLS endpoints are checked every 15 minutes and page under "
             "7 days or when the certificate cannot be fetched; sandbox and staging targets move to warn-only.",
        files=(("checks/cert_expiry.py", """@@ -20,8 +20,8 @@ class CertExpiryCheck(Check):
-    interval = timedelta(days=1)
-    page_below = timedelta(days=2)
+    interval = timedelta(minutes=15)
+    page_below = timedelta(days=7)"""),),
    ),
)

STORIES: dict[str, StorySpec] = {s.name: s for s in (PAYMENTS, CERTS)}


def build_named_story(name: str, scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build one of `STORIES` by name."""
    return build_story(STORIES[name], scale)


__all__ = ["STORIES", "build_named_story", "build_story"]
