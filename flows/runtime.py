"""Prefect settings for a lookback process, set before Prefect is imported: local, private and quiet."""

from __future__ import annotations

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # Flow-run logs go to the run (and the server when there is one), not to a pipe's stderr.
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def configure() -> None:
    """Apply lookback's Prefect defaults unless the user set them."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
