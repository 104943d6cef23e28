"""Evaluate correlation against a world's truth: recall@5/10/20, MRR of must-see items, roles, impact start.

    python bench/eval.py seed [payments-pool ...] [--database-url URL] [--keep DIR]

Without ``--database-url`` each world is served by the sandbox and backfilled into a fresh SQLite
warehouse with ``flows.backfill.backfill``; with it, the warehouse at URL (already filled with that
world) is correlated and scored as is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

if __package__ in (None, ""):
    # Run as a script, bench/ itself is sys.path[0] and its pagerduty.py would shadow the `pagerduty` package.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from warehouse import queries  # noqa: E402
from warehouse.correlate import correlate  # noqa: E402

KS = (5, 10, 20)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def evaluate(engine: Engine, truth: dict[str, Any], *, correlate_first: bool = True) -> dict[str, Any]:
    """Correlate the truth's incident (unless told not to) and score the ranking against the truth.

    Returns recall@k and MRR over must-see items (MRR: mean of 1/rank, 0 when missing), the first
    must-see hit's reciprocal rank, per-role correctness over every truth item that was ranked, the
    impact start error, and each must-see item's rank and role.
    """
    incident = str(truth["incident"].get("id") or truth["incident"]["number"])
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        if correlate_first:
            with session.begin():
                result = correlate(session, incident)
        elapsed = time.perf_counter() - started
        items = queries.evidence_items(session, incident)
        inv = queries.resolve_incident(session, incident)
        from warehouse.sqlutil import rows

        est = rows(session, "SELECT impact_start FROM investigation WHERE incident_id = :i", {"i": inv["id"]},
                   times=("impact_start",)) if inv else []
    rank = {(it["source"], it["native_id"]): it for it in items}
    must = [t for t in truth["items"] if t.get("must_see")]
    # A must-see fact may be recorded twice (a bot's announcement and the change event of one deploy):
    # seeing either record is seeing the fact. Strict figures, on the named record only, are kept too.
    same: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t in truth["items"]:
        if t.get("same_fact_as"):
            key = (t["same_fact_as"]["source"], t["same_fact_as"]["native_id"])
            same.setdefault(key, []).append((t["source"], t["native_id"]))
    strict = [rank.get((t["source"], t["native_id"])) for t in must]
    found = []
    for t in must:
        key = (t["source"], t["native_id"])
        hits = [rank[k] for k in [key, *same.get(key, [])] if k in rank]
        found.append(min(hits, key=lambda h: h["rank"]) if hits else None)
    ranks = [f["rank"] if f else None for f in found]
    out: dict[str, Any] = {"incident": incident, "ranked": len(items), "must_see": len(must)}
    strict_ranks = [f["rank"] if f else None for f in strict]
    out["recall@10_strict"] = round(sum(1 for r in strict_ranks if r and r <= 10) / max(len(must), 1), 4)
    for k in KS:
        out[f"recall@{k}"] = round(sum(1 for r in ranks if r and r <= k) / max(len(must), 1), 4)
    out["mrr"] = round(sum(1 / r for r in ranks if r) / max(len(must), 1), 4)
    out["first_hit_rr"] = round(1 / min((r for r in ranks if r), default=float("inf")), 4)
    roles: dict[str, dict[str, int]] = {}
    for t in truth["items"]:
        got = rank.get((t["source"], t["native_id"]))
        cell = roles.setdefault(t["role"], {"right": 0, "ranked": 0, "total": 0})
        cell["total"] += 1
        if got:
            cell["ranked"] += 1
            cell["right"] += int(got["role"] == t["role"])
    out["roles"] = roles
    must_roles = [(t, f) for t, f in zip(must, found, strict=True)]
    out["must_see_roles_right"] = sum(1 for t, f in must_roles if f and f["role"] == t["role"])
    out["items"] = [{"native_id": t["native_id"], "truth_role": t["role"], "rank": f["rank"] if f else None,
                     "role": f["role"] if f else None} for t, f in must_roles]
    truth_start = _parse(truth.get("impact_start"))
    got_start = est[0]["impact_start"] if est else None
    if truth_start and got_start:
        out["impact_start_error_h"] = round((got_start - truth_start).total_seconds() / 3600, 1)
    if correlate_first:
        out["correlate_s"] = round(elapsed, 3)
        out["impact_start_source"] = result.impact_start_source
    return out


def _backfill(world_name: str, workdir: Path, url: str | None = None) -> Engine:
    """Serve the world in the sandbox and backfill its incident into a fresh warehouse (the product path):
    a SQLite file in ``workdir``, or the empty database at ``url``."""
    from flows.backfill import backfill
    from lookback.sandbox.core import Knobs
    from lookback.sandbox.serve import start
    from lookback.sandbox.worlds import load_world
    from lookback.settings import load_settings
    from warehouse.db import ensure_schema, make_engine

    world, truth = load_world(world_name)
    engine = make_engine(url or f"sqlite:///{workdir / (world_name + '.db')}")
    ensure_schema(engine)
    with start(world, Knobs(slack_tiers=False)) as sandbox:
        settings = load_settings(**sandbox.env(), LOOKBACK_DATABASE_URL=str(engine.url))
        backfill(settings, engine, str(truth["incident"]["id"]), use_prefect=False)
    return engine


def print_report(name: str, res: dict[str, Any]) -> None:
    print(f"\n== {name}: incident {res['incident']}, {res['ranked']} ranked, {res['must_see']} must-see")
    print("recall@5 {recall@5:.0%}  recall@10 {recall@10:.0%} (strict {recall@10_strict:.0%})  "
          "recall@20 {recall@20:.0%}  MRR {mrr:.3f}  "
          "first hit 1/{fh}".format(fh=round(1 / res["first_hit_rr"]) if res["first_hit_rr"] else "-", **res))
    if "impact_start_error_h" in res:
        print(f"impact start error: {res['impact_start_error_h']:+.1f} h ({res.get('impact_start_source', '?')})")
    if "correlate_s" in res:
        print(f"correlation: {res['correlate_s']:.2f} s")
    print("role          right/ranked/total")
    for role, c in sorted(res["roles"].items()):
        print(f"  {role:20s} {c['right']}/{c['ranked']}/{c['total']}")
    print("must-see items (rank, role given vs truth):")
    for it in res["items"]:
        mark = "ok" if it["role"] == it["truth_role"] else "--"
        print(f"  {it['rank'] or '-':>4}  {mark} {it['role'] or '-':18s} {it['truth_role']:18s} {it['native_id']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("worlds", nargs="*", default=["seed"])
    ap.add_argument("--database-url", help="An already filled warehouse of the (single) world to score.")
    ap.add_argument("--keep", type=Path, help="Keep the warehouses in this directory.")
    ap.add_argument("--into", help="Backfill into this empty database (e.g. a PostgreSQL schema) instead of SQLite.")
    args = ap.parse_args(argv)
    if (args.into or args.database_url) and len(args.worlds) > 1:
        ap.error("--into and --database-url take one world: a warehouse holds one world")
    from lookback.sandbox.worlds import load_world
    from warehouse.db import make_engine

    results = {}
    for name in args.worlds:
        _, truth = load_world(name)
        if args.database_url:
            engine = make_engine(args.database_url)
        else:
            workdir = args.keep or Path(tempfile.mkdtemp(prefix="lookback-eval-"))
            workdir.mkdir(parents=True, exist_ok=True)
            engine = _backfill(name, workdir, args.into)
        results[name] = evaluate(engine, truth)
        print_report(name, results[name])
    if len(results) > 1:
        print("\nworld            r@5    r@10   r@10 strict   r@20   MRR")
        for name, r in results.items():
            print(f"{name:15s} {r['recall@5']:6.0%} {r['recall@10']:6.0%} {r['recall@10_strict']:9.0%}    "
                  f"{r['recall@20']:6.0%} {r['mrr']:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
