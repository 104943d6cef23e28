"""Prefect settings for a lookback process, set before Prefect is imported: local, private and quiet."""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # Flow-run logs go to the run (and the server when there is one), not to a pipe's stderr.
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    # Connector and warehouse warnings (skipped partitions, retries, quarantined records) reach the run's log.
    "PREFECT_LOGGING_EXTRA_LOGGERS": "connectors,warehouse,lookback",
    # The temporary server's first start in a PREFECT_HOME migrates its database: 10-15 s measured on a busy
    # 2-core machine, against Prefect's default limit of 20 s. Later starts take 3-5 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


PARTITION_WORKERS = 4  # partitions fetched at once: the work is waiting on the APIs, not on the CPU


def partition_workers() -> int:
    """How many partitions a run fetches side by side: LOOKBACK_PARTITION_WORKERS (read when the flows are
    imported), else 4. Each API's shared rate limit still holds whatever the number."""
    value = os.environ.get("LOOKBACK_PARTITION_WORKERS", "")
    return max(1, int(value)) if value.strip().isdigit() else PARTITION_WORKERS


def rate_limiter(api: str) -> Callable[[], None] | None:
    """With LOOKBACK_PREFECT_RATE_LIMITS on, every request of `api` takes a slot of the Prefect global
    concurrency limit `lookback-<api>` (create it with a slot decay: a rate limit that all workers share)."""
    if os.environ.get("LOOKBACK_PREFECT_RATE_LIMITS", "").lower() not in {"1", "true", "yes", "on"}:
        return None
    from prefect.concurrency.sync import rate_limit

    name = f"lookback-{api}"
    return lambda: rate_limit(name, occupy=1, strict=True)


def configure() -> None:
    """Apply lookback's Prefect defaults unless the user set them."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


class TemporaryServer:
    """Prefect's temporary local API for one CLI run, spawned before Prefect is imported.

    Prefect starts the same server (uvicorn on `prefect.server.api.server:create_app`, UI off) when a flow
    runs with no API configured, but only after its client has imported the server module: 1.3-1.9 s of
    imports, then 3-5 s of start-up, one after the other. Spawned first, the server starts while this process
    imports Prefect and the flows. It stops at exit, after Prefect's workers have sent what they hold.
    """

    def __init__(self) -> None:
        spec = importlib.util.find_spec("prefect")
        assert spec is not None and spec.origin is not None
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        for key, value in DEFAULTS.items():
            env.setdefault(key, value)
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", os.path.dirname(os.path.dirname(spec.origin)),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.stop)  # registered before Prefect's own exit handlers, so it runs after them

    def ready(self, timeout: float) -> bool:
        """Wait until the API answers; False if the process ended or the time ran out."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5) as client:
            while self.process is not None and self.process.poll() is None and time.monotonic() < deadline:
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def start_temporary_server() -> TemporaryServer | None:
    """Spawn the temporary server now, unless PREFECT_API_URL names a server or LOOKBACK_EARLY_SERVER=0."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("LOOKBACK_EARLY_SERVER", "1").strip() == "0":
        return None
    try:
        return TemporaryServer()
    except OSError:
        return None  # Prefect starts its own when the flow runs


@contextmanager
def early_server() -> Iterator[TemporaryServer | None]:
    """`start_temporary_server()` for a command; a command that fails, before or during its flow, stops it."""
    server = start_temporary_server()
    try:
        yield server
    except BaseException:
        if server is not None:
            server.stop()
        raise


@contextmanager
def temporary_server(server: TemporaryServer | None) -> Iterator[None]:
    """Run flows inside this block against `server`. When Prefect's settings already name an API (a profile,
    a test harness), or the server did not come up, it is stopped and Prefect does as it would have."""
    if server is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    if PREFECT_API_URL.value() or not server.ready(float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())):
        server.stop()
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield
