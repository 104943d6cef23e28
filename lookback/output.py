"""Printing evidence items as JSON, a terminal table, or Markdown, with untrusted text made inert."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

# C0/C1 control characters, which include the ESC that starts terminal escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: Any) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) removed."""
    return _CONTROL.sub("", "" if text is None else str(text))


def md_escape(text: Any) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~])", r"\\\1", inert(text).replace("\n", " "))


def print_items(items: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False, default=str) + "\n")
    elif fmt == "md":
        lines = ["| rank | score | role | when (UTC) | source | item | reasons |", "|---|---|---|---|---|---|---|"]
        for it in items:
            title = md_escape(it.get("title") or it.get("native_id"))
            link = f"[{title}]({it['url']})" if it.get("url") else title
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
