"""World "schema-drop": Rosterly, an HR and payroll SaaS, finishes moving pay groups to pay schedules in its main app
(hq): the contract step drops `employees.pay_group_id` and the `pay_groups` table in the Monday evening deploy.
The Reporting team's export-worker, another repo reading the hq read replica with raw SQL, still joins them in the
payroll register query, so every nightly payroll register export for enterprise customers fails with
UndefinedColumn. Since a March change a failing export is retried three times and marked "skipped, retry tomorrow"
instead of failing the run, and a week later SRE had excluded `psycopg.errors.*` from export-worker's Sentry alert
after nine night pages from a replica upgrade to Postgres 16. Only the run bot's skipped counts, a low-urgency
retry-queue alert and a CSM's question show it until the support lead pages Reporting by hand, two nights in, hours
before customers' payroll input cutoff."""

from __future__ import annotations

import random
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso
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
    change_files,
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

REPORTING = TeamSpec("reporting", "Reporting", "export-worker", "export-worker", "reporting",
                     ("runs", "formats", "delivery", "queries"),
                     ("nightly run", "payroll register", "timesheet PDF", "headcount report", "SFTP delivery",
                      "CSV dialect", "export schedule", "retry queue", "report template", "export history page"),
                     ("nightly run not started by 02:15", "PDF render p95 above 60s", "SFTP delivery failures above 5%",
                      "worker pods restarting"), "py")
PAYCORE = TeamSpec("paycore", "Payroll Core", "hq-web", "hq", "payroll-core",
                   ("people", "payroll", "timesheets", "leave"),
                   ("pay run", "pay schedule", "timesheet approval", "leave balance", "overtime rule", "employee import",
                    "tax form", "shift swap", "holiday calendar", "cost center"),
                   ("hq-web 5xx above 1%", "pay run job stuck for 20m", "celery backlog above 5k",
                    "hq-web p95 above 1.2s"), "py")

STAFF = (("ottoline", "Ottoline Brandt"), ("oluwaseun", "Oluwaseun Adeyemi"), ("roisin", "Roisin Keane"),
         ("jarrah", "Jarrah Whitlock"), ("zdenka", "Zdenka Horvat"), ("hallvard", "Hallvard Nygaard"),
         ("isaura", "Isaura Mendonca"), ("kazimierz", "Kazimierz Wolanski"), ("wilhelmina", "Wilhelmina Stroud"),
         ("evander", "Evander Tsakalos"), ("bastiaan", "Bastiaan Verhoeven"), ("dagny", "Dagny Lindahl"))
OUTSIDERS = (("gwendolyn", "Gwendolyn Ashby"), ("ezinne", "Ezinne Okoro"), ("rufus", "Rufus Penhallow"),
             ("clementine", "Clementine Fairbairn"), ("augustin", "Augustin Mbeki"))
REPORTERS = ["ottoline", "oluwaseun", "roisin", "jarrah", "zdenka"]
ONCALL = ["oluwaseun", "roisin", "jarrah", "zdenka"]
PAYROLL = ["hallvard", "isaura", "kazimierz", "wilhelmina"]
SRE = ["evander", "bastiaan", "dagny"]
SUPPORT = ["gwendolyn", "ezinne", "rufus"]
CSMS = ["clementine", "augustin"]

SENTRY_PREFIX = "[export-worker] Sentry: export-worker errors: "
SENTRY_KEY = "sentry/export-worker-errors"
RETRY_TITLE = "[export-worker] Export retry queue above 100 for 30m"
RETRY_KEY = "alertmanager/ExportRetryQueueHigh"

_TENANTS = ("Brightmart Grocers", "Pinecrest Care Homes", "Northgate Haulage", "Ostara Fitness", "Larchmont Hotels",
            "Quayside Dental Group", "Fernhill Schools Trust", "Copperline Bakeries", "Marlow & Vance Retail",
            "Tidewell Cleaning", "Saltmarsh Breweries", "Elmstead Clinics")
_CSM_NOUNS = ("renewal", "QBR deck", "SSO rollout", "onboarding plan", "health score", "expansion quote",
              "usage report", "exec sponsor call", "churn risk note", "training session")
_CSM_LINES = (
    "{noun} for Brightmart is next tuesday, anyone want to join?",
    "who has the latest {noun} template? the one in the drive is from last year",
    "heads up: Ostara asked about the {noun} again, I said end of month",
    "{noun} done for Larchmont, notes in the CRM",
    "Pinecrest's new HR director wants a {noun}, can someone from product join?",
    "is there a way to pull a {noun} per tenant without asking data?",
    "reminder to update the {noun} before the forecast call",
)
_SUPPORT_NOUNS = ("SSO login", "timesheet approval", "leave request", "payslip PDF", "shift swap", "employee import",
                  "tax form", "mobile clock-in", "overtime rule", "export schedule")
_SUPPORT_LINES = (
    "ticket about {noun}: customer says it worked last week, repro steps in the ticket",
    "3 tickets about {noun} this morning, known issue?",
    "{noun}: enterprise customer escalated through their CSM, can someone look?",
    "how do I tell a customer when the {noun} fix ships?",
    "customer can't find the {noun} settings after the UI change, do we have a help article?",
    "is {noun} supposed to respect the tenant's timezone? customer says it doesn't",
)
_SRE_NOUNS = ("read replica", "pgbouncer pool", "RDS snapshot", "WAL archive", "blue/green switchover",
              "parameter group", "connection limit", "vacuum schedule", "replica lag alarm", "backup restore drill")


_PROJECTS = ("hq-web", "hq-frontend", "mobile-app", "auth", "etl", "export-worker")


def _tracking_change(rng: random.Random) -> ConfigChange:
    """One generated PR of error-tracking: Sentry projects, alert rules, filters, ownership and rate limits."""
    ticket = f"SRE-{rng.randrange(820, 960)}"
    project = rng.choice(_PROJECTS)
    path = f"projects/{project}.yaml"
    k = rng.random()
    if k < 0.22:
        a = rng.choice((10, 20, 50))
        c = rng.choice([x for x in (5, 10, 20, 50, 100) if x != a])
        return (f"{project}: alert at {c} events/h instead of {a}", rng.choice((
                    f"Too chatty during deploys ({ticket}).", "We missed a slow burn last month.",
                    "Matches the other backend projects.")),
                [yaml_file(path, yaml_patch(rng.randrange(10, 30), "alert_rules:", [
                    "       - first_seen_event", f"-      - event_frequency: {{value: {a}, interval: 1h}}",
                    f"+      - event_frequency: {{value: {c}, interval: 1h}}"]))])
    if k < 0.38:
        owner = rng.choice(("#team-paycore", "#team-reporting", "#team-identity", "#team-web", "#team-mobile"))
        glob = rng.choice(("src/payroll/**", "src/leave/**", "export_worker/formats/**", "app/screens/**",
                           "src/timesheets/**", "src/auth/**"))
        return (f"{project}: ownership rule for {glob}", "Issues land with the right team.",
                [yaml_file(path, yaml_patch(rng.randrange(30, 60), "ownership:", [f"+  - path:{glob} {owner}"]))])
    if k < 0.52:
        f = rng.choice(("browser-extensions", "legacy-browsers", "localhost", "web-crawlers"))
        return (f"{project}: enable the {f} inbound filter", rng.choice((
                    "Half the events last week were from extensions.", f"Quota review ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(3, 12), "inbound_filters:", [f"+  {f}: true"]))])
    if k < 0.66:
        a = rng.choice((500, 1000, 2000))
        c = rng.choice([x for x in (250, 500, 1000, 2000, 4000) if x != a])
        return (f"{project}: rate limit {a} -> {c} events/min per key", f"Quota review ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(3, 12), "keys:", [
                    "   - name: default", f"-    rate_limit: {{count: {a}, window: 60}}",
                    f"+    rate_limit: {{count: {c}, window: 60}}"]))])
    if k < 0.78:
        rule = rng.choice(("group ReadTimeout by host", "group celery retries by task name",
                           "split ValidationError by form", "merge ChunkLoadError variants"))
        return (f"{project}: fingerprint rule, {rule}", "Too many duplicate issues.",
                [yaml_file(path, yaml_patch(rng.randrange(60, 90), "fingerprinting:", [
                    f"+  # {rule}", f"+  - match: {rng.choice(('error.type', 'message', 'tags.task'))}:"
                    f"{rng.choice(('ReadTimeout', '*Retry*', 'ValidationError', 'ChunkLoadError'))} -> "
                    f"{rng.choice(('{{ default }} {{ tags.host }}', '{{ tags.task }}', '{{ default }}'))}"]))])
    if k < 0.90:
        who = rng.choice(("payroll-core", "reporting", "identity", "web", "mobile", "data"))
        return (f"Team {who}: add new starter to the Sentry team", "Onboarding.",
                [yaml_file("teams.yaml", yaml_patch(rng.randrange(5, 80), f"{who}:", [
                    f"+    - {''.join(rng.choice('abcdefghijklmnoprstuvw') for _ in range(6))}@rosterly.example"]))])
    env = rng.choice(("staging", "sandbox", "demo"))
    return (f"{project}: don't alert on {env}", rng.choice(("Demo resets every night.", f"{env} is noisy ({ticket}).")),
            [yaml_file(path, yaml_patch(rng.randrange(10, 30), "alert_rules:", [
                "-    environment: null", "+    environment: production"]))])


_MIGRATIONS = (
    ("timesheets", "Add index on timesheet_entries (tenant_id, work_date)", "AddIndex", "CONCURRENTLY, 41s"),
    ("leave", "Add leave_requests.half_day", "AddField", "0.02s"),
    ("people", "Add employees.preferred_name", "AddField", "0.03s"),
    ("payroll", "Add payruns.locked_at for the approval lock", "AddField", "0.02s"),
    ("org", "Add departments.external_ref for HRIS sync", "AddField", "0.02s"),
    ("timesheets", "Backfill shift_breaks.paid from break_policies", "RunPython", "3m12s"),
    ("leave", "Add index on leave_balances (employee_id, year)", "AddIndex", "CONCURRENTLY, 12s"),
    ("people", "Make employees.work_email nullable for contractors", "AlterField", "0.05s"),
    ("payroll", "Add tax_forms.signed_at", "AddField", "0.02s"),
    ("org", "Add locations.timezone default from tenant", "AddField", "0.04s"),
)


def _hq_migrations(b: WorldBuilder, repo: str, members: list[str], count: int, start: float, end: float) -> None:
    """Ordinary schema migrations in hq: indexes, nullable fields, small backfills, all harmless."""
    rng = b.rng
    for i in range(count):
        app, title, op, _ = rng.choice(_MIGRATIONS)
        t = rng.uniform(start, end)
        author = rng.choice(members)
        reviewer = rng.choice([m for m in members if m != author])
        num = 100 + rng.randrange(0, 120)
        field = title.split()[-1].split(".")[-1].strip(")")
        patch = "\n".join([
            "@@ -0,0 +1,12 @@", "+from django.db import migrations, models", "+", "+",
            "+class Migration(migrations.Migration):", f'+    dependencies = [("{app}", "0{num - 1}_auto")]', "+",
            "+    operations = [", f"+        migrations.{op}(", f'+            model_name="{app}",',
            f'+            name="{field.lower()}",', "+        ),", "+    ]"])
        merged: float | None = t + rng.uniform(0.1, 2.5) * DAY
        if merged is not None and merged > end - 2 * DAY and rng.random() < 0.4:
            merged = None
        b.pull(repo, author, f"{app}: {title}", rng.choice(("Migration only, no code reads it yet.",
                                                              "Small migration, safe to run during the day.",
                                                              f"Needed for PAY-{rng.randrange(500, 700)}.")),
               t, merged=merged, merged_by=reviewer if merged else None,
               files=[{"filename": f"hq/{app}/migrations/0{num}_{field.lower()}.py", "status": "added",
                       "additions": 12, "deletions": 0, "patch": patch}],
               labels=["migration"], reviews=[(reviewer, "APPROVED", rng.choice(("", "lgtm", "ship it")),
                                              (merged or t + DAY) - 600)],
               handle=f"mig{i}_{len(b.pulls)}")


def _export_line(rng: random.Random, t: float) -> str:
    """A routine line of the run bot in #export-runs: on-demand exports, schedule edits, delivery retries."""
    tenant = rng.choice(_TENANTS)
    k = rng.random()
    if k < 0.40:
        kind = rng.choice(("headcount_report", "timesheet_pdf", "payroll_register", "leave_ledger"))
        return (f":inbox_tray: on-demand `{kind}` for {tenant} delivered ({rng.randrange(2, 900)} rows, "
                f"{rng.choice(('SFTP', 'email', 'download'))}) in {rng.randrange(3, 95)}s")
    if k < 0.65:
        kind = rng.choice(("payroll_register", "timesheet_pdf", "headcount_report"))
        return (f":calendar: schedule updated by {tenant}: `{kind}` {rng.choice(('nightly', 'weekly mon', 'weekly fri'))}"
                f" at {rng.randrange(0, 6):02d}:00 tenant time")
    if k < 0.85:
        return (f":repeat: SFTP upload retry for {tenant}: {rng.choice(('timeout', 'connection reset', 'auth failed'))}"
                f" on attempt 1, delivered on attempt {rng.randrange(2, 4)}")
    return f":page_facing_up: PDF batch `timesheet_pdf` week {rng.randrange(1, 16)}: {rng.randrange(200, 4000)} pages rendered"


def _sentry_line(rng: random.Random, t: float) -> str:
    """A routine Sentry line in #reporting-pages: issues in export-worker's own code."""
    err = rng.choice(("KeyError: 'cost_center'", "UnicodeEncodeError: 'latin-1' codec can't encode character",
                      "ValueError: week_start is not a Monday", "weasyprint.FontError: missing glyph",
                      "paramiko.ssh_exception.SSHException: Error reading SSH protocol banner",
                      "TimeoutError: render_pdf exceeded 120s"))
    where = rng.choice(("export_worker.formats.csv", "export_worker.formats.pdf", "export_worker.delivery.sftp",
                        "export_worker.runs.ondemand"))
    return f":large_orange_circle: Sentry *New issue* in export-worker: `{err}` ({where}, {rng.randrange(1, 30)} events)"


def _status_line(rng: random.Random, t: float) -> str:
    """A line of the status-page feed in #third-party-status."""
    vendor, what = rng.choice((("AWS", "Increased API error rates for RDS in us-east-1"),
                               ("Filebridge", "Scheduled maintenance of the EU SFTP gateway"),
                               ("Postmark", "Delayed email delivery to Microsoft domains"),
                               ("Twilio", "SMS delivery delays to some carriers"),
                               ("Okta", "Elevated latency for SSO logins"),
                               ("GitHub", "Degraded performance for Actions"),
                               ("Stripe", "Elevated error rates for Billing webhooks")))
    state = rng.choice(("Investigating", "Monitoring", "Resolved", "Scheduled"))
    return f":satellite: *{vendor}* · {state}: {what}"


def _run_line(day: str, scheduled: int, delivered: int, skipped: int, took: str) -> str:
    """The run bot's summary of a nightly run, in the format since the skip-and-retry change."""
    nxt = iso(epoch(day) + DAY)[:10]
    icon = ":white_check_mark:" if skipped == 0 else ":large_yellow_circle:"
    return (f"{icon} nightly run {day} finished in {took}: {scheduled} scheduled · {delivered} delivered · "
            f"{skipped} skipped (retry {nxt} 02:00 UTC)")


_EXPAND = Change(
    author="hallvard", reviewer="isaura", labels=("migration", "pay-schedules"),
    title="Pay schedules, expand step: add pay_schedules and employees.pay_schedule_id, dual-write (PAY-612 1/3)",
    body="Pay groups become pay schedules: a schedule has a frequency, a cutoff and a pay date rule, which we kept "
         "in three places so far. This adds `pay_schedules` (one per existing pay group, same `code`) and "
         "`employees.pay_schedule_id`, and writes both columns on every employee save. Reads don't change yet.\n\n"
         "Plan: 1/3 expand (this), 2/3 backfill and move reads, 3/3 drop `pay_group_id` and `pay_groups`.",
    files=(("hq/payroll/migrations/0063_pay_schedule.py", """@@ -0,0 +1,14 @@
+class Migration(migrations.Migration):
+    dependencies = [("payroll", "0062_payrun_notes")]
+
+    operations = [
+        migrations.CreateModel(
+            name="PaySchedule",
+            fields=[
+                ("id", models.BigAutoField(primary_key=True)),
+                ("code", models.CharField(max_length=32)),
+                ("frequency", models.CharField(max_length=16)),
+                ("cutoff_days", models.PositiveSmallIntegerField()),
+            ],
+        ),
+    ]"""),
           ("hq/people/models.py", """@@ -84,6 +84,9 @@ class Employee(TenantModel):
     department = models.ForeignKey("org.Department", null=True, on_delete=models.SET_NULL)
     pay_group = models.ForeignKey("PayGroup", null=True, blank=True, on_delete=models.SET_NULL)
+    # PAY-612: replaces pay_group; dual-written until 2/3.
+    pay_schedule = models.ForeignKey("payroll.PaySchedule", null=True, on_delete=models.PROTECT,
+                                     related_name="employees")
     hired_on = models.DateField()""")),
)

_MOVE_READS = Change(
    author="hallvard", reviewer="kazimierz", labels=("migration", "pay-schedules"),
    title="Pay schedules: backfill, read pay_schedule everywhere, stop writing pay_group (PAY-612 2/3)",
    body="Backfills `pay_schedule_id` for the 6 employees per tenant on average that were created before "
         "{{pr:expand}}, makes it NOT NULL, and moves every read in hq (pay runs, the payroll export in the UI, "
         "the public API's `pay_group` field, admin) to `pay_schedule`. `pay_group_id` is no longer written.\n\n"
         "grep for `pay_group` in hq: only the model field and its migration left. The warehouse reads "
         "`stg_employees.pay_group_id`, data team is moving it (data-pipelines).",
    files=(("hq/people/migrations/0187_backfill_pay_schedule.py", """@@ -0,0 +1,9 @@
+def backfill(apps, schema_editor):
+    Employee = apps.get_model("people", "Employee")
+    for e in Employee.objects.filter(pay_schedule__isnull=True).select_related("pay_group").iterator():
+        e.pay_schedule_id = PAY_SCHEDULE_BY_GROUP[e.pay_group_id]
+        e.save(update_fields=["pay_schedule"])
+
+
+class Migration(migrations.Migration):
+    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]"""),
           ("hq/payroll/services/payrun.py", """@@ -40,5 +40,5 @@ def employees_for_run(run: PayRun) -> QuerySet[Employee]:
     return (Employee.objects.for_tenant(run.tenant_id)
-            .filter(pay_group__code=run.group_code)
-            .select_related("pay_group"))
+            .filter(pay_schedule__code=run.group_code)
+            .select_related("pay_schedule"))""")),
)

_DBT = Change(
    author="kazimierz", reviewer="hallvard", labels=("dbt",),
    title="dbt: stg_employees reads pay_schedule_id, pay_group_code from pay_schedules (PAY-612)",
    body="hq stops writing `pay_group_id` (hq PAY-612 2/3) and drops it next month. The warehouse models read "
         "`pay_schedule_id` now; `pay_group_code` keeps its name for the dashboards.",
    files=(("models/staging/hq/stg_employees.sql", """@@ -9,6 +9,6 @@ select
     e.department_id,
-    e.pay_group_id,
-    pg.code as pay_group_code,
+    e.pay_schedule_id,
+    ps.code as pay_group_code,
     e.hired_on
 from {{ source('hq', 'employees') }} e
-left join {{ source('hq', 'pay_groups') }} pg on pg.id = e.pay_group_id
+left join {{ source('hq', 'pay_schedules') }} ps on ps.id = e.pay_schedule_id"""),),
)

_TRIGGER = Change(
    author="hallvard", reviewer="isaura", labels=("migration", "pay-schedules"),
    title="Pay schedules, contract step: drop employees.pay_group_id and the pay_groups table (PAY-612 3/3)",
    body="Last step of the pay groups -> pay schedules move:\n\n"
         "1. {{pr:expand}}: `pay_schedules` and `employees.pay_schedule_id`, dual-written\n"
         "2. {{pr:move_reads}}: backfill, every read in hq goes through `pay_schedule_id`, `pay_group_id` not "
         "written any more\n"
         "3. this: drop `employees.pay_group_id` and `pay_groups`\n\n"
         "Checked for readers: no query touching `pay_group_id` or `pay_groups` in pg_stat_statements on the primary "
         "for 14 days, nothing left in hq, and the warehouse moved in {{pr:dbt}}. `DROP COLUMN` is metadata only, "
         "the lock is held for milliseconds. Going out with the Monday evening deploy.",
    files=(("hq/people/migrations/0188_drop_pay_group.py", """@@ -0,0 +1,17 @@
+from django.db import migrations
+
+
+class Migration(migrations.Migration):
+    \"\"\"PAY-612 3/3: nothing reads or writes pay_group_id since 0187.\"\"\"
+
+    dependencies = [
+        ("people", "0187_backfill_pay_schedule"),
+        ("payroll", "0064_payrun_pay_schedule"),
+    ]
+
+    operations = [
+        migrations.RemoveField(model_name="employee", name="pay_group"),
+        migrations.DeleteModel(name="PayGroup"),
+    ]
+
+"""),
           ("hq/people/models.py", """@@ -60,14 +60,0 @@ from hq.tenancy.models import TenantModel
-class PayGroup(TenantModel):
-    \"\"\"Deprecated by payroll.PaySchedule (PAY-612).\"\"\"
-
-    code = models.CharField(max_length=32)
-    frequency = models.CharField(max_length=16)
-
-    class Meta:
-        db_table = "pay_groups"
-
-
@@ -84,9 +70,6 @@ class Employee(TenantModel):
     department = models.ForeignKey("org.Department", null=True, on_delete=models.SET_NULL)
-    # PAY-612: kept until the contract step; nothing reads it since 0187.
-    pay_group = models.ForeignKey("PayGroup", null=True, blank=True, on_delete=models.SET_NULL,
-                                  db_column="pay_group_id", related_name="+")
     pay_schedule = models.ForeignKey("payroll.PaySchedule", on_delete=models.PROTECT,
                                      related_name="employees")
     hired_on = models.DateField()"""),
           ("hq/people/admin.py", """@@ -31,4 +31,3 @@ class EmployeeAdmin(TenantAdmin):
-    list_filter = ("department", "pay_group", "pay_schedule")
+    list_filter = ("department", "pay_schedule")
     search_fields = ("last_name", "first_name", "external_id")""")),
)

_CONTRIBUTOR = Change(
    author="oluwaseun", reviewer="ottoline", labels=("nightly-run", "reliability"),
    title="Nightly run: skip a failing export and retry it next night instead of failing the run (EXP-377)",
    body="Last Tuesday Ostara's SFTP host refused connections (their firewall change) and the whole nightly run "
         "stopped at 02:41 with 230 exports not attempted. On-call reran it by hand at 04:10 and a dozen customers "
         "still got their files late, for one tenant's firewall.\n\n"
         "Now every export stands alone: up to 3 attempts with backoff (1m, 5m, 15m) for building and for "
         "delivering; after that it is marked `skipped` with `retry_at` set to the next nightly run, and the run "
         "moves on. The run finishes `ok` and the summary in #export-runs gets a skipped count. The exception still "
         "goes to Sentry, so a real bug is still seen there. Customers see 'skipped, will retry' in export history "
         "and can run an on-demand export.",
    files=(("export_worker/runs/nightly.py", """@@ -44,16 +44,27 @@ def run_nightly(run_date: date) -> RunResult:
     result = RunResult(run_date=run_date)
     for schedule in due_schedules(run_date):
-        export = build_export(schedule, run_date)
-        deliver(export, schedule.destination)
-        result.delivered += 1
-    if result.failed:
-        raise RunFailed(result)
+        try:
+            export = with_retries(build_export, schedule, run_date, attempts=3, backoff=BACKOFF)
+            with_retries(deliver, export, schedule.destination, attempts=3, backoff=BACKOFF)
+        except Exception as exc:  # one tenant must not stop everybody's run (EXP-377)
+            sentry_sdk.capture_exception(exc)
+            log.warning("export skipped", tenant=schedule.tenant_id, kind=schedule.kind, error=repr(exc))
+            mark_skipped(schedule, run_date, reason=type(exc).__name__, retry_at=next_run(run_date))
+            result.skipped += 1
+            continue
+        result.delivered += 1
     return result"""),
           ("export_worker/runs/summary.py", """@@ -12,6 +12,8 @@ def post_summary(result: RunResult) -> None:
-    icon = ":white_check_mark:" if result.ok else ":x:"
-    text = f"{icon} nightly run {result.run_date} {'ok' if result.ok else 'FAILED'}: {result.delivered} delivered"
+    icon = ":white_check_mark:" if not result.skipped else ":large_yellow_circle:"
+    text = (f"{icon} nightly run {result.run_date} finished in {result.took}: {result.scheduled} scheduled · "
+            f"{result.delivered} delivered · {result.skipped} skipped (retry {next_run(result.run_date)} 02:00 UTC)")
     slack.post("#export-runs", text)"""),
           ("tests/runs/test_nightly.py", """@@ -30,3 +30,12 @@ def test_run_delivers_all(fake_sftp, schedules):
     assert run_nightly(RUN_DATE).delivered == 3
+
+
+def test_failing_export_is_skipped_not_fatal(fake_sftp, schedules):
+    fake_sftp.refuse("ostara")
+    result = run_nightly(RUN_DATE)
+    assert result.delivered == 2 and result.skipped == 1
+    [skipped] = Skipped.objects.all()
+    assert skipped.retry_at == next_run(RUN_DATE)""")),
)

_WEAKENING = Change(
    author="evander", reviewer="bastiaan", labels=("sentry", "on-call"),
    title="export-worker: stop paging on psycopg errors while the hq replicas move to Postgres 16 (SRE-904)",
    body="Nine pages in eight nights from export-worker's Sentry alert, all from hq-db-replica-2 during the move to "
         "Postgres 16 (#db-upgrade-pg16):\n\n"
         "- `SerializationFailure: canceling statement due to conflict with recovery`: the green replica ran with "
         "hot_standby_feedback off for three days\n"
         "- `OperationalError: consuming input failed: server closed the connection unexpectedly` and "
         "`AdminShutdown` during the switchovers\n"
         "- `UndefinedFunction: function similarity(text, text) does not exist` the night pg_trgm was missing on "
         "green\n\n"
         "None of it is Reporting's to fix at 02:00, the exports retry the next night on their own since EXP-377, "
         "and the RDS alarms page SRE for the replicas themselves. The export-worker alert rule now leaves out "
         "`psycopg.OperationalError` and everything under `psycopg.errors.*`. Sentry still records the issues, they "
         "just don't page or post to #reporting-pages.",
    files=(("projects/export-worker.yaml", """@@ -14,12 +14,20 @@ alert_rules:
   - name: export-worker errors
     environment: production
     action_match: any
     conditions:
       - first_seen_event
       - regression_event
       - event_frequency: {value: 20, interval: 1h}
     filters:
       - level: {match: gte, level: error}
+      # SRE-904: the replica move to PG16 paged Reporting nine times in eight nights for recovery conflicts and
+      # connection drops nobody on call can act on; the RDS alarms page SRE for the replica itself.
+      - exception_type:
+          match: not_in
+          values:
+            - psycopg.OperationalError
+            - "psycopg.errors.*"
     actions:
       - pagerduty: {service: export-worker, severity: error}
       - slack: {channel: "#reporting-pages"}"""),),
)

_DECOY_SFTP = Change(
    author="jarrah", reviewer="zdenka", labels=("dependencies", "delivery"),
    title="SFTP delivery: paramiko 3.4.1 -> 3.5.0, prefer rsa-sha2-512 host keys (EXP-402)",
    body="Two customers' SFTP servers (Fernhill, Copperline) are dropping ssh-rsa/SHA-1 next month. paramiko 3.5 "
         "negotiates rsa-sha2-512 first; we keep ssh-rsa as the last fallback for the older servers. Tested against "
         "Filebridge and the 14 customer hosts in the staging allowlist.",
    files=(("requirements.txt", """@@ -18,3 +18,3 @@
-paramiko==3.4.1
+paramiko==3.5.0
 psycopg[binary]==3.2.3"""),
           ("export_worker/delivery/sftp.py", """@@ -22,4 +22,6 @@ def connect(dest: Destination) -> paramiko.SFTPClient:
     transport = paramiko.Transport((dest.host, dest.port))
+    transport.get_security_options().key_types = ("rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519",
+                                                   "ecdsa-sha2-nistp256", "ssh-rsa")
     transport.connect(username=dest.user, pkey=load_key(dest))""")),
)

_DECOY_DB = Change(
    author="bastiaan", reviewer="dagny", labels=("rds", "postgres"),
    title="hq-db replicas: max_standby_streaming_delay 300s -> 30s (SRE-921)",
    body="Since the PG16 move the replicas fall up to 5 minutes behind while a long report query holds back "
         "replay, and hq's read-after-write pages (timesheet approvals) read stale rows from them. 30s is the RDS "
         "default; long queries that conflict get cancelled and retried instead of holding replay. Reporting's "
         "nightly queries run 2-40s.",
    files=(("terraform/rds/hq_db_replicas.tf", """@@ -31,9 +31,9 @@ resource "aws_db_parameter_group" "hq_replica_pg16" {
   parameter {
     name  = "max_standby_streaming_delay"
-    value = "300000"
+    value = "30000"
   }
   parameter {
     name  = "hot_standby_feedback"
     value = "1"
   }"""),),
)

_FIX = Change(
    author="roisin", reviewer="ottoline", labels=("incident", "queries"),
    title="Payroll register: read pay_schedules instead of the dropped pay_group_id; requeue skipped exports",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} (deployed Apr 14 22:51 UTC) `employees.pay_group_id` and "
         "`pay_groups` are gone. The payroll register query still joined them, so every payroll_register export "
         "failed with `UndefinedColumn: column e.pay_group_id does not exist`, was retried 3 times and then skipped "
         "until the next night ({{url:contributor}}): 123 exports on the 15th, 131 on the 16th.\n\n"
         "The query joins `pay_schedules` on `pay_schedule_id`; the CSV column keeps the name `pay_group` because "
         "customers' payroll imports map it. New test runs every query in `queries/` against hq's current schema "
         "dump. After the deploy: `exportctl requeue --status skipped --since 2025-04-15`.",
    files=(("export_worker/queries/payroll_register.sql", """@@ -1,20 +1,20 @@
 -- Payroll register: one row per employee and pay period, for the tenant's payroll provider.
 SELECT
     e.external_id            AS employee_id,
     e.last_name,
     e.first_name,
-    pg.code                  AS pay_group,
-    pg.frequency             AS pay_frequency,
+    ps.code                  AS pay_group,       -- hq calls them pay schedules since PAY-612
+    ps.frequency             AS pay_frequency,
     cc.code                  AS cost_center,
     SUM(t.regular_minutes)   AS regular_minutes,
     SUM(t.overtime_minutes)  AS overtime_minutes
 FROM employees e
-LEFT JOIN pay_groups pg ON pg.id = e.pay_group_id
+JOIN pay_schedules ps ON ps.id = e.pay_schedule_id
 LEFT JOIN cost_centers cc ON cc.id = e.cost_center_id
 JOIN timesheet_entries t ON t.employee_id = e.id
 WHERE e.tenant_id = %(tenant_id)s
   AND t.work_date BETWEEN %(period_start)s AND %(period_end)s
-GROUP BY e.id, pg.code, pg.frequency, cc.code
+GROUP BY e.id, ps.code, ps.frequency, cc.code
 ORDER BY e.last_name, e.first_name"""),
           ("tests/queries/test_against_hq_schema.py", """@@ -0,0 +1,12 @@
+\"\"\"Every query in export_worker/queries must plan against hq's current schema (schema dump from hq main).\"\"\"
+
+import pytest
+
+from export_worker.queries import ALL_QUERIES
+
+
+@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
+def test_query_plans_on_current_hq_schema(hq_schema_db, name):
+    with hq_schema_db.cursor() as cur:
+        cur.execute("EXPLAIN " + ALL_QUERIES[name], ALL_QUERIES[name].sample_params)
+        assert cur.fetchone()""")),
)

_FOLLOW = Change(
    author="evander", reviewer="ottoline", labels=("sentry", "incident"),
    title="export-worker: page on psycopg errors again; the PG16 move is done (SRE-904 revert, narrowed)",
    body="Follow-up of {{incurl:page}}. {{url:weakening}} left `psycopg.errors.*` out of export-worker's alert "
         "during the replica move. That glob is every SQLSTATE, including `UndefinedColumn`: Sentry recorded 1,900+ "
         "events of `column e.pay_group_id does not exist` from Apr 15 02:04 and nothing paged.\n\n"
         "Only connection drops stay out (`OperationalError` with 'server closed the connection'), everything else "
         "under psycopg pages again, and a new rule pages on any `UndefinedColumn`/`UndefinedTable` at once.",
    files=(("projects/export-worker.yaml", """@@ -22,12 +22,18 @@ alert_rules:
       - level: {match: gte, level: error}
-      # SRE-904: the replica move to PG16 paged Reporting nine times in eight nights for recovery conflicts and
-      # connection drops nobody on call can act on; the RDS alarms page SRE for the replica itself.
-      - exception_type:
-          match: not_in
-          values:
-            - psycopg.OperationalError
-            - "psycopg.errors.*"
+      # Connection drops during replica maintenance only; schema errors must page (incident of Apr 16).
+      - message:
+          match: not_contains
+          value: "server closed the connection unexpectedly"
     actions:
       - pagerduty: {service: export-worker, severity: error}
       - slack: {channel: "#reporting-pages"}
+  - name: export-worker schema mismatch
+    environment: production
+    conditions: [first_seen_event, regression_event]
+    filters:
+      - exception_type: {match: in, values: [psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable]}
+    actions:
+      - pagerduty: {service: export-worker, severity: critical}"""),),
)


def build_schema_drop(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the schema-drop world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="schema-drop", seed=2025_04_16, org="rosterly", team_name="Reporting",
                    page_at="2025-04-16T15:05:00Z", impact_start="2025-04-15T02:04:00Z",
                    noise_teams=("identity", "platform", "web", "data", "mobile"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("exportbot", "Export Runs"), ("sentry", "Sentry"), ("releasebot", "HQ Releases"),
                      ("sentrysync", "Sentry Sync"), ("statusbot", "Status Pages"), ("alertmanager", "Alertmanager")):
        b.person(key, name, github=False, is_bot=True)
    platform, data, identity = sc.team("platform"), sc.team("data"), sc.team("identity")

    # Reporting, Payroll Core, SRE: PagerDuty, channels, repos --------------------------------------------------
    r_team = b.team("Reporting")
    r_policy = b.policy("Reporting on-call", r_team, ONCALL)
    svc = b.service("export-worker", "Reporting: scheduled exports (payroll registers, timesheet PDFs) to customers' "
                    "SFTP and email", r_policy, r_team, iso(start - 700 * DAY))
    h_team = b.team("Payroll Core")
    h_policy = b.policy("Payroll Core on-call", h_team, PAYROLL[:3])
    h_svc = b.service("hq-web", "hq: the Rosterly app (Django), people, payroll, timesheets, leave", h_policy, h_team,
                      iso(start - 900 * DAY))
    s_team = b.team("SRE")
    s_policy = b.policy("SRE on-call", s_team, SRE)
    db_svc = b.service("hq-db", "hq Postgres: primary and read replicas (RDS)", s_policy, s_team,
                       iso(start - 880 * DAY))
    rp_ch = b.channel("reporting", "Reporting team: export-worker", "Reporting team", start - 640 * DAY, "ottoline")
    er_ch = b.channel("export-runs", "Nightly and on-demand export runs", "Run bot of export-worker",
                      start - 420 * DAY, "oluwaseun")
    rpg_ch = b.channel("reporting-pages", "Pages and Sentry alerts of export-worker", "PagerDuty and Sentry",
                       start - 400 * DAY, "roisin")
    pc_ch = b.channel("payroll-core", "Payroll Core: hq people, payroll, timesheets", "Payroll Core team",
                      start - 700 * DAY, "isaura")
    hr_ch = b.channel("hq-releases", "hq releases and migrations", "Release bot", start - 500 * DAY, "hallvard")
    sre_ch = b.channel("sre", "SRE: databases, on-call tooling, Sentry", "SRE team", start - 650 * DAY, "bastiaan")
    ss_ch = b.channel("sentry-sync", "error-tracking applies", "Sentry Sync posts here", start - 300 * DAY, "evander")
    db_ch = b.channel("db-upgrade-pg16", "hq-db to Postgres 16: blue/green, one replica at a time",
                      "Project channel", epoch("2025-02-24T10:00:00Z"), "dagny")
    cs_ch = b.channel("csm-team", "Customer success managers", "CSM team", start - 720 * DAY, "clementine")
    st_ch = b.channel("support-to-eng", "Support: escalations to engineering", "Support", start - 700 * DAY,
                      "gwendolyn")
    vs_ch = b.channel("third-party-status", "Status pages of our vendors", "Status feed", start - 350 * DAY, "dagny")
    e_repo = b.repo("export-worker", "Scheduled exports: payroll registers, timesheet PDFs, SFTP/email delivery "
                    "(Python, reads the hq replica)", iso(start - 820 * DAY))
    h_repo = b.repo("hq", "The Rosterly app: Django monolith (people, payroll, timesheets, leave)",
                    iso(start - 1400 * DAY))
    et_repo = b.repo("error-tracking", "Sentry projects, alert rules and filters as code; sentry-sync applies main",
                     iso(start - 420 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------
    n = sc.scale
    reporting = NoiseTeam(REPORTING, REPORTERS, e_repo, rp_ch, svc, r_policy)
    paycore_people = PAYROLL + sc.crowd[14:17]
    paycore = NoiseTeam(PAYCORE, paycore_people, h_repo, pc_ch, h_svc, h_policy)
    add_pulls(b, reporting, 70 * n, start - 60 * DAY, end)
    add_pulls(b, paycore, 95 * n, start - 60 * DAY, end)
    _hq_migrations(b, h_repo, paycore_people, 25 * n, start - 60 * DAY, end)
    sre_people = SRE + sc.crowd[17:19]
    project_svc = {"hq-web": h_svc, "hq-frontend": sc.team("web").service, "mobile-app": sc.team("mobile").service,
                   "auth": identity.service, "etl": data.service, "export-worker": svc}

    def synced(pull: dict[str, Any]) -> dict[str, Any]:
        """sentry-sync applies each merged error-tracking PR: a line in #sentry-sync and a change event."""
        at, sha7 = epoch(pull["merged_at"]) + 75, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        project = next((p for p in _PROJECTS if f"projects/{p}.yaml" in names), "hq-web")
        b.say(ss_ch, at + 4, "sentrysync", f":arrows_counterclockwise: applied error-tracking@{sha7} to Sentry: "
              f"{', '.join(names)} ({pull['title']})")
        return b.change_event(project_svc[project], f"Sentry config applied from error-tracking@{sha7}: "
                              f"{pull['title']}", at, "sentry-sync", details={"files": names})

    def on_tracking_merge(pull: dict[str, Any]) -> None:
        synced(pull)

    config_pulls(b, et_repo, sre_people + ["ottoline", "hallvard"], 45 * n, start - 60 * DAY, end, _tracking_change,
                 on_merge=on_tracking_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == e_repo][-150:]
    add_chat(b, rp_ch, REPORTERS, REPORTING.nouns, 150 * n, start, end, links=links)
    hq_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == h_repo][-150:]
    add_chat(b, pc_ch, paycore_people, PAYCORE.nouns, 150 * n, start, end, links=hq_links)
    et_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == et_repo][-80:]
    add_chat(b, sre_ch, sre_people, _SRE_NOUNS, 80 * n, start, end, links=et_links)
    add_chat(b, cs_ch, CSMS + sc.crowd[24:28], _CSM_NOUNS, 60 * n, start, end, lines=_CSM_LINES, thread_rate=0.4)
    add_chat(b, st_ch, SUPPORT + CSMS[:1] + REPORTERS[:1] + PAYROLL[2:3], _SUPPORT_NOUNS, 65 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    add_chat(b, db_ch, SRE + ["ottoline", "hallvard"], _SRE_NOUNS, 12 * n, epoch("2025-02-24T10:00:00Z"),
             epoch("2025-03-24T00:00:00Z"), thread_rate=0.4)
    for ch, joiners in ((rp_ch, REPORTERS), (er_ch, REPORTERS), (rpg_ch, ONCALL), (pc_ch, PAYROLL), (sre_ch, SRE),
                        (cs_ch, CSMS), (st_ch, SUPPORT), (hr_ch, PAYROLL + ["ottoline"]), (vs_ch, SRE + SUPPORT[:1])):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, reporting, 8 * n, start, epoch("2025-04-10"), rpg_ch)
    add_incidents(b, reporting, 1 * n, T + 3 * DAY, end, rpg_ch, incident_channels=False)
    add_incidents(b, paycore, 9 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, reporting, int(28 * n), start, end, sc.common["deploys"])
    add_deploys(b, paycore, int(45 * n), start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, er_ch, "exportbot", 2 * days * n, start, end, _export_line)
    bot_feed(b, rpg_ch, "sentry", days * n // 2, start, end, _sentry_line)
    bot_feed(b, vs_ch, "statusbot", days * n, start, end, _status_line)
    # hq release notes, two a weekday; a few carry ordinary migrations
    release_day = start - start % DAY
    while release_day < end:
        if int((release_day / DAY + 3) % 7) < 5:  # Monday-Friday
            for k, hour in enumerate((11.5, 19.0)):
                at = release_day + hour * HOUR + rng.uniform(0, 1800)
                app, title, _op, took = rng.choice(_MIGRATIONS)
                mig = (f"migrations applied: {app}.0{rng.randrange(100, 220)} ({took})" if rng.random() < 0.3
                       else "migrations: none")
                b.say(hr_ch, at, "releasebot", f":package: hq v{iso(at)[:10].replace('-', '.')}-{k + 1} deployed to "
                      f"production: {rng.randrange(2, 11)} PRs; {mig}")
        release_day += DAY
    # The retry-queue alert has always been low urgency: a customer's SFTP down for a night fills it for a day.
    for when, depth in (("2025-01-28T03:50:00Z", 118), ("2025-02-19T04:05:00Z", 104)):
        b.incident(svc, RETRY_TITLE, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=22 * HOUR, alert_key=RETRY_KEY, severity="warning",
                   alert_summary=f"export_retry_queue_depth = {depth} for 30m (low urgency)")

    # The nightly run: the old format until the skip-and-retry change, then skipped counts --------------------------
    contrib_merged = epoch("2025-03-10T14:30:00Z")
    db_week = {"2025-03-11": 17, "2025-03-12": 41, "2025-03-13": 38, "2025-03-14": 9, "2025-03-15": 22,
               "2025-03-16": 12, "2025-03-17": 6, "2025-03-18": 14}
    fix_live = T + 0.55 * HOUR
    day = start - start % DAY
    while day < end:
        d = iso(day)[:10]
        scheduled = 380 + int((day - start) / DAY * 0.35) + rng.randrange(0, 8)
        at = day + 3 * HOUR + rng.uniform(1200, 2700)
        mins = int((at - day - 2 * HOUR) / 60)
        took = f"{mins // 60}h{mins % 60:02d}m"
        if d == "2025-03-04":
            b.say(er_ch, day + 2 * HOUR + 41 * 60, "exportbot", ":x: nightly run 2025-03-04 FAILED at 02:41: SFTP "
                  "connect to sftp.ostarafit.example:22 refused (tenant Ostara Fitness); 230 of 398 exports not "
                  "attempted")
            day += DAY
            continue
        if day < contrib_merged:
            b.say(er_ch, at, "exportbot", f":white_check_mark: nightly run {d} ok: {scheduled}/{scheduled} "
                  f"delivered in {took}")
        elif d in ("2025-04-15", "2025-04-16"):
            pass  # the story's runs, below
        else:
            skipped = db_week.get(d, rng.choice((0, 0, 0, 1, 1, 2, 3)))
            m = b.say(er_ch, at, "exportbot", _run_line(d, scheduled, scheduled - skipped, skipped, took))
            if day > fix_live and T - 6 * HOUR < day < T + DAY:
                tr.add("slack", m, "context", must_see=False, group="detection", why="a normal run after the fix")
        day += DAY
    b.say(er_ch, epoch("2025-03-04T04:10:00Z"), "exportbot", ":arrow_forward: nightly run 2025-03-04 restarted by "
          "<@" + str(b.people["roisin"].slack_id) + "> (skipping tenant Ostara Fitness)")
    b.incident(svc, "[export-worker] nightly run FAILED (RunFailed)", epoch("2025-03-04T02:42:00Z"),
               responders=["roisin", "jarrah"], ack_after=420, resolve_after=2.1 * HOUR, alert_key="export-worker/run",
               notes=[("roisin", "Ostara's SFTP refuses connections, restarted the run without them", 5400.0)])

    # Mar 4-10: one tenant's firewall stops the run; failing exports are skipped and retried next night ---------------
    b.say(rp_ch, epoch("2025-03-04T09:20:00Z"), "roisin", "paged 02:42 because Ostara's SFTP refused us and the whole run "
          "died with it. reran at 04:10 minus Ostara, a dozen customers got their files 2h late")
    b.say(rp_ch, epoch("2025-03-04T09:41:00Z"), "oluwaseun", "one tenant shouldn't take the whole night down. I'll make "
          "failed exports skip and retry the next night")
    contrib = story_pull(b, e_repo, _CONTRIBUTOR, epoch("2025-03-05T11:00:00Z"), contrib_merged, "contributor",
                         review="yes please. skipped counts in the summary, and Sentry still sees the exception",
                         reviewed=epoch("2025-03-10T13:50:00Z"),
                         comments=(("zdenka", "do we page on skips at all? a skip that repeats every night is a "
                                    "customer without payroll", epoch("2025-03-06T10:12:00Z")),
                                   ("oluwaseun", "the exception still reaches Sentry and Sentry pages us. and the "
                                    "retry-queue alert is there", epoch("2025-03-06T10:40:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="made a failing export retry 3 times and then be marked 'skipped, retry tomorrow' while the run "
               "finishes ok: an export that fails every night never fails a run or pages")
    csha = contrib["merge_commit_sha"][:7]
    cev = b.change_event(svc, f"Deploy export-worker@{csha} to production", contrib_merged + 1500, "ci-deploy",
                         links=[{"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title}],
                         details={"deployer": "oluwaseun", "environment": "production"})
    b.templated.append((cev["links"][0], "href"))
    b.say(sc.common["deploys"], contrib_merged + 1502, "deploybot",
          f":rocket: export-worker `{csha}` deployed to production by <@{b.people['oluwaseun'].slack_id}>")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy of skip-and-retry",
           same_fact_as=("github", contrib))

    # Feb-Mar: pay groups become pay schedules in hq, steps 1 and 2 ------------------------------------------------
    story_pull(b, h_repo, _EXPAND, epoch("2025-02-11T10:00:00Z"), epoch("2025-02-18T15:10:00Z"), "expand",
               review="nice plan")
    b.say(pc_ch, epoch("2025-02-18T15:30:00Z"), "hallvard", "PAY-612 1/3 is in: pay_schedules exist and employees are "
          "dual-written. 2/3 (moving reads) in march, then we drop pay_group_id")

    # Mar 10-19: the replicas move to Postgres 16; Sentry pages Reporting at night ----------------------------------
    db_lines = (("2025-03-10T16:00:00Z", "dagny", "plan for this week: replica-2 goes to the green PG16 instance "
                 "tonight 01:30 UTC, replica-1 thursday, primary switchover the week after"),
                ("2025-03-11T08:30:00Z", "bastiaan", "green replica-2 was built with hot_standby_feedback off, that's "
                 "the 'conflict with recovery' cancellations on the long report queries. fixing the parameter group"),
                ("2025-03-12T07:50:00Z", "dagny", "flipped replica-2 back to blue at 02:05 for the lag, flipped to green "
                 "again 03:00. expect connection drops on each flip"),
                ("2025-03-13T09:10:00Z", "evander", "pg_trgm wasn't installed on green, similarity() missing. "
                 "installed 08:55"),
                ("2025-03-17T08:20:00Z", "dagny", "replica-1 on PG16 since 01:40, restarted twice for the parameter "
                 "group (AdminShutdown in a few apps)"),
                ("2025-03-19T17:30:00Z", "dagny", "all replicas on 16.4 and stable. primary switchover is scheduled "
                 "for march 26 03:00"),
                ("2025-03-26T04:10:00Z", "dagny", "primary on PG16, switchover took 41s. done :tada:"))
    for when, who, text in db_lines:
        b.say(db_ch, epoch(when), who, text)
    noisy_at = (("2025-03-11T02:37:00Z", "SerializationFailure: canceling statement due to conflict with recovery"),
                ("2025-03-12T02:12:00Z", "OperationalError: consuming input failed: server closed the connection "
                 "unexpectedly"),
                ("2025-03-12T03:05:00Z", "SerializationFailure: canceling statement due to conflict with recovery"),
                ("2025-03-13T02:48:00Z", "UndefinedFunction: function similarity(text, text) does not exist"),
                ("2025-03-14T02:21:00Z", "SerializationFailure: canceling statement due to conflict with recovery"),
                ("2025-03-15T02:30:00Z", "OperationalError: consuming input failed: server closed the connection "
                 "unexpectedly"),
                ("2025-03-16T03:14:00Z", "SerializationFailure: canceling statement due to conflict with recovery"),
                ("2025-03-17T02:09:00Z", "AdminShutdown: terminating connection due to administrator command"),
                ("2025-03-18T02:26:00Z", "SerializationFailure: canceling statement due to conflict with recovery"))
    notes = ("replica-2 flip, exports retry tomorrow night on their own. nothing for us, resolving",
             "DB upgrade again (see #db-upgrade-pg16). skipped exports go out tomorrow")
    for i, (when, err) in enumerate(noisy_at):
        at = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        b.say(rpg_ch, at - 50, "sentry", f":red_circle: Sentry *Alert* export-worker errors: `psycopg.errors."
              f"{err}` in export_worker.runs.nightly ({rng.randrange(20, 140)} events in 1h)"
              if not err.startswith("OperationalError") else
              f":red_circle: Sentry *Alert* export-worker errors: `psycopg.{err}` in export_worker.db "
              f"({rng.randrange(20, 90)} events in 1h)")
        inc = b.incident(svc, SENTRY_PREFIX + err.split(":")[0], at, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=240 + 20 * i, resolve_after=1300 + 100 * i, handle=f"noisy{i}",
                         alert_key=SENTRY_KEY, alert_summary=f"psycopg {err} (export_worker, hq-db-replica-2)",
                         notes=[(who, notes[i % 2], 900.0)] if i % 3 != 2 else None)
        b.say(rpg_ch, at + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{inc['title']}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages from the replica move to PG16 that led to the Sentry filter")
    grumbles = (("2025-03-11T08:45:00Z", "jarrah", "paged 02:37: conflict with recovery on the replica. the DB "
                 "upgrade, see #db-upgrade-pg16. 17 exports skipped, they go out tomorrow"),
                ("2025-03-13T09:30:00Z", "zdenka", "third night. 02:48 this time, similarity() doesn't exist on the new "
                 "replica :sleeping:"),
                ("2025-03-16T10:05:00Z", "roisin", "03:14 again. I can't fix a replica from my bed"),
                ("2025-03-18T08:50:00Z", "oluwaseun", "can we stop Sentry paging us for the DB upgrade? it's replica "
                 "switchovers and recovery conflicts every night, nothing on our side to do"),
                ("2025-03-18T09:15:00Z", "ottoline", "asked SRE, evander will filter the psycopg errors out of our "
                 "alert while the upgrade runs"))
    for when, who, text in grumbles:
        m = b.say(rp_ch, epoch(when), who, text)
        if "can we stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="Reporting asks to stop the Sentry night pages during the database upgrade")

    # Mar 19: export-worker's Sentry alert leaves out every psycopg error ------------------------------------------
    weak = story_pull(b, et_repo, _WEAKENING, epoch("2025-03-18T09:50:00Z"), epoch("2025-03-19T11:15:00Z"), "weakening",
                      review="ok for the upgrade. should we take it out again when it's done?",
                      reviewed=epoch("2025-03-19T10:50:00Z"),
                      review_comments=(("bastiaan", "`psycopg.errors.*` is every SQLSTATE class, not just the "
                                        "replica ones. fine because they're all server-side?", "projects/export-worker.yaml",
                                        27, epoch("2025-03-18T13:20:00Z")),),
                      comments=(("evander", "they're all raised by the server, not our code. I'll narrow it after "
                                 "the upgrade (SRE-905)", epoch("2025-03-18T13:45:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="left psycopg.OperationalError and every psycopg.errors.* exception out of export-worker's Sentry "
               "alert: UndefinedColumn is recorded but pages no one and posts nowhere")
    wev = synced(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="sentry-sync applying the filter", same_fact_as=("github", weak))
    b.say(rp_ch, epoch("2025-03-19T11:40:00Z"), "evander",
          "merged {{url:weakening}}: psycopg errors no longer page export-worker, Sentry still has them",
          template=True)
    b.say(sre_ch, epoch("2025-03-31T10:00:00Z"), "evander", "SRE-905 (narrow the export-worker psycopg filter) moved to "
          "next sprint, the PG16 retro ate this one")

    # Mar 20-27: hq moves the reads; the warehouse follows --------------------------------------------------------
    story_pull(b, h_repo, _MOVE_READS, epoch("2025-03-20T10:00:00Z"), epoch("2025-03-25T14:00:00Z"), "move_reads",
               review="lgtm", comments=(("kazimierz", "grep is clean. anything outside hq reading pay_group_id?",
                                         epoch("2025-03-21T09:30:00Z")),
                                        ("hallvard", "the warehouse, I'll do the dbt side with data",
                                         epoch("2025-03-21T09:52:00Z"))))
    story_pull(b, data.repo, _DBT, epoch("2025-03-26T10:00:00Z"), epoch("2025-03-27T16:20:00Z"), "dbt", review="thanks")
    old_query = b.pull(e_repo, "zdenka", "Payroll register: add cost_center column for Brightmart (EXP-361)",
                       "Brightmart's payroll provider maps cost centers per employee. New column after pay_frequency.",
                       epoch("2025-01-21T10:00:00Z"), merged=epoch("2025-01-22T15:00:00Z"), merged_by="ottoline",
                       files=change_files((("export_worker/queries/payroll_register.sql", """@@ -5,9 +5,11 @@ SELECT
     pg.code                  AS pay_group,
     pg.frequency             AS pay_frequency,
+    cc.code                  AS cost_center,
     SUM(t.regular_minutes)   AS regular_minutes,
     SUM(t.overtime_minutes)  AS overtime_minutes
 FROM employees e
 LEFT JOIN pay_groups pg ON pg.id = e.pay_group_id
+LEFT JOIN cost_centers cc ON cc.id = e.cost_center_id
 JOIN timesheet_entries t ON t.employee_id = e.id"""),)),
                       labels=["queries"], reviews=[("ottoline", "APPROVED", "", epoch("2025-01-22T14:30:00Z"))])
    tr.add("github", old_query, "context", must_see=False, group="cause",
           why="the payroll register query in export-worker joins pay_groups on employees.pay_group_id")
    b.say(pc_ch, epoch("2025-03-25T14:30:00Z"), "hallvard", "PAY-612 2/3 merged: nothing in hq reads or writes "
          "pay_group_id. drop goes out after two clean weeks")
    # Apr 8: another column drop in hq, unrelated
    b.pull(h_repo, "wilhelmina", "Contract: drop timesheet_entries.legacy_shift_code (TS-88 3/3)",
           "Nothing reads it since TS-88 2/3 in February.", epoch("2025-04-07T10:00:00Z"),
           merged=epoch("2025-04-08T11:20:00Z"), merged_by="kazimierz",
           files=change_files((("hq/timesheets/migrations/0214_drop_legacy_shift_code.py", """@@ -0,0 +1,5 @@
+class Migration(migrations.Migration):
+    dependencies = [("timesheets", "0213_shift_breaks_paid")]
+    operations = [
+        migrations.RemoveField(model_name="timesheetentry", name="legacy_shift_code"),
+    ]"""),)), labels=["migration"], reviews=[("kazimierz", "APPROVED", "lgtm", epoch("2025-04-08T10:40:00Z"))],
           handle="decoy_drop")

    # Apr 14: the paramiko bump in the morning and the replica parameter in the afternoon (red herrings) -----------
    sftp = story_pull(b, e_repo, _DECOY_SFTP, epoch("2025-04-10T13:00:00Z"), epoch("2025-04-14T09:50:00Z"), "decoy_sftp",
                      review="lgtm")
    ssha = sftp["merge_commit_sha"][:7]
    b.change_event(svc, f"Deploy export-worker@{ssha} to production", epoch("2025-04-14T10:12:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{e_repo}/commit/{ssha}", "text": ssha}],
                   details={"deployer": "jarrah", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-04-14T10:12:02Z"), "deploybot",
          f":rocket: export-worker `{ssha}` deployed to production by <@{b.people['jarrah'].slack_id}>")
    dbp = story_pull(b, platform.repo, _DECOY_DB, epoch("2025-04-11T09:00:00Z"), epoch("2025-04-14T15:40:00Z"), "decoy_db",
                     review="ok, report queries are well under 30s")
    dev = b.change_event(db_svc, "terraform apply: aws_db_parameter_group.hq_replica_pg16 "
                         "(max_standby_streaming_delay)", epoch("2025-04-14T16:05:00Z"), "atlantis",
                         links=[{"href": "{{url:decoy_db}}", "text": dbp["title"]}],
                         details={"applied_by": "bastiaan", "resources": 1})
    b.templated.append((dev["links"][0], "href"))
    b.say(sre_ch, epoch("2025-04-14T16:10:00Z"), "bastiaan", "replicas now cancel conflicting queries after 30s "
          "instead of 5 min ({{url:decoy_db}}). shout if a report breaks", template=True)

    # Apr 14 evening: the contract step ships -------------------------------------------------------------------
    b.say(pc_ch, epoch("2025-04-14T13:05:00Z"), "hallvard", "PAY-612 3/3 (drop pay_group_id + pay_groups) goes out with "
          "tonight's deploy. two weeks without a single read on the primary")
    b.say(pc_ch, epoch("2025-04-14T13:20:00Z"), "isaura", ":shipit:")
    trig = story_pull(b, h_repo, _TRIGGER, epoch("2025-04-09T10:30:00Z"), epoch("2025-04-14T22:31:00Z"), "trigger",
                      review="lgtm. 14 days of pg_stat_statements is convincing", reviewed=epoch("2025-04-14T21:55:00Z"),
                      review_comments=(("isaura", "anyone outside hq with raw SQL on employees? reporting?",
                                        "hq/people/migrations/0188_drop_pay_group.py", 13, epoch("2025-04-10T09:15:00Z")),),
                      comments=(("hallvard", "nothing in pg_stat_statements for pay_group_id, and the warehouse moved. "
                                 "we're clear", epoch("2025-04-10T09:40:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="dropped employees.pay_group_id and the pay_groups table, which export-worker's payroll register "
               "query still joins: every payroll register export fails with UndefinedColumn")
    deployed = epoch("2025-04-14T22:51:00Z")
    ship_trigger(sc, h_svc, "hq", trig, _TRIGGER, deployed, "hallvard")
    rel = b.say(hr_ch, deployed + 40, "releasebot", ":package: hq v2025.04.14-3 deployed to production: 4 PRs; "
                "migrations applied: people.0188_drop_pay_group (0.04s)")
    tr.add("slack", rel, "trigger", must_see=False, group="cause", why="the release bot: the drop migration applied",
           same_fact_as=("github", trig))

    # Apr 15: the first night --------------------------------------------------------------------------------------
    fb = b.say(vs_ch, epoch("2025-04-15T02:20:00Z"), "statusbot", ":satellite: *Filebridge* · Investigating: elevated "
               "SFTP connection failures on the US-East gateway")
    b.say(vs_ch, epoch("2025-04-15T04:05:00Z"), "statusbot", ":satellite: *Filebridge* · Resolved: SFTP connection "
          "failures on the US-East gateway, 02:11-03:52 UTC")
    tr.add("slack", fb, "context", must_see=False, group="cause",
           why="a vendor SFTP incident the same night, a red herring")
    run1 = b.say(er_ch, epoch("2025-04-15T03:41:00Z"), "exportbot", _run_line("2025-04-15", 414, 291, 123, "1h41m"))
    tr.add("slack", run1, "early_signal", must_see=True, group="detection",
           why="the run bot reports 123 exports skipped the first night after the drop, against 0-3 usually; nobody "
               "reacts")
    b.say(er_ch, epoch("2025-04-15T03:41:30Z"), "exportbot", ":repeat: 123 exports in retry queue: payroll_register "
          "×123 (skip reason UndefinedColumn ×123)")
    low = b.incident(svc, RETRY_TITLE, epoch("2025-04-15T03:55:00Z"), urgency="low", responders=[], notify=False,
                     ack_after=None, resolve_after=fix_live + 1.2 * HOUR - epoch("2025-04-15T03:55:00Z"),
                     alert_key=RETRY_KEY, severity="warning",
                     alert_summary="export_retry_queue_depth = 123 for 30m (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the retry-queue alert opened a low-urgency incident two hours in; it paged no one and stayed open")
    b.say(rpg_ch, epoch("2025-04-15T03:55:10Z"), "alertmanager", ":large_yellow_circle: *[FIRING]* ExportRetryQueueHigh "
          "export_retry_queue_depth=123 (low urgency)")
    b.say(rp_ch, epoch("2025-04-15T09:05:00Z"), "jarrah", "123 skipped last night, Filebridge had an SFTP incident "
          "02:11-03:52. they'll go out tonight")
    t1 = b.say(st_ch, epoch("2025-04-15T12:30:00Z"), "ezinne", "ticket from Northgate Haulage: nightly payroll CSV "
               "missing from their SFTP this morning. export history says 'skipped, will retry'. told them it goes "
               "out tonight")
    tr.add("slack", t1, "customer_report", must_see=False, group="reports",
           why="the first customer ticket, answered with 'it retries tonight'")
    ask = b.say(sc.common["eng-help"], epoch("2025-04-15T14:10:00Z"), "clementine",
                "CSM question: Larchmont Hotels says this morning's payroll register never showed up on their SFTP. "
                "their IT says nothing changed on their side. anything going on with exports? status page is green")
    tr.add("slack", ask, "early_signal", must_see=True, group="reports",
           why="a CSM asks engineering about a missing payroll register; it is put down to the vendor's SFTP "
               "incident")
    b.say(sc.common["eng-help"], epoch("2025-04-15T14:31:00Z"), "oluwaseun", "Filebridge had an SFTP incident overnight, "
          "skipped exports retry tonight at 02:00. should be there tomorrow morning", parent=ask)
    b.say(sc.common["eng-help"], epoch("2025-04-15T14:35:00Z"), "clementine", "thanks, will tell them", parent=ask)
    b.incident(identity.service, "[auth-service] OAuth provider errors", epoch("2025-04-15T16:20:00Z"),
               responders=identity.members[:2], ack_after=180, resolve_after=40 * 60,
               alert_key="auth-service/OAuth provider errors",
               notes=[(identity.members[0], "Okta latency, recovered on its own", 1800.0)])

    # Apr 16: the second night, the customers, the page ------------------------------------------------------------
    run2 = b.say(er_ch, epoch("2025-04-16T03:44:00Z"), "exportbot", _run_line("2025-04-16", 419, 288, 131, "1h44m"))
    tr.add("slack", run2, "early_signal", must_see=False, group="detection",
           why="the second night: 131 skipped, the retried ones skipped again")
    b.say(er_ch, epoch("2025-04-16T03:44:30Z"), "exportbot", ":repeat: 131 exports in retry queue: payroll_register "
          "×131 (skip reason UndefinedColumn ×131; 123 skipped twice)")
    b.say(cs_ch, epoch("2025-04-16T08:40:00Z"), "augustin", "Pinecrest's HR director emailed me directly: no payroll file "
          "two mornings running, their provider needs it today. anyone else hearing this?")
    b.say(st_ch, epoch("2025-04-16T09:15:00Z"), "rufus", "Larchmont again, second morning without the payroll register. "
          "export history: 'skipped, will retry' both nights")
    b.say(st_ch, epoch("2025-04-16T11:50:00Z"), "ezinne", "Brightmart, Quayside and Elmstead now too. all payroll "
          "registers, nobody mentions timesheet PDFs")
    b.incident(platform.service, "[k8s-cluster] disk pressure on nodes", epoch("2025-04-16T10:30:00Z"),
               responders=platform.members[:2], ack_after=200, resolve_after=50 * 60,
               alert_key="k8s-cluster/disk pressure on nodes",
               notes=[(platform.members[0], "image cache on two nodes, pruned", 1500.0)])
    e_at = epoch("2025-04-16T14:35:00Z")
    report = b.say(st_ch, e_at, "gwendolyn",
                   "escalating: 14 enterprise tenants are missing their nightly payroll register two mornings running "
                   "(Brightmart, Larchmont, Pinecrest, Northgate, Quayside, Elmstead...). export history shows "
                   "'skipped, will retry' both nights. Brightmart's and Larchmont's payroll providers close input at "
                   "17:00 UTC today for friday's pay. who is on call for exports?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="the support lead escalates: enterprise customers' scheduled payroll exports never arrived, two "
               "nights running, hours before their payroll cutoff")
    b.say(st_ch, e_at + 300, "clementine", "Larchmont was mine yesterday, I was told it was a vendor SFTP thing",
          parent=report)
    b.say(st_ch, e_at + 1500, "gwendolyn", "nobody in #reporting yet, paging export-worker", parent=report)
    page_by_hand(b, tr, svc, "Enterprise payroll register exports not delivered two nights running (14 tenants, cutoff "
                             "17:00 UTC)", T,
                 responders=ONCALL, ack_after=150, resolve_after=2.4 * HOUR, manual_by="gwendolyn",
                 description="Support: scheduled payroll register exports have not reached 14 enterprise "
                             "customers' SFTP on Apr 15 and Apr 16; export history says skipped. Payroll cutoff "
                             "17:00 UTC today.",
                 notes=[("roisin", "every payroll_register export fails with UndefinedColumn "
                                   "(e.pay_group_id) since hq dropped the column Apr 14 22:51; skipped and "
                                   "retried nightly", 1000.0),
                        ("ottoline", "query fixed, 131 skipped exports requeued and delivered", 4600.0)],
                 relay=rpg_ch, why="the support lead pages Reporting by hand, thirty-seven hours after the first export failed")

    inc_ch = b.channel("inc-0416-payroll-exports", "Incident: payroll register exports not delivered",
                       "Incident response", T + 60, "ottoline")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "gwendolyn", "incident {{incurl:page}}: scheduled payroll registers haven't reached customers two nights "
                         "in a row. 14 enterprise tenants so far, Brightmart and Larchmont need theirs before 17:00 UTC"),
        (60, "ottoline", "looking. #export-runs has 123 skipped on the 15th and 131 on the 16th"),
        (130, "oluwaseun", "Filebridge had an SFTP incident the first night, 02:11-03:52. my bet"),
        (200, "roisin", "not Filebridge: 291 uploads went through it fine that night and the skipped ones never got "
                        "to upload. they fail in build_export"),
        (270, "jarrah", "I shipped the paramiko bump monday morning ({{pr:decoy_sftp}}). host key negotiation?"),
        (330, "ottoline", "same answer, they never open an SFTP connection. and it's only payroll_register, timesheet "
                          "PDFs and headcount go out fine"),
        (400, "dagny", "SRE: the replicas cancel conflicting queries after 30s since monday 16:05 ({{pr:decoy_db}}). "
                       "cancelled queries?"),
        (470, "roisin", "no, that'd be SerializationFailure. skip reason is `UndefinedColumn: column e.pay_group_id "
                        "does not exist` on every attempt, 30ms in"),
        (540, "isaura", "oh no. pay_group_id was dropped in {{url:trigger}}, deployed monday 22:51. step 3 of the pay "
                        "schedules move. we checked hq and the dbt models, not export-worker's SQL"),
        (610, "hallvard", "mine. I looked for readers in pg_stat_statements on the primary, and export-worker reads "
                          "the replica"),
        (680, "roisin", "fixing the query to join pay_schedules, CSV column stays pay_group: {{url:fix}}"),
        (760, "gwendolyn", "why did it take two days and a support lead to notice?"),
        (830, "ottoline", "since {{pr:contributor}} a failing export is retried 3x and marked skipped for the next "
                          "night instead of failing the run. the run 'finishes', the bot posts a count, nothing pages"),
        (900, "evander", "and Sentry has had the UndefinedColumn issue since 02:04 on the 15th, 1,900 events, but "
                         "error-tracking PR {{num:weakening}} took psycopg.errors.* out of export-worker's alert for "
                         "the PG16 move. my glob, too wide, and SRE-905 never happened"),
        (960, "zdenka", "the retry-queue alert did fire, low urgency, open since 03:55 yesterday"),
        (1700, "roisin", "fix merged, deploying"),
        (2300, "roisin", "exportctl requeue --status skipped --since 2025-04-15: 131 queued"),
        (3300, "ottoline", "131/131 delivered. Brightmart and Larchmont confirmed they have the files"),
        (3700, "gwendolyn", "customers told, macro updated. thanks all"),
        (4500, "ottoline", "follow-ups: page when an export is skipped two nights running, narrow the Sentry filter, "
                           "and hq migrations that drop columns get a Reporting reviewer and our schema test"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the skipped exports to the hq column drop, after the SFTP vendor, the paramiko "
                     "deploy and the replica parameter were ruled out",
             weakening="a responder explains why Sentry never alerted on UndefinedColumn",
             contributor="a responder: failing exports are skipped and retried instead of failing the run")

    # The fix, its deploy, the requeue; then the Sentry filter is narrowed ---------------------------------------------
    fix = story_pull(b, e_repo, _FIX, T + 0.2 * HOUR, T + 0.45 * HOUR, "fix", review="ship it",
                     reviewed=T + 0.43 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="the payroll register query joins pay_schedules on pay_schedule_id instead of the dropped "
               "pay_group_id; skipped exports are requeued")
    fsha = fix["merge_commit_sha"][:7]
    fdep = b.change_event(svc, f"Deploy export-worker@{fsha} to production", fix_live, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "roisin", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(sc.common["deploys"], fix_live + 2, "deploybot",
          f":rocket: export-worker `{fsha}` deployed to production by <@{b.people['roisin'].slack_id}>")
    rq = b.say(er_ch, T + 2450, "exportbot", ":arrow_forward: requeue by <@" + str(b.people["roisin"].slack_id)
               + ">: 131 skipped exports (payroll_register) queued")
    b.say(er_ch, T + 3390, "exportbot", ":white_check_mark: requeue finished: 131 delivered · 0 skipped")
    tr.add("slack", rq, "fix", must_see=False, group="cause", why="the skipped exports requeued after the fix")
    follow = story_pull(b, et_repo, _FOLLOW, T + 19 * HOUR, T + 24 * HOUR, "follow", review="yes")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="psycopg errors page export-worker again, and schema errors page at once")
    synced(follow)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [rp_ch, st_ch, sc.common["deploys"]], svc, REPORTERS[:3], e_repo,
        titles=("Runbook: skipped exports and schema changes in hq",
                "Nightly run: page when the same export is skipped two nights running"),
        doc=("Exports and the hq schema", "export-worker reads the hq replica with raw SQL: column drops in hq need "
             "a Reporting review."),
        doc_path="docs/runbooks/skipped-exports-{n}.md",
        test_fire="[export-worker] Export skipped two nights running (test fire)")
    return world, tr.to_dict()
