"""The sandbox's worlds and fake APIs never touch the warehouse: the SQLite pass runs these tests, and the
PostgreSQL pass (the same suite again with LOOKBACK_TEST_DATABASE_URL) leaves them out rather than repeat them."""

from __future__ import annotations

import pytest

from tests.conftest import backend_url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if backend_url() is None:
        return
    skip = pytest.mark.skip(reason="no warehouse in these tests: run once, in the SQLite pass")
    for item in items:
        if "tests/sandbox/" in item.nodeid.replace("\\", "/"):
            item.add_marker(skip)
