"""World "offset-skip": Turnstyle (UK and Irish event ticketing) issues mobile tickets, wallet passes and the order
confirmation e-mail from ticket-issuer, a consumer of the `orders.paid` topic on the events-prod Kafka cluster. On
Thursday 6 March at 17:58 UTC a helm-releases PR renames its consumer group from `ticket-issuer` to
`fulfilment.ticket-issuer`, because Streaming enforces prefixed ACLs from the 10th. The author believes a new group
starts at the earliest offset, as the shared kafka-consumer chart did until its 3.0 release in January: 3.0 (Streaming's
work for preview namespaces, picked up by ticket-issuer through a Renovate bump in February) starts new groups at
`latest`, scales idle consumers to zero with KEDA and does not keep a pod for a group that has never committed. So
80 seconds after the Argo CD sync KEDA scales ticket-issuer to zero and nothing ever wakes it: from 18:03 every paid
order gets no ticket and no e-mail, and nothing errors. The chart's lag alert now watches the new group, which has no
offsets and so no lag series; the "no tickets issued in 20 minutes" heartbeat that would have paged had been deleted
from alert-rules a month earlier, after eight dawn and weekend pages caused by nobody buying tickets. Only Burrow's
line about the orphaned old group (dismissed by Streaming), a low-urgency volume alert on the mailer (blamed on that
afternoon's e-mail template change) and Saltmarket Hall's box office show it; social care and the night support shift
log it for the morning, and the support lead pages Fulfilment by hand at 07:41, thirteen and a half hours in. Scaling
ticket-issuer up makes the new group start at `latest`, past the night's 11,846 orders, until Streaming resets its
offsets to 18:00 and the orders are replayed."""

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
    story_pull,
    war_room,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

FULFIL = TeamSpec("fulfilment", "Fulfilment", "ticket-issuer", "ticket-issuer", "fulfilment",
                  ("issuance", "wallet", "barcodes", "delivery"),
                  ("Apple Wallet pass", "Google Wallet class", "rotating QR secret", "PDF ticket", "seat label renderer",
                   "ticket transfer", "resale hold", "pass signing cert", "issuance retry queue", "order_id dedupe",
                   "box office reprint"),
                  ("ticket-issuer 5xx above 1%", "wallet pass signing errors", "issuance retry queue above 500"), "kt")
MESSAGING = TeamSpec("messaging", "Messaging", "mailer", "mailer", "messaging",
                     ("templates", "sending", "bounces", "preferences"),
                     ("order confirmation template", "SES sending quota", "bounce webhook", "suppression list",
                      "MJML partials", "unsubscribe footer", "transfer notification", "event reminder e-mail"),
                     ("SES bounce rate above 4%", "send queue age above 10m", "template render failures"), "ts")

STAFF = (("ingrid", "Ingrid Solberg"), ("cathal", "Cathal Brennan"), ("oluwaseun", "Oluwaseun Adeyemi"),
         ("maren", "Maren Kvist"), ("tobias", "Tobias Achterberg"), ("nadia", "Nadia Rahmani"),
         ("lorcan", "Lorcan Fitzgerald"), ("agnieszka", "Agnieszka Wrona"), ("rhys", "Rhys Pugh"),
         ("beatriz", "Beatriz Lacerda"), ("ewan", "Ewan McLeod"), ("solveig", "Solveig Aasen"),
         ("kwame", "Kwame Asante"))
OUTSIDERS = (("fenella", "Fenella Ross"), ("dervla", "Dervla Quinn"), ("tomasz", "Tomasz Zielinski"),
             ("harriet", "Harriet Okoye"), ("siobhan", "Siobhan Devlin"))
FULFIL_PEOPLE = ["ingrid", "cathal", "oluwaseun", "maren", "tobias", "nadia"]
ONCALL = ["oluwaseun", "maren", "tobias", "cathal"]
STREAMING_PEOPLE = ["lorcan", "agnieszka", "rhys"]
MESSAGING_PEOPLE = ["beatriz", "ewan"]
OBS_PEOPLE = ["solveig", "kwame"]
SUPPORT = ["tomasz", "harriet", "siobhan"]
VENUE = (("morag", "Morag Lennox", "morag.lennox@saltmarkethall.example"),
         ("callum", "Callum Baird", "callum.baird@saltmarkethall.example"))

HEARTBEAT_TITLE = "[ticket-issuer] TicketsIssuedHeartbeat: no tickets issued in 20m"
HEARTBEAT_KEY = "prometheus/TicketsIssuedHeartbeat"
VOLUME_KEY = "prometheus/TransactionalVolumeLow"
VALUES = "apps/ticket-issuer/values-production.yaml"

TRIGGER_MERGED = "2025-03-06T17:58:00Z"
SYNCED = "2025-03-06T18:01:20Z"
SCALED_TO_ZERO = "2025-03-06T18:02:40Z"
SCALED_UP = "2025-03-07T07:54:20Z"
REPLAYED = "2025-03-07T08:41:00Z"

_SHOWS = ("Harbour Lights", "The Velvet Orchards", "Mira Kane: Northern Skies", "Glasgow Comedy Fortnight",
          "Grease (UK tour)", "Dunmore Rovers v Kilbride", "The Lanterns", "Aoife Carr & Band", "Swan Lake (Ballet Eire)",
          "Saltmarket Sessions: Tamsin Rae")
_VENUES = ("Saltmarket Hall", "Northgate Arena", "Wrenfield Playhouse", "The Foundry Rooms", "Quayside Theatre",
           "Ballyhale Arena", "Corrib Hall")
_GROUPS = (("recs-feed", "orders.paid", "mobile"), ("loyalty-points", "orders.paid", "growth"),
           ("analytics-sink", "orders.paid", "data"), ("venue-sync", "venues.changes", "venues"),
           ("seat-holds-expirer", "holds.created", "checkout"), ("fraud-scorer", "payments.authorised", "identity"),
           ("transfer-notifier", "tickets.transferred", "fulfilment"))
_ORPHANS = (("loyalty-points-backfill-2024", "orders.paid"), ("recs-feed-preview-pr-412", "orders.paid"),
            ("venue-sync-old", "venues.changes"), ("analytics-sink-replay-dec", "orders.paid"))
_KEDA_APPS = (("mobile", "recs-feed"), ("growth", "loyalty-points"), ("data", "analytics-sink"),
              ("venues", "venue-sync"), ("fulfilment", "transfer-notifier"))


# Generated config PRs -------------------------------------------------------------------------------------------

_RELEASES = ("orders-api", "seat-holds", "box-office-api", "pass-signer", "recs-feed", "loyalty-points", "venue-sync",
             "transfer-notifier", "mailer", "web-storefront", "waiting-room")
_CONSUMERS = ("recs-feed", "loyalty-points", "venue-sync", "transfer-notifier")


def _release_change(rng: random.Random) -> ConfigChange:
    """One generated PR of helm-releases: image tags, resources, autoscaling, env and chart bumps of other apps."""
    app = rng.choice(_RELEASES)
    path = f"apps/{app}/values-production.yaml"
    ticket = rng.choice(("PLAT", "CHK", "MOB", "VEN", "MSG")) + f"-{rng.randrange(300, 990)}"
    k = rng.random()
    if k < 0.34:
        major, minor, patch = rng.randrange(1, 6), rng.randrange(0, 30), rng.randrange(0, 9)
        old, new = f"{major}.{minor}.{patch}", f"{major}.{minor}.{patch + 1}" if rng.random() < 0.75 else \
            f"{major}.{minor + 1}.0"
        return (f"{app}: {old} -> {new}", rng.choice(("Release notes in the service repo.", f"Picks up {ticket}.",
                                                       "Routine release.")),
                [yaml_file(path, yaml_patch(2, "image:", [f"   repository: ghcr.io/turnstyle/{app}",
                                                          f"-  tag: {old}", f"+  tag: {new}"]))])
    if k < 0.50:
        a = rng.choice(("512Mi", "768Mi", "1Gi", "2Gi"))
        c = rng.choice([x for x in ("512Mi", "768Mi", "1Gi", "1536Mi", "2Gi") if x != a])
        return (f"{app}: memory limit {a} -> {c}", rng.choice(("OOMKilled twice during Friday's on-sale.",
                                                                 "Way over-provisioned, p99 RSS is 40% of the limit.",
                                                                 f"Right-sizing ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(18, 30), "resources:", [
                    "   requests: {cpu: 250m, memory: 512Mi}", f"-  limits: {{memory: {a}}}",
                    f"+  limits: {{memory: {c}}}"]))])
    if k < 0.64:
        was = rng.choice((4, 6, 8, 12))
        now = rng.choice([x for x in (4, 6, 8, 10, 12, 16) if x != was])
        return (f"{app}: maxReplicas {was} -> {now}", rng.choice(("Ahead of the Harbour Lights on-sale.",
                                                                   "Never gets above half of it.", f"{ticket}.")),
                [yaml_file(path, yaml_patch(rng.randrange(10, 18), "autoscaling:", [
                    f"-  maxReplicas: {was}", f"+  maxReplicas: {now}"]))])
    if k < 0.78:
        var, val = rng.choice((("FEATURE_RESALE_CAP", '"true"'), ("HTTP_CLIENT_TIMEOUT_MS", '"3000"'),
                               ("LOG_LEVEL", "info"), ("SEAT_HOLD_TTL_SECONDS", '"480"'),
                               ("OTEL_TRACES_SAMPLER_ARG", '"0.05"'), ("WAITING_ROOM_RATE", '"900"')))
        return (f"{app}: set {var}", rng.choice((f"For {ticket}.", "Was only set in staging.",
                                                 "Flag on in production after a week on staging.")),
                [yaml_file(path, yaml_patch(rng.randrange(26, 40), "env:", [f"+  {var}: {val}"]))])
    if k < 0.90:
        chart = "kafka-consumer" if app in _CONSUMERS else rng.choice(("web-service", "worker"))
        a, c = rng.choice((("2.6.3", "2.7.0"), ("2.7.0", "2.7.1")) if chart == "kafka-consumer" else
                          (("5.2.0", "5.3.0"), ("2.4.1", "2.4.2"), ("5.3.0", "5.3.1")))
        return (f"chore(deps): update helm chart {chart} to v{c} ({app})",
                "This PR updates the chart dependency. Merge after the staging sync is green.",
                [yaml_file(f"apps/{app}/Chart.yaml", yaml_patch(6, "dependencies:", [
                    f"   - name: {chart}", f"-    version: {a}", f"+    version: {c}",
                    "     repository: oci://ghcr.io/turnstyle/charts"]))])
    host = rng.choice(("tickets.turnstyle.example", "api.turnstyle.example", "boxoffice.turnstyle.example"))
    return (f"{app}: ingress body size 8m -> 16m", f"Large seating plans on {host} ({ticket}).",
            [yaml_file(path, yaml_patch(rng.randrange(40, 52), "ingress:", [
                '-    nginx.ingress.kubernetes.io/proxy-body-size: "8m"',
                '+    nginx.ingress.kubernetes.io/proxy-body-size: "16m"']))])


_RULES = (("OrdersApiLatencyHigh", "rules/checkout/orders-api.yaml"), ("SeatHoldExpiryLag", "rules/checkout/seat-holds.yaml"),
          ("MailerBounceRate", "rules/messaging/mailer.yaml"), ("SendQueueAge", "rules/messaging/mailer.yaml"),
          ("WalletPassSigningErrors", "rules/fulfilment/ticket-issuer.yaml"),
          ("BoxOfficeApiErrors", "rules/fulfilment/box-office-api.yaml"),
          ("KafkaUnderReplicatedPartitions", "rules/streaming/events-prod.yaml"),
          ("WaitingRoomQueueStuck", "rules/checkout/waiting-room.yaml"), ("AuthLoginErrors", "rules/identity/auth.yaml"))


def _rule_change(rng: random.Random) -> ConfigChange:
    """One generated PR of alert-rules: thresholds, durations, routes, runbooks of other alerts."""
    name, path = rng.choice(_RULES)
    ticket = f"OBS-{rng.randrange(200, 320)}"
    k = rng.random()
    if k < 0.30:
        a, c = rng.choice((("5m", "10m"), ("10m", "5m"), ("10m", "15m"), ("15m", "30m")))
        return (f"{name}: for {a} -> {c}", rng.choice((f"On-call review ({ticket}).", "Flapped during Friday's on-sale.",
                                                       "Too slow to catch a real problem.")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "rules:", [
                    f"       - alert: {name}", f"-        for: {a}", f"+        for: {c}"]))])
    if k < 0.50:
        return (f"{name}: add runbook link", "Every paging alert gets a runbook.",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "annotations:", [
                    f"+          runbook: https://wiki.turnstyle.example/runbooks/{name.lower()}"]))])
    if k < 0.68:
        return (f"{name}: severity page -> ticket", rng.choice(("Nobody can act on it at night.",
                                                                f"Agreed in the alert review ({ticket}).")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "labels:", [
                    f"       - alert: {name}", "         labels:", "-          severity: page",
                    "+          severity: ticket"]))])
    if k < 0.84:
        was, now = rng.choice(((0.02, 0.05), (0.05, 0.02), (0.01, 0.02), (0.05, 0.03)))
        return (f"{name}: threshold {was} -> {now}", f"Matches the SLO now ({ticket}).",
                [yaml_file(path, yaml_patch(rng.randrange(4, 40), "expr:", [
                    f"-        expr: job:error_ratio:rate5m{{job=\"{name.lower()}\"}} > {was}",
                    f"+        expr: job:error_ratio:rate5m{{job=\"{name.lower()}\"}} > {now}"]))])
    if k < 0.94:
        return (f"Route {name} to #{path.split('/')[1]}-alerts", "Slack only, it's informational.",
                [yaml_file("alertmanager/routes.yaml", yaml_patch(rng.randrange(10, 90), "routes:", [
                    f"   - matchers: [alertname=\"{name}\"]", "-    receiver: pagerduty-default",
                    f"+    receiver: slack-{path.split('/')[1]}-alerts"]))])
    minor = rng.randrange(48, 54)
    return (f"CI: promtool v2.{minor} -> v2.{minor + 1}", "Routine bump.",
            [yaml_file(".github/workflows/check.yml", yaml_patch(14, "steps:", [
                f"-        run: promtool-v2.{minor} check rules rules/**/*.yaml",
                f"+        run: promtool-v2.{minor + 1} check rules rules/**/*.yaml"]))])


def _chart_change(rng: random.Random) -> ConfigChange:
    """One generated PR of the shared charts: probes, PDBs, labels, docs; never the consumer defaults of the story."""
    chart = rng.choice(("web-service", "worker", "cronjob", "kafka-consumer"))
    base = f"charts/{chart}"
    k = rng.random()
    if k < 0.25:
        minor = rng.randrange(0, 8)
        return (f"{chart}: podDisruptionBudget.maxUnavailable option", "Some teams want 2 during node rotation.",
                [yaml_file(f"{base}/templates/pdb.yaml", yaml_patch(7, "spec:", [
                    "-  maxUnavailable: 1",
                    "+  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable | default 1 }}"])),
                 yaml_file(f"{base}/Chart.yaml", yaml_patch(3, "", [f"-version: 5.{minor}.0",
                                                                   f"+version: 5.{minor + 1}.0"]))])
    if k < 0.45:
        return (f"{chart}: startupProbe for slow JVM starts", "Cold starts of the Kotlin services take ~40s.",
                [yaml_file(f"{base}/templates/deployment.yaml", yaml_patch(rng.randrange(40, 70), "containers:", [
                    "+          startupProbe:", "+            httpGet: {path: /healthz, port: http}",
                    "+            failureThreshold: 30", "+            periodSeconds: 2"]))])
    if k < 0.60:
        return (f"{chart}: common labels (team, tier)", "For the cost dashboards.",
                [yaml_file(f"{base}/templates/_helpers.tpl", yaml_patch(rng.randrange(20, 40), "define", [
                    "+turnstyle.com/team: {{ .Values.team | required \"team is required\" }}",
                    "+turnstyle.com/tier: {{ .Values.tier | default \"standard\" }}"]))])
    if k < 0.75:
        return (f"{chart}: regenerate README with helm-docs", "No functional change.",
                [yaml_file(f"{base}/README.md", yaml_patch(rng.randrange(10, 60), "## Values", [
                    "-| resources | object | `{}` |  |", "+| resources | object | `{}` | Container resources |"]))])
    if k < 0.90:
        return (f"{chart}: topologySpreadConstraints across zones", "Platform asked (PLAT-611): spread over 3 AZs.",
                [yaml_file(f"{base}/templates/deployment.yaml", yaml_patch(rng.randrange(20, 40), "spec:", [
                    "+      topologySpreadConstraints:", "+        - maxSkew: 1",
                    "+          topologyKey: topology.kubernetes.io/zone",
                    "+          whenUnsatisfiable: ScheduleAnyway"]))])
    a, c = rng.choice((("3.14.0", "3.14.4"), ("3.15.2", "3.15.4"), ("3.13.3", "3.14.0")))
    return (f"CI: chart-testing with helm {c}", "Routine bump.",
            [yaml_file(".github/workflows/lint-test.yml", yaml_patch(18, "with:", [f"-          version: v{a}",
                                                                                    f"+          version: v{c}"]))])


_TOPICS = ("venues.changes", "holds.created", "tickets.transferred", "payments.authorised", "analytics.pageviews",
           "orders.refunded", "resale.listed")
_ACL_GROUPS = ("mobile.recs-feed", "growth.loyalty-points", "data.analytics-sink", "venues.venue-sync",
               "checkout.seat-holds-expirer")


def _infra_change(rng: random.Random) -> ConfigChange:
    """One generated PR of streaming-infra: topic settings, ACLs of other groups, broker and Connect config."""
    ticket = f"STRM-{rng.randrange(150, 240)}"
    k = rng.random()
    if k < 0.30:
        topic = rng.choice(_TOPICS)
        a, c = rng.choice(((72, 168), (168, 72), (24, 72), (72, 96)))
        return (f"{topic}: retention {a}h -> {c}h", rng.choice((f"Consumers asked ({ticket}).",
                                                                 "Broker storage review.")),
                [yaml_file(f"topics/{topic}.yaml", yaml_patch(4, "config:", [
                    f"-  retention.ms: {a * 3_600_000}", f"+  retention.ms: {c * 3_600_000}"]))])
    if k < 0.45:
        topic = rng.choice(_TOPICS)
        a = rng.choice((6, 12, 24))
        return (f"{topic}: partitions {a} -> {a * 2}", f"Consumer can't keep up at on-sales ({ticket}).",
                [yaml_file(f"topics/{topic}.yaml", yaml_patch(3, "", [f"-partitions: {a}", f"+partitions: {a * 2}"]))])
    if k < 0.65:
        group = rng.choice(_ACL_GROUPS)
        prefix = group.split(".")[0]
        return (f"ACL: {prefix}.* consumer groups for {group.split('.')[1]} ({ticket})",
                "Prefixed group ACL ahead of the enforcement date (STRM-214).",
                [yaml_file(f"acls/{prefix}.yaml", yaml_patch(rng.randrange(3, 30), "groups:", [
                    f"+  - principal: User:{group.split('.')[1]}", f"+    group_prefix: \"{prefix}.\"",
                    "+    operations: [Read, Describe]"]))])
    if k < 0.80:
        a, c = rng.choice(((4, 6), (6, 8), (8, 6)))
        return (f"Connect: s3-sink tasks.max {a} -> {c}", "Sink lags behind after the 10:00 on-sales.",
                [yaml_file("connect/s3-sink-analytics.json", yaml_patch(9, "config", [
                    f'-    "tasks.max": "{a}",', f'+    "tasks.max": "{c}",']))])
    if k < 0.92:
        a, c = rng.choice(((2000, 2400), (1200, 2000), (2400, 3000)))
        return (f"events-prod: broker EBS {a} -> {c} GiB", "Disk at 71% on two brokers after the retention change.",
                [yaml_file("msk/events-prod.tf", yaml_patch(31, "broker_node_group_info {", [
                    "     storage_info {", "       ebs_storage_info {", f"-        volume_size = {a}",
                    f"+        volume_size = {c}"]))])
    return ("Schema Registry: BACKWARD compatibility for venues.*", f"Venues team asked ({ticket}).",
            [yaml_file("schemas/compatibility.yaml", yaml_patch(5, "subjects:", [
                '-  "venues.*": NONE', '+  "venues.*": BACKWARD']))])


# Bot lines ------------------------------------------------------------------------------------------------------

def _burrow_line(rng: random.Random, t: float) -> str:
    """Burrow's routine lines in #streaming-ops: other groups lagging, recovering, orphans long stopped."""
    k = rng.random()
    if k < 0.40:
        group, topic, _ = rng.choice(_GROUPS)
        return (f":warning: *Consumer lag* `{group}` on `{topic}` (events-prod): status WARN, {rng.randrange(1, 7)} "
                f"members, lag {rng.randrange(600, 9000):,} (+{rng.randrange(200, 4000):,} in 15m)")
    if k < 0.70:
        group, topic, _ = rng.choice(_GROUPS)
        return f":white_check_mark: *Consumer lag* `{group}` on `{topic}` (events-prod): back to OK, lag {rng.randrange(0, 90)}"
    group, topic = rng.choice(_ORPHANS)
    return (f":octagonal_sign: *Consumer lag* `{group}` on `{topic}` (events-prod): status STOP, 0 members, "
            f"lag {rng.randrange(20_000, 900_000):,}")


def _keda_line(rng: random.Random, t: float) -> str:
    """KEDA scale events of the other consumers in #cluster-events (kubewatch)."""
    ns, app = rng.choice(_KEDA_APPS)
    if rng.random() < 0.5:
        return f":arrow_down_small: KEDA `{ns}/{app}`: ScaledObject deactivated, scaled Deployment/{app} 1 → 0"
    return f":arrow_up_small: KEDA `{ns}/{app}`: ScaledObject activated, scaled Deployment/{app} 0 → 1"


def _grafana_line(rng: random.Random, t: float) -> str:
    """Grafana's Slack-only alerts in #fulfilment-alerts."""
    k = rng.random()
    if k < 0.35:
        return (f":large_yellow_circle: Grafana *[FIRING]* wallet pass signing p99 {rng.uniform(2.1, 4.8):.1f}s "
                "above 2s for 10m (slack only)")
    if k < 0.65:
        return ":large_green_circle: Grafana *[RESOLVED]* wallet pass signing p99 back under 2s"
    if k < 0.85:
        return (f":large_yellow_circle: Grafana *[FIRING]* issuance retry queue {rng.randrange(510, 1400)} above 500 "
                "(Apple push throttling)")
    return f":large_yellow_circle: Grafana *[FIRING]* box-office-api p95 {rng.randrange(810, 1900)}ms above 800ms"


def _zendesk_line(rng: random.Random, t: float) -> str:
    subject = rng.choice(("Refund for a cancelled show", "Ticket transfer to a friend not arriving",
                          "Wrong seat printed on PDF ticket", "Can't log in to the app", "Accessible seating request",
                          "Resale listing stuck in 'pending'", "Charged twice for one order", "Change of name on ticket",
                          "Presale code not working", "Wallet pass shows the old venue"))
    return (f":ticket: Zendesk *#{rng.randrange(310_000, 318_000)}* ({rng.choice(('web', 'app', 'phone', 'chat'))}, "
            f"P{rng.choice((3, 3, 3, 2, 4))}): {subject}")


def _sprout_line(rng: random.Random, t: float) -> str:
    text = rng.choice(("when do the presale codes for {show} go out?", "queue for {show} says 40 min, is that right?",
                       "any accessible tickets left for {show}?", "resale prices for {show} are a joke",
                       "loved {show} last night, smooth entry at {venue}", "can I change the name on my {show} tickets?",
                       "app keeps logging me out :(", "is there a bag policy at {venue}?"))
    return (f":speech_balloon: Sprout · new mention ({rng.choice(('X', 'Instagram', 'Facebook'))}): "
            f"\"@turnstyle {text.format(show=rng.choice(_SHOWS), venue=rng.choice(_VENUES))}\"")


def _issuance_report(day: str, orders: int, tickets: int, p95: int, extra: str = "") -> str:
    return (f":ticket: *Issuance* {day}: {tickets:,} tickets for {orders:,} orders · p95 paid→ticket {p95}s · "
            f"order e-mails handed to mailer {orders:,}{extra}")


_VENUE_LINES = (
    "door times for {show} moved to 18:30, can you update the event page?",
    "comps list for Saturday is in the shared drive :+1:",
    "box office console was slow to load this afternoon, fine now",
    "could we hold row A for the accessible platform for {show}?",
    "promoter is asking for last week's settlement report, who sends that now?",
    "scanner app asked for an update on two of the door phones, done",
    "we've had a few people asking for paper tickets for {show}, is that still possible?",
    "thanks for the quick reprint yesterday!",
)
_VENUE_REPLIES = ("thanks Morag, on it", "yes, will update this afternoon", "sent, let me know if anything's missing",
                  "checking with the promoter", "no problem :+1:")
_PARTNER_LINES = (
    "{noun} wants the seating plan change live before the {show} presale",
    "settlement reports for {noun} are late again, who owns that job?",
    "{noun}: scanner phones on an old app version, reminder going out",
    "anyone free to join the {noun} call thursday? they want to talk about door entry",
    "{show} added a second date at {noun}, on-sale friday 10:00",
    "{noun} asking for box office console training for new staff",
)
_CARE_LINES = (
    "customer asking when presale codes for {show} arrive, macro still says 48h?",
    "Instagram DM about accessible tickets for {show}, passing to the access team",
    "few people angry about resale prices for {show}, standard reply sent",
    "transfer not showing: sorted, they were logged in with an old e-mail",
    "someone says their wallet pass shows the wrong door for {noun}",
    "quiet morning, 12 mentions, nothing urgent",
)


# Story PRs ------------------------------------------------------------------------------------------------------

_CONTRIBUTOR = Change(
    author="lorcan", reviewer="rhys", labels=("breaking", "cost", "kafka-consumer"),
    title="kafka-consumer 3.0.0: new groups start at latest, KEDA scale-to-zero for idle consumers (STRM-198)",
    body="Two problems with the consumer chart, both worst in staging and the preview namespaces:\n\n"
         "- **Replays.** A fresh group starts at `earliest`, so every preview namespace re-reads 3 days of its topics on "
         "its first deploy. Last week a preview of transfer-notifier sent 31k real-looking push notifications to the "
         "test devices (STRM-198), and recs-feed previews take 40 minutes to become usable.\n"
         "- **Idle pods.** Staging and ~40 preview namespaces run 212 consumer pods that do nothing 20 hours a day "
         "(about £3.1k a month).\n\n"
         "3.0.0 changes the defaults:\n\n"
         "- `kafka.autoOffsetReset: latest`: a new group starts at the end of its topics. Set `earliest` if your "
         "consumer must see what was produced before its first deploy.\n"
         "- KEDA autoscaling on consumer lag is on by default with `minReplicas: 0`, so an idle consumer scales to "
         "zero and wakes up when lag appears (`activationLagThreshold: 1`).\n"
         "- `scaleToZeroOnInvalidOffset: true`: a group that has never committed doesn't hold a pod (otherwise every "
         "abandoned preview group keeps one forever).\n\n"
         "Releases pick this up when they bump the chart; upgrade notes in the README.",
    files=(("charts/kafka-consumer/values.yaml", """@@ -14,20 +14,29 @@ image:
   pullPolicy: IfNotPresent

 kafka:
   cluster: ""
   topics: []
   # groupId defaults to the release name
   groupId: ""
-  autoOffsetReset: earliest
+  # 3.0: a new group starts at the end of its topics. Set `earliest` if your consumer must see what was produced
+  # before its first deploy (it then re-reads the whole retention window).
+  autoOffsetReset: latest
   maxPollRecords: 500
   sessionTimeoutMs: 45000

 autoscaling:
-  enabled: false
-  minReplicas: 2
+  # 3.0: KEDA on consumer lag by default; idle consumers scale to zero and wake up on lag.
+  enabled: true
+  minReplicas: 0
   maxReplicas: 6
   lagThreshold: 500
+  activationLagThreshold: 1
+  cooldownPeriod: 300
+  # A group that has never committed doesn't hold a pod (abandoned preview groups, STRM-198).
+  scaleToZeroOnInvalidOffset: true

 alerts:
   # KafkaConsumerLagHigh for this release's group
   lagThreshold: 5000"""),
           ("charts/kafka-consumer/templates/scaledobject.yaml", """@@ -0,0 +1,23 @@
+{{- if .Values.autoscaling.enabled }}
+apiVersion: keda.sh/v1alpha1
+kind: ScaledObject
+metadata:
+  name: {{ include "kafka-consumer.fullname" . }}
+  labels: {{- include "kafka-consumer.labels" . | nindent 4 }}
+spec:
+  scaleTargetRef:
+    name: {{ include "kafka-consumer.fullname" . }}
+  minReplicaCount: {{ .Values.autoscaling.minReplicas }}
+  maxReplicaCount: {{ .Values.autoscaling.maxReplicas }}
+  cooldownPeriod: {{ .Values.autoscaling.cooldownPeriod }}
+  triggers:
+    - type: kafka
+      metadata:
+        bootstrapServers: {{ include "kafka-consumer.bootstrap" . }}
+        consumerGroup: {{ include "kafka-consumer.groupId" . }}
+        topic: {{ first .Values.kafka.topics }}
+        lagThreshold: {{ .Values.autoscaling.lagThreshold | quote }}
+        activationLagThreshold: {{ .Values.autoscaling.activationLagThreshold | quote }}
+        offsetResetPolicy: {{ .Values.kafka.autoOffsetReset }}
+        scaleToZeroOnInvalidOffset: {{ .Values.autoscaling.scaleToZeroOnInvalidOffset | quote }}
+{{- end }}"""),
           ("charts/kafka-consumer/templates/deployment.yaml", """@@ -8,7 +8,9 @@ metadata:
   labels: {{- include "kafka-consumer.labels" . | nindent 4 }}
 spec:
+  {{- if not .Values.autoscaling.enabled }}
   replicas: {{ .Values.autoscaling.minReplicas }}
+  {{- end }}
   selector:
     matchLabels: {{- include "kafka-consumer.selectorLabels" . | nindent 6 }}"""),
           ("charts/kafka-consumer/Chart.yaml", """@@ -1,5 +1,5 @@
 apiVersion: v2
 name: kafka-consumer
 description: A Kafka consumer Deployment with its config, lag alert and (optionally) KEDA autoscaling
-version: 2.7.1
+version: 3.0.0
 appVersion: "1.0\""""),
           ("CHANGELOG.md", """@@ -1,5 +1,13 @@
 # Changelog

+## kafka-consumer 3.0.0
+- **Breaking:** `kafka.autoOffsetReset` defaults to `latest` (was `earliest`). New groups no longer replay the
+  retention window on their first deploy (STRM-198).
+- KEDA autoscaling on consumer lag is on by default with `minReplicas: 0`: idle consumers scale to zero.
+- `autoscaling.scaleToZeroOnInvalidOffset: true`: a group that has never committed doesn't keep a pod running.
+- To keep the 2.x behaviour: `autoOffsetReset: earliest`, `autoscaling.minReplicas: 2`.
+
 ## kafka-consumer 2.7.1
 - Fix the lag alert's `for:` when `alerts.for` is unset.""")),
)

_BUMP = Change(
    author="renovate[bot]", reviewer="tobias", labels=("dependencies", "renovate"),
    title="chore(deps): update helm chart kafka-consumer to v3 (ticket-issuer)",
    body="This PR contains the following updates:\n\n"
         "| Package | Update | Change |\n|---|---|---|\n| kafka-consumer | major | `2.7.1` -> `3.0.2` |\n\n"
         "---\n\n### Release Notes\n\n<details><summary>kafka-consumer 3.0.0</summary>\n\n"
         "- **Breaking:** `kafka.autoOffsetReset` defaults to `latest` (was `earliest`). New groups no longer replay "
         "the retention window on their first deploy (STRM-198).\n"
         "- KEDA autoscaling on consumer lag is on by default with `minReplicas: 0`: idle consumers scale to zero.\n"
         "- `autoscaling.scaleToZeroOnInvalidOffset: true`: a group that has never committed doesn't keep a pod "
         "running.\n\n</details>\n\n<details><summary>kafka-consumer 3.0.2</summary>\n\n"
         "- ScaledObject: quote `lagThreshold`.\n\n</details>\n\n---\n\n"
         ":vertical_traffic_light: **Automerge**: Disabled by config. Please merge this manually once you are "
         "satisfied.",
    files=(("apps/ticket-issuer/Chart.yaml", """@@ -4,5 +4,5 @@ version: 0.1.0
 dependencies:
   - name: kafka-consumer
-    version: 2.7.1
+    version: 3.0.2
     repository: oci://ghcr.io/turnstyle/charts"""),),
)

_WEAKENING = Change(
    author="maren", reviewer="kwame", labels=("alerting", "on-call", "fulfilment"),
    title="ticket-issuer: delete TicketsIssuedHeartbeat, it only ever tells us nobody is buying (FUL-1102)",
    body="TicketsIssuedHeartbeat (no tickets issued in 20 minutes) paged Fulfilment 8 times between Jan 12 and Feb 2: "
         "every one between 03:40 and 07:15, four of them on a Saturday or Sunday morning, and every one because no "
         "orders were paid in those 20 minutes. Zero were real. The business-hours version we tried in December "
         "(FUL-1020) still paged on quiet Sunday mornings.\n\n"
         "What it was meant to catch is still covered:\n\n"
         "- a stuck or dead consumer: `KafkaConsumerLagHigh` from the kafka-consumer chart pages at 5,000 messages of "
         "lag for 10 minutes\n"
         "- issuance failing: `TicketIssuerErrorRate` (2% for 10m)\n\n"
         "So this deletes the heartbeat and its test.",
    files=(("rules/fulfilment/ticket-issuer.yaml", """@@ -1,36 +1,22 @@
 groups:
   - name: ticket-issuer
     rules:
-      # Dead man's switch: tickets are issued around the clock. If none are, the consumer is stuck or gone.
-      - alert: TicketsIssuedHeartbeat
-        expr: sum(increase(tickets_issued_total{env="production"}[20m])) == 0
-        for: 5m
-        labels:
-          severity: page
-          team: fulfilment
-          service: ticket-issuer
-        annotations:
-          summary: "No tickets issued in 20m"
-          description: "ticket-issuer issued no ticket in 20 minutes. Is it consuming orders.paid?"
-          runbook: https://wiki.turnstyle.example/runbooks/ticket-issuer#heartbeat
       - alert: TicketIssuerErrorRate
         expr: |
           sum(rate(ticket_issue_failures_total{env="production"}[5m]))
             / sum(rate(ticket_issue_attempts_total{env="production"}[5m])) > 0.02
         for: 10m
         labels:
           severity: page
           team: fulfilment
           service: ticket-issuer
       - alert: WalletPassSigningErrors
         expr: sum(rate(pass_signing_errors_total{env="production"}[10m])) > 0.5
         for: 10m
         labels:
           severity: ticket
           team: fulfilment
           service: ticket-issuer"""),
           ("tests/fulfilment/ticket-issuer_test.yaml", """@@ -1,18 +1,6 @@
 rule_files: [../../rules/fulfilment/ticket-issuer.yaml]
 evaluation_interval: 1m
 tests:
-  - name: heartbeat fires when nothing is issued for 25 minutes
-    interval: 1m
-    input_series:
-      - series: 'tickets_issued_total{env="production"}'
-        values: '100+0x30'
-    alert_rule_test:
-      - eval_time: 26m
-        alertname: TicketsIssuedHeartbeat
-        exp_alerts:
-          - exp_labels: {severity: page, team: fulfilment, service: ticket-issuer}
-  - name: heartbeat quiet while tickets are issued
-    input_series: [{series: 'tickets_issued_total{env="production"}', values: '0+10x30'}]
   - name: error rate pages above 2%
     interval: 1m""")),
)

_TRIGGER = Change(
    author="cathal", reviewer="nadia", labels=("kafka", "acl", "fulfilment"),
    title="ticket-issuer: consumer group ticket-issuer -> fulfilment.ticket-issuer (STRM-214)",
    body="Streaming enforces prefixed ACLs on events-prod from Monday March 10 (STRM-214): a consumer group must start "
         "with its team's prefix, and `ticket-issuer` doesn't. The ACL for `fulfilment.*` groups is in "
         "streaming-infra and already applied.\n\n"
         "This renames the group in production. A renamed group is a new group with no committed offsets. "
         "ticket-issuer is idempotent on `order_id`, so reading part of `orders.paid` again is harmless: already "
         "issued orders are skipped.\n\n"
         "- events-staging has no ACL enforcement and keeps `ticket-issuer-stg`\n"
         "- the chart renders the lag alert and the ScaledObject for the new group name, nothing else to change\n"
         "- merge before the 10th; rollback is reverting this PR (the old group's offsets stay for 7 days)",
    files=((VALUES, """@@ -1,29 +1,30 @@
 # ticket-issuer: consumes orders.paid, issues mobile tickets and wallet passes, hands e-mails to mailer.
 image:
   repository: ghcr.io/turnstyle/ticket-issuer
   tag: 4.21.3

 kafka:
   cluster: events-prod
   topics:
     - orders.paid
-  groupId: ticket-issuer
+  # events-prod enforces prefixed ACLs from 2025-03-10 (STRM-214): groups start with the team prefix.
+  groupId: fulfilment.ticket-issuer
   maxPollRecords: 200
   sessionTimeoutMs: 30000

 autoscaling:
   maxReplicas: 12
   lagThreshold: 400

 resources:
   requests: {cpu: 500m, memory: 768Mi}
   limits: {memory: 1536Mi}

 env:
   WALLET_PASS_SIGNER_URL: http://pass-signer.fulfilment.svc:8080
   MAILER_TOPIC: mail.requests
   ISSUANCE_IDEMPOTENCY_KEY: order_id

 team: fulfilment
 tier: critical"""),),
)

_ACL = Change(
    author="cathal", reviewer="agnieszka", labels=("acl",),
    title="ACL: fulfilment.* consumer groups for ticket-issuer and transfer-notifier (STRM-214)",
    body="Prefixed group ACL for Fulfilment ahead of the enforcement date. The groups get renamed in helm-releases "
         "afterwards.",
    files=(("acls/fulfilment.yaml", """@@ -1,8 +1,12 @@
 principals:
   - User:ticket-issuer
   - User:transfer-notifier
 topics:
   - {name: orders.paid, operations: [Read, Describe]}
   - {name: tickets.transferred, operations: [Read, Write, Describe]}
   - {name: mail.requests, operations: [Write, Describe]}
+groups:
+  - principal: User:ticket-issuer
+    group_prefix: "fulfilment."
+    operations: [Read, Describe]"""),),
)

_RECS = Change(
    author="", reviewer="", labels=("kafka", "acl"),
    title="recs-feed: consumer group recs-feed -> mobile.recs-feed (STRM-214)",
    body="Prefixed ACLs on events-prod from March 10. recs-feed is fine to re-read a little of orders.paid, the "
         "feed dedupes on order id.",
    files=(("apps/recs-feed/values-production.yaml", """@@ -6,12 +6,12 @@ image:
 kafka:
   cluster: events-prod
   topics:
     - orders.paid
-  groupId: recs-feed
+  groupId: mobile.recs-feed
   # pinned in 2023 after the cold-start bug, see MOB-211
   autoOffsetReset: earliest
   maxPollRecords: 500

 autoscaling:
   minReplicas: 1
   maxReplicas: 6"""),),
)

_KAFKA_UPGRADE = Change(
    author="rhys", reviewer="lorcan", labels=("msk", "upgrade"),
    title="events-prod: MSK 3.6.0 -> 3.7.x (rolling, Wed 22:00) (STRM-221)",
    body="AWS ends standard support for 3.6.0 in the summer. events-staging has run 3.7.x for three weeks with no "
         "client issues (librdkafka 2.3 and the Java 3.6 clients both fine). MSK upgrades one broker at a time; "
         "expect leader elections and a few seconds of produce latency per broker. Window: Wednesday March 5, "
         "22:00-00:00 UTC.",
    files=(("msk/events-prod.tf", """@@ -8,7 +8,7 @@ resource "aws_msk_cluster" "events_prod" {
   cluster_name           = "events-prod"
-  kafka_version          = "3.6.0"
+  kafka_version          = "3.7.x"
   number_of_broker_nodes = 6

   broker_node_group_info {"""),),
)

_TEMPLATE = Change(
    author="beatriz", reviewer="ewan", labels=("templates", "order-confirmation"),
    title="Order confirmation e-mail: Add to Apple/Google Wallet buttons, new header (MSG-412)",
    body="The confirmation e-mail gets the two wallet buttons (deep links to the pass that ticket-issuer already "
         "creates) and the new brand header. Same template id and SES category (`order_confirmation`), so nothing "
         "changes for reporting. Rendered against 40 real orders on staging, Litmus screenshots in MSG-412.",
    files=(("templates/order-confirmation/index.mjml", """@@ -12,9 +12,19 @@
     <mj-section>
-      <mj-column><mj-image src="{{assets}}/header-2023.png" alt="Turnstyle" /></mj-column>
+      <mj-column><mj-image src="{{assets}}/header-2025.png" alt="Turnstyle" width="180px" /></mj-column>
     </mj-section>
     <mj-section>
       <mj-column>
         <mj-text>Hi {{firstName}}, you're going to {{event.name}}!</mj-text>
+        <mj-raw>
+          {{#if wallet.apple}}<a href="{{wallet.apple}}"><img src="{{assets}}/add-to-apple-wallet.png" alt="Add to Apple Wallet" /></a>{{/if}}
+          {{#if wallet.google}}<a href="{{wallet.google}}"><img src="{{assets}}/add-to-google-wallet.png" alt="Add to Google Wallet" /></a>{{/if}}
+        </mj-raw>
         <mj-text>Order {{order.reference}} · {{tickets.length}} ticket(s)</mj-text>"""),
           ("src/render/orderConfirmation.ts", """@@ -31,6 +31,10 @@ export function orderConfirmationModel(req: MailRequest): Model {
     order: { reference: req.order.reference, total: money(req.order.total) },
     tickets: req.tickets.map(toTicketRow),
+    wallet: {
+      apple: req.passes?.appleUrl,
+      google: req.passes?.googleUrl,
+    },
   };
 }""")),
)

_FIX = Change(
    author="nadia", reviewer="ingrid", labels=("incident", "kafka", "fulfilment"),
    title="ticket-issuer: pin autoOffsetReset earliest, minReplicas 3, never scale to zero",
    body="Fixes {{incurl:page}}.\n\n"
         "{{url:trigger}} renamed the group to `fulfilment.ticket-issuer` at 18:01 yesterday. A new group has no "
         "committed offsets, and since {{url:contributor}} (kafka-consumer 3.0, which we picked up in February) the "
         "chart defaults are `autoOffsetReset: latest`, `minReplicas: 0` and `scaleToZeroOnInvalidOffset: true`. So "
         "KEDA saw a group with no offsets, reported zero lag and scaled ticket-issuer to zero at 18:02; with no pods "
         "nothing ever committed and it never woke up. The lag alert is rendered for the new group, which had no lag "
         "series. No tickets and no confirmation e-mails for 11,846 orders from 18:03 to 07:54.\n\n"
         "When we scaled it up at 07:54 the group started at `latest`, behind those orders; Streaming reset "
         "`fulfilment.ticket-issuer` to 2025-03-06T18:00Z and the orders were replayed by 08:41 (issuance is "
         "idempotent on `order_id`).\n\n"
         "This pins what ticket-issuer must never inherit from the chart: start at `earliest`, at least 3 pods, and a "
         "group without offsets keeps its pods.",
    files=((VALUES, """@@ -6,18 +6,24 @@ image:
 kafka:
   cluster: events-prod
   topics:
     - orders.paid
   # events-prod enforces prefixed ACLs from 2025-03-10 (STRM-214): groups start with the team prefix.
   groupId: fulfilment.ticket-issuer
+  # Every paid order needs a ticket: a group without offsets must read from the start of the retention window
+  # (issuance is idempotent on order_id). Never inherit the chart's `latest` (incident 2025-03-07).
+  autoOffsetReset: earliest
   maxPollRecords: 200
   sessionTimeoutMs: 30000

 autoscaling:
+  # ticket-issuer never scales to zero, and a group that has not committed yet keeps its pods.
+  minReplicas: 3
   maxReplicas: 12
   lagThreshold: 400
+  scaleToZeroOnInvalidOffset: false

 resources:
   requests: {cpu: 500m, memory: 768Mi}
   limits: {memory: 1536Mi}"""),),
)

_FOLLOW_RULES = Change(
    author="maren", reviewer="solveig", labels=("alerting", "incident"),
    title="ticket-issuer: PaidOrdersWithoutTickets instead of the old heartbeat",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} nothing paged when ticket-issuer stopped: the lag "
         "alert follows the group name, and after the rename the new group had no offsets and so no lag series at "
         "all.\n\n"
         "The heartbeat paged on quiet nights because it only looked at tickets. This compares with paid orders "
         "(from orders-api, independent of any consumer): it fires when orders are paid and no ticket is issued for "
         "15 minutes, so a quiet night stays quiet. Plus an `absent()` rule for the consumer group's lag series.",
    files=(("rules/fulfilment/ticket-issuer.yaml", """@@ -1,5 +1,26 @@
 groups:
   - name: ticket-issuer
     rules:
+      # Paid orders but no tickets: a quiet night doesn't fire (nothing paid), a consumer that stopped does.
+      - alert: PaidOrdersWithoutTickets
+        expr: |
+          sum(increase(orders_paid_total{env="production"}[15m])) > 0
+            and sum(increase(tickets_issued_total{env="production"}[15m])) == 0
+        for: 5m
+        labels:
+          severity: page
+          team: fulfilment
+          service: ticket-issuer
+        annotations:
+          runbook: https://wiki.turnstyle.example/runbooks/ticket-issuer#paid-orders-without-tickets
+      - alert: TicketIssuerLagSeriesMissing
+        expr: absent(kafka_consumergroup_lag{consumergroup=~".*ticket-issuer", topic="orders.paid"})
+        for: 10m
+        labels:
+          severity: page
+          team: fulfilment
+          service: ticket-issuer
       - alert: TicketIssuerErrorRate
         expr: |"""),),
)

_FOLLOW_CHART = Change(
    author="lorcan", reviewer="agnieszka", labels=("kafka-consumer", "incident"),
    title="kafka-consumer 3.1.0: scaleToZeroOnInvalidOffset false by default, production releases must set "
          "autoOffsetReset",
    body="Follow-up of {{incurl:page}}: with the 3.0 defaults a renamed group in production scaled its consumer to "
         "zero and never woke it up, and then started at `latest`. `scaleToZeroOnInvalidOffset` goes back to false "
         "(KEDA keeps one pod for a group without offsets) and the chart refuses to render without an explicit "
         "`kafka.autoOffsetReset` when `environment: production`.",
    files=(("charts/kafka-consumer/values.yaml", """@@ -30,6 +30,7 @@ autoscaling:
   activationLagThreshold: 1
   cooldownPeriod: 300
-  # A group that has never committed doesn't hold a pod (abandoned preview groups, STRM-198).
-  scaleToZeroOnInvalidOffset: true
+  # A group that has never committed keeps one pod, so it can commit (incident 2025-03-07). Preview namespaces
+  # set true in their base values.
+  scaleToZeroOnInvalidOffset: false"""),
           ("charts/kafka-consumer/templates/_helpers.tpl", """@@ -40,3 +40,8 @@
+{{- define "kafka-consumer.offsetReset" -}}
+{{- if and (eq .Values.environment "production") (not (hasKey .Values.kafka "autoOffsetReset")) -}}
+{{- fail "kafka.autoOffsetReset must be set explicitly in production" -}}
+{{- end -}}
+{{- end -}}""")),
)


def build_offset_skip(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the offset-skip world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="offset-skip", seed=4409, org="turnstyle", team_name="Fulfilment",
                    page_at="2025-03-07T07:41:00Z", impact_start="2025-03-06T18:03:00Z",
                    noise_teams=("checkout", "identity", "mobile", "web", "data", "platform"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("burrow", "Burrow Lag Bot"), ("kubewatch", "kubewatch"), ("argocd", "Argo CD"),
                      ("grafana", "Grafana"), ("rulesync", "Rules Sync"), ("issuancebot", "Issuance Report"),
                      ("zendesk", "Zendesk"), ("sprout", "Sprout Social"), ("terraform", "Terraform Cloud"),
                      ("chartbot", "Chart Releaser")):
        b.person(key, name, github=False, is_bot=True)
    for key, name, mail in VENUE:
        b.person(key, name, github=False, email=mail, tz="Europe/London")
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/London" if key not in ("agnieszka", "solveig") else "Europe/Oslo"
    checkout, identity, mobile = sc.team("checkout"), sc.team("identity"), sc.team("mobile")
    web, data, platform = sc.team("web"), sc.team("data"), sc.team("platform")

    # Fulfilment, Messaging, Streaming, Observability: PagerDuty, channels, repos ---------------------------------
    f_team = b.team("Fulfilment")
    f_policy = b.policy("Fulfilment on-call", f_team, ONCALL)
    svc = b.service("ticket-issuer", "Mobile tickets, wallet passes and order e-mails for every paid order "
                    "(consumer of orders.paid)", f_policy, f_team, iso(start - 700 * DAY))
    m_team = b.team("Messaging")
    msg_people = MESSAGING_PEOPLE + sc.crowd[20:22]
    m_policy = b.policy("Messaging on-call", m_team, msg_people[:3])
    m_svc = b.service("mailer", "Transactional e-mail (SES): order confirmations, transfers, reminders", m_policy,
                      m_team, iso(start - 640 * DAY))
    s_team = b.team("Streaming")
    strm_people = STREAMING_PEOPLE + sc.crowd[22:24]
    s_policy = b.policy("Streaming on-call", s_team, strm_people[:3])
    s_svc = b.service("events-prod", "MSK cluster events-prod, topics, ACLs, Kafka Connect", s_policy, s_team,
                      iso(start - 900 * DAY))
    o_team = b.team("Observability")
    obs_people = OBS_PEOPLE + sc.crowd[24:26]
    o_policy = b.policy("Observability on-call", o_team, obs_people[:3])
    o_svc = b.service("alerting", "Prometheus, Alertmanager and the rules from alert-rules", o_policy, o_team,
                      iso(start - 600 * DAY))

    ful_ch = b.channel("fulfilment", "Fulfilment: tickets, wallet passes, delivery", "Fulfilment team",
                       start - 660 * DAY, "ingrid")
    fal_ch = b.channel("fulfilment-alerts", "Pages and Grafana alerts of ticket-issuer", "Fulfilment alerts",
                       start - 420 * DAY, "oluwaseun")
    st_ch = b.channel("streaming", "Streaming: Kafka, topics, the consumer chart", "Streaming team",
                      start - 700 * DAY, "lorcan")
    so_ch = b.channel("streaming-ops", "Burrow lag reports and broker health of events-prod", "Streaming operations",
                      start - 500 * DAY, "agnieszka")
    ce_ch = b.channel("cluster-events", "kubewatch and Argo CD for prod-eu-west", "Cluster events",
                      start - 450 * DAY, sc.team("platform").members[0])
    msg_ch = b.channel("messaging", "Messaging: mailer, templates, SES", "Messaging team", start - 600 * DAY,
                       "beatriz")
    obs_ch = b.channel("observability", "Alert rules, dashboards, on-call health", "Observability",
                       start - 560 * DAY, "solveig")
    vp_ch = b.channel("venue-partners", "Venue partnerships: box offices, settlements, door entry",
                      "Venue partnerships", start - 720 * DAY, "fenella")
    ext_ch = b.channel("ext-saltmarket-hall", "Shared channel with Saltmarket Hall, Glasgow (Slack Connect)",
                       "Saltmarket Hall x Turnstyle", start - 380 * DAY, "fenella")
    sca_ch = b.channel("social-care", "Social care: mentions and DMs", "Social care", start - 650 * DAY, "dervla")
    se_ch = b.channel("support-escalations", "Customer support -> engineering", "Support", start - 700 * DAY,
                      "harriet")
    ti_repo = b.repo("ticket-issuer", "Issues mobile tickets and wallet passes for paid orders (Kotlin)",
                     iso(start - 880 * DAY))
    mail_repo = b.repo("mailer", "Transactional e-mail service and templates (TypeScript)", iso(start - 820 * DAY))
    helm_repo = b.repo("helm-releases", "Helm releases of prod-eu-west; Argo CD syncs main", iso(start - 610 * DAY))
    chart_repo = b.repo("charts", "Shared Helm charts: web-service, worker, cronjob, kafka-consumer",
                        iso(start - 760 * DAY))
    rules_repo = b.repo("alert-rules", "Prometheus alert rules and Alertmanager routes", iso(start - 540 * DAY))
    infra_repo = b.repo("streaming-infra", "events-prod (MSK), topics, ACLs, Connect, as code",
                        iso(start - 720 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------------
    ful = NoiseTeam(FULFIL, FULFIL_PEOPLE, ti_repo, ful_ch, svc, f_policy)
    msg = NoiseTeam(MESSAGING, msg_people, mail_repo, msg_ch, m_svc, m_policy)
    add_pulls(b, ful, 80 * n, start - 60 * DAY, end)
    add_pulls(b, msg, 45 * n, start - 60 * DAY, end)
    by_login = {p.login: key for key, p in b.people.items()}
    app_service = {"ticket-issuer": svc, "mailer": m_svc, "orders-api": checkout.service,
                   "seat-holds": checkout.service, "waiting-room": checkout.service, "recs-feed": mobile.service,
                   "web-storefront": web.service}

    def synced(pull: dict[str, Any], at: float, handle: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Argo CD syncs a merged helm-releases PR: a change event on the app's service and its line."""
        sha7 = pull["merge_commit_sha"][:7]
        apps = sorted({f["filename"].split("/")[1] for f in pull["files"] if f["filename"].startswith("apps/")})
        target = app_service.get(apps[0], platform.service) if apps else platform.service
        link = "{{url:" + handle + "}}" if handle else f"https://github.com/{helm_repo}/commit/{sha7}"
        ev = b.change_event(target, f"Argo CD sync {', '.join(apps) or 'helm-releases'} to helm-releases@{sha7}: "
                            f"{pull['title']}", at, "argocd", links=[{"href": link, "text": pull["title"]}],
                            details={"cluster": "prod-eu-west", "apps": apps,
                                     "author": by_login.get(pull["user"], pull["user"])})
        if handle:
            b.templated.append((ev["links"][0], "href"))
        line = b.say(ce_ch, at + 3, "argocd", f":arrows_counterclockwise: Argo CD synced `{', '.join(apps) or 'root'}` "
                     f"to helm-releases@{sha7} ({pull['title']}): Synced, Healthy")
        return ev, line

    def on_release_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        synced(pull, epoch(pull["merged_at"]) + rng.uniform(60, 240), handle[3:])

    def rules_synced(pull: dict[str, Any]) -> dict[str, Any]:
        at, sha7 = epoch(pull["merged_at"]) + rng.uniform(90, 200), pull["merge_commit_sha"][:7]
        b.say(obs_ch, at + 4, "rulesync", f":gear: Rules Sync: Prometheus rules reloaded from alert-rules@{sha7} "
              f"({pull['title']})")
        return b.change_event(o_svc, f"Prometheus rules reloaded from alert-rules@{sha7}: {pull['title']}", at,
                              "rulesync", details={"files": [f["filename"] for f in pull["files"]]})

    def on_rules_merge(pull: dict[str, Any]) -> None:
        rules_synced(pull)

    def applied(pull: dict[str, Any], at: float | None = None) -> dict[str, Any]:
        at = at if at is not None else epoch(pull["merged_at"]) + rng.uniform(300, 900)
        sha7 = pull["merge_commit_sha"][:7]
        b.say(so_ch, at + 6, "terraform", f":white_check_mark: Terraform Cloud: `streaming-infra` applied "
              f"streaming-infra@{sha7} ({pull['title']})")
        return b.change_event(s_svc, f"terraform apply streaming-infra@{sha7}: {pull['title']}", at, "terraform",
                              details={"files": [f["filename"] for f in pull["files"]], "workspace": "events-prod"})

    def on_infra_merge(pull: dict[str, Any]) -> None:
        applied(pull)

    def released(pull: dict[str, Any]) -> dict[str, Any]:
        at = epoch(pull["merged_at"]) + rng.uniform(200, 600)
        return b.say(st_ch, at, "chartbot", f":package: charts: {pull['title'].split(':')[0]} published to "
                     "oci://ghcr.io/turnstyle/charts")

    def on_chart_merge(pull: dict[str, Any]) -> None:
        if rng.random() < 0.5:
            released(pull)

    release_people = FULFIL_PEOPLE[:3] + checkout.members[:2] + mobile.members[:2] + platform.members[:2] + ["ewan"]
    config_pulls(b, helm_repo, release_people, 70 * n, start - 60 * DAY, end, _release_change,
                 on_merge=on_release_merge)
    config_pulls(b, rules_repo, OBS_PEOPLE + FULFIL_PEOPLE[2:4] + checkout.members[:1] + ["ewan"], 40 * n,
                 start - 60 * DAY, end, _rule_change, on_merge=on_rules_merge)
    config_pulls(b, chart_repo, STREAMING_PEOPLE + platform.members[:3], 30 * n, start - 60 * DAY, end, _chart_change,
                 on_merge=on_chart_merge)
    config_pulls(b, infra_repo, strm_people, 35 * n, start - 60 * DAY, end, _infra_change, on_merge=on_infra_merge)
    # ticket-issuer's own releases go through helm-releases too, away from the days of the story.
    for _ in range(10 * n):
        t = rng.uniform(start - 60 * DAY, epoch("2025-03-01"))
        minor, patch = rng.randrange(12, 21), rng.randrange(0, 6)
        who = rng.choice(FULFIL_PEOPLE)
        rel = story_pull(b, helm_repo, Change(
            author=who, reviewer=rng.choice([p for p in FULFIL_PEOPLE if p != who]), labels=("release",),
            title=f"ticket-issuer: 4.{minor}.{patch} -> 4.{minor}.{patch + 1}",
            body=rng.choice(("Release notes in the ticket-issuer repo.", "Wallet pass fixes.", "Seat label renderer fix.")),
            files=((VALUES, yaml_patch(2, "image:", ["   repository: ghcr.io/turnstyle/ticket-issuer",
                                                     f"-  tag: 4.{minor}.{patch}", f"+  tag: 4.{minor}.{patch + 1}"])),)),
            t, t + rng.uniform(0.05, 0.6) * DAY, f"tirel{len(b.pulls)}", review="lgtm")
        synced(rel, epoch(rel["merged_at"]) + rng.uniform(60, 240), None)

    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (ti_repo, helm_repo)][-150:]
    add_chat(b, ful_ch, FULFIL_PEOPLE, FULFIL.nouns, 150 * n, start, end, links=links)
    mlinks = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == mail_repo][-100:]
    add_chat(b, msg_ch, msg_people, MESSAGING.nouns, 60 * n, start, end, links=mlinks)
    slinks = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (chart_repo, infra_repo)]
    add_chat(b, st_ch, strm_people, ("topic retention", "consumer chart", "ACL prefix", "MirrorMaker", "broker disk",
                                     "Schema Registry", "Connect worker"), 55 * n, start, end, links=slinks[-100:])
    add_chat(b, so_ch, strm_people, ("broker disk", "partition reassignment", "under-replicated partitions"), 15 * n,
             start, end, thread_rate=0.3)
    add_chat(b, obs_ch, obs_people + ["ingrid"], ("alert review", "Grafana folder", "on-call survey", "PagerDuty "
                                                  "schedules", "runbook template"), 45 * n, start, end)
    add_chat(b, vp_ch, ["fenella"] + sc.crowd[26:29], _VENUES, 50 * n, start, end, lines=tuple(
        x.replace("{show}", _SHOWS[i % len(_SHOWS)]) for i, x in enumerate(_PARTNER_LINES)), thread_rate=0.4)
    add_chat(b, sca_ch, ["dervla"] + sc.crowd[29:30] + ["siobhan"], _VENUES, 45 * n, start, end, lines=tuple(
        x.replace("{show}", _SHOWS[(i + 3) % len(_SHOWS)]) for i, x in enumerate(_CARE_LINES)), thread_rate=0.4)
    add_chat(b, se_ch, SUPPORT + ["oluwaseun", "ewan"], FULFIL.nouns, 50 * n, start, end, lines=(
        "who can look at a {noun} complaint? customer says it's been 2 days", "known issue with {noun}? 3 tickets today",
        "escalating: {noun} broken for one customer, details in the ticket", "macro for {noun} is out of date again",
        "{noun}: sorted, it was on the customer's side"), thread_rate=0.6)
    for ch, joiners in ((ful_ch, FULFIL_PEOPLE), (msg_ch, msg_people), (st_ch, strm_people), (obs_ch, obs_people),
                        (vp_ch, ["fenella"]), (sca_ch, ["dervla", "siobhan"]), (se_ch, SUPPORT), (so_ch, strm_people),
                        (ce_ch, platform.members[:3])):
        add_joins(b, ch, joiners, start, end, 3)
    quiet_from, quiet_to = epoch("2025-03-01"), epoch("2025-03-09")
    add_incidents(b, ful, 5 * n, start, quiet_from, fal_ch, incident_channels=False)
    add_incidents(b, ful, max(1, n), quiet_to, end, fal_ch, incident_channels=False)
    add_incidents(b, msg, 5 * n, start, quiet_from, sc.common["alerts"], incident_channels=False)
    add_deploys(b, msg, 25 * n, start, epoch("2025-03-05"), sc.common["deploys"])
    add_deploys(b, msg, max(1, 2 * n), quiet_to, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, so_ch, "burrow", 3 * days * n, start, end, _burrow_line)
    bot_feed(b, ce_ch, "kubewatch", days * n, start, end, _keda_line)
    bot_feed(b, fal_ch, "grafana", days * n, start, end, _grafana_line)
    bot_feed(b, se_ch, "zendesk", 2 * days * n, start, end, _zendesk_line)
    bot_feed(b, sca_ch, "sprout", days * n, start, end, _sprout_line)
    # Messaging's volume alert has always been low urgency: template renames, re-tagged categories, quiet mornings.
    for _ in range(12 * n):
        t = rng.uniform(start, quiet_from)
        category = rng.choice(("transfer_notification", "event_reminder", "resale_sold", "password_reset",
                               "order_confirmation"))
        if category == "order_confirmation":
            t = t - t % DAY + rng.uniform(5, 7.5) * HOUR  # only ever at dawn
        b.incident(m_svc, f"[mailer] TransactionalVolumeLow: {category} sends below 20% of forecast (1h)", t,
                   urgency="low", responders=[], notify=False, ack_after=None, resolve_after=rng.uniform(0.5, 3) * HOUR,
                   alert_key=f"{VOLUME_KEY}/{category}", severity="warning")

    # On-sale mornings: ticket-issuer lags for a few minutes at 10:00 and catches up (always the old group name) --
    d = start - start % DAY + DAY
    while d < epoch("2025-03-06"):
        if _date.fromisoformat(iso(d)[:10]).weekday() == 4:
            w = d + 10 * HOUR + rng.uniform(300, 900)
            b.say(so_ch, w, "burrow", f":warning: *Consumer lag* `ticket-issuer` on `orders.paid` (events-prod): status "
                  f"WARN, {rng.randrange(6, 12)} members, lag {rng.randrange(2_400, 7_800):,} "
                  f"(+{rng.randrange(1_800, 6_000):,} in 15m)")
            b.say(so_ch, w + rng.uniform(1200, 2400), "burrow", ":white_check_mark: *Consumer lag* `ticket-issuer` on "
                  f"`orders.paid` (events-prod): back to OK, lag {rng.randrange(0, 40)}")
        d += DAY

    # The daily issuance report ------------------------------------------------------------------------------------
    d = start - start % DAY + DAY
    while d < end:
        day = iso(d - DAY)[:10]
        wd = _date.fromisoformat(day).weekday()
        orders = int(rng.uniform(15_500, 19_500) if wd < 4 else rng.uniform(21_000, 26_500))
        extra = ""
        if day == "2025-03-06":
            orders = 10_395
            extra = " · :warning: -44% vs Thu 27 Feb (18,610 orders)"
        elif day == "2025-03-07":
            orders = 29_804
            extra = " · incl. 11,846 replayed orders of Mar 6-7"
        tickets = int(orders * rng.uniform(2.2, 2.5))
        m = b.say(ful_ch, d + 6 * HOUR + rng.uniform(200, 500), "issuancebot",
                  _issuance_report(day, orders, tickets, rng.randrange(31, 49), extra))
        if day == "2025-03-06":
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="the morning issuance report shows 44% fewer orders issued on Thursday; it is posted at 06:05 "
                       "and nobody reads it before the page")
        d += DAY

    # The shared channel with Saltmarket Hall, the quiet months ---------------------------------------------------
    for _ in range(16 * n):
        t = rng.uniform(start, T - 2 * DAY)
        t = t - t % DAY + rng.uniform(11, 19) * HOUR
        q = b.say(ext_ch, t, rng.choice(("morag", "callum")), rng.choice(_VENUE_LINES).format(show=rng.choice(_SHOWS)))
        if rng.random() < 0.7:
            b.say(ext_ch, t + rng.uniform(600, 7200), "fenella", rng.choice(_VENUE_REPLIES), parent=q)
    add_joins(b, ext_ch, ["morag", "callum", "fenella"], start, T - 3 * DAY, 2)

    # KEDA at night for the other consumers; ticket-issuer joins them once it is on chart 3 ------------------------

    # Jan 8-14: kafka-consumer 3.0 -----------------------------------------------------------------------------------
    contrib = story_pull(b, chart_repo, _CONTRIBUTOR, epoch("2025-01-08T13:20:00Z"), epoch("2025-01-14T10:30:00Z"),
                         "contributor", review="ok. this reaches prod releases too once they bump, worth a loud "
                         "announcement", reviewed=epoch("2025-01-14T09:55:00Z"),
                         comments=(("agnieszka", "should production default to earliest? a new prod group that "
                                    "starts at latest can skip data", epoch("2025-01-09T10:12:00Z")),
                                   ("lorcan", "teams that need it set it, it's one line. I'll put it first in the "
                                    "upgrade notes", epoch("2025-01-09T10:40:00Z"))))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="made new consumer groups start at latest and let KEDA scale a consumer whose group has never committed "
               "to zero, for every release on the chart; production releases inherited it")
    ann = b.say(st_ch, epoch("2025-01-14T11:05:00Z"), "lorcan",
                ":mega: kafka-consumer *3.0.0* is out: new groups start at `latest`, KEDA scale-to-zero on by default, "
                "a group that never committed doesn't hold a pod. If your consumer must see everything, set "
                "`autoOffsetReset: earliest` and `minReplicas` when you bump. Upgrade notes in the chart README")
    tr.add("slack", ann, "contributor", must_see=False, group="cause", why="Streaming announces the chart's new defaults",
           same_fact_as=("github", contrib))
    released(contrib)

    # Jan 12 - Feb 2: the heartbeat pages Fulfilment at dawn and on weekend mornings -----------------------------------
    noisy_at = ("2025-01-12T06:41:00Z", "2025-01-15T04:57:00Z", "2025-01-19T07:12:00Z", "2025-01-22T03:48:00Z",
                "2025-01-26T05:22:00Z", "2025-01-29T04:12:00Z", "2025-02-01T05:36:00Z", "2025-02-02T06:54:00Z")
    notes = ("no orders paid since {last}, nothing to issue. consumer fine, lag 0. resolving",
             "quiet morning again, first order after the alert issued in 2s. nothing wrong")
    for i, when in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        last = iso(t - 20 * 60 - rng.uniform(60, 600))[11:16]
        inc = b.incident(svc, HEARTBEAT_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=180 + 30 * i, resolve_after=1200 + 90 * i, handle=f"noisy{i}", alert_key=HEARTBEAT_KEY,
                         alert_summary=f"sum(increase(tickets_issued_total[20m])) == 0 (last ticket issued {last} UTC)",
                         notes=[(who, notes[i % 2].format(last=last), 700.0)] if i % 3 != 2 else None)
        b.say(fal_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{HEARTBEAT_TITLE}", template=True)
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the dawn and weekend heartbeat pages, all caused by nobody buying tickets, that led to the "
                   "heartbeat's deletion")
    grumbles = (("2025-01-12T09:10:00Z", "oluwaseun", "heartbeat paged me at 06:41 on a sunday. last order was 06:18. "
                 "nobody buys tickets at dawn on a sunday :sleeping:"),
                ("2025-01-22T08:45:00Z", "tobias", "03:48 heartbeat. ticket-issuer fine, lag 0, zero orders in 25 min"),
                ("2025-01-29T09:02:00Z", "maren", "04:12 this time. that's six heartbeat pages this month and every "
                 "single one was 'no orders'"),
                ("2025-02-02T10:20:00Z", "cathal", "saturday AND sunday morning. can we get rid of "
                 "TicketsIssuedHeartbeat? if the consumer dies the lag alert pages anyway"),
                ("2025-02-03T09:30:00Z", "ingrid", "agreed, kill it. the business-hours version from december still "
                 "fired on quiet sundays. maren can you do the PR?"))
    for when, who, text in grumbles:
        m = b.say(ful_ch, epoch(when), who, text)
        if "can we get rid" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the heartbeat's dawn pages")

    # Feb 4: the heartbeat is deleted --------------------------------------------------------------------------------
    weak = story_pull(b, rules_repo, _WEAKENING, epoch("2025-02-03T10:05:00Z"), epoch("2025-02-04T11:20:00Z"), "weakening",
                      review="ok. is there anything left that fires if ticket-issuer simply isn't running?",
                      reviewed=epoch("2025-02-04T10:50:00Z"),
                      comments=(("maren", "KafkaConsumerLagHigh from the chart: if the consumer stops, lag grows and "
                                 "it pages at 5k", epoch("2025-02-04T11:02:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="deleted the 'no tickets issued in 20 minutes' heartbeat after eight dawn pages: the only alert that "
               "did not depend on the consumer group's name")
    wev = rules_synced(weak)
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the rules reload that removed the heartbeat", same_fact_as=("github", weak))
    b.say(ful_ch, epoch("2025-02-04T11:40:00Z"), "maren", "merged {{url:weakening}}: heartbeat gone, KafkaConsumerLagHigh "
          "and TicketIssuerErrorRate stay. no more dawn pages :zzz:", template=True)

    # Feb 12-13: Renovate bumps ticket-issuer to chart 3 -------------------------------------------------------------
    bump = story_pull(b, helm_repo, _BUMP, epoch("2025-02-12T03:10:00Z"), epoch("2025-02-13T14:05:00Z"), "bump",
                      review="lgtm, staging synced green", reviewed=epoch("2025-02-13T13:50:00Z"))
    tr.add("github", bump, "contributor", must_see=False, group="cause",
           why="ticket-issuer picks up the chart's 3.0 defaults (latest, scale to zero); the breaking notes are in "
               "the PR body")
    synced(bump, epoch("2025-02-13T14:08:00Z"), "bump")
    b.say(ful_ch, epoch("2025-02-14T09:15:00Z"), "tobias", "fyi since the chart 3 bump ticket-issuer goes to 0 pods at "
          "night when there's no lag, first order after ~3am waits ~40s for a pod. fine by me?")
    b.say(ful_ch, epoch("2025-02-14T09:31:00Z"), "nadia", "fine, nobody is buying at 3am :moneybag:")
    for key, app in (("mobile", "recs-feed"), ("growth", "loyalty-points")):
        rb = b.pull(helm_repo, "renovate[bot]", f"chore(deps): update helm chart kafka-consumer to v3 ({app})",
                    _BUMP.body.replace("ticket-issuer", app), epoch("2025-02-12T03:10:00Z") + 60,
                    merged=epoch("2025-02-18T11:00:00Z") if key == "mobile" else None,
                    merged_by=mobile.members[0] if key == "mobile" else None,
                    files=[yaml_file(f"apps/{app}/Chart.yaml", yaml_patch(4, "dependencies:", [
                        "   - name: kafka-consumer", "-    version: 2.7.1", "+    version: 3.0.2"]))],
                    labels=["dependencies", "renovate"], handle=f"bump_{app}")
        if rb["merged_at"]:
            synced(rb, epoch("2025-02-18T11:03:00Z"), f"bump_{app}")
    d = epoch("2025-02-14")
    while d < epoch("2025-03-06"):
        for _ in range(rng.randrange(1, 3)):
            off = d + rng.uniform(1.2, 5.5) * HOUR
            b.say(ce_ch, off, "kubewatch", ":arrow_down_small: KEDA `fulfilment/ticket-issuer`: ScaledObject "
                  "deactivated, scaled Deployment/ticket-issuer 1 → 0")
            b.say(ce_ch, off + rng.uniform(300, 2400), "kubewatch", ":arrow_up_small: KEDA `fulfilment/ticket-issuer`: "
                  "ScaledObject activated, scaled Deployment/ticket-issuer 0 → 1")
        d += DAY

    # Feb 24 - Mar 5: prefixed ACLs; recs-feed renames first; the ACL; the Kafka upgrade --------------------------------
    b.say(st_ch, epoch("2025-02-24T10:00:00Z"), "agnieszka",
          ":mega: STRM-214: from *Monday March 10* events-prod enforces prefixed ACLs. Consumer groups must start with "
          "your team prefix (`fulfilment.`, `mobile.`, ...). Not compliant yet: `ticket-issuer`, `recs-feed`, "
          "`loyalty-points`, `analytics-sink`, `venue-sync`. Add the prefixed ACL in streaming-infra, then rename the "
          "group in your values. Remember a renamed group is a new group: check where it starts reading")
    recs = story_pull(b, helm_repo, Change(author=mobile.members[0], reviewer=mobile.members[1],
                                           title=_RECS.title, body=_RECS.body, files=_RECS.files, labels=_RECS.labels),
                      epoch("2025-02-28T14:00:00Z"), epoch("2025-03-03T10:40:00Z"), "distractor_recs", review="lgtm")
    synced(recs, epoch("2025-03-03T10:43:00Z"), "distractor_recs")
    acl = story_pull(b, infra_repo, _ACL, epoch("2025-03-03T15:10:00Z"), epoch("2025-03-04T09:30:00Z"), "distractor_acl",
                     review="applied after merge, the fulfilment.* prefix is yours")
    applied(acl, epoch("2025-03-04T09:41:00Z"))
    story_pull(b, infra_repo, _KAFKA_UPGRADE, epoch("2025-02-27T10:00:00Z"), epoch("2025-03-05T09:50:00Z"),
                         "distractor_kafka", review="staging's been on it three weeks, go")
    b.change_event(s_svc, "MSK events-prod: rolling upgrade 3.6.0 -> 3.7.x started", epoch("2025-03-05T22:00:00Z"),
                   "aws-msk", links=[{"href": "{{url:distractor_kafka}}", "text": _KAFKA_UPGRADE.title}],
                   details={"cluster": "events-prod", "brokers": 6})
    b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
    b.change_event(s_svc, "MSK events-prod: rolling upgrade to 3.7.x completed", epoch("2025-03-05T23:38:00Z"),
                   "aws-msk", details={"cluster": "events-prod", "brokers": 6, "state": "ACTIVE"})
    b.say(so_ch, epoch("2025-03-05T23:45:00Z"), "rhys", "events-prod is on 3.7.x, all 6 brokers. a few leader elections, "
          "produce p99 blipped to 180ms per broker, consumers all rebalanced fine")
    b.say(st_ch, epoch("2025-03-06T09:10:00Z"), "rhys", "morning: MSK upgrade went clean last night, "
          "{{url:distractor_kafka}} done :white_check_mark:", template=True)

    # Mar 4-6: the rename, merged and synced on Thursday at 18:00 ------------------------------------------------------
    b.say(ful_ch, epoch("2025-03-04T10:40:00Z"), "cathal", "picking up STRM-214 for ticket-issuer, the group has to be "
          "fulfilment.something by monday")
    trig = story_pull(b, helm_repo, _TRIGGER, epoch("2025-03-04T11:20:00Z"), epoch(TRIGGER_MERGED), "trigger",
                      review="ok, ship it before the 10th", reviewed=epoch("2025-03-06T17:40:00Z"),
                      review_comments=(("nadia", "new group = no committed offsets. where does it start reading?",
                                        VALUES, 11, epoch("2025-03-05T10:20:00Z")),),
                      comments=(("cathal", "chart default is earliest, so it re-walks the 3 days of orders.paid "
                                 "retention. issuance is idempotent on order_id, so ~25 min of catch-up and no "
                                 "duplicates", epoch("2025-03-05T11:02:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="renamed ticket-issuer's consumer group: the new group had no committed offsets, so under the chart's "
               "3.0 defaults KEDA scaled it to zero and it never consumed orders.paid again")
    tev, tline = synced(trig, epoch(SYNCED), "trigger")
    tr.add("pagerduty", tev, "trigger", must_see=False, group="cause", why="Argo CD syncing the rename",
           same_fact_as=("github", trig))
    tr.add("slack", tline, "trigger", must_see=False, group="cause", why="Argo CD's line for the rename",
           same_fact_as=("github", trig))
    zero = b.say(ce_ch, epoch(SCALED_TO_ZERO), "kubewatch", ":arrow_down_small: KEDA `fulfilment/ticket-issuer`: "
                 "ScaledObject deactivated, scaled Deployment/ticket-issuer 3 → 0")
    tr.add("slack", zero, "early_signal", must_see=False, group="detection",
           why="KEDA scales ticket-issuer to zero 80 seconds after the sync, at the evening peak; it looks like the "
               "nightly scale-downs")
    b.say(ful_ch, epoch("2025-03-06T18:06:00Z"), "cathal", "ticket-issuer is on fulfilment.ticket-issuer now (STRM-214) "
          ":white_check_mark: Argo synced, heading off")

    # Same afternoon: the confirmation template with wallet buttons (red herring) ------------------------------------
    tpl = story_pull(b, mail_repo, _TEMPLATE, epoch("2025-03-04T14:00:00Z"), epoch("2025-03-06T14:35:00Z"),
                     "distractor_template", review="looks great on the Litmus shots")
    tsha = tpl["merge_commit_sha"][:7]
    b.change_event(m_svc, f"Deploy mailer@{tsha} to production", epoch("2025-03-06T15:05:00Z"), "ci-deploy",
                   links=[{"href": "{{url:distractor_template}}", "text": _TEMPLATE.title}],
                   details={"deployer": "beatriz", "environment": "production"})
    b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
    b.say(sc.common["deploys"], epoch("2025-03-06T15:05:02Z"), "deploybot",
          f":rocket: mailer `{tsha}` deployed to production by <@{b.people['beatriz'].slack_id}>")
    b.say(msg_ch, epoch("2025-03-06T15:20:00Z"), "beatriz", "new order confirmation with the wallet buttons is live, "
          "first few hundred sent fine :sparkles:")

    # Thursday evening: Burrow, the mailer's volume alert, the box office, social care, the night shift ----------------
    # Orders paid per hour since 18:03 (11,846 by 07:54): Burrow posts the old group's lag every hour.
    hourly = (1_212, 3_950, 2_410, 1_560, 1_020, 610, 330, 160, 90, 55, 48, 70, 130, 140)
    first_burrow = None
    lag = 0
    for i, delta in enumerate(hourly):
        lag += delta
        m = b.say(so_ch, epoch("2025-03-06T18:17:00Z") + i * HOUR, "burrow", f":octagonal_sign: *Consumer lag* "
                  f"`ticket-issuer` on `orders.paid` (events-prod): status STOP, 0 members, lag {lag:,} "
                  f"(+{delta:,} in {'15m' if i == 0 else '60m'})")
        first_burrow = first_burrow or m
    assert first_burrow is not None
    tr.add("slack", first_burrow, "early_signal", must_see=True, group="detection",
           why="Burrow: the old ticket-issuer group has no members and its lag on orders.paid grows by 1,200 in 15 "
               "minutes; Streaming takes it for the orphan the rename leaves behind")
    b.say(so_ch, epoch("2025-03-06T18:31:00Z"), "agnieszka", "that's the old name, Fulfilment renamed to "
          "fulfilment.ticket-issuer tonight for STRM-214. orphaned group, Burrow drops it after 7 days", parent=first_burrow)
    vol_at = epoch("2025-03-06T19:07:00Z")
    low = b.incident(m_svc, "[mailer] TransactionalVolumeLow: order_confirmation sends below 20% of forecast (1h)",
                     vol_at, urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=epoch("2025-03-07T08:55:00Z") - vol_at, alert_key=f"{VOLUME_KEY}/order_confirmation",
                     severity="warning", alert_summary="ses_sends{category=\"order_confirmation\"} 14/h vs forecast "
                     "3,380/h (0.4%) (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="Messaging's volume alert opens a low-urgency incident an hour in: order confirmations at 0.4% of "
               "forecast; it pages no one and is put down to the new template")
    vline = b.say(msg_ch, vol_at + 20, "grafana", ":large_yellow_circle: Grafana *[FIRING]* TransactionalVolumeLow "
                  "`order_confirmation` 14/h vs forecast 3,380/h (low urgency)")
    tr.add("slack", vline, "early_signal", must_see=False, group="detection", why="Grafana's line for the same alert",
           same_fact_as=("pagerduty", low))
    b.say(msg_ch, epoch("2025-03-06T19:34:00Z"), "ewan", "probably the new template re-tagged the category or the wallet "
          "links broke something in the render, will look in the morning", parent=vline)
    b.incident(identity.service, "[auth-service] login error rate high", epoch("2025-03-06T19:22:00Z"),
               responders=identity.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key="auth-service/login error rate high",
               notes=[(identity.members[0], "OAuth provider timeouts, failed over, recovered", 1500.0)])
    box = b.say(ext_ch, epoch("2025-03-06T19:48:00Z"), "morag",
                "evening folks! we've got about 35 people at the box office window for tonight's Saltmarket Sessions "
                "who bought this evening and have no tickets in the app and no e-mail. The console shows their orders "
                "as paid but 'awaiting issue'. We're printing paper from the console so doors are fine, but is "
                "something up on your side?")
    tr.add("slack", box, "early_signal", must_see=True, group="reports",
           why="Saltmarket Hall's box office sees paid orders from the evening stuck at 'awaiting issue' and prints "
               "paper tickets; the question stays in the venue channel")
    b.say(ext_ch, epoch("2025-03-06T20:04:00Z"), "fenella", "thanks Morag, sorry! checking with the team", parent=box)
    b.say(ext_ch, epoch("2025-03-06T21:40:00Z"), "morag", "all in, show went up on time. 58 paper reprints in the end",
          parent=box)
    vq = b.say(vp_ch, epoch("2025-03-06T20:09:00Z"), "fenella", "anyone know if tickets are slow to issue tonight? "
               "Saltmarket had ~35 people with paid orders 'awaiting issue', they printed paper")
    b.say(vp_ch, epoch("2025-03-06T20:31:00Z"), sc.crowd[27], "the console sometimes lags on busy nights, they usually "
          "come through. maybe ask #fulfilment tomorrow?", parent=vq)
    care = b.say(sca_ch, epoch("2025-03-06T20:36:00Z"), "dervla",
                 "5 mentions in the last hour: 'paid, money's gone, no tickets, no email'. different events. told them "
                 "to check spam and log out/in of the app")
    tr.add("slack", care, "customer_report", must_see=False, group="reports",
           why="social care sees buyers who paid and got no tickets, and answers with the usual advice")
    for when, text in (("2025-03-06T19:55:00Z", "paid £84 for 2 tickets to Mira Kane at 18:40, no email, nothing in "
                        "the app??"), ("2025-03-06T20:21:00Z", "money taken, no tickets, no confirmation. is this a "
                        "scam?"), ("2025-03-06T22:58:00Z", "bought Harbour Lights tickets 3 hours ago and still no "
                        "email. help")):
        b.say(sca_ch, epoch(when), "sprout", f":speech_balloon: Sprout · new mention (X): \"@turnstyle {text}\"")
    for i, when in enumerate(("2025-03-06T19:12:00Z", "2025-03-06T20:03:00Z", "2025-03-06T21:26:00Z",
                              "2025-03-06T23:44:00Z", "2025-03-07T06:58:00Z")):
        b.say(se_ch, epoch(when), "zendesk", f":ticket: Zendesk *#{318_204 + 37 * i}* ({('chat', 'web', 'app')[i % 3]}, "
              "P3): Paid but no tickets or confirmation e-mail")
    night = b.say(se_ch, epoch("2025-03-06T22:41:00Z"), "tomasz",
                  "heads up for the morning: 41 chats and 63 e-mails since ~18:30 saying 'paid, money gone, no ticket in "
                  "the app, no e-mail'. All orders from this evening, all kinds of events. Orders show paid in the "
                  "admin. Saltmarket Hall printed paper for theirs. Raised FUL-1187 (P2) for Fulfilment; runbook says "
                  "no page for delivery delays under 24h")
    tr.add("slack", night, "customer_report", must_see=True, group="reports",
           why="the night support shift collects the 'paid but no tickets' contacts and files them for Fulfilment's "
               "morning instead of paging")
    b.say(web.channel, epoch("2025-03-06T21:12:00Z"), web.members[0], "CDN 5xx blip on the storefront at 21:05, "
          "origin shield failover, fine now")
    b.incident(web.service, "[web-frontend] CDN 5xx", epoch("2025-03-06T21:05:00Z"), responders=web.members[:2],
               ack_after=150, resolve_after=20 * 60, alert_key="web-frontend/CDN 5xx")
    b.incident(data.service, "[etl-scheduler] DAG failed: nightly_orders", epoch("2025-03-07T02:15:00Z"),
               responders=data.members[:2], ack_after=420, resolve_after=70 * 60,
               alert_key="etl-scheduler/DAG failed: nightly_orders",
               notes=[(data.members[0], "warehouse load timeout, reran the task, green", 2400.0)])

    # Friday morning: an orders-api deploy (innocent), the support lead pages -------------------------------------------
    osha = b.sha()[:7]
    b.change_event(checkout.service, f"Deploy checkout-api@{osha} to production", epoch("2025-03-07T06:50:00Z"),
                   "ci-deploy", links=[{"href": f"https://github.com/{checkout.repo}/commit/{osha}", "text": osha}],
                   details={"deployer": checkout.members[0], "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-03-07T06:50:02Z"), "deploybot",
          f":rocket: checkout-api `{osha}` deployed to production by <@{b.people[checkout.members[0]].slack_id}>")
    morning = b.say(se_ch, epoch("2025-03-07T07:31:00Z"), "harriet",
                    "morning. overnight queue: 1,460 contacts 'paid but no tickets / no e-mail', every order since "
                    "about 18:00 yesterday. The 10:00 Harbour Lights on-sale is in 2.5 hours. This isn't a delay, "
                    "paging Fulfilment", parent=night)
    tr.add("slack", morning, "customer_report", must_see=False, group="reports",
           why="the support lead counts the overnight contacts and decides to page")
    page_by_hand(b, tr, svc, "Paid orders since ~18:00 yesterday have no tickets and no e-mails (1,460 contacts)", T,
                 responders=ONCALL, ack_after=130, resolve_after=2.6 * HOUR, manual_by="harriet",
                 description="Support: since about 18:00 UTC on Mar 6 customers pay but get no mobile ticket and no "
                             "confirmation e-mail; orders show paid in admin, 'awaiting issue' in the box office "
                             "console. 1,460 contacts overnight; Harbour Lights on-sale at 10:00.",
                 notes=[("oluwaseun", "deploy/ticket-issuer at 0/0: KEDA scaled it to zero at 18:02 yesterday, after "
                                      "the group rename synced at 18:01; no consumer on orders.paid since", 660.0),
                        ("nadia", "fulfilment.ticket-issuer reset to 2025-03-06T18:00Z by Streaming; 11,846 orders "
                                  "replayed by 08:41, mailer sending the confirmations", 3900.0)],
                 relay=fal_ch, why="the support lead pages Fulfilment by hand, thirteen and a half hours after the "
                                   "last ticket was issued")

    inc_ch = b.channel("inc-20250307-tickets-not-issued", "Incident: paid orders without tickets",
                       "Incident response", T + 60, "oluwaseun")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "harriet", "incident {{incurl:page}}: every order since ~18:00 yesterday paid but no mobile ticket and no "
                       "e-mail. 1,460 contacts overnight, box office at Saltmarket printed 58 paper tickets. Harbour "
                       "Lights on-sale at 10:00"),
        (60, "oluwaseun", "ack. tickets_issued_total is flat since 18:03 yesterday. no errors, no alerts, orders-api "
                          "is producing orders.paid normally"),
        (130, "beatriz", "we shipped the new confirmation template with the wallet buttons at 15:05 yesterday "
                         "({{pr:distractor_template}}). could the render be failing?"),
        (200, "maren", "it's not just e-mails, the tickets themselves are missing, and mailer only sends once "
                       "ticket-issuer has issued. confirmations were fine 15:05-18:03 with the new template"),
        (270, "rhys", "we rolled events-prod to 3.7 on wednesday night ({{pr:distractor_kafka}}). a client "
                      "incompatibility?"),
        (340, "oluwaseun", "the other consumers of orders.paid are current, loyalty-points and analytics-sink at lag "
                           "~0 all night. brokers are fine"),
        (410, "tobias", "checkout-api deployed at 06:50 this morning. no, that's 13 hours after it started"),
        (470, "oluwaseun", "found it: deploy/ticket-issuer is 0/0. KEDA scaled it to zero at 18:02 yesterday and it "
                           "never came back"),
        (540, "cathal", "oh no. {{url:trigger}} synced at 18:01: it renamed the group to fulfilment.ticket-issuer. "
                        "the new group has no committed offsets, and KEDA reports zero lag for a group without offsets, "
                        "so it scaled us to zero. no pods, no commits, never wakes up"),
        (600, "ingrid", "mobile renamed recs-feed on monday ({{pr:distractor_recs}}) and it's fine?"),
        (660, "cathal", "recs-feed pinned autoOffsetReset earliest in 2023 and runs minReplicas 1. we pin neither"),
        (700, "oluwaseun", "patched the ScaledObject to minReplicaCount 3, pods up, tickets issuing again :tada:"),
        (760, "nadia", "only for new orders: with no offsets the group started at latest, i.e. after everything paid "
                       "since 18:03. the night's orders are behind it and it will never read them"),
        (830, "agnieszka", "I can reset fulfilment.ticket-issuer to 18:00 yesterday, scale it to 0 first. issuance "
                           "dedupes on order_id so the overlap is safe?"),
        (870, "nadia", "yes, dedupe on order_id. go"),
        (960, "lorcan", "and that's the chart: since {{pr:contributor}} autoOffsetReset defaults to latest and a group "
                        "that never committed doesn't hold a pod. it was for preview namespaces, I should have made "
                        "prod opt in"),
        (1060, "ingrid", "why did nothing page for 13 hours? we used to have a heartbeat for exactly this"),
        (1140, "maren", "alert-rules PR {{num:weakening}}: we deleted TicketsIssuedHeartbeat after the dawn pages in "
                        "january, trusting KafkaConsumerLagHigh. the chart renders that alert for the new group, which "
                        "had no offsets, so no lag series at all"),
        (1220, "agnieszka", "and Burrow did post the old group STOPPED at 18:17, I told myself it was the orphan from "
                            "the rename. sorry"),
        (1400, "agnieszka", "reset done, 11,846 orders behind, ticket-issuer at 12 pods chewing through ~1,900/min"),
        (1800, "nadia", "fix for the values: {{url:fix}} earliest, minReplicas 3, no scale-to-zero"),
        (3600, "oluwaseun", "replay finished 08:41, every order since 18:03 has its tickets. mailer is sending the "
                            "confirmations"),
        (3900, "harriet", "macro updated: tickets are in the app now, e-mails arriving over the next hour"),
        (5200, "ingrid", "follow-ups: a paid-orders-without-tickets alert that doesn't care about group names, chart "
                         "defaults back to safe for prod, a runbook for group renames (copy offsets first), support "
                         "pages for 'paid no ticket' after 50 contacts"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the missing tickets to the group rename, after the template, the Kafka upgrade "
                     "and the morning deploy were ruled out",
             weakening="a responder explains why nothing paged",
             contributor="a responder names the chart release behind latest and scale-to-zero")

    # The fix, its sync, the follow-ups ------------------------------------------------------------------------------
    b.say(ce_ch, epoch(SCALED_UP), "kubewatch", ":arrow_up_small: KEDA `fulfilment/ticket-issuer`: minReplicaCount 3, "
          "scaled Deployment/ticket-issuer 0 → 3")
    b.say(so_ch, epoch("2025-03-07T08:05:00Z"), "agnieszka", "reset `fulfilment.ticket-issuer` on `orders.paid` "
          "--to-datetime 2025-03-06T18:00:00Z (24 partitions), lag now 11,846 + new orders")
    b.say(so_ch, epoch("2025-03-07T08:10:00Z"), "burrow", ":warning: *Consumer lag* `fulfilment.ticket-issuer` on "
          "`orders.paid` (events-prod): status WARN, 12 members, lag 11,902 (+11,902 in 15m)")
    b.say(so_ch, epoch(REPLAYED) + 300, "burrow", ":white_check_mark: *Consumer lag* `fulfilment.ticket-issuer` on "
          "`orders.paid` (events-prod): back to OK, lag 12")
    fix = story_pull(b, helm_repo, _FIX, T + 0.45 * HOUR, T + 0.9 * HOUR, "fix", review="yes. thank you",
                     reviewed=T + 0.85 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="pins ticket-issuer to earliest, at least three pods and no scale-to-zero for a group without offsets; "
               "the night's orders were replayed by resetting the new group's offsets")
    fev, _ = synced(fix, T + 0.95 * HOUR, "fix")
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="Argo CD syncing the fix",
           same_fact_as=("github", fix))
    b.say(msg_ch, epoch("2025-03-07T09:02:00Z"), "ewan", "order_confirmation volume back, 11.8k sends in the last hour. "
          "wasn't the template after all", parent=vline)
    b.say(ext_ch, epoch("2025-03-07T10:20:00Z"), "fenella", "Morag, sorry about last night: ticket issuing stopped from "
          "18:00 yesterday, everyone has their tickets now. Thanks for printing!", parent=box)
    follow = story_pull(b, rules_repo, _FOLLOW_RULES, T + 6 * HOUR, T + 28 * HOUR, "follow",
                        review="much better than the heartbeat")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="pages when orders are paid but no ticket is issued, and when the group's lag series is missing")
    rules_synced(follow)
    follow_chart = story_pull(b, chart_repo, _FOLLOW_CHART, T + 20 * HOUR, T + 4 * DAY, "follow_chart",
                              review="yes, and sorry for 3.0")
    tr.add("github", follow_chart, "fix", must_see=False, group="cause",
           why="the chart keeps a pod for a group without offsets and makes production releases choose their offset "
               "reset")
    released(follow_chart)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [ful_ch, se_ch, sc.common["deploys"]], svc, FULFIL_PEOPLE[:3], helm_repo,
        titles=("Runbook: renaming a Kafka consumer group",
                "CI: fail a values change that renames kafka.groupId without autoOffsetReset"),
        doc=("Renaming a consumer group", "A new group has no offsets: reset it to the old group's offsets before "
             "its first pod starts."),
        doc_path="docs/runbooks/consumer-group-rename-{n}.md",
        test_fire="[ticket-issuer] PaidOrdersWithoutTickets (test fire)")
    return world, tr.to_dict()
