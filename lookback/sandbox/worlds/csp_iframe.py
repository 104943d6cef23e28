"""World "csp-iframe": Voyalto, an online travel agency (flights and hotels, Lisbon, nine EU markets), enforces a PCI DSS
6.4.3 Content-Security-Policy on its checkout and pay routes at the Cloudflare edge on Thursday morning: script-src,
connect-src and frame-src become allowlists, and frame-src lists only the card issuers' 3-D Secure ACS hosts of
Payvera's February report. Italcard, the ACS of most Italian issuers, moved to `3ds2.italcard-acs.eu` on March 10, and
Banco Lusitano's challenge navigates the frame to its own OTP host on iPhones: from 08:43 UTC the challenge iframe is
refused, Payvera's drop-in spins on "Authenticating with your bank" for ten minutes and fails, and Italian (and some
Portuguese) bookings fall by two thirds while every server sees only ordinary 3DS refusals. Two weeks earlier Payments
had removed the drop-in's fallback to the full-page redirect flow, so a frame that doesn't load now costs the booking.
Four weeks earlier, after seven night pages of the checkout JS error-rate alert caused by a price-tracker extension,
scrapers and a tag manager, checkout-web's Sentry config started dropping every error without a frame from its own
bundle and its securitypolicyviolation listener was removed, so neither the blocked frames nor the drop-in's
CHALLENGE_EXPIRED errors reach anyone, and the Report-Only preview of the policy looked clean. Only the Conversion
Pulse bot, a low-urgency authorisation-rate alert for Italy, Payvera's partner manager relaying Italcard, customer
care and a corporate client's account manager show it until the head of Payments pages checkout-web by hand, six and
a half hours in."""

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

CHECKOUT_WEB = TeamSpec("cw", "Checkout Web", "checkout-web", "checkout-web", "checkout-web",
                        ("payment", "basket", "traveller_details", "confirmation", "seatmap"),
                        ("fare summary", "passenger form", "seat map", "baggage upsell", "room picker",
                         "promo code field", "price change modal", "Payvera drop-in", "booking confirmation page",
                         "insurance upsell", "SSR cache", "basket reprice"),
                        ("checkout-web SSR 5xx above 1%", "LCP p75 above 4s on /checkout",
                         "basket reprice errors above 2%", "checkout-web pods CrashLoopBackOff"), "ts")
PAYMENTS = TeamSpec("pay", "Payments", "payments-orchestrator", "payments-orchestrator", "payments",
                    ("authorisation", "refunds", "webhooks", "fraud", "payouts"),
                    ("authorisation flow", "Payvera webhook", "refund queue", "chargeback import", "fraud score",
                     "idempotency keys", "hotel prepayment", "airline settlement", "3DS exemptions", "virtual cards"),
                    ("Payvera webhook backlog above 2000", "refund queue age above 1h", "authorise p95 above 2s",
                     "settlement file missing"), "kt")
FLIGHTS = TeamSpec("flt", "Flights", "flight-search", "flight-search", "flights",
                   ("search", "pricing", "ancillaries", "pnr"),
                   ("Sabrenet GDS adapter", "fare cache", "low-cost carrier connector", "baggage rules", "PNR sync",
                    "schedule change feed", "price freshness", "multi-city search"),
                   ("Sabrenet timeouts above 5%", "fare cache hit ratio below 60%", "PNR sync lag above 15m"), "go")
EDGE = TeamSpec("wp", "Web Platform", "voyalto-edge", "edge-config", "web-platform",
                ("rules", "headers", "waf", "cache"),
                ("cache rules", "transform rules", "WAF custom rules", "bot score", "image resizing", "geo redirects",
                 "security headers", "Workers routes", "origin pools", "edgectl"),
                ("edge 5xx above 1% (www.voyalto.com)", "origin unreachable from 3 PoPs", "WAF blocks above 20%"),
                "py")

STAFF = (("leonor", "Leonor Vasconcelos"), ("duarte", "Duarte Amaral"), ("kaito", "Kaito Brennan"),
         ("svetlana", "Svetlana Horvat"), ("ettore", "Ettore Galli"), ("rafael", "Rafael Quintela"),
         ("beatriz", "Beatriz Falcao"), ("olamide", "Olamide Adeyemi"), ("mattias", "Mattias Ekdahl"),
         ("priscila", "Priscila Antunes"), ("noor", "Noor Khatib"))
OUTSIDERS = (("marta", "Marta Seixas"), ("joaquim", "Joaquim Reis"), ("giulia", "Giulia Marchetti"),
             ("carolina", "Carolina Mendes"))
CW_PEOPLE = ["leonor", "duarte", "kaito", "svetlana", "ettore"]
ONCALL = ["kaito", "svetlana", "duarte", "leonor"]
PAY_PEOPLE = ["beatriz", "rafael", "olamide"]
WP_PEOPLE = ["priscila", "noor"]
CX = ["marta", "joaquim"]

NOISY_TITLE = "[checkout-web] CheckoutJsErrorRate: JS errors above 3% of checkout sessions (15m)"
NOISY_KEY = "sentry/checkout-js-error-rate"
AUTH_KEY = "datadog/payments-auth-rate"
MARKETS = ("PT", "ES", "IT", "FR", "DE", "UK", "NL")
# Bookings of a two-hour window at midday on a weekday, per market.
BASE = {"PT": 55, "ES": 170, "IT": 110, "FR": 140, "DE": 160, "UK": 110, "NL": 60}
CURVE = {8: 0.7, 10: 1.0, 12: 1.1, 14: 1.0, 16: 0.9, 18: 1.0}
FIRST_BLOCKED = "2025-03-27T08:43:00Z"

_CX_NOUNS = ("schedule change", "name correction", "hotel no-show", "baggage add-on", "refund request",
             "seat selection", "double charge", "voucher code", "invoice copy", "missing e-ticket")
_CX_LINES = (
    "{noun}: customer on the phone for 40 min, can someone from ops confirm with the supplier?",
    "any macro for {noun}? the old one still mentions the 2023 policy",
    "{noun} ticket escalated to tier 2, booking ref in the thread",
    "who handles {noun} for hotel-only bookings now, supply or CX ops?",
    "weekend rota: I swapped with {other}, covering saturday",
    "{noun}: customer says the confirmation email never arrived, resent it from backoffice",
    "spike in {noun} contacts after this morning's Sabrenet schedule changes, FYI",
    "{noun}: the airline says it's on our side, our side says it's the airline :upside_down_face:",
)
_CORP_NOUNS = ("Ferrandi Group", "Nordhavn Shipping", "Castelo Engenharia", "Brightmoor Consulting", "Valmira Pharma",
               "Oster & Kalb", "Tavora Energia", "Helvik Offshore")
_CORP_LINES = (
    "{noun}: QBR next week, can I get their booking volume by market?",
    "{noun} asking for monthly consolidated invoicing again",
    "{noun} wants to import 40 traveller profiles, is the CSV upload back?",
    "{noun} travel policy update: economy only under 4h, who configures that in the portal?",
    "{noun} renewal signed :tada:",
    "{noun} asks if we support virtual cards for hotel prepayments",
    "{noun} travel desk says the invoice PDF has the wrong VAT number, ticket in the thread",
)
_APPSEC_NOUNS = ("SEC-341 script inventory", "pentest retest", "npm audit findings", "SRI hashes",
                 "bug bounty report", "secrets scan", "PCI QSA evidence", "SBOM export", "WAF false positives")
_APPSEC_LINES = (
    "{noun}: updated the tracker, 3 items left before the QSA visit",
    "who owns {noun} on the web side? need a name for the evidence pack",
    "{noun} triaged, nothing above medium",
    "reminder: {noun} review friday 14:00 Lisbon",
    "{noun}: can someone from Web Platform confirm what's deployed at the edge today?",
    "{noun} is in the drive, please don't edit the signed version",
)
_METRICS_NOUNS = ("Easter campaign", "weekly business review", "forecast model", "hotel attach rate", "ES market",
                  "DE market", "mobile web conversion", "Pulse thresholds", "city breaks", "long-haul")
_METRICS_LINES = (
    "{noun}: numbers for the WBR are in the deck",
    "is the {noun} dashboard lagging today?",
    "who changed the {noun} forecast? it jumped 8% overnight",
    "{noun} looks soft this week, anyone know why?",
    "{noun}: landing pages go live monday 09:00 Lisbon",
    "nice week for {noun} :chart_with_upwards_trend:",
)
_PAYVERA_LINES = (
    "February fee invoice is in the Customer Area",
    "the 3DS exemptions report (TRA / low value) for February is ready",
    "can you confirm the webhook source IP ranges for the firewall change?",
    "reminder: Checkout API v68 sunset on June 30, you're on v71 already :+1:",
    "QBR slides in the thread, happy to walk through the auth rate by issuer",
    "chargeback ratio for ES back under the scheme threshold",
    "new Payvera status page subscriptions moved to the Customer Area",
)
_PAYVERA_REPLIES = ("thanks Hannes!", "got it, will share with the team", "looking, back to you tomorrow",
                    "confirmed, same as last quarter", "great, thanks")


# Edge config noise --------------------------------------------------------------------------------------------------

_CACHE_PATHS = ("/static/*", "/hotel-images/*", "/api/destinations/*", "/sitemaps/*", "/inspiration/*",
                "/api/airports/*")
_MARKET_PATHS = (("it", "offerte-estate", "offerte"), ("pt", "promocoes-verao", "promocoes"),
                 ("es", "ofertas-ultimo-minuto", "ofertas"), ("fr", "bons-plans-ete", "bons-plans"),
                 ("de", "last-minute-angebote", "angebote"), ("nl", "zomeraanbiedingen", "aanbiedingen"))
_MARKETING_ROUTES = (("blog", "/blog/*"), ("inspiration", "/inspiration/*"), ("deals", "/deals/*"),
                     ("account", "/account/*"))
_IMG_HOSTS = ("https://img.staylane.net", "https://cdn.roomvault.io", "https://photos.hotelgrid.com",
              "https://static.trustbadge.eu")


def _edge_change(rng: random.Random) -> ConfigChange:
    """One generated PR of edge-config: cache rules, redirects, WAF, bot score, marketing-route headers."""
    ticket = f"WP-{rng.randrange(410, 520)}"
    k = rng.random()
    if k < 0.22:
        path = rng.choice(_CACHE_PATHS)
        a, c = rng.choice(((300, 900), (900, 3600), (3600, 86400), (86400, 3600), (600, 300)))
        slug = path.strip("/*").replace("/", "-") or "root"
        return (f"Cache: {path} edge TTL {a}s -> {c}s", rng.choice((f"Origin offload review ({ticket}).",
                                                                   "Stale content complaints from Supply.",
                                                                   "Cache hit ratio below target.")),
                [yaml_file(f"rules/cache/{slug}.yaml", yaml_patch(rng.randrange(3, 20), "cache_rules:", [
                    f'   - expression: starts_with(http.request.uri.path, "{path.rstrip("*")}")',
                    f"-    edge_ttl: {a}", f"+    edge_ttl: {c}"]))])
    if k < 0.42:
        m, old, new = rng.choice(_MARKET_PATHS)
        return (f"Redirects: /{m}/{old} -> /{m}/{new} (301)", rng.choice(("SEO asked, the summer page is retired.",
                                                                         f"Marketing ({ticket}).")),
                [yaml_file(f"rules/redirects/{m}.yaml", yaml_patch(rng.randrange(5, 90), "redirects:", [
                    f'+  - from: "/{m}/{old}"', f'+    to: "/{m}/{new}"', "+    status: 301"]))])
    if k < 0.58:
        path = rng.choice(("/api/flights/search", "/api/hotels/availability", "/api/autocomplete",
                           "/account/login"))
        a, c = rng.choice(((300, 400), (400, 300), (120, 180), (600, 450)))
        return (f"WAF rate limit {path}: {a} -> {c} req/min per IP", rng.choice((
                    "Scraper traffic from hosting ASNs again.", f"False positives from a corporate NAT ({ticket}).")),
                [yaml_file("rules/waf/ratelimit.yaml", yaml_patch(rng.randrange(4, 60), "ratelimits:", [
                    f'   - path: "{path}"', f"-    requests_per_minute: {a}", f"+    requests_per_minute: {c}"]))])
    if k < 0.70:
        a, c = rng.choice(((20, 15), (15, 20), (30, 25), (10, 15)))
        return (f"Bot score: managed challenge below {a} -> {c} on search APIs", f"Bot review ({ticket}).",
                [yaml_file("rules/bots/score.yaml", yaml_patch(6, "bot_management:", [
                    f"-  challenge_below_score: {a}", f"+  challenge_below_score: {c}"]))])
    if k < 0.86:
        name, route = rng.choice(_MARKETING_ROUTES)
        host = rng.choice(_IMG_HOSTS)
        return (f"CSP {route}: img-src {host}", rng.choice(("New partner images on the page.",
                                                           f"Content team ({ticket}).")),
                [yaml_file(f"policies/csp/{name}.yaml", yaml_patch(rng.randrange(6, 14), "directives:", [
                    "   img-src:", "     - \"'self'\"", "     - \"data:\"", f'+    - "{host}"']))])
    pop, dst = rng.choice((("fra", "mad"), ("lis", "mad"), ("mil", "fra"), ("ams", "fra")))
    return (f"Origin pool: steer {pop} PoP traffic to {dst} during the origin maintenance",
            f"Platform window ({ticket}).",
            [yaml_file("rules/origins/pools.yaml", yaml_patch(rng.randrange(10, 40), "steering:", [
                f"-  {pop}: [lisbon-a, lisbon-b]", f"+  {pop}: [lisbon-b]  # {ticket}, until the window ends"]))])


_MONITORS = (("flight-search", "SabrenetTimeouts", "sabrenet_timeout_ratio"),
             ("flight-search", "FareCacheHitRatio", "fare_cache_hit_ratio"),
             ("payments-orchestrator", "WebhookBacklog", "payvera_webhook_backlog"),
             ("payments-orchestrator", "RefundQueueAge", "refund_queue_age_seconds"),
             ("checkout-web", "SsrErrorRate", "checkout_ssr_5xx_ratio"),
             ("checkout-web", "LcpCheckout", "rum_lcp_p75_checkout"),
             ("voyalto-edge", "EdgeErrorRate", "edge_5xx_ratio"))


def _monitor_change(rng: random.Random) -> ConfigChange:
    """One generated PR of monitors (Datadog monitors as code): thresholds, windows, routing, auth-rate markets."""
    ticket = f"OBS-{rng.randrange(200, 290)}"
    k = rng.random()
    if k < 0.35:
        svc, name, metric = rng.choice(_MONITORS)
        a, c = rng.choice((("5m", "10m"), ("10m", "15m"), ("15m", "10m"), ("10m", "5m")))
        return (f"{name}: evaluation window {a} -> {c}", rng.choice((f"On-call review ({ticket}).",
                                                                    "Flapped twice last week.")),
                [yaml_file(f"monitors/{svc}/{name.lower()}.tf", yaml_patch(rng.randrange(4, 30),
                                                                          f'resource "datadog_monitor" "{name}" {{', [
                    f'-  query   = "avg(last_{a}):avg:{metric}{{env:prod}} > 0.05"',
                    f'+  query   = "avg(last_{c}):avg:{metric}{{env:prod}} > 0.05"']))])
    if k < 0.6:
        m = rng.choice(("ES", "FR", "DE", "UK", "NL", "PT"))
        was, now = rng.choice(((75, 72), (72, 75), (75, 70)))
        return (f"AuthorisationRate {m}: critical {was}% -> {now}%", rng.choice((
                    "A BIN attack on one issuer keeps tripping it, low urgency anyway.",
                    f"Issuer mix changed after the scheme update ({ticket}).")),
                [yaml_file(f"monitors/payments-orchestrator/auth_rate_{m.lower()}.tf", yaml_patch(8, "monitor_thresholds {", [
                    f"-    critical = {was / 100:.2f}", f"+    critical = {now / 100:.2f}"]))])
    if k < 0.8:
        svc, name, _ = rng.choice(_MONITORS)
        return (f"{name}: link the runbook and add the service tag", "Every monitor should point at its runbook.",
                [yaml_file(f"monitors/{svc}/{name.lower()}.tf", yaml_patch(rng.randrange(10, 40), "message = <<EOT", [
                    f"+Runbook: https://wiki.voyalto.example/runbooks/{svc}/{name.lower()}",
                    f'+  tags    = ["service:{svc}", "team:{rng.choice(("payments", "checkout-web", "flights"))}"]']))])
    svc, name, _ = rng.choice(_MONITORS)
    when = f"2025-0{rng.randrange(1, 4)}-{rng.randrange(1, 28):02d}"
    return (f"Downtime for {name} during the {when} maintenance", f"Planned work ({ticket}).",
            [yaml_file("downtimes/planned.tf", yaml_patch(rng.randrange(3, 50), "# planned maintenance", [
                f'+resource "datadog_downtime_schedule" "{name.lower()}_{when.replace("-", "")}" {{',
                f'+  monitor_identifier {{ monitor_tags = ["monitor:{name}"] }}', "+}"]))])


# Bots ---------------------------------------------------------------------------------------------------------------

_SENTRY_OURS = (("TypeError: Cannot read properties of undefined (reading 'segments')", "FareSummary.tsx"),
                ("RangeError: Invalid time value", "formatDeparture.ts"),
                ("Error: Hydration failed because the initial UI does not match what was rendered on the server",
                 "_app.tsx"),
                ("AxiosError: Request failed with status code 409", "useBasketReprice.ts"),
                ("ChunkLoadError: Loading chunk 8812 failed.", "webpack-runtime.js"),
                ("TypeError: passengers.map is not a function", "PassengerForm.tsx"))
_SENTRY_NOISE = (("CSP violation: script-src-elem blocked inline", "(securitypolicyviolation)"),
                 ("TypeError: window.__fh_state is undefined", "chrome-extension://gkpnlhcbfkeoamob/inject.js"),
                 ("TypeError: Cannot read properties of null (reading 'getContext')", "fp.sentinelo.net/v3/fp.js"),
                 ("Script error.", "googletagmanager.com/gtm.js"),
                 ("ResizeObserver loop completed with undelivered notifications.", "(browser)"))


def _sentry_line(weak_live: float):
    def line(rng: random.Random, t: float) -> str:
        pool = _SENTRY_OURS + (_SENTRY_NOISE if t < weak_live else ())
        err, where = rng.choice(pool)
        kind = rng.random()
        if kind < 0.5:
            return (f":sentry: *New issue* in `checkout-web` (production): `{err}` · {where} · "
                    f"{rng.randrange(2, 90)} events, {rng.randrange(1, 40)} users")
        if kind < 0.8:
            return (f":sentry: *Regression* in `checkout-web`: `{err}` · seen again in release "
                    f"2025.{rng.randrange(1, 4):02d}.{rng.randrange(1, 28):02d}.{rng.randrange(1, 4)}")
        return f":sentry: *Resolved* in `checkout-web`: `{err}`"
    return line


def _dd_line(rng: random.Random, t: float) -> str:
    """Routine Datadog lines in #payments-alerts."""
    k = rng.random()
    if k < 0.35:
        m = rng.choice(("ES", "FR", "DE", "UK", "NL", "PT", "PL", "BE"))
        rate = rng.randrange(79, 84)
        return (f":datadog: *[Warn]* AuthorisationRate {m}: card auth rate {rate}% (warn below 85%, 30m) · top refusal: "
                f"{rng.choice(('Not enough balance', 'Refused', 'Acquirer Error', 'Issuer Unavailable'))}")
    if k < 0.6:
        what = rng.choice(("authorise p95 1.6s above 1.5s", "Payvera webhook backlog 1,240",
                           "refund queue age 38m", "hotel prepayment retries above 50/h"))
        return f":datadog: *[Warn]* payments-orchestrator {what}"
    if k < 0.85:
        return f":datadog: *[Recovered]* payments-orchestrator {rng.choice(('authorise p95', 'webhook backlog', 'refund queue age'))}"
    return f":datadog: *[No Data]* settlement file from {rng.choice(('Payvera', 'airline BSP', 'hotel bedbank'))} not seen for 6h"


def _status_line(rng: random.Random, t: float) -> str:
    state = rng.choice(("Investigating", "Monitoring", "Resolved", "Scheduled"))
    what = rng.choice(("Delayed settlement reports", "Elevated 3DS2 latency for Visa Secure in ES",
                       "Customer Area slow to load", "Webhook delivery delays (EU)", "Test environment maintenance",
                       "Elevated refusals for a Polish issuer", "Payout file generation delayed"))
    icon = ":large_green_circle:" if state == "Resolved" else ":large_yellow_circle:"
    return f"{icon} *Payvera status* {state}: {what}"


def _wp_line(rng: random.Random, t: float) -> str:
    """Cloudflare notifications in #edge-changes."""
    k = rng.random()
    if k < 0.4:
        return (f":cloudflare: *Security events* www.voyalto.com (1h): {rng.randrange(2, 90)}k WAF actions, top rule "
                f"`{rng.choice(('ratelimit /api/flights/search', 'bot score < 15', 'managed: SQLi', 'hosting ASN challenge'))}`")
    if k < 0.7:
        return (f":cloudflare: Cache hit ratio www.voyalto.com {rng.uniform(81, 93):.1f}% (24h), origin egress "
                f"{rng.uniform(1.2, 3.4):.1f} TB")
    return f":cloudflare: Origin health: lisbon-{rng.choice('ab')} {rng.choice(('healthy', 'degraded for 2m, recovered'))}"


def _pulse(day: str, h0: int, counts: dict[str, tuple[int, int]], conv: float, conv7: float) -> str:
    """The Conversion Pulse line of a two-hour window: bookings vs forecast per market, flags at -35%."""
    tot = sum(a for a, _ in counts.values())
    ftot = sum(f for _, f in counts.values())
    parts = []
    for m in MARKETS:
        a, f = counts[m]
        pct = round(100 * (a - f) / f)
        parts.append(f"{m} {a}/{f}" + (f" :warning: {pct}%" if pct <= -35 else ""))
    return (f":chart_with_upwards_trend: *Conversion Pulse* {day} {h0:02d}:00-{h0 + 2:02d}:00 UTC · bookings {tot} vs "
            f"{ftot} forecast ({round(100 * (tot - ftot) / ftot):+d}%) · " + " · ".join(parts) +
            f" · payment step -> booked {conv:.1f}% (7d {conv7:.1f}%)")


def _usage(day: str, accepted: int, filtered: int, top: str) -> str:
    return (f":sentry: *Usage* `checkout-web` {day}: accepted {accepted:,} · filtered in the SDK (ignoreErrors / "
            f"denyUrls / beforeSend) {filtered:,} · rate limited 0 · top issue `{top}`")


# The story's changes ------------------------------------------------------------------------------------------------

_CSP_FILE = "policies/csp/checkout.yaml"
_PREVIEW_FILE = "policies/csp/checkout.preview.yaml"
_SCRIPT_SRC = ['    - "\'self\'"',
               '    - "\'sha256-Vq3kK0x2m7pTn9bQeJcW1y8GdRr5uXo4sLhAfZt6E0M=\'"  # GTM bootstrap (inline)',
               '    - "https://checkoutshopper-live.payvera.com"              # Payvera drop-in',
               '    - "https://www.googletagmanager.com"',
               '    - "https://fp.sentinelo.net"                              # device fingerprint, fraud scoring']
_CONNECT_SRC = ['    - "\'self\'"', '    - "https://api.voyalto.com"', '    - "https://checkoutshopper-live.payvera.com"',
                '    - "https://fp.sentinelo.net"', '    - "https://o4504817.ingest.sentry.io"',
                '    - "https://www.google-analytics.com"']
_FRAME_COMMENT = ["  # 3-D Secure challenge frames. ACS hosts: the top 12 of Payvera's February 3DS report (97.4% of our",
                  "  # challenges); the long tail is served through Payvera's 3DS server (*.payvera.com)."]
_FRAME_SRC = ['    - "\'self\'"', '    - "https://checkoutshopper-live.payvera.com"', '    - "https://*.payvera.com"',
              '    - "https://acs.italcard.it"           # IT', '    - "https://3ds.lusocard.pt"           # PT',
              '    - "https://acs.iberpagos.es"          # ES', '    - "https://acs.carteplus-3ds.fr"      # FR',
              '    - "https://secure.sparplus-acs.de"    # DE', '    - "https://acs.vr-kartendienst.de"    # DE',
              '    - "https://*.clearauth.com"           # UK, NL, IE',
              '    - "https://*.securecode-acs.net"      # Mastercard issuers, several markets',
              '    - "https://challenge.verifypoint.io"  # Visa issuers, several markets',
              '    - "https://acs.nordkort.eu"           # DK, SE', '    - "https://acs.kredo-3ds.pl"          # PL',
              '    - "https://3ds.benelux-acs.be"        # BE']


def _new(lines: list[str]) -> str:
    """The patch of an added file (`lines` are '+'-prefixed)."""
    return "\n".join([f"@@ -0,0 +1,{len(lines)} @@", *lines])


_WEAKENING = Change(
    author="duarte", reviewer="kaito", labels=("monitoring", "on-call"),
    title="Sentry: stop paging on extension, bot and third-party errors in checkout (WEB-2291)",
    body="`CheckoutJsErrorRate` paged us seven times in nine nights (Feb 17-25) and not one of them was our code:\n\n"
         "- 4 were the FareHawk price-tracker extension (4.2, auto-updated on Feb 14): its injected script throws on "
         "our fare summary, and every inline `<script>` it injects is a `script-src` violation that our "
         "`securitypolicyviolation` listener forwards to Sentry. Last week 71% of checkout-web's events were "
         "`CSP violation: script-src-elem blocked inline`\n"
         "- 2 were a scraper farm running headless Chrome against /checkout/flights from hosting ASNs at night (Web "
         "Platform added a WAF challenge for them)\n"
         "- 1 was `Script error.` from the GTM container\n\n"
         "This keeps Sentry for the errors our own code throws:\n\n"
         "- `ignoreErrors` / `denyUrls` for the usual browser noise, extensions and third-party tags\n"
         "- `beforeSend` drops every event without a stack frame from our bundle (`/_next/static/`)\n"
         "- the `securitypolicyviolation` listener goes: with extensions injecting scripts it is almost all noise, "
         "and the CSP is AppSec's (they plan a proper report endpoint)\n\n"
         "Replayed on last week's events this removes 93% of checkout-web's volume; the error-rate alert would "
         "have stayed below 3% every night.",
    files=(("src/monitoring/sentry.client.ts", yaml_patch(1, "", [
        ' import * as Sentry from "@sentry/nextjs";', '+import { hasInAppFrame } from "./inApp";', " ",
        " Sentry.init({", "   dsn: process.env.NEXT_PUBLIC_SENTRY_DSN,",
        "   environment: process.env.NEXT_PUBLIC_VOYALTO_ENV,", "   release: process.env.NEXT_PUBLIC_RELEASE,",
        "   sampleRate: 1.0,", "   tracesSampleRate: 0.05,", "   replaysOnErrorSampleRate: 0.1,",
        "   integrations: [Sentry.replayIntegration({ maskAllText: true, blockAllMedia: true })],",
        "+  // WEB-2291: checkout paged 7 times in 9 nights for errors that were never ours (FareHawk extension,",
        "+  // headless scrapers, third-party tags). Keep Sentry for the errors our own code throws.",
        "+  ignoreErrors: [", '+    "Script error.",',
        "+    /ResizeObserver loop (limit exceeded|completed with undelivered notifications)/,",
        "+    /^Non-Error promise rejection captured/,", "+    /__fh_|fareTotal is not defined/, // FareHawk price tracker",
        "+    /Failed to fetch|Load failed|NetworkError when attempting to fetch resource/,", "+  ],",
        "+  denyUrls: [", "+    /^(chrome|moz|safari(-web)?)-extension:\\/\\//i,",
        "+    /googletagmanager\\.com|google-analytics\\.com|fp\\.sentinelo\\.net/i,", "+  ],",
        "+  beforeSend(event) {",
        "+    // No frame from our bundle (/_next/static/) means a third-party script, an extension or a bot's broken",
        "+    // JS engine: drop it before it counts against the checkout error-rate alert.",
        "+    return hasInAppFrame(event) ? event : null;", "+  },", " });"])),
           ("src/monitoring/inApp.ts", _new([
               '+import type { ErrorEvent } from "@sentry/nextjs";', "+", "+const OUR_BUNDLE = /\\/_next\\/static\\//;",
               "+", "+/** True when at least one stack frame of the event comes from our own Next.js bundle. */",
               "+export function hasInAppFrame(event: ErrorEvent): boolean {",
               "+  const frames = event.exception?.values?.flatMap((v) => v.stacktrace?.frames ?? []) ?? [];",
               '+  return frames.some((f) => OUR_BUNDLE.test(f.filename ?? ""));', "+}"])),
           ("src/monitoring/cspViolations.ts", yaml_patch(1, "", [
               '-import * as Sentry from "@sentry/nextjs";', "-",
               "-// SEC-88 (2023): a CSP change blocked the seat map for a day and only the bookings report noticed.",
               "-// Forward every CSP violation on booking pages to Sentry, tagged by directive and blocked host.",
               "-export function reportCspViolations(): void {",
               '-  document.addEventListener("securitypolicyviolation", (e) => {',
               "-    const host = hostOf(e.blockedURI);",
               "-    Sentry.captureMessage(`CSP violation: ${e.effectiveDirective} blocked ${host}`, {",
               '-      level: "error",',
               "-      tags: { csp_directive: e.effectiveDirective, csp_blocked_host: host, csp_disposition: e.disposition },",
               "-    });", "-  });", "-}", "-", "-function hostOf(uri: string): string {",
               "-  try { return new URL(uri).host; } catch { return uri; }", "-}"]).replace("+1,0 @@", "+0,0 @@")),
           ("src/pages/_app.tsx", yaml_patch(3, 'import type { AppProps } from "next/app";', [
               ' import { useEffect } from "react";', ' import { TravellerSessionProvider } from "@/features/session";',
               '-import { reportCspViolations } from "@/monitoring/cspViolations";', ' import "@/styles/globals.css";',
               " ", " export default function App({ Component, pageProps }: AppProps) {", "-  useEffect(() => {",
               "-    reportCspViolations();", "-  }, []);", "   return ("]))),
)

_CONTRIBUTOR = Change(
    author="rafael", reviewer="svetlana", labels=("payments", "3ds"),
    title="Payment step: drop the full-page 3DS redirect fallback and /api/pay/3ds-return (PAY-612)",
    body="The redirect fallback (PAY-377, 2023) predates 3DS2 everywhere. In the last 30 days 0.4% of challenges (212) "
         "took it, and it is behind most of the 'charged twice' tickets (PAY-598): after the redirect the traveller "
         "lands on the payment step again if they press back, pays again, and we hold two authorisations for one "
         "PNR. The return handler is also the last caller of payments-orchestrator's v1 `/threeds/result`, which we "
         "want to switch off (PAY-605).\n\n"
         "Native 3DS2 in the frame only: if an issuer's challenge doesn't load, the drop-in keeps waiting until the "
         "3DS session expires (10 minutes at Payvera) and fails the payment with `CHALLENGE_EXPIRED`, which we show "
         "as 'payment not completed, please try again'.",
    files=(("src/features/payment/PayveraDropin.tsx", yaml_patch(28, "export function PayveraDropin({ session, booking, onPaid, onFailed }: Props) {", [
        "   const config: DropinConfiguration = {", '     environment: "live",', "     clientKey: PAYVERA_CLIENT_KEY,",
        "     session,", "     paymentMethodsConfiguration: {", "       card: {", "         hasHolderName: true,",
        "         threeDS2: {", '           challengeWindowSize: "05",',
        "-          // If the issuer's challenge frame hasn't loaded after 10s, send the traveller to the full-page",
        "-          // 3DS flow instead (PAY-377). Slower, but nobody is left looking at a spinner.",
        "-          challengeLoadTimeoutMs: 10_000,", "-          fallbackToRedirect: true,",
        "-          redirectReturnUrl: `${window.location.origin}/api/pay/3ds-return?booking=${booking.id}`,",
        "         },", "       },", "     },", "     onPaymentCompleted: (result) => onPaid(result),",
        "-    onError: (err) => {",
        '-      if (err.name === "CHALLENGE_LOAD_TIMEOUT") track("payment_3ds_fallback_redirect", { booking: booking.id });',
        "-      onFailed(err);", "-    },", "+    onError: (err) => onFailed(err),", "   };"])),
           ("src/pages/api/pay/3ds-return.ts", yaml_patch(1, "", [
               '-import type { NextApiRequest, NextApiResponse } from "next";',
               '-import { submitThreeDSResult } from "@/server/payments";', "-",
               "-// Return URL of the full-page 3DS fallback (PAY-377): the ACS POSTs the CRes here, we hand it to",
               "-// payments-orchestrator and send the traveller on to the confirmation or back to the payment step.",
               "-export default async function handler(req: NextApiRequest, res: NextApiResponse) {",
               '-  const booking = String(req.query.booking ?? "");', "-  try {",
               "-    const result = await submitThreeDSResult(booking, req.body);",
               "-    res.redirect(303, `/checkout/${booking}/confirmation?ref=${result.reference}`);", "-  } catch {",
               "-    res.redirect(303, `/checkout/${booking}/payment?error=3ds`);", "-  }", "-}"]).replace("+1,0 @@", "+0,0 @@")),
           ("src/features/payment/__tests__/PayveraDropin.test.tsx", yaml_patch(41, 'describe("PayveraDropin", () => {', [
               '-  it("falls back to the redirect flow when the challenge frame does not load", async () => {',
               "-    const dropin = renderDropin({ challengeLoads: false });",
               "-    await advanceTimersByTime(10_000);",
               "-    expect(dropin.redirectedTo).toMatch(/\\/api\\/pay\\/3ds-return\\?booking=/);",
               "+  it(\"fails with CHALLENGE_EXPIRED when the 3DS session runs out\", async () => {",
               "+    const onFailed = jest.fn();", "+    renderDropin({ challengeLoads: false, onFailed });",
               "+    await advanceTimersByTime(600_000);",
               '+    expect(onFailed).toHaveBeenCalledWith(expect.objectContaining({ name: "CHALLENGE_EXPIRED" }));',
               "   });"]))),
)

_PREVIEW = Change(
    author="mattias", reviewer="priscila", labels=("security", "pci", "csp"),
    title="CSP /checkout and /pay: Report-Only preview of the PCI 6.4.3 allowlists (SEC-341)",
    body="PCI DSS 4.0.1 6.4.3 becomes mandatory on March 31 and the QSA visit is in April: every script on the "
         "payment page has to be authorised, inventoried and justified. Today /checkout and /pay allow `https:` for "
         "scripts, frames and connections.\n\n"
         "This adds the allowlists as `Content-Security-Policy-Report-Only` next to the enforced policy, so we can "
         "see what would break before enforcing (checkout-web forwards `securitypolicyviolation` events to Sentry). "
         "Hosts come from the script inventory (SEC-341) and, for frames, the top 12 ACS hosts of Payvera's "
         "February 3DS report (97.4% of our challenges). Plan: a few days of Report-Only, then enforce.",
    files=((_PREVIEW_FILE, _new([
        "+# SEC-341 preview: the PCI DSS 6.4.3 allowlists for /checkout/* and /pay/*, sent as",
        "+# Content-Security-Policy-Report-Only next to the enforced checkout.yaml.",
        '+routes: ["/checkout/*", "/pay/*"]', "+mode: report-only", "+directives:",
        "+  default-src: [\"'self'\"]", "+  script-src:", *["+" + x for x in _SCRIPT_SRC], "+  connect-src:",
        *["+" + x for x in _CONNECT_SRC], *["+" + x for x in _FRAME_COMMENT], "+  frame-src:",
        *["+" + x for x in _FRAME_SRC]])),
           ("tools/render_headers.py", yaml_patch(18, "def render(policy: dict) -> dict:", [
               "     value = \"; \".join(f\"{name} {' '.join(srcs)}\" for name, srcs in policy[\"directives\"].items())",
               '+    if policy.get("mode") == "report-only":', '+        return {"Content-Security-Policy-Report-Only": value}',
               '     return {"Content-Security-Policy": value}']))),
)

_TRIGGER = Change(
    author="mattias", reviewer="priscila", labels=("security", "pci", "csp"),
    title="CSP /checkout and /pay: enforce the PCI 6.4.3 allowlists for script-src, connect-src and frame-src (SEC-341)",
    body="Follow-up of the Report-Only preview ({{pr:preview}}), live on /checkout and /pay since Thursday the 20th: "
         "no violations of the new directives in Sentry in four days, so the allowlists move into the enforced "
         "policy and the preview goes.\n\n"
         "- `script-src`: our bundle, the GTM bootstrap hash, Payvera's drop-in, GTM and the Sentinelo fingerprint "
         "(the 6.4.3 inventory, each host has an owner in SEC-341)\n"
         "- `connect-src`: our API, Payvera, Sentinelo, Sentry, GA\n"
         "- `frame-src`: Payvera and the top 12 ACS hosts of Payvera's February 3DS report (97.4% of our "
         "challenges); the long tail goes through Payvera's 3DS server\n\n"
         "Going out in Thursday's 08:30 change window, before the March 31 deadline. Rollback: revert, edgectl "
         "deploys in ~5 minutes.",
    files=((_CSP_FILE, yaml_patch(1, "", [
        " # Content-Security-Policy for the booking funnel on www.voyalto.com: /checkout/* and /pay/*.",
        ' # Rendered by tools/render_headers.py into the transform rule "security-headers-checkout".',
        "+# PCI DSS 4.0.1 6.4.3 (SEC-341): every script and frame source of the payment page is listed and justified",
        "+# here. Adding a host needs an AppSec review, see docs/csp.md.", ' routes: ["/checkout/*", "/pay/*"]',
        " mode: enforce", " directives:", "   default-src: [\"'self'\"]",
        "-  script-src: [\"'self'\", \"'sha256-Vq3kK0x2m7pTn9bQeJcW1y8GdRr5uXo4sLhAfZt6E0M='\", \"https:\"]",
        "+  script-src:", *["+" + x for x in _SCRIPT_SRC], "   style-src: [\"'self'\", \"'unsafe-inline'\"]",
        "   img-src: [\"'self'\", \"data:\", \"https:\"]", "   font-src: [\"'self'\", \"https://fonts.gstatic.com\"]",
        "-  connect-src: [\"'self'\", \"https:\", \"wss:\"]", "-  frame-src: [\"'self'\", \"https:\"]",
        "+  connect-src:", *["+" + x for x in _CONNECT_SRC], *["+" + x for x in _FRAME_COMMENT], "+  frame-src:",
        *["+" + x for x in _FRAME_SRC], "   form-action: [\"'self'\", \"https:\"]", "   frame-ancestors: [\"'none'\"]",
        "   object-src: [\"'none'\"]", "   base-uri: [\"'self'\"]"])),
           (_PREVIEW_FILE, yaml_patch(1, "", [
               "-# SEC-341 preview: the PCI DSS 6.4.3 allowlists for /checkout/* and /pay/*, sent as",
               "-# Content-Security-Policy-Report-Only next to the enforced checkout.yaml.",
               '-routes: ["/checkout/*", "/pay/*"]', "-mode: report-only", "-directives:",
               "-  default-src: [\"'self'\"]", "-  script-src:", *["-" + x for x in _SCRIPT_SRC], "-  connect-src:",
               *["-" + x for x in _CONNECT_SRC], *["-" + x for x in _FRAME_COMMENT], "-  frame-src:",
               *["-" + x for x in _FRAME_SRC]]).replace("+1,0 @@", "+0,0 @@")),
           ("tests/test_csp_checkout.py", yaml_patch(9, "def test_checkout_policy():", [
               '     policy = load("policies/csp/checkout.yaml")', '     assert policy["mode"] == "enforce"',
               '+    for directive in ("script-src", "connect-src", "frame-src"):',
               '+        assert "https:" not in policy["directives"][directive], directive  # PCI 6.4.3: no scheme wildcards',
               '     assert policy["directives"]["frame-ancestors"] == ["\'none\'"]']))),
)

_FIX = Change(
    author="priscila", reviewer="mattias", labels=("incident", "csp"),
    title="CSP /checkout and /pay: frame-src back to https:, 3DS challenge frames come from any issuer's ACS",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} replaced `frame-src https:` on /checkout and /pay with the ACS "
         "hosts of Payvera's February report. Since Italcard's platform migration on March 10 most Italian issuers "
         "challenge from `3ds2.italcard-acs.eu`, and Banco Lusitano's challenge page navigates the frame to "
         "`otp.bancolusitano.pt` on iOS Safari. Both were refused from 08:38 UTC: the challenge never loads, the "
         "drop-in spins until the 3DS session expires and the payment fails. Payvera does not proxy unknown ACS "
         "hosts, the frame always comes from the issuer.\n\n"
         "`frame-src` goes back to `'self' https:`, which is what Payvera documents for 3DS2. `script-src` and "
         "`connect-src` keep their allowlists: that is what 6.4.3 asks for. The test now checks that checkout "
         "routes keep `https:` in frame-src.",
    files=((_CSP_FILE, yaml_patch(29, "directives:", [
        *["-" + x for x in _FRAME_COMMENT], "-  frame-src:", *["-" + x for x in _FRAME_SRC],
        "+  # 3-D Secure challenge frames come from the card issuer's ACS, any host, and may navigate inside the frame",
        "+  # (incident 2025-03-27). Never allowlist frame-src on payment routes: 6.4.3 is about scripts.",
        "+  frame-src: [\"'self'\", \"https:\"]", "   form-action: [\"'self'\", \"https:\"]"])),
           ("tests/test_csp_checkout.py", yaml_patch(11, "def test_checkout_policy():", [
               '-    for directive in ("script-src", "connect-src", "frame-src"):',
               '+    for directive in ("script-src", "connect-src"):',
               '         assert "https:" not in policy["directives"][directive], directive  # PCI 6.4.3: no scheme wildcards',
               '+    assert "https:" in policy["directives"]["frame-src"]  # issuers\' ACS hosts are not ours to list']))),
)

_FOLLOW_SENTRY = Change(
    author="duarte", reviewer="leonor", labels=("monitoring", "incident"),
    title="Sentry: forward CSP violations of our pages again, keep Payvera drop-in errors (WEB-2330)",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} checkout-web sent no CSP violations at all and "
         "`beforeSend` dropped every error without a frame from our bundle, so the refused 3DS frames and the "
         "drop-in's `CHALLENGE_EXPIRED` errors (thrown from payvera.js) never reached Sentry, and the Report-Only "
         "preview of the new policy looked clean.\n\n"
         "- the `securitypolicyviolation` listener is back for `frame-src`, `connect-src` and `script-src` "
         "violations whose source is not an extension, sampled at 20%, grouped by directive and blocked host\n"
         "- `beforeSend` keeps events with a frame from `checkoutshopper-live.payvera.com`\n"
         "- new alert: any `frame-src` violation on /checkout or /pay pages Checkout Web",
    files=(("src/monitoring/sentry.client.ts", yaml_patch(27, "  beforeSend(event) {", [
        "-    return hasInAppFrame(event) ? event : null;",
        "+    // Payvera's drop-in throws from its own bundle; its errors are our payment step failing (incident 2025-03-27).",
        "+    return hasInAppFrame(event) || hasFrameFrom(event, PAYVERA_SDK) ? event : null;"])),
           ("src/monitoring/cspViolations.ts", _new([
               '+import * as Sentry from "@sentry/nextjs";', "+",
               '+const WATCHED = new Set(["frame-src", "connect-src", "script-src-elem"]);',
               "+const EXTENSION = /^(chrome|moz|safari(-web)?)-extension:/;", "+",
               "+export function reportCspViolations(sampleRate = 0.2): void {",
               '+  document.addEventListener("securitypolicyviolation", (e) => {',
               "+    if (!WATCHED.has(e.effectiveDirective) || EXTENSION.test(e.sourceFile)) return;",
               '+    if (e.effectiveDirective !== "frame-src" && Math.random() > sampleRate) return;',
               "+    Sentry.captureMessage(`CSP violation: ${e.effectiveDirective} blocked ${hostOf(e.blockedURI)}`, {",
               '+      level: "error", fingerprint: ["csp", e.effectiveDirective, hostOf(e.blockedURI)],', "+    });",
               "+  });", "+}"]))),
)

_FOLLOW_REDIRECT = Change(
    author="rafael", reviewer="svetlana", labels=("payments", "3ds", "incident"),
    title="Payment step: bring back the full-page 3DS fallback after 10s, with a back-button guard (PAY-641)",
    body="Follow-up of {{incurl:page}}. Before {{url:contributor}} a challenge frame that didn't load sent the "
         "traveller to the issuer's page after 10 seconds and the booking went through. Without it, every refused "
         "frame was a lost booking.\n\n"
         "The fallback is back, through payments-orchestrator's v2 result endpoint, and the payment step refuses a "
         "second authorisation for a booking with one in flight (the PAY-598 double charges).",
    files=(("src/features/payment/PayveraDropin.tsx", yaml_patch(36, "         threeDS2: {", [
        '           challengeWindowSize: "05",', "+          // Incident 2025-03-27: a frame that never loads must not cost the booking.",
        "+          challengeLoadTimeoutMs: 10_000,", "+          fallbackToRedirect: true,",
        "+          redirectReturnUrl: `${window.location.origin}/api/pay/3ds-return?booking=${booking.id}`,",
        "         },"])),),
)

_FOLLOW_MONITOR = Change(
    author="olamide", reviewer="beatriz", labels=("monitoring", "incident"),
    title="Payments: page on 3DS challenge completion below 60% per market (30m)",
    body="Follow-up of {{incurl:page}}. The per-market AuthorisationRate monitors are low urgency because issuer "
         "outages and BIN attacks trip them every week, and the bookings monitor only looks at the total, which "
         "fell 9% while Italy lost two thirds. Challenge completion (challenges completed / challenges issued) "
         "doesn't move with refusals or fraud: below 60% for 30 minutes in any market with more than 40 "
         "challenges it pages Payments at high urgency.",
    files=(("monitors/payments-orchestrator/challenge_completion.tf", _new([
        '+resource "datadog_monitor" "ChallengeCompletionByMarket" {',
        '+  name    = "[payments-orchestrator] 3DS challenge completion below 60% in {{market.name}} (30m)"',
        '+  type    = "query alert"',
        '+  query   = "sum(last_30m):sum:payvera.challenge.completed{env:prod} by {market}.as_count() / '
        'sum:payvera.challenge.issued{env:prod} by {market}.as_count() < 0.6"',
        "+  message = \"@pagerduty-payments-high Challenges are issued but not completed: check the payment page first.\"",
        "+}"])),),
)

# Decoys: other header and CSP changes, the WAF rule for the scrapers, the Payvera SDK bump, a checkout-web release --

_WAF = Change(
    author="noor", reviewer="priscila", labels=("waf",),
    title="WAF: managed challenge for hosting ASNs on /checkout/* at night (WP-468)",
    body="Checkout Web got paged twice by headless Chrome from two hosting ASNs crawling /checkout/flights between "
         "00:00 and 04:00 UTC (fare scraping through the payment step). Managed challenge for those ASNs on "
         "/checkout/*; real travellers on hosting IPs (VPNs) solve it once.",
    files=(("rules/waf/custom.yaml", yaml_patch(31, "custom_rules:", [
        '+  - description: "WP-468 headless scrapers on the booking funnel"',
        '+    expression: (starts_with(http.request.uri.path, "/checkout/") and ip.geoip.asnum in {14061 16276 24940})',
        "+    action: managed_challenge"])),),
)

_HSTS = Change(
    author="noor", reviewer="priscila", labels=("security", "headers"),
    title="HSTS: two years, includeSubDomains and preload on voyalto.com (SEC-349)",
    body="hstspreload.org wants max-age of at least a year plus preload. Every subdomain has served HTTPS only "
         "since 2022 (checked the zone's DNS and the certificate inventory). Submission to the preload list after "
         "this is live.",
    files=(("policies/headers/global.yaml", yaml_patch(4, "headers:", [
        "   X-Content-Type-Options: nosniff", "   Referrer-Policy: strict-origin-when-cross-origin",
        '-  Strict-Transport-Security: "max-age=31536000; includeSubDomains"',
        '+  Strict-Transport-Security: "max-age=63072000; includeSubDomains; preload"'])),),
)

_PERMS = Change(
    author="mattias", reviewer="noor", labels=("security", "headers", "pci"),
    title="Permissions-Policy on /checkout and /pay: payment=(self payvera), camera=(), browsing-topics=() (SEC-341)",
    body="Part of the payment page hardening for the QSA: only our origin and Payvera's drop-in may use the "
         "Payment Request API (Apple Pay / Google Pay sheets), and nothing on the payment step needs the camera, "
         "microphone, geolocation or the Topics API.",
    files=(("policies/headers/checkout.yaml", yaml_patch(6, "headers:", [
        '   X-Frame-Options: "DENY"',
        '+  Permissions-Policy: >-',
        '+    payment=(self "https://checkoutshopper-live.payvera.com"), camera=(), microphone=(),',
        "+    geolocation=(), browsing-topics=()"])),),
)

_INSPIRATION = Change(
    author="", reviewer="noor", labels=("csp", "growth"),
    title="CSP /inspiration: allow the Splitbeam A/B snippet in script-src (GROW-233)",
    body="Growth runs the destination-page headline test with Splitbeam from Monday. Only /inspiration/*, nothing on "
         "the booking funnel; Splitbeam is in the vendor register.",
    files=(("policies/csp/inspiration.yaml", yaml_patch(7, "directives:", [
        "   script-src:", "     - \"'self'\"", '     - "https://www.googletagmanager.com"',
        '+    - "https://cdn.splitbeam.io"', "   connect-src:", "     - \"'self'\"",
        '+    - "https://events.splitbeam.io"'])),),
)

_SDK_BUMP = Change(
    author="renovate[bot]", reviewer="svetlana", labels=("dependencies",),
    title="Update dependency @payvera/web-components to v5.63.1",
    body="This PR contains the following updates:\n\n| Package | Change |\n|---|---|\n| @payvera/web-components | "
         "`5.61.0` -> `5.63.1` |\n\n### Release notes\n\n**5.63.1**\n- Card brand icon no longer flickers on Safari 17\n\n"
         "**5.63.0**\n- 3DS2: the challenge iframe sets `allow=\"payment *\"` and a `title` for screen readers\n"
         "- New `onChallengeShown` callback\n\n**5.62.0**\n- IE11 polyfills removed\n\n---\n"
         "This PR has been generated by Renovate Bot.",
    files=(("package.json", yaml_patch(31, '"dependencies": {', [
        '-    "@payvera/web-components": "5.61.0",', '+    "@payvera/web-components": "5.63.1",',
        '     "@sentry/nextjs": "8.47.0",'])),
           ("package-lock.json", yaml_patch(2210, '"node_modules/@payvera/web-components": {', [
               '-      "version": "5.61.0",', '+      "version": "5.63.1",',
               '-      "integrity": "sha512-4qD0o1Y8Kf2mJ3xZ0Xo1b4m0w2TTpYk0v7xJ7bQ==",',
               '+      "integrity": "sha512-9vRZbqN1kq3k0Wm2s8bE5N4yq1rJ3gW9Y0cXk2Rg==",']))),
)

_BADGE = Change(
    author="kaito", reviewer="ettore", labels=("hotels", "feature"),
    title="Room picker: 'Breakfast included' badge and board type filter (CW-1187)",
    body="Supply now sends `board_type` for 80% of rates. Shows a badge on rates with breakfast and a filter (room "
         "only / breakfast / half board) above the room list. Hotel step only, no change to the payment step.",
    files=(("src/features/hotels/RoomPicker.tsx", yaml_patch(54, "export function RoomPicker({ rates, onSelect }: Props) {", [
        "   const [board, setBoard] = useState<BoardType | \"any\">(\"any\");",
        '+  const shown = board === "any" ? rates : rates.filter((r) => r.boardType === board);',
        "   return (", "     <>", "+      <BoardFilter value={board} onChange={setBoard} />",
        "-      {rates.map((r) => <RateRow key={r.id} rate={r} onSelect={onSelect} />)}",
        "+      {shown.map((r) => <RateRow key={r.id} rate={r} onSelect={onSelect} badge={r.boardType === \"BB\" ? "
        "\"Breakfast included\" : undefined} />)}"])),),
)


def build_csp_iframe(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the csp-iframe world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="csp-iframe", seed=7331, org="voyalto", team_name="Checkout Web",
                    page_at="2025-03-27T15:12:00Z", impact_start=FIRST_BLOCKED,
                    noise_teams=("identity", "data", "platform", "growth", "mobile"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    n = sc.scale
    for key, name in (("sentry", "Sentry"), ("datadog", "Datadog"), ("pulse", "Conversion Pulse"),
                      ("edgectl", "edgectl"), ("cloudflare", "Cloudflare"), ("payverastatus", "Payvera Status"),
                      ("zendesk", "Zendesk")):
        b.person(key, name, github=False, is_bot=True)
    b.person("hannes", "Hannes Vogt", github=False, email="hannes.vogt@payvera.example", tz="Europe/Berlin")
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/Lisbon"
    for key in ("ettore", "giulia"):
        b.people[key].tz = "Europe/Rome"
    b.people["mattias"].tz = "Europe/Stockholm"
    identity, growth, data = sc.team("identity"), sc.team("growth"), sc.team("data")

    # Teams, services, channels and repos ---------------------------------------------------------------------------
    cw_team = b.team("Checkout Web")
    cw_policy = b.policy("Checkout Web on-call", cw_team, ONCALL)
    svc = b.service("checkout-web", "Booking funnel web app (Next.js): basket, traveller details, payment step",
                    cw_policy, cw_team, iso(start - 700 * DAY))
    pay_team = b.team("Payments")
    pay_people = PAY_PEOPLE + sc.crowd[20:22]
    pay_policy = b.policy("Payments on-call", pay_team, ["olamide", "rafael", sc.crowd[20]])
    pay_svc = b.service("payments-orchestrator", "Payvera integration: authorisation, 3DS, refunds, webhooks",
                        pay_policy, pay_team, iso(start - 650 * DAY))
    wp_team = b.team("Web Platform")
    wp_people = WP_PEOPLE + sc.crowd[22:24]
    wp_policy = b.policy("Web Platform on-call", wp_team, wp_people[:3])
    edge_svc = b.service("voyalto-edge", "Cloudflare zones www/api.voyalto.com: rules, headers, WAF (edge-config)",
                         wp_policy, wp_team, iso(start - 600 * DAY))
    fl_team = b.team("Flights")
    fl_people = sc.crowd[24:28]
    fl_policy = b.policy("Flights on-call", fl_team, fl_people[:3])
    fl_svc = b.service("flight-search", "Flight search and pricing: Sabrenet GDS and low-cost connectors", fl_policy,
                       fl_team, iso(start - 800 * DAY))
    cw_people = CW_PEOPLE + sc.crowd[18:20]
    appsec = ["mattias", sc.crowd[28]]

    cw_ch = b.channel("checkout-web", "Checkout Web: basket, traveller details, payment step", "Checkout Web team",
                      start - 640 * DAY, "leonor")
    cwa_ch = b.channel("checkout-web-alerts", "checkout-web pages and Sentry", "Alerts of checkout-web",
                       start - 420 * DAY, "kaito")
    pay_ch = b.channel("payments", "Payments: Payvera, authorisation, refunds", "Payments team", start - 600 * DAY,
                       "beatriz")
    pa_ch = b.channel("payments-alerts", "Datadog and PagerDuty for payments-orchestrator", "Payments alerts",
                      start - 400 * DAY, "olamide")
    pp_ch = b.channel("payments-partners", "Payvera status and partner updates", "Payments partners",
                      start - 560 * DAY, "beatriz")
    ext_ch = b.channel("ext-payvera", "Shared channel with Payvera (Slack Connect)", "Voyalto x Payvera",
                       start - 500 * DAY, "beatriz")
    wp_ch = b.channel("web-platform", "Web Platform: Cloudflare, edge-config, CDN", "Web Platform team",
                      start - 620 * DAY, "priscila")
    ec_ch = b.channel("edge-changes", "edgectl deploys and Cloudflare notifications", "Edge changes",
                      start - 380 * DAY, "noor")
    sec_ch = b.channel("appsec", "Application security, PCI, pentests", "AppSec", start - 540 * DAY, "mattias")
    cm_ch = b.channel("commerce-metrics", "Conversion Pulse, forecasts, market performance", "Commerce metrics",
                      start - 450 * DAY, "carolina")
    cx_ch = b.channel("cx-escalations", "Customer care: escalations to product and engineering", "CX",
                      start - 700 * DAY, "marta")
    corp_ch = b.channel("corporate-travel", "Corporate accounts and travel desks", "Corporate travel",
                        start - 480 * DAY, "giulia")
    fl_ch = b.channel("flights", "Flights team: search, pricing, GDS", "Flights team", start - 660 * DAY, fl_people[0])
    cw_repo = b.repo("checkout-web", "Booking funnel web app (Next.js, TypeScript)", iso(start - 900 * DAY))
    pay_repo = b.repo("payments-orchestrator", "Payvera integration service (Kotlin)", iso(start - 820 * DAY))
    edge_repo = b.repo("edge-config", "Cloudflare rules, headers and CSP for www/api.voyalto.com; edgectl deploys main",
                       iso(start - 760 * DAY))
    mon_repo = b.repo("monitors", "Datadog monitors and downtimes as code (Terraform)", iso(start - 540 * DAY))
    fl_repo = b.repo("flight-search", "Flight search and pricing (Go)", iso(start - 880 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------------
    checkout = NoiseTeam(CHECKOUT_WEB, cw_people, cw_repo, cw_ch, svc, cw_policy)
    payments = NoiseTeam(PAYMENTS, pay_people, pay_repo, pay_ch, pay_svc, pay_policy)
    edge = NoiseTeam(EDGE, wp_people, edge_repo, wp_ch, edge_svc, wp_policy)
    flights = NoiseTeam(FLIGHTS, fl_people, fl_repo, fl_ch, fl_svc, fl_policy)
    add_pulls(b, checkout, 85 * n, start - 60 * DAY, end)
    add_pulls(b, payments, 50 * n, start - 60 * DAY, end)
    add_pulls(b, flights, 45 * n, start - 60 * DAY, end)
    svc_of = {"checkout-web": svc, "payments-orchestrator": pay_svc, "flight-search": fl_svc,
              "voyalto-edge": edge_svc}

    def edge_applied(pull: dict[str, Any], at: float, handle: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """edgectl deploys a merged edge-config PR to Cloudflare: a change event on voyalto-edge and its line."""
        sha7 = pull["merge_commit_sha"][:7]
        names = [f["filename"] for f in pull["files"]]
        ev = b.change_event(edge_svc, f"edgectl: edge-config@{sha7} deployed to Cloudflare (www.voyalto.com, "
                            f"api.voyalto.com): {pull['title']}", at, "edgectl",
                            links=[{"href": "{{url:" + handle + "}}", "text": pull["title"]}],
                            details={"files": names, "zones": ["www.voyalto.com", "api.voyalto.com"]})
        b.templated.append((ev["links"][0], "href"))
        line = b.say(ec_ch, at + 6, "edgectl", f":white_check_mark: *edgectl* deployed edge-config@{sha7} to "
                     f"production ({len(names)} file(s)): {pull['title']} · rulesets updated, 0 errors")
        return ev, line

    def on_edge_merge(pull: dict[str, Any]) -> None:
        handle = next(reversed(b.handles))
        assert b.handles[handle] is pull
        edge_applied(pull, epoch(pull["merged_at"]) + rng.uniform(180, 600), handle[3:])

    def on_monitor_merge(pull: dict[str, Any]) -> None:
        first = pull["files"][0]["filename"].split("/")
        target = svc_of.get(first[1], pay_svc) if len(first) > 2 else pay_svc
        b.change_event(target, f"terraform apply monitors@{pull['merge_commit_sha'][:7]}: {pull['title']}",
                       epoch(pull["merged_at"]) + rng.uniform(120, 400), "terraform-cloud",
                       details={"workspace": "datadog-prod", "files": [f["filename"] for f in pull["files"]]})

    def shipped(pull: dict[str, Any], at: float, who: str, handle: str | None = None) -> dict[str, Any]:
        """A checkout-web release: the CI change event (linking the PR when `handle` is given) and the deploy bot."""
        sha7 = pull["merge_commit_sha"][:7]
        link = ("{{url:" + handle + "}}") if handle else f"https://github.com/{cw_repo}/commit/{sha7}"
        ev = b.change_event(svc, f"Deploy checkout-web@{sha7} to production", at, "ci-deploy",
                            links=[{"href": link, "text": pull["title"] if handle else sha7}],
                            details={"deployer": who, "environment": "production"})
        if handle:
            b.templated.append((ev["links"][0], "href"))
        b.say(sc.common["deploys"], at + 2, "deploybot",
              f":rocket: checkout-web `{sha7}` deployed to production by <@{b.people[who].slack_id}>")
        return ev

    edge_members = wp_people + appsec + growth.members[:2] + ["duarte"]
    config_pulls(b, edge_repo, edge_members, 55 * n, start - 60 * DAY, end, _edge_change, on_merge=on_edge_merge)
    config_pulls(b, mon_repo, pay_people[:3] + ["kaito", "svetlana"] + fl_people[:2] + wp_people[:1], 35 * n,
                 start - 60 * DAY, end, _monitor_change, on_merge=on_monitor_merge)

    def links_of(*repos: str, last: int = 150) -> list[str]:
        return [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in repos][-last:]

    add_chat(b, cw_ch, cw_people, CHECKOUT_WEB.nouns, 150 * n, start, end, links=links_of(cw_repo))
    add_chat(b, pay_ch, pay_people, PAYMENTS.nouns, 90 * n, start, end, links=links_of(pay_repo, mon_repo))
    add_chat(b, wp_ch, wp_people, EDGE.nouns, 60 * n, start, end, links=links_of(edge_repo))
    add_chat(b, fl_ch, fl_people, FLIGHTS.nouns, 60 * n, start, end, links=links_of(fl_repo))
    add_chat(b, sec_ch, appsec + ["priscila", "leonor"], _APPSEC_NOUNS, 30 * n, start, end, lines=_APPSEC_LINES,
             thread_rate=0.4)
    add_chat(b, cm_ch, ["carolina"] + data.members[:3] + growth.members[:2], _METRICS_NOUNS, 40 * n, start, end,
             lines=_METRICS_LINES, thread_rate=0.4)
    add_chat(b, cx_ch, CX + sc.crowd[10:12] + ["olamide"], _CX_NOUNS, 70 * n, start, end, lines=_CX_LINES,
             thread_rate=0.6)
    add_chat(b, corp_ch, ["giulia"] + sc.crowd[12:14] + ["marta"], _CORP_NOUNS, 40 * n, start, end,
             lines=_CORP_LINES, thread_rate=0.5)
    for _ in range(12 * n):
        t = rng.uniform(start, T - 3 * DAY)
        t = t - t % DAY + rng.uniform(8, 17) * HOUR
        q = b.say(ext_ch, t, rng.choice(("hannes", "hannes", "rafael", "beatriz")), rng.choice(_PAYVERA_LINES))
        if rng.random() < 0.7:
            b.say(ext_ch, t + rng.uniform(600, 7200), rng.choice(("rafael", "beatriz", "olamide", "hannes")),
                  rng.choice(_PAYVERA_REPLIES), parent=q)
    for ch, joiners in ((cw_ch, cw_people), (pay_ch, pay_people), (wp_ch, wp_people), (fl_ch, fl_people),
                        (sec_ch, appsec), (cm_ch, ["carolina"]), (cx_ch, CX), (corp_ch, ["giulia"])):
        add_joins(b, ch, joiners, start, end, 3)
    add_joins(b, ext_ch, ["hannes", "rafael", "olamide"], start, T - 10 * DAY, 2)
    add_incidents(b, checkout, 7 * n, start, epoch("2025-02-12"), cwa_ch, incident_channels=False)
    add_incidents(b, checkout, 2 * n, epoch("2025-03-01"), epoch("2025-03-24"), cwa_ch, incident_channels=False)
    add_incidents(b, payments, 8 * n, start, end, pa_ch, incident_channels=False)
    add_incidents(b, edge, 5 * n, start, end, ec_ch, incident_channels=False)
    add_incidents(b, flights, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_deploys(b, checkout, 30 * n, start, epoch("2025-03-26"), sc.common["deploys"])
    add_deploys(b, checkout, max(1, 2 * n), T + 6 * HOUR, end, sc.common["deploys"])
    add_deploys(b, payments, 25 * n, start, end, sc.common["deploys"])
    add_deploys(b, flights, 25 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    weak_live = epoch("2025-02-27T11:32:00Z")
    bot_feed(b, cwa_ch, "sentry", days * n, start, end, _sentry_line(weak_live))
    bot_feed(b, pa_ch, "datadog", days * n, start, end, _dd_line)
    bot_feed(b, pp_ch, "payverastatus", days * n // 4, start, end, _status_line)
    bot_feed(b, ec_ch, "cloudflare", days * n // 2, start, end, _wp_line)
    # AuthorisationRate per market has always been low urgency: issuer outages and BIN attacks trip it every week.
    for _ in range(16 * n):
        t = rng.uniform(start, end)
        if abs(t - T) < 2 * DAY:
            continue
        mkt = rng.choice(("ES", "FR", "DE", "UK", "NL", "PT", "PL", "BE"))
        rate = rng.randrange(58, 74)
        reason = rng.choice(("Not enough balance", "Issuer Unavailable", "Refused", "CVC Declined"))
        b.incident(pay_svc, f"[payments-orchestrator] AuthorisationRate: {mkt} card auth rate below 75% (30m)", t,
                   urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.4, 3) * HOUR, alert_key=f"{AUTH_KEY}/{mkt.lower()}", severity="warning",
                   alert_summary=f"payvera.auth_rate{{market:{mkt.lower()}}} = 0.{rate} over 30m (top refusal: {reason})")

    # Conversion Pulse: bookings vs forecast per market, every two hours -----------------------------------------------
    story_day = "2025-03-27"
    override = {8: {"IT": (36, 77), "PT": (29, 39)}, 10: {"IT": (28, 110), "PT": (27, 55)},
                12: {"IT": (30, 121), "PT": (29, 61)}, 14: {"IT": (40, 110), "PT": (33, 55)},
                16: {"IT": (104, 99), "PT": (50, 50)}}
    story_conv = {8: 74.1, 10: 69.8, 12: 69.5, 14: 71.2, 16: 78.9, 18: 78.6}
    pulses: dict[int, dict[str, Any]] = {}
    day = start - start % DAY
    while day < end:
        date = iso(day)[:10]
        weekend = _date.fromisoformat(date).weekday() >= 5
        for h0, curve in CURVE.items():
            at = day + (h0 + 2) * HOUR + rng.uniform(60, 180)
            counts: dict[str, tuple[int, int]] = {}
            for mkt in MARKETS:
                f = max(5, round(BASE[mkt] * curve * (0.85 if weekend else 1.0) * rng.uniform(0.96, 1.04)))
                ratio = rng.uniform(0.97, 1.05) if date == story_day else rng.uniform(0.88, 1.12)
                if date != story_day and rng.random() < 0.006:
                    ratio = rng.uniform(0.52, 0.64)
                counts[mkt] = (round(f * ratio), f)
            conv = rng.uniform(76.5, 80.5)
            if date == story_day:
                counts.update(override.get(h0, {}))
                conv = story_conv[h0]
            pulses_line = b.say(cm_ch, at, "pulse", _pulse(date, h0, counts, conv, rng.uniform(77.8, 79.2)))
            if date == story_day:
                pulses[h0] = pulses_line
        day += DAY

    # Sentry's daily usage report for checkout-web ---------------------------------------------------------------------
    noisy_days = {"2025-02-17", "2025-02-18", "2025-02-19", "2025-02-21", "2025-02-22", "2025-02-23", "2025-02-24",
                  "2025-02-25"}
    day = start - start % DAY + DAY
    while day < end:
        date = iso(day - DAY)[:10]
        if day - DAY < weak_live:
            busy = date in noisy_days or epoch("2025-02-14") <= day - DAY
            accepted = rng.randrange(61_000, 118_000) if busy else rng.randrange(8_000, 14_000)
            top = "CSP violation: script-src-elem blocked inline" if busy else rng.choice(_SENTRY_OURS)[0]
            line = _usage(date, accepted, rng.randrange(0, 40), top)
        elif date == story_day:
            line = _usage(date, rng.randrange(2_800, 3_600), 71_388, rng.choice(_SENTRY_OURS)[0])
        else:
            line = _usage(date, rng.randrange(2_600, 4_200), rng.randrange(36_000, 52_000), rng.choice(_SENTRY_OURS)[0])
        m = b.say(cwa_ch, day + 6 * HOUR + rng.uniform(300, 900), "sentry", line)
        if date == story_day:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="Sentry's usage report: on the day of the incident the SDK filtered 71k checkout-web events, "
                       "the refused frames' CHALLENGE_EXPIRED errors among them")
        day += DAY

    # December: the alert that was worth having -------------------------------------------------------------------
    dec = b.incident(svc, NOISY_TITLE, epoch("2024-12-20T14:22:00Z"), responders=["svetlana", "kaito"], ack_after=140,
                     resolve_after=46 * 60, alert_key=NOISY_KEY, handle="december",
                     alert_summary="checkout-web error events / sessions = 11.4% over 15m; top issue `TypeError: "
                                   "Cannot read properties of undefined (reading 'segments')`",
                     notes=[("svetlana", "release 2024.12.20.1 broke the fare summary for multi-city, rolled back",
                             1500.0)])
    b.say(cwa_ch, epoch("2024-12-20T14:22:03Z"), "pagerduty", f":rotating_light: Triggered <{{{{incurl:december}}}}|"
          f"#{{{{inc:december}}}}> {dec['title']}", template=True)

    # Feb 14-25: FareHawk, scrapers and GTM page Checkout Web at night ------------------------------------------------
    noisy_at = (("2025-02-17T23:12:00Z", "9.6%", "CSP violation: script-src-elem blocked inline", "FareHawk"),
                ("2025-02-18T01:47:00Z", "6.1%", "TypeError: Cannot read properties of null (reading 'getContext')",
                 "headless"),
                ("2025-02-19T22:31:00Z", "7.4%", "TypeError: window.__fh_state is undefined", "FareHawk"),
                ("2025-02-21T02:58:00Z", "5.2%", "TypeError: Cannot read properties of null (reading 'getContext')",
                 "headless"),
                ("2025-02-22T23:40:00Z", "8.8%", "CSP violation: script-src-elem blocked inline", "FareHawk"),
                ("2025-02-24T00:26:00Z", "4.3%", "Script error.", "GTM"),
                ("2025-02-25T03:05:00Z", "10.2%", "CSP violation: script-src-elem blocked inline", "FareHawk"))
    notes = {"FareHawk": "FareHawk extension again (script injected into our fare summary). not our code, resolving",
             "headless": "headless chrome from a hosting ASN, fingerprint script errors. no real travellers",
             "GTM": "Script error. from the GTM container, no stack. nothing to do"}
    for i, (when, share, issue, cause) in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, NOISY_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=180 + 30 * i, resolve_after=1400 + 150 * i, handle=f"noisy{i}", alert_key=NOISY_KEY,
                         alert_summary=f"checkout-web error events / sessions = {share} over 15m; top issue `{issue}`",
                         notes=[(who, notes[cause], 700.0)] if i % 3 != 2 else None)
        b.say(cwa_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{NOISY_TITLE}", template=True)
        b.say(cwa_ch, t - 90, "sentry", f":sentry: *Spike* in `checkout-web`: `{issue}` "
              f"{rng.randrange(2, 9)},{rng.randrange(100, 999)} events in 15m (usual {rng.randrange(40, 120)})")
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the night pages of the checkout JS error-rate alert caused by an extension, scrapers or a "
                   "tag manager, which led to the Sentry filters")
    grumbles = (("2025-02-18T08:40:00Z", "kaito", "two pages last night from CheckoutJsErrorRate. 23:12 was 4k "
                 "`CSP violation: script-src-elem blocked inline` from people with the FareHawk extension, 01:47 was "
                 "headless chrome from a hosting ASN erroring in the fingerprint script. neither is us"),
                ("2025-02-20T09:05:00Z", "svetlana", "22:31 again, FareHawk. it auto-updated to 4.2 last week and now "
                 "injects into every /checkout page"),
                ("2025-02-24T08:50:00Z", "duarte", "00:26 this time, `Script error.` from the GTM container. 6 pages "
                 "in 8 nights and not one actionable"),
                ("2025-02-25T09:10:00Z", "kaito", "03:05 :sob: can we please stop paging on errors that aren't ours? "
                 "extensions, bots, third-party tags"),
                ("2025-02-25T09:40:00Z", "duarte", "on it: ignoreErrors/denyUrls, drop anything without a frame from "
                 "our bundle, and the CSP listener goes, that's 71% of the volume on its own"))
    for when, who, text in grumbles:
        m = b.say(cw_ch, epoch(when), who, text)
        if "can we please stop" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team asks to stop the night pages of errors that are not theirs")
        if "the CSP listener goes" in text:
            b.say(cw_ch, epoch(when) + 720, "leonor", "the CSP listener was SEC-88, worth a word with AppSec before it "
                  "goes?", parent=m)
            b.say(cw_ch, epoch(when) + 1500, "duarte", "asked Mattias, CSP reporting is on their roadmap with a proper "
                  "endpoint anyway", parent=m)
    waf = story_pull(b, edge_repo, _WAF, epoch("2025-02-20T10:30:00Z"), epoch("2025-02-21T11:10:00Z"), "distractor_waf",
                     review="good, nothing legit on those ASNs at 3am")
    edge_applied(waf, epoch("2025-02-21T11:16:00Z"), "distractor_waf")

    # Feb 27: checkout-web's Sentry keeps only errors from its own bundle; the CSP listener goes -----------------------
    weak = story_pull(b, cw_repo, _WEAKENING, epoch("2025-02-25T10:20:00Z"), epoch("2025-02-27T11:05:00Z"), "weakening",
                      review="yes please :pray:", reviewed=epoch("2025-02-27T10:40:00Z"),
                      review_comments=(("svetlana", "this also drops everything thrown from payvera.js, right? do we "
                                        "care?", "src/monitoring/sentry.client.ts", 27, epoch("2025-02-25T15:20:00Z")),),
                      comments=(("duarte", "payment failures show up in payments-orchestrator's metrics anyway, the "
                                 "drop-in's own errors are mostly card validation", epoch("2025-02-25T15:45:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="made checkout-web's Sentry drop every error without a frame from its own bundle and removed the "
               "securitypolicyviolation listener: refused frames and the drop-in's 3DS errors no longer reach anyone")
    wev = shipped(weak, weak_live, "duarte", "weakening")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="the deploy of the Sentry filters", same_fact_as=("github", weak))
    b.say(cw_ch, epoch("2025-02-27T11:40:00Z"), "duarte", "merged {{url:weakening}}: Sentry only keeps errors from our "
          "bundle, no more FareHawk or CSP noise. checkout-web went from ~90k to ~4k events a day :zzz:",
          template=True)

    # Mar 3-10: Italcard moves its ACS -----------------------------------------------------------------------------
    note = b.say(ext_ch, epoch("2025-03-03T10:40:00Z"), "hannes",
                 "heads-up from the Payvera side: Italcard (ACS for most Italian issuers) migrates to its new 3DS "
                 "platform on March 10. Challenge pages will come from 3ds2.italcard-acs.eu instead of acs.italcard.it. "
                 "Nothing to change for 3DS2 merchants, the ACS URL comes in the authentication response as usual")
    tr.add("slack", note, "context", must_see=False, group="cause",
           why="the payment partner announces Italcard's new ACS host, a week before the CSP allowlist is drawn up")
    b.say(ext_ch, epoch("2025-03-03T11:05:00Z"), "rafael", "thanks Hannes, noted", parent=note)
    b.say(pp_ch, epoch("2025-03-10T08:55:00Z"), "payverastatus", ":large_yellow_circle: *Payvera status* Investigating: "
          "elevated 3DS2 authentication failures for Italian issuers (Italcard ACS migration)")
    wob = epoch("2025-03-10T09:14:00Z")
    b.incident(pay_svc, "[payments-orchestrator] AuthorisationRate: IT card auth rate below 75% (30m)", wob,
               urgency="low", responders=[], notify=False, ack_after=None, resolve_after=0.8 * HOUR,
               alert_key=f"{AUTH_KEY}/it", severity="warning",
               alert_summary="payvera.auth_rate{market:it} = 0.66 over 30m (top refusal: 3D Not Authenticated)")
    b.say(pp_ch, epoch("2025-03-10T10:02:00Z"), "payverastatus", ":large_green_circle: *Payvera status* Resolved: "
          "elevated 3DS2 authentication failures for Italian issuers (Italcard ACS migration)")
    b.say(pay_ch, epoch("2025-03-10T10:10:00Z"), "olamide", "IT auth rate dipped to 66% this morning, Italcard's ACS "
          "migration (Payvera status had it). recovered on its own by 10:00")

    # Mar 10-12: the drop-in loses its redirect fallback ------------------------------------------------------------
    contrib = story_pull(b, cw_repo, _CONTRIBUTOR, epoch("2025-03-10T14:00:00Z"), epoch("2025-03-12T13:40:00Z"),
                         "contributor", review="ok, good riddance to PAY-598", reviewed=epoch("2025-03-12T13:20:00Z"),
                         review_comments=(("svetlana", "10 minutes of spinner is long if a frame never loads, no?",
                                           "src/features/payment/PayveraDropin.tsx", 38, epoch("2025-03-11T09:30:00Z")),),
                         comments=(("rafael", "a frame only fails to load when the ACS is down, and then the redirect "
                                    "doesn't help either", epoch("2025-03-11T10:05:00Z")),))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="removed the drop-in's fallback to the full-page 3DS redirect: a challenge frame that does not load "
               "now leaves the traveller on a spinner for ten minutes and the payment fails")
    cev = shipped(contrib, epoch("2025-03-12T14:05:00Z"), "rafael", "contributor")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause", why="the deploy without the fallback",
           same_fact_as=("github", contrib))

    # Mar 14-24: SEC-341, the Report-Only preview, other header changes ----------------------------------------------
    b.say(sec_ch, epoch("2025-03-14T10:30:00Z"), "mattias", "SEC-341 (PCI 6.4.3): the script inventory for /checkout and "
          "/pay is done, 5 hosts. next: allowlists in the CSP instead of https:, Report-Only first. QSA is April 8")
    hsts = story_pull(b, edge_repo, _HSTS, epoch("2025-03-18T09:00:00Z"), epoch("2025-03-20T10:30:00Z"), "distractor_hsts",
                      review="checked the zone too, all HTTPS")
    edge_applied(hsts, epoch("2025-03-20T10:36:00Z"), "distractor_hsts")
    preview = story_pull(b, edge_repo, _PREVIEW, epoch("2025-03-18T11:00:00Z"), epoch("2025-03-20T15:50:00Z"), "preview",
                         review="lgtm, report-only can't break anything", reviewed=epoch("2025-03-20T15:30:00Z"))
    edge_applied(preview, epoch("2025-03-20T15:57:00Z"), "preview")
    tr.add("github", preview, "context", must_see=False, group="detection",
           why="the Report-Only preview of the policy; with the CSP listener gone no violation was reported")
    b.say(sec_ch, epoch("2025-03-20T16:10:00Z"), "mattias", "SEC-341 Report-Only is live on /checkout and /pay. "
          "checkout-web forwards securitypolicyviolation events to Sentry, I'll look on Monday")
    perms = story_pull(b, edge_repo, _PERMS, epoch("2025-03-21T13:00:00Z"), epoch("2025-03-25T09:40:00Z"),
                       "distractor_perms", review="lgtm")
    edge_applied(perms, epoch("2025-03-25T09:47:00Z"), "distractor_perms")

    # Mar 24-27: the enforce PR, merged and deployed in Thursday's change window -----------------------------------------
    trig = story_pull(b, edge_repo, _TRIGGER, epoch("2025-03-24T10:10:00Z"), epoch("2025-03-27T08:31:00Z"), "trigger",
                      review="ok, ship it in the window", reviewed=epoch("2025-03-27T08:20:00Z"),
                      review_comments=(("priscila", "Payvera's integration guide says `frame-src https:` for 3DS2 "
                                        "because the ACS is the issuer's. are we sure about the long tail?", _CSP_FILE,
                                        29, epoch("2025-03-25T11:40:00Z")),),
                      comments=(("mattias", "that's their advice for merchants without an inventory. the list covers "
                                 "97.4% of February's challenges, the rest goes through Payvera's 3DS server, and "
                                 "Report-Only has been clean since Thursday", epoch("2025-03-25T12:15:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="enforced a frame-src allowlist on the payment routes built from February's ACS hosts: Italcard's new "
               "ACS and Banco Lusitano's OTP page are refused, so the 3-D Secure challenge never loads")
    b.say(sec_ch, epoch("2025-03-24T10:20:00Z"), "mattias", "SEC-341: Report-Only on /checkout since Thursday, zero "
          "violations in Sentry :tada: (even the FareHawk noise is gone?). enforce PR for the Thursday window: "
          "{{url:trigger}}", template=True)
    tev, tline = edge_applied(trig, epoch("2025-03-27T08:38:00Z"), "trigger")
    tr.add("pagerduty", tev, "trigger", must_see=False, group="cause", why="edgectl deploying the enforced policy",
           same_fact_as=("github", trig))
    tr.add("slack", tline, "trigger", must_see=False, group="cause", why="the edgectl line of the enforced policy",
           same_fact_as=("github", trig))
    b.say(sec_ch, epoch("2025-03-27T08:47:00Z"), "mattias", "SEC-341 enforced on /checkout and /pay :lock: 6.4.3 "
          "evidence screenshot taken for the QSA")

    # Decoys near the impact: the SDK bump, Sabrenet, the /inspiration CSP, a checkout-web release, identity -----------
    sdk = story_pull(b, cw_repo, _SDK_BUMP, epoch("2025-03-25T04:12:00Z"), epoch("2025-03-26T15:48:00Z"), "distractor_sdk",
                     review="release notes look harmless")
    shipped(sdk, epoch("2025-03-26T16:20:00Z"), "svetlana")
    b.say(cw_ch, epoch("2025-03-26T16:35:00Z"), "svetlana", "payvera web-components 5.63.1 is out, drop-in smoke test "
          "with the test cards ok (frictionless + challenge)")
    sab = b.incident(fl_svc, "[flight-search] Sabrenet timeouts above 5%", epoch("2025-03-27T07:55:00Z"),
                     responders=fl_people[:2], ack_after=150, resolve_after=44 * 60,
                     alert_key="flight-search/Sabrenet timeouts above 5%", handle="sab",
                     notes=[(fl_people[0], "Sabrenet EU data centre degraded, their status confirms. recovered 08:35",
                             1800.0)])
    b.say(sc.common["alerts"], epoch("2025-03-27T07:55:03Z"), "pagerduty", f":rotating_light: Triggered #"
          f"{{{{inc:sab}}}} {sab['title']}", template=True)
    insp = story_pull(b, edge_repo, Change(growth.members[0], _INSPIRATION.title, _INSPIRATION.body,
                                           _INSPIRATION.files, "noor", _INSPIRATION.labels),
                      epoch("2025-03-26T15:00:00Z"), epoch("2025-03-27T10:15:00Z"), "distractor_inspiration", review="ok")
    edge_applied(insp, epoch("2025-03-27T10:21:00Z"), "distractor_inspiration")
    badge = story_pull(b, cw_repo, _BADGE, epoch("2025-03-25T16:00:00Z"), epoch("2025-03-27T14:16:00Z"), "distractor_badge",
                       review="nice")
    shipped(badge, epoch("2025-03-27T14:38:00Z"), "kaito")
    b.incident(identity.service, "[auth-service] token issuance latency", epoch("2025-03-27T14:31:00Z"),
               responders=identity.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key="auth-service/token issuance latency",
               notes=[(identity.members[0], "session store failover, recovered", 1500.0)])

    # 08:43 onwards: the alert nobody is paged for, the Pulse, Payvera and Italcard, care, the corporate client -------
    fix_live = T + 120 + 1790
    low_at = epoch("2025-03-27T09:31:30Z")
    dd = b.say(pa_ch, epoch("2025-03-27T09:31:00Z"), "datadog", ":datadog: *[Triggered]* AuthorisationRate IT: card auth "
               "rate 52% below 75% (30m) · top refusal: 3D Not Authenticated (81%) · @pagerduty-payments-low")
    low = b.incident(pay_svc, "[payments-orchestrator] AuthorisationRate: IT card auth rate below 75% (30m)", low_at,
                     urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=fix_live + 0.4 * HOUR - low_at, alert_key=f"{AUTH_KEY}/it", severity="warning",
                     alert_summary="payvera.auth_rate{market:it} = 0.52 over 30m (top refusal: 3D Not Authenticated "
                                   "81%)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="the authorisation-rate alert for Italy opened a low-urgency incident fifty minutes in; it paged no one "
               "and stayed open until the fix")
    tr.add("slack", dd, "early_signal", must_see=False, group="detection", why="Datadog's line for the same alert",
           same_fact_as=("pagerduty", low))
    ol = b.say(pay_ch, epoch("2025-03-27T09:48:00Z"), "olamide", "low-urgency AuthorisationRate IT again, 52%. refusals "
               "are nearly all '3D Not Authenticated', challenges not completed. Italcard wobbled like this on the "
               "10th with their migration, keeping an eye on it")
    tr.add("slack", ol, "context", must_see=False, group="detection",
           why="the payments on-call sees the low-urgency alert and puts it down to Italcard, as on March 10")
    b.say(pay_ch, epoch("2025-03-27T10:06:00Z"), "rafael", "+1, orchestrator error rate is flat, Payvera answers every "
          "call. nothing on our side", parent=ol)
    pulse = pulses[8]
    tr.add("slack", pulse, "early_signal", must_see=True, group="detection",
           why="the Conversion Pulse flags Italy at -53% in the first window after the policy went live, while the "
               "total is only a few percent down")
    for h0 in (10, 12, 14):
        tr.add("slack", pulses[h0], "early_signal", must_see=False, group="detection",
               why="the Conversion Pulse flags Italy and Portugal again")
    car = b.say(cm_ch, epoch("2025-03-27T11:15:00Z"), "carolina", "IT -53% in the 08-10 window and PT soft too, is that "
                "real? the Easter campaign only starts monday so it's not a promo effect")
    tr.add("slack", car, "early_signal", must_see=False, group="reports",
           why="the market manager asks about Italy's bookings")
    b.say(cm_ch, epoch("2025-03-27T11:32:00Z"), data.members[0], "forecast is fine, every other market is on target. "
          "payments had an Italcard thing a couple of weeks ago?", parent=car)
    j1 = b.say(cx_ch, epoch("2025-03-27T10:40:00Z"), "joaquim", "3 Italian customers on chat this morning: the payment "
               "page sits on 'Authenticating with your bank…' forever and then says payment not completed. told them "
               "to try another card")
    tr.add("slack", j1, "customer_report", must_see=False, group="reports",
           why="the first travellers report the spinning payment step")
    partner = b.say(ext_ch, epoch("2025-03-27T12:10:00Z"), "hannes",
                    "Hi Voyalto team, Italcard's ACS operations flagged your merchant account this morning: since "
                    "~08:40 UTC they issue challenges for your transactions but almost never receive the challenge "
                    "request from the shopper's browser (412 challenges issued, 9 CReq received). Other merchants "
                    "are normal. Has anything changed on your payment page?")
    tr.add("slack", partner, "early_signal", must_see=True, group="reports",
           why="the payment partner relays Italcard: challenges are issued but the travellers' browsers never load "
               "them, for Voyalto only")
    b.say(ext_ch, epoch("2025-03-27T12:25:00Z"), "rafael", "thanks Hannes. we see the IT auth rate dip too, we assumed "
          "the new Italcard platform. checking on our side", parent=partner)
    b.say(ext_ch, epoch("2025-03-27T12:52:00Z"), "hannes", "Italcard says their ACS is healthy and other merchants "
          "complete challenges fine. I also see Banco Lusitano (PT) with the same pattern, mostly iOS", parent=partner)
    cx = b.say(cx_ch, epoch("2025-03-27T13:35:00Z"), "marta",
               "escalating: 52 contacts since ~09:45 Lisbon, almost all Italy plus a few Portugal. after entering the "
               "card the payment page shows 'Authenticating with your bank…' and spins, no SMS or app notification "
               "from the bank, after ~10 min 'payment not completed'. flights and hotels, every card they try. some "
               "rebooked with PayPal. is anyone looking?")
    tr.add("slack", cx, "customer_report", must_see=True, group="reports",
           why="customer care escalates travellers in Italy and Portugal stuck on the bank authentication spinner")
    b.say(cx_ch, epoch("2025-03-27T13:48:00Z"), "joaquim", "+9 since, phone queue IT is 25 min", parent=cx)
    b.say(cx_ch, epoch("2025-03-27T14:02:00Z"), "olamide", "payments looking, Payvera says it's the browser side",
          parent=cx)
    corp = b.say(corp_ch, epoch("2025-03-27T14:05:00Z"), "giulia",
                 "Ferrandi Group's travel desk in Milan: 9 bookers can't pay hotel reservations with their corporate "
                 "cards since this morning, stuck on the bank verification. they have a sales kickoff in Lisbon on "
                 "monday and want to book through their TMC instead. can someone tell me what's going on?")
    tr.add("slack", corp, "customer_report", must_see=False, group="reports",
           why="a corporate client's account manager reports its travel desk cannot pay")
    b.say(corp_ch, epoch("2025-03-27T14:20:00Z"), "marta", "same as the Italian card issue in #cx-escalations, "
          "payments is on it", parent=corp)
    esc = b.say(pay_ch, epoch("2025-03-27T14:52:00Z"), "beatriz", "this isn't Italcard: Payvera says the browsers never "
                "load the challenge, Banco Lusitano too, care has 60 contacts and Ferrandi can't pay. paging "
                "checkout-web")

    # The page and the war room ----------------------------------------------------------------------------------
    page_by_hand(b, tr, svc, "Card payments in IT/PT stuck on 3-D Secure challenge since ~08:40 UTC, IT bookings -70%",
                 T, responders=ONCALL, ack_after=130, resolve_after=2.2 * HOUR, manual_by="beatriz",
                 description="Since about 08:40 UTC travellers paying with Italian (and some Portuguese) cards see "
                             "'Authenticating with your bank' spin for 10 minutes, then the payment fails. Payvera "
                             "and Italcard see challenges issued but never loaded. Servers show no errors.",
                 notes=[("priscila", "edge-config SEC-341 policy (08:38) refuses frames from 3ds2.italcard-acs.eu and "
                                     "otp.bancolusitano.pt; frame-src going back to https:", 1000.0),
                        ("priscila", "fix live 15:45, IT challenges completing, auth rate 86%", 2700.0)],
                 relay=cwa_ch, why="the head of Payments pages Checkout Web by hand, six and a half hours after the "
                                   "first refused challenge")
    b.say(pay_ch, epoch("2025-03-27T15:12:30Z"), "beatriz", "paged, joining the incident channel", parent=esc)
    inc_ch = b.channel("inc-20250327-3ds-challenge-blocked", "Incident: 3DS challenges not loading (IT/PT)",
                       "Incident response", T + 60, "beatriz")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "beatriz", "incident {{incurl:page}}: since ~08:40 UTC card payments in IT (and some PT) hang on "
                       "'Authenticating with your bank…' and fail after 10 min. Pulse has IT -75%. Payvera/Italcard "
                       "see the challenge issued but never loaded. orchestrator: no errors"),
        (60, "kaito", "ack. checkout-web Sentry is quiet, nothing new since yesterday, SSR 5xx 0.1%"),
        (130, "svetlana", "we shipped @payvera/web-components 5.63.1 yesterday 16:20 ({{pr:distractor_sdk}}), it "
                          "changes the challenge iframe (allow=\"payment *\"). roll back to 5.61.0 to be safe?"),
        (200, "rafael", "IT was normal last night and until 08:40 today on 5.63.1, and ES/DE/FR complete challenges "
                        "fine on the same version. I'd hold the rollback"),
        (260, "kaito", "the only checkout-web deploy today is 14:38, the room picker badge ({{pr:distractor_badge}}). "
                       "IT was down six hours before that"),
        (330, "olamide", "Sabrenet was degraded this morning (flights) but hotels are hit just as hard, and Italcard "
                         "says their new ACS is healthy for other merchants"),
        (400, "noor", "Permissions-Policy went on /checkout on Tuesday ({{pr:distractor_perms}}), payment=(self "
                      "payvera). could that block the bank's frame?"),
        (450, "mattias", "that's only the Payment Request API, the 3DS frame doesn't use it. and it's been live two "
                         "days"),
        (520, "ettore", "reproduced from the Milan office with my own card on a Lisbon hotel: spinner forever. console: "
                        "Refused to frame 'https://3ds2.italcard-acs.eu/' because it violates the following Content "
                        "Security Policy directive: \"frame-src 'self' https://checkoutshopper-live.payvera.com "
                        "https://*.payvera.com https://acs.italcard.it ..."),
        (590, "priscila", "that's the checkout CSP: {{url:trigger}} went live at 08:38 and replaced frame-src https: "
                          "with the ACS hosts of Payvera's February report. acs.italcard.it is in it, "
                          "3ds2.italcard-acs.eu isn't (new since the 10th). first refused challenge ~08:43, matches "
                          "the Pulse"),
        (660, "mattias", "oh no. I thought an unknown ACS goes through Payvera's 3DS server. and Report-Only on "
                         "/checkout was clean for four days, zero frame-src violations in Sentry"),
        (740, "leonor", "clean because nothing reports them anymore: checkout-web PR {{num:weakening}} removed the "
                        "securitypolicyviolation listener, and beforeSend drops every error without a frame from our "
                        "bundle. the drop-in's CHALLENGE_EXPIRED is thrown from payvera.js, so Sentry never saw that "
                        "either"),
        (820, "rafael", "and since {{pr:contributor}} there's no full-page redirect after 10s. before, a frame that "
                        "didn't load sent the traveller to the bank's page and the booking went through. now they "
                        "stare at the spinner for 10 minutes"),
        (900, "priscila", "fix: {{url:fix}} frame-src back to 'self' https: on the checkout routes, script-src and "
                          "connect-src keep the allowlists"),
        (980, "mattias", "approved. PT too: Banco Lusitano's OTP page navigates the frame to otp.bancolusitano.pt "
                         "on iOS Safari"),
        (1600, "priscila", "merged, edgectl deploying"),
        (1850, "priscila", "live on www.voyalto.com since 15:45, cache purged for /checkout/* and /pay/*"),
        (2100, "ettore", "same card, same hotel: challenge loads, SMS arrived, booked :tada:"),
        (2700, "olamide", "IT auth rate 86% in the last 15 min, Italcard sees CReqs again"),
        (3300, "marta", "CX macro: ask travellers to try again now; pending charges without a booking get a "
                        "callback, Payvera voids them"),
        (4100, "beatriz", "Ferrandi's desk confirms they can pay. Giulia is sending them a note"),
        (5200, "leonor", "follow-ups: CSP violations back in Sentry (our pages, frame-src always), Payvera's errors "
                         "kept by beforeSend, the redirect fallback back, per-market challenge completion pages "
                         "Payments, CSP changes on payment routes need a Report-Only violation count in the PR"),
    )
    war_room(b, tr, inc_ch, T + 120, chat,
             trigger="a responder ties the stuck challenges to the enforced CSP, after the Payvera SDK bump, the "
                     "afternoon release, Sabrenet, Italcard and the Permissions-Policy were ruled out",
             weakening="a responder explains why neither Sentry nor the Report-Only preview showed anything",
             contributor="without the redirect fallback a refused frame costs the booking")

    # The fix and its deploy; the follow-ups ---------------------------------------------------------------------------
    fix = story_pull(b, edge_repo, _FIX, T + 120 + 880, T + 120 + 1590, "fix", review="yes. sorry everyone",
                     reviewed=T + 120 + 990)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="puts frame-src back to https: on the payment routes so the issuers' challenge frames load again")
    fev, _ = edge_applied(fix, fix_live, "fix")
    tr.add("pagerduty", fev, "fix", must_see=False, group="cause", why="edgectl deploying the fix",
           same_fact_as=("github", fix))
    b.say(cm_ch, epoch("2025-03-27T18:03:00Z"), "carolina", "16-18 window: IT 104 vs 99, PT on forecast. thanks all")
    fs = story_pull(b, cw_repo, _FOLLOW_SENTRY, T + 19 * HOUR, T + 28 * HOUR, "follow_sentry", review="yes")
    tr.add("github", fs, "fix", must_see=False, group="detection",
           why="CSP violations and the drop-in's errors reach Sentry again")
    shipped(fs, T + 28.5 * HOUR, "duarte", "follow_sentry")
    fr = story_pull(b, cw_repo, _FOLLOW_REDIRECT, T + 20 * HOUR, T + 46 * HOUR, "follow_redirect",
                    review="with the guard, yes")
    tr.add("github", fr, "fix", must_see=False, group="cause", why="brings back the redirect fallback")
    fm = story_pull(b, mon_repo, _FOLLOW_MONITOR, T + 22 * HOUR, T + 30 * HOUR, "follow_monitor", review="yes")
    tr.add("github", fm, "fix", must_see=False, group="detection",
           why="a per-market challenge-completion monitor that pages Payments")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [cw_ch, cx_ch, sc.common["deploys"]], svc, CW_PEOPLE[:3], cw_repo,
        titles=("Runbook: travellers stuck on the 3-D Secure challenge",
                "CI: fail a CSP change on payment routes that allowlists frame-src"),
        doc=("3-D Secure and CSP", "Challenge frames come from any issuer's ACS: frame-src stays https: on "
             "/checkout and /pay."),
        doc_path="docs/runbooks/3ds-challenge-{n}.md",
        test_fire="[checkout-web] CspFrameViolations: frame-src violations on /checkout (test fire)")
    return world, tr.to_dict()
