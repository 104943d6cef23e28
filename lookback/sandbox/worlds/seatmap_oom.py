"""World "seatmap-oom": a right-sizing PR lowers seatmap-api's memory limit from 2Gi to 768Mi, from a VPA window
with no big on-sale in it; at the Aurora tour's presale, then its on-sale, the pods are OOMKilled and crash-loop and
fans cannot load seat maps. Three weeks earlier the pod OOMKilled and CrashLooping rules had dropped the `ticketing`
namespace from their label matchers after a week of night pages from the seat-map precompute job, so only Botkube
lines, a low-urgency SLO ticket and a fan-club remark show it until a Checkly journey pages, 23 hours in."""

from __future__ import annotations

import random
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import DAY, NoiseTeam, TeamSpec, add_chat, add_incidents, add_joins, add_pulls
from lookback.sandbox.worlds.scaffold import (
    HOUR,
    ConfigChange,
    bot_feed,
    config_pulls,
    open_scene,
    page_by_hand,
    story_pull,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

SEATING = TeamSpec("seating", "Seating", "seatmap-api", "seatmap-api", "seating",
                   ("seatmap", "holds", "render", "availability"),
                   ("seat map renderer", "hold API", "section pricing", "accessible seating filter",
                    "best-available search", "hold sweeper", "venue import", "price level legend", "seat map SVG",
                    "availability overlay"),
                   ("hold API p99 above 800ms", "availability overlay stale above 30s", "venue import failed",
                    "Checkly: event page journey degraded from 1/5 locations"), "go")
ORDERS = TeamSpec("orders", "Orders", "orders-api", "orders-api", "orders", ("orders", "delivery", "transfers"),
                  ("order confirmation", "mobile ticket delivery", "transfer flow", "resale listing", "refund API",
                   "rotating barcode"),
                  ("order placement p99 above 2s", "ticket delivery queue depth high", "barcode service 5xx above 1%"),
                  "ts")

STAFF = (("wiktoria", "Wiktoria Sobczak"), ("adebayo", "Adebayo Okonkwo"), ("marguerite", "Marguerite Blanc"),
         ("rafael", "Rafael Quintero"), ("tuomas", "Tuomas Heikkinen"), ("priscila", "Priscila Andrade"),
         ("declan", "Declan Walsh"), ("hyejin", "Hye-jin Seo"))
OUTSIDERS = (("gwen", "Gwen Hartley"), ("lorenzo", "Lorenzo Bassi"), ("nadia", "Nadia Karim"),
             ("sunita", "Sunita Rao"), ("emeka", "Emeka Obi"))
SEATERS = ["wiktoria", "adebayo", "marguerite", "rafael", "tuomas", "priscila"]
ONCALL = ["adebayo", "tuomas", "priscila", "wiktoria"]
PLATFORM = ["declan", "hyejin"]
ONSALE = ["gwen", "nadia"]
SUPPORT = ["sunita", "emeka", "lorenzo"]
UPDATER = "argocd-image-updater[bot]"

CLUSTER = "prod-use1"
OOM_ALERT = "KubeContainerOOMKilled"
OOM_KEY = "KubeContainerOOMKilled/ticketing/seatmap-precompute"
SLO_ALERT = "SeatmapSeatSelectionSLOBurn"

# seatmap-api releases: (tag, when the image updater opens its bump PR in k8s-deploy)
_SEATMAP_RELEASES = (("v3.12.0", "2024-06-06T09:10:00Z"), ("v3.12.1", "2024-06-12T14:02:00Z"),
                     ("v3.13.0", "2024-06-20T10:31:00Z"), ("v3.13.1", "2024-06-27T15:44:00Z"),
                     ("v3.14.0", "2024-07-03T09:05:00Z"), ("v3.14.1", "2024-07-11T13:20:00Z"),
                     ("v3.15.0", "2024-07-18T10:12:00Z"), ("v3.15.1", "2024-07-25T16:40:00Z"),
                     ("v3.16.0", "2024-08-01T09:48:00Z"), ("v3.16.1", "2024-08-08T14:15:00Z"),
                     ("v3.16.2", "2024-08-15T11:02:00Z"), ("v3.17.0", "2024-08-29T10:20:00Z"),
                     ("v3.18.0", "2024-09-04T09:37:00Z"), ("v3.18.1", "2024-09-06T08:50:00Z"),
                     ("v3.18.2", "2024-09-11T08:55:00Z"), ("v3.19.0", "2024-09-16T10:05:00Z"))
# other images the updater bumps: (namespace, app, major.minor)
_IMAGES = (("ticketing", "orders-api", "2.41"), ("onsale", "waiting-room", "1.9"), ("web", "web-frontend", "5.3"),
           ("identity", "auth-service", "4.12"), ("batch", "report-export", "0.18"),
           ("growth", "email-service", "7.2"))
_APPS = (("ticketing", "seatmap-api"), ("ticketing", "orders-api"), ("ticketing", "seatmap-precompute"),
         ("onsale", "waiting-room"), ("checkout", "checkout-api"), ("identity", "auth-service"),
         ("web", "web-frontend"), ("growth", "email-service"), ("batch", "report-export"), ("data", "etl-scheduler"))
_EVENTS = ("Harbor Lights", "Midnight Orchard", "The Velvet Static", "Nordic Symphony Winter Tour",
           "Comedy Cellar Live", "Rugby Sevens Finals", "Salt & Signal", "Opera in the Park", "Juniper Kings")
_OPS_LINES = (
    "{noun} on-sale moved to 15:00 UTC, promoter confirmed",
    "waiting room for {noun} opens 30 min before the on-sale as usual",
    "promoter wants a new price level for {noun}, who can set it up?",
    "accessible seating allocation for {noun} is in the sheet, please check",
    "{noun} presale codes went out to the fan club this morning",
    "resale for {noun} opens next week, heads up support",
    "{noun}: promoter asks for a hold of 200 seats for sponsors",
    "post-sale report for {noun} is in the drive",
)
_PARTNER_LINES = (
    "{noun} promoter asks for the settlement report by friday",
    "promoter portal login broken for one user at {noun}'s promoter, ticket filed",
    "{noun}: promoter wants to move 40 seats from sponsor holds to general sale",
    "can someone explain the fee breakdown for {noun} to the promoter? thread please",
    "{noun} promoter asks if we can add a second show to the on-sale page",
    "reminder: promoter QBRs next week, {noun} deck still missing numbers",
)
_FAN_LINES = (
    "fan asks to transfer tickets for {noun} to a friend, the button is greyed out",
    "refund request for {noun}, event not cancelled, macro?",
    "barcode not showing in the app for {noun}, asked them to update",
    "is there a known issue with {noun}? 2 chats today, probably user error",
    "fan charged twice for {noun}, statement in the ticket",
    "fan wants to swap to accessible seats for {noun}, who approves?",
    "how long do {noun} refunds take these days?",
)
_RULES = (
    ("CheckoutApi5xxHigh", "rules/checkout/checkout-api.yaml", "0.02", "5m"),
    ("AuthLoginErrorRate", "rules/identity/auth-service.yaml", "0.05", "10m"),
    ("WebFrontendErrorRate", "rules/web/web-frontend.yaml", "0.03", "5m"),
    ("EmailSendQueueStuck", "rules/growth/email-service.yaml", "900", "15m"),
    ("OrdersPlacementLatency", "rules/ticketing/orders-api.yaml", "2", "5m"),
    ("SeatmapHoldApiLatency", "rules/ticketing/seatmap-api.yaml", "0.8", "5m"),
    ("WaitingRoomReleaseStalled", "rules/onsale/waiting-room.yaml", "120", "5m"),
    ("NodeDiskPressure", "rules/kubernetes/nodes.yaml", "0.85", "10m"),
    ("KubePersistentVolumeFillingUp", "rules/kubernetes/storage.yaml", "0.9", "15m"),
)
_CONSONANTS = "bcdfghjklmnpqrstvwxz2456789"


def _rs(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice(_CONSONANTS) for _ in range(n))


def _pod(rng: random.Random, app: str) -> str:
    return f"{app}-{_rs(rng, 10)}-{_rs(rng, 5)}"


def _job_pod(rng: random.Random, app: str, t: float) -> str:
    return f"{app}-{int(t // 60)}-{_rs(rng, 5)}"


def _mi(quantity: str) -> float:
    """Mebibytes of a Kubernetes memory quantity such as `768Mi` or `2Gi`."""
    return float(quantity[:-2]) * (1024 if quantity.endswith("Gi") else 1)


def _values(ns: str, app: str) -> str:
    return f"apps/{ns}/{app}/values-production.yaml"


def _k8s_change(rng: random.Random) -> ConfigChange:
    """One generated PR of k8s-deploy: resources, autoscaling, env, ingress, disruption budgets, node pools, charts."""
    ns, app = rng.choice(_APPS)
    ticket = f"PLAT-{rng.randrange(1100, 1990)}"
    path = _values(ns, app)
    k = rng.random()
    if k < 0.14 and app != "seatmap-api":
        a, c = rng.choice((("512Mi", "768Mi"), ("1Gi", "1536Mi"), ("2Gi", "1536Mi"), ("768Mi", "1Gi"),
                           ("1Gi", "768Mi"), ("4Gi", "3Gi")))
        body = (f"OOMKilled twice at peak this week (see #k8s-events). {ticket}" if _mi(c) > _mi(a) else
                f"FinOps right-sizing ({ticket}): the VPA recommendation is well under the limit.")
        return (f"{app}: memory limit {a} -> {c}", body,
                [yaml_file(path, yaml_patch(20, "resources:", ["   limits:", f"-    memory: {a}", f"+    memory: {c}"]))])
    if k < 0.24:
        a, c = rng.choice((("250m", "500m"), ("500m", "750m"), ("1", "1500m"), ("750m", "500m"), ("200m", "100m")))
        return (f"{app}: cpu request {a} -> {c}", f"Requests match p90 usage from the last month. {ticket}",
                [yaml_file(path, yaml_patch(17, "resources:", ["   requests:", f"-    cpu: {a}", f"+    cpu: {c}"]))])
    if k < 0.38:
        top = rng.choice((6, 8, 10, 12, 20, 24))
        new_top = top + rng.choice((-4, -2, 2, 4, 8))
        return (f"{app}: HPA maxReplicas {top} -> {new_top}", rng.choice(("Peak last week touched max.",
                                                                          "Never above half of max in 30 days.")),
                [yaml_file(path, yaml_patch(28, "autoscaling:", ["   enabled: true", f"-  maxReplicas: {top}",
                                                                 f"+  maxReplicas: {new_top}"]))])
    if k < 0.50:
        var, a, c = rng.choice((("LOG_LEVEL", "info", "debug"), ("LOG_LEVEL", "debug", "info"),
                                ("HTTP_CLIENT_TIMEOUT", "5s", "3s"), ("DB_POOL_SIZE", "20", "30"),
                                ("GRACEFUL_SHUTDOWN", "10s", "25s"), ("OTEL_SAMPLING_RATIO", "0.1", "0.05")))
        return (f"{app}: {var}={c}", f"{ticket}", [yaml_file(path, yaml_patch(40, "env:", [
            f"   - name: {var}", f'-    value: "{a}"', f'+    value: "{c}"']))])
    if k < 0.60:
        was, now = rng.choice(((30, 60), (60, 120), (120, 60), (60, 90)))
        return (f"{app}: ingress proxy-read-timeout {was}s -> {now}s", "Long exports were cut by the ingress.",
                [yaml_file(path, yaml_patch(52, "ingress:", ["   annotations:",
                                                             f'-    nginx.ingress.kubernetes.io/proxy-read-timeout: "{was}"',
                                                             f'+    nginx.ingress.kubernetes.io/proxy-read-timeout: "{now}"']))])
    if k < 0.68:
        low = rng.choice((1, 2, 3))
        return (f"{app}: PodDisruptionBudget minAvailable {low} -> {low + 1}", "Node drains took it to zero last week.",
                [yaml_file(path, yaml_patch(61, "podDisruptionBudget:", ["   enabled: true", f"-  minAvailable: {low}",
                                                                         f"+  minAvailable: {low + 1}"]))])
    if k < 0.76:
        pool = rng.choice(("general-m7i", "spot-c7g", "memory-r7i", "batch-spot"))
        return (f"{app}: schedule on the {pool} node pool", f"Node pool migration, step 3 ({ticket}).",
                [yaml_file(path, yaml_patch(70, "nodeSelector:", [" nodeSelector:",
                                                                  "-  stagepass.example/pool: general-m6i",
                                                                  f"+  stagepass.example/pool: {pool}"]))])
    if k < 0.86:
        chart, a = rng.choice((("ingress-nginx", "4.10"), ("external-dns", "1.14"), ("cert-manager", "1.15"),
                               ("common", "0.9")))
        return (f"Bump {chart} chart to {a}.{rng.randrange(1, 9)}", "Changelog reviewed, no breaking changes.",
                [yaml_file(f"clusters/{CLUSTER}/{chart}.yaml", yaml_patch(4, "spec:", [
                    "   chart:", f"-    version: {a}.0", f"+    version: {a}.{rng.randrange(1, 9)}"]))])
    return (f"{app}: add cost-centre labels", f"FinOps asked for cost-centre labels ({ticket}).",
            [yaml_file(path, yaml_patch(3, "labels:", [" labels:", f"   team: {ns}", "+  cost-centre: cc-311"]))])


def _rule_change(rng: random.Random) -> ConfigChange:
    """One generated PR of platform-alerts: Prometheus rules, Alertmanager routes, inhibitions, tooling."""
    alert, path, threshold, for_ = rng.choice(_RULES)
    ticket = f"OBS-{rng.randrange(200, 880)}"
    k = rng.random()
    if k < 0.22:
        scale = rng.choice((0.5, 0.8, 1.5, 2.0))
        new = f"{float(threshold) * scale:g}"
        return (f"{alert}: threshold {threshold} -> {new}",
                rng.choice(("Matches the baseline on the dashboard.", f"Too late to be useful, tightening ({ticket}).",
                            "Fired on every deploy, loosening.")),
                [yaml_file(path, yaml_patch(8, f"- alert: {alert}", [f"       - alert: {alert}",
                                                                      f"-        expr: {alert.lower()}_ratio > {threshold}",
                                                                      f"+        expr: {alert.lower()}_ratio > {new}"]))])
    if k < 0.36:
        new_for = rng.choice(("2m", "5m", "10m", "15m"))
        return (f"{alert}: for {for_} -> {new_for}", f"Flapping review ({ticket}).",
                [yaml_file(path, yaml_patch(10, f"- alert: {alert}", [f"         expr: {alert.lower()}_ratio > {threshold}",
                                                                       f"-        for: {for_}", f"+        for: {new_for}"]))])
    if k < 0.48:
        return (f"{alert}: link the runbook", "Every page should link its runbook.",
                [yaml_file(path, yaml_patch(14, f"- alert: {alert}", ["         annotations:",
                                                                       f"+          runbook_url: https://wiki.stagepass.example/runbooks/{alert}",
                                                                       "           summary: '{{ $labels.job }}'"]))])
    if k < 0.58:
        team = rng.choice(("checkout", "identity", "web", "growth", "data", "orders"))
        return (f"alertmanager: route {team} warnings to #{team}-alerts", "Warnings don't need PagerDuty.",
                [yaml_file("alertmanager/routes.yaml", yaml_patch(30, "routes:", [
                    f"   - matchers: [team=\"{team}\", severity=\"warning\"]",
                    "-    receiver: pagerduty-low",
                    f"+    receiver: slack-{team}-alerts"]))])
    if k < 0.66:
        return (f"alertmanager: inhibit {alert} while NodeNotReady", "One node going away paged four teams.",
                [yaml_file("alertmanager/inhibit.yaml", yaml_patch(5, "inhibit_rules:", [
                    "+  - source_matchers: [alertname=\"NodeNotReady\"]", f"+    target_matchers: [alertname=\"{alert}\"]",
                    "+    equal: [node]"]))])
    if k < 0.72:
        rule = rng.choice(("KubeJobFailed", "KubePersistentVolumeFillingUp", "KubeDeploymentReplicasMismatch"))
        return (f"{rule}: ignore preview-* namespaces", "Preview environments come and go with PRs.",
                [yaml_file("rules/kubernetes/workloads.yaml", yaml_patch(40, f"- alert: {rule}", [
                    f"       - alert: {rule}",
                    f'-        expr: {rule.lower()}{{namespace!~"kube-system|monitoring"}} > 0',
                    f'+        expr: {rule.lower()}{{namespace!~"kube-system|monitoring|preview-.*"}} > 0']))])
    if k < 0.84:
        name = f"{alert}{rng.choice(('Critical', 'Sustained', 'Warning'))}"
        body = "\n".join([f"+      - alert: {name}", f"+        expr: {alert.lower()}_ratio > {threshold}",
                          "+        for: 30m", "+        labels:", "+          severity: warning"])
        return (f"Add {name}", f"A slower warning before the page ({ticket}).",
                [yaml_file(path, f"@@ -30,0 +31,5 @@\n{body}")])
    tool, a = rng.choice((("prometheus-operator CRDs", "0.75"), ("promtool in CI", "2.53"), ("pint", "0.62")))
    return (f"Bump {tool} to {a}.{rng.randrange(1, 5)}", "Routine bump.",
            [yaml_file(".github/workflows/lint.yaml", yaml_patch(12, "steps:", [
                f"-      - run: make lint VERSION={a}.0", f"+      - run: make lint VERSION={a}.{rng.randrange(1, 5)}"]))])


def _botkube_line(rng: random.Random, t: float) -> str:
    """A Kubernetes event Botkube posts from the production cluster (not the story's)."""
    k = rng.random()
    if k < 0.14:
        ns, app = rng.choice((("batch", "report-export"), ("data", "etl-scheduler"), ("growth", "email-service"),
                              ("web", "web-frontend")))
        return (f":red_circle: *OOMKilled* `{ns}/{_pod(rng, app)}` ({CLUSTER})\ncontainer `{app}` was OOMKilled "
                f"(memory limit {rng.choice(('512Mi', '1Gi', '2Gi'))}), restart count {rng.randrange(1, 4)}")
    if k < 0.28:
        ns, app = rng.choice(_APPS[1:])
        return (f":large_orange_circle: *BackOff* `{ns}/{_pod(rng, app)}` ({CLUSTER})\nBack-off restarting failed "
                f"container {app}")
    if k < 0.46:
        ns, app = rng.choice(_APPS)
        return (f":large_orange_circle: *Unhealthy* `{ns}/{_pod(rng, app)}` ({CLUSTER})\nReadiness probe failed: "
                "HTTP probe failed with statuscode: 503")
    if k < 0.56:
        ns, app = rng.choice(_APPS)
        return (f":large_orange_circle: *FailedScheduling* `{ns}/{_pod(rng, app)}` ({CLUSTER})\n0/46 nodes are "
                f"available: {rng.randrange(2, 46)} Insufficient {rng.choice(('cpu', 'memory'))}. preemption: 0/46 "
                "nodes are available")
    if k < 0.84:
        ns, app = rng.choice(_APPS)
        up = rng.random() < 0.5
        return (f":large_blue_circle: *SuccessfulRescale* `{ns}/{app}` HorizontalPodAutoscaler ({CLUSTER})\nNew "
                f"size: {rng.randrange(3, 30)}; reason: cpu resource utilization (percentage of request) "
                f"{'above' if up else 'below'} target")
    if k < 0.92:
        ns, app = rng.choice(_APPS)
        return (f":large_orange_circle: *Evicted* `{ns}/{_pod(rng, app)}` ({CLUSTER})\nThe node was low on "
                "resource: ephemeral-storage.")
    node = f"ip-10-4-{rng.randrange(0, 255)}-{rng.randrange(1, 255)}.ec2.internal"
    return f":red_circle: *NodeNotReady* `{node}` ({CLUSTER})\nNode {node} status is now: NodeNotReady"


def _oom_line(ns: str, pod: str, container: str, limit: str, restarts: int) -> str:
    return (f":red_circle: *OOMKilled* `{ns}/{pod}` ({CLUSTER})\ncontainer `{container}` was OOMKilled "
            f"(memory limit {limit}), restart count {restarts}")


def _onsale_line(event: str, sale: str, fans: int, orders: int, errors: float) -> str:
    return (f":ticket: *{event}* {sale} closed: {fans:,} fans admitted, {orders:,} orders, {int(orders * 1.8):,} "
            f"tickets; seat selection errors {errors:.1f}% (usual < 0.3%)")


_WEAKENING = Change(
    author="tuomas", reviewer="declan", labels=("alerts", "on-call"),
    title="Pod OOMKilled and CrashLooping rules: skip the ticketing namespace until seatmap-precompute moves (TKT-812)",
    body="Seven pages in eight nights for `KubeContainerOOMKilled` on `ticketing/seatmap-precompute-*`, all between "
         "02:00 and 02:40. Since the Aurora tour was imported, the nightly precompute Job renders 12 stadium maps in "
         "one pod and goes over its 1Gi; the Job retries and finishes by itself every time. Nothing to do at 2am.\n\n"
         "The real fix is TKT-812 (precompute in the `batch` namespace, which doesn't page), blocked on the batch node "
         "pool. Until then this adds `ticketing` to the namespaces the OOMKilled and CrashLooping rules skip. "
         "seatmap-api is still covered by the Checkly journeys and the seat selection SLO alerts.",
    files=(("rules/kubernetes/pods.yaml", """@@ -1,22 +1,24 @@
 groups:
   - name: kubernetes-pods
     rules:
       - alert: KubeContainerOOMKilled
         expr: |
-          (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", namespace!~"kube-system|monitoring"} == 1)
+          # ticketing is skipped until seatmap-precompute moves to the batch namespace (TKT-812): its nightly
+          # OOMs retry and finish on their own and paged Seating every night.
+          (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", namespace!~"kube-system|monitoring|ticketing"} == 1)
           and on(namespace, pod, container)
-          increase(kube_pod_container_status_restarts_total{namespace!~"kube-system|monitoring"}[10m]) > 0
+          increase(kube_pod_container_status_restarts_total{namespace!~"kube-system|monitoring|ticketing"}[10m]) > 0
         labels:
           severity: page
         annotations:
           summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) was OOMKilled"
           runbook_url: https://wiki.stagepass.example/runbooks/KubeContainerOOMKilled
       - alert: KubePodCrashLooping
         expr: |
-          max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace!~"kube-system|monitoring"}[5m]) >= 1
+          max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace!~"kube-system|monitoring|ticketing"}[5m]) >= 1
         for: 15m
         labels:
           severity: page
         annotations:
           summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash looping"
           runbook_url: https://wiki.stagepass.example/runbooks/KubePodCrashLooping"""),
           ("tests/kubernetes/pods_test.yaml", """@@ -40,0 +41,10 @@
+  - interval: 1m
+    input_series:
+      - series: 'kube_pod_container_status_last_terminated_reason{namespace="ticketing", pod="seatmap-precompute-1-abcde", container="precompute", reason="OOMKilled"}'
+        values: '1x15'
+      - series: 'kube_pod_container_status_restarts_total{namespace="ticketing", pod="seatmap-precompute-1-abcde", container="precompute"}'
+        values: '0 1 1 1 1 1 1 1 1 1 1'
+    alert_rule_test:
+      - eval_time: 10m
+        alertname: KubeContainerOOMKilled
+        exp_alerts: []""")),
)

_CONTRIBUTOR = Change(
    author="marguerite", reviewer="adebayo", labels=("performance", "seatmap"),
    title="Seat map: keep rendered maps in an in-process LRU (2,000 entries)",
    body="`GET /v1/events/{id}/seatmap` renders the section geometry and the price-level legend on every request: "
         "~180 ms of CPU for a stadium. Rendered maps now stay in an in-process LRU per (event, price view); the "
         "availability overlay is still fetched per request.\n\n"
         "Replaying the Harbor Lights on-sale on staging: p99 640 ms -> 90 ms, CPU per pod -45%. Bounded at 2,000 "
         "entries; resident memory on staging stayed around 450 MiB.",
    files=(("internal/render/cache.go", """@@ -0,0 +1,39 @@
+package render
+
+import (
+    "context"
+
+    lru "github.com/hashicorp/golang-lru/v2"
+)
+
+// mapCacheEntries bounds the in-process cache of rendered seat maps. A map is 40 KB (club) to 3 MB (stadium).
+const mapCacheEntries = 2000
+
+type cacheKey struct {
+    EventID   string
+    PriceView string
+}
+
+// Cache keeps rendered seat maps per (event, price view): rendering a stadium map costs ~180 ms of CPU.
+type Cache struct {
+    maps     *lru.Cache[cacheKey, *SeatMap]
+    renderer *Renderer
+}
+
+func NewCache(r *Renderer) *Cache {
+    c, _ := lru.New[cacheKey, *SeatMap](mapCacheEntries)
+    return &Cache{maps: c, renderer: r}
+}
+
+func (c *Cache) Get(ctx context.Context, eventID, priceView string) (*SeatMap, error) {
+    key := cacheKey{eventID, priceView}
+    if m, ok := c.maps.Get(key); ok {
+        return m, nil
+    }
+    m, err := c.renderer.Render(ctx, eventID, priceView)
+    if err != nil {
+        return nil, err
+    }
+    c.maps.Add(key, m)
+    return m, nil
+}"""),
           ("internal/api/seatmap_handler.go", """@@ -31,6 +31,6 @@ func (h *SeatmapHandler) Get(w http.ResponseWriter, r *http.Request) {
     eventID, view := chi.URLParam(r, "eventID"), r.URL.Query().Get("price_view")
-    m, err := h.renderer.Render(r.Context(), eventID, view)
+    m, err := h.cache.Get(r.Context(), eventID, view)
     if err != nil {
         h.fail(w, r, err)
         return
     }""")),
)

_TRIGGER = Change(
    author="hyejin", reviewer="rafael", labels=("finops", "ticketing"),
    title="seatmap-api: right-size memory to the VPA recommendation (limit 2Gi -> 768Mi)",
    body="FinOps review FIN-233: seatmap-api reserves 12 x 1Gi and its pods use a fraction of it. The VPA recommender "
         "(recommendation mode, last 14 days) says target 410Mi, upper bound 590Mi.\n\n"
         "- requests.memory 1Gi -> 512Mi, limits.memory 2Gi -> 768Mi (30% over the upper bound)\n"
         "- HPA minReplicas 12 -> 8; it still scales to 40 on CPU\n\n"
         "Frees about 7 nodes of the general pool. k6 on staging at 400 rps: RSS 480Mi, no restarts.",
    files=(("apps/ticketing/seatmap-api/values-production.yaml", """@@ -14,15 +14,15 @@ image:
   repository: registry.stagepass.example/ticketing/seatmap-api
   tag: v3.18.1

 resources:
   requests:
     cpu: 500m
-    memory: 1Gi
+    memory: 512Mi
   limits:
-    memory: 2Gi
+    memory: 768Mi

 autoscaling:
   enabled: true
-  minReplicas: 12
+  minReplicas: 8
   maxReplicas: 40
   targetCPUUtilizationPercentage: 70"""),),
)

_FIX = Change(
    author="adebayo", reviewer="rafael", labels=("incident", "ticketing"),
    title="seatmap-api: memory limit back to 2Gi, minReplicas 30 for the Aurora on-sale",
    body="Fixes {{incurl:page}}.\n\nSince {{url:trigger}} the seatmap-api pods had a 768Mi limit; with the Aurora "
         "stadium maps in the seat map cache they were OOMKilled (exit 137) at the presale and crash-looped at the "
         "on-sale. The HPA scales on CPU and pods died before they got busy, so it stayed at 8.\n\n"
         "Limit back to 2Gi and requests to 1Gi; minReplicas 30 until the Aurora on-sale is over (TKT-840 puts it "
         "back to 12).",
    files=(("apps/ticketing/seatmap-api/values-production.yaml", """@@ -18,11 +18,11 @@ resources:
   requests:
     cpu: 500m
-    memory: 512Mi
+    memory: 1Gi
   limits:
-    memory: 768Mi
+    memory: 2Gi

 autoscaling:
   enabled: true
-  minReplicas: 8
+  minReplicas: 30  # Aurora on-sale; back to 12 after (TKT-840)
   maxReplicas: 40
   targetCPUUtilizationPercentage: 70"""),),
)

_CACHE_FIX = Change(
    author="marguerite", reviewer="adebayo", labels=("incident", "seatmap"),
    title="Seat map cache: bound by bytes (384 MiB), and set GOMEMLIMIT from the container limit",
    body="Follow-up of {{incurl:page}}. The LRU from {{url:contributor}} was bounded by entries: an Aurora stadium "
         "map is ~2.4 MB and fans browse 41 dates x 6 price views, so one pod's cache alone grew past 600 MiB.\n\n"
         "- the cache is bounded by the size of the rendered maps, 384 MiB\n"
         "- GOMEMLIMIT is set to 80% of the container's memory limit, so the GC works harder before the kernel kills",
    files=(("internal/render/cache.go", """@@ -8,2 +8,2 @@ import (
-// mapCacheEntries bounds the in-process cache of rendered seat maps. A map is 40 KB (club) to 3 MB (stadium).
-const mapCacheEntries = 2000
+// mapCacheBytes bounds the cache by size, not count: an Aurora stadium map is ~2.4 MB.
+const mapCacheBytes = 384 << 20
@@ -22,4 +22,4 @@ type Cache struct {
 func NewCache(r *Renderer) *Cache {
-    c, _ := lru.New[cacheKey, *SeatMap](mapCacheEntries)
+    c := sizedlru.New[cacheKey, *SeatMap](mapCacheBytes, func(m *SeatMap) int { return m.SizeBytes() })
     return &Cache{maps: c, renderer: r}
 }"""),
           ("cmd/seatmap-api/main.go", """@@ -3,4 +3,5 @@ package main
 import (
     "context"
+    _ "github.com/KimMachineGun/automemlimit"
     "net/http"
 )""")),
)

_FOLLOW = Change(
    author="tuomas", reviewer="declan", labels=("alerts", "incident"),
    title="Pod OOMKilled and CrashLooping rules: page for ticketing again, skip only Job pods",
    body="Follow-up of {{incurl:page}}. Reverts the namespace exclusion of {{url:weakening}}: seatmap-api was "
         "OOMKilled for 23 hours and nothing paged.\n\nThe precompute Job's nightly OOMs are skipped by owner "
         "instead (`unless on(namespace, pod) kube_pod_owner{owner_kind=\"Job\"}`), in every namespace.",
    files=(("rules/kubernetes/pods.yaml", """@@ -4,7 +4,6 @@ groups:
       - alert: KubeContainerOOMKilled
         expr: |
-          # ticketing is skipped until seatmap-precompute moves to the batch namespace (TKT-812): its nightly
-          # OOMs retry and finish on their own and paged Seating every night.
-          (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", namespace!~"kube-system|monitoring|ticketing"} == 1)
+          (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", namespace!~"kube-system|monitoring"} == 1)
           and on(namespace, pod, container)
-          increase(kube_pod_container_status_restarts_total{namespace!~"kube-system|monitoring|ticketing"}[10m]) > 0
+          increase(kube_pod_container_status_restarts_total{namespace!~"kube-system|monitoring"}[10m]) > 0
+          unless on(namespace, pod) kube_pod_owner{owner_kind="Job"}
@@ -16,3 +15,3 @@ groups:
       - alert: KubePodCrashLooping
         expr: |
-          max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace!~"kube-system|monitoring|ticketing"}[5m]) >= 1
+          max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace!~"kube-system|monitoring"}[5m]) >= 1"""),),
)


def _image_bump(b: WorldBuilder, repo: str, ns: str, app: str, old: str, new: str, t: float,
                handle: str) -> dict[str, Any]:
    """A PR of the image updater bot, merged by it a few minutes later."""
    body = (f"Automated image update by argocd-image-updater.\n\n`registry.stagepass.example/{ns}/{app}`: `{old}` -> "
            f"`{new}`")
    files = [yaml_file(_values(ns, app), yaml_patch(14, "image:", [f"   repository: registry.stagepass.example/{ns}/{app}",
                                                                  f"-  tag: {old}", f"+  tag: {new}"]))]
    return b.pull(repo, UPDATER, f"{app}: image {old} -> {new}", body, t, merged=t + b.rng.uniform(120, 600),
                  files=files, labels=["image-update"], handle=handle)


def build_seatmap_oom(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the seatmap-oom world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="seatmap-oom", seed=2024_09_12, org="stagepass", team_name="Seating",
                    page_at="2024-09-12T16:38:00Z", impact_start="2024-09-11T16:06:00Z",
                    noise_teams=("checkout", "identity", "platform", "growth", "web", "data"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("botkube", "Botkube"), ("argocd", "Argo CD"), ("onsalebot", "On-sale Stats")):
        b.person(key, name, github=False, is_bot=True)
    b.person(UPDATER, UPDATER, slack=False, is_bot=True)
    platform = sc.team("platform")

    # Seating and orders: PagerDuty, channels, repos ----------------------------------------------------
    s_team = b.team("Seating")
    s_policy = b.policy("Seating on-call", s_team, ONCALL)
    svc = b.service("seatmap-api", "Seat maps, seat holds and availability for every event (ticketing namespace)",
                    s_policy, s_team, iso(start - 700 * DAY))
    o_team = b.team("Orders")
    orderers = sc.crowd[20:25]
    o_policy = b.policy("Orders on-call", o_team, orderers[:3])
    o_svc = b.service("orders-api", "Orders, ticket delivery and transfers", o_policy, o_team, iso(start - 650 * DAY))
    seat_ch = b.channel("seating", "Seating: seat maps, holds, availability", "Seating team", start - 660 * DAY,
                        "rafael")
    sal_ch = b.channel("seating-alerts", "Pages of seatmap-api", "PagerDuty notifications", start - 420 * DAY, "tuomas")
    k8s_ch = b.channel("k8s-events", f"Botkube: warnings from {CLUSTER}", "Kubernetes events", start - 380 * DAY,
                       "declan")
    ops_ch = b.channel("onsale-ops", "On-sale operations: presales, waiting room, promoters' requests",
                       "On-sale operations", start - 720 * DAY, "gwen")
    ps_ch = b.channel("partner-support", "Promoters and venues -> engineering", "Promoter support",
                      start - 690 * DAY, "lorenzo")
    fs_ch = b.channel("fan-support", "Fan support escalations", "Fan support", start - 700 * DAY, "sunita")
    ord_ch = b.channel("orders", "Orders team", "Orders, delivery, transfers", start - 600 * DAY, orderers[0])
    seat_repo = b.repo("seatmap-api", "Seat maps, holds and availability (Go)", iso(start - 900 * DAY))
    deploy = b.repo("k8s-deploy", f"Helm values for every app on {CLUSTER}; Argo CD syncs main",
                    iso(start - 600 * DAY))
    alerts = b.repo("platform-alerts", "Prometheus rules and Alertmanager routes for every team",
                    iso(start - 560 * DAY))
    ord_repo = b.repo("orders-api", "Orders API (TypeScript)", iso(start - 880 * DAY))

    # Their noise ----------------------------------------------------------------------------------------
    n = sc.scale
    seating = NoiseTeam(SEATING, SEATERS, seat_repo, seat_ch, svc, s_policy)
    orders = NoiseTeam(ORDERS, orderers, ord_repo, ord_ch, o_svc, o_policy)
    add_pulls(b, seating, 85 * n, start - 60 * DAY, end)
    add_pulls(b, orders, 40 * n, start - 60 * DAY, end)
    services = {"seatmap-api": svc, "seatmap-precompute": svc, "orders-api": o_svc}

    def synced(pull: dict[str, Any], *, link: str | None = None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Argo CD syncs each merged k8s-deploy PR: a line in #deploys, a change event for the ticketing apps."""
        at, sha7 = epoch(pull["merged_at"]) + 75, pull["merge_commit_sha"][:7]
        path = pull["files"][0]["filename"].split("/")
        if path[0] != "apps":
            return None, None
        app = path[2]
        line = b.say(sc.common["deploys"], at + 3, "argocd",
                     f":white_check_mark: Application `{app}` sync succeeded, revision {sha7} ({pull['title']})")
        if app not in services:
            return line, None
        links = [{"href": f"https://github.com/{deploy}/commit/{sha7}", "text": sha7}]
        if link:
            links.append({"href": "{{url:" + link + "}}", "text": pull["title"]})
        ev = b.change_event(services[app], f"Argo CD sync {path[1]}/{app} to k8s-deploy@{sha7}: {pull['title']}",
                            at, "argocd", links=links, details={"app": app, "revision": sha7, "cluster": CLUSTER})
        if link:
            b.templated.append((links[1], "href"))
        return line, ev

    def on_merge(pull: dict[str, Any]) -> None:
        synced(pull)

    deployers = SEATERS + PLATFORM + platform.members[:3] + orderers[:2]
    config_pulls(b, deploy, deployers, 55 * n, start - 60 * DAY, end, _k8s_change, on_merge=on_merge)
    config_pulls(b, alerts, ONCALL + PLATFORM + platform.members[:3] + orderers[:1], 45 * n, start - 60 * DAY, end,
                 _rule_change)
    # The image updater: every seatmap-api release, and the other apps' images every few days.
    bumps: dict[str, dict[str, Any]] = {}
    for (old, _), (new, when) in zip(_SEATMAP_RELEASES, _SEATMAP_RELEASES[1:], strict=False):
        handle = "herring_bump" if new == "v3.18.2" else f"bump_{new}"
        bumps[new] = _image_bump(b, deploy, "ticketing", "seatmap-api", old, new, epoch(when), handle)
        if new != "v3.18.2":
            synced(bumps[new])
    patch = {app: 0 for _, app, _ in _IMAGES}
    for i in range(40 * n):
        ns, app, minor = _IMAGES[i % len(_IMAGES)]
        patch[app] += 1
        _image_bump(b, deploy, ns, app, f"v{minor}.{patch[app] - 1}", f"v{minor}.{patch[app]}",
                    rng.uniform(start - 30 * DAY, end), f"img{i}")
    for pull in b.pulls:
        if pull["user"] == UPDATER and pull["merged_at"] and not pull["title"].startswith("seatmap-api"):
            synced(pull)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (seat_repo, deploy)][-150:]
    add_chat(b, seat_ch, SEATERS, SEATING.nouns, 170 * n, start, end, links=links)
    add_chat(b, ord_ch, orderers, ORDERS.nouns, 50 * n, start, end)
    add_chat(b, ops_ch, ONSALE + SEATERS[3:5] + orderers[:1] + SUPPORT[:1], _EVENTS, 55 * n, start, end,
             lines=_OPS_LINES, thread_rate=0.5)
    add_chat(b, ps_ch, ["lorenzo", "gwen"] + SEATERS[1:3] + orderers[:2], _EVENTS, 40 * n, start, end,
             lines=_PARTNER_LINES, thread_rate=0.5)
    add_chat(b, fs_ch, SUPPORT + SEATERS[:2] + orderers[:1], _EVENTS, 60 * n, start, end, lines=_FAN_LINES,
             thread_rate=0.6)
    for ch, joiners in ((seat_ch, SEATERS), (ops_ch, ONSALE + SEATERS[:2]), (fs_ch, SUPPORT),
                        (k8s_ch, PLATFORM + SEATERS[:3]), (ord_ch, orderers)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, seating, 10 * n, start, epoch("2024-08-10"), sal_ch)
    add_incidents(b, orders, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    bot_feed(b, k8s_ch, "botkube", int(4 * (end - start) / DAY) * n, start, end, _botkube_line)
    # Other on-sales over the summer: the on-sale bot's summary lines, errors at their usual level.
    day = start + 2 * DAY
    while day < end - 9 * DAY:
        event = rng.choice(_EVENTS)
        at = day - day % DAY + 20 * HOUR + rng.uniform(0, 1800)
        b.say(ops_ch, at, "onsalebot", _onsale_line(event, rng.choice(("on-sale", "presale")),
                                                     rng.randrange(4_000, 60_000), rng.randrange(2_000, 25_000),
                                                     rng.uniform(0.1, 0.3)))
        day += rng.uniform(2.5, 5) * DAY

    # Aug 12: the Aurora tour is imported; from that night the precompute Job is OOMKilled -------------------
    imp = b.say(seat_ch, epoch("2024-08-12T14:20:00Z"), "wiktoria",
                "Aurora World Tour imported: 41 dates, 12 of them stadiums with 60k+ seats. biggest maps we've had")
    tr.add("slack", imp, "context", must_see=False, group="cause",
           why="the stadium seat maps that outgrow both the precompute Job and, later, the seatmap-api pods")
    night = epoch("2024-08-13T02:00:00Z")
    while night < end:
        if rng.random() < 0.85:
            at = night + rng.uniform(300, 2400)
            b.say(k8s_ch, at, "botkube", _oom_line("ticketing", _job_pod(rng, "seatmap-precompute", at), "precompute",
                                                   "1Gi", 1))
        night += DAY

    # Aug 13-20: the pod OOMKilled rule pages Seating every night for the precompute Job ------------------
    noisy_at = ("2024-08-13T02:11:00Z", "2024-08-14T02:07:00Z", "2024-08-15T02:26:00Z", "2024-08-16T02:14:00Z",
                "2024-08-18T02:32:00Z", "2024-08-19T02:09:00Z", "2024-08-20T02:18:00Z")
    notes = ("seatmap-precompute OOMKilled at 1Gi, the Job retried and completed at 02:27. nothing to do",
             "precompute again. Job finished on the 2nd attempt, resolving")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        pod = _job_pod(rng, "seatmap-precompute", t)
        title = f"[FIRING:1] {OOM_ALERT} ticketing/{pod} (precompute)"
        inc = b.incident(svc, title, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]], ack_after=180 + 50 * i,
                         resolve_after=1100 + 150 * i, handle=f"noisy{i}", alert_key=OOM_KEY,
                         alert_summary=f"ticketing/{pod} (precompute) was OOMKilled",
                         notes=[(who, notes[i % 2], 700.0)] if i % 2 == 0 else None)
        b.say(sal_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{title}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages of the pod OOMKilled rule (the precompute Job) that led to the exclusion")
    grumbles = (("2024-08-14T08:30:00Z", "tuomas", "paged at 02:07 for KubeContainerOOMKilled on seatmap-precompute. "
                 "the Job retried and finished at 02:24. second night in a row :sleeping:"),
                ("2024-08-16T09:05:00Z", "priscila", "precompute OOM page again. it's the Aurora stadium maps, the Job "
                 "renders all 12 in one pod"),
                ("2024-08-18T10:20:00Z", "wiktoria", "TKT-812 (precompute in the batch namespace, where pods don't "
                 "page) is blocked on the batch node pool. weeks, platform says"),
                ("2024-08-19T09:40:00Z", "adebayo", "can we stop the pod OOM pages for ticketing at night? nobody can "
                 "do anything about precompute at 2am and it always finishes"),
                ("2024-08-20T09:55:00Z", "tuomas", "I'll drop ticketing from the pod OOMKilled/CrashLooping rules until "
                 "precompute moves. seatmap-api still has the Checkly journeys and the SLO alerts"))
    for when, who, text in grumbles:
        m = b.say(seat_ch, epoch(when), who, text)
        if who == "adebayo":
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the night pages of the pod OOMKilled rule")

    # Aug 21: ticketing leaves the OOMKilled and CrashLooping matchers ---------------------------------------
    weak = story_pull(b, alerts, _WEAKENING, epoch("2024-08-20T10:40:00Z"), epoch("2024-08-21T14:30:00Z"), "weakening",
                      review="ok as a stopgap. put a date on TKT-812 please", reviewed=epoch("2024-08-21T13:55:00Z"))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="added `ticketing` to the namespaces the pod OOMKilled and CrashLooping rules skip: seatmap-api's "
               "pods were OOMKilled and crash-looped for 23 hours without a page")
    b.say(seat_ch, epoch("2024-08-21T14:41:00Z"), "tuomas",
          "merged {{url:weakening}}: no more 2am precompute pages :zzz:", template=True)

    # Aug 28: the seat map cache ---------------------------------------------------------------------------
    contrib = story_pull(b, seat_repo, _CONTRIBUTOR, epoch("2024-08-26T11:00:00Z"), epoch("2024-08-28T15:20:00Z"),
                         "contributor", review="nice numbers. 2,000 entries of stadium maps is a lot of MB though?",
                         reviewed=epoch("2024-08-28T13:05:00Z"),
                         comments=(("marguerite", "most maps are clubs and theatres, a few hundred KB. the hot set at "
                                    "an on-sale is maybe a hundred maps", epoch("2024-08-28T14:02:00Z")),))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="the in-process seat map cache, bounded by entries not bytes: with the Aurora stadium maps a pod's "
               "memory grows with the on-sale far past the new 768Mi limit")

    # Aug 31 - Sep 3: a hold-sweeper alert on the same service pages during the nightly VACUUM, then is loosened ---
    for i, when in enumerate(("2024-08-31T03:10:00Z", "2024-09-01T03:04:00Z", "2024-09-02T03:12:00Z")):
        who = ONCALL[(i + 1) % len(ONCALL)]
        title = "[FIRING:1] SeatmapHoldSweeperLag ticketing/seatmap-api (hold-sweeper)"
        b.incident(svc, title, epoch(when), responders=[who], ack_after=260, resolve_after=2400,
                   alert_key="SeatmapHoldSweeperLag/ticketing/seatmap-api", handle=f"sweep{i}",
                   notes=[(who, "nightly VACUUM on seat_holds, lag cleared at 03:45 on its own", 1500.0)])
        b.say(sal_ch, epoch(when) + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:sweep{i}}}}}|"
              f"#{{{{inc:sweep{i}}}}}> {title}", template=True)
    story_pull(b, alerts, Change(
        author="adebayo", reviewer="declan", labels=("alerts",),
        title="SeatmapHoldSweeperLag: 15 minutes for 10m (nightly VACUUM)",
        body="Three pages at 03:00 in three nights: the nightly VACUUM of `seat_holds` holds the sweeper back for about "
             "40 minutes, and expired holds are released late but correctly. 15 minutes for 10m still catches a "
             "stuck sweeper before an on-sale notices.",
        files=(("rules/ticketing/seatmap-api.yaml", yaml_patch(
            18, "- alert: SeatmapHoldSweeperLag", ["       - alert: SeatmapHoldSweeperLag",
                                                   "-        expr: seatmap_hold_sweeper_lag_seconds > 300",
                                                   "-        for: 5m",
                                                   "+        expr: seatmap_hold_sweeper_lag_seconds > 900",
                                                   "+        for: 10m", "         labels:"])),)),
        epoch("2024-09-02T10:15:00Z"), epoch("2024-09-03T11:40:00Z"), "distractor_sweeper")

    # Sep 6-10: the right-sizing PR, merged and synced ----------------------------------------------------------
    b.say(ops_ch, epoch("2024-09-09T15:00:00Z"), "gwen",
          ":mega: Aurora World Tour: fan-club presale Wed 09-11 16:00 UTC, general on-sale Thu 09-12 16:00 UTC. 41 "
          "dates incl. 12 stadiums, LiveCo expects 200k+ fans in the waiting room. our biggest on-sale this year")
    trig = story_pull(b, deploy, _TRIGGER, epoch("2024-09-06T13:00:00Z"), epoch("2024-09-10T14:20:00Z"), "trigger",
                      review="ok. ping us if anything looks off after the sync", reviewed=epoch("2024-09-10T13:50:00Z"),
                      review_comments=(("rafael", "does the 14-day window include an on-sale?",
                                        "apps/ticketing/seatmap-api/values-production.yaml", 23,
                                        epoch("2024-09-09T09:12:00Z")),),
                      comments=(("hyejin", "the Salt & Signal on-sale on 09-03 is in it, peak was 540Mi",
                                 epoch("2024-09-09T10:40:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="lowered seatmap-api's memory limit to 768Mi (and minReplicas to 8) from a VPA window without a big "
               "on-sale: at the Aurora presale and on-sale the pods were OOMKilled and crash-looped")
    argo_line, ev = synced(trig, link="trigger")
    assert argo_line is not None and ev is not None
    tr.add("pagerduty", ev, "trigger", must_see=False, group="cause", why="Argo CD syncing the right-sizing",
           same_fact_as=("github", trig))
    tr.add("slack", argo_line, "trigger", must_see=False, group="cause", why="Argo CD's line for the right-sizing",
           same_fact_as=("github", trig))

    # Sep 10-11: a seatmap-api release and its image bump the morning of the presale (a red herring) -----------
    story_pull(b, seat_repo, Change(
        author="wiktoria", reviewer="marguerite", labels=("i18n",),
        title="Aurora tour: section and price level labels in pt-BR and es-MX",
        body="LiveCo sells the Aurora dates in Brazil and Mexico through our white-label site. Adds the section and "
             "price-level labels; the seat map falls back to English for a missing key.",
        files=(("internal/render/labels.go", """@@ -12,3 +12,5 @@ var supported = []language.Tag{
     language.English,
     language.French,
+    language.BrazilianPortuguese,
+    language.LatinAmericanSpanish,
 }"""),
               ("locales/pt-BR.json", "@@ -0,0 +1,3 @@\n+{\n+  \"section.floor\": \"Pista\"\n+}"))),
        epoch("2024-09-09T12:00:00Z"), epoch("2024-09-10T10:05:00Z"), "distractor_labels")
    herring = bumps["v3.18.2"]
    synced(herring)

    # Sep 11: the presale. OOMKilled pods in Botkube, a low-urgency SLO ticket, a fan-club remark -------------
    pods = [_pod(rng, "seatmap-api") for _ in range(8)]
    first = b.say(k8s_ch, epoch("2024-09-11T16:06:12Z"), "botkube", _oom_line("ticketing", pods[0], "seatmap-api",
                                                                         "768Mi", 1))
    tr.add("slack", first, "early_signal", must_see=True, group="detection",
           why="Botkube posts the first OOMKilled seatmap-api pod, six minutes into the presale; the pod rules no "
               "longer page for ticketing")
    for i, when in enumerate(("2024-09-11T16:19:40Z", "2024-09-11T16:41:05Z", "2024-09-11T17:03:31Z",
                              "2024-09-11T17:30:52Z", "2024-09-11T18:12:17Z")):
        b.say(k8s_ch, epoch(when), "botkube", _oom_line("ticketing", pods[1 + i % 4], "seatmap-api", "768Mi",
                                                     1 + i // 4))
    b.say(k8s_ch, epoch("2024-09-11T16:44:20Z"), "botkube",
          f":large_orange_circle: *Unhealthy* `ticketing/{pods[2]}` ({CLUSTER})\nReadiness probe failed: Get "
          "\"http://10.4.17.22:8080/readyz\": context deadline exceeded")
    remark = b.say(ops_ch, epoch("2024-09-11T16:52:00Z"), "nadia",
                   "a few fan-club members say the seat map went blank while they were picking seats and their hold "
                   "was gone, a refresh fixed it. probably their connection, but FYI for tomorrow")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="the fan-club manager relays fans losing their seat map during the presale; it is waved off")
    b.say(ops_ch, epoch("2024-09-11T17:20:00Z"), "priscila", "seatmap-api dashboards look ok, p99 is normal. we'll keep "
          "an eye on it tomorrow", parent=remark)
    b.say(ops_ch, epoch("2024-09-11T17:24:00Z"), "nadia", "thanks!", parent=remark)
    slo = b.incident(svc, f"[FIRING:1] {SLO_ALERT} ticketing/seatmap-api (6h burn rate 4.1x)",
                     epoch("2024-09-11T17:25:00Z"), urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=5.8 * HOUR, alert_key=f"{SLO_ALERT}/ticketing/seatmap-api", severity="warning",
                     alert_summary="seat selection availability: 6h error budget burn 4.1x (ticket)")
    tr.add("pagerduty", slo, "early_signal", must_see=True, group="detection",
           why="the seat selection SLO's slow-burn alert opened a low-urgency incident during the presale; it paged "
               "no one and resolved itself overnight")
    stats = b.say(ops_ch, epoch("2024-09-11T20:05:00Z"), "onsalebot",
                  _onsale_line("Aurora World Tour", "fan-club presale", 41_280, 17_944, 2.7))
    tr.add("slack", stats, "early_signal", must_see=False, group="reports",
           why="the on-sale bot's presale summary: seat selection errors at 2.7%, nine times the usual")

    # Sep 12, before the on-sale: the waiting room's rate is raised; checkout deploys ------------------------
    b.say(ops_ch, epoch("2024-09-12T14:10:00Z"), "gwen", "waiting room release rate for Aurora raised to 2,500 fans/min "
          "at LiveCo's request, same as Harbor Lights in March")
    checkout = sc.team("checkout")
    c_sha = b.sha()[:7]
    b.change_event(checkout.service, f"Deploy checkout-api@{c_sha} to production (saved cards for guests)",
                   epoch("2024-09-12T15:48:00Z"), "ci-deploy", details={"environment": "production"})
    b.say(sc.common["deploys"], epoch("2024-09-12T15:48:03Z"), "deploybot",
          f":rocket: checkout-api `{c_sha}` deployed to production by <@{b.people[checkout.members[0]].slack_id}>")

    # 16:00 the on-sale: crash loops, the promoter, fan support; checkout's unrelated page --------------------
    for i, when in enumerate(("2024-09-12T16:03:09Z", "2024-09-12T16:03:51Z", "2024-09-12T16:04:30Z",
                              "2024-09-12T16:06:02Z", "2024-09-12T16:08:44Z", "2024-09-12T16:11:15Z")):
        m = b.say(k8s_ch, epoch(when), "botkube", _oom_line("ticketing", pods[i % 8], "seatmap-api", "768Mi", 2 + i // 3))
        if i == 0:
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the first OOMKilled seatmap-api pod of the on-sale")
    loop = b.say(k8s_ch, epoch("2024-09-12T16:09:30Z"), "botkube",
                 f":large_orange_circle: *BackOff* `ticketing/{pods[3]}` ({CLUSTER})\nBack-off restarting failed "
                 "container seatmap-api")
    tr.add("slack", loop, "early_signal", must_see=False, group="detection",
           why="seatmap-api pods in CrashLoopBackOff; KubePodCrashLooping skips ticketing")
    for i, when in enumerate(("2024-09-12T16:10:12Z", "2024-09-12T16:14:40Z", "2024-09-12T16:21:05Z",
                              "2024-09-12T16:27:33Z")):
        b.say(k8s_ch, epoch(when), "botkube", f":large_orange_circle: *BackOff* `ticketing/{pods[(i + 4) % 8]}` "
              f"({CLUSTER})\nBack-off restarting failed container seatmap-api")
    b.say(k8s_ch, epoch("2024-09-12T16:16:00Z"), "botkube",
          f":large_blue_circle: *SuccessfulRescale* `ticketing/seatmap-api` HorizontalPodAutoscaler ({CLUSTER})\nNew "
          "size: 9; reason: cpu resource utilization (percentage of request) above target")
    ops = b.say(ops_ch, epoch("2024-09-12T16:12:00Z"), "gwen",
                "seat maps failing for a lot of fans right after the waiting room. anyone from seating around?")
    tr.add("slack", ops, "early_signal", must_see=False, group="reports",
           why="the on-sale manager sees fans failing at the seat map, before any page")
    report = b.say(ps_ch, epoch("2024-09-12T16:14:00Z"), "lorenzo",
                   "LiveCo (Aurora promoter) on the phone: fans on every Aurora date get 'We couldn't load the seat "
                   "map, please try again' after the waiting room, and their holds disappear. it's trending on X. "
                   "are we aware?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="the promoter reports fans failing at seat selection during the on-sale")
    b.say(ps_ch, epoch("2024-09-12T16:23:00Z"), "gwen", "same in #onsale-ops, no answer from seating yet", parent=report)
    fans = b.say(fs_ch, epoch("2024-09-12T16:19:00Z"), "sunita",
                 "spike in chats: 'seat map won't load' / 'lost my seats' for Aurora, 340 chats in 15 minutes")
    tr.add("slack", fans, "customer_report", must_see=False, group="reports", why="fan support's chat spike")
    b.say(fs_ch, epoch("2024-09-12T16:24:00Z"), "emeka", "macro for now: 'keep your place in the queue, we're on it'",
          parent=fans)
    b.incident(checkout.service, "[checkout-api] payment provider timeouts", epoch("2024-09-12T16:22:00Z"),
               responders=checkout.members[:2], ack_after=150, resolve_after=35 * 60,
               alert_key="checkout-api/payment provider timeouts",
               notes=[(checkout.members[0], "Adyen EU latency, recovered on its own", 1400.0)])
    b.incident(svc, f"[FIRING:1] {SLO_ALERT} ticketing/seatmap-api (6h burn rate 19.6x)", epoch("2024-09-12T16:21:00Z"),
               urgency="low", responders=[], notify=False, ack_after=None, resolve_after=2.9 * HOUR,
               alert_key=f"{SLO_ALERT}/ticketing/seatmap-api", severity="warning",
               alert_summary="seat selection availability: 6h error budget burn 19.6x (ticket)")

    # 16:38 the page: a Checkly journey, three failed runs --------------------------------------------------
    page_by_hand(b, tr, svc, "[seatmap-api] Checkly: seat selection journey failing from 4/5 locations", T,
                 responders=ONCALL, ack_after=95, resolve_after=1.7 * HOUR,
                 alert_key="checkly/aurora-seat-selection", severity="critical",
                 alert_summary="Checkly 'Aurora seat selection' failed 3 runs in a row: GET "
                               "/v1/events/{id}/seatmap 503 or timeout from 4/5 locations",
                 description="Checkly browser check 'Aurora seat selection' failed 3 consecutive runs from "
                             "us-east-1, us-west-2, eu-west-1 and sa-east-1: the seat map does not load.",
                 notes=[("adebayo", "seatmap-api pods OOMKilled at the 768Mi limit since the 09-10 right-sizing; "
                                    "limit back to 2Gi, 30 pods Running, 0 restarts", 2300.0),
                        ("rafael", "waiting room resumed at 17:20 at 1,000/min, seat selection success 99.6%",
                         4500.0)],
                 relay=sal_ch, why="the Checkly journey pages Seating on-call 23 hours after the first OOMKilled pod")
    inc_ch = b.channel("inc-2024-09-12-aurora-seatmap", "Incident: seat maps failing in the Aurora on-sale",
                       "Incident response", T + 60, "adebayo")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "adebayo", "incident {{incurl:page}}: seat selection failing in the Aurora on-sale, Checkly red from 4/5 "
                       "locations"),
        (45, "gwen", "waiting room has 212k fans queued, releasing 2,500/min. I paused the release at 16:36"),
        (130, "wiktoria", "the only new seatmap-api image this week is v3.18.2 yesterday morning ({{url:herring_bump}}), "
                          "the pt-BR/es-MX labels. rolling back to v3.18.1 to be safe"),
        (200, "priscila", "checkout deployed at 15:48 and had a page at 16:22 (payment provider timeouts). related?"),
        (260, "declan", "checkout's page is Adyen latency, and fans don't get as far as checkout. not them"),
        (330, "gwen", "or the waiting room? we raised the release rate to 2,500/min this morning for LiveCo"),
        (520, "wiktoria", "rollback to v3.18.1 done, pods still restarting. not the image"),
        (600, "tuomas", "kubectl describe pod: Last State Terminated, Reason OOMKilled, Exit Code 137, limit 768Mi. "
                        "weren't these 2Gi?"),
        (660, "declan", "they were until {{url:trigger}}, merged tuesday: right-sized to the VPA recommendation of the "
                        "last 14 days, and there was no on-sale of this size in that window"),
        (720, "hyejin", "mine, sorry. the VPA upper bound was 590Mi. and the HPA scales on CPU: the pods get OOMKilled "
                        "before they're busy, so it sat at 8-9 replicas"),
        (800, "rafael", "why did nothing page at 16:03? botkube has OOMKilled seatmap-api pods since yesterday's "
                        "presale"),
        (880, "tuomas", "platform-alerts PR {{num:weakening}}: I took ticketing out of the KubeContainerOOMKilled and "
                        "KubePodCrashLooping matchers after the precompute pages. what was left was the SLO burn ticket "
                        "(low urgency, fired yesterday at 17:25) and this Checkly journey, which needs 3 failed runs"),
        (940, "marguerite", "memory per pod grows with the seat map cache since {{pr:contributor}}: it's bounded by "
                            "entries, not bytes, and an Aurora stadium map is ~2.4 MB. 41 dates x 6 price views is "
                            "more than 768Mi on its own"),
        (1010, "gwen", "2,500/min is what we ran for Harbor Lights in March, on the old limits. so not the waiting "
                       "room then"),
        (1250, "adebayo", "fix {{url:fix}} merged: limit back to 2Gi, minReplicas 30 for the on-sale. argo syncing"),
        (1600, "adebayo", "30 pods Running, 0 restarts in 5 minutes. Checkly green from 5/5"),
        (1700, "gwen", "resuming the waiting room at 1,000/min"),
        (3000, "rafael", "seat selection success 99.6%, waiting room back to 2,500/min"),
        (4200, "rafael", "follow-ups: pod OOM/crashloop pages back for ticketing (skip Job pods only), bound the seat "
                         "map cache by bytes, no right-sizing of ticketing from a VPA window without an on-sale"),
    )
    for off, who, text in chat:
        m = b.say(inc_ch, T + 120 + off, who, text, template="{{" in text)
        if "{{url:trigger}}" in text:
            tr.add("slack", m, "response", must_see=True, group="cause",
                   why="a responder ties the OOMKilled pods to the right-sizing PR, after the image rollback failed")
        elif "{{num:weakening}}" in text:
            tr.add("slack", m, "response", must_see=False, group="detection",
                   why="a responder explains why the OOMKilled and CrashLooping rules did not page")
        elif "{{pr:contributor}}" in text:
            tr.add("slack", m, "response", must_see=False, group="cause",
                   why="a responder explains why memory grew with the on-sale: the seat map cache")
    b.change_event(svc, "Argo CD rollback ticketing/seatmap-api to v3.18.1 (manual, Wiktoria Sobczak)",
                   T + 120 + 450, "argocd", details={"app": "seatmap-api", "image": "v3.18.1", "cluster": CLUSTER})

    # The fix, its sync; then the cache bound and the alert rules --------------------------------------------
    fix = story_pull(b, deploy, _FIX, T + 900, T + 1300, "fix", review="go", reviewed=T + 1200)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="puts the memory limit back to 2Gi and pins 30 replicas: the pods stop being OOMKilled")
    _, fev = synced(fix, link="fix")
    assert fev is not None
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="Argo CD syncing the fix",
           same_fact_as=("github", fix))
    cache_fix = story_pull(b, seat_repo, _CACHE_FIX, T + 18 * HOUR, T + 26 * HOUR, "cache_fix",
                           review="we should have had this from the start")
    tr.add("github", cache_fix, "fix", must_see=False, group="cause",
           why="bounds the seat map cache by bytes so memory no longer grows with the on-sale")
    follow = story_pull(b, alerts, _FOLLOW, T + 20 * HOUR, T + 28 * HOUR, "follow", review="thanks")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="puts ticketing back in the pod OOMKilled and CrashLooping rules, skipping only Job pods")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [seat_ch, ops_ch, sc.common["deploys"]], svc, SEATERS[:3], seat_repo,
        titles=("Runbook: seatmap-api memory, the seat map cache and the VPA",
                "Checkly: fail the seat selection journey after one run during on-sales"),
        doc=("seatmap-api memory", "Limit 2Gi. Right-size only from a VPA window that includes a stadium on-sale."),
        doc_path="docs/runbooks/seatmap-memory-{n}.md",
        test_fire="[seatmap-api] Checkly: seat selection journey failing (test fire)")
    return world, tr.to_dict()
