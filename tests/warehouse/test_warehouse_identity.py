"""People across sources: joined by email, or by the explicit mapping in settings."""

from __future__ import annotations

from sqlalchemy import text

from warehouse.identity import resolve_people
from warehouse.load import upsert


def test_accounts_join_by_email_and_by_explicit_mapping(session):
    upsert(session, "account", [
        {"source": "github", "native_id": "ana-s", "handle": "ana-s", "display_name": "Ana S", "email": "ana@shop.example",
         "person_key": "ana@shop.example"},
        {"source": "pagerduty", "native_id": "PUSR001", "handle": None, "display_name": "Ana S",
         "email": "ANA@shop.example", "person_key": "ana@shop.example"},
        {"source": "slack", "native_id": "U024BE7LH", "handle": "ana", "display_name": "ana", "email": None,
         "person_key": None},
        {"source": "slack", "native_id": "U999", "handle": "bo", "display_name": "Bo", "email": None, "person_key": None},
    ])
    assert resolve_people(session, {"ana@shop.example": ["slack:U024BE7LH"]}) == 1
    keys = dict(session.execute(text("SELECT source || ':' || native_id, person_key FROM account")).all())
    assert keys["slack:U024BE7LH"] == keys["github:ana-s"] == keys["pagerduty:PUSR001"] == "ana@shop.example"
    assert keys["slack:U999"] is None
    person = session.execute(text("SELECT key, display_name, email FROM person")).one()
    assert tuple(person) == ("ana@shop.example", "Ana S", "ana@shop.example")
    assert resolve_people(session, {"ana@shop.example": ["slack:U024BE7LH"]}) == 0  # idempotent
