"""Small hand-made Slack worlds for the Slack tests (CONTRACTS §5 shape, `slack` section only)."""

from __future__ import annotations

from typing import Any

BASE = 1670000000  # 2022-12-02


def ts(i: int, micro: int = 100) -> str:
    return f"{BASE + i * 60:010d}.{micro:06d}"


def msg(channel: str, i: int, text: str, user: str | None = "U001", **kw: Any) -> dict[str, Any]:
    return {"channel": channel, "ts": ts(i), "user": user, "text": text, "thread_ts": None, "subtype": None,
            "bot_id": None, "edited": None, **kw}


def slack_world(messages: int = 30, threads: int = 3, replies: int = 4) -> dict[str, Any]:
    """Channels: C001 public member (the traffic), C002 public not member, C003 private member,
    C004 private not member (invisible), C005 archived member. Threads on the first messages of C001."""
    users = [
        {"id": "U001", "name": "ana", "real_name": "Ana", "email": "ana@shop.example", "is_bot": False,
         "deleted": False, "tz": "UTC", "updated": 1669000000},
        {"id": "U002", "name": "bo", "real_name": "Bo", "email": "Bo@Shop.example", "is_bot": False,
         "deleted": False, "tz": "Europe/Paris", "updated": 1669000001},
        {"id": "U003", "name": "deploybot", "real_name": "Deploy Bot", "is_bot": True, "deleted": False,
         "tz": "UTC", "updated": 1669000002},
    ]
    channels = [
        {"id": "C001", "name": "search-team", "is_private": False, "is_member": True, "is_archived": False,
         "created": 1600000000, "creator": "U001", "topic": "search", "purpose": "team"},
        {"id": "C002", "name": "random", "is_private": False, "is_member": False, "is_archived": False,
         "created": 1600000000, "creator": "U001", "topic": "", "purpose": ""},
        {"id": "C003", "name": "incident-1042", "is_private": True, "is_member": True, "is_archived": False,
         "created": 1600000000, "creator": "U002", "topic": "", "purpose": ""},
        {"id": "C004", "name": "secret", "is_private": True, "is_member": False, "is_archived": False,
         "created": 1600000000, "creator": "U002", "topic": "", "purpose": ""},
        {"id": "C005", "name": "old-deploys", "is_private": False, "is_member": True, "is_archived": True,
         "created": 1600000000, "creator": "U002", "topic": "", "purpose": ""},
    ]
    msgs: list[dict[str, Any]] = []
    for i in range(messages):
        msgs.append(msg("C001", i, f"message {i} about <https://github.com/shop/search-tools/pull/{i}|PR {i}>",
                        user="U001" if i % 2 else "U002"))
    for t in range(threads):
        parent = ts(t)
        for r in range(replies):
            msgs.append({**msg("C001", t, f"reply {r} to {t}, cc <@U001>", user="U002"),
                         "ts": f"{BASE + t * 60 + 1 + r:010d}.000500", "thread_ts": parent})
    msgs.append(msg("C001", messages, "", user="U002", subtype="channel_join"))
    msgs.append(msg("C001", messages + 1, "deployed search-api v42", user=None, subtype="bot_message",
                    bot_id="B003", username="deploybot"))
    msgs.append(msg("C002", 1, "not readable by the bot"))
    msgs.append(msg("C003", 2, "I don't see any messages past UTC midnight; it's related to PR 23 (INC-1042)"))
    msgs.append(msg("C004", 3, "secret"))
    msgs.append(msg("C005", 4, "old deploy"))
    return {"name": "slack-small", "slack": {"team": {"id": "T0001", "name": "Shop", "domain": "shop"},
                                             "users": users, "channels": channels, "messages": msgs},
            "edits": [[
                {"op": "add_message", "message": msg("C001", messages + 5, "new after edit: PR 99")},
                # a new reply in an old thread, outside no window: the parent is the oldest message
                {"op": "add_message", "message": {**msg("C001", 0, "late reply", user="U001"),
                                                  "ts": f"{BASE + messages * 60 + 400:010d}.000700",
                                                  "thread_ts": ts(0)}},
                {"op": "edit_message", "channel": "C001", "ts": ts(messages - 1), "text": "edited text",
                 "edited_ts": f"{BASE + messages * 60 + 500:010d}.000000"},
                {"op": "delete_message", "channel": "C001", "ts": ts(messages - 2)},
                {"op": "delete_message", "channel": "C001", "ts": f"{BASE + 1 * 60 + 1 + 1:010d}.000500"},
            ]],
            }
