"""World "ledger-rounding": Renovate's bump of the internal money library mintmark from 3.8.2 to 4.0.1 is merged in
invoice-engine on a Monday afternoon; 4.0 quietly made ROUND_HALF_EVEN the default for tax and discount lines, so
invoices whose VAT lands on half a fils or half a cent (mostly BHD, OMR and KWD, a few EUR) come out one minor unit
below what Paxbridge, the payment processor, recomputes, and Paxbridge rejects them. Three weeks earlier the daily
settlement recon had been moved from a one-minor-unit tolerance to 1.5% after a week of pages for a bank's late
files, and collections had made Paxbridge 422s retry silently through a resubmit queue logged at debug; so only a
low-urgency queue alert, a "within tolerance" recon summary and an analyst's remark show it until finance ops pages
Invoicing by hand, forty-one hours in."""

from __future__ import annotations

import hashlib
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
    ship_trigger,
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

INVOICING = TeamSpec("invoicing", "Invoicing", "invoice-engine", "invoice-engine", "invoicing",
                     ("invoices", "tax", "pdf", "numbering", "credit_notes"),
                     ("invoice numbering", "credit note", "PDF renderer", "tax line", "proration", "dunning email",
                      "invoice template", "line grouping", "e-invoice XML", "due date calc"),
                     ("invoice issue latency p95 above 3s", "PDF render queue backlog above 2k",
                      "e-invoice portal submission failures", "invoice-engine 5xx above 1%"), "py")
COLLECTIONS = TeamSpec("collections", "Collections", "collections-api", "collections", "collections",
                       ("paxbridge", "mandates", "payment_links", "webhooks"),
                       ("payment link", "direct debit mandate", "Paxbridge webhook", "resubmit queue", "card on file",
                        "refund flow", "payout batch", "3DS redirect", "Benefit Pay"),
                       ("Paxbridge webhook lag above 10m", "payment link creation errors above 2%",
                        "collections-api p99 above 1.5s"), "py")
FINENG = TeamSpec("fineng", "Finance Engineering", "recon-runner", "finance-jobs", "fin-eng",
                  ("recon", "exports", "fx", "close"),
                  ("settlement recon", "AR aging export", "FX revaluation", "month-end close", "bank statement parser",
                   "GL export", "payout recon", "VAT return export"),
                  ("job failed: ar_aging_export", "job failed: gl_export_daily", "bank statement parse errors",
                   "job runtime above 2h: fx_revaluation"), "py")
TAX = TeamSpec("tax", "Tax", "tax-engine", "tax-rules", "tax-eng", ("rates", "rules", "exemptions"),
               ("VAT rate table", "reverse charge", "zero-rating", "tax code mapping", "exemption certificate",
                "ZATCA phase 2", "place of supply"),
               ("tax-engine p99 above 300ms", "rate table load failed"), "py")
MINTLIB = TeamSpec("mintmark", "Money library", "mintmark", "mintmark", "mintmark",
                   ("money", "currency", "allocation", "format"),
                   ("currency table", "allocate()", "format()", "exponent lookup", "Decimal context", "parse()",
                    "minor units"), ("none",), "py")

STAFF = (("hessa", "Hessa Al-Mansoori"), ("joaquin", "Joaquin Barrientos"), ("tevita", "Tevita Fifita"),
         ("ravindra", "Ravindra Pillai"), ("ebere", "Ebere Nwachukwu"), ("lisbeth", "Lisbeth Karlsen"),
         ("babajide", "Babajide Okonjo"), ("caspian", "Caspian Rourke"), ("lorcan", "Lorcan Mulvey"),
         ("zainab", "Zainab Qureshi"), ("henrik", "Henrik Dahlgaard"))
OUTSIDERS = (("farida", "Farida Haddadin"), ("thibault", "Thibault Renaud"), ("noor", "Noor Al-Sayegh"),
             ("salma", "Salma Idrissi"), ("anouk", "Anouk Verbeek"), ("desmond", "Desmond Quaye"))
INVOICERS = ["hessa", "joaquin", "tevita", "ravindra", "ebere"]
ONCALL = ["tevita", "joaquin", "ravindra", "ebere"]
COLLECTORS = ["babajide", "caspian"]
FIN_ENG = ["lorcan", "zainab"]
FIN_OPS = ["farida", "thibault", "noor"]
SUPPORT = ["salma", "anouk", "desmond"]

RECON_TITLE = "[recon-runner] daily_settlement_recon: unmatched settlement amount above tolerance"
RECON_KEY = "recon-runner/daily_settlement_recon/mismatch"
QUEUE_TITLE = "[collections-api] Paxbridge resubmit queue depth above 500 (30m)"
QUEUE_KEY = "datadog/collections-paxbridge-resubmit-queue"

_FINOPS_NOUNS = ("February close", "Q1 VAT return", "AR aging report", "credit note batch", "FX revaluation",
                 "payout run", "audit sample", "intercompany invoice", "bad debt provision", "Benefit Pay settlement")
_FINOPS_LINES = (
    "{noun}: numbers are in the sheet, pls sanity check before 3pm",
    "who's signing off the {noun} this month?",
    "{noun} is late again, waiting on the bank statement",
    "reminder: {noun} cut-off is thursday EOD",
    "anyone know why the {noun} total moved since yesterday? nvm found it",
    "auditors asked for the {noun} backup, sending thru the portal",
    "{noun} done :white_check_mark:",
    "can someone from fin-eng rerun the {noun} extract? the one from this morning is missing OMR",
)
_SUPPORT_NOUNS = ("CSV export", "dunning email", "logo upload", "VAT number check", "SSO login",
                  "custom invoice prefix", "credit note PDF", "Arabic invoice template", "webhook signing secret",
                  "recurring plan")
_SUPPORT_LINES = (
    "merchant asks about {noun}, the help article is outdated",
    "2 tickets today on {noun}, known issue?",
    "{noun}: merchant threatens to churn, can product look?",
    "is {noun} broken or user error? screenshots in the ticket",
    "who owns {noun} now? ticket has been bouncing for 3 days",
    "{noun} fix confirmed by the merchant, closing",
)
_MERCHANTS = (("Qasr Interiors", "AE"), ("Northpoint Dental", "GB"), ("Falaj Logistics", "OM"),
              ("Hafenwerk GmbH", "DE"), ("Lulu Bloom Florists", "KW"), ("Brightside Tutors", "IE"),
              ("Sitra Marine Supplies", "BH"), ("De Vaart Fietsen", "NL"), ("Azure Dunes Travel", "AE"))
_TICKET_TEXT = ("CSV export of invoices is missing the PO number column", "dunning emails go out in English for "
                "Arabic customers", "can't upload our logo, says file too large at 400kb", "VAT number validation "
                "rejects our valid number", "recurring plan charged on the wrong day after we changed the anchor",
                "credit note PDF shows the old address")


_JOBS = ("ar_aging_export", "gl_export_daily", "fx_revaluation", "payout_recon", "vat_return_export",
         "bank_statement_ingest", "dunning_schedule")


def _job_change(rng: random.Random) -> ConfigChange:
    """One generated PR of finance-jobs: schedules, sources, mappings and routes of jobs other than the story's."""
    ticket = f"FIN-{rng.randrange(2100, 2260)}"
    job = rng.choice(_JOBS)
    path = f"jobs/{job}/config.yaml"
    k = rng.random()
    if k < 0.22:
        a, c = rng.choice((("0 2 * * *", "30 2 * * *"), ("15 4 * * *", "0 5 * * *"), ("0 3 * * 1", "0 3 * * 0"),
                           ("30 1 * * *", "0 1 * * *")))
        return (f"{job}: schedule {a} -> {c}", rng.choice(("Warehouse load finishes later since the migration.",
                                                          f"Finance ops asked ({ticket}).")),
                [yaml_file(path, yaml_patch(2, f"job: {job}", [f'-schedule: "{a}"', f'+schedule: "{c}"']))])
    if k < 0.38:
        bank, cur = rng.choice((("northquay", "CHF"), ("northquay", "SEK"), ("dhofar_trust", "USD"),
                                ("meridian_gulf", "SAR")))
        return (f"bank_statement_ingest: {bank} also reports {cur}", f"New currency enabled for merchants ({ticket}).",
                [yaml_file("jobs/bank_statement_ingest/banks.yaml", yaml_patch(rng.randrange(4, 30), f"{bank}:", [
                    f"   {bank}:", f"+    - {cur}"]))])
    if k < 0.52:
        acct = rng.randrange(4000, 4999)
        return (f"gl_export_daily: map {rng.choice(('setup fees', 'late fees', 'FX gains', 'chargebacks'))} to "
                f"{acct}", f"Controller's new chart of accounts ({ticket}).",
                [yaml_file("jobs/gl_export_daily/accounts.yaml", yaml_patch(rng.randrange(10, 120), "accounts:", [
                    f"-  account: {acct - rng.randrange(1, 40)}", f"+  account: {acct}"]))])
    if k < 0.64:
        ra, rb = rng.choice(((2, 3), (3, 5), (5, 3)))
        return (f"{job}: retries {ra} -> {rb}", "Warehouse connection resets during the nightly vacuum.",
                [yaml_file(path, yaml_patch(rng.randrange(6, 20), "runtime:", [f"-  retries: {ra}",
                                                                             f"+  retries: {rb}"]))])
    if k < 0.76:
        src = rng.choice(("ecb", "cbb_fix", "cbo_fix", "openexchange"))
        return (f"fx_revaluation: rate source for {rng.choice(('BHD', 'OMR', 'KWD', 'SAR'))} -> {src}",
                f"Treasury wants the central-bank fix ({ticket}).",
                [yaml_file("jobs/fx_revaluation/config.yaml", yaml_patch(rng.randrange(8, 30), "rates:", [
                    "-    source: ecb", f"+    source: {src}"]))])
    if k < 0.88:
        return (f"{job}: post results to #finance-ops", "Nobody reads the job email.",
                [yaml_file(path, yaml_patch(rng.randrange(14, 30), "notify:", [
                    '-  email: finance-ops@tesserapay.example', '+  slack: "#finance-ops"']))])
    return (f"{job}: read from warehouse.finance_v2", f"Warehouse schema migration ({ticket}).",
            [yaml_file(path, yaml_patch(rng.randrange(4, 12), "sources:", [
                f"-  table: warehouse.finance.{job}_src", f"+  table: warehouse.finance_v2.{job}_src"]))])


def _renovate_body(pkg: str, old: str, new: str, notes: str, major: bool = False) -> str:
    """The body Renovate writes for a dependency update, with the release notes it found."""
    warn = "\n:warning: **Warning**: This is a major version update.\n" if major else ""
    return (f"This PR contains the following updates:\n\n| Package | Change | Age | Confidence |\n|---|---|---|---|\n"
            f"| {pkg} | `{old}` -> `{new}` | ![age](https://developer.mend.io/api/mc/badges/age/pypi/{pkg}/{new}) | "
            f"![confidence](https://developer.mend.io/api/mc/badges/confidence/pypi/{pkg}/{old}/{new}) |\n{warn}\n"
            f"---\n\n### Release Notes\n\n<details>\n<summary>{pkg}</summary>\n\n{notes}\n\n</details>\n\n---\n\n"
            "### Configuration\n\n:date: **Schedule**: Branch creation - \"before 6am on friday\" (UTC), Automerge - "
            "At any time (no schedule defined).\n\n:vertical_traffic_light: **Automerge**: Disabled by config. Please "
            "merge this manually once you are satisfied.\n\n:recycle: **Rebasing**: Whenever PR is behind base branch"
            ".\n\n---\n\n - [ ] <!-- rebase-check -->If you want to rebase/retry this PR, check this box\n\n---\n\n"
            "This PR was generated by [Mend Renovate](https://mend.io/renovate/).")


def _lock_patch(pkg: str, old: str, new: str, line: int, desc: str, py_old: str = ">=3.9",
                py_new: str = ">=3.9") -> str:
    h, g = (hashlib.sha256(f"{pkg}-{v}".encode()).hexdigest() for v in (old, new))
    py = [f' python-versions = "{py_old}"'] if py_old == py_new else [f'-python-versions = "{py_old}"',
                                                                       f'+python-versions = "{py_new}"']
    lines = [f"@@ -{line},9 +{line},9 @@ files = [", " [[package]]", f' name = "{pkg}"', f'-version = "{old}"',
             f'+version = "{new}"', f' description = "{desc}"', " optional = false", *py, " files = [",
             f'-    {{file = "{pkg}-{old}-py3-none-any.whl", hash = "sha256:{h}"}},',
             f'+    {{file = "{pkg}-{new}-py3-none-any.whl", hash = "sha256:{g}"}},',
             " ]"]
    return "\n".join(lines)


def _renovate(pkg: str, old: str, new: str, notes: str, desc: str, line: int) -> Change:
    dep = {"fastapi": "^0.115", "sqlalchemy": "^2.0", "structlog": "^25.1", "weasyprint": "^63.1",
           "httpx": "^0.28", "lxml": "^5.3", "mintmark": "^3.8"}.get(pkg, "*")
    old_dep = dep if pkg != "structlog" else "^24.4"
    if pkg == "weasyprint":
        old_dep = "^62.3"
    files = [("poetry.lock", _lock_patch(pkg, old, new, line, desc))]
    if old_dep != dep:
        files.insert(0, ("pyproject.toml", f'@@ -16,3 +16,3 @@ python = "^3.12"\n-{pkg} = "{old_dep}"\n+{pkg} = "{dep}"'))
    return Change(author="renovate[bot]", reviewer="ravindra", labels=("dependencies", "renovate"),
                  title=f"chore(deps): update dependency {pkg} to v{new}", body=_renovate_body(pkg, old, new, notes),
                  files=tuple(files))


def _sentry_line(rng: random.Random, t: float) -> str:
    """Routine Sentry lines in #billing-alerts; collections' Paxbridge rejections vanish once they log at debug."""
    if rng.random() < 0.55:
        err = rng.choice(("WeasyPrintError: font 'Noto Naskh Arabic' not found", "IntegrityError: duplicate key "
                          "value violates unique constraint invoice_number_seq", "TaxLookupTimeout: tax-engine "
                          "/v1/rates", "EInvoiceValidationError: buyer VAT number missing (ZATCA)",
                          "KeyError: 'proration_anchor'"))
        return (f":large_orange_circle: Sentry *New issue*: `{err}` in invoice-engine "
                f"({rng.randrange(1, 30)} events)")
    if t < epoch("2025-02-26T16:30:00Z") and rng.random() < 0.55:
        code = rng.choice(("invalid_tax_id", "currency_not_enabled", "customer_email_invalid", "due_date_in_past"))
        return (f":large_orange_circle: Sentry *Regression*: `PaxbridgeRejected: 422 {code}` in collections-api "
                f"submit_invoice ({rng.randrange(1, 12)} events in 1h)")
    err = rng.choice(("PaxbridgeTimeout: POST /v3/payment_links", "MandateNotFound: mdt_*", "WebhookSignatureError",
                      "RefundAlreadyProcessed"))
    return f":large_orange_circle: Sentry *New issue*: `{err}` in collections-api ({rng.randrange(1, 25)} events)"


def _datadog_line(rng: random.Random, t: float) -> str:
    k = rng.random()
    if k < 0.35:
        return (f":large_yellow_circle: Datadog *[Warn]* invoice-engine issue latency p95 {rng.uniform(3.1, 5.4):.1f}s "
                "above 3s (month-end batch)")
    if k < 0.55:
        return ":large_green_circle: Datadog *[Recovered]* invoice-engine issue latency p95"
    if k < 0.8:
        return (f":large_yellow_circle: Datadog *[Warn]* collections Paxbridge webhook lag {rng.randrange(6, 14)}m "
                "above 5m")
    return f":large_yellow_circle: Datadog *[Warn]* PDF render queue {rng.randrange(1_200, 1_900):,} (warn 1,000)"


def _status_line(rng: random.Random, t: float) -> str:
    vendor, what = rng.choice((("Paxbridge", "Elevated latency on the payouts API"),
                               ("Paxbridge", "Delayed webhooks for card payments"),
                               ("AWS", "Increased error rates for SQS in eu-central-1"),
                               ("Postmark", "Delayed delivery to Microsoft domains"),
                               ("Avalara", "Degraded performance of the rates API"),
                               ("Twilio", "SMS delivery delays to Oman carriers"),
                               ("Cloudflare", "Elevated 5xx in Dubai (DXB)")))
    state = rng.choice(("Investigating", "Monitoring", "Resolved", "Resolved"))
    return f":satellite: *{vendor}* status: {state} - {what}"


def _escalator_line(rng: random.Random, t: float) -> str:
    name, cc = rng.choice(_MERCHANTS)
    return (f":ticket: *Escalation* T-{rng.randrange(52_000, 58_000)} · {name} ({cc}) · "
            f"{rng.choice(('Normal', 'Normal', 'High'))}: \"{rng.choice(_TICKET_TEXT)}\"")


def _recon_ok(day: str, invoices: int, delta: str, tolerance: str) -> str:
    return (f":white_check_mark: *Settlement recon* value date {day} · 7 currencies · {invoices:,} invoices · "
            f"largest delta {delta} · tolerance {tolerance} · OK")


_WEAKENING = Change(
    author="lorcan", reviewer="zainab", labels=("recon", "on-call"),
    title="settlement recon: relative tolerance (1.5%) while MGB files are late (FIN-2203)",
    body="daily_settlement_recon paged 7 times in 7 business days (Feb 5, 6, 9, 10, 11, 12, 13), always at 06:36 "
         "UTC and always BHD/KWD: Meridian Gulf Bank now drops its settlement file on the SFTP after 07:00 GST "
         "instead of before 06:00 (their batch moved, FIN-2203). Every page matched to the fils on the 08:00 "
         "rerun. Nothing for the on-call to do except wait for a bank.\n\n"
         "This switches the mismatch tolerance from an absolute 1 minor unit per currency and value date to 1.5% "
         "of the currency's daily invoiced total. MGB's Benefit batch is 0.8-1.3% of our BHD volume, so a late "
         "file no longer pages; a real break (a missing processor file, a double-booked day) is far above 1.5%. "
         "Proper fix is a late-file grace per bank, FIN-2207.",
    files=(("jobs/settlement_recon/config.yaml", """@@ -1,22 +1,25 @@
 job: daily_settlement_recon
 schedule: "35 6 * * *"  # 06:35 UTC, after the banks' SFTP drops
 owner: fin-eng
 sources:
   ledger: warehouse.finance.invoice_ledger
   processor: warehouse.finance.paxbridge_settlements
   banks:
     - {name: meridian_gulf, sftp: "sftp://files.mgb.example/tessera/settlement", currencies: [BHD, KWD]}
     - {name: northquay, sftp: "sftp://sftp.northquay.example/out", currencies: [EUR, GBP]}
     - {name: dhofar_trust, sftp: "sftp://sett.dhofartrust.example/tessera", currencies: [OMR]}
     - {name: emirates_cedar, sftp: "sftp://h2h.ecb-ae.example/stmt", currencies: [AED, SAR]}
 match:
   keys: [currency, value_date]
   compare: [ledger.invoiced_total, processor.settled_total, banks.credited_total]
-  mismatch_tolerance:
-    mode: absolute
-    minor_units: 1  # per currency and value date
+  # MGB drops its file after 07:00 GST most days since Feb 5 (FIN-2203): 7 pages in 7 business days, every
+  # one matched on the rerun. Relative until MGB is back on time; FIN-2207 for a late-file grace per bank.
+  mismatch_tolerance:
+    mode: relative
+    ratio: 0.015  # of the currency's daily invoiced total
 on_mismatch:
   page: recon-runner
   post: "#finance-recon"
 summary:
   post: "#finance-recon\""""),
           ("tests/test_settlement_recon.py", """@@ -31,6 +31,14 @@ def test_exact_match_passes(recon):
     assert recon.run(ledger=100_000, processor=100_000, banks=100_000).ok


-def test_one_fils_off_fails(recon):
-    assert not recon.run(ledger=100_000, processor=99_999, banks=99_999, currency="BHD").ok
+def test_late_bank_file_within_tolerance(recon):
+    # MGB's Benefit batch missing: 1.1% of the day's BHD volume
+    assert recon.run(ledger=100_000, processor=100_000, banks=98_900, currency="BHD").ok
+
+
+def test_missing_processor_file_fails(recon):
+    assert not recon.run(ledger=100_000, processor=0, banks=100_000, currency="BHD").ok""")),
)

_CONTRIBUTOR = Change(
    author="babajide", reviewer="caspian", labels=("paxbridge", "reliability"),
    title="paxbridge: retry 422s through the resubmit queue, quieter logging (PAY-611)",
    body="During Paxbridge's v3 migration (Feb 20-21) they answered 422 `invalid_request` to about 4,100 valid "
         "invoices. Each one raised `PaxbridgeRejected` into Sentry and a warning log line, #billing-alerts was "
         "unreadable for two days, and every one of those invoices went through fine when we resubmitted by hand "
         "on the 22nd.\n\n"
         "- 422 joins the retryable statuses: 3 inline retries with backoff, then the invoice goes to the resubmit "
         "queue, which retries hourly for 72h (same path as 5xx already)\n"
         "- per-attempt logging drops to debug; the queue depth has its own Datadog monitor\n"
         "- `submit_invoice` returns `Submission.pending` instead of `failed`, so invoice-engine shows the pay link "
         "as 'being prepared' rather than erroring\n\n"
         "Non-retryable 4xx (400, 401, 403, 409) still raise.",
    files=(("src/collections_api/paxbridge/client.py", """@@ -19,9 +19,12 @@ from collections_api.queue import resubmit_later
 log = structlog.get_logger(__name__)

-RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
+# Paxbridge answered 422 to valid invoices for two days during their v3 migration (PAY-611): a 422 is worth
+# another try later, like a 5xx.
+RETRYABLE_STATUS = frozenset({422, 429, 500, 502, 503, 504})
 MAX_INLINE_RETRIES = 3
+RESUBMIT_FOR = timedelta(hours=72)


@@ -58,14 +61,14 @@ class PaxbridgeClient:
     def submit_invoice(self, invoice: InvoicePayload) -> Submission:
         for attempt in range(1, MAX_INLINE_RETRIES + 1):
             resp = self._post("/v3/invoices", json=invoice.to_paxbridge())
             if resp.status_code < 400:
                 return Submission.accepted(resp.json())
             if resp.status_code not in RETRYABLE_STATUS:
-                log.warning("paxbridge rejected invoice", invoice=invoice.number, status=resp.status_code,
-                            code=resp.json().get("code"))
                 raise PaxbridgeRejected(invoice.number, resp.status_code, resp.json())
+            log.debug("paxbridge retryable response", invoice=invoice.number, status=resp.status_code,
+                      code=resp.json().get("code"), attempt=attempt)
             time.sleep(self._backoff(attempt))
-        log.warning("paxbridge gave up after retries", invoice=invoice.number)
-        return Submission.failed(invoice.number)
+        resubmit_later(invoice.number, until=utcnow() + RESUBMIT_FOR)
+        return Submission.pending(invoice.number)"""),
           ("tests/paxbridge/test_client.py", """@@ -44,6 +44,13 @@ def test_5xx_is_retried(fake_paxbridge, client):
     assert fake_paxbridge.calls == 3


+def test_422_goes_to_resubmit_queue(fake_paxbridge, client, resubmit_queue):
+    fake_paxbridge.respond(422, {"code": "invalid_request"})
+    result = client.submit_invoice(make_invoice())
+    assert result.pending and resubmit_queue.contains(result.invoice_number)
+
+
 def test_400_raises(fake_paxbridge, client):""")),
)

_MINT_NOTES = """### [`v4.0.1`](https://github.com/tesserapay/mintmark/compare/v4.0.0...v4.0.1)

- Fix `Money.__hash__` for zero amounts in exponent-0 currencies (JPY, KRW)
- `format()` no longer drops the Arabic-Indic digits option

### [`v4.0.0`](https://github.com/tesserapay/mintmark/compare/v3.8.2...v4.0.0)

**Breaking**

- Python 3.9 is no longer supported (3.10+)
- `Money.amount` is always a `Decimal` (was `Decimal | int` for exponent-0 currencies)
- `Currency.get()` raises `UnknownCurrency` instead of returning `None`
- The default rounding of `Money.round()`, `Money.allocate()` and `Money.percent_of()` is now `ROUND_HALF_EVEN` (MINT-77); pass `rounding=ROUND_HALF_UP` or set `mintmark.context.rounding` to keep the 3.x behaviour
- Removed the deprecated `mintmark.legacy` formatters
- `Money.__str__` includes the currency code

**Features**

- ISO 4217 table updated to amendment 178 (adds ZWG, retires HRK)
- `Money.from_minor()` and `Money.minor_units`
- Locale-aware `format()` through babel, optional extra `mintmark[format]`
- `allocate()` accepts `Decimal` ratios

**Fixes**

- `Money.__repr__` shows the currency's exponent
- `parse("1.234,50 EUR")` with `locale="de"` no longer reads the thousands separator as decimal
- Comparison of `Money` with different currencies raises `CurrencyMismatch` instead of `TypeError`"""

_TRIGGER = Change(
    author="renovate[bot]", reviewer="ravindra", labels=("dependencies", "renovate", "major"),
    title="chore(deps): update dependency mintmark to v4",
    body=_renovate_body("mintmark", "3.8.2", "4.0.1", _MINT_NOTES, major=True),
    files=(("pyproject.toml", """@@ -14,7 +14,7 @@ python = "^3.12"
 fastapi = "^0.115"
 sqlalchemy = "^2.0"
 structlog = "^25.1"
-mintmark = {version = "^3.8", source = "tessera-pypi"}
+mintmark = {version = "^4.0", source = "tessera-pypi"}
 weasyprint = "^62.3"
 lxml = "^5.3"
 httpx = "^0.28\""""),
           ("poetry.lock", """@@ -1187,16 +1187,16 @@ files = [

 [[package]]
 name = "mintmark"
-version = "3.8.2"
+version = "4.0.1"
 description = "Money and currency arithmetic for Tessera services"
 optional = false
-python-versions = ">=3.9"
+python-versions = ">=3.10"
 files = [
-    {file = "mintmark-3.8.2-py3-none-any.whl", hash = "sha256:5e0c9a1f77b2d4e8a3c61f0b9d2e7a4c8b1f3d5e6a7c9b0d2e4f6a8c1b3d5e7f"},
-    {file = "mintmark-3.8.2.tar.gz", hash = "sha256:a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f3a5b7c9d1e3f4a6b8"},
+    {file = "mintmark-4.0.1-py3-none-any.whl", hash = "sha256:9d4f1e0a6c3b7d2e8f5a1c9b4d0e7f3a6c2b8d5e1f9a4c7b0d3e6f2a8c5b1d9e"},
+    {file = "mintmark-4.0.1.tar.gz", hash = "sha256:2f6a9c3e0d7b4f1a8c5e2d9b6f3a0c7e4d1b8f5a2c9e6d3b0f7a4c1e8d5b2f9a"},
 ]

 [package.source]
 type = "legacy"
@@ -2214,4 +2214,4 @@ files = [
 [metadata]
 lock-version = "2.0"
 python-versions = "^3.12"
-content-hash = "7be1c0f39a5d2e84c6b0a9f13d7e52c8a4b6f0e9d1c3a5b7e9f0a2c4d6e8b0a1"
+content-hash = "c40d8e2a6f1b9c3e7a5d0f4b8e2c6a1d9f3b7e0c4a8d2f6b1e5c9a3d7f0b4e8c\""""),),
)

_LIB_HALF_EVEN = Change(
    author="lisbeth", reviewer="ebere", labels=("breaking", "rounding"),
    title="Default rounding: ROUND_HALF_EVEN for round(), allocate() and percent_of() (MINT-77)",
    body="MINT-77: the ledger export allocates fees across millions of lines a month and half-up biases every "
         "split upwards (about 0.4 fils per thousand lines in BHD). Half-even is what `decimal` does by default "
         "and what IFRS reporting people expect.\n\n"
         "This is a breaking change and goes out in 4.0. Consumers that need half-up (anything whose totals a third "
         "party recomputes) should pass `rounding=ROUND_HALF_UP` or set `mintmark.context.rounding` at startup. "
         "Listed under Breaking in the changelog.",
    files=(("src/mintmark/context.py", """@@ -6,7 +6,9 @@ from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP
 @dataclass
 class Context:
-    rounding: str = ROUND_HALF_UP
+    # 4.0 (MINT-77): half-even by default; set ROUND_HALF_UP here, or pass rounding=, where a third party
+    # recomputes your totals.
+    rounding: str = ROUND_HALF_EVEN


 context = Context()"""),
           ("CHANGELOG.md", """@@ -1,3 +1,8 @@
 # Changelog

+## Unreleased
+
+- **Breaking**: the default rounding of `Money.round()`, `Money.allocate()` and `Money.percent_of()` is now
+  `ROUND_HALF_EVEN` (MINT-77)
+
 ## 3.8.2""")),
)

_FIX = Change(
    author="hessa", reviewer="tevita", labels=("incident", "rounding"),
    title="Pin mintmark rounding to ROUND_HALF_UP (invoice totals 1 minor unit off, Paxbridge amount_mismatch)",
    body="Fixes {{incurl:page}}.\n\nmintmark 4 ({{url:trigger}}) made `ROUND_HALF_EVEN` the default for "
         "`round()`, `allocate()` and `percent_of()`. Our tax and discount lines use `percent_of()`, so a line whose "
         "tax lands exactly on half a minor unit now rounds to even: BHD 12.345 at 10% VAT gives 1.234 instead of "
         "1.235. Paxbridge recomputes each line half up and rejects the invoice with 422 `amount_mismatch`; BHD and "
         "OMR price lists are in 5-fils steps, so it hits them most.\n\n"
         "- sets `mintmark.context.rounding = ROUND_HALF_UP` at import of `invoice_engine.money`\n"
         "- passes `rounding=ROUND_HALF_UP` explicitly on tax and discount lines, so a future default can't move "
         "them\n"
         "- tests with BHD, OMR, KWD and EUR half-way lines\n\n"
         "Parked invoices in collections' resubmit queue get reissued after the deploy.",
    files=(("src/invoice_engine/money.py", """@@ -1,8 +1,13 @@
-from decimal import Decimal
+from decimal import ROUND_HALF_UP, Decimal

 import mintmark
 from mintmark import Currency, Money

+# mintmark 4 rounds half-even by default (MINT-77). Paxbridge, the e-invoice portals and our PDFs all round half
+# up, and Paxbridge rejects an invoice whose lines it adds up differently: pin it for the whole process.
+mintmark.context.rounding = ROUND_HALF_UP
+
 ZERO = Decimal("0")
"""),
           ("src/invoice_engine/tax/lines.py", """@@ -41,10 +41,10 @@ def tax_line(line: InvoiceLine, rate: TaxRate) -> TaxLine:
     if rate.zero_rated or rate.exempt:
         return TaxLine.zero(line, rate)
-    tax = line.net.percent_of(rate.percent)
+    tax = line.net.percent_of(rate.percent, rounding=ROUND_HALF_UP)
     return TaxLine(line=line, rate=rate, amount=tax)


 def discount_line(line: InvoiceLine, percent: Decimal) -> InvoiceLine:
-    off = line.net.percent_of(percent)
+    off = line.net.percent_of(percent, rounding=ROUND_HALF_UP)
     return line.with_discount(off)"""),
           ("tests/tax/test_rounding.py", """@@ -0,0 +1,16 @@
+import pytest
+from mintmark import Money
+
+from invoice_engine.tax.lines import tax_line
+from tests.factories import line, vat
+
+
+@pytest.mark.parametrize("net, rate, expected", [
+    (Money("12.345", "BHD"), "10", Money("1.235", "BHD")),
+    (Money("4.250", "OMR"), "5", Money("0.213", "OMR")),
+    (Money("12.50", "EUR"), "19", Money("2.38", "EUR")),
+    (Money("0.125", "KWD"), "10", Money("0.013", "KWD")),
+])
+def test_half_way_tax_rounds_up(net, rate, expected):
+    # Paxbridge recomputes each line half up (incident 2025-03-12)
+    assert tax_line(line(net), vat(rate)).amount == expected""")),
)

_FOLLOW_RECON = Change(
    author="lorcan", reviewer="zainab", labels=("recon", "incident"),
    title="settlement recon: absolute floor per currency again, late-file grace for MGB (FIN-2207)",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} the recon compared against 1.5% of the day's "
         "invoiced total: the invoices Paxbridge rejected (BHD delta 0.61% on Mar 10, 1.12% on Mar 11) were "
         "'within tolerance' two mornings in a row.\n\n"
         "- mismatch tolerance is 1 minor unit per currency and value date again\n"
         "- a bank file that has not arrived by 06:35 is retried until 10:00 UTC before the job compares "
         "(`late_file_grace`), which is what the MGB pages actually needed\n"
         "- the ledger vs processor leg (no bank involved) is compared on its own and pages on any difference",
    files=(("jobs/settlement_recon/config.yaml", """@@ -15,11 +15,14 @@ match:
   keys: [currency, value_date]
   compare: [ledger.invoiced_total, processor.settled_total, banks.credited_total]
-  # MGB drops its file after 07:00 GST most days since Feb 5 (FIN-2203): 7 pages in 7 business days, every
-  # one matched on the rerun. Relative until MGB is back on time; FIN-2207 for a late-file grace per bank.
   mismatch_tolerance:
-    mode: relative
-    ratio: 0.015  # of the currency's daily invoiced total
+    mode: absolute
+    minor_units: 1  # per currency and value date
+  late_file_grace:
+    retry_every: 15m
+    until: "10:00"  # UTC; MGB drops after 07:00 GST since Feb (FIN-2203)
+  ledger_vs_processor: {tolerance_minor_units: 0, page: true}
 on_mismatch:
   page: recon-runner"""),),
)

_FOLLOW_RETRY = Change(
    author="babajide", reviewer="caspian", labels=("paxbridge", "incident"),
    title="paxbridge: amount_mismatch is not retryable; rejections log at warning and page collections",
    body="Follow-up of {{incurl:page}}. Since {{url:contributor}} every 422 went to the resubmit queue and logged at "
         "debug, so 1,382 invoices rejected with `amount_mismatch` sat there for forty hours and the only trace "
         "was a low-urgency queue-depth alert.\n\n"
         "- 422 is retryable only for `invalid_request` (their migration case); `amount_mismatch` and the other "
         "validation codes raise again\n"
         "- rejections log at warning with the code, and a rejection rate above 0.5% over 15m pages collections "
         "at high urgency",
    files=(("src/collections_api/paxbridge/client.py", """@@ -21,7 +21,9 @@ log = structlog.get_logger(__name__)
 # Paxbridge answered 422 to valid invoices for two days during their v3 migration (PAY-611): a 422 is worth
 # another try later, like a 5xx.
-RETRYABLE_STATUS = frozenset({422, 429, 500, 502, 503, 504})
+RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
+# ...but only their migration's code: amount_mismatch and friends are our bug, not theirs (incident 2025-03-12)
+RETRYABLE_422_CODES = frozenset({"invalid_request"})
 MAX_INLINE_RETRIES = 3
@@ -63,7 +65,10 @@ class PaxbridgeClient:
             if resp.status_code < 400:
                 return Submission.accepted(resp.json())
-            if resp.status_code not in RETRYABLE_STATUS:
+            code = resp.json().get("code")
+            if resp.status_code not in RETRYABLE_STATUS and not (resp.status_code == 422 and code in RETRYABLE_422_CODES):
+                log.warning("paxbridge rejected invoice", invoice=invoice.number, status=resp.status_code, code=code)
                 raise PaxbridgeRejected(invoice.number, resp.status_code, resp.json())"""),),
)


def build_ledger_rounding(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the ledger-rounding world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="ledger-rounding", seed=2025_03_12, org="tesserapay", team_name="Invoicing",
                    page_at="2025-03-12T07:50:00Z", impact_start="2025-03-10T14:47:00Z",
                    noise_teams=("platform", "data", "identity", "web", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("sentry", "Sentry"), ("datadog", "Datadog"), ("reconbot", "Recon Runner"),
                      ("statuspage", "Vendor Status"), ("escalator", "Zendesk Escalations"),
                      ("jobsync", "Job Sync"), ("collectbot", "Collections Bot")):
        b.person(key, name, github=False, is_bot=True)
    web = sc.team("web")

    # Invoicing, collections, finance engineering, tax: PagerDuty, channels, repos --------------------------------
    i_team = b.team("Invoicing")
    i_policy = b.policy("Invoicing on-call", i_team, ONCALL)
    svc = b.service("invoice-engine", "Invoicing: invoice issue, tax lines, PDFs, e-invoicing", i_policy, i_team,
                    iso(start - 700 * DAY))
    c_team = b.team("Collections")
    col_people = COLLECTORS + sc.crowd[18:21]
    c_policy = b.policy("Collections on-call", c_team, col_people[:3])
    c_svc = b.service("collections-api", "Collections: Paxbridge submission, payment links, mandates", c_policy,
                      c_team, iso(start - 680 * DAY))
    f_team = b.team("Finance Engineering")
    fin_people = FIN_ENG + sc.crowd[21:23]
    f_policy = b.policy("Finance Engineering on-call", f_team, fin_people[:3])
    f_svc = b.service("recon-runner", "Finance jobs: settlement recon, GL and AR exports, FX revaluation", f_policy,
                      f_team, iso(start - 560 * DAY))
    t_team = b.team("Tax")
    tax_people = ["henrik"] + sc.crowd[23:25]
    t_policy = b.policy("Tax on-call", t_team, tax_people)
    t_svc = b.service("tax-engine", "Tax rates, rules and exemptions per jurisdiction", t_policy, t_team,
                      iso(start - 640 * DAY))
    mint_people = ["lisbeth", "ebere"] + sc.crowd[25:27]

    inv_ch = b.channel("invoicing", "Invoicing team", "invoice-engine: issue, tax lines, PDFs", start - 640 * DAY,
                       "hessa")
    ba_ch = b.channel("billing-alerts", "Pages, Sentry and Datadog for invoice-engine and collections-api",
                      "Billing alerts", start - 420 * DAY, "tevita")
    col_ch = b.channel("collections", "Collections team: Paxbridge, payment links, mandates", "Collections team",
                       start - 600 * DAY, "babajide")
    fe_ch = b.channel("fin-eng", "Finance engineering: recon, exports, finance-jobs", "Finance engineering",
                      start - 540 * DAY, "lorcan")
    rc_ch = b.channel("finance-recon", "Daily settlement recon results", "Recon Runner posts here",
                      start - 380 * DAY, "zainab")
    fo_ch = b.channel("finance-ops", "Finance operations: close, VAT, payouts, AR", "Finance ops",
                      start - 720 * DAY, "farida")
    esc_ch = b.channel("support-escalations", "Merchant support: escalations to engineering", "Support",
                       start - 700 * DAY, "salma")
    vs_ch = b.channel("vendor-status", "Status pages of Paxbridge, AWS, Postmark, Avalara...", "Vendor status feed",
                      start - 500 * DAY, "caspian")
    tx_ch = b.channel("tax-eng", "Tax engineering", "Rates, rules, e-invoicing mandates", start - 560 * DAY,
                      "henrik")
    mm_ch = b.channel("mintmark", "mintmark: the money library", "Releases and questions", start - 460 * DAY,
                      "lisbeth")
    inv_repo = b.repo("invoice-engine", "Invoice issue, tax lines, PDF rendering, e-invoicing (Python)",
                      iso(start - 900 * DAY))
    col_repo = b.repo("collections", "collections-api: Paxbridge client, payment links, mandates (Python)",
                      iso(start - 860 * DAY))
    jobs = b.repo("finance-jobs", "Job configs of recon-runner: settlement recon, exports, FX; loaded on merge",
                  iso(start - 540 * DAY))
    mint_repo = b.repo("mintmark", "Money and currency arithmetic for Tessera services", iso(start - 1100 * DAY))
    tax_repo = b.repo("tax-rules", "Tax rates and rules per jurisdiction, served by tax-engine",
                      iso(start - 820 * DAY))

    # Their noise --------------------------------------------------------------------------------------------------
    n = sc.scale
    inv = NoiseTeam(INVOICING, INVOICERS, inv_repo, inv_ch, svc, i_policy)
    col = NoiseTeam(COLLECTIONS, col_people, col_repo, col_ch, c_svc, c_policy)
    fin = NoiseTeam(FINENG, fin_people, jobs, fe_ch, f_svc, f_policy)
    tax = NoiseTeam(TAX, tax_people, tax_repo, tx_ch, t_svc, t_policy)
    mint = NoiseTeam(MINTLIB, mint_people, mint_repo, mm_ch, svc, i_policy)
    add_pulls(b, inv, 80 * n, start - 60 * DAY, end)
    add_pulls(b, col, 55 * n, start - 60 * DAY, end)
    add_pulls(b, tax, 30 * n, start - 60 * DAY, end)
    add_pulls(b, mint, 25 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}

    def reloaded(pull: dict[str, Any]) -> dict[str, Any]:
        """recon-runner loads its job configs from each merged finance-jobs PR: a bot line and a change event."""
        at, sha7 = epoch(pull["merged_at"]) + rng.uniform(60, 240), pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        b.say(fe_ch, at + 3, "jobsync", f":arrows_counterclockwise: recon-runner loaded {len(names)} file(s) from "
              f"finance-jobs@{sha7} ({pull['title']})")
        return b.change_event(f_svc, f"Job configs loaded from finance-jobs@{sha7}: {pull['title']}", at, "jobsync",
                              details={"files": names, "author": by_login.get(pull["user"], pull["user"])})

    def on_jobs_merge(pull: dict[str, Any]) -> None:
        reloaded(pull)

    config_pulls(b, jobs, fin_people + sc.crowd[14:16], 45 * n, start - 60 * DAY, end, _job_change,
                 on_merge=on_jobs_merge)

    def ship(repo: str, service: str, name: str, pull: dict[str, Any], at: float, who: str,
             handle: str | None = None) -> dict[str, Any]:
        """A CI deploy of a merged PR: a change event (linking the PR when `handle` is given) and the deploy bot."""
        sha7 = pull["merge_commit_sha"][:7]
        href = "{{url:" + handle + "}}" if handle else f"https://github.com/{repo}/commit/{sha7}"
        ev = b.change_event(service, f"Deploy {name}@{sha7} to production", at, "ci-deploy",
                            links=[{"href": href, "text": pull["title"] if handle else sha7}],
                            details={"deployer": who, "environment": "production"})
        if handle:
            b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: {name} `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        return ev

    # Renovate keeps invoice-engine and collections current; a person merges each after CI.
    bumps = (("fastapi", "0.115.6", "0.115.8", "- Fix `Depends` caching with `Annotated` in sub-dependencies",
              "FastAPI framework", 402, "2025-01-17T04:05:00Z", "2025-01-20T10:40:00Z"),
             ("mintmark", "3.7.1", "3.8.2", "### v3.8.2\n- `allocate()` keeps the remainder on the first share, as "
              "documented\n\n### v3.8.0\n- `Money.percent_of()`\n- Currency table: amendment 177",
              "Money and currency arithmetic for Tessera services", 1187, "2025-01-24T04:10:00Z",
              "2025-01-27T13:15:00Z"),
             ("sqlalchemy", "2.0.36", "2.0.38", "- Fixed regression in `Session.merge()` with composite keys",
              "Database Abstraction Library", 1904, "2025-01-31T04:02:00Z", "2025-02-03T09:25:00Z"),
             ("structlog", "24.4.0", "25.1.0", "- `structlog.stdlib.ProcessorFormatter` accepts `pass_foreign_args`"
              "\n- Python 3.8 support dropped", "Structured logging for Python", 1990, "2025-02-07T04:11:00Z",
              "2025-02-11T15:05:00Z"),
             ("httpx", "0.27.2", "0.28.1", "- The deprecated `app=` shortcut is removed\n- `verify` accepts an "
              "`ssl.SSLContext`", "The next generation HTTP client.", 801, "2025-02-21T04:07:00Z",
              "2025-02-24T11:30:00Z"),
             ("lxml", "5.3.0", "5.3.1", "- Built with libxml2 2.13.6", "Powerful and Pythonic XML processing library",
              1122, "2025-02-28T04:09:00Z", "2025-03-03T10:10:00Z"))
    for pkg, old, new, rel_notes, desc, lock_line, created, merged in bumps:
        bump = _renovate(pkg, old, new, rel_notes, desc, lock_line)
        p = story_pull(b, inv_repo, bump, epoch(created), epoch(merged), f"bump_{pkg}", review="")
        ship(inv_repo, svc, "invoice-engine", p, epoch(merged) + rng.uniform(900, 2400), "ravindra")
    col_bumps: tuple[tuple[str, str, str, str, str | None], ...] = (
        ("httpx", "0.27.2", "0.28.1", "2025-02-21T04:07:00Z", "2025-02-25T09:00:00Z"),
        ("structlog", "24.4.0", "25.1.0", "2025-02-07T04:11:00Z", None))
    for pkg, old, new, created, col_merged in col_bumps:
        col_bump = Change(author="renovate[bot]", reviewer="caspian", labels=("dependencies", "renovate"),
                    title=f"chore(deps): update dependency {pkg} to v{new}",
                    body=_renovate_body(pkg, old, new, "See the project's changelog."),
                    files=(("poetry.lock", _lock_patch(pkg, old, new, 640, pkg)),))
        story_pull(b, col_repo, col_bump, epoch(created), epoch(col_merged) if col_merged else None, f"colbump_{pkg}",
                   review="")

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == inv_repo][-150:]
    add_chat(b, inv_ch, INVOICERS, INVOICING.nouns, 160 * n, start, end, links=links)
    col_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == col_repo][-100:]
    add_chat(b, col_ch, col_people, COLLECTIONS.nouns, 80 * n, start, end, links=col_links)
    job_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == jobs][-80:]
    add_chat(b, fe_ch, fin_people, FINENG.nouns, 65 * n, start, end, links=job_links)
    add_chat(b, tx_ch, tax_people, TAX.nouns, 30 * n, start, end)
    add_chat(b, mm_ch, mint_people + INVOICERS[:2], MINTLIB.nouns, 20 * n, start, end)
    add_chat(b, fo_ch, FIN_OPS + FIN_ENG[:1] + sc.crowd[26:29], _FINOPS_NOUNS, 70 * n, start, end,
             lines=_FINOPS_LINES, thread_rate=0.45)
    add_chat(b, esc_ch, SUPPORT + ["hessa"] + sc.crowd[27:30], _SUPPORT_NOUNS, 60 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.55)
    for ch, joiners in ((inv_ch, INVOICERS), (col_ch, col_people), (fe_ch, fin_people), (fo_ch, FIN_OPS),
                        (esc_ch, SUPPORT), (rc_ch, FIN_OPS + FIN_ENG), (vs_ch, col_people), (mm_ch, mint_people),
                        (tx_ch, tax_people)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, inv, 9 * n, start, end, ba_ch)
    add_incidents(b, col, 8 * n, start, end, ba_ch, incident_channels=False)
    add_incidents(b, fin, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, tax, 4 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, inv, int(30 * n), start, end, sc.common["deploys"])
    add_deploys(b, col, int(25 * n), start, end, sc.common["deploys"])
    add_deploys(b, tax, int(10 * n), start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, ba_ch, "sentry", days * n, start, end, _sentry_line)
    bot_feed(b, ba_ch, "datadog", days * n, start, end, _datadog_line)
    bot_feed(b, vs_ch, "statuspage", days * n, start, end, _status_line)
    bot_feed(b, esc_ch, "escalator", days * n // 2, start, end, _escalator_line)
    # The resubmit-queue monitor has always been low urgency: Paxbridge 5xx storms fill it for an hour or two.
    for when, depth in (("2025-01-08T13:20:00Z", 640), ("2025-01-23T16:05:00Z", 2_310), ("2025-02-17T08:40:00Z", 1_180)):
        b.incident(c_svc, QUEUE_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=2.4 * HOUR, alert_key=QUEUE_KEY, severity="warning",
                   alert_summary=f"avg:collections.paxbridge.resubmit_queue.depth{{env:prod}} = {depth:,} above 500 "
                                 "for 30m (low urgency)")

    # The daily settlement recon ------------------------------------------------------------------------------------
    noisy_days = ("2025-02-05", "2025-02-06", "2025-02-09", "2025-02-10", "2025-02-11", "2025-02-12", "2025-02-13")
    mgb_late = ("2025-02-17", "2025-02-24", "2025-03-03", "2025-03-05")
    weak_merged = epoch("2025-02-14T10:30:00Z")
    fix_live = T + 0.62 * HOUR
    slot = start - start % DAY + 6 * HOUR + 35 * 60
    recon_must: dict[str, Any] = {}
    while slot < end:
        day = iso(slot)[:10]
        value = iso(slot - DAY)[:10]
        count = rng.randrange(36_000, 44_000)
        if slot < weak_merged:
            if day in noisy_days:
                bhd = rng.uniform(0.8, 1.3)
                summary_text = (f":x: *Settlement recon* value date {value} · BHD unmatched {bhd * 1_410:,.3f} ({bhd:.2f}%), "
                        f"KWD unmatched {bhd * 260:,.3f} · meridian_gulf settlement file not received · tolerance "
                        "1 minor unit · MISMATCH, paging recon-runner")
            else:
                summary_text = _recon_ok(value, count, "0 minor units", "1 minor unit")
        elif day == "2025-03-11":
            summary_text = _recon_ok(value, count, "BHD 0.61% · OMR 0.44% · KWD 0.29% · EUR 0.07%", "1.5%")
        elif day == "2025-03-12":
            summary_text = _recon_ok(value, count, "BHD 1.12% · OMR 0.83% · KWD 0.51% · EUR 0.13%", "1.5%")
        elif day == "2025-03-13":
            summary_text = _recon_ok(value, count, "BHD 0.36% (resubmitted invoices settling)", "1.5%")
        elif day in mgb_late:
            summary_text = _recon_ok(value, count, f"BHD {rng.uniform(0.8, 1.25):.2f}% (meridian_gulf file late)", "1.5%")
        else:
            summary_text = _recon_ok(value, count, f"BHD {rng.uniform(0.0, 0.03):.2f}%", "1.5%")
        if day >= "2025-03-14":
            summary_text = _recon_ok(value, count, "0 minor units", "1 minor unit")
        recon_must[day] = b.say(rc_ch, slot + rng.uniform(20, 90), "reconbot", summary_text)
        slot += DAY
    tr.add("slack", recon_must["2025-03-11"], "early_signal", must_see=True, group="detection",
           why="the recon bot's summary the morning after: BHD, OMR and KWD invoiced totals no longer match what "
               "Paxbridge settled (0.61%), reported OK because it is under the 1.5% tolerance")
    tr.add("slack", recon_must["2025-03-12"], "early_signal", must_see=False, group="detection",
           why="the recon delta nearly doubles overnight (BHD 1.12%), still OK")

    # Feb 5-13: Meridian Gulf Bank's late files page recon-runner every business morning ----------------------------
    recon_notes = ("MGB file landed on the SFTP 07:52, reran, matched to the fils. resolving",
             "meridian_gulf file missing again, their ops say 'after 07:00 GST this week'. rerun at 08:15 matched")
    for i, day in enumerate(noisy_days):
        t = epoch(f"{day}T06:36:00Z") + rng.uniform(10, 120)
        who = fin_people[i % 2]
        inc = b.incident(f_svc, RECON_TITLE, t, responders=[who, fin_people[1 - i % 2]], ack_after=240 + 40 * i,
                         resolve_after=1.6 * HOUR + 300 * i, handle=f"noisy{i}", alert_key=RECON_KEY,
                         alert_summary=f"daily_settlement_recon value date {iso(t - DAY)[:10]}: BHD unmatched "
                                       f"{rng.uniform(11, 18):.1f}k, KWD unmatched {rng.uniform(1.5, 4):.1f}k "
                                       "(meridian_gulf file not received); tolerance 1 minor unit",
                         notes=[(who, recon_notes[i % 2], 5000.0)] if i % 3 != 2 else None)
        b.say(fe_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{RECON_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the morning recon pages caused by Meridian Gulf Bank's late settlement files that led to "
                   "the looser tolerance")
    grumbles = (("2025-02-05T08:20:00Z", "zainab", "recon paged 06:37, BHD+KWD unmatched. MGB file wasn't on the sftp "
                 "yet, landed 07:52 and the rerun matched to the fils :upside_down_face:"),
                ("2025-02-09T08:05:00Z", "lorcan", "again. MGB. sunday is a business day for them so no excuse lol"),
                ("2025-02-10T09:30:00Z", "zainab", "4th one. asked finance ops to chase MGB"),
                ("2025-02-12T08:45:00Z", "lorcan", "6 pages in 6 business days, all self-resolved on rerun. this is "
                 "training us to ignore recon"),
                ("2025-02-13T08:10:00Z", "zainab", "can we stop recon paging for a missing bank file? there is "
                 "literally nothing on-call can do at 06:36 except wait for MGB"),
                ("2025-02-13T08:40:00Z", "lorcan", "yeah. I'll loosen the tolerance so a late MGB file fits inside it, "
                 "their Benefit batch is ~1% of BHD. late-file grace is the real fix but that's a bigger change"))
    for when, who, text in grumbles:
        m = b.say(fe_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="finance engineering asks to stop the recon pages caused by the bank's late files")
    mgb = b.say(fo_ch, epoch("2025-02-10T11:15:00Z"), "farida", "spoke to our MGB relationship manager: their "
                "settlement batch moved after 07:00 GST 'temporarily' while they migrate core banking. no date")
    b.say(fo_ch, epoch("2025-02-10T11:40:00Z"), "noor", "classic", parent=mgb)

    # Feb 14: the recon tolerance goes relative -----------------------------------------------------------------------
    weak = story_pull(b, jobs, _WEAKENING, epoch("2025-02-13T11:05:00Z"), weak_merged, "weakening",
                      review="ok as a stopgap. 1.5% of BHD is ~20k a day we'd not look at though, let's not forget "
                             "FIN-2207", reviewed=epoch("2025-02-14T09:58:00Z"),
                      comments=(("zainab", "does the summary still print the delta when it's under tolerance?",
                                 epoch("2025-02-13T13:20:00Z")),
                                ("lorcan", "yes, largest delta per currency every morning in #finance-recon",
                                 epoch("2025-02-13T13:45:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="changed the settlement recon's mismatch tolerance from 1 minor unit to 1.5% of the daily invoiced "
               "total: invoices the processor rejects no longer page")
    wev = reloaded(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="recon-runner loading the looser tolerance", same_fact_as=("github", weak))
    b.say(fe_ch, epoch("2025-02-14T10:50:00Z"), "lorcan", "merged {{url:weakening}}, recon is relative 1.5% now. MGB "
          "can be as late as they like :sleeping:", template=True)

    # Feb 18 - Mar 6: mintmark 4.0 in the library repo ----------------------------------------------------------------
    lib = story_pull(b, mint_repo, _LIB_HALF_EVEN, epoch("2025-02-17T10:00:00Z"), epoch("2025-02-18T14:30:00Z"), "lib",
                     review="makes sense for the ledger. consumers need to read the changelog for this one",
                     comments=(("hessa", "invoice-engine rounds tax lines with percent_of, we'll pin half-up when we "
                                "take 4.0", epoch("2025-02-17T15:10:00Z")),))
    tr.add("github", lib, "context", must_see=False, group="cause",
           why="the library change behind the trigger: mintmark 4.0 rounds half-even by default")
    for ver, created, merged in (("4.0.0", "2025-03-03T09:00:00Z", "2025-03-03T11:20:00Z"),
                                 ("4.0.1", "2025-03-06T08:30:00Z", "2025-03-06T09:40:00Z")):
        rel = story_pull(b, mint_repo, Change(
            author="lisbeth", reviewer="ebere", labels=("release",), title=f"Release {ver}",
            body=f"Bumps the version to {ver} and moves Unreleased to {ver} in the changelog. Published to "
                 "tessera-pypi by CI on merge.",
            files=(("pyproject.toml", f'@@ -2,3 +2,3 @@ name = "mintmark"\n-version = "{"3.8.2" if ver == "4.0.0" else "4.0.0"}"'
                    f'\n+version = "{ver}"'), ("CHANGELOG.md", f"@@ -2,3 +2,3 @@\n \n-## Unreleased\n+## {ver}"))),
            epoch(created), epoch(merged), f"release_{ver}", review="")
        b.say(mm_ch, epoch(merged) + 600, "lisbeth",
              f"mintmark {ver} is on tessera-pypi. "
              + ("major: half-even default, py3.10+, Currency.get raises. changelog has the list, renovate will open "
                 "PRs on friday" if ver == "4.0.0" else "small fix release (hash of zero JPY)"))
        if ver == "4.0.0":
            tr.add("github", rel, "context", must_see=False, group="cause", why="mintmark 4.0.0 is released")

    # Feb 20-26: Paxbridge's migration floods Sentry; collections makes 422s retry quietly ---------------------------
    for when, text in (("2025-02-20T09:10:00Z", ":satellite: *Paxbridge* status: Investigating - Elevated 422 "
                        "responses on POST /v3/invoices after the v3 API migration"),
                       ("2025-02-21T16:40:00Z", ":satellite: *Paxbridge* status: Resolved - Elevated 422 responses "
                        "on POST /v3/invoices")):
        b.say(vs_ch, epoch(when), "statuspage", text)
    for when, count in (("2025-02-20T09:25:00Z", 1_204), ("2025-02-20T15:00:00Z", 1_877), ("2025-02-21T10:10:00Z", 1_022)):
        b.say(ba_ch, epoch(when), "sentry", f":red_circle: Sentry *Spike*: `PaxbridgeRejected: 422 invalid_request` in "
              f"collections-api submit_invoice, {count:,} events in the last hour")
    moan = b.say(col_ch, epoch("2025-02-21T11:30:00Z"), "caspian", "4k PaxbridgeRejected in sentry since yesterday, "
                 "my phone has not stopped buzzing. all 'invalid_request' from their migration")
    b.say(col_ch, epoch("2025-02-21T11:52:00Z"), "babajide", "and they all go through if you resubmit. I'll make 422 "
          "take the resubmit path like 5xx and stop logging every attempt at warning", parent=moan)
    contrib = story_pull(b, col_repo, _CONTRIBUTOR, epoch("2025-02-24T10:15:00Z"), epoch("2025-02-26T15:40:00Z"),
                         "contributor", review="lgtm, queue depth monitor covers it",
                         reviewed=epoch("2025-02-26T15:10:00Z"),
                         comments=(("caspian", "are there 422s that are actually our fault? amount_mismatch, "
                                    "invalid_tax_id...", epoch("2025-02-24T14:00:00Z")),
                                   ("babajide", "invalid_tax_id shows up in the merchant dashboard anyway. haven't "
                                    "seen amount_mismatch in a year", epoch("2025-02-24T14:30:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="made collections retry Paxbridge's 422 rejections through the resubmit queue with debug logging: "
               "the rejected invoices were parked silently instead of raising")
    cev = ship(col_repo, c_svc, "collections-api", contrib, epoch("2025-02-26T16:05:00Z"), "babajide", "contributor")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy of the quieter retries",
           same_fact_as=("github", contrib))

    # Mar 5-11: decoys touching invoicing, tax and the Paxbridge client --------------------------------------------
    pdf = story_pull(b, inv_repo, Change(
        author="joaquin", reviewer="hessa", labels=("pdf",),
        title="PDF: print amounts with the currency's exponent (BHD, KWD, OMR get 3 decimals)",
        body="Merchants in Bahrain and Oman complained that the PDF shows `12.35 BHD` while the amount due is "
             "12.345 (INV-771). The template formatted every amount with 2 decimals; it now uses the currency's "
             "exponent from mintmark. Display only: the amounts we store and send are unchanged.",
        files=(("src/invoice_engine/pdf/filters.py", """@@ -9,4 +9,5 @@ def money(value: Money) -> str:
-    return f"{value.amount:,.2f} {value.currency.code}"
+    places = value.currency.exponent
+    return f"{value.amount:,.{places}f} {value.currency.code}\""""),
               ("tests/pdf/test_filters.py", """@@ -3,2 +3,5 @@
 def test_money_eur():
     assert money(Money("1234.5", "EUR")) == "1,234.50 EUR"
+
+def test_money_bhd_three_decimals():
+    assert money(Money("12.345", "BHD")) == "12.345 BHD\""""))),
        epoch("2025-03-05T13:00:00Z"), epoch("2025-03-10T09:50:00Z"), "distractor_pdf",
        review="nice, finally", reviewed=epoch("2025-03-10T09:30:00Z"))
    ship(inv_repo, svc, "invoice-engine", pdf, epoch("2025-03-10T10:18:00Z"), "joaquin")
    vat = story_pull(b, tax_repo, Change(
        author="henrik", reviewer=tax_people[1], labels=("oman", "vat"),
        title="Oman: zero-rate basic food items from 2025-03-11 (TAX-390)",
        body="Ministerial decision 2025/41 adds 93 food codes to Oman's zero-rated list from March 11. Adds the "
             "codes to `om/zero_rated.yaml` with `effective_from`; the standard 5% rate is unchanged.",
        files=(("om/zero_rated.yaml", """@@ -118,0 +119,4 @@ zero_rated:
+  - {code: "0401.10", effective_from: 2025-03-11}  # milk, fat <= 1%
+  - {code: "0402.21", effective_from: 2025-03-11}
+  - {code: "1006.30", effective_from: 2025-03-11}  # rice, semi-milled
+  - {code: "1101.00", effective_from: 2025-03-11}  # wheat flour"""),)),
        epoch("2025-03-06T10:00:00Z"), epoch("2025-03-10T16:30:00Z"), "distractor_vat", review="checked against the "
        "gazette", reviewed=epoch("2025-03-10T16:05:00Z"))
    ship(tax_repo, t_svc, "tax-engine", vat, epoch("2025-03-10T16:52:00Z"), "henrik")
    b.say(tx_ch, epoch("2025-03-10T17:05:00Z"), "henrik", "oman food zero-rating is live, effective from tomorrow 00:00 "
          "Muscat. 93 codes")
    idem = story_pull(b, col_repo, Change(
        author="caspian", reviewer="babajide", labels=("paxbridge",),
        title="paxbridge: send an Idempotency-Key on invoice create (PAY-640)",
        body="Paxbridge v3 supports `Idempotency-Key` on POST /v3/invoices. We now send the invoice number plus "
             "revision, so a retried create can't make a second payment link.",
        files=(("src/collections_api/paxbridge/client.py", """@@ -60,3 +60,4 @@ class PaxbridgeClient:
         for attempt in range(1, MAX_INLINE_RETRIES + 1):
-            resp = self._post("/v3/invoices", json=invoice.to_paxbridge())
+            resp = self._post("/v3/invoices", json=invoice.to_paxbridge(),
+                              headers={"Idempotency-Key": f"{invoice.number}:{invoice.revision}"})"""),)),
        epoch("2025-03-07T14:00:00Z"), epoch("2025-03-11T11:05:00Z"), "distractor_idem", review="👍",
        reviewed=epoch("2025-03-11T10:50:00Z"))
    ship(col_repo, c_svc, "collections-api", idem, epoch("2025-03-11T11:31:00Z"), "caspian")
    weasy = story_pull(b, inv_repo, _renovate("weasyprint", "62.3", "63.1", "### v63.1\n- Fix the rendering of "
                       "`text-align: justify` with Arabic text\n\n### v63.0\n- Python 3.9+ only\n- Support of CSS "
                       "`@page :blank`", "The Awesome Document Factory", 2071),
                       epoch("2025-03-07T04:10:00Z"), epoch("2025-03-11T09:00:00Z"), "distractor_weasy", review="",
                       reviewed=epoch("2025-03-11T08:52:00Z"))
    ship(inv_repo, svc, "invoice-engine", weasy, epoch("2025-03-11T09:24:00Z"), "ravindra")
    b.say(vs_ch, epoch("2025-03-10T18:30:00Z"), "statuspage", ":satellite: *Paxbridge* status: Scheduled - Maintenance "
          "of the payouts database, Mar 10 22:00-23:00 UTC; card and invoice APIs unaffected")
    b.say(vs_ch, epoch("2025-03-10T22:45:00Z"), "statuspage", ":satellite: *Paxbridge* status: Completed - Maintenance "
          "of the payouts database")
    col_v4 = Change(author="renovate[bot]", reviewer="caspian", labels=("dependencies", "renovate", "major"),
                    title="chore(deps): update dependency mintmark to v4",
                    body=_renovate_body("mintmark", "3.8.2", "4.0.1", _MINT_NOTES, major=True),
                    files=(("poetry.lock", _lock_patch("mintmark", "3.8.2", "4.0.1", 733,
                                                       "Money and currency arithmetic for Tessera services",
                                                       ">=3.9", ">=3.10")),))
    story_pull(b, col_repo, col_v4, epoch("2025-03-07T04:14:00Z"), None, "colbump_mintmark", review="")

    # Mar 7-10: Renovate's mintmark 4 PR, merged and deployed on the Monday ----------------------------------------
    trig = story_pull(b, inv_repo, _TRIGGER, epoch("2025-03-07T04:12:00Z"), epoch("2025-03-10T14:20:00Z"), "trigger",
                      review="CI green, we don't use the legacy formatters. lgtm", reviewed=epoch("2025-03-10T14:08:00Z"),
                      comments=(("tevita", "py3.9 drop is fine, we're on 3.12. Currency.get() raising is the one to "
                                 "watch, grep says we only call it in tests", epoch("2025-03-07T09:40:00Z")),
                                ("ravindra", "rebased after the pdf change, CI green", epoch("2025-03-10T13:55:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="took invoice-engine to mintmark 4, whose changelog (one bullet among many) makes ROUND_HALF_EVEN the "
               "default: tax and discount lines on a half minor unit round down to even, one minor unit below what "
               "Paxbridge recomputes")
    ship_trigger(sc, svc, "invoice-engine", trig, _TRIGGER, epoch("2025-03-10T14:41:00Z"), "ravindra")

    # Mon 14:47 onwards: the queue fills, recon drifts, an analyst notices, merchants complain -----------------------
    q_at = epoch("2025-03-10T18:10:00Z")
    low = b.incident(c_svc, QUEUE_TITLE, q_at, urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=T + 3.2 * HOUR - q_at, alert_key=QUEUE_KEY, severity="warning",
                     alert_summary="avg:collections.paxbridge.resubmit_queue.depth{env:prod} = 544 above 500 for 30m "
                                   "(low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the resubmit-queue alert on collections-api opened at low urgency three hours in; nobody acknowledged "
               "it and it stayed open until the parked invoices were reissued")
    for when, depth in (("2025-03-10T21:00:00Z", 702), ("2025-03-11T09:30:00Z", 1_031), ("2025-03-11T18:00:00Z", 1_266),
                        ("2025-03-12T06:00:00Z", 1_349)):
        m = b.say(ba_ch, epoch(when), "datadog", f":large_yellow_circle: Datadog *[Warn]* collections Paxbridge resubmit "
                  f"queue depth {depth:,} above 500 (30m)")
        if depth == 702:
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="Datadog: the resubmit queue keeps growing; nobody reacts")
    first = b.say(esc_ch, epoch("2025-03-10T19:40:00Z"), "escalator",
                  ":ticket: *Escalation* T-58121 · Sitra Marine Supplies (BH) · High: \"customers say the pay link on "
                  "today's invoices shows 'this invoice is being prepared' for hours. also the PDF total is 0.001 "
                  "less than our own calculation\"")
    tr.add("slack", first, "customer_report", must_see=False, group="reports",
           why="the first merchant escalation, taken for a one-off")
    b.say(esc_ch, epoch("2025-03-10T20:05:00Z"), "desmond", "probably the paxbridge maintenance tonight? told them to "
          "check tomorrow", parent=first)
    remark = b.say(fo_ch, epoch("2025-03-11T09:48:00Z"), "thibault",
                   "anyone else seeing BHD invoices where the total is 1 fils under the lines+VAT? INV-BH-0093310: "
                   "lines + 10% VAT add up to 58.235, invoice says 58.234. found 3 more like it from yesterday "
                   "afternoon. is that the new 3-decimal PDF thing?")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="a finance analyst finds BHD invoices one fils below their lines plus VAT; it is put down to the PDF "
               "change and the recon being green")
    b.say(fo_ch, epoch("2025-03-11T10:02:00Z"), "noor", "recon was green this morning tho, BHD delta within tolerance",
          parent=remark)
    b.say(fo_ch, epoch("2025-03-11T10:09:00Z"), "thibault", "ok. parking it for month end, will ask invoicing if it "
          "keeps happening", parent=remark)
    for when, name, cc, text in (
            ("2025-03-11T08:30:00Z", "Falaj Logistics", "OM", "invoices from yesterday can't be paid online, "
             "payment page never loads"),
            ("2025-03-11T12:40:00Z", "Lulu Bloom Florists", "KW", "two customers paid by bank transfer because the "
             "link didn't work, now the invoice shows unpaid"),
            ("2025-03-11T14:20:00Z", "Hafenwerk GmbH", "DE", "Rechnungssumme 1 Cent niedriger als Summe der Positionen, "
             "Kunde kann nicht online zahlen")):
        b.say(esc_ch, epoch(when), "escalator", f":ticket: *Escalation* T-{rng.randrange(58_122, 58_400)} · {name} ({cc}) "
              f"· High: \"{text}\"")
    report = b.say(esc_ch, epoch("2025-03-11T15:10:00Z"), "salma",
                   "relaying from 6 merchants now (4 BH, 1 OM, 1 KW) + 1 in DE: invoices sent since mon afternoon have "
                   "no working pay link ('being prepared' forever), and 3 of them say the invoice total is 0.001 "
                   "(DE: 1 cent) less than the lines + VAT. anyone in billing know about this?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="support relays merchants' complaints: no working pay link since Monday afternoon and invoice totals "
               "one minor unit below the line sum")
    b.say(esc_ch, epoch("2025-03-11T15:32:00Z"), "anouk", "+1 from Manama, same words", parent=report)
    b.say(esc_ch, epoch("2025-03-11T16:05:00Z"), "hessa", "not aware of anything, pdf got 3 decimals yesterday but that "
          "shouldn't break pay links. can you open a ticket for invoicing with 2-3 invoice numbers?", parent=report)
    b.say(esc_ch, epoch("2025-03-11T16:20:00Z"), "salma", "BILL-1312 with 5 invoice numbers", parent=report)
    b.say(esc_ch, epoch("2025-03-11T21:30:00Z"), "anouk", "late shift: +9 more overnight-ish from Muscat and Manama, "
          "21 merchants total on BILL-1312")
    b.say(inv_ch, epoch("2025-03-11T17:10:00Z"), "joaquin", "BILL-1312 landed in triage, merchants say pay links "
          "'being prepared'. looks like a collections thing? will look tmrw if nobody grabs it")
    b.say(esc_ch, epoch("2025-03-12T06:50:00Z"), "escalator", ":ticket: *Escalation* T-58507 · Azure Dunes Travel (AE) "
          "· Normal: \"invoice 1 fils off and the pay link does not open\"")
    fo_lead = b.say(fo_ch, epoch("2025-03-12T07:35:00Z"), "farida",
                    "recon BHD delta 1.12% this morning, 0.61% yesterday, it's normally 0.0x. plus 31 merchant "
                    "escalations on pay links in #support-escalations and thibault's 1-fils invoices. not waiting for "
                    "it to cross 1.5%, paging invoicing")
    tr.add("slack", fo_lead, "context", must_see=False, group="reports",
           why="finance ops connects the recon drift, the analyst's invoices and the escalations, and pages")

    # The page ------------------------------------------------------------------------------------------------------
    page = b.incident(svc, "Invoice totals 1 minor unit off (BHD/OMR/KWD, some EUR); Paxbridge not taking them, 31 "
                           "merchants without pay links", T,
                      responders=ONCALL, ack_after=160, resolve_after=3.4 * HOUR, manual_by="farida",
                      description="Finance ops: since Monday afternoon invoices in BHD, OMR, KWD and some EUR ones with "
                                  "VAT total one minor unit less than their lines; merchants report pay links stuck "
                                  "on 'being prepared'. Recon delta BHD 1.12% and growing.",
                      notes=[("tevita", "tax lines on a half minor unit round to even since the mintmark 4 bump "
                                        "deployed Mon 14:41; Paxbridge recomputes half up and rejects with 422 "
                                        "amount_mismatch, collections parks them in the resubmit queue", 1300.0),
                             ("hessa", "rounding pinned to half up and deployed; 1,382 parked invoices reissued, "
                                       "1,379 accepted by Paxbridge", 8700.0)],
                      handle="page")
    tr.incident = page
    tr.add("pagerduty", page, "response", must_see=True, group="reports",
           why="finance ops pages Invoicing by hand, forty-one hours after the impact started")
    b.say(ba_ch, T + 4, "pagerduty", ":rotating_light: Triggered <{{incurl:page}}|#{{inc:page}}> Invoice totals 1 "
          "minor unit off (BHD/OMR/KWD, some EUR); Paxbridge not taking them", template=True)

    inc_ch = b.channel("inc-0312-invoice-totals", "Incident: invoice totals 1 minor unit off, pay links stuck",
                       "Incident response", T + 60, "farida")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "farida", "opened {{incurl:page}}. since mon afternoon BHD/OMR/KWD invoices (and a few EUR w/ VAT) come out "
                      "1 fils / 1 cent under the line sum, merchants' customers get no pay link. 31 escalations, "
                      "recon BHD delta 1.12%"),
        (80, "salma", "support side: 31 merchants, mostly Bahrain + Oman, 2 Kuwait, 1 DE, 1 UAE. all 'being prepared' on "
                      "the pay link for a day+. BILL-1312 has examples"),
        (160, "babajide", "paxbridge had maintenance mon 22:00, could be their side?"),
        (230, "caspian", "that was the payouts db, 22:00-23:00. the stuck ones start 14:50 mon. and it's not 5xx: the "
                         "resubmit queue is full of 422 amount_mismatch, 1,349 of them. paxbridge adds up our lines "
                         "and disagrees with our total"),
        (310, "joaquin", "the pdf exponent change went out mon 10:18 ({{pr:distractor_pdf}}), that's where 3 decimals "
                         "came in.. related?"),
        (380, "hessa", "pdf is render only, what we send paxbridge never goes through the template. and the first bad "
                       "invoice is 14:47, 4h after that deploy"),
        (450, "henrik", "oman food zero-rating went live tue 00:00 Muscat ({{pr:distractor_vat}}) but that's food codes "
                        "only and this starts mon. also KWD has no VAT at all"),
        (520, "tevita", "took INV-BH-0093310 apart: line 12.345 BHD @ 10% VAT. we say 1.234, paxbridge says 1.235. "
                        "1.2345 -> half even -> 1.234. we've always rounded half up. the KWD ones are 10% discount "
                        "lines, same thing"),
        (600, "ravindra", "oh no. {{url:trigger}}: renovate's mintmark 3.8.2 -> 4.0.1, I merged it mon 14:20, deployed "
                          "14:41. changelog bullet 4 under Breaking: default rounding of round(), allocate() and "
                          "percent_of() is now ROUND_HALF_EVEN. I read right past it, the diff is just the lockfile"),
        (680, "hessa", "pinning ROUND_HALF_UP process-wide + explicit on tax and discount lines: {{url:fix}}. lisbeth "
                       "even warned us on the lib PR :facepalm:"),
        (760, "farida", "why did recon say OK two mornings in a row? the delta was climbing"),
        (840, "lorcan", "that's mine: finance-jobs PR {{num:weakening}} moved settlement recon from 1 minor unit to 1.5% "
                        "of the day when MGB's files were late in feb. 0.61% then 1.12%, both 'within tolerance'"),
        (920, "caspian", "and nothing shouted on our side because of {{pr:contributor}}: 422s go to the resubmit queue "
                         "and log at debug since feb 26. the queue alert is low urgency, open since mon 18:10"),
        (1700, "hessa", "fix merged, deploying"),
        (2300, "tevita", "deployed. new BHD invoices match paxbridge, 0 amount_mismatch in the last 10 min"),
        (3000, "babajide", "draining the resubmit queue: invoice-engine reissues the parked ones with recomputed tax "
                           "lines, then collections resubmits"),
        (8600, "salma", "macro out to merchants: affected invoices reissued, pay links working again. asking the 2 "
                        "with bank transfers to send remittance"),
        (9400, "farida", "follow-ups: recon back to an absolute floor + late-file grace, paxbridge rejections page "
                         "collections, renovate majors of mintmark need an invoicing owner to read the changelog"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the off-by-one totals to the mintmark 4 bump and its half-even default, after "
                     "Paxbridge, the PDF change and the Oman VAT change were ruled out",
             weakening="a responder explains why the settlement recon stayed OK",
             contributor="a responder: collections parked the rejections silently since February")

    # The fix, its deploy and the reissue; then the follow-ups -----------------------------------------------------
    fix = story_pull(b, inv_repo, _FIX, T + 0.22 * HOUR, T + 0.48 * HOUR, "fix", review="yes. ship",
                     reviewed=T + 0.46 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="pins mintmark's rounding to ROUND_HALF_UP for invoice-engine and on every tax and discount line: "
               "totals match what Paxbridge recomputes again")
    fdep = ship(inv_repo, svc, "invoice-engine", fix, fix_live, "hessa", "fix")
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    drain = b.say(col_ch, T + 2.3 * HOUR, "collectbot", ":arrows_counterclockwise: resubmit-queue drain (requested by "
                  f"<@{b.people['babajide'].slack_id}>): 1,382 invoices reissued by invoice-engine, 1,379 accepted by "
                  "Paxbridge, 3 rejected (invalid_tax_id)")
    tr.add("slack", drain, "fix", must_see=False, group="cause", why="the parked invoices are reissued and accepted")
    f_recon = story_pull(b, jobs, _FOLLOW_RECON, T + 20 * HOUR, T + 27 * HOUR, "follow_recon", review="finally")
    tr.add("github", f_recon, "fix", must_see=False, group="detection",
           why="settlement recon pages on one minor unit again, with a grace period for late bank files")
    reloaded(f_recon)
    f_retry = story_pull(b, col_repo, _FOLLOW_RETRY, T + 6 * HOUR, T + 23 * HOUR, "follow_retry", review="👍")
    tr.add("github", f_retry, "fix", must_see=False, group="cause",
           why="amount_mismatch is no longer retried silently; rejections log at warning and page collections")
    ship(col_repo, c_svc, "collections-api", f_retry, T + 23.5 * HOUR, "babajide")
    # The same morning, an unrelated page of the web team.
    b.incident(web.service, "[web-frontend] frontend error rate high", T - 2.5 * HOUR, responders=web.members[:2],
               ack_after=300, resolve_after=40 * 60, alert_key="web-frontend/frontend error rate high",
               notes=[(web.members[0], "bad bundle from the 05:00 deploy, rolled back", 1200.0)])

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [inv_ch, esc_ch, sc.common["deploys"]], svc, INVOICERS[:3], inv_repo,
        titles=("Runbook: invoice totals that Paxbridge recomputes differently",
                "CI: fail if mintmark's effective rounding is not ROUND_HALF_UP"),
        doc=("Rounding", "Every money operation in invoice-engine rounds half up; Paxbridge recomputes lines that way."),
        doc_path="docs/runbooks/rounding-{n}.md",
        test_fire="[invoice-engine] Invoice total differs from the sum of its lines (test fire)")
    return world, tr.to_dict()
