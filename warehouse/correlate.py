"""The correlation engine: rank the evidence of the weeks before an incident, with roles, reasons and storylines.

`correlate(session, incident)` resolves the PagerDuty incident, estimates impact start, fixes the
window, gathers candidates with indexed SQL (time window, full-text, service, references), scores them
in Python with every signal below and stores `investigation`, `evidence_link` and `evidence_group`
rows with idempotent upserts. It never commits: the caller owns the transaction.

Modules: `context` (incident, chat, query, impact start), `affinity`, `candidates` (SQL retrieval),
`scoring` (signals, reasons, roles; weights in `item.WEIGHTS`), `storylines` (ranking, groups).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warehouse.affinity import Affinity, channel_affinity, repo_affinity
from warehouse.candidates import gather
from warehouse.context import IncidentContext, build_query, estimate_impact_start, find_chat, load_context
from warehouse.db import refresh_statistics
from warehouse.item import WEIGHTS
from warehouse.load import upsert
from warehouse.queries import UnknownIncident, resolve_incident
from warehouse.scoring import Scorer
from warehouse.sqlutil import chunks, rows
from warehouse.storylines import Ranked, finish, storylines

DEFAULT_LOOKBACK = timedelta(weeks=6)
AFTER_RESOLUTION = timedelta(days=2)


@dataclass
class CorrelationResult:
    """What one correlation run decided and stored."""

    incident_id: str
    incident_number: int | None
    title: str | None
    impact_start: datetime
    impact_start_source: str
    window_start: datetime
    window_end: datetime
    items: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    written: dict[str, int]


def correlate(
    session: Session,
    incident: str,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    impact_start: datetime | None = None,
    repo_hints: Sequence[str] = (),
    channel_hints: Sequence[str] = (),
    service_map: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    now: datetime | None = None,
) -> CorrelationResult:
    """Rank the evidence of one incident and store it (investigation, evidence_link, evidence_group).

    ``incident`` is a PagerDuty incident id or number. ``impact_start`` overrides the estimate.
    ``repo_hints``/``channel_hints`` are repos and channels that settings map to the service;
    ``service_map`` (service name or id -> ``{"repos": [...], "channels": [...]}``) supplies more.
    """
    refresh_statistics(session, only_if_missing=True)
    found = resolve_incident(session, incident)
    if found is None:
        raise UnknownIncident(f"no PagerDuty incident {incident!r} in the warehouse; run `lookback backfill` first")
    inc = rows(session, "SELECT * FROM pd_incident WHERE id = :i", {"i": found["id"]},
               times=("created_at", "resolved_at", "acknowledged_at", "last_status_change_at"),
               jsons=("team_ids", "assigned_user_ids"))[0]
    ctx = load_context(session, inc)
    find_chat(session, ctx)
    build_query(ctx)
    estimate, est_source, est_detail = estimate_impact_start(session, ctx)
    if impact_start is not None:
        if impact_start.tzinfo is None:
            raise ValueError("impact_start must be timezone-aware (UTC)")
        impact, source, ctx.first_sign = impact_start.astimezone(UTC), "override", None
    else:
        impact, source = estimate, est_source
    window_start = impact - lookback
    window_end = (ctx.resolved_at or now or datetime.now(UTC)) + AFTER_RESOLUTION
    if ctx.resolved_at is None:
        window_end = max(window_end, ctx.page_at + AFTER_RESOLUTION)

    hint = _service_hint(service_map or {}, ctx.service)
    repo_hints = [*repo_hints, *hint.get("repos", ())]
    channel_hints = [*channel_hints, *_channel_ids(session, hint.get("channels", ()))]
    repo_aff = repo_affinity(session, ctx, window_start, window_end, repo_hints)
    labels = {int(r["evidence_id"]): r["label"] for r in rows(
        session, "SELECT evidence_id, label FROM evidence_link WHERE incident_id = :i AND label IS NOT NULL",
        {"i": ctx.incident_id})}
    items = gather(session, ctx, window_start, window_end, repo_aff, labels)
    chan_aff = channel_affinity(ctx, [it.row for it in items.values() if it.row["source"] == "slack"], channel_hints)
    scorer = Scorer(session, ctx, impact, window_start, window_end, repo_aff, chan_aff, items)
    scorer.run()
    ranked = finish(scorer, labels)
    groups = storylines(scorer, ranked)
    written = _store(session, ctx, impact, source, window_start, window_end, lookback, est_detail, repo_aff,
                     ranked, groups, now)
    return CorrelationResult(
        incident_id=ctx.incident_id, incident_number=inc.get("incident_number"), title=inc.get("title"),
        impact_start=impact, impact_start_source=source, window_start=window_start, window_end=window_end,
        items=[{"rank": r, "native_id": it.nid, "score": s, "role": role, "reasons": reasons, "group": it.group}
               for r, (it, s, role, reasons) in enumerate(ranked, start=1)],
        groups=groups, written=written,
    )


def _store(session: Session, ctx: IncidentContext, impact: datetime, source: str, start: datetime, end: datetime,
           lookback: timedelta, est_detail: dict[str, Any], repo_aff: Affinity, ranked: Ranked,
           groups: list[dict[str, Any]], now: datetime | None) -> dict[str, int]:
    """Upsert links and groups (labels untouched), delete stale ones, then the investigation row."""
    iid = ctx.incident_id
    written: Counter[str] = Counter()
    links = []
    for rank, (it, score, role, reasons) in enumerate(ranked, start=1):
        breakdown = {"signals": dict(sorted(it.signals.items())), "values": dict(sorted(it.values.items())),
                     "base_score": it.score, "base_role": it.role, "base_reasons": it.reasons,
                     "found_by": sorted(it.found_by), "at": it.at.isoformat()}
        links.append({"incident_id": iid, "evidence_id": it.id, "rank": rank, "score": round(score, 4), "role": role,
                      "reasons": reasons, "breakdown": breakdown, "group_key": it.group})
    keep = {lk["evidence_id"] for lk in links}
    old = {int(r["evidence_id"]) for r in rows(session, "SELECT evidence_id FROM evidence_link WHERE incident_id = :i", {"i": iid})}
    stale = sorted(old - keep)
    for batch in chunks(stale):
        rows_deleted = session.execute(_delete_links_stmt(), {"i": iid, "ids": batch}).rowcount  # type: ignore[attr-defined]
        written["evidence_link_deleted"] += max(rows_deleted or 0, 0)
    written["evidence_link"] += upsert(session, "evidence_link", links)
    old_groups = {r["group_key"] for r in rows(session, "SELECT group_key FROM evidence_group WHERE incident_id = :i", {"i": iid})}
    stale_groups = sorted(old_groups - {g["group_key"] for g in groups})
    for batch in chunks(stale_groups):
        result = session.execute(_delete_groups_stmt(), {"i": iid, "k": batch})
        written["evidence_group_deleted"] += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    written["evidence_group"] += upsert(session, "evidence_group", groups)
    summary = {"impact_start": est_detail, "service": ctx.service, "chat_channels": sorted(ctx.chat_channels),
               "repo_affinity": {k: list(v) for k, v in sorted(repo_aff.items())},
               "query_terms": sorted(ctx.query, key=lambda t: (-ctx.query[t], t))[:30], "weights": WEIGHTS}
    inv = {"incident_id": iid, "incident_number": ctx.incident.get("incident_number"), "title": ctx.incident.get("title"),
           "impact_start": impact, "impact_start_source": source, "detected_at": ctx.page_at,
           "resolved_at": ctx.resolved_at, "window_start": start, "window_end": end,
           "lookback_seconds": int(lookback.total_seconds()), "summary": _jsonable(summary)}
    changed = upsert(session, "investigation", [inv])
    if changed or sum(written.values()):
        upsert(session, "investigation", [{"incident_id": iid, "correlated_at": now or datetime.now(UTC)}])
    written["investigation"] += changed
    return dict(written)


def _service_hint(service_map: Mapping[str, Mapping[str, Sequence[str]]],
                  service: Mapping[str, Any] | None) -> Mapping[str, Sequence[str]]:
    if not service:
        return {}
    return service_map.get(str(service.get("name"))) or service_map.get(str(service.get("id"))) or {}


def _channel_ids(session: Session, channels: Sequence[str]) -> list[str]:
    """Slack channel ids for ids or names (with or without '#') given in settings."""
    wanted = {c.lstrip("#") for c in channels}
    if not wanted:
        return []
    return [r["id"] for r in rows(session, "SELECT id, name FROM slack_channel") if r["id"] in wanted or r["name"] in wanted]


def _delete_links_stmt() -> Any:
    from sqlalchemy import bindparam, text

    return text("DELETE FROM evidence_link WHERE incident_id = :i AND evidence_id IN :ids").bindparams(
        bindparam("ids", expanding=True))


def _delete_groups_stmt() -> Any:
    from sqlalchemy import bindparam, text

    return text("DELETE FROM evidence_group WHERE incident_id = :i AND group_key IN :k").bindparams(
        bindparam("k", expanding=True))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
