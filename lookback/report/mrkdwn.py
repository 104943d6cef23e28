"""Untrusted Slack mrkdwn and GitHub text to safe HTML: everything is escaped first, then only links with
a safe scheme, mentions resolved to names, code and emphasis are turned back into markup."""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup, escape

from lookback.output import safe_url

_SPECIAL = re.compile(r"<([^<>\n]{1,2000})>")
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_PRE = re.compile(r"```(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_EMPHASIS = ((re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), "b"), (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), "i"),
             (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), "s"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def link(url: str | None, label: str) -> Markup:
    """An escaped anchor, or just the escaped label when the URL is not safe."""
    href = safe_url(url)
    if href is None:
        return escape(label)
    return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(href, label)


def _unescape_slack(text: str) -> str:
    # Slack escapes only these three in message text.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain(text: str) -> Markup:
    """Escaped text with code, emphasis and line breaks; the tags come only from our own patterns."""
    out = str(escape(_CONTROL.sub("", _unescape_slack(text))))
    out = _PRE.sub(lambda m: f"<pre>{m.group(1).strip()}</pre>", out)
    out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    for pattern, tag in _EMPHASIS:
        out = pattern.sub(lambda m, t=tag: f"<{t}>{m.group(1)}</{t}>", out)  # type: ignore[misc]
    return Markup(out.replace("\n", "<br>"))


def _special(body: str, users: Mapping[str, str], channels: Mapping[str, str]) -> Markup:
    target, _, label = body.partition("|")
    if target.startswith("@"):
        name = label or users.get(target[1:], target[1:])
        return Markup('<span class="mention">@{}</span>').format(_unescape_slack(name))
    if target.startswith("#"):
        name = label or channels.get(target[1:], target[1:])
        return Markup('<span class="mention">#{}</span>').format(_unescape_slack(name))
    if target.startswith("!"):
        name = label or target[1:].split("^")[0]
        return Markup('<span class="mention">@{}</span>').format(_unescape_slack(name.lstrip("@")))
    url = _unescape_slack(target)
    return link(url, _unescape_slack(label) if label else url) if safe_url(url) else escape("<" + _unescape_slack(body) + ">")


def mrkdwn_html(text: str | None, users: Mapping[str, str] | None = None,
                channels: Mapping[str, str] | None = None) -> Markup:
    """Slack mrkdwn as safe HTML: `<url|label>` links (safe schemes only), `<@U1>` and `<#C1>` as names."""
    if not text:
        return Markup("")
    users, channels = users or {}, channels or {}
    parts: list[Markup] = []
    pos = 0
    for m in _SPECIAL.finditer(text):
        parts.append(_plain(text[pos:m.start()]))
        parts.append(_special(m.group(1), users, channels))
        pos = m.end()
    parts.append(_plain(text[pos:]))
    return Markup("").join(parts)


def text_html(text: str | None) -> Markup:
    """GitHub or PagerDuty text as safe HTML: escaped, bare http(s) URLs linked, line breaks kept."""
    if not text:
        return Markup("")
    text = _CONTROL.sub("", text)
    parts: list[Markup] = []
    pos = 0
    for m in _URL.finditer(text):
        parts.append(escape(text[pos:m.start()]))
        parts.append(link(m.group(0), m.group(0)))
        pos = m.end()
    parts.append(escape(text[pos:]))
    return Markup(str(Markup("").join(parts)).replace("\n", "<br>"))


def plain_text(text: str | None, users: Mapping[str, str] | None = None,
               channels: Mapping[str, str] | None = None) -> str:
    """mrkdwn as plain text (for Markdown output and tooltips): links as their labels, mentions as names."""
    if not text:
        return ""
    users, channels = users or {}, channels or {}

    def one(m: re.Match[str]) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (label or users.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or channels.get(target[1:], target[1:]))
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0]).lstrip("@")
        return f"{label} ({target})" if label and label != target else target

    return _CONTROL.sub("", _unescape_slack(_SPECIAL.sub(one, text)))
