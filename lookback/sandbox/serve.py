"""Run the sandbox: one HTTPS uvicorn server in a background thread, with control routes."""

from __future__ import annotations

import importlib
import logging
import shlex
import socket
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from lookback.sandbox.core import APIS, Knobs, SandboxState
from lookback.sandbox.edits import EditError
from lookback.sandbox.faults import FaultMiddleware

log = logging.getLogger(__name__)

TOKENS: dict[str, str] = {
    "GITHUB_TOKEN": "sandbox-github-token",
    "SLACK_BOT_TOKEN": "xoxb-sandbox-slack-token",
    "PAGERDUTY_API_TOKEN": "sandbox-pagerduty-token",
}

_START_TIMEOUT_S = 10.0


def api_routes(state: SandboxState) -> tuple[dict[str, list[BaseRoute]], dict[str, str]]:
    """Routes of each API module that imports; a missing or broken module is skipped, with the reason."""
    routes: dict[str, list[BaseRoute]] = {}
    skipped: dict[str, str] = {}
    for api in APIS:
        name = f"lookback.sandbox.{api}_api"
        try:
            module = importlib.import_module(name)
            routes[api] = list(module.make_routes(state))
        except ModuleNotFoundError as exc:
            skipped[api] = "module not written yet" if exc.name == name else f"missing module {exc.name}"
            if exc.name != name:
                log.exception("sandbox: %s routes failed to load", api)
        except Exception as exc:  # one broken API must not take the other two down
            log.exception("sandbox: %s routes failed to load", api)
            skipped[api] = f"{type(exc).__name__}: {exc}"
    return routes, skipped


def control_routes(state: SandboxState) -> list[BaseRoute]:
    """The `/_sandbox/...` routes: stats, knobs and edit steps."""

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(state.stats.snapshot())

    async def stats_reset(request: Request) -> JSONResponse:
        state.stats.reset()
        return JSONResponse(state.stats.snapshot())

    async def knobs(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise TypeError("knobs body must be a JSON object")
                state.set_knobs(**changes)
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        with state.lock:
            return JSONResponse(state.knobs.to_dict())

    async def edit(request: Request) -> JSONResponse:
        try:
            return JSONResponse(state.edit())
        except (EditError, KeyError) as exc:
            return JSONResponse({"error": f"edit step failed: {exc}"}, status_code=400)

    return [
        Route("/stats", stats, methods=["GET"]),
        Route("/stats/reset", stats_reset, methods=["POST"]),
        Route("/knobs", knobs, methods=["GET", "POST"]),
        Route("/edit", edit, methods=["POST"]),
    ]


def build_app(
    state: SandboxState, routes: Mapping[str, Sequence[BaseRoute]] | None = None
) -> tuple[FaultMiddleware, dict[str, str]]:
    """The ASGI app; `routes` replaces an API module's routes (tests use it for dummy routes)."""
    mounted, skipped = api_routes(state)
    for api, extra in (routes or {}).items():
        mounted[api] = list(extra)
        skipped.pop(api, None)
    mounts: list[BaseRoute] = [Mount("/_sandbox", routes=control_routes(state))]
    mounts += [Mount(f"/{api}", routes=api_list) for api, api_list in mounted.items()]
    return FaultMiddleware(Starlette(routes=mounts), state), skipped


class Sandbox:
    """A running sandbox; stop it with `.stop()` or use it as a context manager."""

    def __init__(
        self,
        state: SandboxState,
        server: uvicorn.Server,
        thread: threading.Thread,
        ca_file: Path,
        tmpdir: tempfile.TemporaryDirectory[str],
        skipped: dict[str, str],
    ) -> None:
        self.state = state
        self.url = state.base_url
        self.ca_file = str(ca_file)
        self.skipped = skipped  # API modules not mounted, with the reason
        self._server = server
        self._thread = thread
        self._tmpdir = tmpdir

    def env(self) -> dict[str, str]:
        """The lookback settings that point at this sandbox."""
        return {
            "GITHUB_API_URL": f"{self.url}/github/api/v3",
            "SLACK_API_URL": f"{self.url}/slack/api/",
            "PAGERDUTY_API_URL": f"{self.url}/pagerduty",
            "LOOKBACK_CA_BUNDLE": self.ca_file,
            **TOKENS,
        }

    def stats(self) -> dict[str, Any]:
        return self.state.stats.snapshot()

    def reset_stats(self) -> None:
        self.state.stats.reset()

    def set_knobs(self, **kw: Any) -> Knobs:
        return self.state.set_knobs(**kw)

    @property
    def knobs(self) -> Knobs:
        return self.state.knobs

    @property
    def world(self) -> dict[str, Any]:
        return self.state.world

    def edit(self) -> dict[str, Any]:
        return self.state.edit()

    def stop(self) -> None:
        self._server.should_exit = True
        # Idle keep-alive TLS connections would hold uvicorn's graceful shutdown open for seconds.
        self._server.force_exit = True
        self._thread.join(timeout=5)
        self._tmpdir.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _write_certificate(directory: Path, host: str) -> tuple[Path, Path]:
    """A fresh CA and a server certificate for `host`; returns (ca file, cert+key file)."""
    ca = trustme.CA()
    cert = ca.issue_cert(host, "127.0.0.1", "localhost")
    ca_file = directory / "sandbox-ca.pem"
    server_file = directory / "sandbox-server.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_and_cert_chain_pem.write_to_path(str(server_file))
    return ca_file, server_file


def start(
    world: dict[str, Any],
    knobs: Knobs | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
    routes: Mapping[str, Sequence[BaseRoute]] | None = None,
) -> Sandbox:
    """Start the sandbox over HTTPS in a background thread and wait until it accepts connections."""
    tmpdir = tempfile.TemporaryDirectory(prefix="lookback-sandbox-")
    ca_file, server_file = _write_certificate(Path(tmpdir.name), host)
    # Bind here, not in uvicorn, so port 0 gives us the real port before the app is built.
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY only then, and without it every
    # response waits ~40 ms on Nagle + delayed ACK (h11 writes headers and body separately).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    state = SandboxState(world, knobs, base_url=f"https://{host}:{sock.getsockname()[1]}")
    app, skipped = build_app(state, routes)
    config = uvicorn.Config(
        app,
        ssl_certfile=str(server_file),
        lifespan="off",
        log_level="warning",
        access_log=False,
        http="h11",  # faults._drop relies on h11's per-request cycle holding the transport
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="lookback-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            tmpdir.cleanup()
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.005)
    return Sandbox(state, server, thread, ca_file, tmpdir, skipped)


def run_forever(world: str, port: int, knobs: Knobs, scale: int | None = None) -> None:
    """For `lookback sandbox`: serve `world` (a name or a path), print `export` lines, block until Ctrl-C."""
    from lookback.sandbox.worlds import load_world

    world_dict, _truth = load_world(world, scale=scale)
    sandbox = start(world_dict, knobs, port=port)
    try:
        for name, value in sandbox.env().items():
            print(f"export {name}={shlex.quote(value)}", flush=True)
        for api, reason in sandbox.skipped.items():
            log.warning("sandbox: %s API not served: %s", api, reason)
        while sandbox._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
