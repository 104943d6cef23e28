"""Prefect settings for a lookback process, set before Prefect is imported: local, private and quiet."""

from __future__ import annotations

import os
from collections.abc import Callable

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
