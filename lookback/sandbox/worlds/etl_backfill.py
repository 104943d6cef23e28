"""World "etl-backfill": a pipeline-config change points the orders load at a lake layout that exists only in
staging. The load stalls silently for two days: its freshness check had been deleted after a "flaky check" thread,
and partition sensors soft-fail instead of failing. An analyst asks in #data-questions; a finance job's alert on
another service finally pages; the fix is a revert of the config PR."""

from __future__ import annotations

import random
from typing import Any

from lookback.sandbox.worlds.builder import epoch, iso
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import DAY, NoiseTeam, TeamSpec, add_chat, add_incidents, add_joins, add_pulls
from lookback.sandbox.worlds.scaffold import (
    HOUR,
    ConfigChange,
    bot_feed,
    config_pulls,
    open_scene,
    story_pull,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

PLATFORM = TeamSpec("dataplat", "Data Platform", "orchestrator", "orchestrator", "data-platform",
                    ("dags", "sensors", "operators", "lineage"),
                    ("partition sensor", "dbt build", "backfill job", "DAG schedule", "warehouse load",
                     "lineage graph", "task pool", "S3 hook", "dbt snapshot"),
                    ("scheduler heartbeat missing", "worker pool saturated", "DAG failed: inventory_snapshots",
                     "metadata DB connections high", "DAG failed: carrier_events"), "py")
QUALITY = TeamSpec("dq", "Data Platform", "orchestrator", "data-quality", "data-platform",
                   ("checks", "suites", "dashboards"),
                   ("freshness check", "row count check", "blocking suite", "dashboard tile", "check owner",
                    "schema check", "anomaly threshold"), (), "py")
PAYOUTS = TeamSpec("payouts", "Finance Engineering", "partner-payouts", "partner-payouts", "finance-eng",
                   ("payouts", "statements", "exports"),
                   ("payout file", "seller statement", "bank export", "fee calculation", "payout hold",
                    "SEPA batch"), ("bank export rejected", "statement job late", "payout file generation slow"), "py")

STAFF = (("yusuf", "Yusuf Demir"), ("marisol", "Marisol Vega"), ("teodor", "Teodor Popescu"),
         ("akua", "Akua Boateng"), ("lennart", "Lennart Sjoberg"), ("wanjiru", "Wanjiru Kamau"),
         ("bastian", "Bastian Krug"))
OUTSIDERS = (("noor", "Noor Rahman"), ("hollis", "Hollis Grant"), ("imogen", "Imogen Castillo"),
             ("pranav", "Pranav Iyer"))
DATA = ["yusuf", "marisol", "teodor", "akua", "lennart"]
FINANCE = ["wanjiru", "bastian"]
ANALYSTS = ["noor", "hollis", "imogen", "pranav"]

_PIPELINES = (("inventory", "inventory_snapshots"), ("marketing", "marketing_spend"), ("web", "web_sessions"),
              ("orders", "refunds"), ("logistics", "carrier_events"), ("finance", "seller_ledger"),
              ("search", "search_clicks"), ("support", "support_tickets"), ("logistics", "warehouse_scans"),
              ("marketing", "promo_redemptions"), ("orders", "order_items"), ("finance", "fx_rates"))
_DAGS = tuple(name for _, name in _PIPELINES)
_TABLES = tuple(f"analytics.{n}" for n in _DAGS) + ("analytics.fct_orders", "analytics.dim_sellers")
_QUESTIONS = (
    "which table has {noun} by day?", "why does the {noun} dashboard differ from finance's numbers?",
    "is {noun} in UTC or local time?", "the {noun} explore is timing out for me",
    "can someone give me access to the {noun} schema?", "is there a doc for {noun}?",
    "numbers for {noun} look a bit off since the weekend, known?", "how fresh is {noun} usually?",
    "what's the grain of {noun}? one row per order or per item?", "who owns {noun}?",
    "any plans to backfill {noun} before 2021?", "is {noun} deduplicated already?",
)
_ANSWERS = ("it's in analytics, one row per order", "ask in the thread, {other} knows", "should be fixed after tonight's run",
            "known, the source was late", "that's a looker cache thing, clear it", "granted", "UTC everywhere",
            "I'll look after standup", "there's a doc in the data catalog", "it loads around 03:00 UTC")
_NOUNS = ("fct_orders", "dim_sellers", "web_sessions", "refunds", "seller payouts", "marketing spend",
          "inventory snapshots", "GMV", "conversion funnel", "carrier events", "promo redemptions")


def _pipeline_change(rng: random.Random) -> ConfigChange:
    domain, name = rng.choice(_PIPELINES)
    path = f"pipelines/{domain}/{name}.yaml"
    ticket = f"DATA-{rng.randrange(200, 900)}"
    k = rng.random()
    if k < 0.22:
        a, c = rng.choice(((1, 2), (2, 3), (3, 5)))
        return (f"{name}: retries {a} -> {c}", f"{name} fails on transient S3 503s a few times a week. {ticket}",
                [yaml_file(path, yaml_patch(14, "load:", ["   retries:", f"-    count: {a}", f"+    count: {c}",
                                                          "     backoff: exponential"]))])
    if k < 0.42:
        h1, h2 = rng.sample(range(1, 7), 2)
        m = rng.choice((0, 15, 30, 45))
        return (f"{name}: run at {h2:02d}:{m:02d} UTC", f"Moves {name} out of the {h1:02d}:00 crunch on the default pool.",
                [yaml_file(path, yaml_patch(3, f"pipeline: {name}", [" owner: data-platform", f'-schedule: "0 {h1} * * *"',
                                                                     f'+schedule: "{m} {h2} * * *"', " upstream:"]))])
    if k < 0.58:
        a, c = rng.choice(((4, 6), (6, 8), (8, 12), (12, 6)))
        return (f"{name}: SLA {a}h -> {c}h", f"Consumers agreed to the new SLA in {ticket}.",
                [yaml_file(path, yaml_patch(20, "sla:", [" sla:", f"-  hours: {a}", f"+  hours: {c}",
                                                         "   notify: slack:#airflow-notifications"]))])
    if k < 0.72:
        a, c = rng.choice(((90, 400), (400, 730), (30, 90), (730, 365)))
        return (f"{name}: keep {c} days of partitions", f"Retention change requested by analytics ({ticket}).",
                [yaml_file(path, yaml_patch(9, "partition:", [" partition:", "   granularity: day",
                                                              f"-  retention_days: {a}", f"+  retention_days: {c}"]))])
    if k < 0.84:
        pool = rng.choice(("heavy", "default", "nightly-batch", "finance"))
        return (f"{name}: move to the {pool} pool", f"Queue time on the old pool was 40m+ at night. {ticket}",
                [yaml_file(path, yaml_patch(17, "load:", [" load:", "-  pool: default" if pool != "default" else "-  pool: heavy",
                                                          f"+  pool: {pool}", "   mode: incremental"]))])
    if k < 0.93:
        body = "\n".join(["+pipeline: " + name + "_v2", "+owner: data-platform", '+schedule: "30 3 * * *"',
                          "+shadow: true", "+upstream:", "+  sensor: partition",
                          f"+  path: s3://hl-lake/raw/{name}/ds={{{{ ds }}}}/_SUCCESS", "+load:",
                          "+  mode: incremental", "+  partitions_per_run: 1"])
        return (f"Add {name}_v2 pipeline (shadow mode)", f"Shadow run next to {name} for two weeks, writes to `shadow.*`.",
                [yaml_file(f"pipelines/{domain}/{name}_v2.yaml", "@@ -0,0 +1,10 @@\n" + body, "added")])
    team = rng.choice(("analytics-eng", "finance-data", "growth-data", "data-platform"))
    return (f"{name}: transfer ownership to {team}", f"As agreed in the data council. {ticket}",
            [yaml_file(path, yaml_patch(2, f"pipeline: {name}", ["-owner: data-platform", f"+owner: {team}",
                                                                 ' schedule: "0 3 * * *"']))])


def _airflow_line(rng: random.Random, t: float) -> str:
    dag, task = rng.choice(_DAGS), rng.choice(("load", "transform", "wait_for_raw_partition", "dbt_build", "export"))
    run = iso(t - DAY)[:10]
    k = rng.random()
    if k < 0.35:
        h = rng.choice((2, 4, 6))
        return f":hourglass_flowing_sand: SLA miss: `{dag}.{task}` (run {run}) is still running after {h}h (SLA {h}h)"
    if k < 0.65:
        err = rng.choice(("S3 503 SlowDown", "warehouse lock timeout", "worker lost heartbeat", "OOMKilled"))
        return f":repeat: `{dag}.{task}` up for retry (attempt 2/3): {err}"
    if k < 0.9:
        return f":white_check_mark: `{dag}` run {run} succeeded after {rng.randrange(1, 3)} retries"
    return f":white_circle: `{dag}.{task}` skipped (upstream_failed), run {run}"


def _dq_line(rng: random.Random, t: float) -> str:
    table = rng.choice(_TABLES)
    k = rng.random()
    if k < 0.6:
        return f":large_green_circle: scan passed: {table} ({rng.randrange(3, 14)} checks)"
    if k < 0.85:
        return f":warning: check warned: {table} row count {rng.randrange(12, 45)}% below 7-day average"
    col = rng.choice(("utm_source", "carrier_code", "seller_tier", "refund_reason"))
    return f":red_circle: check failed: {table} schema changed: column `{col}` added"


_TRIGGER = Change(
    author="akua", reviewer="teodor", labels=("config", "orders"),
    title="orders_events: read the hourly lake layout (dt=/hour=)",
    body="The lake team moved raw events to `dt=YYYYMMDD/hour=HH` (announced in #data-platform). This points "
         "orders_events at the new layout and switches it to hourly partitions so we can go intraday next quarter.\n\n"
         "- `upstream.path`: `ds=` -> `dt=/hour=*`\n- sensor timeout 6h -> 48h, hourly folders land late at night\n"
         "- partition field `event_date` -> `event_ts`, granularity hour\n\n"
         "Validated with `orchestrator validate pipelines/orders/orders_events.yaml --env staging`: green.",
    files=(("pipelines/orders/orders_events.yaml", """@@ -2,16 +2,16 @@ pipeline: orders_events
 owner: data-platform
 schedule: "15 2 * * *"
 upstream:
   sensor: partition
-  path: s3://hl-lake/raw/orders_events/ds={{ ds }}/_SUCCESS
-  timeout_hours: 6
+  path: s3://hl-lake/raw/orders_events/dt={{ ds_nodash }}/hour=*/_SUCCESS
+  timeout_hours: 48
 partition:
-  field: event_date
-  granularity: day
+  field: event_ts
+  granularity: hour
 load:
   mode: incremental
   partitions_per_run: 1
   target: analytics.orders_events"""),),
)

_REVERT_PATCH = """@@ -2,16 +2,16 @@ pipeline: orders_events
 owner: data-platform
 schedule: "15 2 * * *"
 upstream:
   sensor: partition
-  path: s3://hl-lake/raw/orders_events/dt={{ ds_nodash }}/hour=*/_SUCCESS
-  timeout_hours: 48
+  path: s3://hl-lake/raw/orders_events/ds={{ ds }}/_SUCCESS
+  timeout_hours: 6
 partition:
-  field: event_ts
-  granularity: hour
+  field: event_date
+  granularity: day
 load:
   mode: incremental
   partitions_per_run: 1
   target: analytics.orders_events"""

_WEAKENING_FILES = (
    ("checks/orders/orders_events.yml", """@@ -1,17 +0,0 @@
-# Freshness and volume of analytics.orders_events (raw lake -> warehouse)
-table: analytics.orders_events
-owner: data-platform
-checks:
-  - freshness(loaded_at):
-      name: orders_events is fresh
-      warn: when > 26h
-      fail: when > 36h
-  - row_count same as 7 days ago within 40%:
-      name: orders_events daily volume
-  - missing_count(order_id) = 0
-alerts:
-  on_warn: slack:#dq-alerts
-  on_fail: pagerduty:data-platform
-blocking:
-  - dbt build marts.finance
-  - dbt build marts.ops"""),
    ("suites/blocking.yml", """@@ -6,7 +6,6 @@ suites:
   marts:
     - checks/orders/order_items.yml
-    - checks/orders/orders_events.yml
     - checks/orders/refunds.yml
     - checks/finance/seller_ledger.yml"""),
    ("dashboards/platform_health.yml", """@@ -41,3 +41,8 @@ tiles:
   - title: dbt build duration (p90)
     query: select p90_minutes from ops.dbt_runs_daily
+  - title: orders_events freshness (hours since last load)
+    query: select extract(epoch from now() - max(loaded_at)) / 3600 from analytics.orders_events
+    thresholds: {warn: 26, bad: 36}
+    # informational only since the check was removed, see the #data-platform thread"""),
)

_CONTRIBUTOR = Change(
    author="teodor", reviewer="yusuf", labels=("sensors",),
    title="Partition sensors: skip the run on timeout instead of failing the DAG",
    body="When an upstream source is late the sensor times out, the DAG fails, on-call gets paged and every mart "
         "downstream is blocked until someone clears the run by hand. Nine times out of ten the partition shows up "
         "an hour later.\n\nWith `soft_fail=True` a timed-out sensor marks its run *skipped*; the next scheduled run "
         "carries on. Failures of the load itself still page.\n\nCloses DATA-412.",
    files=(("orchestrator/sensors/partition.py", """@@ -27,11 +27,14 @@ from airflow.sensors.base import BaseSensorOperator
 class PartitionSensor(BaseSensorOperator):
     \"\"\"Waits for the _SUCCESS marker of an upstream partition.\"\"\"

     def __init__(self, *, path: str, timeout_hours: int = 6, **kwargs):
-        super().__init__(mode="reschedule", poke_interval=600, timeout=timeout_hours * 3600, **kwargs)
+        # A late source used to fail the whole DAG and block every mart downstream of it.
+        # Skip the run instead; the next run picks up where this one left off.
+        super().__init__(mode="reschedule", poke_interval=600, timeout=timeout_hours * 3600,
+                         soft_fail=True, **kwargs)
         self.path = path"""),
           ("orchestrator/callbacks.py", """@@ -12,6 +12,7 @@ def on_dag_failure(context):
     \"\"\"Pages data platform on-call when a production DAG run fails.\"\"\"
+    # skipped runs (a soft-failed sensor) are not failures and do not page
     dag_id = context["dag"].dag_id
     pagerduty.trigger(summary=f"DAG failed: {dag_id}", source="airflow-prod", severity="error")"""),
           ("tests/sensors/test_partition.py", """@@ -30,3 +30,9 @@ def test_pokes_until_marker(s3):
     assert sensor.poke(context) is True
+
+
+def test_timeout_skips_instead_of_failing(s3):
+    sensor = PartitionSensor(task_id="wait", path="s3://bucket/missing/_SUCCESS", timeout_hours=0)
+    with pytest.raises(AirflowSkipException):
+        sensor.execute(context)""")),
)


def build_etl_backfill(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the etl-backfill world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="etl-backfill", seed=2023_10_19, org="harborline", team_name="Data Platform",
                    page_at="2023-10-19T06:34:00Z", impact_start="2023-10-17T02:15:00Z",
                    noise_teams=("checkout", "catalog", "ledger", "platform", "growth", "identity"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    for key, name in (("airflowbot", "Airflow"), ("sodabot", "Soda Cloud"), ("payoutsbot", "payouts-cron"),
                      ("configsync", "config-sync")):
        b.person(key, name, github=False, is_bot=True)

    # The data platform and finance engineering: PagerDuty, channels, repos ------------------------------
    dp_team = b.team("Data Platform")
    dp_policy = b.policy("Data Platform on-call", dp_team, DATA[:4])
    svc = b.service("orchestrator", "Airflow scheduler and workers, warehouse loads", dp_policy, dp_team,
                    iso(start - 420 * DAY))
    fin_team = b.team("Finance Engineering")
    fin_policy = b.policy("Finance Engineering on-call", fin_team, FINANCE)
    pay_svc = b.service("partner-payouts", "Twice-weekly seller payout files and bank exports", fin_policy, fin_team,
                        iso(start - 380 * DAY))
    dp_ch = b.channel("data-platform", "Data platform: pipelines, orchestrator, quality", "Data platform team",
                      start - 600 * DAY, "yusuf")
    dpa_ch = b.channel("data-platform-alerts", "Pages of the orchestrator", "PagerDuty notifications",
                       start - 400 * DAY, "yusuf")
    q_ch = b.channel("data-questions", "Ask the data team anything", "Questions about tables, dashboards, numbers",
                     start - 650 * DAY, "marisol")
    af_ch = b.channel("airflow-notifications", "SLA misses, retries, skips", "Airflow notifications",
                      start - 500 * DAY, "teodor")
    dq_ch = b.channel("dq-alerts", "Data quality scans", "Soda scan results", start - 300 * DAY, "lennart")
    fin_ch = b.channel("finance-eng", "Finance engineering", "Payouts, statements, bank exports", start - 550 * DAY,
                       "wanjiru")
    orch = b.repo("orchestrator", "Airflow DAG factory, operators and sensors", iso(start - 700 * DAY))
    dq = b.repo("data-quality", "Soda checks, blocking suites and the platform health dashboard", iso(start - 320 * DAY))
    cfg = b.repo("pipeline-config", "Declarative pipeline configs (YAML), synced to the orchestrator on merge",
                 iso(start - 500 * DAY))
    pay = b.repo("partner-payouts", "Seller payout files and SEPA exports", iso(start - 480 * DAY))

    # Their noise ----------------------------------------------------------------------------------------
    scale_n = sc.scale
    plat = NoiseTeam(PLATFORM, DATA, orch, dp_ch, svc, dp_policy)
    quality = NoiseTeam(QUALITY, DATA + sc.crowd[:4], dq, dq_ch, svc, dp_policy)
    payouts = NoiseTeam(PAYOUTS, FINANCE + sc.crowd[4:7], pay, fin_ch, pay_svc, fin_policy)
    add_pulls(b, plat, 80 * scale_n, start - 60 * DAY, end)
    add_pulls(b, quality, 35 * scale_n, start - 60 * DAY, end)
    add_pulls(b, payouts, 30 * scale_n, start - 60 * DAY, end)
    def synced(pull: dict[str, Any]) -> None:
        """pipeline-config's sync: a change event on the orchestrator and a line in #deploys per merged PR."""
        at, sha7 = epoch(pull["merged_at"]) + 180, pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        b.change_event(svc, f"pipeline-config {sha7} synced: {', '.join(names)}", at, "pipeline-config sync",
                       details={"files": names, "environment": "prod"})
        pipelines = ", ".join(n.rsplit("/", 1)[-1].removesuffix(".yaml") for n in names)
        b.say(sc.common["deploys"], at + 4, "configsync",
              f":gear: pipeline-config `{sha7}` synced to prod ({len(names)} pipeline: {pipelines})")

    config_pulls(b, cfg, DATA + sc.crowd[:6], 60 * scale_n, start - 60 * DAY, end, _pipeline_change, on_merge=synced)
    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (orch, dq, cfg)][-150:]
    add_chat(b, dp_ch, DATA, PLATFORM.nouns + QUALITY.nouns, 180 * scale_n, start, end, links=links)
    add_chat(b, q_ch, ANALYSTS + DATA + sc.crowd[10:16], _NOUNS, 70 * scale_n, start, end, lines=_QUESTIONS,
             thread_rate=0.6)
    add_chat(b, fin_ch, FINANCE + sc.crowd[4:7], PAYOUTS.nouns, 60 * scale_n, start, end)
    for ch, joiners in ((q_ch, ANALYSTS + sc.crowd[10:16]), (dp_ch, DATA + ANALYSTS[:1]), (fin_ch, FINANCE)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, plat, 10 * scale_n, start, T - 12 * DAY, dpa_ch)
    add_incidents(b, payouts, 4 * scale_n, start, T - 6 * DAY, sc.common["alerts"], incident_channels=False)
    bot_feed(b, af_ch, "airflowbot", int(100 * 4 * scale_n), start, end, _airflow_line)
    bot_feed(b, dq_ch, "sodabot", int(100 * 2 * scale_n), start, end, _dq_line)
    t = start - start % DAY + 6.5 * HOUR
    while t < T - 3 * HOUR:
        weekday = int((t // DAY + 3) % 7)  # 0 = Monday
        if weekday in (0, 3):
            b.say(fin_ch, t + b.rng.uniform(30, 90), "payoutsbot",
                  f":white_check_mark: payout run {iso(t)[:10]}: {b.rng.randrange(1700, 2100):,} sellers, "
                  f"EUR {b.rng.randrange(2_100_000, 2_900_000):,} sent to the bank")
        t += DAY

    # Before the story: the orders_events freshness check is "flaky" on Mondays (warnings, no pages) -------
    for day in ("2023-08-14", "2023-08-21", "2023-08-28", "2023-09-04", "2023-09-11"):
        at = b.rng.uniform(4.5, 5.2) * HOUR
        b.say(dq_ch, epoch(day) + at, "sodabot",
              f":warning: check warned: orders_events is fresh: loaded_at {b.rng.uniform(26.2, 28.9):.1f}h ago "
              "(warn > 26h). Blocking: dbt build marts.finance, marts.ops")
        b.say(af_ch, epoch(day) + 8.25 * HOUR + b.rng.uniform(0, 600), "airflowbot",
              f":hourglass_flowing_sand: SLA miss: `orders_events.wait_for_raw_partition` (run {iso(epoch(day) - DAY)[:10]}) "
              "is still running after 6h (SLA 6h)")

    # Sep 11: the thread asking to drop the flaky check ------------------------------------------------
    ask_at = epoch("2023-09-11T14:20:00Z")
    ask = b.say(dp_ch, ask_at, "noor",
                "can we please drop the orders_events freshness check? it's flaky: every monday the source pauses "
                "over the weekend, the check goes yellow and blocks `dbt build marts.finance` until someone overrides "
                "it. third monday in a row I'm waiting on it :upside_down_face:")
    tr.add("slack", ask, "context", must_see=True, group="detection",
           why="the request to remove the 'flaky' orders_events freshness check that led to its deletion")
    b.say(dp_ch, ask_at + 660, "hollis", "+1, my weekly finance pack was late twice this month because of it", parent=ask)
    b.say(dp_ch, ask_at + 1800, "lennart", "it's the weekend pause, not a real outage. I'll take it out", parent=ask)
    b.say(dp_ch, ask_at + 2700, "marisol", "we have the freshness tile on Platform Health anyway", parent=ask)
    ask_url = f"https://{b.domain}.slack.com/archives/{dp_ch}/p{ask['ts'].replace('.', '')}"

    # Sep 12: the check is deleted (moved to a dashboard tile) ------------------------------------------
    w_at = epoch("2023-09-12T09:05:00Z")
    weak = story_pull(b, dq, Change(
        author="lennart", reviewer="marisol", labels=("checks",),
        title="Remove the flaky orders_events freshness check (keep a dashboard tile)",
        body="The orders_events freshness check warns every Monday because the source pauses over the weekend, and "
             "because it's in the blocking suite it holds up `marts.finance` and `marts.ops` until someone overrides "
             f"it. Analytics asked to drop it: {ask_url}\n\n- delete `checks/orders/orders_events.yml`\n"
             "- drop it from the blocking suite\n- add an 'orders_events freshness' tile to the Platform Health "
             "dashboard so we can still see it",
        files=_WEAKENING_FILES), w_at, w_at + 7.5 * HOUR, "weakening",
        comments=(("akua", "the `fail` level (36h) pages us though, are we ok losing that too?", w_at + 3 * HOUR),
                  ("lennart", "it never reached fail in a year. if it ever does the tile goes red", w_at + 4 * HOUR)))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="deleted the orders_events freshness check, whose 36h fail level paged data platform; only an "
               "unwatched dashboard tile was left, so two days of stale orders paged no one")
    b.say(dp_ch, w_at + 7.6 * HOUR, "lennart", "removed in {{url:weakening}}, mondays should be unblocked now",
          parent=ask, template=True)

    # Sep 26: sensors soft-fail (a timeout is a skip, not a failure) ----------------------------------
    c_at = epoch("2023-09-26T13:30:00Z")
    contrib = story_pull(b, orch, _CONTRIBUTOR, c_at, c_at + 26 * HOUR, "contributor",
                         review="makes sense, the 3am 'source late' pages were never actionable")
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="timed-out partition sensors now skip their run instead of failing the DAG, so a load waiting on a "
               "missing path never raised the DAG-failure page")

    # Oct 2: the lake layout v2 announcement (staging only) -------------------------------------------
    lake_person = sc.team("platform").members[0]
    lake = b.say(dp_ch, epoch("2023-10-02T15:10:00Z"), lake_person,
                 ":mega: lake layout v2 (`dt=YYYYMMDD/hour=HH`) is live in *staging*. prod writers dual-write from "
                 "Oct 23 and switch on Oct 30. please don't point prod pipelines at v2 paths before then")
    b.say(dp_ch, epoch("2023-10-02T15:40:00Z"), "akua", "nice, I'll prep orders_events for it", parent=lake)
    tr.add("slack", lake, "context", must_see=False, group="cause",
           why="the dt=/hour= layout existed only in staging; prod kept writing ds= partitions")

    # Oct 16: the trigger, a config change in the config repo ------------------------------------------
    t_at = epoch("2023-10-16T09:40:00Z")
    trig = story_pull(b, cfg, _TRIGGER, t_at, epoch("2023-10-16T16:50:00Z"), "trigger",
                      review="LGTM, staging validation is green", reviewed=epoch("2023-10-16T16:31:00Z"))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="pointed the orders_events sensor at dt=/hour= paths that exist only in staging; from the Oct 17 run on "
               "the load waited and soft-failed, and analytics.orders_events stopped at Oct 15")
    sha7 = trig["merge_commit_sha"][:7]
    sync = b.change_event(svc, f"pipeline-config {sha7} synced: pipelines/orders/orders_events.yaml",
                          epoch("2023-10-16T16:53:00Z"), "pipeline-config sync",
                          links=[{"href": "{{url:trigger}}", "text": _TRIGGER.title}],
                          details={"files": ["pipelines/orders/orders_events.yaml"], "environment": "prod"})
    b.templated.append((sync["links"][0], "href"))
    tr.add("pagerduty", sync, "contributor", must_see=False, group="cause",
           why="the config sync that shipped the trigger", same_fact_as=("github", trig))
    b.say(sc.common["deploys"], epoch("2023-10-16T16:53:04Z"), "configsync",
          f":gear: pipeline-config `{sha7}` synced to prod (1 pipeline: orders_events)")

    # Oct 17-19: the load waits; only Airflow mentions it ---------------------------------------------
    sla = b.say(af_ch, epoch("2023-10-17T08:15:20Z"), "airflowbot",
                ":hourglass_flowing_sand: SLA miss: `orders_events.wait_for_raw_partition` (run 2023-10-16) is still "
                "running after 6h (SLA 6h)")
    tr.add("slack", sla, "early_signal", must_see=True, group="detection",
           why="the only automatic signal on Oct 17: an SLA-miss line among dozens of routine ones")
    b.say(af_ch, epoch("2023-10-18T08:15:26Z"), "airflowbot",
          ":hourglass_flowing_sand: SLA miss: `orders_events.wait_for_raw_partition` (run 2023-10-17) is still "
          "running after 6h (SLA 6h)")
    skip = b.say(af_ch, epoch("2023-10-19T02:15:40Z"), "airflowbot",
                 ":white_circle: `orders_events.wait_for_raw_partition` timed out after 48h (soft_fail): run "
                 "2023-10-16 skipped")
    tr.add("slack", skip, "early_signal", must_see=False, group="detection",
           why="the sensor's 48h timeout became a skip, not a failure")

    # Oct 18: an analyst notices ------------------------------------------------------------------
    q_at = epoch("2023-10-18T14:10:00Z")
    question = b.say(q_ch, q_at, "hollis",
                     "is Orders Overview broken for anyone else? GMV for Oct 16 and 17 is blank and the 7-day trend "
                     "falls off a cliff. did I break my filters or is the data missing?")
    tr.add("slack", question, "customer_report", must_see=True, group="reports",
           why="an internal analyst reports missing orders data a day before anyone is paged")
    b.say(q_ch, q_at + 1680, "teodor",
          "probably just late, the kafka connector had lag this week. should catch up with tonight's run :crossed_fingers:",
          parent=question)
    b.say(q_ch, q_at + 2520, "hollis", "ok, holding the weekly report until tomorrow then", parent=question)
    b.say(q_ch, epoch("2023-10-19T06:12:00Z"), "imogen", "still nothing after Oct 15 in fct_orders this morning",
          parent=question)

    # Oct 19: the payouts run fails and its alert pages (another service) ---------------------------
    b.say(fin_ch, epoch("2023-10-19T06:31:10Z"), "payoutsbot",
          ":x: payout run 2023-10-19 failed: 0 rows in analytics.orders_events for 2023-10-16..2023-10-18 "
          "(expected ~40k/day); 1,946 sellers not paid")
    page = b.incident(pay_svc, "[partner-payouts] payout file generation failed: source data missing", T,
                      responders=["wanjiru"], ack_after=330, resolve_after=4.2 * HOUR,
                      alert_summary="payout_run 2023-10-19: 0 order rows for 2023-10-16..2023-10-18",
                      alert_key="partner-payouts/payout-run",
                      description="Payout run aborted: the orders source returned no rows for three days.",
                      notes=[("wanjiru", "orders_events has nothing after 2023-10-15, payouts code is fine. "
                                         "reassigning to Data Platform on-call", 840.0),
                             ("yusuf", "orders_events load sensor was waiting on a staging-only lake path since the "
                                       "pipeline-config change of Oct 16; reverted, backfill 10-16..10-18 running",
                              3300.0),
                             ("yusuf", "backfill done, payout run re-triggered and sent", 14500.0)],
                      handle="page")
    yusuf = b.ensure_pd("yusuf")
    wanjiru = b.ensure_pd("wanjiru")
    page["log_entries"] += [
        {**b._log("assign_log_entry", T + 900, "Reassigned to Yusuf Demir (Data Platform on-call).",
                  {"type": "user_reference", "id": wanjiru}, {"type": "website"}), "assignees": [yusuf]},
        {**b._log("notify_log_entry", T + 905, "Notified Yusuf Demir by phone.",
                  {"type": "user_reference", "id": yusuf}, {"type": "phone"}), "user": yusuf},
        b._log("acknowledge_log_entry", T + 1140, "Acknowledged by Yusuf Demir.",
               {"type": "user_reference", "id": yusuf}, {"type": "website"}),
    ]
    page["log_entries"].sort(key=lambda e: e["created_at"])
    tr.incident = page
    tr.add("pagerduty", page, "response", must_see=True, group="reports",
           why="the page: raised automatically by the partner-payouts alert, then reassigned to data platform")
    b.say(sc.common["alerts"], T + 4, "pagerduty",
          ":rotating_light: Triggered <{{incurl:page}}|#{{inc:page}}> [partner-payouts] payout file generation "
          "failed: source data missing", template=True)

    inc_ch = b.channel("inc-20231019-payouts-orders-stale", "Incident: payouts failed, orders data stale",
                       "Incident response", T + 960, "wanjiru")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "wanjiru", "payouts run failed at 06:31, no order rows since Oct 15. pulled in data platform: {{incurl:page}}"),
        (180, "yusuf", "looking. analytics.orders_events max(event_date) = 2023-10-15, fct_orders the same"),
        (300, "marisol", "the kafka connector for orders.events.v3 had lag spikes on tuesday, maybe raw is incomplete?"),
        (600, "teodor", "raw is fine: ds=2023-10-16, ds=2023-10-17 and ds=2023-10-18 all have _SUCCESS in s3://hl-lake/raw/orders_events/"),
        (780, "yusuf", "orders_events run 2023-10-16 is *skipped*: wait_for_raw_partition timed out after 48h and soft-failed. 10-17 is still poking"),
        (840, "yusuf", "it's poking s3://hl-lake/raw/orders_events/dt=20231017/hour=*/_SUCCESS. that layout only exists in staging"),
        (960, "akua", "that's my config change {{url:trigger}} :grimacing: I read the lake announcement as already live in prod"),
        (1020, "yusuf", "reverting the config, then backfilling 10-16..10-18"),
        (1800, "yusuf", "revert merged {{url:fix}}, config synced, backfill running"),
        (2200, "hollis", "is this why Orders Overview was blank yesterday? I asked in data-questions"),
        (2280, "teodor", "yes, sorry, I waved it off as connector lag"),
        (9000, "marisol", "why did nothing page? the freshness check would have failed at 36h, tuesday afternoon"),
        (9200, "lennart", "we deleted it in {{url:weakening}} after the flaky-check thread, only the dashboard tile is left. "
                          "and since {{url:contributor}} a sensor timeout is a skip, not a DAG failure"),
        (9500, "wanjiru", "payouts re-run is green, resolving once the bank confirms"),
    )
    for off, who, text in chat:
        m = b.say(inc_ch, T + 1000 + off, who, text, template="{{" in text)
        if "{{url:trigger}}" in text:
            tr.add("slack", m, "response", must_see=True, group="cause",
                   why="a responder ties the stale data to the pipeline-config change")

    # The fix: a revert of the config PR; later the freshness check comes back -----------------------
    fix = story_pull(b, cfg, Change(
        author="yusuf", reviewer="akua", labels=("revert", "incident"),
        title=f'Revert "{_TRIGGER.title}"',
        body="Reverts {{pr:trigger}}\n\nProd still writes the daily `ds=` layout; the sensor was waiting on "
             "`dt=/hour=` paths that only exist in staging. Incident: {{incurl:page}}",
        files=(("pipelines/orders/orders_events.yaml", _REVERT_PATCH),)), T + 2100, T + 2580, "fix",
        review="", reviewed=T + 2500)
    tr.add("github", fix, "fix", must_see=True, group="cause", why="reverts the trigger; the backfill follows")
    synced(fix)
    b.change_event(svc, "Backfill orders_events 2023-10-16..2023-10-18 started by yusuf", T + 2900, "orchestrator cli",
                   details={"dag": "orders_events", "start": "2023-10-16", "end": "2023-10-18"})
    follow = story_pull(b, dq, Change(
        author="lennart", reviewer="marisol", labels=("checks", "incident"),
        title="Bring back the orders_events freshness check: page at 36h, never block marts",
        body="Partly reverts {{url:weakening}} after incident {{incurl:page}}: the check is back and pages at 36h; "
             "the Monday warning no longer blocks the marts builds (the weekend pause is expected).",
        files=(("checks/orders/orders_events.yml", """@@ -0,0 +1,11 @@
+# Freshness of analytics.orders_events. Pages; does not block marts (weekend pause is expected).
+table: analytics.orders_events
+owner: data-platform
+checks:
+  - freshness(loaded_at):
+      name: orders_events is fresh
+      warn: when > 26h
+      fail: when > 36h
+alerts:
+  on_warn: slack:#dq-alerts
+  on_fail: pagerduty:data-platform"""),)), T + 1.2 * DAY, T + 1.9 * DAY, "follow")
    tr.add("github", follow, "fix", must_see=False, group="detection", why="restores the deleted freshness check")
    story_pull(b, orch, Change(
        author="teodor", reviewer="yusuf", labels=("sensors",),
        title="Page when a partition sensor soft-fails twice in a row",
        body="Follow-up to {{incurl:page}} and {{url:contributor}}: one skip is fine, two consecutive skips page.",
        files=(("orchestrator/callbacks.py", """@@ -20,3 +20,9 @@ def on_dag_failure(context):
+
+def on_sensor_skip(context):
+    \"\"\"Two consecutive skipped runs of a DAG page data platform on-call.\"\"\"
+    if consecutive_skips(context["dag"].dag_id) >= 2:
+        pagerduty.trigger(summary=f"DAG skipped twice: {context['dag'].dag_id}", severity="error")"""),)),
        T + 2.1 * DAY, T + 3 * DAY, "follow2")
    # A distractor near the incident: another pipeline's config change in the same repo, same author.
    distractor = story_pull(b, cfg, Change(
        author="akua", reviewer="lennart", labels=("config",),
        title="order_items: move to the nightly-batch pool",
        body="Queue time on the default pool was 40m+ at night.",
        files=(("pipelines/orders/order_items.yaml", yaml_patch(17, "load:", [" load:", "-  pool: default",
                                                                              "+  pool: nightly-batch",
                                                                              "   mode: incremental"])),)),
        epoch("2023-10-13T11:00:00Z"), epoch("2023-10-13T15:20:00Z"), "distractor")
    synced(distractor)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [dp_ch, q_ch, sc.common["deploys"]], svc, DATA[:3], cfg,
        titles=("Document the lake layout v2 cut-over for pipeline owners",
                "Validate upstream paths against prod before syncing pipeline configs"),
        doc=("Lake layout v2", "Prod switches to dt=/hour= on Oct 30; do not point prod pipelines at v2 before."),
        doc_path="docs/lake-v2-{n}.md",
        test_fire="[orchestrator] orders_events freshness above 36h (test fire)")
    return world, tr.to_dict()


