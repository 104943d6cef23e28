"""Concurrent runs on one warehouse: two nightlies at once, and a nightly with a backfill at once.

No duplicate, no cursor ever seen moving backwards (sampled throughout), and the result equals a single
clean run. On PostgreSQL (the multi-worker case) and SQLite (WAL: the second writer waits, never fails).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from tests.reliability.helpers import (
    assert_same_warehouse,
    cursors,
    duplicates,
    ingest_all,
    iso_now,
    settings_for,
    small_world,
)
from warehouse.db import make_engine

WORLD = {"pulls": 30, "messages": 250, "incidents": 12}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(small_world(**WORLD), Knobs(slack_tiers=False).updated(latency_ms=1, jitter_ms=3)) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean(sandbox, module_warehouses) -> tuple[Engine, str]:
    since = iso_now()
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    assert ingest_all(settings_for(sandbox.env(), url), engine)["status"] == "completed"
    return engine, since


def run_together(url: str, jobs: list[Callable[[Engine], Any]]) -> list[Any]:
    """Run jobs in threads at once (each with its own engine), while watching cursors for backward moves."""
    results: list[Any] = [None] * len(jobs)
    backwards: list[str] = []
    done = threading.Event()
    watcher_engine = make_engine(url)

    def watch() -> None:
        seen: dict[tuple[str, str], str] = {}
        while not done.is_set():
            for key, value in cursors(watcher_engine).items():
                if key in seen and value < seen[key]:
                    backwards.append(f"{key}: {seen[key]} -> {value}")
                seen[key] = value
            time.sleep(0.02)

    def worker(i: int) -> None:
        engine = make_engine(url)
        try:
            results[i] = jobs[i](engine)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            results[i] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    watcher = threading.Thread(target=watch)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    done.set()
    watcher.join()
    watcher_engine.dispose()
    assert backwards == [], backwards
    for r in results:
        assert not isinstance(r, BaseException), repr(r)
    return results


def test_two_nightlies_at_once_store_what_one_does(sandbox, clean, module_warehouses):
    clean_engine, since = clean
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    cfg = settings_for(sandbox.env(), url)
    results = run_together(url, [lambda e: ingest_all(cfg, e), lambda e: ingest_all(cfg, e)])
    assert [r["status"] for r in results] == ["completed", "completed"], results
    assert duplicates(engine) == 0
    assert_same_warehouse(clean_engine, engine, since)


def test_a_nightly_and_a_backfill_at_once(sandbox, clean, module_warehouses):
    from flows.backfill import backfill

    clean_engine, since = clean
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    cfg = settings_for(sandbox.env(), url)
    incident = small_world(**WORLD)["pagerduty"]["incidents"][-1]["id"]
    results = run_together(url, [lambda e: ingest_all(cfg, e), lambda e: backfill(cfg, e, incident, use_prefect=False)])
    assert results[0]["status"] == "completed" and results[1]["incident"] == incident, results
    assert duplicates(engine) == 0
    # The backfill never moves a nightly cursor: the cursors are exactly the nightly's.
    from tests.reliability.helpers import comparable_cursors

    assert comparable_cursors(engine, since) == comparable_cursors(clean_engine, since)
    with engine.connect() as conn:
        stored = {tuple(r) for r in conn.execute(text("SELECT source, native_id FROM evidence"))}
    with clean_engine.connect() as conn:
        wanted = {tuple(r) for r in conn.execute(text("SELECT source, native_id FROM evidence"))}
    assert stored == wanted


def test_a_second_nightly_of_a_source_waits_for_the_first_and_says_so(module_warehouses):
    from warehouse.locks import source_lock

    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    messages: list[str] = []
    entered: list[str] = []

    def second() -> None:
        other = make_engine(url)
        with source_lock(other, "github", messages.append):
            entered.append("github")
        other.dispose()

    with source_lock(engine, "github", messages.append):
        with source_lock(engine, "slack", messages.append):  # another source is not held up
            pass
        thread = threading.Thread(target=second)
        thread.start()
        for _ in range(250):
            if messages:
                break
            time.sleep(0.02)
        assert messages and "ingesting github" in messages[0] and "waits" in messages[0], messages
        assert entered == [], "the second run went on while the first held the lock"
    thread.join(timeout=10)
    assert entered == ["github"] and len(messages) == 1
