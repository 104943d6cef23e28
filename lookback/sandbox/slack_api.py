"""Slack Web API over a world's `slack` section, as slack.com sends it (served under `/slack/api/<method>`).

Follows QUIRKS.md: ts strings everywhere, `ok:false` errors with HTTP 200, HTTP 429 + Retry-After for
rate limits, `next_cursor: ""` on the last page, `has_more` on history and replies. Implements the
per-method tier limits and the 2025 non-Marketplace rule for `conversations.history` (1 call a
minute, at most 15 messages), both scaled by `knobs.slack_time_scale`.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lookback.sandbox.core import SandboxState

API = "slack"
BOT_USER = "U0LOOKBACK"
BOT_ID = "B0LOOKBACK"
_MINUTE_S = 60.0
_HISTORY_15_LIMIT = 15

# Per-minute limits of Slack's tiers, per method (docs.slack.dev "Rate limits").
TIER_PER_MIN: dict[str, int] = {
    "auth.test": 100,
    "team.info": 100,
    "users.info": 100,
    "chat.getPermalink": 100,
    "conversations.history": 50,
    "conversations.replies": 50,
    "conversations.list": 20,
    "users.list": 20,
}
_AUTH_FREE = frozenset({"api.test"})


class SlackError(Exception):
    """An `ok: false` answer (HTTP 200 unless `status` says otherwise)."""

    def __init__(self, error: str, status: int = 200, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.extra = extra or {}


# ---------------------------------------------------------------------------------------------- rate limits


@dataclass
class _Limiter:
    """Sliding one-minute windows per method (scaled), guarded by its own lock."""

    calls: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, method: str, per_window: int, window_s: float, now: float) -> float:
        """Record a call if allowed and return 0, else return the seconds until one is allowed."""
        with self.lock:
            q = self.calls.setdefault(method, deque())
            while q and q[0] <= now - window_s:
                q.popleft()
            if len(q) >= per_window:
                return q[0] + window_s - now
            q.append(now)
            return 0.0


# ---------------------------------------------------------------------------------------------- world index


@dataclass
class _Index:
    """Lookups over the world's `slack` section, rebuilt when an edit bumps `world_version`."""

    key: tuple[int, int, int]
    team: dict[str, Any]
    users: list[dict[str, Any]]
    users_by_id: dict[str, dict[str, Any]]
    channels: list[dict[str, Any]]
    channels_by_id: dict[str, dict[str, Any]]
    # channel -> top-level messages (what history returns), oldest first
    history: dict[str, list[dict[str, Any]]]
    # (channel, thread_ts) -> replies oldest first (parent excluded)
    replies: dict[tuple[str, str], list[dict[str, Any]]]
    by_ts: dict[tuple[str, str], dict[str, Any]]


def _ts_key(ts: str) -> tuple[int, int]:
    # Compare ts as integers (never floats: QUIRKS 6), tolerant of short fractions.
    whole, _, frac = ts.partition(".")
    return int(whole or 0), int((frac + "000000")[:6] or 0)


def _build_index(world: dict[str, Any], key: tuple[int, int, int]) -> _Index:
    slack = world.get("slack") or {}
    users = list(slack.get("users") or [])
    channels = list(slack.get("channels") or [])
    history: dict[str, list[dict[str, Any]]] = {}
    replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_ts: dict[tuple[str, str], dict[str, Any]] = {}
    for msg in slack.get("messages") or []:
        channel, ts = msg["channel"], msg["ts"]
        by_ts[(channel, ts)] = msg
        thread_ts = msg.get("thread_ts")
        if thread_ts and thread_ts != ts:
            replies.setdefault((channel, thread_ts), []).append(msg)
            if msg.get("subtype") == "thread_broadcast":
                history.setdefault(channel, []).append(msg)
        else:
            history.setdefault(channel, []).append(msg)
    for msgs in history.values():
        msgs.sort(key=lambda m: _ts_key(m["ts"]))
    for msgs in replies.values():
        msgs.sort(key=lambda m: _ts_key(m["ts"]))
    return _Index(
        key=key,
        team=dict(slack.get("team") or {"id": "T0000", "name": "Sandbox", "domain": "sandbox"}),
        users=users,
        users_by_id={u["id"]: u for u in users},
        channels=channels,
        channels_by_id={c["id"]: c for c in channels},
        history=history,
        replies=replies,
        by_ts=by_ts,
    )


# ---------------------------------------------------------------------------------------------- shapes


def _user_json(user: dict[str, Any], team_id: str) -> dict[str, Any]:
    real = user.get("real_name") or ""
    display = user.get("display_name", user.get("name") or "")
    profile: dict[str, Any] = {
        "real_name": real,
        "real_name_normalized": real,
        "display_name": display,
        "display_name_normalized": display,
        "title": user.get("title", ""),
        "status_text": "",
        "status_emoji": "",
        "avatar_hash": "",
        "team": team_id,
    }
    if user.get("email") and not user.get("is_bot"):
        profile["email"] = user["email"]  # visible with users:read.email
    if user.get("is_bot"):
        profile["bot_id"] = user.get("bot_id", "B" + user["id"][1:])
        profile["api_app_id"] = user.get("app_id", "A" + user["id"][1:])
    return {
        "id": user["id"],
        "team_id": team_id,
        "name": user.get("name", ""),
        "deleted": bool(user.get("deleted")),
        "color": "9f69e7",
        "real_name": real,
        "tz": user.get("tz") or "UTC",
        "tz_label": user.get("tz") or "UTC",
        "tz_offset": 0,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": bool(user.get("is_bot")),
        "is_app_user": False,
        "updated": int(user.get("updated") or 0),  # numeric epoch, not a ts string (QUIRKS 6)
    }


def _channel_json(ch: dict[str, Any], team_id: str) -> dict[str, Any]:
    created = int(ch.get("created") or 0)
    name = ch.get("name", "")
    return {
        "id": ch["id"],
        "name": name,
        "is_channel": not ch.get("is_private"),
        "is_group": bool(ch.get("is_private")),
        "is_im": False,
        "is_mpim": False,
        "is_private": bool(ch.get("is_private")),
        "created": created,
        "is_archived": bool(ch.get("is_archived")),
        "is_general": bool(ch.get("is_general")),
        "unlinked": 0,
        "name_normalized": name,
        "is_shared": False,
        "is_org_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": team_id,
        "updated": created * 1000,
        "creator": ch.get("creator", ""),
        "is_ext_shared": False,
        "shared_team_ids": [team_id],
        "pending_connected_team_ids": [],
        "is_member": bool(ch.get("is_member")),
        "topic": {"value": ch.get("topic") or "", "creator": ch.get("creator", ""), "last_set": created},
        "purpose": {"value": ch.get("purpose") or "", "creator": ch.get("creator", ""), "last_set": created},
        "previous_names": [],
        "num_members": int(ch.get("num_members") or 0),
    }


def _message_json(msg: dict[str, Any], idx: _Index, team_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "message"}
    subtype = msg.get("subtype")
    if subtype:
        out["subtype"] = subtype
    if msg.get("user"):
        out["user"] = msg["user"]
    if msg.get("bot_id"):
        out["bot_id"] = msg["bot_id"]
        out["app_id"] = msg.get("app_id", "A" + msg["bot_id"][1:])
        out["bot_profile"] = {"id": msg["bot_id"], "deleted": False, "name": msg.get("username") or msg["bot_id"],
                              "updated": 0, "app_id": out["app_id"], "team_id": team_id}
        if msg.get("username"):
            out["username"] = msg["username"]
    out["text"] = msg.get("text") or ""
    out["ts"] = msg["ts"]
    out["team"] = team_id
    for extra in ("attachments", "files", "blocks", "reactions"):
        if msg.get(extra):
            out[extra] = msg[extra]
    if msg.get("edited"):
        out["edited"] = dict(msg["edited"])
    thread_ts = msg.get("thread_ts")
    channel = msg["channel"]
    if thread_ts and thread_ts != msg["ts"]:
        out["thread_ts"] = thread_ts
        parent = idx.by_ts.get((channel, thread_ts))
        out["parent_user_id"] = (parent or {}).get("user") or ""
        if subtype == "thread_broadcast" and parent is not None:
            out["root"] = _message_json(parent, idx, team_id)
    else:
        thread = idx.replies.get((channel, msg["ts"]))
        if thread:
            # Derived from the replies, as Slack does; never stored in the world.
            users: list[str] = []
            for reply in thread:
                uid = reply.get("user") or reply.get("bot_id")
                if uid and uid not in users:
                    users.append(uid)
            out["thread_ts"] = msg["ts"]
            out["reply_count"] = len(thread)
            out["reply_users_count"] = len(users)
            out["latest_reply"] = thread[-1]["ts"]
            out["reply_users"] = users[:5]
            out["is_locked"] = False
            out["subscribed"] = False
        elif thread_ts:
            out["thread_ts"] = thread_ts
    return out


# ---------------------------------------------------------------------------------------------- cursors


def _encode_cursor(prefix: str, value: str) -> str:
    return base64.b64encode(f"{prefix}:{value}".encode()).decode()


def _decode_cursor(cursor: str, prefix: str) -> str:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SlackError("invalid_cursor") from None
    head, _, value = raw.partition(":")
    if head != prefix or not value:
        raise SlackError("invalid_cursor")
    return value


def _limit(params: dict[str, str], default: int, maximum: int) -> int:
    raw = params.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SlackError("invalid_limit") from None
    if value <= 0:
        return default
    return min(value, maximum)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


def _bound(value: str | None) -> tuple[int, int] | None:
    if value in (None, "", "0"):
        return None
    try:
        return _ts_key(str(value))
    except ValueError:
        raise SlackError("invalid_ts_latest") from None


def _in_window(ts: str, oldest: tuple[int, int] | None, latest: tuple[int, int] | None, inclusive: bool) -> bool:
    key = _ts_key(ts)
    if oldest is not None and (key < oldest or (key == oldest and not inclusive)):
        return False
    return not (latest is not None and (key > latest or (key == latest and not inclusive)))


# ---------------------------------------------------------------------------------------------- the API


class SlackApi:
    """Dispatches `/api/<method>` to one handler per Web API method."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.limiter = _Limiter()
        self._index: _Index | None = None
        self._index_lock = threading.Lock()
        self.handlers: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "api.test": self.api_test,
            "auth.test": self.auth_test,
            "team.info": self.team_info,
            "conversations.list": self.conversations_list,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "users.list": self.users_list,
            "users.info": self.users_info,
            "chat.getPermalink": self.chat_get_permalink,
        }

    # -- plumbing

    def index(self) -> _Index:
        with self.state.lock:
            world = self.state.world
            messages = (world.get("slack") or {}).get("messages") or []
            key = (id(world), self.state.world_version, len(messages))
            if self._index is None or self._index.key != key:
                self._index = _build_index(world, key)
            return self._index

    async def endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        self.state.stats.count(API, f"{request.method} {method}")
        params = await _params(request)
        try:
            handler = self.handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method", extra={"req_method": method})
            if method not in _AUTH_FREE:
                self._authenticate(request, params)
            self._rate_limit(method)
            body = handler(params)
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
            return _json(body, exc.status, exc.headers)
        return _json({"ok": True, **body}, 200)

    def _authenticate(self, request: Request, params: dict[str, str]) -> None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else params.get("token", "")
        if not token:
            raise SlackError("not_authed")
        if token.startswith("bad"):
            # Slack answers a revoked or wrong token with HTTP 200 and invalid_auth, not a 401.
            raise SlackError("invalid_auth")

    def _rate_limit(self, method: str) -> None:
        knobs = self.state.knobs
        window = _MINUTE_S * knobs.slack_time_scale
        now = time.monotonic()
        waits: list[float] = []
        if method == "conversations.history" and knobs.slack_history_15:
            waits.append(self.limiter.check("history_15", 1, window, now))
        elif knobs.slack_tiers and method in TIER_PER_MIN:
            waits.append(self.limiter.check(method, TIER_PER_MIN[method], window, now))
        wait = max(waits, default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})

    # -- methods

    def api_test(self, params: dict[str, str]) -> dict[str, Any]:
        return {"args": params} if params else {}

    def auth_test(self, params: dict[str, str]) -> dict[str, Any]:
        team = self.index().team
        return {"url": f"https://{team.get('domain', 'sandbox')}.slack.com/", "team": team.get("name", ""),
                "user": "lookback", "team_id": team.get("id", ""), "user_id": BOT_USER, "bot_id": BOT_ID,
                "is_enterprise_install": False}

    def team_info(self, params: dict[str, str]) -> dict[str, Any]:
        team = self.index().team
        domain = team.get("domain", "sandbox")
        return {"team": {"id": team.get("id", ""), "name": team.get("name", ""), "url": f"https://{domain}.slack.com/",
                         "domain": domain, "email_domain": team.get("email_domain", ""),
                         "icon": {"image_default": True}, "is_verified": False}}

    def _channel(self, idx: _Index, params: dict[str, str], need_member: bool = True) -> dict[str, Any]:
        cid = params.get("channel") or ""
        if not cid:
            raise SlackError("channel_not_found")
        ch = idx.channels_by_id.get(cid)
        # A private channel the bot is not in does not exist for it.
        if ch is None or (ch.get("is_private") and not ch.get("is_member")):
            raise SlackError("channel_not_found")
        if need_member and not ch.get("is_member"):
            raise SlackError("not_in_channel")
        return ch

    def conversations_list(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        types = {t.strip() for t in (params.get("types") or "public_channel").split(",") if t.strip()}
        exclude_archived = _truthy(params.get("exclude_archived"))
        team_id = idx.team.get("id", "")
        visible = []
        for ch in idx.channels:
            private = bool(ch.get("is_private"))
            if private and ("private_channel" not in types or not ch.get("is_member")):
                continue
            if not private and "public_channel" not in types:
                continue
            if exclude_archived and ch.get("is_archived"):
                continue
            visible.append(ch)
        limit = _limit(params, 100, 1000)
        start = 0
        if params.get("cursor"):
            after = _decode_cursor(params["cursor"], "team")
            start = next((i for i, ch in enumerate(visible) if ch["id"] == after), -1)
            if start < 0:
                raise SlackError("invalid_cursor")
        page = visible[start:start + limit]
        rest = visible[start + limit:]
        cursor = _encode_cursor("team", rest[0]["id"]) if rest else ""
        return {"channels": [_channel_json(ch, team_id) for ch in page],
                "response_metadata": {"next_cursor": cursor}}

    def conversations_history(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        ch = self._channel(idx, params)
        team_id = idx.team.get("id", "")
        maximum = _HISTORY_15_LIMIT if self.state.knobs.slack_history_15 else 999
        limit = _limit(params, 100, maximum)
        oldest, latest = _bound(params.get("oldest")), _bound(params.get("latest"))
        inclusive = _truthy(params.get("inclusive"))
        # Newest first, as Slack returns history.
        msgs = [m for m in reversed(idx.history.get(ch["id"], []))
                if _in_window(m["ts"], oldest, latest, inclusive)]
        if params.get("cursor"):
            next_ts = _ts_key(_decode_cursor(params["cursor"], "next_ts"))
            msgs = [m for m in msgs if _ts_key(m["ts"]) <= next_ts]
        page, rest = msgs[:limit], msgs[limit:]
        body: dict[str, Any] = {
            "messages": [_message_json(m, idx, team_id) for m in page],
            "has_more": bool(rest),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""},
        }
        if params.get("oldest"):
            body["oldest"] = params["oldest"]
        if params.get("latest"):
            body["latest"] = params["latest"]
        return body

    def conversations_replies(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        ch = self._channel(idx, params)
        team_id = idx.team.get("id", "")
        ts = params.get("ts") or ""
        msg = idx.by_ts.get((ch["id"], ts))
        if msg is None:
            raise SlackError("thread_not_found")
        thread_ts = msg.get("thread_ts") or ts
        parent = idx.by_ts.get((ch["id"], thread_ts), msg)
        limit = _limit(params, 10, 1000)
        oldest, latest = _bound(params.get("oldest")), _bound(params.get("latest"))
        inclusive = _truthy(params.get("inclusive"))
        replies = [m for m in idx.replies.get((ch["id"], thread_ts), [])
                   if _in_window(m["ts"], oldest, latest, inclusive)]
        if params.get("cursor"):
            next_ts = _ts_key(_decode_cursor(params["cursor"], "next_ts"))
            replies = [m for m in replies if _ts_key(m["ts"]) >= next_ts]
        # Slack sends the parent first on every page; it counts toward the limit.
        page, rest = replies[:max(limit - 1, 1)], replies[max(limit - 1, 1):]
        return {
            "messages": [_message_json(m, idx, team_id) for m in [parent, *page]],
            "has_more": bool(rest),
            "response_metadata": {"next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""},
        }

    def users_list(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        team_id = idx.team.get("id", "")
        limit = _limit(params, 0, 1000) or len(idx.users) or 1
        start = 0
        if params.get("cursor"):
            after = _decode_cursor(params["cursor"], "user")
            start = next((i for i, u in enumerate(idx.users) if u["id"] == after), -1)
            if start < 0:
                raise SlackError("invalid_cursor")
        page, rest = idx.users[start:start + limit], idx.users[start + limit:]
        return {"members": [_user_json(u, team_id) for u in page], "cache_ts": int(time.time()),
                "response_metadata": {"next_cursor": _encode_cursor("user", rest[0]["id"]) if rest else ""}}

    def users_info(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        user = idx.users_by_id.get(params.get("user") or "")
        if user is None:
            raise SlackError("user_not_found")
        return {"user": _user_json(user, idx.team.get("id", ""))}

    def chat_get_permalink(self, params: dict[str, str]) -> dict[str, Any]:
        idx = self.index()
        ch = self._channel(idx, params, need_member=False)
        msg = idx.by_ts.get((ch["id"], params.get("message_ts") or ""))
        if msg is None:
            raise SlackError("message_not_found")
        return {"channel": ch["id"], "permalink": permalink(idx.team.get("domain", "sandbox"), ch["id"], msg)}


def permalink(domain: str, channel: str, msg: dict[str, Any]) -> str:
    """`https://<domain>.slack.com/archives/<channel>/p<ts without dot>` (+ thread query for replies)."""
    url = f"https://{domain}.slack.com/archives/{channel}/p{msg['ts'].replace('.', '')}"
    thread_ts = msg.get("thread_ts")
    if thread_ts and thread_ts != msg["ts"]:
        url += f"?thread_ts={thread_ts}&cid={channel}"
    return url


async def _params(request: Request) -> dict[str, str]:
    """Query string, then a form-encoded or JSON body on top, as Slack accepts both."""
    params = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if raw and "json" in ctype:
            try:
                data = json.loads(raw)
            except ValueError:
                data = {}
            if isinstance(data, dict):
                params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()})
        elif raw:
            params.update(dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)))
    return params


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, headers=headers,
                    media_type="application/json; charset=utf-8")


class InProcessSlack:
    """A `connectors.slack.SlackApi` fake: the sandbox's handlers called directly, no HTTP, no limits."""

    def __init__(self, world: dict[str, Any]) -> None:
        self.api = SlackApi(SandboxState(world))
        self.calls: dict[str, int] = {}

    def call(self, method: str, params: Any) -> dict[str, Any]:
        self.calls[method] = self.calls.get(method, 0) + 1
        clean = {k: ("true" if v is True else "false" if v is False else str(v))
                 for k, v in dict(params).items() if v is not None}
        from connectors.slack import SlackCallError  # the errors the real client raises

        handler = self.api.handlers.get(method)
        if handler is None:
            raise SlackCallError(method, "unknown_method")
        try:
            return {"ok": True, **handler(clean)}
        except SlackError as exc:
            raise SlackCallError(method, exc.error) from None


def make_routes(state: SandboxState) -> list[BaseRoute]:
    """The Slack routes, mounted by the sandbox core under `/slack`."""
    api = SlackApi(state)
    return [Route("/api/{method}", api.endpoint, methods=["GET", "POST"])]
