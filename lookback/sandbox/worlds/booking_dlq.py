"""World "booking-dlq": a stricter decoder for a hotel supplier's v3 webhooks rejects every confirmation of a
non-refundable rate; the SQS consumer retries them into its dead-letter queue and the bookings stay pending for two
days. The DLQ alarm had been moved to the low-urgency PagerDuty integration after a week of night pages caused by
the supplier's sandbox, and the DLQ's retention had been cut to two days, so the first failures expired before the
redrive. Partner ops and a metrics bot notice first; support escalates; the fix is a roll-forward and a redrive."""

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
    config_pulls,
    open_scene,
    page_by_hand,
    ship_trigger,
    story_pull,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

WORKER = TeamSpec("fulfillment", "Fulfillment", "booking-fulfillment", "fulfillment-worker", "fulfillment",
                  ("suppliers", "vouchers", "consumer", "bookings"),
                  ("supplier adapter", "voucher PDF", "booking state machine", "SQS consumer", "retry policy",
                   "RailLink client", "idempotency key", "confirmation email", "rate plan mapper", "extranet sync"),
                  ("voucher-render p95 above 4s", "supplier webhook 5xx above 1%", "RailLink adapter timeouts",
                   "extranet sync behind by 30m"), "go")
BOOKINGS = TeamSpec("bookings", "Bookings", "bookings-api", "bookings-api", "bookings-api",
                    ("search", "holds", "itinerary"),
                    ("itinerary page", "hold API", "price lock", "booking search", "traveller details",
                     "basket merge"), ("hold API p99 above 1.5s", "itinerary 5xx above 1%", "price lock expiries high"),
                    "ts")

STAFF = (("ngozi", "Ngozi Eze"), ("henrik", "Henrik Aalto"), ("paloma", "Paloma Ruiz"), ("arjun", "Arjun Bhat"),
         ("meiling", "Mei-Ling Chow"), ("oskar", "Oskar Brandt"), ("sione", "Sione Taufa"))
OUTSIDERS = (("beatriz", "Beatriz Nunes"), ("kenji", "Kenji Mori"), ("lucia", "Lucia Ferraz"),
             ("tomasz", "Tomasz Wrona"), ("aylin", "Aylin Kaya"))
FULFIL = ["ngozi", "henrik", "paloma", "arjun", "meiling", "oskar", "sione"]
ONCALL = ["henrik", "paloma", "arjun", "meiling"]
PARTNERS = ["beatriz", "kenji"]
SUPPORT = ["lucia", "tomasz", "aylin"]

DLQ_ALARM = "supplier-confirmations-dlq: messages visible > 0"
DLQ_TITLE = f"[booking-fulfillment] {DLQ_ALARM}"
DLQ_KEY = "booking-fulfillment/supplier-confirmations-dlq-visible"

_QUEUES = ("rail-tickets", "voucher-render", "booking-events", "refund-requests", "invoice-export",
           "car-confirmations", "activity-confirmations", "supplier-confirmations")
_ALARMS = (("bookings-webhook-5xx", 1, 300), ("voucher-render-latency", 4000, 300), ("raillink-timeouts", 25, 60),
           ("refund-requests-age", 900, 300), ("invoice-export-failures", 0, 900), ("car-confirmations-lag", 600, 300),
           ("extranet-sync-delay", 1800, 300))
_PARTNER_NOUNS = ("HotelHub", "RailLink", "CarGo", "ActivityHub", "allotment sync", "rate plans", "extranet",
                  "supplier codes", "commission report")
_PARTNER_LINES = (
    "a property in Lisbon reports a {noun} parity issue again, anyone seen this?",
    "new property onboarding batch for {noun} this week, list is in the sheet",
    "is the {noun} sync running? a hotel says availability looks stale",
    "reminder: supplier QBR deck due friday, {noun} section still empty",
    "{noun} extranet is slow today, FYI if properties call",
    "a property asks why their {noun} shows twice on the listing",
    "who can add a new supplier code for {noun}?",
    "{noun} account manager wants a call about commissions next week",
)
_SUPPORT_NOUNS = ("hotel booking", "rail ticket", "car rental", "activity booking", "voucher", "gift card",
                  "cancellation", "refund")
_SUPPORT_LINES = (
    "customer wants to change the traveller name on a {noun}, possible?",
    "refund stuck for a {noun}, can someone check the ledger?",
    "traveller says the {noun} price changed between search and checkout",
    "macro for {noun} questions is outdated, who owns it?",
    "customer needs an invoice with VAT for a {noun}",
    "is there a known issue with {noun}? 2 tickets today, probably user error",
    "a customer got charged twice for a {noun}, statement attached in the ticket",
    "how long do {noun} refunds take these days? customer is asking",
)


def _tf_change(rng: random.Random) -> ConfigChange:
    """One generated Terraform PR of fulfillment-infra: alarms, queues, IAM, dashboards, providers."""
    k = rng.random()
    ticket = f"FUL-{rng.randrange(300, 990)}"
    if k < 0.24:
        name, threshold, period = rng.choice(_ALARMS)
        stem = name.replace("-", "_")
        if rng.random() < 0.5:
            a, c = rng.choice(((1, 2), (2, 3), (3, 5), (5, 3)))
            return (f"{name}: evaluation_periods {a} -> {c}",
                    f"Tuning after last week's review ({ticket}).",
                    [yaml_file(f"alarms/{stem}.tf", yaml_patch(
                        9, f'resource "aws_cloudwatch_metric_alarm" "{stem}" {{',
                        [f"   period              = {period}", f"-  evaluation_periods  = {a}",
                         f"+  evaluation_periods  = {c}", f"   threshold           = {threshold}"]))])
        new = int(threshold * rng.choice((0.8, 1.25, 1.5)))
        new = new if new != threshold else threshold + rng.choice((1, 2))
        return (f"{name}: threshold {threshold} -> {new}", f"Matches the new baseline on the dashboard. {ticket}",
                [yaml_file(f"alarms/{stem}.tf", yaml_patch(
                    10, f'resource "aws_cloudwatch_metric_alarm" "{stem}" {{',
                    ["   evaluation_periods  = 3", f"-  threshold           = {threshold}",
                     f"+  threshold           = {new}", '   comparison_operator = "GreaterThanThreshold"']))])
    if k < 0.40:
        q = rng.choice(_QUEUES)
        a, c = rng.choice(((30, 60), (60, 120), (120, 300), (300, 180)))
        return (f"{q}: visibility timeout {a}s -> {c}s", f"The handler's p99 is close to {a}s since the last release.",
                [yaml_file(f"queues/{q.replace('-', '_')}.tf", yaml_patch(
                    4, f'resource "aws_sqs_queue" "{q.replace("-", "_")}" {{',
                    [f'   name                       = "{q}"', f"-  visibility_timeout_seconds = {a}",
                     f"+  visibility_timeout_seconds = {c}"]))])
    if k < 0.52:
        q = rng.choice(_QUEUES[:-1])
        stem = q.replace("-", "_")
        body = "\n".join([f'+resource "aws_cloudwatch_metric_alarm" "{stem}_age" {{',
                          f'+  alarm_name          = "{q}: oldest message older than 15m"',
                          '+  namespace           = "AWS/SQS"',
                          '+  metric_name         = "ApproximateAgeOfOldestMessage"',
                          f"+  dimensions          = {{ QueueName = aws_sqs_queue.{stem}.name }}",
                          "+  period              = 300", "+  evaluation_periods  = 2", "+  threshold           = 900",
                          '+  comparison_operator = "GreaterThanThreshold"',
                          f"+  alarm_actions       = [var.pagerduty_{rng.choice(('high', 'low'))}_urgency_topic]",
                          "+}"])
        return (f"Alarm on the age of the {q} queue", f"We only had a depth alarm on {q}. {ticket}",
                [yaml_file(f"alarms/{stem}_age.tf", "@@ -0,0 +1,11 @@\n" + body, "added")])
    if k < 0.63:
        bucket = rng.choice(("tw-vouchers", "tw-supplier-logos", "tw-invoices", "tw-rate-dumps"))
        return (f"fulfillment-worker: allow s3:GetObject on {bucket}", f"Needed by the next release. {ticket}",
                [yaml_file("iam/fulfillment_worker.tf", yaml_patch(
                    21, 'data "aws_iam_policy_document" "fulfillment_worker" {',
                    ["   statement {", '     actions   = ["s3:GetObject"]',
                     '-    resources = ["arn:aws:s3:::tw-vouchers/*"]',
                     f'+    resources = ["arn:aws:s3:::tw-vouchers/*", "arn:aws:s3:::{bucket}/*"]', "   }"]))])
    if k < 0.74:
        q = rng.choice(_QUEUES)
        return (f"Dashboard: {q} depth and age widgets", "So the on-call dashboard shows every queue.",
                [yaml_file("dashboards/fulfillment.tf", yaml_patch(
                    60, "locals {", ["   widgets = [", '     widget_sqs("supplier-confirmations"),',
                                     f'+    widget_sqs("{q}"),', '     widget_lambda("voucher-render"),']))])
    if k < 0.84:
        a = rng.randrange(30, 49)
        return (f"Bump hashicorp/aws to 5.{a + 1}.0", "Routine provider bump, plan shows no changes.",
                [yaml_file("versions.tf", yaml_patch(
                    3, "terraform {", ["     aws = {", '       source  = "hashicorp/aws"',
                                       f'-      version = "~> 5.{a}.0"', f'+      version = "~> 5.{a + 1}.0"']))])
    if k < 0.88:
        name, _, _ = rng.choice(_ALARMS)
        stem = name.replace("-", "_")
        return (f"{name}: page only for the production environment", "Staging breaches were paging the rotation.",
                [yaml_file(f"alarms/{stem}.tf", yaml_patch(
                    14, f'resource "aws_cloudwatch_metric_alarm" "{stem}" {{',
                    ['-  alarm_actions       = [var.pagerduty_high_urgency_topic]',
                     '+  alarm_actions       = var.env == "prod" ? [var.pagerduty_high_urgency_topic] : []']))])
    q = rng.choice(_QUEUES)
    return (f"Tag {q} resources with the cost centre", f"FinOps asked for cost-centre tags ({ticket}).",
            [yaml_file(f"queues/{q.replace('-', '_')}.tf", yaml_patch(
                9, f'resource "aws_sqs_queue" "{q.replace("-", "_")}" {{',
                ["   tags = {", '     team = "fulfillment"', '+    cost_centre = "cc-412"', "   }"]))])


def _daily_line(t: float, confirmed: int, median: str, pending: int, avg: int) -> str:
    return (f":bar_chart: *Fulfillment daily* {iso(t)[:10]}: {confirmed:,} bookings confirmed, median time to "
            f"confirm {median}, pending supplier > 1h: {pending:,} (7-day avg {avg})")


_WEAKENING = Change(
    author="sione", reviewer="ngozi", labels=("alarms", "on-call"),
    title="Send the supplier-confirmations DLQ alarm to the low-urgency integration",
    body="Six pages in nine days for `supplier-confirmations-dlq: messages visible > 0`, and every one was HotelHub's "
         "sandbox posting test pings (`booking_ref: TEST-*`) to our production webhook (HH-4471, open on their side "
         "for weeks). Each time the answer was: purge the DLQ, go back to sleep.\n\n"
         "This points the alarm at `pagerduty_low_urgency_topic`: it still opens a low-urgency incident on "
         "booking-fulfillment and shows up in the morning digest, it just doesn't wake anyone up. We move it back "
         "once HotelHub fixes their sandbox.",
    files=(("alarms/supplier_confirmations.tf", """@@ -1,17 +1,19 @@
 resource "aws_cloudwatch_metric_alarm" "supplier_confirmations_dlq_visible" {
   alarm_name          = "supplier-confirmations-dlq: messages visible > 0"
   alarm_description   = "Supplier confirmations fail and land in the DLQ. Runbook: https://wiki.tripwell.example/fulfillment/dlq"
   namespace           = "AWS/SQS"
   metric_name         = "ApproximateNumberOfMessagesVisible"
   dimensions          = { QueueName = aws_sqs_queue.supplier_confirmations_dlq.name }
   statistic           = "Maximum"
   period              = 300
   evaluation_periods  = 1
   threshold           = 0
   comparison_operator = "GreaterThanThreshold"
-  alarm_actions       = [var.pagerduty_high_urgency_topic]
-  ok_actions          = [var.pagerduty_high_urgency_topic]
+  # HotelHub's sandbox keeps dropping test pings into the prod DLQ (HH-4471): nothing to act on at night.
+  # Low urgency still opens an incident and lands in the morning digest; it just doesn't page.
+  alarm_actions       = [var.pagerduty_low_urgency_topic]
+  ok_actions          = [var.pagerduty_low_urgency_topic]
 }"""),),
)

_CONTRIBUTOR = Change(
    author="oskar", reviewer="sione", labels=("queues", "cost"),
    title="supplier-confirmations DLQ: keep messages 2 days, not 14; dead-letter after 4 receives",
    body="The DLQ is mostly HotelHub sandbox junk, and with 14 days of retention its depth graph is a flat line of "
         "garbage. Anything real gets alarmed and redriven the same day, so 2 days is plenty.\n\n"
         "Also lowers `maxReceiveCount` 10 -> 4: with a 300s visibility timeout a poison message sat in the main "
         "queue for almost an hour, retrying, before it reached the DLQ.",
    files=(("queues/supplier_confirmations.tf", """@@ -1,14 +1,14 @@
 resource "aws_sqs_queue" "supplier_confirmations_dlq" {
   name                      = "supplier-confirmations-dlq"
-  message_retention_seconds = 1209600 # 14 days
+  message_retention_seconds = 172800 # 2 days
 }

 resource "aws_sqs_queue" "supplier_confirmations" {
   name                       = "supplier-confirmations"
   visibility_timeout_seconds = 300
   redrive_policy = jsonencode({
     deadLetterTargetArn = aws_sqs_queue.supplier_confirmations_dlq.arn
-    maxReceiveCount     = 10
+    maxReceiveCount     = 4
   })
 }"""),),
)

_TRIGGER = Change(
    author="paloma", reviewer="henrik", labels=("suppliers", "hotelhub"),
    title="HotelHub: decode v3 confirmation webhooks and store the cancellation deadline",
    body="HotelHub moved every property to v3 confirmation webhooks on May 6 (see #partner-ops); v2 is sunset on "
         "June 30. v3 carries the rate and its cancellation terms, which support has been copying by hand from the "
         "extranet.\n\n"
         "- `hotelhub.DecodeConfirmation` reads v3 strictly: unknown fields or a missing cancellation deadline are "
         "an error, so we never confirm a booking with the wrong cancellation terms\n"
         "- `Confirm` stores the deadline on the booking\n"
         "- fixtures are HotelHub's official v3 sample payloads; tested end to end against their sandbox",
    files=(("internal/suppliers/hotelhub/confirmation.go", """@@ -1,20 +1,48 @@
 package hotelhub

 import (
+    "bytes"
     "encoding/json"
+    "errors"
     "time"
 )

-// ConfirmationV2 is the webhook body HotelHub sends when a property confirms a booking.
-type ConfirmationV2 struct {
+// ConfirmationV3 is the webhook body HotelHub sends when a property confirms a booking (v3, May 2024).
+type ConfirmationV3 struct {
     BookingRef   string    `json:"booking_ref"`
     PropertyID   string    `json:"property_id"`
     Status       string    `json:"status"`
     ConfirmedAt  time.Time `json:"confirmed_at"`
     SupplierCode string    `json:"supplier_code"`
+    Rate         Rate         `json:"rate"`
+    Cancellation Cancellation `json:"cancellation"`
 }
+
+type Cancellation struct {
+    Refundable bool      `json:"refundable"`
+    Deadline   time.Time `json:"deadline"`
+}
+
+var ErrMissingDeadline = errors.New("hotelhub v3: missing cancellation deadline")
+
+// DecodeConfirmation reads a v3 body strictly: unknown fields and a missing deadline are errors.
+func DecodeConfirmation(body []byte) (ConfirmationV3, error) {
+    var c ConfirmationV3
+    dec := json.NewDecoder(bytes.NewReader(body))
+    dec.DisallowUnknownFields()
+    if err := dec.Decode(&c); err != nil {
+        return c, err
+    }
+    if c.Cancellation.Deadline.IsZero() {
+        return c, ErrMissingDeadline
+    }
+    return c, nil
+}"""),
           ("internal/consumer/hotelhub_handler.go", """@@ -52,12 +52,12 @@ type HotelHubHandler struct {

 func (h *HotelHubHandler) Handle(ctx context.Context, msg types.Message) error {
-    var c hotelhub.ConfirmationV2
-    if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &c); err != nil {
+    c, err := hotelhub.DecodeConfirmation([]byte(aws.ToString(msg.Body)))
+    if err != nil {
         return fmt.Errorf("hotelhub confirmation %s: %w", aws.ToString(msg.MessageId), err)
     }
-    return h.bookings.Confirm(ctx, c.BookingRef, c.ConfirmedAt, c.SupplierCode)
+    return h.bookings.Confirm(ctx, c.BookingRef, c.ConfirmedAt, c.SupplierCode, c.Cancellation.Deadline)
 }"""),
           ("internal/suppliers/hotelhub/confirmation_test.go", """@@ -0,0 +1,16 @@
+package hotelhub
+
+func TestDecodeConfirmationV3(t *testing.T) {
+    body := readFixture(t, "testdata/confirmation_v3_sample.json")
+    c, err := DecodeConfirmation(body)
+    require.NoError(t, err)
+    assert.Equal(t, "TW-8812-KQ", c.BookingRef)
+    assert.True(t, c.Cancellation.Refundable)
+    assert.Equal(t, "2024-06-01T12:00:00Z", c.Cancellation.Deadline.Format(time.RFC3339))
+}
+
+func TestDecodeConfirmationRejectsUnknownFields(t *testing.T) {
+    _, err := DecodeConfirmation([]byte(`{"booking_ref": "TW-1", "loyalty_tier": "gold"}`))
+    require.Error(t, err)
+}"""),
           ("internal/suppliers/hotelhub/testdata/confirmation_v3_sample.json", """@@ -0,0 +1,10 @@
+{
+  "booking_ref": "TW-8812-KQ",
+  "property_id": "HH-PT-20931",
+  "status": "confirmed",
+  "confirmed_at": "2024-05-02T09:14:00Z",
+  "supplier_code": "HHCONF-77120",
+  "rate": {"code": "BAR", "currency": "EUR", "total": "412.00"},
+  "cancellation": {"refundable": true, "deadline": "2024-06-01T12:00:00Z"}
+}""")),
)

_FIX = Change(
    author="paloma", reviewer="henrik", labels=("bug", "incident", "hotelhub"),
    title="HotelHub v3: a non-refundable rate has no cancellation deadline",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} every HotelHub confirmation of a non-refundable rate "
         "(`\"cancellation\": {\"refundable\": false, \"deadline\": null}`) failed with `ErrMissingDeadline`; the "
         "consumer returned the error, SQS redelivered it four times and dead-lettered it, and the booking stayed "
         "PENDING_SUPPLIER. HotelHub's sample payloads only had refundable rates.\n\n"
         "A missing deadline is now an error only for a refundable rate; fixture and test for a non-refundable one.",
    files=(("internal/suppliers/hotelhub/confirmation.go", """@@ -38,7 +38,9 @@ func DecodeConfirmation(body []byte) (ConfirmationV3, error) {
     if err := dec.Decode(&c); err != nil {
         return c, err
     }
-    if c.Cancellation.Deadline.IsZero() {
+    // Non-refundable rates have no deadline: HotelHub sends "deadline": null.
+    if c.Cancellation.Refundable && c.Cancellation.Deadline.IsZero() {
         return c, ErrMissingDeadline
     }
     return c, nil"""),
           ("internal/suppliers/hotelhub/confirmation_test.go", """@@ -16,0 +17,8 @@
+
+func TestDecodeConfirmationNonRefundable(t *testing.T) {
+    body := readFixture(t, "testdata/confirmation_v3_nonrefundable.json")
+    c, err := DecodeConfirmation(body)
+    require.NoError(t, err)
+    assert.False(t, c.Cancellation.Refundable)
+    assert.True(t, c.Cancellation.Deadline.IsZero())
+}"""),
           ("internal/suppliers/hotelhub/testdata/confirmation_v3_nonrefundable.json", """@@ -0,0 +1,10 @@
+{
+  "booking_ref": "TW-9931-ZB",
+  "property_id": "HH-ES-11408",
+  "status": "confirmed",
+  "confirmed_at": "2024-05-20T13:22:41Z",
+  "supplier_code": "HHCONF-90415",
+  "rate": {"code": "NRF", "currency": "EUR", "total": "188.00"},
+  "cancellation": {"refundable": false, "deadline": null}
+}""")),
)

_FOLLOW = Change(
    author="sione", reviewer="ngozi", labels=("alarms", "incident"),
    title="supplier-confirmations DLQ: page again, and keep 14 days",
    body="Follow-up of incident {{incurl:page}}. Partly reverts {{url:weakening}} and {{url:contributor}}:\n\n"
         "- the DLQ alarm goes back to the high-urgency integration; HotelHub sandbox pings (`TEST-*`) are dropped "
         "by the webhook before they reach the queue (fulfillment-worker), so they no longer page\n"
         "- DLQ retention back to 14 days, so a late redrive loses nothing",
    files=(("alarms/supplier_confirmations.tf", """@@ -12,8 +12,6 @@ resource "aws_cloudwatch_metric_alarm" "supplier_confirmations_dlq_visible" {
   comparison_operator = "GreaterThanThreshold"
-  # HotelHub's sandbox keeps dropping test pings into the prod DLQ (HH-4471): nothing to act on at night.
-  # Low urgency still opens an incident and lands in the morning digest; it just doesn't page.
-  alarm_actions       = [var.pagerduty_low_urgency_topic]
-  ok_actions          = [var.pagerduty_low_urgency_topic]
+  alarm_actions       = [var.pagerduty_high_urgency_topic]
+  ok_actions          = [var.pagerduty_high_urgency_topic]
 }"""),
           ("queues/supplier_confirmations.tf", """@@ -1,4 +1,4 @@
 resource "aws_sqs_queue" "supplier_confirmations_dlq" {
   name                      = "supplier-confirmations-dlq"
-  message_retention_seconds = 172800 # 2 days
+  message_retention_seconds = 1209600 # 14 days
 }""")),
)


def build_booking_dlq(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the booking-dlq world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="booking-dlq", seed=2024_05_22, org="tripwell", team_name="Fulfillment",
                    page_at="2024-05-22T15:05:00Z", impact_start="2024-05-20T13:12:00Z",
                    noise_teams=("checkout", "catalog", "identity", "platform", "growth", "web"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    for key, name in (("fulfilbot", "Fulfillment Metrics"), ("atlantis", "Atlantis")):
        b.person(key, name, github=False, is_bot=True)

    # Fulfillment and bookings: PagerDuty, channels, repos ----------------------------------------------
    f_team = b.team("Fulfillment")
    f_policy = b.policy("Fulfillment on-call", f_team, ONCALL)
    svc = b.service("booking-fulfillment", "Supplier confirmations, vouchers and booking state (SQS consumers)",
                    f_policy, f_team, iso(start - 520 * DAY))
    bk_team = b.team("Bookings")
    bookers = sc.crowd[20:25]
    bk_policy = b.policy("Bookings on-call", bk_team, bookers[:3])
    bk_svc = b.service("bookings-api", "Search holds, price locks and itineraries", bk_policy, bk_team,
                       iso(start - 600 * DAY))
    ful_ch = b.channel("fulfillment", "Fulfillment: supplier confirmations, vouchers", "Fulfillment team",
                       start - 650 * DAY, "ngozi")
    fal_ch = b.channel("fulfillment-alerts", "Pages of booking-fulfillment", "PagerDuty notifications",
                       start - 400 * DAY, "sione")
    po_ch = b.channel("partner-ops", "Suppliers and properties: HotelHub, RailLink, CarGo", "Partner operations",
                      start - 700 * DAY, "beatriz")
    cx_ch = b.channel("cx-escalations", "Customer care -> engineering", "Escalations from customer care",
                      start - 640 * DAY, "lucia")
    bk_ch = b.channel("bookings-api", "Bookings API team", "Search holds and itineraries", start - 560 * DAY,
                      bookers[0])
    worker = b.repo("fulfillment-worker", "SQS consumers for supplier confirmations, voucher rendering (Go)",
                    iso(start - 800 * DAY))
    infra = b.repo("fulfillment-infra", "Terraform for fulfillment: SQS queues, CloudWatch alarms, IAM; applied by "
                   "Atlantis", iso(start - 500 * DAY))
    bk_repo = b.repo("bookings-api", "Bookings API (TypeScript)", iso(start - 900 * DAY))

    # Their noise ----------------------------------------------------------------------------------------
    n = sc.scale
    fulfil = NoiseTeam(WORKER, FULFIL, worker, ful_ch, svc, f_policy)
    bookings = NoiseTeam(BOOKINGS, bookers, bk_repo, bk_ch, bk_svc, bk_policy)
    add_pulls(b, fulfil, 85 * n, start - 60 * DAY, end)
    add_pulls(b, bookings, 40 * n, start - 60 * DAY, end)

    def applied(pull: dict[str, Any]) -> dict[str, Any]:
        """Atlantis applies each merged fulfillment-infra PR: a change event on booking-fulfillment."""
        at, sha7 = epoch(pull["merged_at"]) + 150, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        return b.change_event(svc, f"terraform apply fulfillment-infra@{sha7} ({pull['title']})", at, "atlantis",
                              details={"files": names, "workspace": "prod"})

    def on_merge(pull: dict[str, Any]) -> None:
        applied(pull)

    config_pulls(b, infra, FULFIL + sc.crowd[12:14], 50 * n, start - 60 * DAY, end, _tf_change, on_merge=on_merge)
    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (worker, infra)][-150:]
    add_chat(b, ful_ch, FULFIL, WORKER.nouns, 170 * n, start, end, links=links)
    add_chat(b, bk_ch, bookers, BOOKINGS.nouns, 50 * n, start, end)
    add_chat(b, po_ch, PARTNERS + FULFIL[1:4] + sc.crowd[14:17], _PARTNER_NOUNS, 55 * n, start, end,
             lines=_PARTNER_LINES, thread_rate=0.5)
    add_chat(b, cx_ch, SUPPORT + FULFIL[1:3] + bookers[:1], _SUPPORT_NOUNS, 60 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    for ch, joiners in ((ful_ch, FULFIL), (po_ch, PARTNERS + FULFIL[:2]), (cx_ch, SUPPORT), (bk_ch, bookers)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, fulfil, 10 * n, start, epoch("2024-04-15"), fal_ch)
    add_incidents(b, bookings, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, fulfil, int(35 * n), start, end, sc.common["deploys"])

    # The daily metrics line: steady until the trigger's deploy, then the pending count climbs ---------------
    day = start - start % DAY + 7 * HOUR
    while day < end:
        if epoch("2024-05-21") <= day < epoch("2024-05-22"):
            line = _daily_line(day, 11_962, "2m31s", 1_317, 38)
        elif epoch("2024-05-22") <= day < epoch("2024-05-23"):
            line = _daily_line(day, 11_410, "2m40s", 2_904, 219)
        else:
            line = _daily_line(day, b.rng.randrange(13_400, 15_900), f"{b.rng.randrange(1, 3)}m{b.rng.randrange(60):02d}s",
                               b.rng.randrange(22, 61), b.rng.randrange(30, 46))
        m = b.say(ful_ch, day + b.rng.uniform(5, 90), "fulfilbot", line)
        if epoch("2024-05-21") <= day < epoch("2024-05-22"):
            tr.add("slack", m, "early_signal", must_see=True, group="detection",
                   why="the daily metrics bot shows 1,317 bookings pending at the supplier for over an hour, "
                       "35 times the usual; nobody reacts")
        elif epoch("2024-05-22") <= day < epoch("2024-05-23"):
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the next morning's metrics line: 2,904 pending")
        day += DAY

    # April: HotelHub announces v3 webhooks ------------------------------------------------------------
    ann = b.say(po_ch, epoch("2024-04-08T14:30:00Z"), "beatriz",
                ":mega: HotelHub moves every property to v3 confirmation webhooks on May 6 (adds the rate and the "
                "cancellation terms). v2 keeps working until June 30. docs and sample payloads: "
                "https://developers.hotelhub.example/webhooks/v3")
    b.say(po_ch, epoch("2024-04-08T15:02:00Z"), "paloma", "thanks! I'll pick up the v3 decoder in fulfillment-worker",
          parent=ann)
    tr.add("slack", ann, "context", must_see=False, group="cause",
           why="the supplier's v3 webhooks, which the trigger decodes")

    # Apr 21-29: the DLQ alarm pages at night for HotelHub's sandbox pings ---------------------------------
    noisy_at = ("2024-04-21T02:47:00Z", "2024-04-22T23:15:00Z", "2024-04-24T03:32:00Z", "2024-04-25T01:05:00Z",
                "2024-04-27T04:41:00Z", "2024-04-29T02:18:00Z")
    notes = ("HotelHub sandbox test pings (booking_ref TEST-*) in the prod DLQ again, purged",
             "same as sunday: 14 TEST-* messages from HotelHub's sandbox. purged, HH-4471 bumped")
    for i, when in enumerate(noisy_at):
        who = ONCALL[i % len(ONCALL)]
        t = epoch(when)
        inc = b.incident(svc, DLQ_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]], ack_after=200 + 60 * i,
                         resolve_after=1500 + 240 * i, handle=f"noisy{i}", alert_key=DLQ_KEY,
                         alert_summary=f"ALARM: {DLQ_ALARM} in eu-west-1",
                         notes=[(who, notes[i % 2], 900.0)])
        b.say(fal_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{DLQ_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages of the DLQ alarm (supplier sandbox pings) that led to its re-routing")
    grumbles = (("2024-04-22T08:40:00Z", "henrik", "DLQ page at 03:00 again. HotelHub sandbox pings, purged. "
                 "third one in four nights :sleeping:"),
                ("2024-04-24T09:15:00Z", "meiling", "HotelHub support says the sandbox fix (HH-4471) is 'scheduled'. "
                 "no date"),
                ("2024-04-27T10:05:00Z", "arjun", "can we at least stop paging on the DLQ at night? nobody can do "
                 "anything about their sandbox at 4am"),
                ("2024-04-29T09:30:00Z", "sione", "I'll move the DLQ alarm to the low-urgency integration, it still "
                 "opens an incident and it's in the morning digest"))
    for when, who, text in grumbles:
        m = b.say(ful_ch, epoch(when), who, text)
        if who == "arjun":
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the night pages of the DLQ alarm")

    # May 1: the DLQ alarm goes to the low-urgency integration ----------------------------------------------
    w_at = epoch("2024-04-30T08:40:00Z")
    weak = story_pull(b, infra, _WEAKENING, w_at, epoch("2024-05-01T10:55:00Z"), "weakening",
                      review="ok for now. someone has to actually read the digest though",
                      reviewed=epoch("2024-05-01T10:31:00Z"))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="moved the supplier-confirmations DLQ alarm to the low-urgency PagerDuty integration: two days of "
               "dead-lettered confirmations opened one low-urgency incident and paged no one")
    ev = applied(weak)
    tr.add("pagerduty", ev, "detection_weakened", must_see=False, group="detection",
           why="Atlantis applying the re-routing", same_fact_as=("github", weak))
    b.say(ful_ch, epoch("2024-05-01T11:10:00Z"), "sione",
          "merged {{url:weakening}}: the DLQ alarm is low urgency now, no more 3am sandbox pages :zzz:", template=True)
    b.say(po_ch, epoch("2024-05-06T10:04:00Z"), "kenji", "HotelHub confirms the v3 webhook cutover is done, all "
          "properties now send v3")

    # May 8: the DLQ keeps 2 days, dead-letters after 4 receives ---------------------------------------------
    c_at = epoch("2024-05-07T13:20:00Z")
    contrib = story_pull(b, infra, _CONTRIBUTOR, c_at, epoch("2024-05-08T09:30:00Z"), "contributor",
                         review="nice, the DLQ graph might mean something now")
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="cut the DLQ's retention to 2 days: the first dead-lettered confirmations expired before the "
               "redrive, and those bookings had to be recovered by hand")
    ev = applied(contrib)
    tr.add("pagerduty", ev, "contributor", must_see=False, group="cause", why="Atlantis applying the retention cut",
           same_fact_as=("github", contrib))

    # May 10-14: a flaky memory alarm on the same service, and its threshold raised (a red herring) -----------
    for i, when in enumerate(("2024-05-10T19:22:00Z", "2024-05-12T06:48:00Z", "2024-05-13T21:05:00Z")):
        who = ONCALL[(i + 2) % len(ONCALL)]
        b.incident(svc, "[booking-fulfillment] voucher-renderer memory above 80%", epoch(when), responders=[who],
                   ack_after=300, resolve_after=1400, alert_key="booking-fulfillment/voucher-renderer-memory",
                   notes=[(who, "GC caught up on its own, no failed renders", 700.0)] if i != 1 else None,
                   handle=f"mem{i}")
        b.say(fal_ch, epoch(when) + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:mem{i}}}}}|"
              f"#{{{{inc:mem{i}}}}}> [booking-fulfillment] voucher-renderer memory above 80%", template=True)
    mem = story_pull(b, infra, Change(
        author="meiling", reviewer="sione", labels=("alarms",),
        title="voucher-renderer memory alarm: 80% -> 90% for 15 minutes",
        body="Three pages in four days, each one the renderer's GC catching up after a burst of PDFs; no failed "
             "renders. 90% for 15 minutes still catches the leak we had in January.",
        files=(("alarms/voucher_renderer.tf", yaml_patch(6, 'resource "aws_cloudwatch_metric_alarm" '
                                                         '"voucher_renderer_memory" {',
                                                         ['   metric_name         = "MemoryUtilization"',
                                                          "-  evaluation_periods  = 1", "-  threshold           = 80",
                                                          "+  evaluation_periods  = 3", "+  threshold           = 90",
                                                          "   period              = 300"])),)),
        epoch("2024-05-14T09:00:00Z"), epoch("2024-05-14T15:10:00Z"), "distractor_mem")
    applied(mem)

    # May 16-20: the trigger, its deploy ---------------------------------------------------------------------
    t_at = epoch("2024-05-16T11:20:00Z")
    merged = epoch("2024-05-20T12:48:00Z")
    trig = story_pull(b, worker, _TRIGGER, t_at, merged, "trigger", review="nice, support will love this",
                      reviewed=epoch("2024-05-20T09:40:00Z"),
                      review_comments=(("henrik", "are the sandbox samples representative of what properties send?",
                                        "internal/suppliers/hotelhub/confirmation.go", 31, epoch("2024-05-17T08:15:00Z")),),
                      comments=(("paloma", "they're HotelHub's official v3 samples, and the sandbox run was green",
                                 epoch("2024-05-17T09:02:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="the strict v3 decoder rejects every confirmation of a non-refundable rate (no cancellation deadline); "
               "the consumer retried them into the DLQ and those bookings stayed pending")
    ship_trigger(sc, svc, "fulfillment-worker", trig, _TRIGGER, epoch("2024-05-20T13:03:00Z"), "paloma")

    # May 20-22: the DLQ fills; a low-urgency incident, the metrics bot, partner ops -----------------------------
    fix_done = T + 1.65 * HOUR
    low_at = epoch("2024-05-20T13:41:00Z")
    low = b.incident(svc, DLQ_TITLE, low_at, urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=fix_done + 900 - low_at, alert_key=DLQ_KEY, severity="warning",
                     alert_summary=f"ALARM: {DLQ_ALARM} in eu-west-1")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the DLQ alarm fired 40 minutes after the deploy, as a low-urgency incident that paged no one and "
               "stayed open for two days")
    err = b.incident(svc, "[booking-fulfillment] supplier-confirmations handler errors above 5% (15m)",
                     epoch("2024-05-21T04:20:00Z"), urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=3.1 * HOUR, alert_key="booking-fulfillment/supplier-confirmations-errors",
                     severity="warning")
    tr.add("pagerduty", err, "early_signal", must_see=False, group="detection",
           why="a low-urgency handler error-rate alert during the night")
    r_at = epoch("2024-05-21T16:20:00Z")
    remark = b.say(po_ch, r_at, "kenji",
                   "HotelHub's account manager pinged me: since Monday they show ~900 confirmations as delivered to us "
                   "for bookings that still say Pending on our side. mostly non-refundable rates. did anything change "
                   "on our end?")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="partner ops relays the supplier's report of confirmations that never took; engineering waves it off")
    b.say(po_ch, r_at + 1900, "arjun", "the consumer dashboard is green, lag is 0. could be their retry storm from "
          "last month again? I'll check tomorrow", parent=remark)
    b.say(po_ch, r_at + 2300, "kenji", "ok, I'll tell them we're looking", parent=remark)
    early_cx = b.say(cx_ch, epoch("2024-05-21T18:05:00Z"), "tomasz",
                     "a few tickets today about hotel bookings with no confirmation voucher, I asked them to check spam")
    tr.add("slack", early_cx, "customer_report", must_see=False, group="reports",
           why="the first customer tickets, taken for an email problem")

    # A distractor by the trigger's author in the same repo, shipped between trigger and page -------------------
    logo = story_pull(b, worker, Change(
        author="paloma", reviewer="oskar", labels=("vouchers",),
        title="Vouchers: fetch hotel logos from the image CDN, cached 24h",
        body="Voucher PDFs embed the property's logo; it now comes from the image CDN instead of the extranet, with "
             "a 24h cache. Falls back to the text header when the CDN is slow.",
        files=(("internal/vouchers/logo.go", """@@ -10,9 +10,14 @@ func (r *Renderer) logo(ctx context.Context, propertyID string) ([]byte, error) {
-    return r.extranet.Logo(ctx, propertyID)
+    ctx, cancel := context.WithTimeout(ctx, 800*time.Millisecond)
+    defer cancel()
+    if img, ok := r.cache.Get(propertyID); ok {
+        return img, nil
+    }
+    return r.cdn.Fetch(ctx, "logos/"+propertyID+".png")
 }"""),)),
        epoch("2024-05-17T14:00:00Z"), epoch("2024-05-21T10:30:00Z"), "distractor_logo")
    b.change_event(svc, f"Deploy fulfillment-worker@{logo['merge_commit_sha'][:7]} to production",
                   epoch("2024-05-21T11:02:00Z"), "ci-deploy", details={"deployer": "paloma", "environment": "production"})

    # May 22: other teams' trouble (email delays, a checkout deploy and page) -----------------------------------
    growth, checkout = sc.team("growth"), sc.team("checkout")
    b.say(sc.common["eng-help"], epoch("2024-05-22T09:20:00Z"), growth.members[0],
          "FYI SendGrid reports delayed deliveries to outlook.com/hotmail since 08:00 UTC, transactional mail may "
          "arrive late")
    b.incident(growth.service, "[email-service] send queue stuck", epoch("2024-05-22T09:50:00Z"),
               responders=growth.members[:2], ack_after=240, resolve_after=55 * 60,
               alert_key="email-service/send queue stuck",
               notes=[(growth.members[0], "newsletter template render loop, killed the batch", 1200.0)])
    c_sha = b.sha()[:7]
    b.change_event(checkout.service, f"Deploy checkout-api@{c_sha} to production (3DS2 challenge flow)",
                   epoch("2024-05-22T12:10:00Z"), "ci-deploy", details={"environment": "production"})
    b.say(sc.common["deploys"], epoch("2024-05-22T12:10:03Z"), "deploybot",
          f":rocket: checkout-api `{c_sha}` deployed to production by <@{b.people[checkout.members[0]].slack_id}>")
    b.incident(checkout.service, "[checkout-api] payment provider timeouts", epoch("2024-05-22T13:02:00Z"),
               responders=checkout.members[:2], ack_after=180, resolve_after=40 * 60,
               alert_key="checkout-api/payment provider timeouts",
               notes=[(checkout.members[0], "Adyen EU latency, recovered on its own", 1500.0)])

    # The escalation and the page --------------------------------------------------------------------------
    e_at = epoch("2024-05-22T14:31:00Z")
    report = b.say(cx_ch, e_at, "lucia",
                   "escalating: 186 tickets since Monday afternoon, 'hotel booking still pending, no confirmation "
                   "voucher'. all hotels, mostly HotelHub properties, many non-refundable rates. some customers "
                   "booked again and now have two reservations. @fulfillment can someone look now?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="customer care escalates the ticket spike about bookings stuck in pending")
    b.say(cx_ch, e_at + 420, "tomasz", "same in chat: travellers arriving tonight with no voucher", parent=report)
    b.say(cx_ch, e_at + 1500, "ngozi", "paging fulfillment on-call now", parent=report)
    page_by_hand(b, tr, svc, "Hotel bookings stuck in pending confirmation since Monday (186 tickets)", T,
                 responders=ONCALL, ack_after=150, resolve_after=3.4 * HOUR, manual_by="ngozi",
                 description="Customer care reports hotel bookings staying in 'pending confirmation' with no "
                             "voucher since Monday afternoon, mostly HotelHub properties.",
                 notes=[("henrik", "HotelHub confirmations fail to decode since the 05-20 13:03 deploy of "
                                   "fulfillment-worker; 2,731 messages in supplier-confirmations-dlq", 1700.0),
                        ("paloma", "fix deployed, DLQ redriven: 2,731 bookings confirmed. ~410 confirmations "
                                   "dead-lettered Monday afternoon expired (2-day DLQ retention); partner ops "
                                   "asked HotelHub to resend", 8200.0)],
                 relay=fal_ch, why="the manual page of fulfillment on-call after customer care's escalation")

    inc_ch = b.channel("inc-2024-05-22-hotel-confirmations", "Incident: hotel bookings stuck in pending",
                       "Incident response", T + 60, "ngozi")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "ngozi", "incident {{incurl:page}}: hotel bookings stuck in pending since Monday, 186 tickets"),
        (60, "lucia", "customers say 'no confirmation email'. some rebooked and got charged twice"),
        (170, "meiling", "SendGrid had delays to outlook/hotmail this morning and growth had an email-service page. "
                         "could the vouchers just be stuck in email?"),
        (350, "oskar", "email-service sent everything we gave it, their page was a newsletter batch. and these "
                       "bookings never reached CONFIRMED, so no voucher was ever rendered. not email"),
        (420, "paloma", "the only other thing out since Monday is my logo change {{url:distractor_logo}}, but that "
                        "runs after CONFIRMED too"),
        (520, "henrik", "bookings in PENDING_SUPPLIER for more than 1h: 3,1xx, almost all HotelHub. the consumer "
                        "dashboard is green though, lag is 0"),
        (640, "arjun", "lag is 0 because the messages leave the queue: supplier-confirmations-dlq has 2,731 messages, "
                       "oldest is 47h"),
        (700, "paloma", "why didn't the DLQ alarm page us? it's been in ALARM since Monday 13:41"),
        (780, "sione", "my bad: it's on the low-urgency integration since fulfillment-infra PR {{num:weakening}}, "
                       "after the sandbox pings. there's a low-urgency incident open since Monday"),
        (860, "arjun", "every DLQ message fails with `hotelhub v3: missing cancellation deadline`, and they're all "
                       "non-refundable rates"),
        (930, "henrik", "that's the strict v3 decoder from {{url:trigger}}, deployed Monday 13:03: a non-refundable "
                        "rate has deadline null and gets rejected"),
        (990, "paloma", "mine, sorry. HotelHub's samples only had refundable rates. rolling forward with a fix, v2 is "
                        "gone so a revert doesn't help"),
        (3320, "paloma", "fix {{url:fix}} merged, deploying"),
        (3800, "arjun", "new confirmations go through. redriving the DLQ"),
        (5200, "arjun", "redrive done: 2,731 bookings confirmed. but the DLQ only keeps 2 days since {{pr:contributor}}, "
                        "so what failed before ~16:30 on Monday has expired"),
        (5500, "kenji", "HotelHub keeps 7 days of webhooks, I'll ask them to resend Monday afternoon"),
        (6100, "ngozi", "follow-ups: DLQ alarm back to high urgency, DLQ retention back to 14 days, drop TEST-* pings "
                        "at the webhook"),
    )
    for off, who, text in chat:
        m = b.say(inc_ch, T + 120 + off, who, text, template="{{" in text)
        if "{{url:trigger}}" in text:
            tr.add("slack", m, "response", must_see=True, group="cause",
                   why="a responder ties the stuck bookings to the v3 decoder PR, after the email red herring")
        elif "{{num:weakening}}" in text:
            tr.add("slack", m, "response", must_see=False, group="detection",
                   why="a responder explains why the DLQ alarm did not page")
        elif "{{pr:contributor}}" in text:
            tr.add("slack", m, "response", must_see=False, group="cause",
                   why="a responder finds that the DLQ's retention cut lost the first confirmations")

    # The fix: a roll-forward PR, its deploy and the redrive; then the alarm and retention are restored ------------
    fix = story_pull(b, worker, _FIX, T + 0.6 * HOUR, T + 0.95 * HOUR, "fix", review="", reviewed=T + 0.9 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="accepts a missing deadline for non-refundable rates; new confirmations go through again")
    fsha = fix["merge_commit_sha"][:7]
    fdep = b.change_event(svc, f"Deploy fulfillment-worker@{fsha} to production", T + 1.05 * HOUR, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "paloma", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], T + 1.05 * HOUR + 2, "deploybot",
          f":rocket: fulfillment-worker `{fsha}` deployed to production by <@{b.people['paloma'].slack_id}>")
    redrive = b.change_event(svc, "Redrive supplier-confirmations-dlq -> supplier-confirmations: 2,731 messages "
                             "(started by Arjun Bhat)", fix_done - 0.3 * HOUR, "sqs console",
                             details={"source": "supplier-confirmations-dlq", "destination": "supplier-confirmations",
                                      "messages": 2731})
    tr.add("pagerduty", redrive, "fix", must_see=False, group="cause", why="the DLQ redrive that confirmed the bookings")
    b.say(po_ch, T + 5 * HOUR, "kenji", "HotelHub resent 412 confirmations from Monday afternoon, all confirmed now "
          ":pray:")
    follow = story_pull(b, infra, _FOLLOW, T + 21 * HOUR, T + 27 * HOUR, "follow", review="thanks")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="puts the DLQ alarm back on the high-urgency integration and restores the retention")
    applied(follow)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [ful_ch, cx_ch, sc.common["deploys"]], svc, FULFIL[:3], worker,
        titles=("Document the DLQ redrive in the fulfillment runbook",
                "Drop HotelHub sandbox pings (TEST-*) at the webhook"),
        doc=("DLQ redrive", "Check the DLQ's oldest message first: it keeps 14 days, redrive after the fix is out."),
        doc_path="docs/runbooks/dlq-{n}.md",
        test_fire=f"{DLQ_TITLE} (test fire)")
    return world, tr.to_dict()
