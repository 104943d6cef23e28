"""GitHub ingest through PyGithub/requests against the sandbox: requests per PR against the bounds, and PRs per second.

    python -m bench.github --scale 10                   # thousands of PRs
    python -m bench.github --scale 10 --latency-ms 50   # wall time with 50 ms per request

Bounds (issue 5): a GraphQL backfill of N PRs spends <= ceil(N/25) + 2 requests per repository; a nightly
run that finds nothing new <= 1 request per repository; REST (for reference) about 3+ per PR.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from bench.common import Row, sqlite_engine
from connectors.github import FetchState, GithubSelection, iter_github_records, make_client
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from lookback.sandbox.worlds import load_world
from warehouse.stream import github_spec, store_records, stored_cursors


def _requests(box: Any) -> dict[str, int]:
    return dict(box.stats()["apis"].get("github", {}).get("endpoints", {}))


def run(world_name: str, scale: int, latency_ms: float, rest_repos: int) -> list[Row]:
    world, _truth = load_world(world_name, scale=scale)
    pulls = world["github"]["pulls"]
    per_repo = Counter(p["repo"] for p in pulls)
    repos = tuple(sorted(per_repo))
    n = len(pulls)
    bound = sum(math.ceil(k / 25) + 2 for k in per_repo.values())
    rows: list[Row] = []
    knobs = Knobs().updated(latency_ms=latency_ms)
    with sqlite_engine() as engine, start(world, knobs) as box:
        env = box.env()
        client = make_client(env["GITHUB_TOKEN"], env["GITHUB_API_URL"], env["LOOKBACK_CA_BUNDLE"])
        selection = GithubSelection(repos=repos)
        for label in ("backfill", "nightly, nothing new", "nightly after edit"):
            if label == "nightly after edit":
                box.edit()
            box.reset_stats()
            started = time.perf_counter()
            with Session(engine) as session, session.begin():
                state = FetchState()
                written = store_records(session, github_spec(), iter_github_records(client, selection, stored_cursors(session, "github"), state=state), run_id=label).rows
            seconds = time.perf_counter() - started
            calls = _requests(box)
            total = sum(calls.values())
            if label == "backfill":
                rows.append(Row(f"github graphql {label}: requests ({n} PRs, {len(repos)} repos)", total, "req",
                                bound, "sum ceil(N/25)+2 per repo", round(total / bound, 4),
                                note=f"{total / n:.4f} req/PR, graphql cost {state.graphql_cost}"))
                rows.append(Row(f"github graphql {label}: PRs per second", round(n / seconds, 1), "PR/s", None, "",
                                None, note=f"{seconds:.1f}s wall, latency {latency_ms} ms, "
                                           f"{written.get('evidence', 0)} evidence rows"))
            else:
                rows.append(Row(f"github graphql {label}: requests", total, "req", len(repos), "1 per repo",
                                round(total / len(repos), 4), note=str(calls)))
        # REST on a few repositories, for the anchor "plain REST spends about 3 requests per PR".
        rest_sel = GithubSelection(repos=repos[:rest_repos], mode="rest")
        rest_n = sum(per_repo[r] for r in repos[:rest_repos])
        box.reset_stats()
        started = time.perf_counter()
        records = sum(1 for k, _ in iter_github_records(client, rest_sel, None, state=FetchState())
                      if k == "pull_request")
        seconds = time.perf_counter() - started
        total = sum(_requests(box).values())
        rows.append(Row(f"github rest backfill: requests ({rest_n} PRs)", total, "req", 3 * rest_n,
                        "3 per PR (plain REST anchor)", round(total / (3 * rest_n), 4),
                        note=f"{total / max(records, 1):.2f} req/PR, {records / seconds:.1f} PR/s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--world", default="seed")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rest-repos", type=int, default=1)
    args = parser.parse_args()
    for row in run(args.world, args.scale, args.latency_ms, args.rest_repos):
        ratio = f"{row.ratio:.3f}" if row.ratio is not None else "-"
        print(f"{row.what:62s} {row.figure:>10} {row.unit:5s} bound {row.bound!s:>8} ratio {ratio}  {row.note}")


if __name__ == "__main__":
    main()
