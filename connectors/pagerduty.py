"""PagerDuty connector: incidents, log entries, alerts, notes, change events and people, as plain dicts.

Entry points (all take a `PagerDutyClient`; build the real one with `make_client`):

* `make_client(token, base_url=None, ca_bundle=None, backoff=None) -> PagerDutyApi`
* `iter_pagerduty_records(client, selection, since, until, state=None) -> Iterator[tuple[kind, payload]]`
  everything that changed in `[since, until)`; kinds are `service`, `team`, `escalation_policy`, `user`,
  `incident`, `log_entry`, `alert`, `note`, `change_event`, and last one `cursor` per partition
  (`{"partition", "value"}`) to store once the records before it are stored.
* `partitions(selection) -> list[str]` and `window_from_cursor(cursor, now, initial_span)` for nightly runs.
* `fetch_incident(client, ref) -> dict` (a PagerDuty id, or an incident number) and
  `iter_incident_records(client, ref, state=None)`: one incident with its log entries, alerts and notes.

How it stays cheap: account-wide `/log_entries?include[]=incidents` over the window names every incident
that changed and carries its current state, so incidents are never listed or fetched one by one; alerts
are read only for incidents that have any, notes only where an annotate entry (a note) appeared or the
incident changed after the window. Windows longer than 6 months are split, and a listing that reaches
the 10,000 offset cap goes on over the part of the window it has not seen yet.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx2
import pagerduty

from connectors.errors import AuthError, ConnectorError, RateLimitExhausted, TransientError
from connectors.http import Backoff, parse_retry_after

log = logging.getLogger(__name__)

SETTING = "PAGERDUTY_API_TOKEN"
API = "pagerduty"
PAGE = 100  # the API's maximum `limit`
OFFSET_CAP = 10_000  # offset + limit may not pass it
MAX_SPAN = timedelta(days=180)  # under any reading of the API's 6-month since/until rule
MIN_SPLIT = timedelta(seconds=1)
OVERLAP = timedelta(minutes=15)  # re-read before the cursor: log entries can land a little late
ACCOUNT = "account"


# ---------------------------------------------------------------- errors


class NotFound(ConnectorError):
    """A 404: the object is gone (deleted, merged) or never existed."""


class BadRequest(ConnectorError):
    """A 400 the connector did not expect; the message carries PagerDuty's error body."""


# ---------------------------------------------------------------- client


class PagerDutyClient(Protocol):
    """What the connector needs: one GET returning decoded JSON, retried and classified."""

    requests: int

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]: ...


class _Retry(Exception):
    """Raised from the client's response hook so its own endless 429 loop never runs."""

    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class _Client(pagerduty.RestApiV2Client):
    """The real client with its retry loops taken out: we retry with Retry-After and a bound."""

    max_network_attempts = 0  # a dropped connection surfaces at once as pagerduty.Error

    def postprocess(self, response: httpx2.Response, suffix: str | None = None) -> None:
        super().postprocess(response, suffix)
        if response.status_code == 429:
            raise _Retry(response)


class PagerDutyApi:
    """`PagerDutyClient` over the `pagerduty` package: bounded retries, typed errors, a request count."""

    def __init__(self, client: pagerduty.RestApiV2Client, backoff: Backoff | None = None,
                 pace: Callable[[], None] | None = None) -> None:
        self._client = client
        self.backoff = backoff or Backoff()
        self.pace = pace  # called before every request: a rate limit shared by several workers
        self.requests = 0

    def __repr__(self) -> str:  # never the token
        return f"PagerDutyApi(url={self._client.url!r}, requests={self.requests})"

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        last = "no attempt"
        for attempt in range(1, self.backoff.attempts + 1):
            retry_after: float | None = None
            if self.pace is not None:
                self.pace()
            self.requests += 1
            try:
                response = self._client.get(path, params=dict(params or {}))
            except _Retry as exc:
                retry_after = _rate_limit_wait(exc.response)
                if retry_after is not None and retry_after > self.backoff.max_retry_after_s:
                    raise RateLimitExhausted(API, datetime.now(UTC) + timedelta(seconds=retry_after)) from None
                last = "429 rate limited"
            except pagerduty.HttpError as exc:  # a 401 (or a redirect) escapes the client this way
                status = exc.response.status_code if exc.response is not None else 0
                if status == 401:
                    raise AuthError(SETTING, "HTTP 401") from None
                raise ConnectorError(f"GET {path}: unexpected HTTP {status}") from None
            except (pagerduty.Error, httpx2.TransportError) as exc:
                last = f"network error ({type(exc.__cause__ or exc).__name__})"
            else:
                status = response.status_code
                if status in (401, 403):
                    raise AuthError(SETTING, f"HTTP {status}")
                if status == 404:
                    raise NotFound(f"GET {path}: not found")
                if status == 400:
                    raise BadRequest(f"GET {path}: HTTP 400 {response.text[:500]}")
                if status >= 500 or status == 408:
                    last = f"HTTP {status}"
                elif status >= 400:
                    raise ConnectorError(f"GET {path}: HTTP {status} {response.text[:200]}")
                else:
                    try:
                        body = json.loads(response.content)
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        last = "truncated or invalid JSON body"
                    else:
                        if isinstance(body, dict):
                            return body
                        last = "unexpected JSON body"
            if attempt < self.backoff.attempts:
                log.info("pagerduty GET %s: %s; retry %d", path, last, attempt)
                self.backoff.wait(attempt, retry_after)
        if last.startswith("429"):
            raise RateLimitExhausted(API, None)
        raise TransientError(f"GET {path} failed {self.backoff.attempts} times: {last}")


def _rate_limit_wait(response: httpx2.Response) -> float | None:
    # Retry-After when sent; else PagerDuty's relative ratelimit-reset; else our own backoff.
    return parse_retry_after(response.headers.get("retry-after")) or parse_retry_after(
        response.headers.get("ratelimit-reset"))


def make_client(token: str, base_url: str | None = None, ca_bundle: str | None = None,
                backoff: Backoff | None = None, pace: Callable[[], None] | None = None) -> PagerDutyApi:
    """The real client; `ca_bundle` adds a CA to the system ones (TLS verification is never turned off)."""
    if not token:
        raise AuthError(SETTING, "empty token")
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    kwargs: dict[str, Any] = {"verify": context}
    if base_url:
        kwargs["base_url"] = base_url.rstrip("/")
    try:
        client = _Client(token, **kwargs)
    except pagerduty.UrlError as exc:
        raise ConnectorError(f"PAGERDUTY_API_URL must be an https:// URL ({exc})") from None
    client.headers["Accept"] = "application/vnd.pagerduty+json;version=2"
    return PagerDutyApi(client, backoff, pace)


# ---------------------------------------------------------------- time


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def format_time(value: datetime) -> str:
    """Fixed-width ISO UTC, so cursors compare as text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_span(since: datetime, until: datetime, span: timedelta = MAX_SPAN) -> list[tuple[datetime, datetime]]:
    """`[since, until)` cut into consecutive windows no longer than `span`."""
    windows = []
    start = since
    while start < until:
        end = min(start + span, until)
        windows.append((start, end))
        start = end
    return windows


def window_from_cursor(cursor: str | None, now: datetime, initial_span: timedelta = timedelta(days=30),
                       overlap: timedelta = OVERLAP) -> tuple[datetime, datetime]:
    """The nightly window: from the stored cursor minus the overlap (or `initial_span` ago) to now."""
    since = parse_time(cursor) - overlap if cursor else now - initial_span
    return since, now


# ---------------------------------------------------------------- listings


@dataclass
class RunState:
    """What a run learnt besides records: skipped partitions, listings split at the offset cap."""

    skipped: list[dict[str, str]] = field(default_factory=list)
    splits: int = 0
    cursors: dict[str, str] = field(default_factory=dict)


def iter_pages(client: PagerDutyClient, path: str, key: str, params: Mapping[str, Any] | None = None,
               first: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every item of a classic-paginated listing; raises `OffsetCapReached` rather than stop silently."""
    base = dict(params or {})
    offset = 0
    body = first
    while True:
        if body is None:
            body = client.get_json(path, {**base, "limit": PAGE, "offset": offset})
        items = body.get(key) or []
        yield from items
        offset += len(items)
        # `more` is the stop rule; endpoints declared without it (/change_events) stop on a short page.
        more = body["more"] if isinstance(body.get("more"), bool) else len(items) >= int(body.get("limit") or PAGE)
        if not more or not items:
            return
        if offset + PAGE > OFFSET_CAP:
            raise OffsetCapReached(path, offset)
        body = None


class OffsetCapReached(ConnectorError):
    """A listing has more than 10,000 items; the caller must ask for smaller windows."""

    def __init__(self, path: str, offset: int) -> None:
        super().__init__(f"GET {path}: more than {offset} items, past the offset cap")
        self.offset = offset


def iter_window(client: PagerDutyClient, path: str, key: str, since: datetime, until: datetime,
                params: Mapping[str, Any] | None = None, state: RunState | None = None,
                time_field: str = "created_at") -> Iterator[dict[str, Any]]:
    """A time-filtered listing over `[since, until)` that never stops at the offset cap.

    Windows over 6 months are split first. When a listing reaches the cap, the window shrinks to
    what it has not yet seen (up to the oldest item seen, for a newest-first listing, or from the
    newest, for an oldest-first one) and paging starts again there: no request is wasted but the
    one page that re-reads the boundary second, and items read twice are stored idempotently.
    """
    for start, end in split_span(since, until):
        yield from _iter_fitting(client, path, key, start, end, dict(params or {}), state, time_field)


def _iter_fitting(client: PagerDutyClient, path: str, key: str, since: datetime, until: datetime,
                  params: dict[str, Any], state: RunState | None, time_field: str) -> Iterator[dict[str, Any]]:
    while since < until:
        first: datetime | None = None
        last: datetime | None = None
        try:
            for item in iter_pages(client, path, key, {**params, "since": format_time(since),
                                                       "until": format_time(until)}):
                stamp = item.get(time_field)
                if stamp:
                    last = parse_time(stamp)
                    first = first or last
                yield item
            return
        except OffsetCapReached:
            if first is None or last is None:
                raise
            if state is not None:
                state.splits += 1
            if first >= last:  # newest first: what is left is older than the oldest item seen
                new_since, new_until = since, min(until, last.replace(microsecond=0) + timedelta(seconds=1))
            else:
                new_since, new_until = max(since, last.replace(microsecond=0)), until
            if (new_since, new_until) == (since, until):
                raise ConnectorError(f"GET {path}: more than {OFFSET_CAP} items within one second") from None
            log.info("pagerduty %s: offset cap reached, continuing over %s..%s", path, new_since, new_until)
            since, until = new_since, new_until


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Selection:
    """What to pull: the whole account, or some services; reference lists (people, services) or not."""

    service_ids: tuple[str, ...] = ()  # ids, names or globs of services
    exclude: tuple[str, ...] = ()  # ids, names or globs of services left out
    reference: bool = True
    change_events: bool = True


def partitions(selection: Selection) -> list[str]:
    """Cursor partitions: `account`, or one `service:<id>` per selected service."""
    return [f"service:{s}" for s in selection.service_ids] or [ACCOUNT]


def iter_reference(client: PagerDutyClient) -> Iterator[tuple[str, dict[str, Any]]]:
    """Services, teams, escalation policies and users (users carry their email)."""
    for kind, path in (("service", "services"), ("team", "teams"),
                       ("escalation_policy", "escalation_policies"), ("user", "users")):
        for item in iter_pages(client, path, path):
            yield kind, item


def iter_pagerduty_records(client: PagerDutyClient, selection: Selection, since: datetime, until: datetime,
                           state: RunState | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Everything that changed in `[since, until)`, then one `("cursor", {...})` per partition.

    Yields log entries as they come, each changed incident when first seen (its current state, as
    expanded in its newest log entry), then per changed incident its alerts (if it has any) and its
    notes (if a note was added in the window or the incident changed after it). A 404 on one incident's alerts or notes skips it
    and records it in `state.skipped`.
    """
    state = state if state is not None else RunState()
    wanted = set(selection.service_ids)
    excluded: set[str] = set()
    if selection.reference:
        services: list[dict[str, Any]] = []
        for kind, item in iter_reference(client):
            if kind == "service":
                services.append(item)
            yield kind, item
        excluded = {s["id"] for s in services if any(service_matches(s, x) for x in selection.exclude)}
        wanted = set()
        for pattern in selection.service_ids:
            matched = {s["id"] for s in services if service_matches(s, pattern)}
            if not matched:
                # An unknown or unreadable service is reported, and its cursor is not moved.
                state.skipped.append({"partition": f"service:{pattern}", "reason": "service not found or not readable"})
            wanted |= matched - excluded
        if selection.service_ids and not wanted:
            return
    # Only what the children need is kept per incident, so memory grows with ids, not with payloads.
    changed: dict[str, dict[str, Any]] = {}
    annotated: set[str] = set()
    for entry in iter_window(client, "log_entries", "log_entries", since, until,
                             {"include[]": ["incidents"]}, state):
        incident = entry.get("incident") or {}
        service_id = (entry.get("service") or incident.get("service") or {}).get("id")
        if (wanted and service_id not in wanted) or service_id in excluded:
            continue
        incident_id = incident.get("id")
        if incident_id and incident_id not in changed and incident.get("type") == "incident":
            # Newest entry first: its expanded incident is the current state.
            changed[incident_id] = _child_context(incident, until)
            yield "incident", incident
        if entry.get("type") == "annotate_log_entry" and incident_id:
            annotated.add(incident_id)
        yield "log_entry", _reference_incident(entry)
    for incident_id, context in changed.items():
        yield from _incident_children(client, context, incident_id in annotated or context["changed_after"], state)
    if selection.change_events:
        for event in iter_window(client, "change_events", "change_events", since, until, None, state,
                                 time_field="timestamp"):
            event_services = {s.get("id") for s in event.get("services") or []}
            if event_services and event_services <= excluded:
                continue
            if not wanted or wanted & event_services:
                yield "change_event", event
    skipped = {entry["partition"] for entry in state.skipped}
    for partition in partitions(selection):
        if partition in skipped:
            continue
        state.cursors[partition] = format_time(until)
        yield "cursor", {"partition": partition, "value": format_time(until)}


def service_matches(service: dict[str, Any], pattern: str) -> bool:
    """A service id or name, or a glob such as ``search-*``, names this service."""
    return any(fnmatch.fnmatchcase(str(service.get(key) or ""), pattern) for key in ("id", "name"))


def _reference_incident(entry: dict[str, Any]) -> dict[str, Any]:
    """The log entry with its expanded incident folded back to a reference (the incident is yielded apart)."""
    incident = entry.get("incident")
    if not isinstance(incident, dict) or incident.get("type") != "incident":
        return entry
    return {**entry, "incident": _reference_of(incident)}


def _changed_after(incident: dict[str, Any], until: datetime) -> bool:
    updated = incident.get("updated_at") or incident.get("last_status_change_at")
    return isinstance(updated, str) and parse_time(updated) >= until


def _child_context(incident: dict[str, Any], until: datetime) -> dict[str, Any]:
    counts = incident.get("alert_counts") or {}
    return {"id": incident["id"], "ref": _reference_of(incident), "service": incident.get("service"),
            "has_alerts": bool(counts.get("all", 1)), "changed_after": _changed_after(incident, until)}


def _reference_of(incident: dict[str, Any]) -> dict[str, Any]:
    return {"id": incident.get("id"), "type": "incident_reference", "summary": incident.get("summary"),
            "self": incident.get("self"), "html_url": incident.get("html_url")}


def _incident_children(client: PagerDutyClient, context: dict[str, Any], with_notes: bool,
                       state: RunState) -> Iterator[tuple[str, dict[str, Any]]]:
    incident_id = context["id"]
    ref = context["ref"]
    try:
        if context["has_alerts"]:
            for alert in iter_pages(client, f"incidents/{incident_id}/alerts", "alerts"):
                yield "alert", alert
        if with_notes:
            body = client.get_json(f"incidents/{incident_id}/notes")
            for note in body.get("notes") or []:
                # Notes name neither their incident nor its service: add both as references.
                yield "note", {**note, "incident": ref, "service": context["service"]}
    except NotFound as exc:
        state.skipped.append({"partition": f"incident:{incident_id}", "reason": str(exc)})
        log.warning("pagerduty: skipped incident %s: %s", incident_id, exc)


# ---------------------------------------------------------------- one incident


def fetch_incident(client: PagerDutyClient, ref: str | int) -> dict[str, Any]:
    """One incident by PagerDuty id or by incident number.

    The API's GET /incidents/{id} takes a number as well as an id, so a number costs one request;
    if an API refuses it (404), `search_incident_number` finds it by its creation time.
    """
    key = str(ref).strip().removeprefix("#")
    try:
        return client.get_json(f"incidents/{key}")["incident"]
    except NotFound:
        if not key.isdigit():
            raise
    return search_incident_number(client, int(key))


def search_incident_number(client: PagerDutyClient, number: int, now: datetime | None = None,
                           floor: datetime = datetime(2009, 1, 1, tzinfo=UTC)) -> dict[str, Any]:
    """Find an incident by number without listing everything: numbers grow with creation time.

    Asks for the oldest incident (to bound the walk), walks back 180-day windows from now asking only
    for the highest number in each (one request each, `sort_by=incident_number:desc&limit=1`) until a
    window's highest is below `number`, then halves the last window above it the same way until its
    incidents fit in one page.
    """
    until = now or datetime.now(UTC)

    def highest(start: datetime, end: datetime) -> tuple[int | None, int]:
        body = client.get_json("incidents", {"since": format_time(start), "until": format_time(end),
                                             "sort_by": "incident_number:desc", "limit": 1, "total": "true"})
        items = body.get("incidents") or []
        return (int(items[0]["incident_number"]) if items else None), int(body.get("total") or 0)

    # The oldest incident bounds the walk back (one request, whatever the history's length).
    oldest = client.get_json("incidents", {"date_range": "all", "sort_by": "incident_number:asc", "limit": 1})
    first = (oldest.get("incidents") or [None])[0]
    if first is None or int(first["incident_number"]) > number:
        raise NotFound(f"incident number {number} not found")
    floor = max(floor, parse_time(first["created_at"]))
    # The newest window whose highest number is >= `number`, found walking back until one is below it.
    candidate: tuple[datetime, datetime, int] | None = None
    end = until
    while end > floor:
        start = max(end - MAX_SPAN, floor)
        top, total = highest(start, end)
        if top is not None and top < number:
            break
        if top is not None:
            candidate = (start, end, total)
        end = start
    if candidate is not None:
        low, high, total = candidate
        # Halve, keeping the half that holds `number`, until the window fits one page.
        while total > PAGE and high - low > MIN_SPLIT:
            mid = (low + (high - low) / 2).replace(microsecond=0)
            top_low, total_low = highest(low, mid)
            if top_low is not None and top_low >= number:
                high, total = mid, total_low
            else:
                low, total = mid, total - total_low
        for incident in iter_pages(client, "incidents", "incidents",
                                   {"since": format_time(low), "until": format_time(high)}):
            if int(incident["incident_number"]) == number:
                return incident
    raise NotFound(f"incident number {number} not found")


def iter_incident_records(client: PagerDutyClient, ref: str | int, state: RunState | None = None
                          ) -> Iterator[tuple[str, dict[str, Any]]]:
    """One incident (for `lookback backfill INCIDENT`) with all its log entries, alerts and notes."""
    state = state if state is not None else RunState()
    incident = fetch_incident(client, ref)
    yield "incident", incident
    for entry in iter_pages(client, f"incidents/{incident['id']}/log_entries", "log_entries"):
        yield "log_entry", entry
    yield from _incident_children(client, _child_context(incident, datetime.now(UTC)), True, state)


def monotonic_rate(records: int, started: float) -> float:
    """Records per second since `started` (a `time.monotonic()` value), for benchmarks."""
    return records / max(time.monotonic() - started, 1e-9)
