"""Printing evidence items as JSON, a terminal table, or Markdown, with untrusted text made inert."""

from __future__ import annotations

import json
import re
import sys
from typing import Any
from urllib.parse import urlsplit

# C0/C1 control characters, which include the ESC that starts terminal escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f]")  # browsers drop tabs and newlines from URLs: so do we
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# What could open HTML, a link, emphasis, code or a table cell; an underscore only where it could emphasise.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def inert(text: Any) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) removed."""
    return _CONTROL.sub("", "" if text is None else str(text))


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is http, https or mailto (no `javascript:`, `data:`...), else None."""
    if not url:
        return None
    url = _URL_JUNK.sub("", url)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


def md_escape(text: Any) -> str:
    """Untrusted text as inert Markdown on one line: it stays text whatever it contains."""
    one_line = " ".join(inert(text).split())
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), one_line)


def md_link(text: Any, url: str | None) -> str:
    """A Markdown link for an http(s) URL, else the escaped text alone."""
    href = safe_url(url)
    label = md_escape(text)
    if href is None or not re.match(r"https?://", href):
        return label
    return f"[{label}](<{href.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def print_items(items: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False, default=str) + "\n")
    elif fmt == "md":
        lines = ["| rank | score | role | when (UTC) | source | item | reasons |", "|---|---|---|---|---|---|---|"]
        for it in items:
            link = md_link(it.get("title") or it.get("native_id"), it.get("url"))
            why = "; ".join(md_escape(r) for r in it.get("reasons") or [])
            lines.append(f"| {it['rank']} | {it['score']:.2f} | {md_escape(it['role'])} | {str(it['occurred_at'])[:16]} | "
                         f"{md_escape(it['source'])} | {link} | {why} |")
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False, expand=True)
        for col in ("#", "score", "role", "when (UTC)", "source", "item", "why"):
            table.add_column(col, overflow="fold")
        for it in items:
            reasons = it.get("reasons") or []
            table.add_row(str(it["rank"]), f"{it['score']:.2f}", inert(it["role"]), str(it["occurred_at"])[:16],
                          inert(it["source"]), inert(it.get("title") or it["native_id"]),
                          inert(reasons[0] if reasons else ""))
        Console(markup=False, highlight=False, soft_wrap=False).print(table)
