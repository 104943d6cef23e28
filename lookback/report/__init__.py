"""The investigator's report: a "How We Got Here" record of one incident, as one self-contained HTML file
(inline CSS and SVG, no script, no network) and as Markdown, built from the warehouse and the correlation.

Every piece of text from Slack, GitHub or PagerDuty is untrusted: the HTML goes through Jinja2 with
autoescape (and a Content-Security-Policy that allows no script at all), the Markdown through escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lookback.report.markdown import render_markdown
from lookback.report.mrkdwn import link, mrkdwn_html, plain_text, safe_url, text_html
from lookback.report.timeline import ROLE_COLORS, as_time, layout
from warehouse.report import report_facts

ROLE_NAMES = {
    "trigger": "trigger", "detection_weakened": "detection weakened", "contributor": "contributor",
    "early_signal": "early signal", "customer_report": "customer report", "response": "response", "fix": "fix",
    "context": "context",
}


@dataclass
class ReportPaths:
    html: Path
    markdown: Path


def write_report(session: Session, incident: str, out: Path | str) -> ReportPaths:
    """Write ``out/index.html`` and ``out/report.md`` for one correlated incident; returns their paths."""
    facts = report_facts(session, incident)
    view = build_view(facts)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(out / "index.html", out / "report.md")
    _write(paths.html, render_html(view))
    _write(paths.markdown, render_markdown(view))
    return paths


def _write(path: Path, content: str) -> None:
    """Write through a temporary file, so a killed run never leaves half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def when(value: Any, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    t = as_time(value)
    return t.strftime(fmt) if t else "unknown"


def duration(a: datetime | None, b: datetime | None) -> str:
    if a is None or b is None:
        return "unknown"
    minutes = int((b - a) / timedelta(minutes=1))
    if abs(minutes) < 120:
        return f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.1f} days"


def build_view(facts: dict[str, Any]) -> dict[str, Any]:
    """The report's content, section by section, as plain values (no markup yet)."""
    inc, inv, items = facts["incident"], facts["investigation"], facts["items"]
    users, channels = facts["slack_names"], facts["slack_channels"]
    for it in items:
        it["when"] = when(it["occurred_at"], "%b %d %H:%M")
        it["role_name"] = ROLE_NAMES.get(it["role"], it["role"])
        it["display"] = " ".join(str(it.get("title") or it["native_id"]).split())
    by_role: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        by_role.setdefault(it["role"], []).append(it)
    by_nid = {it["native_id"]: it for it in items}
    storylines = []
    grouped: set[str] = set()
    for g in facts["groups"]:
        members = [by_nid[m["native_id"]] for m in g["members"] if m["native_id"] in by_nid]
        if not members:
            continue
        grouped |= {m["native_id"] for m in members}
        storylines.append({"title": g["title"], "summary": g["summary"], "key": g["key"],
                           "context": str(g["key"]).startswith("context-"),
                           "members": sorted(members, key=lambda m: m["rank"])[:12], "more": max(0, len(members) - 12)})
    storylines.sort(key=lambda s: s["context"])
    impact, page, resolved = inv["impact_start"], inv["detected_at"], inv["resolved_at"]
    quiet = [p for p in facts["pages"] if not p["paged"] and impact and page and impact - timedelta(days=3) <= p["at"] < page]
    basis = ((inv.get("summary") or {}).get("impact_start") or {}).get("basis")
    summary = inv.get("summary") or {}
    view = {
        "facts": facts,
        "incident": inc,
        "investigation": inv,
        "title": f"Incident {inc.get('incident_number') or inv['incident_id']}: {inc.get('title') or inv.get('title') or ''}",
        "generated_at": when(datetime.now(UTC)),
        "impact": {"start": when(impact), "source": inv.get("impact_start_source"), "basis": basis,
                   "page": when(page), "resolved": when(resolved) if resolved else "not resolved",
                   "before_page": duration(impact, page), "total": duration(impact, resolved or page),
                   "reports": (by_role.get("customer_report", []) + by_role.get("early_signal", []))[:12]},
        "background": {"service": inc.get("service_name"), "repos": list((summary.get("repo_affinity") or {}).keys())[:8],
                       "channels": ["#" + channels.get(c, c) for c in summary.get("chat_channels") or []],
                       "window": f"{when(inv['window_start'], '%Y-%m-%d')} to {when(inv['window_end'], '%Y-%m-%d')}",
                       "evidence": len(items)},
        "responders": facts["responders"],
        "trigger": by_role.get("trigger", []),
        "storylines": storylines,
        "ungrouped": [it for it in items if it["native_id"] not in grouped and it["role"] != "context"][:15],
        "mitigators": mitigators(facts, by_role),
        "difficulties": difficulties(facts, quiet, users, channels),
        "follow_ups": follow_ups(facts, by_role, quiet, users, channels),
        "timeline": layout(facts),
        "role_colors": ROLE_COLORS,
    }
    # Every dot of the timeline links to its item: anchored in a storyline, or else in the table.
    anchored = {it["rank"] for s in storylines for it in s["members"]} | {it["rank"] for it in view["ungrouped"]}
    dotted = {d["rank"] for p in view["timeline"]["panels"] for d in p.dots}
    view["anchored"] = anchored
    view["top"] = [it for it in items if it["rank"] <= 30 or (it["rank"] in dotted and it["rank"] not in anchored)]
    return view


def mitigators(facts: dict[str, Any], by_role: dict[str, list[dict[str, Any]]]) -> list[str]:
    inv, out = facts["investigation"], []
    page, ack = inv["detected_at"], facts["acknowledged"]
    if ack and page:
        out.append(f"Acknowledged by {ack['name'] or 'someone'} {duration(page, ack['at'])} after the page.")
    if page and inv["resolved_at"]:
        out.append(f"Resolved {duration(page, inv['resolved_at'])} after the page.")
    for it in by_role.get("fix", [])[:5]:
        out.append(f"Fix: {it['display']} ({it['when']}).")
    return out


def difficulties(facts: dict[str, Any], quiet: list[dict[str, Any]], users: dict[str, str],
                 channels: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inv = facts["investigation"]
    if inv["impact_start"] and inv["detected_at"] and inv["detected_at"] - inv["impact_start"] > timedelta(minutes=30):
        out.append({"kind": "late detection", "text": f"Users were affected for {duration(inv['impact_start'], inv['detected_at'])} "
                    "before the page.", "url": None})
    if quiet:
        out.append({"kind": "alerts that paged no one",
                    "text": f"{len(quiet)} alert(s) of {facts['incident'].get('service_name') or 'the service'} fired in "
                            "the days before the page and paged no one, e.g. "
                            + "; ".join(list(dict.fromkeys(str(q["title"]) for q in quiet))[:3]),
                    "url": safe_url(quiet[0]["url"])})
    for m in facts["manual_pages"]:
        who = f"{m.get('who')} in {m.get('where')}: " if m.get("who") else ""
        out.append({"kind": "paged by hand", "text": f"{when(m['at'], '%b %d %H:%M')} {who}{plain_text(m['text'], users, channels)}",
                    "url": safe_url(m.get("url"))})
    for m in facts["ruled_out"]:
        out.append({"kind": "hypothesis ruled out",
                    "text": f"{when(m['occurred_at'], '%H:%M')} {m['actor_name']} in {m['container_name']}: "
                            f"{plain_text(m['text'], users, channels)}", "url": safe_url(m["url"])})
    return out


def follow_ups(facts: dict[str, Any], by_role: dict[str, list[dict[str, Any]]], quiet: list[dict[str, Any]],
               users: dict[str, str], channels: dict[str, str]) -> list[str]:
    service = facts["incident"].get("service_name") or "the service"
    out = []
    changes = {r: [it for it in by_role.get(r, []) if it["kind"] == "pull_request"] for r in ("detection_weakened", "trigger")}
    for it in changes["detection_weakened"][:3]:
        out.append(f"Review {it['display']}: it weakened detection; should it have paged for this?")
    for it in changes["trigger"][:3]:
        out.append(f"Add a test or a check that would have caught {it['display']} before it shipped.")
    if quiet:
        out.append(f"Route or re-tune the {len(quiet)} alert(s) of {service} that fired before the page and paged no one.")
    if facts["manual_pages"]:
        out.append(f"Find out why {service} had to be paged by hand.")
    for m in facts["follow_ups"][:5]:
        out.append(f"From the incident chat ({m['actor_name']}, {when(m['occurred_at'], '%b %d %H:%M')}): "
                   f"{plain_text(m['text'], users, channels)}")
    return out


def render_html(view: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("lookback.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    users, channels = view["facts"]["slack_names"], view["facts"]["slack_channels"]
    env.filters["mrkdwn"] = lambda text: mrkdwn_html(text, users, channels)
    env.filters["text_html"] = text_html
    env.filters["safe_url"] = safe_url
    env.globals["link"] = link
    env.filters["clip"] = lambda s, n=400: (s if len(s or "") <= n else s[: n - 1] + "\u2026") if s else ""
    return env.get_template("report.html.j2").render(**view)


__all__ = ["ReportPaths", "build_view", "render_html", "write_report"]
