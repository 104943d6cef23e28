"""World "cached-probe": the Northwick Chronicle, a UK national news site with iOS and Android apps, puts every cached
article page behind a shared Akamai cache tag by accident. A publish-pipeline change (PUB-318, shipped 13:20 UTC on
Tuesday 14 October) invalidates `rail-latest`, `front-home` and the section fronts on every Copydesk publish, update and
live blog post, so editors' new headlines show at once; but the "Latest" rail is embedded in every article page and in
the apps' article JSON, so each invalidation makes every article revalidate against origin. That evening at 19:09 BST
the Prime Minister resigns, the live blog takes a post every twenty seconds, Akamai offload falls from 96% to under
40% and article-render, capped at 36 pods by a FinOps change in September, saturates from 18:24 UTC: readers in the UK,
Ireland and Europe get Akamai's "Something went wrong" page on articles and "Couldn't load this story" in the apps,
and subscribers see the paywall or cannot log in because the entitlement calls time out at the origin gateway. They
get errors rather than the stale copy because since 2 October the Articles rule has Must Revalidate on, after Legal
asked that a corrected court report never again be served stale. Four weeks earlier, after seven pages of the deep
article-origin check during announced night maintenance, the uptime check had been pointed at the homepage through
Akamai, which is cached and served stale on error, so it stayed green all evening. Only EdgeStats' anomaly line, a
low-urgency latency alert and the live blog editor show it until reader support, the social desk and an advertiser's
account manager have all asked, and the night editor pages Web Platform by hand, three hours and seventeen minutes in."""

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

WEBPLAT = TeamSpec("webplat", "Web Platform", "web-origin", "article-render", "web-platform",
                   ("render", "fronts", "gateway", "amp"),
                   ("article template", "SSR cache", "origin-gw upstreams", "fronts renderer", "AMP pages",
                    "schema.org markup", "liveblog renderer", "Edge-Cache-Tag header", "render pool", "HPA",
                    "image srcset", "byline component"),
                   ("origin-gw 5xx above 1%", "fronts render errors above 2%", "content-db replica lag above 30s",
                    "image resizer queue above 500"), "ts")
PUBLISHING = TeamSpec("publishing", "Publishing", "publish-pipeline", "publish-pipeline", "publishing-eng",
                      ("events", "purge", "syndication", "feeds"),
                      ("publish event", "Apple News feed", "Google News sitemap", "syndication webhook", "image crops",
                       "liveblog post event", "embargo timer", "push alert hook", "Fast Purge client", "MSN feed"),
                      ("publish queue lag above 60s", "syndication webhook failures", "news sitemap build failing"),
                      "go")
COPYDESK = TeamSpec("copydesk", "Publishing", "copydesk", "copydesk", "publishing-eng",
                    ("editor", "workflow", "media", "liveblog"),
                    ("headline editor", "byline picker", "embargo", "liveblog composer", "correction note",
                     "image cropper", "tag picker", "legal hold flag", "push alert form", "revision history"),
                    ("copydesk 5xx above 2%",), "ts")
MEMBERSHIP = TeamSpec("membership", "Membership", "membership-api", "membership", "membership",
                      ("paywall", "entitlements", "login", "billing"),
                      ("meter", "entitlement cache", "sign-in page", "Stripe webhook", "gift subscription",
                       "student discount", "Apple receipt", "paywall copy", "cancellation flow", "newsletter opt-in"),
                      ("entitlements p99 above 800ms", "Stripe webhook failures", "sign-in error rate above 3%"),
                      "kt")

STAFF = (("oriel", "Oriel Catterall"), ("fionnuala", "Fionnuala Breslin"), ("kwabena", "Kwabena Asante"),
         ("ysolde", "Ysolde Marchetti"), ("rhodri", "Rhodri Penhallow"), ("callum", "Callum Strachan"),
         ("ingrid", "Ingrid Solberg"), ("parveen", "Parveen Dhaliwal"), ("teodor", "Teodor Vasilescu"),
         ("soledad", "Soledad Ibarra"), ("mattias", "Mattias Kolberg"), ("anselm", "Anselm Whitcombe"),
         ("pilar", "Pilar Ocampo"), ("hamish", "Hamish Dunbar"), ("noor", "Noor Haddadin"),
         ("tiago", "Tiago Quaresma"), ("marit", "Marit Vollan"))
OUTSIDERS = (("delphine", "Delphine Okwuosa"), ("barnaby", "Barnaby Quist"), ("marisol", "Marisol Fenwick"),
             ("jonah", "Jonah Petrakis"), ("winifred", "Winifred Achterberg"), ("ossian", "Ossian Mair"),
             ("eleanora", "Eleanora Vance"), ("harriet", "Harriet Ashdown"), ("gethin", "Gethin Pryce"),
             ("anouk", "Anouk Verhaegen"), ("ruairi", "Ruairi Dolan"), ("bethan", "Bethan Lloyd"),
             ("kasimir", "Kasimir Nowicki"), ("imogen", "Imogen Feld"), ("cosmo", "Cosmo Adeyemi"),
             ("declan", "Declan Royle"), ("hester", "Hester Oyelaran"))
WEB_PEOPLE = ["oriel", "fionnuala", "kwabena", "ysolde", "rhodri"]
ONCALL = ["fionnuala", "kwabena", "rhodri", "ysolde"]
PUB_PEOPLE = ["callum", "ingrid", "parveen", "teodor"]
MEM_PEOPLE = ["soledad", "mattias"]
DESK = ["delphine", "barnaby", "marisol", "gethin", "anouk", "ruairi"]
SUPPORT = ["winifred", "ossian", "bethan", "kasimir"]
SOCIAL = ["jonah", "imogen", "cosmo"]
COMMERCIAL = ["eleanora", "declan", "hester"]

SITE = "www.northwickchronicle.com"
PROBE_TITLE = "[web-origin] Uptime: article-origin-deep failing (2/3 probes, 2m)"
PROBE_KEY = "grafana-sm/article-origin-deep"
LATENCY_TITLE = "[web-origin] article-render p95 latency above 2.5s (10m)"
LATENCY_KEY = "grafana/article-render-p95"

TRIGGER_LIVE = "2025-10-14T13:20:00Z"
WEAK_MERGED = "2025-09-16T10:20:00Z"
CONTRIB_LIVE = "2025-10-02T14:05:00Z"
HPA_LIVE = "2025-09-23T11:30:00Z"
ROLLBACK = "2025-10-14T22:03:00Z"
# Planned night maintenance of the origin in September (UTC): the deep check paged in each of them.
MAINTENANCE = (("2025-09-03T23:30:00Z", "2025-09-04T02:00:00Z"), ("2025-09-05T23:30:00Z", "2025-09-06T01:30:00Z"),
               ("2025-09-10T23:30:00Z", "2025-09-11T02:00:00Z"), ("2025-09-12T23:30:00Z", "2025-09-13T01:30:00Z"))
# Sep 27: render pods restarting for forty minutes while a corrected court report was served stale.
WOBBLE = ("2025-09-27T19:20:00Z", "2025-09-27T19:58:00Z")


# Generated PRs of the config repos ------------------------------------------------------------------------------

_RULES = (("Images", "property/rules/images.json", "30d"), ("Static assets", "property/rules/static.json", "365d"),
          ("Podcasts", "property/rules/podcasts.json", "1h"), ("Puzzles", "property/rules/puzzles.json", "5m"),
          ("Newsletters", "property/rules/newsletters.json", "1d"), ("Video", "property/rules/video.json", "7d"),
          ("Sitemaps", "property/rules/sitemaps.json", "5m"))
_TTLS = ("5m", "10m", "1h", "6h", "1d", "7d", "30d", "365d")


def _akamai_change(rng: random.Random) -> ConfigChange:
    """One generated PR of akamai-config: TTLs of other rules, redirects, WAF, image policies, origins, protocols."""
    ticket = f"EDGE-{rng.randrange(140, 260)}"
    k = rng.random()
    if k < 0.24:
        name, path, ttl = rng.choice(_RULES)
        new = rng.choice([x for x in _TTLS if x != ttl])
        return (f"{name}: TTL {ttl} -> {new}", rng.choice((f"Origin sends no Cache-Control for these ({ticket}).",
                                                            "Offload on this rule is poor, see the EdgeStats report.",
                                                            "Product wants changes to show sooner.")),
                [yaml_file(path, yaml_patch(rng.randrange(14, 22), '"behaviors": [', [
                    '       "name": "caching",', '       "options": {', '         "behavior": "MAX_AGE",',
                    f'-        "ttl": "{ttl}"', f'+        "ttl": "{new}"']))])
    if k < 0.40:
        slug = rng.choice(("christmas-appeal", "subscribe-offer", "podcast-briefing", "student", "gift",
                           "puzzles-app", "election-hub", "newsletters-signup", "weekend-magazine"))
        return (f"Edge Redirector: /{slug} campaign link", rng.choice((f"Marketing asked ({ticket}).",
                                                                      "Print ad goes out saturday.")),
                [yaml_file("cloudlets/redirects/marketing.csv", yaml_patch(rng.randrange(20, 180), "", [
                    f"+/{slug},https://{SITE}/info/{slug}?CMP=print_{rng.randrange(10, 99)},301"]))])
    if k < 0.54:
        rule = rng.choice(("search-scrapers", "comment-posting", "login-bruteforce", "newsletter-signup",
                           "rss-pollers"))
        a = rng.choice((100, 200, 300, 600))
        c = rng.choice([x for x in (100, 150, 200, 300, 600, 1000) if x != a])
        return (f"Rate control {rule}: {a} -> {c} req/5s per IP", rng.choice((f"False positives from a newsroom "
                                                                              f"proxy ({ticket}).",
                                                                              "Scraper wave last weekend.")),
                [yaml_file("security/rate-controls.tf", yaml_patch(rng.randrange(10, 120), "resource", [
                    f'   name                  = "{rule}"', f"-  average_threshold     = {a}",
                    f"+  average_threshold     = {c}"]))])
    if k < 0.68:
        policy = rng.choice(("article-hero", "gallery", "thumbnail", "app-card", "author-avatar"))
        w = rng.choice((1600, 1920, 2400))
        return (f"Image Manager {policy}: add {w}w derivative", "Retina tablets were upscaling the 1280w one.",
                [yaml_file(f"image-manager/policies/{policy}.json", yaml_patch(rng.randrange(4, 30), '"breakpoints"', [
                    '-    "widths": [320, 640, 960, 1280]', f'+    "widths": [320, 640, 960, 1280, {w}]']))])
    if k < 0.78:
        host = rng.choice(("podcasts-origin", "puzzles-origin", "newsletters-origin", "e-edition-origin"))
        return (f"Origins: {host} connect timeout 5s -> 3s", f"Fail over to the secondary faster ({ticket}).",
                [yaml_file("property/origins.tf", yaml_patch(rng.randrange(20, 90), "origin", [
                    f'   name            = "{host}"', "-  connect_timeout = \"5s\"",
                    "+  connect_timeout = \"3s\""]))])
    if k < 0.88:
        feat = rng.choice(("http3", "brotli", "early_hints"))
        on = rng.random() < 0.7
        return (f"{'Enable' if on else 'Disable'} {feat} on {rng.choice(('static', 'images', 'podcasts'))}",
                rng.choice(("Tested on staging for a week.", f"Akamai TAM recommendation ({ticket}).")),
                [yaml_file("property/rules/static.json", yaml_patch(rng.randrange(30, 60), '"behaviors": [', [
                    f'-      {{"name": "{feat}", "options": {{"enabled": {"false" if on else "true"}}}}}',
                    f'+      {{"name": "{feat}", "options": {{"enabled": {"true" if on else "false"}}}}}']))])
    geo = rng.choice((("US", "CA"), ("AU", "NZ"), ("IE",)))
    return (f"Puzzles: licensed crossword archive also for {', '.join(geo)}", "Syndication deal signed.",
            [yaml_file("property/rules/puzzles.json", yaml_patch(rng.randrange(8, 20), '"criteria": [', [
                '-          "values": ["GB"]', '+          "values": ["GB", ' + ", ".join(f'"{g}"' for g in geo) + "]"]))])


_CHECKS = (("podcast-rss", "checks/podcasts.tf", "https://podcasts.northwickchronicle.com/feeds/the-briefing.xml"),
           ("crossword-api", "checks/puzzles.tf", "https://puzzles.northwickchronicle.com/api/v2/crosswords/today"),
           ("newsletter-signup", "checks/newsletters.tf", f"https://{SITE}/newsletters"),
           ("news-sitemap", "checks/seo.tf", f"https://{SITE}/sitemaps/news.xml"),
           ("apple-news-feed", "checks/syndication.tf", "https://feeds.northwickchronicle.com/apple-news/top.json"),
           ("app-fronts-api", "checks/apps.tf", "https://api.northwickchronicle.com/app/v4/fronts/uk"),
           ("e-edition", "checks/e-edition.tf", "https://edition.northwickchronicle.com/today"))


def _uptime_change(rng: random.Random) -> ConfigChange:
    """One generated PR of uptime-checks: Grafana Synthetic Monitoring checks other than the web origin's."""
    job, path, _ = rng.choice(_CHECKS)
    ticket = f"UP-{rng.randrange(60, 140)}"
    k = rng.random()
    if k < 0.25:
        a, c = rng.choice(((60000, 120000), (120000, 60000), (300000, 120000), (60000, 300000)))
        return (f"{job}: frequency {a // 1000}s -> {c // 1000}s", rng.choice((f"Grafana Cloud bill ({ticket}).",
                                                                              "Product asked for faster detection.")),
                [yaml_file(path, yaml_patch(rng.randrange(4, 12), "resource", [f"-  frequency = {a}",
                                                                               f"+  frequency = {c}"]))])
    if k < 0.42:
        a, c = rng.choice(((5000, 10000), (10000, 5000), (3000, 5000)))
        return (f"{job}: timeout {a // 1000}s -> {c // 1000}s", "Tail latency from Sydney is legitimately high.",
                [yaml_file(path, yaml_patch(rng.randrange(4, 12), "resource", [f"-  timeout   = {a}",
                                                                               f"+  timeout   = {c}"]))])
    if k < 0.58:
        probe = rng.choice(("Sydney", "Singapore", "Oregon", "Dublin", "Paris"))
        return (f"{job}: also probe from {probe}", "One more location for the syndication partners.",
                [yaml_file(path, yaml_patch(rng.randrange(8, 16), "probes = [", [
                    f"+    data.grafana_synthetic_monitoring_probes.main.probes.{probe},"]))])
    if k < 0.72:
        return (f"{job}: alert for 2m -> 5m", f"Single blips resolved on their own every time ({ticket}).",
                [yaml_file("alerts/uptime.yaml", yaml_patch(rng.randrange(10, 90), "rules:", [
                    f"   - alert: UptimeCheckFailing_{job.replace('-', '_')}", "-    for: 2m", "+    for: 5m"]))])
    if k < 0.86:
        team = rng.choice(("audio", "puzzles", "growth", "syndication", "apps"))
        return (f"{job}: route to #{team}-alerts", "Owned by them now, they want the Slack alerts.",
                [yaml_file(path, yaml_patch(rng.randrange(14, 24), "labels = {", [
                    "-    team    = \"web-platform\"", f"+    team    = \"{team}\""]))])
    minor = rng.randrange(20, 34)
    return (f"Bump grafana provider to 3.{minor + 1}.0", "Routine provider bump, plan shows no changes.",
            [yaml_file("versions.tf", yaml_patch(6, "required_providers {", [
                f'-      version = "~> 3.{minor}.0"', f'+      version = "~> 3.{minor + 1}.0"']))])


# Routine bot lines -------------------------------------------------------------------------------------------------

def _edge_anomaly(rng: random.Random, t: float) -> str:
    """EdgeStats' routine anomaly lines: other hostnames, WAF spikes and purges that are not www's."""
    k = rng.random()
    if k < 0.28:
        return (f":warning: *EdgeStats anomaly* `img.northwickchronicle.com` last 15m: offload "
                f"{rng.uniform(82, 90):.1f}% (7d median 97.6%) · Image Manager warming new derivatives")
    if k < 0.46:
        return (f":warning: *EdgeStats anomaly* `podcasts.northwickchronicle.com` last 15m: origin errors "
                f"{rng.uniform(0.8, 4.5):.1f}% (7d median 0.01%) · edge 5xx {rng.randrange(3, 60)}")
    if k < 0.64:
        return (f":shield: *EdgeStats* WAF rate control `{rng.choice(('search-scrapers', 'rss-pollers', 'comment-posting'))}`"
                f" denied {rng.randrange(2_000, 40_000):,} requests in 15m ({rng.randrange(3, 40)} IPs)")
    if k < 0.80:
        return (f":warning: *EdgeStats anomaly* `api.northwickchronicle.com` last 15m: edge requests "
                f"+{rng.randrange(40, 180)}% vs 7d median · offload {rng.uniform(93, 97):.1f}% · push alert traffic")
    return (f":broom: *EdgeStats* Fast Purge by `{rng.choice(('ysolde', 'deploy-ci', 'image-manager'))}`: "
            f"{rng.randrange(1, 4)} CP code(s) invalidated ({rng.choice(('static', 'images', 'puzzles'))})")


def _grafana_line(rng: random.Random, t: float) -> str:
    """Grafana's Slack-only alerts of web-origin in #web-platform-alerts."""
    k = rng.random()
    morning = 6 <= int(iso(t)[11:13]) <= 9
    if k < 0.22 and t > epoch(HPA_LIVE) and morning:
        return ":large_yellow_circle: Grafana *[FIRING]* article-render HPA at max replicas (36/36) for 15m (slack only)"
    if k < 0.40:
        return (f":large_yellow_circle: Grafana *[FIRING]* fronts render errors {rng.uniform(0.6, 1.9):.1f}% "
                "above 0.5% for 5m (slack only)")
    if k < 0.60:
        return ":large_green_circle: Grafana *[RESOLVED]* fronts render errors back under 0.5%"
    if k < 0.78:
        return (f":large_yellow_circle: Grafana *[FIRING]* origin-gw upstream 499s {rng.randrange(200, 1400)}/min "
                f"(client closed, {rng.choice(('article-render', 'fronts', 'membership-api'))})")
    if k < 0.90:
        return (f":large_yellow_circle: Grafana *[FIRING]* image resizer queue {rng.randrange(120, 480)} above 100 "
                "for 10m (slack only)")
    return ":large_green_circle: Grafana *[RESOLVED]* image resizer queue back under 100"


def _sm_line(rng: random.Random, t: float) -> str:
    """Grafana Synthetic Monitoring's lines in #uptime-checks about the other checks."""
    job, _, _ = rng.choice(_CHECKS)
    probe = rng.choice(("London", "Frankfurt", "NorthVirginia", "Sydney"))
    k = rng.random()
    if k < 0.40:
        return f":x: Synthetic Monitoring: `{job}` failing from {probe} (1/3 probes): {rng.choice(('HTTP 503', 'timeout 10000ms', 'regexp did not match', 'TLS handshake timeout'))}"
    if k < 0.80:
        return f":white_check_mark: Synthetic Monitoring: `{job}` recovered from {probe}"
    return f":turtle: Synthetic Monitoring: `{job}` p95 {rng.randrange(1200, 4800)}ms from {probe} (24h)"


_STORIES = ("Autumn budget leak", "Rail strike dates", "Premier League: late drama at Anfield", "Storm Ingrid latest",
            "NHS waiting lists hit record", "Bank of England holds rates", "Ashes squad named", "Housing bill vote",
            "Obituary: Dame Felicity Orme", "Crossword 29,812", "Water company fines", "The Briefing podcast",
            "Interest rates explained", "Carrow reshuffle latest", "Glastonbury line-up", "Court report: Harwell case")


def _chartbeat_line(rng: random.Random, t: float) -> str:
    """Chartbeat's periodic post in #digital-desk (on the resignation night: the live blog, and fewer readers while
    article pages error)."""
    if epoch("2025-10-14T18:10:00Z") <= t < epoch("2025-10-15T00:00:00Z"):
        hurt = epoch("2025-10-14T18:30:00Z") <= t < epoch("2025-10-14T22:20:00Z")
        conc = int(rng.uniform(150_000, 215_000) if hurt else rng.uniform(260_000, 330_000))
        return (f":chart_with_upwards_trend: *Chartbeat* {conc:,} concurrents · top: 'Carrow resigns: live' "
                f"({int(conc * rng.uniform(0.38, 0.46)):,}) · {rng.randrange(62, 74)}% from push and social")
    hour = int(iso(t)[11:13])
    base = 62_000 if 6 <= hour <= 22 else 14_000
    conc = int(base * rng.uniform(0.7, 1.6))
    story = rng.choice(_STORIES)
    return (f":chart_with_upwards_trend: *Chartbeat* {conc:,} concurrents · top: '{story}' "
            f"({int(conc * rng.uniform(0.06, 0.22)):,}) · {rng.randrange(38, 61)}% from search and social")


_TICKET_TOPICS = ("Print delivery missed this morning", "Crossword app won't save progress", "Cancel my subscription",
                  "Charged twice this month", "Newsletter keeps arriving after I unsubscribed",
                  "How do I gift a subscription?", "Student discount code not working", "Complaint about an article",
                  "E-edition PDF won't download", "Change of address for print", "App logs me out every day",
                  "Comment removed, why?")


def _ticket_line(rng: random.Random, t: float) -> str:
    return (f":ticket: Zendesk *#{rng.randrange(310_000, 339_000)}* ({rng.choice(('email', 'web form', 'phone', 'app'))}): "
            f"{rng.choice(_TICKET_TOPICS)}")


_DESK_NOUNS = ("splash", "push alert", "live blog", "homepage lead", "newsletter", "picture desk", "subs queue",
               "night lawyer read", "explainer", "podcast trail", "correction", "SEO headline")
_DESK_LINES = (
    "{noun} for the 6pm slot is in Copydesk, subs please",
    "can someone check the {noun} headline, it's truncating in the app",
    "{noun}: legal have cleared it, good to go",
    "who's got the {noun} tonight?",
    "reminder: no {noun} on the court case until the jury is out",
    "{noun} doing well in Chartbeat, let's keep it up top",
    "picture for the {noun} is wrong crop on mobile, fixing",
    "{noun} moved to 7am, embargo",
)
_SUPPORT_NOUNS = ("print delivery", "refund", "gift subscription", "crossword app", "newsletter", "student offer",
                  "e-edition", "comments", "direct debit", "app login")
_SUPPORT_LINES = (
    "{noun}: macro updated, please use the new wording",
    "anyone know if there's a known issue with {noun}? 3 tickets this morning",
    "escalated a {noun} complaint to the readers' editor",
    "{noun} queue is down to 40, nice work all",
    "who approves goodwill credits for {noun} now?",
    "reader says the {noun} page shows an error, probably their browser",
)
_SOCIAL_NOUNS = ("explainer video", "live blog card", "quote card", "TikTok", "newsletter promo", "podcast clip",
                 "Threads post", "picture gallery")
_SOCIAL_LINES = (
    "{noun} for the 8am push is scheduled",
    "{noun} is doing numbers :fire:",
    "can we get a {noun} on the rates story?",
    "comments under the {noun} are getting nasty, hiding a few",
    "{noun}: which link do we use, app or web?",
)
_COMMERCIAL_NOUNS = ("Caledon Bank", "Halcyon Motors", "Brightwater Energy", "Ottery Travel", "Marlow Gin",
                     "the Christmas takeover", "Q4 forecast", "the podcast sponsorship")
_COMMERCIAL_LINES = (
    "{noun}: creative approved, live from monday",
    "{noun} want a wrap-up report with viewability by friday",
    "anyone seen delivery numbers for {noun} this week?",
    "{noun} asking about the live blog sponsorship package again",
    "{noun}: the agency says tags are firing twice, can ad tech look?",
    "forecast call moved to thursday 10:00",
)


def _digest(window: str, offload: float, edge_m: float, origin_err: float, e5xx: int, purges: int) -> str:
    origin_k = edge_m * (100 - offload) * 10
    return (f":bar_chart: *EdgeStats* `{SITE}` {window} UTC · offload {offload:.1f}% · edge requests {edge_m:.1f}M · "
            f"origin requests {origin_k:,.0f}k · origin errors {origin_err:.2f}% · edge 5xx {e5xx:,} · "
            f"tag invalidations {purges:,}")


# The story's PRs -------------------------------------------------------------------------------------------------

_CHECK_FILE = "checks/web.tf"

_WEAKENING = Change(
    author="kwabena", reviewer="oriel", labels=("uptime", "on-call"),
    title="Uptime: check www through Akamai instead of the origin deep check (UP-77)",
    body="Seven pages in ten days from `article-origin-deep`, every one of them inside an announced maintenance "
         "window (render node groups to EKS 1.31 on Sep 3/4 and 10/11, the content-db failover on Sep 6, origin-gw "
         "certs on Sep 12/13). Readers saw nothing: Akamai served from cache and stale on error the whole time, "
         "EdgeStats shows edge 5xx at baseline for all four windows.\n\n"
         "The check measures the origin with a cache bypass, and the page says the site is down. This points it at "
         "what readers get instead:\n\n"
         "- `https://www.northwickchronicle.com/` through Akamai, no `Cache-Control: no-cache`, no bypass token\n"
         "- pass on a 200 with the masthead in the body\n"
         "- page when 2 of 3 locations fail for 5 minutes (was 2 minutes)\n\n"
         "Origin health is still covered by the article-render p95 latency alert (low urgency, "
         "#web-platform-alerts), and membership has its own error-rate alert.",
    files=((_CHECK_FILE, """@@ -1,31 +1,30 @@
-# Deep origin check: renders an article template from content-db and calls membership, bypassing Akamai.
-resource "grafana_synthetic_monitoring_check" "article_origin_deep" {
-  job       = "article-origin-deep"
-  target    = "https://origin-euw2.northwick.net/_health/deep?render=article&membership=1"
+# Reader-facing check: the homepage through Akamai, as readers get it (UP-77).
+resource "grafana_synthetic_monitoring_check" "www_homepage" {
+  job       = "www-homepage"
+  target    = "https://www.northwickchronicle.com/"
   enabled   = true
   frequency = 60000
   timeout   = 10000
   probes = [
     data.grafana_synthetic_monitoring_probes.main.probes.London,
     data.grafana_synthetic_monitoring_probes.main.probes.Frankfurt,
     data.grafana_synthetic_monitoring_probes.main.probes.NorthVirginia,
   ]
   labels = {
     team     = "web-platform"
     service  = "web-origin"
     severity = "page"
   }
   settings {
     http {
       method = "GET"
-      headers = [
-        "Cache-Control: no-cache",
-        "X-Origin-Probe: ${var.origin_probe_token}",
-      ]
       valid_status_codes = [200]
-      fail_if_body_not_matches_regexp = ["data-render=\\"article\\"", "data-membership-ok=\\"true\\""]
+      fail_if_body_not_matches_regexp = ["The Northwick Chronicle"]
     }
   }
 }"""),
           ("alerts/uptime.yaml", """@@ -4,9 +4,9 @@ groups:
   - name: web-origin-uptime
     rules:
-      - alert: ArticleOriginDeepFailing
-        expr: sum(1 - probe_success{job="article-origin-deep"}) >= 2
-        for: 2m
+      - alert: WwwHomepageFailing
+        expr: sum(1 - probe_success{job="www-homepage"}) >= 2
+        for: 5m
         labels:
           severity: page
           service: web-origin""")),
)

_ARTICLES = "property/rules/articles.json"

_CONTRIBUTOR = Change(
    author="ysolde", reviewer="oriel", labels=("akamai", "legal"),
    title="Articles: Must Revalidate on, never serve a stale article page (LEGAL-214)",
    body="On Saturday Sep 27 the Harwell court report was corrected at 20:14 BST (wrong defendant named in the second "
         "paragraph). render-euw2 was restarting pods from 20:20 to 20:58 and Akamai served the uncorrected copy as "
         "stale on error until 20:52, 38 minutes after the correction. Legal (Harriet, LEGAL-214) asks that once an "
         "article has changed we never show its old text.\n\n"
         "This turns on Must Revalidate for the Articles rule (web article pages and the apps' article JSON): an "
         "object that is past its TTL or invalidated is only served after origin has revalidated it; if origin "
         "can't answer, the edge returns an error instead of the stale copy.\n\n"
         "Fronts, images, the app fronts and static assets keep serving stale on error. Corrections already "
         "invalidate the article tag through publish-pipeline.",
    files=((_ARTICLES, """@@ -1,26 +1,26 @@
 {
   "name": "Articles",
-  "comments": "Article pages (web) and article JSON (apps). Tags from article-render: article-<id>, rail-latest.",
+  "comments": "Article pages (web) and article JSON (apps). Tags from article-render: article-<id>, rail-latest. Must Revalidate per LEGAL-214.",
   "criteria": [
     {
       "name": "path",
       "options": {
         "matchOperator": "MATCHES_ONE_OF",
         "values": ["/news/*", "/politics/*", "/sport/*", "/business/*", "/world/*", "/culture/*", "/api/app/article/*"]
       }
     }
   ],
   "behaviors": [
     {
       "name": "caching",
       "options": {
         "behavior": "MAX_AGE",
-        "mustRevalidate": false,
+        "mustRevalidate": true,
         "ttl": "10m"
       }
     },
     {
       "name": "tieredDistribution",
       "options": {"enabled": true, "tieredDistributionMap": "CH2"}
     }
   ]
 }"""),
           ("README.md", """@@ -31,6 +31,7 @@ ## Rules
 | rule | TTL | stale on origin error |
 |---|---|---|
-| Articles | 10m | yes |
+| Articles | 10m | **no** (Must Revalidate, LEGAL-214) |
 | Fronts | 60s | yes |
 | App fronts | 60s | yes |
+
+Why: a corrected article must never be served in its old version (LEGAL-214).""")),
)

_HPA = Change(
    author="rhodri", reviewer="fionnuala", labels=("finops", "capacity"),
    title="article-render: HPA maxReplicas 60 -> 36 in euw2 (FIN-52)",
    body="FinOps review (FIN-52): render-euw2 reserves capacity for 60 pods and the 90-day peak was 31 (the Euro "
         "final, Jul 13). 36 leaves headroom and lets us drop two m7i.4xlarge reservations. use1 stays at 24.",
    files=(("deploy/helm/values-production-euw2.yaml", """@@ -28,8 +28,9 @@ resources:
 autoscaling:
   enabled: true
   minReplicas: 12
-  maxReplicas: 60
+  # FIN-52: 90-day peak was 31 pods (Euro final, Jul 13); 36 leaves headroom.
+  maxReplicas: 36
   targetCPUUtilizationPercentage: 65
   behavior:
     scaleUp:
       stabilizationWindowSeconds: 0"""),),
)

_TAGS = "internal/purge/tags.go"
_HANDLER = "internal/purge/handler.go"

_TRIGGER = Change(
    author="callum", reviewer="ingrid", labels=("publishing", "akamai"),
    title="Purge fronts and the Latest rail on every publish, update and live blog post (PUB-318)",
    body="The desk has asked for this since the spring (PUB-318, again after last Sunday's push): when a story is "
         "published or its headline changes, the homepage and section fronts take up to 60s to show it and the "
         "Latest rail on article pages and in the apps up to 10 minutes (the article TTL). Readers who come in from "
         "a push alert land on an article whose Latest rail doesn't have the story they came for.\n\n"
         "- every publish, update, correction and live blog post now invalidates `rail-latest`, `front-home` and the "
         "article's section fronts, not only publishes and corrections\n"
         "- same Fast Purge `invalidate` call we already make for `article-<id>`: objects are revalidated with "
         "origin, nothing is deleted\n"
         "- CCU limits are no concern: we send ~30 purge requests an hour on a normal day\n\n"
         "On staging a new headline shows on the front and in the rail ~6s after publish.",
    files=((_TAGS, """@@ -12,13 +12,19 @@ import (
 // Cache tags are set by article-render in the Edge-Cache-Tag header:
 //   article-<id>    the article page and its app JSON
 //   liveblog-<id>   a live blog and its posts
+//   rail-latest     the Latest rail, embedded in every article page and app article
+//   front-<name>    a front (home, politics, sport, ...)

-// TagsFor returns the cache tags to invalidate for a Copydesk event.
-// Fronts and the Latest rail are left to their TTLs (fronts 60s, articles 10m).
+// TagsFor returns the cache tags to invalidate for a Copydesk event: the article and, since PUB-318,
+// the Latest rail and the fronts it appears on, so a new or changed headline shows everywhere at once.
 func TagsFor(ev copydesk.Event) []string {
     tags := []string{"article-" + ev.ArticleID}
     if ev.LiveblogID != "" {
         tags = append(tags, "liveblog-"+ev.LiveblogID)
     }
+    tags = append(tags, "rail-latest", "front-home")
+    for _, s := range ev.Sections {
+        tags = append(tags, "front-"+s)
+    }
     return tags
 }"""),
           (_HANDLER, """@@ -48,11 +48,10 @@ func (h *Handler) OnEvent(ctx context.Context, ev copydesk.Event) error {
     if ev.Environment != copydesk.EnvProduction {
         return nil
     }
-    // Only publishes and corrections purge; other updates and live blog posts wait for the TTL.
-    if ev.Kind != copydesk.KindPublish && ev.Kind != copydesk.KindCorrection {
-        return nil
-    }
+    // Every publish, update, correction and live blog post purges (PUB-318): readers should not
+    // see an old headline on a front or in the Latest rail after the desk has changed it.
     tags := TagsFor(ev)
     h.metrics.Purges.WithLabelValues(string(ev.Kind)).Inc()
+    h.metrics.PurgedTags.Add(float64(len(tags)))
     return h.ccu.Invalidate(ctx, h.network, tags)
 }"""),
           ("internal/purge/tags_test.go", """@@ -19,7 +19,7 @@ func TestTagsFor(t *testing.T) {
         {
             name: "live blog post",
             ev:   copydesk.Event{Kind: copydesk.KindLiveblogPost, ArticleID: "a1b2", LiveblogID: "lb9", Sections: []string{"politics"}},
-            want: []string{"article-a1b2", "liveblog-lb9"},
+            want: []string{"article-a1b2", "liveblog-lb9", "rail-latest", "front-home", "front-politics"},
         },""")),
)

_FIX = Change(
    author="callum", reviewer="ysolde", labels=("incident", "publishing", "akamai"),
    title="Stop invalidating rail-latest on every event; fronts at most once a minute",
    body="Fixes {{incurl:page}}.\n\n{{url:trigger}} made every publish, update and live blog post invalidate "
         "`rail-latest`, and that tag is on every cached article page and app article: each invalidation made all of "
         "them revalidate against origin. On the resignation night the live blog posted every ~20s, offload fell "
         "from 96% to 38% and article-render (36/36 pods) could not keep up; UK and EU readers got error pages from "
         "18:24 to about 22:20 UTC. Production was rolled back to v2.41.3 at 22:03.\n\n"
         "- `rail-latest` is never invalidated by an event again (article-render moves the rail to a client-side "
         "fetch with its own 30s TTL, WEB-882)\n"
         "- fronts are refreshed by a debounced FrontRefresher: at most once a minute per front, however busy the "
         "desk is\n"
         "- only publishes, corrections and headline changes purge the article; live blog posts purge nothing (the "
         "live blog polls for new posts)",
    files=((_TAGS, """@@ -15,20 +15,17 @@
 //   front-<name>    a front (home, politics, sport, ...)

-// TagsFor returns the cache tags to invalidate for a Copydesk event: the article and, since PUB-318,
-// the Latest rail and the fronts it appears on, so a new or changed headline shows everywhere at once.
+// TagsFor returns the cache tags to invalidate for a Copydesk event: the article and its live blog.
+// Never rail-latest: it is on every article page, so invalidating it revalidates all of them against
+// origin (incident 2025-10-14). Fronts go through the debounced FrontRefresher.
 func TagsFor(ev copydesk.Event) []string {
     tags := []string{"article-" + ev.ArticleID}
     if ev.LiveblogID != "" {
         tags = append(tags, "liveblog-"+ev.LiveblogID)
     }
-    tags = append(tags, "rail-latest", "front-home")
-    for _, s := range ev.Sections {
-        tags = append(tags, "front-"+s)
-    }
     return tags
 }"""),
           (_HANDLER, """@@ -51,8 +51,14 @@ func (h *Handler) OnEvent(ctx context.Context, ev copydesk.Event) error {
-    // Every publish, update, correction and live blog post purges (PUB-318): readers should not
-    // see an old headline on a front or in the Latest rail after the desk has changed it.
+    // Publishes, corrections and headline changes purge the article; other updates and live blog
+    // posts wait for the TTL (the live blog polls for new posts itself).
+    if !ev.Kind.Purges() {
+        return nil
+    }
     tags := TagsFor(ev)
+    // Fronts at most once a minute each, however busy the desk is.
+    h.fronts.Touch(append([]string{"home"}, ev.Sections...)...)
     h.metrics.Purges.WithLabelValues(string(ev.Kind)).Inc()
     h.metrics.PurgedTags.Add(float64(len(tags)))
     return h.ccu.Invalidate(ctx, h.network, tags)"""),
           ("internal/purge/fronts.go", """@@ -0,0 +1,14 @@
+package purge
+
+// FrontRefresher invalidates front-<name> tags at most once per interval per front.
+type FrontRefresher struct {
+    ccu      CCU
+    network  string
+    interval time.Duration // 60s in production
+    mu       sync.Mutex
+    pending  map[string]bool
+    last     map[string]time.Time
+}
+
+// Touch marks fronts as changed; the next tick invalidates those not refreshed within the interval.
+func (f *FrontRefresher) Touch(fronts ...string) {""")),
)

_FOLLOW_UPTIME = Change(
    author="kwabena", reviewer="oriel", labels=("uptime", "incident"),
    title="Uptime: bring back the deep article-origin check (paging), muted in planned maintenance",
    body="Follow-up of {{incurl:page}}. Since {{url:weakening}} the only paging check was the homepage through "
         "Akamai, which is cached and served stale on error: it stayed green for the three hours UK readers got "
         "error pages on articles.\n\n"
         "- the deep check is back (renders an article from content-db, calls membership), paging on 2 of 3 "
         "locations for 3m\n"
         "- planned maintenance gets a Grafana mute timing from the maintenance calendar instead of pages\n"
         "- the homepage check stays, and a new article check through Akamai (`www-article`) fails on Akamai's "
         "error page",
    files=((_CHECK_FILE, """@@ -30,0 +31,9 @@
+
+# Deep origin check again (incident 2025-10-14): the homepage check can't see an origin outage.
+resource "grafana_synthetic_monitoring_check" "article_origin_deep" {
+  job       = "article-origin-deep"
+  target    = "https://origin-euw2.northwick.net/_health/deep?render=article&membership=1"
+  enabled   = true
+  frequency = 60000
+  timeout   = 10000
+  labels    = { team = "web-platform", service = "web-origin", severity = "page" }"""),
           ("alerts/mute-timings.yaml", """@@ -0,0 +1,5 @@
+mute_time_intervals:
+  - name: web-origin-planned-maintenance
+    # Filled from the maintenance calendar by calendar-sync; only the deep check is muted.
+    time_intervals:
+      - times: [{start_time: "23:30", end_time: "02:30"}]""")),
)

_FOLLOW_AKAMAI = Change(
    author="ysolde", reviewer="rhodri", labels=("akamai", "incident", "legal"),
    title="Articles: serve stale on origin error again; corrections delete instead of invalidate (LEGAL-214)",
    body="Follow-up of {{incurl:page}}. With {{url:contributor}} an article that could not be revalidated became "
         "an Akamai error page rather than the copy from ten minutes ago, for every reader, on every article. What "
         "Legal needs is narrower: a *corrected* article must never be served in its old version.\n\n"
         "Must Revalidate is off again for Articles. publish-pipeline sends corrections and legal holds as a Fast "
         "Purge `delete` of the article tag (the old object is gone, so it can't be served stale). Harriet has "
         "signed this off on LEGAL-214.",
    files=((_ARTICLES, """@@ -15,6 +15,6 @@
       "options": {
         "behavior": "MAX_AGE",
-        "mustRevalidate": true,
+        "mustRevalidate": false,
         "ttl": "10m"
       }"""),),
)


def build_cached_probe(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the cached-probe world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="cached-probe", seed=1171, org="northwick", team_name="Web Platform",
                    page_at="2025-10-14T21:41:00Z", impact_start="2025-10-14T18:24:00Z",
                    noise_teams=("mobile", "platform", "data", "growth", "identity"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    rng = b.rng
    for key, name in (("edgestats", "EdgeStats"), ("akamaibot", "Akamai Pipeline"), ("grafana", "Grafana"),
                      ("synthmon", "Synthetic Monitoring"), ("atlantis", "Atlantis"), ("chartbeat", "Chartbeat"),
                      ("zendesk", "Zendesk")):
        b.person(key, name, github=False, is_bot=True)
    for key, _ in STAFF + OUTSIDERS:
        b.people[key].tz = "Europe/London"
    growth, identity, platform = sc.team("growth"), sc.team("identity"), sc.team("platform")

    # Web Platform, Publishing, Membership: PagerDuty, channels, repos -------------------------------------------
    w_team = b.team("Web Platform")
    w_policy = b.policy("Web Platform on-call", w_team, ONCALL)
    svc = b.service("web-origin", "Origin of www and the apps: origin-gw, article-render, fronts (euw2, use1)",
                    w_policy, w_team, iso(start - 800 * DAY))
    e_svc = b.service("cdn-edge", "Akamai property www.northwickchronicle.com (activations from akamai-config)",
                      w_policy, w_team, iso(start - 700 * DAY))
    u_svc = b.service("uptime-checks", "Grafana Synthetic Monitoring checks, applied by Atlantis", w_policy, w_team,
                      iso(start - 500 * DAY))
    p_team = b.team("Publishing")
    pub_people = PUB_PEOPLE + ["hamish", "noor"]
    p_policy = b.policy("Publishing on-call", p_team, pub_people[:3])
    p_svc = b.service("publish-pipeline", "Copydesk publish events: renders, feeds, syndication, Akamai purges",
                      p_policy, p_team, iso(start - 650 * DAY))
    m_team = b.team("Membership")
    mem_people = MEM_PEOPLE + ["tiago", "marit"]
    m_policy = b.policy("Membership on-call", m_team, mem_people[:3])
    m_svc = b.service("membership-api", "Sign-in, entitlements, paywall meter, subscriptions", m_policy, m_team,
                      iso(start - 720 * DAY))

    web_ch = b.channel("web-platform", "Web Platform: origin, render, Akamai, uptime", "Web Platform team",
                       start - 700 * DAY, "oriel")
    wpa_ch = b.channel("web-platform-alerts", "Pages and Grafana alerts of web-origin", "Alerts of web-origin",
                       start - 500 * DAY, "fionnuala")
    edge_ch = b.channel("edge-stats", "EdgeStats digests and anomalies, Akamai activations", "CDN numbers",
                        start - 420 * DAY, "ysolde")
    up_ch = b.channel("uptime-checks", "Synthetic Monitoring results and Atlantis applies", "Uptime checks",
                      start - 400 * DAY, "kwabena")
    pub_ch = b.channel("publishing-eng", "Publishing engineering: Copydesk and publish-pipeline", "Publishing team",
                       start - 650 * DAY, "ingrid")
    mem_ch = b.channel("membership", "Membership: paywall, sign-in, subscriptions", "Membership team",
                       start - 600 * DAY, "soledad")
    desk_ch = b.channel("digital-desk", "Digital desk: homepage, live blogs, push alerts", "Digital desk",
                        start - 900 * DAY, "marisol")
    news_ch = b.channel("newsroom", "Newsroom announcements", "Newsroom", start - 900 * DAY, "marisol")
    rs_ch = b.channel("reader-support", "Reader support: tickets, calls, escalations", "Reader support",
                      start - 800 * DAY, "winifred")
    soc_ch = b.channel("social-desk", "Social desk", "Social media team", start - 700 * DAY, "jonah")
    com_ch = b.channel("commercial-ops", "Ad ops and account management", "Commercial", start - 750 * DAY,
                       "eleanora")
    render_repo = b.repo("article-render", "Article pages, fronts and app article JSON (Next.js, SSR)",
                         iso(start - 900 * DAY))
    pipe_repo = b.repo("publish-pipeline", "Copydesk publish events -> renders, feeds, syndication, Akamai purges (Go)",
                       iso(start - 700 * DAY))
    cms_repo = b.repo("copydesk", "Copydesk, the newsroom CMS (TypeScript)", iso(start - 1000 * DAY))
    akam_repo = b.repo("akamai-config", "Akamai property rules, Edge Redirector, WAF and Image Manager (Terraform)",
                       iso(start - 600 * DAY))
    up_repo = b.repo("uptime-checks", "Grafana Synthetic Monitoring checks and alert rules (Terraform)",
                     iso(start - 420 * DAY))
    mem_repo = b.repo("membership", "Membership API, paywall meter and experiments (Kotlin)", iso(start - 800 * DAY))

    # Their noise ---------------------------------------------------------------------------------------------------
    n = sc.scale
    web_people = WEB_PEOPLE + ["anselm", "pilar"]
    web = NoiseTeam(WEBPLAT, web_people, render_repo, web_ch, svc, w_policy)
    pub = NoiseTeam(PUBLISHING, pub_people, pipe_repo, pub_ch, p_svc, p_policy)
    cms = NoiseTeam(COPYDESK, pub_people, cms_repo, pub_ch, p_svc, p_policy)
    mem = NoiseTeam(MEMBERSHIP, mem_people, mem_repo, mem_ch, m_svc, m_policy)
    add_pulls(b, web, 80 * n, start - 60 * DAY, end)
    add_pulls(b, pub, 55 * n, start - 60 * DAY, end)
    add_pulls(b, cms, 50 * n, start - 60 * DAY, end)
    add_pulls(b, mem, 45 * n, start - 60 * DAY, end)

    def activated(pull: dict[str, Any], at: float, handle: str | None = None) -> dict[str, Any]:
        """The Akamai pipeline activates a merged akamai-config commit on production: a change event and a line."""
        sha7 = pull["merge_commit_sha"][:7]
        links = [{"href": "{{url:" + handle + "}}", "text": pull["title"]}] if handle else \
            [{"href": f"https://github.com/{akam_repo}/commit/{sha7}", "text": sha7}]
        ev = b.change_event(e_svc, f"Akamai: activated {SITE} from akamai-config@{sha7} on PRODUCTION: "
                            f"{pull['title']}", at, "akamai-pipeline", links=links,
                            details={"network": "PRODUCTION", "files": [f["filename"] for f in pull["files"]]})
        if handle:
            b.templated.append((ev["links"][0], "href"))
        b.say(edge_ch, at + 6, "akamaibot", f":white_check_mark: *Activated* `{SITE}` on PRODUCTION from "
              f"akamai-config@{sha7} ({pull['title']}) · propagation ~6 min")
        return ev

    def applied(pull: dict[str, Any], at: float, handle: str | None = None) -> dict[str, Any]:
        """Atlantis applies a merged uptime-checks commit: a line in #uptime-checks and a change event."""
        sha7 = pull["merge_commit_sha"][:7]
        b.say(up_ch, at + 4, "atlantis", f":white_check_mark: Atlantis applied uptime-checks@{sha7} "
              f"({pull['title']}): {len(pull['files'])} file(s), apply complete")
        links = [{"href": "{{url:" + handle + "}}", "text": pull["title"]}] if handle else []
        ev = b.change_event(u_svc, f"Atlantis apply uptime-checks@{sha7}: {pull['title']}", at, "atlantis",
                            links=links, details={"files": [f["filename"] for f in pull["files"]]})
        if handle:
            b.templated.append((ev["links"][0], "href"))
        return ev

    def on_akamai_merge(pull: dict[str, Any]) -> None:
        activated(pull, epoch(pull["merged_at"]) + rng.uniform(600, 1800))

    def on_uptime_merge(pull: dict[str, Any]) -> None:
        applied(pull, epoch(pull["merged_at"]) + rng.uniform(120, 400))

    config_pulls(b, akam_repo, web_people, 50 * n, start - 60 * DAY, end, _akamai_change,
                 on_merge=on_akamai_merge)
    config_pulls(b, up_repo, WEB_PEOPLE + platform.members[:2], 35 * n, start - 60 * DAY, end, _uptime_change,
                 on_merge=on_uptime_merge)

    def repo_links(*repos: str, last: int = 150) -> list[str]:
        return [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in repos][-last:]

    add_chat(b, web_ch, web_people, WEBPLAT.nouns, 150 * n, start, end, links=repo_links(render_repo, akam_repo))
    add_chat(b, pub_ch, pub_people, PUBLISHING.nouns + COPYDESK.nouns, 110 * n, start, end,
             links=repo_links(pipe_repo, cms_repo))
    add_chat(b, mem_ch, mem_people, MEMBERSHIP.nouns, 50 * n, start, end, links=repo_links(mem_repo, last=80))
    add_chat(b, up_ch, web_people[:4], ("homepage check", "podcast feed check", "probe locations"), 10 * n, start,
             end, thread_rate=0.2, links=repo_links(up_repo, last=40))
    add_chat(b, edge_ch, web_people[:4] + ["callum"], ("offload", "Image Manager", "Edge Redirector", "WAF rule"),
             12 * n, start, end, thread_rate=0.3, links=repo_links(akam_repo, last=40))
    add_chat(b, desk_ch, DESK, _DESK_NOUNS, 90 * n, start, end, lines=_DESK_LINES,
             thread_rate=0.35)
    add_chat(b, news_ch, DESK + SOCIAL[:1], _DESK_NOUNS, 30 * n, start, end, lines=_DESK_LINES,
             thread_rate=0.2)
    add_chat(b, rs_ch, SUPPORT, _SUPPORT_NOUNS, 60 * n, start, end, lines=_SUPPORT_LINES,
             thread_rate=0.5)
    add_chat(b, soc_ch, SOCIAL + growth.members[:1], _SOCIAL_NOUNS, 40 * n, start, end,
             lines=_SOCIAL_LINES, thread_rate=0.3)
    add_chat(b, com_ch, COMMERCIAL, _COMMERCIAL_NOUNS, 40 * n, start, end,
             lines=_COMMERCIAL_LINES, thread_rate=0.4)
    for ch, joiners in ((web_ch, WEB_PEOPLE), (pub_ch, PUB_PEOPLE), (mem_ch, MEM_PEOPLE), (desk_ch, DESK),
                        (rs_ch, SUPPORT), (soc_ch, SOCIAL), (com_ch, COMMERCIAL), (edge_ch, WEB_PEOPLE[:3]),
                        (up_ch, WEB_PEOPLE[:2])):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, web, 8 * n, start, T - 3 * DAY, wpa_ch, incident_channels=False)
    add_incidents(b, pub, 6 * n, start, end, sc.common["alerts"], incident_channels=False)
    add_incidents(b, mem, 5 * n, start, T - 2 * DAY, sc.common["alerts"], incident_channels=False)
    add_deploys(b, web, 35 * n, start, T - DAY, sc.common["deploys"])
    add_deploys(b, web, max(1, 3 * n), T + DAY, end, sc.common["deploys"])
    add_deploys(b, pub, 25 * n, start, epoch("2025-10-13"), sc.common["deploys"])
    add_deploys(b, mem, 20 * n, start, end, sc.common["deploys"])
    days = int((end - start) / DAY)
    bot_feed(b, edge_ch, "edgestats", days * n // 2, start, end, _edge_anomaly)
    bot_feed(b, wpa_ch, "grafana", days * n, start, end, _grafana_line)
    bot_feed(b, up_ch, "synthmon", days * n, start, end, _sm_line)
    bot_feed(b, desk_ch, "chartbeat", days * n, start, end, _chartbeat_line)
    bot_feed(b, rs_ch, "zendesk", days * n, start, end, _ticket_line)
    # The latency alert has always been low urgency: the morning push alerts and the crossword at 00:00 trip it.
    for _ in range(10 * n):
        t = rng.uniform(start, T - 2 * DAY)
        b.incident(svc, LATENCY_TITLE, t, urgency="low", responders=[], notify=False, ack_after=None,
                   resolve_after=rng.uniform(0.2, 1.2) * HOUR, alert_key=LATENCY_KEY, severity="warning",
                   alert_summary=f"histogram_quantile(0.95, article_render_duration_seconds) = "
                                 f"{rng.uniform(2.6, 4.1):.1f}s (euw2)")

    # EdgeStats' four-hourly digest of www --------------------------------------------------------------------------
    day0 = start - start % DAY
    d = day0 + 4 * HOUR
    specials = {"2025-10-14T16": (49.8, 61.4, 11.62, 1_382_400, 4_410),
                "2025-10-14T20": (63.1, 44.9, 6.35, 806_150, 2_950),
                "2025-10-14T12": (91.4, 18.2, 0.04, 610, 1_176)}
    while d < end:
        win = f"{iso(d - 4 * HOUR)[11:16]}–{iso(d)[11:16]}"
        key = iso(d - 4 * HOUR)[:13]
        hour = int(iso(d - 4 * HOUR)[11:13])
        busy = 1.0 if 4 <= hour < 20 else 0.45
        if key in specials:
            line = _digest(win, *specials[key])
        elif any(epoch(a) - 4 * HOUR < d - 4 * HOUR < epoch(z) for a, z in MAINTENANCE + (WOBBLE,)):
            line = _digest(win, rng.uniform(96.4, 97.6), rng.uniform(9, 22) * busy, rng.uniform(2.1, 6.8),
                           rng.randrange(90, 700), rng.randrange(60, 140))
        else:
            line = _digest(win, rng.uniform(95.1, 97.2), rng.uniform(14, 26) * busy, rng.uniform(0.01, 0.05),
                           rng.randrange(80, 900), rng.randrange(60, 190))
        m = b.say(edge_ch, d + rng.uniform(20, 90), "edgestats", line)
        if key == "2025-10-14T16":
            tr.add("slack", m, "early_signal", must_see=False, group="detection",
                   why="EdgeStats' digest for 16:00-20:00: offload 49.8%, 1.38M edge 5xx, 4,410 tag invalidations")
        elif key == "2025-10-14T12":
            tr.add("slack", m, "context", must_see=False, group="cause",
                   why="the afternoon digest after the trigger shipped: tag invalidations up from ~120 to 1,176, "
                       "offload already down to 91%")
        d += 4 * HOUR

    # September: announced origin maintenance, and the deep check pages through every window --------------------------
    b.say(web_ch, epoch("2025-09-01T14:10:00Z"), "oriel",
          "September maintenance calendar is in the doc: render node groups to EKS 1.31 (Sep 3/4 and 10/11), "
          "content-db minor upgrade with failover (Sep 6), origin-gw certs + nginx 1.27 (Sep 12/13). All 00:30-03:00 "
          "BST, Akamai serves stale meanwhile")
    noisy_at = (("2025-09-03T23:48:00Z", "HTTP 503 from origin-euw2 (render pods draining)"),
                ("2025-09-04T01:22:00Z", "timeout 10000ms (render-euw2 node group rolling)"),
                ("2025-09-06T00:12:00Z", "HTTP 500: content-db connection refused (failover)"),
                ("2025-09-06T00:41:00Z", "regexp data-membership-ok=\"true\" did not match"),
                ("2025-09-10T23:55:00Z", "HTTP 503 from origin-euw2 (render pods draining)"),
                ("2025-09-12T23:37:00Z", "TLS handshake timeout (origin-gw certificate rotation)"),
                ("2025-09-13T00:19:00Z", "HTTP 502 from origin-gw (nginx reload)"))
    note = "planned maintenance (calendar), readers served from Akamai, edge 5xx at baseline. resolving"
    for i, (when, err) in enumerate(noisy_at):
        t = epoch(when)
        who = ONCALL[i % len(ONCALL)]
        inc = b.incident(svc, PROBE_TITLE, t, responders=[who, ONCALL[(i + 1) % len(ONCALL)]],
                         ack_after=150 + 25 * i, resolve_after=1500 + 120 * i, handle=f"noisy{i}", alert_key=PROBE_KEY,
                         alert_summary=f"probe_success{{job=\"article-origin-deep\"}} = 0 from London, Frankfurt: {err}",
                         notes=[(who, note, 700.0)] if i % 2 == 0 else None)
        b.say(up_ch, t - 30, "synthmon", f":x: Synthetic Monitoring: `article-origin-deep` failing from London, "
              f"Frankfurt (2/3 probes): {err}")
        b.say(wpa_ch, t + 3, "pagerduty", f":rotating_light: Triggered <{{{{incurl:noisy{i}}}}}|#{{{{inc:noisy{i}}}}}> "
              f"{PROBE_TITLE}", template=True)
        b.say(edge_ch, t + 300, "edgestats", f":warning: *EdgeStats anomaly* `{SITE}` last 15m: origin errors "
              f"{rng.uniform(18, 46):.1f}% (7d median 0.03%) · edge 5xx {rng.randrange(4, 40)} · offload "
              f"{rng.uniform(96.5, 97.8):.1f}% · serving stale")
        tr.add("pagerduty", inc, "context", must_see=False, group="detection",
               why="one of the deep origin check's pages during announced maintenance that led to the cached check")
    for i in range(4):
        t = rng.uniform(epoch("2025-08-10"), epoch("2025-08-30"))
        b.incident(svc, PROBE_TITLE, t, responders=ONCALL[i % 4:i % 4 + 1], ack_after=200, resolve_after=900,
                   alert_key=PROBE_KEY, notes=[(ONCALL[i % 4], "render pod OOM, replaced, fine", 600.0)],
                   alert_summary="probe_success{job=\"article-origin-deep\"} = 0 from London, Frankfurt: HTTP 503")
    grumbles = (("2025-09-04T08:40:00Z", "fionnuala", "paged 00:48 and again 02:22 by article-origin-deep, while we "
                 "were draining the node group we'd announced. readers saw nothing, akamai served stale the whole time"),
                ("2025-09-06T08:55:00Z", "rhodri", "same for the content-db failover, two pages for a window that was "
                 "in the calendar :upside_down_face:"),
                ("2025-09-11T08:20:00Z", "ysolde", "third maintenance night in a row that the deep check woke someone "
                 "up. EdgeStats: edge 5xx 212 for the whole window, normal"),
                ("2025-09-13T08:30:00Z", "kwabena", "7 pages in 10 days from article-origin-deep, all inside planned "
                 "windows. it hits the origin with a cache bypass, so it measures the origin, not what readers get. "
                 "going to point it at www through akamai"),
                ("2025-09-13T08:52:00Z", "oriel", "ok with me, as long as something still watches the origin"),
                ("2025-09-13T09:01:00Z", "kwabena", "the article-render p95 alert stays, low urgency into this channel"))
    for when, who, text in grumbles:
        m = b.say(web_ch, epoch(when), who, text)
        if who == "kwabena" and "7 pages" in text:
            tr.add("slack", m, "context", must_see=False, group="detection",
                   why="the team decides to stop the maintenance pages by checking www through Akamai")

    # Sep 15-16: the uptime check moves to the homepage through Akamai ------------------------------------------------
    weak = story_pull(b, up_repo, _WEAKENING, epoch("2025-09-15T09:30:00Z"), epoch(WEAK_MERGED), "weakening",
                      review="ok. the homepage is cached 60s and served stale on error though, so this only pages "
                             "if akamai or the whole origin is down for a while",
                      reviewed=epoch("2025-09-16T10:02:00Z"),
                      comments=(("kwabena", "that's the point: that's when readers notice. the p95 latency alert "
                                 "still tells us when render struggles", epoch("2025-09-15T11:40:00Z")),))
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="moved the only paging uptime check from the origin (cache bypass, article render, membership) to the "
               "homepage through Akamai, which is cached and served stale on error: an origin failure can't page")
    wev = applied(weak, epoch(WEAK_MERGED) + 360, "weakening")
    tr.add("pagerduty", wev, "detection_weakened", must_see=False, group="detection",
           why="Atlantis applying the cached homepage check", same_fact_as=("github", weak))
    b.say(web_ch, epoch("2025-09-16T10:40:00Z"), "kwabena", "merged {{url:weakening}}: the uptime check is now www "
          "through akamai, pages when 2/3 locations fail for 5m. no more maintenance-night pages :sleeping:",
          template=True)

    # Sep 22-23: the render autoscaler capped at 36 pods ---------------------------------------------------------------
    hpa = story_pull(b, render_repo, _HPA, epoch("2025-09-22T10:00:00Z"), epoch("2025-09-23T11:05:00Z"), "contrib_hpa",
                     review="fine, we can always raise it")
    tr.add("github", hpa, "contributor", must_see=False, group="cause",
           why="capped article-render at 36 pods in euw2: on the resignation night it sat at its maximum")
    hsha = hpa["merge_commit_sha"][:7]
    b.change_event(svc, f"Deploy article-render@{hsha} to production (euw2)", epoch(HPA_LIVE), "ci-deploy",
                   links=[{"href": f"https://github.com/{render_repo}/commit/{hsha}", "text": hsha}],
                   details={"deployer": "rhodri", "environment": "production"})
    b.say(sc.common["deploys"], epoch(HPA_LIVE) + 2, "deploybot",
          f":rocket: article-render `{hsha}` deployed to production by <@{b.people['rhodri'].slack_id}>")

    # A purge change weeks before the trigger (decoy) ---------------------------------------------------------------
    crops = story_pull(b, pipe_repo, Change(
        author="parveen", reviewer="callum", labels=("publishing",),
        title="Invalidate the image tag when a picture is re-cropped (PUB-301)",
        body="The picture desk re-crops a lead image and the old crop stays on the article for up to 30 days (image "
             "TTL). Copydesk now emits `image.recropped`; we invalidate `img-<asset id>` for it. About 40 a day.",
        files=(("internal/purge/images.go", """@@ -0,0 +1,8 @@
+package purge
+
+// ImageTags returns the tags to invalidate when the picture desk re-crops an asset.
+func ImageTags(ev copydesk.ImageEvent) []string {
+    if ev.Kind != copydesk.KindImageRecropped {
+        return nil
+    }
+    return []string{"img-" + ev.AssetID}"""),)),
        epoch("2025-09-24T10:00:00Z"), epoch("2025-09-25T15:30:00Z"), "distractor_crops")
    csha = crops["merge_commit_sha"][:7]
    b.change_event(p_svc, f"Deploy publish-pipeline@{csha} to production", epoch("2025-09-25T16:02:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{pipe_repo}/commit/{csha}", "text": csha}],
                   details={"deployer": "parveen", "environment": "production"})

    # Sep 27-Oct 2: the stale corrected article; Must Revalidate on articles -------------------------------------------
    b.say(news_ch, epoch("2025-09-27T19:14:00Z"), "marisol", "correction published on the Harwell court report, para 2 "
          "(wrong name). legal aware")
    b.incident(svc, LATENCY_TITLE, epoch("2025-09-27T19:24:00Z"), urgency="low", responders=[], notify=False,
               ack_after=None, resolve_after=0.6 * HOUR, alert_key=LATENCY_KEY, severity="warning",
               alert_summary="histogram_quantile(0.95, article_render_duration_seconds) = 9.8s (euw2, pods restarting)")
    b.say(edge_ch, epoch("2025-09-27T19:31:00Z"), "edgestats", f":warning: *EdgeStats anomaly* `{SITE}` last 15m: "
          "origin errors 29.4% (7d median 0.03%) · edge 5xx 17 · offload 97.2% · serving stale")
    legal = b.say(web_ch, epoch("2025-09-29T09:12:00Z"), "harriet",
                  "Following up LEGAL-214: on Saturday the corrected Harwell court report was still shown in its "
                  "original form until 20:52, 38 minutes after the correction, because of a website outage. Our "
                  "solicitors are clear that once a correction is published we must not keep showing the old text. "
                  "Can the CDN be told never to show an old copy of an article?")
    tr.add("slack", legal, "context", must_see=False, group="cause",
           why="Legal asks that an article is never served stale after a correction")
    b.say(web_ch, epoch("2025-09-29T09:40:00Z"), "ysolde", "yes: Must Revalidate on the Articles rule. I'll do it this "
          "week", parent=legal)
    contrib = story_pull(b, akam_repo, _CONTRIBUTOR, epoch("2025-10-01T09:05:00Z"), epoch("2025-10-02T13:40:00Z"),
                         "contributor", review="ok. it means an origin outage shows errors on articles instead of "
                                               "stale pages. Legal prefers that, fine",
                         reviewed=epoch("2025-10-02T13:20:00Z"))
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="turned on Must Revalidate for every article page and app article: when origin couldn't revalidate, "
               "readers got Akamai's error page instead of the stale copy")
    cev = activated(contrib, epoch(CONTRIB_LIVE), "contributor")
    tr.add("pagerduty", cev, "contributor", must_see=False, group="cause",
           why="the Akamai activation of Must Revalidate on articles", same_fact_as=("github", contrib))

    # Oct 6-14: PUB-318 and its purge on every update; a paywall test and an app-fronts change (decoys) --------------
    ask = b.say(pub_ch, epoch("2025-10-06T09:15:00Z"), "marisol",
                "PUB-318 again please :pray: last night the push went at 21:02 and the Latest rail on article pages "
                "didn't have the story until 21:11. readers coming in from the push can't find it")
    tr.add("slack", ask, "context", must_see=False, group="cause", why="the desk asks for fresher fronts and rail")
    b.say(pub_ch, epoch("2025-10-06T09:31:00Z"), "callum", "on it this week, it's a small change in the purge handler",
          parent=ask)
    prefresh = story_pull(b, akam_repo, Change(
        author="rhodri", reviewer="ysolde", labels=("akamai", "apps"),
        title="App fronts: prefresh at 80% of TTL (APP-240)",
        body="The apps' fronts JSON expires every 60s and the first request after expiry waits for origin (p95 "
             "1.4s from the app). Cache prefreshing refetches it asynchronously at 80% of the TTL; stale on error is "
             "unchanged.",
        files=(("property/rules/app-fronts.json", """@@ -18,5 +18,9 @@
         "ttl": "60s"
       }
     },
+    {
+      "name": "prefreshCache",
+      "options": {"enabled": true, "prefreshval": 80}
+    },
     {"name": "tieredDistribution", "options": {"enabled": true}}"""),)),
        epoch("2025-10-10T10:00:00Z"), epoch("2025-10-13T14:30:00Z"), "distractor_prefresh")
    activated(prefresh, epoch("2025-10-13T15:10:00Z"))
    pw = story_pull(b, mem_repo, Change(
        author="soledad", reviewer="mattias", labels=("experiment", "paywall"),
        title="PW-31: UK anonymous meter 5 -> 3 articles a month for 50% (experiment)",
        body="Subscription-starts experiment agreed at the growth review. Anonymous UK readers only; signed-in "
             "readers and subscribers are untouched. Starts Tue 14 Oct 17:00 BST, runs four weeks.",
        files=(("experiments/pw-31-uk-meter.yaml", """@@ -0,0 +1,14 @@
+id: PW-31
+name: UK anonymous meter 5 -> 3
+owner: membership
+start: 2025-10-14T16:00:00Z
+end: 2025-11-11T16:00:00Z
+audience:
+  edition: uk
+  signed_in: false
+  subscriber: false
+split:
+  control: {weight: 50, meter_limit: 5}
+  treatment: {weight: 50, meter_limit: 3}
+metrics:
+  primary: subscription_starts"""),)),
        epoch("2025-10-09T13:00:00Z"), epoch("2025-10-14T09:40:00Z"), "distractor_paywall")
    b.change_event(m_svc, "Experiment PW-31 started: UK anonymous meter 5 -> 3 (50/50)", epoch("2025-10-14T16:00:00Z"),
                   "experiments", links=[{"href": "{{url:distractor_paywall}}", "text": pw["title"]}],
                   details={"experiment": "PW-31", "split": "50/50"})
    b.templated.append((b.pd["change_events"][-1]["links"][0], "href"))
    b.say(mem_ch, epoch("2025-10-14T16:04:00Z"), "soledad", "PW-31 is live, 50/50 on UK anonymous readers. first read "
          "on subscription starts next tuesday")
    trig = story_pull(b, pipe_repo, _TRIGGER, epoch("2025-10-07T14:00:00Z"), epoch("2025-10-14T12:48:00Z"), "trigger",
                      review="lgtm, let's watch offload after it ships", reviewed=epoch("2025-10-14T12:30:00Z"),
                      review_comments=(("ingrid", "rail-latest is on every article page, right? so every live blog "
                                        "post revalidates all of them", _TAGS, 27, epoch("2025-10-08T10:20:00Z")),),
                      comments=(("callum", "invalidate, not delete: akamai revalidates with If-None-Match and only "
                                 "refetches what's asked for. and render has been fine at much higher traffic",
                                 epoch("2025-10-08T11:05:00Z")),))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="made every publish, update and live blog post invalidate rail-latest, a tag on every cached article "
               "page and app article: each live blog post sent all article traffic back to origin")
    ship_trigger(sc, p_svc, "publish-pipeline", trig, _TRIGGER, epoch(TRIGGER_LIVE), "callum")
    b.say(pub_ch, epoch("2025-10-14T13:35:00Z"), "callum", "PUB-318 is live: fronts and the Latest rail now update "
          "within seconds of publish :tada:")
    b.say(desk_ch, epoch("2025-10-14T13:52:00Z"), "marisol", "the Latest rail updates instantly now, thank you "
          "publishing team :heart:")
    b.incident(identity.service, "[auth-service] OAuth provider errors", epoch("2025-10-14T11:10:00Z"),
               responders=identity.members[:2], ack_after=200, resolve_after=35 * 60,
               alert_key="auth-service/OAuth provider errors",
               notes=[(identity.members[0], "Google sign-in returning 503 for 20 min, their status page confirms",
                       1200.0)])
    b.incident(platform.service, "[k8s-cluster] node NotReady", epoch("2025-10-14T16:40:00Z"),
               responders=platform.members[:2], ack_after=160, resolve_after=30 * 60,
               alert_key="k8s-cluster/node NotReady",
               notes=[(platform.members[0], "one spot node reclaimed in use1, replaced", 900.0)])

    # Oct 14 evening: the resignation, the live blog, the errors nobody is paged for ----------------------------------
    b.say(news_ch, epoch("2025-10-14T18:04:00Z"), "marisol", ":rotating_light: Carrow to make a statement outside No 10 "
          "at 7.10. everyone on the live blog please, Barnaby is running it")
    brk = b.say(news_ch, epoch("2025-10-14T18:13:00Z"), "barnaby", "CARROW RESIGNS. live blog is up, push alert going "
                "now, snap story on the homepage")
    tr.add("slack", brk, "context", must_see=False, group="reports",
           why="the breaking news: the live blog starts posting every few seconds")
    b.say(desk_ch, epoch("2025-10-14T18:15:00Z"), "chartbeat", ":chart_with_upwards_trend: *Chartbeat* 318,440 "
          "concurrents · top: 'Carrow resigns: live' (141,020) · 71% from push and social")
    b.incident(growth.service, "[email-service] send queue stuck", epoch("2025-10-14T18:46:00Z"),
               responders=growth.members[:2], ack_after=180, resolve_after=50 * 60,
               alert_key="email-service/send queue stuck",
               notes=[(growth.members[0], "breaking-news alert to 1.9M subscribers, ESP throttling us, draining",
                       1500.0)])
    low_at = epoch("2025-10-14T18:38:00Z")
    low = b.incident(svc, LATENCY_TITLE, low_at, urgency="low", responders=[], notify=False, ack_after=None,
                     resolve_after=epoch("2025-10-14T22:24:00Z") - low_at, alert_key=LATENCY_KEY, severity="warning",
                     alert_summary="histogram_quantile(0.95, article_render_duration_seconds) = 11.4s (euw2, 36/36 "
                                   "pods) (low urgency)")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="article-render's p95 latency alert opened a low-urgency incident fourteen minutes in; it paged no one "
               "and stayed open until the rollback")
    anomaly = b.say(edge_ch, epoch("2025-10-14T18:41:00Z"), "edgestats",
                    f":rotating_light: *EdgeStats anomaly* `{SITE}` last 15m: offload 41.3% (7d median 95.8%) · "
                    "origin errors 8.7% (7d median 0.03%) · edge 503 served 48,210 (7d median 40) · tag invalidations "
                    "212 (7d median 8) · top: /politics/*, /news/*, /api/app/article/*")
    tr.add("slack", anomaly, "early_signal", must_see=True, group="detection",
           why="EdgeStats: offload collapsing to 41%, 48k edge 503s and 26 times the usual tag invalidations in 15 "
               "minutes; nobody reads it")
    g1 = b.say(wpa_ch, epoch("2025-10-14T18:44:00Z"), "grafana", ":large_yellow_circle: Grafana *[FIRING]* article-render "
               "HPA at max replicas (36/36) for 15m (slack only)")
    tr.add("slack", g1, "early_signal", must_see=False, group="detection",
           why="Grafana's Slack-only alert: render at its 36-pod ceiling")
    b.say(wpa_ch, epoch("2025-10-14T18:47:00Z"), "grafana", ":large_yellow_circle: Grafana *[FIRING]* origin-gw upstream "
          "499s 18,420/min (client closed, article-render)")
    b.say(up_ch, epoch("2025-10-14T18:45:00Z"), "synthmon", ":white_check_mark: Synthetic Monitoring: `www-homepage` "
          "3/3 probes OK (p95 212ms)")
    cb = b.say(desk_ch, epoch("2025-10-14T18:50:00Z"), "chartbeat", ":chart_with_downwards_trend: *Chartbeat* 204,910 "
               "concurrents · top: 'Carrow resigns: live' (86,300) · 68% from push and social")
    tr.add("slack", cb, "early_signal", must_see=False, group="reports",
           why="Chartbeat: concurrents fall by a third at the height of the biggest story of the year")
    remark = b.say(desk_ch, epoch("2025-10-14T18:52:00Z"), "barnaby",
                   "is the site ok? Copydesk preview of the live blog takes 30s, and I just got 'Something went "
                   "wrong' on our own resignation piece on my phone. chartbeat looks low for a night like this")
    tr.add("slack", remark, "early_signal", must_see=True, group="reports",
           why="the live blog editor sees the error page on an article and asks if the site is ok; it's put down "
               "to the traffic")
    b.say(desk_ch, epoch("2025-10-14T18:58:00Z"), "marisol", "it's the traffic, it was the same on budget night. keep "
          "posting", parent=remark)
    b.say(desk_ch, epoch("2025-10-14T19:03:00Z"), "barnaby", "ok :+1: loads on wifi", parent=remark)
    holding = b.say(web_ch, epoch("2025-10-14T19:06:00Z"), "rhodri", "big news night: render at 36/36, p95 is high but "
                    "it's holding, akamai doing the heavy lifting :muscle:")
    tr.add("slack", holding, "context", must_see=False, group="detection",
           why="an engineer sees render at its ceiling and takes it for a traffic peak Akamai absorbs")
    b.say(web_ch, epoch("2025-10-14T19:09:00Z"), "fionnuala", ":+1: uptime's green", parent=holding)
    soc = b.say(soc_ch, epoch("2025-10-14T19:21:00Z"), "jonah",
                "replies under our resignation post on X and Threads are full of 'your site is down' and 'Something "
                "went wrong' screenshots, mostly UK. anyone know what's up?")
    tr.add("slack", soc, "customer_report", must_see=False, group="reports",
           why="the social desk relays readers' complaints of error pages")
    b.say(soc_ch, epoch("2025-10-14T19:29:00Z"), "cosmo", "works for me on the app, probably just busy",
          parent=soc)
    for when, topic in (("2025-10-14T19:34:00Z", "Asked to subscribe again, I already pay"),
                        ("2025-10-14T19:38:00Z", "'Something went wrong' on every article"),
                        ("2025-10-14T19:47:00Z", "Can't log in on the app"),
                        ("2025-10-14T19:55:00Z", "Live blog won't load, 'Couldn't load this story'")):
        b.say(rs_ch, epoch(when), "zendesk", f":ticket: Zendesk *#{rng.randrange(339_100, 339_900)}* (email): {topic}")
    report = b.say(rs_ch, epoch("2025-10-14T20:12:00Z"), "winifred",
                   "Escalating to whoever looks after the website: since about 7.30 we've had 240+ emails and 60 "
                   "calls. Readers in the UK and Ireland get 'Something went wrong' on articles (the live blog and "
                   "most stories), the app says 'Couldn't load this story', and paying subscribers are shown the "
                   "paywall or can't log in. A reader in Boston says it's fine for her. Is this known?")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="reader support escalates error pages on articles and the apps and subscribers who can't log in, UK "
               "and Ireland only")
    b.say(rs_ch, epoch("2025-10-14T20:20:00Z"), "ossian", "I've posted in #digital-desk too, nobody from tech in here "
          "at night", parent=report)
    b.say(desk_ch, epoch("2025-10-14T20:22:00Z"), "ossian", "reader support: lots of readers getting 'Something went "
          "wrong' on articles tonight and subscribers can't log in. who do we tell?")
    am = b.say(com_ch, epoch("2025-10-14T20:36:00Z"), "eleanora",
               "Caledon Bank's live blog sponsorship is at 31% of forecast impressions since 7.30, their agency says "
               "the ad slots show an error page. they paid for tonight's takeover. who can I talk to?")
    tr.add("slack", am, "customer_report", must_see=False, group="reports",
           why="an advertiser's account manager: the sponsored live blog's impressions collapse, the agency sees "
               "error pages")
    b.say(com_ch, epoch("2025-10-14T20:44:00Z"), "declan", "probably ad server pacing on a big night, I'll check "
          "GAM", parent=am)
    b.incident(sc.team("data").service, "[etl-scheduler] export late", epoch("2025-10-14T20:05:00Z"),
               responders=sc.team("data").members[:2], ack_after=300, resolve_after=70 * 60,
               alert_key="etl-scheduler/export late")

    # 21:22: an article-render deploy (innocent) -------------------------------------------------------------------
    pinned = story_pull(b, render_repo, Change(
        author="pilar", reviewer="ysolde", labels=("liveblog",),
        title="Live blog: 'Pinned' badge and jump link for the pinned post (WEB-871)",
        body="The desk pins the key post (tonight: the statement) and readers scroll past it. Adds a badge and a "
             "'Jump to pinned post' link at the top. Client-side only; no change to the server render or cache tags.",
        files=(("src/liveblog/PinnedPost.tsx", """@@ -0,0 +1,7 @@
+export function PinnedBadge({ post }: { post: LiveblogPost }) {
+  if (!post.pinned) return null;
+  return (
+    <a className="lb-pinned" href={`#post-${post.id}`}>
+      <PinIcon aria-hidden /> Pinned: {post.title}
+    </a>
+  );"""),)),
        epoch("2025-10-14T15:20:00Z"), epoch("2025-10-14T21:05:00Z"), "distractor_pinned")
    psha = pinned["merge_commit_sha"][:7]
    b.change_event(svc, f"Deploy article-render@{psha} to production", epoch("2025-10-14T21:22:00Z"), "ci-deploy",
                   links=[{"href": f"https://github.com/{render_repo}/commit/{psha}", "text": psha}],
                   details={"deployer": "pilar", "environment": "production"})
    b.say(sc.common["deploys"], epoch("2025-10-14T21:22:02Z"), "deploybot", f":rocket: article-render `{psha}` deployed "
          f"to production by <@{b.people['pilar'].slack_id}>")

    # 21:41: the night editor pages Web Platform by hand ---------------------------------------------------------------
    ask2 = b.say(desk_ch, epoch("2025-10-14T21:31:00Z"), "delphine",
                 "reader support, social and commercial all say the site is erroring for UK readers since about 7.30, "
                 "and it's happening to me now. this is not just traffic. how do I get the website people?")
    b.say(desk_ch, epoch("2025-10-14T21:36:00Z"), "marisol", "PagerDuty, service web-origin. the runbook is pinned",
          parent=ask2)
    b.say(desk_ch, epoch("2025-10-14T21:42:00Z"), "delphine", "paged them", parent=ask2)
    rollback_at = epoch(ROLLBACK)
    page_by_hand(b, tr, svc, "UK readers get 'Something went wrong' on articles and the app since ~19:30 BST, "
                             "subscribers can't log in", T,
                 responders=ONCALL, ack_after=140, resolve_after=1.9 * HOUR, manual_by="delphine",
                 description="Night editor: reader support (240+ emails), social and commercial report error pages "
                             "on articles and in the apps for UK/IE readers since about 19:30 BST on the "
                             "resignation night; subscribers see the paywall or can't sign in.",
                 notes=[("ysolde", "Akamai offload 38%: rail-latest invalidated on every live blog post since "
                                   "publish-pipeline v2.42.0 (13:20 UTC); article-render at 36/36", 1000.0),
                        ("callum", "publish-pipeline rolled back to v2.41.3 at 22:03, invalidations back to normal",
                         1500.0),
                        ("fionnuala", "offload 94%, edge 5xx at baseline, sign-in OK since ~22:20", 2700.0)],
                 relay=wpa_ch, why="the night editor pages Web Platform by hand, three hours and seventeen minutes "
                                   "after readers started getting error pages")

    inc_ch = b.channel("inc-20251014-article-errors", "Incident: article pages erroring for UK readers",
                       "Incident response", T + 90, "fionnuala")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "fionnuala", "incident {{incurl:page}}: UK/EU readers get 'Something went wrong' on articles and in the "
                         "apps since ~18:25 UTC per reader support, sign-in and paywall failing for subscribers. "
                         "uptime check is green. looking"),
        (60, "delphine", "since about 7.25 our time. it's the biggest story of the year and half the country can't "
                         "read it"),
        (130, "fionnuala", "article-render 36/36 pods, CPU pinned, p95 14s in euw2; use1 is fine. origin-gw is timing "
                           "out everything behind it, membership-api included. Akamai offload 38%"),
        (200, "soledad", "PW-31 (the paywall meter test) started at 16:00 ({{pr:distractor_paywall}}). could that be "
                         "why subscribers see the paywall?"),
        (260, "mattias", "no, the entitlement calls time out at origin-gw before they reach us, membership-api pods "
                         "are at 4% CPU. and PW-31 only touches anonymous readers"),
        (320, identity.members[0], "auth-service is fine too, we see fewer sign-ins than usual, not errors"),
        (390, "kwabena", "article-render deployed at 21:22 ({{pr:distractor_pinned}}), the pinned-post badge. "
                         "roll back?"),
        (440, "fionnuala", "errors start at 18:24, three hours before that deploy, and it's client-side only. not it"),
        (500, "rhodri", "or is it simply traffic? chartbeat had 318k concurrents at 19:15 BST, and growth's alert "
                        "email went to 1.9M at 19:31 BST"),
        (580, "ysolde", "offload isn't a traffic thing: 38% against 96% normally. EdgeStats counted 1,412 tag "
                        "invalidations in the 18:00 hour, we do ~30. Fast Purge log: rail-latest, front-home, "
                        "front-politics invalidated by copydesk-publisher on every live blog post"),
        (660, "ysolde", "that's {{url:trigger}}, shipped 13:20 today: every publish, update and live blog post "
                        "invalidates rail-latest, and rail-latest is on every article page and app article. each "
                        "post (every ~20s tonight) sends every article back to origin"),
        (720, "callum", "mine, sorry. rolling publish-pipeline back to v2.41.3 now, 5 min"),
        (760, "oriel", "do it. and why did nothing page for three hours?"),
        (850, "kwabena", "uptime-checks PR {{num:weakening}}: since September the uptime check is the homepage "
                         "through akamai, cached and served stale on error, so it only pages if www is down "
                         "entirely. the render p95 alert is low urgency, it opened at 18:38"),
        (930, "ysolde", "and readers got errors rather than slightly old pages because of {{pr:contributor}}: Must "
                        "Revalidate on articles since Oct 2 (LEGAL-214). origin can't answer the revalidation, the "
                        "edge returns 503"),
        (1000, "rhodri", "and render can't scale past 36 since the FinOps cap in September ({{pr:contrib_hpa}}). "
                         "raising max to 60 by hand"),
        (1280, "callum", "publish-pipeline v2.41.3 is out, invalidations back to article tags only"),
        (1650, "fionnuala", "offload 71% and climbing, p95 2.1s, 503s dropping. 52 pods"),
        (2300, "fionnuala", "offload 94%, edge 5xx at baseline, sign-in and entitlements OK"),
        (2500, "winifred", "support confirms: readers say articles load again"),
        (3000, "eleanora", "Caledon's agency wants an incident summary for the make-good"),
        (3300, "callum", "fix PR: {{url:fix}}"),
        (4200, "oriel", "follow-ups: a paging origin check again (muted for planned maintenance), stale on error "
                        "back for articles with corrections deleted instead, HPA max back to 60, the Latest rail out "
                        "of the cached article page, and a Web Platform review on anything that purges"),
    )
    war_room(b, tr, inc_ch, T + 150, chat,
             trigger="a responder ties the error pages to the purge change, after the paywall test, the 21:22 render "
                     "deploy and plain traffic were ruled out",
             weakening="a responder explains why the uptime check stayed green",
             contributor="a responder: readers got errors instead of stale pages because of Must Revalidate",
             extra=(("{{pr:contrib_hpa}}", "cause", "a responder: render was capped at 36 pods"),))

    # The rollback, the fix, the follow-ups ---------------------------------------------------------------------------
    rb = b.change_event(p_svc, "Rollback publish-pipeline to v2.41.3 (previous production release)", rollback_at,
                        "ci-deploy", links=[{"href": "{{url:trigger}}", "text": "rollback of " + _TRIGGER.title}],
                        details={"deployer": "callum", "environment": "production"})
    b.templated.append((rb["links"][0], "href"))
    tr.add("pagerduty", rb, "fix", must_see=False, group="cause", why="the rollback that stopped the invalidations")
    b.say(sc.common["deploys"], rollback_at + 2, "deploybot", f":rewind: publish-pipeline rolled back to v2.41.3 by "
          f"<@{b.people['callum'].slack_id}>")
    b.say(wpa_ch, epoch("2025-10-14T22:24:00Z"), "grafana", ":large_green_circle: Grafana *[RESOLVED]* article-render "
          "HPA at max replicas")
    b.say(edge_ch, epoch("2025-10-14T22:31:00Z"), "edgestats", f":white_check_mark: *EdgeStats* `{SITE}` back to normal: "
          "offload 94.6% · origin errors 0.04% · tag invalidations 3 in 15m")
    fix = story_pull(b, pipe_repo, _FIX, T + 0.9 * HOUR, T + 1.9 * HOUR, "fix", review="yes. thanks for the "
                     "debounce", reviewed=T + 1.8 * HOUR)
    tr.add("github", fix, "fix", must_see=True, group="cause",
           why="stops invalidating rail-latest on every Copydesk event and debounces the fronts")
    follow = story_pull(b, up_repo, _FOLLOW_UPTIME, T + 14 * HOUR, T + 20 * HOUR, "follow", review="yes please")
    tr.add("github", follow, "fix", must_see=False, group="detection",
           why="brings back the paging deep origin check, muted only in planned maintenance")
    applied(follow, T + 20 * HOUR + 300, "follow")
    follow_ak = story_pull(b, akam_repo, _FOLLOW_AKAMAI, T + 30 * HOUR, T + 44 * HOUR, "follow_akamai",
                           review="much better")
    tr.add("github", follow_ak, "fix", must_see=False, group="cause",
           why="articles are served stale on origin error again; corrections are deleted from the cache instead")
    activated(follow_ak, T + 44.5 * HOUR, "follow_akamai")
    story_pull(b, render_repo, Change(
        author="rhodri", reviewer="oriel", labels=("capacity", "incident"),
        title="article-render: HPA maxReplicas back to 60 in euw2",
        body="Follow-up of {{incurl:page}}: reverts the cap of {{url:contrib_hpa}}. News nights don't show up in a "
             "90-day peak.",
        files=(("deploy/helm/values-production-euw2.yaml", """@@ -31,3 +31,2 @@
-  # FIN-52: 90-day peak was 31 pods (Euro final, Jul 13); 36 leaves headroom.
-  maxReplicas: 36
+  maxReplicas: 60"""),)),
        T + 13 * HOUR, T + 15 * HOUR, "follow_hpa")

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [web_ch, rs_ch, sc.common["deploys"]], svc, WEB_PEOPLE[:3], pipe_repo,
        titles=("Runbook: article pages erroring while the uptime check is green",
                "Alert when tag invalidations exceed 10x the 7-day median"),
        doc=("Cache tags", "rail-latest and front-* are never invalidated per event; fronts go through the "
             "FrontRefresher."),
        doc_path="docs/runbooks/akamai-purges-{n}.md",
        test_fire="[web-origin] Uptime: article-origin-deep failing (test fire)")
    return world, tr.to_dict()
