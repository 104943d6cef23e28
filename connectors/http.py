"""Generic retry policy for connectors: bounded attempts, exponential backoff with full jitter, Retry-After first."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """How long to wait before retry number `attempt` (1-based); `sleep` is injectable for tests."""

    attempts: int = 6  # total tries, the first included
    base_s: float = 0.2
    cap_s: float = 30.0
    max_retry_after_s: float = 300.0  # a longer Retry-After stops the run instead of blocking it
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Retry-After when the server gave one (plus a little jitter so clients do not stampede), else full jitter."""
        if retry_after is not None:
            return max(retry_after, 0.0) + self.rng.uniform(0, min(self.base_s, 1.0))
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (attempt - 1)))

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        seconds = self.delay(attempt, retry_after)
        if seconds > 0:
            self.sleep(seconds)
        return seconds


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only; HTTP-date is not sent by these APIs)."""
    if value is None:
        return None
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        return None


_BUNDLES: dict[str, str] = {}


def with_system_cas(extra: str) -> str:
    """A CA file holding the system's CAs and ``extra``: for clients (requests) whose ``verify=path`` replaces
    the system store, so LOOKBACK_CA_BUNDLE adds a CA instead of becoming the only one."""
    if extra not in _BUNDLES:
        import tempfile

        import certifi

        with open(certifi.where(), encoding="utf-8") as system, open(extra, encoding="utf-8") as added:
            pem = system.read() + "\n" + added.read()
        handle = tempfile.NamedTemporaryFile("w", prefix="lookback-ca-", suffix=".pem", delete=False)  # noqa: SIM115
        with handle:
            handle.write(pem)
        _BUNDLES[extra] = handle.name
    return _BUNDLES[extra]
