"""Sandbox core: HTTPS start, stats, every fault knob, seeded reproducibility, control routes, edits."""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import pytest
import requests
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from lookback.sandbox.core import APIS, FaultKnobs, Knobs, SandboxState
from lookback.sandbox.edits import EditError, apply_op
from lookback.sandbox.faults import plan_request
from lookback.sandbox.serve import Sandbox, start
from lookback.sandbox.testing import SandboxFactory, tiny_world

# The repo root is not on sys.path under plain `pytest` until the test config says so.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.sandbox_fixtures import sandbox_factory  # noqa: F401


def _dummy_routes(state_holder: dict[str, SandboxState]) -> dict[str, list[BaseRoute]]:
    """A `/hello` JSON route under each API prefix that counts itself like a real API module."""

    def make(api: str) -> list[BaseRoute]:
        async def hello(request: Request) -> JSONResponse:
            state_holder["state"].stats.count(api, "GET /hello")
            return JSONResponse({"api": api, "items": list(range(40))})

        return [Route("/hello", hello)]

    return {api: make(api) for api in APIS}


@pytest.fixture
def box(sandbox_factory: SandboxFactory) -> Sandbox:  # noqa: F811
    holder: dict[str, SandboxState] = {}
    sandbox = sandbox_factory(routes=_dummy_routes(holder))
    holder["state"] = sandbox.state
    return sandbox


def get(box: Sandbox, path: str, **kw: object) -> requests.Response:
    return requests.get(box.url + path, verify=box.ca_file, timeout=10, **kw)  # type: ignore[arg-type]


def test_starts_over_https_fast_and_needs_its_ca() -> None:
    began = time.perf_counter()
    sandbox = start(tiny_world())
    elapsed = time.perf_counter() - began
    try:
        assert elapsed < 2.0, elapsed
        assert sandbox.url.startswith("https://127.0.0.1:")
        assert get(sandbox, "/_sandbox/stats").status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sandbox.url + "/_sandbox/stats", timeout=10)
        env = sandbox.env()
        assert env["GITHUB_API_URL"] == f"{sandbox.url}/github/api/v3"
        assert env["SLACK_API_URL"] == f"{sandbox.url}/slack/api/"
        assert env["PAGERDUTY_API_URL"] == f"{sandbox.url}/pagerduty"
        assert env["LOOKBACK_CA_BUNDLE"] == sandbox.ca_file and Path(sandbox.ca_file).is_file()
        assert all(env[name] for name in ("GITHUB_TOKEN", "SLACK_BOT_TOKEN", "PAGERDUTY_API_TOKEN"))
    finally:
        sandbox.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(sandbox.url + "/_sandbox/stats", timeout=2, verify=False)


def test_stats_count_per_api_and_endpoint_and_reset(box: Sandbox) -> None:
    for _ in range(3):
        assert get(box, "/github/hello").status_code == 200
    get(box, "/slack/hello")
    stats = get(box, "/_sandbox/stats").json()
    assert stats["total"] == 4
    assert stats["apis"]["github"] == {"total": 3, "endpoints": {"GET /hello": 3}}
    assert stats["apis"]["slack"]["total"] == 1
    assert box.state.stats.requests("github", "GET /hello") == 3
    reset = requests.post(box.url + "/_sandbox/stats/reset", verify=box.ca_file, timeout=10)
    assert reset.json()["total"] == 0
    assert box.stats()["total"] == 0


@pytest.mark.parametrize(
    ("api", "status", "body"),
    [
        ("github", 429, {"message", "documentation_url"}),
        ("slack", 429, {"ok", "error"}),
        ("pagerduty", 429, {"error"}),
    ],
)
def test_429_has_retry_after_and_the_api_body(box: Sandbox, api: str, status: int, body: set[str]) -> None:
    box.set_knobs(rate_429=1.0, retry_after=7)
    response = get(box, f"/{api}/hello")
    assert response.status_code == status
    assert response.headers["Retry-After"] == "7"
    assert set(response.json()) == body
    if api == "slack":
        assert response.json() == {"ok": False, "error": "ratelimited"}
    if api == "pagerduty":
        assert response.json()["error"]["code"] == 2020
    if api == "github":
        assert "secondary rate limit" in response.json()["message"]
    assert box.stats()["faults"]["apis"][api] == {"429": 1}
    assert box.stats()["total"] == 0  # the API never saw the request


def test_github_rate_limit_fault_can_be_a_403(box: Sandbox) -> None:
    box.set_knobs(rate_429=1.0, github_fault_status=403)
    response = get(box, "/github/hello")
    assert response.status_code == 403 and "Retry-After" in response.headers


@pytest.mark.parametrize("code", [500, 502, 503])
def test_server_errors(box: Sandbox, code: int) -> None:
    box.set_knobs(**{f"rate_{code}": 1.0})
    for api in APIS:
        assert get(box, f"/{api}/hello").status_code == code
    assert box.stats()["faults"]["total"] == 3


def test_dropped_connection_raises_connection_error(box: Sandbox) -> None:
    box.set_knobs(rate_drop=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        get(box, "/pagerduty/hello")
    assert box.stats()["faults"]["apis"]["pagerduty"] == {"drop": 1}
    box.set_knobs(rate_drop=0.0)
    assert get(box, "/pagerduty/hello").status_code == 200  # the server survives


def test_truncated_body_is_a_clean_200_with_broken_json(box: Sandbox) -> None:
    full = get(box, "/slack/hello").content
    box.set_knobs(rate_truncate=1.0)
    response = get(box, "/slack/hello")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content) == len(full) // 2
    assert full.startswith(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert box.stats()["faults"]["apis"]["slack"] == {"truncate": 1}


def test_latency_and_spikes_add_time(box: Sandbox) -> None:
    get(box, "/github/hello")  # warm the TLS handshake path
    began = time.perf_counter()
    get(box, "/github/hello")
    baseline = time.perf_counter() - began
    box.set_knobs(latency_ms=250, jitter_ms=50)
    began = time.perf_counter()
    get(box, "/github/hello")
    assert time.perf_counter() - began >= 0.25
    box.set_knobs(latency_ms=0, jitter_ms=0, spike_rate=1.0, spike_ms=300)
    began = time.perf_counter()
    get(box, "/github/hello")
    assert time.perf_counter() - began >= 0.3 > baseline


def test_faults_per_api_and_never_on_control_routes(box: Sandbox) -> None:
    box.set_knobs(slack_rate_503=1.0)
    assert get(box, "/slack/hello").status_code == 503
    assert get(box, "/github/hello").status_code == 200
    box.set_knobs(rate_500=1.0)
    assert get(box, "/github/hello").status_code == 500
    assert get(box, "/_sandbox/stats").status_code == 200


def test_faults_are_reproducible_with_a_seed(box: Sandbox) -> None:
    def run(seed: int) -> list[int]:
        box.set_knobs(seed=seed, rate_500=0.3, rate_503=0.3)
        # verify per request: a REQUESTS_CA_BUNDLE in the environment beats session.verify.
        with requests.Session() as session:
            return [session.get(box.url + "/github/hello", verify=box.ca_file, timeout=10).status_code
                    for _ in range(16)]

    first = run(7)
    assert set(first) > {200}
    assert run(7) == first
    assert run(8) != first


def test_plan_is_deterministic_and_draws_the_same_numbers() -> None:
    knobs = FaultKnobs(rate_429=0.2, rate_drop=0.2, latency_ms=10, jitter_ms=5)
    a = [plan_request(random.Random(3), knobs) for _ in range(5)]
    b = [plan_request(random.Random(3), knobs) for _ in range(5)]
    assert a == b
    assert all(0.010 <= p.delay_s <= 0.015 for p in a)
    # No fault knobs: the RNG still advances by three draws per request.
    rng = random.Random(3)
    plan_request(rng, FaultKnobs())
    fresh = random.Random(3)
    for _ in range(3):
        fresh.random()
    assert rng.random() == fresh.random()


def test_knobs_via_control_route(box: Sandbox) -> None:
    url = box.url + "/_sandbox/knobs"
    posted = requests.post(url, json={"pagerduty_rate_429": 1.0, "retry_after": 3, "slack_time_scale": 0.01},
                           verify=box.ca_file, timeout=10)
    assert posted.status_code == 200
    knobs = requests.get(url, verify=box.ca_file, timeout=10).json()
    assert knobs["api_faults"] == {"pagerduty": {"rate_429": 1.0}}
    assert knobs["faults"]["retry_after"] == 3 and knobs["slack_time_scale"] == 0.01
    assert get(box, "/pagerduty/hello").headers["Retry-After"] == "3"
    assert get(box, "/github/hello").status_code == 200
    bad = requests.post(url, json={"no_such_knob": 1}, verify=box.ca_file, timeout=10)
    assert bad.status_code == 400 and "no_such_knob" in bad.json()["error"]


def test_knobs_json_round_trip_and_overrides() -> None:
    knobs = Knobs().updated(rate_500=0.1, github_rate_drop=0.5, slack_history_15=True, seed=4)
    again = Knobs.from_dict(json.loads(json.dumps(knobs.to_dict())))
    assert again == knobs
    assert knobs.faults_for("github").rate_drop == 0.5 and knobs.faults_for("github").rate_500 == 0.1
    assert knobs.faults_for("slack").rate_drop == 0.0
    assert Knobs().github_rate_limit == 5000 and Knobs().pagerduty_rate_per_min == 960
    with pytest.raises(ValueError, match="unknown"):
        Knobs().updated(api_faults={"jira": {"rate_500": 1}})


def test_edit_steps_mutate_the_world(box: Sandbox) -> None:
    response = requests.post(box.url + "/_sandbox/edit", verify=box.ca_file, timeout=10)
    change = response.json()
    assert change["step"] == 0 and change["remaining"] == 0
    assert [op["op"] for op in change["applied"]] == ["update_pull", "edit_message", "delete_message",
                                                     "update_incident"]
    world = box.world
    assert world["github"]["pulls"][0]["state"] == "closed"
    messages = world["slack"]["messages"]
    assert [m["ts"] for m in messages] == ["1670338200.000100"]
    assert messages[0]["text"] == "deployed"
    assert messages[0]["edited"] == {"user": "U001", "ts": "1670338900.000000"}
    incident = world["pagerduty"]["incidents"][0]
    assert incident["status"] == "resolved" and incident["log_entries"][-1]["id"] == "RLOG009"
    assert box.state.world_version == 1
    assert box.edit() == {"step": None, "applied": [], "remaining": 0}


def test_add_ops_and_bad_edits() -> None:
    world = tiny_world()
    apply_op(world, {"op": "add_pull", "pull": {**world["github"]["pulls"][0], "number": 24, "id": 5002}})
    apply_op(world, {"op": "add_message", "message": {"channel": "C001", "ts": "1670338400.000300", "user": "U001",
                                                      "text": "reply", "thread_ts": "1670338200.000100"}})
    apply_op(world, {"op": "add_incident", "incident": {"id": "PINC002", "incident_number": 1043}})
    assert [p["number"] for p in world["github"]["pulls"]] == [23, 24]
    assert world["slack"]["messages"][-1]["thread_ts"] == "1670338200.000100"
    assert world["pagerduty"]["incidents"][-1]["id"] == "PINC002"
    with pytest.raises(EditError):
        apply_op(world, {"op": "delete_message", "channel": "C001", "ts": "1.0"})
    with pytest.raises(EditError):
        apply_op(world, {"op": "explode"})


_RUN_FOREVER = """
import sys, types
from lookback.sandbox.core import Knobs
from lookback.sandbox.testing import tiny_world
fake = types.ModuleType("lookback.sandbox.worlds")
fake.load_world = lambda name, scale=None: (tiny_world(), {"scale": scale})
sys.modules["lookback.sandbox.worlds"] = fake
from lookback.sandbox.serve import run_forever
run_forever("tiny", 0, Knobs(seed=1), None)
"""


def test_run_forever_prints_exports_and_stops_on_ctrl_c() -> None:
    import signal
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", _RUN_FOREVER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(7)]
        env = dict(line.removeprefix("export ").split("=", 1) for line in lines)
        assert set(env) >= {"GITHUB_API_URL", "SLACK_API_URL", "PAGERDUTY_API_URL", "LOOKBACK_CA_BUNDLE"}
        ca_file = env["LOOKBACK_CA_BUNDLE"].strip("'")
        base = env["PAGERDUTY_API_URL"].removesuffix("/pagerduty")
        assert requests.get(base + "/_sandbox/stats", verify=ca_file, timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()


def test_api_modules_are_mounted_and_a_broken_one_is_skipped(
    sandbox_factory: SandboxFactory,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import types

    def slack_routes(state: SandboxState) -> list[BaseRoute]:
        async def auth_test(request: Request) -> JSONResponse:
            state.stats.count("slack", "POST auth.test")
            return JSONResponse({"ok": True, "url": state.base_url})

        return [Route("/api/auth.test", auth_test, methods=["GET", "POST"])]

    def broken_routes(state: SandboxState) -> list[BaseRoute]:
        raise RuntimeError("half written")

    monkeypatch.setitem(sys.modules, "lookback.sandbox.slack_api",
                        types.SimpleNamespace(make_routes=slack_routes))
    monkeypatch.setitem(sys.modules, "lookback.sandbox.github_api",
                        types.SimpleNamespace(make_routes=broken_routes))
    box = sandbox_factory()
    assert "half written" in box.skipped["github"]
    response = requests.post(box.env()["SLACK_API_URL"] + "auth.test", verify=box.ca_file, timeout=10)
    assert response.json() == {"ok": True, "url": box.url}
    assert box.stats()["apis"]["slack"]["endpoints"] == {"POST auth.test": 1}
