"""Error types shared by every connector: transient ones are retried, fatal ones stop with a clear message."""

from __future__ import annotations

from datetime import datetime


class ConnectorError(Exception):
    """Base of every connector error. Messages never contain a token."""


class AuthError(ConnectorError):
    """The service refused the token (401/403 on authentication): the named setting must be fixed."""

    def __init__(self, setting: str, detail: str = "") -> None:
        self.setting = setting
        super().__init__(f"{setting} was refused by the service{': ' + detail if detail else ''}; "
                         f"set {setting} to a valid read-only token")


class TransientError(ConnectorError):
    """A failure worth retrying: 429, 5xx, a dropped connection, a truncated body."""


class RateLimitExhausted(ConnectorError):
    """The budget is spent and waiting is not allowed; the run stops cleanly and can go on at ``resume_at``."""

    def __init__(self, api: str, resume_at: datetime | None) -> None:
        self.api = api
        self.resume_at = resume_at
        when = resume_at.isoformat() if resume_at else "later"
        super().__init__(f"{api} rate limit exhausted; run again after {when}")


class PartitionSkipped(ConnectorError):
    """One repo, channel or service cannot be read (404, not_in_channel...); the others go on."""

    def __init__(self, partition: str, reason: str) -> None:
        self.partition = partition
        self.reason = reason
        super().__init__(f"skipped {partition}: {reason}")
