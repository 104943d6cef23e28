"""One person across sources: accounts joined by email, or by an explicit mapping from settings."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from warehouse.load import upsert


def resolve_people(session: Session, identities: Mapping[str, Sequence[str]] | None = None) -> int:
    """Apply the explicit mapping (``key -> ["github:login", "slack:U123", "pagerduty:PABC"]``), then
    store one ``person`` per person key; returns persons written. Session first, never commits.

    Mappers already set ``account.person_key`` to the lower-cased email where a source shows one.
    """
    for key, members in (identities or {}).items():
        person = key.strip().lower() if "@" in key else f"name:{key.strip()}"
        for member in members:
            source, _, handle = member.partition(":")
            session.execute(
                text("UPDATE account SET person_key = :k WHERE source = :s AND (native_id = :h OR handle = :h)"),
                {"k": person, "s": source.strip(), "h": handle.strip()},
            )
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for key, name in session.execute(text("SELECT person_key, display_name FROM account WHERE person_key IS NOT NULL")):
        names[key][name or ""] += 1
    rows = []
    for key, counts in names.items():
        counts.pop("", None)
        rows.append({"key": key, "display_name": counts.most_common(1)[0][0] if counts else None,
                     "email": key if "@" in key else None})
    return upsert(session, "person", rows)
