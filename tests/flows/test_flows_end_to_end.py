"""The flows end to end against the sandbox: nightly twice, after edits, backfill on an empty warehouse, both together."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from flows.backfill import backfill_incident
from flows.ingest import nightly_ingest, warehouse_engine
from lookback.settings import load_settings

pytestmark = pytest.mark.usefixtures("prefect_harness")


def counts(engine) -> dict[str, int]:
    tables = ["evidence", "gh_pull_request", "slack_message", "pd_incident", "pd_log_entry", "evidence_ref"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}


def cursors(engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(s, p): v for s, p, v in conn.execute(text("SELECT source, partition, value FROM ingest_cursor"))}


def test_nightly_twice_stores_nothing_new_and_spends_little(seed_sandbox, seed):
    first = nightly_ingest()
    assert first["status"] == "completed", first
    engine = warehouse_engine(load_settings())
    before = counts(engine)
    assert before["gh_pull_request"] == len(seed[0]["github"]["pulls"])
    assert before["pd_incident"] == len(seed[0]["pagerduty"]["incidents"])
    partitions = len(cursors(engine))
    seed_sandbox.reset_stats()
    second = nightly_ingest()
    assert counts(engine) == before
    changed = {t: n for t, n in second["rows"].items() if n and t != "raw_record"}
    assert changed == {}, changed
    # users.list, conversations.list and PagerDuty's reference lists are per run, not per partition.
    assert seed_sandbox.stats()["total"] <= partitions + 12, (seed_sandbox.stats(), partitions)


def test_nightly_after_edits_sees_new_and_changed_items_without_duplicates(seed_sandbox):
    nightly_ingest()
    engine = warehouse_engine(load_settings())
    before = counts(engine)
    applied = seed_sandbox.edit()
    assert applied["applied"]
    summary = nightly_ingest()
    after = counts(engine)
    assert summary["status"] == "completed"
    assert sum(summary["rows"].values()) > 0
    assert after["evidence"] >= before["evidence"]
    with engine.connect() as conn:
        dupes = conn.execute(text("SELECT count(*) - count(DISTINCT source || native_id) FROM evidence")).scalar()
    assert dupes == 0


def test_backfill_on_an_empty_warehouse_finds_the_story_and_moves_no_cursor(seed_sandbox, seed):
    world, truth = seed
    result = backfill_incident(incident=str(truth["incident"]["number"]))
    engine = warehouse_engine(load_settings())
    assert cursors(engine) == {}
    top = [i["native_id"] for i in result["top"]]
    assert result["incident"] == truth["incident"]["id"]
    assert counts(engine)["gh_pull_request"] > 0
    assert top, result
    # A second backfill of the same incident spends no request on what is stored.
    seed_sandbox.reset_stats()
    again = backfill_incident(incident=str(truth["incident"]["number"]))
    assert seed_sandbox.stats()["total"] == 0
    assert set(again["already_stored"]) == {"github", "slack", "pagerduty"}


def patched(engine, native_id: str) -> int:
    repo, number = native_id.split("#")
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM gh_pr_file f JOIN gh_repository r ON r.id = f.repo_id "
                                 "WHERE r.full_name = :r AND f.pr_number = :n AND f.patch_excerpt IS NOT NULL"),
                            {"r": repo, "n": int(number)}).scalar()


def test_backfill_fetches_diffs_only_for_ranked_candidates_and_a_nightly_keeps_them(seed_sandbox, seed):
    from flows.backfill import PATCH_CANDIDATES

    truth = seed[1]
    seed_sandbox.reset_stats()
    result = backfill_incident(incident=truth["incident"]["id"])
    engine = warehouse_engine(load_settings())
    endpoints = seed_sandbox.stats()["apis"]["github"]["endpoints"]
    files_calls = sum(n for e, n in endpoints.items() if e.endswith("/files"))
    assert 0 < result["requests"]["github_patches"] <= PATCH_CANDIDATES
    assert files_calls == result["requests"]["github_patches"]
    with engine.connect() as conn:
        prs = conn.execute(text("SELECT count(*) FROM gh_pull_request")).scalar()
    assert prs > 5 * PATCH_CANDIDATES, "the world is too small for this test to show anything"
    for nid in ("shop/alerting#22", "shop/search-tools#23"):
        assert patched(engine, nid) > 0, nid
    # A nightly run reads the same PRs through GraphQL, which has no diff text: the excerpts stay.
    seed_sandbox.edit()  # touches PRs, so the nightly run really re-reads some
    assert nightly_ingest()["status"] == "completed"
    for nid in ("shop/alerting#22", "shop/search-tools#23"):
        assert patched(engine, nid) > 0, nid


def test_backfill_then_nightly_and_both_at_once(seed_sandbox, seed):
    truth = seed[1]
    backfill_incident(incident=truth["incident"]["id"])
    engine = warehouse_engine(load_settings())
    errors: list[BaseException] = []

    def run(fn, **kw):
        try:
            fn(**kw)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(nightly_ingest,)),
               threading.Thread(target=run, args=(backfill_incident,), kwargs={"incident": truth["incident"]["id"]})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with engine.connect() as conn:
        dupes = conn.execute(text("SELECT count(*) - count(DISTINCT source || native_id) FROM evidence")).scalar()
        assert dupes == 0
    moved = cursors(engine)
    nightly_ingest()
    for key, value in cursors(engine).items():
        assert value >= moved.get(key, "")


def test_every_request_takes_a_slot_of_the_shared_prefect_rate_limit(seed_sandbox, monkeypatch):
    """Workers on several machines stay under each API's limit together: every request passes the limiter."""
    from collections import Counter

    import prefect.concurrency.sync as concurrency
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    with get_client(sync_client=True) as client:
        for api in ("github", "slack", "pagerduty"):
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                name=f"lookback-{api}", limit=100000, slot_decay_per_second=100000.0))
    taken: Counter[str] = Counter()
    real = concurrency.rate_limit

    def counting(names, occupy=1, **kw):
        taken[names] += occupy
        return real(names, occupy=occupy, **kw)

    monkeypatch.setattr(concurrency, "rate_limit", counting)
    monkeypatch.setenv("LOOKBACK_PREFECT_RATE_LIMITS", "1")
    # One partition of each source is enough to see every kind of request pass the limiter.
    monkeypatch.setenv("LOOKBACK_GITHUB_REPOS", "shop/alerting")
    monkeypatch.setenv("LOOKBACK_SLACK_CHANNELS", "search-ops")
    monkeypatch.setenv("LOOKBACK_PAGERDUTY_SERVICES", "search-api")
    seed_sandbox.reset_stats()
    assert nightly_ingest()["status"] == "completed"
    served = seed_sandbox.stats()["apis"]
    for api in ("github", "slack", "pagerduty"):
        assert taken[f"lookback-{api}"] == served[api]["total"] > 0, (api, taken, served[api]["total"])


def test_the_cli_on_a_backfilled_incident(seed_sandbox, seed, tmp_path):
    """backfill, evidence in three formats, explain, label and report, as an investigator runs them."""
    import json

    from typer.testing import CliRunner

    from lookback.cli import app

    runner = CliRunner()
    number = str(seed[1]["incident"]["number"])
    result = runner.invoke(app, ["backfill", number])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["evidence", number, "--format", "json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [i["rank"] for i in items] == [1, 2, 3, 4, 5]
    for item in items:
        assert {"rank", "score", "source", "kind", "url", "native_id", "occurred_at", "title", "role", "reasons",
                "group"} <= set(item)
        assert item["occurred_at"].endswith(("Z", "+00:00")) and item["reasons"]
    roles = {i["native_id"]: i["role"] for i in items}
    assert roles.get("shop/search-tools#23") == "trigger" and roles.get("shop/alerting#22") == "detection_weakened"
    for fmt in ("table", "md"):
        assert runner.invoke(app, ["evidence", number, "--format", fmt, "--limit", "3"]).exit_code == 0
    explained = runner.invoke(app, ["evidence", number, "--explain", "shop/alerting#22"])
    assert explained.exit_code == 0 and "detection" in explained.output
    assert runner.invoke(app, ["label", number, "shop/alerting#22", "irrelevant"]).exit_code == 0
    after = json.loads(runner.invoke(app, ["evidence", number, "--format", "json"]).output)
    ranked = {i["native_id"]: i["rank"] for i in after}
    assert ranked["shop/alerting#22"] > 10
    report = runner.invoke(app, ["report", number, "--out", str(tmp_path / "r")])
    assert report.exit_code == 0, report.output
    assert (tmp_path / "r" / "index.html").is_file() and (tmp_path / "r" / "report.md").is_file()
