"""`make demo`: the sandbox serves the seed story, the nightly flow ingests its whole history into SQLite,
the seed incident is backfilled and correlated, and its report is written."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _earliest(world: dict[str, Any]) -> datetime:
    times = [p["created_at"] for p in world["github"]["pulls"]]
    times += [i["created_at"] for i in world["pagerduty"]["incidents"]]
    return min(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)


def run(out: Path, world_name: str = "seed") -> dict[str, Any]:
    from lookback.sandbox.core import Knobs
    from lookback.sandbox.serve import start
    from lookback.sandbox.worlds import load_world

    started = time.monotonic()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    world, truth = load_world(world_name)
    history_days = (datetime.now(UTC) - _earliest(world)).days + 30
    with start(world, Knobs(slack_tiers=False)) as sandbox:
        os.environ.update(sandbox.env())
        os.environ["LOOKBACK_DATABASE_URL"] = f"sqlite:///{(out / 'warehouse.db').resolve()}"
        os.environ["LOOKBACK_HISTORY"] = f"{history_days}d"
        os.environ["LOOKBACK_REPORT_DIR"] = str((out / "reports").resolve())
        print(f"sandbox: {sandbox.url} serving the '{world_name}' world (GitHub, Slack, PagerDuty)")
        print(f"warehouse: {out / 'warehouse.db'}")

        from flows.backfill import backfill_incident
        from flows.ingest import nightly_ingest
        from lookback.output import inert
        from lookback.progress import print_summary

        print("1/3 nightly ingestion of the whole history ...", flush=True)
        nightly = nightly_ingest()
        print_summary(nightly)
        incident = str(truth["incident"]["number"])
        print(f"2/3 backfill and correlation of incident {incident} ...", flush=True)
        result = backfill_incident(incident=incident)
        print(f"impact start {result['impact_start']} ({result['impact_start_source']}); window "
              f"{result['window'][0][:10]} .. {result['window'][1][:10]}")
        for item in result["top"][:8]:
            print(f"  {item['rank']:>2}. {item['role']:<19} {item['score']:6.2f}  {inert(item['native_id'])}")
        if not result.get("report"):
            raise RuntimeError("the backfill stored the evidence but could not write the report (see the log above)")
        report = Path(result["report"])
        stats = sandbox.stats()
    print(f"3/3 report of incident {incident}: {report}")
    print(f"report (Markdown): {report.with_name('report.md')}")
    print(f"API requests served by the sandbox: {stats.get('total')}; demo wall time {time.monotonic() - started:.1f} s")
    query = "select rank, role, native_id from incident_evidence limit 10"
    print(f"query it: sqlite3 {out / 'warehouse.db'} '{query}'")
    return {"nightly": nightly, "backfill": result, "report": str(report)}
