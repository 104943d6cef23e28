"""Background noise for any world: unrelated PRs, chatter, bots, joins, other teams' pages and deploys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, iso

DAY = 86_400.0

FIRST = ("Ana", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kofi", "Lena", "Mateo",
         "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wen", "Xavi", "Yara", "Zoe",
         "Amir", "Bea", "Caleb", "Dev", "Esme", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kai", "Lior")
LAST = ("Ortiz", "Nakamura", "Okafor", "Silva", "Kowalski", "Haddad", "Lindqvist", "Mensah", "Patel", "Rossi",
        "Novak", "Dubois", "Tanaka", "Moreau", "Schmidt", "Costa", "Ibrahim", "Larsen", "Murphy", "Fischer")


@dataclass(frozen=True)
class TeamSpec:
    """Another team of the organisation: its service, repo, channel and the words of its work."""

    key: str
    name: str
    service: str
    repo: str
    channel: str
    areas: tuple[str, ...]
    nouns: tuple[str, ...]
    alerts: tuple[str, ...]
    ext: str = "py"


NOISE_TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("checkout", "Checkout", "checkout-api", "checkout", "checkout-team",
             ("cart", "payment_form", "shipping", "tax"), ("cart total", "coupon", "address form", "gift card",
             "shipping quote", "tax rounding", "saved cards"), ("p99 latency above 2s", "5xx rate above 2%",
             "order placement failures", "payment provider timeouts"), "ts"),
    TeamSpec("catalog", "Catalog", "catalog-service", "catalog", "catalog-team",
             ("products", "pricing", "images", "importer"), ("product import", "price feed", "variant",
             "image resize", "bulk edit", "category tree"), ("importer lag above 30m", "image CDN 404s",
             "price feed stale", "queue depth high"), "py"),
    TeamSpec("mobile", "Mobile", "mobile-bff", "mobile-app", "mobile-team",
             ("screens", "navigation", "push", "offline"), ("onboarding screen", "push token", "deep link",
             "offline cache", "dark mode", "wishlist"), ("crash rate above 1%", "BFF 5xx spike",
             "push delivery failures"), "ts"),
    TeamSpec("platform", "Platform", "k8s-cluster", "infra", "platform-team",
             ("terraform", "helm", "ci", "dns"), ("node pool", "ingress", "runner image", "terraform module",
             "helm chart", "autoscaler"), ("node NotReady", "disk pressure on nodes", "ingress 502s",
             "etcd latency high"), "go"),
    TeamSpec("data", "Data", "etl-scheduler", "data-pipelines", "data-team",
             ("dags", "models", "exports", "quality"), ("nightly export", "dbt model", "airflow DAG",
             "warehouse table", "backfill", "freshness test"), ("DAG failed: nightly_orders", "export late",
             "warehouse load errors"), "py"),
    TeamSpec("growth", "Growth", "email-service", "marketing-email", "growth-team",
             ("campaigns", "templates", "segments", "tracking"), ("promo template", "segment query",
             "unsubscribe link", "send window", "A/B split"), ("bounce rate above 5%", "send queue stuck",
             "template render errors"), "rb"),
    TeamSpec("identity", "Identity", "auth-service", "auth", "identity-team",
             ("sessions", "oauth", "mfa", "tokens"), ("session cookie", "OAuth callback", "MFA prompt",
             "token refresh", "password reset"), ("login error rate high", "token issuance latency",
             "OAuth provider errors"), "go"),
)

EXTRA_TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("ledger", "Ledger", "ledger-api", "ledger", "ledger-team", ("journal", "balances", "fx", "exports"),
             ("journal entry", "balance snapshot", "FX rate cache", "month-end export", "reconciliation report"),
             ("journal write latency high", "balance drift detected", "FX feed stale"), "go"),
    TeamSpec("risk", "Risk", "risk-scoring", "risk-models", "risk-team", ("features", "rules", "review_queue"),
             ("velocity rule", "device fingerprint", "manual review queue", "chargeback model", "score cache"),
             ("score latency above 300ms", "review queue backlog", "model load failure"), "py"),
    TeamSpec("firmware", "Firmware", "ota-updates", "firmware", "firmware-team", ("ota", "bootloader", "modem"),
             ("OTA rollout", "modem firmware", "bootloader flag", "GPS module driver", "power saving mode"),
             ("OTA failure rate above 3%", "devices stuck in bootloader"), "go"),
    TeamSpec("routing", "Routing", "route-planner", "route-planner", "routing-team", ("solver", "maps", "eta"),
             ("route solver", "map tiles", "ETA model", "traffic feed", "stop clustering"),
             ("solver timeouts", "ETA error above 20%", "map tile 5xx"), "py"),
    TeamSpec("web", "Web", "web-frontend", "web-app", "web-team", ("pages", "components", "i18n"),
             ("settings page", "date picker", "translation strings", "bundle size", "login form"),
             ("frontend error rate high", "CDN 5xx"), "ts"),
)

_ADJ = ("configurable", "paginated", "cached", "batched", "async", "optional", "retryable", "localized", "typed")
_BUGS = ("off-by-one", "race", "None check", "timezone bug", "flaky retry", "double submit", "stale cache read",
         "wrong default", "memory leak", "unicode crash")
_PKGS = (("urllib3", "1.26.12", "1.26.13"), ("requests", "2.28.1", "2.28.2"), ("pytest", "7.1.3", "7.2.0"),
         ("black", "22.8.0", "22.10.0"), ("axios", "0.27.2", "1.2.0"), ("typescript", "4.8.4", "4.9.3"),
         ("golang.org/x/net", "0.1.0", "0.4.0"), ("rails", "7.0.3", "7.0.4"), ("boto3", "1.24.90", "1.26.20"),
         ("eslint", "8.25.0", "8.28.0"), ("pydantic", "1.10.2", "1.10.4"), ("certifi", "2022.9.24", "2022.12.7"))
_CHAT = (
    "anyone else seeing {noun} behave weirdly on staging?", "PTAL when you have a sec: {url}",
    "standup notes: working on {noun}, then reviews", "heads up: I'm changing the {noun} defaults tomorrow",
    "is the {noun} doc still current?", "pairing on {noun} after lunch if anyone wants to join",
    "merged the {noun} change, thanks for the reviews", "the {noun} tests are flaky again :face_palm:",
    "who owns {noun} these days?", "retro moved to thursday", "I'll be out friday, {other} is covering",
    "do we have a dashboard for {noun}?", "the {noun} migration is about 60% done",
    "could someone review {url}? small one", "+1 to shipping {noun} behind a flag",
    "FYI the staging db is being refreshed tonight", "lunch? :taco:", "nice work on {noun} everyone :tada:",
)
_REPLIES = ("looking", "yep, same here", "I think {other} knows", "fixed in main I think", "thanks!", ":eyes:",
            "not that I know of", "let's take it to a thread with {other}", "done", "+1", "ack",
            "should be ok after the next deploy", "I can take it", "it was a config typo, sorted")
_RANDOM = ("anyone watching the match tonight?", "coffee machine on 3 is fixed :coffee:", "cat picture of the day",
           "recommendations for a mechanical keyboard?", "happy friday!", "who left the cake in the kitchen? :cake:",
           "the office wifi is slow again", "book club: next one is 'Thinking in Systems'")
_GENERAL = ("Reminder: all-hands at 17:00 UTC", "Welcome to our new folks this week :wave:",
            "Office closed on monday for the holiday", "Benefits enrollment closes friday",
            "Quarterly planning docs are in the drive", "Please update your emergency contacts")


def make_people(b: WorldBuilder, n: int) -> list[str]:
    """`n` deterministic humans (GitHub + Slack, some on PagerDuty); returns their keys."""
    keys: list[str] = []
    i = 0
    while len(keys) < n:
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        key = f"{first.lower()}{last[0].lower()}{i // len(FIRST) or ''}"
        i += 1
        if key in b.people:
            continue
        tz = ("America/New_York", "Europe/Berlin", "America/Los_Angeles", "Europe/London")[i % 4]
        b.person(key, f"{first} {last}", login=f"{first.lower()}-{last.lower()}", tz=tz)
        keys.append(key)
    return keys


def add_bots(b: WorldBuilder) -> dict[str, str]:
    """The usual bots: dependabot, renovate and GitHub Actions on GitHub; deploy, PagerDuty, GitHub apps on Slack."""
    b.person("dependabot[bot]", "dependabot[bot]", slack=False, is_bot=True)
    b.person("github-actions[bot]", "github-actions[bot]", slack=False, is_bot=True)
    b.person("renovate[bot]", "renovate[bot]", slack=False, is_bot=True)
    b.person("deploybot", "Deploy Bot", github=False, is_bot=True)
    b.person("pagerduty", "PagerDuty", github=False, is_bot=True)
    b.person("github", "GitHub", github=False, is_bot=True)
    b.person("standupbot", "Geekbot", github=False, is_bot=True)
    return {"deploy": "deploybot", "pd": "pagerduty", "gh": "github"}


@dataclass
class NoiseTeam:
    """A team placed in one world: its spec, members, repo, channel and PagerDuty objects."""

    spec: TeamSpec
    members: list[str]
    repo: str
    channel: str
    service: str
    policy: str


def setup_teams(b: WorldBuilder, specs: tuple[TeamSpec, ...], people: list[str], start: float) -> list[NoiseTeam]:
    """Repos, channels, PagerDuty teams/services for the noise teams (members split from `people`)."""
    out: list[NoiseTeam] = []
    per = max(3, len(people) // max(1, len(specs)))
    for i, spec in enumerate(specs):
        members = [people[(i * per + j) % len(people)] for j in range(per)]
        repo = b.repo(spec.repo, f"{spec.name} team: {', '.join(spec.areas)}", iso(start - 400 * DAY - i * 30 * DAY))
        channel = b.channel(spec.channel, f"{spec.name} team chat", f"Work of the {spec.name} team",
                            start - 500 * DAY, members[0])
        team = b.team(spec.name)
        policy = b.policy(f"{spec.name} on-call", team, members[:3])
        service = b.service(spec.service, f"{spec.name} production service", policy, team,
                            iso(start - 600 * DAY))
        out.append(NoiseTeam(spec, members, repo, channel, service, policy))
    return out


def _path(b: WorldBuilder, spec: TeamSpec, area: str | None = None) -> str:
    rng = b.rng
    area = area or rng.choice(spec.areas)
    noun = rng.choice(spec.nouns).replace(" ", "_").replace("-", "_").lower()
    top = {"py": "src", "ts": "src", "go": "internal", "rb": "app", "kt": "app/src/main/kotlin",
           "swift": "Sources/App"}[spec.ext]
    return f"{top}/{area}/{noun}.{spec.ext}"


def _patch(b: WorldBuilder, spec: TeamSpec, noun: str) -> tuple[str, int, int]:
    rng = b.rng
    ident = noun.replace(" ", "_").replace("-", "_").lower()
    start = rng.randrange(5, 400)
    old = f"-    {ident} = load_{ident}(config)"
    new = [f"+    {ident} = load_{ident}(config, timeout={rng.choice((5, 10, 30))})",
           f"+    if not {ident}:", f"+        log.info(\"no {noun} configured\")"]
    adds = rng.randrange(1, 4)
    lines = [f"@@ -{start},4 +{start},{3 + adds} @@ def handle_{ident}(config):", f"     # {noun}", old, *new[:adds],
             "     return result"]
    return "\n".join(lines), adds, 1


def noise_files(b: WorldBuilder, spec: TeamSpec, noun: str, n: int) -> list[dict[str, Any]]:
    files = []
    seen: set[str] = set()
    for _ in range(n):
        path = _path(b, spec)
        if path in seen:
            continue
        seen.add(path)
        patch, adds, dels = _patch(b, spec, noun)
        files.append({"filename": path, "status": "modified", "additions": adds, "deletions": dels, "patch": patch})
    return files


def add_pulls(b: WorldBuilder, team: NoiseTeam, count: int, start: float, end: float,
              reviewers: list[str] | None = None, spec: TeamSpec | None = None) -> None:
    """`count` unrelated PRs in `team.repo` created uniformly in [start, end)."""
    rng = b.rng
    spec = spec or team.spec
    reviewers = reviewers or team.members
    recent: list[str] = []
    for _ in range(count):
        t = rng.uniform(start, end)
        kind = rng.random()
        author = rng.choice(team.members)
        noun = rng.choice(spec.nouns)
        area = rng.choice(spec.areas)
        labels: list[str] = []
        files: list[dict[str, Any]]
        handle = None
        if kind < 0.14:
            pkg, v1, v2 = rng.choice(_PKGS)
            author = "dependabot[bot]"
            title = f"Bump {pkg} from {v1} to {v2}"
            body = (f"Bumps [{pkg}](https://github.com/{pkg}) from {v1} to {v2}.\n\n"
                    "Dependabot will resolve any conflicts with this PR as long as you don't alter it yourself.")
            manifest = {"py": "requirements.txt", "ts": "package.json", "go": "go.mod", "rb": "Gemfile.lock",
                        "kt": "gradle/libs.versions.toml", "swift": "Package.resolved"}[spec.ext]
            files = [{"filename": manifest, "status": "modified", "additions": 1, "deletions": 1,
                      "patch": f"@@ -3,7 +3,7 @@\n-{pkg}=={v1}\n+{pkg}=={v2}"}]
            labels = ["dependencies"]
        elif kind < 0.19:
            author = rng.choice(("github-actions[bot]", "renovate[bot]"))
            tool = rng.choice(("actions/checkout", "pre-commit hooks", "ruff", "node 18 image", "golangci-lint"))
            title = f"chore(ci): update {tool}"
            body = "Automated update. CI will run the full suite."
            files = [{"filename": ".github/workflows/ci.yml", "status": "modified", "additions": 2, "deletions": 2,
                      "patch": "@@ -12,7 +12,7 @@ jobs:\n-      - uses: actions/checkout@v2\n+      - uses: actions/checkout@v3"}]
            labels = ["ci"]
        elif kind < 0.22 and recent:
            target = rng.choice(recent)
            old = b.handles["pr:" + target]
            title = f'Revert "{old["title"]}"'
            body = f"Reverts {{{{pr:{target}}}}}\n\nBroke {noun} on staging; reverting until we understand why."
            files = [dict(f) for f in old["files"]]
            labels = ["revert"]
        else:
            r = rng.random()
            if r < 0.45:
                title = rng.choice((f"Add {rng.choice(_ADJ)} {noun} to {area}", f"Support {noun} in {area}",
                                    f"{area}: add {noun} endpoint", f"Introduce {rng.choice(_ADJ)} {noun}"))
                labels = ["feature"] if rng.random() < 0.5 else []
            elif r < 0.75:
                title = rng.choice((f"Fix {rng.choice(_BUGS)} in {noun}", f"{area}: fix {rng.choice(_BUGS)}",
                                    f"Handle empty {noun} in {area}"))
                labels = ["bug"] if rng.random() < 0.6 else []
            elif r < 0.9:
                title = rng.choice((f"Refactor {area} {noun}", f"Clean up {noun} helpers", f"Extract {noun} module"))
            else:
                title = rng.choice((f"Docs: {noun} runbook", f"Update README for {noun}", f"Add tests for {noun}"))
            body = rng.choice((
                f"This changes how {area} handles {noun}.\n\n## Testing\n- unit tests\n- tried on staging",
                f"Small change to {noun}. No behaviour change expected outside {area}.",
                f"Part of the {noun} work. Follow-ups to come.\n\nTicket: {spec.key.upper()}-{rng.randrange(100, 999)}",
                "",
            ))
            files = noise_files(b, spec, noun, rng.randrange(1, 5))
        fate = rng.random()
        merged = closed = None
        if t > end - 10 * DAY and fate < 0.25:
            pass  # still open
        elif fate < 0.08:
            closed = t + rng.uniform(0.2, 9) * DAY
        else:
            merged = t + rng.uniform(0.02, 4) * DAY
        others = [r for r in reviewers if r != author] or reviewers
        reviews = []
        comments = []
        rcomments = []
        if not author.endswith("[bot]") or rng.random() < 0.5:
            if rng.random() < 0.75:
                reviews.append((rng.choice(others), "APPROVED", rng.choice(("", "LGTM", "lgtm :shipit:", "nice")),
                                t + rng.uniform(0.01, 0.9) * DAY))
            if rng.random() < 0.12:
                reviews.insert(0, (rng.choice(others), "CHANGES_REQUESTED", f"a couple of questions about {noun}",
                                   t + rng.uniform(0.005, 0.01) * DAY))
            if rng.random() < 0.2:
                comments.append((rng.choice(others), rng.choice((f"does this affect {noun} in prod?",
                                 "can we add a test?", "thanks!", "rebased on main")), t + 0.02 * DAY))
            if files and rng.random() < 0.1 and reviews:
                rcomments.append((reviews[0][0], "nit: name this more clearly", files[0]["filename"],
                                  rng.randrange(3, 60), reviews[0][3]))
        if rng.random() < 0.1:
            comments.append(("github-actions[bot]", f"Coverage: {rng.randrange(70, 95)}.{rng.randrange(10)}% (+0.1%)",
                             t + 0.01 * DAY))
        if len(recent) > 30:
            recent.pop(0)
        handle = f"n{len(b.pulls)}"
        recent.append(handle)
        if merged is not None and merged > end + 30 * DAY:
            merged = None
        b.pull(team.repo, author, title, body, t, merged=merged, closed=closed,
               merged_by=rng.choice(others) if merged else None, files=files, labels=labels,
               reviews=reviews, comments=comments, review_comments=rcomments, handle=handle,
               template="{{" in body)


def add_chat(b: WorldBuilder, channel: str, members: list[str], nouns: tuple[str, ...], count: int,
             start: float, end: float, lines: tuple[str, ...] = _CHAT, thread_rate: float = 0.25,
             links: list[str] | None = None, office_hours: bool = True) -> None:
    """`count` top-level messages (plus thread replies) in `channel` during [start, end)."""
    rng = b.rng
    for _ in range(count):
        t = rng.uniform(start, end)
        # Keep office hours mostly: chat clusters 13:00-23:00 UTC.
        day = t - t % DAY
        if office_hours and rng.random() < 0.85:
            t = day + rng.uniform(13, 23) * 3600
        who = rng.choice(members)
        line = rng.choice(lines)
        url = "{{url:" + rng.choice(links) + "}}" if links and "{url}" in line else "https://docs.example/wiki"
        text = line.format(noun=rng.choice(nouns), other=f"<@{b.people[rng.choice(members)].slack_id}>", url=url)
        edited = rng.uniform(30, 900) if rng.random() < 0.05 else None
        parent = b.say(channel, t, who, text, edited_after=edited, template="{{" in text)
        if rng.random() < thread_rate:
            rt = t
            for _ in range(rng.randrange(1, 7)):
                rt += rng.uniform(60, 5400)
                reply = rng.choice(_REPLIES).format(other=f"<@{b.people[rng.choice(members)].slack_id}>")
                b.say(channel, rt, rng.choice(members), reply, parent=parent)


def add_joins(b: WorldBuilder, channel: str, members: list[str], start: float, end: float, n: int) -> None:
    rng = b.rng
    for _ in range(n):
        who = rng.choice(members)
        b.say(channel, rng.uniform(start, end), who, f"<@{b.people[who].slack_id}> has joined the channel",
              subtype="channel_join")


def add_incidents(b: WorldBuilder, team: NoiseTeam, count: int, start: float, end: float,
                  alert_channel: str | None, incident_channels: bool = True) -> None:
    """Other teams' pages: high and low urgency, some with notes and an incident channel."""
    rng = b.rng
    for _ in range(count):
        t = rng.uniform(start, end)
        alert = rng.choice(team.spec.alerts)
        title = f"[{team.spec.service}] {alert}"
        high = rng.random() < 0.6
        responders = rng.sample(team.members, k=min(len(team.members), rng.randrange(1, 3)))
        notes = [(responders[0], rng.choice(("rolled back the last deploy", "scaled up, recovering",
                  "upstream provider issue, waiting", "false alarm, threshold too tight")), 900.0)] \
            if rng.random() < 0.3 else None
        handle = f"i{len(b.pd['incidents'])}"
        inc = b.incident(team.service, title, t, urgency="high" if high else "low",
                         responders=responders if high else [], notify=high,
                         ack_after=rng.uniform(60, 600) if high else None,
                         resolve_after=rng.uniform(600, 7200), notes=notes, handle=handle,
                         alert_key=f"{team.spec.service}/{alert}")
        if alert_channel and high:
            b.say(alert_channel, t + 3, "pagerduty",
                  f":rotating_light: Triggered <{{{{incurl:{handle}}}}}|#{{{{inc:{handle}}}}}> {inc['title']}",
                  template=True)
        if incident_channels and high and rng.random() < 0.12:
            name = f"inc-{iso(t)[:10].replace('-', '')}-{team.spec.key}-{len(b.channels)}"
            cid = b.channel(name, f"Incident: {title}", "incident response", t + 60, responders[0])
            add_chat(b, cid, team.members, team.spec.nouns, rng.randrange(3, 9), t + 120, t + 7200,
                     lines=("looking at {noun} graphs", "rolling back now", "error rate back to normal",
                            "I think it's {noun}", "writing the timeline", "customer impact looks small"),
                     thread_rate=0.3, office_hours=False)


def add_deploys(b: WorldBuilder, team: NoiseTeam, count: int, start: float, end: float,
                deploy_channel: str | None) -> None:
    """Deploy change events on PagerDuty and deploy-bot lines in the deploys channel."""
    rng = b.rng
    for _ in range(count):
        t = rng.uniform(start, end)
        sha7 = b.sha()[:7]
        who = rng.choice(team.members)
        b.change_event(team.service, f"Deploy {team.spec.service}@{sha7} to production", t, "ci-deploy",
                       links=[{"href": f"https://github.com/{team.repo}/commit/{sha7}", "text": sha7}],
                       details={"deployer": who, "environment": "production"})
        if deploy_channel:
            b.say(deploy_channel, t + 2, "deploybot",
                  f":rocket: {team.spec.service} `{sha7}` deployed to production by <@{b.people[who].slack_id}>")


def add_common_channels(b: WorldBuilder, people: list[str], teams: list[NoiseTeam], start: float,
                        end: float, scale: int) -> dict[str, str]:
    """#general, #random, #deploys, #alerts, #eng-help with their chatter; returns name -> id."""
    rng = b.rng
    out = {}
    for name, topic in (("general", "Company-wide"), ("random", "Non-work banter"), ("deploys", "Deploy log"),
                        ("alerts", "PagerDuty notifications"), ("eng-help", "Ask engineering anything")):
        out[name] = b.channel(name, topic, topic, start - 700 * DAY, people[0])
    days = (end - start) / DAY
    n = max(1, int(days * scale))
    add_chat(b, out["general"], people, ("planning",), n // 3, start, end, lines=_GENERAL, thread_rate=0.1)
    add_joins(b, out["general"], people, start, end, max(3, n // 6))
    add_chat(b, out["random"], people, ("coffee",), n // 2, start, end, lines=_RANDOM, thread_rate=0.3)
    add_joins(b, out["random"], people, start, end, max(2, n // 10))
    nouns = tuple(x for t in teams for x in t.spec.nouns)
    add_chat(b, out["eng-help"], people, nouns, n // 2, start, end, thread_rate=0.5)
    deployers = [m for t in teams for m in t.members]
    add_chat(b, out["deploys"], deployers, nouns, n // 3, start, end,
             lines=("deploying {noun} now", "rolling back, {noun} looks off", "all green after the deploy",
                    "holding deploys for 30 min, {other} is migrating"), thread_rate=0.2)
    for _ in range(max(1, n // 20)):
        who = rng.choice(people)
        b.say(out["deploys"], rng.uniform(start, end), who, f"<@{b.people[who].slack_id}> has joined the channel",
              subtype="channel_join")
    return out


def add_team_noise(b: WorldBuilder, teams: list[NoiseTeam], common: dict[str, str], start: float, end: float,
                   scale: int, pr_per_team: int) -> None:
    """Per noise team: PRs, chat in its channel (linking its PRs), incidents and deploys."""
    rng = b.rng
    days = (end - start) / DAY
    for team in teams:
        add_pulls(b, team, pr_per_team * scale, start - 60 * DAY, end)
        links = [h for h, p in b.handles.items() if h.startswith("pr:") and p["repo"] == team.repo]
        links = [h[3:] for h in links[-200:]]
        add_chat(b, team.channel, team.members, team.spec.nouns, int(days * 2.2 * scale), start, end, links=links)
        add_joins(b, team.channel, team.members, start, end, 2)
        add_incidents(b, team, max(2, int(days / 6 * scale)), start, end, common["alerts"])
        add_deploys(b, team, int(days / 2 * scale), start, end, common["deploys"])
        for _ in range(int(days / 3 * scale)):
            t = rng.uniform(start, end)
            b.say(team.channel, t - t % DAY + 9 * 3600 + rng.uniform(0, 600), "standupbot",
                  f"*Standup summary* {iso(t)[:10]}: {rng.randrange(2, len(team.members) + 1)} updates, "
                  f"blockers: {rng.choice(('none', 'waiting on review', rng.choice(team.spec.nouns)))}",
                  subtype="bot_message")
        if rng.random() < 0.5:
            add_incidents(b, team, 1, end - 3 * DAY, end, common["alerts"], incident_channels=False)
    # One page still open at the end of the world, so an edit step can resolve it.
    team = teams[0]
    b.incident(team.service, f"[{team.spec.service}] {team.spec.alerts[0]}", end - 0.5 * DAY,
               responders=team.members[:2], ack_after=300, resolve_after=None, handle="still_open",
               alert_key=f"{team.spec.service}/{team.spec.alerts[0]}")
