"""World "otp-relay": a courier change sends the sign-in and password-reset passcodes for Portugal, Romania and
Greece through Bulkline, a second SMS aggregator whose alphanumeric sender is not yet registered in those
countries, so carriers reject nearly every code and the customers there are locked out. Four weeks earlier,
after a week of night pages caused by Telora's broken delivery receipts, courier had started counting failed or
unknown receipts as delivered (a debug log line), and the voice-call fallback had been removed for toll fraud;
only Bulkline's own alerts, a low-urgency sign-in monitor and an analytics digest show it until customer
support pages Messaging by hand, a day in."""

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

MESSAGING = TeamSpec("messaging", "Messaging", "courier", "courier", "messaging",
                     ("sms", "push", "email", "templates"),
                     ("SMS template", "push token", "email bounce", "aggregator client", "delivery receipt",
                      "send queue", "quiet hours", "locale fallback", "card alert", "sender pool"),
                     ("push send queue lag above 5m", "email provider 5xx above 2%", "courier API p99 above 800ms",
                      "SMS submit errors above 3%"), "kt")
ACCESS = TeamSpec("access", "Access", "signin-api", "signin", "access",
                  ("otp", "devices", "sessions", "recovery"),
                  ("code challenge", "device binding", "session refresh", "password reset", "biometric unlock",
                   "trusted device", "lockout counter", "recovery flow"),
                  ("sign-in API 5xx above 1%", "token service p99 above 400ms", "password reset completion low"),
                  "go")

STAFF = (("oana", "Oana Vasilescu"), ("lasse", "Lasse Nyberg"), ("nkechi", "Nkechi Eze"),
         ("radek", "Radek Hruby"), ("pilar", "Pilar Ugarte"), ("fumiko", "Fumiko Arai"),
         ("sunniva", "Sunniva Haugen"), ("cormac", "Cormac Whelan"), ("ayelet", "Ayelet Shani"),
         ("bronwen", "Bronwen Tate"))
OUTSIDERS = (("tiago", "Tiago Macedo"), ("ottilie", "Ottilie Granger"), ("sadia", "Sadia Karim"),
             ("lucinda", "Lucinda Ferraz"), ("anca", "Anca Popescu"), ("eleni", "Eleni Kosta"))
MESSENGERS = ["oana", "lasse", "nkechi", "radek", "pilar", "fumiko"]
ONCALL = ["lasse", "nkechi", "radek", "pilar"]
ACCESSORS = ["sunniva", "cormac", "ayelet"]
SUPPORT = ["ottilie", "sadia"]
FRAUD = ["lucinda"]
MARKETS = ["tiago", "anca", "eleni"]

DLR_TITLE = "[courier] OTP delivery receipts failed above 8% (10m)"
DLR_KEY = "datadog-monitor/courier-otp-receipts-failed"
LOGIN_TITLE = "[signin-api] new-device sign-in success below 80% in a market (30m)"
LOGIN_KEY = "datadog-monitor/signin-new-device-success-by-market"

_COUNTRIES = ("UK", "IE", "ES", "IT", "PT", "RO", "GR", "NL", "PL", "DE")
_MARKET_NOUNS = ("spring cashback", "savings pot launch", "salary advance pilot", "student account",
                 "travel card promo", "referral bonus", "local IBAN rollout", "premium plan pricing",
                 "card design refresh")
_MARKET_LINES = (
    "{noun}: the local copy is ready for review, link in the doc",
    "regulator asked about {noun}, answering by friday",
    "{noun} numbers for last week are in the market dashboard",
    "can someone from product join our {noun} call on thursday?",
    "partners want a date for {noun}, any news?",
    "{noun} went live here this morning, thanks all",
    "press asked about {noun}, routing to comms",
)
_SUPPORT_NOUNS = ("card delivery", "chargeback", "frozen card", "statement export", "direct debit", "ID check",
                  "savings pot", "account closure", "FX fee")
_SUPPORT_LINES = (
    "customer asks about a {noun}, the macro links an old help page",
    "3 chats today about {noun}, any known issue?",
    "{noun} complaint escalated by the ombudsman team, who can look?",
    "how long does a {noun} take these days? customers ask",
    "a customer was charged twice around a {noun}, details in the ticket",
    "who signs off {noun} exceptions now that the policy changed?",
)
_FRAUD_NOUNS = ("card testing", "mule accounts", "phishing kit", "SIM swap", "refund abuse", "promo abuse",
                "device farm", "friendly fraud")
_FRAUD_LINES = (
    "weekly {noun} numbers are in the deck, slightly down",
    "new {noun} pattern from a partner bank, sharing in the doc",
    "risk: can we tighten the rule for {noun}? false positives look ok",
    "{noun} case closed, funds recovered",
    "reminder: {noun} training for the new analysts on wednesday",
    "is anyone looking at the {noun} alerts from the weekend?",
)
_REVIEW_TEXTS = (
    (5, "en-GB", "Best banking app I've used, savings pots are great"),
    (4, "en-GB", "Good app, would love dark mode on the web too"),
    (2, "es-ES", "La app se cierra al abrir el extracto (crashes when opening the statement)"),
    (5, "it-IT", "Bonifici istantanei, perfetto (instant transfers, perfect)"),
    (3, "nl-NL", "Works fine but the FX fee is confusing"),
    (1, "en-IE", "Card arrived 10 days late and support took ages"),
    (4, "pl-PL", "Fajna aplikacja, brakuje BLIK (nice app, no BLIK yet)"),
    (5, "de-DE", "Schnell und einfach (fast and simple)"),
    (2, "en-GB", "Why do I have to verify my ID again?"),
    (4, "pt-PT", "Gosto muito dos cofres (I really like the savings pots)"),
)
_MONITORS = (
    ("courier", "push send queue lag above 5m", "monitors/messaging/push.tf", 300, "messaging"),
    ("courier", "email provider 5xx above 2%", "monitors/messaging/email.tf", 2, "messaging"),
    ("courier", "SMS submit errors above 3%", "monitors/messaging/sms_submit.tf", 3, "messaging"),
    ("signin-api", "sign-in API 5xx above 1%", "monitors/access/signin.tf", 1, "access"),
    ("ledger-api", "journal write latency above 500ms", "monitors/ledger/journal.tf", 500, "ledger"),
    ("risk-scoring", "score latency above 300ms", "monitors/risk/score.tf", 300, "risk"),
    ("mobile-bff", "BFF 5xx above 2%", "monitors/mobile/bff.tf", 2, "mobile"),
    ("etl-scheduler", "nightly export late", "monitors/data/export.tf", 60, "data"),
)
_EVENTS = ("card_freeze_tapped", "statement_downloaded", "pot_created", "transfer_started", "card_replaced",
           "support_chat_opened", "referral_shared", "fx_quote_viewed")


def _monitor_change(rng: random.Random) -> ConfigChange:
    """One generated PR of the monitors repo: Datadog monitors as Terraform, applied by Atlantis."""
    svc, name, path, threshold, team = rng.choice(_MONITORS)
    stem = path.rsplit("/", 1)[1][:-3]
    head = f'resource "datadog_monitor" "{stem}" {{'
    ticket = f"SRE-{rng.randrange(200, 700)}"
    k = rng.random()
    if k < 0.35:
        new = f"{threshold * rng.choice((0.5, 1.5, 2)):g}"
        return (f"{svc}: '{name}' critical {threshold} -> {new}",
                rng.choice(("Follows the last 30 days of the dashboard.", "Noisy after every deploy.",
                            f"Fired too late in the last incident ({ticket}).")),
                [yaml_file(path, yaml_patch(7, head, ["   monitor_thresholds {", f"-    critical = {threshold}",
                                                      f"+    critical = {new}", "   }"]))])
    if k < 0.5:
        a, c = rng.choice(((0, 60), (60, 30), (30, 120)))
        return (f"{svc}: renotify every {c} minutes", "Agreed in the on-call review.",
                [yaml_file(path, yaml_patch(15, head, [f"-  renotify_interval = {a}", f"+  renotify_interval = {c}"]))])
    if k < 0.65:
        return (f"{svc}: runbook link in '{name}'", "Every notification links its runbook now.",
                [yaml_file(path, yaml_patch(10, head, [
                    f'-  message = "{name} @slack-{team}-alerts"',
                    f'+  message = "{name}. Runbook: https://wiki.lumora.example/runbooks/{stem} @slack-{team}-alerts"']))])
    if k < 0.8:
        a, c = rng.choice(((5, 10), (10, 15), (15, 5)))
        return (f"{svc}: evaluate '{name}' over {c}m", f"Window review ({ticket}).",
                [yaml_file(path, yaml_patch(4, head, [f'-  query   = "avg(last_{a}m):{stem} > {threshold}"',
                                                      f'+  query   = "avg(last_{c}m):{stem} > {threshold}"']))])
    if k < 0.9:
        body = "\n".join([f'+resource "datadog_monitor" "{stem}_warn" {{', f'+  name    = "{name} (warning)"',
                          f'+  message = "{name} trending @slack-{team}-alerts"', "+  monitor_thresholds {",
                          f"+    critical = {threshold}", "+  }", "+}"])
        return (f"{svc}: Slack warning before '{name}' pages", f"A heads-up before the page ({ticket}).",
                [yaml_file(path, f"@@ -40,0 +41,7 @@\n{body}")])
    a = rng.randrange(30, 39)
    return (f"Bump DataDog/datadog provider to 3.{a + 1}.0", "Plan is empty.",
            [yaml_file("versions.tf", yaml_patch(3, "terraform {", [
                '       source  = "DataDog/datadog"', f'-      version = "~> 3.{a}.0"', f'+      version = "~> 3.{a + 1}.0"']))])


def _bulkline_line(rng: random.Random, t: float) -> str:
    """A delivery alert of Bulkline's bot for the marketing SMS it carries to ES and IT, not the story's."""
    country, net = rng.choice((("ES", "Orange ES"), ("IT", "WindTre"), ("ES", "Movistar"), ("IT", "Iliad")))
    sent = rng.randrange(300, 900)
    if rng.random() < 0.7:
        return (f":warning: *Bulkline* delivery alert, account lumora-prod: `{country}` {rng.randrange(20, 60)} of "
                f"{sent} UNDELIV in 15m (error 0x34: absent subscriber, {net})")
    return (f":warning: *Bulkline* delivery alert, account lumora-prod: `{country}` {rng.randrange(15, 45)} of "
            f"{sent} REJECTD in 15m (error 0x45: recipient opted out of promotional messages, {net})")


def _telora_line(rng: random.Random, t: float) -> str:
    """A line of Telora's status bot, not the story's."""
    if rng.random() < 0.4:
        region = rng.choice(("eu-west", "eu-central"))
        return (f":wrench: *Telora Status* Scheduled maintenance: SMPP binds in {region}, "
                f"{rng.choice(('01:00-03:00', '02:00-04:00', '23:00-01:00'))} UTC; submits may be delayed by up to 60s")
    country = rng.choice(_COUNTRIES)
    carrier = rng.choice(("Vodafone", "Orange", "Telekom", "TIM", "MEO", "Cosmote", "Digi"))
    state = rng.choice(("Investigating", "Monitoring", "Resolved"))
    return f":satellite: *Telora Status* {state}: delayed delivery to {carrier} {country} subscribers"


def _bulkline_summary(rng: random.Random, otp: tuple[tuple[str, int, int], ...] = ()) -> str:
    """Bulkline's 6-hour summary: marketing to ES and IT, plus (country, delivered, sent) of passcodes."""
    cells = [f"`{c}` marketing {s - rng.randrange(5, 40):,} DELIVRD / {s:,}"
             for c, s in (("ES", rng.randrange(800, 1_400)), ("IT", rng.randrange(500, 1_000)))]
    cells += [f"`{c}` otp {d:,} DELIVRD / {s:,} ({s - d:,} REJECTD 0x0B)" for c, d, s in otp]
    return ":bar_chart: *Bulkline* 6-hour DLR summary, account lumora-prod: " + " · ".join(cells)


def _review_line(rng: random.Random, t: float) -> str:
    stars, locale, text = rng.choice(_REVIEW_TEXTS)
    store = rng.choice(("App Store", "Google Play"))
    return f":star: {stars}/5 · {store} · {locale} · \"{text}\""


def _anomaly_line(rng: random.Random, t: float) -> str:
    event = rng.choice(_EVENTS)
    ratio = rng.choice((0.4, 0.6, 1.6, 1.8, 2.2))
    return (f":chart_with_upwards_trend: *Anomaly* `{event}` {ratio}x expected since {iso(t)[11:13]}:00 UTC "
            f"(top: {rng.choice(_COUNTRIES)})")


def _funnel_line(day: float, started: int, sent: int, verified: int, resends: int, worst: str) -> str:
    return (f":bar_chart: *Sign-in funnel* {iso(day)[:10]}: new-device sign-ins {started:,} · codes sent {sent:,} · "
            f"codes verified {verified:,} ({100 * verified / sent:.1f}%) · resend taps {resends:,} · lowest verify "
            f"rate: {worst}")


def _bulkline_alert(country: str, rejected: int, sent: int) -> str:
    return (f":warning: *Bulkline* delivery alert, account lumora-prod: `{country}` {rejected} of {sent} REJECTD in "
            "15m (error 0x0B: sender ID not registered for destination network)")


_WEAKENING = Change(
    author="lasse", reviewer="oana", labels=("sms", "on-call"),
    title="Receipts: a failed or unknown delivery receipt no longer fails the SMS (MSG-398)",
    body="Seven pages in seven nights for 'OTP delivery receipts failed', and every time the codes had arrived: "
         "Telora's receipts pipeline migration sends UNKNOWN and EXPIRED receipts, often an hour late, for messages "
         "their own portal shows as delivered (Telora status page, 'investigating' since 01-13).\n\n"
         "Receipts are best effort. With this change a send that the aggregator accepted counts as delivered; a "
         "receipt that says otherwise, or that we can't parse, is logged at debug. A refused submit (4xx/5xx from "
         "the aggregator in `SmsSender`) still counts as failed, and 'SMS submit errors above 3%' still pages.",
    files=(("app/src/main/kotlin/sms/ReceiptHandler.kt", """@@ -31,22 +31,26 @@ class ReceiptHandler(
     fun handle(receipt: DeliveryReceipt) {
         val send = sends.find(receipt.aggregator, receipt.messageId) ?: return unmatched(receipt)
-        val tags = listOf("purpose:${send.purpose}", "aggregator:${receipt.aggregator}", "country:${send.country}")
-        when (val status = DeliveryStatus.parse(receipt.status)) {
-            DeliveryStatus.DELIVERED -> {
-                sends.markDelivered(send, receipt.doneAt)
-                metrics.increment("courier.sms.delivery", tags + "result:delivered")
-            }
-            else -> {
-                sends.markFailed(send, status, receipt.errorCode)
-                metrics.increment("courier.sms.delivery", tags + "result:failed")
-                log.warn("SMS {} to {} not delivered: {} {}", send.id, send.country, status, receipt.errorCode)
-            }
-        }
+        val tags = listOf("purpose:${send.purpose}", "aggregator:${receipt.aggregator}", "country:${send.country}")
+        // Receipts are best effort (MSG-398): Telora reports UNKNOWN/EXPIRED for messages that arrived. What the
+        // aggregator accepted counts as delivered; only a refused submit (SmsSender) is a failed SMS.
+        val status = try {
+            DeliveryStatus.parse(receipt.status)
+        } catch (e: IllegalArgumentException) {
+            DeliveryStatus.UNKNOWN
+        }
+        if (status != DeliveryStatus.DELIVERED) {
+            log.debug("receipt {} for SMS {} to {}: {} {}, counted as delivered",
+                receipt.aggregator, send.id, send.country, status, receipt.errorCode)
+        }
+        sends.markDelivered(send, receipt.doneAt)
+        metrics.increment("courier.sms.delivery", tags + "result:delivered")
     }"""),
           ("app/src/test/kotlin/sms/ReceiptHandlerTest.kt", """@@ -48,12 +48,16 @@ class ReceiptHandlerTest {
     @Test
-    fun `an undelivered receipt fails the send`() {
-        handler.handle(receipt(status = "UNDELIV", errorCode = "0x34"))
-        assertEquals(SendState.FAILED, sends.get("m1").state)
-        assertEquals(1, metrics.count("courier.sms.delivery", "result:failed"))
+    fun `an undelivered receipt is logged and the send counts as delivered`() {
+        handler.handle(receipt(status = "UNDELIV", errorCode = "0x34"))
+        assertEquals(SendState.DELIVERED, sends.get("m1").state)
+        assertEquals(0, metrics.count("courier.sms.delivery", "result:failed"))
+    }
+
+    @Test
+    fun `an unparseable receipt does not throw`() {
+        handler.handle(receipt(status = "ACCEPTD?"))
+        assertEquals(SendState.DELIVERED, sends.get("m1").state)
     }""")),
)

_CONTRIBUTOR = Change(
    author="sunniva", reviewer="cormac", labels=("otp", "fraud"),
    title="Code challenges: remove the 'Call me with a code' voice fallback (FRAUD-77)",
    body="Fraud ops found 1,900 voice-code calls to premium-rate number ranges in 48 hours last week (FRAUD-77, "
         "about EUR 6k in call charges): international revenue share fraud through our 'Call me with a code' "
         "option. Voice codes are used in about 1% of code challenges.\n\n"
         "This removes the option from the code screen (app and web read `options` from this endpoint) and turns "
         "off the Telora voice provider. A user who doesn't get an SMS can tap Resend, up to 5 codes per 15 "
         "minutes, or contact support. (Emailed codes for password reset went away last year, ACC-120.)",
    files=(("internal/otp/options.go", """@@ -12,17 +12,9 @@ import (
 // Options returns what the code screen offers once a code has been sent.
 func (s *Service) Options(ch *Challenge) []Option {
-    opts := []Option{OptionResendSMS}
-    // After two SMS attempts the user may ask for a voice call that reads the code out.
-    if ch.Attempts >= 2 && s.cfg.VoiceFallback.Enabled {
-        opts = append(opts, OptionCallMe)
-    }
-    return opts
+    // No voice-call codes: premium-rate toll fraud (FRAUD-77). Resend is the only option.
+    return []Option{OptionResendSMS}
 }
-
-func (s *Service) CallMe(ctx context.Context, ch *Challenge) error {
-    return s.voice.Call(ctx, ch.Phone, ch.Code, ch.Locale)
-}"""),
           ("config/production.yaml", """@@ -20,9 +20,6 @@ otp:
   ttl: 5m
   max_sends_per_15m: 5
   code_length: 6
-  voice_fallback:
-    enabled: true
-    provider: telora-voice
 devices:
   trust_days: 90""")),
)

_TRIGGER = Change(
    author="nkechi", reviewer="radek", labels=("sms", "cost"),
    title="SMS: send passcodes for PT, RO and GR through Bulkline (MSG-412)",
    body="Part of the SMS cost review (MSG-412): Bulkline's per-message price to Portugal, Romania and Greece is "
         "about 40% below Telora's, around EUR 4k a month at our passcode volume. Bulkline has carried our "
         "marketing SMS to ES and IT since December.\n\n"
         "- passcodes were pinned to Telora in `RouteTable`; now they follow `config/routing.yaml` like every "
         "other SMS\n"
         "- a new route sends `otp` to PT, RO and GR through Bulkline, sender `LUMORA`\n"
         "- every other country keeps Telora for passcodes; marketing is unchanged\n\n"
         "Tested on staging with Bulkline's sandbox account.",
    files=(("app/src/main/kotlin/sms/RouteTable.kt", """@@ -14,14 +14,11 @@ class RouteTable(
     fun routeFor(message: SmsMessage): Route {
-        // One-time passcodes always go through Telora: its sender is registered in every market we serve.
-        if (message.purpose == Purpose.OTP) {
-            return Route(aggregators.getValue("telora"), senderId = null)
-        }
+        // Passcodes follow the route table like every other SMS (MSG-412).
         val rule = config.routes.firstOrNull { message.purpose in it.purposes && message.country in it.countries }
             ?: return Route(aggregators.getValue(config.defaultAggregator), senderId = null)
         return Route(aggregators.getValue(rule.aggregator), senderId = rule.senderId)
     }"""),
           ("config/routing.yaml", """@@ -1,9 +1,13 @@
 # Which aggregator sends which SMS, by purpose and destination country (ISO 3166-1 alpha-2).
 default_aggregator: telora
 routes:
   - purposes: [marketing, card_alert]
     countries: [ES, IT]
     aggregator: bulkline
     sender_id: LUMORA
+  - purposes: [otp]
+    countries: [PT, RO, GR]
+    aggregator: bulkline
+    sender_id: LUMORA"""),
           ("app/src/test/kotlin/sms/RouteTableTest.kt", """@@ -40,6 +40,13 @@ class RouteTableTest {
+    @Test
+    fun `passcodes to Portugal go through Bulkline`() {
+        val route = table.routeFor(sms(purpose = Purpose.OTP, country = "PT"))
+        assertEquals("bulkline", route.aggregator.name)
+        assertEquals("LUMORA", route.senderId)
+    }
+""")),
)

_FIX = Change(
    author="nkechi", reviewer="oana", labels=("incident", "sms"),
    title="SMS: passcodes for PT, RO and GR back on Telora; passcodes only use a sender registered for the country",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} the passcodes for Portugal, Romania and Greece went "
         "through Bulkline with the sender `LUMORA`, which is registered with Bulkline for ES and IT only. Carriers "
         "in PT, RO and GR reject an unregistered alphanumeric sender: Bulkline accepted every submit and sent back "
         "REJECTD receipts (error 0x0B), and customers never got their code.\n\n"
         "The `otp` route is gone, so those passcodes use Telora again. `RouteTable` now sends a passcode only "
         "through an aggregator whose sender is listed as registered for the destination in "
         "`config/senders.yaml`, and falls back to Telora otherwise.",
    files=(("config/routing.yaml", """@@ -1,13 +1,9 @@
 # Which aggregator sends which SMS, by purpose and destination country (ISO 3166-1 alpha-2).
 default_aggregator: telora
 routes:
   - purposes: [marketing, card_alert]
     countries: [ES, IT]
     aggregator: bulkline
     sender_id: LUMORA
-  - purposes: [otp]
-    countries: [PT, RO, GR]
-    aggregator: bulkline
-    sender_id: LUMORA"""),
           ("config/senders.yaml", """@@ -0,0 +1,5 @@
+# Alphanumeric senders confirmed registered, per aggregator and country. Passcodes only use these.
+bulkline:
+  LUMORA: [ES, IT]
+telora:
+  Lumora: [UK, IE, ES, IT, PT, RO, GR, NL, PL, DE]"""),
           ("app/src/main/kotlin/sms/RouteTable.kt", """@@ -14,11 +14,15 @@ class RouteTable(
     fun routeFor(message: SmsMessage): Route {
-        // Passcodes follow the route table like every other SMS (MSG-412).
         val rule = config.routes.firstOrNull { message.purpose in it.purposes && message.country in it.countries }
             ?: return Route(aggregators.getValue(config.defaultAggregator), senderId = null)
+        // A passcode must not go out under a sender the destination's carriers don't know: they drop it.
+        if (message.purpose == Purpose.OTP && !senders.registered(rule.aggregator, rule.senderId, message.country)) {
+            return Route(aggregators.getValue("telora"), senderId = null)
+        }
         return Route(aggregators.getValue(rule.aggregator), senderId = rule.senderId)
     }""")),
)

_FOLLOW = Change(
    author="lasse", reviewer="radek", labels=("sms", "incident"),
    title="Receipts: failed receipts fail the SMS again; Telora's UNKNOWN receipts get their own metric",
    body="Follow-up of {{incurl:page}}. Reverts the best-effort receipts of {{url:weakening}}: for 23 hours courier "
         "counted Bulkline's REJECTD receipts as delivered, so 'OTP delivery receipts failed' could not fire.\n\n"
         "A REJECTD, UNDELIV or EXPIRED receipt fails the send again and is logged at warn. Only Telora's UNKNOWN "
         "receipt, which their pipeline still sends late for delivered messages, goes to "
         "`courier.sms.receipt_unknown` and does not page.",
    files=(("app/src/main/kotlin/sms/ReceiptHandler.kt", """@@ -33,18 +33,20 @@ class ReceiptHandler(
-        // Receipts are best effort (MSG-398): Telora reports UNKNOWN/EXPIRED for messages that arrived. What the
-        // aggregator accepted counts as delivered; only a refused submit (SmsSender) is a failed SMS.
-        val status = try {
-            DeliveryStatus.parse(receipt.status)
-        } catch (e: IllegalArgumentException) {
-            DeliveryStatus.UNKNOWN
-        }
-        if (status != DeliveryStatus.DELIVERED) {
-            log.debug("receipt {} for SMS {} to {}: {} {}, counted as delivered",
-                receipt.aggregator, send.id, send.country, status, receipt.errorCode)
-        }
-        sends.markDelivered(send, receipt.doneAt)
-        metrics.increment("courier.sms.delivery", tags + "result:delivered")
+        when (val status = DeliveryStatus.parseOrUnknown(receipt.status)) {
+            DeliveryStatus.DELIVERED -> {
+                sends.markDelivered(send, receipt.doneAt)
+                metrics.increment("courier.sms.delivery", tags + "result:delivered")
+            }
+            DeliveryStatus.UNKNOWN -> metrics.increment("courier.sms.receipt_unknown", tags)
+            else -> {
+                sends.markFailed(send, status, receipt.errorCode)
+                metrics.increment("courier.sms.delivery", tags + "result:failed")
+                log.warn("SMS {} to {} not delivered: {} {}", send.id, send.country, status, receipt.errorCode)
+            }
+        }"""),),
)

_VOICE_BACK = Change(
    author="sunniva", reviewer="cormac", labels=("otp", "incident"),
    title="Code challenges: voice-call codes back, premium-rate ranges blocked",
    body="Follow-up of {{incurl:page}}: with {{url:contributor}} a customer whose SMS never arrives has no other "
         "way to get a code. 'Call me with a code' is back after two SMS attempts, but never to the premium-rate "
         "and shared-cost ranges fraud ops listed in FRAUD-77, and at most 2 calls per number per day.",
    files=(("internal/otp/options.go", """@@ -12,9 +12,14 @@ import (
 func (s *Service) Options(ch *Challenge) []Option {
-    // No voice-call codes: premium-rate toll fraud (FRAUD-77). Resend is the only option.
-    return []Option{OptionResendSMS}
+    opts := []Option{OptionResendSMS}
+    // Voice codes after two SMS attempts, never to premium-rate ranges (FRAUD-77).
+    if ch.Attempts >= 2 && s.cfg.VoiceFallback.Enabled && !s.premium.Match(ch.Phone) {
+        opts = append(opts, OptionCallMe)
+    }
+    return opts
 }"""),),
)


def build_otp_relay(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the otp-relay world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="otp-relay", seed=2025_02_19, org="lumora", team_name="Messaging",
                    page_at="2025-02-19T14:41:00Z", impact_start="2025-02-18T15:33:00Z",
                    noise_teams=("ledger", "risk", "mobile", "platform", "data", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("bulkline", "Bulkline Notify"), ("telora", "Telora Status"), ("reviewbot", "App Reviews"),
                      ("funnelbot", "Product Analytics"), ("atlantis", "Atlantis")):
        b.person(key, name, github=False, is_bot=True)
    ledger, mobile = sc.team("ledger"), sc.team("mobile")

    # Messaging and Access: PagerDuty, channels, repos ------------------------------------------------------
    m_team = b.team("Messaging")
    m_policy = b.policy("Messaging on-call", m_team, ONCALL)
    svc = b.service("courier", "Messaging: SMS, push and email for every product, through Telora and Bulkline",
                    m_policy, m_team, iso(start - 800 * DAY))
    a_team = b.team("Access")
    a_policy = b.policy("Access on-call", a_team, ACCESSORS)
    a_svc = b.service("signin-api", "Access: sign-in, code challenges, trusted devices, password reset", a_policy,
                      a_team, iso(start - 760 * DAY))
    msg_ch = b.channel("messaging", "Messaging: SMS, push, email", "Messaging team", start - 700 * DAY, "oana")
    msa_ch = b.channel("messaging-alerts", "Pages of courier", "PagerDuty notifications", start - 500 * DAY, "lasse")
    prov_ch = b.channel("sms-providers", "Telora and Bulkline: status, delivery alerts, summaries",
                        "SMS aggregators", start - 420 * DAY, "oana")
    acc_ch = b.channel("access", "Access: sign-in, codes, devices", "Access team", start - 690 * DAY, "sunniva")
    cx_ch = b.channel("cx-escalations", "Customer support escalations", "Customer support", start - 720 * DAY,
                      "ottilie")
    fr_ch = b.channel("fraud-ops", "Fraud operations", "Fraud ops", start - 650 * DAY, "lucinda")
    mk_ch = b.channel("markets", "Country teams: PT, RO, GR, ES, IT, IE", "Markets", start - 600 * DAY, "anca")
    rv_ch = b.channel("app-reviews", "App Store and Google Play reviews", "Reviews feed", start - 480 * DAY, "ottilie")
    ah_ch = b.channel("app-health", "Product analytics: funnels and anomalies", "Product analytics",
                      start - 450 * DAY, "ayelet")
    mon_ch = b.channel("monitors", "Datadog monitors as Terraform; Atlantis applies", "Monitors", start - 520 * DAY,
                       "bronwen")
    courier = b.repo("courier", "Messaging service: SMS, push and email (Kotlin)", iso(start - 900 * DAY))
    signin = b.repo("signin", "Sign-in API: code challenges, devices, sessions, recovery (Go)",
                    iso(start - 880 * DAY))
    monitors = b.repo("monitors", "Datadog monitors as Terraform, applied by Atlantis", iso(start - 540 * DAY))

    def deployed(pull: dict[str, Any], service: str, name: str, at: float, who: str,
                 link: str | None = None) -> dict[str, Any]:
        """A CI deploy of a merged story PR: a change event on `service` and the deploy bot's line."""
        sha7 = pull["merge_commit_sha"][:7]
        links = [{"href": "{{url:" + link + "}}", "text": pull["title"]}] if link else \
            [{"href": f"https://github.com/{pull['repo']}/commit/{sha7}", "text": sha7}]
        ev = b.change_event(service, f"Deploy {name}@{sha7} to production", at, "ci-deploy", links=links,
                            details={"deployer": who, "environment": "production"})
        if link:
            b.templated.append((links[0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: {name} `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        return ev

    def applied(pull: dict[str, Any]) -> None:
        at, sha7 = epoch(pull["merged_at"]) + 150, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        b.say(mon_ch, at + 4, "atlantis", f":white_check_mark: `terraform apply` succeeded for monitors@{sha7} "
              f"({pull['title']}): {len(names)} file(s)")
        if any("/messaging/" in x for x in names):
            b.change_event(svc, f"terraform apply monitors@{sha7} ({pull['title']})", at, "atlantis",
                           details={"files": names, "workspace": "prod"})

    # Their noise ---------------------------------------------------------------------------------------
    n = sc.scale
    msg = NoiseTeam(MESSAGING, MESSENGERS, courier, msg_ch, svc, m_policy)
    acc = NoiseTeam(ACCESS, ACCESSORS + sc.crowd[21:23], signin, acc_ch, a_svc, a_policy)
    add_pulls(b, msg, 85 * n, start - 60 * DAY, end)
    add_pulls(b, acc, 50 * n, start - 60 * DAY, end)
    config_pulls(b, monitors, ["bronwen", "pilar", "cormac"] + sc.crowd[10:14], 45 * n, start - 60 * DAY, end,
                 _monitor_change, on_merge=applied)
    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (courier, monitors)][-150:]
    add_chat(b, msg_ch, MESSENGERS, MESSAGING.nouns, 160 * n, start, end, links=links)
    acc_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == signin][-100:]
    add_chat(b, acc_ch, acc.members, ACCESS.nouns, 70 * n, start, end, links=acc_links)
    add_chat(b, mk_ch, MARKETS + sc.crowd[24:26], _MARKET_NOUNS, 45 * n, start, end, lines=_MARKET_LINES,
             thread_rate=0.4)
    add_chat(b, cx_ch, SUPPORT + ["cormac", "pilar"] + sc.crowd[26:28], _SUPPORT_NOUNS, 60 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    add_chat(b, fr_ch, FRAUD + ["sunniva"] + sc.crowd[28:30], _FRAUD_NOUNS, 40 * n, start, end, lines=_FRAUD_LINES,
             thread_rate=0.4)
    for ch, joiners in ((msg_ch, MESSENGERS), (acc_ch, ACCESSORS), (cx_ch, SUPPORT), (fr_ch, FRAUD + ACCESSORS[:1]),
                        (prov_ch, MESSENGERS[:3]), (mk_ch, MARKETS), (ah_ch, ACCESSORS + MESSENGERS[:1])):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, msg, 10 * n, start, end, msa_ch)
    add_incidents(b, acc, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, msg, int(35 * n), start, end, sc.common["deploys"])
    add_deploys(b, acc, int(25 * n), start, end, sc.common["deploys"])
    bot_feed(b, prov_ch, "telora", int(0.6 * (end - start) / DAY) * n, start, end, _telora_line)
    bot_feed(b, prov_ch, "bulkline", int(0.4 * (end - start) / DAY) * n, start, end, _bulkline_line)
    bot_feed(b, rv_ch, "reviewbot", int(3 * (end - start) / DAY) * n, start, end, _review_line)
    bot_feed(b, ah_ch, "funnelbot", int(0.5 * (end - start) / DAY) * n, start, end, _anomaly_line)
    # The sign-in success monitor has always been low urgency: it opened twice this winter and paged no one.
    for when, note in (("2024-12-09T19:20:00Z", "UK, app 7.11 keyboard bug"), ("2025-01-06T08:45:00Z", "IE, Telora")):
        b.incident(a_svc, LOGIN_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=1.1 * HOUR, alert_key=LOGIN_KEY, severity="warning",
                   alert_summary=f"signin.new_device.success_ratio by market below 0.80 for 30m ({note})")

    # The daily sign-in funnel digest ------------------------------------------------------------------------
    day = start - start % DAY
    while day < end:
        if day == epoch("2025-02-18"):
            line = _funnel_line(day, 63_114, 71_950, 63_316, 14_930, "GR 57.9%, PT 60.2%, RO 63.4%")
            m = b.say(ah_ch, day + DAY + 7 * HOUR + 40, "funnelbot", line)
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the daily funnel digest: codes verified in GR, PT and RO around 60% (usually above 84%), resend "
                       "taps twice usual; nobody reacts")
        elif day == epoch("2025-02-19"):
            b.say(ah_ch, day + DAY + 7 * HOUR + 55, "funnelbot",
                  _funnel_line(day, 60_850, 74_977, 63_080, 19_212, "GR 36.1%, PT 39.8%, RO 42.5%"))
        else:
            started = rng.randrange(48_000, 66_000)
            sent = int(started * rng.uniform(1.08, 1.14))
            verified = int(sent * rng.uniform(0.90, 0.94))
            worst = f"{rng.choice(_COUNTRIES)} {rng.uniform(84, 89):.1f}%"
            b.say(ah_ch, day + DAY + 7 * HOUR + rng.uniform(10, 90), "funnelbot",
                  _funnel_line(day, started, sent, verified, int(sent * rng.uniform(0.09, 0.13)), worst))
        day += DAY

    # Nov-Dec: Bulkline joins for marketing SMS -------------------------------------------------------------
    market = story_pull(b, courier, Change(
        author="pilar", reviewer="oana", labels=("sms",),
        title="SMS: Bulkline as a second aggregator for marketing and card alerts in ES and IT",
        body="Bulkline is cheaper for Spanish and Italian numbers and has registered our `LUMORA` sender there. "
             "Marketing and card-alert SMS to ES and IT go through it; passcodes stay pinned to Telora.",
        files=(("config/routing.yaml", """@@ -1,3 +1,8 @@
 # Which aggregator sends which SMS, by purpose and destination country (ISO 3166-1 alpha-2).
 default_aggregator: telora
-routes: []
+routes:
+  - purposes: [marketing, card_alert]
+    countries: [ES, IT]
+    aggregator: bulkline
+    sender_id: LUMORA"""),)),
        epoch("2024-11-26T10:00:00Z"), epoch("2024-12-03T13:00:00Z"), "bulkline_marketing")
    deployed(market, svc, "courier", epoch("2024-12-03T14:10:00Z"), "pilar")

    # Jan 13-19: Telora's receipts pipeline breaks, OTP receipt pages every night --------------------------
    for when, text in (("2025-01-13T20:30:00Z", "Investigating: delivery receipts delayed or reported as UNKNOWN "
                        "for some EU destinations"),
                       ("2025-01-17T11:05:00Z", "Identified: receipts pipeline migration re-sends old receipts with "
                        "status UNKNOWN or EXPIRED; messages are delivered. Fix rolling out next week"),
                       ("2025-01-27T16:40:00Z", "Resolved: delivery receipts are back to normal")):
        b.say(prov_ch, epoch(when), "telora", f":satellite: *Telora Status* {text}")
    noisy_at = ("2025-01-13T21:14:00Z", "2025-01-14T03:40:00Z", "2025-01-15T22:05:00Z", "2025-01-16T04:12:00Z",
                "2025-01-17T20:48:00Z", "2025-01-18T02:31:00Z", "2025-01-19T23:10:00Z")
    notes = ("Telora portal shows these delivered; receipts came back UNKNOWN an hour late. resolving",
             "same as last night, Telora receipts. codes are arriving (tested on my phone)")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        rate = 9.1 + (i * 1.7) % 6
        inc = b.incident(svc, DLR_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]], ack_after=180 + 30 * i,
                         resolve_after=1100 + 150 * i, handle=f"noisy{i}", alert_key=DLR_KEY,
                         alert_summary=f"courier.sms.delivery{{result:failed,purpose:otp}} / "
                                       f"courier.sms.delivery{{purpose:otp}} = {rate:.1f}% over 10m "
                                       "(aggregator:telora)",
                         notes=[(who, notes[i % 2], 700.0)] if i % 3 != 1 else None)
        b.say(msa_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{DLR_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages for Telora's broken delivery receipts that led to the receipt change")
    grumbles = (("2025-01-14T08:20:00Z", "lasse", "paged 03:40 for OTP delivery receipts again. Telora's portal says "
                 "those messages were delivered, the receipts come back UNKNOWN an hour later"),
                ("2025-01-16T09:05:00Z", "radek", "fourth receipts page this week. Telora's status page has said "
                 "'investigating' since monday"),
                ("2025-01-17T10:30:00Z", "pilar", "Telora support: it's their receipts pipeline migration, fix "
                 "'next week'. the receipts are wrong, the SMS are fine"),
                ("2025-01-19T09:45:00Z", "nkechi", "can we stop treating a bad receipt as a failed SMS? we get paged "
                 "for Telora's webhook, not for our sends"),
                ("2025-01-20T09:10:00Z", "lasse", "I'll make receipts best effort: only a refused submit counts as a "
                 "failure. 'SMS submit errors above 3%' still pages"))
    for when, who, text in grumbles:
        m = b.say(msg_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the receipt pages")

    # Jan 20-22: receipts stop failing SMS ---------------------------------------------------------------
    weak = story_pull(b, courier, _WEAKENING, epoch("2025-01-20T10:00:00Z"), epoch("2025-01-22T11:30:00Z"), "weakening",
                      review="fine for now; let's revisit once Telora's pipeline is fixed (MSG-401)",
                      reviewed=epoch("2025-01-22T10:58:00Z"),
                      comments=(("radek", "does this change Bulkline's receipts too?", epoch("2025-01-20T14:02:00Z")),
                                ("lasse", "same handler, yes. Bulkline only carries marketing and card alerts, its "
                                 "receipts never paged anyone", epoch("2025-01-20T14:30:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="made courier count failed or unknown delivery receipts as delivered, with a debug log line: the "
               "'OTP delivery receipts failed' monitor could no longer fire, whatever the carriers did")
    wev = deployed(weak, svc, "courier", epoch("2025-01-22T12:05:00Z"), "lasse")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the deploy of the receipt change", same_fact_as=("github", weak))
    b.say(msg_ch, epoch("2025-01-22T12:20:00Z"), "lasse",
          "merged and deployed {{url:weakening}}: a bad receipt is a debug line now, no more 3am receipt pages :zzz:",
          template=True)

    # Jan 27 - Feb 5: fraud ops asks to remove voice codes; Access removes them ----------------------------------
    ask = b.say(fr_ch, epoch("2025-01-27T15:10:00Z"), "lucinda",
                "toll fraud on voice codes: 1,900 'call me with a code' calls to premium-rate ranges in 48h (FRAUD-77), "
                "about EUR 6k. Access, can we switch voice codes off?")
    tr.add("slack", ask, "context", must_see=False, group="cause",
           why="fraud ops asks Access to remove the voice-call codes")
    b.say(fr_ch, epoch("2025-01-27T16:02:00Z"), "sunniva", "it's ~1% of challenges, I'll take it out this sprint",
          parent=ask)
    contrib = story_pull(b, signin, _CONTRIBUTOR, epoch("2025-02-03T10:00:00Z"), epoch("2025-02-05T13:20:00Z"),
                         "contributor", review="ok. resend covers most cases", reviewed=epoch("2025-02-05T12:40:00Z"),
                         comments=(("ayelet", "the app hides the 'Call me' button when it's not in options, no "
                                    "release needed", epoch("2025-02-03T15:30:00Z")),))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="removed the voice-call fallback: customers whose SMS codes never arrived had no other way to sign "
               "in or reset their password")
    cev = deployed(contrib, a_svc, "signin-api", epoch("2025-02-05T14:00:00Z"), "sunniva")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy of the voice removal",
           same_fact_as=("github", contrib))

    # Feb 6-7: a loosened submit-latency monitor on courier (a red herring) ---------------------------------
    lat = story_pull(b, monitors, Change(
        author="pilar", reviewer="bronwen", labels=("monitors",),
        title="courier: OTP SMS submit latency p95 monitor 3s -> 5s",
        body="Telora's submit API sits at 3-4s p95 on weekday evenings; the monitor paged four times in January "
             "and nothing was wrong. 5s for 15m still catches a stuck bind.",
        files=(("monitors/messaging/sms_submit_latency.tf", yaml_patch(
            4, 'resource "datadog_monitor" "sms_submit_latency" {',
            ['   query   = "percentile(last_15m):p95:courier.sms.submit_ms{purpose:otp} > 5000"',
             "   monitor_thresholds {", "-    critical = 3000", "+    critical = 5000", "   }"])),)),
        epoch("2025-02-06T10:30:00Z"), epoch("2025-02-07T09:15:00Z"), "distractor_latency")
    applied(lat)

    # Feb 10-18: Bulkline's sender registration, the routing change --------------------------------------------
    reg = b.say(prov_ch, epoch("2025-02-10T11:15:00Z"), "oana",
                "from Bulkline's account manager: our LUMORA sender is registered with them for ES and IT. the PT, RO "
                "and GR registrations were filed on 02-07, carriers there take 10-15 business days")
    tr.add("slack", reg, "context", must_see=False, group="cause",
           why="the team is told the Bulkline sender is not yet registered in PT, RO and GR")
    b.say(prov_ch, epoch("2025-02-10T11:40:00Z"), "nkechi", "noted, thanks", parent=reg)
    trig = story_pull(b, courier, _TRIGGER, epoch("2025-02-12T13:30:00Z"), epoch("2025-02-18T14:58:00Z"), "trigger",
                      review="lgtm, nice saving", reviewed=epoch("2025-02-18T14:40:00Z"),
                      review_comments=(("radek", "is LUMORA registered with Bulkline for PT/RO/GR yet?",
                                        "config/routing.yaml", 12, epoch("2025-02-12T16:00:00Z")),),
                      comments=(("nkechi", "Bulkline opened the PT, RO and GR routes on our account on the 11th "
                                 "(BL-20931), it's in their portal", epoch("2025-02-13T09:10:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="moved the passcodes for PT, RO and GR from Telora to Bulkline under a sender not registered there: "
               "carriers rejected nearly every code")
    ship_trigger(sc, svc, "courier", trig, _TRIGGER, epoch("2025-02-18T15:31:00Z"), "nkechi")

    # Feb 18 09:00: the app release (a red herring) --------------------------------------------------------
    b.say(sc.common["deploys"], epoch("2025-02-18T09:00:30Z"), "deploybot",
          ":iphone: mobile-app 7.14.0 phased rollout started: 20% iOS, 20% Android (new code entry screen)")
    b.say(mobile.channel, epoch("2025-02-18T09:04:00Z"), mobile.members[0],
          "7.14.0 is rolling out at 20%, the new code entry screen with SMS autofill is in")

    # From 15:49: Bulkline rejects, a low-urgency monitor, analytics, support, a country manager -------------
    first = b.say(prov_ch, epoch("2025-02-18T15:49:20Z"), "bulkline", _bulkline_alert("PT", 318, 331))
    tr.add("slack", first, "early_signal", must_see=True, group="detection",
           why="Bulkline's first rejection alert: nearly every passcode to Portugal REJECTD for an unregistered "
               "sender, eighteen minutes after the deploy; nothing pages")
    for when, country, rej, sent in (("2025-02-18T15:52:40Z", "RO", 204, 209), ("2025-02-18T16:06:10Z", "GR", 141, 146),
                                     ("2025-02-18T17:35:00Z", "PT", 402, 410), ("2025-02-18T19:50:30Z", "RO", 266, 270),
                                     ("2025-02-19T07:20:10Z", "PT", 377, 384), ("2025-02-19T09:05:45Z", "GR", 219, 223),
                                     ("2025-02-19T11:40:20Z", "RO", 305, 311), ("2025-02-19T13:55:00Z", "PT", 449, 458)):
        m = b.say(prov_ch, epoch(when), "bulkline", _bulkline_alert(country, rej, sent))
        if country == "RO" and rej == 204:
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="Bulkline rejects the Romanian passcodes too")
    fix_done = T + 0.75 * HOUR
    shipped = epoch("2025-02-18T15:31:00Z")
    slot = epoch("2024-12-04T00:00:00Z")
    while slot < end:
        otp: tuple[tuple[str, int, int], ...] = ()
        # Passcodes went through Bulkline from the trigger's deploy to the fix's: scale by that share of the window.
        share = max(0.0, min(slot, fix_done) - max(slot - 6 * HOUR, shipped)) / (6 * HOUR)
        if share > 0:
            busy = share * (1.0 if iso(slot)[11:13] in ("12", "18") else 0.55)
            otp = tuple((c, rng.randrange(1, 13), int(base * busy * rng.uniform(0.9, 1.1)))
                        for c, base in (("PT", 1_400), ("RO", 950), ("GR", 640)))
        b.say(prov_ch, slot + 120 + rng.uniform(0, 20), "bulkline", _bulkline_summary(rng, otp))
        slot += 6 * HOUR
    low = b.incident(a_svc, LOGIN_TITLE, epoch("2025-02-18T16:25:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=fix_done + 1200 - epoch("2025-02-18T16:25:00Z"), alert_key=LOGIN_KEY,
                     severity="warning", alert_summary="signin.new_device.success_ratio by market below 0.80 for 30m: "
                     "PT 0.21, RO 0.34 (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the sign-in success monitor opened a low-urgency incident for PT and RO within the hour; it paged no "
               "one and stayed open until the fix")
    anomaly = b.say(ah_ch, epoch("2025-02-18T17:10:00Z"), "funnelbot", ":chart_with_upwards_trend: *Anomaly* "
                    "`otp_resend_tapped` 3.4x expected since 16:00 UTC (top: PT, RO, GR)")
    tr.add("slack", anomaly, "early_signal", must_see=False, group="detection",
           why="product analytics: resend-code taps 3.4x expected in PT, RO and GR")
    early_cx = b.say(cx_ch, epoch("2025-02-18T18:40:00Z"), "sadia",
                     "a few chats from PT customers: the sign-in code doesn't arrive on a new phone. asked them to "
                     "check signal and SMS blocking, probably their carrier?")
    tr.add("slack", early_cx, "customer_report", must_see=False, group="reports",
           why="the first customer chats, taken for a carrier problem")
    review = b.say(rv_ch, epoch("2025-02-18T20:15:00Z"), "reviewbot", ":star: 1/5 · Google Play · pt-PT · \"O código "
                   "SMS nunca chega, não consigo entrar na app (the SMS code never arrives, I can't get into the app)\"")
    tr.add("slack", review, "customer_report", must_see=False, group="reports",
           why="an app review from Portugal: the code never arrives")
    for when, locale, text in (("2025-02-19T08:10:00Z", "ro-RO", "Nu primesc codul prin SMS de ieri (no SMS code "
                                "since yesterday)"),
                               ("2025-02-19T10:45:00Z", "el-GR", "Δεν έρχεται ποτέ ο κωδικός (the code never comes)"),
                               ("2025-02-19T12:30:00Z", "pt-PT", "Não consigo recuperar a password, o SMS não chega "
                                "(can't reset my password, no SMS)")):
        b.say(rv_ch, epoch(when), "reviewbot", f":star: 1/5 · App Store · {locale} · \"{text}\"")
    b.say(prov_ch, epoch("2025-02-19T00:45:00Z"), "telora", ":wrench: *Telora Status* Scheduled maintenance: SMPP binds "
          "in eu-central, 01:00-03:00 UTC; submits may be delayed by up to 60s")
    remark = b.say(sc.common["eng-help"], epoch("2025-02-19T08:35:00Z"), "tiago",
                   "not sure who to ask: new phone last night, and the Lumora sign-in code never arrives on my PT "
                   "number (5 tries, Resend does nothing, and there's no 'call me' anymore?). my mother in Porto "
                   "can't reset her password either. known issue?")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="the Portugal country manager never gets his sign-in code and asks engineering; it is waved off")
    b.say(sc.common["eng-help"], epoch("2025-02-19T08:52:00Z"), "cormac", "sign-in looks healthy on our dashboards and "
          "codes are being sent. could be your carrier filtering, try restarting the phone?", parent=remark)
    b.say(sc.common["eng-help"], epoch("2025-02-19T08:55:00Z"), "tiago", "ok, will try later", parent=remark)
    b.say(mk_ch, epoch("2025-02-19T10:20:00Z"), "eleni", "Greek customers on Instagram say they can't log in on new "
          "phones since last night, anyone else?")
    fraud = b.say(fr_ch, epoch("2025-02-19T11:40:00Z"), "lucinda", "call-centre account recoveries in PT and RO are 5x "
                  "normal today, all 'no SMS code'. could be social engineering, we're watching for SIM swaps")
    tr.add("slack", fraud, "early_signal", must_see=False, group="reports",
           why="fraud ops sees call-centre recoveries 5x in PT and RO and suspects an attack")

    # Feb 19: a teammate's sign-in deploy, another team's page ---------------------------------------------------
    trust = story_pull(b, signin, Change(
        author="ayelet", reviewer="cormac", labels=("devices",),
        title="Trusted devices: 'Trust this device' copy and the 90-day re-verify reminder",
        body="New copy for the trust prompt, and a reminder three days before a trusted device needs a new code. "
             "No change to how codes are sent or checked.",
        files=(("internal/devices/reminder.go", """@@ -30,6 +30,10 @@ func (r *Reminder) Due(d *Device, now time.Time) bool {
     if !d.Trusted {
         return false
     }
-    return now.After(d.TrustedUntil)
+    // Remind three days before the trust expires, once.
+    if d.Reminded {
+        return false
+    }
+    return now.After(d.TrustedUntil.Add(-72 * time.Hour))
 }"""),)),
        epoch("2025-02-17T12:00:00Z"), epoch("2025-02-19T09:10:00Z"), "distractor_copy")
    deployed(trust, a_svc, "signin-api", epoch("2025-02-19T09:30:00Z"), "ayelet")
    b.incident(ledger.service, "[ledger-api] journal write latency high", epoch("2025-02-19T11:20:00Z"),
               responders=ledger.members[:2], ack_after=140, resolve_after=40 * 60,
               alert_key="ledger-api/journal write latency high",
               notes=[(ledger.members[0], "vacuum on the journal table, latency back at 11:52", 1500.0)])

    # The escalation and the page ----------------------------------------------------------------------------
    e_at = epoch("2025-02-19T14:12:00Z")
    report = b.say(cx_ch, e_at, "ottilie",
                   "escalating: 2,300+ chats and calls since yesterday evening: 'the sign-in / password reset code "
                   "never arrives'. Portugal, Romania and Greece only, UK, ES and IT fine. who owns the SMS codes?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="customer support escalates the contacts about codes that never arrive in three countries")
    b.say(cx_ch, e_at + 240, "sadia", "RO and GR tickets too, all the same", parent=report)
    b.say(cx_ch, e_at + 720, "lucinda", "fraud sees the same in call-centre recoveries", parent=report)
    b.say(cx_ch, e_at + 1560, "ottilie", "paging messaging on-call, the codes are SMS", parent=report)
    page_by_hand(b, tr, svc, "Sign-in and password reset codes not arriving in PT, RO and GR (2,300+ contacts)", T,
                 responders=ONCALL, ack_after=95, resolve_after=2.4 * HOUR, manual_by="ottilie",
                 description="Customer support: since yesterday evening customers in Portugal, Romania and "
                             "Greece don't receive the SMS code to sign in on a new phone or reset their "
                             "password. Other countries fine.",
                 notes=[("lasse", "passcodes to PT/RO/GR go through Bulkline since the 02-18 15:31 deploy; "
                                  "Bulkline receipts REJECTD 0x0B (sender not registered) for ~98%. courier "
                                  "counts them delivered since the receipt change", 1300.0),
                        ("nkechi", "passcodes for PT/RO/GR back on Telora, codes arriving; Bulkline sender "
                                   "registration still pending", 3300.0)],
                 relay=msa_ch, why="customer support's manual page of Messaging on-call, twenty-three hours in")

    inc_ch = b.channel("inc-2025-02-19-sms-codes", "Incident: sign-in codes not arriving in PT, RO and GR",
                       "Incident response", T + 60, "oana")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "oana", "incident {{incurl:page}}: customers in PT, RO and GR don't get sign-in and password-reset codes "
                    "since yesterday evening. UK, ES, IT fine. 2,300+ contacts"),
        (60, "ottilie", "app rating in Portugal dropped overnight, the reviews all say the code never comes"),
        (150, "ayelet", "mobile 7.14 started rolling out yesterday morning with the new code entry screen. could the "
                        "app fail to read the code?"),
        (220, "sunniva", "7.14 is at 20% everywhere, and web sign-in fails the same way in PT. customers never get "
                         "an SMS, there's nothing to read. not the app"),
        (300, "lucinda", "could this be an attack? call-centre recoveries are 5x in PT and RO, we thought SIM swaps"),
        (370, "cormac", "signin-api asks courier for codes as usual, verifications down ~95% in those 3 countries. "
                        "people just never get the text. and a SIM-swap wave doesn't hit three countries' carriers "
                        "at once"),
        (450, "radek", "courier dashboard says OTP SMS to PT were 99.7% delivered in the last 24h ?!"),
        (520, "pilar", "Telora had maintenance last night 01:00-03:00, maybe their eu-central binds are still bad?"),
        (590, "nkechi", "PT, RO and GR passcodes don't go through Telora since yesterday 15:31: {{url:trigger}} moved "
                        "them to Bulkline. mine"),
        (660, "lasse", "#sms-providers: Bulkline has posted rejection alerts since 15:49 yesterday, REJECTD 0x0B "
                       "'sender ID not registered for destination network'. nearly every passcode to PT, RO and GR"),
        (730, "oana", "their account manager told us on the 10th: LUMORA is registered for ES and IT only, PT/RO/GR "
                      "pending, 10-15 business days"),
        (800, "radek", "and the 99.7%: courier PR {{num:weakening}} from january, a failed or unknown receipt is a "
                       "debug line and counts as delivered, since Telora's receipt flood. the receipt monitor can't "
                       "fire"),
        (880, "sunniva", "and nobody could get around it: the 'call me with a code' fallback went away on the 5th "
                         "({{pr:contributor}}, toll fraud)"),
        (950, "nkechi", "fix {{url:fix}}: PT, RO and GR passcodes back on Telora, and passcodes only route through "
                        "a sender registered for the country. CI running"),
        (2200, "nkechi", "merged, deploying"),
        (2700, "lasse", "Telora receipts DELIVRD for PT, RO and GR, codes arriving. verifications recovering"),
        (3300, "ottilie", "support macro updated: codes arrive again, ask customers to tap Resend"),
        (4200, "oana", "follow-ups: failed receipts fail the SMS again (Telora's UNKNOWN on its own metric), voice "
                       "codes back with premium ranges blocked, Bulkline passcodes only once the sender registration "
                       "is confirmed in writing"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the missing codes to the routing PR, after the app release, an attack and "
                     "Telora's maintenance were ruled out",
             weakening="a responder explains why courier reported the codes as delivered",
             contributor="a responder notes the voice-call fallback was gone",
             extra=(("Bulkline has posted", "detection", "a responder finds Bulkline's rejection alerts"),))

    # The fix, its deploy and the follow-ups -------------------------------------------------------------------
    fix = story_pull(b, courier, _FIX, T + 0.28 * HOUR, T + 0.62 * HOUR, "fix", review="ship it",
                     reviewed=T + 0.6 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="sends the PT, RO and GR passcodes through Telora again: codes arrive")
    fdep = deployed(fix, svc, "courier", T + 0.7 * HOUR, "nkechi", link="fix")
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    follow = story_pull(b, courier, _FOLLOW, T + 20 * HOUR, T + 28 * HOUR, "follow", review="thanks")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="failed delivery receipts fail the SMS again, so the receipt monitor can fire")
    deployed(follow, svc, "courier", T + 28.5 * HOUR, "lasse")
    voice = story_pull(b, signin, _VOICE_BACK, T + 44 * HOUR, T + 50 * HOUR, "voice_back",
                       review="ranges match FRAUD-77")
    tr.add("github", voice, "fix", must_see=False, group="cause",
           why="brings the voice-call fallback back, without premium-rate ranges")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [msg_ch, cx_ch, sc.common["deploys"]], svc, MESSENGERS[:3], courier,
        titles=("Runbook: passcodes not arriving in one country",
                "Refuse a passcode route whose sender is not registered for the destination"),
        doc=("Passcode routing", "Passcodes use an aggregator only where its sender is registered; check "
             "#sms-providers."),
        doc_path="docs/runbooks/passcode-routing-{n}.md",
        test_fire="[courier] OTP delivery receipts failed above 8% (test fire)")
    return world, tr.to_dict()
