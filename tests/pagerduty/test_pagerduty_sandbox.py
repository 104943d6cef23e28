"""The sandbox's PagerDuty API through the real `pagerduty` client over HTTPS, and its wire-level quirks."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx2
import pagerduty
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from lookback.sandbox.core import SandboxState
from lookback.sandbox.pagerduty_api import make_routes
from lookback.sandbox.serve import Sandbox
from tests.conftest import REFERENCE
from tests.pagerduty.pagerduty_worlds import world
from tests.sandbox_fixtures import sandbox_factory  # noqa: F401

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

WINDOW = {"since": "2022-11-01T00:00:00Z", "until": "2022-12-31T00:00:00Z"}


def client_for(sandbox: Sandbox, token: str = "sandbox-pagerduty-token") -> pagerduty.RestApiV2Client:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=sandbox.ca_file)
    client = pagerduty.RestApiV2Client(token, base_url=f"{sandbox.url}/pagerduty", verify=context)
    client.headers["Accept"] = "application/vnd.pagerduty+json;version=2"
    return client


@pytest.fixture
def pd(sandbox_factory: Any) -> Iterator[tuple[Sandbox, pagerduty.RestApiV2Client]]:  # noqa: F811
    sandbox = sandbox_factory(world(n_incidents=30, every=timedelta(hours=1)))
    yield sandbox, client_for(sandbox)


def test_real_client_iterates_every_listing(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    sandbox, client = pd
    assert [s["id"] for s in client.iter_all("services")] == ["PSVC002", "PSVC001"]  # sorted by name
    assert {u["email"] for u in client.iter_all("users")} == {"Ana@shop.example", "bo@shop.example"}
    assert [t["id"] for t in client.iter_all("teams")] == ["PTEAM01"]
    assert [p["id"] for p in client.iter_all("escalation_policies")] == ["PEP0001"]
    incidents = list(client.iter_all("incidents", params=WINDOW, page_size=7))
    assert len(incidents) == 30
    assert [i["incident_number"] for i in incidents] == list(range(1000, 1030))
    first = incidents[0]
    assert first["service"]["type"] == "service_reference"
    assert first["first_trigger_log_entry"]["type"] == "trigger_log_entry_reference"
    assert first["summary"] == f"[#1000] {first['title']}"
    stats = sandbox.stats()["apis"]["pagerduty"]["endpoints"]
    assert stats["GET /incidents"] == 5  # ceil(30 / 7)


def test_pagination_envelope_total_and_limits(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    _, client = pd
    body = client.get("incidents", params=WINDOW).json()
    assert set(body) == {"incidents", "limit", "offset", "more", "total"}
    assert body["limit"] == 25 and body["offset"] == 0 and body["more"] is True and body["total"] is None
    assert client.get("incidents", params={**WINDOW, "total": "true"}).json()["total"] == 30
    assert client.get("incidents", params={**WINDOW, "limit": 500}).json()["limit"] == 100
    capped = client.get("incidents", params={**WINDOW, "offset": 9950, "limit": 100})
    assert capped.status_code == 400
    assert capped.json()["error"]["code"] == 2001
    assert client.get("incidents", params={**WINDOW, "offset": 9900, "limit": 100}).status_code == 200


def test_since_until_span_and_default_window(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    _, client = pd
    too_long = client.get("log_entries", params={"since": "2022-01-01T00:00:00Z", "until": "2022-07-02T00:00:00Z"})
    assert too_long.status_code == 400 and "error" in too_long.json()
    assert client.get("log_entries", params={"since": "2022-01-01T00:00:00Z",
                                             "until": "2022-07-01T00:00:00Z"}).status_code == 200
    # Without since/until /incidents covers the last 30 days: the 2022 world is outside it.
    assert client.get("incidents").json()["incidents"] == []
    assert len(client.get("incidents", params={"date_range": "all", "limit": 100}).json()["incidents"]) == 30


def test_time_zone_changes_offsets_and_filters(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    _, client = pd
    params = {**WINDOW, "time_zone": "America/New_York", "statuses[]": ["resolved"],
              "service_ids[]": ["PSVC001"], "sort_by": "incident_number:desc", "limit": 2}
    incidents = client.get("incidents", params=params).json()["incidents"]
    assert [i["incident_number"] for i in incidents] == [1029, 1028]
    assert incidents[0]["created_at"].endswith("-05:00")
    utc = client.get("incidents", params={**WINDOW, "limit": 1}).json()["incidents"][0]
    assert utc["created_at"].endswith("Z")
    expanded = client.get("incidents", params={**WINDOW, "limit": 1, "include[]": ["services", "assignees"]}).json()
    assert expanded["incidents"][0]["service"]["type"] == "service"


def test_single_objects_children_and_number_lookup(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    _, client = pd
    by_id = client.get("incidents/PI00002").json()["incident"]
    by_number = client.get("incidents/1002").json()["incident"]
    assert by_id["id"] == by_number["id"] == "PI00002"
    assert client.get("incidents/PNOPE").status_code == 404
    notes = client.get("incidents/PI00002/notes").json()
    assert set(notes) == {"notes"} and notes["notes"][0]["user"]["type"] == "user_reference"
    alerts = client.get("incidents/PI00001/alerts").json()
    assert {"alerts", "limit", "offset", "more", "total"} <= set(alerts)
    assert len(alerts["alerts"]) == 2 and alerts["alerts"][1]["suppressed"] is True
    entries = client.get("incidents/PI00002/log_entries").json()["log_entries"]
    types = [e["type"] for e in entries]
    assert "notify_log_entry" in types and "annotate_log_entry" in types  # a note writes an annotate entry
    notify = next(e for e in entries if e["type"] == "notify_log_entry")
    assert notify["user"]["type"] == "user_reference" and notify["agent"]["type"] == "service_reference"
    account = client.get("log_entries", params={**WINDOW, "include[]": ["incidents"], "limit": 3}).json()
    newest = account["log_entries"]
    assert newest[0]["created_at"] >= newest[1]["created_at"]  # newest first
    assert newest[0]["incident"]["type"] == "incident"
    events = client.get("change_events", params=WINDOW).json()["change_events"]
    assert {e["id"] for e in events} == {"PCHG001", "PCHG002"}


def test_auth_and_rate_limit(sandbox_factory: Any) -> None:  # noqa: F811
    sandbox = sandbox_factory(world(3), pagerduty_rate_per_min=3)
    bad = client_for(sandbox, token="bad-token")
    with pytest.raises(pagerduty.HttpError):
        bad.get("services")
    # The real client would retry a 429 forever: use plain httpx2 (its transport) to see the 429 itself.
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=sandbox.ca_file)
    with httpx2.Client(verify=context, headers={"Authorization": "Token token=another"}) as raw:
        statuses = [raw.get(f"{sandbox.url}/pagerduty/teams") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    limited = statuses[-1]
    assert limited.json() == {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
    assert limited.headers["ratelimit-limit"] == "3" and limited.headers["ratelimit-remaining"] == "0"
    assert 0 < int(limited.headers["ratelimit-reset"]) <= 60
    assert sandbox.stats()["apis"]["pagerduty"]["total"] == 5  # refused requests are counted too


def test_https_only_and_token_required() -> None:
    state = SandboxState(world(2))
    app = Starlette(routes=[Mount("/pagerduty", routes=make_routes(state))])
    plain = TestClient(app, base_url="http://testserver")
    assert plain.get("/pagerduty/services", headers={"Authorization": "Token token=x"}).status_code == 403
    secure = TestClient(app, base_url="https://testserver")
    assert secure.get("/pagerduty/services").status_code == 401
    ok = secure.get("/pagerduty/services", headers={"Authorization": "Token token=x"})
    assert ok.status_code == 200 and ok.json()["services"][0]["self"].startswith("https://testserver/pagerduty/")


FACTS = REFERENCE / "pagerduty" / "facts.json"
# Fields the sandbox sends that the spec digest does not list but real payloads carry (recorded pypd data).
KNOWN_EXTRAS = {"Incident": {"description", "impacted_services", "resolve_reason", "incidents_responders",
                             "responder_requests", "subscriber_requests", "last_status_change_by", "priority",
                             "urgency", "incident_type", "assigned_via", "updated_at"},
                "Alert": {"resolved_at"}, "IncidentNote": set(), "Service": {"updated_at"},
                "User": {"coordinated_incidents"}, "ChangeEvent": set()}


def _check(obj: dict[str, Any], name: str, facts: dict[str, Any]) -> None:
    spec = facts[name]
    unknown = set(obj) - set(spec["fields"]) - KNOWN_EXTRAS.get(name, set())
    assert not unknown, (name, unknown)
    assert not set(spec.get("required", [])) - set(obj), (name, spec.get("required"))
    for field, value in obj.items():
        enum = spec["fields"].get(field, {}).get("enum")
        if enum and value is not None:
            assert value in enum, (name, field, value)


def test_objects_follow_the_spec_digest(pd: tuple[Sandbox, pagerduty.RestApiV2Client]) -> None:
    _, client = pd
    facts = json.loads(FACTS.read_text())["objects"]
    incident = client.get("incidents/PI00002").json()["incident"]
    _check(incident, "Incident", facts)
    for ref_field, ref_name in (("service", "ServiceReference"),):
        _check(incident[ref_field], ref_name, facts)
    for alert in client.get("incidents/PI00001/alerts").json()["alerts"]:
        _check(alert, "Alert", facts)
        _check(alert["incident"], "IncidentReference", facts)
    for note in client.get("incidents/PI00002/notes").json()["notes"]:
        _check(note, "IncidentNote", facts)
    for service in client.get("services").json()["services"]:
        _check(service, "Service", facts)
    for user in client.get("users").json()["users"]:
        _check(user, "User", facts)
    for event in client.get("change_events", params=WINDOW).json()["change_events"]:
        _check(event, "ChangeEvent", facts)
    variants = {"trigger_log_entry": "TriggerLogEntry", "notify_log_entry": "NotifyLogEntry",
                "acknowledge_log_entry": "LogEntry", "resolve_log_entry": "ResolveLogEntry",
                "annotate_log_entry": "AnnotateLogEntry"}
    for entry in client.get("incidents/PI00002/log_entries").json()["log_entries"]:
        _check({k: v for k, v in entry.items() if k != "notification"}, variants[entry["type"]], facts)
        _check(entry["agent"], "AgentReference", facts)
