"""Bad settings: each gives one clear message naming what to fix, exit code 2, and nothing written.

Unreachable URL, wrong scheme, refused tokens (the sandbox answers 401 to tokens starting with ``bad``),
unknown repo, org, channel or service, no CA for a private certificate, a database that cannot be opened,
and a database from a newer lookback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from lookback.cli import app
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from lookback.sandbox.testing import tiny_world
from tests.reliability.helpers import sandbox_settings_env
from warehouse.fingerprint import table_fingerprints

# case -> (settings changed, words the message must contain)
CASES: dict[str, tuple[dict[str, str | None], tuple[str, ...]]] = {
    "unreachable github": ({"GITHUB_API_URL": "https://127.0.0.1:9/api/v3"}, ("GITHUB_API_URL", "connect")),
    "unreachable pagerduty": ({"PAGERDUTY_API_URL": "https://127.0.0.1:9"}, ("PAGERDUTY_API_URL", "connect")),
    "wrong scheme": ({"SLACK_API_URL": "ftp://127.0.0.1/api/"}, ("SLACK_API_URL", "http")),
    "github token refused": ({"GITHUB_TOKEN": "bad-github-token"}, ("GITHUB_TOKEN", "refused")),
    "slack token refused": ({"SLACK_BOT_TOKEN": "bad-xoxb-token"}, ("SLACK_BOT_TOKEN", "refused")),
    "pagerduty token refused": ({"PAGERDUTY_API_TOKEN": "bad-pd-token"}, ("PAGERDUTY_API_TOKEN", "refused")),
    "unknown repo": ({"LOOKBACK_GITHUB_REPOS": "shop/no-such-repo"}, ("LOOKBACK_GITHUB_REPOS", "shop/no-such-repo")),
    "unknown org": ({"LOOKBACK_GITHUB_ORGS": "no-such-org"}, ("LOOKBACK_GITHUB_ORGS", "no-such-org")),
    "unknown channel": ({"LOOKBACK_SLACK_CHANNELS": "#no-such-channel"}, ("LOOKBACK_SLACK_CHANNELS", "no-such-channel")),
    "unknown service": ({"LOOKBACK_PAGERDUTY_SERVICES": "PNOSUCH"}, ("LOOKBACK_PAGERDUTY_SERVICES", "PNOSUCH")),
    "no CA for the private certificate": ({"LOOKBACK_CA_BUNDLE": None}, ("TLS", "LOOKBACK_CA_BUNDLE")),
    "CA file missing": ({"LOOKBACK_CA_BUNDLE": "/nonexistent/ca.pem"}, ("LOOKBACK_CA_BUNDLE",)),
    "database folder cannot be made": ({"LOOKBACK_DATABASE_URL": "sqlite:////proc/no-such/warehouse.db"},
                                       ("LOOKBACK_DATABASE_URL",)),
    "database unreachable": ({"LOOKBACK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/x"},
                             ("LOOKBACK_DATABASE_URL", "cannot open")),
    "database url malformed": ({"LOOKBACK_DATABASE_URL": "mysql://x/y"}, ("LOOKBACK_DATABASE_URL",)),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(tiny_world(), Knobs(slack_tiers=False)) as sb:
        yield sb


def invoke(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def untouched(url: str) -> bool:
    """Nothing written: no SQLite file, or no table in the PostgreSQL schema."""
    if url.startswith("sqlite:///"):
        return not Path(url.removeprefix("sqlite:///")).exists()
    from warehouse.db import make_engine

    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["ingest", "backfill"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_setting_is_one_clear_message_exit_2_and_nothing_written(case, command, sandbox, warehouses):
    changes, words = CASES[case]
    url = warehouses.url()
    env: dict[str, str | None] = {**sandbox_settings_env(sandbox.env(), url), **changes}
    args = ["ingest"] if command == "ingest" else ["backfill", "1042"]
    code, output = invoke(env, *args)
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lookback: "), output
    for word in words:
        assert word in lines[0], (word, output)
    assert "Traceback" not in output
    for token in ("sandbox-github-token", "xoxb-sandbox-slack-token", "sandbox-pagerduty-token", "bad-"):
        assert token not in output
    assert untouched(url)
    assert sandbox.stats()["total"] >= 0


def test_database_from_a_newer_lookback_is_refused_and_left_as_is(sandbox, warehouses):
    url = warehouses.url()
    engine = warehouses.engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfacef00d'"))
    before = table_fingerprints(engine)
    sandbox.reset_stats()
    code, output = invoke(sandbox_settings_env(sandbox.env(), url), "ingest")
    assert code == 2, output
    assert "newer lookback" in output and "LOOKBACK_DATABASE_URL" in output, output
    assert table_fingerprints(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "f00dfacef00d"
        assert conn.execute(text("SELECT count(*) FROM ingest_run")).scalar() == 0


def test_a_good_setting_of_each_kind_passes_the_same_checks(sandbox, warehouses, monkeypatch):
    """The checks above refuse bad names, not good ones (else the test would pass for the wrong reason)."""
    from flows.sources import check_settings
    from tests.reliability.helpers import settings_for

    cfg = settings_for(sandbox.env(), warehouses.url(), LOOKBACK_GITHUB_REPOS="shop/search-tools",
                       LOOKBACK_SLACK_CHANNELS="#search-team,C001", LOOKBACK_PAGERDUTY_SERVICES="PSVC001")
    check_settings(cfg, ["github", "slack", "pagerduty"])
