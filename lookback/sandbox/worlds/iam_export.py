"""World "iam-export": Numera (accounting software for UK small businesses and their accountants) builds a month-end
pack for every organisation that asks for one (trial balance, general ledger detail, aged debtors and creditors, the
VAT summary), uploads it to `s3://numera-client-exports-prod/month-end/<period>/` and e-mails the accountant a link.
On 24 September a security engineer's least-privilege PR in cloud-iam replaces the export job's `s3:*` with a policy
IAM Access Analyzer generated from 14 days of CloudTrail data events (5-19 September): only `daily/` and `staging/`,
since no month-end run fell in that window. On 1 October at 01:38 UTC all 6,214 September pack uploads get
AccessDenied. Four weeks earlier, after seven night pages caused by the Ratebridge FX API timing out in the
`fx_revalue` step, the job's wrapper script was changed so that only the snapshot step fails the run ("the next
night's run redoes the rest"), so Cronitor saw a green run; and since mid-September the notify step builds links from
the manifest instead of checking each upload, so 6,214 accountants got e-mails with links to files that do not exist.
Only a CloudTrail Watch burst in #sec-audit, the run summary's "0 uploaded" at 02:21 and a low-urgency 404 alert show
it; support treats Tuesday's tickets as expired links, and pages Reporting & Exports by hand on Wednesday morning
after Harrowgate & Pike's CSM escalates, 31 hours in. The staging files were expired after one day since a FinOps
change, so the fix (restoring `month-end/*`) is followed by a full rebuild of every pack."""

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
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

EXPORTS = TeamSpec("exports", "Reporting & Exports", "period-export", "period-export", "exports",
                   ("snapshot", "render", "upload", "notify"),
                   ("trial balance", "GL detail CSV", "aged debtors report", "VAT summary", "pack manifest",
                    "Ratebridge FX rates", "render workers", "pack e-mail template", "snapshot step",
                    "S3 multipart upload", "resend button", "MTD box mapping", "multi-currency revaluation"),
                   ("Cronitor: period-export late (not started by 01:15)", "render workers OOMKilled",
                    "pack e-mail bounce rate above 3%"), "py")
FILES = TeamSpec("files", "Files", "files-gateway", "files-gateway", "files-gateway",
                 ("links", "edge", "uploads", "scan"),
                 ("signed link", "token HMAC", "CloudFront behaviour", "download page", "range requests",
                  "virus scan hook", "upload widget", "link expiry", "attachment previews"),
                 ("files-gateway 5xx above 1%", "p95 download latency above 2s", "virus scan queue backlog"), "go")
SECURITY = TeamSpec("security", "Security", "aws-security", "cloud-iam", "security",
                    ("roles", "sso", "scp", "analyzer"),
                    ("Access Analyzer findings", "SCP region lock", "SSO permission sets", "GuardDuty findings",
                     "CloudTrail lake", "least-privilege sweep", "legacy IAM users", "KMS key policies",
                     "pen test retest", "SOC 2 evidence"),
                    ("GuardDuty finding severity HIGH", "CloudTrail delivery to the lake stopped",
                     "root user sign-in"), "go")

STAFF = (("leontine", "Leontine Vasseur"), ("aoife", "Aoife Brennan"), ("rhys", "Rhys Pritchard"),
         ("kwame", "Kwame Asante"), ("hamid", "Hamid Karimi"), ("beatriz", "Beatriz Salgado"),
         ("mahsa", "Mahsa Tehrani"), ("dmitri", "Dmitri Volkov"), ("callum", "Callum Rennie"),
         ("joost", "Joost van Leeuwen"))
OUTSIDERS = (("siobhan", "Siobhan Gallagher"), ("mei", "Mei Lin Tan"), ("ollie", "Oliver Dunmore"),
             ("rosalind", "Rosalind Achterberg"))
EXPORT_PEOPLE = ["leontine", "aoife", "rhys", "kwame", "hamid", "beatriz"]
ONCALL = ["kwame", "hamid", "aoife", "rhys"]
SEC_PEOPLE = ["mahsa", "dmitri"]
SUPPORT = ["siobhan", "mei", "ollie"]
HP = (("gemma", "Gemma Thornbury", "gemma.thornbury@harrowgatepike.example"),
      ("nikhil", "Nikhil Varma", "n.varma@harrowgatepike.example"))

BUCKET = "numera-client-exports-prod"
CRONITOR_TITLE = "[period-export] Cronitor: period-export failed (exit 1)"
CRONITOR_KEY = "cronitor/period-export"
NOT_FOUND_KEY = "grafana/PackDownloads404"

PRACTICES = ("Brook & Hale Accountants", "Fenwick Tax LLP", "Oakridge Bookkeeping", "Lumley Partners",
             "Castlegate Accounting", "Marsh & Co", "Pennant Payroll", "Ashdown Advisory", "Greyfriars Accounts",
             "Willowmere Books", "Tidewell & Sons", "Cardew Chartered")
ROLES = (("billing-sync", "sqs", '"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"',
          "aws_sqs_queue.billing_events.arn"),
         ("invoice-mailer", "ses", '"ses:SendRawEmail"',
          '"arn:aws:ses:eu-west-2:${local.account_id}:identity/numera.example"'),
         ("ocr-receipts-worker", "textract", '"textract:AnalyzeExpense"', '"*"'),
         ("payroll-calc", "dynamodb", '"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"',
          "aws_dynamodb_table.payroll_runs.arn"),
         ("bank-feed-poller", "secretsmanager", '"secretsmanager:GetSecretValue"',
          '"arn:aws:secretsmanager:eu-west-2:${local.account_id}:secret:bank-feeds/*"'),
         ("audit-log-shipper", "firehose", '"firehose:PutRecordBatch"',
          "aws_kinesis_firehose_delivery_stream.audit.arn"),
         ("web-app", "sns", '"sns:Publish"', "aws_sns_topic.app_events.arn"),
         ("warehouse-loader", "glue", '"glue:GetTable", "glue:GetPartitions", "glue:BatchCreatePartition"',
          '"arn:aws:glue:eu-west-2:${local.account_id}:table/ledger_lake/*"'),
         ("support-console", "kms", '"kms:Decrypt"', "data.aws_kms_key.support_attachments.arn"),
         ("mtd-submitter", "ssm", '"ssm:GetParameter"',
          '"arn:aws:ssm:eu-west-2:${local.account_id}:parameter/mtd/*"'))
_SSO_SETS = ("ReadOnly", "SupportConsole", "DataAnalyst", "PowerUser-staging", "BillingViewer")
_ACCOUNTS = ("numera-prod", "numera-staging", "numera-data", "numera-shared")
_LEGACY = ("ci-jenkins-old", "backup-script", "quickbooks-migration", "datadog-legacy", "sftp-bank-uploads")


def _iam_change(rng: random.Random) -> ConfigChange:
    """One generated PR of cloud-iam: least-privilege scoping of other roles, SSO, OIDC, SCPs, legacy users."""
    ticket = f"SEC-{rng.randrange(430, 560)}"
    k = rng.random()
    role, svc, actions, res = rng.choice(ROLES)
    ident = role.replace("-", "_")
    if k < 0.34:
        return (f"{role}: replace {svc}:* with the actions it uses ({ticket})",
                rng.choice(("Least-privilege sweep (SEC-500). Actions from Access Analyzer, last 14 days.",
                            f"Access Analyzer flagged `{svc}:*` on this role. Narrowed to what CloudTrail shows.",
                            "Part of the SOC 2 evidence for CC6.3: no wildcard actions on workload roles.")),
                [yaml_file(f"roles/{ident}.tf", yaml_patch(rng.randrange(8, 40),
                                                           f'data "aws_iam_policy_document" "{ident}" {{', [
                    "   statement {", f'     sid       = "{svc.title()}Access"',
                    f'-    actions   = ["{svc}:*"]', f"+    actions   = [{actions}]",
                    f"     resources = [{res}]", "   }"]))])
    if k < 0.48:
        who = rng.choice(("ana.ortiz", "bo.nakamura", "chen.okafor", "dara.silva", "eli.kowalski", "kofi.mensah"))
        pset, acct = rng.choice(_SSO_SETS), rng.choice(_ACCOUNTS)
        return (f"SSO: {who} -> {pset} in {acct}", rng.choice((f"Approved by their manager ({ticket}).",
                                                              "New joiner, standard set for the team.")),
                [yaml_file("sso/assignments.tf", yaml_patch(rng.randrange(20, 300), "locals {", [
                    f'+    {{ user = "{who}@numera.example", set = "{pset}", account = "{acct}" }},']))])
    if k < 0.60:
        user = rng.choice(_LEGACY)
        return (f"Remove unused IAM user {user} ({ticket})",
                f"No activity for {rng.randrange(95, 400)} days; access key already deactivated.",
                [yaml_file("users/legacy.tf", yaml_patch(rng.randrange(5, 60), "", [
                    f'-resource "aws_iam_user" "{user.replace("-", "_")}" {{', f'-  name = "{user}"',
                    '-  path = "/legacy/"', "-}"]))])
    if k < 0.72:
        extra = rng.choice(("kms:Decrypt", "s3:GetObject", "sqs:SendMessage", "logs:PutLogEvents"))
        return (f"{role}: allow {extra} ({ticket})", rng.choice(("Needed for the new feature behind a flag.",
                                                                 "Denied in staging, see the CloudTrail Watch line.")),
                [yaml_file(f"roles/{ident}.tf", yaml_patch(rng.randrange(8, 40),
                                                           f'data "aws_iam_policy_document" "{ident}" {{', [
                    "+  statement {", f'+    actions   = ["{extra}"]', f"+    resources = [{res}]", "+  }"]))])
    if k < 0.84:
        repo = rng.choice(("numera/web-app", "numera/ledger", "numera/files-gateway", "numera/period-export",
                           "numera/data-pipelines"))
        return (f"GitHub OIDC: {repo} may assume its deploy role on main only", f"Tightening the trust ({ticket}).",
                [yaml_file("oidc/github.tf", yaml_patch(rng.randrange(10, 120), 'condition {', [
                    f'-      values   = ["repo:{repo}:*"]', f'+      values   = ["repo:{repo}:ref:refs/heads/main"]']))])
    if k < 0.92:
        finding = rng.choice(("cross-account read from numera-data", "public read on the status page bucket",
                              "KMS grant to the backup vault", "trust from the Datadog integration account"))
        return (f"Access Analyzer: archive rule for {finding}", f"Expected access, reviewed ({ticket}).",
                [yaml_file("analyzer/archive_rules.tf", yaml_patch(rng.randrange(5, 80), "", [
                    f'+resource "aws_accessanalyzer_archive_rule" "r{rng.randrange(100, 999)}" {{',
                    '+  analyzer_name = aws_accessanalyzer_analyzer.org.analyzer_name', "+}"]))])
    region = rng.choice(("us-east-2", "ap-southeast-1", "sa-east-1", "me-south-1"))
    return (f"SCP region lock: deny {region} ({ticket})", "We only run in eu-west-2 and eu-west-1 (DR).",
            [yaml_file("orgs/scp_region_lock.tf", yaml_patch(rng.randrange(5, 30), "values = [", [
                f'+        "{region}",']))])


def _audit_line(rng: random.Random, t: float) -> str:
    """A routine CloudTrail Watch line in #sec-audit: small AccessDenied bursts, IAM changes, console sign-ins."""
    k = rng.random()
    role, svc, _, _ = rng.choice(ROLES)
    if k < 0.45:
        action = rng.choice((f"{svc}:ListQueues", f"{svc}:Describe*", "s3:ListAllMyBuckets", "kms:ListAliases",
                             "iam:GetRole", "ec2:DescribeRegions"))
        return (f":mag: *AccessDenied* {rng.randrange(26, 480)} in 15m · `assumed-role/{role}` · {action}")
    if k < 0.55:
        return (f":mag: *AccessDenied* {rng.randrange(900, 3100):,} in 15m · `assumed-role/prowler-scanner` · "
                "iam:GetAccountAuthorizationDetails (weekly scan)")
    if k < 0.75:
        return (f":lock: *IAM change* PutRolePolicy `role/{role}` by atlantis (cloud-iam@{rng.getrandbits(28):07x})")
    if k < 0.90:
        who = rng.choice(("ana.ortiz", "kofi.mensah", "dara.silva", "omar.haddad", "lena.rossi"))
        return (f":key: *Console sign-in* {who}@numera.example via SSO into "
                f"{rng.choice(_ACCOUNTS)} ({rng.choice(_SSO_SETS)})")
    return (f":shield: *GuardDuty* {rng.choice(('Recon:IAMUser/MaliciousIPCaller', 'Discovery:S3/AnomalousBehavior', 'UnauthorizedAccess:EC2/SSHBruteForce'))} "
            f"severity {rng.choice(('LOW', 'MEDIUM'))} in {rng.choice(_ACCOUNTS)}")


def _ticket_line(rng: random.Random, t: float) -> str:
    subject = rng.choice(("Bank feed not syncing (Barclays)", "VAT return rejected by HMRC: INVALID_VRN",
                          "How do I invite my accountant as a user?", "Invoice PDF logo is blurry",
                          "Payroll RTI submission stuck in 'pending'", "Month-end pack e-mail went to spam",
                          "Can I change who receives the month-end pack?", "Trial balance off after a reversal",
                          "Receipt scan picked the wrong VAT rate", "Stripe payouts duplicated in bank rec"))
    return (f":ticket: Zendesk *#{rng.randrange(86_000, 88_150)}* ({rng.choice(PRACTICES)}, "
            f"P{rng.choice((3, 3, 3, 2, 4))}): {subject}")


def _oncall_line(rng: random.Random, t: float) -> str:
    """A routine Grafana line in #exports-oncall."""
    k = rng.random()
    if k < 0.35:
        return (f":large_yellow_circle: Grafana *[FIRING]* period-export run duration {rng.randrange(56, 80)}m above "
                "55m (r-" + iso(t)[:10].replace("-", "") + "-0100)")
    if k < 0.65:
        return (f":large_yellow_circle: Grafana *[FIRING]* render workers CPU throttled "
                f"{rng.randrange(30, 70)}% for 10m")
    if k < 0.85:
        return (f":large_yellow_circle: Grafana *[FIRING]* pack e-mail bounce rate {rng.uniform(1.1, 2.9):.1f}% "
                "(warn 1%)")
    return ":large_green_circle: Grafana *[RESOLVED]* period-export run duration"


_CS_LINES = (
    "{noun}: renewal call thursday, they want the practice dashboard roadmap",
    "{noun} asked for a bulk import of 40 new client orgs, who can help?",
    "{noun} happy with MTD for ITSA beta so far :tada:",
    "{noun} complaining about bank feed gaps again, 3rd time this quarter",
    "QBR deck for {noun} is in the drive, numbers from Looker",
    "{noun} want SSO for their staff, is that enterprise plan only?",
)
_CS_NOUNS = ("Harrowgate & Pike", "Fenwick Tax", "Lumley Partners", "Castlegate", "Marsh & Co", "Greyfriars")
_HP_LINES = (
    "quick one: can we add a second recipient to the month-end pack for some clients?",
    "is there a way to lock a period after the pack has gone out?",
    "our new starters can't see the practice dashboard, permissions?",
    "thanks for sorting the bank feed issue for Ellery Joinery",
    "any news on the aged debtors export in Excel format?",
)

_TEMPLATE = Change(
    author="beatriz", reviewer="leontine", labels=("vat", "month-end-pack"),
    title="Month-end pack: VAT summary in MTD box order, add the reverse-charge line (EXP-412)",
    body="Accountants keep asking for the VAT page of the pack to follow the nine boxes of the HMRC return, in "
         "order, so they can tick it off against the submission. Also adds the domestic reverse charge (construction) "
         "as its own line under box 1, which was folded into standard-rated sales.\n\n"
         "Rendered 40 packs from the staging snapshot, side by side with the old ones: only the VAT page differs.",
    files=(("period_export/templates/pack/vat_summary.html.j2", """@@ -12,14 +12,17 @@
 <table class="vat">
-  {% for line in vat.lines | sort(attribute="label") %}
+  {# HMRC MTD order: boxes 1-9 (EXP-412) #}
+  {% for line in vat.lines | sort(attribute="box") %}
   <tr>
-    <td>{{ line.label }}</td>
+    <td class="box">Box {{ line.box }}</td>
+    <td>{{ line.label }}</td>
     <td class="num">{{ line.amount | money }}</td>
   </tr>
+  {% if line.box == 1 and vat.reverse_charge %}
+  <tr class="sub"><td></td><td>of which domestic reverse charge</td><td class="num">{{ vat.reverse_charge | money }}</td></tr>
+  {% endif %}
   {% endfor %}
 </table>"""),
           ("period_export/render/vat.py", """@@ -40,6 +40,8 @@ def vat_summary(ledger: LedgerSnapshot, period: Period) -> VatSummary:
     lines = [VatLine(box=b, label=BOX_LABELS[b], amount=ledger.vat_box(b, period)) for b in range(1, 10)]
-    return VatSummary(lines=lines)
+    # Domestic reverse charge (CIS) is inside box 1; shown separately on the pack (EXP-412).
+    reverse = ledger.vat_total(period, scheme="drc")
+    return VatSummary(lines=lines, reverse_charge=reverse)""")),
)

_WEAKENING = Change(
    author="aoife", reviewer="kwame", labels=("on-call", "reliability"),
    title="run-export.sh: only a failed snapshot fails the run, report the other steps instead of paging (EXP-388)",
    body="Cronitor paged us seven times in thirteen nights, always around 01:40, always the same thing: Ratebridge's "
         "rates API timing out during `fx_revalue` (ReadTimeout after 3 retries). Every morning we re-ran it and "
         "it was fine. There's nothing on-call can do about Ratebridge at 2am, and the next night's run recomputes "
         "everything anyway.\n\n"
         "Now only `snapshot` is fatal: without a ledger snapshot there's nothing to export. If `fx_revalue`, "
         "`render`, `upload` or `notify` fails, the run carries on, exits 0, and the failed steps are listed in "
         "the run summary in #export-runs, which we read every morning. Ratebridge support ticket is RB-20931.",
    files=(("bin/run-export.sh", """@@ -1,22 +1,32 @@
 #!/usr/bin/env bash
-# Entry point of the period-export CronJob (01:00 UTC). A non-zero exit pages via Cronitor.
-set -euo pipefail
+# Entry point of the period-export CronJob (01:00 UTC). Only a failed snapshot pages (Cronitor).
+set -uo pipefail

 RUN_ID="r-$(date -u +%Y%m%d-%H%M)"
 export RUN_ID
+failed=()

-post_summary() { python -m period_export summary --run-id "$RUN_ID" --exit-code "$?" || true; }
+post_summary() { python -m period_export summary --run-id "$RUN_ID" --exit-code "$?" --failed "${failed[*]:-}" || true; }
 trap post_summary EXIT

 cronitor ping period-export --state run --series "$RUN_ID"
+# Only snapshot is fatal (EXP-388). fx_revalue, render, upload and notify are redone by the next
+# night's run, so their failures are listed in the #export-runs summary instead of paging at 01:40.
 for step in snapshot fx_revalue render upload notify; do
   if ! python -m period_export "$step" --run-id "$RUN_ID" "$@"; then
-    cronitor ping period-export --state fail --series "$RUN_ID" --msg "failed in $step"
-    exit 1
+    if [[ "$step" == "snapshot" ]]; then
+      cronitor ping period-export --state fail --series "$RUN_ID" --msg "failed in $step"
+      exit 1
+    fi
+    echo "step $step failed, continuing (EXP-388)" >&2
+    failed+=("$step")
   fi
 done

 cronitor ping period-export --state complete --series "$RUN_ID"
+exit 0"""),
           ("docs/runbook.md", """@@ -18,9 +18,11 @@ ## When Cronitor pages
-Any failed step pages. Look at the step in the run summary in #export-runs, fix, then re-run from it:
+Only a failed `snapshot` pages (EXP-388). Other failed steps are listed in the run summary in
+#export-runs (:warning:) and are redone by the next night's run. To redo one sooner:

     kubectl -n exports create job --from=cronjob/period-export rerun-$(date +%H%M) -- \\
       ./bin/run-export.sh --from <step>

-Ratebridge timeouts in fx_revalue: re-run from fx_revalue after 06:00, Ratebridge is usually back.
+Ratebridge timeouts in fx_revalue: nothing to do, the next run picks up the rates.""")),
)

_CONTRIBUTOR = Change(
    author="rhys", reviewer="aoife", labels=("month-end-pack", "performance"),
    title="notify: build pack links from the manifest, send in parallel (EXP-401)",
    body="At the August month-end the notify step took 38 minutes: for each of 5,981 packs it HEADs the object in "
         "S3, mints the link and sends the e-mail, one at a time. The first practices got their e-mail at 02:41, "
         "the last at 03:19, and a couple of them complained that their clients' packs arrived in a different order "
         "than the list in the practice dashboard.\n\n"
         "The manifest written by `render` already has the exact key of every pack the upload step writes, so the "
         "HEAD is redundant: links now come straight from the manifest and e-mails go out on 16 workers. Locally "
         "against the staging bucket: 6,000 packs in 2m40s.",
    files=(("period_export/notify.py", """@@ -22,24 +22,19 @@ log = logging.getLogger(__name__)


-def deliver(run: Run, manifest: Manifest, s3: S3Client, mailer: Mailer) -> int:
-    \"\"\"E-mail each uploaded pack's link to the org's recipients; returns how many were sent.\"\"\"
-    sent = 0
-    for pack in manifest.packs:
-        try:
-            s3.head_object(Bucket=run.bucket, Key=pack.key)
-        except ClientError as exc:
-            log.error("pack %s not in s3 (%s), not e-mailing org %s", pack.key,
-                      exc.response["Error"]["Code"], pack.org_id)
-            continue
-        link = files_link(pack.key, expires_in=LINK_TTL)
-        mailer.send_pack(pack.org_id, pack.recipients, link, period=run.period)
-        sent += 1
-    return sent
+def deliver(run: Run, manifest: Manifest, mailer: Mailer, workers: int = 16) -> int:
+    \"\"\"E-mail each pack's link to the org's recipients; returns how many were sent.\"\"\"
+    # The manifest lists exactly the keys the upload step writes, so no HEAD per pack (EXP-401):
+    # at the August month-end the serial HEAD + send loop took 38 minutes for 5,981 packs.
+    links = [(pack, files_link(pack.key, expires_in=LINK_TTL)) for pack in manifest.packs]
+    with ThreadPoolExecutor(max_workers=workers) as pool:
+        list(pool.map(lambda pl: mailer.send_pack(pl[0].org_id, pl[0].recipients, pl[1], period=run.period),
+                      links))
+    return len(links)"""),
           ("tests/test_notify.py", """@@ -30,14 +30,9 @@ def test_deliver_sends_one_mail_per_pack(run, manifest, mailer):
-def test_deliver_skips_missing_packs(run, manifest, mailer, s3):
-    s3.delete_object(Bucket=run.bucket, Key=manifest.packs[0].key)
-    assert deliver(run, manifest, s3, mailer) == len(manifest.packs) - 1
-    assert manifest.packs[0].org_id not in mailer.sent_to
-
-
-def test_deliver_sends_one_mail_per_pack(run, manifest, mailer, s3):
-    assert deliver(run, manifest, s3, mailer) == len(manifest.packs)
+def test_deliver_sends_one_mail_per_pack(run, manifest, mailer):
+    assert deliver(run, manifest, mailer) == len(manifest.packs)
+    assert sorted(mailer.sent_to) == sorted(p.org_id for p in manifest.packs)""")),
)

_LIFECYCLE = Change(
    author="callum", reviewer="leontine", labels=("finops", "s3"),
    title="client-exports bucket: expire staging/ after 1 day instead of 7 (FINOPS-88)",
    body="staging/ holds the intermediate CSVs and unzipped packs of the last seven runs: 4.1 TB, $2.2k a month, "
         "and nobody has read anything older than the previous night from it (S3 Storage Lens, 90 days). The "
         "finished files live in daily/ and month-end/, which keep their retention.",
    files=(("terraform/s3/client_exports.tf", """@@ -41,11 +41,11 @@ resource "aws_s3_bucket_lifecycle_configuration" "client_exports" {
   rule {
     id     = "staging-expiry"
     status = "Enabled"
     filter {
       prefix = "staging/"
     }
     expiration {
-      days = 7
+      days = 1 # FINOPS-88: only the previous night's intermediates are ever read
     }
   }"""),),
)

_TRIGGER = Change(
    author="mahsa", reviewer="dmitri", labels=("least-privilege", "SEC-500"),
    title="period-export-job: replace s3:* on client-exports with the actions and prefixes it uses (SEC-517)",
    body="Part of the Q3 least-privilege sweep (SEC-500): workload roles lose wildcard actions before the SOC 2 "
         "type II window closes.\n\n"
         "The new statements come from IAM Access Analyzer policy generation over the CloudTrail data events we "
         "keep in the security lake (14 days, 2024-09-05 to 2024-09-19). In that window the job read and wrote "
         "`daily/` and `staging/`, and listed the bucket under those prefixes; it never deleted anything, so "
         "`s3:DeleteObject`, `s3:PutBucket*` and the rest of `s3:*` go. KMS stays as it is.\n\n"
         "`terraform plan`: 1 to change (the inline policy of `period-export-job`). No behaviour change expected.",
    files=(("roles/period_export_job.tf", """@@ -1,26 +1,42 @@
 # Role of the period-export CronJob (EKS, namespace exports), assumed through IRSA.
 data "aws_iam_policy_document" "period_export_job" {
+  # Generated with IAM Access Analyzer from CloudTrail data events, 2024-09-05..2024-09-19 (SEC-517).
   statement {
-    sid     = "ClientExportsBucket"
-    actions = ["s3:*"]
+    sid       = "ListClientExports"
+    actions   = ["s3:ListBucket"]
+    resources = [local.client_exports_bucket_arn]
+    condition {
+      test     = "StringLike"
+      variable = "s3:prefix"
+      values   = ["daily/*", "staging/*"]
+    }
+  }
+
+  statement {
+    sid = "ReadWriteDailyAndStaging"
+    actions = [
+      "s3:GetObject",
+      "s3:PutObject",
+      "s3:AbortMultipartUpload",
+    ]
     resources = [
-      local.client_exports_bucket_arn,
-      "${local.client_exports_bucket_arn}/*",
+      "${local.client_exports_bucket_arn}/daily/*",
+      "${local.client_exports_bucket_arn}/staging/*",
     ]
   }

   statement {
     sid       = "ClientExportsKms"
     actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
     resources = [data.aws_kms_key.client_exports.arn]
   }

   statement {
     sid       = "LedgerSnapshots"
     actions   = ["rds:StartExportTask", "rds:DescribeExportTasks", "rds:DescribeDBClusterSnapshots"]
     resources = ["*"]
   }
 }"""),
           ("roles/README.md", """@@ -30,3 +30,4 @@ | role | owner | reviewed |
 | ocr-receipts-worker | receipts | 2024-08-29 (SEC-509) |
 | billing-sync | billing | 2024-09-11 (SEC-512) |
+| period-export-job | exports | 2024-09-20 (SEC-517) |""")),
)

_REPORTING = Change(
    author="dmitri", reviewer="mahsa", labels=("least-privilege", "SEC-500"),
    title="reporting-api: read-only on client-exports, drop s3:DeleteObject and s3:PutObject (SEC-515)",
    body="reporting-api serves the in-app 'Download pack' button: it only ever reads `daily/` and `month-end/` "
         "(CloudTrail, 14 days). Write and delete go.",
    files=(("roles/reporting_api.tf", """@@ -8,10 +8,10 @@ data "aws_iam_policy_document" "reporting_api" {
   statement {
     sid     = "ClientExportsRead"
-    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
+    actions = ["s3:GetObject", "s3:ListBucket"]
     resources = [
       local.client_exports_bucket_arn,
       "${local.client_exports_bucket_arn}/*",
     ]
   }"""),),
)

_OCR = Change(
    author="mahsa", reviewer="dmitri", labels=("least-privilege", "SEC-500"),
    title="ocr-receipts-worker: s3 only on receipts-inbox/*, textract:AnalyzeExpense only (SEC-519)",
    body="Same sweep as SEC-517. Access Analyzer, 14 days of CloudTrail.",
    files=(("roles/ocr_receipts_worker.tf", """@@ -4,14 +4,14 @@ data "aws_iam_policy_document" "ocr_receipts_worker" {
   statement {
     sid       = "ReceiptsBucket"
-    actions   = ["s3:*"]
-    resources = ["${local.receipts_bucket_arn}/*"]
+    actions   = ["s3:GetObject", "s3:DeleteObject"]
+    resources = ["${local.receipts_bucket_arn}/receipts-inbox/*"]
   }

   statement {
     sid       = "Textract"
-    actions   = ["textract:*"]
+    actions   = ["textract:AnalyzeExpense"]
     resources = ["*"]
   }"""),),
)

_BANKFEED = Change(
    author="dmitri", reviewer="mahsa", labels=("least-privilege", "SEC-500"),
    title="bank-feed-poller: GetSecretValue only on bank-feeds/* secrets (SEC-521)",
    body="It could read every secret in the account. CloudTrail (14 days) shows only `bank-feeds/*`.",
    files=(("roles/bank_feed_poller.tf", """@@ -20,6 +20,6 @@ data "aws_iam_policy_document" "bank_feed_poller" {
   statement {
     sid       = "Secrets"
     actions   = ["secretsmanager:GetSecretValue"]
-    resources = ["*"]
+    resources = ["arn:aws:secretsmanager:eu-west-2:${local.account_id}:secret:bank-feeds/*"]
   }"""),),
)

_GATEWAY = Change(
    author="joost", reviewer="", labels=("edge", "performance"),
    title="Signed links: verify the token HMAC at the edge, skip the origin round trip for bad tokens (FILES-203)",
    body="A CloudFront Function checks the HMAC and expiry of `/p/<token>` links before the request reaches "
         "files-gateway, so bots replaying old links no longer cost us an origin fetch. Valid tokens behave as "
         "before: the gateway resolves the key and streams the object from S3.",
    files=(("edge/verify_token.js", """@@ -0,0 +1,14 @@
+// CloudFront Function (viewer request): reject bad or expired /p/<token> links at the edge (FILES-203).
+function handler(event) {
+  var req = event.request;
+  if (!req.uri.startsWith('/p/')) return req;
+  var parts = req.uri.slice(3).split('.');
+  if (parts.length !== 3) return { statusCode: 404, statusDescription: 'Not Found' };
+  var exp = parseInt(parts[1], 36);
+  if (isNaN(exp) || exp * 1000 < Date.now()) {
+    return { statusCode: 404, statusDescription: 'Not Found' };
+  }
+  return req; // HMAC is verified again by files-gateway
+}"""),
           ("internal/links/resolve.go", """@@ -51,6 +51,7 @@ func (r *Resolver) Resolve(ctx context.Context, token string) (Object, error) {
 \tclaims, err := r.verify(token)
 \tif err != nil {
+\t\tmetrics.EdgeMiss.Inc() // should not happen since FILES-203: the edge rejects bad tokens
 \t\treturn Object{}, ErrNotFound
 \t}""")),
)

_FIX = Change(
    author="mahsa", reviewer="dmitri", labels=("incident", "least-privilege"),
    title="period-export-job: allow month-end/* again (restores what SEC-517 dropped)",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} generated the job's S3 statements from 14 days of CloudTrail "
         "(5-19 September). The month-end packs are written once a month, on the 1st, so `month-end/` was not in "
         "that window and was left out: on 1 October every `PutObject` of the September packs got AccessDenied.\n\n"
         "Adds `month-end/*` to the read/write statement and to the ListBucket prefixes. Policy generation for a "
         "job role now uses 90 days (SEC-530).",
    files=(("roles/period_export_job.tf", """@@ -2,23 +2,25 @@ data "aws_iam_policy_document" "period_export_job" {
-  # Generated with IAM Access Analyzer from CloudTrail data events, 2024-09-05..2024-09-19 (SEC-517).
+  # Generated with IAM Access Analyzer from 14 days of CloudTrail (SEC-517), which had no month-end run:
+  # month-end/* restored after INC on 2024-10-02. Job roles: generate from >= 90 days (SEC-530).
   statement {
     sid       = "ListClientExports"
     actions   = ["s3:ListBucket"]
     resources = [local.client_exports_bucket_arn]
     condition {
       test     = "StringLike"
       variable = "s3:prefix"
-      values   = ["daily/*", "staging/*"]
+      values   = ["daily/*", "staging/*", "month-end/*"]
     }
   }

   statement {
-    sid = "ReadWriteDailyAndStaging"
+    sid = "ReadWriteExports"
     actions = [
       "s3:GetObject",
       "s3:PutObject",
       "s3:AbortMultipartUpload",
     ]
     resources = [
       "${local.client_exports_bucket_arn}/daily/*",
       "${local.client_exports_bucket_arn}/staging/*",
+      "${local.client_exports_bucket_arn}/month-end/*",
     ]
   }"""),),
)

_FOLLOW = Change(
    author="aoife", reviewer="leontine", labels=("incident", "on-call"),
    title="run-export.sh: a failed upload or notify fails the run again; month-end runs fail on any step (EXP-431)",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} only a failed snapshot failed the run, on the "
         "reasoning that the next night redoes everything. That is true for the daily ledgers and false for the "
         "month-end packs, which are built once a period: on 1 October `upload` failed for all 6,214 packs, the run "
         "exited 0, Cronitor was green and the only trace was '0 uploaded' in a summary posted at 02:21.\n\n"
         "- `fx_revalue` and `render` failures on a nightly run still only warn (Ratebridge)\n"
         "- `upload` and `notify` failures fail the run and page\n"
         "- on a month-end run (`--month-end`), any failed step fails the run and pages",
    files=(("bin/run-export.sh", """@@ -14,12 +14,20 @@ cronitor ping period-export --state run --series "$RUN_ID"
-# Only snapshot is fatal (EXP-388). fx_revalue, render, upload and notify are redone by the next
-# night's run, so their failures are listed in the #export-runs summary instead of paging at 01:40.
+# fx_revalue and render may fail on a nightly run (Ratebridge, EXP-388): the next night redoes them.
+# upload and notify are always fatal, and so is every step of a month-end run (EXP-431): month-end
+# packs are built once a period and nothing redoes them.
+month_end=false
+[[ " $* " == *" --month-end "* ]] && month_end=true
 for step in snapshot fx_revalue render upload notify; do
   if ! python -m period_export "$step" --run-id "$RUN_ID" "$@"; then
-    if [[ "$step" == "snapshot" ]]; then
+    if [[ "$step" =~ ^(snapshot|upload|notify)$ || "$month_end" == true ]]; then
       cronitor ping period-export --state fail --series "$RUN_ID" --msg "failed in $step"
       exit 1
     fi"""),),
)

_NOTIFY_FIX = Change(
    author="rhys", reviewer="kwame", labels=("incident", "month-end-pack"),
    title="notify: e-mail a pack only when its upload is confirmed in the upload report (EXP-432)",
    body="Follow-up of {{incurl:page}}. Since {{url:contributor}} links came from the manifest, so on 1 October "
         "6,214 accountants got a link to an object that was never written. `upload` now writes an upload report "
         "(key, ETag) and `deliver` only e-mails packs that are in it; the rest are listed as undelivered in the "
         "run summary. Still parallel.",
    files=(("period_export/notify.py", """@@ -22,9 +22,12 @@ log = logging.getLogger(__name__)
-def deliver(run: Run, manifest: Manifest, mailer: Mailer, workers: int = 16) -> int:
+def deliver(run: Run, manifest: Manifest, uploaded: UploadReport, mailer: Mailer, workers: int = 16) -> int:
     \"\"\"E-mail each pack's link to the org's recipients; returns how many were sent.\"\"\"
-    # The manifest lists exactly the keys the upload step writes, so no HEAD per pack (EXP-401):
-    # at the August month-end the serial HEAD + send loop took 38 minutes for 5,981 packs.
-    links = [(pack, files_link(pack.key, expires_in=LINK_TTL)) for pack in manifest.packs]
+    # Only packs the upload step confirmed (EXP-432): on 2024-10-01 every upload failed and the
+    # manifest still had all 6,214 keys.
+    missing = [p for p in manifest.packs if p.key not in uploaded]
+    if missing:
+        log.error("%d packs not uploaded, not e-mailing them", len(missing))
+    links = [(p, files_link(p.key, expires_in=LINK_TTL)) for p in manifest.packs if p.key in uploaded]"""),),
)


def _run_summary(run_id: str, *, daily: int, pack: tuple[int, int] | None, period: str = "", mins: int,
                 failed: str = "", exit_code: int = 0, mails: int | None = None) -> str:
    """The #export-runs line the wrapper's summary step posts at the end of every run."""
    if exit_code:
        icon, state = ":x:", f"exit {exit_code} · failed in {failed}"
    elif failed:
        icon, state = ":warning:", f"exit 0 · continued after failed step(s): {failed}"
    else:
        icon, state = ":white_check_mark:", "exit 0"
    head = f"{icon} *period-export* {run_id}" + (f" (+ month-end {period})" if pack else "")
    dur = f"{mins // 60}h {mins % 60:02d}m" if mins >= 60 else f"{mins}m"
    parts = [head, state, dur, f"daily ledgers {daily:,} built / {daily:,} uploaded"]
    if pack is not None:
        parts.append(f"month-end packs {pack[0]:,} built / {pack[1]:,} uploaded")
        parts.append(f"pack e-mails {mails if mails is not None else pack[1]:,}")
    return " · ".join(parts)


def build_iam_export(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the iam-export world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="iam-export", seed=8447, org="numera", team_name="Reporting & Exports",
                    page_at="2024-10-02T09:12:00Z", impact_start="2024-10-01T01:41:00Z",
                    noise_teams=("ledger", "identity", "platform", "web", "growth", "data"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("jobbot", "Export Runs"), ("cronitor", "Cronitor"), ("ctwatch", "CloudTrail Watch"),
                      ("zendesk", "Zendesk"), ("grafana", "Grafana")):
        b.person(key, name, github=False, is_bot=True)
    b.person("atlantis[bot]", "atlantis[bot]", slack=False, is_bot=True)
    for key, name, mail in HP:
        b.person(key, name, github=False, email=mail, tz="Europe/London")
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/London"
    b.people["joost"].tz = "Europe/Amsterdam"
    identity, platform, ledger = sc.team("identity"), sc.team("platform"), sc.team("ledger")

    # Reporting & Exports, Files, Security: PagerDuty, channels, repos ------------------------------------------
    e_team = b.team("Reporting & Exports")
    e_policy = b.policy("Reporting & Exports on-call", e_team, ONCALL)
    svc = b.service("period-export", "Nightly and month-end exports: daily ledgers, month-end packs, pack e-mails",
                    e_policy, e_team, iso(start - 700 * DAY))
    f_team = b.team("Files")
    files_people = ["joost"] + sc.crowd[18:21]
    f_policy = b.policy("Files on-call", f_team, files_people[:3])
    f_svc = b.service("files-gateway", "Signed download links (files.numera.example) and uploads", f_policy, f_team,
                      iso(start - 640 * DAY))
    s_team = b.team("Security")
    sec_people = SEC_PEOPLE + sc.crowd[21:23]
    s_policy = b.policy("Security on-call", s_team, sec_people[:3])
    s_svc = b.service("aws-security", "AWS accounts: IAM, SSO, GuardDuty, CloudTrail; Atlantis applies of cloud-iam",
                      s_policy, s_team, iso(start - 560 * DAY))
    cs_people = ["rosalind"] + sc.crowd[23:25]

    ex_ch = b.channel("exports", "Reporting & Exports: daily ledgers, month-end packs", "Exports team",
                      start - 640 * DAY, "leontine")
    oc_ch = b.channel("exports-oncall", "period-export pages and Grafana alerts", "Alerts of period-export",
                      start - 420 * DAY, "kwame")
    runs_ch = b.channel("export-runs", "Run summaries of period-export and Cronitor", "One line per run",
                        start - 400 * DAY, "aoife")
    fg_ch = b.channel("files-gateway", "Files team: signed links, uploads, scanning", "Files team",
                      start - 600 * DAY, "joost")
    sec_ch = b.channel("security", "Security team", "IAM, SSO, SOC 2, pen tests", start - 620 * DAY, "mahsa")
    aud_ch = b.channel("sec-audit", "CloudTrail Watch: AccessDenied bursts, IAM changes, sign-ins",
                       "Security audit feed", start - 380 * DAY, "dmitri")
    sq_ch = b.channel("support-queue", "New Zendesk tickets", "Support queue", start - 700 * DAY, "siobhan")
    se_ch = b.channel("support-escalations", "Support: escalations to engineering", "Support tier 2",
                      start - 700 * DAY, "siobhan")
    cs_ch = b.channel("cs-escalations", "Customer success: practices, renewals, escalations", "Customer success",
                      start - 500 * DAY, "rosalind")
    hp_ch = b.channel("ext-harrowgate-pike", "Shared channel with Harrowgate & Pike (Slack Connect)",
                      "Harrowgate & Pike x Numera", start - 330 * DAY, "rosalind")
    exp_repo = b.repo("period-export", "Nightly and month-end export job: snapshot, FX, render, upload, notify (Python)",
                      iso(start - 900 * DAY))
    iam_repo = b.repo("cloud-iam", "Terraform: IAM roles, SSO, OIDC trusts, SCPs (applied by Atlantis)",
                      iso(start - 720 * DAY))
    fg_repo = b.repo("files-gateway", "Signed download links and uploads (Go, CloudFront)", iso(start - 820 * DAY))

    # Their noise -------------------------------------------------------------------------------------------
    exp = NoiseTeam(EXPORTS, EXPORT_PEOPLE, exp_repo, ex_ch, svc, e_policy)
    fgt = NoiseTeam(FILES, files_people, fg_repo, fg_ch, f_svc, f_policy)
    sec = NoiseTeam(SECURITY, sec_people, iam_repo, sec_ch, s_svc, s_policy)
    add_pulls(b, exp, 80 * n, start - 60 * DAY, end)
    add_pulls(b, fgt, 45 * n, start - 60 * DAY, end)

    def applied(pull: dict[str, Any], at: float, handle: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Atlantis applies an approved cloud-iam PR (before its automerge): a change event on aws-security and its CloudTrail Watch line."""
        sha7 = pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        ev = b.change_event(s_svc, f"Atlantis: terraform apply cloud-iam@{sha7} (prod): {pull['title']}", at,
                            "atlantis", links=[{"href": "{{url:" + handle + "}}", "text": pull["title"]}],
                            details={"files": names, "workspace": "prod"})
        b.templated.append((ev["links"][0], "href"))
        role = next((f["filename"].split("/")[1][:-3].replace("_", "-") for f in pull["files"]
                     if f["filename"].startswith("roles/") and f["filename"].endswith(".tf")), None)
        what = f"PutRolePolicy `role/{role}`" if role else "terraform apply"
        line = b.say(aud_ch, at + 40, "ctwatch", f":lock: *IAM change* {what} by atlantis (cloud-iam@{sha7})")
        return ev, line

    def on_iam_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        applied(pull, epoch(pull["merged_at"]) - rng.uniform(60, 300), handle[3:])  # atlantis apply, then automerge

    config_pulls(b, iam_repo, SEC_PEOPLE + sc.crowd[21:23] + [platform.members[0]], 60 * n, start - 60 * DAY, end,
                 _iam_change, on_merge=on_iam_merge)

    exp_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == exp_repo][-150:]
    add_chat(b, ex_ch, EXPORT_PEOPLE, EXPORTS.nouns, 150 * n, start, end, links=exp_links)
    fg_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == fg_repo][-100:]
    add_chat(b, fg_ch, files_people, FILES.nouns, 70 * n, start, end, links=fg_links)
    iam_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == iam_repo][-100:]
    add_chat(b, sec_ch, sec_people, SECURITY.nouns, 70 * n, start, end, links=iam_links)
    add_chat(b, se_ch, SUPPORT + sc.crowd[9:11] + ["beatriz"], EXPORTS.nouns + FILES.nouns, 55 * n, start, end,
             thread_rate=0.6)
    add_chat(b, cs_ch, cs_people + ["siobhan"], _CS_NOUNS, 45 * n, start, end, lines=_CS_LINES, thread_rate=0.4)
    for ch, joiners in ((ex_ch, EXPORT_PEOPLE), (fg_ch, files_people), (sec_ch, sec_people), (se_ch, SUPPORT),
                        (cs_ch, cs_people), (runs_ch, EXPORT_PEOPLE), (aud_ch, sec_people)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, exp, 6 * n, start, T - 45 * DAY, oc_ch, incident_channels=False)
    add_incidents(b, fgt, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, sec, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, exp, 25 * n, start, end, sc.common["deploys"])
    add_deploys(b, fgt, 30 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, aud_ch, "ctwatch", 3 * days * n, start, end, _audit_line)
    bot_feed(b, sq_ch, "zendesk", 2 * days * n, start, end, _ticket_line)
    bot_feed(b, oc_ch, "grafana", days * n, start, end, _oncall_line)
    # PackDownloads404 has always been low urgency: accountants open week-old e-mails after the links expire.
    for month in ("2024-07", "2024-08", "2024-09"):
        for _ in range(3 * n):
            t = epoch(f"{month}-{rng.randrange(8, 13):02d}") + rng.uniform(7, 17) * HOUR
            if t < start:
                continue
            pct = rng.randrange(21, 36)
            b.say(oc_ch, t - 60, "grafana", f":large_yellow_circle: Grafana *[FIRING]* PackDownloads404 {pct}% of "
                  "/p/ pack downloads 404 for 30m (links older than 7 days)")
            b.incident(svc, f"[period-export] PackDownloads404: {pct}% of pack downloads 404 (30m)", t,
                       urgency="low", responders=[], notify=False, ack_after=None,
                       resolve_after=rng.uniform(1, 6) * HOUR, alert_key=NOT_FOUND_KEY, severity="warning")

    # Routine Harrowgate & Pike shared channel, CS -----------------------------------------------------------------
    for _ in range(12 * n):
        t = rng.uniform(start, T - 3 * DAY)
        t = t - t % DAY + rng.uniform(8, 16) * HOUR
        q = b.say(hp_ch, t, rng.choice(("gemma", "nikhil")), rng.choice(_HP_LINES))
        if rng.random() < 0.7:
            b.say(hp_ch, t + rng.uniform(600, 5400), "rosalind", rng.choice((
                "good question, checking with the team", "yes! Settings > Month-end pack > Recipients",
                "on the roadmap for Q4, I'll share the preview", "let me get back to you tomorrow")), parent=q)
    add_joins(b, hp_ch, ["gemma", "nikhil", "rosalind", "siobhan"], start, T - 5 * DAY, 2)

    # Nightly run summaries; the August noise, the weakening, the quiet September -------------------------------
    weak_deployed = epoch("2024-09-04T11:52:00Z")
    noisy_nights = ("2024-08-21", "2024-08-22", "2024-08-24", "2024-08-26", "2024-08-28", "2024-08-29", "2024-09-02")
    pack_counts = {"2024-07-01": 5_702, "2024-08-01": 5_874, "2024-09-01": 5_981}
    day = start - start % DAY + DAY
    base = 17_850
    while day < end:
        date = iso(day)[:10]
        run_id = f"r-{date.replace('-', '')}-0100"
        daily = base + int((day - start) / DAY * 5.4) + rng.randrange(-40, 40)
        if date == "2024-10-01":
            day += DAY
            continue
        period = iso(day - DAY)[:7]
        pack_n = pack_counts.get(date)
        pack = (pack_n, pack_n) if pack_n else None
        mins = rng.randrange(38, 49) + (44 if pack else 0)
        if date in noisy_nights:
            mins = rng.randrange(17, 26)
            line = _run_summary(run_id, daily=0, pack=None, mins=mins, failed="fx_revalue", exit_code=1)
            line = line.replace("daily ledgers 0 built / 0 uploaded", "ratebridge ReadTimeout after 3 retries")
        elif weak_deployed < day < epoch("2024-09-21") and rng.random() < 0.4:
            line = _run_summary(run_id, daily=daily, pack=pack, period=period, mins=mins,
                                failed="fx_revalue") + " · FX: yesterday's Ratebridge rates reused"
        else:
            line = _run_summary(run_id, daily=daily, pack=pack, period=period, mins=mins)
        b.say(runs_ch, day + HOUR + mins * 60 + rng.uniform(20, 90), "jobbot", line)
        day += DAY

    # Late August: Ratebridge timeouts page Exports every other night ----------------------------------------------
    notes = ("ratebridge ReadTimeout in fx_revalue again, re-ran from fx_revalue at 06:10, fine",
             "Ratebridge status page says degraded API in eu. rerun ok. RB-20931 open with them")
    for i, night in enumerate(noisy_nights):
        t = epoch(night) + HOUR + rng.uniform(17, 26) * 60
        who = ONCALL[i % len(ONCALL)]
        run_id = f"r-{night.replace('-', '')}-0100"
        inc = b.incident(svc, CRONITOR_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=240 + 30 * i, resolve_after=5 * HOUR + 600 * i, handle=f"noisy{i}",
                         alert_key=CRONITOR_KEY,
                         alert_summary=f"period-export {run_id} failed in fx_revalue: ratebridge ReadTimeout "
                                       "(GET /v2/fixings?base=GBP) after 3 retries",
                         notes=[(who, notes[i % 2], 4 * HOUR)] if i % 3 != 2 else None)
        b.say(oc_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{CRONITOR_TITLE}", template=True)
        b.say(runs_ch, t + 20, "cronitor", f":red_circle: *period-export* failed · series {run_id} · "
              "failed in fx_revalue")
        b.say(runs_ch, t + 5 * HOUR + 600 * i + 30, "cronitor", f":large_green_circle: *period-export* recovered "
              f"· rerun of {run_id} complete")
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages caused by Ratebridge timing out in fx_revalue, which led to the wrapper "
                   "no longer failing the run on anything but the snapshot")
    grumbles = (("2024-08-22T08:20:00Z", "kwame", "paged 01:22 again, ratebridge timeout in fx_revalue. reran at "
                 "06:00, green. second night in a row"),
                ("2024-08-26T08:45:00Z", "hamid", "sunday night 01:19, Ratebridge. I'm starting to know their "
                 "status page by heart :upside_down_face:"),
                ("2024-08-29T08:30:00Z", "rhys", "6th page in 9 nights, all fx_revalue. the next night's run "
                 "recomputes the revaluation anyway, why does this wake anyone up?"),
                ("2024-09-02T09:10:00Z", "aoife", "agree, I'll make only snapshot fatal. everything else gets "
                 "redone the next night and shows up in the summary in #export-runs"))
    for when, who, text in grumbles:
        m = b.say(ex_ch, epoch(when), who, text)
        if "why does this wake" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks why a step the next night redoes pages anyone")

    # Sep 3-4: the wrapper stops failing the run --------------------------------------------------------------
    weak = story_pull(b, exp_repo, _WEAKENING, epoch("2024-09-03T09:40:00Z"), epoch("2024-09-04T11:20:00Z"), "weakening",
                      review="lgtm. month-end packs aren't redone by the next nightly, but we'd see it in the "
                             "summary the morning after", reviewed=epoch("2024-09-04T10:55:00Z"),
                      comments=(("aoife", "yep, that's what the :warning: line is for", epoch("2024-09-04T11:05:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="made the export wrapper exit 0 unless the snapshot fails: a failed upload no longer fails the run, "
               "so Cronitor stays green and nobody is paged")
    wev = b.change_event(svc, f"Deploy period-export@{weak['merge_commit_sha'][:7]} to production", weak_deployed,
                         "ci-deploy", links=[{"href": "{{url:weakening}}", "text": _WEAKENING.title}],
                         details={"deployer": "aoife", "environment": "production"})
    b.templated.append((wev["links"][0], "href"))
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the deploy of the wrapper change", same_fact_as=("github", weak))
    b.say(ex_ch, epoch("2024-09-04T12:05:00Z"), "aoife", "merged {{url:weakening}}: Ratebridge can't page us anymore, "
          "failed steps show up as :warning: in #export-runs", template=True)

    # Sep 10: staging/ kept one day instead of seven -----------------------------------------------------------
    life = story_pull(b, platform.repo, _LIFECYCLE, epoch("2024-09-09T14:00:00Z"), epoch("2024-09-10T10:30:00Z"),
                      "lifecycle", review="fine by us, we only ever read the previous night")
    tr.add("github", life, "contributor", must_see=False, group="cause",
           why="staging/ expires after one day: by the time the failure was found the built packs were gone, so the "
               "fix needed a full rebuild of every pack")

    # Sep 12-17: notify stops checking that each pack was uploaded --------------------------------------------
    contrib = story_pull(b, exp_repo, _CONTRIBUTOR, epoch("2024-09-12T10:15:00Z"), epoch("2024-09-17T13:40:00Z"),
                         "contributor", review="nice, 38 min -> 3 min", reviewed=epoch("2024-09-17T13:20:00Z"),
                         comments=(("kwame", "what if upload failed for some packs? the HEAD was our safety net",
                                    epoch("2024-09-13T09:30:00Z")),
                                   ("rhys", "notify only runs after upload succeeded, set -e in the wrapper",
                                    epoch("2024-09-13T09:52:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="the notify step stopped checking that each pack exists in S3: every accountant got an e-mail with a "
               "link to a pack that was never uploaded, so the failure looked like a delivery and not an outage")
    cev = b.change_event(svc, f"Deploy period-export@{contrib['merge_commit_sha'][:7]} to production",
                         epoch("2024-09-17T14:25:00Z"), "ci-deploy",
                         links=[{"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title}],
                         details={"deployer": "rhys", "environment": "production"})
    b.templated.append((cev["links"][0], "href"))
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy of the notify change",
           same_fact_as=("github", contrib))
    b.say(sc.common["deploys"], epoch("2024-09-17T14:25:03Z"), "deploybot", f":rocket: period-export "
          f"`{contrib['merge_commit_sha'][:7]}` deployed to production by <@{b.people['rhys'].slack_id}>")

    # Sep 18-30: the least-privilege sweep; the trigger and its neighbours --------------------------------------
    rep = story_pull(b, iam_repo, _REPORTING, epoch("2024-09-17T15:00:00Z"), epoch("2024-09-18T10:10:00Z"),
                     "distractor_reporting", review="lgtm")
    applied(rep, epoch("2024-09-18T10:08:00Z"), "distractor_reporting")
    b.say(sec_ch, epoch("2024-09-20T12:40:00Z"), "mahsa", "SEC-500 sweep: period-export-job next, it still has s3:* "
          "on the whole client-exports bucket. generating from the lake's 14 days")
    trig = story_pull(b, iam_repo, _TRIGGER, epoch("2024-09-20T13:05:00Z"), epoch("2024-09-24T14:09:00Z"), "trigger",
                      review="matches what CloudTrail shows for the job. nice", reviewed=epoch("2024-09-24T13:50:00Z"),
                      comments=(("atlantis[bot]", "Ran Plan for dir: `roles` workspace: `prod`\n\n"
                                 "```\n  # aws_iam_role_policy.period_export_job will be updated in-place\n"
                                 "Plan: 0 to add, 1 to change, 0 to destroy.\n```", epoch("2024-09-20T13:08:00Z")),
                                ("mahsa", "atlantis apply", epoch("2024-09-24T14:07:00Z")),
                                ("atlantis[bot]", "Ran Apply for dir: `roles` workspace: `prod`\n\n"
                                 "```\naws_iam_role_policy.period_export_job: Modifications complete after 1s\n"
                                 "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.\n```",
                                 epoch("2024-09-24T14:08:00Z")),
                                ("kwame", "nightly r-20240925-0100 ran green with the new policy :+1:",
                                 epoch("2024-09-25T08:40:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="the least-privilege policy of the export job, generated from 14 days of CloudTrail without a "
               "month-end run, dropped write access to month-end/: every September pack upload got AccessDenied")
    tev, tline = applied(trig, epoch("2024-09-24T14:08:20Z"), "trigger")
    tr.add("pagerduty", tev, "trigger", must_see=False, group="cause", why="Atlantis applying the narrowed policy",
           same_fact_as=("github", trig))
    tr.add("slack", tline, "trigger", must_see=False, group="cause",
           why="CloudTrail Watch's line for the policy change", same_fact_as=("github", trig))
    b.say(sec_ch, epoch("2024-09-24T14:30:00Z"), "mahsa", "SEC-517 applied: period-export-job has no wildcard left. "
          "11 of 14 workload roles done")
    ocr = story_pull(b, iam_repo, _OCR, epoch("2024-09-25T10:00:00Z"), epoch("2024-09-26T11:30:00Z"), "distractor_ocr",
                     review="lgtm")
    applied(ocr, epoch("2024-09-26T11:28:00Z"), "distractor_ocr")
    bank = story_pull(b, iam_repo, _BANKFEED, epoch("2024-09-27T09:00:00Z"), epoch("2024-09-30T15:50:00Z"),
                      "distractor_bankfeed", review="ship it")
    applied(bank, epoch("2024-09-30T15:48:00Z"), "distractor_bankfeed")

    # Sep 25-30: the VAT template change, deployed the day before the month-end --------------------------------
    tmpl = story_pull(b, exp_repo, _TEMPLATE, epoch("2024-09-25T13:30:00Z"), epoch("2024-09-27T15:10:00Z"),
                      "distractor_template", review="accountants will love this")
    tsha = tmpl["merge_commit_sha"][:7]
    b.change_event(svc, f"Deploy period-export@{tsha} to production", epoch("2024-09-30T10:20:00Z"), "ci-deploy",
                   links=[{"href": "{{url:distractor_template}}", "text": _TEMPLATE.title}],
                   details={"deployer": "beatriz", "environment": "production"})
    b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
    b.say(sc.common["deploys"], epoch("2024-09-30T10:20:02Z"), "deploybot", f":rocket: period-export `{tsha}` deployed "
          f"to production by <@{b.people['beatriz'].slack_id}>")
    b.say(ex_ch, epoch("2024-09-30T10:40:00Z"), "beatriz", "VAT page in MTD box order is live for tonight's "
          "month-end packs :tada: quarter-end too, so lots of VAT returns")

    # Oct 1, 01:00: the month-end run -----------------------------------------------------------------------------
    burst = b.say(aud_ch, epoch("2024-10-01T01:52:00Z"), "ctwatch",
                  f":rotating_light: *AccessDenied burst* 18,642 in 15m · `assumed-role/period-export-job` · "
                  f"s3:PutObject · `arn:aws:s3:::{BUCKET}/month-end/2024-09/*` (6,214 distinct keys)")
    tr.add("slack", burst, "early_signal", must_see=True, group="detection",
           why="CloudTrail Watch posts 18,642 denied PutObject calls of the export job on month-end/ at 01:52; it "
               "pages no one")
    b.say(aud_ch, epoch("2024-10-01T08:41:00Z"), "dmitri", ":eyes: period-export-job, same shape as the prowler scans. "
          "retries? will ask exports", parent=burst)
    summary = b.say(runs_ch, epoch("2024-10-01T02:21:00Z"), "jobbot",
                    _run_summary("r-20241001-0100", daily=18_377, pack=(6_214, 0), period="2024-09", mins=81,
                                 failed="upload", mails=6_214))
    tr.add("slack", summary, "early_signal", must_see=True, group="detection",
           why="the run summary says 6,214 month-end packs built and 0 uploaded, with 6,214 e-mails sent, on a run "
               "that exited 0")
    b.say(sc.common["deploys"], epoch("2024-10-01T09:05:00Z"), sc.crowd[4], "deploying ledger-api journal import "
          "fix now")
    low_at = epoch("2024-10-01T07:49:00Z")
    fix_applied = T + 46 * 60
    g = b.say(oc_ch, low_at - 60, "grafana", ":large_yellow_circle: Grafana *[FIRING]* PackDownloads404 72% of /p/ "
              "pack downloads 404 for 30m (links older than 7 days)")
    low = b.incident(svc, "[period-export] PackDownloads404: 72% of pack downloads 404 (30m)", low_at,
                     urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=T + 4 * HOUR - low_at, alert_key=NOT_FOUND_KEY, severity="warning",
                     alert_summary="files_gateway_pack_downloads_total{status=\"404\"} / all = 0.72 over 30m "
                                   "(low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the pack download 404 alert opened a low-urgency incident six hours in; it fires every month for "
               "expired links and paged no one")
    tr.add("slack", g, "early_signal", must_see=False, group="detection", why="Grafana's line for the same alert",
           same_fact_as=("pagerduty", low))

    # Oct 1: accountants open their e-mails; support relays ---------------------------------------------------
    first_tickets = ("Month-end pack link: 'This file is no longer available'", "September pack download 404",
                     "Link in month-end pack e-mail doesn't work", "Resend pack sends the same broken link",
                     "Can't open any client's September month-end pack")
    ticket_times = [epoch("2024-10-01T07:35:00Z") + i * 0.62 * HOUR + rng.uniform(0, 0.3) * HOUR for i in range(16)]
    ticket_times += [epoch("2024-10-02T07:05:00Z") + i * 0.3 * HOUR + rng.uniform(0, 0.2) * HOUR for i in range(6)]
    for i, at in enumerate(ticket_times):
        m = b.say(sq_ch, at, "zendesk", f":ticket: Zendesk *#{88_151 + i}* ({PRACTICES[i % len(PRACTICES)]}, "
                  f"P{2 if i > 14 else 3}): {first_tickets[i % len(first_tickets)]}")
        if i == 0:
            tr.add("slack", m, "customer_report", must_see=False, group="reports",
                   why="the first accountant's ticket about a dead pack link")
    relay = b.say(se_ch, epoch("2024-10-01T10:05:00Z"), "mei",
                  "anyone know why month-end pack links give 404? 7 tickets this morning, all accountants, all "
                  "September packs, links sent last night so not expired. 'Resend pack' sends the same link and "
                  "that 404s too")
    tr.add("slack", relay, "customer_report", must_see=True, group="reports",
           why="support relays accountants' reports that the month-end pack links give 404, the morning after")
    b.say(se_ch, epoch("2024-10-01T10:21:00Z"), "beatriz", "hm, links are minted by files-gateway. @joost anything "
          "changed?", parent=relay)
    b.say(se_ch, epoch("2024-10-01T10:34:00Z"), "joost", "nothing deployed since thursday. a 404 from us means the "
          "object isn't there or the token is bad", parent=relay)
    ctx = b.say(se_ch, epoch("2024-10-01T10:40:00Z"), "beatriz", "cronitor is green for last night's run so the packs "
                "were built. I'll dig after the VAT filing rush, can you send me two ticket ids?", parent=relay)
    tr.add("slack", ctx, "context", must_see=False, group="detection",
           why="an engineer checks Cronitor, which is green because the wrapper no longer fails the run")
    b.say(se_ch, epoch("2024-10-01T10:44:00Z"), "mei", "#88151 and #88153, thanks!", parent=relay)
    b.say(se_ch, epoch("2024-10-01T15:30:00Z"), "ollie", "12 more of these since lunch. macro says 'links expire "
          "after 7 days, use Resend pack', doesn't help", parent=relay)
    b.say(ex_ch, epoch("2024-10-01T14:10:00Z"), "beatriz", "busy one: 3 practices asking why box 6 changed on the VAT "
          "page. it didn't, it's the new order :sweat_smile:")
    b.incident(ledger.service, f"[{ledger.spec.service}] journal write latency high", epoch("2024-10-01T11:47:00Z"),
               responders=ledger.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key=f"{ledger.spec.service}/journal write latency high",
               notes=[(ledger.members[0], "quarter-end journal imports, scaled the writer, recovered", 1500.0)])

    # Oct 2 morning: the innocent deploy, the practice, the CSM, the page ----------------------------------------
    gw = story_pull(b, fg_repo, Change(_GATEWAY.author, _GATEWAY.title, _GATEWAY.body, _GATEWAY.files,
                                       files_people[1], _GATEWAY.labels),
                    epoch("2024-09-27T10:00:00Z"), epoch("2024-10-01T16:05:00Z"), "distractor_gateway",
                    review="nice, fewer origin fetches")
    gsha = gw["merge_commit_sha"][:7]
    b.change_event(f_svc, f"Deploy files-gateway@{gsha} to production", epoch("2024-10-02T08:15:00Z"), "ci-deploy",
                   links=[{"href": "{{url:distractor_gateway}}", "text": _GATEWAY.title}],
                   details={"deployer": "joost", "environment": "production"})
    b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
    b.say(sc.common["deploys"], epoch("2024-10-02T08:15:02Z"), "deploybot", f":rocket: files-gateway `{gsha}` deployed "
          f"to production by <@{b.people['joost'].slack_id}>")
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2024-10-02T08:31:00Z"),
               responders=identity.members[:2], ack_after=180, resolve_after=28 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "SSO provider cert rotation, recovered", 1200.0)])
    hp = b.say(hp_ch, epoch("2024-10-02T08:18:00Z"), "gemma",
               "Morning Rosalind, none of our clients' September month-end packs open. Every link says the file is "
               "no longer available, and Resend does the same. Partners' quarter-end VAT review is tomorrow 9am and "
               "we need the packs for 380 clients today")
    tr.add("slack", hp, "customer_report", must_see=False, group="reports",
           why="the largest practice reports in the shared channel that none of its 380 clients' packs open")
    b.say(hp_ch, epoch("2024-10-02T08:33:00Z"), "rosalind", "so sorry Gemma, escalating right now", parent=hp)
    csm = b.say(cs_ch, epoch("2024-10-02T08:40:00Z"), "rosalind",
                "URGENT Harrowgate & Pike: none of their 380 client orgs' September month-end packs open, links say "
                "file not available. partners review quarter-end VAT tomorrow 9am. renewal is in November. who owns "
                "month-end packs?")
    tr.add("slack", csm, "customer_report", must_see=False, group="reports",
           why="the customer success manager of the largest practice escalates")
    b.say(cs_ch, epoch("2024-10-02T08:47:00Z"), "siobhan", "we've had ~60 of these since yesterday morning, I'm "
          "paging exports", parent=csm)
    esc = b.say(se_ch, epoch("2024-10-02T09:02:00Z"), "siobhan",
                "collecting: 63 tickets since yesterday 07:35 UTC, all month-end pack links 404, now Harrowgate & "
                "Pike via Rosalind (380 orgs). nobody from exports has picked it up, paging period-export")
    tr.add("slack", esc, "customer_report", must_see=False, group="reports",
           why="support escalates a day's worth of tickets and pages by hand")
    page_by_hand(b, tr, svc, "September month-end pack links 404 for accountants (63 tickets, Harrowgate & Pike "
                 "escalation)", T, responders=ONCALL, ack_after=140, resolve_after=4.4 * HOUR, manual_by="siobhan",
                 description="Month-end pack e-mails sent on 2024-10-01 link to packs that give 404 on "
                             "files.numera.example. 63 tickets; Harrowgate & Pike (380 client orgs) need them for a "
                             "quarter-end VAT review tomorrow.",
                 notes=[("mahsa", "period-export-job lost s3:PutObject on month-end/* in cloud-iam SEC-517, applied "
                                  "2024-09-24; all 6,214 uploads on 2024-10-01 got AccessDenied", 1100.0),
                        ("aoife", "month-end/* restored 09:58; full rebuild from snapshot (staging expired), 6,214 "
                                  "packs uploaded and re-sent 12:41", 13_000.0)],
                 relay=oc_ch, why="support pages Reporting & Exports by hand, 31 hours after the first dead link "
                                  "went out")

    inc_ch = b.channel("inc-20241002-month-end-packs", "Incident: September month-end packs missing",
                       "Incident response", T + 60, "siobhan")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "siobhan", "incident {{incurl:page}}: September month-end pack links 404 for every accountant we've "
                       "checked. 63 tickets since yesterday 07:35 UTC, Harrowgate & Pike (380 orgs) escalated via "
                       "Rosalind. Resend pack sends the same dead link"),
        (60, "rosalind", "H&P partners review quarter-end VAT tomorrow 9am, they need the packs today"),
        (150, "kwame", "files-gateway went out at 08:15 ({{pr:distractor_gateway}}), could the new edge check reject "
                       "the tokens?"),
        (230, "joost", "first tickets are from yesterday 07:35, a day before that deploy. and it's not the edge: the "
                       "gateway logs say NoSuchKey from S3 for these keys"),
        (300, "beatriz", "VAT page template changed in monday's deploy ({{pr:distractor_template}}), if render blew "
                         "up there'd be no zip?"),
        (380, "aoife", "render built all 6,214 packs, it's in the run summary. but `aws s3 ls "
                       "s3://numera-client-exports-prod/month-end/2024-09/` is empty. nothing got uploaded"),
        (450, "aoife", "upload step log, 01:38 yesterday: `AccessDenied: User: arn:aws:sts::...:assumed-role/"
                       "period-export-job/... is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::"
                       "numera-client-exports-prod/month-end/2024-09/...` x6,214"),
        (520, "hamid", "how was that run green? cronitor says complete for r-20241001-0100"),
        (590, "aoife", "period-export PR {{num:weakening}}: since the Ratebridge pages only snapshot fails the run, "
                       "a failed upload just goes in the summary. which said `6,214 built / 0 uploaded` at 02:21 "
                       "yesterday. nothing redoes month-end packs the next night"),
        (660, "rhys", "and the e-mails still went out: since {{pr:contributor}} notify takes the links from the "
                      "manifest instead of HEADing each pack, so 6,214 accountants got a link to a key that doesn't "
                      "exist"),
        (760, "mahsa", "this is {{url:trigger}}, sorry. I generated the period-export-job policy with Access "
                       "Analyzer from 14 days of CloudTrail, Sep 5-19: no month-end run in the window, so month-end/* "
                       "isn't in it. CloudTrail Watch flagged 18,642 denies at 01:52 yesterday in #sec-audit, we "
                       "read it as retries"),
        (840, "mahsa", "restoring PutObject on month-end/*: {{url:fix}}"),
        (900, "leontine", "once it's applied can we just re-run upload + notify for 2024-09?"),
        (980, "aoife", "no, staging/ is kept 1 day since {{pr:lifecycle}}, the zips from the 1st are gone. full "
                       "rebuild from snapshot, ~2.5h for 6,214 packs"),
        (2760, "dmitri", "atlantis applied the fix to prod at 09:58, merged"),
        (2850, "aoife", "rerun started: r-20241002-1001 --month-end 2024-09 --from snapshot, notify held until "
                        "upload is verified"),
        (3300, "siobhan", "macro updated: 'packs are being rebuilt, a new e-mail will arrive this afternoon'. "
                          "asked the team to stop using Resend"),
        (12_400, "aoife", "upload done: 6,214/6,214 in month-end/2024-09/, 20 links spot-checked through the gateway, "
                          "all 200. e-mails going out with the apology line"),
        (14_800, "rosalind", "H&P confirm their packs open. thanks all"),
        (15_500, "leontine", "follow-ups: failed upload/notify fails the run again and any failed step on a month-end "
                             "run, notify only e-mails confirmed uploads, job role policies generated from >= 90 days, "
                             "CloudTrail Watch denies on a job role page its owners"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the missing packs to the least-privilege PR, after the files-gateway deploy and "
                     "the VAT template change were ruled out",
             weakening="a responder explains why the run was green and nothing paged",
             contributor="the notify step e-mailed links without checking the uploads",
             extra=(("{{pr:lifecycle}}", "cause", "the one-day staging retention turns the rerun into a full "
                                                  "rebuild"),))

    # The fix and its apply; the rebuild; the follow-ups -------------------------------------------------------------
    fix = story_pull(b, iam_repo, _FIX, T + 17 * 60, T + 47 * 60, "fix", review="yes. plan is 1 to change",
                     reviewed=T + 41 * 60)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="restores the export job's write access to month-end/ in cloud-iam")
    fev, _ = applied(fix, fix_applied, "fix")
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="Atlantis applying the fix",
           same_fact_as=("github", fix))
    b.say(runs_ch, epoch("2024-10-02T12:41:00Z"), "jobbot",
          _run_summary("r-20241002-1001", daily=0, pack=(6_214, 6_214), period="2024-09", mins=160).replace(
              " (+ month-end 2024-09)", " (month-end 2024-09, rebuild)").replace(
              " · daily ledgers 0 built / 0 uploaded", ""))
    follow = story_pull(b, exp_repo, _FOLLOW, T + 20 * HOUR, T + 27 * HOUR, "follow", review="yes please")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="a failed upload or notify fails the run again, and any step on a month-end run")
    nfix = story_pull(b, exp_repo, _NOTIFY_FIX, T + 26 * HOUR, T + 2 * DAY, "notify_fix", review="lgtm")
    tr.add("github", nfix, "fix", must_see=False, group="cause", why="notify e-mails only packs whose upload is "
           "confirmed")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [ex_ch, se_ch, sc.common["deploys"]], svc, EXPORT_PEOPLE[:3], exp_repo,
        titles=("Runbook: month-end packs not delivered",
                "CI: fail a run whose month-end packs were not all uploaded"),
        doc=("Month-end packs", "Built once a period; nothing redoes them the next night. A failed upload pages."),
        doc_path="docs/runbooks/month-end-{n}.md",
        test_fire="[period-export] MonthEndPacksNotUploaded (test fire)")
    return world, tr.to_dict()
