"""The seed world: the talk's search incident of 6 Dec 2022 (PR 22, PR 23, the read alias) among noise."""

from __future__ import annotations

from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso, patch_text
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import (
    DAY,
    NOISE_TEAMS,
    NoiseTeam,
    TeamSpec,
    add_bots,
    add_chat,
    add_common_channels,
    add_incidents,
    add_pulls,
    add_team_noise,
    make_people,
)
from lookback.sandbox.worlds.truth import Truth

START = epoch("2022-09-01T00:00:00Z")
END = epoch("2022-12-20T00:00:00Z")

SEARCH = TeamSpec("search", "Search", "search-api", "search-api", "search-team",
                  ("query", "ranking", "indexer", "synonyms"),
                  ("query parser", "facet counts", "synonym list", "typo tolerance", "ranking weights",
                   "autocomplete", "read alias", "collection schema", "reindex job"),
                  ("p95 latency above 800ms", "indexer lag above 10m", "cluster yellow", "query timeouts"), "py")
TOOLS = TeamSpec("search-tools", "Search", "search-api", "search-tools", "search-team",
                 ("search_tools", "scripts", "migrations"),
                 ("collection rotation", "alias swap", "reindex script", "shard sizing", "dry run flag",
                  "migration runner", "snapshot restore"), (), "py")
ALERTING = TeamSpec("alerting", "Observability", "alertmanager", "alerting", "observability",
                    ("rules", "router", "dashboards", "silences"),
                    ("alert rule", "runbook link", "routing table", "silence window", "dashboard panel",
                     "escalation", "severity mapping"), ("alertmanager cluster degraded",), "py")


def build_seed(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the seed world and its truth; `scale` multiplies the noise only."""
    b = WorldBuilder(name="seed", seed=20221206, org="shop", domain="shop", team_name="Search")
    tr = Truth(b, "2022-12-05T00:00:00Z")
    add_bots(b)
    people = make_people(b, 34)
    for key, name, tz in (("maya", "Maya Goldberg", "America/New_York"), ("rafael", "Rafael Ito", "America/Los_Angeles"),
                          ("sunita", "Sunita Rao", "Europe/London"), ("tom", "Tom Becker", "America/Chicago"),
                          ("jess", "Jess Alvarez", "America/New_York"), ("lou", "Lou Fontaine", "America/New_York")):
        b.person(key, name, login=f"{key}-{name.split()[1].lower()}", tz=tz)
    for key, name in (("kim", "Kim Tran"), ("alex", "Alex Moreno")):
        b.person(key, name, github=False)
    b.person("collectionbot", "collection-cron", github=False, is_bot=True)
    search_people = ["maya", "rafael", "sunita", "tom", "jess"]
    teams = _noise_teams(b, people)
    common = add_common_channels(b, people + search_people + ["lou", "kim", "alex"], teams, START, END, scale)
    add_team_noise(b, teams, common, START, END, scale, pr_per_team=60)

    # The search team: service, channels, repos -----------------------------------------
    pd_team = b.team("Search")
    policy = b.policy("Search on-call", pd_team, ["maya", "rafael", "sunita", "tom"])
    svc = b.service("search-api", "Product search (query API and indexers)", policy, pd_team, "2021-03-02T10:00:00Z")
    search_ch = b.channel("search-team", "Search team: queries, indexing, on-call", "Search platform team", START - 400 * DAY, "maya")
    alerts_ch = b.channel("search-alerts", "PagerDuty for search-api", "Pages of the search service", START - 300 * DAY, "maya")
    ops_ch = b.channel("search-ops", "Collections, aliases, reindexing (bots)", "Search operations log", START - 300 * DAY, "tom")
    cx_ch = b.channel("customer-experience", "Customer experience team", "Customer reports and escalations", START - 600 * DAY, "kim")
    deploys = common["deploys"]
    search_api = b.repo("search-api", "Search query API and indexers", "2021-02-11T09:00:00Z")
    tools = b.repo("search-tools", "Operational tooling for the search cluster: collections, aliases, migrations", "2022-06-20T14:00:00Z")
    alerting = b.repo("alerting", "Alert rules and the pager router for every service", "2022-05-03T11:00:00Z")
    search_team = NoiseTeam(SEARCH, search_people, search_api, search_ch, svc, policy)
    tools_team = NoiseTeam(TOOLS, search_people, tools, search_ch, svc, policy)
    alert_team = NoiseTeam(ALERTING, search_people + people[:10], alerting, common["alerts"], svc, policy)
    add_pulls(b, search_team, 70 * scale, START - 60 * DAY, END)
    add_chat(b, search_ch, search_people, SEARCH.nouns + TOOLS.nouns, int(110 * 2 * scale), START, END,
             links=[h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] == search_api][-100:])
    add_incidents(b, search_team, 10 * scale, START, epoch("2022-11-15T00:00:00Z"), alerts_ch)
    # Pinned numbers: 21 PRs precede PR 22 in alerting, 22 precede PR 23 in search-tools.
    pr22_at, pr23_at = epoch("2022-11-30T17:04:00Z"), epoch("2022-12-02T20:12:00Z")
    add_pulls(b, alert_team, 21, epoch("2022-05-10T00:00:00Z"), pr22_at - 3600)
    add_pulls(b, alert_team, 12 * scale, pr22_at + 60, END)
    add_pulls(b, tools_team, 22, epoch("2022-06-25T00:00:00Z"), pr23_at - 3600)
    add_pulls(b, tools_team, 8 * scale, pr23_at + 60, END)
    _daily_collections(b, ops_ch, svc, tr)

    # Nov 23-30: the key change beta makes search page, loudly ------------------------------
    b.say(cx_ch, epoch("2022-11-23T15:02:00Z"), "kim", "We're receiving requests right now related to the key change beta release")
    b.say(cx_ch, epoch("2022-11-23T15:09:00Z"), "alex", "same, mostly people who rotated keys and kept the old one in their integration")
    noisy = [
        ("2022-11-23T16:20:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
        ("2022-11-23T21:45:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
        ("2022-11-24T03:10:00Z", "[search-api] 403 spike: api key revoked"),
        ("2022-11-24T14:02:00Z", "[search-api] SearchErrorRate critical (auth)"),
        ("2022-11-25T09:31:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
        ("2022-11-26T18:12:00Z", "[search-api] 403 spike: api key revoked"),
        ("2022-11-28T02:40:00Z", "[search-api] SearchErrorRate critical (auth)"),
        ("2022-11-28T13:55:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
        ("2022-11-29T11:20:00Z", "[search-api] 403 spike: api key revoked"),
        ("2022-11-29T22:05:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
        ("2022-11-30T04:48:00Z", "[search-api] SearchErrorRate critical (auth)"),
        ("2022-11-30T15:36:00Z", "[search-api] Error rate above 5%: 401 InvalidApiKey"),
    ]
    oncall = ["rafael", "maya", "sunita", "tom"]
    for i, (when, title) in enumerate(noisy):
        t = epoch(when)
        who = oncall[i % 4]
        notes = [(who, "customer keys from the key change beta again, nothing wrong with search", 600.0)] if i % 3 == 0 else None
        inc = b.incident(svc, title, t, urgency="high", responders=[who, oncall[(i + 1) % 4]], ack_after=180 + 40 * i,
                         resolve_after=1500 + 100 * i, notes=notes, handle=f"key{i}", alert_key="search-api/error-rate",
                         description="Error ratio over 5 minutes above threshold on search-api (status 401/403)")
        b.say(alerts_ch, t + 4, "pagerduty", f":rotating_light: Triggered <{{{{incurl:key{i}}}}}|#{{{{inc:key{i}}}}}> {title}", template=True)
        last = i == len(noisy) - 1
        tr.add("pagerduty", inc, "context" if i < len(noisy) - 1 else "early_signal", must_see=last,
               why="noisy high-urgency page caused by invalid/revoked keys of the key change beta; PR 22 was written to silence these",
               group="noisy_key_pages")
    grumbles = [
        ("2022-11-23T16:31:00Z", "rafael", "paged for 401s. it's customers with bad keys, not us"),
        ("2022-11-24T03:25:00Z", "maya", "3am page for revoked keys :sob: the key change beta is going to be a long week"),
        ("2022-11-25T09:40:00Z", "sunita", "another one. InvalidApiKey again. can we stop paging on this?"),
        ("2022-11-28T14:10:00Z", "tom", "that's the 8th or 9th auth-error page since wednesday. pretty demoralizing tbh"),
        ("2022-11-29T22:15:00Z", "rafael", "ok I'm muting my phone for the SearchErrorRate ones, they're all key stuff"),
        ("2022-11-30T15:50:00Z", "jess", "I'll put up a change in the alerting repo so bad or revoked keys don't page us. it's the caller's problem, not an outage"),
    ]
    for when, who, text in grumbles:
        m = b.say(search_ch, epoch(when), who, text)
        if who == "jess":
            b.say(search_ch, epoch(when) + 300, "maya", "yes please :pray: tag me for review", parent=m)
            b.say(search_ch, epoch(when) + 900, "tom", "+1, these pages are pure fatigue", parent=m)

    # PR 22: downgrade pages without a valid key --------------------------------------------
    pr22 = b.pull(alerting, "jess-alvarez", "Don't alert when the API key is invalid",
                  "Since the key change beta shipped, search on-call has been woken up a dozen times by customers "
                  "calling us with invalid or revoked API keys. Those requests fail with 401/403 and that's expected.\n\n"
                  "This routes search-api error events whose `api_key_status` isn't `valid` to low urgency, so they "
                  "still open an incident but nobody gets notified. The 401/403 ratio is also removed from "
                  "`SearchErrorRate`.\n\nTesting: unit tests for the router, replayed last week's events locally.",
                  pr22_at, merged=epoch("2022-12-01T15:22:00Z"), merged_by="maya-goldberg",
                  files=_pr22_files(), labels=["alerting", "search"], head="search-no-page-invalid-keys",
                  reviews=[("maya-goldberg", "APPROVED", "thank you! :pray:", epoch("2022-12-01T15:10:00Z"))],
                  comments=[("tom-becker", "finally. let's watch the low-urgency queue for a few days", epoch("2022-12-01T14:00:00Z"))],
                  commits=[("Route search errors with bad API keys to low urgency", pr22_at),
                           ("Drop 401/403 from SearchErrorRate", pr22_at + 1800)],
                  handle="pr22", pin=22)
    _fix_login(b, pr22)
    tr.add("github", pr22, "detection_weakened", must_see=True, group="detection",
           why="routes search-api errors lacking a valid api_key_status to low urgency: the cron's alias errors (no key at all) page no one")
    b.say(search_ch, epoch("2022-12-01T15:30:00Z"), "jess", "alert change for the key pages is merged: {{url:pr22}}", template=True)

    # PR 23 (Dec 4): the clean-up that shadows update_read_alias ----------------------------
    pr23 = b.pull(tools, "tom-becker", "Don't update read aliases for live collections during a migration",
                  "During last week's schema migration the alias swap ran while the live collection was still being "
                  "copied, and the migration took a minute longer than it needed to.\n\n"
                  "- `migrate.py`: skip read-alias updates for collections that are live in a running migration\n"
                  "- small clean-up in `collections.py` while I was in there (naming, one try block)\n\n"
                  "Tested with `migrate --dry-run` against staging.",
                  pr23_at, merged=epoch("2022-12-04T01:16:00Z"), merged_by="tom-becker",
                  files=_pr23_files(), labels=["migration"], head="migration-skip-live-aliases",
                  reviews=[("maya-goldberg", "APPROVED", "LGTM, the migration part makes sense", epoch("2022-12-03T18:40:00Z"))],
                  review_comments=[("maya-goldberg", "is the clean-up here needed for this PR?", "search_tools/collections.py",
                                    41, epoch("2022-12-03T18:38:00Z"))],
                  commits=[("Skip read alias updates for live collections while migrating", pr23_at),
                           ("collections: tidy up rotate_daily_collections", pr23_at + 2400)],
                  handle="pr23", pin=23)
    _fix_login(b, pr23)
    tr.add("github", pr23, "trigger", must_see=True, group="alias",
           why="the clean-up binds a local `update_read_alias` (a bool) that shadows the alias function, so new daily collections never join the read alias")
    b.say(search_ch, epoch("2022-12-04T01:20:00Z"), "tom", "merged the migration alias change ({{url:pr23}}), should make the next migration smoother", template=True)

    # Dec 4-6: errors that page no one -----------------------------------------------------
    silent = [
        ("2022-12-04T03:00:41Z", "[search-api] search-tools cron: error in rotate_daily_collections", "could not add products_20221206 to products_read"),
        ("2022-12-05T03:00:38Z", "[search-api] search-tools cron: error in rotate_daily_collections", "could not add products_20221207 to products_read"),
        ("2022-12-05T08:15:00Z", "[search-api] Freshness probe: recently indexed SKU missing from results", "probe sku not found via products_read"),
        ("2022-12-05T19:40:00Z", "[search-api] Freshness probe: recently indexed SKU missing from results", "probe sku not found via products_read"),
        ("2022-12-06T03:00:44Z", "[search-api] search-tools cron: error in rotate_daily_collections", "could not add products_20221208 to products_read"),
        ("2022-12-06T09:05:00Z", "[search-api] Freshness probe: recently indexed SKU missing from results", "probe sku not found via products_read"),
    ]
    for i, (when, title, summary) in enumerate(silent):
        inc = b.incident(svc, title, epoch(when), urgency="low", responders=[], notify=False, ack_after=None,
                         resolve_after=3 * 3600 if i % 2 == 0 else 5400, alert_summary=f"{summary}: TypeError: 'bool' object is not callable" if "cron" in title else summary,
                         severity="error", alert_key="search-tools/cron" if "cron" in title else "search-api/freshness",
                         handle=f"silent{i}", description=f"{summary} (routed low urgency: api_key_status=None)")
        tr.add("pagerduty", inc, "early_signal", must_see=i == 0, group="detection",
               why="error on search-api that opened a low-urgency incident and notified nobody because of PR 22")

    # Dec 5: the tester in #deploys ----------------------------------------------------------
    d5 = epoch("2022-12-05T16:02:00Z")
    b.say(deploys, d5 - 3600, "lou", "I'm working on automation that should stop these bots…once and for all.")
    top = b.say(deploys, d5, "lou", "posting here for posterity")
    b.say(deploys, d5 + 60, "lou", "k, deploying now. will run through tests once it gets to staging", parent=top)
    b.say(deploys, d5 + 1500, "lou", "status of tests:\n• add to cart looking good (5/5 passed)\n• moving on to search next", parent=top)
    tester = b.say(deploys, d5 + 1980, "lou", "ok, hmmm search isn't returning a SKU I just added in test. I'm assuming that's normal behavior? my deployment wasn't related to search", parent=top)
    tr.add("slack", tester, "early_signal", must_see=True, group="reports",
           why="first human to notice newly added SKUs missing from search, a day before the page")
    b.say(deploys, d5 + 2100, "lou", "alright. Moving on to the second deploy", parent=top)
    b.say(deploys, d5 + 2160, "lou", "will run through tests on this one too", parent=top)
    late = b.say(cx_ch, epoch("2022-12-05T22:10:00Z"), "alex", "one customer says the new advent calendar item doesn't come up when they search for it. probably indexing delay? will check tomorrow")
    tr.add("slack", late, "customer_report", must_see=False, group="reports", why="early customer report of a fresh SKU missing")

    # Dec 6: #customer-experience, then the manual page ---------------------------------------
    cx = [
        ("2022-12-06T13:52:00Z", "kim", "Receiving some reports that customers can't access search results for the items in the promo emails that were sent out yesterday"),
        ("2022-12-06T13:55:00Z", "alex", "Looking into it and managing them"),
        ("2022-12-06T14:04:00Z", "kim", "They appear to be receiving search results for all other SKUs added before last week. So it seems like it's not an obvious “down” for search."),
        ("2022-12-06T14:21:00Z", "lou", "you know what…"),
        ("2022-12-06T14:21:30Z", "lou", "I think this was the same issue I was seeing earlier"),
        ("2022-12-06T14:23:00Z", "lou", "I'm going to page the search team"),
        ("2022-12-06T14:28:00Z", "lou", "gah, I can't figure out the auto-paging. I'm going to manually page them which I think pages… all of them, but oh well"),
    ]
    for i, (when, who, text) in enumerate(cx):
        m = b.say(cx_ch, epoch(when), who, text)
        if i in (0, 2):
            tr.add("slack", m, "customer_report", must_see=i == 0, group="reports",
                   why="customers cannot find the promo-email SKUs in search")
        elif i >= 5:
            tr.add("slack", m, "response", must_see=False, group="reports", why="escalation to the search team")
    page_t = epoch("2022-12-06T14:29:40Z")
    page = b.incident(svc, "Search not returning SKUs from yesterday's promo email", page_t, urgency="high",
                      responders=["maya", "rafael", "sunita", "tom"], ack_after=85, resolve_after=20 * 60 + 10,
                      manual_by="lou", handle="page",
                      description="Customers can't find the promo-email items in search; older items are fine. Paging everyone, sorry!",
                      notes=[("maya", "products_read alias was missing products_20221205 and later; added them by hand at 14:36", 440.0),
                             ("tom", "root cause: search-tools PR 23 shadowed update_read_alias; fix PR coming", 1100.0)])
    tr.incident = page
    tr.add("pagerduty", page, "response", must_see=True, group="reports", why="the manual page of the search team, 14:29 UTC")
    inc_ch = b.channel("inc-20221206-search-skus", "Incident: promo SKUs missing from search", "Incident response",
                       page_t + 40, "maya")
    chat = [
        (0, "pagerduty", "Incident channel for {{incurl:page}} (#{{inc:page}}) created by <@" + str(b.people["maya"].slack_id) + ">"),
        (60, "rafael", "I see elevated error rates on search-api, could be it?"),
        (75, "maya", "that's the key beta 401s, probably a red herring"),
        (90, "tom", "could be the borked broker from last week, it was flapping"),
        (200, "rafael", "broker is healthy, all partitions in sync. ruling it out"),
        (230, "maya", "I don't see any messages past UTC midnight in the search results"),
        (270, "sunita", "Yeah 1205 and later are not in the read alias"),
        (280, "sunita", "Gonna update it"),
        (380, "sunita", "Ok aliases are fixed. I wonder why that happened"),
        (400, "lou", "confirmed, the promo items show up for me now"),
        (420, "sunita", "I got paged too, I'll test when you need me"),
        (470, "tom", "you know what…I think I see the problem"),
        (700, "tom", "it's related to PR 23 {{url:pr23}}"),
        (740, "tom", "a variable named `update_read_alias` overrides the function named `update_read_alias` in rotate_daily_collections, so we never attach the new collection"),
        (760, "rafael", "ughhhh python !!"),
        (790, "maya", "and the cron errors never paged anyone?"),
        (900, "tom", "putting up a fix now and updating the index file"),
    ]
    for off, who, text in chat:
        m = b.say(inc_ch, page_t + 40 + off, who, text, template="{{" in text)
        if "PR 23" in text:
            tr.add("slack", m, "response", must_see=True, group="alias", why="the responder ties the incident to PR 23")
        elif "read alias" in text or "variable named" in text:
            tr.add("slack", m, "response", must_see=False, group="alias", why="diagnosis in the incident channel")
    b.change_event(svc, "Manual alias update: products_read += products_20221205, products_20221206, products_20221207",
                   page_t + 40 + 370, "search-tools cli", details={"operator": "sunita", "alias": "products_read"})

    # Fixes ----------------------------------------------------------------------------------
    fix = b.pull(tools, "tom-becker", "Fix new daily collections never joining the read alias",
                 "The clean-up in {{pr:pr23}} bound a local `update_read_alias` (a bool) in `rotate_daily_collections`, "
                 "which shadowed the imported `update_read_alias` function. Calling it raised `TypeError: 'bool' object is not "
                 "callable`, which the broad `except` logged and swallowed.\n\n- rename the flag to `attach_to_alias`\n"
                 "- stop catching `Exception`, only `SearchError`\n- test that a rotated collection is in `products_read`\n\n"
                 "Incident: {{incurl:page}}",
                 page_t + 1500, merged=page_t + 4200, merged_by="maya-goldberg", files=_fix_files(),
                 labels=["bug", "incident"], head="fix-read-alias-shadowing",
                 reviews=[("maya-goldberg", "APPROVED", "good catch, thanks for the test", page_t + 4000)],
                 handle="fix", template=True)
    _fix_login(b, fix)
    tr.add("github", fix, "fix", must_see=True, group="alias", why="fixes the shadowing from PR 23")
    follow = b.pull(alerting, "jess-alvarez", "Only downgrade search pages when the request carried an invalid key",
                    "Follow-up to {{pr:pr22}} and incident {{incurl:page}}: events with no `api_key_status` at all "
                    "(cron jobs, probes) were treated as key problems and routed to low urgency. Now only "
                    "`invalid`/`revoked` are downgraded, and the freshness probe always pages.",
                    epoch("2022-12-07T16:00:00Z"), merged=epoch("2022-12-08T14:30:00Z"), merged_by="maya-goldberg",
                    files=_follow_files(), labels=["alerting", "search"], head="restore-search-paging",
                    reviews=[("maya-goldberg", "APPROVED", "", epoch("2022-12-08T14:20:00Z"))], handle="follow", template=True)
    _fix_login(b, follow)
    tr.add("github", follow, "fix", must_see=False, group="detection", why="restores paging for errors without an API key")
    b.say(search_ch, epoch("2022-12-07T15:30:00Z"), "jess", "ugh, the cron errors were routed low because they carry no api key at all. that's on my alert change, fixing")
    world = b.finalize()
    world["edits"] = make_edits(b, world, [search_ch, cx_ch, deploys], svc, ["maya", "tom", "sunita"], tools)
    return world, tr.to_dict()


def _noise_teams(b: WorldBuilder, people: list[str]) -> list[NoiseTeam]:
    from lookback.sandbox.worlds.noise import setup_teams

    return setup_teams(b, NOISE_TEAMS, people, START)


def _fix_login(b: WorldBuilder, pull: dict[str, Any]) -> None:
    """Check a story PR names real logins, and normalise its patches (blank context lines)."""
    for f in pull["files"]:
        f["patch"] = patch_text(f["filename"], f["patch"])
    logins = {p.login for p in b.people.values()}
    for item in [pull, *pull["reviews"], *pull["comments"], *pull["review_comments"]]:
        if item.get("user") not in logins:
            raise ValueError(f"unknown login {item.get('user')}")


def _daily_collections(b: WorldBuilder, channel: str, service: str, tr: Truth) -> None:
    """The cron creates each day's collection two days ahead, at 03:00 UTC."""
    t = START + 3 * 3600
    while t < END:
        day = iso(t + 2 * DAY)[:10].replace("-", "")
        at = t + b.rng.uniform(20, 50)
        msg = b.say(channel, at, "collectionbot", f"created collection `products_{day}` (shards: 3, replicas: 2), 2 days ahead")
        ev = b.change_event(service, f"Daily collection products_{day} created", at + 1, "search-tools collection cron",
                            details={"collection": f"products_{day}", "alias": "products_read"})
        if day == "20221206":
            tr.add("slack", msg, "contributor", must_see=True, group="alias",
                   why="the Dec 6 collection was created on Dec 4, after PR 23 merged, and never joined the read alias")
            tr.add("pagerduty", ev, "contributor", must_see=False, group="alias", why="change event of the same creation",
                   same_fact_as=("slack", msg))
        t += DAY


def _pr22_files() -> list[dict[str, Any]]:
    router = """@@ -18,12 +18,24 @@ from router.model import AlertEvent, Route, Severity

 SEARCH_SERVICES = {"search-api", "search-indexer"}

+
+def _key_problem(event: AlertEvent) -> bool:
+    \"\"\"Key change beta: callers with invalid or revoked keys are not a search outage.\"\"\"
+    return event.tags.get("api_key_status") != "valid"
+

 def route_search(event: AlertEvent) -> Route:
     if event.service not in SEARCH_SERVICES:
         return Route.default(event)
     if event.severity >= Severity.ERROR:
+        if _key_problem(event):
+            # still open an incident for the record, but don't wake anyone up
+            return Route(urgency="low", notify=False)
         return Route(urgency="high", notify=True)
     return Route(urgency="low", notify=False)"""
    rules = """@@ -4,10 +4,11 @@ groups:
       - alert: SearchErrorRate
         expr: |
-          sum(rate(search_requests_total{status=~"4..|5.."}[5m]))
+          sum(rate(search_requests_total{status=~"4..|5..", status!~"401|403"}[5m]))
             / sum(rate(search_requests_total[5m])) > 0.05
         for: 5m
         labels:
           severity: critical
           team: search
+          # 401/403 come from customers' keys (key change beta), see router/search.py"""
    tests = """@@ -0,0 +1,16 @@
+from router.model import AlertEvent, Severity
+from router.search import route_search
+
+
+def test_invalid_key_errors_do_not_page():
+    event = AlertEvent(service="search-api", severity=Severity.ERROR, tags={"api_key_status": "invalid"})
+    assert route_search(event).notify is False
+
+
+def test_revoked_key_errors_do_not_page():
+    event = AlertEvent(service="search-api", severity=Severity.ERROR, tags={"api_key_status": "revoked"})
+    assert route_search(event).notify is False
+
+
+def test_valid_key_errors_page():
+    event = AlertEvent(service="search-api", severity=Severity.ERROR, tags={"api_key_status": "valid"})
+    assert route_search(event).notify is True"""
    return [
        {"filename": "router/search.py", "status": "modified", "additions": 8, "deletions": 0, "patch": router},
        {"filename": "rules/search-api.rules.yml", "status": "modified", "additions": 2, "deletions": 1, "patch": rules},
        {"filename": "tests/test_route_search.py", "status": "added", "additions": 16, "deletions": 0, "patch": tests},
    ]


def _pr23_files() -> list[dict[str, Any]]:
    migrate = """@@ -52,9 +52,13 @@ def run_migration(client: SearchClient, plan: MigrationPlan) -> None:
     for step in plan.steps:
         copy_collection(client, step.source, step.target, batch_size=plan.batch_size)
-        swap_alias(client, READ_ALIAS, old=step.source, new=step.target)
+        if plan.is_live(step.source):
+            # live collections keep serving reads until the copy is verified
+            log.info("skipping read alias update for live collection %s", step.source)
+            continue
+        swap_alias(client, READ_ALIAS, old=step.source, new=step.target)
     verify(client, plan)"""
    collections = """@@ -30,15 +30,17 @@ from search_tools.aliases import READ_ALIAS, update_read_alias

 def rotate_daily_collections(client: SearchClient, today: date, days_ahead: int = 2,
                              migration: MigrationPlan | None = None) -> str:
     day = today + timedelta(days=days_ahead)
     name = collection_name(day)
     create_collection(client, name, shards=3, replicas=2)
-    try:
-        update_read_alias(client, READ_ALIAS, add=[name])
-    except SearchError:
-        log.exception("could not add %s to %s", name, READ_ALIAS)
+    # don't touch the read alias for collections that are live in a migration
+    update_read_alias = migration is None or not migration.is_live(name)
+    try:
+        if update_read_alias:
+            update_read_alias(client, READ_ALIAS, add=[name])
+    except Exception:
+        log.exception("could not add %s to %s", name, READ_ALIAS)
     return name"""
    tests = """@@ -40,6 +40,14 @@ def test_migration_copies_all_documents(fake_client):
     assert fake_client.count("products_v7") == 1200
+
+
+def test_live_collection_keeps_read_alias(fake_client):
+    plan = MigrationPlan(steps=[Step("products_v7", "products_v8")], live={"products_v7"})
+    run_migration(fake_client, plan)
+    assert fake_client.alias(READ_ALIAS) == ["products_v7"]"""
    return [
        {"filename": "search_tools/migrate.py", "status": "modified", "additions": 5, "deletions": 1, "patch": migrate},
        {"filename": "search_tools/collections.py", "status": "modified", "additions": 7, "deletions": 4, "patch": collections},
        {"filename": "tests/test_migrate.py", "status": "modified", "additions": 8, "deletions": 0, "patch": tests},
    ]


def _fix_files() -> list[dict[str, Any]]:
    fix = """@@ -36,11 +36,11 @@ def rotate_daily_collections(client: SearchClient, today: date, days_ahead: int = 2,
     create_collection(client, name, shards=3, replicas=2)
     # don't touch the read alias for collections that are live in a migration
-    update_read_alias = migration is None or not migration.is_live(name)
-    try:
-        if update_read_alias:
-            update_read_alias(client, READ_ALIAS, add=[name])
-    except Exception:
-        log.exception("could not add %s to %s", name, READ_ALIAS)
+    attach_to_alias = migration is None or not migration.is_live(name)
+    try:
+        if attach_to_alias:
+            update_read_alias(client, READ_ALIAS, add=[name])
+    except SearchError:
+        log.exception("could not add %s to %s", name, READ_ALIAS)
     return name"""
    test = """@@ -0,0 +1,9 @@
+from datetime import date
+
+from search_tools.aliases import READ_ALIAS
+from search_tools.collections import rotate_daily_collections
+
+
+def test_rotated_collection_joins_read_alias(fake_client):
+    name = rotate_daily_collections(fake_client, date(2022, 12, 4))
+    assert name in fake_client.alias(READ_ALIAS)"""
    return [
        {"filename": "search_tools/collections.py", "status": "modified", "additions": 6, "deletions": 6, "patch": fix},
        {"filename": "tests/test_collections.py", "status": "added", "additions": 9, "deletions": 0, "patch": test},
    ]


def _follow_files() -> list[dict[str, Any]]:
    patch = """@@ -21,8 +21,9 @@ SEARCH_SERVICES = {"search-api", "search-indexer"}

 def _key_problem(event: AlertEvent) -> bool:
     \"\"\"Key change beta: callers with invalid or revoked keys are not a search outage.\"\"\"
-    return event.tags.get("api_key_status") != "valid"
+    # events without a key (cron jobs, probes) must keep paging
+    return event.tags.get("api_key_status") in {"invalid", "revoked"}"""
    return [{"filename": "router/search.py", "status": "modified", "additions": 2, "deletions": 1, "patch": patch}]
