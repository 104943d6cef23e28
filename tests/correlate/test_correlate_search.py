"""Full-text search finds the same items on SQLite (FTS5) and PostgreSQL (tsvector), identifiers included."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.correlate.conftest import World, at
from warehouse.context import fts_ids, fts_phrase_ids


def _native_ids(session: Session, found: dict[int, float]) -> set[str]:
    if not found:
        return set()
    return {r[0] for r in session.execute(text("SELECT native_id FROM evidence WHERE id IN (" +
                                               ",".join(str(int(i)) for i in found) + ")"))}


def test_identifiers_are_found_by_their_parts_on_every_backend(session: Session, world: World) -> None:
    world.say("C1", "#etl-alerts", at(-1), "B1", "SLA miss: `orders_feed.load_daily` (run 16) is still running", bot=True)
    world.say("C1", "#etl-alerts", at(-1, 1), "B1", "rollout of checkout-api/v2.3 done; waitForRaw keeps polling", bot=True)
    world.say("C1", "#etl-alerts", at(-1, 2), "U1", "daily orders feed looks fine to me")
    world.load(session)
    lo, hi = at(-2), at(0)
    phrase = _native_ids(session, fts_phrase_ids(session, [["orders", "feed", "load", "daily"]], lo, hi, limit=10))
    (only,) = phrase
    assert "orders_feed" in session.execute(text("SELECT text FROM evidence WHERE native_id = :n"), {"n": only}).scalar()
    assert len(_native_ids(session, fts_phrase_ids(session, [["checkout", "api", "v2", "3"]], lo, hi, limit=10))) == 1
    # Single words are stemmed alike on both backends: `running` and `run`, `daily` in an identifier and alone.
    assert len(_native_ids(session, fts_ids(session, ["daily"], lo, hi, limit=10))) == 2
    assert len(_native_ids(session, fts_ids(session, ["waitforraw"], lo, hi, limit=10))) == 1
