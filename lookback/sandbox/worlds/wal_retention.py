"""World "wal-retention": Tendwell sells appointment booking and SMS/email reminders to about 2,300 clinics in the UK and
Ireland (physios, dentists, GP practices, podiatrists). On Monday 18 November 2024 a Data Platform PR adds `bookings-cdc`,
a Debezium connector (Strimzi KafkaConnector, `pgoutput`) with a logical replication slot `debezium_bookings` on the
bookings-db-prod primary (RDS PostgreSQL, 800 GiB) to stream appointments into Snowflake. The snapshot goes fine, but at
13:37 the first edit of a clinic's opening hours reaches `clinic_schedules.weekly_hours`, a `hours_range[]` composite
array Debezium cannot decode; the task fails, Strimzi gives up after three auto-restarts, and the inactive slot pins every
WAL segment from then on. Free storage falls from 291 GiB to zero overnight (the 01:00 availability rebuild writes a
hundred of it) and at 07:38 on Tuesday the instance goes storage-full: no clinic can book, move or cancel, and the
reminder dispatcher cannot claim its sends. Five weeks earlier, after six night pages from the Sunday pg_repack of
reminder_events, DBRE had turned the free-storage page (20% for 15m) into a ticket at 10% for an hour, "since storage
autoscaling adds space below 10% anyway"; two weeks after that a FinOps PR turned storage autoscaling off. So only the
connector bot's FAILED line, a low-urgency storage ticket at 02:55 and the DBRE daily report (5% free, 251 GiB retained by
an inactive slot) show it; booking-api's 5xx page sits at 3.9% under its 5% bar, the morning booking-api release is
rolled back for nothing, and the Scheduling lead pages DBRE by hand at 10:06, two and a half hours in."""

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

SCHEDULING = TeamSpec("scheduling", "Scheduling", "booking-api", "booking-api", "scheduling",
                      ("appointments", "calendar", "availability", "clinics"),
                      ("week view", "appointment types", "availability cache", "double-booking guard", "waitlist",
                       "recurring appointments", "practitioner rota", "online booking widget", "cancellation policy",
                       "clinic opening hours"),
                      ("booking-api p95 latency above 1.5s", "booking-api pods CrashLoopBackOff",
                       "availability rebuild failed", "Google Calendar sync failing"), "py")
NOTIFY = TeamSpec("notifications", "Notifications", "reminder-dispatcher", "reminders", "notifications",
                  ("sms", "email", "templates", "dispatch"),
                  ("SMS reminder", "email confirmation", "sender ID", "Twilio webhook", "opt-out list",
                   "reminder template", "send window", "no-show follow-up"),
                  ("Twilio 5xx above 2%", "email bounce rate above 4%", "dispatcher pods restarting"), "py")
DATAPLAT = TeamSpec("dataplatform", "Data Platform", "kafka-connect", "cdc-connectors", "data-platform",
                    ("connectors", "sinks", "schemas"),
                    ("forms-cdc", "billing-cdc", "Snowflake sink", "schema registry", "dbt model", "topic retention",
                     "connect workers", "DLQ topic"),
                    ("forms-cdc task failed", "snowflake sink lag above 1h", "connect worker OOMKilled",
                     "schema registry 5xx"), "py")
DBRE = TeamSpec("dbre", "DBRE", "bookings-db", "infra-terraform", "dba",
                ("rds", "parameters", "backups"),
                ("pg_repack", "autovacuum", "parameter group", "read replica", "snapshot restore",
                 "pg_stat_statements", "connection limits", "minor version upgrade"),
                ("replica lag above 60s", "connections above 80% of max_connections",
                 "long-running transaction above 30m", "deadlocks above 5/min"), "py")

STAFF = (("niamh", "Niamh Gallagher"), ("rhys", "Rhys Pritchard"), ("adaeze", "Adaeze Nwosu"),
         ("tobias", "Tobias Wren"), ("soraya", "Soraya Bakr"), ("callum", "Callum Reid"),
         ("marguerite", "Marguerite Oyelaran"), ("dmitri", "Dmitri Volkov"), ("henrik", "Henrik Aalto"),
         ("priyanka", "Priyanka Raghavan"), ("oisin", "Oisin Kavanagh"), ("beatriz", "Beatriz Figueira"),
         ("gareth", "Gareth Lloyd"), ("yusuf", "Yusuf Demir"), ("clementine", "Clementine Ashworth"))
OUTSIDERS = (("keeley", "Keeley Armstrong"), ("fergus", "Fergus McBride"), ("amara", "Amara Osei"),
             ("philippa", "Philippa Drummond"), ("lowenna", "Lowenna Tregear"))
SCHED_PEOPLE = ["niamh", "rhys", "adaeze", "tobias", "soraya", "callum"]
SCHED_ONCALL = ["rhys", "adaeze", "tobias", "callum"]
DATA_PEOPLE = ["henrik", "priyanka", "oisin"]
DBRE_PEOPLE = ["gareth", "beatriz"]
SUPPORT = ["keeley", "fergus", "amara"]
ACCOUNTS = ["philippa", "lowenna"]

PAGE_TITLE = "[bookings-db] BookingsDbFreeStorageLow: free storage below 20% (15m)"
TICKET_TITLE = "[bookings-db] BookingsDbFreeStorageLow: free storage below 10% (1h) [ticket]"
FREE_KEY = "alertmanager/bookings-db/BookingsDbFreeStorageLow"
SLOT = "debezium_bookings"
DEAD_AT = "2024-11-18T13:37:00Z"  # the first change to clinic_schedules reaches the connector
SLOT_BASE = 290.8  # GiB free when the slot stopped moving

# GiB free on bookings-db-prod (800 GiB) from the connector's start to storage-full.
FREE = (("2024-11-18T10:31:00Z", 291.4), ("2024-11-18T12:51:00Z", 265.0), ("2024-11-18T13:25:00Z", 291.0),
        ("2024-11-18T13:37:00Z", 290.8), ("2024-11-18T19:00:00Z", 222.0), ("2024-11-18T21:00:00Z", 203.0),
        ("2024-11-18T21:30:00Z", 189.0), ("2024-11-19T01:00:00Z", 168.0), ("2024-11-19T01:55:00Z", 80.0),
        ("2024-11-19T02:10:00Z", 68.0), ("2024-11-19T06:00:00Z", 40.0), ("2024-11-19T07:38:00Z", 0.0))


def _free(t: float) -> float:
    pts = [(epoch(a), v) for a, v in FREE]
    if t <= pts[0][0]:
        return pts[0][1]
    for (a, va), (c, vc) in zip(pts, pts[1:], strict=False):
        if a <= t <= c:
            return va + (vc - va) * (t - a) / (c - a)
    return 0.0


def _lag(t: float) -> float:
    return SLOT_BASE - _free(t) + 0.2


def _outage(t: float) -> bool:
    return epoch("2024-11-19T07:30:00Z") <= t <= epoch("2024-11-19T12:30:00Z")


def _hunk(start: int, context: str, body: str) -> str:
    """One hunk: `body` holds '+'/'-'/' '-prefixed lines; the header counts them."""
    lines = body.strip("\n").split("\n")
    old = sum(1 for x in lines if not x.startswith("+"))
    new = sum(1 for x in lines if not x.startswith("-"))
    return f"@@ -{start},{old} +{start},{new} @@ {context}\n" + "\n".join(lines)


def _added(text: str) -> str:
    lines = text.strip("\n").split("\n")
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join("+" + x for x in lines)


def _removed(text: str) -> str:
    lines = text.strip("\n").split("\n")
    return f"@@ -1,{len(lines)} +0,0 @@\n" + "\n".join("-" + x for x in lines)


# Generated config PRs -----------------------------------------------------------------------------------------------

_RDS_OTHER = (("envs/prod/rds/billing_db.tf", "billing-db-prod", "billing_db"),
              ("envs/prod/rds/forms_db.tf", "forms-db-prod", "forms_db"),
              ("envs/prod/rds/bookings_reporting.tf", "bookings-db-reporting", "bookings_reporting"),
              ("envs/staging/rds/bookings_db.tf", "bookings-db-staging", "bookings_db"))


def _tf_change(rng: random.Random) -> ConfigChange:
    """One generated PR of infra-terraform (Atlantis): other RDS instances, EKS, S3, ElastiCache, IAM."""
    ticket = f"PLAT-{rng.randrange(400, 560)}"
    path, ident, mod = rng.choice(_RDS_OTHER)
    ctx = f'module "{mod}" {{'
    k = rng.random()
    if k < 0.16:
        a, c = rng.choice((("db.r6g.large", "db.r6g.xlarge"), ("db.r6g.xlarge", "db.r6g.large"),
                           ("db.t4g.medium", "db.t4g.large"), ("db.r6g.xlarge", "db.r7g.xlarge")))
        return (f"{ident}: instance class {a} -> {c}", rng.choice(("CPU credits ran out twice this month.",
                                                                    f"Right-sizing ({ticket}).",
                                                                    "Graviton 3, same price per hour.")),
                [yaml_file(path, yaml_patch(rng.randrange(12, 20), ctx, [f'-  instance_class        = "{a}"',
                                                                          f'+  instance_class        = "{c}"']))])
    if k < 0.28:
        was, now = rng.choice(((7, 14), (14, 7), (7, 35), (35, 14)))
        return (f"{ident}: backup_retention_period {was} -> {now} days",
                rng.choice(("Audit asked for 35 days of PITR on prod.", "Staging doesn't need two weeks.",
                            f"Aligning with the backup policy ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(24, 30), ctx, [f"-  backup_retention_period = {was}",
                                                                          f"+  backup_retention_period = {now}"]))])
    if k < 0.38 and ident != "billing-db-prod":
        gib_a = rng.choice((100, 200, 300))
        gib_c = gib_a + rng.choice((50, 100))
        return (f"{ident}: allocated_storage {gib_a} -> {gib_c} GiB",
                rng.choice(("Free storage under 25% on the PG Daily report.", f"Room for the restore test ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(16, 20), ctx, [f"-  allocated_storage     = {gib_a}",
                                                                          f"+  allocated_storage     = {gib_c}"]))])
    if k < 0.48:
        was, now = rng.choice(((7, 31), (31, 7), (7, 93)))
        return (f"{ident}: Performance Insights retention {was} -> {now} days",
                "We keep needing last month's top queries in the capacity review.",
                [yaml_file(path, yaml_patch(rng.randrange(30, 36), ctx, [
                    f"-  performance_insights_retention_period = {was}",
                    f"+  performance_insights_retention_period = {now}"]))])
    if k < 0.62:
        group = rng.choice(("general", "batch", "kafka-connect", "ingress"))
        nodes_a = rng.choice((6, 8, 10, 12))
        nodes_c = nodes_a + rng.choice((-2, 2, 4))
        return (f"eks: {group} node group max_size {nodes_a} -> {nodes_c}", rng.choice((
                    "Cluster autoscaler hit the ceiling during the Monday peak.", f"Cost review ({ticket}).",
                    "More headroom for the Connect workers' rolling restarts.")),
                [yaml_file("envs/prod/eks/node_groups.tf", yaml_patch(rng.randrange(20, 80), f'{group} = {{', [
                    f"-      max_size     = {nodes_a}", f"+      max_size     = {nodes_c}"]))])
    if k < 0.74:
        bucket = rng.choice(("tendwell-exports-prod", "tendwell-audit-archive", "tendwell-cdc-dlq"))
        was, now = rng.choice(((30, 90), (90, 30), (365, 730), (14, 30)))
        return (f"s3: {bucket} expiration {was} -> {now} days", rng.choice((
                    "DPO confirmed the retention period.", f"Lifecycle cleanup ({ticket}).")),
                [yaml_file("envs/prod/s3/buckets.tf", yaml_patch(rng.randrange(10, 90), "expiration {", [
                    f"-      days = {was}", f"+      days = {now}"]))])
    if k < 0.86:
        a, c = rng.choice((("cache.r6g.large", "cache.r6g.xlarge"), ("cache.t4g.medium", "cache.r6g.large"),
                           ("cache.r6g.xlarge", "cache.r7g.large")))
        return (f"elasticache sessions: {a} -> {c}", "Evictions at the Monday 08:00 login peak.",
                [yaml_file("envs/prod/elasticache/sessions.tf", yaml_patch(9, 'module "sessions" {', [
                    f'-  node_type       = "{a}"', f'+  node_type       = "{c}"']))])
    role = rng.choice(("gha-deploy-booking-api", "gha-deploy-reminders", "atlantis-plan", "gha-dbt"))
    policy = rng.choice(("AmazonS3ReadOnlyAccess", "CloudWatchReadOnlyAccess", "AmazonSSMReadOnlyAccess"))
    return (f"iam: attach {policy} to {role}", f"Needed by the pipeline ({ticket}).",
            [yaml_file("envs/prod/iam/ci_roles.tf", yaml_patch(rng.randrange(30, 120), f'module "{role}" {{', [
                "   managed_policy_arns = [", f'+    "arn:aws:iam::aws:policy/{policy}",']))])


_RULES = (("rules/booking-api.yaml", "BookingApiLatencyP95High", "s", (1.0, 1.5, 2.0)),
          ("rules/reminders.yaml", "ReminderSendLag", "m", (15, 30, 45)),
          ("rules/kafka.yaml", "KafkaConsumerGroupLagHigh", "", (10000, 50000, 100000)),
          ("rules/rds/billing-db.yaml", "BillingDbCpuHigh", "%", (80, 85, 90)),
          ("rules/redis.yaml", "SessionsRedisMemoryHigh", "%", (80, 85, 90)),
          ("rules/twilio.yaml", "TwilioErrorRateHigh", "%", (2, 3, 5)),
          ("rules/kubernetes.yaml", "KubePodCrashLooping", "", (3, 5, 10)),
          ("rules/kafka-connect.yaml", "SnowflakeSinkLagHigh", "m", (30, 60, 90)))


def _rule_change(rng: random.Random) -> ConfigChange:
    """One generated PR of alert-rules: other alerts' thresholds, durations, severities and runbooks."""
    path, alert, unit, values = rng.choice(_RULES)
    ticket = f"SRE-{rng.randrange(180, 260)}"
    k = rng.random()
    if k < 0.32:
        a = rng.choice(values)
        c = rng.choice([v for v in values if v != a])
        return (f"{alert}: threshold {a}{unit} -> {c}{unit}", rng.choice((
                    "Fired 11 times last week, all during the Monday 08:00 peak.", f"Matches the SLO ({ticket}).",
                    "Too late to be useful at the old value.")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), f"- alert: {alert}", [
                    f"-        expr: {alert.lower()}:value > {a}", f"+        expr: {alert.lower()}:value > {c}"]))])
    if k < 0.54:
        dur_a, dur_c = rng.choice((("5m", "15m"), ("15m", "5m"), ("10m", "30m"), ("30m", "10m")))
        return (f"{alert}: for {dur_a} -> {dur_c}", rng.choice(("Flaps on every deploy.", "We want to hear sooner.",
                                                        f"Noise review ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), f"- alert: {alert}", [
                    f"-        for: {dur_a}", f"+        for: {dur_c}"]))])
    if k < 0.70:
        sev_a, sev_c = rng.choice((("page", "ticket"), ("ticket", "page"), ("warning", "page")))
        return (f"{alert}: severity {sev_a} -> {sev_c}", rng.choice((
                    "Not actionable at night; the team looks at the ticket in the morning.",
                    "This one did catch sev_a real outage last month, it should page.", f"On-call review ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(6, 44), "labels:", [
                    f"-          severity: {sev_a}", f"+          severity: {sev_c}"]))])
    if k < 0.86:
        return (f"{alert}: runbook link", "Every alert gets a runbook (SRE-201).",
                [yaml_file(path, yaml_patch(rng.randrange(8, 46), "annotations:", [
                    f"           summary: \"{alert}\"",
                    f"+          runbook_url: https://runbooks.tendwell.internal/{alert.lower()}"]))])
    return (f"alertmanager: inhibit {alert} during the Wednesday maintenance window",
            "The RDS maintenance window restarts things on purpose.",
            [yaml_file("alertmanager/alertmanager.yaml", yaml_patch(rng.randrange(60, 140), "inhibit_rules:", [
                "+  - source_matchers: [alertname=\"MaintenanceWindow\"]",
                f"+    target_matchers: [alertname=\"{alert}\"]"]))])


_CONNECTORS = (("connectors/forms-cdc/kafkaconnector.yaml", "forms-cdc"),
               ("connectors/billing-cdc/kafkaconnector.yaml", "billing-cdc"),
               ("sinks/snowflake-forms/kafkaconnector.yaml", "snowflake-sink-forms"),
               ("sinks/snowflake-billing/kafkaconnector.yaml", "snowflake-sink-billing"),
               ("sinks/s3-audit/kafkaconnector.yaml", "s3-sink-audit"))


def _connector_change(rng: random.Random) -> ConfigChange:
    """One generated PR of cdc-connectors: the existing connectors and sinks, and the Connect cluster."""
    path, name = rng.choice(_CONNECTORS)
    ticket = f"DATA-{rng.randrange(240, 316)}"
    k = rng.random()
    if k < 0.22:
        a, c = rng.choice(((1, 2), (2, 4), (4, 2), (2, 1)))
        return (f"{name}: tasksMax {a} -> {c}", rng.choice(("Sink can't keep up at month end.",
                                                            f"Fewer tasks, fewer rebalances ({ticket}).")),
                [yaml_file(path, yaml_patch(11, "spec:", [f"-  tasksMax: {a}", f"+  tasksMax: {c}"]))])
    if k < 0.40 and name.startswith("snowflake"):
        a, c = rng.choice(((120, 60), (60, 120), (300, 120)))
        return (f"{name}: buffer.flush.time {a}s -> {c}s", "Analysts want fresher dashboards." if c < a else
                "Cheaper Snowpipe with bigger files.",
                [yaml_file(path, yaml_patch(24, "config:", [f'-    buffer.flush.time: "{a}"',
                                                           f'+    buffer.flush.time: "{c}"']))])
    if k < 0.55:
        ret_a, ret_c = rng.choice((("604800000", "259200000"), ("259200000", "604800000"), ("86400000", "259200000")))
        return (f"{name}: topic retention {int(ret_a) // 86_400_000}d -> {int(ret_c) // 86_400_000}d",
                f"MSK storage review ({ticket}).",
                [yaml_file(path, yaml_patch(30, "config:", [f'-    topic.creation.default.retention.ms: "{ret_a}"',
                                                           f'+    topic.creation.default.retention.ms: "{ret_c}"']))])
    if k < 0.68:
        on = rng.random() < 0.5
        return (f"{name}: {'pause' if on else 'resume'}", rng.choice((
                    "Snowflake warehouse migration tonight." if on else "Warehouse migration done.",
                    f"Paused while {ticket} is investigated." if on else f"{ticket} fixed.")),
                [yaml_file(path, yaml_patch(9, "spec:", [f"-  state: {'running' if on else 'paused'}",
                                                        f"+  state: {'paused' if on else 'running'}"]))])
    if k < 0.82:
        ver_a, ver_c = rng.choice((("3.7.0", "3.7.1"), ("3.7.1", "3.8.0")))
        return (f"Connect cluster: Kafka {ver_a} -> {ver_c}", "Rolling restart of the 4 workers, connectors resume from "
                "their offsets.",
                [yaml_file("kafka-connect/cluster.yaml", yaml_patch(12, "spec:", [
                    f"-  version: {ver_a}", f"+  version: {ver_c}"]))])
    if k < 0.92:
        return (f"{name}: dead letter queue for bad records", f"One poison message stalled the sink ({ticket}).",
                [yaml_file(path, yaml_patch(34, "config:", [
                    "+    errors.tolerance: all", f"+    errors.deadletterqueue.topic.name: dlq.{name}"]))])
    return (f"{name}: README owners and on-call", "Docs only.",
            [yaml_file(path.rsplit("/", 1)[0] + "/README.md", yaml_patch(1, "", [
                f" # {name}", "+Owner: Data Platform (#data-platform), pages kafka-connect on-call."]))])


# Bot lines ----------------------------------------------------------------------------------------------------------

def _cdc_line(rng: random.Random, t: float) -> str:
    """A routine line of Connect Watch in #data-platform-alerts about the other connectors."""
    k = rng.random()
    if k < 0.25:
        lag = rng.randrange(2_000, 90_000)
        name = rng.choice(("snowflake-sink-billing", "snowflake-sink-forms", "s3-sink-audit"))
        return f":warning: `{name}` consumer lag {lag:,} records ({rng.randrange(3, 40)}m behind)"
    if k < 0.45:
        return (f":information_source: Connect cluster `cdc-connect` rebalance completed: 4 workers, "
                f"{rng.randrange(9, 13)} tasks")
    if k < 0.70:
        return (f":large_green_circle: `forms-cdc` slot `debezium_forms` lag {rng.uniform(0.02, 0.6):.2f} GiB · "
                f"`billing-cdc` binlog lag {rng.uniform(0.1, 3):.1f}s")
    if k < 0.85:
        return f":white_check_mark: `snowflake-sink-forms` flushed {rng.randrange(40, 900):,} files to Snowpipe (1h)"
    return (f":large_yellow_circle: `s3-sink-audit` task {rng.randrange(0, 2)} slow commit: "
            f"{rng.uniform(12, 60):.0f}s (S3 throttling)")


def _rds_line(rng: random.Random, t: float) -> str:
    """A routine RDS event relayed by AWS Chatbot to #dba-events."""
    db = rng.choice(("bookings-db-prod", "billing-db-prod", "forms-db-prod", "bookings-db-reporting",
                     "bookings-db-staging"))
    if db == "bookings-db-prod" and epoch("2024-11-18T13:00:00Z") <= t <= epoch("2024-11-19T12:30:00Z"):
        db = "billing-db-prod"
    k = rng.random()
    if k < 0.35:
        return f":aws: RDS-EVENT-0001 `{db}`: Backing up DB instance"
    if k < 0.70:
        return f":aws: RDS-EVENT-0002 `{db}`: Finished DB Instance backup"
    if k < 0.82:
        return f":aws: RDS-EVENT-0091 `{db}`: Automated snapshot `rds:{db}-{iso(t)[:10]}-03-10` copied to eu-west-1"
    if k < 0.92 and db.endswith("staging"):
        return f":aws: RDS-EVENT-0006 `{db}`: DB instance restarted"
    return f":aws: RDS-EVENT-0169 `{db}`: Enhanced Monitoring data delayed ({rng.randrange(2, 9)}m)"


def _grafana_line(rng: random.Random, t: float) -> str:
    """Grafana's Slack-only warnings of booking-api in #scheduling-alerts."""
    if _outage(t):
        return ":large_green_circle: Grafana *[RESOLVED]* availability rebuild duration back under 45m"
    k = rng.random()
    if k < 0.35:
        return (f":large_yellow_circle: Grafana *[FIRING]* booking-api p95 {rng.uniform(1.05, 1.4):.2f}s above 1s "
                "for 10m (slack only)")
    if k < 0.65:
        return ":large_green_circle: Grafana *[RESOLVED]* booking-api p95 back under 1s"
    if k < 0.80:
        return (f":large_yellow_circle: Grafana *[FIRING]* booking-api 5xx ratio {rng.uniform(2.05, 2.9):.1f}% "
                "above 2% for 10m (slack only)")
    if k < 0.90:
        return ":large_green_circle: Grafana *[RESOLVED]* booking-api 5xx ratio back under 2%"
    return (f":large_yellow_circle: Grafana *[FIRING]* availability rebuild took {rng.randrange(46, 70)}m (45m "
            "budget)")


def _digest(day: str, rows: list[str]) -> str:
    return f":clipboard: *PG Daily* {day} 06:00 UTC\n" + "\n".join(f"• {r}" for r in rows)


def _db_row(db: str, free: float, size: int, delta: float, wal: float, slots: str, lag: float, scaling: str) -> str:
    sign = "+" if delta >= 0 else "−"
    return (f"`{db}` free {free:,.0f} GiB / {size:,} GiB ({100 * free / size:.1f}%, 24h {sign}{abs(delta):.1f} GiB) · "
            f"WAL on disk {wal:.1f} GiB · slots: {slots} · replica lag {lag:.1f}s · autoscaling {scaling}")


# The story's changes ------------------------------------------------------------------------------------------------

_RULE_FILE = "rules/rds/bookings-db.yaml"

_WEAKENING = Change(
    author="beatriz", reviewer="yusuf", labels=("alerting", "on-call", "dbre"),
    title="BookingsDbFreeStorageLow: ticket at 10% for 1h instead of paging at 20% (DBRE-412)",
    body="Six night pages in five weeks from `BookingsDbFreeStorageLow`, none of them actionable:\n\n"
         "- five Sundays in a row (Sep 15 to Oct 13, 01:40-02:30) the weekly `pg_repack` of `reminder_events` needed "
         "~160 GiB of scratch space and took free storage from 36% to 17-19% for about 90 minutes, then gave it back\n"
         "- last night it flapped and paged twice\n\n"
         "There is nothing to do at 2am: the repack finishes by itself and the daily report shows 36% again at 06:00. "
         "And a real fill is handled without us, storage autoscaling on bookings-db-prod adds space when free storage "
         "drops below 10%.\n\n"
         "So: fire below 10% free for an hour, `severity: ticket` (low-urgency PagerDuty incident in the DBRE queue, "
         "no notification), for capacity planning. bookings-db-prod only, the other instances keep their rules.",
    files=((_RULE_FILE, _hunk(1, "groups:", """
 groups:
   - name: bookings-db
     rules:
       - alert: BookingsDbFreeStorageLow
-        expr: rds_free_storage_bytes{dbidentifier="bookings-db-prod"} / rds_allocated_storage_bytes{dbidentifier="bookings-db-prod"} < 0.20
-        for: 15m
+        # The Sunday pg_repack of reminder_events takes free storage to 17-19% for ~90 minutes every week: six night
+        # pages in five weeks, none actionable (DBRE-412). Autoscaling adds storage below 10% free, so this is a
+        # capacity-planning ticket, not a page.
+        expr: rds_free_storage_bytes{dbidentifier="bookings-db-prod"} / rds_allocated_storage_bytes{dbidentifier="bookings-db-prod"} < 0.10
+        for: 1h
         labels:
-          severity: page
+          severity: ticket
           team: dbre
           service: bookings-db
         annotations:
           summary: "bookings-db-prod free storage {{ $value | humanizePercentage }}"
           runbook_url: https://runbooks.tendwell.internal/dbre/bookings-db-storage
       - alert: BookingsDbConnectionsHigh
         expr: rds_database_connections{dbidentifier="bookings-db-prod"} / 1600 > 0.8
         for: 10m
""")),
           ("README.md", _hunk(31, "## Paging alerts", """
 | alert | fires | severity |
 |---|---|---|
-| BookingsDbFreeStorageLow | free < 20% for 15m | page |
+| BookingsDbFreeStorageLow | free < 10% for 1h | ticket |
 | BookingsDbConnectionsHigh | > 80% of 1600 for 10m | page |
"""))),
)

_DB_TF = "envs/prod/rds/bookings_db.tf"

_CONTRIBUTOR = Change(
    author="clementine", reviewer="gareth", labels=("finops", "rds", "cost"),
    title="prod RDS: storage autoscaling off on bookings-db and billing-db (FINOPS-77)",
    body="RDS storage only ever grows. In August storage autoscaling took bookings-db-prod from 600 to 800 GiB in one "
         "night (the Sunday repack overlapped the appointments_history backfill) and we now pay for 800 GiB of gp3 "
         "Multi-AZ plus the provisioned IOPS for good. Same story for billing-db in the spring.\n\n"
         "FinOps review (FINOPS-77): no silent growth on prod databases. Every storage increase becomes a PR with an "
         "owner, like any other capacity change. Sets `max_allocated_storage = 0`, which turns autoscaling off; "
         "allocated storage is unchanged.\n\n"
         "bookings-db-prod has 36% free and grows ~2.5 GiB a week (PG Daily), billing-db 42%. Plenty of runway; DBRE "
         "sees the trend in the daily report.",
    files=((_DB_TF, _hunk(14, 'module "bookings_db" {', """
   identifier            = "bookings-db-prod"
   engine                = "postgres"
   engine_version        = "15.7"
   instance_class        = "db.r6g.2xlarge"
   allocated_storage     = 800
-  max_allocated_storage = 2000
+  # FINOPS-77: no storage autoscaling on prod; increases go through a PR.
+  max_allocated_storage = 0
   storage_type          = "gp3"
   iops                  = 12000
   multi_az              = true
""")),
           ("envs/prod/rds/billing_db.tf", _hunk(14, 'module "billing_db" {', """
   allocated_storage     = 500
-  max_allocated_storage = 1000
+  # FINOPS-77: no storage autoscaling on prod; increases go through a PR.
+  max_allocated_storage = 0
   storage_type          = "gp3"
"""))),
)

_LOGICAL = Change(
    author="beatriz", reviewer="gareth", labels=("rds", "parameters"),
    title="bookings-db params: rds.logical_replication = 1 for CDC (DATA-318)",
    body="Data Platform wants change data capture from bookings-db-prod into the warehouse (DATA-318), so analytics "
         "can stop the nightly full export of appointments off the reporting replica.\n\n"
         "`rds.logical_replication` is static: needs a reboot, scheduled for the Wednesday 02:00 maintenance window "
         "(Multi-AZ failover, ~40s of errors). `max_replication_slots` and `max_wal_senders` stay at the RDS defaults "
         "(20), we use one physical slot for the reporting replica.",
    files=(("envs/prod/rds/bookings_db_params.tf", _hunk(8, 'resource "aws_db_parameter_group" "bookings_db" {', """
   parameter {
     name  = "shared_preload_libraries"
     value = "pg_stat_statements,pg_repack"
     apply_method = "pending-reboot"
   }
+
+  # DATA-318: logical decoding for the bookings-cdc Debezium connector.
+  parameter {
+    name         = "rds.logical_replication"
+    value        = "1"
+    apply_method = "pending-reboot"
+  }
""")),),
)

_CONNECTOR_FILE = "connectors/bookings-cdc/kafkaconnector.yaml"
_CONNECTOR_YAML = """apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: bookings-cdc
  namespace: kafka-connect
  labels:
    strimzi.io/cluster: cdc-connect
    team: data-platform
spec:
  class: io.debezium.connector.postgresql.PostgresConnector
  tasksMax: 1
  state: running
  autoRestart:
    enabled: true
    maxRestarts: 3
  config:
    database.hostname: bookings-db-prod.c9p2xk4m1q.eu-west-2.rds.amazonaws.com
    database.port: 5432
    database.user: cdc_bookings
    database.password: ${secrets:kafka-connect/bookings-cdc-db:password}
    database.dbname: bookings
    topic.prefix: bookingsdb
    plugin.name: pgoutput
    slot.name: debezium_bookings
    publication.name: dbz_bookings
    publication.autocreate.mode: filtered
    snapshot.mode: initial
    table.include.list: public.appointments,public.appointment_types,public.clinics,public.practitioners,public.clinic_schedules
    # PHI stays in bookings-db (DPO review DATA-318)
    column.exclude.list: public.appointments.patient_notes,public.appointments.patient_phone,public.appointments.patient_email
    decimal.handling.mode: string
    time.precision.mode: connect
    key.converter: io.confluent.connect.avro.AvroConverter
    key.converter.schema.registry.url: http://schema-registry.kafka:8081
    value.converter: io.confluent.connect.avro.AvroConverter
    value.converter.schema.registry.url: http://schema-registry.kafka:8081
    topic.creation.default.replication.factor: 3
    topic.creation.default.partitions: 6
    topic.creation.default.retention.ms: "604800000\""""

_TRIGGER = Change(
    author="henrik", reviewer="priyanka", labels=("cdc", "debezium", "data-platform"),
    title="Add bookings-cdc: Debezium connector for bookings-db (DATA-318)",
    body="Streams bookings-db into Kafka (`bookingsdb.public.*`) and on to Snowflake, so analytics stops running the "
         "nightly full export of appointments off the reporting replica (DATA-318).\n\n"
         "- Debezium 2.7 `PostgresConnector`, `pgoutput`, logical slot `debezium_bookings`, filtered publication "
         "`dbz_bookings` on 5 tables\n"
         "- initial snapshot: ~41M appointments, 2-3 hours, reads the primary in one REPEATABLE READ snapshot\n"
         "- PHI columns excluded (`patient_notes`, `patient_phone`, `patient_email`), DPO signed off\n"
         "- Strimzi auto-restart, 3 attempts\n"
         "- `cdc_bookings` user with `rds_replication`, password in Vault (`kafka-connect/bookings-cdc-db`)\n\n"
         "Needs `rds.logical_replication` ({{pr:logical}}, applied in the Nov 6 maintenance window).\n\n"
         "Staging: snapshot of 4.1M appointments in 31 min, streaming for two days with no errors.\n\n"
         "Follow-ups: slot lag alert (DATA-331), Snowflake models (DATA-322).",
    files=((_CONNECTOR_FILE, _added(_CONNECTOR_YAML)),
           ("connectors/bookings-cdc/README.md", _added("""# bookings-cdc

Debezium PostgresConnector on bookings-db-prod (RDS), logical slot `debezium_bookings`.

- Topics: `bookingsdb.public.<table>` (Avro, schema registry)
- Sink: `snowflake-sink-bookings` (DATA-322)
- Owner: Data Platform, #data-platform-alerts""")),
           ("sinks/snowflake-bookings/kafkaconnector.yaml", _added("""apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: snowflake-sink-bookings
  labels:
    strimzi.io/cluster: cdc-connect
spec:
  class: com.snowflake.kafka.connector.SnowflakeSinkConnector
  tasksMax: 2
  config:
    topics.regex: bookingsdb\\.public\\..*
    snowflake.database.name: RAW
    snowflake.schema.name: BOOKINGS
    buffer.flush.time: "120\""""))),
)

_FIX = Change(
    author="priyanka", reviewer="oisin", labels=("incident", "cdc"),
    title="Remove bookings-cdc until clinic_schedules.weekly_hours is handled",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} created the logical slot `debezium_bookings` on bookings-db-prod. At "
         "13:37 on Nov 18 the first edit of a clinic's opening hours reached `clinic_schedules.weekly_hours` "
         "(`hours_range[]`, a composite array) and Debezium failed to decode it; Strimzi gave up after 3 restarts at "
         "14:07 and the inactive slot kept every WAL segment from then on: 291 GiB by 07:38 this morning, when the "
         "instance went storage-full and every write failed.\n\n"
         "The KafkaConnector was deleted by hand at 10:17 and the slot dropped at 10:53. This removes the connector and "
         "its sink from Git so Argo CD doesn't recreate them. It comes back with the column excluded, a heartbeat, and "
         "the slot lag alert in place first.",
    files=((_CONNECTOR_FILE, _removed(_CONNECTOR_YAML)),
           ("sinks/snowflake-bookings/kafkaconnector.yaml", _removed("""apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: snowflake-sink-bookings""")),
           ("connectors/README.md", _hunk(12, "## Connectors", """
 | connector | source | slot |
 |---|---|---|
 | forms-cdc | forms-db-prod | debezium_forms |
-| bookings-cdc | bookings-db-prod | debezium_bookings |
+| ~~bookings-cdc~~ | removed after the Nov 19 incident, see DATA-340 | - |
"""))),
)

_FOLLOW_RULES = Change(
    author="yusuf", reviewer="beatriz", labels=("alerting", "incident"),
    title="bookings-db: page on free storage below 20% again; page on replication slot lag and inactive slots",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} free storage on bookings-db-prod was a ticket at 10% for "
         "an hour, on the premise that storage autoscaling would add space by itself; autoscaling had been off since "
         "FINOPS-77. The ticket opened at 02:55 as a low-urgency incident and told no one.\n\n"
         "- `BookingsDbFreeStorageLow` pages again below 20% for 15m; the Sunday repack is silenced by a maintenance "
         "window instead of by the rule\n"
         "- new `BookingsDbReplicationSlotLag`: any slot retaining more than 20 GiB for 10m pages DBRE and Data "
         "Platform\n"
         "- new `BookingsDbReplicationSlotInactive`: a logical slot inactive for 30m pages Data Platform\n\n"
         "Supersedes DATA-331.",
    files=((_RULE_FILE, _hunk(4, "- alert: BookingsDbFreeStorageLow", """
       - alert: BookingsDbFreeStorageLow
-        # The Sunday pg_repack of reminder_events takes free storage to 17-19% for ~90 minutes every week: six night
-        # pages in five weeks, none actionable (DBRE-412). Autoscaling adds storage below 10% free, so this is a
-        # capacity-planning ticket, not a page.
-        expr: rds_free_storage_bytes{dbidentifier="bookings-db-prod"} / rds_allocated_storage_bytes{dbidentifier="bookings-db-prod"} < 0.10
-        for: 1h
+        expr: rds_free_storage_bytes{dbidentifier="bookings-db-prod"} / rds_allocated_storage_bytes{dbidentifier="bookings-db-prod"} < 0.20
+        for: 15m
         labels:
-          severity: ticket
+          severity: page
+      - alert: BookingsDbReplicationSlotLag
+        expr: max by (slot_name) (pg_replication_slots_retained_bytes{dbidentifier="bookings-db-prod"}) > 20 * 1024^3
+        for: 10m
+        labels:
+          severity: page
+          team: dbre
+      - alert: BookingsDbReplicationSlotInactive
+        expr: pg_replication_slots_active{dbidentifier="bookings-db-prod", slot_type="logical"} == 0
+        for: 30m
+        labels:
+          severity: page
+          team: data-platform
""")),),
)

_FOLLOW_TF = Change(
    author="gareth", reviewer="clementine", labels=("rds", "incident"),
    title="bookings-db: allocated_storage 1100 (as applied in the incident), autoscaling to 1600, max_slot_wal_keep_size",
    body="Follow-up of {{incurl:page}}. Records the storage increase made by hand during the incident (800 -> 1100 "
         "GiB) and puts a ceiling back on the damage:\n\n"
         "- storage autoscaling back on with a cap of 1600 GiB (FinOps agreed: the cap is the budget, growth above it is "
         "a PR); {{pr:contributor}} had turned it off\n"
         "- `max_slot_wal_keep_size = 102400` (100 GiB): a slot that falls further behind is invalidated instead of "
         "filling the disk. The connector then needs a new snapshot, which is the right trade.",
    files=((_DB_TF, _hunk(18, 'module "bookings_db" {', """
-  allocated_storage     = 800
-  # FINOPS-77: no storage autoscaling on prod; increases go through a PR.
-  max_allocated_storage = 0
+  allocated_storage     = 1100
+  # Incident Nov 19: autoscaling back on, capped; the cap is the budget (FINOPS-77).
+  max_allocated_storage = 1600
""")),
           ("envs/prod/rds/bookings_db_params.tf", _hunk(20, 'resource "aws_db_parameter_group" "bookings_db" {', """
     apply_method = "pending-reboot"
   }
+
+  # Incident Nov 19: an abandoned logical slot may retain at most 100 GiB of WAL.
+  parameter {
+    name  = "max_slot_wal_keep_size"
+    value = "102400"
+  }
"""))),
)

_READD = Change(
    author="henrik", reviewer="priyanka", labels=("cdc", "debezium"),
    title="Re-add bookings-cdc: weekly_hours excluded, heartbeat, slot alerts first (DATA-340)",
    body="Second attempt at {{url:trigger}} after {{incurl:page}}.\n\n"
         "- `clinic_schedules.weekly_hours` excluded until Debezium has a converter for `hours_range[]` (DATA-341)\n"
         "- heartbeat every 60s with `heartbeat.action.query`, so the slot advances even when the tables are quiet\n"
         "- depends on the slot lag and inactive-slot pages and on `max_slot_wal_keep_size` (both merged)\n"
         "- auto-restart stays at 3, but a FAILED task now pages through the inactive-slot alert",
    files=((_CONNECTOR_FILE, _added(_CONNECTOR_YAML.replace(
        "public.appointments.patient_email",
        "public.appointments.patient_email,public.clinic_schedules.weekly_hours\n"
        "    heartbeat.interval.ms: 60000\n"
        "    heartbeat.action.query: UPDATE cdc_heartbeat SET beat_at = now() WHERE id = 1"))),),
)


def build_wal_retention(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the wal-retention world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="wal-retention", seed=5113, org="tendwell", team_name="DBRE",
                    page_at="2024-11-19T10:06:00Z", impact_start="2024-11-19T07:38:00Z",
                    noise_teams=("mobile", "platform", "growth", "identity", "web"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("cdcwatch", "Connect Watch"), ("pgdaily", "PG Daily"), ("awschatbot", "AWS Chatbot"),
                      ("argocd", "Argo CD"), ("grafana", "Grafana"), ("zendesk", "Zendesk")):
        b.person(key, name, github=False, is_bot=True)
    b.person("atlantis[bot]", "atlantis[bot]", slack=False, is_bot=True)
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/London"
    b.people["yusuf"].tz = "Europe/Istanbul"
    platform, identity = sc.team("platform"), sc.team("identity")

    # Teams, PagerDuty, channels, repos -------------------------------------------------------------------------
    s_team = b.team("Scheduling")
    s_policy = b.policy("Scheduling on-call", s_team, SCHED_ONCALL)
    s_svc = b.service("booking-api", "Appointments, calendars, availability and the online booking widget", s_policy,
                      s_team, iso(start - 800 * DAY))
    notify_people = ["marguerite", "dmitri"] + sc.crowd[18:20]
    n_team = b.team("Notifications")
    n_policy = b.policy("Notifications on-call", n_team, notify_people[:3])
    n_svc = b.service("reminder-dispatcher", "SMS and email reminders and confirmations (Twilio, SES)", n_policy,
                      n_team, iso(start - 600 * DAY))
    data_people = DATA_PEOPLE + sc.crowd[20:22]
    d_team = b.team("Data Platform")
    d_policy = b.policy("Data Platform on-call", d_team, data_people[:3])
    k_svc = b.service("kafka-connect", "Kafka Connect cluster cdc-connect (Strimzi on EKS): CDC and sinks", d_policy,
                      d_team, iso(start - 420 * DAY))
    dbre_people = DBRE_PEOPLE + sc.crowd[22:24]
    r_team = b.team("DBRE")
    r_policy = b.policy("DBRE on-call", r_team, dbre_people[:3])
    db_svc = b.service("bookings-db", "bookings-db-prod: RDS PostgreSQL 15 primary (Multi-AZ) and its replicas",
                       r_policy, r_team, iso(start - 900 * DAY))
    sre_people = ["yusuf"] + sc.crowd[24:26]

    sch_ch = b.channel("scheduling", "Scheduling team", "Appointments, calendars, availability", start - 700 * DAY,
                       "niamh")
    sal_ch = b.channel("scheduling-alerts", "booking-api pages and Grafana warnings", "Alerts of booking-api",
                       start - 500 * DAY, "rhys")
    not_ch = b.channel("notifications", "Notifications team: reminders, confirmations", "SMS and email",
                       start - 600 * DAY, "marguerite")
    dp_ch = b.channel("data-platform", "Data Platform team", "Kafka, Connect, Snowflake", start - 420 * DAY, "priyanka")
    dpa_ch = b.channel("data-platform-alerts", "Connect Watch and Argo CD for cdc-connect", "Connector status",
                       start - 400 * DAY, "henrik")
    dba_ch = b.channel("dba", "DBRE: databases, PG Daily, questions", "DBRE team", start - 800 * DAY, "gareth")
    ev_ch = b.channel("dba-events", "RDS events (AWS Chatbot)", "RDS event subscription", start - 650 * DAY, "beatriz")
    dbo_ch = b.channel("dbre-oncall", "Pages of bookings-db and the other databases", "DBRE alerts",
                       start - 640 * DAY, "gareth")
    sre_ch = b.channel("sre", "SRE: alerting, on-call, SLOs", "SRE team", start - 500 * DAY, "yusuf")
    fin_ch = b.channel("finops", "Cloud costs", "FinOps", start - 300 * DAY, "clementine")
    sup_ch = b.channel("support-escalations", "Customer support: escalations to engineering", "Support",
                       start - 750 * DAY, "fergus")
    cs_ch = b.channel("customer-success", "Account managers and clinic groups", "Customer success",
                      start - 700 * DAY, "philippa")
    api_repo = b.repo("booking-api", "Appointments API and its migrations (Django)", iso(start - 900 * DAY))
    rem_repo = b.repo("reminders", "reminder-dispatcher: SMS and email reminders (Python)", iso(start - 640 * DAY))
    cdc_repo = b.repo("cdc-connectors", "Strimzi KafkaConnectors of cdc-connect; Argo CD syncs main",
                      iso(start - 430 * DAY))
    tf_repo = b.repo("infra-terraform", "AWS infrastructure (Terraform, Atlantis)", iso(start - 850 * DAY))
    rules_repo = b.repo("alert-rules", "Prometheus alert rules and Alertmanager routes", iso(start - 520 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------
    scheduling = NoiseTeam(SCHEDULING, SCHED_PEOPLE, api_repo, sch_ch, s_svc, s_policy)
    notify = NoiseTeam(NOTIFY, notify_people, rem_repo, not_ch, n_svc, n_policy)
    data = NoiseTeam(DATAPLAT, data_people, cdc_repo, dp_ch, k_svc, d_policy)
    dbre = NoiseTeam(DBRE, dbre_people, tf_repo, dba_ch, db_svc, r_policy)
    add_pulls(b, scheduling, 85 * n, start - 60 * DAY, end)
    add_pulls(b, notify, 45 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}

    def argo(pull: dict[str, Any], at: float) -> dict[str, Any]:
        return b.say(dpa_ch, at + 20, "argocd", f":arrows_counterclockwise: Argo CD synced `cdc-connectors` to "
                     f"{pull['merge_commit_sha'][:7]} ({pull['title']}): Synced, Healthy")

    def on_cdc_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        at, sha7 = epoch(pull["merged_at"]) + rng.uniform(180, 540), pull["merge_commit_sha"][:7]
        who = by_login[pull["user"]]
        ev = b.change_event(k_svc, f"Deploy cdc-connectors@{sha7} to production", at, "ci-deploy",
                            links=[{"href": "{{url:" + handle[3:] + "}}", "text": pull["title"]}],
                            details={"deployer": who, "environment": "production"})
        b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: cdc-connectors `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        argo(pull, at)

    def on_tf_merge(pull: dict[str, Any]) -> None:
        at = epoch(pull["merged_at"]) - rng.uniform(60, 400)
        dirs = sorted({f["filename"].rsplit("/", 1)[0] for f in pull["files"]})
        b.change_event(db_svc if any("/rds/" in d for d in dirs) else platform.service,
                       f"terraform apply {', '.join(dirs)} (atlantis): {pull['title']}", at, "atlantis",
                       details={"dirs": dirs})

    def rules_loaded(pull: dict[str, Any]) -> dict[str, Any]:
        at, sha7 = epoch(pull["merged_at"]) + 120, pull["merge_commit_sha"][:7]
        return b.change_event(db_svc if "bookings-db" in pull["title"] else platform.service,
                              f"Prometheus rules reloaded from alert-rules@{sha7}: {pull['title']}", at, "rules-ci",
                              details={"files": [f["filename"] for f in pull["files"]]})

    def on_rules_merge(pull: dict[str, Any]) -> None:
        rules_loaded(pull)

    config_pulls(b, cdc_repo, data_people, 30 * n, start - 60 * DAY, end, _connector_change, on_merge=on_cdc_merge)
    config_pulls(b, tf_repo, dbre_people + platform.members[:3] + ["clementine"], 50 * n, start - 60 * DAY, end,
                 _tf_change, on_merge=on_tf_merge)
    config_pulls(b, rules_repo, sre_people + dbre_people + SCHED_PEOPLE[:2] + data_people[:1], 35 * n,
                 start - 60 * DAY, end, _rule_change, on_merge=on_rules_merge)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == api_repo][-150:]
    add_chat(b, sch_ch, SCHED_PEOPLE, SCHEDULING.nouns, 150 * n, start, end, links=links)
    rem_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == rem_repo][-100:]
    add_chat(b, not_ch, notify_people, NOTIFY.nouns, 60 * n, start, end, links=rem_links)
    cdc_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == cdc_repo][-80:]
    add_chat(b, dp_ch, data_people, DATAPLAT.nouns, 60 * n, start, end, links=cdc_links)
    tf_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == tf_repo][-80:]
    add_chat(b, dba_ch, dbre_people + ["rhys", "marguerite"], DBRE.nouns, 45 * n, start, end, links=tf_links)
    rule_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == rules_repo][-80:]
    add_chat(b, sre_ch, sre_people + ["beatriz", "niamh"], ("alert routing", "on-call handbook", "SLO dashboard",
             "Alertmanager silences", "runbook template", "PagerDuty schedules", "status page"), 45 * n, start, end,
             links=rule_links)
    add_chat(b, fin_ch, ["clementine"] + platform.members[:2] + ["gareth", "priyanka"], _FINOPS_NOUNS, 25 * n,
             start, end, lines=_FINOPS_LINES, thread_rate=0.4)
    add_chat(b, sup_ch, SUPPORT + sc.crowd[26:28] + ["callum", "dmitri"], _SUPPORT_NOUNS, 70 * n, start, end,
             lines=_SUPPORT_LINES, thread_rate=0.6)
    add_chat(b, cs_ch, ACCOUNTS + sc.crowd[28:30] + ["fergus"], _ACCOUNT_NOUNS, 45 * n, start, end,
             lines=_ACCOUNT_LINES, thread_rate=0.4)
    add_chat(b, dpa_ch, data_people, DATAPLAT.nouns, 8 * n, start, end,
             lines=("ignore the forms-cdc flap, it's the RDS backup window again", "who paused {noun}?",
                    "restarting {noun} by hand, ignore the alert"), thread_rate=0.3)
    for ch, joiners in ((sch_ch, SCHED_PEOPLE), (not_ch, notify_people), (dp_ch, data_people), (dba_ch, dbre_people),
                        (sre_ch, sre_people), (fin_ch, ["clementine"]), (sup_ch, SUPPORT), (cs_ch, ACCOUNTS),
                        (dpa_ch, data_people), (ev_ch, dbre_people)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, scheduling, 8 * n, start, epoch("2024-11-10"), sal_ch)
    add_incidents(b, notify, 5 * n, start, epoch("2024-11-12"), sc.common["alerts"], incident_channels=False)
    add_incidents(b, data, 5 * n, start, epoch("2024-11-12"), dpa_ch, incident_channels=False)
    add_incidents(b, dbre, 5 * n, start, epoch("2024-11-14"), dbo_ch, incident_channels=False)
    add_incidents(b, dbre, max(1, n), epoch("2024-11-24"), end, dbo_ch, incident_channels=False)
    add_deploys(b, scheduling, 35 * n, start, epoch("2024-11-17"), sc.common["deploys"])
    add_deploys(b, scheduling, max(1, 3 * n), epoch("2024-11-20T12:00:00Z"), end, sc.common["deploys"])
    add_deploys(b, notify, 15 * n, start, epoch("2024-11-18"), sc.common["deploys"])
    add_deploys(b, notify, max(1, 2 * n), epoch("2024-11-20T12:00:00Z"), end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, dpa_ch, "cdcwatch", 2 * days * n, start, end, _cdc_line)
    bot_feed(b, ev_ch, "awschatbot", 2 * days * n, start, end, _rds_line)
    bot_feed(b, sal_ch, "grafana", days * n, start, end, _grafana_line)
    bot_feed(b, sup_ch, "zendesk", days * n // 2, start, end, _ticket_line)
    # forms-cdc flaps during the forms-db backup window now and then and comes back by itself.
    for _ in range(10 * n):
        d0 = rng.uniform(start, end)
        t = d0 - d0 % DAY + 3 * HOUR + rng.uniform(300, 1500)
        if epoch("2024-11-18") <= t <= epoch("2024-11-20"):
            continue
        b.say(dpa_ch, t, "cdcwatch", ":x: `forms-cdc` task 0 FAILED: org.postgresql.util.PSQLException: An I/O error "
              "occurred while sending to the backend · auto-restart 1/3 in 2m")
        b.say(dpa_ch, t + 130, "cdcwatch", ":large_green_circle: `forms-cdc` task 0 RUNNING (auto-restart 1/3)")
        if rng.random() < 0.3:
            b.incident(k_svc, "[kafka-connect] KafkaConnectorFailed: forms-cdc", t + 60, urgency="low",
                       responders=[], notify=False, ack_after=None, resolve_after=90.0, severity="warning",
                       alert_key="alertmanager/kafka-connect/KafkaConnectorFailed/forms-cdc")

    # PG Daily every morning, and the Sunday pg_repack of reminder_events -------------------------------------------
    noisy = (("2024-09-15T01:48:00Z", 18.9), ("2024-09-22T01:41:00Z", 18.6), ("2024-09-29T01:52:00Z", 18.1),
             ("2024-10-06T01:39:00Z", 17.8), ("2024-10-13T01:45:00Z", 17.4), ("2024-10-13T02:32:00Z", 17.2))
    contrib_applied = epoch("2024-10-31T11:02:00Z")
    follow_applied = epoch("2024-11-21T15:10:00Z")
    day0 = start - start % DAY + DAY
    d = day0
    billing_free, forms_free = 213.0, 121.0
    prev_book = 0.0
    digests: dict[str, dict[str, Any]] = {}
    while d < end:
        day = iso(d)[:10]
        at = d + 6 * HOUR + rng.uniform(5, 50)
        days_in = (d - day0) / DAY
        scaling = "max 2000 GiB" if at < contrib_applied else ("off" if at < follow_applied else "max 1600 GiB")
        if at < epoch("2024-11-19"):
            book, size = 326.0 - 0.35 * days_in + rng.uniform(-0.15, 0.15), 800
            wal, slots = rng.uniform(3.2, 5.1), "none"
        elif day == "2024-11-19":
            book, size = _free(at), 800
            wal = _lag(at) + 3.8
            slots = f"`{SLOT}` *inactive* 16h23m, retained {_lag(at):.1f} GiB"
        else:
            book, size = 596.0 - 0.35 * (days_in - 100) + rng.uniform(-0.15, 0.15), 1100
            wal, slots = rng.uniform(3.2, 5.1), "none"
        billing_free -= rng.uniform(0.1, 0.4)
        forms_free -= rng.uniform(0.0, 0.2)
        rows = [_db_row("bookings-db-prod", book, size, book - prev_book if prev_book else -0.3, wal, slots,
                        rng.uniform(0.1, 0.6), scaling),
                _db_row("billing-db-prod", billing_free, 500, -rng.uniform(0.1, 0.4), rng.uniform(1.5, 2.8), "none",
                        rng.uniform(0.1, 0.5), "max 1000 GiB" if at < contrib_applied else "off"),
                _db_row("forms-db-prod", forms_free, 200, -rng.uniform(0.0, 0.2), rng.uniform(0.8, 1.6),
                        f"`debezium_forms` active, retained {rng.uniform(0.05, 0.5):.2f} GiB", rng.uniform(0.1, 0.4),
                        "max 400 GiB")]
        prev_book = book
        digests[day] = b.say(dba_ch, at, "pgdaily", _digest(day, rows))
        d += DAY
    sunday = epoch("2024-08-11T01:00:00Z")
    while sunday < end:
        day = iso(sunday)[:10]
        dips = [v for w, v in noisy if w.startswith(day)]
        if dips:
            low = min(dips)
        elif sunday < epoch("2024-09-15"):
            low = 20.2 + 0.12 * (epoch("2024-09-15") - sunday) / (7 * DAY) + rng.uniform(0.0, 0.3)
        elif sunday < epoch("2024-11-19"):
            low = rng.uniform(16.3, 17.3)
        else:
            low = rng.uniform(41.0, 42.5)
        took = rng.randrange(98, 122)
        b.say(dba_ch, sunday + took * 60 + rng.uniform(10, 90), "pgdaily",
              f":broom: pg_repack `public.reminder_events` on bookings-db-prod done in {took // 60}h{took % 60:02d}m · "
              f"reclaimed {rng.uniform(31, 42):.0f} GiB · min free storage {low:.1f}%")
        sunday += 7 * DAY

    # Sep 15 - Oct 13: the repack pages the DBRE on-call at night, six times -------------------------------------
    notes = ("pg_repack of reminder_events, free storage back to 36% by 03:00. resolving",
             "weekly repack again, nothing to do")
    for i, (when, low) in enumerate(noisy):
        t = epoch(when)
        who = DBRE_PEOPLE[i % 2]
        inc = b.incident(db_svc, PAGE_TITLE, t, responders=[who, DBRE_PEOPLE[(i + 1) % 2]], ack_after=260 + 30 * i,
                         resolve_after=2400 + 200 * i, handle=f"noisy{i}", alert_key=FREE_KEY,
                         alert_summary=f"bookings-db-prod free storage {low}% < 20% for 15m",
                         notes=[(who, notes[i % 2], 900.0)] if i % 3 != 2 else None)
        b.say(dbo_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{PAGE_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages from the weekly pg_repack that led to the free-storage alert becoming a "
                   "ticket")
    grumbles = (("2024-09-15T08:55:00Z", "gareth", "paged 01:48 for bookings-db free storage 18.9%. it's the Sunday "
                 "pg_repack of reminder_events, back to 36% by 03:00"),
                ("2024-09-22T09:20:00Z", "beatriz", "same at 01:41. the repack needs ~160 GiB of scratch now that "
                 "reminder_events is 140 GiB"),
                ("2024-09-29T09:02:00Z", "beatriz", "third Sunday in a row :sleeping:"),
                ("2024-10-06T08:47:00Z", "gareth", "01:39 this time. I'm not getting up for a repack again"),
                ("2024-10-13T09:40:00Z", "beatriz", "twice last night, it flapped. I'll change the rule tomorrow: "
                 "ticket at 10% for an hour. autoscaling grows the disk below 10% anyway, so a real fill looks "
                 "after itself"),
                ("2024-10-13T09:58:00Z", "gareth", "+1. keep it going to our queue as a ticket"))
    for when, who, text in grumbles:
        m = b.say(dba_ch, epoch(when), who, text)
        if "change the rule" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="DBRE decides to turn the free-storage page into a ticket, counting on storage autoscaling")
    b.say(sre_ch, epoch("2024-10-14T09:05:00Z"), "beatriz", "heads up, making BookingsDbFreeStorageLow a ticket (10% for "
          "1h) instead of a page at 20%. the Sunday repack has paged us 6 times, PR incoming")
    b.say(sre_ch, epoch("2024-10-14T09:16:00Z"), "yusuf", "sure, severity: ticket still opens a low-urgency incident in "
          "your queue")

    # Oct 14-15: the free-storage page becomes a ticket -------------------------------------------------------------
    weak = story_pull(b, rules_repo, _WEAKENING, epoch("2024-10-14T09:40:00Z"), epoch("2024-10-15T11:05:00Z"), "weakening",
                      review="ok. we'd still see the ticket in the morning", reviewed=epoch("2024-10-15T10:40:00Z"),
                      comments=(("gareth", "autoscaling kicks in at 10% free too, so the ticket and the growth would "
                                 "arrive together. fine by me", epoch("2024-10-14T13:12:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="turned the bookings-db free-storage page (20% for 15m) into a ticket at 10% for an hour, counting on "
               "storage autoscaling: a disk filling overnight pages no one")
    wev = rules_loaded(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the relaxed rule reaching Prometheus", same_fact_as=("github", weak))
    b.say(dba_ch, epoch("2024-10-15T11:20:00Z"), "beatriz", "merged {{url:weakening}}: free storage on bookings-db is a "
          "ticket at 10% for 1h now. quiet Sundays :zzz:", template=True)

    # Oct 24-31: FinOps turns storage autoscaling off ------------------------------------------------------------
    fin = b.say(fin_ch, epoch("2024-10-24T10:30:00Z"), "clementine",
                "RDS storage review (FINOPS-77): autoscaling grew bookings-db-prod 600 -> 800 GiB in one night in "
                "August and billing-db 400 -> 500 in April. storage never shrinks. proposal: autoscaling off on prod, "
                "every increase is a PR with an owner")
    tr.add("slack", fin, "context", must_see=False, group="cause",
           why="the cost review that leads to storage autoscaling being turned off")
    b.say(fin_ch, epoch("2024-10-24T11:02:00Z"), "gareth", "ok from DBRE. bookings-db has 36% free and grows ~2.5 GiB a "
          "week, we'd see a trend in PG Daily long before", parent=fin)
    plan = ("Ran Plan for dir: `envs/prod/rds` workspace: `default`\n\n```diff\n~ module.bookings_db.aws_db_instance."
            "this\n    ~ max_allocated_storage = 2000 -> 0\n~ module.billing_db.aws_db_instance.this\n    ~ "
            "max_allocated_storage = 1000 -> 0\n```\nPlan: 0 to add, 2 to change, 0 to destroy.")
    contrib = story_pull(b, tf_repo, _CONTRIBUTOR, epoch("2024-10-29T14:10:00Z"), epoch("2024-10-31T11:05:00Z"),
                         "contributor", review="fine, 36% free and slow growth. and the free-storage alert is there",
                         reviewed=epoch("2024-10-31T10:30:00Z"),
                         comments=(("atlantis[bot]", plan, epoch("2024-10-29T14:13:00Z")),
                                   ("atlantis[bot]", "Ran Apply for dir: `envs/prod/rds` workspace: `default`\n\n"
                                    "Apply complete! Resources: 0 added, 2 changed, 0 destroyed.",
                                    epoch("2024-10-31T11:02:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="turned storage autoscaling off on bookings-db-prod for cost: the disk could no longer grow, and the "
               "relaxed free-storage alert had been counting on it")
    cev = b.change_event(db_svc, "terraform apply envs/prod/rds (atlantis): bookings-db-prod max_allocated_storage "
                         "2000 -> 0, billing-db-prod 1000 -> 0", contrib_applied, "atlantis",
                         links=[{"href": "{{url:contributor}}", "text": _CONTRIBUTOR.title}])
    b.templated.append((cev["links"][0], "href"))
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="Atlantis applying the autoscaling change",
           same_fact_as=("github", contrib))
    b.say(ev_ch, contrib_applied + 95, "awschatbot", ":aws: RDS-EVENT-0017 `bookings-db-prod`: Finished applying "
          "modification to DB instance (MaxAllocatedStorage)")

    # Nov 4-6: logical replication on bookings-db ------------------------------------------------------------------
    logical = story_pull(b, tf_repo, _LOGICAL, epoch("2024-11-04T10:00:00Z"), epoch("2024-11-05T15:20:00Z"), "logical",
                         review="ok for Wednesday's window", reviewed=epoch("2024-11-05T15:00:00Z"),
                         comments=(("gareth", "should we set max_slot_wal_keep_size while we're here? an abandoned slot "
                                    "keeps WAL forever", epoch("2024-11-04T11:40:00Z")),
                                   ("beatriz", "Data Platform will give us the lag profile after launch, DATA-331 tracks "
                                    "the slot alert. let's not guess a number now", epoch("2024-11-04T12:05:00Z")),
                                   ("atlantis[bot]", "Ran Apply for dir: `envs/prod/rds` workspace: `default`\n\n"
                                    "Apply complete! Resources: 0 added, 1 changed, 0 destroyed. (pending-reboot)",
                                    epoch("2024-11-05T15:18:00Z"))))
    tr.add("github", logical, "context", must_see=False, group="cause",
           why="enabled logical decoding on bookings-db for the CDC connector; the slot size limit was left for later")
    b.say(ev_ch, epoch("2024-11-06T02:03:00Z"), "awschatbot", ":aws: RDS-EVENT-0006 `bookings-db-prod`: DB instance "
          "restarted (Multi-AZ failover, maintenance window)")
    b.say(ev_ch, epoch("2024-11-06T02:04:10Z"), "awschatbot", ":aws: RDS-EVENT-0016 `bookings-db-prod`: Finished "
          "applying modification to DB parameter group")

    # Nov 13-18: vacuum tuning, a parameter change, a Debezium bump elsewhere (decoys) --------------------------------
    story_pull(b, rem_repo, Change(
        author="dmitri", reviewer="beatriz", labels=("database", "autovacuum"),
        title="reminder_events: per-table autovacuum, scale factor 0.02 and cost limit 2000 (NOTIF-288)",
        body="reminder_events gets 1.2M inserts and ~3M updates a day; with the default 0.2 scale factor autovacuum "
             "only runs every few days and the table bloats until the Sunday repack. Per-table settings so it "
             "vacuums every few hours instead. No lock beyond SHARE UPDATE EXCLUSIVE.",
        files=(("migrations/0057_reminder_events_autovacuum.sql", _added(
            "ALTER TABLE reminder_events SET (\n  autovacuum_vacuum_scale_factor = 0.02,\n"
            "  autovacuum_analyze_scale_factor = 0.01,\n  autovacuum_vacuum_cost_limit = 2000\n);")),)),
        epoch("2024-11-12T13:00:00Z"), epoch("2024-11-13T10:30:00Z"), "distractor_vacuum")
    params = story_pull(b, tf_repo, Change(
        author="gareth", reviewer="beatriz", labels=("rds", "parameters"),
        title="bookings-db params: work_mem 16MB -> 32MB, log_min_duration_statement 1s -> 500ms (DBRE-430)",
        body="The availability rebuild spills sorts to disk (temp files of 2-3 GB in the logs) and we can't see the "
             "queries between 500ms and 1s that make the week view slow. Both are dynamic, no reboot.",
        files=(("envs/prod/rds/bookings_db_params.tf", _hunk(30, 'resource "aws_db_parameter_group" "bookings_db" {', """
   parameter {
     name  = "work_mem"
-    value = "16384"
+    value = "32768"
   }
   parameter {
     name  = "log_min_duration_statement"
-    value = "1000"
+    value = "500"
   }
""")),)),
        epoch("2024-11-13T09:30:00Z"), epoch("2024-11-14T11:00:00Z"), "distractor_params",
        comments=(("atlantis[bot]", "Ran Apply for dir: `envs/prod/rds` workspace: `default`\n\nApply complete! "
                   "Resources: 0 added, 1 changed, 0 destroyed.", epoch("2024-11-14T10:58:00Z")),))
    b.change_event(db_svc, f"terraform apply envs/prod/rds (atlantis): {params['title']}", epoch("2024-11-14T10:58:00Z"),
                   "atlantis")
    b.say(ev_ch, epoch("2024-11-14T10:59:30Z"), "awschatbot", ":aws: RDS-EVENT-0016 `bookings-db-prod`: Finished "
          "applying modification to DB parameter group")
    forms = story_pull(b, cdc_repo, Change(
        author="oisin", reviewer="priyanka", labels=("cdc", "debezium"),
        title="forms-cdc: Debezium 2.5.4 -> 2.7.3, heartbeat every 60s (DATA-327)",
        body="forms-db is quiet at night, so `debezium_forms` only advances when someone submits an intake form and "
             "the slot holds WAL for hours. A 60s heartbeat with `heartbeat.action.query` keeps it moving. Debezium "
             "2.7 for the pgoutput fixes; bookings-cdc will use the same image.",
        files=(("connectors/forms-cdc/kafkaconnector.yaml", _hunk(20, "config:", """
     slot.name: debezium_forms
     publication.name: dbz_forms
+    heartbeat.interval.ms: 60000
+    heartbeat.action.query: UPDATE cdc_heartbeat SET beat_at = now() WHERE id = 1
""")), ("kafka-connect/cluster.yaml", _hunk(14, "spec:", """
-  image: ghcr.io/tendwell/kafka-connect:3.7.1-dbz2.5.4
+  image: ghcr.io/tendwell/kafka-connect:3.7.1-dbz2.7.3
""")))),
        epoch("2024-11-13T14:00:00Z"), epoch("2024-11-14T15:30:00Z"), "distractor_forms")
    on_cdc_merge_at = epoch(forms["merged_at"]) + 300
    fsha = forms["merge_commit_sha"][:7]
    b.change_event(k_svc, f"Deploy cdc-connectors@{fsha} to production", on_cdc_merge_at, "ci-deploy",
                   links=[{"href": f"https://github.com/{cdc_repo}/commit/{fsha}", "text": fsha}],
                   details={"deployer": "oisin", "environment": "production"})
    argo(forms, on_cdc_merge_at)

    # Nov 12-18: the connector -------------------------------------------------------------------------------------
    slot_pr = b.pull(rules_repo, "henrik", "Alert on replication slot lag of bookings-cdc (DATA-331)",
                     "Pages Data Platform when `debezium_bookings` retains more than 50 GiB for 30m. Draft: need the "
                     "exporter to expose `pg_replication_slots` for bookings-db first (DBRE).",
                     epoch("2024-11-18T09:50:00Z"), closed=epoch("2024-11-20T12:00:00Z"), draft=True,
                     files=[yaml_file("rules/kafka-connect.yaml", yaml_patch(40, "rules:", [
                         "+      - alert: BookingsCdcSlotLag",
                         "+        expr: pg_replication_slots_retained_bytes{slot_name=\"debezium_bookings\"} > 50 * 1024^3",
                         "+        for: 30m"]))],
                     comments=[("yusuf", "closing, superseded by the incident follow-up", epoch("2024-11-20T12:00:00Z"))],
                     labels=["alerting"], handle="slot_alert")
    tr.add("github", slot_pr, "context", must_see=False, group="detection",
           why="the slot lag alert for the new connector, still a draft when the connector went live")
    trig = story_pull(b, cdc_repo, _TRIGGER, epoch("2024-11-12T15:10:00Z"), epoch("2024-11-18T10:20:00Z"), "trigger",
                      review="lgtm. DATA-331 before we call it done please", reviewed=epoch("2024-11-18T09:58:00Z"),
                      review_comments=(("oisin", "clinic_schedules has that composite `hours_range[]` column, does "
                                        "Debezium know what to do with it?", _CONNECTOR_FILE, 28,
                                        epoch("2024-11-13T10:20:00Z")),),
                      comments=(("henrik", "staging snapshot was fine, it skips unknown types with a WARN. streaming "
                                 "ran 2 days on staging without errors", epoch("2024-11-13T11:02:00Z")),
                                ("priyanka", "the slot is persistent: if the connector dies the primary keeps WAL for "
                                 "it. can the lag alert go in first?", epoch("2024-11-14T09:30:00Z")),
                                ("henrik", "DATA-331 is this week. and Strimzi restarts it on failure",
                                 epoch("2024-11-14T09:51:00Z"))))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="added the Debezium connector with the logical replication slot debezium_bookings on the bookings "
               "primary; when the connector stalled on a column type it could not decode, the slot retained all WAL")
    live = epoch("2024-11-18T10:31:00Z")
    ship_trigger(sc, k_svc, "cdc-connectors", trig, _TRIGGER, live, "henrik")
    sy = argo(trig, live)
    tr.add("slack", sy, "trigger", must_see=False, group="cause", why="Argo CD creating the connector",
           same_fact_as=("github", trig))
    b.say(dpa_ch, live + 60, "cdcwatch", ":large_green_circle: `bookings-cdc` created · task 0 RUNNING · slot "
          f"`{SLOT}` created · snapshot started (5 tables)")
    b.say(dpa_ch, epoch("2024-11-18T12:51:00Z"), "cdcwatch", ":white_check_mark: `bookings-cdc` snapshot completed: "
          f"41,208,551 rows in 2h19m · streaming from slot `{SLOT}`, lag {_lag(epoch('2024-11-18T12:51:00Z')):.1f} GiB "
          "(catching up)")
    b.say(dpa_ch, epoch("2024-11-18T13:22:00Z"), "cdcwatch", f":large_green_circle: `bookings-cdc` caught up · slot `{SLOT}` "
          "lag 0.2 GiB")
    snap = b.say(dp_ch, epoch("2024-11-18T13:05:00Z"), "henrik", "bookings-cdc is live: snapshot done, 41.2M appointments "
                 "in RAW.BOOKINGS, streaming now :tada: off from 15:00 for the Kafka Summit trip, back Thursday")
    tr.add("slack", snap, "context", must_see=False, group="cause",
           why="the connector's author announces it live, and that he is away for the next days")
    b.say(dp_ch, epoch("2024-11-18T13:11:00Z"), "priyanka", "nice! enjoy London", parent=snap)
    dead = epoch(DEAD_AT)
    err = ("io.debezium.DebeziumException: Unable to resolve type `public.hours_range[]` (OID 418207) for column "
           "`clinic_schedules.weekly_hours`")
    first = b.say(dpa_ch, dead + 12, "cdcwatch", f":x: `bookings-cdc` task 0 FAILED: {err} · auto-restart 1/3 in 2m")
    tr.add("slack", first, "early_signal", must_see=False, group="detection",
           why="Connect Watch: the connector fails on the clinic_schedules column it cannot decode")
    for i, (up, down) in enumerate(((dead + 130, dead + 190), (dead + 790, dead + 850)), start=2):
        b.say(dpa_ch, up, "cdcwatch", f":large_green_circle: `bookings-cdc` task 0 RUNNING (auto-restart {i - 1}/3)")
        b.say(dpa_ch, down, "cdcwatch", f":x: `bookings-cdc` task 0 FAILED: {err} · auto-restart {i}/3 in "
              f"{(2, 10, 15)[i - 1]}m")
    gave_up = epoch("2024-11-18T14:07:00Z")
    b.say(dpa_ch, gave_up - 50, "cdcwatch", ":large_green_circle: `bookings-cdc` task 0 RUNNING (auto-restart 3/3)")
    final = b.say(dpa_ch, gave_up, "cdcwatch",
                  f":red_circle: `bookings-cdc` task 0 FAILED after 3 auto-restarts, giving up: {err} · slot `{SLOT}` "
                  f"*inactive* on bookings-db-prod · lag {_lag(gave_up):.1f} GiB and growing")
    tr.add("slack", final, "early_signal", must_see=True, group="detection",
           why="Connect Watch: the connector gives up and its slot on the bookings primary goes inactive, retaining "
               "WAL from now on; nobody in the channel reacts")
    k_low = b.incident(k_svc, "[kafka-connect] KafkaConnectorFailed: bookings-cdc", gave_up + 70, urgency="low",
                       responders=[], notify=False, ack_after=None, resolve_after=epoch("2024-11-19T10:18:00Z") - gave_up,
                       severity="warning", alert_key="alertmanager/kafka-connect/KafkaConnectorFailed/bookings-cdc",
                       alert_summary="bookings-cdc task 0 FAILED (low urgency)")
    tr.add("pagerduty", k_low, "early_signal", must_see=False, group="detection",
           why="the connector failure as a low-urgency incident: connector alerts are low urgency since forms-cdc "
               "flaps every week")
    for at in (epoch("2024-11-18T20:06:00Z"), epoch("2024-11-19T02:06:00Z")):
        m = b.say(dpa_ch, at, "cdcwatch", f":red_circle: `bookings-cdc` still FAILED ({(at - gave_up) / HOUR:.0f}h) · "
                  f"slot `{SLOT}` inactive · lag {_lag(at):.1f} GiB")
        tr.add("slack", m, "early_signal", must_see=False, group="detection",
               why="Connect Watch: the inactive slot's lag keeps growing")
    b.say(dpa_ch, epoch("2024-11-19T08:06:00Z"), "cdcwatch", ":red_circle: `bookings-cdc` still FAILED (18h) · slot lag "
          "unknown: bookings-db-prod connection refused")

    # Nov 18 evening: a week-view release and an index build (decoys) ------------------------------------------------
    story_pull(b, api_repo, Change(
        author="adaeze", reviewer="tobias", labels=("migration", "performance"),
        title="appointments: partial index for the clinic day view, CONCURRENTLY (SCHED-1179)",
        body="The receptionist day view filters `clinic_id, starts_at` on booked appointments and seq-scans a 41M "
             "row table at the Monday 08:00 peak (p95 1.8s). Partial index on status = 'booked', built CONCURRENTLY "
             "by the nightly migrate job at 21:00 (no write lock). ~9 GiB.",
        files=(("booking/migrations/0244_appointments_clinic_day_idx.py", _added("""from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("booking", "0243_waitlist_priority")]
    operations = [
        AddIndexConcurrently(
            "appointment",
            models.Index(fields=["clinic", "starts_at"], condition=models.Q(status="booked"),
                         name="appointments_clinic_day_idx"),
        ),
    ]""")),)),
        epoch("2024-11-15T11:00:00Z"), epoch("2024-11-18T17:40:00Z"), "distractor_index")
    b.change_event(s_svc, "booking-api migrate: 0244_appointments_clinic_day_idx (nightly migrate job)",
                   epoch("2024-11-18T21:00:00Z"), "migrate-job", details={"migration": "0244_appointments_clinic_day_idx"})
    b.say(dba_ch, epoch("2024-11-18T21:01:00Z"), "pgdaily", ":construction: `CREATE INDEX CONCURRENTLY "
          "appointments_clinic_day_idx` running on bookings-db-prod (pid 22817, building index: scanning table)")
    b.say(dba_ch, epoch("2024-11-18T21:24:00Z"), "pgdaily", ":white_check_mark: `appointments_clinic_day_idx` built in "
          "23m, valid, 9.1 GiB")
    week = story_pull(b, api_repo, Change(
        author="soraya", reviewer="callum", labels=("calendar", "feature"),
        title="Week view: practitioner colours and compact rows (SCHED-1184)",
        body="Clinics with 8+ practitioners can't tell the columns apart. Colour per practitioner (from the rota "
             "settings) and a compact row height toggle, saved per user. Frontend and one read-only endpoint.",
        files=(("booking/calendar/views.py", _hunk(88, "class WeekView(APIView):", """
         practitioners = clinic.practitioners.active().order_by("display_order")
-        return Response(WeekSerializer(week, context={"practitioners": practitioners}).data)
+        colours = {p.id: p.rota_settings.colour or DEFAULT_COLOURS[i % 12] for i, p in enumerate(practitioners)}
+        return Response(WeekSerializer(week, context={"practitioners": practitioners, "colours": colours}).data)
""")),)),
        epoch("2024-11-14T15:00:00Z"), epoch("2024-11-18T16:40:00Z"), "distractor_week")
    wsha = week["merge_commit_sha"][:7]
    b.change_event(s_svc, f"Deploy booking-api@{wsha} to production", epoch("2024-11-19T07:15:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{api_repo}/commit/{wsha}", "text": wsha}],
                   details={"deployer": "rhys", "environment": "production", "release": "2024.11.19-1"})
    b.say(sc.common["deploys"], epoch("2024-11-19T07:15:02Z"), "deploybot", f":rocket: booking-api `{wsha}` deployed to "
          f"production by <@{b.people['rhys'].slack_id}> (morning release train 2024.11.19-1)")

    # Overnight: the availability rebuild, RDS's warning, the ticket, PG Daily ------------------------------------------
    b.say(sal_ch, epoch("2024-11-19T02:12:00Z"), "grafana", ":large_green_circle: Grafana *[RESOLVED]* availability "
          "rebuild finished in 1h10m")
    rds90 = b.say(ev_ch, epoch("2024-11-19T01:56:00Z"), "awschatbot", ":aws: RDS-EVENT-0089 `bookings-db-prod`: The DB "
                  "instance has consumed more than 90% of its allocated storage")
    tr.add("slack", rds90, "early_signal", must_see=False, group="detection",
           why="RDS warns that the bookings primary is 90% full; the event channel pages no one")
    tick_at = epoch("2024-11-19T02:55:00Z")
    ticket = b.incident(db_svc, TICKET_TITLE, tick_at, urgency="low", responders=[], notify=False, ack_after=None,
                        resolve_after=epoch("2024-11-19T10:55:00Z") - tick_at, alert_key=FREE_KEY, severity="warning",
                        alert_summary=f"bookings-db-prod free storage {100 * _free(tick_at) / 800:.1f}% < 10% for 1h "
                                      "(ticket)")
    tr.add("pagerduty", ticket, "early_signal", must_see=True, group="detection",
           why="the relaxed free-storage rule fires as a low-urgency ticket almost five hours before storage-full; it "
               "notifies no one")
    daily = digests["2024-11-19"]
    tr.add("slack", daily, "early_signal", must_see=True, group="detection",
           why="PG Daily: bookings-db at 5% free (usual 36%), 255 GiB of WAL on disk (usual 4), an inactive slot "
               "retaining 251 GiB; DBRE starts work at 09:30")

    # Nov 19 07:38: storage-full; writes fail, reminders stop ---------------------------------------------------------
    full_at = epoch("2024-11-19T07:38:00Z")
    full = b.say(ev_ch, full_at + 20, "awschatbot", ":aws: RDS-EVENT-0007 `bookings-db-prod`: Allocated storage has "
                 "been exhausted. Allocate additional storage to resolve the issue.")
    tr.add("slack", full, "early_signal", must_see=False, group="detection",
           why="RDS: the bookings primary is storage-full, the moment writes start failing")
    g = b.say(sal_ch, epoch("2024-11-19T07:52:00Z"), "grafana", ":large_yellow_circle: Grafana *[FIRING]* booking-api 5xx "
              "ratio 3.9% above 2% for 10m (slack only)")
    tr.add("slack", g, "early_signal", must_see=False, group="detection",
           why="Grafana's Slack-only 5xx warning; the paging rule is at 5% and writes are ~4% of the traffic")
    rem = b.incident(n_svc, "[reminder-dispatcher] reminder send lag above 30m", epoch("2024-11-19T08:12:00Z"),
                     urgency="low", responders=[], notify=False, ack_after=None, resolve_after=3.4 * HOUR,
                     severity="warning", alert_key="alertmanager/reminders/ReminderSendLag",
                     alert_summary="reminder send lag 34m: claim failed (psycopg OperationalError)")
    tr.add("pagerduty", rem, "early_signal", must_see=False, group="detection",
           why="the reminder dispatcher cannot claim its sends; low urgency")
    b.incident(platform.service, "[k8s-cluster] disk pressure on nodes", epoch("2024-11-19T08:40:00Z"),
               responders=platform.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key="k8s-cluster/disk pressure on nodes",
               notes=[(platform.members[0], "ephemeral storage on two nodes, image GC, cleaned up", 1500.0)])
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2024-11-19T09:14:00Z"),
               responders=identity.members[:2], ack_after=150, resolve_after=25 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "IdP certificate rotation on the Microsoft side, recovered", 1000.0)])
    report = b.say(sup_ch, epoch("2024-11-19T08:14:00Z"), "keeley",
                   "phones are ringing off the hook: receptionists can't save new appointments or move existing ones, "
                   "'We couldn't save this appointment, please try again'. the calendar itself loads. Brightwater "
                   "Physio, Kingsmead Family Practice and 3 Harbourside practices so far. anything known?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="support relays clinic receptionists who cannot book or move appointments, half an hour in")
    b.say(sup_ch, epoch("2024-11-19T08:22:00Z"), "fergus", "9 clinics now. logging it as P2 for Scheduling", parent=report)
    b.say(sup_ch, epoch("2024-11-19T08:31:00Z"), "callum", "seeing 500s on saves. booking-api had a release at 07:15, "
          "we're looking", parent=report)
    b.say(sup_ch, epoch("2024-11-19T08:58:00Z"), "amara", "patients calling clinics saying they didn't get the reminder "
          "text this morning either", parent=report)
    queue = b.say(sup_ch, epoch("2024-11-19T09:41:00Z"), "fergus", "140 calls waiting, average wait 31 min, all clinics "
                  "that can't book. is there an incident? nothing on the status page")
    tr.add("slack", queue, "customer_report", must_see=False, group="reports",
           why="support's queue fills with clinics that cannot book")
    am = b.say(cs_ch, epoch("2024-11-19T09:12:00Z"), "philippa",
               "Harbourside Dental Group's ops director on the phone: none of their 38 practices can book or move "
               "appointments since they opened, and patients say the reminder texts didn't come. they're writing "
               "bookings on paper. can someone give me an incident number?")
    tr.add("slack", am, "customer_report", must_see=False, group="reports",
           why="a clinic group's account manager relays a group-wide outage of bookings and reminders")
    b.say(cs_ch, epoch("2024-11-19T09:20:00Z"), "lowenna", "Northgate Podiatry the same, they asked whether it's their "
          "internet", parent=am)
    team_chat = (("2024-11-19T08:26:00Z", "rhys", "POST/PATCH /appointments failing since 07:38, `pgbouncer cannot "
                  "connect to server`. GETs fine (replica). 07:15 release is the obvious suspect, rolling back"),
                 ("2024-11-19T09:02:00Z", "rhys", "rolled back to 2024.11.18-3. no change :thinking_face:"),
                 ("2024-11-19T09:20:00Z", "tobias", "pgbouncer pods restarted, still `cannot connect to server` on "
                  "the primary pool"),
                 ("2024-11-19T09:50:00Z", "adaeze", "RDS console: bookings-db-prod status `storage-full`. 0 bytes free"),
                 ("2024-11-19T09:58:00Z", "niamh", "nobody in #dba yet. paging DBRE"))
    for when, who, text in team_chat:
        m = b.say(sch_ch, epoch(when), who, text)
        if "storage-full" in text:
            tr.add("slack", m, "context", must_see=False, group="reports",
                   why="the Scheduling team finds the primary storage-full after two hours on other suspects")
    b.change_event(s_svc, "Rollback booking-api to 2024.11.18-3", epoch("2024-11-19T09:01:00Z"), "ci-deploy",
                   details={"deployer": "rhys", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2024-11-19T09:01:02Z"), "deploybot", ":rewind: booking-api rolled back to "
          f"2024.11.18-3 by <@{b.people['rhys'].slack_id}>")
    sender = story_pull(b, rem_repo, Change(
        author="dmitri", reviewer="marguerite", labels=("sms",),
        title="SMS: per-clinic alphanumeric sender ID (NOTIF-301)",
        body="Clinics want their own name as the SMS sender ('KINGSMEAD') instead of 'Tendwell'. Falls back to the "
             "default sender in Ireland, where alphanumeric IDs need registration.",
        files=(("reminders/sms/sender.py", _hunk(31, "def sender_for(clinic: Clinic) -> str:", """
-    return settings.DEFAULT_SMS_SENDER
+    if clinic.country == "GB" and clinic.sms_sender_id:
+        return clinic.sms_sender_id[:11]
+    return settings.DEFAULT_SMS_SENDER
""")),)),
        epoch("2024-11-15T10:00:00Z"), epoch("2024-11-19T09:31:00Z"), "distractor_sender")
    ssha = sender["merge_commit_sha"][:7]
    b.change_event(n_svc, f"Deploy reminder-dispatcher@{ssha} to production", epoch("2024-11-19T09:47:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{rem_repo}/commit/{ssha}", "text": ssha}],
                   details={"deployer": "dmitri", "environment": "production", "release": "v5.12.0"})
    b.say(sc.common["deploys"], epoch("2024-11-19T09:47:02Z"), "deploybot", f":rocket: reminder-dispatcher `{ssha}` "
          f"deployed to production by <@{b.people['dmitri'].slack_id}> (v5.12.0)")

    # 10:06: the page by hand, the war room -----------------------------------------------------------------------------
    page_by_hand(b, tr, db_svc, "bookings-db-prod storage-full: no clinic can book or move appointments since 07:38",
                 T, responders=["gareth", "niamh", "rhys", "priyanka"], ack_after=170, resolve_after=2 * HOUR,
                 manual_by="niamh",
                 description="bookings-db-prod is in storage-full state since ~07:38: every write fails (new, moved "
                             "and cancelled appointments, reminder claims). Calendars load from the replica. Support "
                             "has 140+ calls waiting. booking-api rollback and pgbouncer restart did nothing.",
                 notes=[("gareth", "storage-full: inactive logical slot debezium_bookings (bookings-cdc) retained 291 "
                                   "GiB of WAL since 13:37 yesterday; autoscaling off since FINOPS-77", 900.0),
                        ("gareth", "allocated storage 800 -> 1100 GiB, writes back 10:49; slot dropped 10:53, WAL "
                                   "295 -> 5 GiB", 3300.0)],
                 relay=dbo_ch, why="the Scheduling lead pages DBRE by hand, two and a half hours after the writes "
                                   "started failing")
    inc_ch = b.channel("inc-2024-11-19-bookings-db-storage-full", "Incident: bookings-db-prod storage-full",
                       "Incident response", T + 40, "niamh")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "niamh", "incident {{incurl:page}}: since ~07:38 no clinic can create, move or cancel appointments, "
                     "bookings-db-prod is `storage-full`. reminders aren't going out either. 140+ calls in support"),
        (70, "gareth", "here, sorry, was in the capacity review. looking"),
        (130, "rhys", "what we tried: rolled booking-api back from the 07:15 release to 2024.11.18-3 at 09:02, no "
                      "change. restarted pgbouncer 09:20, no change. every write gets `cannot connect to server`"),
        (200, "adaeze", "the appointments index ran last night 21:00-21:24 ({{pr:distractor_index}}). could the build "
                        "have eaten the disk?"),
        (260, "gareth", "no, that's 9 GiB and it finished. FreeStorageSpace hit 0 at 07:38, it was 291 GiB yesterday "
                        "morning. TransactionLogsDiskUsage 295 GiB, usually 4. something is holding WAL"),
        (330, "yusuf", "platform had a `disk pressure on nodes` page this morning, same thing?"),
        (380, "tobias", "that's EKS node ephemeral storage, RDS has its own volumes. unrelated"),
        (430, "dmitri", "reminder-dispatcher v5.12.0 went out at 09:47 btw ({{pr:distractor_sender}})"),
        (470, "marguerite", "sender ID change only, and reminders stopped claiming at 07:38, two hours earlier"),
        (560, "gareth", "OldestReplicationSlotLag 291 GiB: slot `debezium_bookings`, inactive since 13:37 yesterday. "
                        "that's the bookings-cdc connector from {{url:trigger}}. Debezium died on "
                        "clinic_schedules.weekly_hours (hours_range[]), gave up after 3 restarts, and the slot has "
                        "pinned every WAL segment since"),
        (640, "priyanka", "confirmed, task FAILED since 14:07 yesterday, Connect Watch said so in "
                          "#data-platform-alerts and nobody picked it up. Henrik is at Kafka Summit. deleting the "
                          "KafkaConnector now so nothing reconnects"),
        (700, "niamh", "why didn't storage just grow? I thought bookings-db autoscales"),
        (760, "gareth", "not since {{pr:contributor}} (FINOPS-77, Oct 31). I approved it. modifying allocated "
                        "storage 800 -> 1100 GiB, apply immediately"),
        (840, "niamh", "and why did nothing page DBRE overnight?"),
        (900, "yusuf", "alert-rules PR {{num:weakening}}: since Oct 15 free storage is a ticket at 10% for 1h, not a "
                       "page at 20% for 15m. it opened at 02:55 as a low-urgency incident. and the slot lag alert is "
                       "still a draft (DATA-331)"),
        (960, "rhys", "and booking-api's 5xx page is at 5%: writes are ~4% of our requests, we sat at 3.9% all "
                      "morning"),
        (1100, "gareth", "modify-db-instance accepted, status `modifying`"),
        (2520, "gareth", "status `storage-optimization`, accepting connections again"),
        (2580, "rhys", "writes succeeding, POST /appointments 201s, 5xx 0.1%"),
        (2760, "gareth", "`SELECT pg_drop_replication_slot('debezium_bookings');` done. WAL goes at the next "
                         "checkpoint"),
        (3000, "marguerite", "reminder-dispatcher claiming again: 14,300 queued, sending. the 08:00-10:00 "
                             "appointment reminders are past, skipping those"),
        (3300, "gareth", "TransactionLogsDiskUsage 295 -> 5 GiB, free 596 GiB / 1100"),
        (3600, "priyanka", "PR {{url:fix}} removes bookings-cdc from Git so Argo doesn't bring it back"),
        (4200, "keeley", "clinics confirm saving works. many wrote bookings on paper and are re-entering them, the "
                         "macro says so"),
        (6000, "niamh", "follow-ups: free-storage page back at 20% plus slot lag and inactive-slot pages, "
                        "max_slot_wal_keep_size, autoscaling back on with a cap, a write-error alert on booking-api, "
                        "CDC launch checklist"),
    )
    war_room(b, tr, inc_ch, T + 60, chat,
             trigger="a responder ties the storage-full primary to the connector's inactive replication slot, after "
                     "the release, pgbouncer, the index build and the node disk page were ruled out",
             weakening="a responder explains why nothing paged overnight",
             contributor="a responder: storage autoscaling had been turned off")

    # The fix and the follow-ups -------------------------------------------------------------------------------------
    fix = story_pull(b, cdc_repo, _FIX, T + 0.9 * HOUR, T + 1.4 * HOUR, "fix", review="yes", reviewed=T + 1.35 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="removes the connector and its slot's owner from Git after the slot was dropped by hand")
    fat = T + 1.45 * HOUR
    fsha2 = fix["merge_commit_sha"][:7]
    fdep = b.change_event(k_svc, f"Deploy cdc-connectors@{fsha2} to production", fat, "ci-deploy",
                          links=[{"href": "{{url:fix}}", "text": _FIX.title}],
                          details={"deployer": "priyanka", "environment": "production"})
    b.templated.append((fdep["links"][0], "href"))
    tr.add("pagerduty", fdep, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    argo(fix, fat)
    b.say(ev_ch, T + 18 * 60 + 30, "awschatbot", ":aws: RDS-EVENT-0016 `bookings-db-prod`: Applying modification to "
          "allocated storage (800 -> 1100 GiB)")
    b.say(ev_ch, T + 43 * 60, "awschatbot", ":aws: RDS-EVENT-0017 `bookings-db-prod`: Finished applying modification "
          "to allocated storage, storage optimization in progress")
    follow = story_pull(b, rules_repo, _FOLLOW_RULES, T + 22 * HOUR, T + 28 * HOUR, "follow",
                        review="yes. and the repack gets a maintenance window", reviewed=T + 27.5 * HOUR)
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="restores the free-storage page and adds slot lag and inactive-slot pages")
    rules_loaded(follow)
    follow_tf = story_pull(b, tf_repo, _FOLLOW_TF, T + 26 * HOUR, follow_applied + 180, "follow_tf",
                           review="agreed, 1600 is the budget", reviewed=follow_applied - 1800,
                           comments=(("atlantis[bot]", "Ran Apply for dir: `envs/prod/rds` workspace: `default`\n\n"
                                      "Apply complete! Resources: 0 added, 2 changed, 0 destroyed.", follow_applied),))
    tr.add("github", follow_tf, "fix", must_see=False, group="cause",
           why="storage autoscaling back on with a cap, and max_slot_wal_keep_size so a dead slot cannot fill the disk")
    readd = story_pull(b, cdc_repo, _READD, T + 7 * DAY, None, "readd", review="let's wait for the slot alerts")
    tr.add("github", readd, "fix", must_see=False, group="cause",
           why="the connector's second attempt, with the column excluded and a heartbeat")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [sch_ch, sup_ch, sc.common["deploys"]], db_svc, ["gareth", "beatriz", "yusuf"], rules_repo,
        titles=("Runbook: bookings-db storage-full and replication slots",
                "CDC launch checklist: slot alerts and max_slot_wal_keep_size before a connector goes live"),
        doc=("Replication slots on bookings-db", "An inactive logical slot retains WAL until it is dropped: page at "
             "20 GiB, cap with max_slot_wal_keep_size."),
        doc_path="docs/runbooks/bookings-db-storage-{n}.md",
        test_fire="[bookings-db] BookingsDbReplicationSlotLag: slot retaining more than 20 GiB (test fire)")
    return world, tr.to_dict()


_SUPPORT_NOUNS = ("SMS reminder", "online booking link", "calendar export", "practitioner login",
                  "recurring appointment", "clinic logo upload", "invoice PDF", "patient portal password reset",
                  "Google Calendar sync", "waitlist")
_SUPPORT_LINES = (
    "clinic asks about the {noun}, is the help article still right?",
    "known issue with {noun}? two clinics this morning, probably browser cache",
    "{noun}: escalated to Scheduling in the ticket, can someone look?",
    "receptionist says the {noun} shows yesterday's data, screenshot in the ticket",
    "who owns {noun} now? the macro still says Growth",
    "{noun} question from a new clinic, answered, FYI",
)
_ACCOUNT_NOUNS = ("renewal", "QBR deck", "SMS bundle", "onboarding call", "multi-site rollout", "NHS tender",
                  "price uplift letter", "data export request")
_ACCOUNT_LINES = (
    "{noun} for Harbourside moved to next week",
    "Northgate Podiatry asked about the {noun}, who can join the call?",
    "{noun}: notes are in the CRM",
    "reminder: {noun} templates updated in the drive",
    "Elm Row Osteopathy wants a {noun} before they sign",
    "Kingsmead's practice manager is happy with the {noun} :tada:",
)
_FINOPS_NOUNS = ("RDS storage", "Savings Plans", "NAT gateway bill", "S3 Glacier tiering", "EKS node pool",
                 "Snowflake credits", "CloudWatch logs retention", "Twilio spend")
_FINOPS_LINES = (
    "{noun}: monthly report is in the FinOps sheet",
    "{noun} is up 12% month on month, anyone know why?",
    "proposal for {noun} on the FinOps board, comments welcome",
    "{noun} cleanup saved ~£900/month :moneybag:",
    "who owns the {noun} line item?",
)


def _ticket_line(rng: random.Random, t: float) -> str:
    """Zendesk's new-ticket lines in #support-escalations."""
    noun = rng.choice(_SUPPORT_NOUNS)
    clinic = rng.choice(("Brightwater Physio", "Kingsmead Family Practice", "Elm Row Osteopathy", "Northgate Podiatry",
                         "Harbourside Dental (Clontarf)", "Millbrook Sports Clinic", "St Anne's Dental"))
    return (f":ticket: Zendesk #{rng.randrange(48_000, 61_000)} ({rng.choice(('normal', 'normal', 'high'))}) "
            f"{clinic}: {noun}")
