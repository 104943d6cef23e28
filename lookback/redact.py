"""Keep secret values out of every log line, error message and artifact."""

from __future__ import annotations

import logging
from collections.abc import Iterable

_SECRETS: set[str] = set()
MASK = "[redacted]"


def register(values: Iterable[str | None]) -> None:
    """Remember secret values (tokens) so ``redact`` can mask them; short values are ignored."""
    for value in values:
        if value and len(value) >= 6:
            _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


def install_logging_filter() -> None:
    """Attach the filter to the root logger's handlers and to Prefect's, present and future."""
    flt = RedactingFilter()
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "lookback", "connectors", "flows", "warehouse"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
