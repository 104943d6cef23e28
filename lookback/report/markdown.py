"""The report as Markdown, for pasting into a document or a wiki. Untrusted text is escaped so that it
can neither open HTML nor break a table, and only http(s) links are written as links."""

from __future__ import annotations

import re
from typing import Any

from lookback.output import md_escape, md_link


def _clip(text: Any, n: int = 160) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _item_line(it: dict[str, Any]) -> str:
    where = f" · {md_escape(it['container'])}" if it["source"] == "slack" and it.get("container") else ""
    title = md_link(_clip(it["display"], 110), it.get("url")) + where
    label = f" · investigator: {md_escape(it['label'])}" if it.get("label") else ""
    reasons = "; ".join(md_escape(r) for r in (it.get("reasons") or [])[:4])
    return f"- **{md_escape(it['role_name'])}** · {it['when']} · {title}{label}  \n  {reasons}"


def render_markdown(view: dict[str, Any]) -> str:
    inv, imp, bg = view["investigation"], view["impact"], view["background"]
    inc = view["incident"]
    incident_label = f"#{inc.get('incident_number')} {inc.get('title') or ''}"
    out = [f"# {md_escape(view['title'])}", "",
           f"*How we got here: a first draft by lookback, {view['generated_at']}. "
           "The ranked evidence is a starting point for the investigator, not a verdict.*", "",
           "## Background", "",
           f"- Incident: {md_link(incident_label, inc.get('html_url'))} "
           f"({md_escape(inc.get('status'))}, {md_escape(inc.get('urgency'))} urgency)",
           f"- Service: {md_escape(bg['service'] or 'unknown')}",
           f"- Lookback window: {bg['window']}; {bg['evidence']} ranked evidence items",
           ]
    if bg["repos"]:
        out.append(f"- Repositories that belong to the service: {', '.join(md_escape(r) for r in bg['repos'])}")
    if bg["channels"]:
        out.append(f"- The incident's chat: {', '.join(md_escape(c) for c in bg['channels'])}")
    out += ["", "## Who responded", ""]
    out += [f"- {md_escape(p['name'])}: {md_escape(', '.join(p['did']))}" for p in view["responders"]] or ["- nobody recorded"]
    out += ["", "## Executive summary", "", "*To be written by the investigator.*", "",
            "## Customer and employee impact", "",
            f"- Impact start: {imp['start']} ({md_escape(imp['source'])}){': ' + md_escape(imp['basis']) if imp['basis'] else ''}",
            f"- First page: {imp['page']}, {imp['before_page']} after impact start",
            f"- Resolved: {imp['resolved']}; impact lasted {imp['total']}", ""]
    if imp["reports"]:
        out += ["The reports and signs that came in:", ""] + [_item_line(it) for it in imp["reports"]] + [""]
    out += ["## Key takeaways", "", "*To be written by the investigator.*", "", "## Triggering event", ""]
    out += [_item_line(it) for it in view["trigger"]] or ["- no trigger identified"]
    out += ["", "## Contributors and enablers", ""]
    for s in view["storylines"]:
        out += [f"### {md_escape(s['title'])}", "", md_escape(s["summary"] or ""), ""]
        out += [_item_line(it) for it in s["members"]]
        if s["more"]:
            out.append(f"- … and {s['more']} more")
        out.append("")
    if view["ungrouped"]:
        out += ["### Other evidence", ""] + [_item_line(it) for it in view["ungrouped"]] + [""]
    out += ["## Mitigators", ""] + ([f"- {md_escape(m)}" for m in view["mitigators"]] or ["- none recorded"])
    out += ["", "## Difficulties during handling", ""]
    out += [f"- **{md_escape(d['kind'])}**: {md_link(_clip(d['text'], 240), d['url'])}" for d in view["difficulties"]] or ["- none found"]
    out += ["", "## Follow-up items", ""]
    out += [f"- [ ] {md_escape(f)}" for f in view["follow_ups"]] + ["- [ ] *(add your own)*"]
    out += ["", "## Ranked evidence", "", "| rank | score | role | when (UTC) | item | why |", "|---:|---:|---|---|---|---|"]
    for it in view["top"]:
        why = md_escape((it.get("reasons") or [""])[0])
        item = md_link(_clip(it["display"], 80), it.get("url"))
        out.append(f"| {it['rank']} | {it['score']:.2f} | {md_escape(it['role_name'])} | {it['when']} | {item} | {why} |")
    iid = re.sub(r"[^A-Za-z0-9]", "", str(inv["incident_id"]))
    out += ["", f"Query it in SQL: `SELECT * FROM incident_evidence WHERE incident_id = '{iid}' ORDER BY rank`", ""]  # noqa: S608 - shown, not run
    return "\n".join(out)
