"""Small hand-made PagerDuty worlds (CONTRACTS §5 `pagerduty` section) for the PagerDuty tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lookback.sandbox.testing import tiny_world

START = datetime(2022, 11, 20, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def incident(n: int, at: datetime, service: str = "PSVC001", alerts: int = 1, notes: int = 0,
             status: str = "resolved") -> dict[str, Any]:
    """Incident number 1000+n with a trigger, a notify, an acknowledgement and (if resolved) a resolve entry."""
    iid = f"PI{n:05d}"
    entries = [
        {"id": f"RT{n:05d}", "type": "trigger_log_entry", "created_at": iso(at),
         "summary": f"Triggered through the API: API key invalid spike {n}",
         "agent": {"type": "service_reference", "id": service}, "channel": {"type": "api"}},
        {"id": f"RN{n:05d}", "type": "notify_log_entry", "created_at": iso(at + timedelta(minutes=1)),
         "summary": "Notified Ana by SMS", "agent": {"type": "service_reference", "id": service},
         "channel": {"type": "sms"}, "user": "PUSR001",
         "notification": {"type": "sms_notification", "status": "success"}},
        {"id": f"RA{n:05d}", "type": "acknowledge_log_entry", "created_at": iso(at + timedelta(minutes=5)),
         "summary": "Acknowledged by Ana", "agent": {"type": "user_reference", "id": "PUSR001"},
         "channel": {"type": "mobile"}},
    ]
    if status == "resolved":
        entries.append({"id": f"RR{n:05d}", "type": "resolve_log_entry", "created_at": iso(at + timedelta(hours=1)),
                        "summary": "Resolved by Ana", "agent": {"type": "user_reference", "id": "PUSR001"},
                        "channel": {"type": "web_ui"}})
    return {
        "id": iid, "incident_number": 1000 + n, "title": f"Invalid API key errors on search ({n})",
        "description": f"see https://github.com/shop/alerting/pull/22 and incident {999 + n}", "service": service,
        "escalation_policy": "PEP0001", "status": status, "urgency": "low" if n % 3 else "high",
        "priority": None, "created_at": iso(at),
        "resolved_at": iso(at + timedelta(hours=1)) if status == "resolved" else None,
        "incident_key": f"key-{n}", "assigned_to": ["PUSR001"], "team_ids": ["PTEAM01"],
        "log_entries": entries,
        "alerts": [{"id": f"PA{n:05d}{k}", "summary": f"HTTP 401 rate above 5% ({k})",
                    "status": "resolved" if status == "resolved" else "triggered",
                    "severity": "warning", "suppressed": k == 1, "alert_key": f"ak-{n}-{k}",
                    "created_at": iso(at), "resolved_at": iso(at + timedelta(hours=1)) if status == "resolved"
                    else None, "body": {"details": {"rate": 0.07, "runbook": "https://wiki.shop.example/keys"}}}
                   for k in range(alerts)],
        "notes": [{"id": f"PN{n:05d}{k}", "user": "PUSR001", "content": f"Looks like PR 22 again (note {k})",
                   "created_at": iso(at + timedelta(minutes=10 + k))} for k in range(notes)],
    }


def world(n_incidents: int = 5, every: timedelta = timedelta(hours=6), start: datetime = START,
          edits: bool = True) -> dict[str, Any]:
    """A world with `n_incidents` incidents `every` apart from `start`, two change events and one edit step."""
    incidents = [incident(n, start + n * every, alerts=1 + n % 2, notes=1 if n % 2 == 0 else 0)
                 for n in range(n_incidents)]
    last = start + n_incidents * every
    world: dict[str, Any] = tiny_world()  # the other APIs' sections, so their routes load too
    world["name"] = "pd-tiny"
    world["edits"] = []
    world["pagerduty"] = {
        "users": [{"id": "PUSR001", "name": "Ana", "email": "Ana@shop.example", "time_zone": "America/New_York",
                   "role": "user"},
                  {"id": "PUSR002", "name": "Bo", "email": "bo@shop.example", "time_zone": "UTC",
                   "role": "admin"}],
        "teams": [{"id": "PTEAM01", "name": "Search"}],
        "escalation_policies": [{"id": "PEP0001", "name": "Search on-call", "team_ids": ["PTEAM01"],
                                 "user_ids": ["PUSR001", "PUSR002"]}],
        "services": [{"id": "PSVC001", "name": "search-api", "description": "search", "status": "active",
                      "escalation_policy": "PEP0001", "team_ids": ["PTEAM01"],
                      "created_at": "2020-01-01T00:00:00Z"},
                     {"id": "PSVC002", "name": "alerting", "description": "", "status": "active",
                      "escalation_policy": "PEP0001", "team_ids": ["PTEAM01"],
                      "created_at": "2020-01-01T00:00:00Z"}],
        "incidents": incidents,
        "change_events": [
            {"id": "PCHG001", "summary": "Deploy alerting rules: don't alert when the key is invalid",
             "timestamp": iso(start + timedelta(hours=2)), "service_ids": ["PSVC002"], "source": "ci",
             "links": [{"href": "https://github.com/shop/alerting/pull/22", "text": "PR 22"}],
             "custom_details": {"sha": "a" * 40}},
            {"id": "PCHG002", "summary": "Deploy search-tools", "timestamp": iso(start + timedelta(hours=30)),
             "service_ids": ["PSVC001"], "source": "ci", "links": [], "custom_details": {}},
        ],
    }
    if edits:
        new = incident(n_incidents, last + timedelta(hours=1), status="triggered", notes=1)
        world["edits"] = [[
            {"op": "add_incident", "incident": new},
            {"op": "update_incident", "id": "PI00000",
             "set": {"title": "Invalid API key errors on search (0), reopened analysis",
                     "notes": [*incidents[0]["notes"],
                               {"id": "PN00000X", "user": "PUSR002", "content": "Root cause: incident 1042",
                                "created_at": iso(last + timedelta(hours=2))}]},
             "add_log_entries": [{"id": "RX00000", "type": "annotate_log_entry",
                                  "created_at": iso(last + timedelta(hours=2)),
                                  "summary": "Root cause: incident 1042",
                                  "agent": {"type": "user_reference", "id": "PUSR002"},
                                  "channel": {"type": "web_ui"}}]},
        ]]
    return world


def expected_ids(world: dict[str, Any]) -> dict[str, set[str]]:
    """The ids every kind should hold after a full ingest of `world` (synthetic entries included)."""
    pd = world["pagerduty"]
    out: dict[str, set[str]] = {k: set() for k in ("incident", "log_entry", "alert", "note", "change_event")}
    for inc in pd["incidents"]:
        out["incident"].add(inc["id"])
        out["log_entry"].update(e["id"] for e in inc["log_entries"])
        if not any(e["type"] == "trigger_log_entry" for e in inc["log_entries"]):
            out["log_entry"].add(f"R{inc['id']}T")
        annotated = {e["created_at"] for e in inc["log_entries"] if e["type"] == "annotate_log_entry"}
        out["log_entry"].update(f"R{n['id']}A" for n in inc["notes"] if n["created_at"] not in annotated)
        out["alert"].update(a["id"] for a in inc["alerts"])
        out["note"].update(n["id"] for n in inc["notes"])
    out["change_event"].update(c["id"] for c in pd["change_events"])
    return out
