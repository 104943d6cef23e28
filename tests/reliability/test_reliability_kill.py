"""Kill and resume: `lookback ingest` killed with SIGKILL at random points, then run again to completion.

After every kill no cursor is past unstored data and no evidence is duplicated; after the final run the
warehouse equals a clean run's, table by table. A few seeded cases in `make test`, many under `make soak`.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from tests.reliability.helpers import (
    assert_same_warehouse,
    cursor_violations,
    duplicates,
    ingest_all,
    iso_now,
    sandbox_settings_env,
    settings_for,
    small_world,
)

LOOKBACK = str(Path(sys.executable).with_name("lookback"))
KILLS: list[str] = []  # every kill tried, for the closing summary


@pytest.fixture(scope="module")
def world() -> dict:
    return small_world()


@pytest.fixture(scope="module")
def sandbox(world) -> Iterator[Sandbox]:
    with start(small_world(), Knobs(slack_tiers=False).updated(latency_ms=2)) as sb:
        yield sb


@pytest.fixture(scope="module")
def clean(sandbox: Sandbox, module_warehouses) -> tuple[Engine, str, int]:
    since = iso_now()
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    sandbox.reset_stats()
    assert ingest_all(settings_for(sandbox.env(), url), engine)["status"] == "completed"
    return engine, since, sandbox.stats()["total"]


def cli_env(sandbox: Sandbox, url: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, **sandbox_settings_env(sandbox.env(), url), "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def run_and_kill(env: dict[str, str], sandbox: Sandbox, *, after_requests: int | None, after_s: float | None,
                 timeout: float = 120) -> tuple[bool, str]:
    """Start `lookback ingest`; SIGKILL it after N sandbox requests or T seconds. Returns (killed, stderr)."""
    sandbox.reset_stats()
    proc = subprocess.Popen([LOOKBACK, "ingest"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    started = time.monotonic()
    try:
        while proc.poll() is None:
            elapsed = time.monotonic() - started
            hit = (after_requests is not None and sandbox.stats()["total"] >= after_requests) or (
                after_s is not None and elapsed >= after_s)
            if hit:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return True, ""
            if elapsed > timeout:
                raise AssertionError("lookback ingest did not finish in time")
            time.sleep(0.003)
        _, err = proc.communicate()
        return False, err.decode(errors="replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def kill_then_resume(seed: int, sandbox: Sandbox, world: dict, clean, warehouses) -> None:
    clean_engine, since, total_requests = clean
    rng = random.Random(seed)
    url = warehouses.url()
    env = cli_env(sandbox, url)
    engine = warehouses.engine(url, migrate=False)
    kills = rng.randint(1, 2)
    for i in range(kills):
        # Mostly a random request of the run; sometimes a random moment of start-up (schema creation included).
        if rng.random() < 0.25:
            killed, err = run_and_kill(env, sandbox, after_requests=None, after_s=rng.uniform(0.3, 3.0))
            point = "start-up"
        else:
            killed, err = run_and_kill(env, sandbox, after_requests=rng.randint(1, total_requests), after_s=None)
            point = "request"
        KILLS.append(f"seed {seed} kill {i + 1}: {point} {'killed' if killed else 'finished first'}")
        assert killed or not err.strip() or "completed" in err, err
        from sqlalchemy import inspect

        if inspect(engine).has_table("ingest_cursor"):
            engine.dispose()
            assert cursor_violations(engine, world) == []
            assert duplicates(engine) == 0
    done = subprocess.run([LOOKBACK, "ingest"], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    engine.dispose()
    assert cursor_violations(engine, world) == []
    assert_same_warehouse(clean_engine, engine, since)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_ingest_resumes_to_the_clean_result(seed, prefect_harness, sandbox, world, clean,
                                                   module_warehouses):
    kill_then_resume(seed, sandbox, world, clean, module_warehouses)


@pytest.mark.soak
@pytest.mark.parametrize("seed", range(100, 120))
def test_killed_ingest_resumes_to_the_clean_result_soak(seed, prefect_harness, sandbox, world, clean,
                                                        module_warehouses):
    kill_then_resume(seed, sandbox, world, clean, module_warehouses)


def teardown_module() -> None:
    print(f"\nkill and resume: {len(KILLS)} kills tried: {KILLS}")
