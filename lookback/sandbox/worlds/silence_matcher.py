"""World "silence-matcher": Fieldhive, an on-demand shift-staffing marketplace for hospitality, events and warehouse
work in the UK and Ireland, pays its workers every day through Brisa, a payouts provider: the 05:30 UTC Daily Pay run
for yesterday's shifts, plus Instant Cashout at any time. On Tuesday 20 May 2025 at 09:12 UTC payout-engine ships the
move from Brisa API version 2023-09-12 (retired in June) to 2025-03-31. The new version replaces the bank account
object with a typed `destination`; the building society roll number, which used to live on the account, now has to be
sent as `remittance.secondary_reference`, and the PR drops it with the old model. Brisa validates and accepts every
item, sends the Faster Payment, and the building society or credit union returns it hours later with
`beneficiary_reference_missing`: from the first cashout at 09:27 every worker who banks with a roll-number account is
not paid, and the app tells them their bank returned the money. PayoutReturnRateHigh fires at 14:22 and pages no one:
four weeks earlier, after seven night pages caused by Brisa delivering test-mode `payout.failed` webhooks to the live
endpoint, a long-lived silence had been added to the Alertmanager silences-as-code repo with matchers
`team="payouts", service=~"payout-.*", severity=~"page|critical"`, far broader than the webhook alert it was written
for; Brisa fixed the leak on 7 May and the silence stayed. The daily payout reconciliation, which would have shown the
returns in finance ops' morning summary, had been moved to weekly two and a half weeks earlier. Only Hookwatch's
webhook digest, a low-urgency bank-details alert on worker-accounts, a finance ops analyst puzzled by Brisa's float and
support tickets show it until the Worker Support lead pages Payouts by hand on Wednesday, 25 hours in."""

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

PAYOUTS = TeamSpec("payouts", "Payouts", "payout-engine", "payout-engine", "payouts",
                   ("brisa", "scheduler", "webhooks", "ledger_sync", "cashout"),
                   ("Daily Pay run", "instant cashout fee", "Brisa batch client", "webhook handler",
                    "payout state machine", "ledger sync", "idempotency keys", "earnings cut-off", "payout holds",
                    "EUR payouts", "cashout limits", "payout statement email"),
                   ("Brisa API 5xx above 2%", "webhook queue depth above 5k", "ledger sync lag above 15m"), "py")
WORKER_ACCOUNTS = TeamSpec("workeraccounts", "Worker Accounts", "worker-accounts", "worker-accounts",
                           "worker-accounts", ("bank_details", "kyc", "profiles", "right_to_work"),
                           ("bank details form", "sort code lookup", "IBAN validation", "KYC callback",
                            "right-to-work check", "profile photo", "address autocomplete", "confirmation of payee",
                            "NI number check", "share code"),
                           ("KYC callback failures", "worker-accounts 5xx above 1%", "confirmation of payee timeouts"),
                           "ts")
FINANCE = TeamSpec("fineng", "Finance Engineering", "finance-jobs", "finance-jobs", "finance-eng",
                   ("recon", "treasury", "reporting", "accruals"),
                   ("payout recon", "cash position forecast", "VAT export", "venue invoice accruals", "Xero export",
                    "month-end close", "earnings statements", "holiday pay accrual", "settlement report import"),
                   ("finance job failed", "Xero export late"), "py")
BILLING = TeamSpec("venuebilling", "Venue Billing", "venue-billing", "venue-billing", "venue-billing",
                   ("invoices", "collections", "credit", "pricing"),
                   ("weekly venue invoice", "direct debit mandate", "credit limit", "late fee", "booking fee",
                    "invoice PDF", "collections client", "dunning emails"),
                   ("invoice run failed", "collections webhook errors", "mandate sync lag"), "rb")

STAFF = (("tobiah", "Tobiah Wren"), ("marisol", "Marisol Ybarra"), ("kwame", "Kwame Asante-Darko"),
         ("thandiwe", "Thandiwe Mokoena"), ("radek", "Radek Zielinski"), ("noor", "Noor Al-Sayegh"),
         ("fergus", "Fergus McAllister"), ("callum", "Callum Tierney"), ("paulina", "Paulina Szymanska"),
         ("adaeze", "Adaeze Nwosu"), ("joost", "Joost Verhaegen"), ("ottilie", "Ottilie Brandt"))
OUTSIDERS = (("bronagh", "Bronagh Kielty"), ("pere", "Pere Vidal"), ("devika", "Devika Sundaram"),
             ("lorcan", "Lorcan Doherty"), ("shauna", "Shauna Pryce"), ("hattie", "Hattie Olowe"),
             ("aoife", "Aoife Brennan"))
PAYOUTS_PEOPLE = ["tobiah", "marisol", "kwame", "thandiwe", "radek"]
ONCALL = ["thandiwe", "radek", "kwame", "marisol"]
SRE_PEOPLE = ["noor", "fergus"]
FIN_PEOPLE = ["callum", "paulina"]
WA_PEOPLE = ["adaeze", "joost"]
SUPPORT = ["bronagh", "pere", "aoife"]
FINOPS = ["devika", "hattie"]

SILENCE = "payouts-brisa-testmode-webhooks"
NOISY_TITLE = "[payout-webhooks] PayoutFailureEventsHigh: payout.failed events above 2% of submitted payouts (15m)"
RETURN_REASON = "beneficiary_reference_missing"


# Other teams' Alertmanager PRs in the alerting repo ---------------------------------------------------------------
_AM_TEAMS = (  # (team, service, alerts, planned work that makes them fire)
    ("marketplace", "shift-matching", ("ShiftMatchLatencyHigh", "OfferFanoutErrors", "MatchQueueBacklog"),
     ("the Kafka broker replacement", "the matching load test")),
    ("search", "search-indexer", ("SearchIndexerLag", "SearchClusterYellow", "ListingsReindexStuck"),
     ("the listings reindex", "the OpenSearch 2.13 upgrade")),
    ("identity", "auth-service", ("LoginErrorRateHigh", "TokenIssuanceSlow", "OAuthProviderErrors"),
     ("the session store failover drill", "the signing key rotation")),
    ("worker-accounts", "worker-accounts", ("KycCallbackFailures", "CopTimeouts", "RightToWorkCheckErrors"),
     ("the KYC provider migration", "the Postgres 16 upgrade")),
    ("venue-billing", "venue-billing", ("InvoiceRunFailed", "MandateSyncLag", "CollectionsWebhookErrors"),
     ("the invoice backfill", "the Postgres 16 upgrade")),
    ("platform", "ingress-nginx", ("IngressHigh5xx", "CertExpiringSoon", "NodeDiskPressure"),
     ("the node pool rotation", "the ingress controller upgrade")),
    ("data", "etl-scheduler", ("DagFailed", "WarehouseLoadErrors", "ExportLate"),
     ("the warehouse migration", "the Airflow 2.10 upgrade")),
    ("comms", "notify-service", ("PushDeliveryFailures", "SmsProviderErrors", "EmailBounceRate"),
     ("the SMS provider switch", "the Redis failover drill")),
)


def _added_file(name: str, lines: list[str]) -> dict[str, Any]:
    return yaml_file(name, "\n".join([f"@@ -0,0 +1,{len(lines)} @@", *(f"+{x}" for x in lines)]), status="added")


def _alerting_change(rng: random.Random) -> ConfigChange:
    """One generated PR of the alerting repo: maintenance silences, routes, rule thresholds, inhibitions, receivers."""
    team, service, alerts, works = rng.choice(_AM_TEAMS)
    alert = rng.choice(alerts)
    ticket = f"OBS-{rng.randrange(300, 420)}"
    k = rng.random()
    if k < 0.30:
        why = rng.choice(works)
        hours = rng.choice((4, 6, 8, 12, 24, 48))
        slug = f"{service}-{alert.lower()}-{ticket.lower()}"
        return (f"Silence {alert} on {service} for {hours}h during {why}",
                rng.choice((f"Expected to fire during {why}, see {ticket}.", "Planned work, the silence ends with it.")),
                [_added_file(f"silences/{slug}.yaml", [
                    f"name: {slug}", f"comment: \"{why} ({ticket})\"", f"duration: {hours}h  # from the sync",
                    "matchers:", "  - name: alertname", f"    value: {alert}", "  - name: service",
                    f"    value: {service}"])])
    if k < 0.40:
        gone = rng.sample([x[1] for x in _AM_TEAMS], 2)
        return ("Remove expired silences", "silencectl lint flagged them, all ended more than 7 days ago.",
                [yaml_file(f"silences/{g}-maintenance.yaml", "\n".join([
                    "@@ -1,3 +0,0 @@", f"-name: {g}-maintenance", "-comment: \"planned maintenance\"",
                    "-duration: 12h"]), status="removed") for g in gone])
    if k < 0.55:
        return (f"Route {alert} to #{team}-alerts only, no page", rng.choice((
                    "Nobody acts on it at night, it waits for the morning.", f"On-call review ({ticket}).")),
                [yaml_file("alertmanager/routes.yaml", yaml_patch(rng.randrange(20, 140), "routes:", [
                    f"   - matchers: [alertname=\"{alert}\", team=\"{team}\"]",
                    f"-    receiver: pagerduty-{team}", f"+    receiver: slack-{team}-alerts"]))])
    if k < 0.72:
        a, c = rng.choice((("5m", "10m"), ("10m", "5m"), ("15m", "30m"), ("10m", "15m")))
        return (f"{alert}: for {a} -> {c}", rng.choice((f"Flapping, see {ticket}.", "Too slow to fire, tighten.")),
                [yaml_file(f"rules/{team}.yaml", yaml_patch(rng.randrange(4, 60), "rules:", [
                    f"   - alert: {alert}", f"-    for: {a}", f"+    for: {c}"]))])
    if k < 0.82:
        return (f"Inhibit {team} warnings while {service} is in a maintenance window",
                "Uses the MaintenanceWindow alert from the maintenance calendar exporter.",
                [yaml_file("alertmanager/inhibit.yaml", yaml_patch(rng.randrange(3, 40), "inhibit_rules:", [
                    "+  - source_matchers: [alertname=\"MaintenanceWindow\"]",
                    f"+    target_matchers: [team=\"{team}\", severity=\"warning\"]", "+    equal: [service]"]))])
    if k < 0.92:
        return (f"{alert}: add runbook_url", "Every paging alert gets a runbook.",
                [yaml_file(f"rules/{team}.yaml", yaml_patch(rng.randrange(4, 60), "annotations:", [
                    f"+      runbook_url: https://wiki.fieldhive.example/runbooks/{alert.lower()}"]))])
    minor = rng.randrange(12, 18)
    return (f"CI: bump promtool and amtool images to v0.{minor + 1}", "Routine.",
            [yaml_file(".github/workflows/validate.yml", yaml_patch(9, "jobs:", [
                f"-      image: prom/alertmanager-tools:v0.{minor}", f"+      image: prom/alertmanager-tools:v0.{minor + 1}"]))])


# Bot feeds --------------------------------------------------------------------------------------------------------
_TICKETS = ("Not paid for Saturday's shift, timesheet still shows pending", "Can't clock in at the venue, QR won't scan",
            "Shift cancelled 2 hours before, do I get cancellation pay?", "How do I change my bank details?",
            "Right to work share code rejected", "Instant cashout fee seems wrong", "Rating from a venue is unfair",
            "Payslip / earnings statement for mortgage application", "App logs me out every day",
            "Venue asked me to stay an extra hour, not on my timesheet", "Can I work for two venues the same day?",
            "Daily Pay arrived short, break deducted twice?", "Need a P60 equivalent for last tax year")


_VENUE_TICKETS = ("Worker no-show on Friday, want a credit", "Invoice shows a booking fee we didn't agree",
                  "How do we add a second site to our account?", "Need 15 staff tomorrow, offers not filling",
                  "Direct debit mandate failed, card instead?", "Worker rated us unfairly, can we reply?")


def _ticket_line(rng: random.Random, t: float) -> str:
    venue = rng.random() < 0.25
    subject = rng.choice(_VENUE_TICKETS if venue else _TICKETS)
    return (f":ticket: Zendesk *#{rng.randrange(221_000, 236_000)}* ({'venue' if venue else 'worker'}, "
            f"P{rng.choice((3, 3, 3, 2, 4))}): {subject}")


def _status_line(rng: random.Random, t: float) -> str:
    k = rng.random()
    if k < 0.35:
        return (":large_blue_circle: *Brisa Status* Scheduled maintenance: "
                f"{rng.choice(('SEPA Instant gateway', 'dashboard and reports', 'Faster Payments gateway (standby)', 'webhook delivery (rolling restart)'))} "
                f"{iso(t + rng.uniform(2, 6) * DAY)[:10]} 01:00-03:00 UTC")
    if k < 0.65:
        return (":large_yellow_circle: *Brisa Status* Degraded performance: "
                f"{rng.choice(('delayed SEPA Credit Transfer settlement', 'slow report exports', 'dashboard login errors', 'increased API latency in eu-west'))}")
    if k < 0.9:
        return ":large_green_circle: *Brisa Status* Resolved: all systems operational"
    return (":memo: *Brisa Changelog* webhook deliveries will also come from "
            f"{rng.choice(('3.248.112.0/24', '52.49.60.0/24', '34.240.17.0/24'))} from next month; update allowlists")


def _am_warning_line(rng: random.Random, t: float) -> str:
    """Warning-severity alerts of payouts, which go to Slack only (and so are not covered by the page silence)."""
    k = rng.random()
    if k < 0.35:
        return (f":warning: Alertmanager *[FIRING:1]* BrisaApiLatencyHigh service=payout-engine p95 "
                f"{rng.randrange(810, 2400)}ms (warning)")
    if k < 0.6:
        return (f":warning: Alertmanager *[FIRING:1]* WebhookQueueDepth service=payout-webhooks depth "
                f"{rng.randrange(1200, 4800):,} (warning)")
    if k < 0.8:
        return (f":warning: Alertmanager *[FIRING:1]* LedgerSyncLag service=payout-engine lag {rng.randrange(4, 14)}m "
                "(warning)")
    return f":white_check_mark: Alertmanager *[RESOLVED]* {rng.choice(('BrisaApiLatencyHigh', 'WebhookQueueDepth', 'LedgerSyncLag'))}"


def _social_line(rng: random.Random, t: float) -> str:
    return (f":mag: *Brandwatch* daily: {rng.randrange(180, 420)} mentions of Fieldhive (24h) · negative "
            f"{rng.randrange(9, 24)}% · top terms: {', '.join(rng.sample(('shifts near me', 'fieldhive pay', 'daily pay', 'venue', 'cancelled shift', 'bar work', 'warehouse shifts', 'referral bonus'), 3))}")


_PAY_LINES = (
    "PTAL {url}, small one in the {noun}", "anyone know why the {noun} test is flaky on CI again?",
    "heads up: I'm touching the {noun} today, shout if you're in there too", "{noun} dashboard is in grafana now",
    "standup: {noun}, then reviews", "the Brisa sandbox is slow again, e2e took 14 min",
    "who's on call next week? swapping wed with {other} if ok", "do we still need the {noun} feature flag?",
    "finance asked for the {noun} numbers for april, pulling them", "retro moved to thursday 14:00",
)
_SUPPORT_LINES = (
    "anyone else getting a lot of '{noun}' chats today?", "macro for {noun} updated, please use v3",
    "worker asking about {noun}, who knows the rules here?", "venue {noun} complaint, escalating to account team",
    "queue is at {n} chats, can someone jump on?", "reminder: weekend rota is up in the drive",
)
_SUPPORT_NOUNS = ("timesheet approval", "cancellation pay", "share code", "cashout fee", "break deduction",
                  "late clock-in", "venue rating", "uniform rules", "holiday pay")
_FINOPS_LINES = (
    "{noun}: draft is in the drive, numbers from Looker", "month-end checklist updated for {noun}",
    "Brisa invoice for april is in, {noun} looks right", "who approves the {noun} adjustment over £5k?",
    "reminder: {noun} deadline is friday", "does anyone have the {noun} export from last week?",
)
_FINOPS_NOUNS = ("VAT return", "venue credit notes", "holiday pay accrual", "float top-ups", "cashout fee revenue",
                 "Xero journals", "Brisa fees", "payroll journals")
_OPS_LINES = (
    "{noun}: venue wants 12 more staff for saturday, can we push the offer?", "fill rate in {noun} 91% this week",
    "new venue live in {noun} tomorrow, onboarding call at 10", "{noun} manager asking about the new rate card",
    "no-shows up in {noun} this weekend, anything on the app side?", "{noun}: big event friday, 80 shifts to fill",
)
_OPS_NOUNS = ("Manchester", "Leeds", "Liverpool", "Sheffield", "Newcastle", "Salford Quays", "Trafford Park")
_SRE_LINES = (
    "silences review: please check yours in the weekly digest", "{noun} upgrade is on staging, prod next week",
    "who owns the {noun} alerts now?", "PTAL {url}", "on-call handover notes are in the doc",
    "the {noun} dashboard moved to the new folder",
)
_SRE_NOUNS = ("alertmanager", "prometheus", "grafana", "loki", "thanos", "pagerduty routing", "blackbox exporter")


# The story's PRs --------------------------------------------------------------------------------------------------
_WEAKENING = Change(
    author="kwame", reviewer="noor", labels=("silence", "payouts"),
    title="Silence payouts failure pages while Brisa sends test-mode webhooks to live (PAY-1187)",
    body="PayoutFailureEventsHigh has paged payouts on-call seven times in eight nights (14-21 Apr, between 01:30 and "
         "03:10 UTC). Every one was Brisa delivering **test-mode** `payout.failed` events to our live webhook "
         "endpoint: `livemode: false`, `po_test_*` ids that we never created. Brisa case 88213: they acknowledge it "
         "and say a fix is rolling out \"in the coming weeks\". Nothing on-call can do at 2am.\n\n"
         "Filtering on `livemode` properly needs a label on `payout_webhook_events_total` and a handler change "
         "(PAY-1190, next sprint). Until then this silences the payouts failure pages:\n\n"
         "- the failure alerts come under several names (PayoutFailureEventsHigh, PayoutWebhookFailureRatio, the "
         "canary's copy) on `payout-webhooks` and `payout-webhooks-canary`, and the test events also trip "
         "PayoutFailedRatio on payout-engine, so the matcher is `service=~\"payout-.*\"` instead of a list of "
         "alertnames\n"
         "- `severity=~\"page|critical\"` only: warnings still go to #payouts-alerts\n"
         "- ends 31 July to leave margin after Brisa's fix. I'll delete the file when they confirm it.",
    files=(("silences/payouts-brisa-testmode-webhooks.yaml", """@@ -0,0 +1,21 @@
+# Brisa delivers test-mode payout.failed webhooks to our live endpoint since 14 Apr (Brisa case 88213).
+# They count as real failures and page payouts on-call most nights. Remove when Brisa confirms the fix. PAY-1187
+name: payouts-brisa-testmode-webhooks
+createdBy: kwame.asante-darko
+comment: "Brisa test-mode webhooks on the live endpoint (Brisa case 88213, PAY-1187)"
+startsAt: 2025-04-22T16:00:00Z
+endsAt: 2025-07-31T23:59:00Z
+matchers:
+  - name: team
+    value: payouts
+    isRegex: false
+    isEqual: true
+  - name: service
+    value: "payout-.*"
+    isRegex: true
+    isEqual: true
+  - name: severity
+    value: "page|critical"
+    isRegex: true
+    isEqual: true
+"""),),
)

_CONTRIBUTOR = Change(
    author="callum", reviewer="paulina", labels=("finance", "cronjob"),
    title="payout-recon: run weekly for the Monday close instead of daily (FIN-442)",
    body="Brisa now limits the settlement report export to 10 calls a day per account (their 1 May change, "
         "BRISA-CHG-2291). The recon uses three per currency per run, which collides with the treasury forecast job "
         "and made it fail twice last week.\n\n"
         "Finance ops reviews the recon at the Monday close anyway (agreed with Hattie): the daily summary said "
         "\"0 unexplained\" on 58 of the last 60 days and nobody acts on it during the week. Returns are already "
         "handled payout by payout on the webhook path (the ledger marks them returned and the worker is told), so "
         "nothing is lost by waiting for Monday.\n\n"
         "- schedule `15 6 * * *` -> `15 6 * * 1`, window 1d -> 7d\n"
         "- same summary in #finance-ops, now for the week",
    files=(("deploy/cronjobs/payout-recon.yaml", """@@ -7,16 +7,16 @@ metadata:
     team: finance-eng
 spec:
-  # Daily at 06:15 UTC, after the 05:30 Daily Pay run has been accepted by Brisa.
-  schedule: "15 6 * * *"
+  # Weekly on Mondays at 06:15 UTC, for finance ops' Monday close (FIN-442).
+  schedule: "15 6 * * 1"
   concurrencyPolicy: Forbid
   jobTemplate:
     spec:
       backoffLimit: 2
       template:
         spec:
           containers:
             - name: recon
               image: ghcr.io/fieldhive/finance-jobs:{{ .Values.image.tag }}
-              args: ["payout-recon", "--window", "1d", "--post-summary", "#finance-ops"]
+              args: ["payout-recon", "--window", "7d", "--post-summary", "#finance-ops"]
               resources:
                 requests: {cpu: 250m, memory: 512Mi}"""),
           ("jobs/payout_recon/README.md", """@@ -1,9 +1,10 @@
 # payout-recon

-Runs every morning at 06:15 UTC. Compares yesterday's payouts in the ledger with Brisa's settlement report
-and posts a summary to #finance-ops: unexplained differences, returned, failed and pending payouts.
+Runs every Monday at 06:15 UTC (FIN-442). Compares the last 7 days of payouts in the ledger with Brisa's
+settlement report and posts a summary to #finance-ops: unexplained differences, returned, failed and pending
+payouts. Run it by hand with `finance-jobs payout-recon --window 1d` if you need a day.

 Unexplained differences open a FIN ticket automatically.""")),
)

_TRIGGER = Change(
    author="marisol", reviewer="radek", labels=("brisa", "payouts"),
    title="Brisa: move payouts to API version 2025-03-31 (PAY-1302)",
    body="Brisa retires API version 2023-09-12 on 30 June (changelog in #vendor-status, PAY-1302). This moves "
         "payout-engine to 2025-03-31:\n\n"
         "- `Brisa-Version: 2025-03-31`, batches go to `/v2/payout_batches`\n"
         "- every item carries an `idempotency_key` (`payout-<id>`), so a re-submitted batch can no longer pay an item "
         "twice (what `resubmit.py` hand-rolls today; removing it is a follow-up)\n"
         "- `beneficiary.bank_account` becomes a typed `destination` (`gb_bank_account` / `sepa_bank_account`) with "
         "the holder name inside it; BIC is gone for SEPA\n"
         "- `amount` is `{value, currency}` and our reference goes to `remittance.reference`\n\n"
         "`building_society_roll_number` no longer exists on the account object on this version (the migration guide "
         "says \"moved to remittance\"). Our models are `extra=forbid`, so it goes, with its test.\n\n"
         "Tested against the Brisa sandbox pinned to 2025-03-31: the payouts e2e suite passes (12/12, GBP and EUR, "
         "Daily Pay batch and cashout). `payout.*` webhook payloads are unchanged on this version (their changelog).",
    files=(("payout_engine/brisa/client.py", """@@ -11,8 +11,8 @@ from payout_engine.brisa.models import BatchResponse, PayoutBatch
 log = structlog.get_logger(__name__)

-# Pinned API version, see https://docs.brisa.example/api/versioning
-BRISA_API_VERSION = "2023-09-12"
+# Pinned API version, see https://docs.brisa.example/api/versioning (2023-09-12 is retired on 2025-06-30)
+BRISA_API_VERSION = "2025-03-31"


 class BrisaClient:
@@ -36,6 +36,7 @@ class BrisaClient:
     def submit_batch(self, batch: PayoutBatch) -> BatchResponse:
-        response = self._http.post("/v1/payout_batches", json=batch.model_dump(exclude_none=True))
+        # 2025-03-31: batches move to /v2 and every item carries its own idempotency key.
+        response = self._http.post("/v2/payout_batches", json=batch.model_dump(exclude_none=True))
         response.raise_for_status()
         return BatchResponse.model_validate(response.json())"""),
           ("payout_engine/brisa/models.py", """@@ -14,30 +14,41 @@ class _Strict(BaseModel):
     model_config = ConfigDict(extra="forbid")


-class GbBankAccount(_Strict):
-    sort_code: str = Field(pattern=r"^\\d{6}$")
-    account_number: str = Field(pattern=r"^\\d{8}$")
-    building_society_roll_number: str | None = Field(default=None, max_length=18)
+class GbBankAccount(_Strict):
+    type: Literal["gb_bank_account"] = "gb_bank_account"
+    holder_name: str = Field(max_length=70)
+    sort_code: str = Field(pattern=r"^\\d{6}$")
+    account_number: str = Field(pattern=r"^\\d{8}$")


-class IbanBankAccount(_Strict):
-    iban: str
-    bic: str | None = None
+class SepaBankAccount(_Strict):
+    type: Literal["sepa_bank_account"] = "sepa_bank_account"
+    holder_name: str = Field(max_length=70)
+    iban: str


-class Beneficiary(_Strict):
-    name: str = Field(max_length=70)
-    bank_account: GbBankAccount | IbanBankAccount
+Destination = Annotated[GbBankAccount | SepaBankAccount, Field(discriminator="type")]
+
+
+class Money(_Strict):
+    value: int  # minor units
+    currency: Literal["GBP", "EUR"]
+
+
+class Remittance(_Strict):
+    reference: str = Field(max_length=18)
+    secondary_reference: str | None = Field(default=None, max_length=18)


 class PayoutItem(_Strict):
-    amount: int
-    currency: Literal["GBP", "EUR"]
-    beneficiary: Beneficiary
-    reference: str = Field(max_length=18)
+    idempotency_key: str
+    amount: Money
+    destination: Destination
+    remittance: Remittance
     metadata: dict[str, str] = {}"""),
           ("payout_engine/brisa/mapping.py", """@@ -20,24 +20,24 @@ def payout_reference(payout: Payout) -> str:
 def to_brisa_item(payout: Payout, account: BankAccount) -> PayoutItem:
     \"\"\"One worker payout as an item of a Brisa payout batch.\"\"\"
     if account.scheme == Scheme.FASTER_PAYMENTS:
-        bank_account: GbBankAccount | IbanBankAccount = GbBankAccount(
+        destination: GbBankAccount | SepaBankAccount = GbBankAccount(
+            holder_name=account.holder_name,
             sort_code=account.sort_code,
             account_number=account.account_number,
-            building_society_roll_number=account.roll_number,
         )
     else:
-        bank_account = IbanBankAccount(iban=account.iban, bic=account.bic)
+        destination = SepaBankAccount(holder_name=account.holder_name, iban=account.iban)
     return PayoutItem(
-        amount=payout.amount_minor,
-        currency=payout.currency,
-        beneficiary=Beneficiary(name=account.holder_name, bank_account=bank_account),
-        reference=payout_reference(payout),
+        idempotency_key=f"payout-{payout.id}",
+        amount=Money(value=payout.amount_minor, currency=payout.currency),
+        destination=destination,
+        remittance=Remittance(reference=payout_reference(payout)),
         metadata={"payout_id": str(payout.id), "worker_id": str(payout.worker_id)},
     )"""),
           ("tests/brisa/test_mapping.py", """@@ -1,24 +1,19 @@
 from payout_engine.brisa.mapping import to_brisa_item
-from payout_engine.brisa.models import GbBankAccount, IbanBankAccount
+from payout_engine.brisa.models import GbBankAccount, SepaBankAccount
 from tests.factories import bank_account, payout


 def test_faster_payments_item():
     item = to_brisa_item(payout(amount_minor=5230), bank_account(sort_code="200415", account_number="41236578"))
-    assert item.amount == 5230 and item.currency == "GBP"
-    assert item.beneficiary.bank_account == GbBankAccount(sort_code="200415", account_number="41236578")
+    assert item.amount.value == 5230 and item.amount.currency == "GBP"
+    assert item.destination == GbBankAccount(holder_name="Jo Bloggs", sort_code="200415", account_number="41236578")
+    assert item.idempotency_key.startswith("payout-")


 def test_sepa_item():
     item = to_brisa_item(payout(amount_minor=6100, currency="EUR"), bank_account(iban="IE64IRCE92050112345678"))
-    assert item.beneficiary.bank_account == IbanBankAccount(iban="IE64IRCE92050112345678")
-
-
-def test_building_society_roll_number():
-    account = bank_account(sort_code="609204", account_number="00000000", roll_number="1234567/AB")
-    item = to_brisa_item(payout(), account)
-    assert item.beneficiary.bank_account.building_society_roll_number == "1234567/AB\"""")),
)

_FIX = Change(
    author="marisol", reviewer="tobiah", labels=("incident", "brisa"),
    title="Send building society roll numbers as remittance.secondary_reference; re-issue returned payouts",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} moved us to Brisa API 2025-03-31 and dropped "
         "`building_society_roll_number` together with the old account object. On this version the roll number "
         "goes in `remittance.secondary_reference`. Without it Brisa accepts the item and sends the Faster Payment, "
         "and the building society or credit union returns it hours later with `beneficiary_reference_missing`. "
         "Since Tuesday 09:12 UTC that is every payout to an account with a roll number (about 6% of UK workers): "
         "1,532 returned by 10:55 today and more coming back from this morning's run.\n\n"
         "- `to_brisa_item` sets `secondary_reference` from `account.roll_number`\n"
         "- the roll-number test is back, against the new model, plus one that fails when a roll-number account "
         "maps without it\n"
         "- `scripts/reissue_returned.py`: re-issues payouts returned with `beneficiary_reference_missing` since "
         "2025-05-20 09:12 UTC, with new idempotency keys; dry run by default",
    files=(("payout_engine/brisa/mapping.py", """@@ -37,7 +37,10 @@ def to_brisa_item(payout: Payout, account: BankAccount) -> PayoutItem:
         idempotency_key=f"payout-{payout.id}",
         amount=Money(value=payout.amount_minor, currency=payout.currency),
         destination=destination,
-        remittance=Remittance(reference=payout_reference(payout)),
+        # Building societies and credit unions credit the member by roll number; on 2025-03-31 it is the
+        # remittance's secondary reference. Without it the receiving bank returns the payment.
+        remittance=Remittance(reference=payout_reference(payout), secondary_reference=account.roll_number),
         metadata={"payout_id": str(payout.id), "worker_id": str(payout.worker_id)},
     )"""),
           ("tests/brisa/test_mapping.py", """@@ -17,3 +17,15 @@ def test_sepa_item():
     item = to_brisa_item(payout(amount_minor=6100, currency="EUR"), bank_account(iban="IE64IRCE92050112345678"))
     assert item.destination == SepaBankAccount(holder_name="Jo Bloggs", iban="IE64IRCE92050112345678")
+
+
+def test_building_society_roll_number():
+    account = bank_account(sort_code="609204", account_number="00000000", roll_number="1234567/AB")
+    item = to_brisa_item(payout(), account)
+    assert item.remittance.secondary_reference == "1234567/AB"
+
+
+def test_every_roll_number_account_sends_it():
+    for account in bank_accounts_with_roll_numbers():
+        assert to_brisa_item(payout(), account).remittance.secondary_reference == account.roll_number"""),
           ("scripts/reissue_returned.py", """@@ -0,0 +1,14 @@
+\"\"\"Re-issue payouts that the receiving bank returned with beneficiary_reference_missing (incident 21 May).\"\"\"
+import click
+
+from payout_engine.payouts import reissue, returned_since
+
+
+@click.command()
+@click.option("--since", default="2025-05-20T09:12:00Z")
+@click.option("--reason", default="beneficiary_reference_missing")
+@click.option("--execute", is_flag=True, help="Without it, only print what would be re-issued.")
+def main(since: str, reason: str, execute: bool) -> None:
+    payouts = returned_since(since, reason=reason)
+    click.echo(f"{len(payouts)} returned payouts, {sum(p.amount_minor for p in payouts) / 100:,.2f} total")
+    reissue(payouts, key_suffix="reissue-1", dry_run=not execute)""")),
)

_FOLLOW_SILENCE = Change(
    author="kwame", reviewer="noor", labels=("silence", "incident"),
    title="Delete the payouts-brisa-testmode silence; PayoutFailureEventsHigh ignores livemode=false",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} every page-severity alert of team=payouts on any "
         "`payout-*` service has been silenced, including PayoutReturnRateHigh, which started firing at 14:22 on "
         "Tuesday and would have paged about twenty hours before support did. Brisa fixed the test-mode leak on "
         "7 May; the silence stayed.\n\n"
         "- the silence is gone\n"
         "- PayoutFailureEventsHigh counts only `livemode=\"true\"` events (the label shipped in PAY-1190)\n"
         "- `silencectl lint` now rejects silences longer than 14 days and regex matchers on `service` or `team` "
         "without an `alertname`",
    files=(("silences/payouts-brisa-testmode-webhooks.yaml", """@@ -1,21 +0,0 @@
-# Brisa delivers test-mode payout.failed webhooks to our live endpoint since 14 Apr (Brisa case 88213).
-# They count as real failures and page payouts on-call most nights. Remove when Brisa confirms the fix. PAY-1187
-name: payouts-brisa-testmode-webhooks
-createdBy: kwame.asante-darko
-comment: "Brisa test-mode webhooks on the live endpoint (Brisa case 88213, PAY-1187)"
-startsAt: 2025-04-22T16:00:00Z
-endsAt: 2025-07-31T23:59:00Z
-matchers:
-  - name: team
-    value: payouts
-    isRegex: false
-    isEqual: true
-  - name: service
-    value: "payout-.*"
-    isRegex: true
-    isEqual: true
-  - name: severity
-    value: "page|critical"
-    isRegex: true
-    isEqual: true
-"""),
           ("rules/payouts.yaml", """@@ -4,7 +4,7 @@ groups:
       - alert: PayoutFailureEventsHigh
         expr: |
-          sum(rate(payout_webhook_events_total{type="payout.failed"}[15m]))
+          sum(rate(payout_webhook_events_total{type="payout.failed", livemode="true"}[15m]))
             / sum(rate(payout_items_submitted_total[15m])) > 0.02
         for: 15m
         labels: {team: payouts, service: payout-webhooks, severity: page}"""),
           ("ci/silencectl.yaml", """@@ -3,3 +3,7 @@ lint:
   require: [name, comment, createdBy, endsAt]
+  max_duration: 14d
+  forbid_regex_without_alertname:
+    - team
+    - service""")),
)

_FOLLOW_RECON = Change(
    author="callum", reviewer="paulina", labels=("finance", "incident"),
    title="payout-recon: daily again, with returns by reason code in the summary",
    body="Follow-up of {{incurl:page}}. The returned payouts of 20-21 May would have been in Wednesday's 06:15 "
         "summary (hundreds returned against a usual dozen) if the recon still ran daily; since {{url:contributor}} "
         "it runs on Mondays. Back to daily: the report export limit is handled by caching the settlement report "
         "for the treasury job. The summary now lists returns by reason and flags any reason above 3x its 28-day "
         "average.",
    files=(("deploy/cronjobs/payout-recon.yaml", """@@ -9,4 +9,4 @@ spec:
-  # Weekly on Mondays at 06:15 UTC, for finance ops' Monday close (FIN-442).
-  schedule: "15 6 * * 1"
+  # Daily at 06:15 UTC; finance ops' Monday close reads the weekly roll-up.
+  schedule: "15 6 * * *"
   concurrencyPolicy: Forbid"""),
           ("jobs/payout_recon/summary.py", """@@ -31,6 +31,12 @@ def summary(result: ReconResult) -> str:
     lines = [f"{result.checked:,} payouts", f"{result.unexplained} unexplained"]
+    for reason, count in result.returned_by_reason.most_common(3):
+        baseline = result.baseline_returns.get(reason, 0.0)
+        flag = " :rotating_light:" if count > 3 * max(baseline, 1.0) else ""
+        lines.append(f"returned `{reason}` {count:,} (28d avg {baseline:.1f}){flag}")
     return " · ".join(lines)""")),
)

# Decoys -----------------------------------------------------------------------------------------------------------
_SDK_BUMP = Change(
    author="ottilie", reviewer="joost", labels=("dependencies", "brisa"),
    title="Bump brisa-ruby 3.9.2 -> 4.2.0 and pin Brisa-Version 2025-03-31 for collections",
    body="Venue Billing's part of the Brisa 2023-09-12 retirement. We only use collections (direct debit mandates "
         "and charges), which have no breaking changes on 2025-03-31 apart from the `amount` object. Ran the "
         "collections suite against the sandbox, all green.",
    files=(("Gemfile.lock", """@@ -88,7 +88,7 @@ GEM
-    brisa-ruby (3.9.2)
+    brisa-ruby (4.2.0)
       faraday (>= 1.10, < 3)"""),
           ("config/initializers/brisa.rb", """@@ -1,5 +1,5 @@
 Brisa.configure do |c|
   c.api_key = Rails.application.credentials.brisa[:api_key]
-  c.api_version = "2023-09-12"
+  c.api_version = "2025-03-31"
   c.open_timeout = 5
 end"""),
           ("app/services/collections/charge_venue.rb", """@@ -18,7 +18,7 @@ module Collections
       Brisa::Charge.create(
         mandate: venue.mandate_id,
-        amount: invoice.total_minor,
-        currency: invoice.currency,
+        amount: { value: invoice.total_minor, currency: invoice.currency },
         reference: invoice.number,
       )""")),
)

_AM_UPGRADE = Change(
    author="fergus", reviewer="noor", labels=("alertmanager", "dependencies"),
    title="Alertmanager v0.27.0 -> v0.28.1",
    body="Picks up the UTF-8 matcher parsing (we have none that need it) and the Slack receiver fixes. amtool "
         "check-config and the route tests pass; silences are kept across the rollout (same PVC).",
    files=(("deploy/alertmanager/values.yaml", """@@ -1,6 +1,6 @@
 image:
   repository: quay.io/prometheus/alertmanager
-  tag: v0.27.0
+  tag: v0.28.1
 replicas: 3
 persistence:
   size: 2Gi"""),),
)

_SEARCH_SILENCE = Change(
    author="", reviewer="", labels=("silence",),
    title="Silence SearchIndexerLag on search-indexer during the listings reindex (until 22 May 06:00)",
    body="Full reindex for the new shift-type facets, expected to take ~30h. Lag is the point of it.",
    files=(("silences/search-indexer-reindex-0520.yaml", """@@ -0,0 +1,10 @@
+name: search-indexer-reindex-0520
+comment: "listings reindex for shift-type facets (SRCH-231)"
+startsAt: 2025-05-20T20:00:00Z
+endsAt: 2025-05-22T06:00:00Z
+matchers:
+  - name: alertname
+    value: SearchIndexerLag
+  - name: service
+    value: search-indexer
+"""),),
)

_FORM = Change(
    author="adaeze", reviewer="joost", labels=("bank-details",),
    title="Bank details form: show the bank's name from the sort code, ask for a roll number when it needs one",
    body="Workers type their sort code and we now show the bank (from the EISCD extract) before they confirm, which "
         "should cut the wrong-sort-code tickets. When the EISCD record says the bank needs a roll number we ask for "
         "it on the same step instead of the optional field at the bottom. No change for saved details.",
    files=(("src/bank_details/SortCodeField.tsx", """@@ -12,6 +12,14 @@ export function SortCodeField({ value, onChange }: Props) {
   const [sortCode, setSortCode] = useState(value);
+  const bank = useSortCodeLookup(sortCode);
   return (
     <Field label="Sort code" hint="6 digits, e.g. 20-04-15">
       <Input value={sortCode} onChange={(e) => setSortCode(normalise(e.target.value))} />
+      {bank.data && <BankName name={bank.data.bankName} />}
+      {bank.data?.rollNumberRequired && <RollNumberField required />}
     </Field>
   );
 }"""),
           ("src/bank_details/useSortCodeLookup.ts", """@@ -0,0 +1,8 @@
+export function useSortCodeLookup(sortCode: string) {
+  return useQuery({
+    queryKey: ["sort-code", sortCode],
+    queryFn: () => api.get(`/v1/sort-codes/${sortCode}`),
+    enabled: /^\\d{6}$/.test(sortCode),
+    staleTime: 24 * 60 * 60 * 1000,
+  });
+}""")),
)

_CASHOUT = Change(
    author="radek", reviewer="thandiwe", labels=("cashout",),
    title="Cashout: show the fee and the net amount before confirming",
    body="Support asked for this: workers see \"£48.50, fee £0.73, you get £47.77\" on the confirm sheet instead "
         "of only on the receipt. API only (the app reads `fee_minor` and `net_minor`).",
    files=(("payout_engine/cashout/quote.py", """@@ -22,6 +22,9 @@ def quote(worker: Worker, amount_minor: int) -> CashoutQuote:
     fee = max(MIN_FEE_MINOR, round(amount_minor * FEE_RATE))
-    return CashoutQuote(amount_minor=amount_minor)
+    return CashoutQuote(amount_minor=amount_minor, fee_minor=fee, net_minor=amount_minor - fee)"""),),
)


def build_silence_matcher(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the silence-matcher world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="silence-matcher", seed=6221, org="fieldhive", team_name="Payouts",
                    page_at="2025-05-21T10:52:00Z", impact_start="2025-05-20T09:27:00Z",
                    noise_teams=("identity", "data", "platform", "mobile", "risk"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("hookwatch", "Hookwatch"), ("payrun", "Payrun"), ("treasury", "Treasury Bot"),
                      ("reconbot", "Payout Recon"), ("zendesk", "Zendesk"), ("brisastatus", "Brisa Status"),
                      ("silencectl", "silencectl"), ("brandwatch", "Brandwatch"), ("alertmanager", "Alertmanager"),
                      ("argocd", "Argo CD")):
        b.person(key, name, github=False, is_bot=True)
    for key in [k for k, _ in STAFF + OUTSIDERS]:
        b.people[key].tz = "Europe/London"
    b.people["joost"].tz = "Europe/Amsterdam"
    b.people["paulina"].tz = "Europe/Warsaw"
    identity, platform = sc.team("identity"), sc.team("platform")

    # Teams, PagerDuty, channels, repos --------------------------------------------------------------------------
    p_team = b.team("Payouts")
    p_policy = b.policy("Payouts on-call", p_team, ONCALL)
    svc = b.service("payouts", "payout-engine, payout-webhooks, payout-scheduler: worker payouts through Brisa",
                    p_policy, p_team, iso(start - 700 * DAY))
    w_team = b.team("Worker Accounts")
    wa_people = WA_PEOPLE + sc.crowd[20:23]
    w_policy = b.policy("Worker Accounts on-call", w_team, wa_people[:3])
    wa_svc = b.service("worker-accounts", "Worker profiles, bank details, KYC and right-to-work", w_policy, w_team,
                       iso(start - 650 * DAY))
    o_team = b.team("Observability")
    sre_people = SRE_PEOPLE + sc.crowd[23:25]
    o_policy = b.policy("Observability on-call", o_team, sre_people[:3])
    am_svc = b.service("alertmanager", "Prometheus, Alertmanager and the alerting repo (rules, routes, silences)",
                       o_policy, o_team, iso(start - 600 * DAY))
    f_team = b.team("Finance Engineering")
    fin_people = FIN_PEOPLE + sc.crowd[25:27]
    f_policy = b.policy("Finance Engineering on-call", f_team, fin_people[:3])
    fj_svc = b.service("finance-jobs", "Recon, treasury forecast, exports to Xero (CronJobs)", f_policy, f_team,
                       iso(start - 500 * DAY))
    v_team = b.team("Venue Billing")
    vb_people = ["ottilie"] + sc.crowd[27:30]
    v_policy = b.policy("Venue Billing on-call", v_team, vb_people[:3])
    vb_svc = b.service("venue-billing", "Venue invoices and direct debit collections", v_policy, v_team,
                       iso(start - 560 * DAY))
    pay_people = PAYOUTS_PEOPLE + sc.crowd[18:20]

    pay_ch = b.channel("payouts", "Payouts: Daily Pay, cashouts, Brisa", "Payouts team", start - 640 * DAY, "tobiah")
    pal_ch = b.channel("payouts-alerts", "Pages and warnings of payouts", "Alertmanager and PagerDuty",
                       start - 500 * DAY, "thandiwe")
    run_ch = b.channel("payout-runs", "Daily Pay run summaries", "Payrun posts every run", start - 480 * DAY, "radek")
    hook_ch = b.channel("brisa-webhooks", "Hookwatch: Brisa webhook events every 4h", "Webhook digest",
                        start - 300 * DAY, "kwame")
    ac_ch = b.channel("alerting-changes", "silencectl: alerting repo syncs", "Alerting config changes",
                      start - 420 * DAY, "noor")
    sre_ch = b.channel("sre", "Observability and on-call", "SRE", start - 600 * DAY, "noor")
    fo_ch = b.channel("finance-ops", "Finance ops: treasury, recon, close", "Finance", start - 700 * DAY, "hattie")
    ws_ch = b.channel("worker-support", "Worker support queue", "Support agents", start - 700 * DAY, "bronagh")
    esc_ch = b.channel("worker-support-escalations", "Escalations from worker support to engineering",
                       "Support leads", start - 650 * DAY, "bronagh")
    ops_ch = b.channel("ops-uk-north", "City ops: Manchester, Leeds, Liverpool, Sheffield", "Ops North",
                       start - 560 * DAY, "lorcan")
    soc_ch = b.channel("social-listening", "Brandwatch and community", "Social", start - 400 * DAY, "shauna")
    wa_ch = b.channel("worker-accounts", "Worker Accounts team", "Profiles, bank details, KYC", start - 620 * DAY,
                      "adaeze")
    vb_ch = b.channel("venue-billing", "Venue Billing team", "Invoices and collections", start - 580 * DAY, "ottilie")
    fe_ch = b.channel("finance-eng", "Finance Engineering team", "Recon, treasury, exports", start - 520 * DAY,
                      "callum")
    vs_ch = b.channel("vendor-status", "Status pages of our providers", "Brisa, KYC, SMS", start - 450 * DAY, "fergus")
    pe_repo = b.repo("payout-engine", "Worker payouts: Daily Pay, cashouts, Brisa client and webhooks (Python)",
                     iso(start - 900 * DAY))
    al_repo = b.repo("alerting", "Prometheus rules, Alertmanager routes and silences as code (silencectl)",
                     iso(start - 700 * DAY))
    fj_repo = b.repo("finance-jobs", "Recon, treasury forecast and finance exports (CronJobs)", iso(start - 640 * DAY))
    wa_repo = b.repo("worker-accounts", "Worker profiles, bank details, KYC (TypeScript)", iso(start - 860 * DAY))
    vb_repo = b.repo("venue-billing", "Venue invoices and collections (Rails)", iso(start - 820 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------
    pay = NoiseTeam(PAYOUTS, pay_people, pe_repo, pay_ch, svc, p_policy)
    wa = NoiseTeam(WORKER_ACCOUNTS, wa_people, wa_repo, wa_ch, wa_svc, w_policy)
    fin = NoiseTeam(FINANCE, fin_people, fj_repo, fe_ch, fj_svc, f_policy)
    vb = NoiseTeam(BILLING, vb_people, vb_repo, vb_ch, vb_svc, v_policy)
    add_pulls(b, pay, 80 * n, start - 60 * DAY, end)
    add_pulls(b, wa, 50 * n, start - 60 * DAY, end)
    add_pulls(b, fin, 35 * n, start - 60 * DAY, end)
    add_pulls(b, vb, 40 * n, start - 60 * DAY, end)

    def synced(pull: dict[str, Any], at: float, handle: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """silencectl syncs a merged alerting PR to Alertmanager: a change event and its line."""
        sha7 = pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        mute = any(x.startswith("silences/") for x in names)
        ev = b.change_event(am_svc, f"alerting@{sha7} synced to Alertmanager (prod): {pull['title']}", at,
                            "silencectl", links=[{"href": "{{url:" + handle + "}}", "text": pull["title"]}],
                            details={"files": names, "silences_changed": mute})
        b.templated.append((ev["links"][0], "href"))
        icon = ":mute:" if mute else ":white_check_mark:"
        line = b.say(ac_ch, at + 3, "silencectl", f"{icon} silencectl: alerting@{sha7} synced to prod "
                     f"({len(names)} file(s)): {pull['title']}")
        return ev, line

    def on_alerting_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        synced(pull, epoch(pull["merged_at"]) + rng.uniform(90, 400), handle[3:])

    config_pulls(b, al_repo, SRE_PEOPLE + WA_PEOPLE + ["ottilie", "radek"] + sc.crowd[:6], 50 * n,
                 start - 60 * DAY, end, _alerting_change, on_merge=on_alerting_merge)

    def links_of(*repos: str, last: int = 150) -> list[str]:
        return [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in repos][-last:]

    add_chat(b, pay_ch, pay_people, PAYOUTS.nouns, 150 * n, start, end, lines=_PAY_LINES,
             links=links_of(pe_repo))
    add_chat(b, wa_ch, wa_people, WORKER_ACCOUNTS.nouns, 70 * n, start, end, links=links_of(wa_repo))
    add_chat(b, fe_ch, fin_people, FINANCE.nouns, 45 * n, start, end, links=links_of(fj_repo))
    add_chat(b, vb_ch, vb_people, BILLING.nouns, 50 * n, start, end, links=links_of(vb_repo))
    add_chat(b, sre_ch, sre_people + ["kwame", "adaeze"], _SRE_NOUNS, 50 * n, start, end, lines=_SRE_LINES,
             links=links_of(al_repo))
    support_people = SUPPORT + sc.crowd[10:13]
    add_chat(b, ws_ch, support_people, _SUPPORT_NOUNS, 80 * n, start, end, lines=tuple(
        line.replace("{n}", str(rng.randrange(20, 60))) for line in _SUPPORT_LINES), thread_rate=0.4)
    add_chat(b, esc_ch, ["bronagh", "aoife"] + sc.crowd[10:12], _SUPPORT_NOUNS, 30 * n, start, end,
             lines=_SUPPORT_LINES[1:4], thread_rate=0.5)
    add_chat(b, fo_ch, FINOPS + FIN_PEOPLE, _FINOPS_NOUNS, 50 * n, start, end, lines=_FINOPS_LINES, thread_rate=0.4)
    add_chat(b, ops_ch, ["lorcan"] + sc.crowd[13:16], _OPS_NOUNS, 50 * n, start, end, lines=_OPS_LINES,
             thread_rate=0.35)
    add_chat(b, soc_ch, ["shauna"] + sc.crowd[16:18], ("TikTok", "Reddit thread", "Trustpilot", "referral campaign"),
             15 * n, start, end)
    for ch, joiners in ((pay_ch, pay_people), (wa_ch, wa_people), (fe_ch, fin_people), (vb_ch, vb_people),
                        (sre_ch, sre_people), (ws_ch, support_people), (fo_ch, FINOPS), (ops_ch, ["lorcan"]),
                        (esc_ch, SUPPORT)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, wa, 7 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, fin, 5 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, vb, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, pay, 30 * n, start, end, sc.common["deploys"])
    add_deploys(b, wa, 28 * n, start, end, sc.common["deploys"])
    add_deploys(b, vb, 20 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, ws_ch, "zendesk", int(1.5 * days * n), start, end, _ticket_line)
    bot_feed(b, vs_ch, "brisastatus", days * n // 5, start, end, _status_line)
    bot_feed(b, pal_ch, "alertmanager", days * n // 2, start, end, _am_warning_line)
    bot_feed(b, soc_ch, "brandwatch", days * n // 3, start, end, _social_line)

    weak_merged = epoch("2025-04-22T15:48:00Z")
    # Payouts' own pages: before the silence they come from payout-* services; after it only payrun's check pages.
    for _ in range(9 * n):
        t = rng.uniform(start, weak_merged - 9 * DAY)
        alert = rng.choice(PAYOUTS.alerts)
        sub = {"Brisa API 5xx above 2%": "payout-engine", "webhook queue depth above 5k": "payout-webhooks",
               "ledger sync lag above 15m": "payout-engine"}[alert]
        pair = rng.sample(ONCALL, 2)
        b.incident(svc, f"[{sub}] {alert}", t, responders=pair, ack_after=rng.uniform(60, 500),
                   resolve_after=rng.uniform(900, 5400), alert_key=f"alertmanager/{sub}/{alert}",
                   notes=[(pair[0], rng.choice(("Brisa blip, recovered on its own", "scaled the webhook workers",
                                               "ledger sync caught up after the migration lock")), 700.0)]
                   if rng.random() < 0.4 else None)
    for when in ("2025-03-11T10:20:00Z",):
        b.incident(svc, "[payout-engine] PayoutReturnRateHigh: returned payouts above 1% of settled (1h)", epoch(when),
                   responders=["radek", "thandiwe"], ack_after=180, resolve_after=2.2 * HOUR,
                   alert_key="alertmanager/payout-engine/PayoutReturnRateHigh",
                   alert_summary="returned 2.4% of settled payouts over 1h; top reason account_closed",
                   notes=[("radek", "a venue bulk-onboarded 41 agency workers with the agency's closed account. "
                                    "worker-accounts fixing the import; returns are correct", 1500.0)])
    for when in ("2025-05-04T06:05:00Z",):
        b.incident(svc, "[payrun] PayoutBatchNotSubmitted: Daily Pay batch not submitted by 06:00", epoch(when),
                   responders=["kwame", "marisol"], ack_after=140, resolve_after=0.9 * HOUR,
                   alert_key="alertmanager/payrun/PayoutBatchNotSubmitted",
                   notes=[("kwame", "earnings cut-off job waited on a migration lock, run submitted 06:21", 900.0)])
    # BankDetailsChangeRate has always been low urgency: app releases and Monday mornings set it off.
    for _ in range(10 * n):
        t = rng.uniform(start, T - 3 * DAY)
        b.incident(wa_svc, f"[worker-accounts] BankDetailsChangeRate: bank detail updates {rng.uniform(3.1, 4.4):.1f}x "
                   "same hour last week (1h)", t, urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.5, 3) * HOUR, severity="warning",
                   alert_key="alertmanager/worker-accounts/BankDetailsChangeRate")

    # Daily Pay run, treasury cash position, recon -----------------------------------------------------------------
    contrib_merged = epoch("2025-05-02T10:15:00Z")
    base = {0: 36_400, 1: 31_200, 2: 30_300, 3: 30_100, 4: 31_000, 5: 33_100, 6: 35_200}
    day = start - start % DAY + DAY
    payruns: dict[str, dict[str, Any]] = {}
    while day < end:
        date = iso(day)[:10]
        wd = int(_date_weekday(date))
        count = int(base[wd] * rng.uniform(0.96, 1.04))
        rejected = rng.randrange(0, 10)
        if date == "2025-05-21":
            count, rejected = 31_884, 0
        gbp = count * 0.92 * rng.uniform(63, 69)
        eur = count * 0.08 * rng.uniform(70, 78)
        m = b.say(run_ch, day + 5.5 * HOUR + rng.uniform(35, 95), "payrun",
                  f":moneybag: *Daily Pay* {date} 05:30 run: {count:,} payouts · £{gbp:,.2f} + €{eur:,.2f} · "
                  f"submitted to Brisa in {count // 2000 + 1} batches · accepted {count - rejected:,} · "
                  f"rejected {rejected}")
        payruns[date] = m
        forecast = rng.uniform(330_000, 372_000)
        drift = rng.uniform(-2.4, 2.4)
        if date == "2025-05-05":
            drift = 8.7  # bank holiday: the top-up was skipped, finance knows
        if date == "2025-05-21":
            forecast, drift = 351_200.0, 13.9
        float_gbp = forecast * (1 + drift / 100)
        tm = b.say(fo_ch, day + 8 * HOUR + rng.uniform(20, 120), "treasury",
                   f":bank: *Cash position* {date} 08:00 UTC · Brisa GBP float £{float_gbp:,.0f} (forecast "
                   f"£{forecast:,.0f}, {drift:+.1f}%) · Brisa EUR €{rng.uniform(70_000, 98_000):,.0f} · "
                   f"Barclays ops £{rng.uniform(3.1, 4.6):.2f}M · top-up due 09:30 £{rng.uniform(1.7, 2.3):.2f}M")
        if date == "2025-05-21":
            tr.add("slack", tm, "early_signal", must_see=False, group="reports",
                   why="the treasury bot shows Brisa's GBP float 13.9% above forecast: returned money flowing back")
        recon_at = day + 6.25 * HOUR + rng.uniform(200, 900)
        if recon_at < contrib_merged:
            r = rng.randrange(3, 15)
            b.say(fo_ch, recon_at, "reconbot", f":scales: *payout-recon* {iso(day - DAY)[:10]}: {count:,} payouts · "
                  f"ledger vs Brisa settlement report: 0 unexplained · returned {r} (£{r * rng.uniform(40, 80):,.2f}) "
                  f"· failed {rng.randrange(0, 4)} · pending >24h 0")
        elif wd == 0:
            week = f"{iso(day - 7 * DAY)[:10]}..{iso(day - DAY)[:10]}"
            if date == "2025-05-26":
                text = (f":scales: *payout-recon* {week}: 224,913 payouts · ledger vs Brisa settlement report: 0 "
                        "unexplained · returned 2,041 (£136,872.40), of which re-issued 1,981 · failed 9 · pending "
                        ">24h 0")
            else:
                r = rng.randrange(40, 90)
                text = (f":scales: *payout-recon* {week}: {count * 7:,} payouts · ledger vs Brisa settlement "
                        f"report: 0 unexplained · returned {r} (£{r * rng.uniform(45, 75):,.2f}) · failed "
                        f"{rng.randrange(2, 12)} · pending >24h 0")
            rm = b.say(fo_ch, recon_at, "reconbot", text)
            if date == "2025-05-19":
                tr.add("slack", rm, "context", must_see=False, group="detection",
                       why="the last recon before the incident, weekly since FIN-442: the next one is six days away")
        day += DAY

    # Hookwatch: Brisa webhook events every four hours -----------------------------------------------------------
    leak_start, leak_end = epoch("2025-04-13T23:40:00Z"), epoch("2025-05-07T11:30:00Z")
    story_windows = {  # window start -> (returned, of which beneficiary_reference_missing)
        "2025-05-20T08:00:00Z": (2, 0), "2025-05-20T12:00:00Z": (37, 35), "2025-05-20T16:00:00Z": (58, 57),
        "2025-05-20T20:00:00Z": (24, 24), "2025-05-21T00:00:00Z": (9, 9), "2025-05-21T04:00:00Z": (604, 601),
        "2025-05-21T08:00:00Z": (1_188, 1_182), "2025-05-21T12:00:00Z": (71, 64), "2025-05-21T16:00:00Z": (8, 5),
    }
    w = start - start % (4 * HOUR) + 4 * HOUR
    digests: dict[str, dict[str, Any]] = {}
    while w < end:
        h = int(iso(w)[11:13])
        paid = rng.randrange(600, 1400) if h < 4 else rng.randrange(1400, 2700)
        if h == 4:
            paid += int(base[int(_date_weekday(iso(w)[:10]))] * rng.uniform(0.96, 1.04))
        failed = rng.randrange(0, 5)
        returned = rng.choice((0, 0, 1, 1, 2, 3))
        lf = 0
        if leak_start <= w < leak_end:
            lf = rng.randrange(700, 1500) if h == 0 else rng.randrange(10, 140)
            failed += lf
        reason, rc = rng.choice(("account_closed", "account_name_mismatch", "invalid_account_number")), returned
        key = iso(w)
        if key in story_windows:
            returned, rc = story_windows[key]
            reason = RETURN_REASON if rc else reason
            if not rc:
                rc = returned
        text = (f":hook: *Brisa webhooks* {key[:10]} {h:02d}:00-{(h + 4) % 24:02d}:00 UTC · payout.paid {paid:,} · "
                f"payout.failed {failed:,} · payout.returned {returned:,} · livemode=false {lf:,} · bad signatures 0")
        if returned:
            text += f" · top return reason `{reason}` ({rc:,})"
        digests[key] = b.say(hook_ch, w + 4 * HOUR + rng.uniform(20, 80), "hookwatch", text)
        w += 4 * HOUR

    # Silences digest: every Monday in #sre -------------------------------------------------------------------------
    monday = start - start % DAY
    while _date_weekday(iso(monday)[:10]) != 0:
        monday += DAY
    while monday < end:
        others = rng.randrange(1, 4)
        extra = (f" · `{SILENCE}` team=payouts service=~payout-.* severity=~page|critical, ends 2025-07-31, "
                 f"suppressed {rng.randrange(3, 9) if monday < leak_end else 0} alert(s) in 7d"
                 if weak_merged < monday < T + 3 * HOUR else "")
        b.say(sre_ch, monday + 9 * HOUR + rng.uniform(10, 200), "silencectl",
              f":mute: *Active silences* {iso(monday)[:10]}: {others + (1 if extra else 0)} active{extra} · "
              f"{others} maintenance silence(s) ending this week")
        monday += 7 * DAY

    # Mid April: Brisa leaks test-mode webhooks to the live endpoint; seven night pages ---------------------------
    b.say(vs_ch, epoch("2025-04-14T03:40:00Z"), "brisastatus", ":large_yellow_circle: *Brisa Status* Investigating: "
          "some test mode webhook events are being delivered to live mode endpoints")
    noisy_at = ("2025-04-14T01:36:00Z", "2025-04-15T02:11:00Z", "2025-04-16T01:52:00Z", "2025-04-17T03:05:00Z",
                "2025-04-18T02:20:00Z", "2025-04-20T01:44:00Z", "2025-04-21T02:31:00Z")
    notes = ("all payout.failed with livemode=false and po_test_ ids we never created. Brisa test-mode leak, "
             "nothing to do. resolving",
             "Brisa test mode again (case 88213). real failures flat")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, NOISY_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=210 + 30 * i, resolve_after=1400 + 150 * i, handle=f"noisy{i}",
                         alert_key="alertmanager/payout-webhooks/PayoutFailureEventsHigh",
                         alert_summary=f"payout.failed events {rng.uniform(5.5, 11.0):.1f}% of submitted payouts "
                                       "over 15m (service=payout-webhooks, team=payouts, severity=page)",
                         notes=[(who, notes[i % 2], 900.0)] if i % 3 != 2 else None)
        b.say(pal_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{NOISY_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages caused by Brisa's test-mode webhooks, which led to the broad silence")
    grumbles = (("2025-04-14T08:52:00Z", "thandiwe", "paged 01:36 for PayoutFailureEventsHigh. ~900 payout.failed "
                 "events, every one livemode=false with po_test_ ids. Brisa is sending us test-mode webhooks on the "
                 "live endpoint"),
                ("2025-04-15T09:10:00Z", "radek", "again at 02:11. opened a case with Brisa, 88213"),
                ("2025-04-17T09:31:00Z", "kwame", "4th night in a row. Brisa says a fix \"in the coming weeks\". "
                 "can we at least stop it paging us?"),
                ("2025-04-18T08:44:00Z", "marisol", "we could filter livemode in the metric but the handler doesn't "
                 "label it yet, that's a proper change (PAY-1190)"),
                ("2025-04-21T09:05:00Z", "kwame", "two more over the weekend. I'll put a silence in alerting for the "
                 "payouts failure pages until Brisa ships the fix"))
    for when, who, text in grumbles:
        m = b.say(pay_ch, epoch(when), who, text)
        if "put a silence" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the on-call engineer decides to silence the payouts failure pages after the night pages")

    weak = story_pull(b, al_repo, _WEAKENING, epoch("2025-04-22T09:30:00Z"), weak_merged, "weakening",
                      review="ok as a stopgap. please make endsAt shorter next time", reviewed=epoch("2025-04-22T15:30:00Z"),
                      review_comments=(("noor", "`payout-.*` also matches payout-engine and payout-scheduler, "
                                        "not only the webhook alerts. intended?",
                                        "silences/payouts-brisa-testmode-webhooks.yaml", 14,
                                        epoch("2025-04-22T11:05:00Z")),),
                      comments=(("kwame", "yes for now, the test events also trip PayoutFailedRatio on payout-engine. "
                                 "the Daily Pay check (PayoutBatchNotSubmitted) is labelled service=payrun so it "
                                 "still pages. it's temporary", epoch("2025-04-22T11:40:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="a silence with matchers team=payouts, service=~\"payout-.*\", severity=~\"page|critical\" until 31 July: "
               "written for the test-mode webhook pages, it mutes every payouts page, PayoutReturnRateHigh included")
    wev, wline = synced(weak, weak_merged + 240, "weakening")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="silencectl creating the broad silence in Alertmanager", same_fact_as=("github", weak))
    tr.add("slack", wline, "detection_weakened", must_see=False, group="detection",
           why="silencectl's line for the broad silence", same_fact_as=("github", weak))
    b.say(pay_ch, weak_merged + 900, "kwame", "silence is live ({{url:weakening}}), no more test-mode pages :zzz:",
          template=True)
    b.say(vs_ch, epoch("2025-04-24T16:10:00Z"), "brisastatus", ":large_yellow_circle: *Brisa Status* Monitoring: a fix "
          "for test mode events on live endpoints is rolling out region by region")
    fixed = b.say(vs_ch, epoch("2025-05-07T11:32:00Z"), "brisastatus", ":large_green_circle: *Brisa Status* Resolved: "
                  "test mode webhook events are no longer delivered to live mode endpoints")
    tr.add("slack", fixed, "context", must_see=False, group="detection",
           why="Brisa fixes the test-mode leak two weeks before the incident; the silence stays")
    later = b.say(pay_ch, epoch("2025-05-07T14:20:00Z"), "kwame", "brisa says the test-mode leak is fixed :tada: I'll "
                  "delete the silence after a quiet week")
    tr.add("slack", later, "context", must_see=False, group="detection",
           why="the silence was meant to be removed after Brisa's fix and never was")
    b.say(pay_ch, epoch("2025-05-07T14:31:00Z"), "thandiwe", ":pray:", parent=later)

    # 2 May: the daily recon becomes weekly ------------------------------------------------------------------------
    b.say(fo_ch, epoch("2025-04-28T15:10:00Z"), "hattie", "for the recon: happy to look at it at the Monday close only, "
          "the dailies are always clean")
    contrib = story_pull(b, fj_repo, _CONTRIBUTOR, epoch("2025-04-29T11:00:00Z"), contrib_merged, "contributor",
                         review="makes sense, one less thing failing on the report limit",
                         reviewed=epoch("2025-05-02T09:50:00Z"))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="moved the payout reconciliation from daily to weekly: the morning summary that would have shown "
               "hundreds of returns against a usual dozen is not posted until the following Monday")
    sha7 = contrib["merge_commit_sha"][:7]
    cev = b.change_event(fj_svc, f"Argo CD sync finance-jobs@{sha7}: CronJob payout-recon schedule '15 6 * * 1'",
                         contrib_merged + 600, "argocd", links=[{"href": "{{url:contributor}}", "text": contrib["title"]}],
                         details={"app": "finance-jobs", "namespace": "finance-jobs"})
    b.templated.append((cev["links"][0], "href"))
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="Argo CD applying the weekly schedule",
           same_fact_as=("github", contrib))

    # Decoys before the trigger: the SDK bump in venue-billing, Alertmanager's upgrade ----------------------------
    sdk = story_pull(b, vb_repo, _SDK_BUMP, epoch("2025-05-14T10:00:00Z"), epoch("2025-05-15T13:05:00Z"), "distractor_sdk",
                     review="collections suite green here too")
    ssha = sdk["merge_commit_sha"][:7]
    b.change_event(vb_svc, f"Deploy venue-billing@{ssha} to production", epoch("2025-05-15T13:40:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{vb_repo}/commit/{ssha}", "text": ssha}],
                   details={"deployer": "ottilie", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-05-15T13:40:02Z"), "deploybot",
          f":rocket: venue-billing `{ssha}` deployed to production by <@{b.people['ottilie'].slack_id}>")
    b.say(vb_ch, epoch("2025-05-15T14:30:00Z"), "ottilie", "we're on Brisa 2025-03-31 for collections, first charges "
          "went through fine")
    am = story_pull(b, al_repo, _AM_UPGRADE, epoch("2025-05-16T10:00:00Z"), epoch("2025-05-19T14:02:00Z"),
                    "distractor_am", review="route tests pass here too")
    synced(am, epoch("2025-05-19T14:06:00Z"), "distractor_am")
    b.say(sre_ch, epoch("2025-05-19T14:40:00Z"), "fergus", "alertmanager is on 0.28.1, all 3 replicas, silences "
          "carried over")

    # 20 May: the API version move ships -------------------------------------------------------------------------
    b.say(vs_ch, epoch("2025-04-02T09:00:00Z"), "brisastatus", ":memo: *Brisa Changelog* API version 2025-03-31 is "
          "available; 2023-09-12 is retired on 2025-06-30. Migration guide: "
          "https://docs.brisa.example/api/upgrades/2025-03-31")
    b.say(pay_ch, epoch("2025-05-12T10:20:00Z"), "marisol", "picking up PAY-1302, the Brisa 2025-03-31 move. "
          "aiming to ship before the end of month rush")
    trig = story_pull(b, pe_repo, _TRIGGER, epoch("2025-05-13T14:10:00Z"), epoch("2025-05-20T08:41:00Z"), "trigger",
                      review="lgtm, nice to lose the resubmit hacks", reviewed=epoch("2025-05-20T08:20:00Z"),
                      review_comments=(("thandiwe", "do we still need `roll_number` on our BankAccount then?",
                                        "payout_engine/brisa/mapping.py", 26, epoch("2025-05-14T09:40:00Z")),),
                      comments=(("marisol", "worker-accounts owns that column, leaving it alone. e2e against the "
                                 "2025-03-31 sandbox: 12/12 green", epoch("2025-05-14T10:05:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="the move to Brisa API 2025-03-31 stops sending the building society roll number: Brisa accepts "
               "those payouts and the receiving banks return them hours later")
    ship_trigger(sc, svc, "payout-engine", trig, _TRIGGER, epoch("2025-05-20T09:12:00Z"), "marisol")
    b.say(pay_ch, epoch("2025-05-20T09:30:00Z"), "marisol", "PAY-1302 is live, we're on Brisa 2025-03-31. first "
          "cashouts accepted :white_check_mark:")
    search = story_pull(b, al_repo, Change(sc.crowd[2], _SEARCH_SILENCE.title, _SEARCH_SILENCE.body,
                                           _SEARCH_SILENCE.files, "fergus", _SEARCH_SILENCE.labels),
                        epoch("2025-05-20T09:40:00Z"), epoch("2025-05-20T10:05:00Z"), "distractor_search")
    synced(search, epoch("2025-05-20T10:09:00Z"), "distractor_search")
    b.say(vs_ch, epoch("2025-05-20T13:02:00Z"), "brisastatus", ":large_yellow_circle: *Brisa Status* Degraded "
          "performance: Faster Payments credits delayed for some receiving banks")
    b.say(vs_ch, epoch("2025-05-20T15:10:00Z"), "brisastatus", ":large_green_circle: *Brisa Status* Resolved: Faster "
          "Payments credits are settling normally")

    # The returns come back: Hookwatch, worker-accounts, support, finance ----------------------------------------
    first = digests["2025-05-20T12:00:00Z"]
    tr.add("slack", first, "early_signal", must_see=True, group="detection",
           why="Hookwatch's digest shows 37 returned payouts in four hours against a usual 0-3, almost all "
               "beneficiary_reference_missing; nobody is paged")
    for key in ("2025-05-20T16:00:00Z", "2025-05-21T04:00:00Z"):
        tr.add("slack", digests[key], "early_signal", must_see=False, group="detection",
               why="Hookwatch's later digests: returns keep coming, 604 after the Daily Pay run")
    low_at = epoch("2025-05-20T18:46:00Z")
    low = b.incident(wa_svc, "[worker-accounts] BankDetailsChangeRate: bank detail updates 5.8x same hour last "
                     "week (1h)", low_at, urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=2.1 * HOUR, severity="warning",
                     alert_key="alertmanager/worker-accounts/BankDetailsChangeRate",
                     alert_summary="bank detail updates 5.8x same hour last week; 71% re-saved unchanged")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="workers told 'returned by your bank' re-save their bank details: a low-urgency alert on another "
               "service that pages no one")
    low2 = b.incident(wa_svc, "[worker-accounts] BankDetailsChangeRate: bank detail updates 9.4x same hour last "
                      "week (1h)", epoch("2025-05-21T07:58:00Z"), urgency="low", responders=[], notify=False,
                      ack_after=None, resolve_after=5 * HOUR, severity="warning",
                      alert_key="alertmanager/worker-accounts/BankDetailsChangeRate")
    tr.add("pagerduty", low2, "early_signal", must_see=False, group="detection",
           why="the same alert again the next morning, after the Daily Pay run's returns")
    for when, subject in (("2025-05-20T14:41:00Z", "Cashout says 'returned by your bank', my details are correct"),
                          ("2025-05-20T16:18:00Z", "Instant cashout returned, Yorkshire Building Society"),
                          ("2025-05-20T19:05:00Z", "Where is my money? app says returned"),
                          ("2025-05-21T06:44:00Z", "Not paid today"),
                          ("2025-05-21T06:51:00Z", "Daily Pay returned by my bank??"),
                          ("2025-05-21T07:03:00Z", "Not paid today, need it for rent"),
                          ("2025-05-21T07:20:00Z", "Payment returned - I haven't changed anything"),
                          ("2025-05-21T07:46:00Z", "Not paid for yesterday's shift at the arena"),
                          ("2025-05-21T08:15:00Z", "Returned by bank again after updating details")):
        b.say(ws_ch, epoch(when), "zendesk", f":ticket: Zendesk *#{rng.randrange(236_100, 236_900)}* (worker, P2): "
              f"{subject}")
    pere = b.say(ws_ch, epoch("2025-05-20T17:34:00Z"), "pere", "had 3 chats today from workers whose cashout came back "
                 "'returned by your bank'. two Yorkshire BS, one a credit union. told them to double check their "
                 "details and try again")
    tr.add("slack", pere, "customer_report", must_see=False, group="reports",
           why="a support agent notices cashouts returned to building society accounts on the first afternoon")
    b.say(ws_ch, epoch("2025-05-20T17:52:00Z"), sc.crowd[11], "had one too, Nationwide I think? bank side probably",
          parent=pere)
    fin_q = b.say(fo_ch, epoch("2025-05-21T08:41:00Z"), "devika",
                  "Brisa GBP float is £48.8k over forecast this morning (+13.9%), and it's not the top-up, that "
                  "hasn't gone yet. looks like money coming *back* from Brisa rather than going out? anyone in "
                  "payouts know about returns?")
    tr.add("slack", fin_q, "early_signal", must_see=True, group="reports",
           why="a finance ops analyst sees Brisa's float far above forecast and asks about returns, two hours "
               "before the page")
    b.say(fo_ch, epoch("2025-05-21T08:58:00Z"), "callum", "recon runs mondays now, I can run it by hand for yesterday "
          "after standup", parent=fin_q)
    b.say(fo_ch, epoch("2025-05-21T09:03:00Z"), "devika", "that'd be great, thanks", parent=fin_q)
    spike = b.say(soc_ch, epoch("2025-05-21T09:02:00Z"), "brandwatch", ":mag: *Brandwatch* spike: 'fieldhive' + "
                  "('not paid' OR 'didn't pay' OR 'returned') 46 mentions in 2h (baseline 1/h), mostly X and TikTok")
    tr.add("slack", spike, "early_signal", must_see=False, group="reports",
           why="social listening picks up workers complaining that they were not paid")
    shauna = b.say(esc_ch, epoch("2025-05-21T09:21:00Z"), "shauna", "social is lighting up with 'fieldhive didn't pay me "
                   "today', ~50 posts since 7am. is support seeing this too?")
    tr.add("slack", shauna, "customer_report", must_see=False, group="reports",
           why="the community manager relays the social media complaints to support leads")
    report = b.say(esc_ch, epoch("2025-05-21T09:47:00Z"), "bronagh",
                   "Escalating: 140+ tickets since 06:30 from workers not paid today. The app tells them 'Returned by "
                   "your bank, check your bank details' but they say nothing changed, and re-saving doesn't help. "
                   "A lot of them bank with building societies or credit unions. Started yesterday afternoon with "
                   "cashouts. Who in payouts can look?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="the Worker Support lead escalates: workers not paid, their payouts returned by the bank")
    b.say(esc_ch, epoch("2025-05-21T09:52:00Z"), "shauna", "same people I think, a few posted screenshots of the "
          "'returned' banner", parent=report)
    ask = b.say(pay_ch, epoch("2025-05-21T10:01:00Z"), "bronagh", "hi payouts :wave: we have ~180 tickets from workers "
                "whose Daily Pay was returned by their bank today. is something known?")
    b.say(pay_ch, epoch("2025-05-21T10:19:00Z"), "radek", "not aware of anything, this morning's run was clean (31,884 "
          "accepted by Brisa, 0 rejected). could be on the banks' side? will look after standup", parent=ask)
    ops = b.say(ops_ch, epoch("2025-05-21T10:08:00Z"), "lorcan", "two Manchester venues (the Depot bar team and Kelham "
                "Lane kitchens) say staff are threatening not to show tonight because yesterday's pay didn't land. "
                "anything I can tell them?")
    tr.add("slack", ops, "customer_report", must_see=False, group="reports",
           why="the city ops manager hears from venues whose staff were not paid")
    b.say(esc_ch, epoch("2025-05-21T10:49:00Z"), "bronagh", "260 tickets now. payouts haven't found anything, I'm paging "
          "them", parent=report)
    tr.add("slack", payruns["2025-05-21"], "context", must_see=False, group="cause",
           why="the Daily Pay run is accepted in full by Brisa: the failures only come back hours later as returns")

    # Decoys on the page day: the same service's cashout change, worker-accounts' form, another team's page --------
    cash = story_pull(b, pe_repo, _CASHOUT, epoch("2025-05-19T15:00:00Z"), epoch("2025-05-21T07:35:00Z"),
                      "distractor_cashout", review="support will love this")
    csha = cash["merge_commit_sha"][:7]
    b.change_event(svc, f"Deploy payout-engine@{csha} to production", epoch("2025-05-21T08:05:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{pe_repo}/commit/{csha}", "text": csha}],
                   details={"deployer": "radek", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-05-21T08:05:02Z"), "deploybot",
          f":rocket: payout-engine `{csha}` deployed to production by <@{b.people['radek'].slack_id}>")
    form = story_pull(b, wa_repo, _FORM, epoch("2025-05-19T11:30:00Z"), epoch("2025-05-21T09:50:00Z"), "distractor_form",
                      review="nice, the EISCD extract is refreshed weekly")
    fsha = form["merge_commit_sha"][:7]
    b.change_event(wa_svc, f"Deploy worker-accounts@{fsha} to production", epoch("2025-05-21T10:31:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{wa_repo}/commit/{fsha}", "text": fsha}],
                   details={"deployer": "adaeze", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-05-21T10:31:02Z"), "deploybot",
          f":rocket: worker-accounts `{fsha}` deployed to production by <@{b.people['adaeze'].slack_id}>")
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2025-05-21T09:14:00Z"),
               responders=identity.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "SMS OTP provider slow, failed over to the secondary", 1500.0)])
    b.incident(platform.service, "[k8s-cluster] node NotReady", epoch("2025-05-20T22:40:00Z"),
               responders=platform.members[:2], ack_after=300, resolve_after=50 * 60,
               alert_key="k8s-cluster/node NotReady")

    # The page and the war room -----------------------------------------------------------------------------------
    page_by_hand(b, tr, svc, "Workers not paid: Daily Pay and cashouts returned by their banks since Tue afternoon",
                 T, responders=ONCALL, ack_after=130, resolve_after=6.5 * HOUR, manual_by="bronagh",
                 description="260+ worker tickets: payouts returned by the receiving bank ('Returned by your bank'), "
                             "details unchanged. Mostly building society and credit union accounts. Started Tue "
                             "20 May with cashouts, today's Daily Pay run affected.",
                 notes=[("thandiwe", "1,532 payout.returned since Tue 12:40, 1,519 beneficiary_reference_missing; all "
                                     "roll-number accounts. Roll number not sent since the Brisa 2025-03-31 move "
                                     "(PAY-1302)", 1500.0),
                        ("tobiah", "fix deployed 12:41, no new returns from new payouts. re-issue of 1,981 returned "
                                   "payouts running", 2.6 * HOUR),
                        ("tobiah", "re-issue complete, 1,981 paid, 0 returned so far", 6.2 * HOUR)],
                 relay=pal_ch, why="the Worker Support lead pages Payouts by hand, 25 hours after the first returned "
                                   "cashout")
    inc_ch = b.channel("inc-20250521-returned-payouts", "Incident: workers' payouts returned by their banks",
                       "Incident response", T + 60, "bronagh")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "bronagh", "incident {{incurl:page}}: workers not paid. 260+ tickets, the app says 'Returned by your "
                       "bank', workers say their details haven't changed. mostly building societies and credit unions"),
        (60, "tobiah", "thanks Bronagh. pulling in payouts, @thandiwe is on call"),
        (150, "thandiwe", "confirmed: 1,532 payout.returned since yesterday 12:40, 1,519 of them "
                          "beneficiary_reference_missing. normal is about ten a day"),
        (230, "joost", "worker-accounts deployed the sort code lookup at 10:31 ({{pr:distractor_form}}). could the new "
                       "form be saving something wrong?"),
        (300, "adaeze", "don't think so, it only changes the form. and most of the returned accounts were last edited "
                        "in 2023 or 2024, plus the returns started yesterday"),
        (370, "radek", "Brisa had FPS credits delayed yesterday 13:00-15:10 on their status page. related?"),
        (430, "thandiwe", "a delay would be late credits, not returns with a reason code. and it's only "
                          "roll-number accounts"),
        (480, "radek", "my cashout fee change went out at 08:05 ({{pr:distractor_cashout}}) but that's only the quote"),
        (560, "marisol", "oh no. it's mine. {{url:trigger}} went out yesterday 09:12: on Brisa 2025-03-31 the roll "
                         "number isn't on the account object anymore, it has to go in remittance.secondary_reference "
                         "and I only set reference. every building society / credit union payout since then goes "
                         "out without it and comes back"),
        (640, "tobiah", "ok. fix first, then re-issue everything returned with that reason since 09:12 yesterday"),
        (700, "marisol", "fix: {{url:fix}}"),
        (780, "kwame", "why didn't PayoutReturnRateHigh page? it must have been firing since yesterday afternoon"),
        (860, "noor", "it was, since 14:22 yesterday, and silenced. alerting PR {{num:weakening}}: the brisa test-mode "
                      "silence matches team=payouts, service=~\"payout-.*\", severity=~\"page|critical\" until 31 July. "
                      "amtool shows 3 payouts alerts suppressed by it right now"),
        (930, "kwame", "that was for the test-mode pages in April. Brisa fixed that on the 7th and I never deleted "
                       "it. sorry. deleting it now"),
        (1010, "devika", "and the recon would have shown the returns in this morning's summary, but it's weekly since "
                         "{{pr:contributor}}. I flagged the float at 08:41 in #finance-ops"),
        (1100, "callum", "I'll bring the daily recon back this week"),
        (5500, "marisol", "fix merged, deploying"),
        (6600, "thandiwe", "deployed 12:41. new cashouts to roll-number accounts are settling, no returns on them"),
        (7400, "marisol", "re-issue dry run: 1,981 payouts, £132,406.55. running it for real"),
        (8300, "bronagh", "support macro: 'your pay is on its way today, no need to change your bank details'"),
        (22100, "thandiwe", "1,981 re-issued, all accepted, first ones credited. returns from the re-issue: 0 so far"),
        (23000, "tobiah", "follow-ups: silence removed and lint for long/broad silences, daily recon back with returns "
                          "by reason, an alert on returns per reason code, a contract test for every field the old "
                          "Brisa version sent, and a note to affected workers with a goodwill payment"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the returns to the Brisa API version move, after worker-accounts' form, "
                     "Brisa's FPS delay and the cashout change were ruled out",
             weakening="a responder finds PayoutReturnRateHigh silenced by the broad silence",
             contributor="finance notes the weekly recon would otherwise have shown the returns")

    # Fixes ---------------------------------------------------------------------------------------------------------
    fix = story_pull(b, pe_repo, _FIX, T + 0.2 * HOUR, T + 1.55 * HOUR, "fix", review="yes. thanks for the "
                     "contract test", reviewed=T + 1.5 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="sends the roll number as remittance.secondary_reference again and re-issues the returned payouts")
    fsha7 = fix["merge_commit_sha"][:7]
    fdep = b.change_event(svc, f"Deploy payout-engine@{fsha7} to production", T + 1.82 * HOUR, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "marisol", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], T + 1.82 * HOUR + 2, "deploybot",
          f":rocket: payout-engine `{fsha7}` deployed to production by <@{b.people['marisol'].slack_id}>")
    unsilence = story_pull(b, al_repo, _FOLLOW_SILENCE, T + 0.4 * HOUR, T + 3.1 * HOUR, "follow_silence",
                           review="thank you. the lint would have caught this one")
    tr.add("github", unsilence, "fix", must_see=False, group="detection",
           why="deletes the broad silence, makes the failure alert ignore test-mode events and lints silences")
    synced(unsilence, T + 3.2 * HOUR, "follow_silence")
    recon = story_pull(b, fj_repo, _FOLLOW_RECON, T + 22 * HOUR, T + 28 * HOUR, "follow_recon",
                       review="lgtm, caching the report is the right call")
    tr.add("github", recon, "fix", must_see=False, group="detection",
           why="the payout reconciliation runs daily again and flags returns by reason")
    b.pull(wa_repo, "joost", "Bank details: require the roll number when the sort code's bank needs one",
           "Follow-up of the returned payouts incident. 212 saved accounts at building societies have no roll number "
           "at all; this makes the field required for those sort codes and nudges the workers in the app.",
           T + 1.3 * DAY, files=[{"filename": "src/bank_details/validation.ts", "status": "modified", "additions": 4,
                                  "deletions": 1, "patch": "@@ -31,2 +31,5 @@ export const bankDetailsSchema = z.object({\n"
                                  "   rollNumber: z.string().max(18).optional(),\n"
                                  "-});\n"
                                  "+}).refine((v) => !requiresRollNumber(v.sortCode) || !!v.rollNumber, {\n"
                                  "+  message: \"Your bank needs a roll number\",\n"
                                  "+  path: [\"rollNumber\"],\n"
                                  "+});"}],
           labels=["bank-details"], reviews=[("adaeze", "COMMENTED", "can we backfill from the old Brisa mandate data?",
                                             T + 1.5 * DAY)], handle="open_followup")
    b.say(pay_ch, T + 7 * HOUR, "tobiah", "thanks all. incident review thursday, Bronagh, Devika and Noor invited")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [pay_ch, esc_ch, sc.common["deploys"]], svc, PAYOUTS_PEOPLE[:3], pe_repo,
        titles=("Runbook: payouts returned by the receiving bank",
                "Contract test: every field the 2023-09-12 mapping sent has a home on 2025-03-31"),
        doc=("Returned payouts", "A spike of one return reason is a mapping bug until proven otherwise."),
        doc_path="docs/runbooks/returned-payouts-{n}.md",
        test_fire="[payout-engine] PayoutReturnRateHigh (test fire)")
    return world, tr.to_dict()


def _date_weekday(date: str) -> int:
    """Monday is 0."""
    return int((epoch(date + "T00:00:00Z") // DAY + 3) % 7)
