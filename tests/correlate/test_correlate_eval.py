"""The evaluation: metrics on a hand-made warehouse, and the seed world's goal once the pipeline exists."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.eval import evaluate
from tests.correlate.conftest import World, checkout_story


def test_evaluate_metrics_on_a_hand_made_world(engine: Engine) -> None:
    world = World()
    ids = checkout_story(world)
    with Session(engine) as session, session.begin():
        world.load(session)
    truth = {"incident": {"id": "PINC1", "number": 77}, "impact_start": "2022-12-05T09:42:00Z",
             "items": [{"source": "github", "native_id": ids["detection"], "role": "detection_weakened", "must_see": True},
                       {"source": "github", "native_id": ids["trigger"], "role": "trigger", "must_see": True},
                       {"source": "github", "native_id": "shop/nowhere#1", "role": "context", "must_see": True},
                       {"source": "slack", "native_id": ids["report"], "role": "customer_report", "must_see": False}]}
    res = evaluate(engine, truth)
    assert res["must_see"] == 3
    assert res["recall@5"] == res["recall@10"] == pytest.approx(2 / 3, abs=1e-3)
    assert 0 < res["mrr"] <= (1 + 1 / 2) / 3 + 1e-6
    assert res["roles"]["detection_weakened"] == {"right": 1, "ranked": 1, "total": 1}
    assert res["roles"]["context"] == {"right": 0, "ranked": 0, "total": 1}
    assert res["impact_start_error_h"] == pytest.approx(0.0, abs=0.1)


def test_seed_world_goal(tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    """Issue 9's goal on the seed world, end to end through the sandbox and the backfill flow, on this pass's database."""
    from bench.eval import _backfill
    from lookback.sandbox.worlds import load_world

    _, truth = load_world("seed")
    engine = _backfill("seed", tmp_path, database_url)
    res = evaluate(engine, truth)
    top5 = {it["native_id"]: it for it in res["items"] if it["rank"] and it["rank"] <= 5}
    assert top5["shop/alerting#22"]["role"] == "detection_weakened"
    assert top5["shop/search-tools#23"]["role"] == "trigger"
    # The goal: every must-see fact in the top 10. Strictly (the named record of each fact, not
    # its twin) the engine reaches 90%: that must not regress either.
    assert res["recall@10"] == 1.0
    assert res["recall@10_strict"] >= 0.9
    # Storylines: the noisy pages, PR 22 and the silent alerts tell one story; PR 23, what followed it
    # (the contributors between it and the page) and the fix tell another.
    from sqlalchemy import text

    with engine.connect() as conn:
        group = dict(conn.execute(text("SELECT e.native_id, l.group_key FROM evidence_link l JOIN evidence e "
                                       "ON e.id = l.evidence_id")).all())
    assert group["shop/alerting#22"].startswith("detection-") and group["PSZ2X4N"] == group["shop/alerting#22"]
    change = group["shop/search-tools#23"]
    assert change.startswith("change-") and group["shop/search-tools#27"] == change
    contributors = [i["native_id"] for i in truth["items"] if i["role"] == "contributor"]
    assert contributors and all(group[c] == change for c in contributors), {c: group[c] for c in contributors}


@pytest.mark.parametrize("world", ["payments-pool", "cert-expiry"])
def test_other_worlds_reach_recall_at_10_of_90_percent(world: str, tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    """The goal on the generated stories: recall@10 of their must-see items >= 90%."""
    from bench.eval import _backfill
    from lookback.sandbox.worlds import load_world

    _, truth = load_world(world)
    res = evaluate(_backfill(world, tmp_path, database_url), truth)
    assert res["recall@10"] >= 0.9, res
    ranked = {it["native_id"]: it for it in res["items"]}
    for it in truth["items"]:
        if it["role"] in ("trigger", "detection_weakened"):
            assert ranked[it["native_id"]]["rank"] and ranked[it["native_id"]]["rank"] <= 5, it
            assert ranked[it["native_id"]]["role"] == it["role"], it


# Stories of another shape (no noisy pages; a deleted check; a swallowed crash; another team paged; an
# alarm re-routed to low urgency; a namespace excluded from an OOM alert; delivery receipts counted as
# delivered; a price check that converts currencies; a check-in alert on a baseline over 6 hours; an alert
# re-routed after another service's noisy pages; a job's tolerance widened; database errors left out of an
# error tracker's alert; a service paged at low urgency outside support hours; 429s left out of the SLI; a
# synthetic check made 30-minutely; a log filter before the alerting store; errors swallowed into a fallback; a
# shallow readiness probe; a deleted heartbeat; a disk alert made a ticket; a broad silence; browser errors
# ignored; a job that no longer fails; a bounce alert moved to a digest; an alert summed over regions; a probe
# served from cache; SSO left out of the login alert). All of them from booking-dlq on were held out: written by
# helpers that did not read the engine, and scored once before any fix (see the README). These floors, and the
# rank the trigger and the weakening change reach with their roles (`lead`), are what the engine reaches at
# HEAD; they must not regress.
# Within CI's 20 minutes these floors run in the SQLite pass only; the seed's goal and the two above run in both.
# On PostgreSQL they held too when last run (LOOKBACK_FLOORS_ON_POSTGRES=1 LOOKBACK_TEST_DATABASE_URL=...
# pytest tests/correlate/test_correlate_eval.py, 3 min on 2026-12-08): schema-drop reaches 80% there, its floor.
@pytest.mark.skipif(bool(os.environ.get("LOOKBACK_TEST_DATABASE_URL")) and not os.environ.get("LOOKBACK_FLOORS_ON_POSTGRES"),
                    reason="SQLite pass only (CI time); LOOKBACK_FLOORS_ON_POSTGRES=1 runs them")
@pytest.mark.parametrize("world, floor, lead", [("etl-backfill", 0.88, 5), ("mobile-release", 0.9, 5),
                                                ("booking-dlq", 0.9, 5), ("seatmap-oom", 0.9, 5),
                                                ("ranked-queue", 0.9, 5), ("otp-relay", 0.7, 5),
                                                ("price-cache", 0.9, 6), ("ota-rollout", 0.9, 5),
                                                ("edge-reroute", 0.8, 5), ("ledger-rounding", 0.7, 7),
                                                ("schema-drop", 0.8, 5), ("push-overnight", 0.8, 5),
                                                ("tenant-throttle", 0.9, 6), ("batch-window", 0.8, 6),
                                                ("log-drop", 0.7, 5), ("retry-storm", 0.7, 5),
                                                ("flag-fallback", 0.8, 5), ("offset-skip", 0.8, 5),
                                                ("wal-retention", 0.8, 5), ("silence-matcher", 0.8, 6),
                                                ("csp-iframe", 0.6, 5), ("iam-export", 0.9, 6),
                                                ("dns-cutover", 0.7, 5), ("region-sum", 0.6, 5),
                                                ("cached-probe", 0.9, 5), ("saml-rotation", 0.8, 5)])
def test_stories_of_another_shape_do_not_regress(world: str, floor: float, lead: int, tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    from bench.eval import _backfill
    from lookback.sandbox.worlds import load_world

    _, truth = load_world(world)
    res = evaluate(_backfill(world, tmp_path, database_url), truth)
    assert res["recall@10"] >= floor, res
    ranked = {it["native_id"]: it for it in res["items"]}
    for it in truth["items"]:
        if it["role"] in ("trigger", "detection_weakened") and it.get("must_see"):
            assert ranked[it["native_id"]]["rank"] <= lead and ranked[it["native_id"]]["role"] == it["role"], it


def test_eval_into_one_database_takes_one_world(capsys) -> None:  # type: ignore[no-untyped-def]
    from bench.eval import main

    with pytest.raises(SystemExit) as exc:
        main(["seed", "cert-expiry", "--into", "sqlite://"])
    assert exc.value.code == 2
    assert "take one world" in capsys.readouterr().err
