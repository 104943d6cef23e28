"""PagerDuty ingest through the `pagerduty` client against the sandbox: calls against the lower bound, records/s.

    python -m bench.pagerduty --incidents 10500     # > 10,000 incidents in one window: the offset cap is crossed

Bound (issue 7): ceil(N/100) incidents + ceil(M/100) log entries + one alerts call per incident.
The connector never lists incidents (they come expanded inside /log_entries), and reads notes only for
incidents where a note was added; those notes calls are reported beside the bound, as are the fixed calls
(4 reference lists, change events). The second figure is a nightly run with nothing new.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.common import Row, sqlite_engine
from connectors.pagerduty import RunState, Selection, iter_pagerduty_records, make_client
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import start
from warehouse.stream import pagerduty_spec, store_records

START = datetime(2022, 10, 1, tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_world(n_incidents: int, days: int = 60, note_every: int = 20) -> dict[str, Any]:
    """A PagerDuty-only world: `n_incidents` over `days`, 4 log entries and 1 alert each, a note on 1 in 20."""
    step = timedelta(days=days) / n_incidents
    incidents = []
    for n in range(n_incidents):
        at = START + n * step
        entries = [
            {"id": f"RT{n:06d}", "type": "trigger_log_entry", "created_at": _iso(at), "summary": "Triggered",
             "agent": {"type": "service_reference", "id": "PSVC1"}, "channel": {"type": "api"}},
            {"id": f"RN{n:06d}", "type": "notify_log_entry", "created_at": _iso(at + timedelta(seconds=30)),
             "summary": "Notified Ana by SMS", "agent": {"type": "service_reference", "id": "PSVC1"},
             "channel": {"type": "sms"}, "user": "PUSR1"},
            {"id": f"RA{n:06d}", "type": "acknowledge_log_entry", "created_at": _iso(at + timedelta(minutes=3)),
             "summary": "Acknowledged by Ana", "agent": {"type": "user_reference", "id": "PUSR1"},
             "channel": {"type": "mobile"}},
            {"id": f"RR{n:06d}", "type": "resolve_log_entry", "created_at": _iso(at + timedelta(minutes=40)),
             "summary": "Resolved by Ana", "agent": {"type": "user_reference", "id": "PUSR1"},
             "channel": {"type": "web_ui"}},
        ]
        notes = []
        if n % note_every == 0:
            notes.append({"id": f"PN{n:06d}", "user": "PUSR1", "content": f"looks like PR {n % 90}",
                          "created_at": _iso(at + timedelta(minutes=10))})
        incidents.append({
            "id": f"PI{n:06d}", "incident_number": 1 + n, "title": f"API key errors {n}", "description": "",
            "service": "PSVC1", "escalation_policy": "PEP1", "status": "resolved",
            "urgency": "low" if n % 4 else "high", "priority": None, "created_at": _iso(at),
            "resolved_at": _iso(at + timedelta(minutes=40)), "incident_key": None, "assigned_to": ["PUSR1"],
            "team_ids": ["PTEAM1"], "log_entries": entries,
            "alerts": [{"id": f"PA{n:06d}", "summary": f"401 rate {n}", "status": "resolved", "severity": "warning",
                        "suppressed": False, "alert_key": f"k{n}", "created_at": _iso(at),
                        "resolved_at": _iso(at + timedelta(minutes=40)), "body": {"details": {"n": n}}}],
            "notes": notes,
        })
    return {
        "name": "pagerduty-bench",
        "github": {"users": [], "orgs": [], "repos": [], "pulls": []},
        "slack": {"team": {"id": "T1", "name": "Shop", "domain": "shop"}, "users": [], "channels": [],
                  "messages": []},
        "pagerduty": {
            "users": [{"id": "PUSR1", "name": "Ana", "email": "ana@shop.example", "time_zone": "UTC", "role": "user"}],
            "teams": [{"id": "PTEAM1", "name": "Search"}],
            "escalation_policies": [{"id": "PEP1", "name": "Search", "team_ids": ["PTEAM1"], "user_ids": ["PUSR1"]}],
            "services": [{"id": "PSVC1", "name": "search-api", "description": "", "status": "active",
                          "escalation_policy": "PEP1", "team_ids": ["PTEAM1"], "created_at": "2020-01-01T00:00:00Z"}],
            "incidents": incidents,
            "change_events": [],
        },
        "edits": [],
    }


def measure(n_incidents: int, days: int, rate_per_min: int) -> list[Row]:
    """A full ingest of a generated window of `n_incidents`, then a nightly run that finds nothing new."""
    world = build_world(n_incidents, days)
    incidents = world["pagerduty"]["incidents"]
    n_entries = sum(len(i["log_entries"]) for i in incidents)
    n_notes_incidents = sum(1 for i in incidents if i["notes"])  # each also gets an annotate log entry
    n_entries += n_notes_incidents
    bound = math.ceil(n_incidents / 100) + math.ceil(n_entries / 100) + n_incidents
    since, until = START - timedelta(days=1), START + timedelta(days=days + 1)
    rows: list[Row] = []
    # The real limit (960/min) would make this a 12-minute wait; --rate-per-min 960 shows it.
    knobs = Knobs(pagerduty_rate_per_min=rate_per_min)
    with start(world, knobs) as sandbox, sqlite_engine() as engine:
        env = sandbox.env()
        api = make_client(env["PAGERDUTY_API_TOKEN"], env["PAGERDUTY_API_URL"], env["LOOKBACK_CA_BUNDLE"])
        state = RunState()
        began = time.monotonic()
        with Session(engine) as session, session.begin():
            records = 0

            def counted() -> Any:
                nonlocal records
                for item in iter_pagerduty_records(api, Selection(), since, until, state):
                    records += 1
                    yield item

            store_records(session, pagerduty_spec(), counted())
        seconds = time.monotonic() - began
        # Nothing dropped at the offset cap: every incident, log entry and alert of the world is stored.
        with engine.connect() as conn:
            stored = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                      for t in ("pd_incident", "pd_log_entry", "pd_alert")}
        wanted = {"pd_incident": n_incidents, "pd_log_entry": n_entries, "pd_alert": n_incidents}
        if stored != wanted:
            raise AssertionError(f"PagerDuty window not stored completely: {stored} != {wanted}")
        calls = sandbox.stats()["apis"]["pagerduty"]["endpoints"]
        total = sum(calls.values())
        fixed = 4 + calls.get("GET /change_events", 0)
        notes = calls.get("GET /incidents/{id}/notes", 0)
        rows.append(Row(f"PagerDuty calls, window over {n_incidents} incidents ({n_entries} log entries)", total,
                        "calls", bound, "ceil(N/100)+ceil(M/100)+N alerts", total / bound,
                        f"ratio = figure / bound (goal <= 1.05); {notes} notes calls + {fixed} fixed included; "
                        f"log_entries pages {calls.get('GET /log_entries', 0)}; cap continuations {state.splits}; "
                        f"{records / seconds:.0f} records/s (fetch+map+store, SQLite); all {n_incidents} incidents, "
                        f"{n_entries} log entries and {n_incidents} alerts stored"))
        rows.append(Row("PagerDuty calls, same window without notes and fixed calls", total - notes - fixed, "calls",
                        bound, "same bound", (total - notes - fixed) / bound, "ratio = figure / bound (goal <= 1)"))
        sandbox.reset_stats()
        quiet = list(iter_pagerduty_records(api, Selection(reference=False), until - timedelta(minutes=15),
                                            until + timedelta(hours=1)))
        nightly = sum(sandbox.stats()["apis"]["pagerduty"]["endpoints"].values())
        rows.append(Row("PagerDuty calls, nightly with nothing new", nightly, "calls", 2,
                        "1 log_entries + 1 change_events", nightly / 2,
                        f"ratio = figure / bound (goal <= 1); {len(quiet) - 1} records"))
    return rows


def run(quick: bool = False) -> list[Row]:
    """The suite's entry: over 10,000 incidents in one window (the offset cap is crossed), or 1,500 when quick."""
    return measure(1_500 if quick else 10_500, 60, 10_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_500)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--rate-per-min", type=int, default=10_000_000)
    args = parser.parse_args()
    for row in measure(args.incidents, args.days, args.rate_per_min):
        ratio = "-" if row.ratio is None else f"{row.ratio:.3f}"
        print(f"{row.what:70s} {row.figure:>10} {row.unit:6s} bound {row.bound!s:>8} ratio {ratio}  {row.note}")


if __name__ == "__main__":
    main()
