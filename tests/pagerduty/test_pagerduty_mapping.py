"""PagerDuty mappers on recorded payloads (lenient: real payloads break the spec) and on odd input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from models import Base
from tests.conftest import REFERENCE as _API  # noqa: E402
from warehouse.map_pagerduty import (
    map_alert,
    map_change_event,
    map_incident,
    map_log_entry,
    map_note,
    map_record,
    map_service,
    map_user,
)

pytestmark = pytest.mark.no_warehouse  # the PostgreSQL pass leaves it out (tests/conftest.py)

REFERENCE = _API / "pagerduty"
RECORDED = REFERENCE / "recorded" / "pypd-test-data"


def load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def check_batch(batch: dict[str, list[dict[str, Any]]]) -> None:
    """Every row names real columns, every time is aware UTC, no string holds a NUL byte."""
    for table, rows in batch.items():
        columns = set(Base.metadata.tables[table].columns.keys())
        for row in rows:
            assert set(row) <= columns, (table, set(row) - columns)
            for value in row.values():
                if isinstance(value, datetime):
                    assert value.tzinfo is UTC
                if isinstance(value, str):
                    assert "\x00" not in value


def test_recorded_incidents() -> None:
    for payload in load("sample_incidents.json"):
        batch = map_incident(payload)
        check_batch(batch)
        row, evidence = batch["pd_incident"][0], batch["evidence"][0]
        assert row["incident_key"] is None  # real incidents break the spec's non-null string
        assert row["created_at"].tzinfo is UTC
        assert evidence["native_id"] == payload["id"] and evidence["url"] == payload["html_url"]
        assert evidence["container"] == payload["service"]["id"]
        assert evidence["text"].startswith(f"[#{payload['incident_number']}]")
    # Docs-style examples with a string resolve_reason and pending actions.
    for name in ("sample_incident_resolve_response.json", "sample_incident_snooze_response.json"):
        body = load(name)
        for payload in body.get("incidents") or [body.get("incident")]:
            check_batch(map_incident(payload))


def test_recorded_alerts_with_offsets() -> None:
    batches = [map_alert(payload) for payload in load("sample_alerts.json")]
    for batch in batches:
        check_batch(batch)
        assert batch["pd_alert"][0]["incident_id"] == "INCIDENT1"
        assert batch["evidence"][0]["parent_native_id"] == "INCIDENT1"
    # 2017-04-06T23:41:08-04:00 is 03:41:08 UTC the next day.
    assert batches[0]["pd_alert"][0]["created_at"] == datetime(2017, 4, 7, 3, 41, 8, tzinfo=UTC)


def test_recorded_services_and_note() -> None:
    for payload in load("sample_services.json"):
        check_batch(map_service(payload))
    note = load("sample_incident_create_note_response.json")["note"]
    batch = map_note({**note, "incident": {"id": "PINC1", "summary": "[#7] Fire",
                                          "html_url": "https://x.pagerduty.com/incidents/PINC1"}})
    check_batch(batch)
    assert batch["pd_note"][0]["created_at"] == datetime(2013, 3, 6, 20, 28, 51, tzinfo=UTC)
    assert batch["evidence"][0]["url"] == "https://x.pagerduty.com/incidents/PINC1"
    assert batch["evidence"][0]["attributes"] == {"incident_number": 7}
    with pytest.raises(ValueError):
        map_note(note)  # a note that names no incident is quarantined, not stored half


def test_facts_field_names_are_read() -> None:
    """The mapper reads fields the spec digest declares for each object (catches typos in key names)."""
    facts = json.loads((REFERENCE / "facts.json").read_text())["objects"]
    read = {
        "Incident": ["id", "incident_number", "title", "created_at", "status", "incident_key", "service",
                     "assignments", "last_status_change_at", "resolved_at", "escalation_policy", "teams",
                     "acknowledgements", "urgency", "html_url", "priority", "alert_counts"],
        "Alert": ["id", "summary", "created_at", "status", "alert_key", "service", "incident", "suppressed",
                  "severity", "body", "html_url"],
        "IncidentNote": ["id", "user", "content", "created_at"],
        "ChangeEvent": ["id", "summary", "timestamp", "services", "source", "links", "custom_details", "html_url"],
        "NotifyLogEntry": ["id", "type", "created_at", "summary", "agent", "channel", "service", "incident", "user"],
        "User": ["id", "name", "email", "time_zone", "role", "html_url"],
    }
    for obj, fields in read.items():
        missing = set(fields) - set(facts[obj]["fields"])
        assert not missing, (obj, missing)


def test_log_entry_variants_and_references() -> None:
    base = {"created_at": "2022-12-06T09:30:00-05:00",
            "incident": {"id": "PI1", "type": "incident_reference", "summary": "[#1042] Search missing SKUs",
                         "html_url": "https://shop.pagerduty.com/incidents/PI1"},
            "service": {"id": "PSVC1", "type": "service_reference", "summary": "search-api"}}
    notify = map_log_entry({**base, "id": "R1", "type": "notify_log_entry", "summary": "Notified Ana by SMS",
                            "agent": {"id": "PSVC1", "type": "service_reference", "summary": "search-api"},
                            "channel": {"type": "sms"}, "user": {"id": "PU1", "type": "user_reference",
                                                                 "summary": "Ana"},
                            "notification": {"type": "sms_notification"}})
    check_batch(notify)
    row = notify["pd_log_entry"][0]
    assert (row["user_id"], row["notification_type"], row["channel_type"]) == ("PU1", "sms_notification", "sms")
    assert row["created_at"] == datetime(2022, 12, 6, 14, 30, tzinfo=UTC)
    ev = notify["evidence"][0]
    assert ev["url"] == "https://shop.pagerduty.com/incidents/PI1" and ev["parent_native_id"] == "PI1"
    assert ev["actor"] is None and ev["attributes"]["incident_number"] == 1042
    assert notify["account"] == [{"source": "pagerduty", "native_id": "PU1", "display_name": "Ana"}]
    manual = map_log_entry({**base, "id": "R2", "type": "annotate_log_entry",
                            "summary": "I'm going to page the search team: see PR 23 and "
                                       "https://github.com/shop/search-tools/pull/23, INC-1041",
                            "agent": {"id": "PU2", "type": "user_reference", "summary": "Cy"},
                            "channel": {"type": "web_ui"}})
    refs = {(r["ref_kind"], r["target"]) for r in manual["evidence_ref"]}
    assert {("pr_number", "23"), ("pull_request", "shop/search-tools#23"), ("incident_number", "1041")} <= refs
    assert manual["evidence"][0]["actor"] == "PU2"
    # The spec's other spelling of the acknowledgement type is stored as sent.
    ack = map_log_entry({**base, "id": "R3", "type": "acknowledgement_log_entry", "summary": None})
    assert ack["pd_log_entry"][0]["type"] == "acknowledgement_log_entry"
    assert ack["evidence"][0]["title"] == "acknowledgement_log_entry"


def test_odd_text_and_sizes() -> None:
    details = {"msg": "x" * 100_000, "emoji": "🔥 مرحبا"}
    alert = map_alert({"id": "PA1", "summary": "bad\x00byte 🔥", "created_at": "2022-12-06T14:30:00Z",
                       "status": "triggered", "body": {"details": details}, "suppressed": True,
                       "incident": {"id": "PI1"}, "service": {"id": "PS1"}})
    check_batch(alert)
    assert alert["pd_alert"][0]["summary"] == "badbyte 🔥"
    assert alert["pd_alert"][0]["suppressed"] is True
    assert len(alert["evidence"][0]["text"]) < 10_000
    assert set(alert["pd_alert"][0]["details"]) == {"_truncated"}
    with pytest.raises(ValueError):
        map_incident({"id": "PI9", "title": "no time"})
    change = map_change_event({"id": "PC1", "summary": "Deploy", "timestamp": "2022-12-04T10:00:00+01:00",
                               "services": [{"id": "PS1", "summary": "search-api"}],
                               "links": [{"href": "https://github.com/shop/search-tools/pull/23", "text": "PR"}],
                               "custom_details": {"commit": "abcdef1234567"}})
    check_batch(change)
    assert change["pd_change_event"][0]["timestamp"] == datetime(2022, 12, 4, 9, tzinfo=UTC)
    assert ("pull_request", "shop/search-tools#23") in {(r["ref_kind"], r["target"]) for r in change["evidence_ref"]}
    user = map_user({"id": "PU1", "name": "Ana", "email": "Ana@Shop.example", "type": "user"})
    assert user["account"][0]["person_key"] == "ana@shop.example"
    assert map_record("cursor", {"partition": "account"}) == {}
