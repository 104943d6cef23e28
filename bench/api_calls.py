"""GitHub and Slack requests through lookback's flows against the sandbox: against the issues' bounds and a peer.

    python -m bench --only github        # or slack

Everything goes through `flows.ingest.run_sources`, so the figures are what `lookback ingest` and
`lookback backfill` spend as configured, not what a connector spends with its defaults.
"""

from __future__ import annotations

import time
from typing import Any

from bench.common import Row
from bench.rest_peer import walk
from bench.stack import WORLD_SINCE, WORLD_UNTIL, calls, github_bound, ingest, slack_bound, stack
from lookback.sandbox.core import Knobs
from lookback.sandbox.worlds import load_world


def github(quick: bool = False) -> list[Row]:
    scale = 1 if quick else 5
    world, _truth = load_world("seed", scale=scale)
    bound, n, repos = github_bound(world)
    per_pr = bound / n
    rows: list[Row] = []
    # Requests are what is counted: a primary limit of 5,000 an hour would only make the peer wait.
    with stack(world, Knobs(github_rate_limit=10_000_000)) as st:
        st.box.reset_stats()
        started = time.perf_counter()
        ingest(st.settings, st.engine, ["github"])
        first = calls(st.box, "github")
        seconds = time.perf_counter() - started
        total = sum(first.values())
        rows.append(Row(f"GitHub requests per PR, first nightly ({n} PRs, {repos} repos, no patch text)",
                        total / n, "req/PR", per_pr, "ceil(N/25)+2 per repo, per PR", total / per_pr / n,
                        f"ratio = figure / bound (goal <= 1); {total} requests ({_top(first)}); "
                        f"{n / seconds:.0f} PR/s"))

        st.box.reset_stats()
        ingest(st.settings, st.engine, ["github"])
        quiet = calls(st.box, "github")
        total = sum(quiet.values())
        rows.append(Row("GitHub nightly with nothing new", total, "req", repos, "1 per repository", total / repos,
                        f"ratio = figure / bound (goal <= 1); {_top(quiet)} (listing the org's repos "
                        "is outside the bound)"))

        st.box.reset_stats()
        started = time.perf_counter()
        ingest(st.settings, st.engine, ["github"], WORLD_SINCE, WORLD_UNTIL)
        window = calls(st.box, "github")
        seconds = time.perf_counter() - started
        ours = sum(window.values())
        rows.append(Row(f"GitHub requests per PR, full backfill over a window ({n} PRs)",
                        ours / n, "req/PR", per_pr, "ceil(N/25)+2 per repo, per PR", ours / per_pr / n,
                        f"ratio = figure / bound (goal <= 1); {ours} requests ({_top(window)}); "
                        f"{n / seconds:.0f} PR/s"))
        rows.append(_incident_backfill(st, world, _truth, repos))

        st.box.reset_stats()
        started = time.perf_counter()
        env = st.env
        seen = walk(env["GITHUB_TOKEN"], env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"], "shop",
                    max_repos=2 if quick else None)
        seconds = time.perf_counter() - started
        peer = sum(calls(st.box, "github").values())
        rows.append(Row("GitHub requests per PR, full backfill vs plain REST", ours / n, "req/PR", peer / seen,
                        "PyGithub: list, detail, files, reviews, comments", (ours / n) / (peer / seen),
                        f"ratio = ours / peer (lower is better); peer {peer} requests for {seen} PRs, "
                        f"{seen / seconds:.0f} PR/s"))
    return rows


def _incident_backfill(st: Any, world: dict[str, Any], truth: dict[str, Any], repos: int) -> Row:
    """`lookback backfill` of the world's incident on an empty warehouse: its window through GraphQL, then
    the patch excerpts (one REST call each) of the PRs ranked as candidates only."""
    import math
    from datetime import datetime

    from flows.backfill import PATCH_CANDIDATES, backfill
    from warehouse.db import ensure_schema, make_engine

    engine = make_engine(str(st.engine.url).replace(".db", "-backfill.db"))
    ensure_schema(engine)
    settings = st.settings.model_copy(update={"slack_bot_token": None})  # GitHub is what is counted here
    st.box.reset_stats()
    summary = backfill(settings, engine, str(truth["incident"]["id"]), use_prefect=False)
    spent = calls(st.box, "github")
    total = sum(spent.values())
    since, until = (datetime.fromisoformat(t) for t in summary["window"])
    k = sum(1 for p in world["github"]["pulls"] if since <= datetime.fromisoformat(p["updated_at"].replace("Z", "+00:00")) <= until)
    bound = math.ceil(k / 25) + 2 * repos
    engine.dispose()
    return Row(f"GitHub requests, backfill of the seed incident ({k} PRs in its window, diffs of the best ranked)",
               total, "req", bound, "ceil(K/25)+2 per repo", total / bound,
               f"ratio = figure / bound (goal <= 1); {_top(spent)}; patch excerpts for "
               f"{summary['requests'].get('github_patches', 0)} PRs (at most {PATCH_CANDIDATES})")


def slack(quick: bool = False) -> list[Row]:
    scale = 1 if quick else 2
    world, _truth = load_world("seed", scale=scale)
    bound = slack_bound(world)
    channels = sum(1 for c in world["slack"]["channels"] if c.get("is_member"))
    messages = len(world["slack"]["messages"])
    rows: list[Row] = []
    # Slack's tier limits on (off in a smoke run), their one-minute windows shortened: calls are what counts here.
    # A refused call (429) is counted: it is a call the connector spent.
    knobs = Knobs(slack_tiers=not quick, slack_time_scale=0.005)
    limits = "tier limits off" if quick else "tier limits on at x0.005 time"
    with stack(world, knobs) as st:
        st.box.reset_stats()
        started = time.perf_counter()
        ingest(st.settings, st.engine, ["slack"])
        seconds = time.perf_counter() - started
        first = _methods(calls(st.box, "slack"))
        total, want = sum(first.values()), sum(bound.values())
        rows.append(Row(f"Slack calls, full backfill ({messages} messages, {bound['conversations.replies']} threads)",
                        total, "calls", want, "ceil(M/page) + threads with replies + users, list", total / want,
                        f"ratio = figure / bound (goal <= 1.05); {_top(first)}; {messages / seconds:.0f} msg/s, "
                        f"{limits}"))

        st.box.reset_stats()
        ingest(st.settings, st.engine, ["slack"])
        quiet = _methods(calls(st.box, "slack"))
        total = sum(quiet.values())
        want = channels + bound["team.info"] + bound["users.list"] + bound["conversations.list"]
        rows.append(Row("Slack calls, quiet nightly", total, "calls", want, "1 history per channel + users, list",
                        total / want, f"ratio = figure / bound (goal <= 1); {_top(quiet)}"))
    return rows


def _methods(endpoints: dict[str, int]) -> dict[str, int]:
    """`POST conversations.history` -> `conversations.history`."""
    out: dict[str, int] = {}
    for key, count in endpoints.items():
        method = key.split(" ", 1)[-1]
        out[method] = out.get(method, 0) + count
    return out


def _top(endpoints: dict[str, int], k: int = 4) -> str:
    """The endpoints that cost the most, shortest first: enough to see where requests go."""
    best = sorted(endpoints.items(), key=lambda kv: -kv[1])[:k]
    return ", ".join(f"{_short(name)} {count}" for name, count in best)


def _short(endpoint: str) -> str:
    """`GET /repos/{owner}/{repo}/pulls/{pull_number}/files` -> `pulls/files`."""
    path = endpoint.split(" ", 1)[-1].replace("/repos/{owner}/{repo}", "")
    return "/".join(part for part in path.split("/") if part and not part.startswith("{")) or path
