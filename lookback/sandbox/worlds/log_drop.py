"""World "log-drop": Bramblecrest, a UK home and motor insurer, makes its claims evidence API (evidence-api: the photos
and documents customers and brokers attach to a claim) check uploads by their sniffed type after a pen-test finding.
libmagic names HEIF by its major brand: iPhone photos (`heic`) sniff as image/heic and pass, but the "high efficiency"
photos of Samsung and Pixel cameras (`mif1`) sniff as image/heif, which the new allowlist lacks. From Tuesday 08:58 UTC
every such photo gets a 415: the web claim form and the broker portal say "Something went wrong", and the Android app,
which since 8.6 keeps every failed photo in an outbox and retries it in the background for 72 hours, shows "Uploading…"
and submits the claim without its photos. The 415 is logged at ERROR as "upload rejected: ...", which is what the
Loki error-ratio alert of evidence-api counts; but four weeks earlier, after seven night pages caused by avscan's
scan timeouts while clamd reloaded its signatures, the log pipeline had started dropping every evidence-api error line
that starts with "upload rejected" before Loki, a pattern far broader than the timeouts it was written for. So only a
low-urgency 4xx alert, Sentry's daily digest and the claims MI report show it until a broker network reports in the
shared channel and the contact centre relays its calls; the digital claims product owner pages by hand, 30 hours in."""

from __future__ import annotations

import random
from datetime import date as _date
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

INTAKE = TeamSpec("intake", "Claims Intake", "evidence-api", "evidence-api", "claims-intake",
                  ("uploads", "viewer", "storage", "thumbnails"),
                  ("evidence viewer", "presigned URL", "thumbnail worker", "S3 lifecycle rule", "claim ref lookup",
                   "multipart parser", "upload quota", "EXIF stripping", "document classifier", "retention job",
                   "avscan client", "evidence audit trail"),
                  ("evidence-api 5xx above 1%", "S3 PutObject errors above 0.5%", "thumbnail-worker backlog above 5000",
                   "avscan unreachable from evidence-api"), "py")
AVSCAN = TeamSpec("avscan", "Claims Intake", "avscan", "avscan", "claims-intake",
                  ("clamd", "freshclam", "quarantine", "api"),
                  ("signature mirror", "clamd pool", "quarantine bucket", "scan queue", "verdict cache", "EICAR test",
                   "freshclam schedule", "clamd memory"),
                  ("avscan pods not ready", "signature DB older than 24h"), "go")
APP = TeamSpec("claimsapp", "Claims App", "claims-app", "claims-app-android", "claims-app",
               ("fnol", "photos", "policy", "auth"),
               ("claim wizard", "photo step", "evidence outbox", "policy card", "biometric login", "push opt-in",
                "Play review prompt", "offline draft", "damage diagram", "courtesy car booking"),
               ("crash-free sessions below 99.5%",), "kt")
OBS = TeamSpec("obs", "Observability", "log-pipeline", "log-pipeline", "observability",
               ("vector", "loki", "rules"),
               ("Vector aggregator", "Loki retention", "log sampling", "Loki ruler", "S3 log archive", "drop rules",
                "PII redaction", "label cardinality", "Grafana dashboards"),
               ("vector-aggregator buffer above 80%", "Loki ingester rate limited", "log archive upload lagging"), "py")
PAWSURE = TeamSpec("pawsure", "Pawsure", "pawsure-claims", "pawsure-claims", "pawsure",
                   ("claims", "vets", "invoices"),
                   ("vet invoice", "pre-existing conditions check", "vet practice lookup", "claim form", "pet profile",
                    "direct vet payment", "invoice OCR"),
                   ("pawsure-claims 5xx above 2%", "invoice OCR queue stuck"), "ts")

STAFF = (("aoife", "Aoife Dempsey"), ("gideon", "Gideon Ashworth"), ("rukhsana", "Rukhsana Malik"),
         ("callum", "Callum Rennie"), ("adaeze", "Adaeze Nwosu"), ("pieter", "Pieter van Rensburg"),
         ("solveig", "Solveig Aune"), ("ingvar", "Ingvar Solheim"), ("keturah", "Keturah Bello"),
         ("radu", "Radu Ionescu"))
OUTSIDERS = (("clemency", "Clemency Hartley"), ("declan", "Declan Fitzgerald"), ("rosalind", "Rosalind Achterberg"),
             ("oonagh", "Oonagh Kerr"))
INTAKE_PEOPLE = ["aoife", "gideon", "rukhsana", "callum", "adaeze", "pieter"]
ONCALL = ["callum", "adaeze", "pieter", "gideon"]
OBS_PEOPLE = ["solveig", "ingvar"]
APP_PEOPLE = ["keturah", "radu"]
BROKERS = (("hetty", "Hetty Blackwood", "hetty.blackwood@castlegate-brokers.example"),
           ("alasdair", "Alasdair Menzies", "alasdair.menzies@castlegate-brokers.example"))

ERRLOG_TITLE = "[evidence-api] EvidenceApiErrorLogRatio: error log lines above 2% of requests (10m)"
ERRLOG_KEY = "loki/EvidenceApiErrorLogRatio"
FOURXX_KEY = "prometheus/EvidenceApi4xxRatio"
PIPELINE = "vector/pipelines/claims.yaml"

# Tuesday Apr 15: the trigger is deployed at 08:55 UTC; the first HEIF photo from an Android phone is refused at 08:58.
TRIGGER_LIVE = "2025-04-15T08:55:00Z"
FIX_LIVE = "2025-04-16T16:56:00Z"


def _h(start: int, context: str, body: str, new_start: int | None = None) -> str:
    """One hunk of a patch: the header's counts come from `body` ('+', '-' and context lines)."""
    lines = body.split("\n")
    old = sum(1 for x in lines if not x.startswith("+"))
    new = sum(1 for x in lines if not x.startswith("-"))
    tail = f" {context}" if context else ""
    return f"@@ -{start},{old} +{new_start if new_start is not None else start},{new} @@{tail}\n{body}"


def _added(text: str) -> str:
    """The patch of a new file with `text` as its content."""
    lines = text.split("\n")
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join("+" + x for x in lines)


# The log pipeline's other work: other services' pipelines, Loki limits and rules, the aggregator --------------------

_SERVICES = (("quote-engine", "pricing"), ("policy-admin", "policy"), ("payments-gateway", "payments"),
             ("broker-portal", "portals"), ("customer-portal", "portals"), ("renewals-batch", "policy"),
             ("telematics-ingest", "telematics"), ("document-generator", "policy"), ("fnol-api", "claims"),
             ("claims-handler", "claims"), ("fraud-scoring", "payments"))
_LOG_RULES = (("QuoteEngineErrorLogRatio", "pricing"), ("PolicyAdminErrorLogRatio", "policy"),
              ("PaymentsGatewayDeclineSpike", "payments"), ("RenewalsBatchFailures", "policy"),
              ("BrokerPortalErrorLogRatio", "portals"), ("TelematicsIngestDropped", "telematics"),
              ("FnolApiErrorLogRatio", "claims"))
_TENANTS = ("pricing", "policy", "payments", "portals", "telematics", "claims", "platform")


def _pipeline_change(rng: random.Random) -> ConfigChange:
    """One generated PR of log-pipeline: other services' parsing, sampling, drops and redaction, Loki and Vector."""
    svc, pipe = rng.choice(_SERVICES)
    name = svc.replace("-", "_")
    path = f"vector/pipelines/{pipe}.yaml"
    ticket = f"OBS-{rng.randrange(330, 440)}"
    k = rng.random()
    if k < 0.16:
        a, c = rng.choice(((10, 20), (20, 10), (5, 10), (10, 50)))
        return (f"{svc}: sample info logs 1 in {a} -> 1 in {c}", rng.choice((
                    f"Loki ingestion budget ({ticket}).", "Nobody queries their info lines, the errors are never sampled.",
                    "Back up while they debug the quote mismatch.")),
                [yaml_file(path, yaml_patch(rng.randrange(30, 90), "transforms:", [
                    f"   {pipe}_sample_{name}:", "     type: sample", f"-    rate: {a}", f"+    rate: {c}",
                    '     exclude: \'.level == "error" || .level == "warn"\'']))])
    if k < 0.28:
        probe = rng.choice(("kube-probe/", "ELB-HealthChecker/", "Blackbox Exporter/"))
        return (f"{svc}: drop {probe.rstrip('/')} access log lines", rng.choice((
                    f"~{rng.randrange(30, 400)}k lines a day of health checks ({ticket}).",
                    "Health checks are 60% of their access log.")),
                [yaml_file(path, yaml_patch(rng.randrange(30, 90), "transforms:", [
                    f"+  {pipe}_drop_probes_{name}:", "+    type: filter", f"+    inputs: [{pipe}_parse]",
                    f"+    condition: '!(.service == \"{svc}\" && starts_with(string(.user_agent) ?? \"\", \"{probe}\"))'"]))])
    if k < 0.40:
        fmt = rng.choice(("nginx access logs", "gunicorn access logs", "Spring Boot JSON logs", "envoy access logs"))
        return (f"{svc}: parse {fmt} into fields", f"So we can filter on status and path in Grafana ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(10, 60), "transforms:", [
                    f"   {pipe}_parse:", "     source: |",
                    f"+      if .service == \"{svc}\" {{ . |= parse_nginx_log(.message, \"combined\") ?? {{}} }}"]))])
    if k < 0.52:
        field = rng.choice(("policy_number", "card_pan", "email", "vehicle_reg", "date_of_birth", "sort_code"))
        return (f"{pipe}: redact {field} in {svc} logs", f"DPO review found it in Loki ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(10, 60), "transforms:", [
                    f"   {pipe}_redact:", "     source: |",
                    f"+      .{field} = redact(.{field}, filters: [r'.+']) ?? null"]))])
    if k < 0.64:
        tenant = rng.choice(_TENANTS)
        a, c = rng.choice(((30, 14), (14, 30), (30, 60), (60, 30)))
        return (f"loki: {tenant} retention {a}d -> {c}d", rng.choice((f"Storage review ({ticket}).",
                                                                     "They asked for longer for an audit.")),
                [yaml_file("loki/limits.yaml", yaml_patch(rng.randrange(5, 60), "overrides:", [
                    f"   {tenant}:", f"-    retention_period: {a * 24}h", f"+    retention_period: {c * 24}h"]))])
    if k < 0.76:
        rule, rpipe = rng.choice(_LOG_RULES)
        was, now = rng.choice((("2%", "3%"), ("5%", "2%"), ("1%", "2%"), ("3%", "5%")))
        return (f"{rule}: threshold {was} -> {now}", rng.choice((f"Tuned with the owning team ({ticket}).",
                                                                "Fired twice last week on a handful of lines.")),
                [yaml_file(f"loki/rules/{rpipe}.yaml", yaml_patch(rng.randrange(4, 50), "rules:", [
                    f"       - alert: {rule}", f"-        expr: ratio > {float(was[:-1]) / 100}",
                    f"+        expr: ratio > {float(now[:-1]) / 100}"]))])
    if k < 0.86:
        mem_was, mem_now = rng.choice((("2Gi", "3Gi"), ("3Gi", "4Gi"), ("4Gi", "3Gi")))
        return (f"vector-aggregator: memory {mem_was} -> {mem_now}", rng.choice((
                    "Disk buffer spills at the Monday peak.", f"Right-sizing ({ticket}).")),
                [yaml_file("helm/vector-aggregator/values.yaml", yaml_patch(40, "resources:", [
                    "   resources:", "     limits:", f"-      memory: {mem_was}", f"+      memory: {mem_now}"]))])
    if k < 0.94:
        rule, rpipe = rng.choice(_LOG_RULES)
        return (f"{rule}: add runbook and dashboard links", "Every log alert links its runbook.",
                [yaml_file(f"loki/rules/{rpipe}.yaml", yaml_patch(rng.randrange(4, 50), "annotations:", [
                    f"+          runbook_url: https://wiki.bramblecrest.example/runbooks/{rule.lower()}"]))])
    return (f"{svc}: add team label", "For the per-team Loki dashboards.",
            [yaml_file(path, yaml_patch(rng.randrange(10, 60), "transforms:", [
                f"   {pipe}_parse:", "     source: |", f"+      if .service == \"{svc}\" {{ .team = \"{pipe}\" }}"]))])


# Bots: Grafana, Sentry, Claims MI, Vector deploys, the Play Console ----------------------------------------------

_SENTRY_ERRS = (("claim-form-web", "ChunkLoadError: Loading chunk 412 failed"),
                ("claim-form-web", "TypeError: Cannot read properties of undefined (reading 'policyNumber')"),
                ("claim-form-web", "AbortError: The user aborted a request."),
                ("broker-portal", "UploadError: Request failed with status code 413"),
                ("broker-portal", "SessionExpiredError: token refresh failed"),
                ("broker-portal", "ResizeObserver loop completed with undelivered notifications"),
                ("evidence-viewer", "PDFWorkerError: Invalid PDF structure"),
                ("evidence-viewer", "TypeError: Failed to fetch"))


def _sentry_line(rng: random.Random, t: float) -> str:
    """A routine alert of Sentry in #sentry-claims."""
    project, err = rng.choice(_SENTRY_ERRS)
    k = rng.random()
    if k < 0.5:
        return f":sentry: *Regression* in `{project}`: `{err}` ({rng.randrange(3, 90)} events in 1h)"
    if k < 0.8:
        return f":sentry: *Spike* in `{project}`: `{err}` {rng.randrange(120, 900)} events in 1h (usual {rng.randrange(5, 60)})"
    return f":sentry: *Resolved* in `{project}`: `{err}`"


def _grafana_line(rng: random.Random, t: float) -> str:
    """A routine line of Grafana in #claims-intake-alerts: latency, avscan queue, thumbnails, 413s and 401s."""
    k = rng.random()
    if k < 0.22:
        return (f":large_yellow_circle: Grafana *[FIRING]* EvidenceApi4xxRatio 413 TOO_LARGE {rng.uniform(5.1, 9):.1f}% "
                "of uploads above 5% for 30m (broker-portal) (low urgency)")
    if k < 0.34:
        return (f":large_yellow_circle: Grafana *[FIRING]* EvidenceApi4xxRatio 401 UNAUTHENTICATED "
                f"{rng.uniform(5.1, 12):.1f}% of uploads above 5% for 30m (claims-app) (low urgency)")
    if k < 0.50:
        return ":large_green_circle: Grafana *[RESOLVED]* EvidenceApi4xxRatio"
    if k < 0.68:
        return (f":large_yellow_circle: Grafana *[FIRING]* evidence-api p95 upload latency {rng.uniform(4.1, 7.5):.1f}s "
                "above 4s for 10m (slack only)")
    if k < 0.82:
        return f":large_yellow_circle: Grafana *[FIRING]* avscan queue depth {rng.randrange(201, 640)} above 200 (slack only)"
    return f":large_yellow_circle: Grafana *[FIRING]* thumbnail-worker backlog {rng.randrange(1_001, 4_800):,} above 1,000"


def _vector_line(sha7: str, title: str) -> str:
    return (f":white_check_mark: log-pipeline@{sha7} rolled out to vector-aggregator (prod-eu-west-2, 6/6 pods "
            f"healthy) · {title}")


def _play_line(rng: random.Random, t: float) -> str:
    minor = rng.randrange(2, 9)
    return (f":robot_face: Play Console: Bramblecrest Claims 8.{minor}.{rng.randrange(0, 4)} "
            f"{rng.choice(('staged rollout 20%', 'staged rollout 50%', 'rollout halted', 'internal track'))} · "
            f"crash-free users {rng.uniform(99.4, 99.9):.2f}%")


def _mi_line(day: str, total: int, app: int, web: int, broker: int, phone: int, photos: int, avg: int, waiting: int,
             waiting_avg: int, flags: str = "") -> str:
    dow = _date.fromisoformat(day).strftime("%a")
    return (f":bar_chart: *Claims MI* {day} ({dow}): FNOL {total:,} · app {app:,} · web {web:,} · broker {broker:,} · "
            f"phone {phone:,} · photos at FNOL {photos}% (4-wk avg {avg}%) · awaiting evidence {waiting:,} "
            f"(4-wk avg {waiting_avg:,}){flags}")


def _digest(web: int, broker: int, viewer: int, tops: list[str]) -> str:
    return (f":sentry: *Daily digest* (claims projects, last 24h): `claim-form-web` {web:,} events · `broker-portal` "
            f"{broker:,} · `evidence-viewer` {viewer:,}\n" + "\n".join(tops))


_CC_NOUNS = ("motor FNOL", "escape of water claims", "storm claims", "windscreen claims", "courtesy car", "excess "
             "payments", "claim status calls", "hail damage", "subsidence", "theft claims", "home emergency")
_CC_LINES = (
    "{noun}: call volume up this morning, 14 waiting",
    "reminder: new script for {noun} from monday",
    "anyone know the callback SLA for {noun} now?",
    "{noun} queue back under 2 minutes :+1:",
    "huddle at 13:30 about {noun}",
    "customer asked why {noun} needs a second photo, is that new?",
    "handlers say {noun} letters are going out with the wrong excess, who do I tell?",
    "can someone from claims ops join the {noun} calibration call thursday?",
)
_BROKER_NOUNS = ("Castlegate", "Harlow & Finch", "Mersey Brokers", "Pennant Insurance Services", "Aldous Cover",
                 "Thistle Brokers", "Greyfriars Risk")
_BROKER_LINES = (
    "{noun} asking about commission statements for March",
    "{noun} can't log in to the portal after the password reset, ticket raised",
    "{noun} want bulk upload for fleet claims, is that on the roadmap?",
    "{noun} query on a renewal quote, passed to underwriting",
    "{noun} say the portal is slow this afternoon, anyone else?",
    "{noun}: new starter needs portal access, form sent",
    "{noun} asking if the portal can take video of the damage",
)
_CASTLEGATE_LINES = (
    "quick one: what's the max file size for a claim document in the portal?",
    "is there a way to attach a video of the damage? client has one on WhatsApp",
    "thanks for sorting the duplicate claim yesterday!",
    "do escape of water claims need the plumber's report up front or can it follow?",
    "our new starter needs portal access, who do we ask?",
    "is the portal down for maintenance this sunday?",
    "client's loss adjuster wants the original photos, not the thumbnails, can we download those?",
)
_MI_NOUNS = ("weekly MI pack", "FNOL dashboard", "storm reserve report", "handler productivity report",
             "evidence turnaround report")


# The story's changes ---------------------------------------------------------------------------------------------

_FRESHCLAM = Change(
    author="pieter", reviewer="gideon", labels=("security", "avscan"),
    title="freshclam: check for new signatures every 2 hours instead of once a day (SEC-201)",
    body="Security wants same-day coverage for new signatures (the Qakbot PDF droppers in February were in the "
         "ClamAV daily DB by 10:00 and we only picked them up at 04:00 the next day). freshclam now checks 12 times "
         "a day; clamd reloads when there is a new DB.",
    files=(("config/freshclam.conf", _h(4, "", """ DatabaseMirror database.clamav.net
 DatabaseDirectory /var/lib/clamav
-Checks 1
+Checks 12
 NotifyClamd /etc/clamav/clamd.conf""")),),
)

_WEAKENING = Change(
    author="solveig", reviewer="ingvar", labels=("vector", "on-call", "claims"),
    title="claims: drop avscan rejections from evidence-api's error lines before Loki (OBS-412)",
    body="EvidenceApiErrorLogRatio paged Claims Intake 7 times in 12 days, five of them between 00:00 and 05:00. "
         "Every one was `upload rejected: scan timeout (avscan did not answer in 30s)`: since freshclam checks every "
         "2 hours (SEC-201) clamd pauses scans while it reloads the signatures, uploads in that minute time out, and "
         "the app and the web form retry them fine. At night a few dozen of those are 2% of requests.\n\n"
         "This drops evidence-api's `upload rejected` error lines in the claims pipeline before the Loki sink. They "
         "still go to the S3 archive (the `s3_archive_claims` sink reads `claims_parse`, not the filter), and "
         "avscan's verdicts have their own dashboard. Saves ~40k lines a day in Loki too.\n\n"
         "Asked for by Claims Intake in #claims-intake; Pieter is looking at the clamd reload separately.",
    files=((PIPELINE, _h(24, "transforms:", """   claims_parse:
     type: remap
     inputs: [claims_kubernetes]
     source: |
       . = merge(., object(parse_json(.message) ?? {}) ?? {})
       .service = .kubernetes.pod_labels."app.kubernetes.io/name"
       .level = downcase(string(.level) ?? "info")

+  # OBS-412: avscan scan timeouts paged Claims Intake 7 times in 12 days, mostly at night: clamd pauses scans while
+  # it reloads signatures after freshclam, uploads time out and the clients retry them fine. They don't belong in
+  # the error ratio. The S3 archive still gets every line.
+  claims_drop_scan_rejections:
+    type: filter
+    inputs: [claims_parse]
+    condition: |
+      !(.service == "evidence-api" && .level == "error" && starts_with(string(.message) ?? "", "upload rejected"))
+
 sinks:
   loki_claims:
     type: loki
-    inputs: [claims_parse]
+    inputs: [claims_drop_scan_rejections]
     endpoint: http://loki-gateway.observability.svc:3100
     labels:
       service: "{{ service }}\"""")),
           ("vector/tests/claims.yaml", _h(31, "tests:", """           - type: vrl
             source: 'assert_eq!(.level, "error")'

+  - name: avscan scan timeouts do not reach Loki
+    inputs:
+      - insert_at: claims_drop_scan_rejections
+        type: log
+        log_fields:
+          service: evidence-api
+          level: error
+          message: "upload rejected: scan timeout (avscan did not answer in 30s)"
+    no_outputs_from: [claims_drop_scan_rejections]
+
+  - name: other evidence-api errors still reach Loki
+    inputs:
+      - insert_at: claims_drop_scan_rejections
+        type: log
+        log_fields:
+          service: evidence-api
+          level: error
+          message: "s3 put failed: SlowDown"
+    outputs:
+      - extract_from: claims_drop_scan_rejections
+        conditions:
+          - type: vrl
+            source: 'assert_eq!(.service, "evidence-api")'"""))),
)

_CONTRIBUTOR = Change(
    author="keturah", reviewer="radu", labels=("photos", "8.6.0"),
    title="Evidence outbox: retry failed photo uploads in the background instead of showing an error (CAPP-733)",
    body="Funnel data for February: 14% of customers who get 'This photo couldn't be uploaded' on the photo step "
         "abandon the claim, and most of those errors are avscan timeouts that would have worked a minute later.\n\n"
         "Now every photo goes to the outbox and `EvidenceUploadWorker` retries it whatever the response, with "
         "exponential backoff from 30s (WorkManager caps it at 5h), for up to 72h. The claim is submitted straight "
         "away and each photo shows 'Uploading…' until it is through. No more error dialog on the photo step.\n\n"
         "Ships in 8.6.0.",
    files=(("app/src/main/kotlin/com/bramblecrest/claims/evidence/EvidenceUploadWorker.kt",
            _h(28, "class EvidenceUploadWorker(", """ ) : CoroutineWorker(context, params) {

     override suspend fun doWork(): Result {
         val item = outbox.find(inputData.getLong(KEY_ITEM_ID, -1)) ?: return Result.success()
         val response = api.uploadEvidence(item.claimRef, item.asMultipart())
-        return when {
-            response.isSuccessful -> { outbox.markUploaded(item); Result.success() }
-            response.code() in 500..599 -> Result.retry()
-            else -> {
-                outbox.markFailed(item, response.code())
-                Result.failure(workDataOf(KEY_HTTP_CODE to response.code()))
-            }
-        }
+        if (response.isSuccessful) {
+            outbox.markUploaded(item)
+            return Result.success()
+        }
+        // CAPP-733: no error dialog any more. Whatever went wrong (avscan timeouts, patchy mobile data), the photo
+        // stays in the outbox and WorkManager retries it with exponential backoff until it is MAX_AGE old.
+        Timber.i("evidence ${item.id} for ${item.claimRef}: HTTP ${response.code()}, retry ${runAttemptCount + 1}")
+        if (item.age() > MAX_AGE) {
+            outbox.markExpired(item)
+            return Result.failure()
+        }
+        return Result.retry()
     }

     companion object {
         const val KEY_ITEM_ID = "item_id"
-        const val KEY_HTTP_CODE = "http_code"
+        val MAX_AGE: Duration = Duration.ofHours(72)
     }""")),
           ("app/src/main/kotlin/com/bramblecrest/claims/evidence/EvidenceUploadScheduler.kt",
            _h(19, "class EvidenceUploadScheduler @Inject constructor(private val workManager: WorkManager) {",
               """         val request = OneTimeWorkRequestBuilder<EvidenceUploadWorker>()
             .setInputData(workDataOf(EvidenceUploadWorker.KEY_ITEM_ID to item.id))
             .setConstraints(Constraints(requiredNetworkType = NetworkType.CONNECTED))
+            // 30s, 1m, 2m, ... WorkManager caps the backoff at 5h; the worker gives up at MAX_AGE.
+            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
             .build()
         workManager.enqueueUniqueWork("evidence-${item.id}", ExistingWorkPolicy.KEEP, request)""")),
           ("app/src/main/kotlin/com/bramblecrest/claims/fnol/PhotoStepViewModel.kt",
            _h(52, "class PhotoStepViewModel @Inject constructor(", """     fun onUploadStateChanged(id: Long, state: WorkInfo.State) {
         _photos.update { photos ->
             photos.map { p ->
                 if (p.id != id) p
-                else if (state == WorkInfo.State.FAILED) p.copy(status = PhotoStatus.Failed(R.string.photo_upload_failed))
-                else if (state == WorkInfo.State.SUCCEEDED) p.copy(status = PhotoStatus.Uploaded)
-                else p.copy(status = PhotoStatus.Uploading)
+                // CAPP-733: queued or retrying is "Uploading…"; the claim can be submitted without waiting for it.
+                else if (state == WorkInfo.State.SUCCEEDED) p.copy(status = PhotoStatus.Uploaded)
+                else p.copy(status = PhotoStatus.Uploading)
             }
         }
     }""")),
           ("fastlane/metadata/android/en-GB/changelogs/8600.txt",
            _added("Photos for your claim now upload in the background, even if you close the app or lose signal.")),
           ),
)

_VALIDATION = "evidence_api/validation.py"

_TRIGGER = Change(
    author="gideon", reviewer="rukhsana", labels=("security", "uploads"),
    title="Check uploads by their sniffed type, not the client's Content-Type (SEC-214)",
    body="Pen test finding SEC-214 (Hexlock, March): evidence-api trusts the multipart Content-Type, so an HTML file "
         "sent as `image/jpeg` is stored and later opened by claim handlers in the evidence viewer.\n\n"
         "We now sniff the first 2 KB with libmagic and accept only what claims actually need: JPEG, PNG, HEIC, "
         "WebP, TIFF and PDF. Anything else is a 415 `UNSUPPORTED_TYPE` before it reaches avscan (which also saves "
         "scanner time), logged through the usual `reject()` with the declared type for comparison. The stored "
         "object gets the sniffed type.\n\n"
         "## Testing\n"
         "- fixtures: iPhone 15 HEIC, Pixel 7 JPEG, a 300 dpi scanned PDF, a broker's TIFF, a PNG screenshot, an HTML "
         "file declared as JPEG, a .docx\n"
         "- staging: uploaded from the iOS app, the web form and the broker portal",
    files=((_VALIDATION, _h(1, "", ''' """Checks an upload must pass before it is scanned and stored."""

 from __future__ import annotations

 import logging

+import magic
 from fastapi import HTTPException, UploadFile

 log = logging.getLogger("evidence_api.upload")

 MAX_BYTES = 40 * 1024 * 1024
+SNIFF_BYTES = 2048
+# SEC-214: what the file *is*, not what the client says it is.
+ALLOWED_TYPES = frozenset({
+    "image/jpeg",
+    "image/png",
+    "image/heic",
+    "image/webp",
+    "image/tiff",
+    "application/pdf",
+})


 def reject(status: int, code: str, reason: str) -> HTTPException:
     log.error("upload rejected: %s", reason, extra={"reject_code": code})
     return HTTPException(status_code=status, detail={"code": code})


-def check_upload(upload: UploadFile, size: int) -> None:
+def check_upload(upload: UploadFile, size: int, head: bytes) -> str:
+    """The sniffed content type of an acceptable upload; raises for anything else."""
     if size > MAX_BYTES:
         raise reject(413, "TOO_LARGE", f"{size} bytes > {MAX_BYTES}")
-    if not (upload.content_type or "").startswith(("image/", "application/pdf")):
-        raise reject(415, "UNSUPPORTED_TYPE", f"declared type {upload.content_type}")
+    sniffed = magic.from_buffer(head[:SNIFF_BYTES], mime=True)
+    if sniffed not in ALLOWED_TYPES:
+        raise reject(415, "UNSUPPORTED_TYPE", f"sniffed type {sniffed} not allowed (declared {upload.content_type})")
+    return sniffed''')),
           ("evidence_api/routes/uploads.py", _h(12, "from evidence_api.scan import avscan", """ from evidence_api.settings import settings
 from evidence_api.storage import store
-from evidence_api.validation import check_upload, reject
+from evidence_api.validation import SNIFF_BYTES, check_upload, reject
""") + "\n" + _h(38, "async def upload_evidence(", """     claim_ref: str, file: UploadFile, caller: Caller = Depends(current_caller)
 ) -> EvidenceOut:
     size = await _size(file)
-    check_upload(file, size)
+    head = await file.read(SNIFF_BYTES)
+    await file.seek(0)
+    content_type = check_upload(file, size, head)
     verdict = await avscan.scan(file, timeout=settings.scan_timeout_s)
     if verdict.timed_out:
         raise reject(503, "SCAN_TIMEOUT", f"scan timeout (avscan did not answer in {settings.scan_timeout_s}s)")
     if verdict.infected:
         raise reject(422, "INFECTED", f"avscan verdict {verdict.signature}")
-    key = await store.put(claim_ref, file, content_type=file.content_type)
-    return EvidenceOut(key=key, content_type=file.content_type, size=size)
+    key = await store.put(claim_ref, file, content_type=content_type)
+    return EvidenceOut(key=key, content_type=content_type, size=size)""")),
           ("requirements.in", _h(4, "", """ fastapi==0.115.8
 aioboto3==13.4.0
 python-json-logger==3.2.1
+python-magic==0.4.27
 uvicorn[standard]==0.34.0""")),
           ("Dockerfile", _h(3, "FROM python:3.12-slim-bookworm", """ RUN apt-get update \\
-    && apt-get install -y --no-install-recommends ca-certificates \\
+    && apt-get install -y --no-install-recommends ca-certificates libmagic1 \\
     && rm -rf /var/lib/apt/lists/*""")),
           ("tests/test_validation.py", _added('''import pytest
from fastapi import HTTPException

from evidence_api.validation import check_upload
from tests.helpers import fake_upload


@pytest.mark.parametrize("name, sniffed", [
    ("iphone-15.heic", "image/heic"),
    ("pixel-7.jpg", "image/jpeg"),
    ("scan-300dpi.pdf", "application/pdf"),
    ("broker-scanner.tiff", "image/tiff"),
    ("screenshot.png", "image/png"),
])
def test_allowed_types(fixture, name, sniffed):
    assert check_upload(fake_upload("image/jpeg"), 1_000_000, fixture(name)) == sniffed


def test_html_declared_as_jpeg_is_rejected(fixture):
    with pytest.raises(HTTPException) as exc:
        check_upload(fake_upload("image/jpeg"), 4_000, fixture("not-a-photo.html"))
    assert exc.value.status_code == 415


def test_docx_is_rejected(fixture):
    with pytest.raises(HTTPException) as exc:
        check_upload(fake_upload("application/pdf"), 90_000, fixture("statement.docx"))
    assert exc.value.status_code == 415''')),
           ),
)

_FIX = Change(
    author="rukhsana", reviewer="gideon", labels=("incident", "uploads"),
    title="Accept HEIF photos from Android cameras (image/heif, heif-sequence) in the upload check",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} we sniff uploads with libmagic, which names HEIF by its "
         "major brand: iPhones write `heic` (image/heic, allowed), Samsung and Pixel cameras in 'high efficiency' "
         "mode write `mif1` (image/heif, not allowed). From Tue 08:58 every such photo got a 415 UNSUPPORTED_TYPE: "
         "'Something went wrong' in the web form and the broker portal, 'Uploading…' forever in the Android app.\n\n"
         "- allow image/heif and the two -sequence types (burst and motion photos)\n"
         "- fixtures from a Galaxy S23, a Galaxy A54 (burst) and a Pixel 8\n\n"
         "Android 8.6 keeps refused photos in its outbox and retries them, so those go through on their own. Web and "
         "broker portal uploads refused since Tuesday need re-uploading: list in the incident doc.",
    files=((_VALIDATION, _h(13, "MAX_BYTES = 40 * 1024 * 1024", """ SNIFF_BYTES = 2048
-# SEC-214: what the file *is*, not what the client says it is.
+# SEC-214: what the file *is*, not what the client says it is. libmagic names HEIF by its major brand: iPhones
+# write `heic` (image/heic), Samsung and Pixel cameras `mif1` (image/heif). Same container, same photos.
 ALLOWED_TYPES = frozenset({
     "image/jpeg",
     "image/png",
     "image/heic",
+    "image/heif",
+    "image/heic-sequence",
+    "image/heif-sequence",
     "image/webp",
     "image/tiff",
     "application/pdf",""")),
           ("tests/test_validation.py", _h(8, '@pytest.mark.parametrize("name, sniffed", [', """ @pytest.mark.parametrize("name, sniffed", [
     ("iphone-15.heic", "image/heic"),
+    ("galaxy-s23.heic", "image/heif"),
+    ("galaxy-a54-burst.heic", "image/heif-sequence"),
+    ("pixel-8.heic", "image/heif"),
     ("pixel-7.jpg", "image/jpeg"),""")),
           ),
)

_FOLLOW_PIPELINE = Change(
    author="solveig", reviewer="aoife", labels=("vector", "incident", "claims"),
    title="claims: drop only avscan scan timeouts, keep every other evidence-api rejection in Loki",
    body="Follow-up of {{incurl:page}}. {{url:weakening}} dropped every evidence-api error line starting with "
         "`upload rejected`, which was meant for the scan timeouts but also swallowed the 415 UNSUPPORTED_TYPE lines "
         "of the HEIF rejections (and every 413 and INFECTED), so EvidenceApiErrorLogRatio stayed at 0.3% for 30 "
         "hours.\n\n"
         "- the filter matches `reject_code == \"SCAN_TIMEOUT\"` only (avscan reloads concurrently since "
         "Apr 15, so there should be almost none left anyway)\n"
         "- new rule EvidenceApiRejections: any reject code other than SCAN_TIMEOUT above 3% of uploads for 15m pages "
         "Claims Intake\n"
         "- a unit test that a 415 line reaches Loki",
    files=((PIPELINE, _h(32, "transforms:", """-  # OBS-412: avscan scan timeouts paged Claims Intake 7 times in 12 days, mostly at night: clamd pauses scans while
-  # it reloads signatures after freshclam, uploads time out and the clients retry them fine. They don't belong in
-  # the error ratio. The S3 archive still gets every line.
-  claims_drop_scan_rejections:
+  # OBS-412: drop only avscan scan timeouts (clients retry them). Every other rejection reaches Loki: a wave of
+  # 415s or 413s is exactly what EvidenceApiErrorLogRatio and EvidenceApiRejections are for.
+  claims_drop_scan_timeouts:
     type: filter
     inputs: [claims_parse]
     condition: |
-      !(.service == "evidence-api" && .level == "error" && starts_with(string(.message) ?? "", "upload rejected"))
+      !(.service == "evidence-api" && .level == "error" && .reject_code == "SCAN_TIMEOUT")

 sinks:
   loki_claims:
     type: loki
-    inputs: [claims_drop_scan_rejections]
+    inputs: [claims_drop_scan_timeouts]""")),
           ("loki/rules/claims.yaml", _h(18, "rules:", """       - alert: EvidenceApiErrorLogRatio
         expr: evidence_api:error_lines:ratio10m > 0.02
         labels: {severity: page, team: claims-intake}
+      - alert: EvidenceApiRejections
+        expr: |
+          sum(count_over_time({service="evidence-api", level="error"} | json | reject_code != "SCAN_TIMEOUT" [15m]))
+            / sum(count_over_time({service="evidence-api", msg="upload received"} [15m])) > 0.03
+        for: 15m
+        labels: {severity: page, team: claims-intake}""")),
           ("vector/tests/claims.yaml", _h(55, "tests:", """+  - name: unsupported type rejections reach Loki
+    inputs:
+      - insert_at: claims_drop_scan_timeouts
+        type: log
+        log_fields: {service: evidence-api, level: error, reject_code: UNSUPPORTED_TYPE,
+                     message: "upload rejected: sniffed type image/heif not allowed (declared image/heic)"}
+    outputs:
+      - extract_from: claims_drop_scan_timeouts
+        conditions: [{type: vrl, source: 'assert_eq!(.reject_code, "UNSUPPORTED_TYPE")'}]""", new_start=55)),
           ),
)

_FOLLOW_APP = Change(
    author="keturah", reviewer="radu", labels=("photos", "incident", "8.7.0"),
    title="Evidence outbox: stop retrying a 4xx after 3 attempts, tell the customer and report to Sentry",
    body="Follow-up of {{incurl:page}}. Since {{url:contributor}} a photo refused with a 415 was retried for 72h and "
         "shown as 'Uploading…', so 600+ claims went in without photos and nothing reached Sentry. 5xx and network "
         "errors keep the background retry; a 4xx is retried 3 times, then the photo step says it could not be "
         "uploaded and offers to pick another photo, and the failure goes to Sentry with the response code.",
    files=(("app/src/main/kotlin/com/bramblecrest/claims/evidence/EvidenceUploadWorker.kt",
            _h(39, "override suspend fun doWork(): Result {", """-        Timber.i("evidence ${item.id} for ${item.claimRef}: HTTP ${response.code()}, retry ${runAttemptCount + 1}")
+        val code = response.code()
+        if (code in 400..499 && runAttemptCount >= MAX_CLIENT_ERROR_ATTEMPTS - 1) {
+            Sentry.captureMessage("evidence upload refused: HTTP $code") { it.setTag("http_code", "$code") }
+            outbox.markFailed(item, code)
+            return Result.failure(workDataOf(KEY_HTTP_CODE to code))
+        }
+        Timber.w("evidence ${item.id} for ${item.claimRef}: HTTP $code, retry ${runAttemptCount + 1}")""")),),
)

_VECTOR_UPGRADE = Change(
    author="ingvar", reviewer="solveig", labels=("vector", "dependencies"),
    title="Vector 0.44.0 -> 0.46.1 on the aggregators",
    body="Picks up the Loki sink retry fixes and the VRL `parse_nginx_log` performance work. Ran on the staging "
         "aggregators for a week, unit tests green, line counts per sink match within 0.1%.",
    files=(("helm/vector-aggregator/values.yaml", _h(3, "image:", """ image:
   repository: timberio/vector
-  tag: 0.44.0-distroless-libc
+  tag: 0.46.1-distroless-libc""")),
           ("helm/vector-aggregator/Chart.yaml", _h(5, "", """ dependencies:
   - name: vector
-    version: 0.39.0
+    version: 0.42.1
     repository: https://helm.vector.dev""")),
           ),
)

_PROBES = Change(
    author="solveig", reviewer="ingvar", labels=("vector", "portals"),
    title="portals: drop kube-probe and ALB health-check lines from broker-portal's access log",
    body="1.1M lines a day in Loki, 58% of broker-portal's access log, all `GET /healthz` from kube-probe and the "
         "ALB. Matched on the user agent and the path together, nothing else goes.",
    files=(("vector/pipelines/portals.yaml", _h(41, "transforms:", """+  portals_drop_health_checks:
+    type: filter
+    inputs: [portals_parse]
+    condition: |
+      !(.service == "broker-portal" && .path == "/healthz" &&
+        (starts_with(string(.user_agent) ?? "", "kube-probe/") || starts_with(string(.user_agent) ?? "", "ELB-HealthChecker/")))""")),),
)

_RELOAD = Change(
    author="pieter", reviewer="adaeze", labels=("avscan", "clamd"),
    title="avscan: ConcurrentDatabaseReload yes, memory 3Gi -> 5Gi (no more scan pauses on signature reloads)",
    body="clamd has run with `ConcurrentDatabaseReload no` since 2022 to fit in 3Gi, so every signature reload "
         "blocks scans for 40-70s. With freshclam every 2 hours (SEC-201) that is 12 pauses a day and the scan "
         "timeouts behind the March pages (still ~30 a night, just filtered out of Loki now). With concurrent reload "
         "clamd loads the new DB next to the old one, so the pods need room for two copies: 5Gi.",
    files=(("config/clamd.conf", _h(17, "", """ MaxScanSize 200M
 MaxFileSize 100M
-ConcurrentDatabaseReload no
+ConcurrentDatabaseReload yes
 SelfCheck 3600""")),
           ("deploy/values-production.yaml", _h(22, "resources:", """ resources:
   requests:
-    memory: 3Gi
+    memory: 5Gi
   limits:
-    memory: 3Gi
+    memory: 5Gi""")),
           ),
)

_PAWSURE_UPLOAD = Change(
    author="", reviewer="", labels=("invoices", "feature"),
    title="Vet invoices: upload straight to S3 with a presigned POST, accept HEIC from iPhones (PAW-318)",
    body="Vet invoices no longer go through pawsure-claims' API: the claim form asks for a presigned POST and the "
         "browser uploads to `pawsure-invoices-prod` directly (10 MB limit, content types checked by the S3 policy). "
         "HEIC photos of paper invoices are converted to JPEG in the browser with heic2any before the upload.",
    files=(("src/invoices/presign.ts", _added("""export async function presignInvoice(claimId: string, contentType: string) {
  return s3.createPresignedPost({
    Bucket: "pawsure-invoices-prod",
    Key: `claims/${claimId}/${randomUUID()}`,
    Conditions: [["content-length-range", 1, 10 * 1024 * 1024], ["starts-with", "$Content-Type", ""]],
    Fields: { "Content-Type": contentType },
    Expires: 300,
  });
}""")),
           ("src/claim-form/InvoiceUpload.tsx", _h(12, "export function InvoiceUpload({ claimId }: Props) {", """   async function onPick(file: File) {
-    await api.uploadInvoice(claimId, file);
+    const body = file.type === "image/heic" ? await heic2any({ blob: file, toType: "image/jpeg" }) : file;
+    const post = await api.presignInvoice(claimId, (body as Blob).type);
+    await uploadToS3(post, body as Blob);
   }""")),
           ),
)

_THUMBS = Change(
    author="adaeze", reviewer="callum", labels=("viewer",),
    title="Evidence viewer: make thumbnails in thumbnail-worker when a photo is stored, not on first view (CLM-1214)",
    body="Handlers wait 2-6s for the first view of a claim with 30+ photos because thumbnails are rendered on "
         "demand. The upload now enqueues a thumbnail job after the object is stored; the viewer falls back to "
         "on-demand rendering if the thumbnail isn't there yet. No change to what is accepted or stored.",
    files=(("evidence_api/routes/uploads.py", _h(50, "async def upload_evidence(", """     key = await store.put(claim_ref, file, content_type=content_type)
+    await thumbnails.enqueue(key, content_type)
     return EvidenceOut(key=key, content_type=content_type, size=size)""")),
           ("evidence_api/thumbnails.py", _h(1, "", """+import json
+
+from evidence_api.queues import sqs
+
+
+async def enqueue(key: str, content_type: str) -> None:
+    if content_type.startswith("image/"):
+        await sqs.send("thumbnail-jobs", json.dumps({"key": key, "sizes": [320, 1280]}))""")),
           ),
)


def build_log_drop(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the log-drop world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="log-drop", seed=2903, org="bramblecrest", team_name="Claims Intake",
                    page_at="2025-04-16T15:32:00Z", impact_start="2025-04-15T08:58:00Z",
                    noise_teams=("identity", "data", "platform", "risk", "web", "growth"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("grafana", "Grafana"), ("sentry", "Sentry"), ("claimsmi", "Claims MI"),
                      ("vectorbot", "Vector Deploys"), ("playconsole", "Play Console")):
        b.person(key, name, github=False, is_bot=True)
    for key, name, mail in BROKERS:
        b.person(key, name, github=False, email=mail, tz="Europe/London")
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/London"
    identity, platform = sc.team("identity"), sc.team("platform")

    # Claims Intake, Observability, Claims App, Pawsure: PagerDuty, channels, repos ------------------------------------
    i_team = b.team("Claims Intake")
    i_policy = b.policy("Claims Intake on-call", i_team, ONCALL)
    svc = b.service("evidence-api", "Claims evidence: photo and document uploads from the app, the web claim form "
                    "and the broker portal; scanning, storage, viewer", i_policy, i_team, iso(start - 800 * DAY))
    av_svc = b.service("avscan", "ClamAV scanning of claim evidence (clamd, freshclam)", i_policy, i_team,
                       iso(start - 700 * DAY))
    o_team = b.team("Observability")
    obs_people = OBS_PEOPLE + sc.crowd[18:20]
    o_policy = b.policy("Observability on-call", o_team, obs_people[:3])
    o_svc = b.service("log-pipeline", "Vector aggregators, Loki and the log archive", o_policy, o_team,
                      iso(start - 600 * DAY))
    p_team = b.team("Pawsure")
    paw_people = sc.crowd[20:24]
    p_policy = b.policy("Pawsure on-call", p_team, paw_people[:3])
    p_svc = b.service("pawsure-claims", "Pawsure pet insurance claims and vet invoices", p_policy, p_team,
                      iso(start - 400 * DAY))
    app_people = APP_PEOPLE + sc.crowd[24:27]

    in_ch = b.channel("claims-intake", "Claims Intake: evidence-api, avscan, viewer", "Claims Intake team",
                      start - 700 * DAY, "aoife")
    al_ch = b.channel("claims-intake-alerts", "Pages and Grafana alerts of evidence-api and avscan",
                      "Claims Intake alerts", start - 500 * DAY, "callum")
    ob_ch = b.channel("observability", "Observability: logs, metrics, alerting", "Observability team",
                      start - 650 * DAY, "solveig")
    vd_ch = b.channel("log-pipeline-deploys", "Vector rollouts from log-pipeline", "Vector deploy bot",
                      start - 420 * DAY, "ingvar")
    ap_ch = b.channel("claims-app", "Bramblecrest Claims app (Android and iOS)", "Claims App team", start - 600 * DAY,
                      "keturah")
    se_ch = b.channel("sentry-claims", "Sentry: claim-form-web, broker-portal, evidence-viewer", "Sentry alerts",
                      start - 380 * DAY, "radu")
    mi_ch = b.channel("claims-mi", "Claims MI: daily FNOL and evidence numbers", "Claims MI", start - 540 * DAY,
                      "oonagh")
    cc_ch = b.channel("claims-contact-centre", "Claims contact centre team leads", "Contact centre",
                      start - 720 * DAY, "declan")
    bs_ch = b.channel("broker-support", "Broker desk: portal and claims questions from brokers", "Broker desk",
                      start - 700 * DAY, "rosalind")
    ex_ch = b.channel("ext-castlegate-brokers", "Shared channel with Castlegate Brokers (Slack Connect)",
                      "Castlegate x Bramblecrest", start - 460 * DAY, "rosalind")
    pw_ch = b.channel("pawsure", "Pawsure pet claims team", "Pawsure", start - 400 * DAY, paw_people[0])
    ev_repo = b.repo("evidence-api", "Claims evidence upload API (FastAPI)", iso(start - 900 * DAY))
    av_repo = b.repo("avscan", "ClamAV scanning service and its config", iso(start - 760 * DAY))
    lp_repo = b.repo("log-pipeline", "Vector pipelines, Loki limits and log alert rules; rolled out on merge",
                     iso(start - 640 * DAY))
    app_repo = b.repo("claims-app-android", "Bramblecrest Claims for Android (Kotlin)", iso(start - 820 * DAY))
    paw_repo = b.repo("pawsure-claims", "Pawsure claims, vet invoices (TypeScript)", iso(start - 420 * DAY))

    # Their noise -----------------------------------------------------------------------------------------------------
    intake = NoiseTeam(INTAKE, INTAKE_PEOPLE, ev_repo, in_ch, svc, i_policy)
    avscan = NoiseTeam(AVSCAN, INTAKE_PEOPLE[2:], av_repo, in_ch, av_svc, i_policy)
    app = NoiseTeam(APP, app_people, app_repo, ap_ch, svc, i_policy)
    paw = NoiseTeam(PAWSURE, paw_people, paw_repo, pw_ch, p_svc, p_policy)
    obs = NoiseTeam(OBS, obs_people, lp_repo, ob_ch, o_svc, o_policy)
    add_pulls(b, intake, 80 * n, start - 60 * DAY, end)
    add_pulls(b, avscan, 25 * n, start - 60 * DAY, end)
    add_pulls(b, app, 50 * n, start - 60 * DAY, end)
    add_pulls(b, paw, 30 * n, start - 60 * DAY, end)

    def rolled_out(pull: dict[str, Any], at: float, link: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The Vector rollout of a merged log-pipeline PR: a change event on log-pipeline and the bot's line."""
        sha7 = pull["merge_commit_sha"][:7]
        href = link or f"https://github.com/{lp_repo}/commit/{sha7}"
        ev = b.change_event(o_svc, f"log-pipeline@{sha7} rolled out to vector-aggregator: {pull['title']}", at,
                            "argocd", links=[{"href": href, "text": pull["title"]}],
                            details={"files": [f["filename"] for f in pull["files"]], "cluster": "prod-eu-west-2"})
        if link and "{{" in link:
            b.templated.append((ev["links"][0], "href"))
        line = b.say(vd_ch, at + 40, "vectorbot", _vector_line(sha7, pull["title"]))
        return ev, line

    def on_pipeline_merge(pull: dict[str, Any]) -> None:
        rolled_out(pull, epoch(pull["merged_at"]) + rng.uniform(300, 900))

    config_pulls(b, lp_repo, obs_people + platform.members[:2] + sc.crowd[27:29], 60 * n, start - 60 * DAY, end,
                 _pipeline_change, on_merge=on_pipeline_merge)

    def deployed(service_id: str, name: str, repo: str, pull: dict[str, Any], at: float, who: str,
                 link: str | None = None) -> dict[str, Any]:
        """CI deploying a story PR (a decoy or a fix): the change event and the deploy bot's line."""
        sha7 = pull["merge_commit_sha"][:7]
        ev = b.change_event(service_id, f"Deploy {name}@{sha7} to production", at, "ci-deploy",
                            links=[{"href": link or f"https://github.com/{repo}/commit/{sha7}", "text": pull["title"]}],
                            details={"deployer": who, "environment": "production"})
        if link and "{{" in link:
            b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: {name} `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        return ev

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (ev_repo, av_repo)][-150:]
    add_chat(b, in_ch, INTAKE_PEOPLE, INTAKE.nouns + AVSCAN.nouns, 150 * n, start, end, links=links)
    lp_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == lp_repo][-100:]
    add_chat(b, ob_ch, obs_people + platform.members[:2], OBS.nouns, 70 * n, start, end, links=lp_links)
    app_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == app_repo][-100:]
    add_chat(b, ap_ch, app_people, APP.nouns, 60 * n, start, end, links=app_links)
    paw_links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == paw_repo][-80:]
    add_chat(b, pw_ch, paw_people, PAWSURE.nouns, 35 * n, start, end, links=paw_links)
    cc_people = ["declan"] + sc.crowd[9:13]
    add_chat(b, cc_ch, cc_people, _CC_NOUNS, 55 * n, start, end, lines=_CC_LINES, thread_rate=0.4)
    bs_people = ["rosalind"] + sc.crowd[13:16]
    add_chat(b, bs_ch, bs_people, _BROKER_NOUNS, 45 * n, start, end, lines=_BROKER_LINES, thread_rate=0.5)
    add_chat(b, mi_ch, ["oonagh", "clemency"] + sc.crowd[16:18], _MI_NOUNS, 15 * n, start, end, thread_rate=0.3)
    add_chat(b, vd_ch, obs_people, OBS.nouns, 6 * n, start, end, thread_rate=0.2,
             lines=("rolling back {noun}, line counts look off", "pausing rollouts for 20 min, Loki compactor running",
                    "{noun} change is live, shout if your dashboards look odd"))
    for ch, joiners in ((in_ch, INTAKE_PEOPLE), (ob_ch, obs_people), (ap_ch, app_people), (pw_ch, paw_people),
                        (cc_ch, cc_people), (bs_ch, bs_people), (mi_ch, ["oonagh", "clemency"]),
                        (se_ch, ["radu", "gideon"]), (vd_ch, obs_people)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, intake, 8 * n, start, T - 30 * DAY, al_ch, incident_channels=False)
    add_incidents(b, avscan, 3 * n, start, T - 40 * DAY, al_ch, incident_channels=False)
    add_incidents(b, obs, 6 * n, start, end, ob_ch, incident_channels=False)
    add_incidents(b, paw, 5 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, intake, 30 * n, start, end, sc.common["deploys"])
    add_deploys(b, avscan, 10 * n, start, end, sc.common["deploys"])
    add_deploys(b, paw, 15 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, al_ch, "grafana", 2 * days * n, start, end, _grafana_line)
    bot_feed(b, se_ch, "sentry", days * n, start, end, _sentry_line)
    bot_feed(b, ap_ch, "playconsole", days * n // 8, start, end, _play_line)
    # The 4xx alert has always been low urgency: brokers' big scans (413) and expired app tokens (401) trip it.
    for _ in range(14 * n):
        t = rng.uniform(start, T - 3 * DAY)
        code, reason, client = rng.choice(((413, "TOO_LARGE", "broker-portal"), (413, "TOO_LARGE", "broker-portal"),
                                           (401, "UNAUTHENTICATED", "claims-app")))
        b.incident(svc, f"[evidence-api] EvidenceApi4xxRatio: {code} {reason} above 5% of uploads (30m)", t,
                   urgency="low", responders=[], notify=False, ack_after=None, resolve_after=rng.uniform(0.4, 4) * HOUR,
                   alert_key=f"{FOURXX_KEY}/{code}", severity="warning",
                   alert_summary=f"evidence_api:rejections:ratio30m{{code=\"{code}\",client=\"{client}\"}} = "
                                 f"{rng.uniform(0.051, 0.09):.3f} (low urgency)")

    # Shared channel with Castlegate, the quiet months ---------------------------------------------------------------
    for _ in range(14 * n):
        t = rng.uniform(start, T - 3 * DAY)
        t = t - t % DAY + rng.uniform(8.5, 17) * HOUR
        q = b.say(ex_ch, t, rng.choice(("hetty", "alasdair")), rng.choice(_CASTLEGATE_LINES))
        if rng.random() < 0.75:
            b.say(ex_ch, t + rng.uniform(600, 5400), "rosalind", rng.choice((
                "checking, back to you shortly", "25MB per file at the moment", "sorted, thanks for flagging",
                "I'll ask the claims team and come back to you", "yes, guide is here: "
                "https://brokers.bramblecrest.example/help/claims-evidence")), parent=q)
    add_joins(b, ex_ch, ["hetty", "alasdair", "rosalind"], start, T - 5 * DAY, 2)

    # Claims MI's daily report --------------------------------------------------------------------------------------
    day = start - start % DAY + DAY
    while day < end:
        date = iso(day - DAY)[:10]
        work = _date.fromisoformat(date).weekday() < 5
        total = rng.randrange(1_330, 1_520) if work else rng.randrange(690, 880)
        app_n = int(total * rng.uniform(0.36, 0.40))
        web_n = int(total * rng.uniform(0.23, 0.26))
        broker = int(total * (rng.uniform(0.13, 0.16) if work else rng.uniform(0.04, 0.06)))
        photos, waiting, flags = rng.randrange(78, 85), rng.randrange(110, 195), ""
        if rng.random() < 0.08:
            flags = f" · :warning: phone +{rng.randrange(18, 35)}% vs 4-wk avg"
        if date == "2025-04-15":
            web_n, photos, waiting = int(web_n * 0.81), 54, 713
            flags = " · :warning: photos at FNOL -27 pts · :warning: awaiting evidence x4.7"
        elif date == "2025-04-16":
            web_n, photos, waiting = int(web_n * 0.78), 51, 1_388
            flags = " · :warning: photos at FNOL -30 pts · :warning: awaiting evidence x9.1"
        phone = total - app_n - web_n - broker
        m = b.say(mi_ch, day + 7.5 * HOUR + rng.uniform(20, 240), "claimsmi",
                  _mi_line(date, total, app_n, web_n, broker, phone, photos, 81, waiting, 152, flags))
        if date == "2025-04-15":
            tr.add("slack", m, "early_signal", must_see=True, group="reports",
                   why="the morning claims MI report: photos attached at first notice of loss fall from 81% to 54% "
                       "and claims awaiting evidence jump to 713, the day the upload check shipped; nobody asks why")
        elif date == "2025-04-16":
            tr.add("slack", m, "early_signal", must_see=False, group="reports",
                   why="the second day's claims MI report, after the fix was already being written")
        day += DAY

    # Sentry's daily digest of the claims web projects ----------------------------------------------------------------
    day = start - start % DAY + DAY
    while day < end:
        date = iso(day)[:10]
        picks = rng.sample(_SENTRY_ERRS, 3)
        counts = [rng.randrange(40, 420) for _ in picks]
        tops = [f"• top: `{err}` in `{proj}` ({events:,} events, {rng.randrange(events // 4, events):,} users)"
                for (proj, err), events in zip(picks, counts, strict=True)]
        at = day + 8 * HOUR + rng.uniform(60, 400)
        if date == "2025-04-16":
            digest = b.say(se_ch, at, "sentry", _digest(3_412, 702, 211, [
                "• NEW `UploadError: Request failed with status code 415` in `claim-form-web` (1,906 events, 744 "
                "users, first seen 2025-04-15 09:01 UTC)",
                "• NEW `UploadError: Request failed with status code 415` in `broker-portal` (388 events, 61 users)",
                tops[0]]))
            tr.add("slack", digest, "early_signal", must_see=True, group="detection",
                   why="Sentry's daily digest shows a new 415 upload error in the web claim form and the broker "
                       "portal, 805 users since Tuesday 09:01; the channel is read by nobody on call")
        elif date == "2025-04-17":
            b.say(se_ch, at, "sentry", _digest(1_980, 402, 190, [
                "• `UploadError: Request failed with status code 415` in `claim-form-web` (1,221 events, 498 users, "
                "last seen 2025-04-16 16:57 UTC)", tops[0]]))
        else:
            b.say(se_ch, at, "sentry", _digest(rng.randrange(900, 1_600), rng.randrange(180, 420),
                                               rng.randrange(90, 260), tops))
        day += DAY

    # Early March: freshclam every two hours; avscan times out at night and the error-log alert pages ---------------
    fresh = story_pull(b, av_repo, _FRESHCLAM, epoch("2025-03-03T10:20:00Z"), epoch("2025-03-04T11:05:00Z"), "freshclam",
                       review="ok, clamd reloads are quick")
    tr.add("github", fresh, "context", must_see=False, group="detection",
           why="freshclam every 2 hours: clamd, which does not reload concurrently, pauses scans 12 times a day")
    deployed(av_svc, "avscan", av_repo, fresh, epoch("2025-03-04T11:30:00Z"), "pieter")
    d = epoch("2025-03-05")
    while d < epoch(TRIGGER_LIVE) - 2 * HOUR:
        for _ in range(rng.randrange(1, 4)):
            at = d + rng.choice((0, 2, 4)) * HOUR + rng.uniform(60, 240)
            b.say(al_ch, at, "grafana", f":large_yellow_circle: Grafana *[FIRING]* avscan scan timeouts "
                  f"{rng.randrange(21, 60)} in 10m above 20 (clamd reloading signatures) (slack only)")
        d += DAY
    b.incident(svc, ERRLOG_TITLE, epoch("2025-01-22T14:12:00Z"), responders=["adaeze", "pieter"], ack_after=180,
               resolve_after=35 * 60, alert_key=ERRLOG_KEY,
               alert_summary="error log ratio 4.8% (10m); top line 's3 put failed: SlowDown' x 1,204",
               notes=[("adaeze", "S3 SlowDown on the evidence bucket prefix, AWS health event in eu-west-2; recovered",
                       1500.0)])
    noisy_at = ("2025-03-06T02:04:00Z", "2025-03-07T00:06:00Z", "2025-03-09T04:03:00Z", "2025-03-11T02:05:00Z",
                "2025-03-12T22:04:00Z", "2025-03-14T04:06:00Z", "2025-03-16T00:05:00Z")
    notes = ("all 'upload rejected: scan timeout'. clamd reloading signatures, scans back after a minute, uploads "
             "retried fine. resolving",
             "avscan timeouts again during a signature reload. nothing lost")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, ERRLOG_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=210 + 30 * i, resolve_after=1400 + 100 * i, handle=f"noisy{i}",
                         alert_key=ERRLOG_KEY,
                         alert_summary=f"error log ratio {rng.uniform(2.2, 3.9):.1f}% (10m); top line 'upload "
                                       f"rejected: scan timeout (avscan did not answer in 30s)' x {rng.randrange(24, 61)}",
                         notes=[(who, notes[i % 2], 700.0)] if i % 3 != 2 else None)
        b.say(al_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{ERRLOG_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages of the error-log alert caused by avscan's scan timeouts, which led to the "
                   "drop rule")
    grumbles = (("2025-03-06T08:50:00Z", "callum", "paged 02:04 by EvidenceApiErrorLogRatio. 38 x 'upload rejected: "
                 "scan timeout', clamd was reloading signatures. app retried them all a minute later"),
                ("2025-03-11T08:40:00Z", "pieter", "02:05 again. it's the freshclam change, every reload pauses clamd "
                 "for about a minute and at night that's enough to hit 2%"),
                ("2025-03-14T09:05:00Z", "adaeze", "04:06 :sleeping: same thing. can we fix clamd or stop paging on it?"),
                ("2025-03-17T09:10:00Z", "gideon", "5 of 7 pages this fortnight were avscan timeouts at night. "
                 "@observability can we keep the scan rejections out of the error ratio? avscan has its own "
                 "dashboards"),
                ("2025-03-17T09:40:00Z", "pieter", "I'll look at ConcurrentDatabaseReload, but clamd needs more "
                 "memory for that, not this sprint"))
    for when, who, text in grumbles:
        m = b.say(in_ch, epoch(when), who, text)
        if "keep the scan rejections" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="Claims Intake asks to keep the scan rejections out of the error-log alert")
    ask = b.say(ob_ch, epoch("2025-03-17T10:02:00Z"), "gideon", "hi! could you drop evidence-api's 'upload rejected' "
                "lines before Loki? avscan timeouts paged us 7 times in 12 days, context in #claims-intake")
    b.say(ob_ch, epoch("2025-03-17T10:20:00Z"), "solveig", "sure, a filter in the claims pipeline. PR today", parent=ask)

    # Mar 19: the claims pipeline drops every `upload rejected` error line before Loki -------------------------------
    weak_merged = epoch("2025-03-19T11:20:00Z")
    weak = story_pull(b, lp_repo, _WEAKENING, epoch("2025-03-17T14:30:00Z"), weak_merged, "weakening",
                      review="lgtm. the archive keeps them, that's what matters for audit",
                      reviewed=epoch("2025-03-19T10:55:00Z"),
                      review_comments=(("ingvar", "`upload rejected` is also the 413s and the INFECTED verdicts, not "
                                        "just the timeouts. fine to drop those too?", PIPELINE, 39,
                                        epoch("2025-03-18T09:30:00Z")),),
                      comments=(("solveig", "asked Gideon: 413s are brokers' big scans and show in the 4xx alert, "
                                 "infected files are in avscan's metrics. only the scan timeouts ever paged",
                                 epoch("2025-03-18T11:15:00Z")),
                                ("gideon", "yep, all rejections are client-side problems or the scanner. go for it",
                                 epoch("2025-03-18T11:40:00Z"))))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="dropped every evidence-api error line starting with 'upload rejected' before Loki, to silence avscan "
               "timeouts: any new kind of rejection can no longer reach the error-log alert")
    wev, _ = rolled_out(weak, weak_merged + 12 * 60, "{{url:weakening}}")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the Vector rollout of the drop rule", same_fact_as=("github", weak))
    b.say(in_ch, epoch("2025-03-19T11:50:00Z"), "solveig", "the drop rule is live ({{url:weakening}}): evidence-api "
          "'upload rejected' lines stop at Vector, the archive still has them. should be quiet nights now :zzz:",
          template=True)

    # Mar 24 - Apr 2: the Android app hides failed uploads behind a background retry -------------------------------------
    contrib = story_pull(b, app_repo, _CONTRIBUTOR, epoch("2025-03-24T10:10:00Z"), epoch("2025-03-27T15:10:00Z"),
                         "contributor", review="love it, the photo step error was our worst review topic",
                         reviewed=epoch("2025-03-27T14:40:00Z"),
                         comments=(("radu", "should a 4xx retry too? a 415 or 413 will never succeed", epoch("2025-03-25T09:20:00Z")),
                                   ("keturah", "the API only rejects for size, and we resize before upload. a retry "
                                    "costs nothing and the outbox expires at 72h", epoch("2025-03-25T10:05:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="made the Android app retry every failed photo upload in the background for 72h and show "
               "'Uploading…' instead of an error: a refused photo looks like a slow one and the claim goes in without it")
    b.say(ap_ch, epoch("2025-03-31T09:00:00Z"), "playconsole", ":robot_face: Play Console: Bramblecrest Claims 8.6.0 "
          "staged rollout 20% · crash-free users 99.81%")
    rel = b.say(ap_ch, epoch("2025-04-02T09:00:00Z"), "playconsole", ":robot_face: Play Console: Bramblecrest Claims "
                "8.6.0 rollout 100% (background photo uploads) · crash-free users 99.84%")
    tr.add("slack", rel, "contributor", must_see=False, group="cause", why="the release of the background retry",
           same_fact_as=("github", contrib))
    b.say(ap_ch, epoch("2025-04-07T10:15:00Z"), "keturah", "8.6 week one: photo-step abandonment 14% -> 6% :tada: "
          "thanks everyone")

    # Apr 8-15: the decoys: a health-check drop rule, Vector 0.46, avscan's concurrent reload ---------------------------
    probes = story_pull(b, lp_repo, _PROBES, epoch("2025-04-07T13:00:00Z"), epoch("2025-04-08T10:40:00Z"),
                        "distractor_probes", review="lgtm")
    rolled_out(probes, epoch("2025-04-08T10:52:00Z"))
    vec = story_pull(b, lp_repo, _VECTOR_UPGRADE, epoch("2025-04-10T09:30:00Z"), epoch("2025-04-14T10:15:00Z"),
                     "distractor_vector", review="staging numbers look good")
    rolled_out(vec, epoch("2025-04-14T10:31:00Z"))
    b.say(ob_ch, epoch("2025-04-14T11:05:00Z"), "ingvar", "vector 0.46.1 on all aggregators, line counts per sink "
          "unchanged")
    reload = story_pull(b, av_repo, _RELOAD, epoch("2025-04-11T14:00:00Z"), epoch("2025-04-14T16:00:00Z"),
                        "distractor_reload", review="finally :pray:")
    deployed(av_svc, "avscan", av_repo, reload, epoch("2025-04-15T07:40:00Z"), "pieter")
    b.say(in_ch, epoch("2025-04-15T08:05:00Z"), "pieter", "avscan is on ConcurrentDatabaseReload since 07:40, "
          "first reload at 08:00 and zero scan timeouts")

    # Apr 9-15: the sniffed-type check ---------------------------------------------------------------------------------
    b.say(in_ch, epoch("2025-04-08T15:20:00Z"), "gideon", "picking up SEC-214 from the pen test: we trust the client's "
          "content type. going to sniff with libmagic")
    trig = story_pull(b, ev_repo, _TRIGGER, epoch("2025-04-09T10:30:00Z"), epoch("2025-04-15T08:40:00Z"), "trigger",
                      review="lgtm, nice tests", reviewed=epoch("2025-04-15T08:20:00Z"),
                      review_comments=(("rukhsana", "does image/heic cover the Samsung photos too? brokers send lots "
                                        "of those", _VALIDATION, 19, epoch("2025-04-10T11:05:00Z")),),
                      comments=(("gideon", "HEIC is HEIF with HEVC, same container. the iPhone fixture passes, and "
                                 "staging uploads from the app were fine", epoch("2025-04-10T11:40:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="the upload check by sniffed type: Android cameras' HEIF photos sniff as image/heif, which is not in "
               "the allowlist, so every one is refused with a 415")
    ship_trigger(sc, svc, "evidence-api", trig, _TRIGGER, epoch(TRIGGER_LIVE), "gideon")
    b.say(in_ch, epoch("2025-04-15T09:10:00Z"), "gideon", "SEC-214 is live, uploads are checked by sniffed type now. "
          "let me know if you see anything odd")

    # Apr 15: the low-urgency 4xx alert, another product's upload change, a broker's question ------------------------
    fix_live = epoch(FIX_LIVE)
    g = b.say(al_ch, epoch("2025-04-15T09:40:00Z"), "grafana", ":large_yellow_circle: Grafana *[FIRING]* "
              "EvidenceApi4xxRatio 415 UNSUPPORTED_TYPE 8.7% of uploads above 5% for 30m (claims-app, claim-form-web) "
              "(low urgency)")
    low_at = epoch("2025-04-15T09:40:20Z")
    low = b.incident(svc, "[evidence-api] EvidenceApi4xxRatio: 415 UNSUPPORTED_TYPE above 5% of uploads (30m)", low_at,
                     urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=fix_live + 0.5 * HOUR - low_at, alert_key=f"{FOURXX_KEY}/415", severity="warning",
                     alert_summary="evidence_api:rejections:ratio30m{code=\"415\"} = 0.087 (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the 4xx alert opened a low-urgency incident for 415 UNSUPPORTED_TYPE forty minutes in; it paged no one "
               "and stayed open until the fix")
    tr.add("slack", g, "early_signal", must_see=False, group="detection", why="Grafana's line for the same alert",
           same_fact_as=("pagerduty", low))
    paw_author, paw_reviewer = paw_people[0], paw_people[1]
    pawup = story_pull(b, paw_repo, Change(paw_author, _PAWSURE_UPLOAD.title, _PAWSURE_UPLOAD.body,
                                           _PAWSURE_UPLOAD.files, paw_reviewer, _PAWSURE_UPLOAD.labels),
                       epoch("2025-04-11T10:00:00Z"), epoch("2025-04-15T10:30:00Z"), "distractor_pawsure", review="nice")
    deployed(p_svc, "pawsure-claims", paw_repo, pawup, epoch("2025-04-15T11:20:00Z"), paw_author)
    b.say(pw_ch, epoch("2025-04-15T11:35:00Z"), paw_author, "presigned invoice uploads are live, HEIC from iPhones "
          "gets converted in the browser :camera:")
    b.incident(platform.service, "[k8s-cluster] disk pressure on nodes", epoch("2025-04-15T13:20:00Z"),
               responders=platform.members[:2], ack_after=200, resolve_after=45 * 60,
               alert_key="k8s-cluster/disk pressure on nodes",
               notes=[(platform.members[0], "image GC stuck on two nodes, cordoned and cleaned", 1600.0)])
    q1 = b.say(ex_ch, epoch("2025-04-15T14:10:00Z"), "alasdair", "anyone else having trouble with photo uploads on the "
               "portal today? one of my clients' pictures keeps failing")
    tr.add("slack", q1, "customer_report", must_see=False, group="reports",
           why="a broker's first question about failing photo uploads, the afternoon of the first day")
    b.say(ex_ch, epoch("2025-04-15T14:48:00Z"), "rosalind", "not that I've heard! if it keeps happening send me the "
          "claim ref and I'll chase", parent=q1)
    h1 = b.say(cc_ch, epoch("2025-04-15T16:30:00Z"), sc.crowd[10], "had two callers today saying their claim photos "
               "are stuck on 'Uploading…' in the app. told them to leave it on wifi overnight")
    tr.add("slack", h1, "customer_report", must_see=False, group="reports",
           why="a contact-centre agent hears of photos stuck on 'Uploading…' in the app on the first day")
    b.say(cc_ch, epoch("2025-04-15T16:41:00Z"), "declan", "the app does that when signal is bad, yeah", parent=h1)

    # Apr 16: the MI report and the digest (above), identity's page, the broker network, the contact centre -------------
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2025-04-16T09:05:00Z"),
               responders=identity.members[:2], ack_after=150, resolve_after=38 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "session store failover, logins recovered", 1500.0)])
    report = b.say(ex_ch, epoch("2025-04-16T10:05:00Z"), "hetty",
                   "Morning both. Several of our clients can't get damage photos onto their claims through the portal "
                   "since yesterday: the upload bar gets to 100% and then 'Something went wrong. Please try again.' "
                   "Every one so far is a photo off a Samsung or a Pixel (.heic), PDFs and iPhone photos go through. "
                   "Refs BC-CL-2291847, BC-CL-2291902, BC-CL-2292015. One is an escape of water and the loss "
                   "adjuster needs the photos today")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="the broker network reports in the shared channel that Android phone photos fail in the portal since "
               "Tuesday, while PDFs and iPhone photos work")
    b.say(ex_ch, epoch("2025-04-16T10:21:00Z"), "rosalind", "thanks Hetty, taking this to the claims team now",
          parent=report)
    esc = b.say(in_ch, epoch("2025-04-16T10:40:00Z"), "rosalind", "hi all, Castlegate say photo uploads fail in the "
                "broker portal since yesterday, 'Something went wrong', only Samsung/Pixel photos. anything known?")
    tr.add("slack", esc, "context", must_see=False, group="reports",
           why="the broker desk asks Claims Intake, who look at the dashboards the alerts are built on")
    b.say(in_ch, epoch("2025-04-16T10:58:00Z"), "gideon", "nothing on our side that I can see: 5xx at 0.1%, error-log "
          "ratio flat, avscan happy since the reload change. could it be their office proxy? can they send a HAR "
          "file?", parent=esc)
    b.say(in_ch, epoch("2025-04-16T11:04:00Z"), "rosalind", "will ask", parent=esc)
    b.say(ex_ch, epoch("2025-04-16T11:10:00Z"), "rosalind", "Hetty, could you send us a HAR file from one of the failing "
          "uploads? (F12 > Network > save all as HAR)", parent=report)
    thumbs = story_pull(b, ev_repo, _THUMBS, epoch("2025-04-14T15:00:00Z"), epoch("2025-04-16T12:40:00Z"),
                        "distractor_thumbs", review="lgtm")
    deployed(svc, "evidence-api", ev_repo, thumbs, epoch("2025-04-16T13:05:00Z"), "adaeze")
    b.say(ex_ch, epoch("2025-04-16T13:30:00Z"), "hetty", "HAR attached (BC-CL-2292015). it's a 415 with "
          "{\"code\":\"UNSUPPORTED_TYPE\"}. the file is a normal photo from a Galaxy S23", parent=report)
    relay = b.say(cc_ch, epoch("2025-04-16T14:50:00Z"), "declan",
                  "@claims-intake is something broken? we've taken 140+ calls since yesterday from customers who "
                  "submitted a claim in the app and whose photos still say 'Uploading…', nearly all Android. handlers "
                  "see the claims as 'awaiting evidence' and are chasing them, which makes more calls. we're telling "
                  "people to email the photos to claims@ for now")
    tr.add("slack", relay, "customer_report", must_see=False, group="reports",
           why="the contact-centre lead relays 140+ calls about app photos stuck on 'Uploading…'")
    b.say(cc_ch, epoch("2025-04-16T15:09:00Z"), "clemency", "same thing Castlegate reported this morning, and the MI "
          "report has photos at FNOL down to 54%. paging Claims Intake now", parent=relay)
    page_by_hand(b, tr, svc, "Photo uploads failing for Android and broker portal since Tue, 600+ claims awaiting "
                             "evidence", T,
                 responders=ONCALL, ack_after=130, resolve_after=2.2 * HOUR, manual_by="clemency",
                 description="Since Tuesday morning customers' photos from Android phones stay on 'Uploading…' in "
                             "the app and the broker portal shows 'Something went wrong' (HTTP 415 UNSUPPORTED_TYPE "
                             "in a broker's HAR). 140+ calls, claims@ inbox 900 deep.",
                 notes=[("gideon", "HEIF from Samsung/Pixel sniffs as image/heif since SEC-214 (deployed Tue 08:55), "
                                   "not in the allowlist: 415. fix in review", 1100.0),
                        ("callum", "fix deployed 16:56, 415 ratio 8.7% -> 0.2%, app outboxes draining", 5200.0)],
                 relay=al_ch, why="the digital claims product owner pages Claims Intake by hand, thirty and a half "
                                  "hours after the first photo was refused")

    inc_ch = b.channel("inc-20250416-photo-uploads", "Incident: Android photo uploads refused", "Incident response",
                       T + 60, "clemency")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "clemency", "incident {{incurl:page}}: photo uploads failing since yesterday morning. 140+ calls about app "
                        "photos stuck on 'Uploading…' (mostly Android), brokers get 'Something went wrong' in the "
                        "portal for Samsung photos, Castlegate's HAR shows a 415. 600+ claims awaiting evidence"),
        (60, "declan", "we're telling customers to email photos to claims@, that inbox is 900 deep now"),
        (130, "callum", "evidence-api looks green on the board: 5xx 0.1%, p95 1.8s, EvidenceApiErrorLogRatio flat at "
                        "0.3%. we deployed the thumbnail change at 13:05 today ({{pr:distractor_thumbs}}) but this "
                        "started yesterday"),
        (200, "adaeze", "avscan went to ConcurrentDatabaseReload yesterday 07:40 ({{pr:distractor_reload}}), could the "
                        "scanner be refusing them?"),
        (270, "pieter", "verdicts look normal, 0 infected, 0 timeouts since the change. and avscan got ~20% fewer "
                        "files than last tuesday, so something stops them before the scan"),
        (330, "ingvar", "Vector went 0.44 -> 0.46 on monday ({{pr:distractor_vector}}). line counts per sink are "
                        "unchanged and evidence-api lines do arrive in Loki"),
        (390, paw_people[0], "pawsure shipped HEIC invoice uploads yesterday ({{pr:distractor_pawsure}}), related? "
                             "it's a presigned POST straight to our own bucket, never touches evidence-api"),
        (450, "callum", "not that then. the 4xx panel: 415 UNSUPPORTED_TYPE went from ~0 to 8.7% of uploads at 08:58 "
                        "yesterday, and the low-urgency 4xx alert has been open since 09:40 :grimacing:"),
        (530, "gideon", "that's mine. {{url:trigger}} went out 08:55 yesterday: uploads are sniffed with libmagic now. "
                        "Samsung/Pixel 'high efficiency' photos are HEIF with major brand mif1, libmagic says "
                        "image/heif, the allowlist only has image/heic. iPhones write brand heic, which is why my "
                        "fixtures and the staging test from the iOS app passed"),
        (610, "rukhsana", "I asked about Samsung in review and we both thought heic covered it. fix: allow image/heif "
                          "and the -sequence types, {{url:fix}}"),
        (700, "aoife", "why did nothing page? a 415 is logged as 'upload rejected' at ERROR, that's exactly what "
                       "EvidenceApiErrorLogRatio counts"),
        (770, "solveig", "log-pipeline PR {{num:weakening}}: since the avscan timeout pages in March we drop every "
                         "evidence-api error line that starts with 'upload rejected' before Loki. it was meant for "
                         "the scan timeouts but it matches the 415s too. they're only in the S3 archive"),
        (850, "keturah", "and the app hides it: since {{pr:contributor}} (8.6) a refused photo stays in the outbox and "
                         "is retried with backoff for 72h, no error. customers see 'Uploading…' and the claim goes in "
                         "without photos, and nothing from that path reaches Sentry"),
        (930, "keturah", "the good part: the outboxes still have them. once the fix is out they upload on the next "
                         "retry, at most 5h away, and we can't force it sooner"),
        (4050, "rukhsana", "fix merged, deploying"),
        (5960, "callum", "deployed 16:56. 415 ratio 8.7% -> 0.2%, outbox uploads coming in: 2,300 photos in 15 min"),
        (6400, "rosalind", "Castlegate's Samsung photos go through the portal again. they'll re-upload yesterday's"),
        (7000, "clemency", "contact centre macro updated; the evidence team is matching the claims@ emails to claims"),
        (7600, "aoife", "follow-ups: the Vector drop only for SCAN_TIMEOUT plus a rejections alert that pages, "
                        "Android HEIF fixtures in evidence-api's tests, the app stops retrying a 4xx and says so, "
                        "a list of web and portal uploads refused since Tuesday for brokers and handlers"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the refused photos to the sniffed-type check, after the thumbnail deploy, the "
                     "avscan change, the Vector upgrade and Pawsure's upload change were ruled out",
             weakening="a responder explains why the error-log alert stayed flat",
             contributor="a responder: the Android app retries refused photos silently since 8.6")

    # The fix and its deploy; the follow-ups --------------------------------------------------------------------------
    fix = story_pull(b, ev_repo, _FIX, T + 0.17 * HOUR, T + 1.15 * HOUR, "fix", review="yes. sorry all",
                     reviewed=T + 1.1 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="accepts image/heif and the -sequence types: Android cameras' photos pass the upload check again")
    fev = deployed(svc, "evidence-api", ev_repo, fix, fix_live, "rukhsana", link="{{url:fix}}")
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="the deploy of the fix",
           same_fact_as=("github", fix))
    b.say(al_ch, fix_live + 0.5 * HOUR, "grafana", ":large_green_circle: Grafana *[RESOLVED]* EvidenceApi4xxRatio 415 "
          "UNSUPPORTED_TYPE back under 5%")
    b.say(ex_ch, T + 1.9 * HOUR, "rosalind", "Hetty, fixed: Samsung and Pixel photos upload again. anything refused "
          "since Tuesday morning needs uploading once more, sorry. we'll send the list of affected refs",
          parent=report)
    follow = story_pull(b, lp_repo, _FOLLOW_PIPELINE, T + 18 * HOUR, T + 24 * HOUR, "follow", review="yes please",
                        reviewed=T + 23.5 * HOUR)
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="the drop rule only for scan timeouts, and a rejections alert that pages")
    rolled_out(follow, T + 24.3 * HOUR, "{{url:follow}}")
    follow_app = story_pull(b, app_repo, _FOLLOW_APP, T + 20 * HOUR, T + 47 * HOUR, "follow_app", review="yes")
    tr.add("github", follow_app, "fix", must_see=False, group="cause",
           why="the Android outbox stops retrying a refused photo and tells the customer")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [in_ch, cc_ch, sc.common["deploys"]], svc, INTAKE_PEOPLE[:3], ev_repo,
        titles=("Runbook: uploads refused with 415 UNSUPPORTED_TYPE",
                "CI: run the upload check against a fixture per phone model we see in production"),
        doc=("Refused uploads", "Every reject code shows in Loki and on the 4xx panel; only SCAN_TIMEOUT is dropped."),
        doc_path="docs/runbooks/refused-uploads-{n}.md",
        test_fire="[evidence-api] EvidenceApiRejections (test fire)")
    return world, tr.to_dict()
