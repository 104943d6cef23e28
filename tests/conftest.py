"""Shared fixtures: a migrated warehouse on SQLite (default) or PostgreSQL, and Prefect kept local and quiet."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Prefect reads its settings at import: make them local, quiet and private before any test imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="lookback-prefect-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# Reports written by flows go to a temporary folder, never the developer's data directory.
os.environ.setdefault("LOOKBACK_REPORT_DIR", tempfile.mkdtemp(prefix="lookback-reports-"))
# No test may read a developer's real settings or tokens.
for _var in ("GITHUB_TOKEN", "SLACK_BOT_TOKEN", "PAGERDUTY_API_TOKEN", "LOOKBACK_CONFIG", "LOOKBACK_DATABASE_URL"):
    os.environ.pop(_var, None)

import pytest  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from warehouse.db import ensure_schema, make_engine  # noqa: E402


def _reference_dir() -> Path:
    """The recorded vendor payloads: LOOKBACK_REFERENCE_DIR, else `shared/` beside this checkout, else beside
    the repository this checkout was cloned from (a CI clone lives elsewhere)."""
    if os.environ.get("LOOKBACK_REFERENCE_DIR"):
        return Path(os.environ["LOOKBACK_REFERENCE_DIR"])
    repo = Path(__file__).resolve().parents[1]
    candidates = [repo.parent / "shared"]
    try:
        import subprocess

        origin = subprocess.run(["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        if origin and "://" not in origin:
            candidates.append(Path(origin.removeprefix("file:")).resolve().parent / "shared")
    except (OSError, subprocess.SubprocessError):
        pass
    for shared in candidates:
        if (shared / "reference" / "api").is_dir():
            return shared / "reference" / "api"
    return candidates[0] / "reference" / "api"


REFERENCE = _reference_dir()
SHARED = REFERENCE.parents[1]


def backend_url() -> str | None:
    """The PostgreSQL URL of this test pass, or None for SQLite."""
    return os.environ.get("LOOKBACK_TEST_DATABASE_URL") or None


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of this pass's backend; PostgreSQL gets a fresh schema per test."""
    pg = backend_url()
    if not pg:
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    schema = f"lbt_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    try:
        yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty warehouse."""
    eng = make_engine(database_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session in an open transaction, rolled back at the end of the test."""
    with Session(engine, expire_on_commit=False) as sess:
        yield sess
        sess.rollback()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session (each one costs seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass is the suite again against another warehouse: tests that touch no warehouse (the
    sandbox's worlds and fake APIs, the connectors, the mappers; marked `no_warehouse`) ran in the SQLite pass."""
    if backend_url() is None:
        return
    skip = pytest.mark.skip(reason="no warehouse in this test: it runs once, in the SQLite pass")
    for item in items:
        if item.get_closest_marker("no_warehouse") or item.nodeid.replace("\\", "/").startswith("tests/sandbox/"):
            item.add_marker(skip)
