"""Text helpers every mapper shares: safe strings, and the references an item makes (CONTRACTS section 2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Add = Callable[[str, str, str | None], None]


def clean(value: Any, limit: int | None = None) -> str | None:
    """A string without NUL bytes (PostgreSQL refuses them) or lone surrogates, optionally bounded."""
    if value is None:
        return None
    text = str(value).replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


URL = re.compile(r"https?://[^\s<>\"'`|)\]]+")
_GH_PULL = re.compile(r"^https?://[^/]+/([\w.-]+/[\w.-]+)/pull/(\d+)(?:/commits/([0-9a-f]{7,40}))?", re.I)
_GH_ISSUE = re.compile(r"^https?://[^/]+/([\w.-]+/[\w.-]+)/issues/(\d+)", re.I)
_GH_COMMIT = re.compile(r"^https?://[^/]+/[\w.-]+/[\w.-]+/commits?/([0-9a-f]{7,40})\b", re.I)
_PD_INCIDENT_NUMBER = re.compile(r"^https?://[\w.-]*pagerduty\.com/incidents/(\d+)\b", re.I)
_PD_INCIDENT = re.compile(r"^https?://[\w.-]*pagerduty\.com/incidents/([A-Z0-9]{5,})\b", re.I)
REPO_NUM = re.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.-]*/[\w.-]+)#(\d+)\b")
_PR_WORD = re.compile(r"\b(?:PR|pull request|pull)\s*#?\s*(\d+)\b", re.I)
_HASH_NUM = re.compile(r"(?<![\w&#/])#(\d{1,7})\b")
_INCIDENT = re.compile(r"\b(?:incident|inc)(?:\s*#|\s+|-|\s*number\s*)(\d{2,9})\b", re.I)
_REVERT_TITLE = re.compile(r"\bRevert\s+\"([^\"]{3,300})\"", re.I)
_REVERT_PR = re.compile(r"\brevert(?:s|ed|ing)?\s+(?:PR\s*|pull request\s*)?(?:([\w.-]+/[\w.-]+))?#?(\d+)\b", re.I)
_REVERT_COMMIT = re.compile(r"\breverts?\s+commit\s+([0-9a-f]{7,40})\b", re.I)
_COMMIT_WORD = re.compile(r"\b(?:commit|sha)\b[:\s]*`?([0-9a-f]{7,40})\b", re.I)


def url_refs(url: str, label: str | None, add: Add) -> None:
    """What one link points at: a pull request, an issue, a commit, a PagerDuty incident, or just a URL."""
    shown = label or url
    if m := _GH_PULL.match(url):
        add("pull_request", f"{m.group(1)}#{m.group(2)}", shown)
        if m.group(3):
            add("commit", m.group(3).lower(), shown)
    elif m := _GH_ISSUE.match(url):
        add("issue", f"{m.group(1)}#{m.group(2)}", shown)
    elif m := _GH_COMMIT.match(url):
        add("commit", m.group(1).lower(), shown)
    elif m := _PD_INCIDENT_NUMBER.match(url):
        add("incident_number", m.group(1), shown)
    elif m := _PD_INCIDENT.match(url):
        add("incident_id", m.group(1).upper(), shown)
    else:
        add("url", url, label)
    if label:
        # The label of a link is text too: "<https://…|INC-1234>".
        for m in _INCIDENT.finditer(label):
            add("incident_number", m.group(1), label)


def plain_refs(text: str, add: Add, repo: str | None = None) -> None:
    """References in plain text (links already removed): ``owner/repo#N``, "PR 23", ``#23`` (a PR of ``repo``
    when it is known, else a bare PR number), incident numbers, reverts and commits."""
    repo_spans = [m.span() for m in REPO_NUM.finditer(text)]
    for m in REPO_NUM.finditer(text):
        add("pull_request", f"{m.group(1)}#{m.group(2)}", m.group(0))
    for m in _PR_WORD.finditer(text):
        add("pr_number", m.group(1), m.group(0))
    for m in _HASH_NUM.finditer(text):
        if not any(a <= m.start() < b for a, b in repo_spans):
            add(*(("pull_request", f"{repo}#{m.group(1)}") if repo else ("pr_number", m.group(1))), m.group(0))
    for m in _INCIDENT.finditer(text):
        add("incident_number", m.group(1), m.group(0))
    for m in _REVERT_TITLE.finditer(text):
        add("revert", f"title:{m.group(1)}", m.group(0))
    for m in _REVERT_PR.finditer(text):
        target_repo = m.group(1) or repo
        if target_repo:
            add("revert", f"{target_repo}#{m.group(2)}", m.group(0))
        else:
            add("pr_number", m.group(2), m.group(0))
    for m in _REVERT_COMMIT.finditer(text):
        add("revert", m.group(1).lower(), m.group(0))
    for m in _COMMIT_WORD.finditer(text):
        add("commit", m.group(1).lower(), m.group(0))


def text_refs(text: str | None) -> list[tuple[str, str, str | None]]:
    """(ref_kind, target, label) in plain text with bare links (PagerDuty notes, titles, change events)."""
    found: dict[tuple[str, str], str | None] = {}

    def add(kind: str, target: str, label: str | None) -> None:
        found.setdefault((kind, target[:512]), clean(label, 500))

    for m in URL.finditer(text or ""):
        url_refs(m.group(0).rstrip(".,;:!?"), None, add)
    plain_refs(URL.sub(" ", text or ""), add)
    return [(kind, target, label) for (kind, target), label in found.items()]
