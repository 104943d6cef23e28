"""Read side of correlation: ranked evidence, storylines, explanations and investigator labels.

Every value from the command line reaches SQL as a bound parameter. Functions take the session
first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, text
from sqlalchemy.orm import Session

from models.base import JSONText, UTCDateTime, dump_json

ROLES = ("trigger", "detection_weakened", "contributor", "early_signal", "customer_report", "response", "fix", "context")
VERDICTS = ("relevant", "irrelevant", *ROLES)

_UTC = UTCDateTime()
_JSON = JSONText()


class UnknownIncident(LookupError):
    """No PagerDuty incident with that id or number is in the warehouse."""


class UnknownItem(LookupError):
    """No evidence item of that incident matches the given native id or rank."""


def _time(session: Session, value: Any) -> datetime | None:
    return _UTC.process_result_value(value, session.get_bind().dialect)


def _json(session: Session, value: Any) -> Any:
    return _JSON.process_result_value(value, session.get_bind().dialect)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the contract's time format."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_incident(session: Session, incident: str) -> RowMapping | None:
    """The `pd_incident` row for a PagerDuty incident id or number (as typed on the command line)."""
    incident = str(incident).strip()
    row = session.execute(text("SELECT * FROM pd_incident WHERE id = :i"), {"i": incident}).mappings().first()
    if row is None and incident.lstrip("#").isdigit() and len(incident) < 19:
        row = session.execute(
            text("SELECT * FROM pd_incident WHERE incident_number = :n"), {"n": int(incident.lstrip("#"))}
        ).mappings().first()
    return row


def incident_id_of(session: Session, incident: str) -> str:
    """The PagerDuty id of an incident given by id or number (or of a stored investigation)."""
    row = resolve_incident(session, incident)
    if row is not None:
        return str(row["id"])
    # An investigation can outlive the incident row (pruned history): accept its id as well.
    found = session.execute(
        text("SELECT incident_id FROM investigation WHERE incident_id = :i"), {"i": str(incident)}
    ).scalar()
    if found is None:
        raise UnknownIncident(f"no PagerDuty incident {incident!r} in the warehouse; run `lookback backfill` first")
    return str(found)


_ITEMS_SQL = """
SELECT l.rank, l.score, l.role, l.reasons, l.group_key, l.label, l.breakdown, l.evidence_id,
       e.source, e.kind, e.url, e.native_id, e.occurred_at, e.title, e.actor, e.actor_name,
       e.container, e.container_name, e.parent_native_id
FROM evidence_link l JOIN evidence e ON e.id = l.evidence_id
WHERE l.incident_id = :incident {filters}
ORDER BY l.rank
{limit}
"""


def _item(session: Session, row: RowMapping) -> dict[str, Any]:
    return {
        "rank": int(row["rank"]),
        "score": round(float(row["score"]), 4),
        "source": row["source"],
        "kind": row["kind"],
        "url": row["url"],
        "native_id": row["native_id"],
        "occurred_at": iso(_time(session, row["occurred_at"])),
        "title": row["title"],
        "role": row["role"],
        "reasons": list(_json(session, row["reasons"]) or []),
        "group": row["group_key"],
        "label": row["label"],
        "actor": row["actor_name"] or row["actor"],
        "container": row["container_name"] or row["container"],
    }


def evidence_items(
    session: Session, incident: str, *, limit: int | None = None, role: str | None = None, source: str | None = None
) -> list[dict[str, Any]]:
    """The ranked evidence of an incident in the stable JSON contract (issue 9), best first."""
    incident_id = incident_id_of(session, incident)
    params: dict[str, Any] = {"incident": incident_id}
    filters = ""
    if role:
        filters += " AND l.role = :role"
        params["role"] = role
    if source:
        filters += " AND e.source = :source"
        params["source"] = source
    limit_sql = ""
    if limit is not None:
        limit_sql = "LIMIT :limit"
        params["limit"] = max(int(limit), 0)
    sql = _ITEMS_SQL.format(filters=filters, limit=limit_sql)
    return [_item(session, row) for row in session.execute(text(sql), params).mappings()]


def groups(session: Session, incident: str) -> list[dict[str, Any]]:
    """The storylines of an incident, best first, each with its members' native ids in rank order."""
    incident_id = incident_id_of(session, incident)
    rows = session.execute(
        text("SELECT group_key, title, summary, rank, first_at, last_at FROM evidence_group "
             "WHERE incident_id = :i ORDER BY rank"),
        {"i": incident_id},
    ).mappings().all()
    members: dict[str, list[dict[str, Any]]] = {}
    for m in session.execute(
        text("SELECT l.group_key, l.rank, l.role, e.native_id, e.source FROM evidence_link l "
             "JOIN evidence e ON e.id = l.evidence_id WHERE l.incident_id = :i AND l.group_key IS NOT NULL "
             "ORDER BY l.rank"),
        {"i": incident_id},
    ).mappings():
        members.setdefault(m["group_key"], []).append(
            {"rank": m["rank"], "native_id": m["native_id"], "source": m["source"], "role": m["role"]})
    return [
        {
            "key": r["group_key"],
            "title": r["title"],
            "summary": r["summary"],
            "rank": int(r["rank"]),
            "first_at": iso(_time(session, r["first_at"])),
            "last_at": iso(_time(session, r["last_at"])),
            "members": members.get(r["group_key"], []),
        }
        for r in rows
    ]


def _find_item(session: Session, incident_id: str, item: str) -> RowMapping:
    item = str(item).strip()
    params = {"incident": incident_id, "item": item}
    row = session.execute(
        text(_ITEMS_SQL.format(filters="AND (e.native_id = :item OR e.url = :item)", limit="LIMIT 1")), params
    ).mappings().first()
    if row is None and item.isdigit() and len(item) < 10:
        row = session.execute(
            text(_ITEMS_SQL.format(filters="AND l.rank = :rank", limit="LIMIT 1")),
            {"incident": incident_id, "rank": int(item)},
        ).mappings().first()
    if row is None:
        raise UnknownItem(f"no evidence item {item!r} for incident {incident_id}: give a native id or a rank")
    return row


def explain(session: Session, incident: str, item: str) -> dict[str, Any]:
    """The full score breakdown of one item (native id, url or rank): each signal's value and contribution."""
    incident_id = incident_id_of(session, incident)
    row = _find_item(session, incident_id, item)
    out = _item(session, row)
    out["incident_id"] = incident_id
    out["breakdown"] = _json(session, row["breakdown"]) or {}
    return out


def apply_label(base_score: float, base_role: str, base_reasons: list[str], label: str | None,
                floor: float) -> tuple[float, str, list[str]]:
    """Score, role and reasons after an investigator's verdict (used by correlation and by `label`)."""
    if not label:
        return base_score, base_role, list(base_reasons)
    if label == "irrelevant":
        return round(min(floor, 0.0) - 1.0, 4), base_role, [*base_reasons, "investigator marked it irrelevant: dropped to the bottom"]
    if label == "relevant":
        return round(base_score + 1.0, 4), base_role, [*base_reasons, "investigator marked it relevant (+1.0)"]
    return round(base_score + 0.5, 4), label, [*base_reasons, f"investigator set the role to {label} (+0.5)"]


def rerank(session: Session, incident_id: str) -> int:
    """Re-apply labels to stored links and renumber ranks; returns the links changed."""
    rows = session.execute(
        text("SELECT evidence_id, score, role, reasons, breakdown, label, rank FROM evidence_link WHERE incident_id = :i"),
        {"i": incident_id},
    ).mappings().all()
    if not rows:
        return 0
    base = []
    for r in rows:
        bd = _json(session, r["breakdown"]) or {}
        base.append((r, float(bd.get("base_score", r["score"])), bd.get("base_role", r["role"]),
                     list(bd.get("base_reasons", _json(session, r["reasons"]) or []))))
    floor = min(b[1] for b in base)
    scored = []
    for r, score, role, reasons in base:
        s, ro, re_ = apply_label(score, role, reasons, r["label"], floor)
        scored.append((r, s, ro, re_))
    scored.sort(key=lambda x: (-x[1], int(x[0]["rank"])))
    changed = 0
    update = text(
        "UPDATE evidence_link SET rank = :rank, score = :score, role = :role, reasons = :reasons "
        "WHERE incident_id = :i AND evidence_id = :e"
    ).bindparams(bindparam("reasons", type_=JSONText()))
    for rank, (r, s, ro, re_) in enumerate(scored, start=1):
        if rank != r["rank"] or abs(s - float(r["score"])) > 1e-9 or ro != r["role"] or re_ != (_json(session, r["reasons"]) or []):
            session.execute(update, {"rank": rank, "score": s, "role": ro, "reasons": re_, "i": incident_id,
                                     "e": r["evidence_id"]})
            changed += 1
    return changed


def label(session: Session, incident: str, item: str, verdict: str) -> dict[str, Any]:
    """Store an investigator's verdict (relevant, irrelevant or a role) on one item and re-rank."""
    verdict = str(verdict).strip().lower()
    if verdict not in VERDICTS:
        raise ValueError(f"verdict {verdict!r}: choose one of {', '.join(VERDICTS)}")
    incident_id = incident_id_of(session, incident)
    row = _find_item(session, incident_id, item)
    session.execute(
        text("UPDATE evidence_link SET label = :label, labeled_at = :at WHERE incident_id = :i AND evidence_id = :e")
        .bindparams(bindparam("at", type_=UTCDateTime())),
        {"label": verdict, "at": datetime.now(UTC), "i": incident_id, "e": row["evidence_id"]},
    )
    rerank(session, incident_id)
    return explain(session, incident_id, row["native_id"])


__all__ = ["ROLES", "VERDICTS", "UnknownIncident", "UnknownItem", "apply_label", "dump_json", "evidence_items",
           "explain", "groups", "incident_id_of", "iso", "label", "rerank", "resolve_incident"]
