"""Slack connector: channels, messages, threads, users and deletions, as plain dicts, with as few calls as possible.

Entry points (the flows call these; nothing here knows the database):

    client = make_client(token, base_url, ca_bundle)            # slack_sdk.WebClient underneath
    for kind, payload in iter_slack_records(client, selection=None, since=None, until=None,
                                            state=SlackState(cursors, threads)):
        ...

`kind` is one of:

* ``"team"``: team.info's team (its ``domain`` builds permalinks), first.
* ``"user"``: one users.list member (users.list runs once per run).
* ``"channel"``: one conversations.list channel that was selected.
* ``"message"``: one message, the raw Slack dict plus ``channel`` and ``_context`` ({team, domain,
  channel_name}). Thread replies come before their parent, so a parent's ``latest_reply`` is only
  stored once its replies are.
* ``"window"``: ``{channel, thread_ts, oldest, latest, seen_ts}``: a range read completely; stored
  messages in it that are not in ``seen_ts`` were deleted (``thread_ts`` None: top-level messages in
  ``oldest < ts < latest``; else the replies of that thread). Store with
  `warehouse.slack_state.mark_deleted`, or load a whole run with `store_slack_records`.
* ``"cursor"``: ``{channel, value}``: the newest top-level ts of a channel read to the end; store it
  after the records before it (only when ``until`` is None: a backfill never moves the nightly cursor).
* ``"skipped"``: ``{partition, reason}``: a channel that could not be read; the others went on.

Costs: one team.info, users.list and conversations.list page sequences, then per channel
ceil(M/page) conversations.history calls (newest first; on an incremental run, only the pages that
reach `SlackState.overlap` before the channel's cursor, so a quiet channel costs one call and every
message on that page is re-verified for edits, deletions and moved threads), and one
conversations.replies sequence per thread whose ``latest_reply`` or ``reply_count`` differs from
what `SlackState.threads` says is stored. The 2025 limit mode (15 messages, 1 call a minute) is
followed by shrinking the page to what the server returns and pacing from its Retry-After.

Errors: `connectors.errors.AuthError` (names SLACK_BOT_TOKEN) and `RateLimitExhausted` stop the run;
per-channel failures become ``skipped`` records. The same run in parts, one task per channel:
`iter_slack_listing` once, then `iter_channel_records` per channel (which raises a transient failure
that outlived the retries, so the caller can retry that channel). The token never reaches a message, log line or repr.
"""

from __future__ import annotations

import fnmatch
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from typing import Any, Protocol
from urllib.error import URLError
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from connectors.errors import AuthError, ConnectorError, RateLimitExhausted, TransientError
from connectors.http import Backoff, parse_retry_after

log = logging.getLogger(__name__)

SETTING = "SLACK_BOT_TOKEN"
HISTORY_MAX = 999  # conversations.history's documented maximum
LIST_MAX = 1000  # conversations.list, users.list and replies allow 1000
DEFAULT_OVERLAP = timedelta(days=3)
CONVERSATION_TYPES = "public_channel,private_channel"

Record = tuple[str, dict[str, Any]]
ThreadMarks = Mapping[str, tuple[str | None, int | None]]  # thread_ts -> (stored latest_reply, reply_count)

_AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                          "no_permission", "missing_scope", "not_allowed_token_type", "ekm_access_denied"})
_SKIP_ERRORS = frozenset({"channel_not_found", "not_in_channel", "access_denied", "is_archived",
                          "team_access_not_granted"})
_TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                               "request_timeout", "timeout"})


class SlackCallError(ConnectorError):
    """An `ok: false` answer that retrying will not fix (channel_not_found, thread_not_found...)."""

    def __init__(self, method: str, error: str) -> None:
        self.method = method
        self.error = error
        super().__init__(f"Slack {method} failed: {error}")


class SlackApi(Protocol):
    """What the connector needs from a Slack client: one Web API call, returning the decoded body."""

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


# ---------------------------------------------------------------------------------------------- the real client


class _Pacer:
    """Learns each method's sustainable pace from 429s, so later calls wait instead of being refused.

    After `n` accepted calls over `t` seconds a 429 asking for `r` more seconds means the method
    allows about `n` calls per `t + r` seconds: one call every `(t + r) / n` seconds from then on.
    That is 1 call a minute in Slack's 2025 history mode and the tier rate after a burst.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.interval: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._since: dict[str, float] = {}
        self._accepted: dict[str, int] = {}
        self.rate_limited = 0

    def note_429(self, method: str, retry_after: float) -> None:
        with self._lock:
            self.rate_limited += 1
            now = time.monotonic()
            accepted = self._accepted.get(method, 0)
            if accepted:
                span = now - self._since.get(method, now) + retry_after
                self.interval[method] = span / accepted
            # The refused call is retried after Retry-After: the next one is paced from then.
            self.last[method] = self._since[method] = now + retry_after
            self._accepted[method] = 0

    def before(self, method: str, sleep: Callable[[float], None]) -> None:
        with self._lock:
            gap = self.interval.get(method, 0.0)
            wait = self.last.get(method, 0.0) + gap - time.monotonic() if gap else 0.0
        if wait > 0:
            sleep(wait)
        with self._lock:
            now = time.monotonic()
            self.last[method] = now
            self._since.setdefault(method, now)

    def accepted(self, method: str) -> None:
        with self._lock:
            self._accepted[method] = self._accepted.get(method, 0) + 1


def _method_of(url: str) -> str:
    return urlparse(url).path.rsplit("/", 1)[-1]


class _PacingRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After), telling the pacer what it saw."""

    def __init__(self, pacer: _Pacer, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._pacer = pacer

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is not None:
            values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
            retry_after = parse_retry_after(values[0] if values else None)
            self._pacer.note_429(_method_of(request.url), retry_after if retry_after is not None else 1.0)
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)


class SlackWebApi:
    """`SlackApi` over slack_sdk's WebClient, with our retry for what slack_sdk does not retry.

    slack_sdk retries 429 (Retry-After) and connection errors through its handlers; this class adds
    5xx, truncated bodies and handler exhaustion, with bounded backoff and jitter, and maps errors to
    `connectors.errors` types. The token lives only inside the WebClient and never reaches a message.
    """

    def __init__(self, client: WebClient, backoff: Backoff | None = None, pacer: _Pacer | None = None,
                 pace: Callable[[], None] | None = None) -> None:
        self._client = client
        self.backoff = backoff or Backoff()
        self.pacer = pacer or _Pacer()
        self.pace = pace  # called before every call: a rate limit shared by several workers
        self.calls = 0
        self.retries = 0

    def __repr__(self) -> str:
        return f"SlackWebApi(base_url={self._client.base_url!r})"

    def fork(self) -> SlackWebApi:
        """A client with its own call count that shares this one's connection settings and pacing (Slack's
        limits are per method and workspace, so channels read side by side must pace together)."""
        return SlackWebApi(self._client, backoff=self.backoff, pacer=self.pacer, pace=self.pace)

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        clean = {k: v for k, v in params.items() if v is not None}
        last: str = ""
        for attempt in range(1, self.backoff.attempts + 1):
            retry_after: float | None = None
            self.pacer.before(method, self.backoff.sleep)
            if self.pace is not None:
                self.pace()
            self.calls += 1
            try:
                response = self._client.api_call(method, http_verb="GET", params=clean)
                data = response.data
                self.pacer.accepted(method)
                if not isinstance(data, dict):
                    raise TransientError(f"Slack {method}: a body that is not a JSON object")
                return data
            except SlackApiError as exc:
                status = int(getattr(exc.response, "status_code", 0) or 0)
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                error = str(data.get("error") or "")
                if status in (401, 403) or error in _AUTH_ERRORS:
                    raise AuthError(SETTING, f"Slack answered {error or status} to {method}") from None
                if status == 429 or error == "ratelimited":
                    retry_after = parse_retry_after(_header(exc.response.headers, "retry-after"))
                    if retry_after is not None:
                        self.pacer.note_429(method, retry_after)
                    if retry_after is not None and retry_after > self.backoff.max_retry_after_s:
                        resume = datetime.now(UTC) + timedelta(seconds=retry_after)
                        raise RateLimitExhausted("slack", resume) from None
                    last = "HTTP 429"
                elif status >= 500 or error in _TRANSIENT_ERRORS or error.startswith("Received a response in a non"):
                    last = f"HTTP {status} {error[:60]}".strip()
                else:
                    raise SlackCallError(method, error or f"HTTP {status}") from None
            except (URLError, OSError, HTTPException, ValueError) as exc:
                # Dropped connections (after slack_sdk's own retry) and truncated JSON bodies.
                last = type(exc).__name__
            if attempt < self.backoff.attempts:
                self.retries += 1
                log.info("Slack %s: transient %s, retry %d", method, last, attempt)
                self.backoff.wait(attempt, retry_after)
        if last == "HTTP 429":
            raise RateLimitExhausted("slack", None)
        raise TransientError(f"Slack {method} still failing after {self.backoff.attempts} tries ({last})")


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


def make_client(token: str, base_url: str, ca_bundle: str | None = None, *, timeout: int = 30,
                backoff: Backoff | None = None, pace: Callable[[], None] | None = None) -> SlackWebApi:
    """A `SlackApi` over slack_sdk.WebClient pointed at `base_url` (SLACK_API_URL), trusting `ca_bundle` too."""
    if not token:
        raise AuthError(SETTING, "no token given")
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)  # adds a CA; the system ones stay trusted
    pacer = _Pacer()
    handlers: list[RetryHandler] = [
        _PacingRateLimitHandler(pacer, max_retry_count=3),
        ConnectionErrorRetryHandler(max_retry_count=2),
    ]
    base = base_url if base_url.endswith("/") else base_url + "/"
    client = WebClient(token=token, base_url=base, ssl=context, timeout=timeout, retry_handlers=handlers)
    return SlackWebApi(client, backoff=backoff, pacer=pacer, pace=pace)


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class SlackState:
    """What the caller has stored: cursors per channel and the marks of stored threads.

    ``threads(channel)`` returns ``{thread_ts: (latest_reply, reply_count)}`` as stored; a thread whose
    marks differ from what history shows is re-read. The default means "nothing stored".
    """

    cursors: Mapping[str, str] = field(default_factory=dict)
    threads: Callable[[str], ThreadMarks] = field(default=lambda channel: {})
    overlap: timedelta = DEFAULT_OVERLAP


def paginate(api: SlackApi, method: str, params: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
    """Every item under `key` across cursor pages; stops on an empty `next_cursor` (QUIRKS 7)."""
    cursor: str | None = None
    while True:
        data = api.call(method, {**params, "cursor": cursor})
        yield from data.get(key) or []
        cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def team_info(api: SlackApi) -> dict[str, Any]:
    return dict(api.call("team.info", {}).get("team") or {})


def iter_users(api: SlackApi) -> Iterator[dict[str, Any]]:
    yield from paginate(api, "users.list", {"limit": LIST_MAX}, "members")


def channel_matches(channel: dict[str, Any], pattern: str) -> bool:
    """A channel id or name (with or without '#') or a glob such as ``search-*`` names this channel."""
    pattern = pattern.lstrip("#")
    return any(fnmatch.fnmatchcase(str(channel.get(key) or ""), pattern) for key in ("id", "name"))


def list_channels(api: SlackApi, selection: Iterable[str] | None = None, include_archived: bool = True,
                  exclude: Iterable[str] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """Channels to read: `selection` (ids, names or globs), default every visible one, minus `exclude`.

    Returns (channels, selections that matched nothing). Private channels appear only when the bot is in them.
    """
    params = {"types": CONVERSATION_TYPES, "limit": LIST_MAX, "exclude_archived": not include_archived}
    channels = list(paginate(api, "conversations.list", params, "channels"))
    excluded = list(exclude)
    kept = [c for c in channels if not any(channel_matches(c, x) for x in excluded)]
    if selection is None:
        return kept, []
    wanted = list(selection)
    found = [c for c in kept if any(channel_matches(c, w) for w in wanted)]
    missing = [w.lstrip("#") for w in wanted if not any(channel_matches(c, w) for c in channels)]
    return found, missing


def ts_of(when: datetime) -> str:
    """A datetime as a Slack ts string (microseconds exact, no float)."""
    when = when.astimezone(UTC)
    seconds = int((when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1))
    return f"{seconds:010d}.{when.microsecond:06d}"


def shift_ts(ts: str, delta: timedelta) -> str:
    whole, _, frac = ts.partition(".")
    micros = int(whole) * 1_000_000 + int((frac + "000000")[:6]) + delta // timedelta(microseconds=1)
    micros = max(micros, 0)
    return f"{micros // 1_000_000:010d}.{micros % 1_000_000:06d}"


def _ts_key(ts: str) -> tuple[int, int]:
    whole, _, frac = ts.partition(".")
    return int(whole or 0), int((frac + "000000")[:6])


def _needs_replies(msg: dict[str, Any], marks: ThreadMarks) -> bool:
    if not msg.get("reply_count") or msg.get("thread_ts") != msg.get("ts"):
        return False
    stored = marks.get(msg["ts"])
    if stored is None:
        return True
    latest, count = stored
    return latest != msg.get("latest_reply") or count != msg.get("reply_count")


class HistoryPages:
    """History paging with the page size adapted to what the workspace allows (15 in 2025 mode)."""

    def __init__(self) -> None:
        self.page = HISTORY_MAX

    def observe(self, asked: int, got: int, has_more: bool) -> None:
        if has_more and 0 < got < asked:
            self.page = got  # the workspace caps the page; ask for what it gives


def iter_channel(api: SlackApi, channel: dict[str, Any], context: dict[str, Any], since: datetime | None,
                 until: datetime | None, state: SlackState, pages: HistoryPages | None = None) -> Iterator[Record]:
    """Records of one channel: replies, messages, the re-read windows and the new cursor."""
    cid = channel["id"]
    pages = pages or HistoryPages()
    cursor = state.cursors.get(cid)
    # The re-read must reach back `overlap` before the cursor, but a page costs one call whether it holds
    # 10 messages or 999: so ask newest-first from the beginning and stop paging once past the overlap.
    # Everything on the pages read is re-verified (edits, deletions, moved threads) at no extra call.
    stop_at = shift_ts(cursor, -state.overlap) if cursor else None
    oldest = ts_of(since) if since is not None else "0000000000.000000"
    latest = ts_of(until) if until is not None else None
    marks = state.threads(cid)
    ctx = {**context, "channel_name": channel.get("name")}
    seen: list[str] = []
    newest: str | None = None
    oldest_seen: str | None = None
    # Nothing newer than the moment we start reading can be stored, so that bounds the deletion window.
    read_at = ts_of(datetime.now(UTC))
    page_cursor: str | None = None
    complete = False
    while True:
        asked = pages.page
        data = api.call("conversations.history", {"channel": cid, "limit": asked, "oldest": oldest,
                                                  "latest": latest, "inclusive": False, "cursor": page_cursor})
        messages = data.get("messages") or []
        pages.observe(asked, len(messages), bool(data.get("has_more")))
        for msg in messages:
            ts = msg["ts"]
            seen.append(ts)
            if newest is None or _ts_key(ts) > _ts_key(newest):
                newest = ts
            if oldest_seen is None or _ts_key(ts) < _ts_key(oldest_seen):
                oldest_seen = ts
            if _needs_replies(msg, marks):
                yield from _iter_thread(api, cid, msg, ctx, read_at)
            yield "message", {**msg, "channel": cid, "_context": ctx}
        page_cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
        if not page_cursor or not data.get("has_more", True):
            complete = True
            break
        if stop_at and oldest_seen and _ts_key(oldest_seen) <= _ts_key(stop_at):
            break
    # Verified range: everything after the query's oldest when read to the end, else from the oldest seen on.
    window_oldest = oldest if complete or oldest_seen is None else shift_ts(oldest_seen, -timedelta(microseconds=1))
    yield "window", {"channel": cid, "thread_ts": None, "oldest": window_oldest,
                     "latest": latest or read_at, "seen_ts": seen}
    if until is None and newest and (cursor is None or _ts_key(newest) > _ts_key(cursor)):
        yield "cursor", {"channel": cid, "value": newest}


def _iter_thread(api: SlackApi, cid: str, parent: dict[str, Any], ctx: dict[str, Any],
                 read_at: str) -> Iterator[Record]:
    thread_ts = parent["ts"]
    seen: list[str] = []
    try:
        for msg in paginate(api, "conversations.replies", {"channel": cid, "ts": thread_ts, "limit": LIST_MAX},
                            "messages"):
            if msg.get("ts") == thread_ts:
                continue  # the parent, sent again on every page; history gave it to us
            seen.append(msg["ts"])
            yield "message", {**msg, "channel": cid, "_context": ctx}
    except SlackCallError as exc:
        if exc.error != "thread_not_found":
            raise
        return  # the parent was deleted between the two calls; the next run sees it gone
    yield "window", {"channel": cid, "thread_ts": thread_ts, "oldest": thread_ts, "latest": read_at,
                     "seen_ts": seen}


def iter_slack_records(api: SlackApi, selection: Iterable[str] | None = None, since: datetime | None = None,
                       until: datetime | None = None, state: SlackState | None = None,
                       exclude: Iterable[str] = ()) -> Iterator[Record]:
    """Everything a run stores, as (kind, payload) records; see the module docstring for the kinds.

    A channel that cannot be read (not_in_channel, channel_not_found, retries exhausted) is reported as
    a ``skipped`` record and the run goes on; an `AuthError` or `RateLimitExhausted` stops it.
    """
    state = state or SlackState()
    team: dict[str, Any] = {}
    channels: list[dict[str, Any]] = []
    for kind, payload in iter_slack_listing(api, selection, exclude):
        yield kind, payload
        if kind == "team":
            team = payload
        elif kind == "channel" and payload.get("is_member") is not False:
            channels.append(payload)
    pages = HistoryPages()
    for channel in channels:
        try:
            yield from iter_channel_records(api, channel, team, since, until, state, pages)
        except TransientError as exc:
            log.warning("Slack channel %s skipped: %s", channel["id"], exc)
            yield "skipped", {"partition": channel["id"], "reason": str(exc)}


def iter_slack_listing(api: SlackApi, selection: Iterable[str] | None = None,
                       exclude: Iterable[str] = ()) -> Iterator[Record]:
    """What a run reads once, whatever the number of channels: the team, every user, the selected channels
    (``skipped`` for a selection that matched nothing and for a channel the bot is not in)."""
    team = team_info(api)
    yield "team", team
    for user in iter_users(api):
        yield "user", user
    channels, missing = list_channels(api, selection, exclude=exclude)
    for name in missing:
        yield "skipped", {"partition": name, "reason": "channel_not_found"}
    for channel in channels:
        yield "channel", channel
        if channel.get("is_member") is False:
            # A bot reads only channels it is in; asking history would spend a call on not_in_channel.
            yield "skipped", {"partition": channel["id"], "reason": "not_in_channel"}


def iter_channel_records(api: SlackApi, channel: dict[str, Any], team: Mapping[str, Any], since: datetime | None,
                         until: datetime | None, state: SlackState, pages: HistoryPages | None = None) -> Iterator[Record]:
    """One channel (a partition) from the listing: its records, or ``skipped`` when Slack refuses it
    (a `SlackCallError`); a `TransientError` that outlived the retries is raised for the caller to retry."""
    context = {"team": team.get("id"), "domain": team.get("domain")}
    try:
        yield from iter_channel(api, channel, context, since, until, state, pages)
    except SlackCallError as exc:
        log.warning("Slack channel %s skipped: %s", channel["id"], exc.error)
        yield "skipped", {"partition": channel["id"], "reason": exc.error}
