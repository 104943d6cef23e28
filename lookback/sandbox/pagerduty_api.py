"""PagerDuty REST API v2 served from a world's `pagerduty` section, with the real API's pagination, limits and errors."""

from __future__ import annotations

import json
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lookback.sandbox.core import SandboxState

API = "pagerduty"
MAX_LIMIT = 100
DEFAULT_LIMIT = 25
OFFSET_CAP = 10_000  # offset + limit may not exceed it (the real API answers 400)
MAX_SPAN_MONTHS = 6
DEFAULT_SPAN = timedelta(days=30)  # /incidents without since/until covers the last 30 days
RATE_WINDOW_S = 60.0

Handler = Callable[[Request], Awaitable[Response]]


class ApiError(Exception):
    """An error response in PagerDuty's shape: `{"error": {"message", "code", "errors"?}}`."""

    def __init__(self, status: int, message: str, code: int, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"message": message, "code": code}}
        if errors:
            self.body["error"]["errors"] = errors


def _invalid(*errors: str) -> ApiError:
    return ApiError(400, "Invalid Input Provided", 2001, list(errors))


def _not_found() -> ApiError:
    return ApiError(404, "Not Found", 2100)


# ---------------------------------------------------------------- time


def parse_time(value: str) -> datetime:
    """An ISO 8601 time (`Z`, offsets, or a bare date) as an aware UTC datetime."""
    text = value.strip()
    if len(text) == 10:
        text += "T00:00:00"
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime | None, tz: ZoneInfo | None) -> str | None:
    """PagerDuty's rendering: `...Z` in UTC, `...-05:00` in another `time_zone`."""
    if value is None:
        return None
    if tz is None or tz.key in ("UTC", "Etc/UTC"):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.astimezone(tz).isoformat(timespec="seconds")


def add_months(value: datetime, months: int) -> datetime:
    month = value.month - 1 + months
    year = value.year + month // 12
    month = month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return value.replace(year=year, month=month, day=min(value.day, days))


# ---------------------------------------------------------------- world index


@dataclass
class Index:
    """Lookups built once per world version; every list is in the order the API returns it."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    incidents: list[dict[str, Any]] = field(default_factory=list)  # by created_at, then number
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_number: dict[int, dict[str, Any]] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)
    created_times: list[datetime] = field(default_factory=list)  # parallel to `incidents`
    log_entries: list[tuple[datetime, dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # oldest first
    log_times: list[datetime] = field(default_factory=list)
    last_incident: dict[str, datetime] = field(default_factory=dict)  # per service
    incident_logs: dict[str, list[tuple[datetime, dict[str, Any]]]] = field(default_factory=dict)
    change_events: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)


def _synthetic_trigger(incident: dict[str, Any]) -> dict[str, Any]:
    # Every real incident starts with a trigger log entry; worlds may leave it implicit.
    return {"id": f"R{incident['id']}T", "type": "trigger_log_entry", "created_at": incident["created_at"],
            "summary": f"Triggered through the API: {incident.get('title') or ''}".strip(),
            "agent": {"type": "service_reference", "id": incident.get("service")}, "channel": {"type": "api"}}


def _synthetic_annotate(note: dict[str, Any]) -> dict[str, Any]:
    # Adding a note writes an annotate log entry in the real API; worlds may list only the note.
    return {"id": f"R{note['id']}A", "type": "annotate_log_entry", "created_at": note["created_at"],
            "summary": note.get("content"), "agent": {"type": "user_reference", "id": note.get("user")},
            "channel": {"type": "web_ui"}}


def build_index(world: dict[str, Any]) -> Index:
    pd = world.get("pagerduty") or {}
    idx = Index()
    idx.users = {u["id"]: u for u in pd.get("users", [])}
    idx.teams = {t["id"]: t for t in pd.get("teams", [])}
    idx.policies = {p["id"]: p for p in pd.get("escalation_policies", [])}
    idx.services = {s["id"]: s for s in pd.get("services", [])}
    for incident in pd.get("incidents", []):
        created = parse_time(incident["created_at"])
        idx.created[incident["id"]] = created
        idx.by_id[incident["id"]] = incident
        idx.by_number[int(incident["incident_number"])] = incident
        entries = list(incident.get("log_entries") or [])
        if not any(e.get("type") == "trigger_log_entry" for e in entries):
            entries.insert(0, _synthetic_trigger(incident))
        noted = {e.get("created_at") for e in entries if e.get("type") == "annotate_log_entry"}
        entries.extend(_synthetic_annotate(n) for n in incident.get("notes") or [] if n["created_at"] not in noted)
        timed = sorted(((parse_time(e["created_at"]), e) for e in entries), key=lambda p: (p[0], p[1]["id"]))
        idx.incident_logs[incident["id"]] = timed
        idx.log_entries.extend((at, entry, incident) for at, entry in timed)
    idx.incidents = sorted(pd.get("incidents", []),
                           key=lambda i: (idx.created[i["id"]], int(i["incident_number"])))
    idx.created_times = [idx.created[i["id"]] for i in idx.incidents]
    for incident in idx.incidents:
        idx.last_incident[incident.get("service") or ""] = idx.created[incident["id"]]
    idx.log_entries.sort(key=lambda t: (t[0], t[1]["id"]))
    idx.log_times = [t[0] for t in idx.log_entries]
    idx.change_events = sorted(((parse_time(c["timestamp"]), c) for c in pd.get("change_events", [])),
                               key=lambda p: (p[0], p[1]["id"]), reverse=True)
    return idx


# ---------------------------------------------------------------- rendering


class Renderer:
    """Turns world records into API objects for one request (its base URL and time zone)."""

    def __init__(self, state: SandboxState, index: Index, tz: ZoneInfo | None, request: Request) -> None:
        self.index = index
        self.tz = tz
        base = state.base_url or f"{request.url.scheme}://{request.url.netloc}"
        self.api = f"{base}/pagerduty"
        subdomain = (state.world.get("pagerduty") or {}).get("subdomain") or "sandbox"
        self.web = f"https://{subdomain}.pagerduty.com"

    def t(self, value: str | datetime | None) -> str | None:
        if value is None:
            return None
        return format_time(parse_time(value) if isinstance(value, str) else value, self.tz)

    def ref(self, kind: str, id_: str | None, summary: str | None, collection: str, web_path: str | None = None
            ) -> dict[str, Any] | None:
        if id_ is None:
            return None
        web = f"{self.web}/{web_path or collection}/{id_}"
        return {"id": id_, "type": f"{kind}_reference", "summary": summary,
                "self": f"{self.api}/{collection}/{id_}", "html_url": web}

    def user_ref(self, user_id: str | None) -> dict[str, Any] | None:
        user = self.index.users.get(user_id or "")
        return self.ref("user", user_id, user.get("name") if user else None, "users")

    def service_ref(self, service_id: str | None) -> dict[str, Any] | None:
        service = self.index.services.get(service_id or "")
        return self.ref("service", service_id, service.get("name") if service else None, "services",
                        "service-directory")

    def team_ref(self, team_id: str) -> dict[str, Any] | None:
        team = self.index.teams.get(team_id)
        return self.ref("team", team_id, team.get("name") if team else None, "teams")

    def policy_ref(self, policy_id: str | None) -> dict[str, Any] | None:
        policy = self.index.policies.get(policy_id or "")
        return self.ref("escalation_policy", policy_id, policy.get("name") if policy else None,
                        "escalation_policies")

    def incident_ref(self, incident: dict[str, Any]) -> dict[str, Any] | None:
        return self.ref("incident", incident["id"], _incident_summary(incident), "incidents")

    def agent(self, agent: dict[str, Any] | None) -> dict[str, Any] | None:
        if not agent or not agent.get("id"):
            return None
        kind = str(agent.get("type", "user_reference")).removesuffix("_reference")
        if kind == "user":
            return self.user_ref(agent["id"])
        if kind == "service":
            return self.service_ref(agent["id"])
        return self.ref(kind, agent["id"], agent.get("summary"), f"{kind}s")

    def team(self, team: dict[str, Any]) -> dict[str, Any]:
        return {"id": team["id"], "type": "team", "summary": team.get("name"), "name": team.get("name"),
                "description": team.get("description"), "self": f"{self.api}/teams/{team['id']}",
                "html_url": f"{self.web}/teams/{team['id']}", "parent": None, "default_role": "manager"}

    def user(self, user: dict[str, Any]) -> dict[str, Any]:
        teams = [self.team_ref(t) for t in user.get("team_ids", [])]
        return {"id": user["id"], "type": "user", "summary": user.get("name"), "name": user.get("name"),
                "email": user.get("email"), "time_zone": user.get("time_zone"), "color": "purple",
                "role": user.get("role", "user"), "avatar_url": None, "description": None,
                "invitation_sent": False, "job_title": user.get("job_title"), "teams": teams,
                "contact_methods": [], "notification_rules": [], "coordinated_incidents": [],
                "self": f"{self.api}/users/{user['id']}", "html_url": f"{self.web}/users/{user['id']}"}

    def policy(self, policy: dict[str, Any]) -> dict[str, Any]:
        targets = [self.user_ref(u) for u in policy.get("user_ids", [])]
        services = [self.service_ref(s["id"]) for s in self.index.services.values()
                    if s.get("escalation_policy") == policy["id"]]
        return {"id": policy["id"], "type": "escalation_policy", "summary": policy.get("name"),
                "name": policy.get("name"), "description": policy.get("description"), "num_loops": 0,
                "on_call_handoff_notifications": "if_has_services",
                "escalation_rules": [{"id": f"{policy['id']}R1", "escalation_delay_in_minutes": 30,
                                      "targets": targets}],
                "services": services, "teams": [self.team_ref(t) for t in policy.get("team_ids", [])],
                "self": f"{self.api}/escalation_policies/{policy['id']}",
                "html_url": f"{self.web}/escalation_policies/{policy['id']}"}

    def service(self, service: dict[str, Any], include: set[str]) -> dict[str, Any]:
        last = self.index.last_incident.get(service["id"])
        policy_id = service.get("escalation_policy")
        policy: dict[str, Any] | None = self.policy_ref(policy_id)
        if "escalation_policies" in include and policy_id in self.index.policies:
            policy = self.policy(self.index.policies[policy_id])
        teams = [self.team(self.index.teams[t]) if "teams" in include and t in self.index.teams else self.team_ref(t)
                 for t in service.get("team_ids", [])]
        return {"id": service["id"], "type": "service", "summary": service.get("name"),
                "name": service.get("name"), "description": service.get("description"),
                "status": service.get("status", "active"), "created_at": self.t(service.get("created_at")),
                "updated_at": self.t(service.get("created_at")),
                "last_incident_timestamp": self.t(last),
                "auto_resolve_timeout": 14400, "acknowledgement_timeout": 1800,
                "alert_creation": "create_alerts_and_incidents", "alert_grouping_parameters": {"type": None},
                "incident_urgency_rule": {"type": "constant", "urgency": "high"}, "support_hours": None,
                "scheduled_actions": [], "addons": [], "integrations": [], "response_play": None,
                "escalation_policy": policy, "teams": teams,
                "self": f"{self.api}/services/{service['id']}",
                "html_url": f"{self.web}/service-directory/{service['id']}"}

    def log_entry(self, entry: dict[str, Any], incident: dict[str, Any], include: set[str]) -> dict[str, Any]:
        kind = entry.get("type") or "annotate_log_entry"
        channel = dict(entry.get("channel") or {"type": "api"})
        obj: dict[str, Any] = {
            "id": entry["id"], "type": kind, "summary": entry.get("summary"),
            "self": f"{self.api}/log_entries/{entry['id']}",
            "html_url": f"{self.web}/incidents/{incident['id']}/log_entries/{entry['id']}",
            "created_at": self.t(entry["created_at"]), "agent": self.agent(entry.get("agent")),
            "channel": channel, "service": self.service_ref(incident.get("service")),
            "incident": self.incident_ref(incident),
            "teams": [self.team_ref(t) for t in incident.get("team_ids", [])], "contexts": [],
            "event_details": entry.get("event_details") or {},
        }
        if kind == "notify_log_entry":
            obj["user"] = self.user_ref(entry.get("user"))
            if "notification" in entry:
                obj["notification"] = entry["notification"]
        if kind in ("assign_log_entry", "escalate_log_entry", "delegate_log_entry"):
            assignees = entry.get("assignees") or ([entry["user"]] if entry.get("user") else [])
            obj["assignees"] = [self.user_ref(u if isinstance(u, str) else u.get("id")) for u in assignees]
        if kind == "annotate_log_entry" and "summary" not in channel:
            channel["summary"] = entry.get("summary")
        if "note" in entry:
            obj["note"] = entry["note"]
        if "incidents" in include:
            obj["incident"] = self.incident(incident, set())
        if "services" in include and incident.get("service") in self.index.services:
            obj["service"] = self.service(self.index.services[incident["service"]], set())
        if "channels" not in include:
            # Without include[]=channels the API sends only the channel's type (and a note's summary).
            obj["channel"] = {k: v for k, v in channel.items() if k in ("type", "summary")}
        return obj

    def incident(self, incident: dict[str, Any], include: set[str]) -> dict[str, Any]:
        logs = self.index.incident_logs.get(incident["id"], [])
        created = self.index.created[incident["id"]]
        resolved = incident.get("resolved_at")
        acks = [(at, e) for at, e in logs if e.get("type") in ("acknowledge_log_entry", "acknowledgement_log_entry")]
        status_changes = [at for at, e in logs if e.get("type") in
                          ("trigger_log_entry", "acknowledge_log_entry", "acknowledgement_log_entry",
                           "resolve_log_entry", "unacknowledge_log_entry")]
        last_change = max([created, *status_changes, *([parse_time(resolved)] if resolved else [])])
        updated = max([created, *(at for at, _ in logs), *([parse_time(resolved)] if resolved else [])])
        alerts = incident.get("alerts") or []
        status = incident.get("status", "triggered")
        trigger = next((e for _, e in logs if e.get("type") == "trigger_log_entry"), None)
        first_trigger = None
        if trigger is not None:
            first_trigger = {"id": trigger["id"], "type": "trigger_log_entry_reference",
                             "summary": trigger.get("summary"), "self": f"{self.api}/log_entries/{trigger['id']}",
                             "html_url": f"{self.web}/incidents/{incident['id']}/log_entries/{trigger['id']}"}
            if "first_trigger_log_entries" in include:
                first_trigger = self.log_entry(trigger, incident, set())
        assignees = [] if status == "resolved" else incident.get("assigned_to", [])
        service_id = incident.get("service")
        service: dict[str, Any] | None = self.service_ref(service_id)
        if "services" in include and service_id in self.index.services:
            service = self.service(self.index.services[service_id], set())
        policy: dict[str, Any] | None = self.policy_ref(incident.get("escalation_policy"))
        if "escalation_policies" in include and incident.get("escalation_policy") in self.index.policies:
            policy = self.policy(self.index.policies[incident["escalation_policy"]])
        expand_users = bool({"assignees", "users"} & include)
        priority = incident.get("priority")
        if isinstance(priority, str):
            priority = {"id": priority, "type": "priority", "summary": priority, "name": priority,
                        "self": f"{self.api}/priorities/{priority}", "html_url": None}
        return {
            "id": incident["id"], "type": "incident", "summary": _incident_summary(incident),
            "self": f"{self.api}/incidents/{incident['id']}", "html_url": f"{self.web}/incidents/{incident['id']}",
            "incident_number": int(incident["incident_number"]), "title": incident.get("title"),
            "description": incident.get("description") or incident.get("title"),
            "created_at": self.t(created), "updated_at": self.t(updated), "status": status,
            "incident_key": incident.get("incident_key"), "service": service,
            "assignments": [{"at": self.t(created),
                             "assignee": self.user(self.index.users[u]) if expand_users and u in self.index.users
                             else self.user_ref(u)} for u in assignees],
            "assigned_via": "escalation_policy",
            "last_status_change_at": self.t(last_change),
            "last_status_change_by": self.service_ref(service_id),
            "resolved_at": self.t(resolved) if status == "resolved" else None,
            "first_trigger_log_entry": first_trigger,
            "alert_counts": {"all": len(alerts),
                             "triggered": sum(1 for a in alerts if a.get("status") != "resolved"),
                             "resolved": sum(1 for a in alerts if a.get("status") == "resolved")},
            "is_mergeable": True, "escalation_policy": policy,
            "teams": [self.team(self.index.teams[t]) if "teams" in include and t in self.index.teams
                      else self.team_ref(t) for t in incident.get("team_ids", [])],
            "impacted_services": [self.service_ref(service_id)] if service_id else [],
            "pending_actions": [],
            "acknowledgements": [] if status != "acknowledged" else [
                {"at": self.t(at), "acknowledger": self.agent(e.get("agent"))} for at, e in acks],
            "alert_grouping": None, "priority": priority, "urgency": incident.get("urgency", "high"),
            "resolve_reason": None, "incidents_responders": [], "responder_requests": [],
            "subscriber_requests": [], "incident_type": {"name": "incident_default"},
        }

    def alert(self, alert: dict[str, Any], incident: dict[str, Any], include: set[str]) -> dict[str, Any]:
        body = alert.get("body") or {}
        obj = {
            "id": alert["id"], "type": "alert", "summary": alert.get("summary"),
            "self": f"{self.api}/alerts/{alert['id']}", "html_url": f"{self.web}/alerts/{alert['id']}",
            "created_at": self.t(alert.get("created_at") or incident["created_at"]),
            "resolved_at": self.t(alert.get("resolved_at")) if alert.get("status") == "resolved" else None,
            "status": alert.get("status", "triggered"), "alert_key": alert.get("alert_key"),
            "suppressed": bool(alert.get("suppressed")), "severity": alert.get("severity", "error"),
            "service": self.service_ref(alert.get("service") or incident.get("service")),
            "incident": self.incident_ref(incident), "first_trigger_log_entry": None,
            "integration": None,
            "body": {"type": "alert_body", "contexts": body.get("contexts", []),
                     "details": body.get("details", {}), "cef_details": body.get("cef_details")},
        }
        if "incidents" in include:
            obj["incident"] = self.incident(incident, set())
        return obj

    def note(self, note: dict[str, Any]) -> dict[str, Any]:
        return {"id": note["id"], "user": self.user_ref(note.get("user")), "content": note.get("content"),
                "created_at": self.t(note["created_at"]),
                "channel": {"summary": "The PagerDuty website or APIs"}}

    def change_event(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"id": event["id"], "type": "change_event", "summary": event.get("summary"),
                "self": f"{self.api}/change_events/{event['id']}", "html_url": None,
                "timestamp": self.t(event["timestamp"]),
                "services": [self.service_ref(s) for s in event.get("service_ids", [])],
                "integration": None, "routing_key": None, "source": event.get("source"),
                "links": event.get("links", []), "images": event.get("images", []),
                "custom_details": event.get("custom_details", {})}


def _incident_summary(incident: dict[str, Any]) -> str:
    return f"[#{incident['incident_number']}] {incident.get('title') or ''}"


# ---------------------------------------------------------------- request plumbing


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json; charset=utf-8",
                    headers=headers)


def _list(request: Request, name: str) -> list[str]:
    """Array query parameters, sent as `name[]=a&name[]=b` (and tolerated without the brackets)."""
    values = request.query_params.getlist(f"{name}[]") + request.query_params.getlist(name)
    out: list[str] = []
    for value in values:
        out.extend(v for v in value.split(",") if v)
    return out


def _bool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _time_zone(request: Request) -> ZoneInfo | None:
    name = request.query_params.get("time_zone")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _invalid("Time zone is not a valid time zone.") from exc


def _window(request: Request, default_span: bool) -> tuple[datetime | None, datetime | None]:
    """`since`/`until` (or the default last 30 days); a span longer than 6 months is a 400."""
    if request.query_params.get("date_range") == "all":
        return None, None
    raw_since, raw_until = request.query_params.get("since"), request.query_params.get("until")
    try:
        since = parse_time(raw_since) if raw_since else None
        until = parse_time(raw_until) if raw_until else None
    except ValueError as exc:
        raise ApiError(400, "Invalid 'since' or 'until' Parameter Values", 2004) from exc
    if default_span:
        until = until or datetime.now(UTC)
        since = since or until - DEFAULT_SPAN
    if since is not None and until is not None:
        if until < since:
            raise ApiError(400, "Invalid Query Date Range", 2005, ["'until' must be after 'since'"])
        if until > add_months(since, MAX_SPAN_MONTHS):
            raise ApiError(400, "Invalid Query Date Range", 2005,
                           ["The 'since' and 'until' parameters must be within 6 months of each other"])
    return since, until


def _page(request: Request, key: str, items: list[Any], render: Callable[[Any], dict[str, Any]]) -> Response:
    """Classic pagination: `limit` (25 by default, at most 100), `offset`, `more`, `total` (null unless asked)."""
    try:
        limit = int(request.query_params.get("limit", DEFAULT_LIMIT))
        offset = int(request.query_params.get("offset", 0))
    except ValueError as exc:
        raise _invalid("Limit and offset must be integers.") from exc
    if limit < 1 or offset < 0:
        raise _invalid("Limit must be positive and offset must not be negative.")
    limit = min(limit, MAX_LIMIT)
    if offset + limit > OFFSET_CAP:
        raise ApiError(400, "Invalid Input Provided", 2001,
                       [f"Offset + limit must be less than or equal to {OFFSET_CAP}."])
    chunk = items[offset:offset + limit]
    body = {key: [render(item) for item in chunk], "limit": limit, "offset": offset,
            "more": offset + len(chunk) < len(items), "total": len(items) if _bool(request, "total") else None}
    return _json(200, body)


class RateLimiter:
    """PagerDuty's per-token limit: `per_min` requests per minute window."""

    def __init__(self) -> None:
        self.windows: dict[str, tuple[float, int]] = {}

    def take(self, token: str, per_min: int, now: float) -> tuple[bool, dict[str, str]]:
        start, used = self.windows.get(token, (now, 0))
        if now - start >= RATE_WINDOW_S:
            start, used = now, 0
        allowed = used < per_min
        if allowed:
            used += 1
        self.windows[token] = (start, used)
        reset = max(int(RATE_WINDOW_S - (now - start) + 0.999), 1)
        headers = {"ratelimit-limit": str(per_min), "ratelimit-remaining": str(max(per_min - used, 0)),
                   "ratelimit-reset": str(reset)}
        return allowed, headers


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    for prefix in ("Token token=", "Bearer "):
        if header.startswith(prefix):
            token = header[len(prefix):].strip()
            return token or None
    return None


# ---------------------------------------------------------------- routes


def make_routes(state: SandboxState) -> list[BaseRoute]:
    """The routes of PagerDuty REST API v2 over `state.world["pagerduty"]`, mounted under `/pagerduty`."""
    limiter = RateLimiter()
    cache: dict[str, Any] = {"key": None, "index": None}

    def index() -> Index:
        with state.lock:
            key = (id(state.world), state.world_version)
            if cache["key"] != key:
                cache["index"] = build_index(state.world)
                cache["key"] = key
            return cache["index"]

    def endpoint(template: str, handler: Callable[[Request, Renderer], Response]) -> Route:
        async def run(request: Request) -> Response:
            state.stats.count(API, f"GET {template}")
            if request.url.scheme != "https" and request.headers.get("x-forwarded-proto") != "https":
                return _json(403, {"error": {"message": "Only HTTPS Allowed For This Call", "code": 2009}})
            token = _token(request)
            if token is None or token.startswith("bad"):
                return _json(401, {"error": {"message": "Unauthorized", "code": 2006}})
            with state.lock:
                per_min = state.knobs.pagerduty_rate_per_min
                allowed, headers = limiter.take(token, per_min, time.monotonic())
            if not allowed:
                return _json(429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}}, headers)
            try:
                renderer = Renderer(state, index(), _time_zone(request), request)
                response = handler(request, renderer)
            except ApiError as exc:
                response = _json(exc.status, exc.body)
            response.headers.update(headers)
            return response

        return Route(template, run, methods=["GET"])

    return [
        endpoint("/services", _services),
        endpoint("/services/{id}", _service),
        endpoint("/teams", _teams),
        endpoint("/escalation_policies", _policies),
        endpoint("/users", _users),
        endpoint("/users/{id}", _user),
        endpoint("/incidents", _incidents),
        endpoint("/incidents/{id}", _incident),
        endpoint("/incidents/{id}/log_entries", _incident_log_entries),
        endpoint("/incidents/{id}/alerts", _incident_alerts),
        endpoint("/incidents/{id}/notes", _incident_notes),
        endpoint("/log_entries", _log_entries),
        endpoint("/log_entries/{id}", _log_entry),
        endpoint("/change_events", _change_events),
    ]


def _include(request: Request) -> set[str]:
    return set(_list(request, "include"))


def _services(request: Request, r: Renderer) -> Response:
    include, teams, query = _include(request), set(_list(request, "team_ids")), request.query_params.get("query")
    items = [s for s in r.index.services.values()
             if (not teams or teams & set(s.get("team_ids", [])))
             and (not query or query.lower() in (s.get("name") or "").lower())]
    items.sort(key=lambda s: (s.get("name") or "").lower(), reverse=request.query_params.get("sort_by") == "name:desc")
    return _page(request, "services", items, lambda s: r.service(s, include))


def _service(request: Request, r: Renderer) -> Response:
    service = r.index.services.get(request.path_params["id"])
    if service is None:
        raise _not_found()
    return _json(200, {"service": r.service(service, _include(request))})


def _teams(request: Request, r: Renderer) -> Response:
    items = sorted(r.index.teams.values(), key=lambda t: (t.get("name") or "").lower())
    return _page(request, "teams", items, r.team)


def _policies(request: Request, r: Renderer) -> Response:
    items = sorted(r.index.policies.values(), key=lambda p: (p.get("name") or "").lower())
    return _page(request, "escalation_policies", items, r.policy)


def _users(request: Request, r: Renderer) -> Response:
    teams, query = set(_list(request, "team_ids")), (request.query_params.get("query") or "").lower()
    items = [u for u in r.index.users.values()
             if (not teams or teams & set(u.get("team_ids", [])))
             and (not query or query in (u.get("name") or "").lower() or query in (u.get("email") or "").lower())]
    items.sort(key=lambda u: (u.get("name") or "").lower())
    return _page(request, "users", items, r.user)


def _user(request: Request, r: Renderer) -> Response:
    user = r.index.users.get(request.path_params["id"])
    if user is None:
        raise _not_found()
    return _json(200, {"user": r.user(user)})


_INCIDENT_SORTS = {"incident_number", "created_at", "resolved_at", "urgency"}


def _incidents(request: Request, r: Renderer) -> Response:
    since, until = _window(request, default_span=True)
    statuses = set(_list(request, "statuses"))
    services = set(_list(request, "service_ids"))
    teams = set(_list(request, "team_ids"))
    users = set(_list(request, "user_ids"))
    urgencies = set(_list(request, "urgencies"))
    key = request.query_params.get("incident_key")
    created = r.index.created
    lo = 0 if since is None else bisect_left(r.index.created_times, since)
    hi = len(r.index.incidents) if until is None else bisect_left(r.index.created_times, until)
    items = [i for i in r.index.incidents[lo:hi]
             if (not statuses or i.get("status", "triggered") in statuses)
             and (not services or i.get("service") in services)
             and (not teams or teams & set(i.get("team_ids", [])))
             and (not users or users & set(i.get("assigned_to", [])))
             and (not urgencies or i.get("urgency", "high") in urgencies)
             and (key is None or i.get("incident_key") == key)]
    for sort in reversed(_list(request, "sort_by")):
        name, _, direction = sort.partition(":")
        if name not in _INCIDENT_SORTS or direction not in ("", "asc", "desc"):
            raise _invalid(f"sort_by {sort} is not supported.")
        items.sort(key=partial(_sort_key, name=name, created=created), reverse=direction == "desc")
    include = _include(request)
    return _page(request, "incidents", items, lambda i: r.incident(i, include))


def _sort_key(incident: dict[str, Any], *, name: str, created: dict[str, datetime]) -> Any:
    if name == "incident_number":
        return int(incident["incident_number"])
    if name == "created_at":
        return created[incident["id"]]
    if name == "resolved_at":
        value = incident.get("resolved_at")
        return parse_time(value) if value else datetime.max.replace(tzinfo=UTC)
    return incident.get("urgency", "high")


def _find_incident(r: Renderer, ref: str) -> dict[str, Any]:
    # The real API accepts an incident's number in place of its id.
    incident = r.index.by_id.get(ref)
    if incident is None and ref.isdigit():
        incident = r.index.by_number.get(int(ref))
    if incident is None:
        raise _not_found()
    return incident


def _incident(request: Request, r: Renderer) -> Response:
    incident = _find_incident(r, request.path_params["id"])
    return _json(200, {"incident": r.incident(incident, _include(request))})


def _incident_log_entries(request: Request, r: Renderer) -> Response:
    incident = _find_incident(r, request.path_params["id"])
    since, until = _window(request, default_span=False)
    overview = _bool(request, "is_overview")
    entries = [(at, e) for at, e in reversed(r.index.incident_logs.get(incident["id"], []))
               if (since is None or at >= since) and (until is None or at < until)
               and (not overview or e.get("type") not in ("notify_log_entry",))]
    include = _include(request)
    return _page(request, "log_entries", entries, lambda p: r.log_entry(p[1], incident, include))


def _incident_alerts(request: Request, r: Renderer) -> Response:
    incident = _find_incident(r, request.path_params["id"])
    statuses, key = set(_list(request, "statuses")), request.query_params.get("alert_key")
    alerts = [a for a in incident.get("alerts") or []
              if (not statuses or a.get("status", "triggered") in statuses)
              and (key is None or a.get("alert_key") == key)]
    sort = request.query_params.get("sort_by", "created_at")
    name, _, direction = sort.partition(":")
    if name not in ("created_at", "resolved_at"):
        raise _invalid(f"sort_by {sort} is not supported.")
    alerts.sort(key=lambda a: (a.get(name) or a.get("created_at") or "", a["id"]), reverse=direction == "desc")
    include = _include(request)
    return _page(request, "alerts", alerts, lambda a: r.alert(a, incident, include))


def _incident_notes(request: Request, r: Renderer) -> Response:
    # No pagination envelope on this endpoint: just the notes.
    incident = _find_incident(r, request.path_params["id"])
    notes = sorted(incident.get("notes") or [], key=lambda n: (parse_time(n["created_at"]), n["id"]))
    return _json(200, {"notes": [r.note(n) for n in notes]})


def _log_entries(request: Request, r: Renderer) -> Response:
    since, until = _window(request, default_span=False)
    teams = set(_list(request, "team_ids"))
    overview = _bool(request, "is_overview")
    # Newest first, as the real API lists them.
    lo = 0 if since is None else bisect_left(r.index.log_times, since)
    hi = len(r.index.log_entries) if until is None else bisect_left(r.index.log_times, until)
    entries = [(entry, incident) for _, entry, incident in reversed(r.index.log_entries[lo:hi])
               if (not teams or teams & set(incident.get("team_ids", [])))
               and (not overview or entry.get("type") != "notify_log_entry")]
    include = _include(request)
    return _page(request, "log_entries", entries, lambda p: r.log_entry(p[0], p[1], include))


def _log_entry(request: Request, r: Renderer) -> Response:
    wanted = request.path_params["id"]
    for _, entry, incident in r.index.log_entries:
        if entry["id"] == wanted:
            return _json(200, {"log_entry": r.log_entry(entry, incident, _include(request))})
    raise _not_found()


def _change_events(request: Request, r: Renderer) -> Response:
    since, until = _window(request, default_span=False)
    teams = set(_list(request, "team_ids"))
    events = [e for at, e in r.index.change_events
              if (since is None or at >= since) and (until is None or at < until)
              and (not teams or any(teams & set(r.index.services.get(s, {}).get("team_ids", []))
                                    for s in e.get("service_ids", [])))]
    return _page(request, "change_events", events, r.change_event)
