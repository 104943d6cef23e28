"""World "push-overnight": Forkful, a UK food-delivery app, moves its notification gateway's APNs client from the
yearly push certificate to token-based auth; the .p8 key and team id come from the In-House (Enterprise) developer
account that signs the staff dogfood app, not from the App Store team that owns com.forkful.app. The staff-cohort
canary stays green for two hours (staff phones run the dogfood build), the rollout reaches 100% at 21:13 and APNs
answers 403 InvalidProviderToken for every push to the App Store app: iPhone customers stop getting rider-assigned,
rider-arriving and delivered notifications, Android is fine. Three weeks earlier, after a week of 02:00 pages for the
flaky reorder-nudges batch job, notify-gateway's PagerDuty service had been given support hours (high urgency only
08:00-21:00 London), and in January the SMS fallback for rejected order pushes had been removed to cut SMS spend; so
the APNs rejection alert opens at low urgency at 21:26 and only Push Pulse, an employee in #random and the CX night
shift notice, until customer experience pages notify-gateway by hand the next morning, eleven and a half hours in."""

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

COMMS = TeamSpec("comms", "Customer Comms", "notify-gateway", "notify-gateway", "comms-eng",
                 ("apns", "fcm", "templates", "dispatch", "batch"),
                 ("APNs client", "FCM sender", "push template", "device token store", "quiet hours",
                  "receipt webhook", "nudge batch", "locale fallback", "send rate limiter", "order update copy"),
                 ("send queue lag above 2m", "notify-gateway 5xx above 1%", "template render errors",
                  "device token store p99 above 300ms"), "go")
IOS = TeamSpec("ios", "iOS", "consumer-ios", "ios-consumer", "ios-app",
               ("tracking", "basket", "menus", "notifications"),
               ("order tracker", "basket sheet", "menu grid", "rider map", "Apple Pay sheet", "push permission prompt",
                "promo carousel", "address picker", "home screen widget"),
               ("crash-free sessions below 99.5%", "app start p90 above 2.5s"), "swift")
_SRE_NOUNS = ("pagerduty-terraform", "escalation policy", "rotation handoff", "cert-manager", "status page",
              "incident template", "on-call handbook", "postmortem doc", "alert routing")

STAFF = (("ottilie", "Ottilie Brannigan"), ("kemal", "Kemal Yilmazer"), ("sunniva", "Sunniva Aalto"),
         ("ruairi", "Ruairi Fennelly"), ("perpetua", "Perpetua Asamoah"), ("anselm", "Anselm Dragomir"),
         ("imogen", "Imogen Strachan"), ("teodor", "Teodor Vlasak"), ("lowri", "Lowri Pritchard"),
         ("mikkel", "Mikkel Thorsager"))
OUTSIDERS = (("philippa", "Philippa Dunmore"), ("jovana", "Jovana Petric"), ("tendai", "Tendai Mushonga"),
             ("callum", "Callum Ferrier"), ("wilhelmina", "Wilhelmina Ashby"))
COMMS_PEOPLE = ["ottilie", "kemal", "sunniva", "ruairi", "perpetua", "anselm"]
ONCALL = ["anselm", "sunniva", "kemal", "ruairi", "perpetua"]
SRE = ["imogen", "teodor"]
IOS_PEOPLE = ["lowri", "mikkel"]
CX = ["philippa", "jovana", "tendai"]

NUDGE_TITLE = "[notify-gateway] CronJob failed: reorder-nudges (02:00 run)"
NUDGE_KEY = "k8s/cronjob/notify/reorder-nudges"
REJECT_TITLE = "[notify-gateway] APNs rejections above 5% of iOS sends (10m)"
REJECT_KEY = "grafana/notify-apns-rejection-ratio"
RECEIPT_TITLE = "[notify-gateway] iOS push receipts below 80% of sends (30m)"
RECEIPT_KEY = "grafana/notify-ios-receipt-ratio"

_CX_NOUNS = ("refund", "missing item", "late order", "promo code", "Forkful Plus renewal", "allergy note",
             "wrong address", "rider rating", "card declined", "group order")
_CX_LINES = (
    "customer asks about a {noun}, the macro still mentions the old app screens",
    "2 chats about {noun} this morning, known issue or user error?",
    "{noun}: customer posted on twitter, can someone from product look?",
    "how long do {noun} credits take to show up these days?",
    "restaurant says the {noun} is wrong on their tablet, screenshot in the ticket",
    "who signs off {noun} goodwill above £20 now?",
)
_RIDER_NOUNS = ("zone boost", "rider app login", "batched orders", "restaurant wait", "cash-out", "e-bike battery",
                "doorstep photo", "kit order", "zone map")
_RIDER_LINES = (
    "{noun}: a few riders in Leeds asking, FAQ updated",
    "Manchester riders say {noun} is slow again tonight",
    "reminder: {noun} changes go live monday, comms went out",
    "anyone know who owns {noun} in the rider app now?",
    "{noun} complaints down this week :tada:",
    "rain tonight, expect {noun} to be noisy",
)
_CONSONANTS = "bcdfghjkmnpqrstvwxz23456789"


_TF_SERVICES = ("checkout_api", "auth_service", "etl_scheduler", "email_service", "k8s_cluster", "notify_gateway",
                "consumer_ios")
_TF_TEAMS = ("checkout", "identity", "data", "platform", "growth", "comms", "ios")
_TF_USERS = ("aoife", "bilal", "carys", "dmitri", "efua", "florin", "gwen", "hiroshi", "isla", "jaroslav")


def _tf_change(rng: random.Random) -> ConfigChange:
    """One generated PR of pagerduty-terraform: rotations, escalation delays, timeouts, integrations, teams."""
    ticket = f"SRE-{rng.randrange(400, 520)}"
    k = rng.random()
    team = rng.choice(_TF_TEAMS)
    svc = rng.choice(_TF_SERVICES)
    who = rng.choice(_TF_USERS)
    if k < 0.22:
        add = rng.random() < 0.6
        verb = "add" if add else "remove"
        line = f"{'+' if add else '-'}      pagerduty_user.{who}.id,"
        return (f"{team} rotation: {verb} {who}", rng.choice(("New joiner finished shadowing.", "Moving teams.",
                                                                f"Per the rota review ({ticket}).")),
                [yaml_file(f"schedules/{team}.tf", yaml_patch(rng.randrange(8, 30), "layer {", [
                    "     users = [", f"       pagerduty_user.{rng.choice(_TF_USERS)}.id,", line, "     ]"]))])
    if k < 0.36:
        a, c = rng.choice(((10, 15), (15, 10), (5, 10), (30, 20)))
        return (f"{team}: escalate to level 2 after {c} minutes (was {a})", f"On-call review ({ticket}).",
                [yaml_file(f"escalation_policies/{team}.tf", yaml_patch(rng.randrange(6, 20), "rule {", [
                    "   rule {", f"-    escalation_delay_in_minutes = {a}", f"+    escalation_delay_in_minutes = {c}"]))])
    if k < 0.50:
        field, a, c = rng.choice((("acknowledgement_timeout", 1800, 3600), ("acknowledgement_timeout", 3600, 1800),
                                  ("auto_resolve_timeout", 14400, 28800), ("auto_resolve_timeout", 86400, 14400)))
        return (f"{svc}: {field} {a} -> {c}", rng.choice(("Re-triggers were noisy.", f"Asked by the owners ({ticket}).")),
                [yaml_file(f"services/{svc}.tf", yaml_patch(rng.randrange(3, 9), f'resource "pagerduty_service" "{svc}" {{', [
                    f"-  {field} = {a}", f"+  {field} = {c}"]))])
    if k < 0.62:
        src = rng.choice(("grafana", "sentry", "checkly", "cloudwatch"))
        return (f"{svc}: Events API v2 integration for {src}", f"So {src} alerts open incidents ({ticket}).",
                [yaml_file(f"services/{svc}.tf", f"@@ -30,0 +31,6 @@\n+\n+resource \"pagerduty_service_integration\" "
                           f"\"{svc}_{src}\" {{\n+  name    = \"{src}\"\n+  service = pagerduty_service.{svc}.id\n"
                           f"+  vendor  = data.pagerduty_vendor.{src}.id\n+}}")])
    if k < 0.72:
        was, now = rng.choice((("09:00:00", "10:00:00"), ("10:00:00", "09:00:00"), ("08:00:00", "09:30:00")))
        return (f"{team} rotation: hand off at {now[:5]} on mondays", "After-standup handoffs.",
                [yaml_file(f"schedules/{team}.tf", yaml_patch(rng.randrange(4, 12), "layer {", [
                    f'-    start                        = "2024-09-02T{was}Z"',
                    f'+    start                        = "2024-09-02T{now}Z"',
                    "     rotation_turn_length_seconds = 604800"]))])
    if k < 0.82:
        role_a, role_c = rng.choice((("responder", "manager"), ("observer", "responder"), ("manager", "responder")))
        return (f"{team} team: {who} {role_a} -> {role_c}", f"Access review ({ticket}).",
                [yaml_file(f"teams/{team}.tf", yaml_patch(rng.randrange(10, 40), "pagerduty_team_membership", [
                    f"   user_id = pagerduty_user.{who}.id", f'-  role    = "{role_a}"', f'+  role    = "{role_c}"']))])
    if k < 0.92:
        return (f"{svc}: runbook link in the description", "Every service should link its runbook.",
                [yaml_file(f"services/{svc}.tf", yaml_patch(3, f'resource "pagerduty_service" "{svc}" {{', [
                    f'-  description = "{svc.replace("_", "-")} production"',
                    f'+  description = "{svc.replace("_", "-")} production. Runbook: '
                    f'https://wiki.forkful.example/runbooks/{svc}"']))])
    minor = rng.randrange(14, 19)
    return (f"Bump PagerDuty provider to ~> 3.{minor + 1}", "Routine provider bump.",
            [yaml_file("versions.tf", yaml_patch(5, "required_providers {", [
                "     pagerduty = {", '       source  = "PagerDuty/pagerduty"', f'-      version = "~> 3.{minor}"',
                f'+      version = "~> 3.{minor + 1}"']))])


def _status_line(rng: random.Random, t: float) -> str:
    """A routine line of Apple's developer system status feed in #push-stats."""
    svc, issue = rng.choice((
        ("App Store Connect", "Users may be unable to upload builds"),
        ("TestFlight", "Builds may take longer than usual to process"),
        ("Apple Push Notification service", "Some notifications to devices in Brazil may be delayed"),
        ("Sign in with Apple", "Some users may be unable to sign in"),
        ("Certificates, Identifiers & Profiles", "Users may be unable to create provisioning profiles"),
        ("App Store Connect", "Scheduled maintenance: sales and trends reports may be unavailable"),
    ))
    return f":apple: *Apple Developer System Status* · {svc}: {issue} ({rng.choice(('ongoing', 'resolved'))})"


_DOMAINS = ("api.forkful.com", "partners.forkful.com", "menus.forkful-cdn.com", "status.forkful.com",
            "restaurants.forkful.com", "*.track.forkful.com", "careers.forkful.com")


def _cert_line(rng: random.Random, t: float) -> str:
    """cert-manager's routine renewals in #sre."""
    return (f":lock: cert-manager renewed `{rng.choice(_DOMAINS)}` (Let's Encrypt R11), valid until "
            f"{iso(t + 90 * DAY)[:10]}")


def _review_line(rng: random.Random, t: float) -> str:
    stars, store, text = rng.choice((
        (5, "App Store", "Quick delivery and the rider map is spot on"),
        (4, "Google Play", "Good app, wish the promo codes stacked"),
        (2, "App Store", "Restaurant cancelled twice, refund took ages"),
        (5, "Google Play", "Forkful Plus pays for itself"),
        (3, "App Store", "New menu layout is harder to scroll"),
        (1, "Google Play", "Card declined three times then charged twice"),
        (4, "App Store", "Love the home screen widget"),
        (2, "App Store", "Rider couldn't find my building, no way to add a note after ordering"),
    ))
    return f":star: {stars}/5 · {store} · \"{text}\""


def _pulse_line(t: float, ios: tuple[int, float, float, str], android: tuple[int, float, float, str]) -> str:
    i_sent, i_del, i_rej, i_why = ios
    a_sent, a_del, a_rej, a_why = android
    return (f":bar_chart: *Push Pulse* {iso(t - 2 * HOUR)[11:16]}-{iso(t)[11:16]} UTC · iOS {i_sent:,} sent, "
            f"{i_del:.1f}% delivered, {i_rej:.1f}% rejected (top: {i_why}) · Android {a_sent:,} sent, {a_del:.1f}% "
            f"delivered, {a_rej:.1f}% rejected (top: {a_why})")


_WEAKENING = Change(
    author="ruairi", reviewer="imogen", labels=("pagerduty", "on-call"),
    title="notify-gateway: high urgency only in support hours (08:00-21:00 London), low outside (COMMS-547)",
    body="Seven pages in eight nights for notify-gateway, all between 02:10 and 02:25, all the reorder-nudges "
         "CronJob: the warehouse snapshot holds the lock on `orders_archive` past 02:00, the job fails, the 06:00 "
         "retry works and the nudges go out at 09:00 as planned. Nothing on-call can do at 02:00; the data team is "
         "moving the snapshot in Q1 (DATA-311).\n\n"
         "This gives the notify-gateway service support hours: alerts open high-urgency incidents from 08:00 to "
         "21:00 Europe/London every day, low-urgency ones outside (no phone, no SMS; they show in the PagerDuty app "
         "and in #comms-alerts). No `scheduled_actions`: the nudge alerts resolve themselves by 06:30, I don't want "
         "an 08:00 page for something already fixed.",
    files=(("services/notify_gateway.tf", """@@ -1,13 +1,32 @@
 resource "pagerduty_service" "notify_gateway" {
   name                    = "notify-gateway"
   description             = "Customer Comms: push (APNs, FCM), SMS and email sends for orders and marketing"
   escalation_policy       = pagerduty_escalation_policy.comms.id
   acknowledgement_timeout = 1800
   auto_resolve_timeout    = 14400
   alert_creation          = "create_alerts_and_incidents"

-  incident_urgency_rule {
-    type    = "constant"
-    urgency = "high"
-  }
+  # COMMS-547: 7 pages in 8 nights for the reorder-nudges CronJob (warehouse snapshot lock). Nothing to do at
+  # 02:00 and the nudges go out at 09:00 anyway: page in support hours, low urgency outside them.
+  incident_urgency_rule {
+    type = "use_support_hours"
+
+    during_support_hours {
+      type    = "constant"
+      urgency = "high"
+    }
+
+    outside_support_hours {
+      type    = "constant"
+      urgency = "low"
+    }
+  }
+
+  support_hours {
+    type         = "fixed_time_per_day"
+    time_zone    = "Europe/London"
+    days_of_week = [1, 2, 3, 4, 5, 6, 7]
+    start_time   = "08:00:00"
+    end_time     = "21:00:00"
+  }
 }"""),),
)

_CONTRIBUTOR = Change(
    author="perpetua", reviewer="ottilie", labels=("cost", "dispatch"),
    title="Order pushes: stop the SMS fallback when APNs/FCM reject a push (COMMS-512)",
    body="When APNs or FCM rejects an order push (rider assigned, rider arriving, order delayed), the dispatcher "
         "re-sends the same text as an SMS through Textwell. December: 212k fallback SMS, £9.4k. 94% of them were "
         "for tokens APNs answered 410 Unregistered or FCM UNREGISTERED: people who deleted the app but still order "
         "on the web, where the order page shows the status anyway. Finance asked us to cut it (FIN-88).\n\n"
         "This removes the fallback for all order pushes. A rejected push is still counted in "
         "`push_send_rejected_total{platform,reason}` and logged at debug; the order tracker in the app shows the "
         "status when it's opened. Stale tokens are pruned by the registry job as before.",
    files=(("internal/dispatch/order.go", """@@ -41,17 +41,10 @@ func (d *Dispatcher) SendOrderUpdate(ctx context.Context, u OrderUpdate) error {
     res, err := d.push.Send(ctx, u.Device, msg)
     if err != nil {
         return fmt.Errorf("push order update %s: %w", u.OrderID, err)
     }
     if res.Rejected() {
         d.metrics.Rejected(u.Device.Platform, res.Reason)
-        if d.cfg.SMSFallback.Enabled && d.cfg.SMSFallback.Covers(u.Kind) {
-            // The customer must hear about the rider even when the push does not arrive.
-            if err := d.fallback.Send(ctx, u.Phone, msg.Text()); err != nil {
-                log.Warn("sms fallback failed", "order", u.OrderID, "err", err)
-            }
-            d.metrics.Fallback("sms", u.Kind)
-        }
+        log.Debug("order push rejected", "order", u.OrderID, "platform", u.Device.Platform, "reason", res.Reason)
     }
     return nil
 }"""),
           ("internal/dispatch/fallback.go", """@@ -1,14 +0,0 @@
-package dispatch
-
-// SMSFallback re-sends an order update by SMS when the push is rejected.
-type SMSFallback struct {
-    sms    textwell.Client
-    sender string
-}
-
-func (f *SMSFallback) Send(ctx context.Context, phone, text string) error {
-    if phone == "" {
-        return nil
-    }
-    return f.sms.Send(ctx, textwell.Message{To: phone, From: f.sender, Body: text})
-}"""),
           ("config/production.yaml", """@@ -31,9 +31,5 @@ dispatch:
   order_updates:
     ttl: 15m
     collapse: per_order
-  sms_fallback:
-    enabled: true
-    sender: Forkful
-    kinds: [rider_assigned, rider_arriving, order_delayed]
   marketing:
     ttl: 6h""")),
)

_TRIGGER = Change(
    author="kemal", reviewer="sunniva", labels=("apns", "security"),
    title="APNs: token-based auth with a .p8 key, retire the push certificates (COMMS-561)",
    body="Apple's reminder: the APNs certificate for com.forkful.app expires on 3 March, the dogfood one in April. "
         "Instead of another round of .p12 exports this moves the APNs client to token-based auth: one .p8 signing "
         "key, an ES256 provider token refreshed every 40 minutes, nothing to renew every year.\n\n"
         "- `internal/apns/token.go`: the token source (APNs rejects provider tokens older than an hour)\n"
         "- `internal/apns/client.go`: `authorization: bearer <token>` on every request when `auth: token`\n"
         "- `config/*.yaml`: `auth: token` with the team id, key id and the key's Vault path; the `cert:` entries go\n\n"
         "Key `M4QX8J2TLK` created in the Apple developer portal on Feb 7, stored in Vault at "
         "`secret/notify/apns`. Tested on staging (sandbox gateway) with the dogfood build: rider assigned, rider "
         "arriving, delivered and promo pushes all arrive. Rollout: the usual 2h canary on the staff cohort.",
    files=(("config/production.yaml", """@@ -8,14 +8,16 @@ push:
   apns:
-    auth: certificate
     endpoint: https://api.push.apple.com:443
+    auth: token
+    token:
+      team_id: 7ZK3WQ9M2D
+      key_id: M4QX8J2TLK
+      key: vault://secret/notify/apns/AuthKey_M4QX8J2TLK.p8
     apps:
       consumer:
         topic: com.forkful.app
-        cert: vault://secret/notify/apns/consumer-2024.p12
       dogfood:
         topic: com.forkful.app.dogfood
-        cert: vault://secret/notify/apns/dogfood-2024.p12
     pool_size: 8"""),
           ("config/staging.yaml", """@@ -8,11 +8,13 @@ push:
   apns:
-    auth: certificate
     endpoint: https://api.sandbox.push.apple.com:443
+    auth: token
+    token:
+      team_id: 7ZK3WQ9M2D
+      key_id: M4QX8J2TLK
+      key: vault://secret/notify/apns/AuthKey_M4QX8J2TLK.p8
     apps:
       dogfood:
         topic: com.forkful.app.dogfood
-        cert: vault://secret/notify/apns/dogfood-dev-2024.p12"""),
           ("internal/apns/token.go", """@@ -0,0 +1,34 @@
+package apns
+
+// TokenSource signs APNs provider tokens (ES256, kid = key id, iss = team id) and reuses one for 40 minutes:
+// APNs answers 403 ExpiredProviderToken after an hour and 429 TooManyProviderTokenUpdates when refreshed too often.
+type TokenSource struct {
+    teamID string
+    keyID  string
+    key    *ecdsa.PrivateKey
+
+    mu     sync.Mutex
+    token  string
+    issued time.Time
+}
+
+func (s *TokenSource) Token(now time.Time) (string, error) {
+    s.mu.Lock()
+    defer s.mu.Unlock()
+    if s.token != "" && now.Sub(s.issued) < 40*time.Minute {
+        return s.token, nil
+    }
+    claims := jwt.MapClaims{"iss": s.teamID, "iat": now.Unix()}
+    t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
+    t.Header["kid"] = s.keyID
+    signed, err := t.SignedString(s.key)
+    if err != nil {
+        return "", fmt.Errorf("sign apns provider token: %w", err)
+    }
+    s.token, s.issued = signed, now
+    return signed, nil
+}"""),
           ("internal/apns/client.go", """@@ -52,6 +52,13 @@ func (c *Client) Send(ctx context.Context, n Notification) (Result, error) {
     req.Header.Set("apns-topic", c.topic(n.App))
     req.Header.Set("apns-push-type", n.PushType)
     req.Header.Set("apns-expiration", strconv.FormatInt(n.Expiry.Unix(), 10))
+    if c.tokens != nil {
+        tok, err := c.tokens.Token(time.Now())
+        if err != nil {
+            return Result{}, err
+        }
+        req.Header.Set("authorization", "bearer "+tok)
+    }
     resp, err := c.http.Do(req)
     if err != nil {
         return Result{}, fmt.Errorf("apns send: %w", err)""")),
)

_FIX = Change(
    author="kemal", reviewer="anselm", labels=("incident", "apns"),
    title="APNs: production back on the consumer certificate (403 InvalidProviderToken since 21:13)",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} signs provider tokens with key M4QX8J2TLK of team 7ZK3WQ9M2D, our "
         "In-House (Enterprise) account, where the dogfood app lives. com.forkful.app belongs to the App Store team "
         "4HX8PDN62R, so APNs answered 403 InvalidProviderToken for every push to the App Store app from the moment "
         "the rollout reached 100% at 21:13. The staff canary was green because most staff phones run the dogfood "
         "build.\n\n"
         "Production goes back to certificate auth (the 2024 .p12s are still in Vault, valid until 3 March); staging "
         "keeps token auth. Deploying with the canary skipped.",
    files=(("config/production.yaml", """@@ -8,16 +8,14 @@ push:
   apns:
+    auth: certificate
     endpoint: https://api.push.apple.com:443
-    auth: token
-    token:
-      team_id: 7ZK3WQ9M2D
-      key_id: M4QX8J2TLK
-      key: vault://secret/notify/apns/AuthKey_M4QX8J2TLK.p8
     apps:
       consumer:
         topic: com.forkful.app
+        cert: vault://secret/notify/apns/consumer-2024.p12
       dogfood:
         topic: com.forkful.app.dogfood
+        cert: vault://secret/notify/apns/dogfood-2024.p12
     pool_size: 8"""),),
)

_FOLLOW_URGENCY = Change(
    author="ruairi", reviewer="imogen", labels=("pagerduty", "incident"),
    title="notify-gateway: high urgency at all hours again; reorder-nudges to its own low-urgency service (COMMS-570)",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} every notify-gateway alert outside 08:00-21:00 was "
         "low urgency, not just the nudge batch: the APNs rejection alert opened at 21:26 and paged nobody for "
         "eleven hours.\n\n"
         "notify-gateway is back to constant high urgency. The reorder-nudges CronJob alert moves to a new "
         "`notify-batch` service, low urgency, which is what we actually wanted.",
    files=(("services/notify_gateway.tf", """@@ -9,24 +9,5 @@ resource "pagerduty_service" "notify_gateway" {
-  # COMMS-547: 7 pages in 8 nights for the reorder-nudges CronJob (warehouse snapshot lock). Nothing to do at
-  # 02:00 and the nudges go out at 09:00 anyway: page in support hours, low urgency outside them.
   incident_urgency_rule {
-    type = "use_support_hours"
-
-    during_support_hours {
-      type    = "constant"
-      urgency = "high"
-    }
-
-    outside_support_hours {
-      type    = "constant"
-      urgency = "low"
-    }
-  }
-
-  support_hours {
-    type         = "fixed_time_per_day"
-    time_zone    = "Europe/London"
-    days_of_week = [1, 2, 3, 4, 5, 6, 7]
-    start_time   = "08:00:00"
-    end_time     = "21:00:00"
+    type    = "constant"
+    urgency = "high"
   }
 }"""),
           ("services/notify_batch.tf", """@@ -0,0 +1,12 @@
+# Batch jobs of Customer Comms (reorder-nudges, weekly digest): never worth a night page.
+resource "pagerduty_service" "notify_batch" {
+  name                    = "notify-batch"
+  description             = "Customer Comms batch jobs: reorder nudges, weekly digest"
+  escalation_policy       = pagerduty_escalation_policy.comms.id
+  auto_resolve_timeout    = 28800
+
+  incident_urgency_rule {
+    type    = "constant"
+    urgency = "low"
+  }
+}""")),
)

_FOLLOW_SMS = Change(
    author="perpetua", reviewer="ottilie", labels=("incident", "dispatch"),
    title="Order pushes: SMS fallback again for rejections other than Unregistered (COMMS-571)",
    body="Follow-up of {{incurl:page}}. Since {{url:contributor}} a rejected order push went nowhere; overnight that "
         "was every rider-arriving push to an iPhone. The fallback is back for rider_assigned, rider_arriving and "
         "order_delayed, except when APNs says 410 Unregistered or FCM says UNREGISTERED (the 94% that cost us the "
         "money). Capped at 20k SMS an hour.",
    files=(("internal/dispatch/order.go", """@@ -46,5 +46,12 @@ func (d *Dispatcher) SendOrderUpdate(ctx context.Context, u OrderUpdate) error {
     if res.Rejected() {
         d.metrics.Rejected(u.Device.Platform, res.Reason)
-        log.Debug("order push rejected", "order", u.OrderID, "platform", u.Device.Platform, "reason", res.Reason)
+        log.Warn("order push rejected", "order", u.OrderID, "platform", u.Device.Platform, "reason", res.Reason)
+        if res.Unregistered() || !d.cfg.SMSFallback.Covers(u.Kind) {
+            return nil
+        }
+        if err := d.fallback.Send(ctx, u.Phone, msg.Text()); err != nil {
+            log.Warn("sms fallback failed", "order", u.OrderID, "err", err)
+        }
     }
     return nil"""),),
)


def build_push_overnight(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the push-overnight world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="push-overnight", seed=2025_02_12, org="forkful", team_name="Customer Comms",
                    page_at="2025-02-13T08:47:00Z", impact_start="2025-02-12T21:13:40Z",
                    noise_teams=("checkout", "identity", "data", "platform", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("pushpulse", "Push Pulse"), ("argo", "Argo Rollouts"), ("tfcloud", "Terraform Cloud"),
                      ("cronbot", "CronJob Monitor"), ("applestatus", "Apple Developer Status"),
                      ("certmanager", "cert-manager"), ("reviewbot", "App Reviews"),
                      ("appstoreconnect", "App Store Connect")):
        b.person(key, name, github=False, is_bot=True)
    checkout, identity, platform = sc.team("checkout"), sc.team("identity"), sc.team("platform")

    # Customer Comms, iOS, Reliability: PagerDuty, channels, repos ------------------------------------------------
    c_team = b.team("Customer Comms")
    c_policy = b.policy("Customer Comms on-call", c_team, ONCALL)
    svc = b.service("notify-gateway", "Customer Comms: push (APNs, FCM), SMS and email sends for orders and "
                    "marketing", c_policy, c_team, iso(start - 640 * DAY))
    i_team = b.team("iOS")
    ios_people = IOS_PEOPLE + sc.crowd[18:22]
    i_policy = b.policy("iOS on-call", i_team, ios_people[:3])
    i_svc = b.service("consumer-ios", "Crashlytics and app-start alerts of the Forkful iOS app", i_policy, i_team,
                      iso(start - 500 * DAY))
    sre_people = SRE + sc.crowd[22:25]
    comms_ch = b.channel("comms-eng", "Customer Comms: notify-gateway, push, SMS, email", "Customer Comms team",
                         start - 620 * DAY, "ottilie")
    alerts_ch = b.channel("comms-alerts", "PagerDuty and CronJob alerts of notify-gateway", "Alerts of notify-gateway",
                          start - 420 * DAY, "ruairi")
    stats_ch = b.channel("push-stats", "Push Pulse delivery stats and Apple developer status", "Push delivery stats",
                         start - 380 * DAY, "sunniva")
    ios_ch = b.channel("ios-app", "iOS consumer app", "iOS team", start - 600 * DAY, "lowri")
    sre_ch = b.channel("sre", "Reliability: on-call, PagerDuty, certificates", "Reliability team",
                       start - 650 * DAY, "imogen")
    tf_ch = b.channel("tf-applies", "Terraform Cloud runs of pagerduty-terraform", "Terraform runs",
                      start - 360 * DAY, "teodor")
    cx_ch = b.channel("cx-escalations", "Customer experience: escalations to engineering", "CX escalations",
                      start - 700 * DAY, "philippa")
    rider_ch = b.channel("rider-ops", "Rider operations: zones, riders, restaurants", "Rider ops",
                         start - 700 * DAY, "callum")
    reviews_ch = b.channel("app-reviews", "App Store and Google Play reviews", "Reviews feed", start - 450 * DAY,
                           "tendai")
    gw_repo = b.repo("notify-gateway", "Push (APNs, FCM), SMS and email sends (Go); CI deploys main with a staff "
                     "canary", iso(start - 900 * DAY))
    ios_repo = b.repo("ios-consumer", "Forkful iOS app (Swift)", iso(start - 1100 * DAY))
    tf_repo = b.repo("pagerduty-terraform", "PagerDuty services, schedules and escalation policies; Terraform Cloud "
                     "applies main", iso(start - 700 * DAY))

    # Their noise ------------------------------------------------------------------------------------------------
    n = sc.scale
    comms = NoiseTeam(COMMS, COMMS_PEOPLE, gw_repo, comms_ch, svc, c_policy)
    ios = NoiseTeam(IOS, ios_people, ios_repo, ios_ch, i_svc, i_policy)
    add_pulls(b, comms, 80 * n, start - 60 * DAY, end)
    add_pulls(b, ios, 55 * n, start - 60 * DAY, end)
    tf_service = {"notify_gateway": svc, "consumer_ios": i_svc, "checkout_api": checkout.service,
                  "auth_service": identity.service, "k8s_cluster": platform.service,
                  "etl_scheduler": sc.team("data").service, "email_service": sc.team("growth").service}

    def applied(pull: dict[str, Any]) -> dict[str, Any] | None:
        """Terraform Cloud applies each merged pagerduty-terraform PR: a line, and a change event per service."""
        at, sha7 = epoch(pull["merged_at"]) + rng.uniform(60, 240), pull["merge_commit_sha"][:7]
        changed = sum(f["additions"] > 0 for f in pull["files"])
        b.say(tf_ch, at + 5, "tfcloud", f":white_check_mark: *Apply finished* pagerduty-terraform@{sha7} "
              f"(run-{''.join(rng.choice(_CONSONANTS) for _ in range(10))}): 0 to add, {max(1, changed)} to change, "
              f"0 to destroy · {pull['title']}")
        ev = None
        for f in pull["files"]:
            key = f["filename"].removeprefix("services/").removesuffix(".tf")
            if f["filename"].startswith("services/") and key in tf_service:
                ev = b.change_event(tf_service[key], f"Terraform apply pagerduty-terraform@{sha7}: {pull['title']}",
                                    at, "terraform-cloud", details={"workspace": "pagerduty-prod",
                                                                    "files": [x["filename"] for x in pull["files"]]})
        return ev

    def on_tf_merge(pull: dict[str, Any]) -> None:
        applied(pull)

    def deploy(sha7: str, at: float, who: str, link: dict[str, str], *, canary: bool = True,
               analysis: float | None = None) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
        """A notify-gateway deploy: the CI change event and deploy-bot line, then Argo's staff canary (2h) and the
        promotion to 100% (a line and a change event). Returns (deploy event, promotion event, promotion line)."""
        ev = b.change_event(svc, f"Deploy notify-gateway@{sha7} to production", at, "ci-deploy", links=[link],
                            details={"deployer": who, "environment": "production",
                                     "strategy": "canary: staff cohort, 2h" if canary else "canary skipped"})
        if "{{" in link["href"]:
            b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: notify-gateway `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        if not canary:
            b.say(sc.common["deploys"], at + 50, "argo", f":fast_forward: *notify-gateway* rollout `{sha7}`: canary "
                  "skipped (manual promote), 100% of traffic")
            return ev, None, None
        b.say(sc.common["deploys"], at + 50, "argo", f":hatching_chick: *notify-gateway* rollout `{sha7}`: canary on "
              "the staff cohort, analysis in 2h")
        done = at + 2 * HOUR + rng.uniform(60, 240)
        ok = analysis if analysis is not None else rng.uniform(97.4, 98.9)
        line = b.say(sc.common["deploys"], done, "argo", f":white_check_mark: *notify-gateway* rollout `{sha7}`: "
                     f"analysis passed (staff cohort: push delivered {ok:.1f}%, 5xx 0.0%), promoted to 100%")
        promo = b.change_event(svc, f"Rollout notify-gateway@{sha7} promoted to 100%", done, "argo-rollouts",
                               details={"analysis": f"staff cohort push delivered {ok:.1f}%"})
        return ev, promo, line

    config_pulls(b, tf_repo, sre_people + ["ruairi", "perpetua", "mikkel"], 45 * n, start - 60 * DAY, end, _tf_change,
                 on_merge=on_tf_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == gw_repo][-150:]
    add_chat(b, comms_ch, COMMS_PEOPLE, COMMS.nouns, 200 * n, start, end, links=links)
    ios_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == ios_repo][-100:]
    add_chat(b, ios_ch, ios_people, IOS.nouns, 80 * n, start, end, links=ios_links)
    tf_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == tf_repo][-100:]
    add_chat(b, sre_ch, sre_people, _SRE_NOUNS, 70 * n, start, end, links=tf_links)
    add_chat(b, cx_ch, CX + sc.crowd[25:28], _CX_NOUNS, 90 * n, start, end, lines=_CX_LINES, thread_rate=0.6)
    add_chat(b, rider_ch, ["callum"] + sc.crowd[26:30], _RIDER_NOUNS, 60 * n, start, end, lines=_RIDER_LINES,
             thread_rate=0.4)
    for ch, joiners in ((comms_ch, COMMS_PEOPLE), (alerts_ch, ONCALL), (stats_ch, COMMS_PEOPLE), (ios_ch, ios_people),
                        (sre_ch, sre_people), (tf_ch, sre_people), (cx_ch, CX), (rider_ch, ["callum"]),
                        (reviews_ch, CX + IOS_PEOPLE)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, ios, 7 * n, start, end, sc.common["alerts"], incident_channels=False)
    days = int((end - start) / DAY)
    bot_feed(b, stats_ch, "applestatus", max(6, days // 8) * n, start, end, _status_line)
    bot_feed(b, sre_ch, "certmanager", max(8, days // 6) * n, start, end, _cert_line)
    bot_feed(b, reviews_ch, "reviewbot", 3 * days * n, start, end, _review_line)

    weak_merged = epoch("2025-01-22T11:05:00Z")
    urgent_again = T + 7.2 * HOUR  # the follow-up in pagerduty-terraform is applied
    quiet_from, quiet_to = epoch("2025-02-11T12:00:00Z"), epoch("2025-02-13T12:00:00Z")

    def night(t: float) -> bool:
        """Outside notify-gateway's support hours (London is on UTC in winter)."""
        return not 8 <= int(iso(t)[11:13]) < 21

    # notify-gateway's own pages and deploys; once the support hours exist, night alerts are low urgency -----------
    for _ in range(14 * n):
        t = rng.uniform(start, end)
        if quiet_from - 6 * HOUR < t < quiet_to:
            continue
        alert = rng.choice(COMMS.alerts)
        high = (rng.random() < 0.6) and not (weak_merged < t < urgent_again and night(t))
        pair = rng.sample(ONCALL, 2)
        handle = f"c{len(b.pd['incidents'])}"
        inc = b.incident(svc, f"[notify-gateway] {alert}", t, urgency="high" if high else "low",
                         responders=pair if high else [], notify=high, ack_after=rng.uniform(90, 500) if high else None,
                         resolve_after=rng.uniform(900, 5400), handle=handle, alert_key=f"notify-gateway/{alert}",
                         notes=[(pair[0], rng.choice(("FCM 503s for 5 minutes, recovered", "scaled the sender pool",
                                                     "one bad template in the promo batch, fixed")), 800.0)]
                         if high and rng.random() < 0.3 else None)
        b.say(alerts_ch, t + 3, "pagerduty", (":rotating_light: Triggered" if high else
                                              ":large_yellow_circle: Triggered (low urgency)") +
              f" <{{{{incurl:{handle}}}}}|#{{{{inc:{handle}}}}}> {inc['title']}", template=True)
    for _ in range(int(30 * n)):
        t = rng.uniform(start, end)
        if quiet_from - 6 * HOUR < t < quiet_to:
            continue
        sha7 = b.sha()[:7]
        deploy(sha7, t, rng.choice(COMMS_PEOPLE), {"href": f"https://github.com/{gw_repo}/commit/{sha7}", "text": sha7})
    # The APNs rejection alert used to page at any hour: Apple's own 500s one December afternoon.
    b.incident(svc, REJECT_TITLE, epoch("2024-12-04T15:21:00Z"), responders=["sunniva", "kemal"], ack_after=260,
               resolve_after=31 * 60, alert_key=REJECT_KEY, handle="apple500",
               alert_summary="push_send_rejected_total{platform=\"ios\"} / push_send_total{platform=\"ios\"} = 6.2% "
                             "over 10m; top reason 500 InternalServerError",
               notes=[("sunniva", "Apple-side 500s, on developer.apple.com/system-status too. recovered by itself",
                       1500.0)])
    b.say(alerts_ch, epoch("2024-12-04T15:21:03Z"), "pagerduty", ":rotating_light: Triggered "
          "<{{incurl:apple500}}|#{{inc:apple500}}> " + REJECT_TITLE, template=True)

    # Push Pulse every two hours -----------------------------------------------------------------------------------
    impact = epoch("2025-02-12T21:13:40Z")
    fix_live = T + 0.52 * HOUR
    volume = {0: 0.35, 2: 0.08, 4: 0.05, 6: 0.2, 8: 0.4, 10: 0.8, 12: 1.0, 14: 0.6, 16: 0.9, 18: 1.4, 20: 1.2, 22: 0.6}
    slot = start - start % DAY + 2 * HOUR
    first_bad: dict[str, Any] | None = None
    while slot < end:
        lo = slot - 2 * HOUR
        base = volume[int(iso(lo)[11:13])]
        i_sent, a_sent = int(rng.randrange(38_000, 46_000) * base), int(rng.randrange(47_000, 56_000) * base)
        i_rej = rng.uniform(0.4, 1.1)
        i_del = rng.uniform(96.9, 98.2)
        i_why = rng.choice(("410 Unregistered", "410 Unregistered", "400 BadDeviceToken"))
        a_rej, a_del = rng.uniform(0.3, 0.9), rng.uniform(97.4, 98.8)
        a_why = rng.choice(("UNREGISTERED", "UNREGISTERED", "SENDER_ID_MISMATCH"))
        if rng.random() < 0.04:
            a_del, a_rej, a_why = rng.uniform(93.0, 95.5), rng.uniform(1.5, 3.0), "UNAVAILABLE (503)"
        if lo <= epoch("2024-12-04T15:21:00Z") < slot:
            i_del, i_rej, i_why = 93.6, 5.1, "500 InternalServerError"
        bad = max(0.0, min(slot, fix_live) - max(lo, impact)) / (2 * HOUR)
        if bad > 0:
            i_del = i_del * (1 - bad) + rng.uniform(0.4, 0.9) * bad
            i_rej = 100.0 - i_del - rng.uniform(0.1, 0.4)
            i_why = "403 InvalidProviderToken"
        m = b.say(stats_ch, slot + rng.uniform(40, 200), "pushpulse", _pulse_line(slot, (i_sent, i_del, i_rej, i_why),
                                                                                (a_sent, a_del, a_rej, a_why)))
        if bad > 0:
            if first_bad is None:
                first_bad = m
                tr.add("slack", m, "early_signal", must_see=True, group="detection",
                       why="Push Pulse: iOS delivery falls to about 60% with 40% of iOS pushes rejected 403 "
                           "InvalidProviderToken while Android is normal, forty-five minutes after the rollout")
            elif slot < T:
                tr.add("slack", m, "early_signal", must_see=False, group="detection",
                       why="Push Pulse: almost every iOS push rejected (InvalidProviderToken) all night")
        slot += 2 * HOUR

    # The reorder-nudges CronJob every night at 02:00 ----------------------------------------------------------------
    noisy_at = ("2025-01-13T02:14:00Z", "2025-01-14T02:11:00Z", "2025-01-15T02:19:00Z", "2025-01-17T02:12:00Z",
                "2025-01-18T02:16:00Z", "2025-01-19T02:13:00Z", "2025-01-20T02:21:00Z")
    quiet_at = ("2025-01-25T02:12:00Z", "2025-01-29T02:15:00Z", "2025-02-03T02:11:00Z", "2025-02-08T02:18:00Z")
    failed_at = ("2024-12-09T02:13:00Z",) + noisy_at + quiet_at
    failed_days = {w[:10] for w in failed_at}
    day0 = start - start % DAY + DAY
    while day0 < end:
        d = iso(day0)[:10]
        if d in failed_days:
            text = (":x: `reorder-nudges` 02:00 run failed after 11m (exit 1): `could not obtain lock on relation "
                    "orders_archive` (warehouse snapshot still running) · next attempt 06:00")
            b.say(alerts_ch, day0 + 2 * HOUR + 11 * 60 + rng.uniform(0, 120), "cronbot", text)
            b.say(alerts_ch, day0 + 6 * HOUR + rng.uniform(1500, 2200), "cronbot",
                  f":white_check_mark: `reorder-nudges` 06:00 retry finished in {rng.randrange(26, 38)}m: "
                  f"{rng.randrange(380_000, 440_000):,} nudges queued for 09:00 local")
        elif rng.random() < 0.5:
            b.say(alerts_ch, day0 + 2 * HOUR + rng.uniform(1500, 2400), "cronbot",
                  f":white_check_mark: `reorder-nudges` 02:00 run finished in {rng.randrange(25, 40)}m: "
                  f"{rng.randrange(380_000, 440_000):,} nudges queued for 09:00 local")
        day0 += DAY

    # Dec 9 and Jan 13-20: the nudge job pages the on-call at 02:00 ---------------------------------------------------
    notes = ("warehouse snapshot held orders_archive past 02:00 again. 06:00 retry will pick it up, nudges go at "
             "09:00 as normal. nothing to do", "same as last night, snapshot lock. resolving, retry at 06:00")
    for i, when in enumerate(("2024-12-09T02:13:00Z",) + noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, NUDGE_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=240 + 40 * i, resolve_after=1300 + 110 * i, handle=f"nudge{i}", alert_key=NUDGE_KEY,
                         alert_summary=f"CronJob notify/reorder-nudges: job reorder-nudges-29{i + 11} failed "
                                       "(BackoffLimitExceeded): could not obtain lock on relation orders_archive",
                         notes=[(who, notes[i % 2], 900.0)] if i % 3 != 2 else None)
        b.say(alerts_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:nudge{i}}}}}|"
              f"#{{{{inc:nudge{i}}}}}> {NUDGE_TITLE}", template=True)
        if i:
            tr.add("pagerduty", inc, "context", must_see=False, group="detection",
                   why="one of the 02:00 pages of the reorder-nudges CronJob that led to the support-hours rule")
    grumbles = (("2025-01-13T08:52:00Z", "anselm", "nudge batch paged me at 02:14. orders_archive lock, warehouse "
                 "snapshot overran again. the 06:00 retry did it, nudges went at 9"),
                ("2025-01-15T09:10:00Z", "kemal", "3rd night in a row for reorder-nudges :zombie: nothing to do but "
                 "wait for the 06:00 retry"),
                ("2025-01-16T14:30:00Z", "ottilie", "data team says moving the snapshot to 04:00 is Q1 (DATA-311). "
                 "so until march-ish"),
                ("2025-01-20T08:41:00Z", "ruairi", "7 pages in 8 nights, all reorder-nudges, none actionable. can we "
                 "stop notify-gateway waking people at night? the nudges only go out at 09:00"),
                ("2025-01-20T09:02:00Z", "perpetua", "+1. support hours on the PD service? high 8-21, low outside, "
                 "that's what data did for etl-scheduler"),
                ("2025-01-20T09:15:00Z", "ruairi", "I'll do it in pagerduty-terraform today"))
    for when, who, text in grumbles:
        m = b.say(comms_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop notify-gateway's night pages after the nudge-batch week")

    # Jan 22: notify-gateway gets support hours ------------------------------------------------------------------------
    weak = story_pull(b, tf_repo, _WEAKENING, epoch("2025-01-21T09:40:00Z"), weak_merged, "weakening",
                      review="lgtm, applies clean in the plan", reviewed=epoch("2025-01-22T10:41:00Z"),
                      review_comments=(("imogen", "with use_support_hours you can add scheduled_actions to bump open "
                                        "low incidents to high at support_hours_start. want that?",
                                        "services/notify_gateway.tf", 31, epoch("2025-01-21T13:05:00Z")),),
                      comments=(("sunniva", "what if something real breaks at night? dinner orders run till 01:00",
                                 epoch("2025-01-21T11:20:00Z")),
                                ("ruairi", "CX night shift is on till 02:00 and they shout in #cx-escalations when "
                                 "customers do. and the nudge alerts resolve by 06:30, so no scheduled_actions",
                                 epoch("2025-01-21T11:48:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="gave notify-gateway's PagerDuty service support hours: every alert outside 08:00-21:00 London opens a "
               "low-urgency incident that notifies nobody, not just the nudge batch")
    wev = applied(weak)
    assert wev is not None
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="Terraform Cloud applying the support-hours rule", same_fact_as=("github", weak))
    b.say(comms_ch, epoch("2025-01-22T11:20:00Z"), "ruairi", "merged {{url:weakening}}: notify-gateway is low urgency "
          "outside 08:00-21:00 now. sleep well everyone :sleeping:", template=True)
    b.say(sre_ch, epoch("2025-01-22T11:26:00Z"), "imogen", "applied ruairi's support-hours rule for notify-gateway. if "
          "anyone else wants the same, copy services/notify_gateway.tf")
    for i, when in enumerate(quiet_at):
        t = epoch(when)
        b.incident(svc, NUDGE_TITLE, t, urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=4.3 * HOUR, handle=f"quiet{i}", alert_key=NUDGE_KEY, severity="error",
                   alert_summary="CronJob notify/reorder-nudges failed (BackoffLimitExceeded): could not obtain lock "
                                 "on relation orders_archive")
        b.say(alerts_ch, t + 3, "pagerduty", f":large_yellow_circle: Triggered (low urgency) "
              f"<{{{{incurl:quiet{i}}}}}|#{{{{inc:quiet{i}}}}}> {NUDGE_TITLE}", template=True)
    b.say(comms_ch, epoch("2025-01-25T09:03:00Z"), "perpetua", "nudge batch failed again at 02:12, low urgency, nobody "
          "woke up :tada: retry sent them at 06:30")

    # Jan 8: the SMS fallback for rejected order pushes goes -----------------------------------------------------------
    contrib = story_pull(b, gw_repo, _CONTRIBUTOR, epoch("2025-01-06T10:15:00Z"), epoch("2025-01-08T14:10:00Z"),
                         "contributor", review="approved, finance will be happy", reviewed=epoch("2025-01-08T13:50:00Z"),
                         comments=(("sunniva", "do we still want it for rider_arriving at least? that's the one "
                                    "people miss the rider over", epoch("2025-01-06T15:40:00Z")),
                                   ("perpetua", "it's the same 94% stale tokens for rider_arriving. and the tracker "
                                    "shows it", epoch("2025-01-06T16:05:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="removed the SMS fallback for rejected order pushes: when every iOS push is rejected, customers get "
               "neither the push nor an SMS")
    cev, _, _ = deploy(contrib["merge_commit_sha"][:7], epoch("2025-01-08T14:38:00Z"), "perpetua",
                       {"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title})
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy that removed the SMS "
           "fallback", same_fact_as=("github", contrib))
    b.say(comms_ch, epoch("2025-01-09T10:30:00Z"), "perpetua", "fallback SMS down from ~7k/day to 40/day (the staff "
          "test numbers) :money_with_wings:")

    # Feb 3-12: the push certificate reminder, the token-auth PR, the iOS release ----------------------------------
    b.say(comms_ch, epoch("2025-02-03T10:05:00Z"), "ottilie", "Apple says the APNs cert for com.forkful.app expires 3 "
          "March. who wants it? last year the .p12 export took lowri half a day")
    b.say(comms_ch, epoch("2025-02-03T10:22:00Z"), "kemal", "I'll move us to token auth instead, one .p8 key and no "
          "more yearly renewals")
    b.say(ios_ch, epoch("2025-02-07T16:40:00Z"), "lowri", "I'm off mon 10th to mon 17th. mikkel has the 8.14 release, "
          "App Store Connect admin stuff can wait or go to ottilie")
    story_pull(b, ios_repo, Change(
        author="mikkel", reviewer="lowri", labels=("notifications",),
        title="Notifications: provisional authorization until the first order, full prompt after it (IOS-1432)",
        body="New installs got the system prompt on the splash screen and 38% said no. They now get provisional "
             "authorization (quiet delivery to Notification Center) until their first order, then the full prompt "
             "on the order tracker. Existing installs are not affected.",
        files=(("Sources/App/notifications/PushPermission.swift", """@@ -22,7 +22,9 @@ final class PushPermission {
     func request() async -> Bool {
-        let options: UNAuthorizationOptions = [.alert, .sound, .badge]
+        // IOS-1432: provisional (quiet) delivery until the first order, then the full prompt.
+        let full: UNAuthorizationOptions = [.alert, .sound, .badge]
+        let options = hasOrdered ? full : full.union(.provisional)
         let granted = (try? await center.requestAuthorization(options: options)) ?? false
         await registerIfNeeded(granted)
         return granted"""),)),
        epoch("2025-02-03T14:00:00Z"), epoch("2025-02-05T11:30:00Z"), "distractor_provisional")
    story_pull(b, ios_repo, Change(
        author="mikkel", reviewer=ios_people[2], labels=("release",),
        title="Release 8.14.0 (2291)",
        body="Version bump and release notes for 8.14.0: provisional notifications for new installs (IOS-1432), "
             "basket sheet redesign, rider map clustering fix.",
        files=(("Config/Version.xcconfig", "@@ -1,2 +1,2 @@\n-MARKETING_VERSION = 8.13.2\n-CURRENT_PROJECT_VERSION = "
                                           "2264\n+MARKETING_VERSION = 8.14.0\n+CURRENT_PROJECT_VERSION = 2291"),
               ("fastlane/metadata/en-GB/release_notes.txt", "@@ -1,2 +1,3 @@\n-Bug fixes and performance "
                "improvements.\n+Track your rider on a tidier map, a new basket and quieter notifications until your "
                "first order.\n+Bug fixes and performance improvements."))),
        epoch("2025-02-10T09:30:00Z"), epoch("2025-02-11T10:05:00Z"), "distractor_release")
    b.say(ios_ch, epoch("2025-02-12T16:31:00Z"), "appstoreconnect", ":iphone: *Forkful 8.14.0 (2291)* is Ready for "
          "Distribution · phased release day 1: 1% of automatic updates")
    b.say(ios_ch, epoch("2025-02-12T16:40:00Z"), "mikkel", "8.14.0 is out on phased release :tada: crash-free 99.9% on "
          "testflight")
    quiet = story_pull(b, gw_repo, Change(
        author="anselm", reviewer="ottilie", labels=("marketing",),
        title="Marketing pushes: quiet hours 22:00-08:00 in the customer's timezone (COMMS-549)",
        body="Growth wants no promo or reorder-nudge pushes at night (complaints + Apple's guidance). Pushes of the "
             "`marketing` and `reorder_nudge` categories are held until 08:00 local; order updates are exempt.",
        files=(("internal/dispatch/quiet.go", """@@ -0,0 +1,12 @@
+package dispatch
+
+// HoldUntil returns when a push of category c may be sent to a customer in tz; order updates are never held.
+func (q QuietHours) HoldUntil(c Category, now time.Time, tz *time.Location) time.Time {
+    if !q.Covers(c) {
+        return now
+    }
+    local := now.In(tz)
+    if local.Hour() >= q.Start || local.Hour() < q.End {
+        return q.nextEnd(local)
+    }
+    return now
+}"""),
               ("config/production.yaml", """@@ -38,3 +38,7 @@ dispatch:
   marketing:
     ttl: 6h
+  quiet_hours:
+    categories: [marketing, reorder_nudge]
+    start: 22
+    end: 8"""))),
        epoch("2025-02-06T13:00:00Z"), epoch("2025-02-11T14:20:00Z"), "distractor_quiet")
    qsha = quiet["merge_commit_sha"][:7]
    deploy(qsha, epoch("2025-02-11T14:44:00Z"), "anselm", {"href": "{{url:distractor_quiet}}", "text": quiet["title"]})
    fcm = story_pull(b, gw_repo, Change(
        author="sunniva", reviewer="perpetua", labels=("fcm",),
        title="FCM: one HTTP/2 connection per Firebase project instead of per worker (COMMS-553)",
        body="Each of the 64 sender workers opened its own connection to fcm.googleapis.com; under the dinner peak "
             "we hit the per-IP stream limit and saw UNAVAILABLE bursts. Workers now share one pooled client per "
             "project. Android only, APNs untouched.",
        files=(("internal/fcm/client.go", """@@ -18,6 +18,9 @@ func NewSender(cfg Config) (*Sender, error) {
-    for i := 0; i < cfg.Workers; i++ {
-        s.clients = append(s.clients, newHTTP2Client(cfg))
-    }
+    // One pooled client per project: 64 connections hit the per-IP stream limit at the dinner peak.
+    shared := newHTTP2Client(cfg)
+    for i := 0; i < cfg.Workers; i++ {
+        s.clients = append(s.clients, shared)
+    }
     return s, nil"""),)),
        epoch("2025-02-10T15:00:00Z"), epoch("2025-02-12T15:05:00Z"), "distractor_fcm")
    deploy(fcm["merge_commit_sha"][:7], epoch("2025-02-12T15:28:00Z"), "sunniva",
           {"href": "{{url:distractor_fcm}}", "text": fcm["title"]})

    trig = story_pull(b, gw_repo, _TRIGGER, epoch("2025-02-10T11:20:00Z"), epoch("2025-02-12T18:58:00Z"), "trigger",
                      review="lgtm, nice to lose the p12 dance", reviewed=epoch("2025-02-12T18:31:00Z"),
                      review_comments=(("anselm", "do we keep the 2024 p12s in vault for a quick rollback?",
                                        "config/production.yaml", 18, epoch("2025-02-10T14:12:00Z")),),
                      comments=(("kemal", "yes, not deleting anything until March", epoch("2025-02-10T14:30:00Z")),
                                ("sunniva", "which team is 7ZK3WQ9M2D? lowri normally does the portal stuff",
                                 epoch("2025-02-11T10:02:00Z")),
                                ("kemal", "the developer account I have admin on, made the key there on friday. lowri "
                                 "is off till the 17th. keys work for every app in the team, and the staff canary "
                                 "will catch anything off", epoch("2025-02-11T10:25:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="switched production APNs to token auth with the key and team id of the In-House (dogfood) account: "
               "APNs rejects every push to the App Store app with 403 InvalidProviderToken")
    shipped = epoch("2025-02-12T19:09:00Z")
    ship_trigger(sc, svc, "notify-gateway", trig, _TRIGGER, shipped, "kemal")
    b.pd["change_events"][-1]["custom_details"]["strategy"] = "canary: staff cohort, 2h"
    tsha = trig["merge_commit_sha"][:7]
    b.say(sc.common["deploys"], shipped + 50, "argo", f":hatching_chick: *notify-gateway* rollout `{tsha}`: canary "
          "on the staff cohort, analysis in 2h")
    b.say(comms_ch, shipped + 6 * 60, "kemal", "token auth is on the staff canary, rider pushes on my phone look fine "
          ":iphone:")
    promo_at = impact - 40
    promo_line = b.say(sc.common["deploys"], promo_at, "argo", f":white_check_mark: *notify-gateway* rollout `{tsha}`: "
                       "analysis passed (staff cohort: push delivered 98.3%, 5xx 0.0%), promoted to 100%")
    promo = b.change_event(svc, f"Rollout notify-gateway@{tsha} promoted to 100%", promo_at, "argo-rollouts",
                           details={"analysis": "staff cohort push delivered 98.3%"})
    tr.add("pagerduty", promo, "trigger", must_see=False, group="cause",
           why="Argo promotes the token-auth rollout from the staff canary to every customer", same_fact_as=("github", trig))
    tr.add("slack", promo_line, "trigger", must_see=False, group="cause", why="Argo's line for the promotion",
           same_fact_as=("github", trig))
    bye = b.say(comms_ch, impact + 150, "kemal", "token auth at 100%, goodbye .p12 :wave:")
    tr.add("slack", bye, "context", must_see=False, group="cause", why="the author announces the rollout at 100%")

    # The same evening: Apple's status notice, a cert renewal, another team's page --------------------------------
    china = b.say(stats_ch, epoch("2025-02-12T20:31:00Z"), "applestatus", ":apple: *Apple Developer System Status* · "
                  "Apple Push Notification service: Some users in mainland China may experience delayed "
                  "notifications (ongoing, started 19:50 UTC)")
    b.say(stats_ch, epoch("2025-02-12T23:06:00Z"), "applestatus", ":apple: *Apple Developer System Status* · Apple Push "
          "Notification service: Some users in mainland China may experience delayed notifications (resolved)")
    tr.add("slack", china, "context", must_see=False, group="cause",
           why="an APNs status notice the same evening, for mainland China only")
    b.say(sre_ch, epoch("2025-02-12T20:02:00Z"), "certmanager", ":lock: cert-manager renewed `*.track.forkful.com` "
          "(Let's Encrypt R11), valid until 2025-05-13")
    b.change_event(platform.service, "cert-manager: renewed certificate track-forkful-com (*.track.forkful.com)",
                   epoch("2025-02-12T20:02:00Z"), "cert-manager", details={"issuer": "letsencrypt-r11",
                                                                      "namespace": "tracking-web"})
    b.incident(checkout.service, "[checkout-api] payment provider timeouts", epoch("2025-02-12T20:41:00Z"),
               responders=checkout.members[:2], ack_after=150, resolve_after=40 * 60,
               alert_key="checkout-api/payment provider timeouts",
               notes=[(checkout.members[0], "Adyen latency in their EU region, recovered 21:15", 1500.0)])
    b.incident(identity.service, "[auth-service] token issuance latency", epoch("2025-02-13T06:40:00Z"), urgency="low",
               responders=[], notify=False, ack_after=None, resolve_after=50 * 60,
               alert_key="auth-service/token issuance latency")

    # 21:13 onwards: low-urgency alerts, Push Pulse, #random, riders, CX night shift, reviews -----------------------------
    low = b.incident(svc, REJECT_TITLE, epoch("2025-02-12T21:26:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=fix_live + 900 - epoch("2025-02-12T21:26:00Z"), alert_key=REJECT_KEY,
                     severity="critical", handle="low",
                     alert_summary="push_send_rejected_total{platform=\"ios\"} / push_send_total{platform=\"ios\"} = "
                                   "97.8% over 10m; top reason 403 InvalidProviderToken (low urgency: outside "
                                   "support hours)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the APNs rejection alert fires twelve minutes in, outside support hours: a low-urgency incident that "
               "notifies nobody and stays open until the fix")
    b.say(alerts_ch, epoch("2025-02-12T21:26:03Z"), "pagerduty", ":large_yellow_circle: Triggered (low urgency) "
          "<{{incurl:low}}|#{{inc:low}}> " + REJECT_TITLE, template=True)
    low2 = b.incident(svc, RECEIPT_TITLE, epoch("2025-02-12T21:52:00Z"), urgency="low", responders=[], notify=False,
                      ack_after=None, resolve_after=fix_live + 1500 - epoch("2025-02-12T21:52:00Z"), alert_key=RECEIPT_KEY,
                      severity="warning", handle="low2",
                      alert_summary="ios_push_receipts_total / push_send_total{platform=\"ios\"} = 2.1% over 30m")
    tr.add("pagerduty", low2, "early_signal", must_see=False, group="detection",
           why="the iOS receipt alert, also low urgency")
    b.say(alerts_ch, epoch("2025-02-12T21:52:03Z"), "pagerduty", ":large_yellow_circle: Triggered (low urgency) "
          "<{{incurl:low2}}|#{{inc:low2}}> " + RECEIPT_TITLE, template=True)
    rnd = sc.common["random"]
    remark = b.say(rnd, epoch("2025-02-12T22:31:00Z"), "wilhelmina",
                   "ok is it just me or did the app not tell me my rider was here?? he rang 3 times before I noticed, "
                   "pho was lukewarm :sob: iphone, notifications are on")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="an employee on an iPhone got no rider-arriving push for her own order; an Android colleague did")
    b.say(rnd, epoch("2025-02-12T22:38:00Z"), sc.crowd[3], "android here, got all mine tonight", parent=remark)
    b.say(rnd, epoch("2025-02-12T22:44:00Z"), sc.crowd[9], "focus mode? iOS eats everything when sleep focus kicks in",
          parent=remark)
    b.say(rnd, epoch("2025-02-12T22:51:00Z"), "wilhelmina", "nope no focus. oh well", parent=remark)
    riders = b.say(rider_ch, epoch("2025-02-12T23:04:00Z"), "callum",
                   "riders in Manchester and Leeds say customers aren't coming down tonight, avg wait at the door 4m -> "
                   "9m since ~21:30 and lots of 'customer unreachable'. rain? anything on the app side?")
    tr.add("slack", riders, "early_signal", must_see=False, group="reports",
           why="rider ops sees doorstep waits double since 21:30 and puts it down to the rain")
    b.say(rider_ch, epoch("2025-02-12T23:12:00Z"), sc.crowd[27], "rain radar says heavy in Manchester till midnight",
          parent=riders)
    for when, text in (("2025-02-12T22:48:00Z", "No notifications at all tonight, rider left my food on the doorstep"),
                       ("2025-02-13T00:16:00Z", "Used to tell me when the rider is close, now nothing"),
                       ("2025-02-13T07:31:00Z", "Notifications stopped working after the update?")):
        m = b.say(reviews_ch, epoch(when), "reviewbot", f":star: {1 if '?' not in text else 2}/5 · App Store · "
                  f"\"{text}\"")
        if when.startswith("2025-02-12"):
            tr.add("slack", m, "customer_report", must_see=False, group="reports",
                   why="an App Store review: no notifications tonight")
    nightshift = b.say(cx_ch, epoch("2025-02-12T23:38:00Z"), "jovana",
                       "night shift: 9 chats in the last hour from customers who got no 'rider arriving' notification "
                       "and missed the rider. all iPhone so far. told them to check notification settings + the usual "
                       "£3 credit")
    tr.add("slack", nightshift, "customer_report", must_see=False, group="reports",
           why="the CX night shift sees iPhone customers missing their riders and treats it as a settings problem")
    b.say(cx_ch, epoch("2025-02-13T00:20:00Z"), "tendai", "6 more, same thing. two riders left the bag at the door",
          parent=nightshift)
    b.say(cx_ch, epoch("2025-02-13T01:58:00Z"), "jovana", "quiet now, 40ish total tonight. leaving a note for the morning "
          "team", parent=nightshift)

    # The escalation and the page --------------------------------------------------------------------------------------
    e_at = epoch("2025-02-13T08:21:00Z")
    report = b.say(cx_ch, e_at, "philippa",
                   "escalating: since ~21:30 last night iPhone customers aren't getting any push notifications, rider "
                   "assigned, rider arriving, delivered. 310 chats overnight and 58 one-star App Store reviews about "
                   "it, Android customers fine. riders waiting at doors and marking customers unreachable. is this "
                   "yesterday's app update? who's on call for notifications?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="customer experience escalates the night's contacts: iPhone customers get no push notifications")
    b.say(cx_ch, e_at + 540, "tendai", "all iPhone, mix of 8.13.2 and 8.14.0", parent=report)
    b.say(cx_ch, e_at + 1440, "philippa", "can't find a rota called push, paging notify-gateway from PagerDuty",
          parent=report)
    page_by_hand(b, tr, svc, "iPhone customers get no push notifications since last night (310 chats, riders waiting)",
                 T, responders=["anselm", "sunniva", "kemal"], ack_after=170, resolve_after=1.6 * HOUR,
                 manual_by="philippa",
                 description="CX reports that since about 21:30 yesterday iOS customers receive no rider-assigned, "
                             "rider-arriving or delivered notifications; Android is fine. 310 chats, 58 reviews.",
                 notes=[("anselm", "every iOS push rejected 403 InvalidProviderToken since the token-auth rollout "
                                   "reached 100% at 21:13; production going back to the certificate", 1000.0),
                        ("sunniva", "certificate config live 09:17, Push Pulse iOS delivered 97% in the last 15m, "
                                    "CX told", 3000.0)],
                 relay=alerts_ch, why="customer experience pages notify-gateway by hand the next morning, eleven and a half hours in")

    inc_ch = b.channel("inc-20250213-ios-push", "Incident: no push notifications on iOS", "Incident response",
                       T + 60, "philippa")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "philippa", "incident {{incurl:page}}: since ~21:30 last night iPhone customers get no pushes at all. "
                        "310 chats + 58 one-star reviews. android fine"),
        (70, "callum", "rider side: 2,140 'customer unreachable' flags overnight vs ~600 on a normal wednesday, avg "
                       "doorstep wait 4m -> 9m"),
        (150, "anselm", "looking. iOS app 8.14.0 went out yesterday 16:30, related?"),
        (230, "mikkel", "8.14.0 is on phased release, 1% of auto-updates, and CX has 8.13.2 customers too. the "
                        "permission change only touches new installs. not the app"),
        (300, "sunniva", "quiet hours ({{pr:distractor_quiet}}) only holds marketing + nudges, order updates are "
                         "exempt. and my FCM change yesterday is android only"),
        (370, "ruairi", "apple status had an APNs notice last night but it says mainland China, we're UK only"),
        (430, "teodor", "cert-manager renewed *.track.forkful.com at 20:02, that's the tracking web page, APNs "
                        "doesn't touch it"),
        (500, "kemal", "Push Pulse: iOS 99% rejected since 22:00, top reason 403 InvalidProviderToken. that's the "
                       "provider token"),
        (560, "kemal", "so it's {{url:trigger}}, promoted to 100% at 21:13 after the staff canary. key M4QX8J2TLK is "
                       "in team 7ZK3WQ9M2D, our In-House account with the dogfood app. com.forkful.app is in the App "
                       "Store team 4HX8PDN62R. canary was green because staff phones run dogfood :facepalm:"),
        (640, "ottilie", "fastest way back? the p12s are still in vault right?"),
        (700, "kemal", "yes, valid till 3 March. putting production back on the certificate: {{url:fix}}"),
        (780, "philippa", "why did nobody get paged at 21:30? only our night shift saw it, in chats"),
        (850, "ruairi", "the APNs rejection alert did fire at 21:26 ({{incurl:low}}), at low urgency: "
                        "pagerduty-terraform PR {{num:weakening}} made notify-gateway low urgency outside 08:00-21:00 "
                        "after the nudge-batch nights. that's on me"),
        (930, "perpetua", "and since {{pr:contributor}} a rejected order push doesn't fall back to SMS anymore, so "
                          "those customers got nothing at all"),
        (1560, "kemal", "fix merged, deploying with the canary skipped"),
        (1960, "sunniva", "iOS delivered 97% since the deploy, InvalidProviderToken gone"),
        (2500, "philippa", "CX macro updated, telling customers notifications are back"),
        (3400, "ottilie", "follow-ups: notify-gateway high urgency around the clock again with the nudge batch on its "
                          "own service, SMS fallback back for non-410 rejections, token auth again with a key from "
                          "the App Store team when lowri is back, and App Store builds in the staff canary"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the rejected iOS pushes to the token-auth PR, after the app release, quiet "
                     "hours, the FCM change, Apple's notice and the cert renewal were ruled out",
             weakening="a responder explains why the 21:26 alert paged nobody",
             contributor="a responder explains why customers got no SMS either")

    # The fix and its deploy; then the follow-ups -----------------------------------------------------------------------
    fix = story_pull(b, gw_repo, _FIX, T + 0.2 * HOUR, T + 0.45 * HOUR, "fix", review="go",
                     reviewed=T + 0.43 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="puts production APNs back on the App Store app's certificate: pushes to iPhones are accepted again")
    fdep, _, _ = deploy(fix["merge_commit_sha"][:7], T + 0.5 * HOUR, "kemal",
                        {"href": "{{url:fix}}", "text": _FIX.title}, canary=False)
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix, canary skipped",
           same_fact_as=("github", fix))
    follow = story_pull(b, tf_repo, _FOLLOW_URGENCY, T + 5 * HOUR, T + 7 * HOUR, "follow_urgency", review="yes")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="notify-gateway pages at high urgency at all hours again; the nudge batch gets its own low service")
    applied(follow)
    sms = story_pull(b, gw_repo, _FOLLOW_SMS, T + 1.1 * DAY, T + 1.9 * DAY, "follow_sms", review="thanks")
    tr.add("github", sms, "fix", must_see=False, group="cause",
           why="brings the SMS fallback back for rejections other than Unregistered")
    deploy(sms["merge_commit_sha"][:7], T + 1.95 * DAY, "perpetua", {"href": "{{url:follow_sms}}", "text": sms["title"]})
    story_pull(b, gw_repo, Change(
        author="lowri", reviewer="kemal", labels=("apns",),
        title="APNs: token auth again, with the App Store team's key (4HX8PDN62R) for com.forkful.app",
        body="Second try of token auth after {{incurl:page}}: the consumer app signs with key R7HK2D9QWE of the App "
             "Store team, the dogfood app keeps the In-House key. Canary cohort now includes 200 staff devices on "
             "the App Store build.",
        files=(("config/production.yaml", """@@ -8,14 +8,22 @@ push:
   apns:
-    auth: certificate
     endpoint: https://api.push.apple.com:443
+    auth: token
     apps:
       consumer:
         topic: com.forkful.app
-        cert: vault://secret/notify/apns/consumer-2024.p12
+        token:
+          team_id: 4HX8PDN62R
+          key_id: R7HK2D9QWE
+          key: vault://secret/notify/apns/AuthKey_R7HK2D9QWE.p8
       dogfood:
         topic: com.forkful.app.dogfood
-        cert: vault://secret/notify/apns/dogfood-2024.p12
+        token:
+          team_id: 7ZK3WQ9M2D
+          key_id: M4QX8J2TLK
+          key: vault://secret/notify/apns/AuthKey_M4QX8J2TLK.p8"""),)),
        T + 5 * DAY, T + 7 * DAY, "token_again")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [comms_ch, cx_ch, sc.common["deploys"]], svc, COMMS_PEOPLE[:3], gw_repo,
        titles=("Runbook: iOS pushes rejected with InvalidProviderToken",
                "Alert: page when one platform's push delivery drops below 90% of the other's"),
        doc=("APNs credentials", "com.forkful.app belongs to the App Store team 4HX8PDN62R; the In-House team only "
             "signs the dogfood app."),
        doc_path="docs/runbooks/apns-{n}.md",
        test_fire="[notify-gateway] APNs rejections above 5% of iOS sends (test fire)")
    return world, tr.to_dict()
