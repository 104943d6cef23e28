"""Pure mappers from Slack API dicts to warehouse rows: channels, users, messages, evidence and references."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from warehouse.refs import clean, plain_refs, url_refs

Batch = dict[str, list[dict[str, Any]]]

SOURCE = "slack"
MAX_TEXT = 20_000  # evidence text cap: a 40k-character message must not swamp search
MAX_TITLE = 200
MAX_ATTACHMENT = 2_000
# Messages that are conversation; joins, topic changes and the like are stored typed but are not evidence.
CONVERSATION_SUBTYPES = frozenset({None, "", "bot_message", "thread_broadcast", "me_message", "file_share",
                                   "reply_broadcast"})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------- small helpers


def ts_time(ts: str | None) -> datetime | None:
    """A Slack ts string as an aware UTC datetime, exact to the microsecond (never through a float)."""
    if not ts:
        return None
    whole, _, frac = str(ts).strip().partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not a Slack ts: {ts!r}")
    return _EPOCH + timedelta(seconds=int(whole), microseconds=int((frac + "000000")[:6]))


def epoch_time(value: Any) -> datetime | None:
    """Numeric epoch seconds (users.list `updated`, channel `created`) as an aware UTC datetime."""
    if value in (None, "", 0):
        return None
    return _EPOCH + timedelta(seconds=float(value))


def permalink(domain: str | None, channel: str, ts: str, thread_ts: str | None = None) -> str | None:
    """`https://<domain>.slack.com/archives/<channel>/p<ts without dot>` (+ thread query for a reply)."""
    if not domain:
        return None
    url = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        url += f"?thread_ts={thread_ts}&cid={channel}"
    return url


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _topic(value: Any) -> str | None:
    if isinstance(value, dict):
        return clean(value.get("value"))
    return clean(value)


# ---------------------------------------------------------------------------------------------- references

_LINK = re.compile(r"<((?:https?|mailto):[^>|\s]+)(?:\|([^>]*))?>")
_BARE_URL = re.compile(r"(?<![<|\w])(https?://[^\s<>|\"')\]]+)")
_USER = re.compile(r"<@([UWB][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")


def references(text: str | None) -> list[tuple[str, str, str | None]]:
    """(ref_kind, target, label) found in Slack mrkdwn, per CONTRACTS §2; duplicates removed, order kept."""
    if not text:
        return []
    found: dict[tuple[str, str], str | None] = {}

    def add(kind: str, target: str, label: str | None) -> None:
        found.setdefault((kind, target[:512]), clean(label, 500))

    urls: list[tuple[str, str | None]] = [(m.group(1), m.group(2)) for m in _LINK.finditer(text)]
    stripped = _LINK.sub(" ", text)
    urls += [(m.group(1).rstrip(".,;:!?"), None) for m in _BARE_URL.finditer(stripped)]
    for url, label in urls:
        url_refs(url, label, add)
    for m in _USER.finditer(text):
        add("user", m.group(1), m.group(2) or m.group(0))
    for m in _CHANNEL.finditer(text):
        add("channel", m.group(1), m.group(2) or m.group(0))
    # Plain-text references: look only outside links and mentions so "#C123" or URL paths don't count.
    plain_refs(_BARE_URL.sub(" ", _CHANNEL.sub(" ", _USER.sub(" ", stripped))), add)
    return [(kind, target, label) for (kind, target), label in found.items()]


def render_text(text: str | None, users: Mapping[str, str] | None = None) -> str:
    """mrkdwn as a person reads it: mentions resolved to @name, links as `label (url)`, entities decoded."""
    if not text:
        return ""
    users = users or {}

    def user(m: re.Match[str]) -> str:
        return "@" + (users.get(m.group(1)) or m.group(2) or m.group(1))

    def channel(m: re.Match[str]) -> str:
        return "#" + (m.group(2) or m.group(1))

    def link(m: re.Match[str]) -> str:
        url, label = m.group(1), m.group(2)
        return f"{label} ({url})" if label and label != url else url

    out = _USER.sub(user, text)
    out = _CHANNEL.sub(channel, out)
    out = _LINK.sub(link, out)
    out = re.sub(r"<!(here|channel|everyone)(?:\|[^>]*)?>", r"@\1", out)
    out = re.sub(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>", lambda m: m.group(1) or "@team", out)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# ---------------------------------------------------------------------------------------------- mappers


def map_channel(payload: dict[str, Any]) -> Batch:
    """A conversations.list channel -> slack_channel."""
    row = {
        "id": payload["id"],
        "team_id": payload.get("context_team_id") or (payload.get("shared_team_ids") or [None])[0],
        "name": clean(payload.get("name")),
        "is_private": bool(payload.get("is_private") or payload.get("is_group")),
        "is_archived": bool(payload.get("is_archived")),
        "is_member": bool(payload.get("is_member")),
        "created_at": epoch_time(payload.get("created")),
        "topic": _topic(payload.get("topic")),
        "purpose": _topic(payload.get("purpose")),
    }
    return {"slack_channel": [row]}


def map_user(payload: dict[str, Any]) -> Batch:
    """A users.list member -> slack_user and account (with the email when the token may see it)."""
    profile = payload.get("profile") or {}
    email = clean(profile.get("email") or payload.get("email")) or None
    real_name = clean(payload.get("real_name") or profile.get("real_name")) or None
    display = clean(profile.get("display_name")) or None
    is_bot = bool(payload.get("is_bot") or payload.get("id") == "USLACKBOT")
    user = {
        "id": payload["id"],
        "team_id": payload.get("team_id") or profile.get("team"),
        "name": clean(payload.get("name")),
        "real_name": real_name,
        "display_name": display,
        "email": email,
        "is_bot": is_bot,
        "deleted": bool(payload.get("deleted")),
        "tz": clean(payload.get("tz")) or None,
    }
    account = {
        "source": SOURCE,
        "native_id": payload["id"],
        "handle": clean(payload.get("name")),
        "display_name": real_name or display,
        "email": email,
        "is_bot": is_bot,
        "person_key": email.lower() if email else None,
    }
    return {"slack_user": [user], "account": [account]}


def message_native_id(payload: dict[str, Any]) -> str:
    """`<channel_id>/<ts>`, ts exactly as Slack sent it (CONTRACTS §1)."""
    return f"{payload['channel']}/{payload['ts']}"


def is_conversation(payload: dict[str, Any]) -> bool:
    return payload.get("subtype") in CONVERSATION_SUBTYPES


def _attachment_text(payload: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    for att in payload.get("attachments") or []:
        if not isinstance(att, dict):
            continue
        for key in ("pretext", "title", "text", "fallback", "footer"):
            value = att.get(key)
            if value and value not in parts:
                parts.append(clean(str(value), MAX_ATTACHMENT) or "")
        if att.get("title_link"):
            parts.append(str(att["title_link"]))
        for fld in att.get("fields") or []:
            if isinstance(fld, dict):
                parts.append(f"{fld.get('title', '')}: {fld.get('value', '')}")
    for f in payload.get("files") or []:
        if isinstance(f, dict) and (f.get("title") or f.get("name")):
            parts.append(f"[file] {f.get('title') or f.get('name')}")
    return parts


def map_message(payload: dict[str, Any], users: Mapping[str, str] | None = None) -> Batch:
    """A history or replies message (plus `channel` and `_context` from the connector) -> rows.

    Always a slack_message row; conversation messages also get an evidence row and evidence_ref rows.
    `users` maps user ids to names for readable evidence text; unknown ids stay as ids.
    """
    channel = payload["channel"]
    ts = str(payload["ts"])
    posted_at = ts_time(ts)
    if posted_at is None:
        raise ValueError("message without ts")
    ctx = payload.get("_context") or {}
    thread_ts = payload.get("thread_ts") or None
    is_reply = bool(thread_ts and thread_ts != ts)
    edited = payload.get("edited") if isinstance(payload.get("edited"), dict) else None
    subtype = payload.get("subtype") or None
    link = permalink(ctx.get("domain"), channel, ts, thread_ts)
    raw_text = clean(payload.get("text")) or ""
    message = {
        "channel_id": channel,
        "ts": ts,
        "posted_at": posted_at,
        "thread_ts": thread_ts,
        "is_reply": is_reply,
        "user_id": payload.get("user") or None,
        "bot_id": payload.get("bot_id") or None,
        "subtype": subtype,
        "text": raw_text,
        "edited_ts": edited.get("ts") if edited else None,
        "edited_at": ts_time(edited.get("ts")) if edited else None,
        "deleted": False,
        "deleted_at": None,
        "reply_count": payload.get("reply_count") if not is_reply else None,
        "reply_users_count": payload.get("reply_users_count") if not is_reply else None,
        "latest_reply": payload.get("latest_reply") if not is_reply else None,
        "permalink": link,
    }
    batch: Batch = {"slack_message": [message]}
    if not is_conversation(payload):
        return batch

    native_id = message_native_id(payload)
    names = dict(users or {})
    actor = payload.get("user") or payload.get("bot_id") or None
    bot_profile = _dict(payload.get("bot_profile"))
    actor_name = (names.get(actor or "") or payload.get("username") or bot_profile.get("name")
                  or _dict(payload.get("user_profile")).get("real_name") or None)
    body = render_text(raw_text, names)
    text = "\n".join(p for p in [body, *_attachment_text(payload)] if p)
    channel_name = ctx.get("channel_name")
    first_line = next((line for line in body.splitlines() if line.strip()), "") or (subtype or "message")
    attributes: dict[str, Any] = {"ts": ts}
    if subtype:
        attributes["subtype"] = subtype
    if thread_ts:
        attributes["thread_ts"] = thread_ts
    if payload.get("reply_count") and not is_reply:
        attributes["reply_count"] = payload["reply_count"]
    if edited:
        attributes["edited_ts"] = edited.get("ts")
    if payload.get("bot_id"):
        attributes["bot"] = True
    evidence = {
        "source": SOURCE,
        "kind": "message",
        "native_id": native_id,
        "occurred_at": posted_at,
        "title": clean(first_line.strip(), MAX_TITLE),
        "text": clean(text, MAX_TEXT),
        "url": link,
        "actor": actor,
        "actor_name": clean(actor_name),
        "container": channel,
        "container_name": f"#{channel_name}" if channel_name else None,
        "parent_native_id": f"{channel}/{thread_ts}" if is_reply else None,
        "attributes": attributes,
    }
    ref_text = "\n".join([raw_text, *(_attachment_text(payload))])
    refs = [
        {"from_source": SOURCE, "from_native_id": native_id, "ref_kind": kind, "target": target, "label": label}
        for kind, target, label in references(ref_text)
    ]
    batch["evidence"] = [evidence]
    if refs:
        batch["evidence_ref"] = refs
    return batch


def map_record(kind: str, payload: dict[str, Any], users: Mapping[str, str] | None = None) -> Batch:
    """Dispatch one connector record kind to its mapper; kinds without rows give an empty batch."""
    if kind == "message":
        return map_message(payload, users)
    if kind == "user":
        return map_user(payload)
    if kind == "channel":
        return map_channel(payload)
    return {}
