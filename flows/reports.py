"""Reports written by the flows: after a backfill, and by the nightly run for investigations still open.

The report is a by-product: a failure to write it is logged and reported, never a failed ingestion.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lookback.redact import redact
from lookback.settings import Settings

log = logging.getLogger(__name__)


def publish_report(settings: Settings, engine: Engine, incident: str, number: Any) -> Path | None:
    """Write the incident's report under the reports folder; its index.html, or None when it failed."""
    from lookback.report import write_report

    out = settings.reports_dir() / str(number or incident)
    try:
        with Session(engine) as session:
            return write_report(session, incident, out).html
    except Exception as exc:  # noqa: BLE001 - the evidence is stored; only the rendering failed
        log.warning("could not write the report of incident %s to %s: %s", incident, out, redact(str(exc)))
        return None


def refresh_open_investigations(settings: Settings, engine: Engine, now: datetime | None = None) -> list[dict[str, Any]]:
    """Re-correlate every investigation whose window is still open (unresolved, or resolved under two days
    ago) with what the nightly run stored, and rewrite its report. No API call is made."""
    from warehouse.correlate import correlate
    from warehouse.sqlutil import rows

    now = now or datetime.now(UTC)
    out = []
    with Session(engine) as session:
        open_ones = rows(session, "SELECT incident_id, incident_number, impact_start, impact_start_source, lookback_seconds "
                         "FROM investigation WHERE window_end >= :now", {"now": now}, times=("impact_start",))
    for inv in open_ones:
        override = inv["impact_start"] if inv["impact_start_source"] == "override" else None
        lookback = timedelta(seconds=inv["lookback_seconds"]) if inv["lookback_seconds"] else settings.lookback
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                result = correlate(session, inv["incident_id"], lookback=lookback, impact_start=override,
                                   service_map=settings.services)
        except Exception as exc:  # noqa: BLE001 - one investigation must not fail the nightly ingestion
            log.warning("could not re-correlate incident %s: %s", inv["incident_id"], redact(str(exc)))
            continue
        report = publish_report(settings, engine, inv["incident_id"], inv["incident_number"])
        out.append({"incident": inv["incident_id"], "incident_number": inv["incident_number"], "top": result.items[:5],
                    "report": str(report) if report else None})
    return out


def top_markdown(top: list[dict[str, Any]], report: Path | str | None) -> list[str]:
    """The artifact lines of one investigation: its best evidence and where its report is."""
    lines = [f"{i['rank']}. `{i['native_id']}` ({i['role']}, {i['score']:.2f})" for i in top]
    lines.append(f"\nReport: `{report}`" if report else "\nReport: not written (see the run's log)")
    return lines
