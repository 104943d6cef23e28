"""ASGI middleware that injects latency, rate limits, 5xx, dropped connections and truncated bodies."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lookback.sandbox.core import APIS, FaultKnobs, SandboxState

log = logging.getLogger(__name__)

_GITHUB_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
_GITHUB_SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:000000:000000:00000000."
)

# Bodies as each service (or the load balancer in front of it) sends them.
_RATE_LIMIT_BODIES: dict[str, Any] = {
    "github": {"message": _GITHUB_SECONDARY, "documentation_url": _GITHUB_DOCS},
    "slack": {"ok": False, "error": "ratelimited"},
    "pagerduty": {"error": {"message": "Rate Limit Exceeded", "code": 2020}},
}
_SERVER_ERROR_BODIES: dict[str, dict[int, Any]] = {
    "github": {500: {"message": "Server Error"}, 503: {"message": "Service Unavailable"}},
    "slack": {500: {"ok": False, "error": "internal_error"}, 503: {"ok": False, "error": "service_unavailable"}},
    "pagerduty": {
        500: {"error": {"message": "Internal Server Error"}},
        503: {"error": {"message": "Service Unavailable"}},
    },
}
# A 502 comes from the edge proxy, not the API, so it is HTML everywhere.
_BAD_GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"

FAULT_KINDS: tuple[str, ...] = ("429", "500", "502", "503", "drop", "truncate")


class DroppedConnection(ConnectionError):
    """Raised when a drop is asked for outside uvicorn, where no socket can be closed."""


@dataclass(frozen=True)
class Plan:
    """What the middleware does to one request."""

    delay_s: float
    fault: str | None


def plan_request(rng: Any, knobs: FaultKnobs) -> Plan:
    """Decide latency and fault for one request.

    Always draws exactly three numbers so that a seed gives the same sequence whatever the knobs hit.
    """
    jitter, spike, pick = rng.random(), rng.random(), rng.random()
    delay_ms = knobs.latency_ms + jitter * knobs.jitter_ms
    if spike < knobs.spike_rate:
        delay_ms += knobs.spike_ms
    rates = (
        knobs.rate_429,
        knobs.rate_500,
        knobs.rate_502,
        knobs.rate_503,
        knobs.rate_drop,
        knobs.rate_truncate,
    )
    edge = 0.0
    fault = None
    for kind, rate in zip(FAULT_KINDS, rates, strict=True):
        edge += rate
        if pick < edge:
            fault = kind
            break
    return Plan(delay_s=max(delay_ms, 0.0) / 1000.0, fault=fault)


def api_of(path: str) -> str | None:
    """The API a path belongs to (`/github/...` -> `github`), or None for control and unknown paths."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in APIS else None


class FaultMiddleware:
    """Pure ASGI middleware; it must be the outermost app so `send` is uvicorn's own (see `_drop`)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        with self.state.lock:
            fault_knobs = self.state.knobs.faults_for(api)
            plan = plan_request(self.state.rng, fault_knobs)
            github_status = self.state.knobs.github_fault_status
        retry_after = fault_knobs.retry_after
        if plan.delay_s > 0:
            await asyncio.sleep(plan.delay_s)
        fault = plan.fault
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "429":
            status = github_status if api == "github" else 429
            self.state.stats.count_fault(api, "429")
            await _send_json(send, status, _RATE_LIMIT_BODIES[api], [(b"retry-after", str(retry_after).encode())])
        elif fault in ("500", "503"):
            self.state.stats.count_fault(api, fault)
            await _send_json(send, int(fault), _SERVER_ERROR_BODIES[api][int(fault)])
        elif fault == "502":
            self.state.stats.count_fault(api, "502")
            await _send(send, 502, _BAD_GATEWAY, b"text/html")
        elif fault == "drop":
            self.state.stats.count_fault(api, "drop")
            _drop(send)
        else:
            await self._truncated(api, scope, receive, send)

    async def _truncated(self, api: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the real app, then cut a 200 JSON body in half with a matching Content-Length."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is None:
            return
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", [])]
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        if start["status"] == 200 and b"json" in content_type and len(body) > 1:
            body = body[: len(body) // 2]
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            self.state.stats.count_fault(api, "truncate")
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _drop(send: Send) -> None:
    """Close the client's connection without writing a byte.

    Raising before the response starts makes uvicorn answer 500, so instead reach uvicorn's
    per-request cycle (the bound `send`), mark it disconnected so it sends nothing after we
    return, and abort its transport.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:
        raise DroppedConnection("sandbox dropped the connection")
    cycle.disconnected = True
    transport.abort()


async def _send_json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await _send(send, status, json.dumps(body).encode(), b"application/json; charset=utf-8", headers)


async def _send(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    all_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
