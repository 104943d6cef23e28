"""Fault matrix: each fault at 10% on every API (so on every source), then all at once; the warehouse
afterwards equals a clean run's, table by table (content hashes, not row counts)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from tests.reliability.helpers import SOURCES, assert_same_warehouse, ingest_all, iso_now, settings_for, small_world

# Each case is applied to all three APIs at once: every source meets every fault.
CASES: dict[str, dict[str, Any]] = {
    "429": {"rate_429": 0.10, "retry_after": 0},
    "500": {"rate_500": 0.10},
    "502": {"rate_502": 0.10},
    "503": {"rate_503": 0.10},
    "drop": {"rate_drop": 0.10},
    "truncate": {"rate_truncate": 0.10},
    "spikes": {"spike_rate": 0.10, "spike_ms": 250, "latency_ms": 2, "jitter_ms": 5},
    # Every kind together (12% of requests fail), 429s asking for a real one-second wait.
    "all": {"rate_429": 0.02, "retry_after": 1, "rate_500": 0.02, "rate_502": 0.02, "rate_503": 0.02,
            "rate_drop": 0.02, "rate_truncate": 0.02, "spike_rate": 0.10, "spike_ms": 150},
}
CLEAN = {name: 0.0 for name in ("rate_429", "rate_500", "rate_502", "rate_503", "rate_drop", "rate_truncate",
                                "spike_rate", "latency_ms", "jitter_ms")}

TOTALS: dict[str, dict[str, int]] = {}  # case -> fault kind -> injected (printed at the end of the module)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # One sandbox for the clean and faulty runs: its URLs appear in raw payloads, so they must match.
    with start(small_world(), Knobs(slack_tiers=False, seed=12)) as sb:
        yield sb


# GitHub's GraphQL transport needs a handful of requests for this world, too few for a 10% fault to be
# sure to hit it; the REST transport asks per PR (files, reviews, comments), so single-fault cases use it.
TRANSPORT = {case: "graphql" if case == "all" else "rest" for case in CASES}


@pytest.fixture(scope="module")
def clean(sandbox: Sandbox, module_warehouses) -> dict[str, tuple[Engine, str]]:
    out = {}
    for transport in ("rest", "graphql"):
        since = iso_now()
        url = module_warehouses.url()
        engine = module_warehouses.engine(url)
        summary = ingest_all(settings_for(sandbox.env(), url, LOOKBACK_GITHUB_TRANSPORT=transport), engine)
        assert summary["status"] == "completed", summary
        out[transport] = (engine, since)
    assert sandbox.stats()["faults"]["total"] == 0
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_faulty_run_stores_exactly_what_a_clean_run_stores(case: str, sandbox: Sandbox, clean, module_warehouses):
    clean_engine, since = clean[TRANSPORT[case]]
    sandbox.set_knobs(**{**CLEAN, **CASES[case]})
    sandbox.reset_stats()
    url = module_warehouses.url()
    engine = module_warehouses.engine(url)
    try:
        summary = ingest_all(settings_for(sandbox.env(), url, LOOKBACK_GITHUB_TRANSPORT=TRANSPORT[case]), engine)
    finally:
        faults = sandbox.stats()["faults"]
        sandbox.set_knobs(**CLEAN)
    assert summary["status"] == "completed", summary
    assert not summary["failed"] and not summary["skipped"], summary
    # The faults really happened, on every source (spikes are delays, not counted as faults).
    if case == "spikes":
        assert sandbox.stats()["total"] > 0
    elif case == "all":
        assert faults["total"] >= 5, faults
    else:
        assert set(faults["apis"]) == set(SOURCES), faults
    TOTALS[case] = {f"{api}:{kind}": n for api, kinds in faults["apis"].items() for kind, n in kinds.items()}
    assert_same_warehouse(clean_engine, engine, since)


def teardown_module() -> None:
    total = sum(n for kinds in TOTALS.values() for n in kinds.values())
    print(f"\nfault matrix: {total} faults injected and survived: {TOTALS}")
