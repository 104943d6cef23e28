"""Flow tests: one Prefect test harness for the session, and the seed world in a sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from lookback.sandbox.worlds import load_world


@pytest.fixture(scope="session")
def seed() -> tuple[dict[str, Any], dict[str, Any]]:
    return load_world("seed")


@pytest.fixture
def seed_sandbox(seed, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Sandbox]:
    """A sandbox serving a fresh copy of the seed world, with lookback's settings pointing at it."""
    import copy

    world = copy.deepcopy(seed[0])
    with start(world, Knobs(slack_tiers=False)) as sandbox:
        for name, value in sandbox.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("LOOKBACK_DATABASE_URL", database_url)
        monkeypatch.setenv("LOOKBACK_HISTORY", "2000d")
        yield sandbox
