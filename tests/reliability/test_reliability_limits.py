"""Rate limits exhausted: a run that hits GitHub's primary limit stops cleanly, says when it can go on,
keeps what it stored (cursors only over stored data), and the next run continues to the clean result."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from lookback.cli import app
from lookback.sandbox.core import Knobs
from lookback.sandbox.serve import Sandbox, start
from tests.reliability.helpers import (
    assert_same_warehouse,
    cursor_violations,
    ingest_all,
    iso_now,
    sandbox_settings_env,
    settings_for,
    small_world,
)

WORLD = {"pulls": 30, "messages": 40, "incidents": 3}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(small_world(**WORLD), Knobs(slack_tiers=False)) as sb:
        yield sb


def github_used(sandbox: Sandbox) -> int:
    """Requests the sandbox counted against the token's core budget this hour."""
    import httpx

    env = sandbox.env()
    resp = httpx.get(env["GITHUB_API_URL"] + "/rate_limit", verify=env["LOOKBACK_CA_BUNDLE"],
                     headers={"Authorization": f"token {env['GITHUB_TOKEN']}"})
    return int(resp.json()["resources"]["core"]["used"])


def test_spent_github_budget_stops_cleanly_and_the_next_run_goes_on(prefect_harness, sandbox, warehouses):
    since = iso_now()
    clean_url = warehouses.url()
    clean = warehouses.engine(clean_url)
    rest = {"LOOKBACK_GITHUB_TRANSPORT": "rest"}
    assert ingest_all(settings_for(sandbox.env(), clean_url, **rest), clean, ["github"])["status"] == "completed"

    url = warehouses.url()
    env = {**sandbox_settings_env(sandbox.env(), url), **rest}
    sandbox.set_knobs(github_rate_limit=github_used(sandbox) + 40)  # this hour's budget: 40 more requests
    result = CliRunner().invoke(app, ["ingest", "--source", "github"], env=env)
    assert result.exit_code == 1, result.output
    message = [line for line in result.output.splitlines() if line.startswith("lookback: ")]
    assert message and "rate limit" in message[0] and re.search(r"after \d{4}-\d\d-\d\dT\d\d:\d\d", message[0]), result.output
    assert "Traceback" not in result.output
    engine = warehouses.engine(url, migrate=False)
    from tests.reliability.helpers import cursors, row_counts

    stored = row_counts(engine)["gh_pull_request"]
    assert 0 < stored < WORLD["pulls"], stored  # it stopped part-way and kept what it had
    assert cursor_violations(engine, small_world(**WORLD)) == []
    before = cursors(engine)

    sandbox.set_knobs(github_rate_limit=100_000)  # the limit resets
    result = CliRunner().invoke(app, ["ingest", "--source", "github"], env=env)
    assert result.exit_code == 0, result.output
    after = cursors(engine)
    assert all(after[k] >= v for k, v in before.items())
    assert_same_warehouse(clean, engine, since)
