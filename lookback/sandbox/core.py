"""Shared sandbox state: the world, the knobs that shape faults and limits, and request stats."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from typing import Any

APIS: tuple[str, ...] = ("github", "slack", "pagerduty")


@dataclass
class FaultKnobs:
    """Fault and latency knobs for one API (rates are probabilities per request, 0..1)."""

    rate_429: float = 0.0
    retry_after: int = 1  # seconds, sent as the Retry-After header of injected 429s
    rate_500: float = 0.0
    rate_502: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0  # connection closed without any response
    rate_truncate: float = 0.0  # a 200 whose JSON body is cut in half
    latency_ms: float = 0.0
    jitter_ms: float = 0.0  # uniform 0..jitter_ms added to latency_ms
    spike_rate: float = 0.0
    spike_ms: float = 0.0


FAULT_FIELDS: frozenset[str] = frozenset(f.name for f in fields(FaultKnobs))


@dataclass
class Knobs:
    """Every knob of the sandbox; JSON round-trips through `to_dict` / `from_dict`.

    `faults` applies to all APIs; `api_faults[api]` holds partial overrides for one API.
    """

    faults: FaultKnobs = field(default_factory=FaultKnobs)
    api_faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    seed: int = 0
    github_fault_status: int = 429  # status of an injected GitHub rate-limit fault: 429 or 403
    github_rate_limit: int = 5000  # primary limit, per token per hour
    github_secondary_every: int = 0  # every Nth request gets a secondary-limit 403; 0 = off
    slack_tiers: bool = True  # Slack per-method tier limits (Tier 2: 20/min, Tier 3: 50/min...)
    slack_history_15: bool = False  # 2025 non-Marketplace rule: 1 history call/min, <= 15 messages
    slack_time_scale: float = 1.0  # multiplies Slack's one-minute windows; < 1 makes tests fast
    pagerduty_rate_per_min: int = 960

    def faults_for(self, api: str) -> FaultKnobs:
        """The effective fault knobs of one API: global values with its overrides on top."""
        override = self.api_faults.get(api)
        if not override:
            return self.faults
        return FaultKnobs(**{**asdict(self.faults), **override})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Knobs:
        return cls().updated(**data)

    def updated(self, **kw: Any) -> Knobs:
        """A copy with `kw` applied.

        Accepts any top-level field; a fault field name (`rate_429=0.1`) sets it for all APIs;
        `<api>_<fault field>` (`slack_rate_429=1.0`) sets it for one API; `faults={...}` and
        `api_faults={api: {...}}` merge dicts. Unknown names raise ValueError.
        """
        data = self.to_dict()
        for key, value in kw.items():
            if key == "faults":
                _check_fault_names(value)
                data["faults"].update(value)
            elif key == "api_faults":
                for api, override in value.items():
                    _check_api(api)
                    _check_fault_names(override)
                    data["api_faults"].setdefault(api, {}).update(override)
            elif key in FAULT_FIELDS:
                data["faults"][key] = value
            elif key in _TOP_FIELDS:
                data[key] = value
            else:
                api, _, name = key.partition("_")
                if api in APIS and name in FAULT_FIELDS:
                    data["api_faults"].setdefault(api, {})[name] = value
                else:
                    raise ValueError(f"unknown sandbox knob: {key}")
        faults = FaultKnobs(**data.pop("faults"))
        return Knobs(faults=faults, **data)


_TOP_FIELDS: frozenset[str] = frozenset(f.name for f in fields(Knobs)) - {"faults", "api_faults"}


def _check_api(api: str) -> None:
    if api not in APIS:
        raise ValueError(f"unknown sandbox api: {api} (expected one of {', '.join(APIS)})")


def _check_fault_names(values: dict[str, Any]) -> None:
    unknown = set(values) - FAULT_FIELDS
    if unknown:
        raise ValueError(f"unknown fault knobs: {', '.join(sorted(unknown))}")


class Stats:
    """Thread-safe request and fault counts per API and endpoint template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._faults: Counter[tuple[str, str]] = Counter()

    def count(self, api: str, endpoint: str) -> None:
        """Count one request served by `api` for `endpoint` (a template such as `GET /repos/{owner}/{repo}/pulls`)."""
        with self._lock:
            self._requests[(api, endpoint)] += 1

    def count_fault(self, api: str, kind: str) -> None:
        """Count one injected fault (`429`, `500`, `drop`, `truncate`...) on `api`."""
        with self._lock:
            self._faults[(api, kind)] += 1

    def requests(self, api: str | None = None, endpoint: str | None = None) -> int:
        """Requests counted so far, optionally for one API and endpoint."""
        with self._lock:
            return sum(
                n
                for (a, e), n in self._requests.items()
                if (api is None or a == api) and (endpoint is None or e == endpoint)
            )

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready counts: `{"total", "apis": {api: {"total", "endpoints"}}, "faults": {"total", "apis"}}`."""
        with self._lock:
            requests = dict(self._requests)
            faults = dict(self._faults)
        apis: dict[str, dict[str, Any]] = {}
        for (api, endpoint), n in sorted(requests.items()):
            entry = apis.setdefault(api, {"total": 0, "endpoints": {}})
            entry["total"] += n
            entry["endpoints"][endpoint] = n
        fault_apis: dict[str, dict[str, int]] = {}
        for (api, kind), n in sorted(faults.items()):
            fault_apis.setdefault(api, {})[kind] = n
        return {
            "total": sum(requests.values()),
            "apis": apis,
            "faults": {"total": sum(faults.values()), "apis": fault_apis},
        }


class SandboxState:
    """Everything the API modules share; mutate `world` and `knobs` only while holding `lock`."""

    def __init__(self, world: dict[str, Any], knobs: Knobs | None = None, base_url: str = "") -> None:
        self.world = world
        self.knobs = knobs or Knobs()
        self.stats = Stats()
        self.lock = threading.RLock()
        self.base_url = base_url
        # Bumped by every edit step so API modules may cache indexes built from the world.
        self.world_version = 0
        self.edit_index = 0
        self.rng = random.Random(self.knobs.seed)

    def set_knobs(self, **kw: Any) -> Knobs:
        """Apply knob changes (see `Knobs.updated`) and re-seed the fault RNG so runs repeat."""
        with self.lock:
            self.knobs = self.knobs.updated(**kw)
            self.rng = random.Random(self.knobs.seed)
            return self.knobs

    def edit(self) -> dict[str, Any]:
        """Apply the next step of `world["edits"]` under the lock; report what changed.

        Returns `{"step": index or None, "applied": [...], "remaining": n}`; `step` is None
        when every step has been applied already.
        """
        from lookback.sandbox.edits import apply_step

        with self.lock:
            steps = self.world.get("edits") or []
            if self.edit_index >= len(steps):
                return {"step": None, "applied": [], "remaining": 0}
            index = self.edit_index
            applied = apply_step(self.world, steps[index])
            self.edit_index += 1
            self.world_version += 1
            return {"step": index, "applied": applied, "remaining": len(steps) - self.edit_index}
