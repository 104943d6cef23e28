"""The CLI's temporary Prefect server, spawned before Prefect is imported (flows/runtime.py)."""

from __future__ import annotations

import pytest

from flows.runtime import start_temporary_server, temporary_server


def test_no_early_server_when_a_server_is_named_or_it_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_temporary_server() is None
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.setenv("LOOKBACK_EARLY_SERVER", "0")
    assert start_temporary_server() is None


def test_flows_run_on_the_early_server_and_it_stops(prefect_harness: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = start_temporary_server()
    assert server is not None and server.process is not None

    @flow(name="lookback-early-server-check")
    def answer() -> int:
        return 42

    with temporary_settings(restore_defaults={PREFECT_API_URL}):  # as a CLI run without a Prefect server
        with temporary_server(server):
            assert PREFECT_API_URL.value() == server.api_url
            assert answer() == 42
            with get_client(sync_client=True) as client:  # the run is recorded by the early server
                ours = client.read_flow_by_name("lookback-early-server-check")
                runs = [r for r in client.read_flow_runs() if r.flow_id == ours.id]
            assert [r.state_name for r in runs] == ["Completed"]
    process = server.process
    server.stop()
    assert server.process is None and process.poll() is not None


def test_a_configured_api_wins_and_the_early_server_is_stopped(prefect_harness: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_API_URL

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = start_temporary_server()
    assert server is not None
    harness_url = PREFECT_API_URL.value()
    assert harness_url
    with temporary_server(server):
        assert server.process is None  # stopped at once: the harness's server is the one in use
        assert PREFECT_API_URL.value() == harness_url


def test_a_command_that_fails_stops_its_early_server(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    import flows.runtime as runtime
    from lookback.cli import app

    started: list[runtime.TemporaryServer] = []
    real = runtime.start_temporary_server

    def recording() -> runtime.TemporaryServer | None:
        server = real()
        if server is not None:
            started.append(server)
        return server

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(runtime, "start_temporary_server", recording)
    monkeypatch.setenv("LOOKBACK_DATABASE_URL", f"sqlite:///{tmp_path}/w.db")
    result = CliRunner().invoke(app, ["backfill", "1140"])  # no token of any source: a settings error
    assert result.exit_code == 2, result.output
    assert len(started) == 1 and started[0].process is None
