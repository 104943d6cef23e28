"""What an investigator's report shows, read from the warehouse: the incident, its window, the ranked
evidence (without items marked irrelevant), storylines, responders, the pages of the affected service
and the difficulties of the response. Read-only SQL; the renderer in `lookback.report` turns it into HTML.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warehouse.queries import evidence_items, groups, incident_id_of
from warehouse.signals import is_paging_action
from warehouse.sqlutil import chunks, rows

# A hypothesis dropped during the response: what a review calls a red herring.
_RULED_OUT = re.compile(
    r"\b(red herring|rul(?:e|ed|ing) (?:it |that |this )?out|false alarm|dead end|not (?:the|it|related)\b|"
    r"unrelated|isn'?t (?:it|the cause)|(?:is|looks|are) (?:healthy|fine|normal))", re.I)
_FOLLOW_UP = re.compile(r"\b(follow[- ]?up|action item|todo|we should|let'?s make sure|post-?mortem)\b", re.I)

MAX_ITEMS = 200


def report_facts(session: Session, incident: str) -> dict[str, Any]:
    """Everything the report needs about one correlated incident, as plain values (times are aware UTC)."""
    iid = incident_id_of(session, incident)
    inv_rows = rows(session, "SELECT * FROM investigation WHERE incident_id = :i", {"i": iid},
                    times=("impact_start", "detected_at", "resolved_at", "window_start", "window_end", "correlated_at"),
                    jsons=("summary",))
    if not inv_rows:
        from warehouse.queries import UnknownIncident

        raise UnknownIncident(f"incident {incident!r} is not correlated yet; run `lookback backfill {incident}` first")
    inv = inv_rows[0]
    inc = (rows(session, "SELECT p.*, s.name AS service_name, s.html_url AS service_url FROM pd_incident p "
                "LEFT JOIN pd_service s ON s.id = p.service_id WHERE p.id = :i", {"i": iid},
                times=("created_at", "acknowledged_at", "resolved_at")) or [{}])[0]
    items = [it for it in evidence_items(session, iid, limit=MAX_ITEMS) if it["label"] != "irrelevant"]
    dropped = {r["native_id"] for r in rows(session, "SELECT e.native_id FROM evidence_link l JOIN evidence e "
                                             "ON e.id = l.evidence_id WHERE l.incident_id = :i AND l.label = 'irrelevant'",
                                             {"i": iid})}
    _attach_text(session, iid, items)
    summary = inv.get("summary") or {}
    chat_channels = list(summary.get("chat_channels") or [])
    page_at = inv["detected_at"] or inc.get("created_at")
    end = inv["resolved_at"] or (page_at + timedelta(hours=4) if page_at else None)
    chat = incident_chat(session, chat_channels, page_at, end and end + timedelta(days=2), dropped)
    return {
        "incident": inc,
        "investigation": inv,
        "items": items,
        "groups": [g for g in groups(session, iid) if any(m["native_id"] in {i["native_id"] for i in items}
                                                          for m in g["members"])],
        "responders": responders(session, iid, chat_channels, page_at, end),
        "pages": service_pages(session, inc.get("service_id"), inv["window_start"], inv["window_end"], iid),
        "manual_pages": manual_pages(session, iid, items),
        "acknowledged": next(iter(rows(session, "SELECT l.created_at AS at, u.name FROM pd_log_entry l LEFT JOIN pd_user u "
                                       "ON u.id = l.agent_id WHERE l.incident_id = :i AND l.type = 'acknowledge_log_entry' "
                                       "ORDER BY l.created_at LIMIT 1", {"i": iid}, times=("at",))), None),
        "ruled_out": [m for m in chat if m["occurred_at"] <= end and _RULED_OUT.search(m["text"])][:20],
        "follow_ups": [m for m in chat if _FOLLOW_UP.search(m["text"])][:20],
        "slack_names": slack_names(session),
        "slack_channels": {r["id"]: r["name"] for r in rows(session, "SELECT id, name FROM slack_channel")},
    }


def _attach_text(session: Session, iid: str, items: list[dict[str, Any]]) -> None:
    """The full text of each item (for mrkdwn rendering) next to its contract fields."""
    by_key = {(it["source"], it["native_id"]): it for it in items}
    for r in rows(session, "SELECT e.source, e.native_id, e.text FROM evidence_link l JOIN evidence e "
                  "ON e.id = l.evidence_id WHERE l.incident_id = :i AND l.rank <= :n", {"i": iid, "n": MAX_ITEMS}):
        it = by_key.get((r["source"], r["native_id"]))
        if it is not None:
            it["text"] = r["text"]


def responders(session: Session, iid: str, chat_channels: list[str], start: datetime | None,
               end: datetime | None) -> list[dict[str, Any]]:
    """Who took part: paged, acknowledged, wrote notes (PagerDuty) and spoke in the incident's chat (Slack).

    One line per person: accounts joined across sources (by email or settings) count once.
    """
    people: dict[str, dict[str, Any]] = {}
    person = {(r["source"], r["native_id"]): (r["person_key"], r["name"]) for r in rows(
        session, "SELECT a.source, a.native_id, a.person_key, coalesce(p.display_name, a.display_name) AS name "
        "FROM account a LEFT JOIN person p ON p.key = a.person_key WHERE a.person_key IS NOT NULL")}

    def add(source: str, native_id: str | None, name: str | None, what: str, at: datetime | None) -> None:
        key, known = person.get((source, str(native_id)), (None, None))
        name = known or name
        if not name:
            return
        p = people.setdefault(key or f"{source}:{native_id}", {"name": name, "did": [], "first_at": at})
        if what not in p["did"]:
            p["did"].append(what)
        if at and (p["first_at"] is None or at < p["first_at"]):
            p["first_at"] = at

    bots = {r["native_id"] for r in rows(session, "SELECT native_id FROM account WHERE source = 'slack' AND is_bot")}
    names = {r["id"]: r["name"] for r in rows(session, "SELECT id, name FROM pd_user")}
    verbs = {"notify_log_entry": "paged", "acknowledge_log_entry": "acknowledged", "annotate_log_entry": "wrote a note",
             "resolve_log_entry": "resolved", "trigger_log_entry": "triggered the incident",
             "escalate_log_entry": "escalated", "assign_log_entry": "assigned"}
    for le in rows(session, "SELECT type, created_at, agent_type, agent_id, user_id, channel_type FROM pd_log_entry "
                   "WHERE incident_id = :i ORDER BY created_at", {"i": iid}, times=("created_at",)):
        verb = verbs.get(le["type"])
        if verb is None:
            continue
        who = le["user_id"] if le["type"] == "notify_log_entry" else le["agent_id"]
        if le["type"] != "notify_log_entry" and le["agent_type"] not in (None, "user_reference", "user"):
            continue
        how = f" by {le['channel_type']}" if le["type"] == "notify_log_entry" and le["channel_type"] else ""
        add("pagerduty", who, names.get(who), f"{verb}{how}", le["created_at"])
    if chat_channels and start and end:
        for r in rows(session, "SELECT actor, actor_name, container_name, count(*) AS n, min(occurred_at) AS first_at "
                      "FROM evidence WHERE source = 'slack' AND container IN :c AND occurred_at >= :a "
                      "AND occurred_at <= :b AND actor IS NOT NULL GROUP BY actor, actor_name, container_name",
                      {"c": chat_channels, "a": start - timedelta(hours=1), "b": end + timedelta(hours=2)},
                      times=("first_at",)):
            if r["actor"] not in bots and r["actor_name"]:
                add("slack", r["actor"], r["actor_name"], f"{r['n']} message(s) in {r['container_name']}", r["first_at"])
    return sorted(people.values(), key=lambda p: (p["first_at"] is None, p["first_at"] or datetime.max.replace(tzinfo=UTC)))


def service_pages(session: Session, service_id: str | None, start: datetime, end: datetime,
                  iid: str) -> list[dict[str, Any]]:
    """Every incident and unrouted alert of the affected service in the window, and whether it paged anyone.

    Drawn behind the evidence so that a run of noisy pages, and a silence after it, can be seen.
    """
    if not service_id:
        return []
    incs = rows(session, "SELECT id, incident_number, title, urgency, created_at, html_url FROM pd_incident "
                "WHERE service_id = :s AND created_at >= :a AND created_at <= :b ORDER BY created_at",
                {"s": service_id, "a": start, "b": end}, times=("created_at",))
    notified: set[str] = set()
    for batch in chunks([i["id"] for i in incs]):
        notified |= {r["incident_id"] for r in rows(
            session, "SELECT DISTINCT incident_id FROM pd_log_entry WHERE incident_id IN :ids "
            "AND type = 'notify_log_entry'", {"ids": batch})}
    out = [{"at": i["created_at"], "title": i["title"], "url": i["html_url"], "this": i["id"] == iid,
            "paged": i["id"] in notified and i["urgency"] != "low"} for i in incs]
    for a in rows(session, "SELECT summary, created_at, html_url FROM pd_alert WHERE service_id = :s "
                  "AND incident_id IS NULL AND created_at >= :a AND created_at <= :b",
                  {"s": service_id, "a": start, "b": end}, times=("created_at",)):
        out.append({"at": a["created_at"], "title": a["summary"], "url": a["html_url"], "this": False, "paged": False})
    return sorted(out, key=lambda p: p["at"])


def manual_pages(session: Session, iid: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The incident triggered by a person rather than a monitor, and chat about paging by hand."""
    out = []
    for le in rows(session, "SELECT l.created_at, l.summary, u.name FROM pd_log_entry l "
                   "LEFT JOIN pd_user u ON u.id = l.agent_id WHERE l.incident_id = :i AND l.type = 'trigger_log_entry' "
                   "AND l.agent_type IN ('user_reference', 'user')", {"i": iid}, times=("created_at",)):
        out.append({"at": le["created_at"], "text": le["summary"] or f"triggered by hand by {le['name']}",
                    "url": None, "source": "pagerduty"})
    for it in items:
        if it["source"] == "slack" and is_paging_action(it.get("text")):
            out.append({"at": it["occurred_at"], "text": it.get("text"), "url": it["url"], "source": "slack",
                        "who": it.get("actor"), "where": it.get("container")})
    return sorted(out, key=lambda m: str(m["at"]))


def incident_chat(session: Session, channels: list[str], start: datetime | None, end: datetime | None,
                  dropped: set[str]) -> list[dict[str, Any]]:
    """Messages of the incident's chat from just before the page to ``end``, without those marked irrelevant."""
    if not channels or not start or not end:
        return []
    found = rows(session, "SELECT native_id, occurred_at, actor_name, container_name, text, url FROM evidence "
                 "WHERE source = 'slack' AND container IN :c AND occurred_at >= :a AND occurred_at <= :b "
                 "ORDER BY occurred_at", {"c": channels, "a": start - timedelta(minutes=30), "b": end},
                 times=("occurred_at",))
    return [m for m in found if m["text"] and m["native_id"] not in dropped]


def slack_names(session: Session) -> dict[str, str]:
    """Slack user id -> the name people know them by, to resolve `<@U123>` mentions."""
    return {r["id"]: r["display_name"] or r["real_name"] or r["name"] or r["id"]
            for r in rows(session, "SELECT id, name, real_name, display_name FROM slack_user")}
