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


# In a process of its own: Prefect's event and log workers keep the API of their first flow run for the
# whole process, and this session's other tests use the harness's.
_RUN_ON_EARLY_SERVER = """
import os
os.environ.pop("PREFECT_API_URL", None)
from flows.runtime import start_temporary_server, temporary_server
server = start_temporary_server()
assert server is not None and server.process is not None
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

@flow(name="lookback-early-server-check")
def answer() -> int:
    return 42

with temporary_server(server):
    assert PREFECT_API_URL.value() == server.api_url, PREFECT_API_URL.value()
    assert answer() == 42
    with get_client(sync_client=True) as client:  # the run is recorded by the early server
        ours = client.read_flow_by_name("lookback-early-server-check")
        states = [r.state_name for r in client.read_flow_runs() if r.flow_id == ours.id]
print("states", states, "pid", server.process.pid)
"""


def test_flows_run_on_the_early_server_and_it_stops_at_exit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    done = subprocess.run([sys.executable, "-c", _RUN_ON_EARLY_SERVER], env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("states"))
    assert "['Completed']" in line
    pid = int(line.rsplit(" ", 1)[1])
    with pytest.raises(ProcessLookupError):  # stopped when the process exited
        os.kill(pid, 0)


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
