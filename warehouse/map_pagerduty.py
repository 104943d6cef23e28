"""Pure mappers from PagerDuty API dicts to warehouse rows: typed pd_* tables, evidence, references, accounts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from warehouse.refs import clean, text_refs

Batch = dict[str, list[dict[str, Any]]]

SOURCE = "pagerduty"
MAX_TEXT = 20_000
MAX_TITLE = 200
MAX_DETAILS = 4_000  # characters of an alert's or change event's JSON details kept in evidence text
MAX_JSON = 50_000  # a details blob larger than this is stored as a bounded excerpt
KINDS = ("service", "team", "escalation_policy", "user", "incident", "log_entry", "alert", "note", "change_event")

_SUMMARY_NUMBER = re.compile(r"^\[#(\d+)\]\s*")


# ---------------------------------------------------------------- helpers


def parse_time(value: Any) -> datetime | None:
    """PagerDuty times (`...Z` or `...-04:00`, the request's `time_zone`) as aware UTC datetimes."""
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _required_time(value: Any, what: str) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise ValueError(f"{what} has no time")
    return parsed


def _ref(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ref_id(value: Any) -> str | None:
    ref_id = _ref(value).get("id")
    return str(ref_id) if ref_id else None


def _ids(values: Any) -> list[str]:
    return [str(v["id"]) for v in values or [] if isinstance(v, dict) and v.get("id")]


def _kind(value: Any) -> str | None:
    kind = _ref(value).get("type")
    return str(kind).removesuffix("_reference") if kind else None


def _json_value(value: Any) -> Any:
    """JSON kept as is unless huge; then a bounded excerpt (the raw payload keeps the whole)."""
    if value in (None, {}, []):
        return value or None
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_JSON:
        return value
    return {"_truncated": clean(text, MAX_JSON)}


def _details_text(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return clean(text, MAX_DETAILS) or ""


def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)


def _title(*candidates: Any) -> str | None:
    for candidate in candidates:
        text = clean(candidate)
        if text and text.strip():
            return clean(text.strip().splitlines()[0], MAX_TITLE)
    return None


def incident_number(summary: Any) -> int | None:
    """The number in an incident summary such as `[#1042] Search is down`."""
    match = _SUMMARY_NUMBER.match(str(summary or ""))
    return int(match.group(1)) if match else None


def _refs(native_id: str, *texts: Any) -> list[dict[str, Any]]:
    text = _join(clean(t) for t in texts if t)
    return [{"from_source": SOURCE, "from_native_id": native_id, "ref_kind": kind, "target": target, "label": label}
            for kind, target, label in text_refs(text)]


def _reference_accounts(*refs: Any) -> list[dict[str, Any]]:
    """Accounts named by user references; no email key, so an email stored from /users is kept."""
    rows = []
    for ref in refs:
        if _kind(ref) == "user" and _ref_id(ref):
            rows.append({"source": SOURCE, "native_id": _ref_id(ref), "display_name": clean(_ref(ref).get("summary"))})
    return rows


def _with(batch: Batch, table: str, rows: list[dict[str, Any]]) -> Batch:
    if rows:
        batch.setdefault(table, []).extend(rows)
    return batch


def native_id(payload: dict[str, Any]) -> str:
    """The bare PagerDuty id (CONTRACTS §1)."""
    return str(payload["id"])


# ---------------------------------------------------------------- reference data


def map_service(payload: dict[str, Any]) -> Batch:
    row = {"id": native_id(payload), "name": clean(payload.get("name") or payload.get("summary")),
           "description": clean(payload.get("description")), "status": clean(payload.get("status")),
           "escalation_policy_id": _ref_id(payload.get("escalation_policy")),
           "team_ids": _ids(payload.get("teams")), "created_at": parse_time(payload.get("created_at")),
           "html_url": payload.get("html_url")}
    return {"pd_service": [row]}


def map_team(payload: dict[str, Any]) -> Batch:
    row = {"id": native_id(payload), "name": clean(payload.get("name") or payload.get("summary")),
           "html_url": payload.get("html_url")}
    return {"pd_team": [row]}


def map_escalation_policy(payload: dict[str, Any]) -> Batch:
    row = {"id": native_id(payload), "name": clean(payload.get("name") or payload.get("summary")),
           "team_ids": _ids(payload.get("teams")), "html_url": payload.get("html_url")}
    return {"pd_escalation_policy": [row]}


def map_user(payload: dict[str, Any]) -> Batch:
    """A user -> pd_user and account (the email is on the user itself)."""
    email = clean(payload.get("email")) or None
    name = clean(payload.get("name") or payload.get("summary"))
    user = {"id": native_id(payload), "name": name, "email": email, "time_zone": clean(payload.get("time_zone")),
            "role": clean(payload.get("role")), "html_url": payload.get("html_url")}
    account = {"source": SOURCE, "native_id": native_id(payload), "handle": email.split("@")[0] if email else None,
               "display_name": name, "email": email, "is_bot": False,
               "person_key": email.lower() if email else None}
    return {"pd_user": [user], "account": [account]}


# ---------------------------------------------------------------- evidence


def map_incident(payload: dict[str, Any]) -> Batch:
    """An incident -> pd_incident, evidence (kind `incident`) and references from its title and description."""
    nid = native_id(payload)
    created = _required_time(payload.get("created_at"), f"incident {nid}")
    number = payload.get("incident_number")
    if number is None:
        number = incident_number(payload.get("summary"))
    service = _ref(payload.get("service"))
    priority = payload.get("priority")
    priority_name = clean(priority.get("name") or priority.get("summary")) if isinstance(priority, dict) else clean(
        priority)
    assignees = [_ref(a.get("assignee")) for a in payload.get("assignments") or [] if isinstance(a, dict)]
    acks = [a for a in payload.get("acknowledgements") or [] if isinstance(a, dict)]
    acked = min((t for t in (parse_time(a.get("at")) for a in acks) if t), default=None)
    status = clean(payload.get("status"))
    resolved = parse_time(payload.get("resolved_at"))
    row: dict[str, Any] = {
        "id": nid, "incident_number": int(number) if number is not None else None,
        "title": clean(payload.get("title")), "description": clean(payload.get("description")),
        "status": status, "urgency": clean(payload.get("urgency")), "priority": priority_name,
        "service_id": _ref_id(service), "escalation_policy_id": _ref_id(payload.get("escalation_policy")),
        "team_ids": _ids(payload.get("teams")), "assigned_user_ids": _ids(assignees),
        "incident_key": clean(payload.get("incident_key")), "created_at": created,
        "acknowledged_at": acked, "resolved_at": resolved,
        "last_status_change_at": parse_time(payload.get("last_status_change_at")),
        "html_url": payload.get("html_url"),
    }
    if row["incident_number"] is None:
        raise ValueError(f"incident {nid} has no incident_number")
    title = clean(payload.get("title")) or _SUMMARY_NUMBER.sub("", clean(payload.get("summary")) or "")
    description = clean(payload.get("description"))
    people = ", ".join(clean(a.get("summary") or a.get("name") or a.get("id")) or "" for a in assignees)
    text = _join([
        f"[#{row['incident_number']}] {title}",
        description if description and description != title else None,
        f"status: {status}; urgency: {row['urgency']}" + (f"; priority: {priority_name}" if priority_name else ""),
        f"service: {service.get('summary') or service.get('name')}" if service else None,
        f"escalation policy: {_ref(payload.get('escalation_policy')).get('summary')}"
        if payload.get("escalation_policy") else None,
        f"assigned to: {people}" if people else None,
        f"incident key: {row['incident_key']}" if row["incident_key"] else None,
    ])
    attributes: dict[str, Any] = {"incident_number": row["incident_number"], "status": status,
                                  "urgency": row["urgency"]}
    if priority_name:
        attributes["priority"] = priority_name
    if resolved:
        attributes["resolved_at"] = resolved.isoformat()
    if acked:
        attributes["acknowledged_at"] = acked.isoformat()
    counts = payload.get("alert_counts")
    if isinstance(counts, dict):
        attributes["alert_counts"] = counts
    evidence = {
        "source": SOURCE, "kind": "incident", "native_id": nid, "occurred_at": created,
        "title": _title(title, payload.get("summary")), "text": clean(text, MAX_TEXT), "url": payload.get("html_url"),
        "actor": None, "actor_name": None, "container": _ref_id(service),
        "container_name": clean(service.get("summary") or service.get("name")), "parent_native_id": None,
        "attributes": attributes,
    }
    batch: Batch = {"pd_incident": [row], "evidence": [evidence]}
    _with(batch, "evidence_ref", _refs(nid, title, description))
    return _with(batch, "account", _reference_accounts(*assignees, payload.get("last_status_change_by")))


def _incident_url(payload: dict[str, Any]) -> str | None:
    incident = _ref(payload.get("incident"))
    return incident.get("html_url") or None


def map_log_entry(payload: dict[str, Any]) -> Batch:
    """A log entry of any type -> pd_log_entry and evidence (who was paged when, acks, escalations, notes)."""
    nid = native_id(payload)
    kind = clean(payload.get("type")) or "log_entry"
    created = _required_time(payload.get("created_at"), f"log entry {nid}")
    agent, channel = _ref(payload.get("agent")), _ref(payload.get("channel"))
    incident, service = _ref(payload.get("incident")), _ref(payload.get("service"))
    notification = _ref(payload.get("notification")) or _ref(channel.get("notification"))
    user = _ref(payload.get("user")) or _ref(channel.get("user"))
    row: dict[str, Any] = {
        "id": nid, "incident_id": _ref_id(incident), "type": kind, "created_at": created,
        "summary": clean(payload.get("summary")), "agent_type": clean(agent.get("type")),
        "agent_id": _ref_id(agent), "channel_type": clean(channel.get("type")),
        "user_id": _ref_id(user), "notification_type": clean(notification.get("type")),
        "service_id": _ref_id(service),
    }
    assignees = [_ref(a) for a in payload.get("assignees") or []]
    names = ", ".join(clean(a.get("summary") or a.get("id")) or "" for a in assignees)
    note = clean(payload.get("note"))
    channel_summary = clean(channel.get("summary"))
    details = payload.get("event_details")
    text = _join([
        row["summary"],
        f"{kind.removesuffix('_log_entry').replace('_', ' ')} via {row['channel_type']}" if row["channel_type"]
        else kind.removesuffix("_log_entry").replace("_", " "),
        f"by {agent.get('summary')}" if agent.get("summary") else None,
        f"notified {user.get('summary') or user.get('id')}" + (f" by {row['notification_type']}"
                                                               if row["notification_type"] else "")
        if user else None,
        f"assigned to {names}" if names else None,
        channel_summary if channel_summary and channel_summary != row["summary"] else None,
        note,
        _details_text(details),
        f"incident: {incident.get('summary')}" if incident.get("summary") else None,
    ])
    attributes: dict[str, Any] = {"type": kind}
    for key in ("channel_type", "notification_type", "user_id"):
        if row[key]:
            attributes[key] = row[key]
    number = incident_number(incident.get("summary"))
    if number is not None:
        attributes["incident_number"] = number
    evidence = {
        "source": SOURCE, "kind": "log_entry", "native_id": nid, "occurred_at": created,
        "title": _title(row["summary"], kind), "text": clean(text, MAX_TEXT), "url": _incident_url(payload),
        "actor": _ref_id(agent) if _kind(agent) == "user" else None,
        "actor_name": clean(agent.get("summary")), "container": _ref_id(service),
        "container_name": clean(service.get("summary")), "parent_native_id": _ref_id(incident),
        "attributes": attributes,
    }
    batch: Batch = {"pd_log_entry": [row], "evidence": [evidence]}
    _with(batch, "evidence_ref", _refs(nid, row["summary"], channel_summary, note, _details_text(details)))
    return _with(batch, "account", _reference_accounts(agent, user, *assignees))


def map_alert(payload: dict[str, Any]) -> Batch:
    """An alert (also low-urgency and suppressed ones) -> pd_alert and evidence."""
    nid = native_id(payload)
    created = _required_time(payload.get("created_at"), f"alert {nid}")
    body = _ref(payload.get("body"))
    details = body.get("details") if body else None
    service, incident = _ref(payload.get("service")), _ref(payload.get("incident"))
    row = {
        "id": nid, "incident_id": _ref_id(incident), "service_id": _ref_id(service),
        "summary": clean(payload.get("summary")), "status": clean(payload.get("status")),
        "severity": clean(payload.get("severity")), "suppressed": bool(payload.get("suppressed")),
        "alert_key": clean(payload.get("alert_key")), "created_at": created,
        "resolved_at": parse_time(payload.get("resolved_at")), "html_url": payload.get("html_url"),
        "details": _json_value(details if isinstance(details, dict) else ({"details": details} if details else None)),
    }
    contexts = [c for c in body.get("contexts") or [] if isinstance(c, dict)]
    context_text = [f"{c.get('text') or ''} {c.get('href') or ''}".strip() for c in contexts]
    text = _join([
        row["summary"],
        f"severity: {row['severity']}; status: {row['status']}" + ("; suppressed" if row["suppressed"] else ""),
        f"alert key: {row['alert_key']}" if row["alert_key"] else None,
        f"service: {service.get('summary')}" if service.get("summary") else None,
        _details_text(details), *context_text,
        f"incident: {incident.get('summary')}" if incident.get("summary") else None,
    ])
    attributes: dict[str, Any] = {"status": row["status"], "severity": row["severity"], "suppressed": row["suppressed"]}
    number = incident_number(incident.get("summary"))
    if number is not None:
        attributes["incident_number"] = number
    evidence = {
        "source": SOURCE, "kind": "alert", "native_id": nid, "occurred_at": created,
        "title": _title(row["summary"], "alert"), "text": clean(text, MAX_TEXT),
        "url": payload.get("html_url") or incident.get("html_url"), "actor": None, "actor_name": None,
        "container": _ref_id(service), "container_name": clean(service.get("summary")),
        "parent_native_id": _ref_id(incident), "attributes": attributes,
    }
    batch: Batch = {"pd_alert": [row], "evidence": [evidence]}
    return _with(batch, "evidence_ref", _refs(nid, row["summary"], _details_text(details), *context_text))


def map_note(payload: dict[str, Any]) -> Batch:
    """A note (with `incident` and `service` references the connector adds) -> pd_note and evidence."""
    nid = native_id(payload)
    incident_id = _ref_id(payload.get("incident"))
    if not incident_id:
        raise ValueError(f"note {nid} names no incident")
    created = _required_time(payload.get("created_at"), f"note {nid}")
    user, service, incident = _ref(payload.get("user")), _ref(payload.get("service")), _ref(payload.get("incident"))
    content = clean(payload.get("content"))
    row = {"id": nid, "incident_id": incident_id, "user_id": _ref_id(user), "content": content, "created_at": created}
    attributes: dict[str, Any] = {}
    number = incident_number(incident.get("summary"))
    if number is not None:
        attributes["incident_number"] = number
    evidence = {
        "source": SOURCE, "kind": "note", "native_id": nid, "occurred_at": created,
        "title": _title(content, "note"),
        "text": clean(_join([content, f"incident: {incident.get('summary')}" if incident.get("summary") else None]),
                      MAX_TEXT),
        "url": _incident_url(payload), "actor": _ref_id(user), "actor_name": clean(user.get("summary")),
        "container": _ref_id(service), "container_name": clean(service.get("summary")),
        "parent_native_id": incident_id, "attributes": attributes or None,
    }
    batch: Batch = {"pd_note": [row], "evidence": [evidence]}
    _with(batch, "evidence_ref", _refs(nid, content))
    return _with(batch, "account", _reference_accounts(user))


def map_change_event(payload: dict[str, Any]) -> Batch:
    """A change event (a deploy, a config change) -> pd_change_event and evidence, links as references."""
    nid = native_id(payload)
    at = _required_time(payload.get("timestamp"), f"change event {nid}")
    services = [_ref(s) for s in payload.get("services") or []]
    service_ids = _ids(services) or [str(s) for s in payload.get("service_ids") or []]
    links = [lk for lk in payload.get("links") or [] if isinstance(lk, dict)]
    details = payload.get("custom_details")
    row = {"id": nid, "summary": clean(payload.get("summary")), "timestamp": at,
           "source": clean(payload.get("source")), "service_ids": service_ids,
           "links": _json_value(links) or None, "custom_details": _json_value(details if isinstance(details, dict)
                                                                               else None),
           "html_url": payload.get("html_url")}
    link_text = [f"{clean(lk.get('text')) or ''} {lk.get('href') or ''}".strip() for lk in links]
    text = _join([row["summary"], f"source: {row['source']}" if row["source"] else None, *link_text,
                  _details_text(details)])
    first = services[0] if services else {}
    evidence = {
        "source": SOURCE, "kind": "change_event", "native_id": nid, "occurred_at": at,
        "title": _title(row["summary"], "change event"), "text": clean(text, MAX_TEXT),
        "url": payload.get("html_url") or (links[0].get("href") if links else None),
        "actor": None, "actor_name": None, "container": service_ids[0] if service_ids else None,
        "container_name": clean(first.get("summary")), "parent_native_id": None,
        "attributes": {"service_ids": service_ids} if len(service_ids) > 1 else None,
    }
    batch: Batch = {"pd_change_event": [row], "evidence": [evidence]}
    # Links go through the same parser as text, so a GitHub PR link becomes a pull_request reference.
    link_refs = "\n".join(f"<{lk['href']}|{lk.get('text') or lk['href']}>" for lk in links if lk.get("href"))
    return _with(batch, "evidence_ref", _refs(nid, row["summary"], link_refs, _details_text(details)))


_MAPPERS = {
    "service": map_service, "team": map_team, "escalation_policy": map_escalation_policy, "user": map_user,
    "incident": map_incident, "log_entry": map_log_entry, "alert": map_alert, "note": map_note,
    "change_event": map_change_event,
}


def mapper_for(kind: str) -> Any:
    """The mapper of one connector record kind (`ingest(..., mapper=mapper_for(kind))`)."""
    return _MAPPERS[kind]


def map_record(kind: str, payload: dict[str, Any]) -> Batch:
    """Dispatch one connector record to its mapper; unknown kinds (and `cursor`) give an empty batch."""
    mapper = _MAPPERS.get(kind)
    return mapper(payload) if mapper else {}
